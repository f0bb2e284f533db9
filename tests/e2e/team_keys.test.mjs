// Team access on SQLite: keys from the CLI used by the official Anthropic and OpenAI clients,
// the shared token still working, usage per key equal to the sum of what every client was told
// under concurrent load, revocation within seconds, and budgets / rate limits answered with 429s
// in each client's own shape.
import assert from 'node:assert/strict';
import { test, after } from 'node:test';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startStack, stopStack, TOKEN } from './harness.mjs';
import {
  KEY_RE, keysCli, createKey, usageByKey, tally, addAnthropicUsage, addOpenAIUsage, sseUsage, waitFor,
} from './team_keys_util.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'agp-keys-'));
const DB = `sqlite://${dir}/team.db`;
const keys = {
  alice: createKey(DB, 'alice', ['--owner', 'alice@example.com']),
  bob: createKey(DB, 'bob'),
  cursor: createKey(DB, 'cursor-ci'),
  revoked: createKey(DB, 'leaver'),
  daily: createKey(DB, 'daily', ['--daily-tokens', '50']),
  rpm: createKey(DB, 'rpm', ['--rpm', '2']),
  expired: createKey(DB, 'expired', ['--expires', '2020-01-01']),
  // Used by the load test only, so their usage is that test's alone.
  loadA: createKey(DB, 'load-a'),
  loadB: createKey(DB, 'load-b'),
  loadC: createKey(DB, 'load-c'),
};
const stack = await startStack({ proxyEnv: { DATABASE_URL: DB, KEY_REFRESH_MS: '300', USAGE_FLUSH_MS: '100', AZURE_RESPONSES_API_VERSION: 'v1' } });
after(async () => {
  await stopStack(stack);
  rmSync(dir, { recursive: true, force: true });
});

const anthropic = (key, opts = {}) => new Anthropic({ baseURL: stack.proxyUrl, apiKey: key, maxRetries: 0, ...opts });
const openai = (key) => new OpenAI({ baseURL: `${stack.proxyUrl}/cursor`, apiKey: key, maxRetries: 0 });
const ask = (text) => ({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: text }] });
const cursorAsk = (text) => ({ model: 'gpt-high', messages: [{ role: 'user', content: text }] });

test('keys: agp- + 43 base62 characters, stored only as a SHA-256, listed by prefix', () => {
  for (const k of Object.values(keys)) assert.match(k, KEY_RE);
  assert.equal(new Set(Object.values(keys)).size, Object.keys(keys).length);
  const file = readFileSync(`${dir}/team.db`).toString('latin1') +
    (existsSync(`${dir}/team.db-wal`) ? readFileSync(`${dir}/team.db-wal`).toString('latin1') : '');
  for (const k of Object.values(keys)) {
    assert.ok(!file.includes(k), 'a key is in the database file');
    assert.ok(file.includes(createHash('sha256').update(k).digest('hex')), 'a key hash is missing');
  }
  const list = keysCli(DB, ['list']);
  assert.match(list, /alice\s+alice@example\.com\s+agp-/);
  for (const k of Object.values(keys)) assert.ok(!list.includes(k.slice(0, 12)), 'the list shows more than 8 characters');
  assert.throws(() => createKey(DB, 'alice'), /exists already/);
});

