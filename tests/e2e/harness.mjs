// Test harness: starts a strict mock Azure and the proxy on free ports, and
// offers helpers for the mock's control API and for SDK clients.
//
//   import { useStack } from './harness.mjs';
//   const stack = useStack();            // registers before()/after() hooks
//   test('x', async () => { await stack.mockRules([...]); const c = stack.client(); ... });
//
// Binaries: AGP_PROXY_BIN / AGP_MOCK_BIN, default ../../build/{azure-gpt-proxy,mock-azure}.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after, beforeEach, test as nodeTest } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';

const here = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = here;
export const PROXY_BIN = process.env.AGP_PROXY_BIN || path.resolve(here, '../../build/azure-gpt-proxy');
export const MOCK_BIN = process.env.AGP_MOCK_BIN || path.resolve(here, '../../build/mock-azure');

export const TOKEN = 'e2e-client-token-3f9a';
export const AZURE_KEY = 'e2e-azure-key-77c1';
export const API_VERSION = '2024-10-21';
export const SMALL_DEPLOYMENT = 'small-dep';
export const BIG_DEPLOYMENT = 'big-dep';

const START_TIMEOUT_MS = 15000;
const LISTEN_RE = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** A spawned child whose stdout+stderr are collected. */
export class Child {
  constructor(name, bin, args, opts) {
    this.name = name;
    this.output = '';
    this.exited = null;
    this.proc = spawn(bin, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d) => (this.output += d));
    this.proc.stderr.on('data', (d) => (this.output += d));
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
      this.proc.on('error', (err) => {
        this.output += `\n[spawn error] ${err.message}\n`;
        this.exited = { code: null, signal: null, error: err };
        resolve(this.exited);
      });
    });
  }

  /** Wait for the `listening on http://127.0.0.1:PORT` line (stdout or stderr). */
  waitForUrl(timeoutMs = START_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = LISTEN_RE.exec(this.output);
        if (m) {
          cleanup();
          resolve(m[1]);
        } else if (this.exited) {
          cleanup();
          reject(new Error(`${this.name} exited (${JSON.stringify(this.exited)}) before listening. Output:\n${this.output}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not print 'listening on http://127.0.0.1:PORT' within ${timeoutMs} ms. Output:\n${this.output}`));
      }, timeoutMs);
      const iv = setInterval(check, 20);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(iv);
      };
      check();
    });
  }

  async stop() {
    if (this.exited) return this.exited;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => {
      if (!this.exited) this.proc.kill('SIGKILL');
    }, 3000);
    const r = await this.exitPromise;
    clearTimeout(t);
    return r;
  }
}

/** Environment for children: the parent's minus anything that could redirect the proxy. */
export function baseEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(AZURE_|ANTHROPIC_|OPENAI_|SMALL_MODEL|BIG_MODEL|MIDDLE_MODEL|HTTPS?_PROXY|ALL_PROXY)/i.test(k)) delete env[k];
  }
  return env;
}

/**
 * Start a mock Azure + proxy pair.
 * @param {{mockArgs?: string[], proxyEnv?: object, deployments?: string[], reasoningDeployments?: string[], azureKey?: string}} [opts]
 */
export async function startStack(opts = {}) {
  for (const [what, bin] of [
    ['proxy', PROXY_BIN],
    ['mock', MOCK_BIN],
  ]) {
    if (!existsSync(bin)) throw new Error(`${what} binary not found at ${bin} (set AGP_${what.toUpperCase()}_BIN or build it)`);
  }
  const deployments = opts.deployments ?? [SMALL_DEPLOYMENT, BIG_DEPLOYMENT];
  const azureKey = opts.azureKey ?? AZURE_KEY;
  const mockArgs = ['--listen', '127.0.0.1:0', '--api-key', azureKey, '--deployments', deployments.join(',')];
  if (opts.reasoningDeployments?.length) mockArgs.push('--reasoning-deployments', opts.reasoningDeployments.join(','));
  mockArgs.push(...(opts.mockArgs ?? []));

  const workDir = mkdtempSync(path.join(tmpdir(), 'agp-e2e-'));
  const stack = {
    workDir,
    mock: null,
    proxy: null,
    mockUrl: null,
    proxyUrl: null,
    token: TOKEN,
  };
  stack.mock = new Child('mock-azure', MOCK_BIN, mockArgs, { cwd: workDir, env: baseEnv() });
  try {
    stack.mockUrl = await stack.mock.waitForUrl();
    const proxyEnv = {
      ...baseEnv(),
      AZURE_OPENAI_ENDPOINT: stack.mockUrl,
      AZURE_OPENAI_API_KEY: azureKey,
      AZURE_API_VERSION: API_VERSION,
      ANTHROPIC_AUTH_TOKEN: TOKEN,
      SMALL_MODEL: SMALL_DEPLOYMENT,
      BIG_MODEL: BIG_DEPLOYMENT,
      ...(opts.proxyEnv ?? {}),
    };
    for (const [k, val] of Object.entries(proxyEnv)) if (val === undefined) delete proxyEnv[k];
    stack.proxy = new Child('azure-gpt-proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', ...(opts.proxyArgs ?? [])], {
      cwd: workDir,
      env: proxyEnv,
    });
    stack.proxyUrl = await stack.proxy.waitForUrl();
  } catch (e) {
    await stopStack(stack);
    throw e;
  }
  Object.assign(stack, stackHelpers(stack));
  return stack;
}

