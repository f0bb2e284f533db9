// Team routing with a YAML config: two Azure resources (two mocks), a route over deployments on
// both, failover on a rate limit with a long retry-after (the cooled-down deployment is not asked
// again meanwhile), all failing → 429 / 529 at once, the circuit breaker, --check-config.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Child, baseEnv, MOCK_BIN, PROXY_BIN, TOKEN, upstreamBody } from './harness.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-team-'));
const mocks = {};
let proxy;
let proxyUrl;

function configYaml(east, west) {
  return `endpoints:
  - name: east
    url: ${east}
    api_key: \${KEY_EAST}
    api_version: 2024-10-21
  - name: west
    url: ${west}
    api_key: \${KEY_WEST}
deployments:
  - {name: big-east, endpoint: east, deployment: big-dep}
  - {name: big-west, endpoint: west, deployment: big-dep, priority: 1}
  - {name: small-east, endpoint: east, deployment: small-dep}
  - {name: flaky-east, endpoint: east, deployment: flaky}
  - {name: flaky-west, endpoint: west, deployment: flaky}
  - {name: resp-west, endpoint: west, deployment: big-dep, api: responses}
  - {name: ptu-east, endpoint: east, deployment: small-dep, spillover: big-east}
routes:
  "*sonnet*": [big-east, big-west]
  "*haiku*": small-east
  "flaky*": [flaky-east, flaky-west]
  "resp*": resp-west
  "ptu*": ptu-east
  cursor: [big-east]
`;
}

