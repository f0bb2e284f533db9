// Malformed upstream answers: the mock sends raw bytes (respond.raw) — a chunk that is not JSON,
// a stream cut off without [DONE] / response.completed, an event written a byte at a time, a 2 MB
// event and one past the proxy's 16 MB frame limit, the wrong content type, an HTML error page
// from a gateway in front of Azure, a connection that stalls or resets in the middle of an event.
// Each must reach the client as a clean error in its own protocol, never a hang: before the
// stream starts, the HTTP status and error body; after it, Anthropic's `event: error` (PROTOCOLS
// §3: one error frame, nothing after it) or OpenAI's `data: {"error":…}` then `data: [DONE]`
// (the openai SDK throws on a data object with a top-level "error" key, PROTOCOLS §5.5).
// Both backends (Chat Completions, Responses) behind both front ends; a YAML team routes
// chat-* to a Chat deployment and resp-* to a Responses one. Short timeouts bound every case.
import assert from 'node:assert/strict';
import { test, before, after, beforeEach, describe } from 'node:test';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Child, baseEnv, MOCK_BIN, PROXY_BIN, TOKEN } from './harness.mjs';

const KEY = 'malformed-key';
const dir = mkdtempSync(path.join(tmpdir(), 'agp-malformed-'));
let mock, mockUrl, proxy, proxyUrl;

before(async () => {
  mock = new Child('mock', MOCK_BIN, ['--listen', '127.0.0.1:0', '--api-key', KEY, '--deployments', 'chat-dep,resp-dep'], { env: baseEnv() });
  mockUrl = await mock.waitForUrl();
  writeFileSync(
    path.join(dir, 'team.yaml'),
    `endpoints:
  - name: m
    url: ${mockUrl}
    api_key: \${KEY_M}
    api_version: v1
deployments:
  - {name: chat, endpoint: m, deployment: chat-dep, api: chat}
  - {name: resp, endpoint: m, deployment: resp-dep, api: responses}
routes:
  "chat-*": chat
  "resp-*": resp
`,
  );
  // No retries (a 502 page is answered at once); 1 s of upstream silence ends a stalled answer.
  proxy = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', '--config', path.join(dir, 'team.yaml')], {
    env: { ...baseEnv(), KEY_M: KEY, ANTHROPIC_AUTH_TOKEN: TOKEN, UPSTREAM_RETRIES: '0', UPSTREAM_IDLE_TIMEOUT: '1' },
  });
  proxyUrl = await proxy.waitForUrl();
});
after(async () => {
  await Promise.all([proxy?.stop(), mock?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function mockCall(method, p, body) {
  const res = await fetch(mockUrl + p, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`mock ${method} ${p} -> ${res.status}: ${text}`);
  return JSON.parse(text);
}
const respond = (r) => mockCall('POST', '/_mock/rules', { rules: [{ respond: r }] });
const mockRequests = async () => (await mockCall('GET', '/_mock/requests')).requests;
beforeEach(() => mockCall('POST', '/_mock/reset', {}));

const logs = () => `\n--- proxy ---\n${proxy.output.slice(-4000)}\n--- mock ---\n${mock.output.slice(-2000)}`;

// ---------- upstream bytes, as Azure frames them (PROTOCOLS §5.5, §6.6)

const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
let seq = 0;
const event = (type, fields = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
const upstream = {
  chat: {
    start: () => chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hel' }),
    text: (t) => chunk({ content: t }),
    end: () => chunk({}, 'stop') + 'data: [DONE]\n\n',
  },
  responses: {
    start: () =>
      event('response.created', { response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] } }) +
      event('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } }) +
      event('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel' }),
    text: (t) => event('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: t }),
    end: () =>
      event('response.output_item.done', { output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: '' }] } }) +
      event('response.completed', { response: { id: 'resp_1', object: 'response', status: 'completed', output: [], usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } } }),
  },
};
const model = (backend) => (backend === 'chat' ? 'chat-model' : 'resp-model');

const GATEWAY_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n';
const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><form>…</form></body></html>';

// ---------- clients

