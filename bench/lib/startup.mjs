// Start-up measurement for bench/proxy.sh: spawns a server K times, polls URL every ms
// until it answers (any HTTP status below 500), then after IDLE_MS reads the resident
// memory of the whole process tree (RSS and its private part) and stops it (SIGTERM, then SIGKILL after 3 s).
//   node startup.mjs K IDLE_MS URL -- CMD ARGS...   (environment and cwd inherited)
// Prints JSON: ready_ms (each run, and p50), idle RSS in MB (each run, and p50).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const [kArg, idleArg, url] = args.slice(0, sep);
const [cmd, ...cmdArgs] = args.slice(sep + 1);
const u = new URL(url);
if (u.hostname !== '127.0.0.1') throw new Error('127.0.0.1 only');
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resident memory of the process tree: VmRSS (which counts the shared libraries' pages mapped,
// so it moves with the page cache: more of a library's pages are mapped around each fault when
// they are cached) and the private part (USS: Private_Clean + Private_Dirty of smaps_rollup),
// what the process costs on its own.
function treeMemKb(pid) {
  const m = { rss: 0, uss: 0 };
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    m.rss += Number((/^VmRSS:\s+(\d+)/m.exec(st) || [0, 0])[1]);
    const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    for (const k of ['Private_Clean', 'Private_Dirty']) m.uss += Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(roll) || [0, 0])[1]);
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const c of kids ? kids.split(/\s+/) : []) {
        const k = treeMemKb(Number(c));
        m.rss += k.rss;
        m.uss += k.uss;
      }
    }
  } catch { /* gone */ }
  return m;
}

const probe = () => new Promise((resolve) => {
  const req = http.get({ host: u.hostname, port: u.port, path: u.pathname, agent: false, timeout: 200 }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode < 500));
  });
  req.on('error', () => resolve(false));
  req.on('timeout', () => { req.destroy(); resolve(false); });
});

const readies = [], rss = [], uss = [];
for (let i = 0; i < Number(kArg); i++) {
  const t0 = now();
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.on('exit', () => { exited = true; });
  let ready = null;
  while (!exited && now() - t0 < 15000) {
    if (await probe()) { ready = now() - t0; break; }
    await sleep(1);
  }
  if (ready !== null) {
    await sleep(Number(idleArg));
    readies.push(ready);
    const m = treeMemKb(child.pid);
    rss.push(m.rss / 1024);
    uss.push(m.uss / 1024);
  }
  child.kill('SIGTERM');
  const t1 = now();
  while (!exited && now() - t1 < 3000) await sleep(10);
  if (!exited) child.kill('SIGKILL');
  if (ready === null) { console.error(`startup.mjs: ${cmd} did not answer ${url} within 15 s`); process.exit(1); }
}
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ ready_ms: readies.map((x) => +x.toFixed(2)), ready_p50_ms: p50(readies), idle_rss_mb: rss.map((x) => +x.toFixed(1)), idle_rss_p50_mb: p50(rss), idle_uss_mb: uss.map((x) => +x.toFixed(1)), idle_uss_p50_mb: p50(uss) }));