async function mockCall(name, method, p, body) {
  const res = await fetch(mocks[name].url + p, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`mock ${name} ${method} ${p} -> ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}
const requests = async (name) => (await mockCall(name, 'GET', '/_mock/requests')).requests;
const rules = (name, r) => mockCall(name, 'POST', '/_mock/rules', { rules: r });
const reset = (name) => mockCall(name, 'POST', '/_mock/reset', {});

before(async () => {
  for (const [name, key] of [['east', 'key-east'], ['west', 'key-west']]) {
    const child = new Child(`mock-${name}`, MOCK_BIN, ['--listen', '127.0.0.1:0', '--api-key', key, '--deployments', 'big-dep,small-dep,flaky'], { env: baseEnv() });
    mocks[name] = { child, url: await child.waitForUrl() };
  }
  writeFileSync(path.join(dir, 'team.yaml'), configYaml(mocks.east.url, mocks.west.url));
  proxy = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', '--config', path.join(dir, 'team.yaml')], {
    env: { ...baseEnv(), KEY_EAST: 'key-east', KEY_WEST: 'key-west', ANTHROPIC_AUTH_TOKEN: TOKEN, UPSTREAM_RETRIES: '0', CIRCUIT_FAILURES: '2', CIRCUIT_COOLDOWN: '2' },
  });
  proxyUrl = await proxy.waitForUrl();
});
after(async () => {
  await Promise.all([proxy?.stop(), mocks.east?.child.stop(), mocks.west?.child.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new Anthropic({ baseURL: proxyUrl, apiKey: TOKEN, maxRetries: 0 });
const ask = (model, text) => client().messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: text }] });

test('routes by the config: the first deployment of the route answers, with its own endpoint key', async () => {
  const msg = await ask('claude-sonnet-4-5', 'E2E-TEAM-1');
  assert.equal(msg.type, 'message');
  assert.equal((await requests('east')).length, 1);
  assert.equal((await requests('west')).length, 0);
  await ask('claude-haiku-4-5', 'E2E-TEAM-HAIKU');
  assert.equal(upstreamBody((await requests('east')).at(-1)).messages.at(-1).content, 'E2E-TEAM-HAIKU');
});

test("a deployment's api is honoured: api: responses goes to the Responses API", async () => {
  await reset('west');
  const msg = await ask('resp-model', 'E2E-TEAM-RESP');
  assert.equal(msg.type, 'message');
  const r = (await requests('west')).at(-1);
  assert.equal(r.api, 'responses');
  assert.equal(r.path, '/openai/v1/responses');
});

test('PTU spillover: the spillover deployment is named in x-ms-spillover-deployment on Chat requests', async () => {
  await reset('east');
  await ask('ptu-model', 'E2E-TEAM-PTU');
  const r = (await requests('east')).at(-1);
  assert.equal(r.headers['x-ms-spillover-deployment'], 'big-dep');
  assert.equal(r.deployment, 'small-dep');
});

test('a 429 with a long retry-after fails over at once, and the cooled-down deployment is skipped meanwhile', async () => {
  await reset('east');
  await reset('west');
  await rules('east', [{ match: {}, respond: { status: 429, headers: { 'retry-after': '120' } } }]);
  const t0 = Date.now();
  const first = await ask('claude-sonnet-4-5', 'E2E-TEAM-FAILOVER');
  assert.equal(first.type, 'message');
  assert.ok(Date.now() - t0 < 2000, 'failover waited for the retry-after');
  assert.equal((await requests('east')).length, 1);
  assert.equal((await requests('west')).length, 1);
  await ask('claude-sonnet-4-5', 'E2E-TEAM-AFTER');  // east is cooling down: not asked again
  assert.equal((await requests('east')).length, 1);
  assert.equal((await requests('west')).length, 2);
});

test('every deployment rate-limited → 429 rate_limit_error with the smallest retry-after, at once', async () => {
  await rules('west', [{ match: { contains: 'E2E-TEAM-ALL' }, respond: { status: 429, headers: { 'retry-after-ms': '30000' } } }]);
  const t0 = Date.now();
  await assert.rejects(ask('claude-sonnet-4-5', 'E2E-TEAM-ALL'), (e) => {
    assert.equal(e.status, 429);
    assert.equal(e.error?.error?.type, 'rate_limit_error');
    assert.equal(e.headers.get('retry-after'), '30');
    return true;
  });
  assert.ok(Date.now() - t0 < 2000);
});

test('outages: 5xx fail over; both failing → 529 overloaded; the circuit opens and probes again', async () => {
  await reset('east');
  await reset('west');
  await rules('east', [{ match: { contains: 'E2E-TEAM-FLAKY' }, respond: { status: 503 } }]);
  await rules('west', [{ match: { contains: 'E2E-TEAM-FLAKY' }, respond: { status: 500 } }]);
  for (let i = 0; i < 2; i++)
    await assert.rejects(ask('flaky-model', `E2E-TEAM-FLAKY-${i}`), (e) => e.status === 529 && e.error?.error?.type === 'overloaded_error');
  // Two consecutive failures opened both circuits: the next request is refused without asking Azure.
  const before = (await requests('east')).length + (await requests('west')).length;
  await assert.rejects(ask('flaky-model', 'E2E-TEAM-FLAKY-open'), (e) => e.status === 529 && /circuit open/.test(e.message));
  assert.equal((await requests('east')).length + (await requests('west')).length, before);
  // After the cool-down one probe goes through; a success closes the circuit.
  await reset('east');
  await new Promise((r) => setTimeout(r, 2200));
  const ok = await ask('flaky-model', 'E2E-TEAM-FLAKY-probe');
  assert.equal(ok.type, 'message');
  // The log is written by a background thread: its lines may trail the answer a little.
  const until = Date.now() + 5000;
  while (!/circuit closed/.test(proxy.output) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.match(proxy.output, /circuit open/);
  assert.match(proxy.output, /circuit closed/);
});

test('--check-config prints the routing table (exit 0), and names file, line and key of a mistake (exit 1)', () => {
  const env = { ...process.env, KEY_EAST: 'k', KEY_WEST: 'k' };
  const good = spawnSync(PROXY_BIN, ['--config', path.join(dir, 'team.yaml'), '--check-config'], { env, encoding: 'utf8' });
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /\*sonnet\* -> big-east \(endpoint east .*priority 0\), big-west \(endpoint west .*priority 1\)/);
  const broken = path.join(dir, 'broken.yaml');
  writeFileSync(broken, configYaml(mocks.east.url, mocks.west.url).replace('"*haiku*": small-east', '"*haiku*": small-nowhere'));
  const bad = spawnSync(PROXY_BIN, ['--config', broken, '--check-config'], { env, encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /broken\.yaml:\d+:\d+: route '\*haiku\*' names deployment 'small-nowhere'/);
  writeFileSync(broken, configYaml(mocks.east.url, mocks.west.url).replace('    api_version: 2024-10-21', '    api_verison: 2024-10-21'));
  const typo = spawnSync(PROXY_BIN, ['--config', broken, '--check-config'], { env, encoding: 'utf8' });
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /broken\.yaml:5:\d+: unknown key 'api_verison' in endpoints\[0\]/);
  const noVar = spawnSync(PROXY_BIN, ['--config', path.join(dir, 'team.yaml'), '--check-config'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  assert.equal(noVar.status, 1);
  assert.match(noVar.stderr, /KEY_EAST, which is not set/);
});

test('SIGHUP reloads the file; a broken file is refused and the routing in use stays', async () => {
  await reset('east');
  await reset('west');
  const file = path.join(dir, 'team.yaml');
  writeFileSync(file, configYaml(mocks.east.url, mocks.west.url).replace('"*haiku*": small-east', '"*haiku*": [big-west]'));
  proxy.proc.kill('SIGHUP');
  const until = Date.now() + 5000;
  while (!/SIGHUP: .* reloaded/.test(proxy.output) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  await ask('claude-haiku-4-5', 'E2E-TEAM-RELOADED');
  assert.equal((await requests('west')).length, 1, 'haiku did not move to the reloaded route');
  writeFileSync(file, 'endpoints: [oops');
  proxy.proc.kill('SIGHUP');
  const until2 = Date.now() + 5000;
  while (!/not reloaded/.test(proxy.output) && Date.now() < until2) await new Promise((r) => setTimeout(r, 50));
  assert.match(proxy.output, /not reloaded, the configuration in use stays/);
  await ask('claude-haiku-4-5', 'E2E-TEAM-KEPT');
  assert.equal((await requests('west')).length, 2);
});

test('after all of it the proxy drains on SIGTERM, exits 0, and (under ASan+UBSan) reports nothing', async () => {
  proxy.proc.kill('SIGTERM');
  const exit = await proxy.exitPromise;
  assert.equal(exit.code, 0, proxy.output.slice(-2000));
  assert.doesNotMatch(proxy.output, /AddressSanitizer|LeakSanitizer|runtime error|UndefinedBehaviorSanitizer/);
});
