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
