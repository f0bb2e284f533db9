// Turns the raw measurements of bench/proxy.sh (WORK dir) into the printed table and
// bench/results.md.   node report.mjs WORK_DIR RESULTS_MD
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [work, outFile] = process.argv.slice(2);
const rd = (f) => readFileSync(path.join(work, f), 'utf8');
const has = (f) => existsSync(path.join(work, f));
const json = (f) => (has(f) ? JSON.parse(rd(f)) : null);
const kv = (f) => Object.fromEntries(has(f) ? rd(f).trim().split('\n').map((l) => l.split('\t')) : []);
const meta = kv('meta.tsv');
const mem = Object.fromEntries(Object.entries(kv('mem.tsv')).map(([k, v]) => [k, Number(v)]));

// wrk rounds: scenario, target, round, req/s, p99 ms, requests, errors, compiler processes seen
const rows = rd('results.tsv').trim().split('\n').filter(Boolean).map((l) => {
  const [scen, target, round, rps, p99, n, errors, cc] = l.split('\t');
  return { scen, target, round: +round, rps: +rps, p99: +p99, n: +n, errors: +errors, cc: +cc };
});
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
function agg(scen, target) {
  const rs = rows.filter((r) => r.scen === scen && r.target === target);
  if (!rs.length) return null;
  // Best round: other work on the machine only ever slows a target down, so the best of the
  // alternated rounds is the closest to an undisturbed value (every round is in results.md).
  return {
    rps: Math.max(...rs.map((r) => r.rps)), p99: Math.min(...rs.map((r) => r.p99)), errors: rs.reduce((a, r) => a + r.errors, 0),
    n: rs.reduce((a, r) => a + r.n, 0), rounds: rs,
  };
}

const f0 = (x) => (x == null || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(1));
const f2 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(2));
const f3 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(3));
const ratio = (a, b) => (a != null && b ? `${(a / b).toFixed(2)}×` : '–');
const sign = (x, f = f2) => (x == null || Number.isNaN(x) ? '–' : (x >= 0 ? '+' : '') + f(x));
const verdict = (ok) => (ok == null ? '' : ok ? 'met' : '**not met**');

const table = [];  // [scenario, measure, proxy, baseline, ratio/diff, target, met]
const add = (...r) => table.push(r);

// (a)
const aP = agg('a', 'proxy'), aR = agg('a', 'relay'), aD = agg('a', 'direct'), aC = agg('a', 'ccr');
if (aP && aR) {
  add('(a) 2 KB, not streamed', 'req/s vs nginx relay', f0(aP.rps), f0(aR.rps), ratio(aP.rps, aR.rps), '≥ 0.7×', verdict(aP.rps / aR.rps >= 0.7));
  add('', 'req/s vs upstream direct', f0(aP.rps), f0(aD?.rps), ratio(aP.rps, aD?.rps), '', '');
  add('', 'req/s vs claude-code-router', f0(aP.rps), f0(aC?.rps), ratio(aP.rps, aC?.rps), '', '');
  add('', 'p99 ms vs nginx relay', f2(aP.p99), f2(aR.p99), `${sign(aP.p99 - aR.p99)} ms (${ratio(aP.p99, aR.p99)})`, '≤ +1 ms', verdict(aP.p99 - aR.p99 <= 1));
  add('', 'p99 ms vs claude-code-router', f2(aP.p99), f2(aC?.p99), ratio(aP.p99, aC?.p99), '', '');
  const sc = (t, k) => mem[`syscalls_${t}_${k}`] / mem[`syscalls_${t}_requests`];
  if (mem.syscalls_proxy_requests && mem.syscalls_relay_requests) {
    add('', 'system calls per request vs nginx relay (strace)', f1(sc('proxy', 'work')), f1(sc('relay', 'work')), ratio(sc('proxy', 'work'), sc('relay', 'work')), '', '');
    add('', '… of which reads (recvmsg/read…)', f1(sc('proxy', 'reads')), f1(sc('relay', 'reads')), ratio(sc('proxy', 'reads'), sc('relay', 'reads')), '', '');
    add('', '… of which writes (sendmsg/write…)', f1(sc('proxy', 'writes')), f1(sc('relay', 'writes')), ratio(sc('proxy', 'writes'), sc('relay', 'writes')), '', '');
  }
  add('', 'peak RSS MB (VmHWM) vs ccr RSS', f1(mem.a_proxy_hwm_mb), f1(mem.a_ccr_rss_mb), ratio(mem.a_proxy_hwm_mb, mem.a_ccr_rss_mb), '≤ 64 MB', verdict(mem.a_proxy_hwm_mb <= 64));
}

