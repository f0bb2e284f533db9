// Request ids, JSON logs, what logs never hold, and /health vs /ready:
// - a client's x-request-id is the request's id (else one is made), returned as request-id on
//   every answer (and x-request-id on the OpenAI routes), and in every log line of the request;
// - --log-format json writes one JSON object a line, with Azure's apim-request-id for tickets;
// - no prompt text and no key in the log, unless --log-bodies (then keys redacted);
// - /ready answers 503 once every deployment's circuit is open, /health stays 200.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { startStack, stopStack, withLogs, TOKEN, AZURE_KEY } from './harness.mjs';

const PROMPT_MARK = 'E2E-PROMPT-TEXT-4c2d';
let stack;

before(async () => {
  stack = await startStack({
    proxyArgs: ['--log-format', 'json'],
    proxyEnv: { CIRCUIT_FAILURES: '1', CIRCUIT_COOLDOWN: '1', UPSTREAM_RETRIES: '1' },
  });
});
after(() => stopStack(stack));

const ask = (model, text, headers = {}, path = '/v1/messages') =>
  fetch(stack.proxyUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN, ...headers },
    body: JSON.stringify({ model, max_tokens: 20, messages: [{ role: 'user', content: text }] }),
  });

// The proxy's log lines so far, each parsed (all must be JSON).
function logLines() {
  return stack.proxy.output
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        assert.fail(`a log line is not JSON: ${l}`);
      }
    });
}

async function waitForLine(pred, what) {
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const hit = logLines().find(pred);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no log line: ${what}`);
}

test('a valid x-request-id is the id of the request: returned on every answer and in its log lines', () =>
  withLogs(stack, async () => {
    await stack.mockRules([
      { match: { contains: 'E2E-RID' }, times: 1, respond: { status: 503, error: { error: { code: '503', message: 'busy' } } } },
      { match: { contains: 'E2E-RID' }, respond: { text: 'ok', headers: { 'apim-request-id': 'apim-e2e-7f3a' } } },
    ]);
    const id = 'trace-e2e-0001';
    const res = await ask('claude-haiku-4-5', 'E2E-RID', { 'x-request-id': id });
    assert.equal(res.status, 200, await res.text());
    assert.equal(res.headers.get('request-id'), id);
    const line = await waitForLine((l) => l.msg === 'request' && l.request_id === id, 'the request line');
    assert.equal(line.status, 200);
    assert.equal(line.route, 'POST /v1/messages');
    assert.equal(line.azure_request_id, 'apim-e2e-7f3a', "Azure's id for support tickets");
    assert.deepEqual(line.retries, [{ deployment: 'small-dep', reason: 'http_503' }]);
    assert.equal(typeof line.ts, 'string');
    assert.equal(line.level, 'info');
    // The retry's warning is a line of the same request.
    const retry = logLines().find((l) => typeof l.msg === 'string' && /HTTP 503 .*retrying/.test(l.msg));
    assert.ok(retry, 'no retry line');
    assert.equal(retry.request_id, id);
    assert.equal(retry.level, 'warning');
  }));

test('request-id on errors, on the OpenAI routes (with x-request-id), on probes; invalid ids are replaced', () =>
  withLogs(stack, async () => {
    const unauthorized = await ask('claude-haiku-4-5', 'x', { 'x-api-key': 'wrong', 'x-request-id': 'trace-e2e-401' });
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('request-id'), 'trace-e2e-401');
    const openai = await fetch(`${stack.proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'x-request-id': 'trace-e2e-oa' },
      body: JSON.stringify({ model: 'nonexistent model name', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(openai.headers.get('request-id'), 'trace-e2e-oa');
    assert.equal(openai.headers.get('x-request-id'), 'trace-e2e-oa');
    for (const p of ['/health', '/ready', '/metrics', '/status.json', '/']) {
      const r = await fetch(stack.proxyUrl + p, { headers: { 'x-request-id': `trace-e2e-probe${p}` } });
      await r.text();
      assert.equal(r.headers.get('request-id'), `trace-e2e-probe${p}`, p);
    }
    for (const bad of ['has space', 'x'.repeat(129), 'caf\u00e9']) {
      const r = await fetch(`${stack.proxyUrl}/health`, { headers: { 'x-request-id': bad } });
      await r.text();
      assert.match(r.headers.get('request-id'), /^req_[A-Za-z0-9]{24}$/, `not accepted: ${JSON.stringify(bad)}`);
    }
    const fresh = await ask('claude-haiku-4-5', 'E2E-RID-NEW');
    assert.match(fresh.headers.get('request-id'), /^req_[A-Za-z0-9]{24}$/);
  }));

