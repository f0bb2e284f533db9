// End-to-end: the Responses backend (AZURE_BACKEND=responses, or a *codex* deployment).
// The official Anthropic SDK (and raw fetch) against the proxy, which talks to the
// strict mock Azure's /openai/v1/responses (and dated /openai/responses).
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { useStack, upstreamBody } from './harness.mjs';
import { SONNET, HAIKU, WEATHER_TOOL, rawMessagesStream, sdkStream, deltaText, sonnetBody } from './anthropic_helpers.mjs';
import { validateAnthropicSSE, assertValidAnthropicSSE, sseEvents } from './sse_validator.mjs';

// The mock treats gpt-5* names as reasoning deployments.
const BIG = 'gpt-5';
const SMALL = 'gpt-5-mini';
const CODEX = 'gpt-5-codex';
const DATED_VERSION = '2025-04-01-preview';

// Main stack: AZURE_BACKEND=responses, AZURE_API_VERSION unset → /openai/v1/responses.
const stack = useStack({
  deployments: [SMALL, BIG, CODEX],
  proxyEnv: { AZURE_BACKEND: 'responses', AZURE_API_VERSION: undefined, BIG_MODEL: BIG, SMALL_MODEL: SMALL },
});
// BIG_EFFORT override, dated API version → /openai/responses?api-version=….
const effortStack = useStack({
  deployments: [SMALL, BIG],
  proxyEnv: { AZURE_BACKEND: 'responses', AZURE_API_VERSION: DATED_VERSION, BIG_MODEL: BIG, SMALL_MODEL: SMALL, BIG_EFFORT: 'high' },
});
// No AZURE_BACKEND: only *codex* deployments go to the Responses API.
const chatStack = useStack({
  deployments: [SMALL, BIG, CODEX],
  proxyEnv: { AZURE_API_VERSION: undefined, BIG_MODEL: BIG, SMALL_MODEL: SMALL },
});
const test = stack.test;

// ---------- helpers ----------

/** Responses-API requests the mock saw (asserting that every request went there). */
async function responsesRequests(s) {
  const reqs = await s.mockRequests();
  for (const r of reqs) assert.equal(r.api, 'responses', `expected only Responses requests, got ${r.api} ${r.path}`);
  return reqs;
}

async function lastBody(s) {
  const reqs = await responsesRequests(s);
  assert.ok(reqs.length >= 1, 'no upstream request');
  return upstreamBody(reqs[reqs.length - 1]);
}

function assertAgpSignature(sig, encrypted) {
  assert.equal(typeof sig, 'string');
  assert.ok(sig.startsWith('agp1:'), `signature should start with agp1: — got ${sig}`);
  const rest = sig.slice('agp1:'.length);
  const colon = rest.indexOf(':');
  assert.ok(colon > 0, `signature has no <rs id>:<encrypted> part: ${sig}`);
  assert.match(rest.slice(0, colon), /^rs_/);
  if (encrypted !== undefined) assert.equal(rest.slice(colon + 1), encrypted);
  return { id: rest.slice(0, colon), encrypted: rest.slice(colon + 1) };
}

/** Block types in stream order, from content_block_start events. */
const blockTypes = (events) => events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block.type);

// ---------- routing + request shape ----------

