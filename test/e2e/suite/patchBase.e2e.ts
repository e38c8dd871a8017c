/**
 * Choosing the base of a patch whose path is not in the workspace, as a kernel developer meets it:
 * a patch of fs/ext4/inode.c saved at the workspace root. Analyze Patch does not take a file by
 * its name: it offers the files named inode.c with how many hunks apply to each, "Choose base
 * file…" and "Skip this file"; Escape says what was cancelled; the chosen file is taken as the
 * pre-image (every hunk applies) without a second question; the view's Problems go with it.
 * Screenshots: test-results/patch-base-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { session, type Workbench } from '../harness';

const ROOT_PATCH = 'ext4-writepage-fix.patch';
const SUBJECT = 'ext4: Handle page without buffers in ext4_*_writepage()';
const ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

interface PickRow {
  label: string;
  description: string;
}

async function pickRows(wb: Workbench): Promise<PickRow[]> {
  return wb.page.locator(ROWS).evaluateAll((rows) =>
    rows.map((r) => ({
      label: ((r.querySelector('.label-name') as HTMLElement | null)?.innerText ?? '').trim(),
      description: ((r.querySelector('.label-description') as HTMLElement | null)?.innerText ?? '').trim(),
    })),
  );
}

async function startAnalyzePatch(wb: Workbench): Promise<void> {
  // The command asks at once (a quick pick), so the palette does not close in between.
  await wb.runCommand('Kernel Patch Reasoner: Analyze Patch', { keepOpen: true });
  await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Analyze Patch: base file for fs/ext4/inode.c' }).waitFor({ state: 'visible', timeout: 60_000 });
  await wb.page.locator(ROWS, { hasText: 'Choose base file…' }).first().waitFor({ state: 'visible' });
}

describe('Analyze Patch: the base picker', function () {
  let wb: Workbench;

  before(async function () {
    // The sample patch as kernel trees name it: a/fs/ext4/inode.c, saved at the workspace root.
    const folder = session().server.folder;
    const text = fs.readFileSync(path.join(folder, 'handle-page-without-buffers.patch'), 'utf8').replace(/ a\/inode\.c/g, ' a/fs/ext4/inode.c').replace(/ b\/inode\.c/g, ' b/fs/ext4/inode.c');
    assert.match(text, /^--- a\/fs\/ext4\/inode\.c$/m);
    assert.match(text, /^diff --git a\/fs\/ext4\/inode\.c b\/fs\/ext4\/inode\.c$/m);
    fs.writeFileSync(path.join(folder, ROOT_PATCH), text);
    wb = await session().openWorkbench();
  });

  after(async function () {
    if (wb) await session().closeWorkbench(wb);
    fs.rmSync(path.join(session().server.folder, ROOT_PATCH), { force: true });
  });

  it('offers the files of the same name with the hunks that apply to each, and always "Choose base file…"', async function () {
    await wb.openFile(ROOT_PATCH);
    // The extension is active on the patch: its CodeLens is there.
    await wb.page.locator('.editor-group-container.active .codelens-decoration', { hasText: /Analyze Patch \(1 C file\)/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await startAnalyzePatch(wb);
    const rows = await pickRows(wb);
    console.log(`      picker: ${rows.map((r) => `${r.label} — ${r.description}`).join(' | ')}`);
    const labels = rows.map((r) => r.label);
    // Best fit first: the pre-image takes every hunk; no file is taken by name alone.
    assert.equal(labels[0], 'inode.c');
    assert.match(rows[0].description, /^all \d+ hunk\(s\) apply/);
    assert.ok(labels.includes('Choose base file…'), labels.join(', '));
    assert.ok(labels.includes('Skip this file'), labels.join(', '));
    await wb.screenshot('patch-base-picker');
    await wb.page.keyboard.press('Escape');
    const toast = await wb.waitForNotification(/Analyze Patch cancelled: no base file was chosen for fs\/ext4\/inode\.c/);
    console.log(`      on Escape: ${toast}`);
  });

  it('the picked file is taken as the pre-image (all hunks apply), without a second question, and the view opens', async function () {
    await startAnalyzePatch(wb);
    await wb.page.locator(ROWS, { has: wb.page.locator('.label-name', { hasText: /^inode\.c$/ }) }).first().click();
    // No side question: the patch applies to inode.c forward and not in reverse.
    const frame = await (async () => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const n = await wb.page.locator('iframe.webview.ready').filter({ visible: true }).count();
        for (let i = 0; i < n; i++) {
          const t = wb.webview(i).locator('#title');
          if ((await t.count().catch(() => 0)) && (await t.innerText()).trim() === SUBJECT) return wb.webview(i);
        }
        const asked = await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: /which side of the patch/ }).isVisible();
        assert.ok(!asked, 'asked for the side although all hunks apply to inode.c');
        if (Date.now() > deadline) throw new Error('no patch view opened');
        await wb.page.waitForTimeout(300);
      }
    })();
    const body = (await frame.locator('body').innerText()).replace(/\s+/g, ' ');
    assert.match(body, /chosen by you \(all \d+ hunk\(s\) apply/);
    assert.match(body, /the pre-image/);
    await wb.screenshot('patch-base-chosen');
    // Closing the view takes its Problems on the patch with it.
    await wb.runCommand('View: Close All Editors');
    const deadline = Date.now() + 15_000;
    for (;;) {
      await wb.openProblems();
      const files = await wb.page.locator('.markers-panel .monaco-list-row .label-name').allInnerTexts();
      if (!files.some((f) => f.trim() === ROOT_PATCH)) break;
      if (Date.now() > deadline) assert.fail(`Problems still lists ${ROOT_PATCH} after its view closed: ${files.join(', ')}`);
      await wb.page.waitForTimeout(300);
    }
  });
});
