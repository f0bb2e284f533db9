// The status page at GET / in headless Chromium (Debian's chromium, driven by npm playwright-core):
// it renders, shows the deployments, loads nothing from anywhere but the proxy, refreshes from
// /status.json (here behind METRICS_TOKEN, passed in the page's #token= fragment) and updates
// after a request; an error shows its message, never the prompt. API clients asking GET / keep
// the health JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useStack, TOKEN } from './harness.mjs';

const CHROMIUM = '/usr/bin/chromium';
const METRICS_TOKEN = 'e2e-status-token-81c0';
const PROMPT_MARK = 'E2E-STATUS-PROMPT-TEXT-2a9e';
const stack = useStack({ proxyEnv: { METRICS_TOKEN } });

const ask = (model, text) =>
  fetch(`${stack.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model, max_tokens: 20, messages: [{ role: 'user', content: text }] }),
  });

stack.test('GET / without text/html keeps the health JSON for API clients', async () => {
  const r = await fetch(`${stack.proxyUrl}/`, { headers: { accept: 'application/json' } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).status, 'ok');
  const page = await fetch(`${stack.proxyUrl}/`, { headers: { accept: 'text/html' } });
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.headers.get('content-security-policy'), /default-src 'none'/);
  const json = await fetch(`${stack.proxyUrl}/status.json`);
  assert.equal(json.status, 401, 'status.json is guarded like /metrics');
});

if (!existsSync(CHROMIUM)) {
  // Loud: this must not pass unnoticed. scripts/setup.sh installs Debian's chromium.
  console.error(`\n!!! ${CHROMIUM} is missing: the status page test is SKIPPED (run scripts/setup.sh) !!!\n`);
  test('status page in headless Chromium', { skip: `${CHROMIUM} is not installed (scripts/setup.sh installs it)` }, () => {});
} else {
  const { chromium } = await import('playwright-core');

  stack.test('the page renders the deployments, updates after a request, and shows errors without prompts', { timeout: 90000 }, async () => {
    const profile = mkdtempSync(path.join(tmpdir(), 'agp-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const foreign = [];
      page.on('request', (req) => {
        if (!req.url().startsWith(stack.proxyUrl)) foreign.push(req.url());
      });
      const text = (sel) => page.locator(sel).textContent();
      const waitFor = async (what, pred) => {
        const until = Date.now() + 20000;
        while (Date.now() < until) {
          if (await pred()) return;
          await page.waitForTimeout(100);
        }
        assert.fail(`the page never showed: ${what}\n${await page.locator('body').innerText()}`);
      };

      // Without the token the page says what it needs.
      await page.goto(`${stack.proxyUrl}/`);
      await waitFor('the METRICS_TOKEN hint', async () => (await text('#problem')).includes('METRICS_TOKEN'));

      await page.goto(`${stack.proxyUrl}/#token=${METRICS_TOKEN}`);
      await page.reload(); // a fragment change alone does not reload the page
      await waitFor('both deployments', async () => (await page.locator('#deployments tbody tr').count()) === 2);
      const rows = await page.locator('#deployments tbody tr').allInnerTexts();
      assert.ok(rows.some((r) => r.includes('big-dep') && r.includes('closed')), rows.join('\n'));
      assert.ok(rows.some((r) => r.includes('small-dep')), rows.join('\n'));
      const routes = await page.locator('#routes tbody tr').allInnerTexts();
      assert.ok(routes.some((r) => /^\*sonnet\*\s+big-dep$/.test(r.trim())), routes.join('\n'));
      const before = Number(await text('#total-requests'));

      assert.equal((await ask('claude-sonnet-4-5', 'E2E-STATUS-1')).status, 200);
      await waitFor('the request counted', async () => Number(await text('#total-requests')) === before + 1);
      const bigRow = page.locator('#deployments tbody tr', { hasText: 'big-dep' });
      await waitFor('big-dep with one request', async () => (await bigRow.locator('td').nth(8).textContent()) === '1');
      await waitFor('a first-token sample', async () => (await text('#ttft-samples')) === '1');

      await stack.mockRules([{ match: { contains: PROMPT_MARK }, respond: { status: 400, error: { error: { code: 'BadRequest', message: 'mock refusal' } } } }]);
      assert.equal((await ask('claude-haiku-4-5', PROMPT_MARK)).status, 400);
      await waitFor('the error row', async () => (await page.locator('#errors tbody tr').count()) === 1);
      const errorRow = await page.locator('#errors tbody tr').innerText();
      assert.match(errorRow, /mock refusal/);
      assert.match(errorRow, /400/);
      assert.ok(!(await page.content()).includes(PROMPT_MARK), 'prompt text on the page');
      assert.ok(!(await page.content()).includes(TOKEN), 'the client token on the page');
      assert.deepEqual(foreign, [], 'the page loaded something from elsewhere');
      await page.screenshot({ path: path.join(tmpdir(), 'agp-status-page.png'), fullPage: true });
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
}