test('v1 path, model = deployment, request shape (instructions, input, store:false, tools, max_output_tokens, prompt_cache_key)', async () => {
  const client = stack.client();
  const msg = await client.messages.create({
    model: SONNET,
    max_tokens: 5,
    system: 'Be brief. SYS-RESP-1',
    metadata: { user_id: JSON.stringify({ device_id: 'dev-1', account_uuid: '', session_id: 'sess-e2e-42' }) },
    tools: [WEATHER_TOOL],
    messages: [{ role: 'user', content: 'hello E2E-RESP-SHAPE' }],
  });
  assert.equal(msg.model, SONNET);
  assert.equal(msg.content[0].type, 'text');
  assert.equal(msg.content[0].text, 'mock reply: hello E2E-RESP-SHAPE');
  assert.equal(msg.stop_reason, 'end_turn');

  const reqs = await responsesRequests(stack);
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].path, '/openai/v1/responses');
  assert.equal(reqs[0].status, 200);
  const b = upstreamBody(reqs[0]);
  assert.equal(b.model, BIG);
  assert.equal(b.instructions, 'Be brief. SYS-RESP-1');
  assert.equal(b.store, false);
  assert.equal(b.max_output_tokens, 16, 'max_tokens 5 → max_output_tokens raised to the minimum 16');
  assert.equal(b.prompt_cache_key, 'sess-e2e-42');
  assert.ok(!('truncation' in b), 'truncation must never be sent');
  assert.ok(!('include' in b), 'no include without thinking');
  assert.deepEqual(b.tools, [
    {
      type: 'function',
      name: 'get_weather',
      description: 'Get the current weather for a city',
      parameters: WEATHER_TOOL.input_schema,
      strict: false,
    },
  ]);
  const user = b.input.find((i) => i.type === 'message' && i.role === 'user');
  assert.ok(user && JSON.stringify(user.content).includes('hello E2E-RESP-SHAPE'), JSON.stringify(b.input));
});

// ---------- thinking out ----------

const THINK_RULE = (marker, extra = {}) => ({
  match: { contains: marker },
  respond: { reasoning_summary: 'Let me think about the weather carefully.', encrypted_content: 'ENC-blob-AAA+/=', text: 'It is sunny.', chunk_size: 5, ...extra },
});

test('thinking enabled, SDK stream: thinking block before text, agp1 signature, include + reasoning in the request', async () => {
  await stack.mockRules([THINK_RULE('E2E-THINK-S')]);
  const { events, final } = await sdkStream(stack.client(), {
    model: SONNET,
    max_tokens: 20000,
    thinking: { type: 'enabled', budget_tokens: 10000 },
    messages: [{ role: 'user', content: 'weather? E2E-THINK-S' }],
  });
  assert.deepEqual(validateAnthropicSSE(events), []);
  assert.deepEqual(blockTypes(events), ['thinking', 'text']);
  assert.equal(deltaText(events, 'thinking_delta', 'thinking'), 'Let me think about the weather carefully.');
  assert.equal(deltaText(events, 'text_delta', 'text'), 'It is sunny.');
  // The signature arrives after the thinking deltas, before the thinking block closes.
  const sigIdx = events.findIndex((e) => e.type === 'content_block_delta' && e.delta.type === 'signature_delta');
  const lastThink = events.findLastIndex((e) => e.type === 'content_block_delta' && e.delta.type === 'thinking_delta');
  const textStart = events.findIndex((e) => e.type === 'content_block_start' && e.content_block.type === 'text');
  assert.ok(sigIdx > lastThink && sigIdx < textStart, `signature_delta at ${sigIdx}, last thinking ${lastThink}, text start ${textStart}`);

  assert.equal(final.content.length, 2);
  assert.equal(final.content[0].type, 'thinking');
  assert.equal(final.content[0].thinking, 'Let me think about the weather carefully.');
  const ref = assertAgpSignature(final.content[0].signature, 'ENC-blob-AAA+/=');
  assert.equal(final.content[1].text, 'It is sunny.');
  assert.equal(final.stop_reason, 'end_turn');

  const b = await lastBody(stack);
  assert.equal(b.stream, true);
  assert.deepEqual(b.include, ['reasoning.encrypted_content']);
  assert.deepEqual(b.reasoning, { effort: 'medium', summary: 'detailed' });
  assert.match(ref.id, /^rs_/);
});

test('thinking enabled, raw fetch: SSE grammar valid, thinking then text, agp1 signature', async () => {
  await stack.mockRules([THINK_RULE('E2E-THINK-R', { chunk_size: 3 })]);
  const { status, headers, text } = await rawMessagesStream(stack, {
    model: SONNET,
    max_tokens: 20000,
    thinking: { type: 'enabled', budget_tokens: 10000 },
    messages: [{ role: 'user', content: 'weather? E2E-THINK-R' }],
  });
  assert.equal(status, 200, text);
  assert.match(headers.get('content-type') ?? '', /^text\/event-stream/);
  assertValidAnthropicSSE(text, { allowError: false });
  const events = sseEvents(text);
  assert.deepEqual(blockTypes(events), ['thinking', 'text']);
  const start = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'thinking');
  assert.equal(start.index, 0);
  assert.equal(deltaText(events, 'thinking_delta', 'thinking'), 'Let me think about the weather carefully.');
  assertAgpSignature(deltaText(events, 'signature_delta', 'signature'), 'ENC-blob-AAA+/=');
  assert.equal(deltaText(events, 'text_delta', 'text'), 'It is sunny.');
  assert.equal(events.find((e) => e.type === 'message_delta').delta.stop_reason, 'end_turn');
});

