// End-to-end: the official OpenAI SDK (Cursor / OpenAI-compatible clients) against the proxy's
// /cursor and /v1 chat-completions front end, which talks to the strict mock's Responses API.
import assert from 'node:assert/strict';
import { describe, before, after } from 'node:test';
import OpenAI from 'openai';
import { useStack, startStack, stopStack, withLogs, TOKEN, SMALL_DEPLOYMENT, BIG_DEPLOYMENT, upstreamBody } from './harness.mjs';

// A deployment the mock (and proxy) treat as a reasoning model (gpt-5* prefix).
const CURSOR_DEPLOYMENT = 'gpt-5-cursor';
const DEPLOYMENTS = [SMALL_DEPLOYMENT, BIG_DEPLOYMENT, CURSOR_DEPLOYMENT];

// AZURE_API_VERSION unset → the v1 Responses path (POST /openai/v1/responses, model in body).
const cursorStackOpts = (extraEnv = {}) => ({
  deployments: DEPLOYMENTS,
  proxyEnv: { CURSOR_AZURE_DEPLOYMENT: CURSOR_DEPLOYMENT, AZURE_API_VERSION: undefined, ...extraEnv },
});

const stack = useStack(cursorStackOpts());
const test = stack.test;

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'City name' } },
      required: ['location'],
    },
  },
};

// ---------- helpers ----------

function openai(s = stack, { path = '/cursor', apiKey = TOKEN, ...rest } = {}) {
  return new OpenAI({ baseURL: s.proxyUrl + path, apiKey, maxRetries: 0, timeout: 30000, ...rest });
}

async function expectApiError(promise, Cls, status) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    if (status !== undefined) assert.equal(e.status, status);
    return e;
  }
  assert.fail(`expected ${Cls.name} (${status}), but the request succeeded`);
}

/** Collect the chunks of an SDK stream; returns {chunks, content, reasoning, finish, usage, toolCalls}. */
async function collect(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return summarize(chunks);
}