async function post(p, body) {
  const res = await fetch(proxyUrl + p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}
const frames = (text) =>
  text
    .split('\n\n')
    .filter((f) => f.trim())
    .map((f) => {
      const ev = /^event: (.*)$/m.exec(f)?.[1] ?? '';
      const data = f.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { event: ev, data };
    });

const anthropic = (backend, stream = true) =>
  post('/v1/messages', { model: model(backend), max_tokens: 50, stream, messages: [{ role: 'user', content: 'hi' }] });
const cursor = (backend, stream = true) => post('/cursor/chat/completions', { model: model(backend), stream, messages: [{ role: 'user', content: 'hi' }] });

// After the stream started: a 200 SSE answer that began with message_start and ends with exactly
// one error event of this type, nothing after it.
function assertAnthropicStreamError(r, type, fragment) {
  assert.equal(r.status, 200, r.text + logs());
  const fs = frames(r.text).filter((f) => f.event !== 'ping');
  assert.equal(fs[0].event, 'message_start', r.text);
  const last = fs.at(-1);
  assert.equal(last.event, 'error', r.text + logs());
  const data = JSON.parse(last.data);
  assert.equal(data.type, 'error');
  assert.equal(data.error.type, type, last.data);
  assert.match(data.error.message, fragment);
  assert.equal(fs.filter((f) => f.event === 'error').length, 1);
  assert.ok(!fs.some((f) => f.event === 'message_stop'), 'no message_stop after an error');
  return data;
}

// OpenAI: a data object with a top-level "error", then [DONE], nothing else after it.
function assertOpenAIStreamError(r, fragment) {
  assert.equal(r.status, 200, r.text + logs());
  const fs = frames(r.text).filter((f) => f.data);
  assert.equal(fs.at(-1).data, '[DONE]', r.text);
  const err = JSON.parse(fs.at(-2).data);
  assert.ok(err.error, fs.at(-2).data);
  assert.match(err.error.message, fragment);
  assert.ok(['server_error', 'timeout_error'].includes(err.error.type), err.error.type);
  return err;
}

function assertAnthropicError(r, status, type, fragment) {
  assert.equal(r.status, status, r.text + logs());
  const body = JSON.parse(r.text);
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, type);
  assert.match(body.error.message, fragment);
}

function assertOpenAIError(r, status, type, fragment) {
  assert.equal(r.status, status, r.text + logs());
  const body = JSON.parse(r.text);
  assert.equal(body.error.type, type);
  assert.match(body.error.message, fragment);
}

const T = { timeout: 20000 };

