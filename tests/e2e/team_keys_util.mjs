// Helpers for the team access tests: the `keys` CLI on a database, the usage every answer
// reported to its client (summed independently of the proxy), and a throw-away PostgreSQL server.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROXY_BIN, baseEnv } from './harness.mjs';

export const KEY_RE = /^agp-[A-Za-z0-9]{43}$/;

/** Runs `azure-gpt-proxy keys ARGS --database URL`; returns stdout (throws on a non-zero exit). */
export function keysCli(db, args) {
  return execFileSync(PROXY_BIN, ['keys', ...args, '--database', db], { env: baseEnv(), encoding: 'utf8' });
}

/** Creates a key; the key is the last line of the output. */
export function createKey(db, name, extra = []) {
  const out = keysCli(db, ['create', '--name', name, ...extra]);
  return out.trimEnd().split('\n').at(-1);
}

/** Usage per key from `keys usage --json`, as {name: {requests, input_tokens, …}}. */
export function usageByKey(db, since = '1d') {
  const rows = JSON.parse(keysCli(db, ['usage', '--since', since, '--json']));
  return Object.fromEntries(rows.map((r) => [r.key, r]));
}

/** An empty tally of what clients were told they used. */
export function tally() {
  return { requests: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0 };
}

/** Adds an Anthropic answer's usage (input_tokens excludes the cache reads, which Azure counts in its prompt). */
export function addAnthropicUsage(t, usage) {
  t.requests += 1;
  t.input_tokens += usage.input_tokens + (usage.cache_read_input_tokens ?? 0);
  t.output_tokens += usage.output_tokens;
  t.cached_tokens += usage.cache_read_input_tokens ?? 0;
}

/** Adds an OpenAI chat completion's usage. */
export function addOpenAIUsage(t, usage) {
  t.requests += 1;
  t.input_tokens += usage.prompt_tokens;
  t.output_tokens += usage.completion_tokens;
  t.cached_tokens += usage.prompt_tokens_details?.cached_tokens ?? 0;
}

/** The final usage of a raw Anthropic SSE stream: its last message_delta's. */
export function sseUsage(sse) {
  let usage = null;
  for (const m of sse.matchAll(/^data: (.*)$/gm)) {
    const ev = JSON.parse(m[1]);
    if (ev.type === 'message_delta') usage = ev.usage;
  }
  if (!usage) throw new Error(`no message_delta in stream:\n${sse}`);
  return usage;
}

export async function waitFor(what, fn, timeoutMs = 10000, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${last?.message ?? JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const PG_BIN = '/usr/lib/postgresql/15/bin';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * A PostgreSQL 15 server in a temp dir, run as the unprivileged `postgres` user (root cannot run
 * it), on a random loopback port; null when the binaries are absent.
 */
export async function startPostgres() {
  if (!existsSync(`${PG_BIN}/initdb`)) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'agp-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const asPg = (cmd, args) => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  asPg(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const port = await freePort();
  const pg = {
    dir,
    data,
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    // pg_ctl (short-lived, through runuser) starts and stops the server: no long-lived runuser
    // in between to forward signals.
    start() {
      asPg(`${PG_BIN}/pg_ctl`, ['-D', data, '-l', path.join(dir, 'postgres.log'), '-w', '-t', '20', '-o',
        `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`, 'start']);
      this.running = true;
    },
    stop() {
      if (!this.running) return;
      asPg(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop']);
      this.running = false;
    },
    /** Runs SQL through psql; returns its output (tuples only, unaligned). */
    psql(sql) {
      const r = spawnSync('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres',
        '-tA', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
      return r.stdout;
    },
    async destroy() {
      this.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}