function summarize(chunks) {
  let content = '';
  let reasoning = '';
  let finish = null;
  let usage = null;
  let role = null;
  const toolCalls = [];
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk', `chunk: ${JSON.stringify(c)}`);
    if (c.usage) usage = c.usage;
    for (const ch of c.choices ?? []) {
      const d = ch.delta ?? {};
      if (d.role) role = d.role;
      if (typeof d.content === 'string') content += d.content;
      if (typeof d.reasoning_content === 'string') reasoning += d.reasoning_content;
      for (const tc of d.tool_calls ?? []) {
        const slot = (toolCalls[tc.index] ??= { id: null, name: null, arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.function?.name) slot.name = tc.function.name;
        if (tc.function?.arguments) slot.arguments += tc.function.arguments;
      }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
  }
  return { chunks, content, reasoning, finish, usage, role, toolCalls };
}

/** An SDK stream of gpt-high answering a single user message 'x'. */
function streamX(c = openai()) {
  return c.chat.completions.create({
    model: 'gpt-high',
    stream: true,
    messages: [{ role: 'user', content: 'x' }],
  });
}

/** Iterates an SDK stream to its end, pushing each chunk into `got` (kept if the iteration throws). */
async function drain(stream, got = []) {
  for await (const ch of stream) got.push(ch);
  return got;
}

async function onlyRequest(s = stack) {
  const reqs = await s.mockRequests();
  assert.equal(reqs.length, 1, `expected exactly one upstream request, got ${JSON.stringify(reqs.map((r) => r.path))}`);
  return reqs[0];
}

/** Common assertions on an upstream Responses request from the Cursor front end. */
function assertResponsesRequest(r, { effort, deployment = CURSOR_DEPLOYMENT, stream } = {}) {
  assert.equal(r.api, 'responses', `upstream api: ${r.api} (${r.path})`);
  assert.equal(r.path, '/openai/v1/responses');
  assert.equal(r.status, 200, `mock rejected the request: ${JSON.stringify(r.body)}`);
  assert.equal(r.deployment, deployment);
  const body = upstreamBody(r);
  assert.equal(body.model, deployment);
  assert.equal(body.store, false, 'store must be false');
  assert.ok(!('truncation' in body), `truncation must never be sent: ${JSON.stringify(body.truncation)}`);
  assert.equal(r.truncation, undefined);
  if (effort !== undefined) {
    assert.equal(body.reasoning?.effort, effort, `reasoning: ${JSON.stringify(body.reasoning)}`);
    assert.equal(body.reasoning?.summary, 'detailed', `reasoning: ${JSON.stringify(body.reasoning)}`);
  }
  if (stream !== undefined) assert.equal(!!body.stream, stream);
  return body;
}

/** Raw SSE data payloads of a proxy response. */
function sseData(text) {
  return text
    .split(/\r?\n\r?\n/)
    .map((f) =>
      f
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n'),
    )
    .filter((d) => d.length > 0);
}

// ---------- 1. effort models ----------

test('gpt-high non-stream: effort high, summary detailed, cursor deployment, store false, no truncation', async () => {
  const c = openai();
  const res = await c.chat.completions.create({
    model: 'gpt-high',
    messages: [{ role: 'user', content: 'Hello CURSOR-HIGH-1' }],
  });
  assert.equal(res.object, 'chat.completion');
  assert.equal(res.model, 'gpt-high', 'model echoes the requested name');
  assert.equal(res.choices.length, 1);
  assert.equal(res.choices[0].message.role, 'assistant');
  assert.equal(res.choices[0].message.content, 'mock reply: Hello CURSOR-HIGH-1');
  assert.equal(res.choices[0].finish_reason, 'stop');
  assert.equal(typeof res.usage.prompt_tokens, 'number');
  assert.equal(typeof res.usage.completion_tokens, 'number');

  const r = await onlyRequest();
  const body = assertResponsesRequest(r, { effort: 'high', stream: false });
  const last = body.input[body.input.length - 1];
  assert.equal(last.role, 'user');
  const parts = Array.isArray(last.content) ? last.content : [{ type: 'input_text', text: last.content }];
  assert.ok(parts.some((p) => p.type === 'input_text' && p.text === 'Hello CURSOR-HIGH-1'), JSON.stringify(last));
});

test('gpt-minimal stream: effort minimal; SDK gets the text; gpt-medium / gpt-low efforts', async () => {
  const c = openai();
  const out = await collect(
    await c.chat.completions.create({
      model: 'gpt-minimal',
      stream: true,
      messages: [{ role: 'user', content: 'Stream CURSOR-MIN-1' }],
    }),
  );
  assert.equal(out.content, 'mock reply: Stream CURSOR-MIN-1');
  assert.equal(out.role, 'assistant');
  assert.equal(out.finish, 'stop');
  assert.ok(out.chunks.every((ch) => ch.model === 'gpt-minimal'));
  assertResponsesRequest(await onlyRequest(), { effort: 'minimal', stream: true });

  for (const effort of ['medium', 'low']) {
    await stack.mockReset();
    const res = await c.chat.completions.create({ model: `gpt-${effort}`, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.choices[0].message.content, 'mock reply: x');
    assertResponsesRequest(await onlyRequest(), { effort });
  }
});

// ---------- 2. streaming shapes ----------

test('stream with include_usage: usage chunk with empty choices, finish stop, usage details', async () => {
  await stack.mockRules([
    {
      respond: {
        text: 'Counted.',
        usage: { input_tokens: 120, output_tokens: 40, cached_tokens: 64, reasoning_tokens: 16 },
      },
    },
  ]);
  const c = openai();
  const out = await collect(
    await c.chat.completions.create({
      model: 'gpt-high',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'usage please' }],
    }),
  );
  assert.equal(out.content, 'Counted.');
  assert.equal(out.finish, 'stop');
  const usageChunks = out.chunks.filter((ch) => ch.usage);
  assert.equal(usageChunks.length, 1, 'exactly one chunk carries usage');
  assert.deepEqual(usageChunks[0].choices, [], 'usage chunk has choices: []');
  assert.equal(out.chunks[out.chunks.length - 1], usageChunks[0], 'usage chunk is last');
  assert.equal(out.usage.prompt_tokens, 120);
  assert.equal(out.usage.completion_tokens, 40);
  assert.equal(out.usage.total_tokens, 160);
  assert.equal(out.usage.prompt_tokens_details?.cached_tokens, 64);
  assert.equal(out.usage.completion_tokens_details?.reasoning_tokens, 16);
  assertResponsesRequest(await onlyRequest(), { effort: 'high', stream: true });
});

