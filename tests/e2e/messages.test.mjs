// End-to-end: the official Anthropic SDK (and raw fetch) against the proxy,
// which talks to the strict mock Azure.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { useStack, TOKEN, SMALL_DEPLOYMENT, BIG_DEPLOYMENT, API_VERSION, PNG_1X1, upstreamBody } from './harness.mjs';
import { SONNET, HAIKU, WEATHER_TOOL, rawMessagesStream, sdkStream, deltaText, sonnetBody } from './anthropic_helpers.mjs';
import { validateAnthropicSSE, assertValidAnthropicSSE, sseEvents } from './sse_validator.mjs';

const stack = useStack();
const test = stack.test;

const OPUS = 'claude-opus-4-1-20250805';

// ---------- helpers ----------

function header(headers, name) {
  if (!headers) return undefined;
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : headers[k];
}

/** Text of an OpenAI message content (string or array of parts). */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p.text ?? '')).join('');
  return '';
}

const rawStream = (body, headers) => rawMessagesStream(stack, body, headers);

function assertAnthropicError(json, type, status) {
  assert.ok(json, `expected a JSON error body (status ${status})`);
  assert.equal(json.type, 'error', `error body: ${JSON.stringify(json)}`);
  assert.equal(json.error?.type, type, `error body: ${JSON.stringify(json)}`);
  assert.equal(typeof json.error?.message, 'string');
}

async function expectApiError(promise, Cls, status) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.status, status);
    return e;
  }
  assert.fail(`expected ${Cls.name} (${status}), but the request succeeded`);
}

// ---------- basic text ----------

test('non-stream text: content, model echo, stop_reason, usage; upstream request shape', async () => {
  const client = stack.client();
  const msg = await client.messages.create({
    model: SONNET,
    max_tokens: 200,
    system: 'You are terse. SYS-MARK-1',
    messages: [{ role: 'user', content: 'Hello there E2E-PLAIN-1' }],
  });
  assert.equal(msg.type, 'message');
  assert.equal(msg.role, 'assistant');
  assert.equal(msg.model, SONNET, 'response model must echo the requested model');
  assert.match(msg.id, /^msg_/);
  assert.equal(msg.content.length, 1);
  assert.equal(msg.content[0].type, 'text');
  assert.equal(msg.content[0].text, 'mock reply: Hello there E2E-PLAIN-1');
  assert.equal(msg.stop_reason, 'end_turn');
  assert.equal(typeof msg.usage.input_tokens, 'number');
  assert.equal(typeof msg.usage.output_tokens, 'number');

  const reqs = await stack.mockRequests();
  assert.equal(reqs.length, 1, 'exactly one upstream request');
  const r = reqs[0];
  assert.equal(r.method, 'POST');
  assert.equal(r.deployment, BIG_DEPLOYMENT);
  assert.equal(r.path, `/openai/deployments/${BIG_DEPLOYMENT}/chat/completions`);
  assert.equal(r.api_version, API_VERSION);
  // The mock redacts secrets in its log; status 200 proves the key matched.
  assert.ok(header(r.headers, 'api-key'), 'api-key header missing upstream');
  assert.equal(header(r.headers, 'authorization'), undefined, 'client Authorization must not be forwarded upstream');
  assert.equal(r.status, 200);
  const body = upstreamBody(r);
  assert.ok(!('model' in body) || typeof body.model === 'string');
  const sys = body.messages.find((m) => m.role === 'system' || m.role === 'developer');
  assert.ok(sys && contentText(sys.content).includes('SYS-MARK-1'), `system prompt not forwarded: ${JSON.stringify(body.messages)}`);
  const last = body.messages[body.messages.length - 1];
  assert.equal(last.role, 'user');
  assert.equal(contentText(last.content), 'Hello there E2E-PLAIN-1');
});

