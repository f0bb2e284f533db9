// Static checks of deploy/Dockerfile and the Kubernetes manifests in deploy/k8s: no cluster, no
// Docker engine, no network. They catch the mistakes that only show up at deploy time: a probe
// on the wrong port, a grace period shorter than the drain, a route naming a missing deployment.
//   cd tests/e2e && node --test deploy_manifests.test.mjs
// Optional deeper checks run when their tools are there, and say so when they are skipped:
// `kubectl kustomize` renders both variants; `apt-cache` (bookworm lists) confirms the runtime
// packages exist; AGP_PROXY_BIN (default build/azure-gpt-proxy) + objdump check that the runtime
// stage installs every library the binary links.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const k8sDir = path.join(repo, 'deploy/k8s');
const dockerfilePath = path.join(repo, 'deploy/Dockerfile');

// ---------------------------------------------------------------- helpers

function run(cmd, args, opts = {}) {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, ...opts }) };
  } catch (e) {
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.code === 'ENOENT' ? `${cmd}: not found` : ''}` };
  }
}

function yamlFilesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out.sort();
}

function parseDocs(text, where) {
  const docs = YAML.parseAllDocuments(text);
  for (const d of docs) {
    assert.deepEqual(d.errors.map(String), [], `${where}: YAML errors`);
  }
  return docs.map((d) => d.toJS()).filter((d) => d != null);
}

// Kubernetes quantities, enough for CPU (m) and memory (Ki/Mi/Gi, k/M/G).
function quantity(q) {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  assert.ok(m, `not a quantity: ${q}`);
  const mult = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}

function matches(selector, labels) {
  const ml = selector?.matchLabels ?? {};
  assert.ok(Object.keys(ml).length > 0, 'selector has no matchLabels');
  return Object.entries(ml).every(([k, v]) => labels?.[k] === v);
}

function envValue(container, name) {
  return container.env?.find((e) => e.name === name)?.value;
}

function resolvePort(container, port) {
  if (typeof port === 'number') return port;
  const p = container.ports?.find((x) => x.name === port);
  assert.ok(p, `container ${container.name}: no port named ${port}`);
  return p.containerPort;
}

function preStopSleepSeconds(container) {
  const ps = container.lifecycle?.preStop;
  if (!ps) return 0;
  if (ps.sleep) return Number(ps.sleep.seconds);
  const cmd = ps.exec?.command ?? [];
  const i = cmd.findIndex((c) => /(^|\/)sleep$/.test(c));
  return i >= 0 ? Number(cmd[i + 1]) : 0;
}

// ---------------------------------------------------------------- manifest checks
// Written against a list of objects, so the same checks run on the files as written and on
// kubectl kustomize's output (which is where patches and components have been applied).

function byKind(objs, kind) {
  return objs.filter((o) => o.kind === kind);
}

function one(objs, kind, name) {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  assert.equal(found.length, 1, `expected exactly one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

function checkConfigYaml(text, secretKeys, where) {
  const cfg = YAML.parse(text);
  assert.ok(cfg && typeof cfg === 'object', `${where}: config.yaml is not a mapping`);
  assert.deepEqual(Object.keys(cfg).sort(), ['deployments', 'endpoints', 'routes'], `${where}: top-level keys`);
  assert.ok(Array.isArray(cfg.endpoints) && cfg.endpoints.length > 0, `${where}: endpoints is a non-empty list`);
  assert.ok(Array.isArray(cfg.deployments) && cfg.deployments.length > 0, `${where}: deployments is a non-empty list`);
  assert.ok(cfg.routes && typeof cfg.routes === 'object' && !Array.isArray(cfg.routes), `${where}: routes is a mapping`);

  const endpoints = new Set();
  for (const e of cfg.endpoints) {
    assert.ok(e.name && !endpoints.has(e.name), `${where}: endpoint names are present and unique (${e.name})`);
    endpoints.add(e.name);
    assert.match(String(e.url), /^https:\/\/[^/]+/, `${where}: endpoint ${e.name} url is https`);
    assert.ok(e.api_version, `${where}: endpoint ${e.name} has api_version`);
    if (e.auth === 'entra') {
      assert.equal(e.api_key, undefined, `${where}: endpoint ${e.name} uses auth: entra and an api_key`);
    } else {
      assert.ok(e.api_key, `${where}: endpoint ${e.name} has neither api_key nor auth: entra`);
      // A literal key in a ConfigMap would be readable by anyone who can read ConfigMaps.
      const ref = /^\$\{([A-Z0-9_]+)\}$/.exec(String(e.api_key));
      assert.ok(ref, `${where}: endpoint ${e.name} api_key must be a \${VAR} reference, not a literal`);
      if (secretKeys) assert.ok(secretKeys.has(ref[1]), `${where}: \${${ref[1]}} is not a key of the Secret`);
    }
  }
  const deployments = new Set();
  for (const d of cfg.deployments) {
    assert.ok(d.name && !deployments.has(d.name), `${where}: deployment names are present and unique (${d.name})`);
    deployments.add(d.name);
    assert.ok(endpoints.has(d.endpoint), `${where}: deployment ${d.name} names unknown endpoint ${d.endpoint}`);
    assert.ok(d.deployment, `${where}: deployment ${d.name} has an Azure deployment name`);
  }
  for (const [pattern, targets] of Object.entries(cfg.routes)) {
    assert.ok(Array.isArray(targets) && targets.length > 0, `${where}: route ${pattern} lists deployments`);
    for (const t of targets) assert.ok(deployments.has(t), `${where}: route ${pattern} names unknown deployment ${t}`);
  }
  return cfg;
}