test('upstream reset while a whole answer is read → OpenAI-shaped 5xx, not a dropped connection', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-C-RESET-WHOLE' }, respond: { text: 'breaks half way through the body', fault: 'reset_mid_stream' } }]);
  const res = await stack.post('/cursor/chat/completions', {
    model: 'gpt-high',
    messages: [{ role: 'user', content: 'E2E-C-RESET-WHOLE' }],
  });
  assert.ok(res.status >= 500 && res.status <= 599, `status ${res.status}: ${res.text}`);
  assert.equal(typeof res.json?.error?.message, 'string', res.text);
});

test('raw SSE: role chunk first, finish chunk, [DONE] last; usage in finish chunk without include_usage', async () => {
  const res = await stack.post('/cursor/chat/completions', {
    model: 'gpt-low',
    stream: true,
    messages: [{ role: 'user', content: 'raw sse' }],
  });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const data = sseData(res.text);
  assert.equal(data[data.length - 1], '[DONE]', `last frame: ${data[data.length - 1]}`);
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
  assert.ok(chunks.length >= 3);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const ids = new Set(chunks.map((c) => c.id));
  assert.equal(ids.size, 1, 'all chunks share one id');
  const finishChunks = chunks.filter((c) => c.choices?.some((ch) => ch.finish_reason));
  assert.equal(finishChunks.length, 1);
  assert.equal(finishChunks[0].choices[0].finish_reason, 'stop');
  assert.ok(finishChunks[0].usage, `finish chunk should carry usage: ${JSON.stringify(finishChunks[0])}`);
  assert.ok(chunks.every((c) => c.choices.length > 0), 'no choices:[] chunk without include_usage');
  assert.equal(summarize(chunks).content, 'mock reply: raw sse');
});

test('SDK chat.completions.stream() helper + finalChatCompletion()', async () => {
  const c = openai();
  const runner = c.chat.completions.stream({
    model: 'gpt-medium',
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'helper CURSOR-HELPER-1' }],
  });
  const deltas = [];
  runner.on('content', (d) => deltas.push(d));
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'mock reply: helper CURSOR-HELPER-1');
  assert.equal(final.choices[0].message.role, 'assistant');
  assert.equal(final.choices[0].finish_reason, 'stop');
  assert.ok(final.usage, 'final completion carries usage');
  assert.ok(final.usage.prompt_tokens > 0 && final.usage.completion_tokens > 0);
  assert.equal(deltas.join(''), 'mock reply: helper CURSOR-HELPER-1');
  assertResponsesRequest(await onlyRequest(), { effort: 'medium', stream: true });
});

test('non-stream usage: cached and reasoning token details', async () => {
  await stack.mockRules([
    { respond: { text: 'ok', usage: { input_tokens: 50, output_tokens: 30, cached_tokens: 20, reasoning_tokens: 10 } } },
  ]);
  const res = await openai().chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'u' }] });
  assert.equal(res.usage.prompt_tokens, 50);
  assert.equal(res.usage.completion_tokens, 30);
  assert.equal(res.usage.total_tokens, 80);
  assert.equal(res.usage.prompt_tokens_details?.cached_tokens, 20);
  assert.equal(res.usage.completion_tokens_details?.reasoning_tokens, 10);
});

// ---------- 3. reasoning display (default: think) ----------

test('reasoning display default: <think> summary </think> before the text (stream and non-stream)', async () => {
  const SUMMARY = 'Thinking about CURSOR-SUMMARY-1 carefully.';
  await stack.mockRules([{ respond: { reasoning_summary: SUMMARY, text: 'Final answer.' } }]);
  const c = openai();
  const out = await collect(
    await c.chat.completions.create({ model: 'gpt-high', stream: true, messages: [{ role: 'user', content: 'think' }] }),
  );
  assert.ok(out.content.startsWith('<think>'), `content: ${JSON.stringify(out.content)}`);
  assert.equal(out.content, `<think>\n${SUMMARY}\n</think>\n\nFinal answer.`);
  assert.equal(out.reasoning, '', 'no reasoning_content in think mode');

  const res = await c.chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'think' }] });
  const content = res.choices[0].message.content;
  assert.ok(content.startsWith('<think>'), `content: ${JSON.stringify(content)}`);
  assert.ok(content.includes(SUMMARY) && content.indexOf(SUMMARY) < content.indexOf('</think>'));
  assert.ok(content.endsWith('Final answer.'), content);
});

