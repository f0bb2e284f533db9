// Per-deployment model quirks that Azure answers with a 400: the proxy learns each from Azure's
// own error text, resends once within it, and sends the next request right the first time.
// The mock's --model-limits makes each deployment refuse what the real model refuses, with
// Azure's texts (tools/mock-azure/model_limits.cpp).
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { useStack, upstreamBody, TOKEN } from './harness.mjs';

const CHAT_MODEL = 'gpt-5-chat';             // named like a reasoning model, has no reasoning
const NO_MINIMAL = 'gpt-5.1';                // effort minimal refused
const FOUNDRY = 'llama-foundry';             // prompt_cache_key refused
const TOOLS_ON_RESPONSES = 'gpt-5.4';        // tools + reasoning_effort refused on Chat
const NO_ENCRYPTED = 'gpt-5-codex-noenc';    // encrypted reasoning refused
const CHAT_MODEL_2 = 'gpt-5-chat-two';       // the same quirk, learned under concurrent requests
const stack = useStack({
  deployments: ['small-dep', 'big-dep', CHAT_MODEL, CHAT_MODEL_2, NO_MINIMAL, FOUNDRY, TOOLS_ON_RESPONSES, NO_ENCRYPTED],
  mockArgs: ['--model-limits', `${CHAT_MODEL}=no_reasoning,${CHAT_MODEL_2}=no_reasoning,${NO_MINIMAL}=no_minimal,${FOUNDRY}=no_cache_key,` +
    `${TOOLS_ON_RESPONSES}=tools_reasoning_responses_only,${NO_ENCRYPTED}=no_encrypted`],
  proxyEnv: { AZURE_API_VERSION: '2025-04-01-preview', AZURE_RESPONSES_API_VERSION: 'v1', CURSOR_AZURE_DEPLOYMENT: NO_MINIMAL },
});
const test = stack.test;
const anthropic = () => new Anthropic({ baseURL: stack.proxyUrl, apiKey: TOKEN, maxRetries: 0 });

/** Statuses the mock answered for requests containing `mark`, in order. */
async function statuses(mark) {
  return (await stack.mockRequests()).filter((r) => JSON.stringify(upstreamBody(r)).includes(mark)).map((r) => r.status);
}

async function learnedOnce(send, mark) {
  const first = await send(`${mark}-1`);
  assert.deepEqual(await statuses(`${mark}-1`), [400, 200], 'first request: refused once, then resent within it');
  const second = await send(`${mark}-2`);
  assert.deepEqual(await statuses(`${mark}-2`), [200], 'second request: accepted on its first try');
  return [first, second];
}

// max_tokens above the budget: Anthropic refuses budget_tokens >= max_tokens, and so does the proxy.
const THINK = { type: 'enabled', budget_tokens: 2048 };
const TOOL = { name: 'Read', input_schema: { type: 'object', properties: { p: { type: 'string' } } } };

test('a chat model named like a reasoning model: reasoning_effort dropped, answered 200', async () => {
  const [msg] = await learnedOnce((m) => anthropic().messages.create({
    model: `azure/${CHAT_MODEL}`, max_tokens: 4096, thinking: THINK, messages: [{ role: 'user', content: m }] }), 'E2E-CAP-CHAT');
  assert.equal(msg.type, 'message');
  const last = upstreamBody((await stack.mockRequests()).at(-1));
  assert.equal(last.reasoning_effort, undefined);
});

test('requests in flight when a lesson is learned are resent within it too, not failed', async () => {
  // Sent together to a deployment nothing is known of yet: several reach Azure with
  // reasoning_effort before the first 400 comes back. The first teaches the lesson; the others
  // find it learned already, and must still be resent (a 400 for each was the bug).
  const n = 12;
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => anthropic().messages.create({
    model: `azure/${CHAT_MODEL_2}`, max_tokens: 4096, thinking: THINK,
    messages: [{ role: 'user', content: `E2E-CAP-RACE-${i}` }] }).catch((e) => e)));
  const refused = (await statuses('E2E-CAP-RACE-')).filter((s) => s === 400).length;
  for (const a of answers) assert.equal(a.type, 'message', `answered (${refused} of ${n} refused once by Azure): ${a.message ?? ''}`);
  assert.ok(refused >= 1 && refused <= n, `each refused at most once: ${refused}`);
  assert.equal((await statuses('E2E-CAP-RACE-')).filter((s) => s === 200).length, n);
});

test('effort minimal on gpt-5.1 (Cursor gpt-minimal): stepped to the nearest supported value', async () => {
  const c = new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
  await learnedOnce((m) => c.chat.completions.create({ model: 'gpt-minimal', messages: [{ role: 'user', content: m }] }), 'E2E-CAP-MIN');
  const last = upstreamBody((await stack.mockRequests()).at(-1));
  assert.equal(last.reasoning.effort, 'low');
});

test('prompt_cache_key on a Foundry model: dropped, answered 200', async () => {
  await learnedOnce((m) => anthropic().messages.create({
    model: `azure/${FOUNDRY}`, max_tokens: 50, metadata: { user_id: JSON.stringify({ session_id: 'sess-1' }) },
    messages: [{ role: 'user', content: m }] }), 'E2E-CAP-CACHE');
  assert.equal(upstreamBody((await stack.mockRequests()).at(-1)).prompt_cache_key, undefined);
});

test('tools with reasoning refused on Chat: that deployment is served by the Responses API', async () => {
  await learnedOnce((m) => anthropic().messages.create({
    model: `azure/${TOOLS_ON_RESPONSES}`, max_tokens: 4096, thinking: THINK, tools: [TOOL],
    messages: [{ role: 'user', content: m }] }), 'E2E-CAP-TOOLS');
  const reqs = await stack.mockRequests();
  assert.equal(reqs.at(-1).api, 'responses');
});

test('encrypted reasoning refused: not asked for, not replayed', async () => {
  const [msg] = await learnedOnce((m) => anthropic().messages.create({
    model: `azure/${NO_ENCRYPTED}`, max_tokens: 4096, thinking: THINK, messages: [{ role: 'user', content: m }] }), 'E2E-CAP-ENC');
  assert.equal(msg.type, 'message');
  const body = upstreamBody((await stack.mockRequests()).at(-1));
  assert.ok(!JSON.stringify(body.include ?? []).includes('encrypted'));
  // A later turn carrying one of our signatures does not replay it to this deployment.
  await anthropic().messages.create({
    model: `azure/${NO_ENCRYPTED}`, max_tokens: 4096, thinking: THINK,
    messages: [{ role: 'user', content: 'E2E-CAP-ENC-3' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 'agp1:rs_1:ENC' }, { type: 'text', text: 'ok' }] },
      { role: 'user', content: 'again' }] });
  assert.deepEqual(await statuses('E2E-CAP-ENC-3'), [200]);
});

test('a 400 that is not about a capability is passed on, not resent', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-CAP-OTHER' }, respond: { status: 400, error: { error: {
    message: 'Invalid image data.', type: 'invalid_request_error', param: null, code: 'invalid_image' } } } }]);
  await assert.rejects(anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50,
    messages: [{ role: 'user', content: 'E2E-CAP-OTHER' }] }), (e) => e.status === 400);
  assert.deepEqual(await statuses('E2E-CAP-OTHER'), [400]);
});
