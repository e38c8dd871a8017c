// The simulation panel's bundle (dist/webview.js + dist/webview.css, from `npm run build`) in a real
// Chromium, inside the very HTML and CSP the extension serves (src/extension/panel/html.ts), with
// acquireVsCodeApi stubbed and a real ScenarioResult of sample/inode.c posted to it.
// Needs Debian's chromium (/usr/bin/chromium, or KPR_CHROMIUM). Screenshots go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { analyzeSource, initEngine, type ScenarioResult } from '../../src/engine';
import { makeNonce, panelHtml } from '../../src/extension/panel/html';
import { compactSteps } from '../../webview/model';
import type { HostMessage, PanelState, WebviewMessage } from '../../src/shared/protocol';
import { ROOT } from './helpers';
import { THEMES, type WebviewTheme } from './webviewThemes';

const CHROMIUM = process.env.KPR_CHROMIUM ?? '/usr/bin/chromium';
const DIST = path.join(ROOT, 'dist');
const RESULTS = path.join(ROOT, 'test-results');
const FOREIGN_CELL = 'ext4_da_aops/reclaim-in-write-begin/delayed-dirty';

interface Host {
  url: string;
  close(): Promise<void>;
}

/** Serves the panel's HTML at / and dist/webview.{js,css}, like the webview's resource origin. */
async function serve(): Promise<Host> {
  const server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(panelHtml({ cspSource: origin, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/dist/webview.css`, nonce: makeNonce() }));
      return;
    }
    const m = /^\/dist\/(webview\.(?:js|css))$/.exec(req.url ?? '');
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

/** Before any page script: the theme, a recording acquireVsCodeApi, and a CSP-violation log. */
function hostScript(arg: { theme: WebviewTheme; state: PanelState | null }): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  const violations: string[] = [];
  let state: unknown = arg.state;
  w.__posted = posted;
  w.__violations = violations;
  w.__state = () => state;
  w.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => state,
    setState: (s: unknown) => {
      state = JSON.parse(JSON.stringify(s));
    },
  });
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  // The init script also runs on the initial about:blank, which has no <html> yet.
  const theme = () => {
    for (const [k, v] of Object.entries(arg.theme.vars)) document.documentElement.style.setProperty(k, v);
  };
  if (document.documentElement) theme();
  document.addEventListener('DOMContentLoaded', () => {
    theme();
    document.body.classList.add(arg.theme.bodyClass);
  });
}

async function posted(page: Page): Promise<WebviewMessage[]> {
  return page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);
}

async function lastReveal(page: Page): Promise<Extract<WebviewMessage, { type: 'reveal' }> | undefined> {
  return (await posted(page)).filter((m): m is Extract<WebviewMessage, { type: 'reveal' }> => m.type === 'reveal').pop();
}

/** Posts `msg` to the page as the extension host would (as one JSON string: much faster to ship than an object graph). */
async function send(page: Page, msg: unknown): Promise<void> {
  await page.evaluate((json) => window.postMessage(JSON.parse(json), '*'), JSON.stringify(msg));
}

function resultMessage(result: ScenarioResult, version: number): HostMessage {
  return { type: 'result', uri: 'file:///work/sample/inode.c', fileName: 'inode.c', version, result };
}

describe('simulation panel webview in Chromium', function () {
  this.timeout(90_000);
  let browser: Browser;
  let host: Host;
  let result: ScenarioResult;
  let fixed: ScenarioResult;

  before(async function () {
    for (const f of ['webview.js', 'webview.css']) {
      assert.ok(fs.existsSync(path.join(DIST, f)), `dist/${f} is missing: run npm run build first`);
    }
    assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium (or set KPR_CHROMIUM)`);
    await initEngine();
    result = analyzeSource(fs.readFileSync(path.join(ROOT, 'sample', 'inode.c'), 'utf8'), 'inode.c');
    fixed = analyzeSource(fs.readFileSync(path.join(ROOT, 'sample', 'inode-fixed.c'), 'utf8'), 'inode.c');
    host = await serve();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await host?.close();
  });

  async function open(theme: WebviewTheme, state: PanelState | null = null): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    (page as unknown as { __errors: string[] }).__errors = errors;
    await page.addInitScript(hostScript, { theme, state });
    await page.goto(host.url);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    return page;
  }

  async function noProblems(page: Page): Promise<void> {
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    assert.deepEqual(violations, [], 'CSP violations');
    const errors = (page as unknown as { __errors: string[] }).__errors;
    assert.deepEqual(errors, [], 'console errors');
    const logs = (await posted(page)).filter((m) => m.type === 'log');
    assert.deepEqual(logs, [], 'log messages from the webview');
  }

  it('renders the matrix under the strict CSP, then shows the foreign-credit trace and steps to line 167', async () => {
    const page = await open(THEMES.dark);
    assert.deepEqual((await posted(page))[0], { type: 'ready', state: null });
    await send(page, resultMessage(result, 1));
    await page.locator('table[role=grid]').first().waitFor();
    assert.deepEqual(await page.locator('table[role=grid]').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-aops'))), [
      'ext4_ordered_aops',
      'ext4_writeback_aops',
      'ext4_journalled_aops',
      'ext4_da_aops',
    ]);
    // One cell per run; the write(2) rows run on one page state, their other cells read "not run".
    assert.equal(await page.locator('td[role=gridcell][data-cell]:not([aria-disabled=true])').count(), result.runs.length);
    // The header says which filesystem and era the file looks like, as the engine learnt it.
    assert.match(await page.locator('#summary').innerText(), /The file looks like ext4 \(jbd2 journal\), Linux 2\.6\.27–2\.6\.28/);
    const cell = page.locator(`td[data-cell="${FOREIGN_CELL}"]`);
    assert.match(await cell.innerText(), /BUG \+ data lost/);
    assert.match((await cell.getAttribute('class')) ?? '', /tone-error/);
    // The theme's colour reaches the cell: its left border is --vscode-errorForeground (#f85149).
    assert.equal(await cell.evaluate((e) => getComputedStyle(e).borderLeftColor), 'rgb(248, 81, 73)');
    // vscode-elements rendered their shadow DOM (constructable stylesheets are allowed by the CSP).
    assert.ok(await page.locator('vscode-button#rerun').evaluate((b) => !!b.shadowRoot && b.getBoundingClientRect().width > 20));
    await page.screenshot({ path: path.join(RESULTS, 'webview-dark-matrix.png'), fullPage: true });

    await cell.click();
    assert.equal(await cell.getAttribute('aria-selected'), 'true');
    await page.locator('#detail-title').waitFor();
    assert.equal(await page.locator('#detail-title').innerText(), 'ext4_da_aops / reclaim-in-write-begin / delayed-dirty');
    const paths = page.locator('#path-list [role=option]');
    // Every mount configuration of the table is explored (nobh on and off, data=ordered|writeback).
    assert.equal(await paths.count(), result.runs.find((r) => `${r.aops}/${r.caller}/${r.page}` === FOREIGN_CELL)!.pathDetails.length);
    assert.match(await paths.nth(0).innerText(), /kernel BUG: journal credits exhausted/);
    assert.equal(await paths.nth(0).getAttribute('aria-selected'), 'true');
    const trace = result.runs.find((r) => `${r.aops}/${r.caller}/${r.page}` === FOREIGN_CELL)!.pathDetails[0].trace;
    // The compact trace: repeated calls and assignments of no interest folded.
    const shown = compactSteps(trace);
    assert.ok(shown.length < trace.length, 'nothing folded');
    const counter = (k: number) => `Step ${k} of ${shown.length} (${trace.length - shown.length} of ${trace.length} folded)`;
    assert.equal(await page.locator('#step-list li').count(), shown.length);
    assert.equal(await page.locator('#step-counter').innerText(), counter(1));
    // One step per BUG_ON: "BUG_ON(x)" and "call BUG_ON(x)" on one line show once.
    const bugOn = await page.locator('#step-list .step-event', { hasText: 'BUG_ON(handle == NULL)' }).count();
    assert.equal(bugOn, 1);
    assert.deepEqual(await lastReveal(page), { type: 'reveal', reason: 'step', line: 198, column: trace[0].column, note: `step 1/${trace.length}: ${trace[0].event}` });

    await page.locator('#step-forward').click();
    assert.equal(await page.locator('#step-counter').innerText(), counter(2));
    assert.equal((await lastReveal(page))?.line, trace[shown[1]].line);
    await page.locator('#step-back').click();
    assert.equal((await lastReveal(page))?.line, 198);

    await page.locator('#step-finding').click();
    const r = await lastReveal(page);
    assert.equal(r?.line, 167);
    assert.match(r?.note ?? '', /alloc-under-page-lock: ext4_get_blocks_wrap allocates block 2/);
    const detail = await page.locator('#step-detail').innerText();
    assert.match(detail, /Function\s+ext4_da_get_block_write → ext4_get_blocks_wrap/);
    assert.match(detail, /Page lock\s+locked/);
    assert.match(detail, /Handle\s+ext4_da_write_begin/);
    assert.match(detail, /Credits left\s+1/);
    assert.match(detail, /Buffers\s+block 2: (\w+ )*delay dirty/);
    // Keyboard in the trace: End jumps to the last step (credits exhausted, 0 left).
    await page.locator('#step-list').focus();
    await page.keyboard.press('End');
    assert.match(await page.locator('#step-detail').innerText(), /Credits left\s+0/);
    assert.equal((await lastReveal(page))?.line, 167);

    const state = (await page.evaluate(() => (window as unknown as { __state: () => PanelState }).__state())) as PanelState;
    assert.deepEqual(state.selection, { aops: 'ext4_da_aops', caller: 'reclaim-in-write-begin', page: 'delayed-dirty', pathId: 1, step: trace.length - 1 });

    // Play from the end restarts at step 1 and advances on its own; Pause stops it.
    await page.locator('#step-play').click();
    assert.equal(await page.locator('#step-play').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#step-play').getAttribute('aria-label'), 'Pause trace');
    await page.locator('#step-counter').filter({ hasText: /^Step [3-9] of / }).waitFor({ timeout: 10_000 });
    await page.locator('#step-play').click();
    assert.equal(await page.locator('#step-play').getAttribute('aria-pressed'), 'false');
    const paused = await page.locator('#step-counter').innerText();
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('#step-counter').innerText(), paused, 'still stepping after Pause');
    const reveals = (await posted(page)).filter((m) => m.type === 'reveal').length;
    assert.ok(reveals >= 8, `${reveals} reveal messages`);
    await page.screenshot({ path: path.join(RESULTS, 'webview-dark-trace.png'), fullPage: true });
    await noProblems(page);
    await page.close();
  });

  it('is keyboard-usable: one tab stop in the matrix, arrows move, Enter selects; buttons have labels', async () => {
    const page = await open(THEMES.light);
    await send(page, resultMessage(result, 1));
    await page.locator('table[role=grid]').first().waitFor();
    assert.equal(await page.locator('td[role=gridcell][tabindex="0"]').count(), 1);
    await page.locator('td[role=gridcell][tabindex="0"]').focus();
    // Down from the top-left cell through the tables (6, 5 and 7 rows: write-nofs only in the
    // journalled table, the one a symlink inode gets, and zap-pte-set-page-dirty, its
    // ->set_page_dirty; caller-handle and page-fault in each) to the da table's reclaim row, then
    // right once.
    for (let i = 0; i < 6 + 5 + 7 + 3; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-cell')), FOREIGN_CELL);
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(`td[data-cell="${FOREIGN_CELL}"]`).getAttribute('aria-selected'), 'true');
    await page.locator('#path-list [aria-selected=true]').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('#path-list [aria-selected=true]').getAttribute('data-path'), '2');
    for (const b of await page.locator('vscode-button').all()) assert.ok(((await b.getAttribute('aria-label')) ?? '').length > 3, 'a button without aria-label');
    // Tab from the Re-run button reaches the filters, then the matrix (not every cell).
    const order: string[] = [];
    await page.locator('#rerun').focus();
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => `${document.activeElement?.tagName.toLowerCase()}#${document.activeElement?.id}${document.activeElement?.getAttribute('data-cell') ?? ''}`));
    }
    assert.deepEqual(order.slice(0, 2), ['vscode-single-select#filter-rule', 'vscode-single-select#filter-severity']);
    assert.equal(order[2], `td#${FOREIGN_CELL}`);
    await page.screenshot({ path: path.join(RESULTS, 'webview-light-trace.png'), fullPage: true });
    await noProblems(page);
    await page.close();
  });

  it('filters by rule, keeps the selection across a re-run, restores it from getState, rejects malformed messages', async () => {
    const page = await open(THEMES.light);
    await send(page, resultMessage(result, 1));
    await page.locator(`td[data-cell="${FOREIGN_CELL}"]`).click();
    await page.locator('#path-list [data-path="2"]').click();
    await page.locator('#step-forward').click();
    // Filter: foreign-credits only (vscode-single-select: set the value as a user pick would, then `change`).
    await page.locator('#filter-rule').evaluate((e) => {
      (e as HTMLElement & { value: string }).value = 'foreign-credits';
      e.dispatchEvent(new Event('change'));
    });
    // The sample's foreign-credit finding is reached from two page states: delayed-dirty and delayed-and-mapped.
    assert.deepEqual(await page.locator('td[data-cell]:not(.dimmed)').evaluateAll((es) => es.map((e) => e.getAttribute('data-cell'))), [FOREIGN_CELL, FOREIGN_CELL.replace(/delayed-dirty$/, 'delayed-and-mapped')]);
    await page.screenshot({ path: path.join(RESULTS, 'webview-light-filtered.png'), fullPage: true });

    // A re-run (the fixed file): same cell; path 2 exists there too, so it stays at its step.
    const before = (await posted(page)).length;
    await send(page, resultMessage(fixed, 2));
    await page.waitForFunction((n) => (window as unknown as { __posted: unknown[] }).__posted.length > n, before);
    const st = (await page.evaluate(() => (window as unknown as { __state: () => PanelState }).__state())) as PanelState;
    assert.equal(st.selection?.aops, 'ext4_da_aops');
    assert.equal(st.selection?.caller, 'reclaim-in-write-begin');
    assert.equal(st.filters.rule, 'foreign-credits');
    assert.match(await page.locator('#status').innerText(), /Re-analysed/);
    // An old version arriving late is ignored.
    await send(page, resultMessage(result, 1));
    assert.equal(await page.locator('#status').innerText(), 'Re-analysed inode.c after a change');

    // Malformed messages: rejected, logged to the host, nothing changes.
    await send(page, { type: 'result', uri: 'x', fileName: 'x', version: 9, result: { runs: 'nope' } });
    await send(page, { type: 'status', state: 'analyzing', message: '<img src=x onerror=alert(1)>' });
    await send(page, { type: 'select', cell: { aops: 'ext4_da_aops', caller: 'kswapd', page: 'mapped-dirty' }, pathId: null });
    const logs = (await posted(page)).filter((m) => m.type === 'log');
    assert.equal(logs.length, 1);
    assert.match((logs[0] as { message: string }).message, /rejected a malformed message from the extension: message.result/);
    // Text, not HTML: the status shows the markup literally.
    assert.equal(await page.locator('#status').innerText(), '<img src=x onerror=alert(1)>');
    assert.equal(await page.locator('#status img').count(), 0);
    // The host's select message moved the selection.
    assert.equal(await page.locator('td[aria-selected=true]').getAttribute('data-cell'), 'ext4_da_aops/kswapd/mapped-dirty');
    await page.close();

    // Reload: the webview restores the state it saved (the serializer hands it back) and reveals the step.
    const restored = await open(THEMES.dark, { ...st, selection: { aops: 'ext4_da_aops', caller: 'reclaim-in-write-begin', page: 'delayed-dirty', pathId: 1, step: 30 } });
    const ready = (await posted(restored))[0] as Extract<WebviewMessage, { type: 'ready' }>;
    assert.equal(ready.state?.selection?.step, 30);
    await send(restored, resultMessage(result, 1));
    await restored.locator('#detail-title').waitFor();
    assert.equal(await restored.locator(`td[data-cell="${FOREIGN_CELL}"]`).getAttribute('aria-selected'), 'true');
    const restoredTrace = result.runs.find((r) => `${r.aops}/${r.caller}/${r.page}` === FOREIGN_CELL)!.pathDetails[0].trace;
    const restoredShown = compactSteps(restoredTrace);
    assert.equal(await restored.locator('#step-counter').innerText(), `Step ${restoredShown.indexOf(30) + 1} of ${restoredShown.length} (${restoredTrace.length - restoredShown.length} of ${restoredTrace.length} folded)`);
    assert.equal((await lastReveal(restored))?.line, 167);
    await noProblems(restored);
    await restored.close();
  });

  it('shows hostile.c (HTML and script in the C) as text', async () => {
    const hostile = analyzeSource(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'workspace', 'hostile.c'), 'utf8'), '<img src=x onerror=alert(1)>.c');
    const page = await open(THEMES.dark);
    await send(page, { type: 'result', uri: 'file:///w/hostile.c', fileName: '<script>alert(1)</script>.c', version: 1, result: hostile });
    await page.locator('table[role=grid]').first().waitFor();
    const cell = page.locator('td[data-cell]').filter({ hasText: /data lost/ }).first();
    await cell.click();
    await page.locator('#step-list li').first().waitFor();
    // Step through the whole trace: every event is set as text.
    await page.locator('#step-last').click();
    const events = await page.locator('#step-list .step-event').allInnerTexts();
    assert.ok(events.some((e) => e.includes('<img src=x onerror=')), `the printk with markup is not in the trace: ${events.slice(0, 5).join(' | ')}`);
    assert.equal(await page.locator('#title').innerText(), 'Simulation: <script>alert(1)</script>.c');
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('b').count(), 0);
    assert.equal(await page.locator('script').count(), 1, 'only the bundle');
    assert.equal(await page.title(), 'Simulation: <script>alert(1)</script>.c');
    await page.screenshot({ path: path.join(RESULTS, 'webview-hostile.png'), fullPage: true });
    await noProblems(page);
    await page.close();
  });

  it('renders in high contrast', async () => {
    const page = await open(THEMES['high-contrast']);
    await send(page, resultMessage(result, 1));
    await page.locator(`td[data-cell="${FOREIGN_CELL}"]`).click();
    assert.equal(await page.locator('.cell').first().evaluate((e) => getComputedStyle(e).borderTopColor), 'rgb(111, 195, 223)');
    await page.screenshot({ path: path.join(RESULTS, 'webview-high-contrast.png'), fullPage: true });
    await noProblems(page);
    await page.close();
  });
});