test('stream text via SDK messages.stream(): events valid, final message assembled', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-STREAM-1' }, respond: { text: 'The quick brown fox jumps over the lazy dog', chunk_size: 4 } }]);
  const { events, final } = await sdkStream(stack.client(), {
    model: SONNET,
    max_tokens: 100,
    messages: [{ role: 'user', content: 'stream please E2E-STREAM-1' }],
  });
  assert.deepEqual(validateAnthropicSSE(events), []);
  assert.equal(deltaText(events), 'The quick brown fox jumps over the lazy dog');
  assert.equal(final.content[0].text, 'The quick brown fox jumps over the lazy dog');
  assert.equal(final.stop_reason, 'end_turn');
  assert.equal(final.model, SONNET);
  const reqs = await stack.mockRequests();
  assert.equal(upstreamBody(reqs[0]).stream, true, 'upstream request should stream');
});

test('stream text via raw fetch: content-type and full SSE grammar', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-STREAM-2' }, respond: { text: 'alpha beta gamma delta', chunk_size: 3 } }]);
  const { status, headers, text } = await rawStream({
    model: SONNET,
    max_tokens: 100,
    messages: [{ role: 'user', content: 'raw E2E-STREAM-2' }],
  });
  assert.equal(status, 200, text);
  assert.match(headers.get('content-type') ?? '', /^text\/event-stream/);
  assertValidAnthropicSSE(text);
  const events = sseEvents(text);
  assert.equal(deltaText(events), 'alpha beta gamma delta');
  assert.equal(events.find((e) => e.type === 'message_start').message.model, SONNET);
  assert.equal(events.find((e) => e.type === 'message_delta').delta.stop_reason, 'end_turn');
});

// ---------- tools ----------

const TOOL_RULES = (marker) => [
  { match: { last_role: 'tool', contains: marker }, respond: { text: 'It is sunny in Paris, 22C.' } },
  {
    match: { last_role: 'user', contains: marker },
    respond: { tool_calls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { location: 'Paris' } }] },
  },
];

/** Check the upstream follow-up request carrying tool results (the last request the mock saw). */
function checkToolResultUpstream(reqs, expectedResults) {
  const req = reqs[reqs.length - 1];
  const msgs = upstreamBody(req).messages;
  const assistant = msgs.find((m) => m.role === 'assistant' && Array.isArray(m.tool_calls));
  assert.ok(assistant, `no assistant message with tool_calls upstream: ${JSON.stringify(msgs)}`);
  assert.equal(assistant.tool_calls.length, expectedResults.length);
  const toolMsgs = msgs.filter((m) => m.role === 'tool');
  assert.equal(toolMsgs.length, expectedResults.length, `tool messages: ${JSON.stringify(toolMsgs)}`);
  expectedResults.forEach(({ name, args, result }, i) => {
    const call = assistant.tool_calls[i];
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, name);
    assert.deepEqual(JSON.parse(call.function.arguments), args);
    const tm = toolMsgs.find((m) => m.tool_call_id === call.id);
    assert.ok(tm, `no role:"tool" message with tool_call_id ${call.id}: ${JSON.stringify(toolMsgs)}`);
    assert.ok(contentText(tm.content).includes(result), `tool result text missing: ${JSON.stringify(tm)}`);
  });
  assert.equal(msgs[msgs.length - 1].role, 'tool');
  assert.equal(req.status, 200);
}

test('tool round trip, non-stream', async () => {
  await stack.mockRules(TOOL_RULES('E2E-TOOL-NS'));
  const client = stack.client();
  const messages = [{ role: 'user', content: 'What is the weather in Paris? E2E-TOOL-NS' }];
  const first = await client.messages.create({ model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.equal(first.stop_reason, 'tool_use');
  const uses = first.content.filter((b) => b.type === 'tool_use');
  assert.equal(uses.length, 1);
  assert.equal(uses[0].name, 'get_weather');
  assert.deepEqual(uses[0].input, { location: 'Paris' });
  assert.equal(typeof uses[0].id, 'string');

  const firstUp = upstreamBody((await stack.mockRequests())[0]);
  assert.ok(Array.isArray(firstUp.tools) && firstUp.tools[0].function.name === 'get_weather', JSON.stringify(firstUp.tools));

  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[0].id, content: '22C and sunny RESULT-NS' }] });
  const second = await client.messages.create({ model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.equal(second.stop_reason, 'end_turn');
  assert.equal(second.content[0].type, 'text');
  assert.equal(second.content[0].text, 'It is sunny in Paris, 22C.');
  const reqs = await stack.mockRequests();
  assert.equal(reqs.length, 2);
  checkToolResultUpstream(reqs, [{ name: 'get_weather', args: { location: 'Paris' }, result: '22C and sunny RESULT-NS' }]);
});

