// Exactness of the C++ tokenizer (build/token-count) against the reference, the npm
// tiktoken package (1.0.22): the same token ids, not only the same counts, for a broad
// hand-written corpus and for thousands of random Unicode strings (fixed seed).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get_encoding } from 'tiktoken';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROXY_BIN = process.env.AGP_PROXY_BIN || path.resolve(here, '../../build/azure-gpt-proxy');
export const TOKEN_COUNT_BIN = process.env.AGP_TOKEN_COUNT_BIN || path.join(path.dirname(PROXY_BIN), 'token-count');
const ENCODINGS = ['o200k_base', 'cl100k_base'];
const RANDOM_CASES = Number(process.env.AGP_TOKENS_RANDOM_CASES) || 4000; // per encoding

/** Runs token-count once over all texts; returns one {count, ids} per text. */
export function runTokenCount(encoding, texts) {
  return new Promise((resolve, reject) => {
    const p = spawn(TOKEN_COUNT_BIN, ['--encoding', encoding, '--ids'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`token-count exited ${code}: ${err}`));
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      if (lines.length !== texts.length) return reject(new Error(`expected ${texts.length} lines, got ${lines.length}`));
      resolve(lines);
    });
    p.stdin.end(texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
  });
}

function compare(encoding, texts, results) {
  const enc = get_encoding(encoding);
  const bad = [];
  try {
    texts.forEach((t, i) => {
      const want = Array.from(enc.encode(t, [], []));
      const got = results[i].ids;
      if (want.length !== got.length || want.some((x, k) => x !== got[k])) bad.push({ text: t, want, got });
    });
  } finally {
    enc.free();
  }
  return bad;
}

