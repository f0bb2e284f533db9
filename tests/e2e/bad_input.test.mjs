// Malformed requests, as tables: each row is sent as raw bytes to the real proxy (in front of the
// strict mock) and must come back 400 (413 for a body over the size limit) in the client's own
// protocol — Anthropic's {"type":"error","error":{"type":"invalid_request_error",…}} naming the
// field path in Anthropic's style ("messages.0.content.0.image.source.base64.media_type: …"),
// OpenAI's {"error":{"message","type","param","code"}} in OpenAI's wording — and the mock must
// have received nothing. The wording follows what the real APIs answer (PROTOCOLS.md §2 and error
// texts the APIs returned in public issue threads: pydantic's messages for Anthropic, e.g.
// "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'", "The request body is
// not valid JSON: no low surrogate in string: line 1 column N (char M)"; OpenAI's "Invalid
// 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead.",
// "Invalid 'messages': empty array. …" with code empty_array). A few rows of what is *accepted*
// (and how) close each table, so a stricter parser cannot pass by refusing everything.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, before, after, test as nodeTest } from 'node:test';
import { startStack, stopStack, withLogs, TOKEN, PNG_1X1, upstreamBody } from './harness.mjs';

// One stack for the file; the mock's request log is NOT reset between the rows of a table, so the
// table's last test sees every request any row let through. v1 api-version: the Cursor front
// end's Responses API and the Anthropic front end's Chat.
let stack;
before(async () => {
  stack = await startStack({ proxyEnv: { AZURE_API_VERSION: undefined } });
});
after(() => stopStack(stack));
const test = (name, fn) => nodeTest(name, () => withLogs(stack, fn));

async function nothingReachedAzure() {
  const reqs = await stack.mockRequests();
  assert.deepEqual(reqs.map((r) => JSON.stringify(r.body).slice(0, 300)), [], 'no row may reach Azure');
}

async function send(path, body, headers = {}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const res = await fetch(stack.proxyUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: bytes,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* asserted below */
  }
  return { status: res.status, text, json, headers: res.headers };
}

