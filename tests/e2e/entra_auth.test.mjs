// Entra ID instead of API keys: the mock is both the token authority (client secret, a
// certificate's signed assertion, a workload's federated token, App Service's and IMDS's managed
// identity) and an Azure resource that takes only bearer tokens the authority issued. The test
// certificate is made here with `openssl req`. Every identity endpoint, IMDS included, is the
// mock on loopback (AZURE_AUTHORITY_HOST, IDENTITY_ENDPOINT, AZURE_POD_IDENTITY_AUTHORITY_HOST):
// the real metadata address is never contacted.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Child, baseEnv, MOCK_BIN, PROXY_BIN, TOKEN } from './harness.mjs';

const TENANT = 'e2e-tenant-0f3c';
const CLIENT = 'e2e-app-7a21';
const SECRET = 'e2e-client-secret-91d0';
const MI_CLIENT = 'e2e-user-assigned-5b6e';
const IDENTITY_HEADER = 'e2e-identity-header-c4d2';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-entra-'));
const b64url = (s) => Buffer.from(s).toString('base64url');
// What the kubelet projects for a service account: a JWT signed by the cluster (no x5t).
const FEDERATED = `${b64url('{"alg":"RS256","kid":"k8s"}')}.${b64url(
  '{"aud":["api://AzureADTokenExchange"],"sub":"system:serviceaccount:ai:azure-gpt-proxy"}')}.c2ln`;
const files = {
  cert: path.join(dir, 'cert.pem'),
  key: path.join(dir, 'key.pem'),
  bundle: path.join(dir, 'bundle.pem'),
  otherBundle: path.join(dir, 'other.pem'),
  federated: path.join(dir, 'federated-token'),
};
const mocks = {};
const children = [];

function makeCertificate(certFile, keyFile) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', '1', '-subj', '/CN=azure-gpt-proxy-e2e'], { stdio: 'ignore' });
}

async function startMock(name, extra) {
  const args = ['--listen', '127.0.0.1:0', '--auth', 'entra', '--deployments', 'big-dep,small-dep',
    '--entra-tenant', TENANT, '--entra-client-id', CLIENT, '--entra-client-secret', SECRET,
    '--entra-certificate', files.cert, '--entra-federated-token-file', files.federated,
    '--identity-header', IDENTITY_HEADER, '--managed-identity-client-id', MI_CLIENT, ...extra];
  const child = new Child(`mock-${name}`, MOCK_BIN, args, { env: baseEnv() });
  mocks[name] = { child, url: await child.waitForUrl() };
}

before(async () => {
  makeCertificate(files.cert, files.key);
  writeFileSync(files.bundle, readFileSync(files.cert, 'utf8') + readFileSync(files.key, 'utf8'));
  const otherCert = path.join(dir, 'other-cert.pem');
  const otherKey = path.join(dir, 'other-key.pem');
  makeCertificate(otherCert, otherKey);  // never registered on the app
  writeFileSync(files.otherBundle, readFileSync(otherCert, 'utf8') + readFileSync(otherKey, 'utf8'));
  writeFileSync(files.federated, FEDERATED + '\n');
  await startMock('main', ['--audience', 'https://cognitiveservices.azure.com,https://ai.azure.com']);
  await startMock('short', ['--token-lifetime', '4']);
});
after(async () => {
  await Promise.all([...children.map((c) => c.stop()), ...Object.values(mocks).map((m) => m.child.stop())]);
  rmSync(dir, { recursive: true, force: true });
});

const mockCall = async (mock, method, p) => {
  const res = await fetch(mocks[mock].url + p, { method });
  return res.json();
};
const tokenLog = async (mock = 'main') => (await mockCall(mock, 'GET', '/_mock/tokens')).requests;
const azureLog = async (mock = 'main') => (await mockCall(mock, 'GET', '/_mock/requests')).requests;
const reset = (mock = 'main') => mockCall(mock, 'POST', '/_mock/reset');