describe('REASONING_DISPLAY=field', () => {
  let s2;
  before(async () => {
    s2 = await startStack(cursorStackOpts({ REASONING_DISPLAY: 'field' }));
  });
  after(async () => stopStack(s2));

  test('reasoning_content deltas, no <think> in content', () =>
    withLogs(s2, async () => {
      const SUMMARY = 'Field summary CURSOR-FIELD-1.';
      await s2.mockRules([{ respond: { reasoning_summary: SUMMARY, text: 'Field answer.' } }]);
      const c = openai(s2);
      const out = await collect(
        await c.chat.completions.create({ model: 'gpt-high', stream: true, messages: [{ role: 'user', content: 'f' }] }),
      );
      assert.equal(out.reasoning, SUMMARY);
      assert.equal(out.content, 'Field answer.');
      assert.ok(!out.content.includes('<think>'));

      const res = await c.chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'f' }] });
      const msg = res.choices[0].message;
      assert.equal(msg.content, 'Field answer.');
      assert.equal(msg.reasoning_content, SUMMARY);
    }));
});

// ---------- 4. tool calls ----------

test('tool call round trip: tool_calls finish, then function_call + function_call_output upstream', async () => {
  await stack.mockRules([
    {
      match: { last_role: 'user' },
      times: 1,
      respond: { tool_calls: [{ id: 'call_cursor_1', name: 'get_weather', arguments: { location: 'Paris' } }] },
    },
    { match: { last_role: 'tool' }, respond: { text: 'It is sunny in Paris.' } },
  ]);
  const c = openai();
  const messages = [
    { role: 'system', content: 'Use tools.' },
    { role: 'user', content: 'Weather in Paris?' },
  ];
  const out = await collect(
    await c.chat.completions.create({
      model: 'gpt-high',
      stream: true,
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
      messages,
    }),
  );
  assert.equal(out.finish, 'tool_calls');
  assert.equal(out.toolCalls.length, 1);
  const tc = out.toolCalls[0];
  assert.ok(tc.id, 'tool call id');
  assert.equal(tc.name, 'get_weather');
  assert.deepEqual(JSON.parse(tc.arguments), { location: 'Paris' });

  // The index/id/name chunk precedes the argument fragments.
  const tcDeltas = out.chunks.flatMap((ch) => ch.choices.flatMap((x) => x.delta?.tool_calls ?? []));
  assert.ok(tcDeltas[0].id && tcDeltas[0].function?.name && tcDeltas[0].index === 0, JSON.stringify(tcDeltas[0]));

  let reqs = await stack.mockRequests();
  assert.equal(reqs.length, 1);
  const first = assertResponsesRequest(reqs[0], { effort: 'high' });
  assert.equal(first.tools.length, 1);
  assert.deepEqual(first.tools[0], {
    type: 'function',
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: WEATHER_TOOL.function.parameters,
    strict: false,
  });
  assert.equal(first.tool_choice, 'auto');

  // Second turn.
  messages.push({
    role: 'assistant',
    content: null,
    tool_calls: [{ id: tc.id, type: 'function', function: { name: tc.name, arguments: tc.arguments } }],
  });
  messages.push({ role: 'tool', tool_call_id: tc.id, content: '{"temp_c":24,"sky":"clear"}' });
  const res = await c.chat.completions.create({ model: 'gpt-high', tools: [WEATHER_TOOL], messages });
  assert.equal(res.choices[0].message.content, 'It is sunny in Paris.');
  assert.equal(res.choices[0].finish_reason, 'stop');

  reqs = await stack.mockRequests();
  assert.equal(reqs.length, 2);
  const second = assertResponsesRequest(reqs[1], { effort: 'high' });
  const fc = second.input.find((i) => i.type === 'function_call');
  const fco = second.input.find((i) => i.type === 'function_call_output');
  assert.ok(fc, `no function_call item: ${JSON.stringify(second.input)}`);
  assert.ok(fco, `no function_call_output item: ${JSON.stringify(second.input)}`);
  assert.equal(fc.call_id, tc.id);
  assert.equal(fco.call_id, tc.id);
  assert.equal(fc.name, 'get_weather');
  assert.deepEqual(JSON.parse(fc.arguments), { location: 'Paris' });
  assert.equal(fco.output, '{"temp_c":24,"sky":"clear"}');
  assert.ok(second.input.indexOf(fc) < second.input.indexOf(fco));
});

