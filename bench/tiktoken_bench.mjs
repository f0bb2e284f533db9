// Times the C++ tokenizer (build/tokens_bench) and tiktoken npm on the same inputs in the
// same run and prints the ratio. Run through bench/tokens.sh.
//
//   node bench/tiktoken_bench.mjs <tokens_bench binary> [seconds]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filler } from './lib/filler.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(path.join(root, 'tests/e2e/package.json'));
const { get_encoding } = require('tiktoken');
const [benchBin, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg) || 2;

const fixture = JSON.parse(readFileSync(path.join(root, 'tests/e2e/fixtures/requests/claude_code_tool_loop_turn.json'), 'utf8'));
let seed = 0;
const unredact = (v) => {
  if (typeof v === 'string') {
    const m = /^\[(\d+) characters of text redacted/.exec(v);
    return m ? filler(Number(m[1]), seed++) : v;
  }
  if (Array.isArray(v)) return v.map(unredact);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unredact(x)]));
  return v;
};
const req = unredact(fixture);

// The Chat Completions body the proxy would send (approximately: the translation proper
// lives in src/openai/chat/request.cpp).
const messages = [];
const sys = typeof req.system === 'string' ? req.system : (req.system || []).map((b) => b.text).join('\n');
if (sys) messages.push({ role: 'system', content: sys });
for (const m of req.messages) {
  if (typeof m.content === 'string') { messages.push({ role: m.role, content: m.content }); continue; }
  const text = m.content.filter((b) => b.type === 'text').map((b) => ({ type: 'text', text: b.text }));
  const calls = m.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } }));
  for (const b of m.content.filter((b) => b.type === 'tool_result'))
    messages.push({ role: 'tool', tool_call_id: b.tool_use_id, content: typeof b.content === 'string' ? b.content : JSON.stringify(b.content) });
  if (text.length || calls.length) messages.push({ role: m.role, content: text.length ? text : null, ...(calls.length ? { tool_calls: calls } : {}) });
}
const tools = (req.tools || []).map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } }));
const chat = { model: 'gpt-4o', messages, tools };

// One request = every string of it: message texts, roles, calls, and the tool definitions.
const requestStrings = [];
const collect = (v) => {
  if (typeof v === 'string') requestStrings.push(v);
  else if (Array.isArray(v)) v.forEach(collect);
  else if (v && typeof v === 'object') Object.values(v).forEach(collect);
};
collect(messages);
requestStrings.push(JSON.stringify(tools));
const requestBytes = requestStrings.reduce((s, x) => s + Buffer.byteLength(x), 0);

// The MB/s corpus: the request's strings plus multilingual prose, ~1 MB.
const corpus = [];
let corpusBytes = 0;
for (let i = 0; corpusBytes < 1_000_000; i++) {
  const t = i % 3 === 0 ? requestStrings[i % requestStrings.length] : filler(2000 + (i % 7) * 300, i);
  corpus.push(t);
  corpusBytes += Buffer.byteLength(t);
}

const dir = mkdtempSync(path.join(tmpdir(), 'agp-bench-'));
const files = ['texts.json', 'request.json', 'chat.json'].map((f) => path.join(dir, f));
writeFileSync(files[0], JSON.stringify(corpus));
writeFileSync(files[1], JSON.stringify(requestStrings));
writeFileSync(files[2], JSON.stringify(chat));

function perSecond(f) {
  f();
  let n = 0;
  const t0 = performance.now();
  let el = 0;
  do { f(); n++; el = (performance.now() - t0) / 1000; } while (el < seconds);
  return n / el;
}

const rows = [];
for (const encoding of ['o200k_base', 'cl100k_base']) {
  const r = spawnSync(benchBin, [encoding, ...files, String(seconds)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tokens_bench failed: ${r.stderr}`);
  const cpp = JSON.parse(r.stdout);
  const t0 = performance.now();
  const enc = get_encoding(encoding);
  const loadMs = performance.now() - t0;
  let tokens = 0;
  for (const t of corpus) tokens += enc.encode(t, [], []).length;
  if (tokens !== cpp.corpus_tokens) throw new Error(`token totals differ: tiktoken ${tokens}, C++ ${cpp.corpus_tokens}`);
  const corpusPerS = perSecond(() => { for (const t of corpus) enc.encode(t, [], []); });
  const reqPerS = perSecond(() => { for (const t of requestStrings) enc.encode(t, [], []); });
  enc.free();
  const mbps = (corpusPerS * corpusBytes) / 1e6;
  rows.push({ encoding, cpp, tiktoken: { load_ms: loadMs, mb_per_s: mbps, requests_per_s: reqPerS } });
}
rmSync(dir, { recursive: true, force: true });

const f = (x, d = 1) => x.toFixed(d);
console.log(`corpus ${f(corpusBytes / 1e6, 2)} MB; request ${f(requestBytes / 1024)} KB in ${requestStrings.length} strings; ${seconds} s a measurement`);
console.log('encoding     | C++ MB/s | tiktoken MB/s | ratio | C++ req/s | tiktoken req/s | ratio | C++ count_chat_request/s | load ms C++ / tiktoken');
for (const { encoding, cpp, tiktoken } of rows) {
  console.log(`${encoding.padEnd(12)} | ${f(cpp.mb_per_s).padStart(8)} | ${f(tiktoken.mb_per_s).padStart(13)} | ${f(cpp.mb_per_s / tiktoken.mb_per_s, 2).padStart(5)} | ` +
    `${f(cpp.requests_per_s, 0).padStart(9)} | ${f(tiktoken.requests_per_s, 0).padStart(14)} | ${f(cpp.requests_per_s / tiktoken.requests_per_s, 2).padStart(5)} | ` +
    `${f(cpp.count_chat_request_per_s, 0).padStart(24)} | ${f(cpp.load_ms)} / ${f(tiktoken.load_ms)}`);
}
console.log(`chat request tokens (o200k): ${rows[0].cpp.chat_request_tokens}`);