// A proxy with no API key: the credential chain decides. Nothing of the parent's Azure identity leaks in.
async function startProxy(env, { mock = 'main', args = [] } = {}) {
  const base = baseEnv();
  for (const k of ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'IMDS_ENDPOINT']) delete base[k];
  const full = {
    ...base,
    AZURE_OPENAI_ENDPOINT: mocks[mock].url,
    BIG_MODEL: 'big-dep',
    SMALL_MODEL: 'small-dep',
    ANTHROPIC_AUTH_TOKEN: TOKEN,
    UPSTREAM_RETRIES: '0',
    AZURE_AUTHORITY_HOST: mocks[mock].url,
    AZURE_POD_IDENTITY_AUTHORITY_HOST: mocks[mock].url,
    ...env,
  };
  for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
  const child = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', ...args], { env: full });
  children.push(child);
  const url = await child.waitForUrl();
  return { child, url, client: new Anthropic({ baseURL: url, apiKey: TOKEN, maxRetries: 0 }) };
}
const ask = (p, text, model = 'claude-sonnet-4-5') =>
  p.client.messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: text }] });
const app = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };

const SOURCES = [
  { name: 'client secret', env: { ...app, AZURE_CLIENT_SECRET: SECRET }, kind: 'client_secret', principal: CLIENT },
  { name: 'client certificate (PEM with its key, signed assertion)', env: { ...app, AZURE_CLIENT_CERTIFICATE_PATH: files.bundle },
    kind: 'client_certificate', principal: CLIENT },
  { name: 'workload identity (federated token file)', env: { ...app, AZURE_FEDERATED_TOKEN_FILE: files.federated },
    kind: 'workload_identity', principal: CLIENT },
  { name: 'App Service / Container Apps managed identity',
    env: () => ({ IDENTITY_ENDPOINT: `${mocks.main.url}/msi/token`, IDENTITY_HEADER }), kind: 'app_service_identity',
    principal: 'system-assigned' },
  { name: 'IMDS, user-assigned managed identity', env: { AZURE_CLIENT_ID: MI_CLIENT }, kind: 'imds_identity',
    principal: MI_CLIENT },
  { name: 'IMDS, system-assigned managed identity', env: {}, kind: 'imds_identity', principal: 'system-assigned' },
];

for (const src of SOURCES) {
  test(`no API key: a token from the ${src.name} is accepted by Azure`, async () => {
    await reset();
    const p = await startProxy(typeof src.env === 'function' ? src.env() : src.env);
    try {
      const msg = await ask(p, `E2E-ENTRA-${src.kind}`);
      assert.equal(msg.type, 'message');
      const tokens = await tokenLog();
      assert.equal(tokens.length, 1, JSON.stringify(tokens));
      assert.equal(tokens[0].kind, src.kind);
      assert.equal(tokens[0].status, 200);
      assert.ok((tokens[0].scope ?? tokens[0].resource).startsWith('https://cognitiveservices.azure.com'));
      const [call] = await azureLog();
      assert.equal(call.status, 200);
      assert.equal(call.principal, src.principal);
      assert.equal(call.headers['api-key'], undefined, 'no key is sent');
    } finally {
      await p.child.stop();
    }
  });
}

test('20 concurrent requests share one token fetch', async () => {
  await reset();
  const p = await startProxy({ ...app, AZURE_CLIENT_SECRET: SECRET });
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(p, `E2E-ENTRA-BURST-${i}`)));
  assert.equal(answers.filter((a) => a.type === 'message').length, 20);
  assert.equal((await tokenLog()).length, 1);
  const calls = await azureLog();
  assert.equal(calls.length, 20);
  assert.ok(calls.every((c) => c.bearer_serial === calls[0].bearer_serial), 'one token for all');

  // Azure stops taking it (revoked): the request is sent once more with a fresh token.
  await reset();
  await mockCall('main', 'POST', '/_mock/tokens/revoke');
  const again = await ask(p, 'E2E-ENTRA-REVOKED');
  assert.equal(again.type, 'message');
  const [refused, accepted] = await azureLog();
  assert.equal(refused.status, 401);
  assert.equal(refused.bearer_refused, 'unknown token');
  assert.equal(accepted.status, 200);
  assert.equal((await tokenLog()).length, 1, 'one new token');
  await p.child.stop();
});

