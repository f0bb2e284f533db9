// Security properties of a full run: secrets never reach the logs (debug level) or the
// recordings, Azure's internal response headers are not relayed and the proxy names no server or
// version in its headers, and the upstream host comes only from the configuration whatever the
// client sends (Host, X-Forwarded-Host, an absolute URI, a model name that looks like a host).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startStack, stopStack, withLogs } from './harness.mjs';

// Distinctive values, so that a hit in a log cannot be anything else.
const AZURE_KEY = 'AZKEY-secret-5f1c9e77d2b4';
const TOKEN = 'TOKEN-secret-8b3a61c0fe97';
const WRONG_BEARER = 'BEARER-wrong-2d7e90aa4163';
const PROMPT = 'PROMPT-visible-6c2d';

let s;
let recordDir;
before(async () => {
  s = await startStack({
    azureKey: AZURE_KEY,
    proxyEnv: { ANTHROPIC_AUTH_TOKEN: TOKEN, AZURE_RESPONSES_API_VERSION: 'v1', LOG_LEVEL: 'debug', UPSTREAM_RETRIES: '0' },
    proxyArgs: ['--record', 'recordings'],
  });
  recordDir = path.join(s.workDir, 'recordings');
});
after(() => stopStack(s));
const t = (name, fn) =>
  test(name, () =>
    withLogs(s, async () => {
      await s.mockReset();
      await fn();
    }),
  );

async function call(p, body, headers = {}) {
  const res = await fetch(s.proxyUrl + p, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const bearer = (tok) => ({ authorization: `Bearer ${tok}` });
const message = (text, extra = {}) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 20,
  messages: [{ role: 'user', content: text }],
  ...extra,
});
const chat = (text, extra = {}) => ({ model: 'gpt-high', messages: [{ role: 'user', content: text }], ...extra });

// What Azure (and its front doors) put in their answers: none of it is the client's business.
const AZURE_INTERNAL_HEADERS = {
  'x-ms-region': 'East US 2',
  'x-ms-deployment-name': 'big-dep',
  'x-ms-client-request-id': 'c0ffee',
  'azureml-model-session': 'd20250101-1-123456',
  'openai-processing-ms': '12',
  'x-envoy-upstream-service-time': '5',
  server: 'Microsoft-HTTPAPI/2.0',
};
// Everything the proxy may send: framing, its own request id, retry advice, stream hints.
const ALLOWED = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'request-id',
  'x-request-id',
  'retry-after',
  'x-should-retry',
  'cache-control',
  'x-accel-buffering',
]);

function assertOnlyOwnHeaders(r, what) {
  const names = [...r.headers.keys()];
  const extra = names.filter((n) => !ALLOWED.has(n));
  assert.deepEqual(extra, [], `${what}: unexpected response headers ${JSON.stringify(Object.fromEntries(r.headers))}`);
  assert.equal(r.headers.get('server'), null, `${what}: a Server header`);
}

t('Azure internal headers are not relayed and no Server header names the proxy', async () => {
  await s.mockRules([
    { match: { contains: 'LIMITED' }, respond: { status: 429, headers: { ...AZURE_INTERNAL_HEADERS, 'retry-after': '7' } } },
    { respond: { headers: AZURE_INTERNAL_HEADERS } },
  ]);
  const cases = [
    ['messages', await call('/v1/messages', message('hdr'), bearer(TOKEN))],
    ['messages stream', await call('/v1/messages', message('hdr', { stream: true }), bearer(TOKEN))],
    ['cursor', await call('/cursor/chat/completions', chat('hdr'), bearer(TOKEN))],
    ['cursor stream', await call('/cursor/chat/completions', chat('hdr', { stream: true }), bearer(TOKEN))],
    ['429', await call('/v1/messages', message('LIMITED'), bearer(TOKEN))],
    ['404', await call('/nowhere', {}, bearer(TOKEN))],
    ['health', await call('/health')],
    ['401', await call('/v1/messages', message('x'), bearer(WRONG_BEARER))],
  ];
  for (const [what, r] of cases) assertOnlyOwnHeaders(r, what);
  for (const i of [0, 1, 2, 3]) assert.equal(cases[i][1].status, 200, `${cases[i][0]}: ${cases[i][1].text}`);
  const limited = cases[4][1];
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '7'); // Azure's retry advice is the one thing passed on
});