test('a key works for Claude Code (x-api-key and Bearer) and Cursor; the shared token too; others get 401', async () => {
  const a = await anthropic(keys.alice).messages.create(ask('hello via x-api-key'));
  assert.equal(a.type, 'message');
  const b = await anthropic(null, { authToken: keys.alice }).messages.create(ask('hello via bearer'));
  assert.equal(b.type, 'message');
  const c = await openai(keys.cursor).chat.completions.create(cursorAsk('hello from cursor'));
  assert.equal(c.object, 'chat.completion');
  const shared = await anthropic(TOKEN).messages.create(ask('hello via the shared token'));
  assert.equal(shared.type, 'message');
  const wrong = 'agp-' + 'x'.repeat(43);
  for (const k of [wrong, keys.expired, 'not-a-key']) {
    await assert.rejects(anthropic(k).messages.create(ask('no')), (e) => e instanceof Anthropic.AuthenticationError && e.status === 401);
    await assert.rejects(openai(k).chat.completions.create(cursorAsk('no')), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  }
  const status = await (await fetch(`${stack.proxyUrl}/status.json`)).json();
  const names = status.sections.team_access.keys.map((k) => k.name);
  assert.ok(names.includes('alice') && names.includes('(shared token)'), JSON.stringify(status.sections.team_access));
  assert.equal(status.sections.team_access.database_ok, true);
});

test('usage per key equals the sum of the usage in every answer, under concurrent load', async () => {
  await stack.mockRules([{ match: { contains: 'CACHED' }, respond: { text: 'cached answer', usage: { prompt_tokens: 400, completion_tokens: 7, cached_tokens: 128 } } }]);
  const got = { 'load-a': tally(), 'load-b': tally(), 'load-c': tally() };
  const jobs = [];
  for (let i = 0; i < 60; i++) {
    const words = 'word '.repeat(1 + ((i * 37) % 50));
    const cached = i % 5 === 0 ? ' CACHED' : '';
    if (i % 3 === 0) {
      jobs.push(anthropic(keys.loadA).messages.create(ask(`${i} ${words}${cached}`)).then((m) => addAnthropicUsage(got['load-a'], m.usage)));
    } else if (i % 3 === 1) {
      jobs.push((async () => {
        const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.loadB}`, 'x-claude-code-session-id': 'sess-b' },
          body: JSON.stringify({ ...ask(`${i} ${words}${cached}`), stream: true }),
        });
        assert.equal(res.status, 200);
        addAnthropicUsage(got['load-b'], sseUsage(await res.text()));
      })());
    } else {
      jobs.push(openai(keys.loadC).chat.completions.create(cursorAsk(`${i} ${words}${cached}`)).then((c) => addOpenAIUsage(got['load-c'], c.usage)));
    }
  }
  await Promise.all(jobs);
  const names = Object.keys(got);
  await waitFor('usage rows of all 60 requests', () => {
    const now = usageByKey(DB);
    return names.every((n) => now[n]?.requests === got[n].requests);
  });
  const now = usageByKey(DB);
  for (const n of names) {
    const { requests, input_tokens, output_tokens, cached_tokens } = now[n];
    assert.deepEqual({ requests, input_tokens, output_tokens, cached_tokens }, got[n], n);
  }
  assert.ok(got['load-a'].cached_tokens > 0 && got['load-c'].cached_tokens > 0, 'the load had cached tokens');
});

test('a revoked key is refused within seconds', async () => {
  const m = await anthropic(keys.revoked).messages.create(ask('still here'));
  assert.equal(m.type, 'message');
  const t0 = Date.now();
  assert.match(keysCli(DB, ['revoke', '--name', 'leaver']), /revoked key 'leaver'/);
  await waitFor('the revoked key to be refused', async () => {
    const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': keys.revoked }, body: JSON.stringify(ask('x')),
    });
    return res.status === 401;
  }, 5000, 50);
  const took = Date.now() - t0;
  assert.ok(took < 3000, `revocation took ${took} ms`);
  await assert.rejects(openai(keys.revoked).chat.completions.create(cursorAsk('no')), (e) => e.status === 401);
});

test('a key created while the proxy runs works within seconds', async () => {
  const fresh = createKey(DB, 'newcomer');
  const m = await waitFor('the new key to be accepted', () => anthropic(fresh).messages.create(ask('hi')), 5000, 100);
  assert.equal(m.type, 'message');
});

function secondsUntil(date) {
  return Math.ceil((date.getTime() - Date.now()) / 1000);
}

test('daily token budget: cut off at the limit with a 429 rate_limit_error naming the limit and its reset', async () => {
  await stack.mockRules([{ match: { contains: 'BUDGET' }, respond: { text: 'ok', usage: { prompt_tokens: 20, completion_tokens: 10 } } }]);
  let used = 0, answered = 0, refused = null;
  for (let i = 0; i < 10 && !refused; i++) {
    try {
      const m = await anthropic(keys.daily).messages.create(ask('BUDGET'));
      used += m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0) + m.usage.output_tokens;
      answered++;
      await new Promise((r) => setTimeout(r, 100)); // the proxy counts a request when it has ended
    } catch (e) {
      refused = e;
    }
  }
  // 30 tokens a request, a budget of 50: the second request starts at 30 < 50, the third at 60.
  assert.equal(answered, 2);
  assert.equal(used, 60);
  assert.ok(refused instanceof Anthropic.RateLimitError, String(refused));
  assert.equal(refused.status, 429);
  assert.equal(refused.error.type, 'error');
  assert.equal(refused.error.error.type, 'rate_limit_error');
  const now = new Date();
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const retry = Number(refused.headers.get('retry-after'));
  assert.ok(Math.abs(retry - secondsUntil(midnight)) <= 2, `retry-after ${retry}, midnight in ${secondsUntil(midnight)} s`);
  const msg = refused.error.error.message;
  assert.match(msg, /daily token budget/);
  assert.ok(msg.includes(`${midnight.toISOString().slice(0, 10)} 00:00:00 UTC`), msg);
  assert.match(msg, /60\/50 tokens/);
  // The same key on the OpenAI route: OpenAI's error shape.
  try {
    await openai(keys.daily).chat.completions.create(cursorAsk('BUDGET'));
    assert.fail('the OpenAI route admitted a key over its budget');
  } catch (e) {
    assert.ok(e instanceof OpenAI.RateLimitError, String(e));
    assert.equal(e.status, 429);
    assert.equal(e.error.type, 'rate_limit_error');
    assert.equal(e.error.code, 'rate_limit_exceeded');
    assert.match(e.error.message, /daily token budget/);
    assert.ok(Number(e.headers.get('retry-after')) > 0);
  }
  const mockSeen = (await stack.mockRequests()).length;
  await assert.rejects(anthropic(keys.daily).messages.create(ask('BUDGET')), (e) => e.status === 429);
  assert.equal((await stack.mockRequests()).length, mockSeen, 'a refused request reached Azure');
});

test('requests per minute: the third request in a minute gets a 429 until the next minute', async () => {
  if (new Date().getUTCSeconds() >= 50) await new Promise((r) => setTimeout(r, (61 - new Date().getUTCSeconds()) * 1000));
  await anthropic(keys.rpm).messages.create(ask('one'));
  await anthropic(keys.rpm).messages.create(ask('two'));
  const e = await anthropic(keys.rpm).messages.create(ask('three')).catch((x) => x);
  assert.ok(e instanceof Anthropic.RateLimitError, String(e));
  assert.match(e.error.error.message, /requests per minute \(2\/2 requests\)/);
  const retry = Number(e.headers.get('retry-after'));
  const expected = 60 - new Date().getUTCSeconds();
  assert.ok(Math.abs(retry - expected) <= 2, `retry-after ${retry}, expected ~${expected}`);
});