test('no prompt text and no key reach the log at the default level', () =>
  withLogs(stack, async () => {
    const res = await ask('claude-haiku-4-5', `${PROMPT_MARK} please`);
    assert.equal(res.status, 200);
    await waitForLine((l) => l.request_id === res.headers.get('request-id'), 'the request line');
    assert.ok(!stack.proxy.output.includes(PROMPT_MARK), 'prompt text in the log');
    assert.ok(!stack.proxy.output.includes(TOKEN), 'the client token in the log');
    assert.ok(!stack.proxy.output.includes(AZURE_KEY), 'the Azure key in the log');
  }));

test('/ready turns 503 when every circuit is open and 200 again once a probe may go; /health stays 200', () =>
  withLogs(stack, async () => {
    await stack.mockRules([{ respond: { status: 500, error: { error: { code: '500', message: 'down' } } } }]);
    assert.equal((await fetch(`${stack.proxyUrl}/ready`)).status, 200);
    await (await ask('claude-haiku-4-5', 'E2E-DOWN-1')).text(); // small-dep: circuit open (CIRCUIT_FAILURES=1)
    const oneOpen = await fetch(`${stack.proxyUrl}/ready`);
    assert.equal(oneOpen.status, 200, 'big-dep is still closed');
    await (await ask('claude-sonnet-4-5', 'E2E-DOWN-2')).text(); // big-dep too
    const none = await fetch(`${stack.proxyUrl}/ready`);
    assert.equal(none.status, 503);
    assert.deepEqual(await none.json(), { status: 'unavailable', reason: "every deployment's circuit is open" });
    const health = await fetch(`${stack.proxyUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
    const metrics = await (await fetch(`${stack.proxyUrl}/metrics`)).text();
    assert.match(metrics, /^agp_ready 0$/m);
    assert.match(metrics, /^agp_circuit_state\{deployment="big-dep",state="open"\} 1$/m);
    assert.match(metrics, /^agp_circuit_opens_total\{deployment="small-dep"\} 1$/m);
    // CIRCUIT_COOLDOWN=1: after a second a half-open probe may go, and the proxy is ready again.
    const until = Date.now() + 10000;
    let again;
    do {
      await new Promise((r) => setTimeout(r, 200));
      again = await fetch(`${stack.proxyUrl}/ready`);
    } while (again.status !== 200 && Date.now() < until);
    assert.equal(again.status, 200);
    // small-dep opened first, so its probe is due first.
    assert.match(await (await fetch(`${stack.proxyUrl}/metrics`)).text(), /^agp_circuit_state\{deployment="small-dep",state="half_open"\} 1$/m);
  }));

test('--log-bodies logs the bodies, with the keys redacted', async () => {
  const bodies = await startStack({ proxyArgs: ['--log-bodies'] });
  try {
    await withLogs(bodies, async () => {
      const res = await fetch(`${bodies.proxyUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
        body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: PROMPT_MARK }] }),
      });
      assert.equal(res.status, 200);
      const id = res.headers.get('request-id');
      const until = Date.now() + 5000;
      while (!bodies.proxy.output.includes(`${id} POST /v1/messages`) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const mine = bodies.proxy.output.split('\n').filter((l) => l.includes(id));
      assert.ok(mine.some((l) => l.includes('client request body') && l.includes(PROMPT_MARK)), 'the client body');
      assert.ok(mine.some((l) => l.includes('upstream request to') && l.includes(PROMPT_MARK)), 'the body sent to Azure');
      assert.ok(mine.some((l) => l.includes("Azure's answer")), "Azure's answer");
      assert.ok(mine.some((l) => l.includes('x-api-key: <redacted>')), 'the key header, redacted');
      assert.ok(!bodies.proxy.output.includes(TOKEN), 'the client token in the log');
      assert.ok(!bodies.proxy.output.includes(AZURE_KEY), 'the Azure key in the log');
    });
  } finally {
    await stopStack(bodies);
  }
});
