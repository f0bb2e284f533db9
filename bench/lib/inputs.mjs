// Writes the request bodies of the proxy benchmark (bench/proxy.sh) into a directory:
//   anthropic_2k.json         2 KB Anthropic Messages request, not streamed   (scenario a)
//   anthropic_2k_stream.json  the same, streamed, routed to the SSE upstream  (b, c)
//   claude_code_50k.json      a 50 KB Claude Code request (tests/e2e fixture, texts padded), not streamed (d)
//   count_tokens_50k.json     the same request for /v1/messages/count_tokens (e)
//   cursor_2k.json            2 KB OpenAI chat completions request (Cursor route)  (g)
// Deterministic: the same bytes on every run.
//   node bench/lib/inputs.mjs OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filler } from './filler.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.argv[2];
if (!out) throw new Error('usage: inputs.mjs OUT_DIR');
mkdirSync(out, { recursive: true });

const bytes = (o) => Buffer.byteLength(JSON.stringify(o));
const write = (name, o) => {
  writeFileSync(path.join(out, name), JSON.stringify(o));
  console.log(`  ${name}: ${bytes(o)} bytes`);
};

// Pads `set(len)` until the JSON is `target` bytes (a few bytes over at most).
function pad(target, set) {
  let lo = 0, hi = target;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bytes(set(mid)) < target) lo = mid + 1; else hi = mid;
  }
  return set(lo);
}

// (a) 2 KB Anthropic request: a system prompt and one user turn, like a short Claude Code call.
const anthropic = (n, stream) => ({
  model: stream ? 'claude-haiku-4-5' : 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: [{ type: 'text', text: filler(600, 0) }],
  messages: [{ role: 'user', content: [{ type: 'text', text: filler(n, 2) }] }],
  ...(stream ? { stream: true } : {}),
});
write('anthropic_2k.json', pad(2048, (n) => anthropic(n, false)));
write('anthropic_2k_stream.json', pad(2048, (n) => anthropic(n, true)));

// (d) The captured Claude Code tool-loop turn, every redacted text replaced by filler of a
// fixed fraction of its original length, the fraction chosen so the whole request is 50 KB.
const fixture = JSON.parse(readFileSync(path.join(root, 'tests/e2e/fixtures/requests/claude_code_tool_loop_turn.json'), 'utf8'));
function unredact(frac) {
  let seed = 0;
  const walk = (v) => {
    if (typeof v === 'string') {
      const m = /^\[(\d+) characters of text redacted/.exec(v);
      return m ? filler(Math.round(Number(m[1]) * frac), seed++) : v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const r = walk(fixture);
  r.model = 'claude-sonnet-4-5';
  delete r.stream;
  return r;
}
const big = pad(50 * 1024, (n) => unredact(n / 50 / 1024));
write('claude_code_50k.json', big);
const { max_tokens, thinking, context_management, output_config, metadata, ...counted } = big;
void max_tokens, thinking, context_management, output_config, metadata;
write('count_tokens_50k.json', counted);

// (g) 2 KB Cursor request (OpenAI chat completions).
write('cursor_2k.json', pad(2048, (n) => ({
  model: 'gpt-medium',
  messages: [
    { role: 'system', content: filler(600, 0) },
    { role: 'user', content: filler(n, 2) },
  ],
})));