function checkManifests(objs, where) {
  const deps = byKind(objs, 'Deployment');
  assert.ok(deps.length >= 1, `${where}: no Deployment`);
  const secretObjs = byKind(objs, 'Secret');

  for (const dep of deps) {
    const name = dep.metadata.name;
    const spec = dep.spec;
    const pod = spec.template.spec;
    const podLabels = spec.template.metadata.labels;
    assert.ok(matches(spec.selector, podLabels), `${where}: Deployment ${name} selector does not match its pod labels`);
    assert.equal(spec.replicas, 2, `${where}: Deployment ${name} replicas`);

    assert.ok(pod.containers.length >= 1);
    for (const c of pod.containers) {
      const w = `${where}: Deployment ${name} container ${c.name}`;
      assert.ok(c.image, `${w}: image`);

      // Port: the one LISTEN_ADDR binds, declared as a container port.
      const listen = envValue(c, 'LISTEN_ADDR');
      assert.equal(listen, '0.0.0.0:8080', `${w}: LISTEN_ADDR`);
      const listenPort = Number(listen.split(':').pop());
      assert.ok(c.ports?.some((p) => p.containerPort === listenPort), `${w}: containerPort ${listenPort}`);

      // Probes.
      for (const [probe, wantPath] of [['livenessProbe', '/health'], ['readinessProbe', '/ready']]) {
        const g = c[probe]?.httpGet;
        assert.ok(g, `${w}: ${probe} is an httpGet probe`);
        assert.equal(g.path, wantPath, `${w}: ${probe} path`);
        assert.equal(resolvePort(c, g.port), listenPort, `${w}: ${probe} port`);
      }

      // Resources: both requests and limits, requests within limits.
      for (const r of ['cpu', 'memory']) {
        assert.ok(c.resources?.requests?.[r] !== undefined, `${w}: resources.requests.${r}`);
        assert.ok(c.resources?.limits?.[r] !== undefined, `${w}: resources.limits.${r}`);
        assert.ok(quantity(c.resources.requests[r]) <= quantity(c.resources.limits[r]), `${w}: ${r} request > limit`);
      }

      // Security context (container level; runAsNonRoot and seccomp may come from the pod).
      const sc = c.securityContext ?? {};
      const psc = pod.securityContext ?? {};
      assert.equal(sc.readOnlyRootFilesystem, true, `${w}: readOnlyRootFilesystem`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${w}: allowPrivilegeEscalation`);
      assert.equal(sc.runAsNonRoot ?? psc.runAsNonRoot, true, `${w}: runAsNonRoot`);
      assert.ok(sc.capabilities?.drop?.includes('ALL'), `${w}: capabilities.drop ALL`);
      assert.equal((sc.seccompProfile ?? psc.seccompProfile)?.type, 'RuntimeDefault', `${w}: seccompProfile`);
      const uid = sc.runAsUser ?? psc.runAsUser;
      if (uid !== undefined) assert.notEqual(uid, 0, `${w}: runAsUser 0`);

      // Graceful termination: the kubelet's deadline covers the preStop pause plus the drain.
      const grace = envValue(c, 'SHUTDOWN_GRACE');
      assert.ok(grace !== undefined && /^\d+$/.test(grace), `${w}: SHUTDOWN_GRACE set explicitly (got ${grace})`);
      const tgps = pod.terminationGracePeriodSeconds;
      const pause = preStopSleepSeconds(c);
      assert.ok(Number.isInteger(tgps) && tgps > Number(grace) + pause,
        `${w}: terminationGracePeriodSeconds ${tgps} must exceed preStop ${pause} s + SHUTDOWN_GRACE ${grace} s`);

      // Config: --config PATH, PATH served by a mounted ConfigMap key that exists.
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      const i = argv.indexOf('--config');
      assert.ok(i >= 0 && argv[i + 1], `${w}: --config argument`);
      const cfgPath = argv[i + 1];
      assert.equal(cfgPath, '/etc/azure-gpt-proxy/config.yaml', `${w}: --config path`);
      const mount = (c.volumeMounts ?? []).find((m) =>
        m.subPath ? m.mountPath === cfgPath : cfgPath.startsWith(m.mountPath.replace(/\/?$/, '/')));
      assert.ok(mount, `${w}: no volumeMount provides ${cfgPath}`);
      const vol = pod.volumes?.find((v) => v.name === mount.name);
      assert.ok(vol?.configMap, `${w}: ${cfgPath} comes from volume ${mount.name}, which is not a ConfigMap`);
      const fileInVol = mount.subPath ?? path.posix.relative(mount.mountPath, cfgPath);
      const item = vol.configMap.items?.find((it) => it.path === fileInVol);
      const key = item ? item.key : fileInVol;
      const cm = one(objs, 'ConfigMap', vol.configMap.name);
      assert.ok(typeof cm.data?.[key] === 'string', `${w}: ConfigMap ${cm.metadata.name} has no key ${key}`);
      const secretKeys = new Set(secretObjs.flatMap((s) => Object.keys({ ...(s.stringData ?? {}), ...(s.data ?? {}) })));
      checkConfigYaml(cm.data[key], secretObjs.length ? secretKeys : null, `${where}: ConfigMap ${cm.metadata.name}`);
      // And the proxy itself accepts it: --check-config with every ${VAR} set to a stand-in.
      const bin = process.env.AGP_PROXY_BIN ?? path.join(repo, 'build/azure-gpt-proxy');
      if (fs.existsSync(bin)) {
        const tmpFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agp-cm-')), 'config.yaml');
        fs.writeFileSync(tmpFile, cm.data[key]);
        const env = { PATH: process.env.PATH };
        for (const m of cm.data[key].matchAll(/\$\{([A-Z0-9_]+)\}/g)) env[m[1]] = 'stand-in';
        const out = spawnSync(bin, ['--config', tmpFile, '--check-config'], { env, encoding: 'utf8' });
        assert.equal(out.status, 0, `${where}: the proxy refused the ConfigMap's config: ${out.stderr}`);
        assert.match(out.stdout, /routing/);
      }

      // Writable scratch space on a read-only root.
      const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
      assert.ok(tmp && pod.volumes.find((v) => v.name === tmp.name)?.emptyDir !== undefined, `${w}: /tmp is an emptyDir`);

      // The Secret the environment comes from is part of the manifests.
      const refs = (c.envFrom ?? []).filter((e) => e.secretRef).map((e) => e.secretRef.name);
      assert.ok(refs.length > 0, `${w}: envFrom a Secret`);
      for (const r of refs) one(objs, 'Secret', r);
    }

    // Service → this Deployment's pods and container port.
    const svcs = byKind(objs, 'Service').filter((s) => matches(s.spec.selector ? { matchLabels: s.spec.selector } : {}, podLabels));
    assert.equal(svcs.length, 1, `${where}: exactly one Service selects Deployment ${name}'s pods`);
    const svc = svcs[0];
    assert.ok((svc.spec.type ?? 'ClusterIP') === 'ClusterIP', `${where}: Service type`);
    const c0 = pod.containers[0];
    const sp = svc.spec.ports.find((p) => p.port === 80);
    assert.ok(sp, `${where}: Service port 80`);
    assert.equal(resolvePort(c0, sp.targetPort ?? sp.port), 8080, `${where}: Service targetPort resolves to the container port`);

    // HPA → this Deployment; PDB never blocks a drain at the minimum size.
    const hpa = byKind(objs, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === name);
    assert.ok(hpa, `${where}: no HPA targets Deployment ${name}`);
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
    assert.equal(hpa.spec.minReplicas, 2);
    assert.equal(hpa.spec.maxReplicas, 10);
    const cpu = hpa.spec.metrics.find((m) => m.type === 'Resource' && m.resource.name === 'cpu');
    assert.deepEqual(cpu?.resource.target, { type: 'Utilization', averageUtilization: 70 }, `${where}: HPA CPU target`);

    const pdbs = byKind(objs, 'PodDisruptionBudget').filter((p) => matches(p.spec.selector, podLabels));
    assert.equal(pdbs.length, 1, `${where}: exactly one PDB selects Deployment ${name}'s pods`);
    assert.equal(pdbs[0].spec.minAvailable, 1);
    assert.ok(pdbs[0].spec.minAvailable < hpa.spec.minReplicas, `${where}: PDB minAvailable would block node drains`);

    // Ingress (example): streaming-friendly, TLS, pointing at the Service's port.
    for (const ing of byKind(objs, 'Ingress')) {
      const a = ing.metadata.annotations ?? {};
      assert.equal(a['nginx.ingress.kubernetes.io/proxy-buffering'], 'off', `${where}: Ingress proxy-buffering`);
      // Longer than the proxy's own UPSTREAM_FIRST_BYTE_TIMEOUT default (600 s).
      assert.ok(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout']) > 600, `${where}: Ingress proxy-read-timeout`);
      assert.ok(quantity(String(a['nginx.ingress.kubernetes.io/proxy-body-size']).replace(/m$/, 'M')) >= 32e6,
        `${where}: Ingress proxy-body-size below the proxy's 32 MB body limit`);
      assert.ok(ing.spec.tls?.length > 0 && ing.spec.tls[0].secretName, `${where}: Ingress TLS`);
      const backends = ing.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service));
      for (const b of backends) {
        assert.equal(b.name, svc.metadata.name, `${where}: Ingress backend Service`);
        assert.ok(svc.spec.ports.some((p) => p.port === b.port.number || p.name === b.port.name), `${where}: Ingress backend port`);
      }
    }

    // Workload identity, where a ServiceAccount is used.
    if (pod.serviceAccountName) {
      const sa = one(objs, 'ServiceAccount', pod.serviceAccountName);
      assert.match(String(sa.metadata.annotations?.['azure.workload.identity/client-id']),
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${where}: ServiceAccount client-id annotation`);
      assert.equal(podLabels['azure.workload.identity/use'], 'true', `${where}: pod label azure.workload.identity/use`);
    }
  }
}

// ---------------------------------------------------------------- the files

const files = yamlFilesUnder(k8sDir);
const parsed = new Map(files.map((f) => [f, parseDocs(fs.readFileSync(f, 'utf8'), path.relative(repo, f))]));
const isKustomization = (f) => path.basename(f) === 'kustomization.yaml';
const rel = (f) => path.relative(k8sDir, f);

describe('deploy/k8s manifests', () => {
  test('every file parses as (multi-document) YAML with apiVersion and kind', () => {
    assert.ok(files.length >= 8, `only ${files.length} YAML files under deploy/k8s`);
    for (const [f, docs] of parsed) {
      assert.ok(docs.length >= 1, `${rel(f)}: empty`);
      for (const d of docs) {
        assert.ok(d.apiVersion && d.kind, `${rel(f)}: a document without apiVersion/kind`);
        if (!isKustomization(f)) assert.ok(d.metadata?.name, `${rel(f)}: ${d.kind} without metadata.name`);
      }
    }
  });

  test('each kustomization lists every file in its folder, and only files that exist', () => {
    const kusts = files.filter(isKustomization);
    assert.ok(kusts.some((k) => path.dirname(k) === k8sDir), 'deploy/k8s/kustomization.yaml is missing');
    for (const k of kusts) {
      const dir = path.dirname(k);
      const [doc] = parsed.get(k);
      const text = fs.readFileSync(k, 'utf8');
      const listed = [...(doc.resources ?? []), ...(doc.patches ?? []).map((p) => p.path).filter(Boolean)];
      for (const l of listed) assert.ok(fs.existsSync(path.join(dir, l)), `${rel(k)} lists missing ${l}`);
      for (const f of fs.readdirSync(dir)) {
        if (!/\.ya?ml$/.test(f) || f === 'kustomization.yaml') continue;
        assert.ok(listed.includes(f), `${rel(k)} does not list ${f}`);
      }
      // A component folder is either enabled in the parent or offered there (commented out).
      for (const sub of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
        if (!fs.existsSync(path.join(dir, sub.name, 'kustomization.yaml'))) continue;
        assert.ok((doc.components ?? []).includes(sub.name) || new RegExp(`^#\\s+-\\s+${sub.name}\\s*$`, 'm').test(text),
          `${rel(k)} neither enables nor offers component ${sub.name}`);
      }
    }
  });

  test('the base (files as written) passes every check', () => {
    const base = files.filter((f) => path.dirname(f) === k8sDir && !isKustomization(f)).flatMap((f) => parsed.get(f));
    checkManifests(base, 'deploy/k8s');
    const secret = one(base, 'Secret');
    for (const [k, v] of Object.entries(secret.stringData ?? {})) {
      assert.match(v, /REPLACE/, `the example Secret's ${k} must be an obvious placeholder`);
    }
  });

  test('the workload-identity component: ServiceAccount, pod label, entra config', () => {
    const dir = path.join(k8sDir, 'workload-identity');
    const objs = files.filter((f) => path.dirname(f) === dir && !isKustomization(f)).flatMap((f) => parsed.get(f));
    const [kust] = parsed.get(path.join(dir, 'kustomization.yaml'));
    assert.equal(kust.kind, 'Component');
    const sa = one(objs, 'ServiceAccount');
    assert.ok(sa.metadata.annotations?.['azure.workload.identity/client-id'], 'client-id annotation');
    const patch = one(objs, 'Deployment');
    assert.equal(patch.spec.template.spec.serviceAccountName, sa.metadata.name);
    assert.equal(patch.spec.template.metadata.labels['azure.workload.identity/use'], 'true');
    const cm = one(objs, 'ConfigMap');
    const cfg = checkConfigYaml(cm.data['config.yaml'], null, 'workload-identity ConfigMap');
    assert.ok(cfg.endpoints.every((e) => e.auth === 'entra'), 'every endpoint uses auth: entra');
  });

  const kubectl = run('kubectl', ['version', '--client']);
  test('kubectl kustomize renders both variants, and they pass every check',
    { skip: kubectl.ok ? false : 'kubectl not installed: rendering not checked' }, () => {
      const base = run('kubectl', ['kustomize', k8sDir]);
      assert.ok(base.ok, `kubectl kustomize deploy/k8s: ${base.out}`);
      checkManifests(parseDocs(base.out, 'rendered base'), 'rendered base');

      // The component enabled, as a user would by uncommenting it. A scratch kustomization
      // inside deploy/ because kustomize refuses absolute and out-of-tree roots.
      const scratch = fs.mkdtempSync(path.join(repo, 'deploy/.kustomize-test-'));
      try {
        fs.writeFileSync(path.join(scratch, 'kustomization.yaml'),
          'resources:\n  - ../k8s\ncomponents:\n  - ../k8s/workload-identity\n');
        const wi = run('kubectl', ['kustomize', scratch]);
        assert.ok(wi.ok, `kubectl kustomize with workload-identity: ${wi.out}`);
        const objs = parseDocs(wi.out, 'rendered workload-identity');
        checkManifests(objs, 'rendered workload-identity');
        assert.ok(one(objs, 'Deployment').spec.template.spec.serviceAccountName, 'serviceAccountName after the patch');
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    });
});