// (b)
const bAgg = (t) => {
  const rs = readdirSync(work).filter((f) => f.startsWith(`b-${t}-`)).map((f) => json(f));
  if (!rs.length) return null;
  return { first: Math.min(...rs.map((r) => r.first_p50)), total: Math.min(...rs.map((r) => r.total_p50)), errors: rs.reduce((a, r) => a + r.errors, 0), n: rs.reduce((a, r) => a + r.n, 0), bytes: rs[0].bytes, rs };
};
const bP = bAgg('proxy'), bR = bAgg('relay'), bD = bAgg('direct');
const chunks = Number(meta.chunks);
if (bP && bR) {
  const added = bP.first - bR.first;
  const perChunk = ((bP.total - bP.first) - (bR.total - bR.first)) / chunks * 1000;
  add(`(b) stream, ${chunks} chunks`, 'first byte p50 ms vs nginx relay', f3(bP.first), f3(bR.first), `${sign(added, f3)} ms (${ratio(bP.first, bR.first)})`, '≤ +0.2 ms', verdict(added <= 0.2));
  add('', 'whole answer p50 ms vs nginx relay', f3(bP.total), f3(bR.total), `${sign(bP.total - bR.total, f3)} ms (${ratio(bP.total, bR.total)})`, '', '');
  add('', 'per-chunk overhead µs vs relay', f1(perChunk), '0', `${sign(perChunk, f1)} µs/chunk`, '', '');
}

// (c)
const c = json('c.json');
if (c) {
  const per = (c.rss_mb - c.rss_before_mb) / Math.max(1, c.opened);
  const at10k = c.rss_before_mb + per * 10000;
  add(`(c) ${f0(c.n)} open streams, slow upstream`, 'RSS MB with all open vs before', f1(c.rss_mb), f1(c.rss_before_mb), `${f1(per * 1024)} KB/stream; ${f1(at10k)} MB at 10 000`, '≤ 200 MB at 10 000', verdict(at10k <= 200));
  const pending = c.n - c.opened - c.errors;
  add('', 'streams open / errors / not open in time', `${f0(c.opened)} / ${f0(c.errors)} / ${f0(pending)}`, f0(c.n), ratio(c.opened, c.n), 'all open, 0 errors', verdict(c.errors === 0 && c.opened === c.n));
  add('', `proxy CPU s (open + ${Math.round(c.wall_s - c.open_ms / 1000)} s hold)`, f2(c.cpu_s), `${f1(c.wall_s)} s wall`, `${f0(100 * c.cpu_s / c.wall_s)}% of one core`, '', '');
}

// (d), (e)
const dP = agg('d', 'proxy'), dR = agg('d', 'relay'), dD = agg('d', 'direct'), dC = agg('d', 'ccr'), eP = agg('d', 'proxy_count_tokens');
if (dP && dR) {
  add('(d) 50 KB Claude Code request', 'req/s vs nginx relay', f0(dP.rps), f0(dR.rps), ratio(dP.rps, dR.rps), '', '');
  add('', 'req/s vs upstream direct', f0(dP.rps), f0(dD?.rps), ratio(dP.rps, dD?.rps), '', '');
  add('', 'req/s vs claude-code-router', f0(dP.rps), f0(dC?.rps), ratio(dP.rps, dC?.rps), '', '');
  add('', 'p99 ms vs nginx relay', f2(dP.p99), f2(dR.p99), `${sign(dP.p99 - dR.p99)} ms (${ratio(dP.p99, dR.p99)})`, '', '');
}
// Translation alone: bench/translate_bench (Google Benchmark) on one core, in the same run.
const tb = json('translate.json');
if (tb) {
  const b = Object.fromEntries(tb.benchmarks.map((x) => [x.name, x]));
  const per_s = (n) => (b[n] ? 1e9 / b[n].real_time * (b[n].time_unit === 'ns' ? 1 : b[n].time_unit === 'us' ? 1e-3 : 1e-6) : NaN);
  const floor = per_s('json_roundtrip');
  add('(d) translation alone, one core', 'translations/s, Chat (parse + prepare + serialise) vs JSON parse + serialise', f0(per_s('whole/chat')), f0(floor), ratio(per_s('whole/chat'), floor), '≥ 5 000/s', verdict(per_s('whole/chat') >= 5000));
  add('', 'translations/s, Responses vs JSON parse + serialise', f0(per_s('whole/responses')), f0(floor), ratio(per_s('whole/responses'), floor), '', '');
  add('', 'µs: parse / prepare Chat / prepare Responses', `${f1(1e6 / per_s('parse'))} / ${f1(1e6 / per_s('prepare/chat'))} / ${f1(1e6 / per_s('prepare/responses'))}`, '', '', '', '');
  // stream/chat: one 200-chunk Azure answer translated to Anthropic events, per content chunk
  if (b['stream/chat']) add('', 'µs per streamed chunk, Chat → Anthropic events (translation alone)', f2(1e6 / per_s('stream/chat') / 200), '', '', '', '');
}
if (eP && dR) {
  add('(e) count_tokens, 50 KB', 'req/s vs nginx relay (same body)', f0(eP.rps), f0(dR.rps), ratio(eP.rps, dR.rps), '', '');
  add('', 'req/s vs /v1/messages (d)', f0(eP.rps), f0(dP?.rps), ratio(eP.rps, dP?.rps), '', '');
}

