// Unit tests of the SSE validator itself (no binaries needed): it must accept
// well-formed streams and reject each kind of malformed one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAnthropicSSE, parseSSE, assertValidAnthropicSSE } from './sse_validator.mjs';

const frame = (data, event = data.type) =>
  `${event === null ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

const msgStart = {
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 1 },
  },
};
const ping = { type: 'ping' };
const textStart = (index) => ({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
const textDelta = (index, text) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
const toolStart = (index, id = 'toolu_1', name = 'get_weather') => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id, name, input: {} },
});
const jsonDelta = (index, partial_json) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
const thinkStart = (index) => ({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
const thinkDelta = (index, thinking) => ({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
const sigDelta = (index) => ({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'sig' } });
const stop = (index) => ({ type: 'content_block_stop', index });
const msgDelta = (stop_reason = 'end_turn', output_tokens = 5) => ({
  type: 'message_delta',
  delta: { stop_reason, stop_sequence: null },
  usage: { output_tokens },
});
const msgStop = { type: 'message_stop' };
const errorEv = { type: 'error', error: { type: 'api_error', message: 'upstream reset' } };

const sse = (...events) => events.map((e) => frame(e)).join('');

const GOOD_TEXT = sse(msgStart, ping, textStart(0), textDelta(0, 'Hel'), textDelta(0, 'lo'), stop(0), msgDelta(), msgStop);

const GOOD = {
  'text only': GOOD_TEXT,
  'text with CRLF line endings': GOOD_TEXT.replace(/\n/g, '\r\n'),
  'SSE comments and pings everywhere': ': hello\n\n' + sse(ping, msgStart, ping, textStart(0), ping, textDelta(0, 'x'), stop(0), ping, msgDelta(), ping, msgStop),
  'no content blocks at all': sse(msgStart, msgDelta(), msgStop),
  'text + two tool_use blocks': sse(
    msgStart,
    textStart(0),
    textDelta(0, 'Let me check.'),
    stop(0),
    toolStart(1, 'toolu_a'),
    jsonDelta(1, '{"city":'),
    jsonDelta(1, '"Paris"}'),
    stop(1),
    toolStart(2, 'toolu_b'),
    jsonDelta(2, ''),
    stop(2),
    msgDelta('tool_use'),
    msgStop,
  ),
  'tool_use with no input deltas (empty input = {})': sse(msgStart, toolStart(0), stop(0), msgDelta('tool_use'), msgStop),
  'thinking then text': sse(msgStart, thinkStart(0), thinkDelta(0, 'hmm'), sigDelta(0), stop(0), textStart(1), textDelta(1, 'ok'), stop(1), msgDelta(), msgStop),
  'error ending after a block started': sse(msgStart, textStart(0), textDelta(0, 'par'), errorEv),
  'error as the only event': sse(errorEv),
  'multi-line data field': 'event: message_start\ndata: ' + JSON.stringify(msgStart).replace('"message":', '"message":\ndata: ') + '\n\n' + sse(msgDelta(), msgStop),
};

for (const [name, stream] of Object.entries(GOOD)) {
  test(`validator accepts: ${name}`, () => {
    assert.deepEqual(validateAnthropicSSE(stream), [], `unexpected violations for ${name}`);
  });
}

test('validator accepts a list of parsed events (SDK payloads and {event,data} frames)', () => {
  const payloads = [msgStart, textStart(0), textDelta(0, 'a'), stop(0), msgDelta(), msgStop];
  assert.deepEqual(validateAnthropicSSE(payloads), []);
  const frames = payloads.map((d) => ({ event: d.type, data: JSON.stringify(d) }));
  assert.deepEqual(validateAnthropicSSE(frames), []);
  const objFrames = payloads.map((d) => ({ event: d.type, data: d }));
  assert.deepEqual(validateAnthropicSSE(objFrames), []);
});

// Each bad stream must produce a violation whose text matches the pattern.
const BAD = {
  'empty stream': ['', /empty/],
  'missing message_start': [sse(textStart(0), textDelta(0, 'x'), stop(0), msgDelta(), msgStop), /before message_start|no message_start/],
  'message_start twice': [sse(msgStart, msgStart, msgDelta(), msgStop), /second message_start/],
  'message_start not first': [sse(textStart(0), msgStart, stop(0), msgDelta(), msgStop), /not the first|before message_start/],
  'block index starts at 1': [sse(msgStart, textStart(1), stop(1), msgDelta(), msgStop), /expected 0/],
  'block index gap': [sse(msgStart, textStart(0), stop(0), textStart(2), stop(2), msgDelta(), msgStop), /expected 1/],
  'overlapping blocks': [sse(msgStart, textStart(0), toolStart(1), stop(0), stop(1), msgDelta('tool_use'), msgStop), /still open/],
  'delta for another index': [sse(msgStart, textStart(0), textDelta(1, 'x'), stop(0), msgDelta(), msgStop), /!= open block/],
  'delta with no open block': [sse(msgStart, textDelta(0, 'x'), msgDelta(), msgStop), /no open block/],
  'stop index mismatch': [sse(msgStart, textStart(0), stop(1), msgDelta(), msgStop), /content_block_stop index 1/],
  'text_delta in a tool_use block': [sse(msgStart, toolStart(0), textDelta(0, 'x'), stop(0), msgDelta('tool_use'), msgStop), /text_delta inside a 'tool_use'/],
  'input_json_delta in a text block': [sse(msgStart, textStart(0), jsonDelta(0, '{}'), stop(0), msgDelta(), msgStop), /input_json_delta inside a 'text'/],
  'thinking_delta in a text block': [sse(msgStart, textStart(0), thinkDelta(0, 'x'), stop(0), msgDelta(), msgStop), /thinking_delta inside a 'text'/],
  'text_delta in a thinking block': [sse(msgStart, thinkStart(0), textDelta(0, 'x'), stop(0), msgDelta(), msgStop), /text_delta inside a 'thinking'/],
  'tool input JSON truncated': [sse(msgStart, toolStart(0), jsonDelta(0, '{"city":"Par'), stop(0), msgDelta('tool_use'), msgStop), /does not parse/],
  'tool input JSON is an array': [sse(msgStart, toolStart(0), jsonDelta(0, '[1]'), stop(0), msgDelta('tool_use'), msgStop), /not a JSON object/],
  'block never stopped': [sse(msgStart, textStart(0), textDelta(0, 'x'), msgDelta(), msgStop), /still open/],
  'two message_delta': [sse(msgStart, msgDelta(), msgDelta(), msgStop), /second message_delta/],
  'message_delta before last block': [sse(msgStart, msgDelta(), textStart(0), stop(0), msgStop), /after message_delta/],
  'stop_reason null': [sse(msgStart, textStart(0), stop(0), msgDelta(null), msgStop), /stop_reason/],
  'output_tokens missing': [sse(msgStart, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: {} }, msgStop), /output_tokens/],
  'no message_delta': [sse(msgStart, textStart(0), stop(0), msgStop), /without a preceding message_delta|no message_delta/],
  'no message_stop': [sse(msgStart, textStart(0), stop(0), msgDelta()), /message_stop/],
  'event after message_stop': [sse(msgStart, msgDelta(), msgStop, textStart(0)), /after message_stop/],
  '[DONE] sentinel': [sse(msgStart, msgDelta(), msgStop) + 'data: [DONE]\n\n', /\[DONE\]/],
  'event name differs from data.type': [frame(msgStart) + frame(msgDelta(), 'message_stop') + frame(msgStop), /!= data.type/],
  'frame without event line': [frame(msgStart) + frame(msgDelta(), null) + frame(msgStop), /no 'event:' line/],
  'data not JSON': [frame(msgStart) + 'event: message_delta\ndata: {oops\n\n' + frame(msgStop), /not JSON/],
  'error in the middle': [sse(msgStart, textStart(0), errorEv, stop(0), msgDelta(), msgStop), /after an error/],
  'error without error object': [sse(msgStart, { type: 'error' }), /error event without/],
  'unknown event type': [sse(msgStart, { type: 'response.created' }, msgDelta(), msgStop), /unknown event type/],
  'OpenAI chat chunks': ['data: {"id":"c","object":"chat.completion.chunk","choices":[]}\n\ndata: [DONE]\n\n', /./],
  'message_start with wrong role': [sse({ ...msgStart, message: { ...msgStart.message, role: 'user' } }, msgDelta(), msgStop), /role/],
};

for (const [name, [stream, pattern]] of Object.entries(BAD)) {
  test(`validator rejects: ${name}`, () => {
    const violations = validateAnthropicSSE(stream);
    assert.ok(violations.length > 0, `expected violations for ${name}, got none`);
    assert.ok(
      violations.some((x) => pattern.test(x)),
      `no violation matching ${pattern} for ${name}; got:\n${violations.join('\n')}`,
    );
  });
}

test('validator with allowError:false flags an error ending', () => {
  const s = sse(msgStart, errorEv);
  assert.deepEqual(validateAnthropicSSE(s), []);
  assert.ok(validateAnthropicSSE(s, { allowError: false }).some((x) => /error event/.test(x)));
});

test('parseSSE splits frames and keeps event names', () => {
  const frames = parseSSE(GOOD_TEXT);
  assert.deepEqual(
    frames.map((f) => f.event),
    ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
  );
});

test('assertValidAnthropicSSE throws with the violation list', () => {
  assert.doesNotThrow(() => assertValidAnthropicSSE(GOOD_TEXT));
  assert.throws(() => assertValidAnthropicSSE(sse(msgStart)), /invalid Anthropic SSE stream/);
});
