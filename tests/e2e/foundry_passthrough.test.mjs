// Claude on AI Foundry (`api: anthropic`): /v1/messages and count_tokens go to the resource's
// Anthropic endpoint with the body unchanged except `model`, anthropic-version / anthropic-beta
// forwarded, answers and errors returned unmodified; one route mixes it with a GPT deployment on
// Azure OpenAI and fails over between them. The Anthropic endpoint is a small mock started here.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import http from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Child, baseEnv, MOCK_BIN, PROXY_BIN, TOKEN } from './harness.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-foundry-'));
const seen = [];
let failNext = 0;
let foundry, foundryUrl, azure, azureUrl, proxy, proxyUrl;

const MESSAGE = { id: 'msg_foundry_1', type: 'message', role: 'assistant', model: 'claude-opus-4-5', content: [{ type: 'text', text: 'from real Claude' }],
  stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 12, output_tokens: 4 } };
const STREAM = [
  ['message_start', { type: 'message_start', message: { ...MESSAGE, content: [], stop_reason: null, usage: { input_tokens: 12, output_tokens: 1 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'from real Claude' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } }],
  ['message_stop', { type: 'message_stop' }],
];

before(async () => {
  foundry = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ path: req.url, headers: req.headers, body: JSON.parse(body) });
      if (req.headers['api-key'] !== 'key-foundry') { res.writeHead(401).end('{}'); return; }
      if (failNext > 0) {
        failNext--;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'foundry says slow down' } }));
        return;
      }
      if (req.url === '/anthropic/v1/messages/count_tokens') { res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens":42}'); return; }
      if (JSON.parse(body).model === 'bad') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'exactly as Anthropic said it' } }));
        return;
      }
      if (JSON.parse(body).stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const [e, d] of STREAM) res.write(`event: ${e}\ndata: ${JSON.stringify(d)}\n\n`);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MESSAGE));
      }
    });
  });
  await new Promise((r) => foundry.listen(0, '127.0.0.1', r));
  foundryUrl = `http://127.0.0.1:${foundry.address().port}`;
  azure = new Child('mock-azure', MOCK_BIN, ['--listen', '127.0.0.1:0', '--api-key', 'key-azure', '--deployments', 'big-dep'], { env: baseEnv() });
  azureUrl = await azure.waitForUrl();
  writeFileSync(path.join(dir, 'team.yaml'), `endpoints:
  - {name: foundry, url: "${foundryUrl}", api_key: key-foundry}
  - {name: azure, url: "${azureUrl}", api_key: key-azure}
deployments:
  - {name: claude-foundry, endpoint: foundry, deployment: claude-opus-4-5, api: anthropic}
  - {name: broken-claude, endpoint: foundry, deployment: bad, api: anthropic}
  - {name: gpt-azure, endpoint: azure, deployment: big-dep}
routes:
  "*opus*": [claude-foundry, gpt-azure]
  "broken*": broken-claude
`);
  proxy = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', '--config', path.join(dir, 'team.yaml')],
    { env: { ...baseEnv(), ANTHROPIC_AUTH_TOKEN: TOKEN, UPSTREAM_RETRIES: '0' } });
  proxyUrl = await proxy.waitForUrl();
});
after(async () => {
  await Promise.all([proxy?.stop(), azure?.stop(), new Promise((r) => foundry?.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new Anthropic({ baseURL: proxyUrl, apiKey: TOKEN, maxRetries: 0 });
const params = { model: 'claude-opus-4-5-20251101', max_tokens: 50, messages: [{ role: 'user', content: 'E2E-FOUNDRY' }], metadata: { user_id: 'u1' } };

test('whole and streamed answers come from the Anthropic endpoint unmodified; the body keeps all but model', async () => {
  const whole = await client().messages.create(params, { headers: { 'anthropic-beta': 'context-management-2025-06-27' } });
  assert.deepEqual(whole, MESSAGE);
  const sent = seen.at(-1);
  assert.equal(sent.path, '/anthropic/v1/messages');
  assert.deepEqual(sent.body, { ...params, model: 'claude-opus-4-5' });
  assert.match(sent.headers['anthropic-version'], /^\d{4}-\d{2}-\d{2}$/);  // the SDK's own version, forwarded
  assert.equal(sent.headers['anthropic-beta'], 'context-management-2025-06-27');
  const events = [];
  for await (const e of client().messages.stream(params)) events.push(e);
  assert.deepEqual(events.map((e) => e.type), STREAM.map(([t]) => t));
  assert.deepEqual(events.find((e) => e.type === 'content_block_delta').delta, { type: 'text_delta', text: 'from real Claude' });
});

test('count_tokens goes to the Anthropic endpoint', async () => {
  const r = await client().messages.countTokens({ model: params.model, messages: params.messages });
  assert.equal(r.input_tokens, 42);
  assert.equal(seen.at(-1).path, '/anthropic/v1/messages/count_tokens');
});

test("the Anthropic endpoint's own errors reach the client as it sent them", async () => {
  await assert.rejects(client().messages.create({ ...params, model: 'broken-model' }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.error.error.message, 'exactly as Anthropic said it');
    return true;
  });
});

test('a rate-limited Claude on Foundry fails over to the GPT deployment of the same route (translated)', async () => {
  failNext = 1;
  const msg = await client().messages.create(params);
  assert.equal(msg.type, 'message');
  assert.match(msg.content[0].text, /mock reply/);  // mock-azure's answer, translated to Anthropic's shape
  assert.equal(msg.model, params.model);
});
