// The one exchange flow, end to end through the official SDKs: every rule of issue 10 on the
// Anthropic → Chat, Anthropic → Responses and Cursor (OpenAI chat) → Responses paths, against the
// strict mock, which rejects what Azure rejects (unanswered calls, orphan outputs, bad names).
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { useStack, upstreamBody, TOKEN } from './harness.mjs';

const CHAT_DEP = 'big-dep';
const CODEX = 'gpt-5-codex';  // always served by the Responses API
const stack = useStack({
  deployments: ['small-dep', CHAT_DEP, CODEX],
  proxyEnv: { AZURE_RESPONSES_API_VERSION: 'v1', UPSTREAM_RETRIES: '0' },
});
const test = stack.test;

const anthropic = () => new Anthropic({ baseURL: stack.proxyUrl, apiKey: TOKEN, maxRetries: 0 });
const openai = () => new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });

const READ_TOOL = { name: 'Read', description: 'read a file', input_schema: { type: 'object', properties: { p: { type: 'string' } } } };
const anthropicPaths = [
  ['Chat', 'claude-sonnet-4-5'],         // BIG_MODEL = big-dep, Chat Completions
  ['Responses', `azure/${CODEX}`],        // codex: the Responses API
];

// 1. A tool call cut off by max_tokens: stop_reason max_tokens, never tool_use, no invented input.
for (const [name, model] of anthropicPaths) {
  for (const stream of [false, true]) {
    test(`length wins over a truncated tool call (${name}, ${stream ? 'stream' : 'whole'})`, async () => {
      const mark = `E2E-TRUNC-${name}-${stream}`;
      const truncated = { name: 'Write', arguments: '{"path":"a.txt","content":"hello wor' };
      const respond = name === 'Chat'
        ? { tool_calls: [truncated], finish_reason: 'length' }
        : { tool_calls: [truncated], incomplete: true };
      await stack.mockRules([{ match: { contains: mark }, respond }]);
      const params = { model, max_tokens: 20, messages: [{ role: 'user', content: mark }],
        tools: [{ name: 'Write', input_schema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } } }] };
      const msg = stream ? await anthropic().messages.stream(params).finalMessage() : await anthropic().messages.create(params);
      assert.equal(msg.stop_reason, 'max_tokens');
      if (!stream) assert.deepEqual(msg.content.filter((b) => b.type === 'tool_use'), []);
      for (const b of msg.content.filter((b) => b.type === 'tool_use')) assert.notDeepEqual(b.input, {});
    });
  }
}

// 2. Interrupted tool call (Claude Code after Esc) and an orphan result: repaired on every path;
// the mock answers 400 "No tool output found for function call …" to an unrepaired history.
for (const [name, model] of anthropicPaths) {
  test(`interrupted tool call and orphan result are repaired (${name})`, async () => {
    const msg = await anthropic().messages.create({
      model, max_tokens: 50, tools: [READ_TOOL],
      messages: [
        { role: 'user', content: 'read a' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01Interrupted', name: 'Read', input: { p: 'a' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Gone', content: 'stale' }, { type: 'text', text: 'never mind' }] },
      ],
    });
    assert.equal(msg.type, 'message');
    const body = upstreamBody((await stack.mockRequests()).at(-1));
    const text = JSON.stringify(body);
    assert.match(text, /interrupted/);
    assert.match(text, /result of an earlier tool call toolu_01Gone/);
  });
}

test('Cursor history: unanswered tool_calls and an orphan tool message are repaired', async () => {
  const res = await openai().chat.completions.create({
    model: CODEX,
    messages: [
      { role: 'user', content: 'read a' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_unanswered', type: 'function', function: { name: 'Read', arguments: '{"p":"a"}' } }] },
      { role: 'user', content: 'never mind' },
      { role: 'tool', tool_call_id: 'call_orphan', content: 'stale' },
    ],
    tools: [{ type: 'function', function: { name: 'Read', parameters: { type: 'object' } } }],
  });
  assert.equal(res.choices[0].finish_reason, 'stop');
  const input = upstreamBody((await stack.mockRequests()).at(-1)).input;
  const output = input.find((i) => i.type === 'function_call_output');
  assert.equal(output.call_id, 'call_unanswered');
  assert.ok(!input.some((i) => i.type === 'function_call_output' && i.call_id === 'call_orphan'));
});

// 3. Tool names Azure rejects (MCP names with dots, over 64 characters) on the Cursor route.
test('Cursor: tool names Azure rejects are aliased and mapped back', async () => {
  const name = 'mcp__server.with.dots__' + 'x'.repeat(60);
  const mark = 'E2E-ALIAS-CURSOR';
  const up = 'mcp__server_with_dots__' + 'x'.repeat(32);  // what the mock is told to call: the alias's prefix
  const first = await openai().chat.completions.create({
    model: CODEX, messages: [{ role: 'user', content: mark }],
    tools: [{ type: 'function', function: { name, parameters: { type: 'object' } } }],
  });
  const sent = upstreamBody((await stack.mockRequests()).at(-1)).tools[0].name;
  assert.ok(/^[A-Za-z0-9_-]{1,64}$/.test(sent), sent);
  assert.ok(sent.startsWith(up.slice(0, 20)), sent);
  assert.equal(first.choices[0].finish_reason, 'stop');
  await stack.mockRules([{ match: { contains: 'E2E-ALIAS-CALL' }, respond: { tool_calls: [{ name: sent, arguments: '{}' }] } }]);
  const res = await openai().chat.completions.create({
    model: CODEX, messages: [{ role: 'user', content: 'E2E-ALIAS-CALL' }],
    tools: [{ type: 'function', function: { name, parameters: { type: 'object' } } }],
  });
  assert.equal(res.choices[0].message.tool_calls[0].function.name, name);
});

// 4. What the proxy showed as <think>…</think> never goes back to Azure.
test('Cursor: <think> and reasoning_content are stripped from the history', async () => {
  await openai().chat.completions.create({
    model: CODEX,
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '<think>\nSecret plan.\n</think>\n\nHello!', reasoning_content: 'Secret plan.' },
      { role: 'user', content: 'again' },
    ],
  });
  const body = upstreamBody((await stack.mockRequests()).at(-1));
  assert.doesNotMatch(JSON.stringify(body), /think|Secret plan/);
  assert.equal(body.input[1].content[0].text, 'Hello!');
});

// 5. Context overflow on the Responses backend: the numbers Claude Code compacts by.
test('Responses backend: context overflow says N tokens > M maximum', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-OVERFLOW' }, respond: { status: 400, error: { error: {
    message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
    type: 'invalid_request_error', param: 'input', code: 'context_length_exceeded' } } } }]);
  await assert.rejects(
    anthropic().messages.create({ model: `azure/${CODEX}`, max_tokens: 50, messages: [{ role: 'user', content: 'E2E-OVERFLOW' }] }),
    (e) => e.status === 400 && /prompt is too long: \d+ tokens > 272000 maximum/.test(e.message),
  );
});