test('tool round trip, stream (SDK + raw SSE validation)', async () => {
  await stack.mockRules(TOOL_RULES('E2E-TOOL-S'));
  const client = stack.client();
  const messages = [{ role: 'user', content: 'What is the weather in Paris? E2E-TOOL-S' }];

  const raw = await rawStream({ model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.equal(raw.status, 200, raw.text);
  assertValidAnthropicSSE(raw.text);
  const rawEvents = sseEvents(raw.text);
  const toolStart = rawEvents.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
  assert.ok(toolStart, raw.text);
  assert.equal(toolStart.content_block.name, 'get_weather');
  assert.equal(rawEvents.find((e) => e.type === 'message_delta').delta.stop_reason, 'tool_use');
  await stack.mockReset();
  await stack.mockRules(TOOL_RULES('E2E-TOOL-S'));

  const { events, final: first } = await sdkStream(client, { model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.deepEqual(validateAnthropicSSE(events), []);
  assert.equal(first.stop_reason, 'tool_use');
  const uses = first.content.filter((b) => b.type === 'tool_use');
  assert.equal(uses.length, 1);
  assert.deepEqual(uses[0].input, { location: 'Paris' });

  messages.push({ role: 'assistant', content: first.content });
  messages.push({
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: uses[0].id, content: [{ type: 'text', text: '22C and sunny RESULT-S' }] }],
  });
  const { events: ev2, final: second } = await sdkStream(client, { model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.deepEqual(validateAnthropicSSE(ev2), []);
  assert.equal(second.stop_reason, 'end_turn');
  assert.equal(second.content.map((b) => b.text ?? '').join(''), 'It is sunny in Paris, 22C.');
  checkToolResultUpstream(await stack.mockRequests(), [{ name: 'get_weather', args: { location: 'Paris' }, result: '22C and sunny RESULT-S' }]);
});

test('parallel tool calls: two tool_use blocks (non-stream and stream), both results go back', async () => {
  const rules = [
    { match: { last_role: 'tool', contains: 'E2E-PAR' }, respond: { text: 'Paris sunny, London rainy.' } },
    {
      match: { last_role: 'user', contains: 'E2E-PAR' },
      respond: {
        tool_calls: [
          { id: 'call_par_1', name: 'get_weather', arguments: { location: 'Paris' } },
          { id: 'call_par_2', name: 'get_weather', arguments: { location: 'London' } },
        ],
        chunk_size: 7,
      },
    },
  ];
  await stack.mockRules(rules);
  const client = stack.client();
  const messages = [{ role: 'user', content: 'Weather in Paris and London? E2E-PAR' }];
  const first = await client.messages.create({ model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.equal(first.stop_reason, 'tool_use');
  const uses = first.content.filter((b) => b.type === 'tool_use');
  assert.equal(uses.length, 2, JSON.stringify(first.content));
  assert.notEqual(uses[0].id, uses[1].id);
  assert.deepEqual(uses.map((u) => u.input.location), ['Paris', 'London']);

  const raw = await rawStream({ model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.equal(raw.status, 200, raw.text);
  assertValidAnthropicSSE(raw.text);
  const starts = sseEvents(raw.text).filter((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
  assert.equal(starts.length, 2, raw.text);
  assert.notEqual(starts[0].content_block.id, starts[1].content_block.id);

  await stack.mockReset();
  await stack.mockRules(rules);
  messages.push({ role: 'assistant', content: first.content });
  messages.push({
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: uses[0].id, content: 'PAR-RESULT-PARIS sunny' },
      { type: 'tool_result', tool_use_id: uses[1].id, content: 'PAR-RESULT-LONDON rainy' },
    ],
  });
  const second = await client.messages.create({ model: SONNET, max_tokens: 300, tools: [WEATHER_TOOL], messages });
  assert.equal(second.content[0].text, 'Paris sunny, London rainy.');
  checkToolResultUpstream(await stack.mockRequests(), [
    { name: 'get_weather', args: { location: 'Paris' }, result: 'PAR-RESULT-PARIS' },
    { name: 'get_weather', args: { location: 'London' }, result: 'PAR-RESULT-LONDON' },
  ]);
});

// ---------- images ----------

test('image input (base64 PNG) reaches upstream as an image_url data URI', async () => {
  const msg = await stack.client().messages.create({
    model: SONNET,
    max_tokens: 100,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
          { type: 'text', text: 'What is in this image? E2E-IMG' },
        ],
      },
    ],
  });
  assert.equal(msg.content[0].type, 'text');
  const body = upstreamBody((await stack.mockRequests())[0]);
  const user = body.messages.filter((m) => m.role === 'user').pop();
  assert.ok(Array.isArray(user.content), `user content should be parts: ${JSON.stringify(user)}`);
  const img = user.content.find((p) => p.type === 'image_url');
  assert.ok(img, JSON.stringify(user.content));
  assert.equal(img.image_url.url, `data:image/png;base64,${PNG_1X1}`);
  assert.ok(user.content.some((p) => p.type === 'text' && p.text.includes('E2E-IMG')));
});

// ---------- auth ----------

test('auth: Bearer and x-api-key accepted; wrong or missing token rejected with 401 authentication_error', async () => {
  const body = sonnetBody('auth check');
  const bearer = await stack.post('/v1/messages', body, { authorization: `Bearer ${TOKEN}` });
  assert.equal(bearer.status, 200, bearer.text);
  const xkey = await fetch(stack.proxyUrl + '/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify(body),
  });
  assert.equal(xkey.status, 200, await xkey.text());

  const wrongBearer = await stack.post('/v1/messages', body, { authorization: 'Bearer wrong-token' });
  assert.equal(wrongBearer.status, 401, wrongBearer.text);
  assertAnthropicError(wrongBearer.json, 'authentication_error', 401);

  const wrongKey = await fetch(stack.proxyUrl + '/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'wrong-token' },
    body: JSON.stringify(body),
  });
  const wrongKeyText = await wrongKey.text();
  assert.equal(wrongKey.status, 401, wrongKeyText);
  assertAnthropicError(JSON.parse(wrongKeyText), 'authentication_error', 401);

  const none = await fetch(stack.proxyUrl + '/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const noneText = await none.text();
  assert.equal(none.status, 401, noneText);
  assertAnthropicError(JSON.parse(noneText), 'authentication_error', 401);

  // The SDK in both styles.
  assert.equal((await stack.client({ bearer: true }).messages.create(body)).type, 'message');
  assert.equal((await stack.client().messages.create(body)).type, 'message');
  await expectApiError(stack.client({ token: 'nope' }).messages.create(body), Anthropic.AuthenticationError, 401);
  await expectApiError(stack.client({ bearer: true, token: 'nope' }).messages.create(body), Anthropic.AuthenticationError, 401);

  const reqs = await stack.mockRequests();
  assert.equal(reqs.length, 4, 'rejected requests must not reach upstream');
});

// ---------- routing ----------

test('model routing: haiku → SMALL_MODEL, sonnet/opus → BIG_MODEL; response echoes the model', async () => {
  const client = stack.client();
  const cases = [
    [HAIKU, SMALL_DEPLOYMENT],
    ['claude-3-5-haiku-latest', SMALL_DEPLOYMENT],
    [SONNET, BIG_DEPLOYMENT],
    [OPUS, BIG_DEPLOYMENT],
    ['claude-opus-5-5', BIG_DEPLOYMENT],
  ];
  for (const [model] of cases) {
    const msg = await client.messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: `route ${model}` }] });
    assert.equal(msg.model, model);
  }
  const reqs = await stack.mockRequests();
  assert.deepEqual(
    reqs.map((r) => r.deployment),
    cases.map(([, d]) => d),
  );
  // Streaming echoes the model as well.
  const raw = await rawStream({ model: HAIKU, max_tokens: 20, messages: [{ role: 'user', content: 'route stream' }] });
  assert.equal(raw.status, 200, raw.text);
  assert.equal(sseEvents(raw.text).find((e) => e.type === 'message_start').message.model, HAIKU);
  assert.equal((await stack.mockRequests()).pop().deployment, SMALL_DEPLOYMENT);
});