t('the upstream host comes only from the configuration', async () => {
  // A server a hostile client would like the proxy to reach: it must see no connection at all.
  let lured = 0;
  const lure = net.createServer((sock) => {
    lured += 1;
    sock.destroy();
  });
  await new Promise((r) => lure.listen(0, '127.0.0.1', r));
  const there = `127.0.0.1:${lure.address().port}`;
  try {
    const before = (await s.mockRequests()).length;
    const spoof = { ...bearer(TOKEN), 'x-forwarded-host': there, 'x-forwarded-proto': 'http', forwarded: `host=${there}` };
    const r1 = await call('/v1/messages', message('spoofed headers'), spoof);
    assert.equal(r1.status, 200, r1.text);
    // A model named like a host or a URL is a deployment name on the configured endpoint, or refused.
    for (const model of [`azure/${there}`, `http://${there}/x`, 'azure/../../x', `azure/@${there}`]) {
      const r = await call('/v1/messages', { ...message('lure'), model }, bearer(TOKEN));
      assert.notEqual(r.status, 200, `${model}: ${r.text}`);
    }
    // An absolute-form request target naming the other host.
    const raw = await new Promise((resolve) => {
      const u = new URL(s.proxyUrl);
      const body = JSON.stringify(message('absolute'));
      const sock = net.connect(Number(u.port), u.hostname, () =>
        sock.write(
          `POST http://${there}/v1/messages HTTP/1.1\r\nHost: ${there}\r\nauthorization: Bearer ${TOKEN}\r\n` +
            `content-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        ),
      );
      let data = '';
      sock.setEncoding('utf8');
      sock.on('data', (d) => (data += d));
      sock.on('close', () => resolve(data));
    });
    assert.match(raw, /^HTTP\/1\.1 \d{3}/);
    const got = (await s.mockRequests()).slice(before);
    assert.ok(got.length >= 1, 'the configured endpoint was used');
    for (const g of got) assert.ok(!JSON.stringify(g.path).includes('127.0.0.1'), g.path);
    assert.equal(lured, 0, 'the proxy connected to a host the client named');
  } finally {
    lure.close();
  }
});

t('secrets never reach the logs or the recordings (key, token, a wrong bearer)', async () => {
  await s.mockRules([
    { match: { contains: 'RATE' }, respond: { status: 429, headers: { 'retry-after': '3' } } },
    { match: { contains: 'BROKEN' }, respond: { status: 500 } },
    { match: { contains: 'DENIED' }, respond: { status: 401, error: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } } } },
    { match: { contains: 'CUT' }, respond: { fault: 'reset_mid_stream' } },
  ]);
  const flows = [
    ['/v1/messages', message(`${PROMPT} whole`), { 'x-api-key': TOKEN }],
    ['/v1/messages', message(`${PROMPT} stream`, { stream: true }), bearer(TOKEN)],
    ['/v1/messages/count_tokens', { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: PROMPT }] }, bearer(TOKEN)],
    ['/cursor/chat/completions', chat(`${PROMPT} cursor`), bearer(TOKEN)],
    ['/cursor/chat/completions', chat(`${PROMPT} cursor`, { stream: true }), bearer(TOKEN)],
    ['/v1/chat/completions', chat(`${PROMPT} openai`), bearer(TOKEN)],
    ['/v1/messages', message('RATE'), bearer(TOKEN)],
    ['/v1/messages', message('BROKEN'), bearer(TOKEN)],
    ['/v1/messages', message('DENIED'), bearer(TOKEN)],
    ['/v1/messages', message('CUT', { stream: true }), bearer(TOKEN)],
    ['/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 5 }, bearer(TOKEN)], // 400: no messages
    ['/v1/messages', message('wrong'), bearer(WRONG_BEARER)],
    ['/v1/messages', message('wrong'), { 'x-api-key': WRONG_BEARER }],
    ['/cursor/chat/completions', chat('wrong'), bearer(WRONG_BEARER)],
    ['/v1/messages', '{"broken json', bearer(TOKEN)],
  ];
  const statuses = [];
  for (const [p, body, headers] of flows) statuses.push((await call(p, body, headers)).status);
  statuses.push((await call('/cursor/models', undefined, bearer(TOKEN))).status);
  statuses.push((await call('/cursor/models', undefined, bearer(WRONG_BEARER))).status);
  // Every kind of outcome went through: answers, client errors, Azure's errors, a broken stream.
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 500, 500, 200, 400, 401, 401, 401, 400, 200, 401]);

  await s.proxy.stop(); // flushes the log; the stack's after() finds it stopped
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(recordDir);
  assert.ok(files.length >= 5, `recordings written: ${files.length}`);
  const recorded = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  assert.ok(recorded.includes(PROMPT), 'recordings hold prompts (the grep below reads real content)');
  assert.match(s.proxy.output, /req_[A-Za-z0-9]+ POST \/v1\/messages/, 'the log has the request lines');
  for (const [name, secret] of [['the Azure key', AZURE_KEY], ['the client token', TOKEN], ['a wrong bearer', WRONG_BEARER]]) {
    assert.ok(!s.proxy.output.includes(secret), `${name} is in the proxy's log`);
    for (const f of files) assert.ok(!readFileSync(f, 'utf8').includes(secret), `${name} is in ${f}`);
  }
});
