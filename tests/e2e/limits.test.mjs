// Slow clients and admission control, through the real listener with raw sockets where a client
// has to misbehave: a header trickled, a body promised and never finished, an idle keep-alive, and
// the caps — MAX_IN_FLIGHT, MAX_STREAMS, MAX_CONNECTIONS, BODY_BUDGET, a deployment's
// max_in_flight — each answered in the client's own protocol (Anthropic 529 overloaded_error,
// OpenAI 503), never a crash. Timings are generous upper bounds, not speed assertions.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AZURE_KEY, Child, MOCK_BIN, PROXY_BIN, TOKEN, baseEnv, postJson, startStack, stopStack, withLogs } from './harness.mjs';

const CLOSE_BOUND_MS = 8000; // a 1 s timeout must have closed the connection well before this

/** A raw TCP connection to the proxy: what it received, and when it closed. */
function connect(url) {
  const u = new URL(url);
  const sock = net.connect(Number(u.port), u.hostname);
  const conn = { sock, data: '', closed: false, t0: Date.now(), closedAfterMs: null };
  sock.setEncoding('utf8');
  sock.on('data', (d) => (conn.data += d));
  sock.on('error', () => {});
  conn.ready = new Promise((r) => sock.on('connect', r));
  conn.done = new Promise((r) =>
    sock.on('close', () => {
      conn.closed = true;
      conn.closedAfterMs = Date.now() - conn.t0;
      r();
    }),
  );
  conn.write = (s) => {
    if (!sock.destroyed) sock.write(s);
  };
  return conn;
}

async function closedWithin(conn, ms) {
  await Promise.race([conn.done, sleep(ms)]);
  assert.ok(conn.closed, `the proxy kept the connection open past ${ms} ms; received: ${JSON.stringify(conn.data)}`);
}

/** The first HTTP response in `text`: status, lower-cased headers, body (Content-Length framed). */
function parseResponse(text) {
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no complete HTTP response in ${JSON.stringify(text)}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers['content-length'] ?? 0);
  const body = text.slice(end + 4, end + 4 + len);
  return { status: Number(statusLine.split(' ')[1]), headers, body, json: body ? JSON.parse(body) : null };
}

const messageBody = (text, extra = {}) =>
  JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: text }], ...extra });
const chatBody = (text, extra = {}) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: text }], ...extra });

const post = postJson;