// (f)
const fP = json('f_proxy.json'), fN = json('f_nginx.json'), fC = json('f_ccr.json');
if (fP) {
  add('(f) start-up', 'idle RSS MB vs nginx relay (master+workers)', f1(fP.idle_rss_p50_mb), f1(fN?.idle_rss_p50_mb), ratio(fP.idle_rss_p50_mb, fN?.idle_rss_p50_mb), '≤ 15 MB', verdict(fP.idle_rss_p50_mb <= 15));
  add('', '… of which private (USS), MB vs nginx relay', f1(fP.idle_uss_p50_mb), f1(fN?.idle_uss_p50_mb), ratio(fP.idle_uss_p50_mb, fN?.idle_uss_p50_mb), '', '');
  add('', 'idle RSS MB vs claude-code-router', f1(fP.idle_rss_p50_mb), f1(fC?.idle_rss_p50_mb), ratio(fP.idle_rss_p50_mb, fC?.idle_rss_p50_mb), '', '');
  add('', 'start → first answer ms vs nginx relay', f1(fP.ready_p50_ms), f1(fN?.ready_p50_ms), ratio(fP.ready_p50_ms, fN?.ready_p50_ms), '≤ 50 ms', verdict(fP.ready_p50_ms <= 50));
  add('', 'start → first answer ms vs claude-code-router', f1(fP.ready_p50_ms), f1(fC?.ready_p50_ms), ratio(fP.ready_p50_ms, fC?.ready_p50_ms), '', '');
}

// (g)
const gP = agg('g', 'proxy'), gR = agg('g', 'relay'), gD = agg('g', 'direct');
if (gP && gR) {
  add('(g) Cursor 2 KB → Responses', 'req/s vs nginx relay', f0(gP.rps), f0(gR.rps), ratio(gP.rps, gR.rps), '(≥ 0.7× as a)', verdict(gP.rps / gR.rps >= 0.7));
  add('', 'req/s vs upstream direct', f0(gP.rps), f0(gD?.rps), ratio(gP.rps, gD?.rps), '', '');
  add('', 'p99 ms vs nginx relay', f2(gP.p99), f2(gR.p99), `${sign(gP.p99 - gR.p99)} ms (${ratio(gP.p99, gR.p99)})`, '(≤ +1 ms as a)', verdict(gP.p99 - gR.p99 <= 1));
}

