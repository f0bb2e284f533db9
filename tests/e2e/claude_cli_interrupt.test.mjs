// The real Claude Code CLI with an interrupted tool call, on both backends: the user presses
// Ctrl-C while a Bash call runs, then continues the session. The history the CLI sends next
// holds a tool call whose run was cut; Azure accepts it only if every call has its result
// ("No tool output found for function call …" otherwise) — the strict mock checks the same.
// (Claude Code 2.1.x itself records a rejected result for the call it was running at Ctrl-C;
// histories without one — compaction, other clients — are repaired by the proxy: one_flow.test.mjs.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { useStack, upstreamBody } from './harness.mjs';
import { claudeRunner, tempDirs, checked } from './claude_cli_harness.mjs';

const CLI_TIMEOUT_MS = 90000;
const backends = [
  ['Chat', useStack()],
  ['Responses', useStack({
    deployments: ['gpt-5-mini', 'gpt-5'],
    proxyEnv: { AZURE_BACKEND: 'responses', AZURE_API_VERSION: undefined, BIG_MODEL: 'gpt-5', SMALL_MODEL: 'gpt-5-mini' },
  })],
];

// The call id as the backend's history carries it, answered or not.
function answered(body, callId) {
  if (body.messages) return body.messages.some((m) => m.role === 'tool' && m.tool_call_id === callId);
  return body.input.some((i) => i.type === 'function_call_output' && i.call_id === callId);
}

for (const [name, stack] of backends) {
  stack.test(`claude -p, Ctrl-C during a Bash call, then --continue (${name})`, { timeout: 2 * CLI_TIMEOUT_MS + 30000 }, async () => {
    const runClaude = claudeRunner(stack, { timeoutMs: CLI_TIMEOUT_MS });
    const ASK = `E2E-INT-ASK-${name}`;
    const AGAIN = `E2E-INT-AGAIN-${name}`;
    const FINAL = `E2E-INT-FINAL-${name}`;
    const callId = `call_int_${name}`;
    await stack.mockRules([
      { match: { contains: AGAIN }, respond: { text: `Resumed after the interruption. ${FINAL}` } },
      { match: { contains: ASK }, respond: { tool_calls: [{ id: callId, name: 'Bash', arguments: { command: 'touch started.txt; sleep 60', description: 'A long command' } }] } },
    ]);
    const dirs = tempDirs();
    try {
      const started = path.join(dirs.cwd, 'started.txt');
      const first = await runClaude(['-p', `Run the long command. ${ASK}`, '--allowedTools', 'Bash'], dirs,
        { interruptWhen: () => existsSync(started) });
      await checked(first, async () => {
        assert.equal(first.timedOut, false, 'the first run was not interrupted');
        assert.ok(existsSync(started), 'the Bash call never started');
      });
      const second = await runClaude(['-p', '--continue', `Are you still there? ${AGAIN}`, '--allowedTools', 'Bash'], dirs);
      await checked(second, async () => {
        assert.equal(second.timedOut, false, 'CLI timed out');
        assert.ok(second.stdout.includes(FINAL), 'the continued session did not get the answer');
        assert.equal(second.code, 0);
        const reqs = await stack.mockRequests();
        const last = reqs.filter((r) => JSON.stringify(upstreamBody(r)).includes(AGAIN)).at(-1);
        assert.ok(last, 'the continued request never reached the mock');
        assert.equal(last.status, 200, `the mock rejected the continued history: ${JSON.stringify(last).slice(0, 800)}`);
        const body = upstreamBody(last);
        assert.ok(JSON.stringify(body).includes(callId), 'the interrupted call is not in the continued history');
        assert.ok(answered(body, callId), 'the interrupted call went upstream without a result');
      });
    } finally {
      dirs.cleanup();
    }
  });
}
