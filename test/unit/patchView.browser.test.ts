// The patch view's bundle (dist/patchView.js + dist/patchView.css, from `npm run build`) in a real
// Chromium, inside the very HTML and CSP the extension serves (src/extension/patch/html.ts), with
// acquireVsCodeApi stubbed and a real view of the sample patch posted to it: no CSP violation,
// file-derived text that looks like HTML stays text, clicks post the right `open` messages,
// malformed and stale messages are refused. Needs Debian's chromium (or KPR_CHROMIUM).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { initEngine } from '../../src/engine';
import { makeNonce, patchViewHtml } from '../../src/extension/patch/html';
import { runPatch } from '../../src/extension/patch/patchJobs';
import { buildPatchView } from '../../src/extension/patch/viewModel';
import type { PatchHostMessage, PatchView, PatchWebviewMessage } from '../../src/shared/patchProtocol';
import { ROOT } from './helpers';
import { THEMES, type WebviewTheme } from './webviewThemes';

const CHROMIUM = process.env.KPR_CHROMIUM ?? '/usr/bin/chromium';
const DIST = path.join(ROOT, 'dist');
const RESULTS = path.join(ROOT, 'test-results');
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

async function serve(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(patchViewHtml({ cspSource: origin, scriptUri: `${origin}/dist/patchView.js`, styleUri: `${origin}/dist/patchView.css`, nonce: makeNonce() }));
      return;
    }
    const m = /^\/dist\/(patchView\.(?:js|css))$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': m[1].endsWith('.js') ? 'text/javascript' : 'text/css' });
    res.end(fs.readFileSync(path.join(DIST, m[1])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function hostScript(theme: WebviewTheme): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  const violations: string[] = [];
  w.__posted = posted;
  w.__violations = violations;
  w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => undefined });
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  const apply = () => {
    for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
    document.body.classList.add(theme.bodyClass);
  };
  document.addEventListener('DOMContentLoaded', apply);
}

async function posted(page: Page): Promise<PatchWebviewMessage[]> {
  return page.evaluate(() => (window as unknown as { __posted: PatchWebviewMessage[] }).__posted);
}

async function send(page: Page, msg: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), msg);
}

