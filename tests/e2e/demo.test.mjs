// --demo: the proxy starts the bundled mock Azure itself, on loopback, and prints a token. The mock's
// demo scenario answers a request offering Bash with an `ls` call and the tool's result with a
// summary of it — through the SDK, and through the real Claude Code CLI, whose Bash tool really runs
// `ls` in a folder whose files only the CLI can see. Stopping the proxy stops the mock.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Child, baseEnv, PROXY_BIN, MOCK_BIN, withLogs } from './harness.mjs';
import { claudeRunner, tempDirs, checked } from './claude_cli_harness.mjs';

const CLI_TIMEOUT_MS = 120000;
let proxy;
const stack = { proxyUrl: null, token: null, mockUrl: null, logs: () => proxy?.output ?? '' };

before(async () => {
  // The proxy finds mock-azure beside itself; AGP_DEMO_MOCK points at the one under test.
  proxy = new Child('azure-gpt-proxy --demo', PROXY_BIN, ['--demo', '--listen', '127.0.0.1:0'], {
    env: { ...baseEnv(), AGP_DEMO_MOCK: MOCK_BIN },
  });
  stack.proxyUrl = await proxy.waitForUrl();
  const until = Date.now() + 5000;
  while (!/ANTHROPIC_AUTH_TOKEN=(\S+)/.test(proxy.output) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  stack.token = /ANTHROPIC_AUTH_TOKEN=(\S+)/.exec(proxy.output)?.[1];
  stack.mockUrl = /played by the bundled mock \((http:\/\/127\.0\.0\.1:\d+)\)/.exec(proxy.output)?.[1];
});
after(() => proxy?.stop());

const BASH = { name: 'Bash', description: 'Run a shell command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } };

test('--demo prints the base URL and a token; the token is required', () =>
  withLogs(stack, async () => {
    assert.ok(stack.token, `no token in the banner:\n${proxy.output}`);
    assert.ok(stack.mockUrl, 'no mock URL in the banner');
    assert.match(proxy.output, new RegExp(`ANTHROPIC_BASE_URL=${stack.proxyUrl}`));
    const anon = await fetch(`${stack.proxyUrl}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(anon.status, 401);
  }));

test('the demo scenario drives a tool loop: Bash ls, then a summary of its output', () =>
  withLogs(stack, async () => {
    const client = new Anthropic({ baseURL: stack.proxyUrl, apiKey: stack.token, maxRetries: 0 });
    const messages = [{ role: 'user', content: 'What files are in this folder?' }];
    const first = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, tools: [BASH], messages });
    assert.equal(first.stop_reason, 'tool_use');
    const call = first.content.find((b) => b.type === 'tool_use');
    assert.equal(call.name, 'Bash');
    assert.equal(call.input.command, 'ls');
    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'notes-e2e.txt\nsrc-e2e\n' }] });
    const second = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, tools: [BASH], messages });
    assert.equal(second.stop_reason, 'end_turn');
    const text = second.content.map((b) => b.text ?? '').join('');
    assert.match(text, /2 entries/);
    assert.match(text, /notes-e2e\.txt, src-e2e/);
  }));

test('the real Claude Code CLI runs the demo tool loop in one headless turn', { timeout: CLI_TIMEOUT_MS + 30000 }, () =>
  withLogs(stack, async () => {
    const runClaude = claudeRunner(stack, { timeoutMs: CLI_TIMEOUT_MS });
    const dirs = tempDirs();
    try {
      writeFileSync(path.join(dirs.cwd, 'only-the-cli-sees-me.txt'), 'x');
      mkdirSync(path.join(dirs.cwd, 'a-folder-e2e'));
      const run = await runClaude(['-p', 'What files are in this folder?', '--allowedTools', 'Bash'], dirs);
      await checked(run, async () => {
        assert.equal(run.timedOut, false, 'CLI timed out');
        assert.equal(run.code, 0);
        // The names reached the mock only through the result of the `ls` the CLI ran.
        assert.match(run.stdout, /2 entries/);
        assert.match(run.stdout, /a-folder-e2e/);
        assert.match(run.stdout, /only-the-cli-sees-me\.txt/);
      });
    } finally {
      dirs.cleanup();
    }
  }));

test('stopping the proxy stops its mock', async () => {
  const exit = await proxy.stop();
  assert.equal(exit.code, 0, proxy.output.slice(-2000));
  await assert.rejects(fetch(`${stack.mockUrl}/health`), 'the demo mock still answers after the proxy stopped');
});