test('a token is renewed in the background before it expires, and fetched anew after', async () => {
  await reset('short');
  const p = await startProxy({ ...app, AZURE_CLIENT_SECRET: SECRET }, { mock: 'short' });  // tokens live 4 s
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await ask(p, 'E2E-ENTRA-FRESH');
  await sleep(2300);  // past half its life, before its end
  await ask(p, 'E2E-ENTRA-RENEWING');
  for (let i = 0; i < 100 && (await tokenLog('short')).length < 2; ++i) await sleep(20);
  await ask(p, 'E2E-ENTRA-RENEWED');
  let serials = (await azureLog('short')).map((c) => c.bearer_serial);
  // The request inside the renewal window got the token in hand; the next one the renewed token.
  assert.deepEqual(serials.slice(0, 3), [serials[0], serials[0], String(Number(serials[0]) + 1)]);
  await sleep(4200);  // the renewed token has expired: fetched while the request waits
  await ask(p, 'E2E-ENTRA-EXPIRED');
  serials = (await azureLog('short')).map((c) => c.bearer_serial);
  assert.equal(serials[3], String(Number(serials[0]) + 2));
  assert.equal((await tokenLog('short')).length, 3);
  assert.ok((await azureLog('short')).every((c) => c.status === 200));
  await p.child.stop();
});

test('a wrong client secret: a clear 500 api_error naming the credential and AADSTS7000215, nothing sent to Azure', async () => {
  await reset();
  const p = await startProxy({ ...app, AZURE_CLIENT_SECRET: 'not-the-secret' });
  await assert.rejects(ask(p, 'E2E-ENTRA-WRONG'), (e) => {
    assert.equal(e.status, 500);
    assert.equal(e.error?.error?.type, 'api_error');
    const m = e.error?.error?.message ?? '';
    assert.match(m, /AADSTS7000215/);
    assert.match(m, /client secret \(AZURE_CLIENT_SECRET\) of app e2e-app-7a21 in tenant e2e-tenant-0f3c/);
    assert.match(m, /invalid_client/);
    assert.doesNotMatch(m, /not-the-secret|Trace ID/);
    return true;
  });
  // Cursor's shape, from the same cached failure (the authority is not asked again at once).
  const cursor = new OpenAI({ baseURL: `${p.url}/cursor`, apiKey: TOKEN, maxRetries: 0 });
  await assert.rejects(cursor.chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: 'hi' }] }),
    (e) => {
      assert.match(e.error?.message ?? e.message, /AADSTS7000215/);
      return true;
    });
  assert.equal((await tokenLog()).length, 1);
  assert.equal((await azureLog()).length, 0);
  await p.child.stop();
});

test('an unregistered certificate and an unknown managed identity: Entra\'s own refusal reaches the client', async () => {
  await reset();
  const cert = await startProxy({ ...app, AZURE_CLIENT_CERTIFICATE_PATH: files.otherBundle });
  await assert.rejects(ask(cert, 'E2E-ENTRA-OTHER-CERT'), (e) => {
    assert.equal(e.status, 500);
    assert.match(e.error?.error?.message ?? '', /AADSTS700027.*The key was not found/);
    assert.match(e.error?.error?.message ?? '', /client certificate .*other\.pem/);
    return true;
  });
  await cert.child.stop();
  const mi = await startProxy({ AZURE_CLIENT_ID: 'nobody-assigned-this' });
  await assert.rejects(ask(mi, 'E2E-ENTRA-NO-MI'), (e) => {
    assert.equal(e.status, 500);
    assert.match(e.error?.error?.message ?? '', /managed identity at IMDS .*Identity not found/);
    return true;
  });
  await mi.child.stop();
});

