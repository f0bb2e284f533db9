// While Azure is silent (a reasoning model thinking, a slow first token) the proxy sends SSE
// `ping` events every PING_INTERVAL seconds, so that clients and load balancers in between do not
// time the stream out — Anthropic's own streams carry the same `event: ping`. They go between
// whole events only, and the answer around them is untouched.
import assert from 'node:assert/strict';
import { useStack, TOKEN } from './harness.mjs';

const stack = useStack({ proxyEnv: { UPSTREAM_RETRIES: '0', PING_INTERVAL: '1' } });
const test = stack.test;

test('pings while Azure is silent, between whole events, the answer intact', async () => {
  const MARK = 'E2E-PINGS';
  // Azure's frames 2.2 s apart: every silence is more than two ping intervals.
  await stack.mockRules([{ match: { contains: MARK }, respond: { text: 'onetwothree', chunk_size: 64, chunk_delay_ms: 2200 } }]);
  const r = await fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: MARK }] }),
  });
  assert.equal(r.status, 200);
  const text = await r.text();
  assert.ok(text.endsWith('\n\n'), 'the stream ends with a whole event');
  const events = text.trim().split('\n\n').map((block) => {
    const lines = block.split('\n');
    assert.equal(lines.length, 2, `an event is one event line and one data line: ${block}`);
    assert.ok(lines[0].startsWith('event: ') && lines[1].startsWith('data: '), block);
    return { event: lines[0].slice(7), data: JSON.parse(lines[1].slice(6)) };
  });
  const pings = events.filter((e) => e.event === 'ping');
  const silences = events.filter((e) => e.event !== 'ping').length;  // at least one per Azure frame after the first
  assert.ok(pings.length >= 3, `${pings.length} pings over silences of 2.2 s with PING_INTERVAL=1 (${silences} events)`);
  for (const p of pings) assert.deepEqual(p.data, { type: 'ping' });
  assert.equal(events[0].event, 'message_start');
  assert.equal(events.at(-1).event, 'message_stop');
  const said = events.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.text).join('');
  assert.equal(said, 'onetwothree');
});
