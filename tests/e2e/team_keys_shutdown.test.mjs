// SIGTERM mid-load with team keys: usage is written at shutdown (USAGE_FLUSH_MS is a minute here,
// so nothing is written before the signal), and equals what every client was told.
import assert from 'node:assert/strict';
import { test, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startStack, stopStack } from './harness.mjs';
import { createKey, usageByKey, tally, addAnthropicUsage, sseUsage } from './team_keys_util.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-keys-term-'));
const DB = `sqlite://${dir}/team.db`;
const key = createKey(DB, 'carol');
const stack = await startStack({ proxyEnv: { DATABASE_URL: DB, USAGE_FLUSH_MS: '60000', SHUTDOWN_GRACE: '20' } });
after(async () => {
  await stopStack(stack);
  rmSync(dir, { recursive: true, force: true });
});

test('SIGTERM mid-load: every answered request is in the usage table after exit', async () => {
  const slow = 'A slow answer that is still streaming when SIGTERM arrives. '.repeat(3);
  await stack.mockRules([{ match: { contains: 'SLOW' }, respond: { text: slow, chunk_size: 10, chunk_delay_ms: 40 } }]);
  const got = tally();
  const client = new Anthropic({ baseURL: stack.proxyUrl, apiKey: key, maxRetries: 0 });
  await Promise.all(Array.from({ length: 20 }, (_, i) =>
    client.messages.create({ model: 'claude-haiku-4-6', max_tokens: 50, messages: [{ role: 'user', content: `quick ${i} ${'x'.repeat(i * 13)}` }] })
      .then((m) => addAnthropicUsage(got, m.usage))));
  const streams = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 500, stream: true, messages: [{ role: 'user', content: `SLOW ${i} ${'y'.repeat(i * 7)}` }] }),
    });
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    return { reader, first };
  }));
  stack.proxy.proc.kill('SIGTERM');
  await Promise.all(streams.map(async ({ reader, first }) => {
    const decoder = new TextDecoder();
    let sse = first;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      sse += decoder.decode(value);
    }
    assert.match(sse, /event: message_stop/);
    addAnthropicUsage(got, sseUsage(sse));
  }));
  const exit = await stack.proxy.exitPromise;
  assert.equal(exit.code, 0, stack.proxy.output);
  assert.match(stack.proxy.output, /30 usage rows written at shutdown/);
  const u = usageByKey(DB).carol;
  assert.ok(u, 'no usage for carol');
  assert.deepEqual({ requests: u.requests, input_tokens: u.input_tokens, output_tokens: u.output_tokens, cached_tokens: u.cached_tokens }, got);
});