test('config file: auth: entra per endpoint with its own scope; Azure refusing the audience is explained', async () => {
  await reset();
  const yaml = `endpoints:
  - {name: aoai, url: ${mocks.main.url}, auth: entra}
  - {name: foundry, url: ${mocks.main.url}, auth: entra, scope: "https://ai.azure.com/.default"}
  - {name: wrong-scope, url: ${mocks.main.url}, auth: entra, scope: "api://e2e-other-resource/.default"}
  - {name: other-tenant, url: ${mocks.main.url}, auth: entra, tenant_id: e2e-no-such-tenant}
deployments:
  - {name: gpt-aoai, endpoint: aoai, deployment: big-dep}
  - {name: gpt-foundry, endpoint: foundry, deployment: small-dep}
  - {name: gpt-wrong, endpoint: wrong-scope, deployment: big-dep}
  - {name: gpt-other-tenant, endpoint: other-tenant, deployment: big-dep}
routes:
  "*sonnet*": gpt-aoai
  "*haiku*": gpt-foundry
  "wrong*": gpt-wrong
  "failover*": [gpt-other-tenant, gpt-aoai]
`;
  const file = path.join(dir, 'team.yaml');
  writeFileSync(file, yaml);
  const p = await startProxy({ ...app, AZURE_CLIENT_SECRET: SECRET, AZURE_OPENAI_ENDPOINT: undefined },
    { args: ['--config', file] });
  await ask(p, 'E2E-ENTRA-AOAI');
  await ask(p, 'E2E-ENTRA-FOUNDRY', 'claude-haiku-4-5');
  const scopes = (await tokenLog()).map((t) => t.scope).sort();
  assert.deepEqual(scopes, ['https://ai.azure.com/.default', 'https://cognitiveservices.azure.com/.default']);
  // A token for another resource: Azure refuses its audience (401), one fresh token, 401 again.
  await reset();
  await assert.rejects(ask(p, 'E2E-ENTRA-AUDIENCE', 'wrong-model'), (e) => {
    assert.equal(e.status, 500);
    assert.equal(e.error?.error?.type, 'api_error');
    const m = e.error?.error?.message ?? '';
    assert.match(m, /audience is incorrect/);
    assert.match(m, /Cognitive Services OpenAI User/);
    assert.match(m, /scope api:\/\/e2e-other-resource\/\.default/);
    return true;
  });
  const refused = await azureLog();
  assert.deepEqual(refused.map((c) => [c.status, c.bearer_refused]),
    [[401, 'audience api://e2e-other-resource'], [401, 'audience api://e2e-other-resource']]);
  assert.equal((await tokenLog()).length, 2, 'the refused token, then one fresh one');
  // An endpoint whose credential fails hands the request to the next deployment of the route.
  await reset();
  const msg = await ask(p, 'E2E-ENTRA-FAILOVER', 'failover-model');
  assert.equal(msg.type, 'message');
  assert.deepEqual((await tokenLog()).map((t) => [t.status, t.error]), [[400, 90002]]);
  assert.equal((await azureLog()).length, 1);
  await p.child.stop();
});

test('--check-config shows each endpoint\'s credential, never a secret', () => {
  const out = execFileSync(PROXY_BIN, ['--config', path.join(dir, 'team.yaml'), '--check-config'], {
    env: { PATH: process.env.PATH, AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: SECRET },
    encoding: 'utf8',
  });
  assert.match(out, /foundry .*: Entra ID, client secret \(AZURE_CLIENT_SECRET\) of app e2e-app-7a21 .*scope https:\/\/ai\.azure\.com\/\.default/);
  assert.doesNotMatch(out, new RegExp(SECRET));
});
