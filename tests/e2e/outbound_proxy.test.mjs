// Outbound HTTP proxy: with HTTP(S)_PROXY set, the gateway reaches Azure through a CONNECT
// tunnel (Basic credentials from the proxy URL); a refusing proxy is a clear error.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after } from 'node:test';
import { useStack, TOKEN } from './harness.mjs';

const seen = { connects: [], auth: [] };
let refuse = false;
const corpProxy = http.createServer((req, res) => res.writeHead(405).end());
corpProxy.on('connect', (req, clientSocket, head) => {
  seen.connects.push(req.url);
  seen.auth.push(req.headers['proxy-authorization'] ?? null);
  if (refuse) {
    clientSocket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    return;
  }
  const [host, port] = req.url.split(':');
  const upstream = net.connect(Number(port), host, () => {
    clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(clientSocket);
    clientSocket.pipe(upstream);
  });
  upstream.on('error', () => clientSocket.destroy());
  clientSocket.on('error', () => upstream.destroy());
});
await new Promise((r) => corpProxy.listen(0, '127.0.0.1', r));
after(() => corpProxy.close());
const proxyPort = corpProxy.address().port;

// The mock listens on 127.0.0.1: an explicit NO_PROXY that does not name it sends it through.
const stack = useStack({
  proxyEnv: { HTTP_PROXY: `http://svc:s3cret@127.0.0.1:${proxyPort}`, NO_PROXY: 'example.invalid', UPSTREAM_RETRIES: '0' },
});
const test = stack.test;

async function ask(content) {
  const r = await fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content }] }),
  });
  return { status: r.status, body: await r.json() };
}

test('a refusing proxy is reported as a clear api_error', async () => {
  refuse = true;
  try {
    const r = await ask('refused');
    assert.equal(r.status, 500);
    assert.equal(r.body.error.type, 'api_error');
    assert.match(r.body.error.message, /refused CONNECT/);
    assert.doesNotMatch(r.body.error.message, /s3cret/);
  } finally {
    refuse = false;
  }
});

test('requests reach Azure through a CONNECT tunnel with the proxy credentials', async () => {
  seen.connects.length = 0;
  const r = await ask('through the proxy');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.content[0].text, 'mock reply: through the proxy');
  const mockHostPort = new URL(stack.mockUrl).host;
  assert.deepEqual(seen.connects, [mockHostPort]);
  assert.equal(seen.auth.at(-1), 'Basic ' + Buffer.from('svc:s3cret').toString('base64'));
  assert.ok(!stack.proxy.output.includes('s3cret'), 'the proxy password reached the log');
});
