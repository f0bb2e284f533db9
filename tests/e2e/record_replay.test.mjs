// --record DIR writes each exchange; --replay DIR/<exchange> re-runs today's translators on the
// recorded Azure answer and must reproduce what the client received.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { useStack, PROXY_BIN, TOKEN, AZURE_KEY } from './harness.mjs';

const recordDir = mkdtempSync(path.join(tmpdir(), 'agp-rec-'));
after(() => rmSync(recordDir, { recursive: true, force: true }));
const stack = useStack({ proxyArgs: ['--record', recordDir] });
const test = stack.test;

const TOOLS = [{ name: 'Read', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } }];

function folders() {
  return readdirSync(recordDir).filter((f) => !f.endsWith('.partial')).sort();
}

async function waitForNewFolder(before) {
  for (let i = 0; i < 100; i++) {
    const now = folders().filter((f) => !before.includes(f));
    if (now.length) return path.join(recordDir, now[0]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no recording folder appeared');
}

function replay(dir) {
  try {
    return { code: 0, out: execFileSync(PROXY_BIN, ['--replay', dir], { encoding: 'utf8' }) };
  } catch (e) {
    return { code: e.status, out: String(e.stdout) + String(e.stderr) };
  }
}

for (const stream of [true, false]) {
  test(`a recorded ${stream ? 'streamed' : 'whole'} tool-call exchange replays identically`, async () => {
    await stack.mockRules([
      { match: { contains: 'E2E-REC' }, respond: { text: 'Reading.', tool_calls: [{ name: 'Read', arguments: { file_path: '/x' } }], chunk_size: 4 } },
    ]);
    const before = folders();
    const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream, tools: TOOLS, messages: [{ role: 'user', content: 'E2E-REC' }] }),
    });
    const received = await res.text();
    assert.equal(res.status, 200);
    const dir = await waitForNewFolder(before);
    // What the client got is what was recorded, and no secret reached the files.
    assert.equal(readFileSync(path.join(dir, 'client_response'), 'utf8'), received);
    for (const f of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      assert.ok(!text.includes(TOKEN), `${f} contains the client token`);
      assert.ok(!text.includes(AZURE_KEY), `${f} contains the Azure key`);
    }
    const r = replay(dir);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /replay: identical/);
  });
}

test('replay reports a difference when the recorded client bytes were changed', async () => {
  await stack.mockRules([{ match: { contains: 'E2E-REC2' }, respond: { text: 'hello there' } }]);
  const before = folders();
  const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'E2E-REC2' }] }),
  });
  await res.text();
  const dir = await waitForNewFolder(before);
  const file = path.join(dir, 'client_response');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, readFileSync(file, 'utf8').replace('hello', 'HELLO'));
  const r = replay(dir);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /replay: DIFFERENT/);
});
