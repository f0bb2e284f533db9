// Team access on a real PostgreSQL 15 server started here: a v1 schema written by hand is
// upgraded with its data kept, two proxies share the database (revocation and the daily budget
// seen by both, usage from both summed), and the database going down does not stop requests
// with cached keys: their usage is kept in memory and written when it is back.
import assert from 'node:assert/strict';
import { test, after } from 'node:test';
import { createHash, randomInt } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { spawnSync } from 'node:child_process';
import { startStack, stopStack, PROXY_BIN, baseEnv } from './harness.mjs';
import {
  startPostgres, keysCli, createKey, usageByKey, tally, addAnthropicUsage, addOpenAIUsage, waitFor,
} from './team_keys_util.mjs';

const pg = await startPostgres();
if (!pg) {
  test('PostgreSQL tests', { skip: 'PostgreSQL 15 binaries not found in /usr/lib/postgresql/15/bin (scripts/setup.sh installs them)' }, () => {});
} else {
  after(() => pg.destroy());
  const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const oldKey = 'agp-' + Array.from({ length: 43 }, () => B62[randomInt(62)]).join('');
  // The first release's schema, by hand, with one key and one usage row.
  pg.psql(`
    CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);
    INSERT INTO schema_migrations VALUES (1, 0);
    CREATE TABLE api_keys (name TEXT PRIMARY KEY, owner TEXT NOT NULL DEFAULT '', key_hash TEXT NOT NULL UNIQUE,
      prefix TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL DEFAULT 0);
    CREATE TABLE usage (id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, key_name TEXT NOT NULL,
      session TEXT NOT NULL DEFAULT '', client_model TEXT NOT NULL DEFAULT '', deployment TEXT NOT NULL DEFAULT '',
      input_tokens BIGINT NOT NULL DEFAULT 0, output_tokens BIGINT NOT NULL DEFAULT 0,
      cached_tokens BIGINT NOT NULL DEFAULT 0, reasoning_tokens BIGINT NOT NULL DEFAULT 0,
      status INTEGER NOT NULL DEFAULT 0, latency_ms BIGINT NOT NULL DEFAULT 0);
    INSERT INTO api_keys (name, owner, key_hash, prefix, created_at)
      VALUES ('veteran', 'v@example.com', '${createHash('sha256').update(oldKey).digest('hex')}', '${oldKey.slice(0, 8)}', 1);
    INSERT INTO usage (at_ms, key_name, input_tokens, output_tokens) VALUES (${Date.now() - 3600_000}, 'veteran', 1000, 234);`);

  const env = { DATABASE_URL: pg.url, KEY_REFRESH_MS: '300', USAGE_FLUSH_MS: '100', AZURE_RESPONSES_API_VERSION: 'v1' };
  const a = await startStack({ proxyEnv: env });
  const b = await startStack({ proxyEnv: env });
  after(() => Promise.all([stopStack(a), stopStack(b)]));
  const anthropic = (s, key) => new Anthropic({ baseURL: s.proxyUrl, apiKey: key, maxRetries: 0 });
  const openai = (s, key) => new OpenAI({ baseURL: `${s.proxyUrl}/cursor`, apiKey: key, maxRetries: 0 });
  const ask = (text) => ({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: text }] });

  test('a hand-written v1 schema is migrated to v2 at start-up, its key and usage kept', async () => {
    assert.equal(pg.psql('SELECT MAX(version) FROM schema_migrations').trim(), '2');
    assert.equal(pg.psql("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'api_keys' AND column_name IN ('daily_tokens','expires_at')").trim(), '2');
    for (const s of [a, b]) assert.equal((await anthropic(s, oldKey).messages.create(ask('old key'))).type, 'message');
    await waitFor('usage of the old key', () => usageByKey(pg.url).veteran?.requests === 3);
    const u = usageByKey(pg.url).veteran;
    assert.ok(u.input_tokens > 1000 && u.output_tokens > 234, JSON.stringify(u));
  });

  test('two proxies: usage from both summed; a revoke is seen by both within seconds', async () => {
    const key = createKey(pg.url, 'dave');
    const got = tally();  // every answer, the warm-up's included
    for (const s of [a, b]) {
      const m = await waitFor('a proxy to know the new key', () => anthropic(s, key).messages.create(ask('warm up')), 5000);
      addAnthropicUsage(got, m.usage);
    }
    await Promise.all(Array.from({ length: 30 }, (_, i) => {
      const s = i % 2 ? a : b;
      return i % 3 ? anthropic(s, key).messages.create(ask(`load ${i} ${'z'.repeat(i * 11)}`)).then((m) => addAnthropicUsage(got, m.usage))
        : openai(s, key).chat.completions.create({ model: 'gpt-high', messages: [{ role: 'user', content: `cursor ${i}` }] }).then((c) => addOpenAIUsage(got, c.usage));
    }));
    await waitFor('all 32 usage rows', () => usageByKey(pg.url).dave?.requests === got.requests);
    const u = usageByKey(pg.url).dave;
    assert.equal(got.requests, 32);
    assert.deepEqual({ requests: u.requests, input_tokens: u.input_tokens, output_tokens: u.output_tokens, cached_tokens: u.cached_tokens }, got);

    const t0 = Date.now();
    keysCli(pg.url, ['revoke', '--name', 'dave']);
    for (const s of [a, b]) {
      await waitFor('the revoke to reach a proxy', async () => {
        const e = await anthropic(s, key).messages.create(ask('x')).catch((x) => x);
        return e?.status === 401;
      }, 5000, 50);
    }
    const took = Date.now() - t0;
    assert.ok(took < 3000, `revocation took ${took} ms`);
  });

  test('a daily budget is shared: tokens spent on one proxy stop the key on the other', async () => {
    await Promise.all([a, b].map((s) => s.mockRules([{ match: { contains: 'SHARED' }, respond: { text: 'ok', usage: { prompt_tokens: 40, completion_tokens: 20 } } }])));
    const key = createKey(pg.url, 'erin', ['--daily-tokens', '100']);
    // One answered request on each proxy (a refused one costs nothing): 2 × 60 tokens, 120 ≥ 100.
    for (const [name, s] of [['a', a], ['b', b]])
      await waitFor(`${name} to know erin`, () => anthropic(s, key).messages.create(ask('SHARED')), 5000);
    await waitFor('proxy b to see a\'s usage', async () => {
      const e = await anthropic(b, key).messages.create(ask('SHARED')).catch((x) => x);
      return e?.status === 429 && /daily token budget/.test(e.error.error.message);
    }, 5000);
    // …and proxy a, once it has read b's usage back (within KEY_REFRESH_MS).
    await waitFor('proxy a to refuse too', async () => {
      const e = await anthropic(a, key).messages.create(ask('SHARED')).catch((x) => x);
      return e?.status === 429;
    }, 5000);
  });

  test('the keys CLI on PostgreSQL: owner, limits and expiry read back; a taken name and a second revoke are refused', () => {
    createKey(pg.url, 'gina', ['--owner', 'g@example.com', '--daily-tokens', '5000', '--monthly-tokens', '90000',
      '--rpm', '7', '--tpm', '800', '--expires', '2099-01-31']);
    const row = keysCli(pg.url, ['list']).split('\n').find((l) => l.startsWith('gina '));
    assert.ok(row, 'gina is listed');
    assert.match(row, /g@example\.com/);
    assert.match(row, /2099-01-31/);
    for (const n of ['5000', '90000', '7', '800']) assert.match(row, new RegExp(`\\b${n}\\b`), row);
    // What the database holds, read by psql rather than by the proxy.
    assert.equal(pg.psql("SELECT daily_tokens || ',' || monthly_tokens || ',' || rpm || ',' || tpm FROM api_keys WHERE name = 'gina'").trim(), '5000,90000,7,800');
    const again = spawnSync(PROXY_BIN, ['keys', 'create', '--name', 'gina', '--database', pg.url], { env: baseEnv(), encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /a key named 'gina' exists already/);
    keysCli(pg.url, ['revoke', '--name', 'gina']);
    assert.notEqual(pg.psql("SELECT revoked_at FROM api_keys WHERE name = 'gina'").trim(), '0');
    const twice = spawnSync(PROXY_BIN, ['keys', 'revoke', '--name', 'gina', '--database', pg.url], { env: baseEnv(), encoding: 'utf8' });
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /no active key named 'gina'/);
  });

  test('database down: cached keys still served, usage kept in memory and written when it is back', async () => {
    const key = createKey(pg.url, 'frank');
    const got = tally();
    const first = await waitFor('a to know frank', () => anthropic(a, key).messages.create(ask('before')), 5000);
    addAnthropicUsage(got, first.usage);
    await waitFor('the first row', () => usageByKey(pg.url).frank?.requests === 1);
    pg.stop();
    for (let i = 0; i < 5; i++) addAnthropicUsage(got, (await anthropic(a, key).messages.create(ask(`while down ${i}`))).usage);
    const status = await waitFor('the status page to show the database down', async () => {
      const st = (await (await fetch(`${a.proxyUrl}/status.json`)).json()).sections.team_access;
      return st.database_ok === false && st.buffered_usage_rows === 5 ? st : null;
    }, 5000);
    assert.equal(status.buffered_usage_rows, 5);
    await waitFor('a warning in the log', () => /warning team access: .*not (written|refreshed)/.test(a.proxy.output), 3000);
    assert.equal((await fetch(`${a.proxyUrl}/ready`)).status, 200, 'the proxy stays ready while it serves cached keys');
    pg.start();
    await waitFor('the buffered rows to be written', () => usageByKey(pg.url).frank?.requests === 6, 15000, 200);
    const u = usageByKey(pg.url).frank;
    assert.deepEqual({ requests: u.requests, input_tokens: u.input_tokens, output_tokens: u.output_tokens, cached_tokens: u.cached_tokens }, got);
    await waitFor('the log to say the database is back', () => /database reachable again/.test(a.proxy.output), 3000);
  });
}