test('thinking enabled, non-stream: same blocks (thinking with agp1 signature, then text)', async () => {
  await stack.mockRules([THINK_RULE('E2E-THINK-NS')]);
  const msg = await stack.client().messages.create({
    model: SONNET,
    max_tokens: 20000,
    thinking: { type: 'enabled', budget_tokens: 10000 },
    messages: [{ role: 'user', content: 'weather? E2E-THINK-NS' }],
  });
  assert.deepEqual(
    msg.content.map((c) => c.type),
    ['thinking', 'text'],
  );
  assert.equal(msg.content[0].thinking, 'Let me think about the weather carefully.');
  assertAgpSignature(msg.content[0].signature, 'ENC-blob-AAA+/=');
  assert.equal(msg.content[1].text, 'It is sunny.');
  const b = await lastBody(stack);
  assert.ok(!b.stream, 'non-stream request should not stream upstream');
  assert.deepEqual(b.include, ['reasoning.encrypted_content']);
});

test('thinking display "omitted": thinking block with empty text but the signature', async () => {
  await stack.mockRules([THINK_RULE('E2E-OMIT')]);
  const params = {
    model: SONNET,
    max_tokens: 20000,
    thinking: { type: 'enabled', budget_tokens: 10000, display: 'omitted' },
    messages: [{ role: 'user', content: 'weather? E2E-OMIT' }],
  };
  const { events, final } = await sdkStream(stack.client(), params);
  assert.deepEqual(validateAnthropicSSE(events), []);
  assert.deepEqual(blockTypes(events), ['thinking', 'text']);
  assert.equal(deltaText(events, 'thinking_delta', 'thinking'), '');
  assert.equal(final.content[0].thinking, '');
  assertAgpSignature(final.content[0].signature, 'ENC-blob-AAA+/=');
  assert.equal(final.content[1].text, 'It is sunny.');

  const msg = await stack.client().messages.create(params);
  assert.equal(msg.content[0].type, 'thinking');
  assert.equal(msg.content[0].thinking, '');
  assertAgpSignature(msg.content[0].signature, 'ENC-blob-AAA+/=');
});

// ---------- thinking back in ----------

test('round trip: thinking block sent back → reasoning item (same id + encrypted_content) right before the function_call', async () => {
  const MARK = 'E2E-RT-1';
  await stack.mockRules([
    { match: { last_role: 'tool', contains: MARK }, respond: { text: 'Sunny in Paris.' } },
    {
      match: { last_role: 'user', contains: MARK },
      respond: {
        reasoning_summary: 'I should call the weather tool.',
        encrypted_content: 'ENC-roundtrip-XYZ',
        tool_calls: [{ id: 'call_rt_1', name: 'get_weather', arguments: { location: 'Paris' } }],
        chunk_size: 4,
      },
    },
  ]);
  const client = stack.client();
  const params = { model: SONNET, max_tokens: 20000, thinking: { type: 'enabled', budget_tokens: 10000 }, tools: [WEATHER_TOOL] };
  const messages = [{ role: 'user', content: `Weather in Paris? ${MARK}` }];
  const { events, final: first } = await sdkStream(client, { ...params, messages });
  assert.deepEqual(validateAnthropicSSE(events), []);
  assert.deepEqual(
    first.content.map((c) => c.type),
    ['thinking', 'tool_use'],
  );
  assert.ok(events.some((e) => e.type === 'content_block_delta' && e.delta.type === 'input_json_delta'));
  assert.equal(first.stop_reason, 'tool_use');
  const ref = assertAgpSignature(first.content[0].signature, 'ENC-roundtrip-XYZ');
  const use = first.content[1];
  assert.equal(use.name, 'get_weather');
  assert.deepEqual(use.input, { location: 'Paris' });

  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '22C, sunny' }] });
  const second = await client.messages.create({ ...params, messages });
  assert.equal(second.content.at(-1).text, 'Sunny in Paris.');

  const reqs = await responsesRequests(stack);
  assert.equal(reqs.length, 2);
  const input = upstreamBody(reqs[1]).input;
  const ri = input.findIndex((i) => i.type === 'reasoning');
  const fi = input.findIndex((i) => i.type === 'function_call');
  assert.ok(ri >= 0, `no reasoning item in the second request: ${JSON.stringify(input)}`);
  assert.equal(fi, ri + 1, `reasoning item should be right before the function_call: ${JSON.stringify(input)}`);
  assert.equal(input[ri].id, ref.id);
  assert.equal(input[ri].encrypted_content, 'ENC-roundtrip-XYZ');
  // Azure's call id reaches the client as toolu_rt_1 and goes back upstream as the original call_rt_1.
  assert.equal(use.id, 'toolu_rt_1');
  assert.equal(input[fi].call_id, 'call_rt_1');
  assert.equal(input[fi].name, 'get_weather');
  assert.deepEqual(JSON.parse(input[fi].arguments), { location: 'Paris' });
  const out = input.find((i) => i.type === 'function_call_output');
  assert.equal(out.call_id, input[fi].call_id);
  assert.ok(JSON.stringify(out.output).includes('22C, sunny'));
  assert.equal(reqs[1].status, 200);
});