test('two parallel tool calls (stream and non-stream); parallel_tool_calls forwarded', async () => {
  const calls = [
    { name: 'get_weather', arguments: { location: 'Paris' } },
    { name: 'get_weather', arguments: { location: 'Tokyo' } },
  ];
  await stack.mockRules([{ respond: { tool_calls: calls } }]);
  const c = openai();
  const params = {
    model: 'gpt-low',
    tools: [WEATHER_TOOL],
    parallel_tool_calls: true,
    messages: [{ role: 'user', content: 'Weather in Paris and Tokyo?' }],
  };
  const out = await collect(await c.chat.completions.create({ ...params, stream: true }));
  assert.equal(out.finish, 'tool_calls');
  assert.equal(out.toolCalls.length, 2);
  assert.deepEqual(
    out.toolCalls.map((t) => [t.name, JSON.parse(t.arguments)]),
    calls.map((t) => [t.name, t.arguments]),
  );
  assert.ok(out.toolCalls[0].id && out.toolCalls[1].id && out.toolCalls[0].id !== out.toolCalls[1].id);

  const res = await c.chat.completions.create(params);
  assert.equal(res.choices[0].finish_reason, 'tool_calls');
  const tcs = res.choices[0].message.tool_calls;
  assert.equal(tcs.length, 2);
  assert.deepEqual(
    tcs.map((t) => [t.type, t.function.name, JSON.parse(t.function.arguments)]),
    calls.map((t) => ['function', t.name, t.arguments]),
  );

  const reqs = await stack.mockRequests();
  assert.equal(reqs.length, 2);
  for (const r of reqs) assert.equal(assertResponsesRequest(r, { effort: 'low' }).parallel_tool_calls, true);
});

// ---------- 5. models, health, routes ----------

test('models list via client.models.list(): gpt-* effort models and deployments', async () => {
  const ids = [];
  for await (const m of openai().models.list()) ids.push(m.id);
  for (const id of ['gpt-high', 'gpt-medium', 'gpt-low', 'gpt-minimal', CURSOR_DEPLOYMENT, BIG_DEPLOYMENT])
    assert.ok(ids.includes(id), `${id} missing from ${JSON.stringify(ids)}`);
  const ids2 = [];
  for await (const m of openai(stack, { path: '/v1' }).models.list()) ids2.push(m.id);
  assert.deepEqual(ids2, ids);
  const ids3 = [];
  for await (const m of openai(stack, { path: '/cursor/v1' }).models.list()) ids3.push(m.id);
  assert.deepEqual(ids3, ids);
});

test('GET /cursor/health → 200', async () => {
  const res = await fetch(stack.proxyUrl + '/cursor/health');
  assert.equal(res.status, 200);
});

test('/v1/chat/completions and /cursor/v1/chat/completions also work', async () => {
  for (const path of ['/v1', '/cursor/v1']) {
    await stack.mockReset();
    const res = await openai(stack, { path }).chat.completions.create({
      model: 'gpt-high',
      messages: [{ role: 'user', content: `via ${path}` }],
    });
    assert.equal(res.choices[0].message.content, `mock reply: via ${path}`);
    assertResponsesRequest(await onlyRequest(), { effort: 'high' });
  }
});

test('x-api-key auth is accepted too', async () => {
  const res = await fetch(stack.proxyUrl + '/cursor/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'gpt-high', messages: [{ role: 'user', content: 'xkey' }] }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).choices[0].message.content, 'mock reply: xkey');
});

test('a deployment name as model routes to that deployment', async () => {
  const res = await openai().chat.completions.create({
    model: CURSOR_DEPLOYMENT,
    messages: [{ role: 'user', content: 'by deployment' }],
  });
  assert.equal(res.choices[0].message.content, 'mock reply: by deployment');
  assertResponsesRequest(await onlyRequest(), { deployment: CURSOR_DEPLOYMENT });
});

// ---------- 6. auth ----------

test('wrong key → AuthenticationError 401 in OpenAI shape; nothing sent upstream', async () => {
  const e = await expectApiError(
    openai(stack, { apiKey: 'wrong-key' }).chat.completions.create({
      model: 'gpt-high',
      messages: [{ role: 'user', content: 'x' }],
    }),
    OpenAI.AuthenticationError,
    401,
  );
  assert.equal(e.type, 'authentication_error');
  assert.equal(e.code, 'invalid_api_key');
  assert.equal(typeof e.error?.message, 'string');
  await expectApiError(openai(stack, { apiKey: 'wrong-key' }).models.list(), OpenAI.AuthenticationError, 401);
  assert.equal((await stack.mockRequests()).length, 0);
});

// ---------- 7. errors ----------

test('upstream 401 → BadRequestError 400 mentioning credentials', async () => {
  await stack.mockRules([{ respond: { status: 401, error: { error: { code: '401', message: 'Access denied due to invalid subscription key.' } } } }]);
  const e = await expectApiError(
    openai().chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'x' }] }),
    OpenAI.BadRequestError,
    400,
  );
  assert.match(e.message, /credential/i);
  assert.equal((await onlyRequest()).status, 401);
});

