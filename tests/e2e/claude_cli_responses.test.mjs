// The real Claude Code CLI (node_modules/.bin/claude) running a Bash tool loop
// through the proxy on the Responses backend (AZURE_BACKEND=responses) against
// the mock Azure. Same isolation as claude_cli.test.mjs (see
// claude_cli_harness.mjs): HOME is a fresh temp dir, non-essential traffic is
// disabled and any other HTTP(S) goes to a dead proxy port.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { useStack, upstreamBody } from './harness.mjs';
import { claudeRunner, tempDirs, checked, streamJsonLines, assistantBlocks, assertResultLine } from './claude_cli_harness.mjs';

const stack = useStack({
  deployments: ['gpt-5-mini', 'gpt-5'],
  proxyEnv: { AZURE_BACKEND: 'responses', AZURE_API_VERSION: undefined, BIG_MODEL: 'gpt-5', SMALL_MODEL: 'gpt-5-mini' },
});
const test = stack.test;

const CLI_TIMEOUT_MS = 45000;
const runClaude = claudeRunner(stack, { timeoutMs: CLI_TIMEOUT_MS });

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
      const lines = streamJsonLines(run.stdout);
      assertResultLine(lines, FINAL);
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
      const thinking = assistantBlocks(lines, 'thinking');
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
