// SIGTERM with a stream still running when SHUTDOWN_GRACE runs out: the proxy stops at the
// deadline, exits 0, and its shutdown is clean — no crash, and with the ASan+UBSan build
// (AGP_PROXY_BIN=build-asan/azure-gpt-proxy) no sanitizer report: coroutines destroyed by the
// io_context's destructor must find what they reference alive.
import assert from 'node:assert/strict';
import { test, after } from 'node:test';
import { startStack, stopStack, TOKEN } from './harness.mjs';

const stack = await startStack({ proxyEnv: { SHUTDOWN_GRACE: '1' } });
after(() => stopStack(stack));

test('SIGTERM past the grace period with streams in flight: exit 0 at the deadline, clean shutdown', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-LONG' }, respond: { text: 'x '.repeat(400), chunk_size: 2, chunk_delay_ms: 50 } }]);
  const open = [];
  for (const stream of [true, true, false]) {
    const res = fetch(`${stack.proxyUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 500, stream, messages: [{ role: 'user', content: 'E2E-LONG' }] }),
    }).then(async (r) => { try { await r.text(); } catch { /* cut at the deadline */ } }, () => {});
    open.push(res);
  }
  await new Promise((r) => setTimeout(r, 400));  // all three are being answered
  const t0 = Date.now();
  stack.proxy.proc.kill('SIGTERM');
  const exit = await stack.proxy.exitPromise;
  const took = Date.now() - t0;
  await Promise.all(open);
  assert.equal(exit.code, 0, `${JSON.stringify(exit)}\n${stack.proxy.output.slice(-3000)}`);
  assert.ok(took < 5000, `exit took ${took} ms`);
  assert.match(stack.proxy.output, /stopping with \d+ requests still in flight/);
  assert.doesNotMatch(stack.proxy.output, /AddressSanitizer|LeakSanitizer|runtime error|UndefinedBehaviorSanitizer/);
});
