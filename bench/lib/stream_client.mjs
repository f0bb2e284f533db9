// Streaming measurements for bench/proxy.sh. Only talks to 127.0.0.1.
//
//   node stream_client.mjs seq  URL BODY_FILE N
//     N sequential streamed requests on one keep-alive connection; prints JSON with the
//     p50/p90 of the time to the first body byte and to the end of the answer (ms).
//   node stream_client.mjs hold URL BODY_FILE N HOLD_S OPEN_TIMEOUT_S PID
//     Opens N concurrent streams (at most 256 connecting at once), waits until each has sent
//     its first body byte (or failed, or OPEN_TIMEOUT_S passed), keeps them all open HOLD_S
//     seconds, samples process PID (VmRSS, VmHWM, CPU seconds since the first request), then
//     closes every stream. Prints JSON.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [mode, url, bodyFile, nArg, ...rest] = process.argv.slice(2);
const u = new URL(url);
if (u.hostname !== '127.0.0.1') throw new Error('benchmark traffic goes to 127.0.0.1 only');
const body = readFileSync(bodyFile);
const n = Number(nArg);
const headers = {
  'content-type': 'application/json',
  'content-length': body.length,
  'anthropic-version': '2023-06-01',
  'x-api-key': process.env.BENCH_TOKEN || 'bench',
  authorization: `Bearer ${process.env.BENCH_TOKEN || 'bench'}`,
};
const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : null;
};

function one(agent, onFirst) {
  return new Promise((resolve) => {
    const t0 = now();
    let first = null, bytes = 0;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers, agent }, (res) => {
      res.on('data', (d) => {
        if (first === null) { first = now() - t0; if (onFirst) onFirst(res, req); }
        bytes += d.length;
      });
      res.on('end', () => resolve({ ok: res.statusCode === 200 && first !== null, status: res.statusCode, first, total: now() - t0, bytes }));
      res.on('error', () => resolve({ ok: false, first, total: now() - t0, bytes }));
    });
    req.on('error', (e) => resolve({ ok: false, error: e.code || String(e), first, total: now() - t0, bytes }));
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

function procSample(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st) || [0, 0])[1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);  // utime + stime, in clock ticks (100/s on Linux)
  return { rss_kb: kb('VmRSS'), hwm_kb: kb('VmHWM'), cpu_s: ticks / 100 };
}

if (mode === 'seq') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const firsts = [], totals = [];
  let errors = 0, bytes = 0;
  const deadline = now() + 60000;
  for (let i = 0; i < n && now() < deadline; i++) {
    const r = await one(agent);
    if (!r.ok) { errors++; continue; }
    if (i >= Math.min(10, n / 10)) { firsts.push(r.first); totals.push(r.total); }  // warm-up left out
    bytes = r.bytes;
  }
  agent.destroy();
  console.log(JSON.stringify({ n: firsts.length, errors, bytes, first_p50: pct(firsts, 50), first_p90: pct(firsts, 90), total_p50: pct(totals, 50), total_p90: pct(totals, 90) }));
} else if (mode === 'hold') {
  const [holdS, openTimeoutS, pid] = rest.map(Number);
  const before = procSample(pid);
  const t0 = now();
  const open = [];  // { req, res } of streams that sent their first byte
  let errors = 0, opened = 0, started = 0, settled = 0;
  const errorKinds = {};
  await new Promise((allOpen) => {
    const timer = setTimeout(allOpen, openTimeoutS * 1000);
    const check = () => { if (settled === n) { clearTimeout(timer); allOpen(); } };
    const launch = () => {
      while (started < n && started - settled < 256) {
        started++;
        let counted = false;
        const settle = (ok, kind) => {
          if (counted) return;
          counted = true; settled++;
          if (ok) opened++; else { errors++; errorKinds[kind] = (errorKinds[kind] || 0) + 1; }
          check(); launch();
        };
        one(false, (res, req) => { open.push({ req, res }); settle(res.statusCode === 200, `status ${res.statusCode}`); })
          .then((r) => settle(false, r.error || (r.ok ? 'ended early' : `status ${r.status}`)));
      }
    };
    launch();
  });
  const openMs = now() - t0;
  await new Promise((r) => setTimeout(r, holdS * 1000));
  const during = procSample(pid);
  const stillOpen = open.filter((o) => !o.res.complete && !o.req.destroyed).length;
  for (const o of open) o.req.destroy();
  console.log(JSON.stringify({
    n, opened, errors, error_kinds: errorKinds, still_open_after_hold: stillOpen, open_ms: Math.round(openMs),
    rss_mb: during.rss_kb / 1024, hwm_mb: during.hwm_kb / 1024, rss_before_mb: before.rss_kb / 1024,
    cpu_s: during.cpu_s - before.cpu_s, wall_s: (now() - t0) / 1000,
  }));
  process.exit(0);
} else {
  throw new Error('mode must be seq or hold');
}
