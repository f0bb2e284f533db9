// Azure API Management in front of Azure OpenAI: the mock plays APIM (subscription key in
// Ocp-Apim-Subscription-Key, the API under a path prefix, the token-limit policy's quota), the
// proxy's config file names the header, the prefix and extra static headers. A spent quota (403)
// hands the request to the next deployment, and with none left reaches the client as a 429.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Child, baseEnv, MOCK_BIN, PROXY_BIN, TOKEN } from './harness.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-apim-'));
const mocks = {};
let proxy;
let proxyUrl;

async function startApim(name, key, extra = []) {
  const args = ['--listen', '127.0.0.1:0', '--apim-key', key, '--path-prefix', '/team-openai',
    '--deployments', 'big-dep', ...extra];
  const child = new Child(`apim-${name}`, MOCK_BIN, args, { env: baseEnv() });
  mocks[name] = { child, url: await child.waitForUrl() };
}

before(async () => {
  // east: a token quota of 30 tokens per hour for this subscription.
  await startApim('east', 'apim-key-east', ['--apim-token-quota', '30', '--apim-quota-period', '3600']);
  await startApim('west', 'apim-key-west');
  const yaml = `endpoints:
  - name: apim-east
    url: ${mocks.east.url}/team-openai
    api_key: \${APIM_KEY_EAST}
    auth_header: Ocp-Apim-Subscription-Key
    headers: {x-team: platform}
  - name: apim-west
    url: ${mocks.west.url}/team-openai
    api_key: \${APIM_KEY_WEST}
    auth_header: Ocp-Apim-Subscription-Key
  - name: apim-typo
    url: ${mocks.west.url}/team-openai
    api_key: not-the-key
    auth_header: Ocp-Apim-Subscription-Key
deployments:
  - {name: east, endpoint: apim-east, deployment: big-dep}
  - {name: west, endpoint: apim-west, deployment: big-dep, priority: 1}
  - {name: typo, endpoint: apim-typo, deployment: big-dep}
routes:
  "*sonnet*": [east, west]
  "*haiku*": east
  "typo*": typo
`;
  writeFileSync(path.join(dir, 'team.yaml'), yaml);
  proxy = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', '--config', path.join(dir, 'team.yaml')], {
    env: { ...baseEnv(), APIM_KEY_EAST: 'apim-key-east', APIM_KEY_WEST: 'apim-key-west', ANTHROPIC_AUTH_TOKEN: TOKEN,
      UPSTREAM_RETRIES: '0' },
  });
  proxyUrl = await proxy.waitForUrl();
});
after(async () => {
  await Promise.all([proxy?.stop(), ...Object.values(mocks).map((m) => m.child.stop())]);
  rmSync(dir, { recursive: true, force: true });
});

const mockCall = async (name, method, p, body) => {
  const res = await fetch(mocks[name].url + p, {
    method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  return res.json();
};
const requests = async (name) => (await mockCall(name, 'GET', '/_mock/requests')).requests;
const ask = (model, text) => new Anthropic({ baseURL: proxyUrl, apiKey: TOKEN, maxRetries: 0 })
  .messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: text }] });

test('the subscription key goes in its header, under the path prefix, with the static headers', async () => {
  // 35 tokens: more than east's quota, which the policy counts after the answer.
  await mockCall('east', 'POST', '/_mock/rules', { rules: [{ match: {}, times: 1,
    respond: { text: 'from east', usage: { prompt_tokens: 25, completion_tokens: 10 } } }] });
  const msg = await ask('claude-sonnet-4-5', 'E2E-APIM-1');
  assert.equal(msg.content[0].text, 'from east');
  const [r] = await requests('east');
  assert.equal(r.status, 200);
  assert.equal(r.path, '/openai/deployments/big-dep/chat/completions');  // behind /team-openai
  assert.equal(r.headers['ocp-apim-subscription-key'], '<redacted>');
  assert.equal(r.headers['api-key'], undefined);
  assert.equal(r.headers['x-team'], 'platform');
  assert.equal((await requests('west')).length, 0);
});

test('a spent APIM token quota (403) fails over to the next deployment', async () => {
  const msg = await ask('claude-sonnet-4-5', 'E2E-APIM-2');
  assert.equal(msg.type, 'message');
  const east = await requests('east');
  assert.equal(east.at(-1).status, 403);
  assert.equal((await requests('west')).at(-1).status, 200);
});

test('with no deployment left, the spent quota is a 429 rate_limit_error with the wait APIM names', async () => {
  await assert.rejects(ask('claude-haiku-4-5', 'E2E-APIM-3'), (e) => {
    assert.equal(e.status, 429);
    assert.equal(e.error?.error?.type, 'rate_limit_error');
    assert.match(e.error?.error?.message ?? '', /token quota .*Token quota is exceeded/);
    const wait = Number(e.headers?.get?.('retry-after') ?? e.headers?.['retry-after']);
    assert.ok(wait > 3000 && wait <= 3601, `retry-after ${wait}`);
    return true;
  });
});

test('a wrong subscription key is APIM\'s 401: a clear api_error naming the endpoint and header', async () => {
  await assert.rejects(ask('typo-model', 'E2E-APIM-4'), (e) => {
    assert.equal(e.status, 500);
    assert.equal(e.error?.error?.type, 'api_error');
    const m = e.error?.error?.message ?? '';
    assert.match(m, /invalid subscription key/);
    assert.match(m, /api_key of endpoint apim-typo \(sent as Ocp-Apim-Subscription-Key\)/);
    return true;
  });
});
