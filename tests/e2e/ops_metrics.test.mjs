// GET /metrics after a scripted run: N requests with usage the mock was told to report, one
// retried, one failed over, one resent within a learned capability, one refused. The scrape is
// parsed by an independent text-format parser (npm parse-prometheus-text-format, pinned) plus the
// format's own rules checked here, and every number must add up to what was sent.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Child, baseEnv, MOCK_BIN, PROXY_BIN, TOKEN, withLogs } from './harness.mjs';

const AZURE_KEY = 'e2e-metrics-azure-key';
const METRICS_TOKEN = 'e2e-metrics-token-5b1e';
const USAGE = { prompt_tokens: 100, completion_tokens: 20, cached_tokens: 40, reasoning_tokens: 5 };
const dir = mkdtempSync(path.join(tmpdir(), 'agp-metrics-'));
let mock, proxy, mockUrl, proxyUrl;

const stack = { logs: () => `----- proxy -----\n${proxy?.output ?? ''}\n----- mock -----\n${mock?.output ?? ''}` };

before(async () => {
  mock = new Child('mock', MOCK_BIN, ['--listen', '127.0.0.1:0', '--api-key', AZURE_KEY, '--deployments', 'main-dep,backup-dep,solo-dep,learner-dep'], { env: baseEnv() });
  mockUrl = await mock.waitForUrl();
  writeFileSync(
    path.join(dir, 'team.yaml'),
    `endpoints:
  - name: res
    url: ${mockUrl}
    api_key: \${KEY}
    api_version: 2024-10-21
    responses_api_version: v1
deployments:
  - {name: main, endpoint: res, deployment: main-dep}
  - {name: backup, endpoint: res, deployment: backup-dep, priority: 1}
  - {name: solo, endpoint: res, deployment: solo-dep}
  - {name: learner, endpoint: res, deployment: learner-dep}
routes:
  "*sonnet*": [main, backup]
  "*haiku*": solo
  "*opus*": learner
`,
  );
  proxy = new Child('proxy', PROXY_BIN, ['--listen', '127.0.0.1:0', '--config', path.join(dir, 'team.yaml')], {
    env: { ...baseEnv(), KEY: AZURE_KEY, ANTHROPIC_AUTH_TOKEN: TOKEN, METRICS_TOKEN, UPSTREAM_RETRIES: '1' },
  });
  proxyUrl = await proxy.waitForUrl();
});
after(async () => {
  await Promise.all([proxy?.stop(), mock?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function rules(r) {
  const res = await fetch(`${mockUrl}/_mock/rules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: r }) });
  assert.equal(res.status, 200, await res.text());
}
const anthropic = () => new Anthropic({ baseURL: proxyUrl, apiKey: TOKEN, maxRetries: 0 });
const ask = (model, text, extra = {}) => anthropic().messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: text }], ...extra });

async function scrape(token = METRICS_TOKEN) {
  const res = await fetch(`${proxyUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

// The official Prometheus Python client's parser (Debian's python3-prometheus-client): every
// sample with its labels and value; it throws on a malformed line or a value that is no number.
const PY_PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value, "timestamp": s.timestamp} for s in f.samples]})
print(json.dumps(out))
`;
function pythonParse(text) {
  const r = spawnSync('/usr/bin/python3', ['-c', PY_PARSE], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `the Python client's parser refused the scrape (is python3-prometheus-client installed? scripts/setup.sh installs it):\n${r.stderr}`);
  return JSON.parse(r.stdout).map((f) => ({ ...f, samples: f.samples.map((x) => ({ ...x, value: x.value === 'Infinity' ? Infinity : x.value })) }));
}

// Two independent parsers must take the scrape, and the format's rules they leave to the writer
// hold: every family has HELP and TYPE (none untyped), counters end in _total, no timestamps,
// each histogram series has cumulative buckets in increasing order ending with +Inf = _count.
function checkFormat(text) {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const families = parsePrometheusTextFormat(text); // npm parse-prometheus-text-format: throws on a malformed line
  for (const f of families) {
    assert.notEqual(f.type, 'UNTYPED', `family ${f.name} has no TYPE line`);
    assert.ok(f.help.length > 0, `family ${f.name} has no HELP`);
    if (f.type === 'COUNTER') assert.match(f.name, /_total$/, `counter ${f.name}`);
  }
  const names = families.map((f) => f.name);
  assert.equal(new Set(names).size, names.length, 'every family once');
  const py = pythonParse(text);
  assert.equal(py.length, families.length, 'both parsers see the same families');
  for (const f of py) {
    assert.notEqual(f.type, 'unknown', `family ${f.name} untyped`);
    const series = new Map();
    for (const smp of f.samples) {
      assert.equal(smp.timestamp, null, `${smp.name} has a timestamp`);
      assert.equal(typeof smp.value === 'number' || smp.value === Infinity, true);
      if (f.type !== 'histogram') continue;
      const { le, ...rest } = smp.labels;
      const key = JSON.stringify(rest);
      if (!series.has(key)) series.set(key, { buckets: [] });
      const h = series.get(key);
      if (smp.name.endsWith('_bucket')) h.buckets.push([le === '+Inf' ? Infinity : Number(le), smp.value]);
      if (smp.name.endsWith('_count')) h.count = smp.value;
      if (smp.name.endsWith('_sum')) h.sum = smp.value;
    }
    for (const [key, h] of series) {
      const where = `${f.name}${key}`;
      assert.equal(h.buckets.at(-1)[0], Infinity, `${where}: last bucket +Inf`);
      for (let i = 1; i < h.buckets.length; i++) {
        assert.ok(h.buckets[i][0] > h.buckets[i - 1][0], `${where}: buckets in increasing order`);
        assert.ok(h.buckets[i][1] >= h.buckets[i - 1][1], `${where}: buckets cumulative`);
      }
      assert.equal(h.buckets.at(-1)[1], h.count, `${where}: +Inf = _count`);
      assert.ok(Number.isFinite(h.sum), `${where}: _sum`);
    }
  }
  return py.flatMap((f) => f.samples);
}

// The sum of the samples named `name` whose labels pass `pred`.
const sum = (samples, name, pred = () => true) => {
  const hits = samples.filter((x) => x.name === name);
  assert.ok(hits.length > 0, `no samples named ${name}`);
  return hits.filter((x) => pred(x.labels)).reduce((a, x) => a + x.value, 0);
};

test('/metrics needs METRICS_TOKEN when it is set', () =>
  withLogs(stack, async () => {
    assert.equal((await scrape(null)).status, 401);
    assert.equal((await scrape('wrong')).status, 401);
    const ok = await scrape();
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
  }));

test('after a scripted run the counters and histograms add up to what was sent', () =>
  withLogs(stack, async () => {
    await rules([
      { match: { contains: 'E2E-M-RETRY' }, times: 1, respond: { status: 503, error: { error: { code: '503', message: 'Service Unavailable' } } } },
      { match: { deployment: 'main-dep', contains: 'E2E-M-FAILOVER' }, respond: { status: 500, error: { error: { code: '500', message: 'mock failure' } } } },
      {
        match: { contains: 'E2E-M-LEARN' },
        times: 1,
        respond: { status: 400, error: { error: { message: 'max_tokens is too large: 50. This model supports at most 40 completion tokens, whereas you provided 50.', type: 'invalid_request_error', param: 'max_tokens', code: null } } },
      },
      { match: { contains: 'E2E-M-BAD' }, respond: { status: 400, error: { error: { code: 'BadRequest', message: 'mock bad request' } } } },
      { respond: { text: 'counted', usage: USAGE } },
    ]);
    for (let i = 0; i < 5; i++) await ask('claude-haiku-4-5', `E2E-M-WHOLE-${i}`);
    for (let i = 0; i < 3; i++) {
      const s = anthropic().messages.stream({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: `E2E-M-STREAM-${i}` }] });
      const final = await s.finalMessage();
      assert.equal(final.usage.output_tokens, USAGE.completion_tokens);
    }
    await ask('claude-haiku-4-5', 'E2E-M-RETRY');
    await ask('claude-sonnet-4-5', 'E2E-M-FAILOVER');
    await ask('claude-opus-4-5', 'E2E-M-LEARN');
    await assert.rejects(ask('claude-haiku-4-5', 'E2E-M-BAD'), (e) => e.status === 400);
    const openai = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const chat = await openai.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'E2E-M-OPENAI' }] });
    assert.equal(chat.usage.prompt_tokens, USAGE.prompt_tokens);

    // A request is recorded when its handler ends, just after its answer's last byte went out:
    // the scrape waits until the last one (the OpenAI request) is in.
    let text = '';
    for (const t0 = Date.now(); !text.includes('route="/v1/chat/completions"') && Date.now() - t0 < 10000;)
      ({ text } = await scrape());
    const samples = checkFormat(text);

    const messages = (l) => l.route === '/v1/messages';
    const requests = (pred) => sum(samples, 'agp_requests_total', pred);
    assert.equal(requests((l) => messages(l) && l.status === '200'), 11); // 5 + 3 + retry + failover + resend
    assert.equal(requests((l) => messages(l) && l.status === '400'), 1);
    assert.equal(requests((l) => l.route === '/v1/chat/completions' && l.status === '200'), 1);
    assert.equal(requests((l) => messages(l) && l.client_model === 'claude-haiku-4-5' && l.deployment === 'solo'), 10);
    assert.equal(requests((l) => messages(l) && l.deployment === 'backup'), 1, 'a failed-over request is labelled with the deployment that answered');

    // Every answered request reported the mock's usage: 12 of them (11 Anthropic + 1 OpenAI).
    const tokens = (pred) => sum(samples, 'agp_tokens_total', pred);
    assert.equal(tokens((l) => l.type === 'input'), 12 * USAGE.prompt_tokens);
    assert.equal(tokens((l) => l.type === 'output'), 12 * USAGE.completion_tokens);
    assert.equal(tokens((l) => l.type === 'cached'), 12 * USAGE.cached_tokens);
    assert.equal(tokens((l) => l.type === 'reasoning'), 12 * USAGE.reasoning_tokens);
    assert.equal(tokens((l) => l.deployment === 'solo' && l.type === 'input'), 10 * USAGE.prompt_tokens);

    assert.equal(sum(samples, 'agp_request_duration_seconds_count', messages), 12);
    const ttft = (stream) => sum(samples, 'agp_time_to_first_token_seconds_count', (l) => messages(l) && l.stream === stream);
    assert.equal(ttft('true'), 3);
    assert.equal(ttft('false'), 8);

    const events = (name) => samples.filter((x) => x.name === name).map((x) => `${x.labels.deployment}:${x.labels.reason}=${x.value}`);
    assert.deepEqual(events('agp_upstream_retries_total'), ['solo:http_503=1']);
    assert.deepEqual(events('agp_upstream_failovers_total'), ['main:http_500=1']);
    assert.deepEqual(events('agp_capability_resends_total'), ['learner:max_output_tokens=1']);

    assert.equal(sum(samples, 'agp_circuit_state', (l) => l.state === 'closed'), 4, 'four deployments, all closed');
    assert.equal(sum(samples, 'agp_ready'), 1);
    assert.equal(sum(samples, 'agp_streams_in_flight'), 0);
    assert.ok(sum(samples, 'agp_requests_in_flight') >= 1, 'the scrape itself is in flight');
    // The exact prompt count ran for the first /v1/messages request (COUNT_SAMPLE 8): a sample.
    assert.ok(sum(samples, 'agp_token_count_error_ratio_count') >= 1);
  }));