// ---------------------------------------------------------------- Dockerfile

// Instructions with continuation lines joined and comments dropped, grouped into stages.
function dockerStages(text) {
  const instrs = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    if (!cur && /^\s*#/.test(raw)) continue;
    if (cur && /^\s*#/.test(raw)) continue; // comments inside a continued instruction
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) { cur += line.slice(0, -1) + ' '; continue; }
    cur += line;
    if (cur.trim()) {
      const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(cur);
      assert.ok(m, `Dockerfile: cannot parse ${cur}`);
      instrs.push({ op: m[1].toUpperCase(), args: m[2].trim() });
    }
    cur = '';
  }
  const stages = [];
  for (const i of instrs) {
    if (i.op === 'FROM') {
      const [image, as, name] = i.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instrs: [] });
    } else {
      assert.ok(stages.length, `Dockerfile: ${i.op} before FROM`);
      stages.at(-1).instrs.push(i);
    }
  }
  return stages;
}

const dockerfile = fs.readFileSync(dockerfilePath, 'utf8');
const stages = dockerStages(dockerfile);
const final = stages.at(-1);
const finalOps = (op) => final.instrs.filter((i) => i.op === op);

// Package names after `apt-get install` in the final stage's RUNs.
function runtimePackages() {
  const pkgs = [];
  for (const r of finalOps('RUN')) {
    for (const m of r.args.matchAll(/apt-get install ((?:\s*-\S+)*)([^&|;]*)/g)) {
      pkgs.push(...m[2].split(/\s+/).filter((w) => w && !w.startsWith('-')));
    }
  }
  return pkgs;
}

