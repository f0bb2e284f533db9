// A client that leaves in the middle of a stream, while Azure is silent (a reasoning model
// thinking), must free the upstream at once: Azure keeps generating billed tokens otherwise.
// The mock stalls after a few frames and records when its peer (the proxy) closed the
// connection; pings are 30 s apart here, so no write to the client could have noticed.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { useStack, TOKEN } from './harness.mjs';

const stack = useStack({ proxyEnv: { UPSTREAM_RETRIES: '0', PING_INTERVAL: '30', AZURE_RESPONSES_API_VERSION: 'v1' } });
const test = stack.test;

async function closedAfter(mark, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const reqs = await stack.mockRequests();
    const r = reqs.find((q) => JSON.stringify(q.body ?? '').includes(mark));
    if (r && r.peer_closed_after_stall_ms !== undefined) return Number(r.peer_closed_after_stall_ms);
    await sleep(50);
  }
  return null;
}

async function leaveMidStream(path, body) {
  const ctl = new AbortController();
  const res = await fetch(`${stack.proxyUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
    signal: ctl.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  await reader.read();  // the stream has started: the first events arrived
  await sleep(300);
  const left = Date.now();
  ctl.abort();
  return left;
}

const cases = [
  ['Anthropic /v1/messages (Chat backend)', '/v1/messages',
    (mark) => ({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: mark }] })],
  ['OpenAI /v1/chat/completions (Responses backend)', '/v1/chat/completions',
    (mark) => ({ model: 'big-dep', stream: true, messages: [{ role: 'user', content: mark }] })],
];

for (const [name, path, body] of cases) {
  test(`client leaving mid-stream while Azure is silent closes the upstream within 1 s: ${name}`, async () => {
    const mark = `E2E-STALL-${path}`;
    await stack.mockRules([{ match: { contains: mark }, respond: { text: 'a b c d e f g h i j k l', chunk_size: 2, fault: 'stall_mid_stream' } }]);
    const t0 = Date.now();
    const left = await leaveMidStream(path, body(mark));
    const stalledFor = await closedAfter(mark, 5000);
    assert.notEqual(stalledFor, null, `the mock never saw its connection closed; proxy output:\n${stack.proxy.output.slice(-1500)}`);
    // The stall began before the client left; the close came at most ~1 s after the client left.
    const closedAt = t0 + stalledFor;  // an upper bound: the stall began after t0
    assert.ok(closedAt - left <= 1000 + 100, `upstream closed ${closedAt - left} ms after the client left`);
  });
}