// ---------- stop reasons / usage ----------

test('finish_reason length → stop_reason max_tokens (non-stream and stream)', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-LEN' }, respond: { text: 'this got cut', finish_reason: 'length' } }]);
  const body = { model: SONNET, max_tokens: 5, messages: [{ role: 'user', content: 'long answer E2E-LEN' }] };
  const msg = await stack.client().messages.create(body);
  assert.equal(msg.stop_reason, 'max_tokens');
  const raw = await rawStream(body);
  assert.equal(raw.status, 200, raw.text);
  assertValidAnthropicSSE(raw.text);
  assert.equal(sseEvents(raw.text).find((e) => e.type === 'message_delta').delta.stop_reason, 'max_tokens');
  // max_tokens is forwarded upstream in some form.
  const up = upstreamBody((await stack.mockRequests())[0]);
  assert.ok(up.max_tokens === 5 || up.max_completion_tokens === 5, `max tokens not forwarded: ${JSON.stringify(up)}`);
});

test('usage: prompt/completion/cached tokens map to Anthropic usage', async () => {
  await stack.mockRules([
    { match: { contains: 'E2E-USAGE' }, respond: { text: 'ok', usage: { prompt_tokens: 120, completion_tokens: 7, cached_tokens: 100 } } },
  ]);
  const msg = await stack.client().messages.create(sonnetBody('E2E-USAGE'));
  assert.equal(msg.usage.output_tokens, 7);
  const cached = msg.usage.cache_read_input_tokens ?? 0;
  assert.equal(msg.usage.input_tokens + cached + (msg.usage.cache_creation_input_tokens ?? 0), 120, JSON.stringify(msg.usage));
  assert.equal(cached, 100, JSON.stringify(msg.usage));
});