describe('deploy/Dockerfile', () => {
  test('multi-stage: a debian:bookworm build stage and a debian:bookworm-slim final stage', () => {
    assert.ok(stages.length >= 2, `${stages.length} FROM stage(s)`);
    assert.equal(stages[0].image, 'debian:bookworm');
    assert.equal(final.image, 'debian:bookworm-slim');
    const copy = finalOps('COPY').find((c) => /--from=/.test(c.args));
    assert.ok(copy, 'the final stage copies the binary from the build stage');
    assert.match(copy.args, /build\/azure-gpt-proxy\s+\/usr\/local\/bin\/azure-gpt-proxy$/);
  });

  test('the build stage uses the repository\'s own build steps', () => {
    const build = stages.slice(0, -1).flatMap((s) => s.instrs).filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    assert.match(build, /(^|\s|&&)(SKIP_NPM=1\s+)?\.\/scripts\/setup\.sh\b/, 'runs scripts/setup.sh');
    // build.sh's configure preset; the image may add -D options and a --target.
    const preset = /^\s*cmake --preset (\S+)\s*$/m.exec(fs.readFileSync(path.join(repo, 'scripts/build.sh'), 'utf8'))?.[1];
    assert.ok(preset, 'scripts/build.sh has a cmake --preset');
    assert.ok(build.includes('./scripts/build.sh') || build.includes(`cmake --preset ${preset}`),
      `runs scripts/build.sh or its cmake --preset ${preset}`);
    // setup.sh must be present when it runs: copied before its RUN, or COPY . . earlier.
    const ops = stages[0].instrs;
    const runAt = ops.findIndex((i) => i.op === 'RUN' && /scripts\/setup\.sh/.test(i.args));
    assert.ok(ops.slice(0, runAt).some((i) => i.op === 'COPY' && /(scripts\/setup\.sh|^\.\s)/.test(i.args)),
      'scripts/setup.sh is copied in before it runs');
  });

  test('runtime: non-root, 0.0.0.0:8080, health check, SIGTERM, the proxy as entrypoint', () => {
    const user = finalOps('USER').at(-1)?.args;
    assert.ok(user, 'USER is set');
    assert.ok(!/^(root|0)(:|$)/.test(user), `USER ${user} is root`);
    // Numeric, or Kubernetes' runAsNonRoot cannot verify it.
    assert.match(user, /^\d+(:\d+)?$/, 'USER is numeric');
    assert.ok(finalOps('EXPOSE').some((e) => e.args.split(/\s+/).some((p) => /^8080(\/tcp)?$/.test(p))), 'EXPOSE 8080');
    assert.ok(finalOps('ENV').some((e) => /(^|\s)LISTEN_ADDR=0\.0\.0\.0:8080(\s|$)/.test(e.args)), 'ENV LISTEN_ADDR=0.0.0.0:8080');
    const hc = finalOps('HEALTHCHECK');
    assert.equal(hc.length, 1, 'one HEALTHCHECK');
    assert.match(hc[0].args, /\bCMD\b/);
    assert.match(hc[0].args, /\/health\b/, 'the health check asks GET /health');
    assert.equal(finalOps('STOPSIGNAL').at(-1)?.args, 'SIGTERM');
    assert.deepEqual(JSON.parse(finalOps('ENTRYPOINT').at(-1).args), ['/usr/local/bin/azure-gpt-proxy']);
  });

  test('the runtime stage installs a library package for each library CMake links', () => {
    const pkgs = runtimePackages();
    assert.ok(pkgs.includes('ca-certificates'), 'ca-certificates (Azure\'s certificate chain)');
    const cmake = fs.readFileSync(path.join(repo, 'CMakeLists.txt'), 'utf8');
    const boost = /find_package\(Boost[^)]*COMPONENTS([^)]*)\)/.exec(cmake)?.[1].trim().split(/\s+/) ?? [];
    const want = boost.map((c) => new RegExp(`^libboost-${c}\\d`));
    if (/find_package\(OpenSSL/.test(cmake)) want.push(/^libssl3/);
    if (/find_package\(spdlog/.test(cmake)) want.push(/^libspdlog\d/);
    if (/find_package\(fmt/.test(cmake)) want.push(/^libfmt\d/);
    if (/yaml-cpp/i.test(cmake)) want.push(/^libyaml-cpp\d/);
    if (/pcre2/i.test(cmake)) want.push(/^libpcre2-8-/);
    if (/find_package\(SQLiteCpp/.test(cmake)) want.push(/^libsqlite3-0$/);
    // libpq is not linked but loaded (dlopen) for a postgresql:// DATABASE_URL: the image needs it all the same.
    if (/pkg_check_modules\([^)]*\blibpq\b/.test(cmake)) want.push(/^libpq5$/);
    for (const w of want) assert.ok(pkgs.some((p) => w.test(p)), `no runtime package matches ${w} (have: ${pkgs.join(' ')})`);
  });

  const osRelease = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '';
  const bookworm = /^VERSION_CODENAME=bookworm$/m.test(osRelease);
  const aptLists = bookworm && run('apt-cache', ['show', 'ca-certificates']).ok;
  test('every runtime package exists in Debian bookworm (local apt lists, no network)',
    { skip: aptLists ? false : 'needs apt-cache with bookworm package lists (run apt-get update): not checked' }, () => {
      // One call for all (apt-cache loads its cache once); it lists what it found.
      const pkgs = runtimePackages();
      const r = run('apt-cache', ['show', '--no-all-versions', ...pkgs]);
      const found = new Set([...r.out.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
      for (const p of pkgs) assert.ok(found.has(p), `apt-cache show ${p}: no such bookworm package`);
    });

  const bin = process.env.AGP_PROXY_BIN ?? path.join(repo, 'build/azure-gpt-proxy');
  const haveBin = bookworm && fs.existsSync(bin) && run('objdump', ['--version']).ok;
  test('the runtime packages provide every library the built binary needs',
    { skip: haveBin ? false : `needs a bookworm host, objdump and the binary (${path.relative(repo, bin)}): not checked` }, () => {
      const needed = [...run('objdump', ['-p', bin]).out.matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
      assert.ok(needed.length > 0, 'objdump found no NEEDED entries');
      const ldd = run('ldd', [bin]).out;
      // What debian:bookworm-slim already has (Essential and apt's own dependencies).
      const inSlim = new Set(['libc6', 'libgcc-s1', 'libstdc++6', 'zlib1g', 'libzstd1']);
      const pkgs = new Set(runtimePackages());
      for (const soname of needed) {
        const file = new RegExp(`^\\s*${soname.replace(/[.+]/g, '\\$&')} => (\\S+)`, 'm').exec(ldd)?.[1];
        assert.ok(file, `ldd does not resolve ${soname}`);
        // dpkg knows a file by its packaged path: /lib/… for some, /usr/lib/… for others (usrmerge).
        let owner = run('dpkg', ['-S', file]);
        if (!owner.ok) owner = run('dpkg', ['-S', fs.realpathSync(file)]);
        const pkg = owner.ok ? owner.out.split(':')[0] : undefined;
        assert.ok(pkg, `no Debian package owns ${file}`);
        assert.ok(pkgs.has(pkg) || inSlim.has(pkg), `${soname} is in ${pkg}, which the runtime stage does not install`);
      }
    });
});
