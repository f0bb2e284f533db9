// The real Claude Code CLI (node_modules/.bin/claude) running a tool loop
// through the proxy against the mock Azure. The CLI only ever talks to
// ANTHROPIC_BASE_URL: HOME is a fresh temp dir, non-essential traffic is
// disabled and any other HTTP(S) goes to a dead proxy port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useStack, TOKEN, E2E_DIR, upstreamBody } from './harness.mjs';

const stack = useStack();
const test = stack.test;

const CLAUDE_BIN = process.env.AGP_CLAUDE_BIN || path.join(E2E_DIR, 'node_modules', '.bin', 'claude');
const CLI_TIMEOUT_MS = 120000;

function runClaude(args, { cwd, home }) {
  const env = {
    PATH: process.env.PATH,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TERM: 'dumb',
    HOME: home,
    ANTHROPIC_BASE_URL: stack.proxyUrl,
    ANTHROPIC_AUTH_TOKEN: TOKEN,
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    // Belt and braces: anything not addressed to the proxy (127.0.0.1) goes to a closed port.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
  };
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
    }, CLI_TIMEOUT_MS);
    child.on('error', (err) => {
      stderr += `\n[spawn error] ${err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

function tempDirs() {
  const home = mkdtempSync(path.join(tmpdir(), 'agp-cli-home-'));
  const cwd = mkdtempSync(path.join(tmpdir(), 'agp-cli-work-'));
  return { home, cwd, cleanup: () => [home, cwd].forEach((d) => rmSync(d, { recursive: true, force: true })) };
}

function describeRun(run) {
  return (
    `claude exit=${run.code} signal=${run.signal} timedOut=${run.timedOut}\n` +
    `----- claude stdout -----\n${run.stdout.slice(-6000)}\n----- claude stderr -----\n${run.stderr.slice(-6000)}`
  );
}

async function checked(run, fn) {
  try {
    await fn();
  } catch (e) {
    e.message = `${e.message}\n${describeRun(run)}`;
    throw e;
  }
}

function toolMessages(reqs) {
  return reqs.flatMap((r) => (upstreamBody(r).messages ?? []).filter((m) => m.role === 'tool'));
}

test('claude -p: Bash tool loop creates the file and prints the final answer', { timeout: CLI_TIMEOUT_MS + 30000 }, async () => {
  const MARK = 'E2E-CLI-ASK-7d41';
  const FINAL = 'E2E-CLI-FINAL-93b2';
  await stack.mockRules([
    { match: { last_role: 'tool', contains: MARK }, respond: { text: `The file was written. ${FINAL}` } },
    {
      match: { contains: MARK },
      respond: {
        tool_calls: [{ id: 'call_cli_1', name: 'Bash', arguments: { command: "printf 'hello-from-mock' > proof.txt", description: 'Write the proof file' } }],
      },
    },
  ]);
  const dirs = tempDirs();
  try {
    const run = await runClaude(['-p', `Please create the proof file. ${MARK}`, '--allowedTools', 'Bash'], dirs);
    await checked(run, async () => {
      assert.equal(run.timedOut, false, 'CLI timed out');
      const proof = path.join(dirs.cwd, 'proof.txt');
      assert.ok(existsSync(proof), 'proof.txt was not created by the Bash tool');
      assert.equal(readFileSync(proof, 'utf8'), 'hello-from-mock');
      assert.ok(run.stdout.includes(FINAL), 'final marker missing from stdout');
      assert.equal(run.code, 0);
      const reqs = await stack.mockRequests();
      assert.ok(reqs.every((r) => r.status === 200), `some upstream requests failed: ${JSON.stringify(reqs.map((r) => [r.deployment, r.status]))}`);
      const tools = toolMessages(reqs);
      assert.ok(tools.length >= 1, 'no role:"tool" message reached the upstream');
    });
  } finally {
    dirs.cleanup();
  }
});

test('claude -p --output-format stream-json: two parallel Bash calls, result line', { timeout: CLI_TIMEOUT_MS + 30000 }, async () => {
  const MARK = 'E2E-CLI-PAR-5c60';
  const FINAL = 'E2E-CLI-PAR-FINAL-0e1f';
  await stack.mockRules([
    { match: { last_role: 'tool', contains: MARK }, respond: { text: `Both files exist. ${FINAL}` } },
    {
      match: { contains: MARK },
      respond: {
        tool_calls: [
          { id: 'call_cli_a', name: 'Bash', arguments: { command: "printf 'file-a' > a.txt", description: 'Write a.txt' } },
          { id: 'call_cli_b', name: 'Bash', arguments: { command: "printf 'file-b' > b.txt", description: 'Write b.txt' } },
        ],
        chunk_size: 8,
      },
    },
  ]);
  const dirs = tempDirs();
  try {
    const run = await runClaude(
      ['-p', `Create a.txt and b.txt in parallel. ${MARK}`, '--allowedTools', 'Bash', '--output-format', 'stream-json', '--verbose'],
      dirs,
    );
    await checked(run, async () => {
      assert.equal(run.timedOut, false, 'CLI timed out');
      assert.equal(readFileSync(path.join(dirs.cwd, 'a.txt'), 'utf8'), 'file-a');
      assert.equal(readFileSync(path.join(dirs.cwd, 'b.txt'), 'utf8'), 'file-b');
      const lines = run.stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
      const result = lines.find((l) => l.type === 'result');
      assert.ok(result, 'no result line in stream-json output');
      assert.equal(result.is_error, false);
      assert.ok(String(result.result).includes(FINAL), `result: ${JSON.stringify(result).slice(0, 500)}`);
      const toolUses = lines
        .filter((l) => l.type === 'assistant')
        .flatMap((l) => l.message.content)
        .filter((c) => c.type === 'tool_use');
      assert.equal(toolUses.length, 2, 'expected two tool_use blocks');
      assert.equal(run.code, 0);
      const reqs = await stack.mockRequests();
      const last = reqs.filter((r) => r.body && JSON.stringify(upstreamBody(r)).includes(MARK)).pop();
      const tools = (upstreamBody(last).messages ?? []).filter((m) => m.role === 'tool');
      assert.equal(tools.length, 2, 'both tool results should reach the upstream in one request');
      assert.notEqual(tools[0].tool_call_id, tools[1].tool_call_id);
    });
  } finally {
    dirs.cleanup();
  }
});