// ---------- upstream errors ----------
// The mock's respond.error is the whole upstream error body ({"error":{...}} as Azure sends it).

test('upstream 429 → 429 rate_limit_error with retry-after passed on', async () => {
  await stack.mockRules([
    {
      match: { contains: 'E2E-429' },
      respond: {
        status: 429,
        headers: { 'retry-after': '1' },
        error: { error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded the rate limit. Retry after 1 second.' } },
      },
    },
  ]);
  const body = sonnetBody('E2E-429');
  const e = await expectApiError(stack.client().messages.create(body), Anthropic.RateLimitError, 429);
  assert.equal(e.error?.type, 'error');
  assert.equal(e.error?.error?.type, 'rate_limit_error');
  assert.equal(e.headers?.get('retry-after'), '1');
  // Streaming request gets the same HTTP error (nothing was streamed yet).
  const raw = await rawStream(body);
  assert.equal(raw.status, 429, raw.text);
  assertAnthropicError(JSON.parse(raw.text), 'rate_limit_error', 429);
});

test('upstream 400 context_length_exceeded → 400 invalid_request_error "prompt is too long"', async () => {
  await stack.mockRules([
    {
      match: { contains: 'E2E-CTX' },
      respond: {
        status: 400,
        error: {
          error: {
            code: 'context_length_exceeded',
            type: 'invalid_request_error',
            param: 'messages',
            message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 250000 tokens. Please reduce the length of the messages.",
          },
        },
      },
    },
  ]);
  const e = await expectApiError(
    stack.client().messages.create(sonnetBody('E2E-CTX')),
    Anthropic.BadRequestError,
    400,
  );
  assert.equal(e.error?.error?.type, 'invalid_request_error');
  assert.match(e.error?.error?.message ?? '', /prompt is too long/i);
});

test('upstream 401 → 500 api_error mentioning the credentials', async () => {
  await stack.mockRules([
    {
      match: { contains: 'E2E-401' },
      respond: {
        status: 401,
        error: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } },
      },
    },
  ]);
  const e = await expectApiError(
    stack.client().messages.create(sonnetBody('E2E-401')),
    Anthropic.InternalServerError,
    500,
  );
  assert.equal(e.error?.error?.type, 'api_error');
  assert.match(e.error?.error?.message ?? '', /credential|api[ _-]?key|AZURE_OPENAI_API_KEY/i);
});

