// SIGTERM (a Kubernetes rolling update): the proxy stops accepting, lets answers in flight
// finish, then exits 0 — a Claude Code stream is not cut in the middle.
import assert from 'node:assert/strict';
import { test, after } from 'node:test';
import { startStack, stopStack, TOKEN } from './harness.mjs';
import { validateAnthropicSSE } from './sse_validator.mjs';

const stack = await startStack({ proxyEnv: { SHUTDOWN_GRACE: '20' } });
after(() => stopStack(stack));

test('SIGTERM mid-stream: the stream completes, new connections are refused, exit 0', async () => {
  const text = 'This answer streams slowly enough to be in flight when SIGTERM arrives. '.repeat(4);
  await stack.mockRules([{ match: { contains: 'E2E-DRAIN' }, respond: { text, chunk_size: 12, chunk_delay_ms: 40 } }]);
  const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 500, stream: true, messages: [{ role: 'user', content: 'E2E-DRAIN' }] }),
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let sse = decoder.decode((await reader.read()).value); // the stream has started
  stack.proxy.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  await assert.rejects(
    fetch(`${stack.proxyUrl}/health`),
    'a new connection was accepted after SIGTERM',
  );
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    sse += decoder.decode(value);
  }
  assert.deepEqual(validateAnthropicSSE(sse), []);
  assert.match(sse, /event: message_stop/);
  const streamed = [...sse.matchAll(/"text_delta","text":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`)).join('');
  assert.equal(streamed, text);
  const exit = await stack.proxy.exitPromise;
  assert.equal(exit.code, 0, JSON.stringify(exit));
});
