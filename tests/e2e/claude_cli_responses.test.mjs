// The real Claude Code CLI (node_modules/.bin/claude) running a Bash tool loop
// through the proxy on the Responses backend (AZURE_BACKEND=responses) against
// the mock Azure. Same isolation as claude_cli.test.mjs: HOME is a fresh temp
// dir, non-essential traffic is disabled and any other HTTP(S) goes to a dead
// proxy port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useStack, TOKEN, E2E_DIR, upstreamBody } from './harness.mjs';

const stack = useStack({
  deployments: ['gpt-5-mini', 'gpt-5'],
  proxyEnv: { AZURE_BACKEND: 'responses', AZURE_API_VERSION: undefined, BIG_MODEL: 'gpt-5', SMALL_MODEL: 'gpt-5-mini' },
});
const test = stack.test;

const CLAUDE_BIN = process.env.AGP_CLAUDE_BIN || path.join(E2E_DIR, 'node_modules', '.bin', 'claude');
const CLI_TIMEOUT_MS = 45000;

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
    // Anything not addressed to the proxy (127.0.0.1) goes to a closed port.
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

test('claude -p on the Responses backend: reasoning + Bash call, file written, final answer; thinking goes back as a reasoning item', { timeout: CLI_TIMEOUT_MS + 15000 }, async () => {
  const MARK = 'E2E-CLI-RESP-4e17';
  const FINAL = 'E2E-CLI-RESP-FINAL-a09c';
  const SUMMARY = 'The user wants a proof file; I will write it with Bash.';
  await stack.mockRules([
    { match: { last_role: 'tool', contains: MARK }, respond: { text: `The file was written. ${FINAL}` } },
    {
      match: { contains: MARK },
      respond: {
        reasoning_summary: SUMMARY,
        tool_calls: [{ id: 'call_cli_resp_1', name: 'Bash', arguments: { command: "printf 'hello-from-responses' > proof.txt", description: 'Write the proof file' } }],
        chunk_size: 6,
      },
    },
  ]);
  const dirs = tempDirs();
  try {
    const run = await runClaude(
      ['-p', `Please create the proof file. ${MARK}`, '--allowedTools', 'Bash', '--output-format', 'stream-json', '--verbose'],
      dirs,
    );
    await checked(run, async () => {
      assert.equal(run.timedOut, false, 'CLI timed out');
      const proof = path.join(dirs.cwd, 'proof.txt');
      assert.ok(existsSync(proof), 'proof.txt was not created by the Bash tool');
      assert.equal(readFileSync(proof, 'utf8'), 'hello-from-responses');
      const lines = run.stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
      const result = lines.find((l) => l.type === 'result');
      assert.ok(result, 'no result line in stream-json output');
      assert.equal(result.is_error, false);
      assert.ok(String(result.result).includes(FINAL), `result: ${JSON.stringify(result).slice(0, 500)}`);
      assert.equal(run.code, 0);

      const reqs = await stack.mockRequests();
      assert.ok(reqs.every((r) => r.status === 200), `some upstream requests failed: ${JSON.stringify(reqs.map((r) => [r.path, r.status]))}`);
      assert.ok(reqs.every((r) => r.api === 'responses'), `non-Responses upstream request: ${JSON.stringify(reqs.map((r) => r.path))}`);
      const loop = reqs.filter((r) => JSON.stringify(upstreamBody(r)).includes(MARK));
      assert.ok(loop.length >= 2, `expected two upstream requests for the tool loop, got ${loop.length}`);
      const first = upstreamBody(loop[0]);
      const second = upstreamBody(loop[loop.length - 1]);
      if (process.env.AGP_E2E_DEBUG) {
        // AGP_E2E_DEBUG=1: print what the CLI sent upstream.
        const brief = (b) => JSON.stringify({ ...b, input: b.input.map((i) => i.type + (i.role ? ':' + i.role : '')), tools: b.tools?.map((t) => t.name), instructions: b.instructions?.length });
        console.error('first request:', brief(first));
        console.error('second request:', brief(second));
        console.error('second request items:', JSON.stringify(second.input.filter((i) => i.type !== 'message')).slice(0, 3000));
      }
      // The CLI asks for thinking, so the proxy asks for the encrypted reasoning and a summary.
      assert.deepEqual(first.include, ['reasoning.encrypted_content'], `first request: ${JSON.stringify({ reasoning: first.reasoning, include: first.include })}`);
      assert.equal(first.reasoning?.summary, 'detailed');

      // The CLI shows the summary as a thinking block carrying our agp1 signature...
      const thinking = lines
        .filter((l) => l.type === 'assistant')
        .flatMap((l) => l.message.content)
        .filter((c) => c.type === 'thinking');
      assert.equal(thinking.length, 1, `thinking blocks in the CLI output: ${JSON.stringify(thinking)}`);
      assert.equal(thinking[0].thinking, SUMMARY);
      const m = /^agp1:(rs_[^:]+):(.+)$/.exec(thinking[0].signature ?? '');
      assert.ok(m, `signature should be agp1:<rs id>:<encrypted>: ${thinking[0].signature}`);

      // ...and sends it back: the second request has that reasoning item right before the call.
      const items = second.input.filter((i) => i.type !== 'message');
      const ri = second.input.findIndex((i) => i.type === 'reasoning');
      const ci = second.input.findIndex((i) => i.type === 'function_call');
      assert.ok(ri >= 0, `the CLI did not send the thinking back (no reasoning item): ${JSON.stringify(items).slice(0, 2000)}`);
      assert.equal(ci, ri + 1, `reasoning item should be right before the function_call: ${JSON.stringify(items).slice(0, 2000)}`);
      assert.equal(second.input[ri].id, m[1]);
      assert.equal(second.input[ri].encrypted_content, m[2]);
      const call = second.input[ci];
      const output = second.input.find((i) => i.type === 'function_call_output');
      assert.ok(output, `second request lacks the function_call_output: ${JSON.stringify(items).slice(0, 2000)}`);
      assert.equal(call.name, 'Bash');
      assert.deepEqual(JSON.parse(call.arguments), { command: "printf 'hello-from-responses' > proof.txt", description: 'Write the proof file' });
      assert.equal(output.call_id, call.call_id);
      assert.equal(second.input.at(-1).type, 'function_call_output');
    });
  } finally {
    dirs.cleanup();
  }
});