const md = (header, body) => [
  `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const mainTable = md(['scenario', 'measure', 'proxy', 'baseline', 'ratio / difference', 'target', ''], table);

// Every wrk round, for the record.
const rawTable = md(['scenario', 'target', 'round', 'req/s', 'p99 ms', 'requests', 'errors', "other sessions' CPU %"],
  rows.map((r) => [r.scen, r.target, r.round, f0(r.rps), f2(r.p99), f0(r.n), r.errors, r.cc]));
const bTable = md(['target', 'round', 'first byte p50 ms', 'p90', 'whole answer p50 ms', 'p90', 'bytes/answer', 'errors'],
  [['direct', bD], ['relay', bR], ['proxy', bP]].filter(([, b]) => b).flatMap(([name, b]) =>
    b.rs.map((r, k) => [name, k + 1, f3(r.first_p50), f3(r.first_p90), f3(r.total_p50), f3(r.total_p90), f0(r.bytes), r.errors])));

const noisyRounds = rows.filter((r) => r.cc >= 10).length;
const totalErrors = rows.reduce((a, r) => a + r.errors, 0);
const profile = has('profile.txt') ? rd('profile.txt').trimEnd() : '';
const profileDso = has('profile_dso.txt') ? rd('profile_dso.txt').trimEnd() : '';

console.log('\n' + mainTable + '\n');
if (totalErrors) console.log(`wrk errors (non-2xx or socket) across all rounds: ${totalErrors}`);

const text = `# Proxy benchmark results

Written by \`bench/proxy.sh\` (see [README.md](README.md)); every number below comes from one run.

| | |
|---|---|
| date | ${meta.date} |
| CPU | ${meta.cpu} |
| cores | ${meta.cores} |
| kernel | ${meta.kernel} |
| proxy commit | ${meta.commit} |
| nginx / wrk / node | ${meta.nginx} / ${meta.wrk} / ${meta.node} |
| load | \`wrk -t2 -c${meta.conns} --latency\`, ${meta.rounds} rounds × ${meta.round_s} s per target, targets alternated round by round |
| run time | ${meta.duration_s} s; load average at the end ${meta.loadavg_end} |

**Noise.** The load generator, the upstream, the relay and the proxy share the ${meta.cores} cores, and
other sessions on the machine (another engineer's compiles and tests) used ${meta.foreign_cpu_pct}% of its
CPU over the whole run, 10% or more during ${noisyRounds} of ${rows.length} wrk rounds (last column of the raw
table). Absolute numbers move from run to run; compare the ratios, which are taken between targets
measured in alternating rounds of the same run. wrk errors (non-2xx or socket errors) across all
rounds: ${totalErrors}.

## Summary

Baselines: **upstream direct** = nginx answering a canned Azure answer (1 worker); **nginx relay** =
nginx \`proxy_pass\` to that upstream (\`worker_processes auto\`, upstream keepalive 128,
\`proxy_buffering off\`); **claude-code-router** 1.0.73 against the same upstream. Values are the best
of the ${meta.rounds} rounds of each target (highest req/s, lowest p99; for streams the lowest p50s): the
noise from other work only ever slows a target down.

${mainTable}

## Every wrk round

${rawTable}

## Streaming (b): every round

${meta.seq_n} sequential streamed requests per target and round on one keep-alive connection (the
first tenth left out as warm-up), ${chunks} content chunks per answer. The upstream serves the whole
canned stream at once (a static file), so the time after the first byte is the relay's or the
proxy's own work; the proxy's answer is the Anthropic translation, not the relayed Chat chunks'
bytes (see bytes/answer).

${bTable}

## Open streams (c)

${c ? `${f0(c.n)} streams requested, ${f0(c.opened)} opened (first byte received) in ${f0(c.open_ms)} ms, ${f0(c.errors)} errors, ${f0(c.n - c.opened - c.errors)} not open within the open timeout${Object.keys(c.error_kinds || {}).length ? ` (${JSON.stringify(c.error_kinds)})` : ''}, ${f0(c.still_open_after_hold)} still open after the hold.
Upstream: mock-azure streaming an 8-byte chunk every ${meta.drip_ms} ms on every stream. Proxy RSS ${f1(c.rss_before_mb)} MB before,
${f1(c.rss_mb)} MB with all open (peak ${f1(c.hwm_mb)} MB), ${f1(mem.c_idle_rss_mb_after)} MB one second after they closed; CPU ${f2(c.cpu_s)} s over ${f1(c.wall_s)} s.
${Number(meta.streams) < 10000 ? `Fewer than 10 000 because the hard open-files limit here does not let one process hold two sockets (client and upstream) for 10 000 streams; the 10 000 figure in the summary is extrapolated linearly from the measured per-stream growth.` : ''}` : 'not run'}

## Profile

${profile ? `\`perf record -e cpu-clock -F 999 -g -p <proxy>\` for ${meta.round_s} s under the load of (a) (a separate round, not one of
the measured ones); \`perf report --no-children --sort dso,symbol\`, entries above 0.4%:

\`\`\`
${profile}
\`\`\`
${profileDso ? `\nBy shared object (\`--sort dso\`):\n\n\`\`\`\n${profileDso}\n\`\`\`` : ''}` : 'perf was not run or did not work in this environment.'}
`;
writeFileSync(outFile, text);