test('foreign thinking signature and redacted_thinking are dropped silently', async () => {
  const MARK = 'E2E-FOREIGN';
  const msg = await stack.client().messages.create({
    model: SONNET,
    max_tokens: 20000,
    thinking: { type: 'enabled', budget_tokens: 10000 },
    tools: [WEATHER_TOOL],
    messages: [
      { role: 'user', content: `Weather in Paris? ${MARK}` },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Anthropic-made thought', signature: 'EqQBCgIYAhIMfakeForeignSignatureAAAA' },
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3redactedDataBBBB' },
          { type: 'tool_use', id: 'toolu_01ForeignAbc', name: 'get_weather', input: { location: 'Paris' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01ForeignAbc', content: '22C' }] },
    ],
  });
  assert.equal(msg.type, 'message');
  const reqs = await responsesRequests(stack);
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].status, 200);
  const input = upstreamBody(reqs[0]).input;
  assert.ok(!input.some((i) => i.type === 'reasoning'), `no reasoning item expected: ${JSON.stringify(input)}`);
  const raw = JSON.stringify(input);
  assert.ok(!raw.includes('EqQBCgIYAhIM') && !raw.includes('redactedData') && !raw.includes('Anthropic-made thought'), raw);
  const call = input.find((i) => i.type === 'function_call');
  const out = input.find((i) => i.type === 'function_call_output');
  assert.ok(call && out && call.call_id === out.call_id, raw);
});

// ---------- effort mapping ----------

async function effortFor(s, extra, model = SONNET) {
  await s.mockReset();
  await s.client().messages.create({ model, max_tokens: 32000, messages: [{ role: 'user', content: 'effort E2E-EFFORT' }], ...extra });
  return upstreamBody((await responsesRequests(s)).at(-1));
}

test('effort mapping: budget / adaptive / no thinking', async () => {
  const rows = [
    [{ thinking: { type: 'enabled', budget_tokens: 2000 } }, 'low', true],
    [{ thinking: { type: 'enabled', budget_tokens: 10000 } }, 'medium', true],
    [{ thinking: { type: 'enabled', budget_tokens: 31999 } }, 'high', true],
    [{ thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }, 'high', true],
    [{ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } }, 'low', true],
    [{}, 'minimal', false],
    [{ thinking: { type: 'disabled' } }, 'minimal', false],
  ];
  for (const [extra, effort, thinking] of rows) {
    const b = await effortFor(stack, extra);
    const what = JSON.stringify(extra);
    assert.equal(b.reasoning?.effort, effort, `${what}: reasoning ${JSON.stringify(b.reasoning)}`);
    if (thinking) {
      assert.equal(b.reasoning.summary, 'detailed', what);
      assert.deepEqual(b.include, ['reasoning.encrypted_content'], what);
    } else {
      assert.ok(!('summary' in b.reasoning), `${what}: no summary without thinking`);
      assert.ok(!('include' in b), `${what}: no include without thinking`);
    }
  }
});