function report(bad) {
  return bad
    .slice(0, 5)
    .map((b) => `text ${JSON.stringify(b.text).slice(0, 200)}\n  want ${JSON.stringify(b.want).slice(0, 300)}\n  got  ${JSON.stringify(b.got).slice(0, 300)}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------
// The corpus: written for this test, one category a block.
const english = [
  'Hello, world!',
  "The quick brown fox jumps over the lazy dog. It's 5 o'clock; we'll see, they're here, I'd go, you've won, I'm OK.",
  "SHOUTING: IT'S, WE'LL, THEY'RE, I'D, YOU'VE, I'M, HE'S — DON'T STOP",
  "Mixed CaSe: McDonald's iPhone eBay JavaScript XMLHttpRequest camelCaseIdentifier snake_case_name",
  'Dr. Smith (Ph.D.) said: "Let’s meet at 3:30 p.m." — or maybe… not?',
  'Unicode apostrophes ’s ’t ’re and odd ones \'ſ \'K \'Ｓ',
  'A sentence with\ttabs\tand  double  spaces   and trailing spaces   ',
  'Newlines\nand\r\nCRLF\rand\n\n\nblank\n \n lines\n',
];
const cjk = [
  '你好，世界！这是一个用于测试分词器的中文句子。我们今天去公园散步吧。',
  '人工智能（AI）正在改变世界：2024年，大型语言模型的能力突飞猛进。',
  '日本語のテキスト：東京は日本の首都です。カタカナとひらがなが混ざっています。ｶﾀｶﾅ半角も。',
  '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。',
  '한국어 문장입니다. 안녕하세요! 오늘 날씨가 정말 좋네요. 서울특별시 강남구',
  '繁體中文：臺灣的資訊科技產業非常發達。',
  '中文English混合text测试123个数字',
];
const rtl = [
  'مرحبا بالعالم! هذه جملة باللغة العربية لاختبار المقسم.',
  'السلام عليكم ورحمة الله وبركاته ١٢٣٤٥٦٧٨٩٠',
  'שלום עולם! זה משפט בעברית.',
  'فارسی: سلام دنیا، حال شما چطور است؟ ۱۲۳۴',
];
const otherScripts = [
  'Привет, мир! Съешь же ещё этих мягких французских булок, да выпей чаю.',
  'Γειά σου Κόσμε! Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.',
  'नमस्ते दुनिया! यह एक हिंदी वाक्य है।',
  'สวัสดีชาวโลก นี่คือประโยคภาษาไทย',
  'Tiếng Việt có dấu: Xin chào thế giới, đây là câu tiếng Việt.',
  'Ελληνικά, ქართული, Հայերեն, አማርኛ, ᏣᎳᎩ, ᠮᠣᠩᠭᠣᠯ᠎ᠤ',
  'Zalgo: Z̷̢̛̖͎a̸̧͚͔l̶̰̓g̵̡̈́o̴̗̽ t̶e̷x̸t̵ with combining marks é (e\u0301) vs é',
];
const emoji = [
  '😀😃😄😁😆😅😂🤣🥲☺️😊',
  'Family: 👨‍👩‍👧‍👦 couple: 👩‍❤️‍💋‍👨 tech: 🧑🏽‍💻 👩🏿‍🚀 flag: 🏳️‍🌈 🏴‍☠️',
  'Skin tones: 👍🏻👍🏼👍🏽👍🏾👍🏿 flags: 🇺🇸🇯🇵🇩🇪🇫🇷 keycaps: 1️⃣#️⃣*️⃣ 🏴󠁧󠁢󠁳󠁣󠁴󠁿',
  'Emoji in text 🚀 launch! ✅ done ❌ failed ⚠️ warning → arrows ← ↑ ↓ ★☆',
];
const code = [
  'def fib(n: int) -> int:\n    """Return the n-th Fibonacci number."""\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n',
  '#include <iostream>\n\nint main(int argc, char** argv) {\n\tstd::cout << "Hello, " << argv[0] << std::endl;\n\treturn 0;\n}\n',
  'const add = (a, b) => a + b;\nexport default async function handler(req, res) {\n  const { id } = req.query;\n  res.status(200).json({ id, ok: true });\n}\n',
  'fn main() {\n    let v: Vec<u32> = (0..10).map(|x| x * x).collect();\n    println!("{:?}", v);\n}\n',
  'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n',
  'SELECT u.id, COUNT(*) AS n FROM users u JOIN orders o ON o.user_id = u.id WHERE o.created_at >= \'2024-01-01\' GROUP BY u.id HAVING n > 5;',
  '#!/usr/bin/env bash\nset -euo pipefail\nfor f in *.txt; do echo "$f"; done 2>&1 | tee /tmp/log\n',
  '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Test</title></head>\n<body><div class="a b">x &amp; y</div></body></html>',
  'public class Main {\n    public static void main(String[] args) {\n        System.out.println("Hello");\n    }\n}\n',
  '    \n        indented\n\t\t\ttabs\n    \n',
  '/* block */ // line\n#define MAX(a,b) ((a)>(b)?(a):(b))\nx+=1;y-=2;z*=3;w/=4;q%=5;a<<=1;b>>=2;c&&d||e;',
];
const jsonTexts = [
  JSON.stringify({ name: 'Alice', age: 30, tags: ['a', 'b'], nested: { ok: true, v: null, pi: 3.14159 } }),
  JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi there' }] }, null, 2),
  '{"escaped":"line1\\nline2\\t\\"quoted\\" \\u00e9 \\ud83d\\ude00","arr":[1,2,3,[4,[5]]]}',
];
const numbers = [
  '1234567890123456789012345678901234567890',
  '3.14159265358979323846264338327950288419716939937510',
  'Phone: +1 (555) 123-4567, ZIP 90210, year 2024, 1,000,000.00 USD, 0x7FFFFFFF, 1e-10',
  '١٢٣٤٥٦٧٨٩٠ ۱۲۳ ०१२३४५६७८९ 一二三 ①②③ ⅠⅡⅢ ½ ¾ ²³',
  '0'.repeat(100),
  '9'.repeat(1001),
];
const whitespace = [
  ' ',
  '  ',
  '          ',
  ' '.repeat(1000),
  '\n',
  '\n\n\n\n',
  '\r\n\r\n',
  '\r\r\n\n\r',
  '\t\t\t',
  ' \t \n \r\n \t',
  'a \n b  \n\n  c   \r\n   d',
  'word    \nnext',
  'x\u00a0y\u2003z\u3000w\u2028v\u2029u\u0085t\u180ey\u200bz\u202fq\u205fr\u1680s',
  '   leading and trailing   ',
  '\n\n  \n\t\n',
  'end with space ',
  'end with spaces   ',
  'end with newline and spaces\n   ',
  '',
];
const urls = [
  'https://example.com/path/to/page?query=string&foo=bar#fragment',
  'Visit http://www.例子.测试/路径?q=搜索 or https://user:pass@host.example.org:8443/a/b/c.html',
  'ftp://ftp.example.com/pub/file.tar.gz mailto:someone@example.com data:text/plain;base64,SGVsbG8sIFdvcmxkIQ==',
  'https://github.com/openai/tiktoken/blob/main/tiktoken/core.py#L100-L200',
];
const edge = [
  '<|endoftext|> special tokens are plain text here <|endofprompt|> <|fim_prefix|>',
  "'s's's 'S'T'RE'VE'M'LL'D 're've'll'd 'x",
  '!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@~~~```',
  '/////\\\\\\\\|||||',
  'a/b/c\n/d//e\r\n//',
  '\u0000\u0001\u0002\u001f\u007f',
  'ÀÉÎÕÜ àéîõü ßẞ ĳĲ ǅǈǋ ﬁﬂ Ǆ',
  'İstanbul ıi İI',
  'ǅungla ǈeto ǋest ᾈᾉᾊ',
  'A'.repeat(500),
  'ab'.repeat(300),
  '中'.repeat(400),
  '😀'.repeat(100),
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'SGVsbG8gV29ybGQhIFRoaXMgaXMgYSBsb25nIGJhc2U2NCBzdHJpbmcgdGhhdCBnb2VzIG9uIGFuZCBvbi4uLg=='.repeat(20),
  '-'.repeat(300) + '\n' + '='.repeat(129),
];

function fixtureTexts() {
  const dir = path.join(here, 'fixtures', 'requests');
  const out = [];
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    const raw = readFileSync(path.join(dir, f), 'utf8');
    out.push(raw);
    const walk = (v) => {
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(JSON.parse(raw));
  }
  return out;
}

export const CORPUS = [
  ...english, ...cjk, ...rtl, ...otherScripts, ...emoji, ...code, ...jsonTexts, ...numbers, ...whitespace,
  ...urls, ...edge,
];

// ---------------------------------------------------------------------------------------
// Random strings: mulberry32, fixed seed; code points drawn from pools that exercise every
// branch of the split patterns, plus uniformly random Unicode scalar values.
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const range = (a, b) => [a, b];
// Blocks with letters, marks and digits added in Unicode 15, 15.1, 16 and 17.
const RECENT = [[0x295, 0x295], [0x1c89, 0x1c8a], range(0xa7cb, 0xa7dc), range(0x105c0, 0x105ff), range(0x10d40, 0x10d8f),
  range(0x10ec0, 0x10eff), range(0x11380, 0x113ff), range(0x11bc0, 0x11bff), range(0x11f00, 0x11f5f), range(0x13430, 0x1345f),
  range(0x16100, 0x1613f), range(0x16d40, 0x16d7f), range(0x1e030, 0x1e08f), range(0x1e4d0, 0x1e4ff), range(0x1e5d0, 0x1e5ff),
  range(0x2ebf0, 0x2ee5d), range(0x31350, 0x323af), range(0x323b0, 0x3347f), range(0x11b60, 0x11b7f), range(0x1e6c0, 0x1e6ff),
  range(0x10940, 0x1095f), range(0x16ea0, 0x16edf)];
const POOLS = [
  [8, [range(0x61, 0x7a)]], // a-z
  [4, [range(0x41, 0x5a)]], // A-Z
  [3, [range(0x30, 0x39)]], // 0-9
  [4, [range(0x20, 0x2f), range(0x3a, 0x40), range(0x5b, 0x60), range(0x7b, 0x7e)]], // ASCII punctuation
  [5, [[0x20, 0x20], [0x0a, 0x0a], [0x0d, 0x0d], [0x09, 0x09], [0x0b, 0x0c], [0xa0, 0xa0], [0x85, 0x85],
    [0x2000, 0x200a], [0x2028, 0x2029], [0x3000, 0x3000], [0x180e, 0x180e], [0x200b, 0x200d], [0x1c, 0x1f]]],
  [2, [[0x27, 0x27], [0x73, 0x73], [0x53, 0x53], [0x17f, 0x17f], [0x74, 0x74], [0x64, 0x64], [0x6c, 0x6c]]], // 's 'S 'ſ 't 'd 'l
  [3, [range(0xc0, 0x24f), range(0x370, 0x3ff), range(0x400, 0x4ff), range(0x1e00, 0x1eff)]], // Latin/Greek/Cyrillic
  [2, [range(0x300, 0x36f), range(0x1ab0, 0x1aff), range(0x20d0, 0x20ff), range(0x64b, 0x65f)]], // combining marks
  [3, [range(0x4e00, 0x9fff), range(0x3040, 0x30ff), range(0xac00, 0xd7a3), range(0xff00, 0xffef)]], // CJK, kana, Hangul
  [2, [range(0x600, 0x6ff), range(0x590, 0x5ff), range(0x900, 0x97f), range(0xe00, 0xe7f)]], // Arabic, Hebrew, Devanagari, Thai
  [2, [range(0x1f300, 0x1faff), range(0x2600, 0x27bf), [0x200d, 0x200d], [0xfe0f, 0xfe0f], range(0x1f3fb, 0x1f3ff),
    range(0x1f1e6, 0x1f1ff)]], // emoji, ZWJ, VS16, skin tones, regional indicators
  [1, [range(0x1c4, 0x1cc), range(0x1f88, 0x1faf), range(0x2160, 0x2188), range(0x2460, 0x24ff), range(0x660, 0x669),
    range(0x6f0, 0x6f9), range(0xbc, 0xbe), range(0xb2, 0xb3)]], // title case, letter-numbers, other numbers
  [1, RECENT], // assigned in Unicode 15-17: tiktoken knows up to 16, PCRE2 10.42 up to 14
  [2, [range(0x80, 0x10ffff)]], // anything (surrogates skipped)
];
const POOL_WEIGHT = POOLS.reduce((s, [w]) => s + w, 0);

function randomCodePoint(rnd) {
  let r = rnd() * POOL_WEIGHT;
  let pool = POOLS[0][1];
  for (const [w, p] of POOLS) {
    if ((r -= w) < 0) {
      pool = p;
      break;
    }
  }
  const [a, b] = pool[Math.floor(rnd() * pool.length)];
  for (;;) {
    const cp = a + Math.floor(rnd() * (b - a + 1));
    if (cp < 0xd800 || cp > 0xdfff) return cp;
  }
}

export function randomTexts(seed, n) {
  const rnd = mulberry32(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = rnd() < 0.9 ? 1 + Math.floor(rnd() * 40) : 1 + Math.floor(rnd() * 400);
    let s = '';
    while (s.length < len) {
      // Runs of one pool make words, numbers and whitespace runs; single draws mix them.
      const cp = randomCodePoint(rnd);
      const repeat = rnd() < 0.15 ? 1 + Math.floor(rnd() * 6) : 1;
      s += String.fromCodePoint(cp).repeat(repeat);
    }
    out.push(s);
  }
  return out;
}

// Every code point of the recent blocks, in contexts that tell letters, marks and digits
// apart from punctuation (the split patterns' classes).
function recentTexts() {
  const out = [];
  for (const [a, b] of RECENT) {
    for (let cp = a; cp <= b; cp += cp > 0x20000 ? 97 : 1) {
      const c = String.fromCodePoint(cp);
      out.push(`${c}+l a${c}b A${c}'S 1${c}2 ${c}${c}x ${c}`);
    }
  }
  return out;
}

for (const encoding of ENCODINGS) {
  test(`${encoding}: code points new in Unicode 15-17 split as tiktoken splits them`, async () => {
    const texts = recentTexts();
    const results = await runTokenCount(encoding, texts);
    const bad = compare(encoding, texts, results);
    console.log(`${encoding}: ${texts.length} recent-Unicode texts compared, ${bad.length} mismatches`);
    assert.equal(bad.length, 0, `${bad.length} of ${texts.length} texts differ:\n${report(bad)}`);
  });

  test(`${encoding}: corpus token ids equal tiktoken's`, async () => {
    const texts = [...CORPUS, ...fixtureTexts()];
    // Joined variants: category boundaries inside one text.
    for (let i = 0; i + 1 < CORPUS.length; i += 3) texts.push(CORPUS[i] + CORPUS[i + 1], CORPUS[i] + '\n' + CORPUS[i + 1]);
    const results = await runTokenCount(encoding, texts);
    const bad = compare(encoding, texts, results);
    console.log(`${encoding}: ${texts.length} corpus texts compared, ${bad.length} mismatches`);
    assert.equal(bad.length, 0, `${bad.length} of ${texts.length} texts differ:\n${report(bad)}`);
  });

  test(`${encoding}: ${RANDOM_CASES} random Unicode strings (fixed seed) match tiktoken`, async () => {
    const texts = randomTexts(encoding === 'o200k_base' ? 20240607 : 19700101, RANDOM_CASES);
    const results = await runTokenCount(encoding, texts);
    const bad = compare(encoding, texts, results);
    console.log(`${encoding}: ${texts.length} random texts compared, ${bad.length} mismatches`);
    assert.equal(bad.length, 0, `${bad.length} of ${texts.length} texts differ:\n${report(bad)}`);
  });
}

test('token-count rejects an unknown encoding and counts chat bodies', async () => {
  const chat = { messages: [{ role: 'user', content: 'Hello world' }] };
  const out = await new Promise((resolve, reject) => {
    const p = spawn(TOKEN_COUNT_BIN, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let o = '';
    p.stdout.on('data', (d) => (o += d));
    p.on('error', reject);
    p.on('exit', () => resolve(o));
    p.stdin.end(JSON.stringify({ chat }) + '\n');
  });
  const r = JSON.parse(out);
  // The cookbook: 3 per message + role ("user", 1) + "Hello world" (2) + 3 reply priming.
  assert.equal(r.total, 3 + 1 + 2 + 3);
  assert.equal(r.estimated, 0);
});
