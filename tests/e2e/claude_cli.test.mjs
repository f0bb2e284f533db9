// The real Claude Code CLI (node_modules/.bin/claude) running a tool loop
// through the proxy against the mock Azure. The CLI only ever talks to
// ANTHROPIC_BASE_URL: HOME is a fresh temp dir, non-essential traffic is
// disabled and any other HTTP(S) goes to a dead proxy port.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { useStack, upstreamBody } from './harness.mjs';
import { claudeRunner, tempDirs, checked, streamJsonLines, assistantBlocks, assertResultLine } from './claude_cli_harness.mjs';

const stack = useStack();
const test = stack.test;

const CLI_TIMEOUT_MS = 120000;
const runClaude = claudeRunner(stack, { timeoutMs: CLI_TIMEOUT_MS });

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
      const lines = streamJsonLines(run.stdout);
      assertResultLine(lines, FINAL);
      const toolUses = assistantBlocks(lines, 'tool_use');
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
