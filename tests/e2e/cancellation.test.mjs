// When the client goes away before Azure answers, the proxy cancels the upstream request at
// once instead of waiting for Azure (which keeps billing, and keeps a connection busy).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { useStack, TOKEN } from './harness.mjs';

const stack = useStack({ proxyEnv: { UPSTREAM_RETRIES: '0' } });
const test = stack.test;

async function abandon(body, afterMs) {
  const ctl = new AbortController();
  const started = Date.now();
  const pending = fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify(body),
    signal: ctl.signal,
  }).catch((e) => e);
  await sleep(afterMs);
  ctl.abort();
  await pending;
  return started;
}

async function waitForLog(pattern, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const line = stack.proxy.output.split('\n').find((l) => pattern.test(l));
    if (line) return line;
    await sleep(50);
  }
  return null;
}

for (const stream of [false, true]) {
  test(`client leaving before Azure answers cancels the upstream (${stream ? 'stream' : 'non-stream'})`, async () => {
    const MARK = `E2E-SLOW-${stream}`;
    await stack.mockRules([{ match: { contains: MARK }, respond: { text: 'too late', delay_ms: 5000 } }]);
    await abandon({ model: 'claude-sonnet-4-5', max_tokens: 50, stream, messages: [{ role: 'user', content: MARK }] }, 300);
    // This line can only be written if the proxy gave up before Azure's (delayed) answer came:
    // without cancellation the request would end after the answer, with status 200.
    const line = await waitForLog(/status=499 .*client went away before Azure answered; upstream cancelled/, 10000);
    assert.ok(line, `no cancellation log line; proxy output:\n${stack.proxy.output.slice(-2000)}`);
    // And the proxy is fine afterwards.
    const r = await fetch(`${stack.proxyUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'after' }] }),
    });
    assert.equal(r.status, 200);
  });
}

// While a stream is open and Azure is silent (a reasoning model thinking), no write would notice
// a client that left: the proxy watches the client's socket itself, and cancels the upstream at
// once — not at the next chunk (8 s away here) or the next ping (PING_INTERVAL, 10 s).
test('client leaving an open stream while Azure is silent cancels the upstream', async () => {
  const MARK = 'E2E-SILENT-STREAM';
  await stack.mockRules([{ match: { contains: MARK }, respond: { text: 'firstsecond', chunk_size: 5, chunk_delay_ms: 8000 } }]);
  const ctl = new AbortController();
  const r = await fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: MARK }] }),
    signal: ctl.signal,
  });
  assert.equal(r.status, 200);
  const reader = r.body.getReader();
  let seen = '';
  while (!seen.includes('message_start')) {  // the stream has begun; Azure's next frame is 8 s away
    const { value, done } = await reader.read();
    assert.ok(!done, `stream ended early: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  const left = Date.now();
  ctl.abort();
  const line = await waitForLog(/client went away; upstream cancelled/, 5000);
  assert.ok(line, `no cancellation log line; proxy output:\n${stack.proxy.output.slice(-2000)}`);
  assert.ok(Date.now() - left < 5000);
  assert.match(line, /status=200/);
});
