/**
 * The patch view in a real VS Code (code-server), as a user drives it on the bundled sample:
 * open sample/handle-page-without-buffers.patch, click the "Analyze Patch (1 C file)" CodeLens, read
 * the patch view (subject, functions the commit message names, fixed and introduced changes, the
 * before/after matrix), the diagnostics on the patch's own lines in Problems, open the lines a
 * change points at; then sample/broken.patch (hunk #2's context altered) through the command
 * palette: the quick pick for the side, the located hunk error in the view and in Problems;
 * Compare Writepage Verdicts With… from the Explorer's context menu; Analyze Commit… without git.
 * Screenshots: test-results/patch-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { session, type Workbench } from '../harness';

const PATCH = 'handle-page-without-buffers.patch';
const BROKEN = 'broken.patch';
const SUBJECT = 'ext4: Handle page without buffers in ext4_*_writepage()';
const ANALYSIS_TIMEOUT = 90_000;

/** 1-based line of the first line of `file` (in the served folder) matching `re`, from line `after`. */
function lineOf(file: string, re: RegExp, after = 0): number {
  const lines = fs.readFileSync(path.join(session().server.folder, file), 'utf8').split('\n');
  const i = lines.findIndex((l, n) => n >= after && re.test(l));
  assert.ok(i >= 0, `${file} has no line matching ${re}`);
  return i + 1;
}

