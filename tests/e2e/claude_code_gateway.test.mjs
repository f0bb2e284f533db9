// Claude Code's LLM-gateway contract: model discovery (GET /v1/models read by the real CLI into
// its /model picker cache), the session header as the prompt cache key, anthropic-beta honoured.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { useStack, upstreamBody, TOKEN } from './harness.mjs';
import { claudeRunner, tempDirs, checked } from './claude_cli_harness.mjs';

const stack = useStack({ proxyEnv: { AZURE_API_VERSION: '2025-04-01-preview' } });
const test = stack.test;

test('GET /v1/models: an Anthropic list (Anthropic SDK, paginated) that OpenAI clients parse too', async () => {
  const a = new Anthropic({ baseURL: stack.proxyUrl, apiKey: TOKEN, maxRetries: 0 });
  const ids = [];
  for await (const m of a.models.list({ limit: 3 })) {
    assert.equal(m.type, 'model');
    assert.ok(m.display_name && m.created_at, JSON.stringify(m));
    ids.push(m.id);
  }
  assert.ok(ids.includes('claude-sonnet-4-5') && ids.includes('anthropic/big-dep') && ids.includes('anthropic/small-dep'), ids.join(','));
  assert.equal(new Set(ids).size, ids.length, 'pagination repeated an entry');
  const page = await (await fetch(`${stack.proxyUrl}/v1/models?limit=2`, { headers: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' } })).json();
  assert.equal(page.data.length, 2);
  assert.equal(page.has_more, true);
  assert.equal(page.first_id, page.data[0].id);
  assert.equal(page.last_id, page.data[1].id);
  const o = new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
  const openaiIds = [];
  for await (const m of o.models.list()) openaiIds.push(m.id);
  assert.ok(openaiIds.includes('gpt-high') && openaiIds.includes('big-dep'), openaiIds.join(','));
});

test('the real CLI with gateway model discovery lists the gateway models in its picker cache', { timeout: 120000 }, async () => {
  await stack.mockRules([{ match: { contains: 'E2E-DISCOVERY' }, respond: { text: 'hello E2E-DISCOVERED' } }]);
  const runClaude = claudeRunner(stack, { timeoutMs: 90000, env: { CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: '1' } });
  const dirs = tempDirs();
  try {
    const run = await runClaude(['-p', 'E2E-DISCOVERY say hello'], dirs);
    await checked(run, async () => {
      assert.equal(run.code, 0);
      const cache = path.join(dirs.home, '.claude', 'cache', 'gateway-models.json');
      assert.ok(existsSync(cache), 'no gateway-models.json: discovery did not run');
      const text = readFileSync(cache, 'utf8');
      for (const id of ['claude-sonnet-4-5', 'anthropic/big-dep', 'anthropic/small-dep']) assert.ok(text.includes(id), `${id} missing from ${text}`);
      assert.ok(!text.includes('"gpt-high"'), 'Claude Code keeps only claude/anthropic ids');
    });
  } finally {
    dirs.cleanup();
  }
});

test('X-Claude-Code-Session-Id becomes the prompt cache key when metadata names no session', async () => {
  const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN, 'x-claude-code-session-id': 'sess-header-42' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'E2E-SESSION' }] }),
  });
  assert.equal(res.status, 200);
  const body = upstreamBody((await stack.mockRequests()).at(-1));
  assert.equal(body.prompt_cache_key, 'sess-header-42');
});

test('anthropic-beta thinking-token-count: the reasoning tokens Azure counted reach usage.output_tokens_details', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-THINKTOK' }, respond: { text: 'ok', usage: { completion_tokens: 50, reasoning_tokens: 34 } } }]);
  const a = new Anthropic({ baseURL: stack.proxyUrl, apiKey: TOKEN, maxRetries: 0 });
  const params = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'E2E-THINKTOK' }] };
  const beta = { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14,thinking-token-count-2026-05-13' } };
  const whole = await a.messages.create(params, beta);
  assert.deepEqual(whole.usage.output_tokens_details, { thinking_tokens: 34 });
  assert.equal(whole.usage.output_tokens, 50);
  const streamed = await a.messages.stream(params, beta).finalMessage();
  assert.deepEqual(streamed.usage.output_tokens_details, { thinking_tokens: 34 });
  const plain = await a.messages.create(params);  // without the beta: Anthropic's plain usage
  assert.equal(plain.usage.output_tokens_details, undefined);
});

test('context_management edits are applied before Azure sees the prompt, and reported', async () => {
  const turns = [{ role: 'user', content: 'E2E-CTXEDIT start' }];
  for (let i = 0; i < 5; i++) {
    turns.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_ctx${i}`, name: 'Read', input: { p: `f${i}` } }] });
    turns.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_ctx${i}`, content: `big output ${i} `.repeat(50) }] });
  }
  const a = new Anthropic({ baseURL: stack.proxyUrl, apiKey: TOKEN, maxRetries: 0 });
  const msg = await a.messages.create({
    model: 'claude-sonnet-4-5', max_tokens: 50, messages: turns,
    tools: [{ name: 'Read', input_schema: { type: 'object', properties: { p: { type: 'string' } } } }],
    context_management: { edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'tool_uses', value: 3 }, keep: { type: 'tool_uses', value: 2 } }] },
  }, { headers: { 'anthropic-beta': 'context-management-2025-06-27' } });
  assert.equal(msg.context_management.applied_edits[0].type, 'clear_tool_uses_20250919');
  assert.equal(msg.context_management.applied_edits[0].cleared_tool_uses, 3);
  const tools = upstreamBody((await stack.mockRequests()).at(-1)).messages.filter((m) => m.role === 'tool');
  assert.equal(tools.length, 5);
  assert.deepEqual(tools.map((m) => m.content.includes('cleared')), [true, true, true, false, false]);
});
