// TLS to Azure is verified: certificate chain against the trust store (OpenSSL's, which honours
// SSL_CERT_FILE, plus a corporate CA given with --ca-file / AZURE_CA_FILE) and host name; SNI is
// sent; switching verification off is explicit and shouts at start-up. A test CA is made here with
// the openssl CLI and a TLS terminator in front of the mock plays Azure's HTTPS endpoint.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, test } from 'node:test';
import { baseEnv, Child, PROXY_BIN, startStack, stopStack, TOKEN } from './harness.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-tls-'));
const f = (n) => path.join(dir, n);
const ssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });

function makeCa(name) {
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
      '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`));
}
makeCa('test-ca');
makeCa('other-ca');
// Server certificate for "localhost", signed by test-ca.
writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost\n');
ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('test-ca.pem'), '-CAkey', f('test-ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));

let backend = null; // the mock's port, set once a stack runs
const sniSeen = [];
const terminator = tls.createServer({ key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')) }, (sock) => {
  sniSeen.push(sock.servername ?? null);
  const up = net.connect(backend, '127.0.0.1', () => {
    sock.pipe(up);
    up.pipe(sock);
  });
  up.on('error', () => sock.destroy());
  sock.on('error', () => up.destroy());
});
await new Promise((r) => terminator.listen(0, '127.0.0.1', r));
const tlsPort = terminator.address().port;
after(() => {
  terminator.close();
  rmSync(dir, { recursive: true, force: true });
});

const stacks = [];
async function stackWith(host, env, proxyArgs = []) {
  // The proxy talks to the TLS terminator, which forwards to this stack's mock.
  const s = await startStack({
    proxyEnv: { UPSTREAM_RETRIES: '0', AZURE_OPENAI_ENDPOINT: `https://${host}:${tlsPort}`, ...env },
    proxyArgs,
  });
  stacks.push(s);
  backend = new URL(s.mockUrl).port;
  return s;
}
after(async () => {
  for (const s of stacks) await stopStack(s);
});

async function ask(s) {
  const r = await fetch(`${s.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'over tls' }] }),
  });
  return { status: r.status, body: await r.json() };
}

test('a certificate from a trusted CA for the right host name is accepted, with SNI', async () => {
  const s = await stackWith('localhost', { SSL_CERT_FILE: f('test-ca.pem') });
  sniSeen.length = 0;
  const r = await ask(s);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.content[0].text, 'mock reply: over tls');
  assert.deepEqual(sniSeen, ['localhost']);
});

test('a certificate for another host name is refused', async () => {
  // Same trusted CA, but the endpoint is 127.0.0.1 while the certificate names localhost.
  const s = await stackWith('127.0.0.1', { SSL_CERT_FILE: f('test-ca.pem') });
  const r = await ask(s);
  assert.equal(r.status, 500);
  assert.equal(r.body.error.type, 'api_error');
  assert.match(r.body.error.message, /TLS/);
});

test('a certificate from an untrusted CA is refused', async () => {
  const s = await stackWith('localhost', { SSL_CERT_FILE: f('other-ca.pem') });
  const r = await ask(s);
  assert.equal(r.status, 500);
  assert.match(r.body.error.message, /TLS handshake.*(certificate|verify)/i);
});

test('AZURE_VERIFY_TLS=false is the only way past verification, and it shouts at start-up', async () => {
  const s = await stackWith('localhost', { SSL_CERT_FILE: f('other-ca.pem'), AZURE_VERIFY_TLS: 'false' });
  const r = await ask(s);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(s.proxy.output, /warning !!! INSECURE: TLS verification of Azure is OFF/);
});

test('--insecure-tls is the flag for the same, with the same warning', async () => {
  const s = await stackWith('localhost', { SSL_CERT_FILE: f('other-ca.pem') }, ['--insecure-tls']);
  assert.equal((await ask(s)).status, 200);
  assert.equal(s.proxy.output.match(/!!! INSECURE/g).length, 3);
});

test('a corporate CA given with --ca-file is trusted besides the system store', async () => {
  const s = await stackWith('localhost', {}, ['--ca-file', f('test-ca.pem')]);
  const r = await ask(s);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.doesNotMatch(s.proxy.output, /INSECURE/);
});

test('AZURE_CA_FILE is the same as --ca-file', async () => {
  const s = await stackWith('localhost', { AZURE_CA_FILE: f('test-ca.pem') });
  assert.equal((await ask(s)).status, 200);
});

test('without the CA the system store alone refuses the test certificate, with a clear error', async () => {
  const s = await stackWith('localhost', {});
  const r = await ask(s);
  assert.equal(r.status, 500);
  assert.equal(r.body.error.type, 'api_error');
  assert.match(r.body.error.message, /TLS handshake with localhost.*certificate verify failed/i);
});

test('a CA file that is missing or holds no certificate stops start-up naming it', async () => {
  writeFileSync(f('not-a-ca.pem'), 'this is not a certificate\n');
  for (const [file, why] of [[f('missing.pem'), /cannot be read/], [f('not-a-ca.pem'), /holds no PEM certificate/]]) {
    const p = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', '--ca-file', file], {
      env: { ...baseEnv(), AZURE_OPENAI_ENDPOINT: 'https://localhost:1', AZURE_OPENAI_API_KEY: 'k', BIG_MODEL: 'b' },
    });
    const exit = await p.exitPromise;
    assert.equal(exit.code, 2, p.output);
    assert.match(p.output, /AZURE_CA_FILE/);
    assert.match(p.output, why);
    assert.ok(p.output.includes(file), p.output);
  }
});
