// Helpers for running the real Claude Code CLI (node_modules/.bin/claude)
// against a stack from harness.mjs, shared by claude_cli*.test.mjs.
//
// Isolation: HOME is a fresh temp dir, non-essential traffic is disabled and
// any other HTTP(S) goes to a dead proxy port; the CLI only ever talks to
// ANTHROPIC_BASE_URL.
//
//   const runClaude = claudeRunner(stack, { timeoutMs: 45000 });
//   const dirs = tempDirs();
//   try { const run = await runClaude(['-p', '...'], dirs); await checked(run, async () => { ... }); }
//   finally { dirs.cleanup(); }
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOKEN, E2E_DIR } from './harness.mjs';

export const CLAUDE_BIN = process.env.AGP_CLAUDE_BIN || path.join(E2E_DIR, 'node_modules', '.bin', 'claude');

/** The CLI's environment: the proxy as ANTHROPIC_BASE_URL (and its token), a temp HOME, no other network. */
function claudeEnv(stack, home, extra = {}) {
  return {
    ...extra,
    PATH: process.env.PATH,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TERM: 'dumb',
    HOME: home,
    ANTHROPIC_BASE_URL: stack.proxyUrl,
    ANTHROPIC_AUTH_TOKEN: stack.token ?? TOKEN,
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    // Belt and braces: anything not addressed to the proxy (127.0.0.1) goes to a closed port.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

/**
 * Returns runClaude(args, { cwd, home }) -> Promise<{ code, signal, timedOut, stdout, stderr }>.
 * The CLI is killed (SIGKILL) after timeoutMs.
 */
export function claudeRunner(stack, { timeoutMs, env: extraEnv }) {
  // interruptWhen: polled every 100 ms; once it returns true the CLI gets SIGINT (the user's Ctrl-C).
  return function runClaude(args, { cwd, home }, { interruptWhen } = {}) {
    const env = claudeEnv(stack, home, extraEnv);
    return new Promise((resolve) => {
      const child = spawn(CLAUDE_BIN, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      let poll;
      if (interruptWhen)
        poll = setInterval(() => {
          if (interruptWhen()) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 100);
      child.on('error', (err) => {
        stderr += `\n[spawn error] ${err.message}`;
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (poll) clearInterval(poll);
        resolve({ code, signal, timedOut, stdout, stderr });
      });
    });
  };
}

/** Fresh temp HOME and working dir for one CLI run; call cleanup() when done. */
export function tempDirs() {
  const home = mkdtempSync(path.join(tmpdir(), 'agp-cli-home-'));
  const cwd = mkdtempSync(path.join(tmpdir(), 'agp-cli-work-'));
  return { home, cwd, cleanup: () => [home, cwd].forEach((d) => rmSync(d, { recursive: true, force: true })) };
}

export function describeRun(run) {
  return (
    `claude exit=${run.code} signal=${run.signal} timedOut=${run.timedOut}\n` +
    `----- claude stdout -----\n${run.stdout.slice(-6000)}\n----- claude stderr -----\n${run.stderr.slice(-6000)}`
  );
}

/** Runs the assertions in fn; on failure appends the CLI's exit status and output to the message. */
export async function checked(run, fn) {
  try {
    await fn();
  } catch (e) {
    e.message = `${e.message}\n${describeRun(run)}`;
    throw e;
  }
}

/** The JSON lines of `--output-format stream-json` output. */
export function streamJsonLines(stdout) {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Content blocks of the given type from the assistant lines of stream-json output. */
export function assistantBlocks(lines, type) {
  return lines
    .filter((l) => l.type === 'assistant')
    .flatMap((l) => l.message.content)
    .filter((c) => c.type === type);
}

/** stream-json output has a successful result line whose result contains `final`. */
export function assertResultLine(lines, final) {
  const result = lines.find((l) => l.type === 'result');
  assert.ok(result, 'no result line in stream-json output');
  assert.equal(result.is_error, false);
  assert.ok(String(result.result).includes(final), `result: ${JSON.stringify(result).slice(0, 500)}`);
}