test('upstream 404 deployment → 404 not_found_error', async () => {
  await stack.mockRules([
    {
      match: { contains: 'E2E-404' },
      respond: {
        status: 404,
        error: { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } },
      },
    },
  ]);
  const e = await expectApiError(
    stack.client().messages.create(sonnetBody('E2E-404')),
    Anthropic.NotFoundError,
    404,
  );
  assert.equal(e.error?.error?.type, 'not_found_error');
});

test('mid-stream upstream reset → SSE error event ends the stream (raw and SDK)', async () => {
  const rules = [
    {
      match: { contains: 'E2E-RESET' },
      respond: { text: 'This answer will be cut off somewhere in the middle of the stream.', chunk_size: 5, fault: 'reset_mid_stream' },
    },
  ];
  await stack.mockRules(rules);
  const body = { model: SONNET, max_tokens: 200, messages: [{ role: 'user', content: 'E2E-RESET' }] };
  const raw = await rawStream(body);
  assert.equal(raw.status, 200, raw.text);
  assert.match(raw.text, /event: error\r?\n/);
  assert.deepEqual(validateAnthropicSSE(raw.text), [], raw.text);
  const last = sseEvents(raw.text).pop();
  assert.equal(last.type, 'error', raw.text);
  assert.doesNotMatch(raw.text, /event: message_stop/);

  await stack.mockReset();
  await stack.mockRules(rules);
  await assert.rejects(sdkStream(stack.client(), body), (err) => err instanceof Anthropic.AnthropicError);
});

test('the output limit of a deployment is learned from its 400 and the request retried within it', async () => {
  const tooLarge = {
    error: {
      message: 'max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided 32000.',
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: null,
    },
  };
  await stack.mockRules([{ match: { contains: '"max_completion_tokens":32000' }, respond: { status: 400, error: tooLarge } }]);
  const body = { model: SONNET, max_tokens: 32000, messages: [{ role: 'user', content: 'E2E-LIMIT' }] };
  const first = await stack.client().messages.create(body);
  assert.equal(first.content[0].text, 'mock reply: E2E-LIMIT');
  let reqs = await stack.mockRequests();
  assert.deepEqual(reqs.map((r) => [r.status, upstreamBody(r).max_completion_tokens]), [[400, 32000], [200, 16384]]);
  // Learned: the next request goes out within the limit at once.
  await stack.mockReset();
  await stack.mockRules([{ match: { contains: '"max_completion_tokens":32000' }, respond: { status: 400, error: tooLarge } }]);
  await stack.client().messages.create(body);
  reqs = await stack.mockRequests();
  assert.deepEqual(reqs.map((r) => [r.status, upstreamBody(r).max_completion_tokens]), [[200, 16384]]);
});