test('upstream 429 → RateLimitError 429 (non-stream and stream)', async () => {
  await stack.mockRules([
    {
      respond: {
        status: 429,
        headers: { 'retry-after': '0' },
        error: { error: { code: '429', message: 'Requests to the Responses API have exceeded the rate limit.' } },
      },
    },
  ]);
  const c = openai();
  const e = await expectApiError(
    c.chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'x' }] }),
    OpenAI.RateLimitError,
    429,
  );
  assert.ok(e.headers?.get?.('retry-after') !== undefined);
  const n = (await stack.mockRequests()).length;
  assert.ok(n >= 1, 'upstream was called');
  assert.ok((await stack.mockRequests()).every((r) => r.status === 429));
  await expectApiError(
    streamX(c),
    OpenAI.RateLimitError,
    429,
  );
});

test('context overflow → 400 mentioning "prompt is too long"', async () => {
  await stack.mockRules([
    {
      respond: {
        status: 400,
        error: {
          error: {
            message:
              'Your input exceeds the context window of this model. Please adjust your input and try again.',
            type: 'invalid_request_error',
            param: 'input',
            code: 'context_length_exceeded',
          },
        },
      },
    },
  ]);
  const e = await expectApiError(
    openai().chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'x' }] }),
    OpenAI.BadRequestError,
    400,
  );
  assert.match(e.message, /prompt is too long/i);
});

test('mid-stream response.failed → stream iteration throws APIError (no hang)', async () => {
  await stack.mockRules([{ respond: { text: 'partial text before failure', failed: 'boom CURSOR-FAIL-1' } }]);
  const stream = await streamX();
  const got = [];
  await assert.rejects(
    drain(stream, got),
    (e) => e instanceof OpenAI.APIError && /boom CURSOR-FAIL-1/.test(e.message),
  );
  assert.ok(summarize(got).content.startsWith('partial'), 'text before the failure was streamed');
});

test('mid-stream error event → stream iteration throws APIError', async () => {
  await stack.mockRules([{ respond: { text: 'some text', error_event: 'Rate limit reached mid stream' } }]);
  const stream = await streamX();
  await assert.rejects(
    drain(stream),
    (e) => e instanceof OpenAI.APIError && /Rate limit reached mid stream/.test(e.message),
  );
});

test('upstream connection reset mid-stream → error data object, stream ends', async () => {
  await stack.mockRules([{ respond: { text: 'a fairly long answer that is cut off', chunk_size: 2, fault: 'reset_mid_stream' } }]);
  const res = await stack.post('/cursor/chat/completions', {
    model: 'gpt-high',
    stream: true,
    messages: [{ role: 'user', content: 'x' }],
  });
  assert.equal(res.status, 200);
  const objs = sseData(res.text)
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d));
  assert.ok(
    objs.some((o) => o.error && typeof o.error.message === 'string'),
    `expected a data object with a top-level error: ${res.text}`,
  );

  await stack.mockReset();
  await stack.mockRules([{ respond: { text: 'a fairly long answer that is cut off', chunk_size: 2, fault: 'reset_mid_stream' } }]);
  const stream = await streamX();
  await assert.rejects(
    drain(stream),
    (e) => e instanceof OpenAI.APIError,
  );
});

test('incomplete (max_output_tokens) → finish_reason length (stream and non-stream)', async () => {
  await stack.mockRules([{ respond: { text: 'truncated answ', incomplete: true } }]);
  const c = openai();
  const out = await collect(
    await c.chat.completions.create({
      model: 'gpt-high',
      stream: true,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'x' }],
    }),
  );
  assert.equal(out.finish, 'length');
  assert.equal(out.content, 'truncated answ');
  const res = await c.chat.completions.create({ model: 'gpt-high', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] });
  assert.equal(res.choices[0].finish_reason, 'length');
  assert.equal(res.choices[0].message.content, 'truncated answ');
});

// ---------- 8. request translation ----------