/** The patch view: the visible webview whose title is `title`. */
async function patchView(wb: Workbench, title: string | RegExp, timeoutMs = ANALYSIS_TIMEOUT): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await wb.page.locator('iframe.webview.ready').filter({ visible: true }).count();
    for (let i = 0; i < n; i++) {
      const frame = wb.webview(i);
      const t = frame.locator('#title');
      if ((await t.count().catch(() => 0)) && (typeof title === 'string' ? (await t.innerText()).trim() === title : title.test(await t.innerText()))) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no patch view titled ${title} within ${timeoutMs} ms (${n} visible webviews)`);
    await wb.page.waitForTimeout(300);
  }
}

/** The sample patch's view: the one open (an earlier test), or a fresh one from the command palette. */
async function samplePatchView(wb: Workbench): Promise<FrameLocator> {
  const open = await patchView(wb, SUBJECT, 2_000).catch(() => undefined);
  if (open) return open;
  await wb.openFile(PATCH);
  await wb.runCommand('Kernel Patch Reasoner: Analyze Patch');
  return patchView(wb, SUBJECT);
}

async function textOf(l: Locator): Promise<string> {
  await l.first().waitFor({ state: 'visible', timeout: ANALYSIS_TIMEOUT });
  return (await l.first().innerText()).replace(/\s+/g, ' ').trim();
}

interface Row {
  kind: 'file' | 'marker' | 'other';
  text: string;
  code: string;
  source: string;
  severity: string;
  position: string;
}

/** Types into the Problems panel's filter and returns the rows once `ok` holds for them. */
async function problemsFiltered(wb: Workbench, filter: string, ok: (rows: Row[]) => boolean): Promise<Row[]> {
  const input = await wb.problemsFilterInput();
  await input.fill(filter);
  const deadline = Date.now() + 20_000;
  let rows: Row[] = [];
  for (;;) {
    await wb.page.waitForTimeout(300);
    rows = await wb.page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
      els.map((r) => {
        const t = (sel: string) => ((r.querySelector(sel) as HTMLElement | null)?.innerText ?? '').trim();
        const marker = !!r.querySelector('.marker-message-details-container, .marker-message-details');
        const icon = r.querySelector('.marker-icon');
        const cls = icon ? `${icon.className} ${Array.from(icon.querySelectorAll('*')).map((x) => x.className).join(' ')}` : '';
        return {
          kind: marker ? 'marker' : r.querySelector('.file-icon, .monaco-icon-label.file-icon') ? 'file' : 'other',
          text: (r as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
          code: t('.marker-code').replace(/^\(|\)$/g, ''),
          source: t('.marker-source'),
          severity: /error/.test(cls) ? 'error' : /warning/.test(cls) ? 'warning' : /info/.test(cls) ? 'info' : /hint/.test(cls) ? 'hint' : '',
          position: t('.marker-line'),
        } as Row;
      }),
    );
    if (ok(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`Problems filtered by "${filter}" shows: ${JSON.stringify(rows, null, 1)}`);
  }
}

async function clearProblemsFilter(wb: Workbench): Promise<void> {
  // Only when Problems is the view shown: never clear (or type into) the Output view's filter.
  if (!(await wb.page.locator('.part.panel .markers-panel').isVisible())) return;
  await (await wb.problemsFilterInput()).fill('');
}

/**
 * Clicks a button of the patch view until the editor `name` is the active tab: a click on a
 * webview under load has been seen to be lost (the view was re-rendering), never twice the editor.
 */
async function clickOpening(wb: Workbench, button: Locator, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await button.click();
    try {
      await wb.waitForActiveTab(name);
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** Waits until the active editor tab's label starts with `name` and the cursor is on `line`. */
async function waitForCursor(wb: Workbench, name: string, line: number): Promise<void> {
  await wb.waitForActiveTab(name);
  const deadline = Date.now() + 15_000;
  let cur = -1;
  while (Date.now() < deadline) {
    cur = await wb.currentLine().catch(() => -1);
    if (cur === line) return;
    await wb.page.waitForTimeout(200);
  }
  assert.fail(`the cursor of ${name} is on line ${cur}, expected ${line}`);
}

describe('patch view', function () {
  let wb: Workbench;

  before(async function () {
    wb = await session().openWorkbench();
  });

  after(async function () {
    if (wb) await session().closeWorkbench(wb);
  });

  it('the CodeLens "Analyze Patch (1 C file)" opens the patch view: subject, named functions, fixed and introduced', async function () {
    await wb.openFile(PATCH);
    const lens = wb.page.locator('.editor-group-container.active .contentWidgets .codelens-decoration a', { hasText: /^Analyze Patch \(1 C file\)$/ });
    await lens.first().waitFor({ state: 'visible', timeout: 60_000 });
    await lens.first().click();
    const view = await patchView(wb, SUBJECT);

    // The functions the commit message names come first.
    const named = await view.locator('.mentioned-fn').evaluateAll((els) => els.map((e) => e.getAttribute('data-function')));
    console.log(`      named in the message: ${named.join(', ')}`);
    assert.deepEqual(named.slice(0, 3), ['ext4_da_writepage', 'ext4_normal_writepage', 'ext4_journalled_writepage']);
    const firstChange = view.locator('.change-list > .change').first();
    assert.equal(await firstChange.getAttribute('data-mentioned'), 'true', 'the first change is in a function the message names');

    // Changes, marked by a text label (not colour alone).
    const foreign = view.locator('.change[data-status="fixed"][data-rule="foreign-credits"]');
    const bug = view.locator('.change[data-status="fixed"][data-rule="kernel-bug"]');
    const dropped = view.locator('.change[data-status="introduced"][data-rule="dirty-data-dropped"][data-function="ext4_da_writepage"]');
    assert.match(await textOf(foreign), /^✓ fixed error foreign-credits in ext4_da_get_block_write/i);
    assert.match(await textOf(bug), /✓ fixed error kernel-bug/i);
    const droppedText = await textOf(dropped);
    console.log(`      introduced: ${droppedText.slice(0, 160)}…`);
    assert.match(droppedText, /^✖ introduced error dirty-data-dropped in ext4_da_writepage/i);
    assert.match(droppedText, /no-buffers-allocated/);

    // The before/after matrix of ext4_da_aops.
    const lost = view.locator('td[data-cell="ext4_da_aops/kswapd/no-buffers-allocated"]');
    const lostText = await textOf(lost);
    console.log(`      ext4_da_aops/kswapd/no-buffers-allocated: ${lostText}`);
    assert.match(lostText, /BUG → .*data lost/);
    assert.match(lostText, /introduced: dirty-data-dropped/);
    assert.match(lostText, /fixed: kernel-bug/);
    const fc = view.locator('td[data-cell="ext4_da_aops/reclaim-in-write-begin/delayed-dirty"]');
    assert.equal(await fc.getAttribute('data-status'), 'fixed');
    assert.match(await textOf(fc), /^✓ fixed .*fixed: .*foreign-credits/);
    await wb.screenshot('patch-view');
    await view.locator('table.grid[data-aops="ext4_da_aops"]').scrollIntoViewIfNeeded();
    await wb.screenshot('patch-matrix');

    // A cell narrows the change list to its scenario.
    await fc.click();
    await view.locator('.changes h3', { hasText: /Changes in scenario ext4_da_aops\/reclaim-in-write-begin\/delayed-dirty/ }).waitFor({ state: 'visible' });
    assert.ok((await view.locator('.change[data-rule="foreign-credits"]').count()) >= 1);
    // Its own ENOSPC data loss is fixed too; the data loss the patch introduces is in other scenarios.
    assert.equal(await view.locator('.change[data-rule="dirty-data-dropped"][data-status="introduced"]').count(), 0);
    await view.locator('vscode-button', { hasText: 'Show all changes' }).first().click();
    await dropped.first().waitFor({ state: 'visible' });
  });

  it('Problems: introduced findings on their + line, fixed ones on their - line of the patch', async function () {
    const plusLine = lineOf(PATCH, /^\+\t\tret = block_write_full_page\(page,$/);
    // With -o nobh the same clean buffers reach nobh_writepage two lines above.
    const nobhLine = lineOf(PATCH, /^\+\t\tret = nobh_writepage\(page, ext4_normal_get_block_write, wbc\);$/);
    const minusLine = lineOf(PATCH, /^-\tret = ext4_get_blocks_wrap\(handle, inode, iblock, max_blocks,$/);
    await samplePatchView(wb);
    const intro = await problemsFiltered(wb, 'introduced: dirty data', (rows) => rows.some((r) => r.kind === 'marker' && r.code === 'dirty-data-dropped'));
    const i = intro.find((r) => r.kind === 'marker' && r.code === 'dirty-data-dropped');
    console.log(`      ${i?.text.slice(0, 200)}`);
    assert.ok(i);
    assert.equal(i.source, 'kpr');
    assert.equal(i.severity, 'error');
    assert.match(i.position, new RegExp(`\\[Ln (${plusLine}|${nobhLine}), Col 1\\]`));
    assert.ok(intro.some((r) => r.kind === 'file' && r.text.startsWith(PATCH)), `rows under ${PATCH}: ${JSON.stringify(intro)}`);

    const fixed = await problemsFiltered(wb, 'fixed: ', (rows) => rows.some((r) => r.kind === 'marker' && r.code === 'foreign-credits'));
    const f = fixed.find((r) => r.kind === 'marker' && r.code === 'foreign-credits');
    assert.ok(f);
    assert.equal(f.severity, 'info');
    assert.match(f.text, /fixed: ext4_get_blocks_wrap allocation of block (2|9) spends 3 journal credits/);
    assert.match(f.position, new RegExp(`\\[Ln ${minusLine}, Col 1\\]`));
    assert.ok(fixed.some((r) => r.kind === 'marker' && r.code === 'kernel-bug' && r.severity === 'info'));
    await wb.screenshot('patch-problems');
    await clearProblemsFilter(wb);
  });

  it('a change opens its line: fixed → the pre-image (the workspace inode.c), introduced → the read-only post-image, and the patch line', async function () {
    const view = await samplePatchView(wb);
    const callback = lineOf('inode.c', /^static int ext4_da_get_block_write\(/);
    const call = lineOf('inode.c', /ret = ext4_get_blocks_wrap\(handle, inode, iblock, max_blocks,/, callback);
    await clickOpening(wb, view.locator('.change[data-status="fixed"][data-rule="foreign-credits"] vscode-button', { hasText: /Before: line \d+/ }).first(), 'inode.c');
    await waitForCursor(wb, 'inode.c', call);

    const dropped = view.locator('.change[data-status="introduced"][data-rule="dirty-data-dropped"][data-function="ext4_da_writepage"]').first();
    const after = await dropped.locator('vscode-button', { hasText: /After: line \d+/ }).first().innerText();
    const postLine = Number(/line (\d+)/.exec(after)?.[1]);
    await clickOpening(wb, dropped.locator('vscode-button', { hasText: /After: line \d+/ }).first(), 'inode.c (post-image)');
    await waitForCursor(wb, 'inode.c (post-image)', postLine);
    // Monaco renders spaces as no-break spaces.
    const text = (await wb.page.locator('.editor-group-container.active .view-lines').innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /ret = block_write_full_page\(page,/);
    assert.match(text, /ext4_normal_get_block_write/);

    const patchBtn = dropped.locator('vscode-button', { hasText: /Patch: line \d+/ }).first();
    const patchLine = Number(/line (\d+)/.exec(await patchBtn.innerText())?.[1]);
    await clickOpening(wb, patchBtn, PATCH);
    await waitForCursor(wb, PATCH, patchLine);
    // The first introduced data loss sits on the nobh_writepage or the block_write_full_page line.
    assert.ok([lineOf(PATCH, /^\+\t\tret = block_write_full_page\(page,$/), lineOf(PATCH, /^\+\t\tret = nobh_writepage\(page, ext4_normal_get_block_write, wbc\);$/)].includes(patchLine), `patch line ${patchLine}`);
    await wb.screenshot('patch-open-lines');
  });

  it('a patch that does not apply: asked for the side, the hunk error located in the view and in Problems', async function () {
    await wb.openFile(BROKEN);
    // The command asks at once (a quick pick), so the palette does not close in between.
    await wb.quickInput('>Kernel Patch Reasoner: Analyze Patch');
    await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /^Kernel Patch Reasoner: Analyze Patch$/ }) }).first().click();
    // All hunks but #2 apply forward, none in reverse: the extension does not guess, it asks.
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: /Analyze Patch: which side of the patch is inode\.c\?/ }).waitFor({ state: 'visible', timeout: 30_000 });
    const first = await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').first().innerText();
    assert.match(first, /^Pre-image: the patch is not applied to inode\.c$/);
    await wb.answerQuickInput('Pre-image');
    const view = await patchView(wb, `${SUBJECT} (damaged copy)`);
    const problem = view.locator('.problem[data-line="31"]');
    const text = await textOf(problem);
    console.log(`      ${text}`);
    assert.match(text, /patch line 31 .*inode\.c: hunk #2 \(@@ -70,7 \+70,7 @@\) does not apply/);
    assert.match(await textOf(view.locator('.problems-title')), /does not apply cleanly or is malformed \(1 problem\)/);
    // The other hunks were applied and analysed.
    await view.locator('.change[data-status="fixed"][data-rule="foreign-credits"]').first().waitFor({ state: 'visible' });
    await wb.screenshot('patch-broken');

    const rows = await problemsFiltered(wb, 'hunk #2', (r) => r.some((x) => x.kind === 'marker' && x.code === 'patch'));
    const m = rows.find((x) => x.kind === 'marker' && x.code === 'patch');
    assert.ok(m);
    assert.equal(m.severity, 'error');
    assert.match(m.position, /\[Ln 31, Col 1\]/);
    assert.ok(rows.some((r) => r.kind === 'file' && r.text.startsWith(BROKEN)));
    await clearProblemsFilter(wb);

    // "Show in patch" puts the cursor on the @@ line.
    await problem.locator('vscode-button', { hasText: 'Show in patch' }).click();
    // The reveal sets the patch editor's cursor; under load the webview that was clicked can keep
    // the focus (seen once in CI): then the editor's own tab shows where its cursor was put.
    try {
      await waitForCursor(wb, BROKEN, 31);
    } catch {
      await wb.page.locator(`.tab[aria-label^="${BROKEN}"]`).first().click();
      await waitForCursor(wb, BROKEN, 31);
    }
  });

  it('editing the patch marks its view stale and drops its diagnostics; saving it re-runs the analysis', async function () {
    const view = await patchView(wb, `${SUBJECT} (damaged copy)`);
    await wb.page.locator(`.tab[aria-label^="${BROKEN}"]`).first().click();
    await wb.goToLine(8);
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.type(' (edited)');
    await view.locator('#status', { hasText: /broken\.patch changed after this analysis \(it is re-run when the patch is saved\): Re-run to update\./ }).waitFor({ state: 'visible', timeout: 15_000 });
    await problemsFiltered(wb, 'hunk #2', (rows) => !rows.some((r) => r.kind === 'marker' && r.code === 'patch'));
    await wb.runCommand('File: Save');
    await view.locator('#status', { hasText: /^Analysed · 1 patch problem$/ }).waitFor({ state: 'visible', timeout: ANALYSIS_TIMEOUT });
    const rows = await problemsFiltered(wb, 'hunk #2', (r) => r.some((x) => x.kind === 'marker' && x.code === 'patch'));
    assert.match(rows.find((x) => x.kind === 'marker' && x.code === 'patch')?.position ?? '', /\[Ln 31, Col 1\]/);
    await clearProblemsFilter(wb);
  });

  it('Compare Writepage Verdicts With… from the Explorer: inode.c → inode-fixed.c', async function () {
    await wb.showExplorer();
    const row = wb.page.locator('.explorer-folders-view .monaco-list-row[aria-level="1"][aria-label="inode.c"]');
    await row.click({ button: 'right' });
    const item = wb.page.locator('.context-view .monaco-menu .action-label', { hasText: /^Compare Writepage Verdicts With…$/ });
    await item.waitFor({ state: 'visible' });
    // A mouse click on a context-menu item sometimes lands while the menu is still settling and is
    // dropped (seen in CI); selecting it by hover and activating it with Enter is deterministic.
    await item.hover();
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: /Compare Writepage Verdicts: inode\.c \(before\) with… \(after\)/ }).waitFor({ state: 'visible' });
    await wb.answerQuickInput('inode-fixed.c');
    const view = await patchView(wb, 'inode.c → inode-fixed.c');
    await view.locator('.change[data-status="fixed"][data-rule="kernel-bug"]').first().waitFor({ state: 'visible', timeout: ANALYSIS_TIMEOUT });
    await view.locator('.change[data-status="fixed"][data-rule="foreign-credits"]').first().waitFor({ state: 'visible' });
    assert.equal(await view.locator('#problems').isVisible(), false, 'no patch problems for two files');
    await wb.screenshot('patch-compare-files');
  });

  it('Analyze Commit… without git (git.enabled is off in the test profile) says why', async function () {
    await wb.page.keyboard.press('Escape'); // a menu left open by an earlier test must not swallow the palette click
    await wb.runCommand('Kernel Patch Reasoner: Analyze Commit…');
    const toast = await wb.waitForNotification(/Analyze Commit: Git is disabled in this window/);
    console.log(`      ${toast}`);
  });
});
