// Replays requests captured from the real Claude Code CLI (tests/e2e/fixtures/)
// through the proxy, raw, with the CLI's own headers.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'node:test';
import { useStack, TOKEN, E2E_DIR, SMALL_DEPLOYMENT, BIG_DEPLOYMENT, upstreamBody } from './harness.mjs';
import { assertValidAnthropicSSE, sseEvents } from './sse_validator.mjs';
import { deltaText } from './anthropic_helpers.mjs';

const FIXTURES = path.join(E2E_DIR, 'fixtures');
const captured = JSON.parse(readFileSync(path.join(FIXTURES, 'claude_code_headers.json'), 'utf8'));
const requestFiles = readdirSync(path.join(FIXTURES, 'requests'))
  .filter((f) => f.endsWith('.json'))
  .sort();

/** The CLI's headers, with our token and without hop-by-hop / length headers. */
function cliHeaders() {
  const h = {};
  for (const [k, v] of Object.entries(captured.headers)) {
    const lk = k.toLowerCase();
    if (['content-length', 'host', 'connection', 'accept-encoding'].includes(lk)) continue;
    h[lk] = v;
  }
  h.authorization = `Bearer ${TOKEN}`;
  return h;
}

function load(file) {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'requests', file), 'utf8'));
}

/** Fields the count_tokens endpoint accepts. */
const COUNT_TOKENS_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'];

