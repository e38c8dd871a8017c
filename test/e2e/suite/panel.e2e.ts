/**
 * The simulation panel in a real VS Code (code-server), as a user drives it: open sample/inode.c,
 * run "Kernel Patch Reasoner: Show Simulation Panel", read the matrix inside the webview, select the
 * foreign-credit scenario, step its trace and watch the C editor's highlight move to the
 * allocation on line 167, see the annotations in the gutter, edit the file (re-run, selection
 * kept), switch to a light theme, reload the window (the serializer restores the panel).
 * Screenshots: test-results/panel-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { DEFAULT_SETTINGS, session, type Workbench } from '../harness';

const COMMAND = 'Kernel Patch Reasoner: Show Simulation Panel';
const FILE = 'inode.c';
const FOREIGN_CELL = 'ext4_da_aops/reclaim-in-write-begin/delayed-dirty';
/** The `ext4_get_blocks_wrap` call in ext4_da_get_block_write. */
const ALLOC_LINE = 167;
/** `page_buffers()` in ext4_da_writepage on a page without buffers: BUG. */
const BUG_LINE = 217;
const ANALYSIS_TIMEOUT = 60_000;

interface EditorLine {
  line: number;
  text: string;
  /** `content` of the ::after pseudo-elements of decorated spans (end-of-line notes). */
  after: string[];
  /** Whole-line decorations drawn behind the text: computed background colour and top border style. */
  overlays: { cls: string; bg: string; border: string }[];
  /** Gutter icons: computed background-image of the glyph-margin decorations on this line. */
  glyphs: string[];
}

/**
 * The rendered lines of the editor showing `file` (whatever group is active: the webview usually
 * is), with their decorations. Only lines in the viewport are in the DOM.
 */