effortStack.test('BIG_EFFORT=high overrides the sonnet route; haiku keeps its mapping; dated /openai/responses path', async () => {
  let b = await effortFor(effortStack, { thinking: { type: 'enabled', budget_tokens: 2000 } });
  assert.equal(b.reasoning.effort, 'high');
  b = await effortFor(effortStack, {});
  assert.equal(b.reasoning.effort, 'high');
  b = await effortFor(effortStack, { thinking: { type: 'enabled', budget_tokens: 2000 } }, HAIKU);
  assert.equal(b.model, SMALL);
  assert.equal(b.reasoning.effort, 'low');
  const reqs = await effortStack.mockRequests();
  assert.equal(reqs[0].path, '/openai/responses');
  assert.equal(reqs[0].api_version, DATED_VERSION);
  assert.equal(reqs[0].status, 200);
});

// ---------- stop sequences ----------

const STOP_TEXT = 'alpha beta STOPHERE gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron ' + 'pi rho sigma tau upsilon phi chi psi omega. '.repeat(3);

test('stop_sequences, streaming: match split across chunks, text cut, stop_reason stop_sequence, upstream cancelled', async () => {
  // 3-byte chunks split "STOPHERE"; 60 ms per chunk makes the full answer take ~4 s.
  await stack.mockRules([{ match: { contains: 'E2E-STOP-S' }, respond: { text: STOP_TEXT, chunk_size: 3, chunk_delay_ms: 60 } }]);
  const t0 = Date.now();
  const { status, text } = await rawMessagesStream(stack, {
    model: SONNET,
    max_tokens: 200,
    stop_sequences: ['NOPE', 'STOPHERE'],
    messages: [{ role: 'user', content: 'go E2E-STOP-S' }],
  });
  const elapsed = Date.now() - t0;
  if (process.env.AGP_E2E_DEBUG) console.error(`stop-sequence stream: ${elapsed} ms`);
  assert.equal(status, 200, text);
  assertValidAnthropicSSE(text, { allowError: false });
  const events = sseEvents(text);
  assert.equal(deltaText(events, 'text_delta', 'text'), 'alpha beta ');
  const md = events.find((e) => e.type === 'message_delta');
  assert.equal(md.delta.stop_reason, 'stop_sequence');
  assert.equal(md.delta.stop_sequence, 'STOPHERE');
  assert.ok(elapsed < 2000, `stream took ${elapsed} ms: the upstream should be cancelled at the match, not read to the end`);

  // Same through the SDK.
  const { final } = await sdkStream(stack.client(), {
    model: SONNET,
    max_tokens: 200,
    stop_sequences: ['STOPHERE'],
    messages: [{ role: 'user', content: 'go again E2E-STOP-S' }],
  });
  assert.equal(final.content[0].text, 'alpha beta ');
  assert.equal(final.stop_reason, 'stop_sequence');
  assert.equal(final.stop_sequence, 'STOPHERE');
});

test('stop_sequences, non-stream: text cut at the first match, stop_sequence set', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-STOP-NS' }, respond: { text: STOP_TEXT, chunk_size: 3 } }]);
  const msg = await stack.client().messages.create({
    model: SONNET,
    max_tokens: 200,
    stop_sequences: ['gamma', 'beta'],
    messages: [{ role: 'user', content: 'go E2E-STOP-NS' }],
  });
  assert.equal(msg.content.length, 1);
  assert.equal(msg.content[0].text, 'alpha ');
  assert.equal(msg.stop_reason, 'stop_sequence');
  assert.equal(msg.stop_sequence, 'beta');
});

// ---------- terminal states ----------

test('response.incomplete (max_output_tokens) → stop_reason max_tokens (stream and non-stream)', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-INCOMPLETE' }, respond: { text: 'This answer is cut', incomplete: true } }]);
  const params = sonnetBody('long E2E-INCOMPLETE');
  const { events, final } = await sdkStream(stack.client(), params);
  assert.deepEqual(validateAnthropicSSE(events), []);
  assert.equal(final.stop_reason, 'max_tokens');
  assert.equal(final.content[0].text, 'This answer is cut');
  const msg = await stack.client().messages.create(params);
  assert.equal(msg.stop_reason, 'max_tokens');
  assert.equal(msg.content[0].text, 'This answer is cut');
});