test('system + developer → instructions; max_tokens → max_output_tokens; temperature/top_p/stop dropped', async () => {
  const res = await openai().chat.completions.create({
    model: 'gpt-high',
    max_tokens: 321,
    temperature: 0.2,
    top_p: 0.9,
    stop: ['END'],
    messages: [
      { role: 'system', content: 'SYS-MARK-CURSOR' },
      { role: 'developer', content: 'DEV-MARK-CURSOR' },
      { role: 'user', content: 'translate me' },
    ],
  });
  assert.equal(res.choices[0].message.content, 'mock reply: translate me');
  const body = assertResponsesRequest(await onlyRequest(), { effort: 'high' });
  assert.equal(typeof body.instructions, 'string');
  assert.ok(body.instructions.includes('SYS-MARK-CURSOR'), body.instructions);
  assert.ok(body.instructions.includes('DEV-MARK-CURSOR'), body.instructions);
  assert.ok(!JSON.stringify(body.input).includes('SYS-MARK-CURSOR'), 'system text must not be an input item');
  assert.ok(!JSON.stringify(body.input).includes('DEV-MARK-CURSOR'), 'developer text must not be an input item');
  assert.equal(body.max_output_tokens, 321);
  for (const k of ['temperature', 'top_p', 'stop', 'max_tokens', 'max_completion_tokens', 'messages'])
    assert.ok(!(k in body), `${k} must not be sent upstream: ${JSON.stringify(body[k])}`);
});

test('max_completion_tokens → max_output_tokens; image parts → input_image', async () => {
  const dataUrl =
    'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
  await openai().chat.completions.create({
    model: 'gpt-low',
    max_completion_tokens: 77,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this' },
          { type: 'image_url', image_url: { url: dataUrl } },
        ],
      },
    ],
  });
  const body = assertResponsesRequest(await onlyRequest(), { effort: 'low' });
  assert.equal(body.max_output_tokens, 77);
  const user = body.input.find((i) => i.role === 'user');
  assert.ok(user.content.some((p) => p.type === 'input_text' && p.text === 'what is this'), JSON.stringify(user));
  const img = user.content.find((p) => p.type === 'input_image');
  assert.ok(img, JSON.stringify(user));
  assert.equal(img.image_url, dataUrl);
});

test('tool_choice forms are translated', async () => {
  const c = openai();
  const base = { model: 'gpt-high', tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'x' }] };
  await c.chat.completions.create({ ...base, tool_choice: 'required' });
  await c.chat.completions.create({ ...base, tool_choice: 'none' });
  await c.chat.completions.create({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } } });
  const reqs = await stack.mockRequests();
  assert.equal(reqs.length, 3);
  const choices = reqs.map((r) => upstreamBody(r).tool_choice);
  assert.equal(choices[0], 'required');
  assert.equal(choices[1], 'none');
  assert.deepEqual(choices[2], { type: 'function', name: 'get_weather' });
});

// ---------- api-version handling ----------

describe('dated api-versions', () => {
  let old, fresh;
  before(async () => {
    [old, fresh] = await Promise.all([
      startStack(cursorStackOpts({ AZURE_API_VERSION: '2024-10-21' })),
      startStack(cursorStackOpts({ AZURE_API_VERSION: '2025-04-01-preview' })),
    ]);
  });
  after(async () => Promise.all([stopStack(old), stopStack(fresh)]));

  test('≥ 2025-03-01-preview → POST /openai/responses?api-version=…', () =>
    withLogs(fresh, async () => {
      const res = await openai(fresh).chat.completions.create({
        model: 'gpt-high',
        messages: [{ role: 'user', content: 'dated' }],
      });
      assert.equal(res.choices[0].message.content, 'mock reply: dated');
      const reqs = await fresh.mockRequests();
      assert.equal(reqs.length, 1);
      assert.equal(reqs[0].api, 'responses');
      assert.equal(reqs[0].path, '/openai/responses');
      assert.equal(reqs[0].api_version, '2025-04-01-preview');
      assert.equal(upstreamBody(reqs[0]).model, CURSOR_DEPLOYMENT);
    }));

  test('older dated version → 502 naming 2025-03-01-preview', () =>
    withLogs(old, async () => {
      const e = await expectApiError(
        openai(old).chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'old' }] }),
        OpenAI.APIError,
        502,
      );
      assert.match(e.message, /2025-03-01-preview/);
    }));
});