describe('chat-model deployments', () => {
  const stack = useStack();
  const test = stack.test;

  test('fixtures are present', () => {
    assert.ok(requestFiles.length >= 2, `found ${requestFiles.length} fixture requests`);
    assert.equal(captured.method, 'POST');
    assert.match(captured.path, /^\/v1\/messages/);
});

for (const file of requestFiles) {
  const body = load(file);
  const expectedDeployment = /haiku/i.test(body.model) ? SMALL_DEPLOYMENT : BIG_DEPLOYMENT;

  test(`${file}: streamed through the proxy with the CLI headers → 200 and a valid SSE stream`, async () => {
    const res = await fetch(stack.proxyUrl + captured.path, {
      method: captured.method,
      headers: cliHeaders(),
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(body.stream, true, 'fixture should be a streaming request');
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assertValidAnthropicSSE(text);
    const events = sseEvents(text);
    assert.equal(events[0].type === 'ping' ? events[1].message.model : events[0].message.model, body.model);
    assert.ok(events.some((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta'), text);

    const reqs = await stack.mockRequests();
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0].deployment, expectedDeployment);
    assert.equal(reqs[0].status, 200, 'the mock (strict Azure) accepted the translated request');
    const up = upstreamBody(reqs[0]);
    // Every client tool reaches Azure as a function tool.
    assert.equal(up.tools?.length, body.tools.length);
    for (const t of up.tools) assert.equal(t.type, 'function');
  });

  test(`${file}: mock answers with a Bash tool call → valid tool_use stream`, async () => {
    await stack.mockRules([
      {
        match: {},
        respond: {
          tool_calls: [{ id: 'call_fx_1', name: 'Bash', arguments: { command: 'ls -la', description: 'List files' } }],
          chunk_size: 6,
        },
      },
    ]);
    const res = await fetch(stack.proxyUrl + captured.path, {
      method: 'POST',
      headers: cliHeaders(),
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assertValidAnthropicSSE(text);
    const events = sseEvents(text);
    const start = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
    assert.ok(start, text);
    assert.equal(start.content_block.name, 'Bash');
    const json = events
      .filter((e) => e.type === 'content_block_delta' && e.index === start.index && e.delta.type === 'input_json_delta')
      .map((e) => e.delta.partial_json)
      .join('');
    assert.deepEqual(JSON.parse(json), { command: 'ls -la', description: 'List files' });
    assert.equal(events.find((e) => e.type === 'message_delta').delta.stop_reason, 'tool_use');
  });

  test(`${file}: /v1/messages/count_tokens?beta=true → positive integer`, async () => {
    const ctBody = {};
    for (const k of COUNT_TOKENS_FIELDS) if (k in body) ctBody[k] = body[k];
    const res = await fetch(stack.proxyUrl + '/v1/messages/count_tokens?beta=true', {
      method: 'POST',
      headers: cliHeaders(),
      body: JSON.stringify(ctBody),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const json = JSON.parse(text);
    assert.ok(Number.isInteger(json.input_tokens) && json.input_tokens > 0, text);
    // The request carries thousands of characters of system prompt and tool schemas.
    assert.ok(json.input_tokens > 500, `implausibly small count: ${text}`);
  });
}

test('tool-loop fixture: tool_result reaches Azure as role:"tool" for the Bash call', async () => {
  const body = load('claude_code_tool_loop_turn.json');
  const res = await fetch(stack.proxyUrl + captured.path, { method: 'POST', headers: cliHeaders(), body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const up = upstreamBody((await stack.mockRequests())[0]);
  const assistant = up.messages.find((m) => m.role === 'assistant' && m.tool_calls);
  assert.ok(assistant, JSON.stringify(up.messages).slice(0, 2000));
  assert.equal(assistant.tool_calls[0].function.name, 'Bash');
  const tool = up.messages.find((m) => m.role === 'tool');
  assert.equal(tool.tool_call_id, assistant.tool_calls[0].id);
  const content = typeof tool.content === 'string' ? tool.content : tool.content.map((p) => p.text).join('');
  assert.match(content, /Bash completed with no output/);
  // The mid-conversation system message is not lost.
  assert.ok(JSON.stringify(up.messages).includes('6062 characters of text redacted'), 'mid-conversation system text missing upstream');
});
});

// Both deployments declared as reasoning models (as GPT-5 / o-series are): the mock
// then rejects what Azure rejects for them (max_tokens, temperature != 1, ...), and
// answers with reasoning_content.
describe('reasoning-model deployments', () => {
  const stack = useStack({
    reasoningDeployments: [SMALL_DEPLOYMENT, BIG_DEPLOYMENT],
    proxyEnv: { REASONING_DEPLOYMENTS: `${SMALL_DEPLOYMENT},${BIG_DEPLOYMENT}` },
  });
  const test = stack.test;

  for (const file of requestFiles) {
    const body = load(file);
    test(`${file}: accepted by a reasoning deployment, reasoning_content streamed as a valid stream`, async () => {
      await stack.mockRules([
        { match: {}, respond: { reasoning_content: 'Thinking about the request step by step.', text: 'Done thinking. REASONED-OK', chunk_size: 9 } },
      ]);
      const res = await fetch(stack.proxyUrl + captured.path, { method: 'POST', headers: cliHeaders(), body: JSON.stringify(body) });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assertValidAnthropicSSE(text);
      const events = sseEvents(text);
      const answer = deltaText(events, 'text_delta', 'text');
      assert.equal(answer, 'Done thinking. REASONED-OK');
      // The client asked for thinking: the upstream reasoning comes back as a thinking block before the text.
      if (body.thinking && body.thinking.type !== 'disabled') {
        const thinking = deltaText(events, 'thinking_delta', 'thinking');
        // display "omitted" (Claude Code 2.1.3xx): the block comes, its text does not (Anthropic's documented behaviour).
        const want = body.thinking.display === 'omitted' ? '' : 'Thinking about the request step by step.';
        assert.equal(thinking, want, 'reasoning_content should surface as a thinking block');
        assert.ok(events.some((e) => e.content_block?.type === 'thinking'), 'no thinking block');
      }
      const reqs = await stack.mockRequests();
      assert.equal(reqs.length, 1);
      assert.equal(reqs[0].status, 200, `mock rejected the translated request: ${JSON.stringify(reqs[0].body).slice(0, 300)}`);
      const up = upstreamBody(reqs[0]);
      assert.ok(!('max_tokens' in up), 'reasoning deployments take max_completion_tokens, not max_tokens');
    });
  }
});
