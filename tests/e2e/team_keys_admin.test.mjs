// The admin API (/admin/…, ADMIN_TOKEN): create, list, revoke keys and read usage over HTTP,
// 401 without the admin token, and 404 on a proxy with no ADMIN_TOKEN.
import assert from 'node:assert/strict';
import { test, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startStack, stopStack } from './harness.mjs';
import { KEY_RE, keysCli, usageByKey, tally, addAnthropicUsage, waitFor } from './team_keys_util.mjs';

const ADMIN = 'e2e-admin-token-91b2';
const dir = mkdtempSync(path.join(tmpdir(), 'agp-keys-admin-'));
const DB = `sqlite://${dir}/team.db`;
const stack = await startStack({ proxyEnv: { DATABASE_URL: DB, ADMIN_TOKEN: ADMIN, KEY_REFRESH_MS: '5000', USAGE_FLUSH_MS: '100' } });
const noAdmin = await startStack({ proxyEnv: { DATABASE_URL: `sqlite://${dir}/other.db` } });
after(async () => {
  await Promise.all([stopStack(stack), stopStack(noAdmin)]);
  rmSync(dir, { recursive: true, force: true });
});

const admin = (p, opts = {}, token = ADMIN) => fetch(`${stack.proxyUrl}${p}`, {
  ...opts,
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.headers ?? {}) },
});

test('without ADMIN_TOKEN the admin API is not there (404); with it, a wrong token is 401', async () => {
  assert.equal((await fetch(`${noAdmin.proxyUrl}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN}` } })).status, 404);
  assert.equal((await admin('/admin/keys', {}, null)).status, 401);
  assert.equal((await admin('/admin/keys', {}, 'wrong')).status, 401);
  assert.equal((await admin('/admin/usage', {}, 'wrong')).status, 401);
});

test('POST /admin/keys creates a key usable at once; GET lists it without the key; DELETE revokes it', async () => {
  const res = await admin('/admin/keys', { method: 'POST', body: JSON.stringify({ name: 'gina', owner: 'g@example.com', rpm: 100 }) });
  assert.equal(res.status, 201);
  const made = await res.json();
  assert.match(made.key, KEY_RE);
  assert.equal(made.prefix, made.key.slice(0, 8));
  // KEY_REFRESH_MS is 5 s here: the proxy that created the key reads the keys again at once.
  const client = new Anthropic({ baseURL: stack.proxyUrl, apiKey: made.key, maxRetries: 0 });
  const got = tally();
  const m = await waitFor('the new key', () => client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'hi admin' }] }), 1500, 50);
  addAnthropicUsage(got, m.usage);
  const list = await (await admin('/admin/keys')).json();
  const gina = list.find((k) => k.name === 'gina');
  assert.equal(gina.owner, 'g@example.com');
  assert.equal(gina.rpm, 100);
  assert.ok(!JSON.stringify(list).includes(made.key.slice(8)), 'the list shows the key');
  assert.match(keysCli(DB, ['list']), /gina\s+g@example\.com/);
  assert.equal((await admin('/admin/keys', { method: 'POST', body: JSON.stringify({ name: 'gina' }) })).status, 409);
  assert.equal((await admin('/admin/keys', { method: 'POST', body: JSON.stringify({ name: 'bad name' }) })).status, 400);
  assert.equal((await admin('/admin/keys', { method: 'POST', body: JSON.stringify({ name: 'x', rpm: -1 }) })).status, 400);

  await waitFor('the usage row', async () => (await (await admin('/admin/usage?since=1d')).json()).find((u) => u.key === 'gina')?.requests === 1);
  const usage = (await (await admin('/admin/usage?since=1d')).json()).find((u) => u.key === 'gina');
  assert.deepEqual({ requests: usage.requests, input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, cached_tokens: usage.cached_tokens }, got);
  assert.deepEqual(usageByKey(DB).gina.input_tokens, got.input_tokens);
  assert.equal((await admin('/admin/usage?since=tomorrow')).status, 400);

  const del = await admin('/admin/keys/gina', { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.equal((await admin('/admin/keys/gina', { method: 'DELETE' })).status, 404);
  await waitFor('the revoked key to be refused', async () => {
    const e = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    return e?.status === 401;
  }, 1500, 50);
});