export async function stopStack(stack) {
  if (!stack) return;
  await Promise.all([stack.proxy?.stop(), stack.mock?.stop()]);
  try {
    rmSync(stack.workDir, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
}

async function controlCall(stack, method, p, body) {
  const res = await fetch(stack.mockUrl + p, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`mock ${method} ${p} -> ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Raw POST of JSON (a string is sent as it is) to `baseUrl + p` with the e2e token; returns {status, headers, text, json}. */
export async function postJson(baseUrl, p, body, headers = {}) {
  const res = await fetch(baseUrl + p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* SSE or empty */
  }
  return { status: res.status, headers: res.headers, text, json };
}

function stackHelpers(stack) {
  return {
    /** Install mock rules (first match wins). */
    mockRules: (rules) => controlCall(stack, 'POST', '/_mock/rules', { rules }),
    /** Clear rules and the request log. */
    mockReset: () => controlCall(stack, 'POST', '/_mock/reset', {}),
    /** Requests the mock received (chat completions only, in order). */
    mockRequests: async () => (await controlCall(stack, 'GET', '/_mock/requests')).requests,
    /** Anthropic SDK client (x-api-key auth by default; {bearer:true} → Authorization: Bearer). */
    client: ({ bearer = false, token = TOKEN, ...rest } = {}) =>
      new Anthropic({
        baseURL: stack.proxyUrl,
        ...(bearer ? { authToken: token, apiKey: null } : { apiKey: token, authToken: null }),
        maxRetries: 0,
        timeout: 30000,
        ...rest,
      }),
    /** Raw POST of JSON to the proxy; returns {status, headers, text, json}. */
    post: (p, body, headers = {}) => postJson(stack.proxyUrl, p, body, headers),
    /** Both children's logs, for failure messages. */
    logs: () =>
      `----- proxy log -----\n${stack.proxy?.output ?? ''}\n----- mock log -----\n${stack.mock?.output ?? ''}`,
  };
}

/**
 * Register before/after hooks that start/stop a stack for the current file and
 * reset the mock before each test. Returns a proxy object whose properties are
 * available once `before` ran.
 */
export function useStack(opts = {}) {
  const holder = {};
  let stack = null;
  before(async () => {
    stack = await startStack(opts);
    Object.assign(holder, stack);
  });
  beforeEach(async () => {
    if (stack) await stack.mockReset();
  });
  after(async () => {
    if (stack && process.env.AGP_E2E_SHOW_LOGS) console.error(stack.logs());
    await stopStack(stack);
  });
  /** Like node:test's test(), but failures carry the tail of the proxy/mock logs. */
  holder.test = (name, optsOrFn, maybeFn) => {
    const fn = typeof optsOrFn === 'function' ? optsOrFn : maybeFn;
    const topts = typeof optsOrFn === 'function' ? {} : optsOrFn;
    return nodeTest(name, topts, (t) => withLogs(holder, () => fn(t)));
  };
  return holder;
}

/** Run fn; on failure, append the proxy/mock logs to the error message. */
export async function withLogs(stack, fn) {
  try {
    return await fn();
  } catch (e) {
    if (e && typeof e === 'object') {
      try {
        const logs = `\n${stack.logs().slice(-8000)}`;
        e.message += logs;
        if (typeof e.stack === 'string') e.stack += logs;
      } catch {
        /* ignore */
      }
    }
    throw e;
  }
}

/** Tiny 1x1 red PNG (base64). */
export const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** Last message of an upstream (OpenAI) request body. */
export function upstreamBody(req) {
  return typeof req.body === 'string' ? JSON.parse(req.body) : req.body;
}