describe('patch view webview in Chromium', function () {
  this.timeout(90_000);
  let browser: Browser;
  let host: { url: string; close(): Promise<void> };
  let view: PatchView;

  before(async function () {
    for (const f of ['patchView.js', 'patchView.css']) assert.ok(fs.existsSync(path.join(DIST, f)), `dist/${f} is missing: run npm run build first`);
    assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium (or set KPR_CHROMIUM)`);
    await initEngine();
    const patchText = fs.readFileSync(path.join(ROOT, 'sample', 'handle-page-without-buffers.patch'), 'utf8');
    const { result } = runPatch({ patchText, bases: { 'inode.c': { text: fs.readFileSync(path.join(ROOT, 'sample', 'inode.c'), 'utf8'), side: 'pre', name: 'inode.c' } }, options: {} });
    view = buildPatchView({
      kind: 'patch',
      title: result.subject ?? '',
      author: HOSTILE,
      message: `${result.message}\n${HOSTILE}`,
      patchName: 'handle-page-without-buffers.patch',
      mentionedFunctions: result.mentionedFunctions,
      problems: [{ line: 31, message: `inode.c: hunk #2 does not apply ${HOSTILE}` }],
      skipped: [{ path: `${HOSTILE}.c`, reason: 'no base file given for it' }],
      files: [{ label: 'inode.c', preName: `inode.c ${HOSTILE}`, postName: 'inode.c with the patch applied', notes: [HOSTILE], diff: result.files[0] }],
    });
    host = await serve();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await host?.close();
  });

  async function open(theme: WebviewTheme): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    await page.addInitScript(hostScript, theme);
    await page.goto(host.url);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await send(page, { type: 'view', version: 1, view } satisfies PatchHostMessage);
    await page.locator('.change').first().waitFor({ state: 'visible' });
    return { page, errors };
  }

  it('renders the subject, named functions, changes and matrices with no CSP violation; HTML-looking text stays text', async () => {
    for (const [name, theme] of Object.entries(THEMES)) {
      const { page, errors } = await open(theme);
      assert.equal(await page.locator('#title').innerText(), 'ext4: Handle page without buffers in ext4_*_writepage()');
      assert.equal(await page.locator('img, script:not([src])').count(), 0, 'no element came out of the text');
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      assert.ok((await page.locator('.author').innerText()).includes(HOSTILE));
      assert.ok((await page.locator('.problem[data-line="31"] .problem-msg').innerText()).includes(HOSTILE));
      assert.ok((await page.locator('.notes li').first().innerText()).includes(HOSTILE));
      assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), [], 'CSP violations');
      assert.deepEqual(errors, [], 'page errors');
      assert.deepEqual((await posted(page)).filter((m) => m.type === 'log'), [], 'log messages from the webview');
      await page.screenshot({ path: path.join(RESULTS, `patch-view-browser-${name}.png`), fullPage: true });
      await page.close();
    }
  });

  it('posts open messages: a fixed change → its pre-image line, an introduced one → its post-image line, buttons → their target', async () => {
    const { page } = await open(THEMES.dark);
    const group = (status: string, rule: string) => view.files[0].groups.find((g) => g.status === status && g.rule === rule)!;
    const foreign = group('fixed', 'foreign-credits');
    await page.locator('.change[data-status="fixed"][data-rule="foreign-credits"] .change-msg').first().click();
    const dropped = group('introduced', 'dirty-data-dropped');
    await page.locator('.change[data-status="introduced"][data-rule="dirty-data-dropped"] .change-msg').first().click();
    await page.locator('.change[data-status="introduced"][data-rule="dirty-data-dropped"] vscode-button', { hasText: 'Patch: line' }).first().click();
    await page.locator('.problem vscode-button', { hasText: 'Show in patch' }).click();
    const opens = (await posted(page)).filter((m) => m.type === 'open');
    assert.deepEqual(opens, [
      { type: 'open', target: 'pre', file: 0, line: foreign.preLine },
      { type: 'open', target: 'post', file: 0, line: dropped.postLine },
      { type: 'open', target: 'patch', file: 0, line: dropped.patchLine },
      { type: 'open', target: 'patch', file: -1, line: 31 },
    ]);
    // Keyboard: Enter on a focused change opens it too.
    await page.locator('.change[data-status="fixed"][data-rule="foreign-credits"]').first().focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'open').pop(), { type: 'open', target: 'pre', file: 0, line: foreign.preLine });
    await page.close();
  });

  it('a matrix cell narrows the change list to its scenario, and back', async () => {
    const { page } = await open(THEMES.light);
    const all = await page.locator('.change').count();
    await page.locator('td[data-cell="ext4_da_aops/reclaim-in-write-begin/delayed-dirty"]').click();
    await page.locator('.changes h3', { hasText: 'Changes in scenario ext4_da_aops/reclaim-in-write-begin/delayed-dirty' }).waitFor();
    const rules = await page.locator('.change').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
    // This scenario's changes only: its stolen credits (and its ENOSPC data loss, fixed too), none of the other scenarios' BUGs.
    assert.ok(rules.includes('foreign-credits') && rules.length < all, rules.join(','));
    assert.equal(await page.locator('td[data-cell="ext4_da_aops/reclaim-in-write-begin/delayed-dirty"]').getAttribute('aria-pressed'), 'true');
    await page.locator('vscode-button', { hasText: 'Show all changes' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.change').length === n, all);
    await page.close();
  });

  it('refuses malformed messages (logged to the host) and ignores an older view', async () => {
    const { page } = await open(THEMES.dark);
    await send(page, { type: 'view', version: 2, view: { ...view, title: 5 } });
    await send(page, { type: 'html', html: '<b>x</b>' });
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'log').length === 2);
    const logs = (await posted(page)).filter((m): m is Extract<PatchWebviewMessage, { type: 'log' }> => m.type === 'log');
    assert.match(logs[0].message, /rejected a malformed message from the extension: message\.view\.title: expected a string/);
    assert.match(logs[1].message, /message\.type/);
    await send(page, { type: 'view', version: 0, view: { ...view, title: 'older' } });
    await send(page, { type: 'status', state: 'stale', message: 'inode.c changed after this analysis' });
    await page.locator('#status.status-stale', { hasText: 'inode.c changed after this analysis' }).waitFor();
    assert.equal(await page.locator('#title').innerText(), 'ext4: Handle page without buffers in ext4_*_writepage()');
    await page.close();
  });
});