test('upstream reset while a whole (non-stream) answer is read → Anthropic-shaped 5xx, not a dropped connection', async () => {
  await stack.mockRules([
    { match: { contains: 'E2E-RESET-WHOLE' }, respond: { text: 'A whole answer that breaks half way through its body.', fault: 'reset_mid_stream' } },
  ]);
  const res = await stack.post('/v1/messages', sonnetBody('E2E-RESET-WHOLE'));
  assert.ok(res.status >= 500 && res.status <= 599, `status ${res.status}: ${res.text}`);
  assert.equal(res.json?.type, 'error', res.text);
  assert.match(res.json?.error?.message ?? '', /broke mid-answer/);
});

test('upstream connection reset before headers → Anthropic-shaped 5xx error', { timeout: 60000 }, async () => {
  await stack.mockRules([{ match: { contains: 'E2E-RBH' }, respond: { fault: 'reset_before_headers' } }]);
  const res = await stack.post('/v1/messages', sonnetBody('E2E-RBH'));
  assert.ok(res.status >= 500 && res.status <= 599, `status ${res.status}: ${res.text}`);
  assert.equal(res.json?.type, 'error', res.text);
  assert.equal(typeof res.json?.error?.type, 'string');
});

// ---------- misc routes ----------

test('unknown route → 404 in Anthropic error shape', async () => {
  const res = await fetch(stack.proxyUrl + '/v1/does-not-exist', { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  assert.equal(res.status, 404, text);
  assertAnthropicError(JSON.parse(text), 'not_found_error', 404);
  const res2 = await stack.post('/v2/messages', {});
  assert.equal(res2.status, 404, res2.text);
  assertAnthropicError(res2.json, 'not_found_error', 404);
});

test('GET /health → 200 JSON; HEAD / → 200; event_logging batch → 200', async () => {
  const h = await fetch(stack.proxyUrl + '/health');
  const text = await h.text();
  assert.equal(h.status, 200, text);
  assert.doesNotThrow(() => JSON.parse(text), `health body is not JSON: ${text}`);
  const head = await fetch(stack.proxyUrl + '/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  const ev = await stack.post('/api/event_logging/batch', { events: [{ event_type: 'x' }] });
  assert.equal(ev.status, 200, ev.text);
  assert.equal((await stack.mockRequests()).length, 0);
});

test('also accepts /v1/messages?beta=true', async () => {
  const res = await stack.post('/v1/messages?beta=true', { model: SONNET, max_tokens: 20, messages: [{ role: 'user', content: 'beta E2E-BETA' }] });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.content[0].text, 'mock reply: beta E2E-BETA');
});

test('count_tokens returns a positive integer that grows with the input', async () => {
  const client = stack.client();
  const small = await client.messages.countTokens({ model: SONNET, messages: [{ role: 'user', content: 'Hello' }] });
  assert.ok(Number.isInteger(small.input_tokens) && small.input_tokens > 0, JSON.stringify(small));
  const big = await client.messages.countTokens({
    model: SONNET,
    system: 'You are a helpful assistant.',
    tools: [WEATHER_TOOL],
    messages: [{ role: 'user', content: 'Hello '.repeat(200) }],
  });
  assert.ok(Number.isInteger(big.input_tokens) && big.input_tokens > small.input_tokens, JSON.stringify({ small, big }));
  const raw = await stack.post('/v1/messages/count_tokens', { model: HAIKU, messages: [{ role: 'user', content: 'hi there' }] });
  assert.equal(raw.status, 200, raw.text);
  assert.deepEqual(Object.keys(raw.json), ['input_tokens']);
});

// ---------- client auth off ----------

describe('without ANTHROPIC_AUTH_TOKEN', () => {
  const open = useStack({ proxyEnv: { ANTHROPIC_AUTH_TOKEN: undefined } });
  open.test('requests without credentials are accepted', async () => {
    const res = await fetch(open.proxyUrl + '/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: HAIKU, max_tokens: 20, messages: [{ role: 'user', content: 'open door E2E-OPEN' }] }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(JSON.parse(text).content[0].text, 'mock reply: open door E2E-OPEN');
    assert.equal((await open.mockRequests())[0].deployment, SMALL_DEPLOYMENT);
  });
});