async function editorLines(wb: Workbench, file: string): Promise<EditorLine[]> {
  const rows = await wb.page.evaluate((file) => {
    const group = Array.from(document.querySelectorAll('.editor-group-container')).find((g) =>
      Array.from(g.querySelectorAll('.tab.active')).some((t) => (t.getAttribute('aria-label') ?? '').startsWith(file)),
    );
    const editor = group?.querySelector('.editor-instance .monaco-editor');
    if (!editor) return null;
    const top = (e: Element) => Math.round(e.getBoundingClientRect().top);
    const lineAt = new Map<number, number>();
    for (const n of Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers'))) lineAt.set(top(n), Number((n as HTMLElement).innerText.trim()));
    const out = new Map<number, { line: number; text: string; after: string[]; overlays: { cls: string; bg: string; border: string }[]; glyphs: string[] }>();
    for (const l of Array.from(editor.querySelectorAll('.view-lines .view-line'))) {
      const line = lineAt.get(top(l));
      if (line === undefined) continue;
      const after = Array.from(l.querySelectorAll('span'))
        .map((s) => getComputedStyle(s, '::after').content)
        .filter((c) => c && c !== 'none' && c !== 'normal');
      out.set(top(l), { line, text: (l as HTMLElement).innerText.replace(/\u00a0/g, ' '), after, overlays: [], glyphs: [] });
    }
    for (const o of Array.from(editor.querySelectorAll('.view-overlays > div'))) {
      const row = out.get(top(o));
      if (!row) continue;
      for (const c of Array.from(o.children)) {
        if (!/ced-/.test(c.className)) continue;
        const cs = getComputedStyle(c);
        row.overlays.push({ cls: c.className, bg: cs.backgroundColor, border: cs.borderTopStyle });
      }
    }
    for (const g of Array.from(editor.querySelectorAll('.glyph-margin-widgets > div, .glyph-margin > div, .margin-view-overlays > div > div'))) {
      const bg = getComputedStyle(g).backgroundImage;
      if (!bg || bg === 'none') continue;
      const row = out.get(top(g));
      if (row) row.glyphs.push(bg);
    }
    return Array.from(out.values()).sort((a, b) => a.line - b.line);
  }, file);
  if (!rows) throw new Error(`no editor group shows ${file}`);
  return rows;
}

/** Waits (bounded) until the editor's line `line` is rendered and satisfies `ok`. */
async function waitForLine(wb: Workbench, line: number, ok: (l: EditorLine) => boolean, what: string, timeoutMs = 15_000): Promise<EditorLine> {
  const deadline = Date.now() + timeoutMs;
  let last: EditorLine | undefined;
  for (;;) {
    last = (await editorLines(wb, FILE)).find((l) => l.line === line);
    if (last && ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`line ${line} of ${FILE}: ${what} not seen within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await wb.page.waitForTimeout(150);
  }
}

/** Quick open `:N` in the active editor, pressing Enter only once the "Go to line N" row shows. */
async function goTo(wb: Workbench, line: number): Promise<void> {
  await wb.quickInput(`:${line}`);
  await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: new RegExp(`line ${line}\\b`) }).first().waitFor({ state: 'visible' });
  await wb.page.keyboard.press('Enter');
  await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

const highlighted = (l: EditorLine) => l.overlays.some((o) => o.border === 'solid' && o.bg !== 'rgba(0, 0, 0, 0)');

/** Lines that carry the step highlight, among those rendered. */
async function highlightedLines(wb: Workbench): Promise<number[]> {
  return (await editorLines(wb, FILE)).filter(highlighted).map((l) => l.line);
}

/**
 * Merges `patch` into the test profile's user settings.json (an undefined value removes the key).
 * code-server's web workbench reads the file when a window loads (it did not pick up a change
 * made while the window was open), so this is called before openWorkbench().
 */
function updateUserSettings(patch: Record<string, unknown>): void {
  const file = path.join(session().profile.userDataDir, 'User', 'settings.json');
  const current = fs.existsSync(file) ? readSettings(fs.readFileSync(file, 'utf8')) : {};
  fs.writeFileSync(file, JSON.stringify({ ...current, ...patch }, null, 2));
}

/**
 * The settings object in settings.json: its first complete top-level object (an earlier suite's
 * edit has left bytes after it), or the harness defaults, said in the log, if even that is unreadable.
 */
function readSettings(text: string): Record<string, unknown> {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      try {
        if (i + 1 < text.trimEnd().length) console.log(`      (settings.json has ${text.trimEnd().length - i - 1} bytes after its object; ignored)`);
        return JSON.parse(text.slice(0, i + 1)) as Record<string, unknown>;
      } catch {
        break;
      }
    }
  }
  console.log('      (settings.json is not readable JSON; starting from the harness defaults)');
  return { ...DEFAULT_SETTINGS };
}

/**
 * The extension's own log over every extension host of the session: a window reload starts a
 * new host (exthost2, ...) beside the first, and the harness's readExtHostLogs reads exthost1.
 */
function extensionLogs(): string {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log') && p.includes(`${path.sep}kpr-team.kernel-patch-reasoner${path.sep}`)) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(session().profile.userDataDir, 'logs'));
  return out.join('\n');
}

describe('simulation panel', function () {
  let wb: Workbench;
  let panel: FrameLocator;
  /** Console lines of the page and its frames (the webview's included) that report a CSP refusal. */
  const cspReports: string[] = [];
  const diskFile = path.join(session().server.folder, FILE);
  const original = fs.readFileSync(diskFile, 'utf8');

  before(async function () {
    // The web workbench defaults to files.autoSave afterDelay: the edit test must stay in the
    // editor. Its first theme follows the browser's colour scheme (light in headless Chromium);
    // the panel is shown first in VS Code's default dark theme, as on the desktop.
    updateUserSettings({ 'files.autoSave': 'off', 'workbench.colorTheme': 'Default Dark Modern' });
    wb = await session().openWorkbench();
    wb.page.on('console', (m) => {
      if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(m.text())) cspReports.push(m.text());
    });
    await wb.page.locator('.monaco-workbench.vs-dark').waitFor({ state: 'attached' });
    await wb.openFile(FILE);
  });

  after(async function () {
    // Safety net: the sample on disk must be as it was, whatever happened above.
    if (fs.readFileSync(diskFile, 'utf8') !== original) {
      console.log(`      (restoring ${diskFile}: the test's edit reached the disk)`);
      fs.writeFileSync(diskFile, original);
    }
    if (!wb) return;
    await wb.page.keyboard.press('Escape').catch(() => undefined);
    await wb.runCommand('View: Close All Editors').catch((e) => console.log(`      (cleanup: ${e})`));
    await session().closeWorkbench(wb);
  });

  it(`opens from "${COMMAND}" and renders the scenario matrix (dark theme)`, async function () {
    // The palette lists it (this also lets the palette load its command list before running one).
    const listed = await wb.paletteCommands('Kernel Patch Reasoner:');
    assert.ok(listed.some((c) => c.startsWith(COMMAND)), `palette: ${listed.join(' | ')}`);
    await wb.runCommand(COMMAND);
    panel = wb.webview(0);
    await panel.locator('table[role=grid]').first().waitFor({ state: 'visible', timeout: ANALYSIS_TIMEOUT });
    const tables = await panel.locator('table[role=grid]').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-aops')));
    assert.deepEqual(tables, ['ext4_ordered_aops', 'ext4_writeback_aops', 'ext4_journalled_aops', 'ext4_da_aops']);
    const cells = await panel.locator('td[role=gridcell][data-cell]').count();
    assert.ok(cells >= 50, `${cells} cells`);
    const cell = panel.locator(`td[data-cell="${FOREIGN_CELL}"]`);
    assert.match(await cell.innerText(), /BUG \+ data lost/);
    assert.match((await cell.getAttribute('class')) ?? '', /tone-error/);
    assert.match((await panel.locator('body').getAttribute('class')) ?? '', /vscode-dark/);
    assert.match(await panel.locator('#title').innerText(), /Simulation: inode\.c/);
    // The tab is titled after the file.
    await wb.page.locator('.tab[aria-label^="Simulation: inode.c"]').first().waitFor({ state: 'visible' });
    // The strict CSP refused nothing: the bundle, its stylesheet and vscode-elements' constructable stylesheets all load.
    assert.ok(await panel.locator('vscode-button#rerun').evaluate((b) => !!b.shadowRoot && b.getBoundingClientRect().width > 20), 'vscode-button did not render');
    assert.deepEqual(cspReports, []);
    await wb.screenshot('panel-dark-matrix');
  });

  it('shows the foreign-credit trace; stepping moves the editor highlight to the allocation line', async function () {
    await panel.locator(`td[data-cell="${FOREIGN_CELL}"]`).click();
    await panel.locator('#detail-title').waitFor({ state: 'visible' });
    assert.equal(await panel.locator('#detail-title').innerText(), 'ext4_da_aops / reclaim-in-write-begin / delayed-dirty');
    // Every mount configuration of the table: nobh off, and nobh on with data=ordered and data=writeback.
    assert.equal(await panel.locator('#path-list [role=option]').count(), 7);
    assert.match(await panel.locator('#path-list [aria-selected=true]').innerText(), /journal credits exhausted/);
    assert.ok((await panel.locator('#step-list li').count()) > 10);
    // Step 1 is the entry of ext4_da_writepage: the editor highlights line 198.
    await waitForLine(wb, 198, highlighted, 'the step highlight on the writepage entry');
    await panel.locator('#step-forward').click();
    assert.match(await panel.locator('#step-counter').innerText(), /^Step 2 of \d+ \(\d+ of \d+ folded\)$/);
    await panel.locator('#step-finding').click();
    const l = await waitForLine(wb, ALLOC_LINE, highlighted, 'the step highlight on the allocation');
    assert.match(l.text, /ext4_get_blocks_wrap/);
    assert.ok(l.after.some((a) => /step \d+\/\d+: alloc-under-page-lock/.test(a)), `step note: ${JSON.stringify(l.after)}`);
    assert.deepEqual(await highlightedLines(wb), [ALLOC_LINE], 'exactly one highlighted line');
    const detail = await panel.locator('#step-detail').innerText();
    assert.match(detail, /Page lock\s+locked/);
    assert.match(detail, /Handle\s+ext4_da_write_begin/);
    assert.match(detail, /Buffers\s+block 2: (\w+ )*delay dirty/);
    // Annotations: the allocation line carries the page-lock gutter icon and a note naming the scenarios.
    assert.ok(l.glyphs.some((g) => /annotation-lock-dark\.svg/.test(g)), `gutter: ${JSON.stringify(l.glyphs)}`);
    assert.ok(
      l.after.some((a) => /KPR: allocates under page lock; spends foreign credits; exhausts credits.*ext4_da_aops\/[a-z-]+\/delayed-(dirty|and-mapped)/.test(a)),
      `notes: ${JSON.stringify(l.after)}`,
    );
    await wb.screenshot('panel-dark-trace-line-167');
    // Back to the first step: the highlight follows.
    await panel.locator('#step-first').click();
    await waitForLine(wb, 198, highlighted, 'the step highlight back on line 198');
    assert.ok(!(await highlightedLines(wb)).includes(ALLOC_LINE));
    await panel.locator('#step-finding').click();
    await waitForLine(wb, ALLOC_LINE, highlighted, 'the step highlight on the allocation again');
    // The document's analyses make no path trace; the panel had them made when it showed the result.
    const made = extensionLogs().match(/traces of inode\.c v\d+: (\d+) shown paths run again for their traces in (\d+) ms/);
    assert.ok(made, 'no "traces of inode.c vN: K shown paths run again for their traces" line in the log');
    console.log(`      path traces made for the panel: ${made[1]} paths in ${made[2]} ms`);
  });

  it('reveals a finding of another scenario: the BUG line with its gutter icon', async function () {
    await panel.locator('td[data-cell="ext4_da_aops/kswapd/no-buffers-allocated"]').click();
    await panel.locator('#detail-title').filter({ hasText: 'kswapd / no-buffers-allocated' }).waitFor();
    await panel.locator('.finding vscode-button', { hasText: `Line ${BUG_LINE}` }).first().click();
    const l = await waitForLine(wb, BUG_LINE, (x) => x.glyphs.length > 0, 'the BUG gutter icon');
    assert.ok(l.glyphs.some((g) => /annotation-bug-dark\.svg/.test(g)), `gutter: ${JSON.stringify(l.glyphs)}`);
    assert.ok(l.after.some((a) => /KPR: BUG reachable/.test(a)), `notes: ${JSON.stringify(l.after)}`);
    // Back to the foreign-credit scenario for the next tests (path 1, step at the allocation).
    await panel.locator(`td[data-cell="${FOREIGN_CELL}"]`).click();
    await panel.locator('#step-finding').click();
    await waitForLine(wb, ALLOC_LINE, highlighted, 'the step highlight on the allocation');
  });

  it('opens the C file again beside the panel when its editor was closed', async function () {
    const tab = wb.page.locator(`.tab[aria-label^="${FILE}"]`).first();
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await tab.waitFor({ state: 'detached' });
    await panel.locator('#step-back').click();
    await wb.page.locator(`.tab[aria-label^="${FILE}"]`).first().waitFor({ state: 'visible' });
    await waitForLine(wb, ALLOC_LINE, highlighted, 'the step highlight in the reopened editor');
    // The panel keeps the focus while stepping (preserveFocus), and both stay visible.
    assert.equal(await wb.page.locator('iframe.webview.ready').filter({ visible: true }).count(), 1);
    await panel.locator('#step-finding').click();
  });

  it('re-runs when the document changes and keeps the selection', async function () {
    const before = await panel.locator('#step-counter').innerText();
    const version = async () => Number(await panel.locator('body').getAttribute('data-version'));
    const v0 = await version();
    const nextResult = async (after: number) => {
      const deadline = Date.now() + ANALYSIS_TIMEOUT;
      while ((await version()) <= after) {
        if (Date.now() > deadline) throw new Error(`no new result in the panel after version ${after}`);
        await wb.page.waitForTimeout(200);
      }
      return version();
    };
    // Results arrive one per debounce burst, and a run for text typed a moment earlier may land
    // after the first new version: step to the finding until it is on `line` (or time runs out).
    const findingOnLine = async (line: number): Promise<void> => {
      const deadline = Date.now() + ANALYSIS_TIMEOUT;
      let detail = '';
      for (;;) {
        await panel.locator('#step-first').click();
        await panel.locator('#step-finding').click();
        detail = await panel.locator('#step-detail').innerText();
        if (new RegExp(`Line\\s+${line}:`).test(detail) || Date.now() > deadline) break;
        await nextResult(await version()).catch(() => undefined);
      }
      assert.match(detail, new RegExp(`Line\\s+${line}:`));
    };
    // Type a comment line at the top of inode.c: every line below moves down by one.
    await wb.page.locator(`.tab[aria-label^="${FILE}"]`).first().click();
    await goTo(wb, 1);
    await wb.page.keyboard.press('Home');
    await wb.page.keyboard.type('/* edited by the e2e test */\n');
    const v1 = await nextResult(v0);
    // Still only in the editor (auto-save is off in this profile), not on disk.
    await wb.page.locator(`.tab.dirty[aria-label^="${FILE}"]`).first().waitFor({ state: 'attached' });
    assert.equal(fs.readFileSync(diskFile, 'utf8'), original, 'the edit reached the disk');
    assert.match(await panel.locator('#status').innerText(), /Re-analysed inode\.c/);
    assert.equal(await panel.locator(`td[data-cell="${FOREIGN_CELL}"]`).getAttribute('aria-selected'), 'true');
    assert.equal(await panel.locator('#step-counter').innerText(), before);
    // The allocation is now on line 168; the editor's decoration moved with the text.
    await goTo(wb, ALLOC_LINE + 1);
    await waitForLine(wb, ALLOC_LINE + 1, highlighted, 'the step highlight moved with the edit');
    await findingOnLine(ALLOC_LINE + 1);
    await waitForLine(wb, ALLOC_LINE + 1, (l) => highlighted(l) && l.after.some((a) => /alloc-under-page-lock/.test(a)), 'the re-run trace on line 168');
    await wb.screenshot('panel-dark-after-edit');
    // Revert: analysed again, back on line 167.
    await wb.page.locator(`.tab[aria-label^="${FILE}"]`).first().click();
    await wb.runCommand('File: Revert File');
    await nextResult(v1);
    assert.equal(await wb.page.locator(`.tab.dirty[aria-label^="${FILE}"]`).count(), 0, 'still dirty after File: Revert File');
    await findingOnLine(ALLOC_LINE);
    // The revert replaces the whole text: the highlight comes back with the next step selected on the new result.
    const until = Date.now() + ANALYSIS_TIMEOUT;
    for (;;) {
      try {
        await waitForLine(wb, ALLOC_LINE, highlighted, 'the step highlight on line 167 after the revert', 3_000);
        break;
      } catch (e) {
        if (Date.now() > until) throw e;
        await panel.locator('#step-first').click();
        await panel.locator('#step-finding').click();
      }
    }
  });

  it('follows a switch to a light theme', async function () {
    await wb.runCommand('Preferences: Toggle between Light/Dark Themes');
    await wb.page.locator('.monaco-workbench.vs').waitFor({ state: 'attached' });
    await panel.locator('body.vscode-light').waitFor({ state: 'attached', timeout: 15_000 });
    const bg = await panel.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, 'rgb(255, 255, 255)');
    const border = await panel.locator(`td[data-cell="${FOREIGN_CELL}"]`).evaluate((e) => getComputedStyle(e).borderLeftColor);
    const errorFg = await panel.locator('body').evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-errorForeground').trim());
    assert.ok(errorFg, '--vscode-errorForeground is set by VS Code');
    assert.notEqual(border, 'rgba(0, 0, 0, 0)');
    const l = await waitForLine(wb, ALLOC_LINE, highlighted, 'the step highlight in the light theme');
    assert.ok(l.glyphs.some((g) => /annotation-lock-light\.svg/.test(g)), `gutter: ${JSON.stringify(l.glyphs)}`);
    await wb.screenshot('panel-light-trace');
  });

  it('is restored with its selection after a window reload', async function () {
    const step = await panel.locator('#step-counter').innerText();
    // The webview's state (vscode.setState) reaches the workbench's storage asynchronously; a reload
    // straight after the last step change has been seen to restore the state before it. A user's
    // reload is never within a second of a click, so wait that long.
    await wb.page.waitForTimeout(1_500);
    await wb.page.reload();
    await wb.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    panel = wb.webview(0);
    await panel.locator(`td[data-cell="${FOREIGN_CELL}"][aria-selected=true]`).waitFor({ state: 'attached', timeout: ANALYSIS_TIMEOUT });
    // The cell is selected as soon as the matrix renders; the step follows once the trace has been
    // sent (from the webview's state, or the host's newer stored selection): wait for it, not a frame.
    const counter = panel.locator('#step-counter');
    let shown = await counter.innerText();
    for (const until = Date.now() + 30_000; shown !== step && Date.now() < until; shown = await counter.innerText()) await wb.page.waitForTimeout(200);
    assert.equal(shown, step);
    await waitForLine(wb, ALLOC_LINE, highlighted, 'the step highlight restored after reload', 30_000);
    assert.deepEqual(cspReports, [], 'CSP refusals');
    const logs = extensionLogs();
    assert.match(logs, /simulation panel restored: file:\/\/.*inode\.c/);
    // The host keeps the latest selection on disk, so the step survives a reload that the
    // webview's own state (persisted asynchronously) may not have reached.
    assert.match(logs, /simulation panel selections kept in \//);
    assert.doesNotMatch(logs, /rejected a malformed message/);
    await wb.screenshot('panel-light-restored');
  });

  it('takes its annotations and highlight away when closed', async function () {
    const before = await waitForLine(wb, ALLOC_LINE, (l) => highlighted(l) && l.glyphs.length > 0, 'highlight and icon before closing');
    assert.ok(before.after.some((a) => /KPR:/.test(a)));
    const tab = wb.page.locator('.tab[aria-label^="Simulation: inode.c"]').first();
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await tab.waitFor({ state: 'detached' });
    const after = await waitForLine(wb, ALLOC_LINE, (l) => !highlighted(l) && l.glyphs.length === 0, 'no highlight and no icon after closing');
    assert.ok(!after.after.some((a) => /KPR:|step \d+/.test(a)), `notes left: ${JSON.stringify(after.after)}`);
    assert.match(extensionLogs(), /simulation panel closed: file:\/\/.*inode\.c/);
  });

  it('shows the annotations without a panel when kpr.annotations.always is on', async function () {
    await session().closeWorkbench(wb);
    updateUserSettings({ 'kpr.annotations.always': true });
    try {
      wb = await session().openWorkbench();
      // The window may restore inode.c's editor; open it either way, then bring line 217 into view.
      await wb.openFile(FILE);
      await goTo(wb, BUG_LINE);
      const l = await waitForLine(wb, BUG_LINE, (x) => x.glyphs.length > 0, 'the BUG icon with no panel open', ANALYSIS_TIMEOUT);
      assert.ok(l.after.some((a) => /KPR: BUG reachable/.test(a)), `notes: ${JSON.stringify(l.after)}`);
      assert.equal(await wb.page.locator('.tab[aria-label^="Simulation: inode.c"]').count(), 0, 'a panel is open');
    } finally {
      updateUserSettings({ 'kpr.annotations.always': undefined });
    }
  });
});