async function until(what, fn, ms = 10000) {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function assertAnthropicOverloaded(r, pattern) {
  assert.equal(r.status, 529, r.text);
  assert.equal(r.json.type, 'error');
  assert.equal(r.json.error.type, 'overloaded_error');
  assert.match(r.json.error.message, pattern);
  assert.equal(r.headers.get('retry-after'), '1');
}

function assertOpenAIUnavailable(r, pattern) {
  assert.equal(r.status, 503, r.text);
  assert.equal(typeof r.json.error.message, 'string');
  assert.equal(r.json.error.type, 'server_error');
  assert.ok('code' in r.json.error);
  assert.match(r.json.error.message, pattern);
  assert.equal(r.headers.get('retry-after'), '1');
}

/** A stack for one describe(): started before its tests, stopped after. */
function stackFor(opts) {
  const holder = {};
  before(async () => Object.assign(holder, await startStack(opts)));
  beforeEach(() => holder.mockReset());
  after(() => stopStack(holder));
  holder.test = (name, fn) => test(name, () => withLogs(holder, fn));
  return holder;
}

describe('slow clients (HEADER_TIMEOUT=1, BODY_TIMEOUT=1, KEEPALIVE_TIMEOUT=1)', () => {
  const s = stackFor({ proxyEnv: { HEADER_TIMEOUT: '1', BODY_TIMEOUT: '1', KEEPALIVE_TIMEOUT: '1' } });

  /** Sends the request line, then a header line every 200 ms (well inside any per-read timeout). */
  async function trickleHeader(target) {
    const c = connect(s.proxyUrl);
    await c.ready;
    c.write(`POST ${target} HTTP/1.1\r\nHost: x\r\n`);
    const drip = setInterval(() => c.write('x-slow: 1\r\n'), 200);
    try {
      await closedWithin(c, CLOSE_BOUND_MS);
    } finally {
      clearInterval(drip);
    }
    return c;
  }

  s.test('a header trickled a line at a time is cut at the header timeout: 408 and closed', async () => {
    const c = await trickleHeader('/v1/messages');
    const r = parseResponse(c.data);
    assert.equal(r.status, 408);
    assert.equal(r.headers.connection, 'close');
    assert.equal(r.json.type, 'error');
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.match(r.json.error.message, /HEADER_TIMEOUT/);
    assert.match(r.headers['request-id'], /^req_/);
    console.log(`header trickle: closed after ${c.closedAfterMs} ms`);
  });

  s.test('the 408 of a Cursor route is in the OpenAI shape', async () => {
    const r = parseResponse((await trickleHeader('/cursor/chat/completions')).data);
    assert.equal(r.status, 408);
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.match(r.json.error.message, /HEADER_TIMEOUT/);
    assert.ok(r.headers['x-request-id']);
  });

  s.test('a body promised and never finished: 408 and closed, nothing sent upstream', async () => {
    const c = connect(s.proxyUrl);
    await c.ready;
    c.write(
      `POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${TOKEN}\r\ncontent-type: application/json\r\n` +
        'content-length: 5000\r\n\r\n{"model":',
    );
    await closedWithin(c, CLOSE_BOUND_MS);
    const r = parseResponse(c.data);
    assert.equal(r.status, 408);
    assert.equal(r.headers.connection, 'close');
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.match(r.json.error.message, /BODY_TIMEOUT/);
    assert.equal((await s.mockRequests()).length, 0);
    console.log(`stalled body: closed after ${c.closedAfterMs} ms`);
  });

  s.test('a body trickled below BODY_MIN_RATE is cut although no gap reaches BODY_TIMEOUT', async () => {
    const c = connect(s.proxyUrl);
    await c.ready;
    c.write(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${TOKEN}\r\ncontent-length: 5000\r\n\r\n`);
    const drip = setInterval(() => c.write('x'), 150); // ~7 bytes/s, never silent for 1 s
    try {
      await closedWithin(c, CLOSE_BOUND_MS);
    } finally {
      clearInterval(drip);
    }
    const r = parseResponse(c.data);
    assert.equal(r.status, 408);
    assert.match(r.json.error.message, /BODY_MIN_RATE/);
  });

  s.test('an idle kept-alive connection is closed without an answer', async () => {
    const c = connect(s.proxyUrl);
    await c.ready;
    c.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('the health answer', () => c.data.includes('"status":"ok"'));
    const answered = c.data.length;
    await closedWithin(c, CLOSE_BOUND_MS);
    assert.equal(parseResponse(c.data).status, 200);
    assert.equal(c.data.length, answered, `bytes after the answer: ${JSON.stringify(c.data.slice(answered))}`);
  });

  s.test('a connection that never sends a byte is closed without an answer', async () => {
    const c = connect(s.proxyUrl);
    await c.ready;
    await closedWithin(c, CLOSE_BOUND_MS);
    assert.equal(c.data, '');
  });

  s.test('a normal request on the same proxy still works', async () => {
    const r = await post(s.proxyUrl, '/v1/messages', messageBody('still fine'));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.content[0].text, 'mock reply: still fine');
  });
});

describe('requests and streams in flight (MAX_IN_FLIGHT=2, MAX_STREAMS=1)', () => {
  const s = stackFor({ proxyEnv: { MAX_IN_FLIGHT: '2', MAX_STREAMS: '1' } });

  s.test('with two requests stalled upstream the third is refused in its protocol, the two finish', async () => {
    await s.mockRules([{ match: { contains: 'STALL' }, respond: { delay_ms: 2500 } }]);
    const first = post(s.proxyUrl, '/v1/messages', messageBody('STALL one'));
    const second = post(s.proxyUrl, '/v1/messages', messageBody('STALL two'));
    await until('two requests at the mock', async () => (await s.mockRequests()).length === 2);
    assertAnthropicOverloaded(await post(s.proxyUrl, '/v1/messages', messageBody('third')), /MAX_IN_FLIGHT/);
    assertOpenAIUnavailable(await post(s.proxyUrl, '/cursor/chat/completions', chatBody('third')), /MAX_IN_FLIGHT/);
    assertAnthropicOverloaded(
      await post(s.proxyUrl, '/v1/messages/count_tokens', messageBody('count')),
      /MAX_IN_FLIGHT/,
    );
    const health = await fetch(`${s.proxyUrl}/health`);
    assert.equal(health.status, 200); // health is not a model request
    for (const r of await Promise.all([first, second])) assert.equal(r.status, 200, r.text);
    assert.equal((await s.mockRequests()).length, 2); // the refused ones never went upstream
    assert.equal((await post(s.proxyUrl, '/v1/messages', messageBody('after'))).status, 200);
  });

  s.test('with one stream open a second stream is refused; a whole answer still goes', async () => {
    await s.mockRules([{ match: { contains: 'STALL' }, respond: { delay_ms: 2500 } }]);
    const streaming = post(s.proxyUrl, '/v1/messages', messageBody('STALL stream', { stream: true }));
    await until('the stream at the mock', async () => (await s.mockRequests()).length === 1);
    // Each time at once after the refusals: a refused request's MAX_IN_FLIGHT slot is free by the
    // time its client has the refusal (it goes as the answer's last write starts).
    for (let i = 0; i < 5; i++) {
      assertAnthropicOverloaded(
        await post(s.proxyUrl, '/v1/messages', messageBody('second stream', { stream: true })),
        /MAX_STREAMS/,
      );
      assertOpenAIUnavailable(
        await post(s.proxyUrl, '/cursor/chat/completions', chatBody('cursor stream', { stream: true })),
        /MAX_STREAMS/,
      );
      const whole = await post(s.proxyUrl, '/v1/messages', messageBody('whole'));
      assert.equal(whole.status, 200, whole.text);
    }
    const r = await streaming;
    assert.equal(r.status, 200);
    assert.match(r.text, /event: message_stop/);
  });
});

describe('connections (MAX_CONNECTIONS=2)', () => {
  const s = stackFor({ proxyEnv: { MAX_CONNECTIONS: '2' } });

  s.test('a connection over the cap gets 529/503 in its protocol with retry-after, and is closed', async () => {
    const held = [connect(s.proxyUrl), connect(s.proxyUrl)];
    for (const c of held) {
      await c.ready;
      c.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'); // served: the slot is taken, then idle
    }
    for (const c of held) await until('health on a held connection', () => c.data.includes('"ok"'));

    const body = messageBody('over the cap');
    const over = connect(s.proxyUrl);
    await over.ready;
    over.write(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${TOKEN}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await closedWithin(over, CLOSE_BOUND_MS);
    const r = parseResponse(over.data);
    assert.equal(r.status, 529);
    assert.equal(r.json.error.type, 'overloaded_error');
    assert.match(r.json.error.message, /MAX_CONNECTIONS/);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(r.headers.connection, 'close');

    const cursor = connect(s.proxyUrl);
    await cursor.ready;
    const cbody = chatBody('over the cap');
    cursor.write(`POST /cursor/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-length: ${cbody.length}\r\n\r\n${cbody}`);
    await closedWithin(cursor, CLOSE_BOUND_MS);
    const cr = parseResponse(cursor.data);
    assert.equal(cr.status, 503);
    assert.match(cr.json.error.message, /MAX_CONNECTIONS/);
    assert.equal((await s.mockRequests()).length, 0);

    for (const c of held) c.sock.destroy();
    await Promise.all(held.map((c) => c.done));
    await until('a slot free again', async () => {
      const ok = await fetch(`${s.proxyUrl}/health`, { headers: { connection: 'close' } }).catch(() => null);
      return ok?.status === 200;
    });
  });
});

describe('the buffered-bytes budget (BODY_BUDGET=1 MB)', () => {
  const s = stackFor({ proxyEnv: { BODY_BUDGET: '1' } });
  const big = (tag) => messageBody(`${tag} ${'the quick brown fox. '.repeat(35 * 1024)}`); // ~720 KB

  s.test('a body larger than the whole budget is refused, its connection kept usable', async () => {
    const r = await post(s.proxyUrl, '/v1/messages', messageBody('y'.repeat(1100 * 1024)));
    assertAnthropicOverloaded(r, /BODY_BUDGET/);
    assert.equal((await post(s.proxyUrl, '/v1/messages', messageBody('small'))).status, 200);
    const c = await post(s.proxyUrl, '/cursor/chat/completions', chatBody('y'.repeat(1100 * 1024)));
    assertOpenAIUnavailable(c, /BODY_BUDGET/);
    assert.equal((await s.mockRequests()).length, 1); // only the small one
  });

  s.test('a wrong token is refused before the body is read: 401, not the budget', async () => {
    const r = await post(s.proxyUrl, '/v1/messages', messageBody('y'.repeat(1100 * 1024)), { authorization: 'Bearer wrong' });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error.type, 'authentication_error');
    const c = await post(s.proxyUrl, '/cursor/chat/completions', chatBody('y'.repeat(1100 * 1024)), { authorization: 'Bearer wrong' });
    assert.equal(c.status, 401, c.text);
    assert.equal(c.json.error.code, 'invalid_api_key');
  });

  s.test('bodies held by requests in flight count: the next is refused until they end', async () => {
    await s.mockRules([{ match: { contains: 'HOLD' }, respond: { delay_ms: 2000 } }]);
    const holding = post(s.proxyUrl, '/v1/messages', big('HOLD'));
    await until('the holding request at the mock', async () => (await s.mockRequests()).length === 1);
    assertAnthropicOverloaded(await post(s.proxyUrl, '/v1/messages', big('second')), /BODY_BUDGET/);
    assert.equal((await holding).status, 200);
    const again = await post(s.proxyUrl, '/v1/messages', big('third'));
    assert.equal(again.status, 200, again.text.slice(0, 300));
  });

  s.test('a whole answer the budget cannot hold is refused, not held', async () => {
    await s.mockRules([
      { match: { contains: 'HOLD' }, respond: { delay_ms: 2000 } },
      { match: { contains: 'LARGE' }, respond: { text: 'z'.repeat(400 * 1024) } },
    ]);
    const holding = post(s.proxyUrl, '/v1/messages', big('HOLD'));
    await until('the holding request at the mock', async () => (await s.mockRequests()).length === 1);
    const r = await post(s.proxyUrl, '/v1/messages', messageBody('LARGE answer'));
    assertAnthropicOverloaded(r, /answer could not be held/);
    assert.equal((await holding).status, 200);
    const alone = await post(s.proxyUrl, '/v1/messages', messageBody('LARGE answer'));
    assert.equal(alone.status, 200);
    assert.equal(alone.json.content[0].text.length, 400 * 1024);
  });
});

describe('a deployment at its max_in_flight', () => {
  let dir, mock, proxy, url;
  const mockCall = async (method, p, body) => {
    const res = await fetch(mock.url + p, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return res.json();
  };
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'agp-cap-'));
    const child = new Child('mock', MOCK_BIN, ['--listen', '127.0.0.1:0', '--api-key', AZURE_KEY, '--deployments', 'big-dep,small-dep'], {
      env: baseEnv(),
    });
    mock = { child, url: await child.waitForUrl() };
    writeFileSync(
      path.join(dir, 'team.yaml'),
      `endpoints:
  - {name: e, url: "${mock.url}", api_key: "\${KEY}", api_version: 2024-10-21}
deployments:
  - {name: first, endpoint: e, deployment: big-dep, max_in_flight: 1}
  - {name: second, endpoint: e, deployment: small-dep, priority: 1}
routes:
  "*sonnet*": [first, second]
  "*opus*": [first]
`,
    );
    proxy = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', '--config', path.join(dir, 'team.yaml')], {
      env: { ...baseEnv(), KEY: AZURE_KEY, ANTHROPIC_AUTH_TOKEN: TOKEN, UPSTREAM_RETRIES: '0' },
    });
    url = await proxy.waitForUrl();
  });
  after(async () => {
    await Promise.all([proxy?.stop(), mock?.child.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const logs = { logs: () => `----- proxy -----\n${proxy.output}\n----- mock -----\n${mock.child.output}` };

  test('is skipped like a cooling one: the route goes on to the next, or answers 529 when none is left', () =>
    withLogs(logs, async () => {
      await mockCall('POST', '/_mock/rules', { rules: [{ match: { contains: 'STALL' }, respond: { delay_ms: 2000 } }] });
      const stalled = post(url, '/v1/messages', messageBody('STALL'));
      await until('the first deployment busy', async () => (await mockCall('GET', '/_mock/requests')).requests.length === 1);
      const next = await post(url, '/v1/messages', messageBody('to the second'));
      assert.equal(next.status, 200, next.text);
      const only = await post(url, '/v1/messages', JSON.stringify({ model: 'claude-opus-4-1', max_tokens: 20, messages: [{ role: 'user', content: 'opus' }] }));
      assertAnthropicOverloaded(only, /first busy \(max_in_flight 1\)/);
      assert.equal((await stalled).status, 200);
      const seen = (await mockCall('GET', '/_mock/requests')).requests.map((r) => r.deployment);
      assert.deepEqual(seen, ['big-dep', 'small-dep']); // the refused opus request never went upstream
      const after = await post(url, '/v1/messages', JSON.stringify({ model: 'claude-opus-4-1', max_tokens: 20, messages: [{ role: 'user', content: 'free' }] }));
      assert.equal(after.status, 200, after.text); // the slot came back
    }));
});
