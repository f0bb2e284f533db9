// `azure-gpt-proxy doctor` against the mock Azure: a good configuration passes every check and
// exits 0; a broken one (wrong key, a deployment that does not exist, a closed port, TLS spoken
// to a plain-HTTP server, an api-version without the Responses API for the Cursor route) gets a
// ✗ per problem with the fix in plain words, and exit code 1. The fix texts asserted here are
// the issue's own wording ("deployments are listed in the Azure AI Foundry portal under
// Deployments") and the portal's page names, not the proxy's output copied back.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Child, baseEnv, MOCK_BIN, PROXY_BIN } from './harness.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-doctor-'));
let mock;
let mockUrl;
let closedPort;

before(async () => {
  mock = new Child('mock', MOCK_BIN, ['--listen', '127.0.0.1:0', '--api-key', 'doctor-key', '--deployments', 'gpt-4o,gpt-5-mini'], {
    env: baseEnv(),
  });
  mockUrl = await mock.waitForUrl();
  // A port nothing listens on: bound, then closed.
  closedPort = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
});
after(async () => {
  await mock?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function doctor(args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(PROXY_BIN, ['doctor', ...args], { env: { ...baseEnv(), CONNECT_TIMEOUT: '3', ...env } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

const rows = (out) => out.split('\n').filter((l) => /^[✓!✗] /.test(l));
const row = (out, re) => rows(out).find((l) => re.test(l));
// The fix line printed under a row.
function fixOf(out, re) {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => /^[✓!✗] /.test(l) && re.test(l));
  return i >= 0 && lines[i + 1]?.startsWith('    fix: ') ? lines[i + 1] : '';
}

test('a good configuration: every check passes, exit 0', async () => {
  const file = path.join(dir, 'good.yaml');
  writeFileSync(
    file,
    `endpoints:
  - {name: main, url: ${mockUrl}, api_key: doctor-key, api_version: 2024-10-21, responses_api_version: 2025-04-01-preview}
deployments:
  - {name: fast, endpoint: main, deployment: gpt-4o}
  - {name: smart, endpoint: main, deployment: gpt-5-mini, api: responses}
routes:
  "*": [fast]
  cursor: [fast]
`,
  );
  const { code, out } = await doctor(['--config', file]);
  assert.equal(code, 0, out);
  assert.match(row(out, /endpoint main: address/), /^✓ .*127\.0\.0\.1 resolves to 127\.0\.0\.1/);
  assert.match(row(out, /endpoint main: connection/), /^✓ /);
  assert.match(row(out, /endpoint main: auth \(api-key\)/), /^✓ /);
  assert.match(row(out, /deployment fast: answers \(chat completions\)/), /^✓ .*HTTP 200/);
  assert.match(row(out, /deployment fast: Responses API \(Cursor\)/), /^✓ .*HTTP 200/);
  assert.match(row(out, /deployment smart: answers \(Responses API\)/), /^✓ .*HTTP 200/);
  assert.doesNotMatch(out, /^✗/m);
  assert.match(out, /doctor: \d+ checks, \d+ ✓, 0 !, 0 ✗/);
  // The tiny requests reached the mock (which validates them as Azure does) and answered.
  const log = await (await fetch(mockUrl + '/_mock/requests')).json();
  const paths = log.requests.map((r) => r.path);
  assert.ok(paths.some((p) => p.includes('/openai/deployments/gpt-4o/chat/completions')), paths.join(' '));
  assert.ok(paths.some((p) => p.includes('/openai/responses')), paths.join(' '));
});

test('the environment set-up alone (no file) is checked the same way', async () => {
  const { code, out } = await doctor([], {
    AZURE_OPENAI_ENDPOINT: mockUrl,
    AZURE_OPENAI_API_KEY: 'doctor-key',
    AZURE_API_VERSION: '2024-10-21',
    AZURE_RESPONSES_API_VERSION: '2025-04-01-preview',
    BIG_MODEL: 'gpt-4o',
    SMALL_MODEL: 'gpt-4o',
  });
  assert.equal(code, 0, out);
  assert.match(out, /✓ deployment .*answers \(chat completions\)/);
  assert.match(out, /✓ deployment .*Responses API \(Cursor\)/);
});

test('a broken configuration: one ✗ per problem, each with its fix, exit 1', async () => {
  const file = path.join(dir, 'broken.yaml');
  writeFileSync(
    file,
    `endpoints:
  - {name: wrongkey, url: ${mockUrl}, api_key: not-the-key}
  - {name: good, url: ${mockUrl}, api_key: doctor-key, api_version: 2024-10-21, responses_api_version: 2024-10-21}
  - {name: closed, url: "http://127.0.0.1:${closedPort}", api_key: k}
  - {name: plain, url: "${mockUrl.replace('http://', 'https://')}", api_key: doctor-key}
deployments:
  - {name: a, endpoint: wrongkey, deployment: gpt-4o}
  - {name: missing, endpoint: good, deployment: gpt5}
  - {name: old, endpoint: good, deployment: gpt-4o}
  - {name: c, endpoint: closed, deployment: gpt-4o}
  - {name: p, endpoint: plain, deployment: gpt-4o}
routes:
  "*": [missing, a, c, p]
  cursor: [old]
`,
  );
  const { code, out } = await doctor(['--config', file]);
  assert.equal(code, 1, out);
  // Wrong key: the auth row fails and says where the right key is.
  assert.match(row(out, /endpoint wrongkey: auth/), /^✗ .*HTTP 401/);
  assert.match(fixOf(out, /endpoint wrongkey: auth/), /Keys and Endpoint/);
  assert.match(row(out, /deployment a: not checked/), /^✗ /);
  // A deployment name the resource does not have.
  assert.match(row(out, /deployment missing: answers/), /^✗ .*DeploymentNotFound/);
  assert.match(fixOf(out, /deployment missing: answers/), /deployment 'gpt5' not found on http:\/\/127\.0\.0\.1:\d+ — deployments are listed in the Azure AI Foundry portal under Deployments/);
  // The Cursor route's deployment on an api-version without the Responses API.
  assert.match(row(out, /deployment old: Responses API \(Cursor\)/), /^✗ .*2024-10-21 has no Responses API/);
  assert.match(fixOf(out, /deployment old: Responses API/), /responses_api_version: v1/);
  assert.match(row(out, /deployment old: answers \(chat completions\)/), /^✓ /);
  // Nothing listening.
  assert.match(row(out, /endpoint closed: connection/), /^✗ /);
  assert.match(row(out, /deployment c: not checked/), /^✗ /);
  // TLS spoken to a plain-HTTP server.
  assert.match(row(out, /endpoint plain: TLS/), /^✗ /);
  assert.match(fixOf(out, /endpoint plain: TLS/), /https:\/\/ versus http:\/\//);
  assert.match(out, /doctor: \d+ checks, \d+ ✓, \d+ !, [1-9]\d* ✗/);
});

test('a configuration error is reported before any check, exit 2', async () => {
  const file = path.join(dir, 'invalid.yaml');
  writeFileSync(file, 'endpoints: [{name: x}]\n');
  const { code, out } = await doctor(['--config', file]);
  assert.equal(code, 2, out);
  assert.match(out, /invalid\.yaml/);
});