for (const backend of ['chat', 'responses']) {
  const up = upstream[backend];
  describe(`${backend} backend → Anthropic client`, () => {
    test('a chunk that is not JSON, mid-stream → event: error api_error', T, async () => {
      await respond({ raw: [up.start(), 'data: {"choices":[{"delta":{"content":"x"}\n\n', up.end()] });
      assertAnthropicStreamError(await anthropic(backend), 'api_error', /not JSON/);
    });

    test('the stream ends without [DONE] / response.completed → event: error', T, async () => {
      await respond({ raw: [up.start(), up.text('lo')] });
      // The project's convention for a cut-off answer: overloaded (Claude Code retries it).
      assertAnthropicStreamError(await anthropic(backend), 'overloaded_error', /ended the stream before the answer was complete/);
    });

    test('a whole stream written one byte at a time is answered in full', T, async () => {
      const text = up.start() + up.text('lo there') + up.end();
      await respond({ raw: [...text] });
      const r = await anthropic(backend);
      assert.equal(r.status, 200);
      const deltas = frames(r.text).filter((f) => f.event === 'content_block_delta').map((f) => JSON.parse(f.data).delta.text);
      assert.equal(deltas.join(''), 'Hello there');
      assert.equal(frames(r.text).at(-1).event, 'message_stop', r.text.slice(-500));
    });

    test('a single 2 MB event is relayed whole', T, async () => {
      // One event whose text is 64 KB written 32 times (a small rule for the mock, 2 MB on the wire).
      const piece = 'x'.repeat(64 * 1024);
      const big = piece.repeat(32);
      const [head, tail] = up.text('\u0000').split('\\u0000');
      await respond({ raw: [up.start(), head, piece, tail + up.end()], raw_repeat: { piece: 2, times: 32 } });
      const r = await anthropic(backend);
      assert.equal(r.status, 200);
      const text = frames(r.text).filter((f) => f.event === 'content_block_delta').map((f) => JSON.parse(f.data).delta.text).join('');
      assert.equal(text.length, 3 + big.length);
      assert.equal(frames(r.text).at(-1).event, 'message_stop');
    });

    test('the connection stalls in the middle of an event → event: error after the idle timeout', T, async () => {
      const half = up.text('lo').slice(0, 25);
      await respond({ raw: [up.start(), half], raw_end: 'stall' });
      assertAnthropicStreamError(await anthropic(backend), 'timeout_error', /stalled mid-answer/);
      // The proxy let go of the stalled upstream connection.
      await waitFor(async () => (await mockRequests())[0]?.peer_closed_after_stall_ms !== undefined);
    });

    test('the connection resets in the middle of an event → event: error', T, async () => {
      await respond({ raw: [up.start(), up.text('lo').slice(0, 20)], raw_end: 'reset' });
      assertAnthropicStreamError(await anthropic(backend), 'overloaded_error', /broke mid-answer/);
    });

    test('HTTP 502 with an HTML page from a gateway in front of Azure → 500 api_error naming it', T, async () => {
      await respond({ status: 502, content_type: 'text/html', raw: GATEWAY_502 });
      assertAnthropicError(await anthropic(backend), 500, 'api_error', /HTTP 502.*an HTML page \(502 Bad Gateway\), not Azure's JSON/);
    });

    test('200 with an HTML page (a login page) instead of an event stream → 500 before the stream', T, async () => {
      await respond({ status: 200, content_type: 'text/html; charset=utf-8', raw: LOGIN_PAGE });
      assertAnthropicError(await anthropic(backend), 500, 'api_error',
        /content-type text\/html; charset=utf-8 instead of text\/event-stream: an HTML page \(Sign in to your account\)/);
    });

    test('200 application/json with an error object to a streaming request → 500 with its message', T, async () => {
      await respond({ status: 200, content_type: 'application/json', raw: '{"error":{"code":"InternalServerError","message":"Backend returned unexpected response"}}' });
      assertAnthropicError(await anthropic(backend), 500, 'api_error', /instead of text\/event-stream: .*Backend returned unexpected response/);
    });

    test('a whole answer that is not JSON → 500 api_error', T, async () => {
      await respond({ raw: '{"id":"chatcmpl-1","choices":[{"message":' });
      assertAnthropicError(await anthropic(backend, false), 500, 'api_error', /invalid JSON/);
    });

    test('a whole answer as an HTML page with 200 → 500 naming the content type', T, async () => {
      await respond({ content_type: 'text/html', raw: LOGIN_PAGE });
      assertAnthropicError(await anthropic(backend, false), 500, 'api_error', /content-type text\/html instead of application\/json/);
    });
  });

  describe(`${backend} backend → Cursor (OpenAI) client`, () => {
    test('a chunk that is not JSON → data: {"error":…} then [DONE]', T, async () => {
      await respond({ raw: [up.start(), 'data: {oops\n\n', up.end()] });
      assertOpenAIStreamError(await cursor(backend), /not JSON/);
    });

    test('the stream ends early → an error chunk', T, async () => {
      await respond({ raw: [up.start()] });
      assertOpenAIStreamError(await cursor(backend), /ended the stream before the answer was complete/);
    });

    test('the connection stalls mid-event → an error chunk after the idle timeout', T, async () => {
      await respond({ raw: [up.start(), up.text('lo').slice(0, 25)], raw_end: 'stall' });
      assertOpenAIStreamError(await cursor(backend), /stalled mid-answer/);
    });

    test('HTTP 502 HTML page → 502 server_error', T, async () => {
      await respond({ status: 502, content_type: 'text/html', raw: GATEWAY_502 });
      assertOpenAIError(await cursor(backend), 502, 'server_error', /an HTML page \(502 Bad Gateway\)/);
    });

    test('200 text/html to a streaming request → 502 before the stream', T, async () => {
      await respond({ content_type: 'text/html', raw: LOGIN_PAGE });
      assertOpenAIError(await cursor(backend), 502, 'server_error', /instead of text\/event-stream/);
    });
  });
}

// The relay's own limit, whatever the backend: one frame past 16 MB ends the stream with an error
// instead of buffering without end.
test('an event past 16 MB without an end → event: error, the proxy stays up', T, async () => {
  // 1 MB written 17 times after the frame's start: a small rule, a 17 MB frame.
  await respond({ raw: [upstream.chat.start(), 'data: {"choices":[{"delta":{"content":"', 'y'.repeat(1 << 20)], raw_repeat: { piece: 2, times: 17 } });
  assertAnthropicStreamError(await anthropic('chat'), 'api_error', /exceeded 16 MB/);
  const health = await fetch(proxyUrl + '/health');
  assert.equal(health.status, 200);
});

async function waitFor(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition not met in time' + logs());
}