test('response.failed mid-stream → event: error; SDK stream throws', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-FAILED' }, respond: { text: 'partial', failed: 'The model crashed (E2E).' } }]);
  const body = sonnetBody('x E2E-FAILED');
  const { status, text } = await rawMessagesStream(stack, body);
  assert.equal(status, 200, text);
  assertValidAnthropicSSE(text, { allowError: true });
  const events = sseEvents(text);
  const last = events.at(-1);
  assert.equal(last.type, 'error', `last event: ${JSON.stringify(last)}`);
  assert.equal(last.error.type, 'api_error');
  assert.ok(last.error.message.includes('The model crashed (E2E).'), last.error.message);
  assert.ok(!events.some((e) => e.type === 'message_stop'), 'no message_stop after a failure');

  await assert.rejects(sdkStream(stack.client(), body), (e) => {
    assert.ok(e instanceof Anthropic.APIError, `expected APIError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(String(e.message).includes('The model crashed (E2E).'), e.message);
    return true;
  });

  // Non-stream: the failure is an HTTP error.
  const ns = await stack.post('/v1/messages', body);
  assert.equal(ns.status, 500, ns.text);
  assert.equal(ns.json?.error?.type, 'api_error');
});

test('bare error event mid-stream → event: error', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-ERREV' }, respond: { text: 'partial', error_event: 'Rate limit reached (E2E).' } }]);
  const { status, text } = await rawMessagesStream(stack, sonnetBody('x E2E-ERREV'));
  assert.equal(status, 200, text);
  assertValidAnthropicSSE(text, { allowError: true });
  const last = sseEvents(text).at(-1);
  assert.equal(last.type, 'error', `last event: ${JSON.stringify(last)}`);
  assert.equal(last.error.type, 'rate_limit_error');
  assert.ok(last.error.message.includes('Rate limit reached (E2E).'), last.error.message);
});

// ---------- usage ----------

test('usage: input_tokens = input − cached, cache_read_input_tokens = cached (stream and non-stream)', async () => {
  await stack.mockRules([
    { match: { contains: 'E2E-USAGE' }, respond: { text: 'ok', usage: { input_tokens: 1000, output_tokens: 70, cached_tokens: 600, reasoning_tokens: 20 } } },
  ]);
  const params = sonnetBody('count E2E-USAGE');
  const msg = await stack.client().messages.create(params);
  assert.equal(msg.usage.input_tokens, 400);
  assert.equal(msg.usage.cache_read_input_tokens, 600);
  assert.equal(msg.usage.output_tokens, 70);
  const { final } = await sdkStream(stack.client(), params);
  assert.equal(final.usage.input_tokens, 400);
  assert.equal(final.usage.cache_read_input_tokens, 600);
  assert.equal(final.usage.output_tokens, 70);
});

// ---------- codex routing without AZURE_BACKEND ----------

chatStack.test('azure/gpt-5-codex goes to the Responses API without AZURE_BACKEND; other deployments stay on chat', async () => {
  const client = chatStack.client();
  const msg = await client.messages.create({ model: 'azure/gpt-5-codex', max_tokens: 50, messages: [{ role: 'user', content: 'hi E2E-CODEX' }] });
  assert.equal(msg.model, 'azure/gpt-5-codex');
  assert.equal(msg.content[0].text, 'mock reply: hi E2E-CODEX');
  await client.messages.create(sonnetBody('hi E2E-CHAT'));
  const reqs = await chatStack.mockRequests();
  assert.equal(reqs.length, 2);
  assert.equal(reqs[0].api, 'responses');
  assert.equal(reqs[0].path, '/openai/v1/responses');
  assert.equal(upstreamBody(reqs[0]).model, CODEX);
  assert.equal(reqs[0].status, 200);
  assert.equal(reqs[1].api, 'chat', `sonnet → ${BIG} should stay on chat: ${reqs[1].path}`);
  assert.equal(reqs[1].status, 200);
});
