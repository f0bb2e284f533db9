// Deterministic filler for the captured requests' redacted texts (prose, code, a checklist, some
// CJK, a shell log), shared by the benchmarks so they measure the same inputs.
export const PARAS = [
  'The proxy translates Anthropic Messages requests into Azure OpenAI Chat Completions calls, streaming the reply back as server-sent events. ',
  'function handler(req, res) {\n  const { id, items = [] } = req.body;\n  for (const it of items) if (!it.ok) return res.status(400).json({ error: it.reason });\n  res.json({ id, count: items.length });\n}\n',
  'IMPORTANT: Use the Read tool before editing files. Prefer small, focused changes; run the tests after each edit and report what changed.\n',
  '- [x] parse the request\n- [ ] validate tool schemas (see src/openai/schema.cpp:42)\n- [ ] handle `stop_sequences` on reasoning deployments\n',
  '人工智能正在改变软件开发的方式。测试用例应覆盖中文、日本語、한국어以及表情符号 🚀✅。',
  '$ cmake --build build -j2 && ctest --test-dir build --output-on-failure\n[1/42] Building CXX object src/core/ids.cpp.o\n',
];

export function filler(n, seed) {
  let s = '';
  for (let i = seed; s.length < n; i++) s += PARAS[i % PARAS.length];
  return s.slice(0, n);
}
