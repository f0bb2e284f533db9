// Start-up failures end with a message and exit code 2, never an abort: a port already taken.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { baseEnv, PROXY_BIN } from './harness.mjs';

test('a listen address already in use: a clear message and exit 2, not an abort', async () => {
  const taken = createServer();
  await new Promise((r) => taken.listen(0, '127.0.0.1', r));
  const { port } = taken.address();
  try {
    const env = { ...baseEnv(), AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9', AZURE_OPENAI_API_KEY: 'k', BIG_MODEL: 'b', SMALL_MODEL: 's' };
    const r = spawnSync(PROXY_BIN, ['--listen', `127.0.0.1:${port}`], { env, encoding: 'utf8', timeout: 20000 });
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: Address already in use`));
    assert.doesNotMatch(r.stderr, /terminate called/);
  } finally {
    taken.close();
  }
});