// A POST whose Content-Length says more than the 32 MB limit; the server refuses it from the header.
function sendOversized(path) {
  return new Promise((resolve, reject) => {
    const url = new URL(stack.proxyUrl);
    const sock = net.connect(Number(url.port), url.hostname, () => {
      sock.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\n` +
          `Content-Length: ${33 * 1024 * 1024}\r\n\r\n{"model":`,
      );
    });
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (data += d));
    sock.on('error', reject);
    sock.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), json: JSON.parse(rest.join('\r\n\r\n')) });
    });
  });
}

const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
// Python's json position wording (Anthropic's), for a byte offset in a one-line body.
const at = (offset) => `line 1 column ${offset + 1} (char ${offset})`;

// ---------------------------------------------------------------- Anthropic /v1/messages

const A = (extra = {}) => ({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...extra });
const without = (key) => {
  const b = A();
  delete b[key];
  return b;
};
const userBlocks = (...blocks) => A({ messages: [{ role: 'user', content: blocks }] });
const img = (media_type, data) => ({ type: 'image', source: { type: 'base64', media_type, data } });
const call = { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a' } };
const afterCall = (...blocks) =>
  A({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [call] }, { role: 'user', content: blocks }] });
const assistantBlocks = (...blocks) => A({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: blocks }] });
const many = (n) => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'x' }));

const utf8Prefix = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a';
const truncated = '{"model":"m","max_tokens":5,"messages":[';
const deepPrefix = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"x":';
const surrogate = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"\\ud83d"}]}';

const T = 'invalid_request_error';
const anthropicRows = [
  // raw bytes: where the body stops being JSON, in Anthropic's own wording and position format
  ['invalid UTF-8 inside a string', bytes(utf8Prefix, [0xff], '"}]}'), 400, T,
    `The request body is not valid JSON: invalid UTF-8 (byte 0xFF): ${at(utf8Prefix.length)}`],
  ['truncated JSON', truncated, 400, T, `The request body is not valid JSON: unexpected end of the body: ${at(truncated.length)}`],
  ['a JSON array as the body', '[{"role":"user","content":"hi"}]', 400, T, 'The request body must be a JSON object, not array'],
  ['an empty body', '', 400, T, 'The request body is not valid JSON: the body is empty'],
  ['nesting 10 000 deep', deepPrefix + '['.repeat(10000) + ']'.repeat(10000) + '}', 400, T,
    // the top object is level 1: the 256th '[' of the run opens level 257
    `nesting deeper than 256 levels: ${at(deepPrefix.length + 255)}`],
  ['data after the JSON value', JSON.stringify(A()) + ' {}', 400, T, 'extra data after the JSON value'],
  ['a lone UTF-16 surrogate escape', surrogate, 400, T, 'The request body is not valid JSON: no low surrogate in string'],
  ['NaN is not JSON', '{"model":"m","max_tokens":NaN,"messages":[]}', 400, T, "The request body is not valid JSON: unexpected character 'N'"],
  // numbers
  ['max_tokens 1e400', '{"model":"m","max_tokens":1e400,"messages":[{"role":"user","content":"hi"}]}', 400, T,
    'max_tokens: number out of range'],
  ['temperature -1e400', '{"model":"m","max_tokens":5,"temperature":-1e400,"messages":[{"role":"user","content":"hi"}]}', 400, T,
    'temperature: number out of range'],
  ['1e400 deep inside a tool input',
    '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":{"n":1e400}}]}]}',
    400, T, 'messages.1.content.0.input.n: number out of range'],
  ['max_tokens -1', A({ max_tokens: -1 }), 400, T, 'max_tokens: Input should be greater than or equal to 0'],
  ['max_tokens 2^63', '{"model":"m","max_tokens":9223372036854775808,"messages":[{"role":"user","content":"hi"}]}', 400, T,
    'max_tokens: Input should be less than or equal to 2147483647'],
  ['max_tokens as a string', A({ max_tokens: '1024' }), 400, T, 'max_tokens: Input should be a valid integer'],
  ['max_tokens 1.5', A({ max_tokens: 1.5 }), 400, T, 'max_tokens: Input should be a valid integer, got a number with a fractional part'],
  ['temperature above 1', A({ temperature: 1.5 }), 400, T, 'temperature: Input should be less than or equal to 1'],
  ['temperature below 0', A({ temperature: -0.1 }), 400, T, 'temperature: Input should be greater than or equal to 0'],
  ['temperature as a string', A({ temperature: 'hot' }), 400, T, 'temperature: Input should be a valid number'],
  ['top_p above 1', A({ top_p: 2 }), 400, T, 'top_p: Input should be less than or equal to 1'],
  ['top_k negative', A({ top_k: -1 }), 400, T, 'top_k: Input should be greater than or equal to 0'],
  ['top_k fractional', A({ top_k: 2.5 }), 400, T, 'top_k: Input should be a valid integer, got a number with a fractional part'],
  // required fields and their types
  ['model missing', without('model'), 400, T, 'model: Field required'],
  ['model a number', A({ model: 42 }), 400, T, 'model: Input should be a valid string'],
  ['messages missing', without('messages'), 400, T, 'messages: Field required'],
  ['max_tokens missing', without('max_tokens'), 400, T, 'max_tokens: Field required'],
  ['messages not a list', A({ messages: { role: 'user' } }), 400, T, 'messages: Input should be a valid list'],
  ['messages empty', A({ messages: [] }), 400, T, 'messages: at least one message is required'],
  ['100 001 messages', A({ messages: many(100001) }), 400, T, 'messages: List should have at most 100000 items after validation, not 100001'],
  // messages and content blocks
  ['a message that is a string', A({ messages: ['hi'] }), 400, T, 'messages.0: Input should be a valid dictionary or object to extract fields from'],
  ['role missing', A({ messages: [{ content: 'x' }] }), 400, T, 'messages.0.role: Field required'],
  ['role "tool"', A({ messages: [{ role: 'tool', content: 'x' }] }), 400, T, "messages.0.role: Input should be 'user', 'assistant' or 'system'"],
  ['content missing', A({ messages: [{ role: 'user' }] }), 400, T, 'messages.0.content: Field required'],
  ['content a number', A({ messages: [{ role: 'user', content: 7 }] }), 400, T, 'messages.0.content: Input should be a valid string or list of content blocks'],
  ['block without type', userBlocks({ text: 'x' }), 400, T, "messages.0.content.0: Unable to extract tag using discriminator 'type'"],
  ['unknown block type', userBlocks({ type: 'video', url: 'x' }), 400, T,
    "messages.0.content.0: Input tag 'video' found using 'type' does not match any of the expected tags: 'text', 'image', 'document'"],
  ['text block without text', userBlocks({ type: 'text' }), 400, T, 'messages.0.content.0.text.text: Field required'],
  ['text block with a number', userBlocks({ type: 'text', text: 5 }), 400, T, 'messages.0.content.0.text.text: Input should be a valid string'],
  ['image media type image/bmp', userBlocks(img('image/bmp', PNG_1X1)), 400, T,
    "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"],
  ['image data not base64', userBlocks(img('image/png', 'not*base64!')), 400, T,
    'messages.0.content.0.image.source.base64.data: Input should be valid base64 data'],
  ['PNG bytes labelled image/jpeg', userBlocks(img('image/jpeg', PNG_1X1)), 400, T,
    'messages.0.content.0.image.source.base64: The image was specified using the image/jpeg media type, but the image appears to be a image/png image'],
  ['image source type ftp', userBlocks({ type: 'image', source: { type: 'ftp', url: 'ftp://x' } }), 400, T,
    "messages.0.content.0.image.source: Input tag 'ftp' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'"],
  ['tool_use without id', assistantBlocks({ type: 'tool_use', name: 'Read', input: {} }), 400, T, 'messages.1.content.0.tool_use.id: Field required'],
  ['tool_use input a list', assistantBlocks({ type: 'tool_use', id: 't', name: 'Read', input: [] }), 400, T,
    'messages.1.content.0.tool_use.input: Input should be a valid dictionary'],
  ['tool_result without tool_use_id', afterCall({ type: 'tool_result', content: 'x' }), 400, T,
    'messages.2.content.0.tool_result.tool_use_id: Field required'],
  ['tool_use inside a tool_result', afterCall({ type: 'tool_result', tool_use_id: 'toolu_1', content: [call] }), 400, T,
    "messages.2.content.0.tool_result.content.0: Input tag 'tool_use' found using 'type' does not match any of the expected tags: 'text', 'image', 'search_result', 'document', 'tool_reference', 'browser_state'"],
  ['tool_result image media type', afterCall({ type: 'tool_result', tool_use_id: 'toolu_1', content: [img('image/tiff', PNG_1X1)] }), 400, T,
    'messages.2.content.0.tool_result.content.0.image.source.base64.media_type: Input should be'],
  ['thinking block without text', assistantBlocks({ type: 'thinking', signature: 's' }), 400, T, 'messages.1.content.0.thinking.thinking: Field required'],
  ['document base64 that is not a PDF', userBlocks({ type: 'document', source: { type: 'base64', media_type: 'text/plain', data: 'aGk=' } }), 400, T,
    "messages.0.content.0.document.source.base64.media_type: Input should be 'application/pdf'"],
  // system, sampling, tools
  ['system a number', A({ system: 3 }), 400, T, 'system: Input should be a valid string or list of content blocks'],
  ['system block not text', A({ system: [img('image/png', PNG_1X1)] }), 400, T, "system.0.type: Input should be 'text'"],
  ['stop_sequences a string', A({ stop_sequences: 'END' }), 400, T, 'stop_sequences: Input should be a valid list'],
  ['stop_sequences not strings', A({ stop_sequences: ['END', 1] }), 400, T, 'stop_sequences.1: Input should be a valid string'],
  ['stream "yes"', A({ stream: 'yes' }), 400, T, 'stream: Input should be a valid boolean'],
  ['tools not a list', A({ tools: {} }), 400, T, 'tools: Input should be a valid list'],
  ['tool without a name', A({ tools: [{ input_schema: { type: 'object' } }] }), 400, T, 'tools.0.custom.name: Field required'],
  ['tool with an empty name', A({ tools: [{ name: '', input_schema: { type: 'object' } }] }), 400, T,
    'tools.0.custom.name: String should have at least 1 character'],
  ['tool input_schema not an object', A({ tools: [{ name: 'a', input_schema: 'object' }] }), 400, T,
    'tools.0.custom.input_schema: Input should be a valid dictionary'],
  ['tool input_schema missing', A({ tools: [{ name: 'a' }] }), 400, T, 'tools.0.custom.input_schema: Field required'],
  ['tool input_schema of type array', A({ tools: [{ name: 'a', input_schema: { type: 'array' } }] }), 400, T,
    "tools.0.custom.input_schema.type: Input should be 'object'"],
  ['tool_choice of an unknown type', A({ tool_choice: { type: 'sometimes' } }), 400, T,
    "tool_choice: Input tag 'sometimes' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"],
  ['tool_choice tool without a name', A({ tool_choice: { type: 'tool' } }), 400, T, 'tool_choice.tool.name: Field required'],
  // thinking, metadata
  ['thinking.budget_tokens >= max_tokens', A({ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } }), 400, T,
    '`max_tokens` must be greater than `thinking.budget_tokens`'],
  ['thinking.budget_tokens below 1024', A({ max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 512 } }), 400, T,
    'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024'],
  ['thinking of an unknown type', A({ thinking: { type: 'maybe' } }), 400, T,
    "thinking: Input tag 'maybe' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'"],
  ['metadata a string', A({ metadata: 'u' }), 400, T, 'metadata: Input should be a valid dictionary'],
];

describe('Anthropic /v1/messages: malformed requests', () => {
  for (const [name, body, status, type, fragment] of anthropicRows) {
    test(name, async () => {
      const r = await send('/v1/messages', body);
      assert.equal(r.status, status, r.text);
      assert.equal(r.json?.type, 'error', r.text);
      assert.equal(r.json.error.type, type, r.text);
      assert.ok(r.json.error.message.includes(fragment), `message ${JSON.stringify(r.json.error.message)}\nwanted  ${JSON.stringify(fragment)}`);
      assert.equal(r.headers.get('x-should-retry'), 'false');
    });
  }

  test('a body over 32 MB: 413 request_too_large (Anthropic\'s own limit, from the Content-Length)', async () => {
    const r = await sendOversized('/v1/messages');
    assert.equal(r.status, 413);
    assert.equal(r.json.type, 'error');
    assert.equal(r.json.error.type, 'request_too_large');
  });

  test('count_tokens validates the same way (no max_tokens needed)', async () => {
    const r = await send('/v1/messages/count_tokens', { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: [{ type: 'video' }] }] });
    assert.equal(r.status, 400);
    assert.ok(r.json.error.message.startsWith("messages.0.content.0: Input tag 'video'"), r.text);
  });

  test('Azure received nothing for any of these rows', nothingReachedAzure);
});

// What is accepted, and how (each must reach the mock exactly once).
const anthropicAccepted = [
  // Anthropic accepts an assistant turn first (anthropics/anthropic-sdk-typescript#622).
  ['an assistant turn first', A({ messages: [{ role: 'assistant', content: 'Hello.' }, { role: 'user', content: 'hi' }] }),
    (up) => assert.equal(up.messages.at(-1).content, 'hi')],
  // Anthropic itself answers "Extra inputs are not permitted"; the proxy ignores unknown fields so a
  // newer Claude Code's beta fields never break a session, and sends none of them upstream.
  ['an unknown top-level field', A({ frobnicate: { x: 1 } }), (up) => assert.equal(up.frobnicate, undefined)],
  // History repair (core/history.hpp): a result that answers no call becomes user text.
  ['a tool_result that answers no call', userBlocks({ type: 'tool_result', tool_use_id: 'toolu_gone', content: 'old output' }),
    (up) => assert.ok(JSON.stringify(up.messages).includes('[result of an earlier tool call toolu_gone]'))],
  ['budget_tokens >= max_tokens with interleaved thinking', A({ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 4000 } }),
    () => {}, { 'anthropic-beta': 'interleaved-thinking-2025-05-14' }],
  ['a role "system" message inside messages', A({ messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: 'be brief' }, { role: 'user', content: 'ok' }] }),
    (up) => assert.ok(up.messages.some((m) => m.role === 'system' && JSON.stringify(m.content).includes('be brief')))],
];

describe('Anthropic /v1/messages: accepted as Anthropic accepts them', () => {
  for (const [name, body, check, headers] of anthropicAccepted) {
    test(name, async () => {
      await stack.mockReset();
      const r = await send('/v1/messages', body, headers);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.type, 'message');
      const reqs = await stack.mockRequests();
      assert.equal(reqs.length, 1);
      check(upstreamBody(reqs[0]));
    });
  }
});

// ---------------------------------------------------------------- Cursor /cursor/chat/completions

const C = (extra = {}) => ({ model: 'big-dep', messages: [{ role: 'user', content: 'hi' }], ...extra });
const cwithout = (key) => {
  const b = C();
  delete b[key];
  return b;
};
const cuser = (...parts) => C({ messages: [{ role: 'user', content: parts }] });
const ccall = { id: 'call_1', type: 'function', function: { name: 'Read', arguments: '{"path":"a"}' } };
const withCall = (assistant, tool) =>
  C({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, tool_calls: [ccall], ...assistant }, ...(tool ? [tool] : [])] });
const dataUrlRow = (url) => cuser({ type: 'image_url', image_url: { url } });
const EXPECTED_DATA_URL =
  "Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU=')";

const cutf8 = '{"model":"big-dep","messages":[{"role":"user","content":"a';
const ctrunc = '{"model":"big-dep","messages":[';
const cdeep = '{"model":"big-dep","messages":[{"role":"user","content":"hi"}],"x":';

// [name, body, status, code, param, message fragment]
const cursorRows = [
  ['invalid UTF-8 inside a string', bytes(cutf8, [0xff], '"}]}'), 400, null, null,
    `We could not parse the JSON body of your request: invalid UTF-8 (byte 0xFF) at ${at(cutf8.length)}.`],
  ['truncated JSON', ctrunc, 400, null, null, `We could not parse the JSON body of your request: unexpected end of the body at ${at(ctrunc.length)}`],
  ['a JSON array as the body', '[]', 400, 'invalid_type', null, 'Invalid type for the request body: expected an object, but got an array instead.'],
  ['an empty body', '', 400, null, null, 'We could not parse the JSON body of your request: the body is empty'],
  ['nesting 10 000 deep', cdeep + '['.repeat(10000) + ']'.repeat(10000) + '}', 400, null, null,
    `nesting deeper than 256 levels at ${at(cdeep.length + 255)}`],
  ['a lone UTF-16 surrogate escape', '{"model":"big-dep","messages":[{"role":"user","content":"\\udc00"}]}', 400, null, null, 'lone low surrogate in string'],
  ['temperature 1e400', '{"model":"big-dep","temperature":1e400,"messages":[{"role":"user","content":"hi"}]}', 400, 'invalid_value', 'temperature',
    "Invalid 'temperature': number out of range"],
  ['1e400 inside a tool schema',
    '{"model":"big-dep","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":{"type":"number","maximum":1e400}}}}}]}',
    400, 'invalid_value', 'tools[0].function.parameters.properties.x.maximum', "Invalid 'tools[0].function.parameters.properties.x.maximum': number out of range"],
  ['model missing', cwithout('model'), 400, 'missing_required_parameter', 'model', "Missing required parameter: 'model'."],
  ['model a number', C({ model: 42 }), 400, 'invalid_type', 'model', "Invalid type for 'model': expected a string, but got an integer instead."],
  ['messages missing', cwithout('messages'), 400, 'missing_required_parameter', 'messages', "Missing required parameter: 'messages'."],
  ['messages an object', C({ messages: {} }), 400, 'invalid_type', 'messages', "Invalid type for 'messages': expected an array, but got an object instead."],
  ['messages empty', C({ messages: [] }), 400, 'empty_array', 'messages',
    "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."],
  ['100 001 messages', C({ messages: many(100001) }), 400, 'array_above_max_length', 'messages',
    "Invalid 'messages': array too long. Expected an array with maximum length 100000, but got an array with length 100001 instead."],
  ['a message that is a string', C({ messages: ['hi'] }), 400, 'invalid_type', 'messages[0]', "Invalid type for 'messages[0]': expected an object, but got a string instead."],
  ['role missing', C({ messages: [{ content: 'hi' }] }), 400, 'missing_required_parameter', 'messages[0].role', "Missing required parameter: 'messages[0].role'."],
  ['role "robot"', C({ messages: [{ role: 'robot', content: 'hi' }] }), 400, 'invalid_value', 'messages[0].role',
    "Invalid value: 'robot'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'."],
  ['role a number', C({ messages: [{ role: 1, content: 'hi' }] }), 400, 'invalid_type', 'messages[0].role', "expected a string, but got an integer instead"],
  ['user content missing', C({ messages: [{ role: 'user' }] }), 400, 'missing_required_parameter', 'messages[0].content', "Missing required parameter: 'messages[0].content'."],
  ['user content a number', C({ messages: [{ role: 'user', content: 7 }] }), 400, 'invalid_type', 'messages[0].content',
    "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead."],
  ['content part not an object', cuser('hi'), 400, 'invalid_type', 'messages[0].content[0]', "expected an object, but got a string instead"],
  ['content part input_audio', cuser({ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }), 400, 'invalid_value', 'messages[0].content[0].type',
    "Invalid value: 'input_audio'. Supported values are: 'text', 'image_url', and 'file'."],
  ['text part without text', cuser({ type: 'text' }), 400, 'missing_required_parameter', 'messages[0].content[0].text', "Missing required parameter: 'messages[0].content[0].text'."],
  ['text part with a number', cuser({ type: 'text', text: 3 }), 400, 'invalid_type', 'messages[0].content[0].text', 'expected a string, but got an integer instead'],
  ['image_url without url', cuser({ type: 'image_url', image_url: {} }), 400, 'missing_required_parameter', 'messages[0].content[0].image_url.url', "Missing required parameter"],
  ['image data URL of text/plain', dataUrlRow('data:text/plain;base64,aGk='), 400, 'invalid_value', 'messages[0].content[0].image_url.url',
    `Invalid 'messages[0].content[0].image_url.url'. ${EXPECTED_DATA_URL}, but got unsupported MIME type 'text/plain' instead.`],
  ['image data URL with bad base64', dataUrlRow('data:image/png;base64,@@@'), 400, 'invalid_value', 'messages[0].content[0].image_url.url',
    `${EXPECTED_DATA_URL}, but got invalid base64 data instead.`],
  ['file part without file', cuser({ type: 'file' }), 400, 'missing_required_parameter', 'messages[0].content[0].file', "Missing required parameter: 'messages[0].content[0].file'."],
  ['file_data not a data URL', cuser({ type: 'file', file: { filename: 'a.pdf', file_data: 'JVBERi0=' } }), 400, 'invalid_value', 'messages[0].content[0].file.file_data',
    'expected a base64-encoded data URL'],
  ['system content a number', C({ messages: [{ role: 'system', content: 5 }, { role: 'user', content: 'hi' }] }), 400, 'invalid_type', 'messages[0].content',
    'expected one of a string or array of objects, but got an integer instead'],
  ['assistant content a number', C({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 5 }] }), 400, 'invalid_type', 'messages[1].content',
    'expected one of a string or array of objects'],
  ['assistant tool_calls an object', withCall({ tool_calls: {} }), 400, 'invalid_type', 'messages[1].tool_calls', "Invalid type for 'messages[1].tool_calls': expected an array, but got an object instead."],
  ['tool call without function', withCall({ tool_calls: [{ id: 'c', type: 'function' }] }), 400, 'missing_required_parameter', 'messages[1].tool_calls[0].function',
    "Missing required parameter: 'messages[1].tool_calls[0].function'."],
  ['tool call function without name', withCall({ tool_calls: [{ id: 'c', type: 'function', function: { arguments: '{}' } }] }), 400,
    'missing_required_parameter', 'messages[1].tool_calls[0].function.name', "Missing required parameter: 'messages[1].tool_calls[0].function.name'."],
  ['tool call arguments an object', withCall({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'Read', arguments: {} } }] }), 400,
    'invalid_type', 'messages[1].tool_calls[0].function.arguments', 'expected a string, but got an object instead'],
  ['tool message without tool_call_id', withCall({}, { role: 'tool', content: 'x' }), 400, 'missing_required_parameter', 'messages[2].tool_call_id',
    "Missing required parameter: 'messages[2].tool_call_id'."],
  ['tool message without content', withCall({}, { role: 'tool', tool_call_id: 'call_1' }), 400, 'missing_required_parameter', 'messages[2].content',
    "Missing required parameter: 'messages[2].content'."],
  ['max_tokens as a string', C({ max_tokens: '100' }), 400, 'invalid_type', 'max_tokens', "Invalid type for 'max_tokens': expected an integer, but got a string instead."],
  ['max_tokens -1', C({ max_tokens: -1 }), 400, 'integer_below_min_value', 'max_tokens',
    "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead."],
  ['max_completion_tokens 0', C({ max_completion_tokens: 0 }), 400, 'integer_below_min_value', 'max_completion_tokens',
    "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead."],
  ['max_tokens 2^63', '{"model":"big-dep","max_tokens":9223372036854775808,"messages":[{"role":"user","content":"hi"}]}', 400, 'integer_above_max_value', 'max_tokens',
    "Invalid 'max_tokens': integer above maximum value. Expected a value <= 2147483647, but got 9223372036854775808 instead."],
  ['max_tokens 1.5', C({ max_tokens: 1.5 }), 400, 'invalid_type', 'max_tokens', "expected an integer, but got a decimal instead"],
  ['temperature 3', C({ temperature: 3 }), 400, 'decimal_above_max_value', 'temperature',
    "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead."],
  ['temperature -0.5', C({ temperature: -0.5 }), 400, 'decimal_below_min_value', 'temperature',
    "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 instead."],
  ['temperature as a string', C({ temperature: 'hot' }), 400, 'invalid_type', 'temperature', "Invalid type for 'temperature': expected a decimal, but got a string instead."],
  ['top_p 1.5', C({ top_p: 1.5 }), 400, 'decimal_above_max_value', 'top_p', 'Expected a value <= 1, but got 1.5 instead.'],
  ['stream "yes"', C({ stream: 'yes' }), 400, 'invalid_type', 'stream', "Invalid type for 'stream': expected a boolean, but got a string instead."],
  ['stream_options a string', C({ stream: true, stream_options: 'x' }), 400, 'invalid_type', 'stream_options', 'expected an object, but got a string instead'],
  ['stop a number', C({ stop: 5 }), 400, 'invalid_type', 'stop', 'expected one of a string or array of strings, but got an integer instead'],
  ['stop with a number inside', C({ stop: ['END', 1] }), 400, 'invalid_type', 'stop[1]', "Invalid type for 'stop[1]': expected a string"],
  ['tools an object', C({ tools: {} }), 400, 'invalid_type', 'tools', "Invalid type for 'tools': expected an array, but got an object instead."],
  ['tool without function', C({ tools: [{ type: 'function' }] }), 400, 'missing_required_parameter', 'tools[0].function', "Missing required parameter: 'tools[0].function'."],
  ['tool function without a name', C({ tools: [{ type: 'function', function: { parameters: { type: 'object' } } }] }), 400,
    'missing_required_parameter', 'tools[0].function.name', "Missing required parameter: 'tools[0].function.name'."],
  ['tool parameters a string', C({ tools: [{ type: 'function', function: { name: 'f', parameters: 'object' } }] }), 400, 'invalid_type',
    'tools[0].function.parameters', 'expected an object, but got a string instead'],
  ['tool of type retrieval', C({ tools: [{ type: 'retrieval' }] }), 400, 'invalid_value', 'tools[0].type', "Invalid value: 'retrieval'. Supported values are: 'function'."],
  ['tool_choice "sometimes"', C({ tool_choice: 'sometimes' }), 400, 'invalid_value', 'tool_choice',
    "Invalid value: 'sometimes'. Supported values are: 'none', 'auto', and 'required'."],
  ['tool_choice function without function', C({ tool_choice: { type: 'function' } }), 400, 'missing_required_parameter', 'tool_choice.function',
    "Missing required parameter: 'tool_choice.function'."],
  ['parallel_tool_calls "yes"', C({ parallel_tool_calls: 'yes' }), 400, 'invalid_type', 'parallel_tool_calls', 'expected a boolean, but got a string instead'],
  ['response_format of type xml', C({ response_format: { type: 'xml' } }), 400, 'invalid_value', 'response_format.type',
    "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'."],
  ['response_format json_schema without schema', C({ response_format: { type: 'json_schema', json_schema: { name: 'x' } } }), 400,
    'missing_required_parameter', 'response_format.json_schema.schema', "Missing required parameter: 'response_format.json_schema.schema'."],
  ['reasoning_effort a number', C({ reasoning_effort: 5 }), 400, 'invalid_type', 'reasoning_effort', 'expected a string, but got an integer instead'],
];

describe('Cursor /cursor/chat/completions: malformed requests', () => {
  before(() => stack.mockReset());
  for (const [name, body, status, code, param, fragment] of cursorRows) {
    test(name, async () => {
      const r = await send('/cursor/chat/completions', body);
      assert.equal(r.status, status, r.text);
      assert.ok(r.json?.error, r.text);
      assert.equal(r.json.error.type, 'invalid_request_error', r.text);
      assert.equal(r.json.error.code, code, r.text);
      assert.equal(r.json.error.param, param, r.text);
      assert.ok(r.json.error.message.includes(fragment), `message ${JSON.stringify(r.json.error.message)}\nwanted  ${JSON.stringify(fragment)}`);
    });
  }

  // The HTTP server refuses it before any front end sees it, in its protocol-neutral envelope; the
  // OpenAI SDK shows error.message, which that envelope has too.
  test('a body over 32 MB: 413', async () => {
    const r = await sendOversized('/cursor/chat/completions');
    assert.equal(r.status, 413);
    assert.match(r.json.error.message, /too large/);
  });

  test('Azure received nothing for any of these rows', nothingReachedAzure);
});

const cursorAccepted = [
  ['an assistant turn first', C({ messages: [{ role: 'assistant', content: 'Hello.' }, { role: 'user', content: 'hi' }] }), () => {}],
  ['an unknown top-level field', C({ frobnicate: 1 }), (up) => assert.equal(up.frobnicate, undefined)],
  // A tool message whose call is not in the history: repaired into user text, not rejected.
  ['a tool message that answers no call', C({ messages: [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'call_gone', content: 'old' }] }),
    (up) => assert.ok(JSON.stringify(up.input).includes('[result of an earlier tool call call_gone]'))],
  ['max_tokens 100.0 (a whole decimal)', '{"model":"big-dep","max_tokens":100.0,"messages":[{"role":"user","content":"hi"}]}',
    (up) => assert.equal(up.max_output_tokens, 100)],
];

describe('Cursor /cursor/chat/completions: accepted', () => {
  for (const [name, body, check] of cursorAccepted) {
    test(name, async () => {
      await stack.mockReset();
      const r = await send('/cursor/chat/completions', body);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.object, 'chat.completion');
      const reqs = await stack.mockRequests();
      assert.equal(reqs.length, 1);
      check(upstreamBody(reqs[0]));
    });
  }
});
