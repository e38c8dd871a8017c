/**
 * Editor depth in a real VS Code (code-server) on the sample: Go to Definition through a table's
 * `.writepage = fn` and a callback passed as an argument, Go to Implementations of `.writepage`,
 * references as function pointers and in tables, the call hierarchy through the primitive that
 * calls a callback, the outline of the ops tables, and the code actions on a finding — a
 * `kpr-ignore` comment suppresses it in the editor and in `kpr` output.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, session, type Workbench } from '../harness';
import { chooseAction, goTo, problemsWhen as problemsFor } from '../kprUi';

function source(): string[] {
  return fs.readFileSync(path.join(session().server.folder, 'inode.c'), 'utf8').split('\n');
}

/** Line `n` (1-based) of inode.c on disk, '' while the file is being written (auto save). */
function diskLine(n: number): string {
  return source()[n - 1] ?? '';
}

/** 1-based line of the first line containing `text` (after line `after`), and the 1-based column of `word` on it. */
function where(text: string, word = text, after = 0): { line: number; column: number } {
  const lines = source();
  const i = lines.findIndex((l, n) => n >= after && l.includes(text));
  assert.ok(i >= 0, `inode.c has no line containing "${text}"`);
  return { line: i + 1, column: lines[i].indexOf(word, lines[i].indexOf(text)) + 1 };
}

/** The last problems published for inode.c once `pred` holds. */
function problemsWhen(pred: (codes: string[]) => boolean, what: string, timeoutMs = 60_000): Promise<string[]> {
  return problemsFor('inode.c', pred, what, timeoutMs);
}

/** Rows of the peek widget (references / implementations / call hierarchy) once `pred` holds. */
async function peekRows(wb: Workbench, pred: (rows: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  let rows: string[] = [];
  for (;;) {
    rows = await wb.page.locator('.peekview-widget .monaco-list-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    if (pred(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`${what}: the peek widget shows ${JSON.stringify(rows)}`);
    await wb.page.waitForTimeout(200);
  }
}

async function closePeek(wb: Workbench): Promise<void> {
  await wb.page.keyboard.press('Escape');
  await wb.page.locator('.peekview-widget').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

async function cursorLineBecomes(wb: Workbench, line: number, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let now = -1;
  while ((now = await wb.currentLine()) !== line) {
    if (Date.now() > deadline) assert.fail(`${what}: the cursor is on line ${now}, expected ${line}`);
    await wb.page.waitForTimeout(200);
  }
}

describe('navigation and code actions on the sample', function () {
  let wb: Workbench;

  before(async function () {
    wb = await session().openWorkbench();
    await wb.openFile('inode.c');
    await problemsWhen((c) => c.some((x) => x.startsWith('kernel-bug@')), 'the first analysis');
  });

  after(async function () {
    if (wb) await session().closeWorkbench(wb);
  });

  it('Go to Definition on a table\'s `.writepage = ext4_da_writepage` opens ext4_da_writepage', async function () {
    const member = where('.writepage	= ext4_da_writepage', 'ext4_da_writepage');
    await goTo(wb, member.line, member.column + 2);
    await wb.runCommand('Go to Definition');
    await cursorLineBecomes(wb, where('static int ext4_da_writepage(').line, 'definition of the .writepage member');
  });

  it('Go to Definition on a callback passed to block_write_full_page opens the callback', async function () {
    const arg = where('ret = block_write_full_page(page, ext4_da_get_block_write, wbc);', 'ext4_da_get_block_write');
    await goTo(wb, arg.line, arg.column + 2);
    await wb.runCommand('Go to Definition');
    await cursorLineBecomes(wb, where('static int ext4_da_get_block_write(').line, 'definition of the callback argument');
  });

  it('Go to Implementations on `.writepage` lists every table\'s writepage', async function () {
    const field = where('.writepage	= ext4_da_writepage', 'writepage');
    await goTo(wb, field.line, field.column + 2);
    await wb.runCommand('Go to Implementations');
    const rows = await peekRows(wb, (r) => r.filter((x) => /static int ext4_\w*writepage\(/.test(x)).length >= 3, 'implementations of .writepage');
    console.log(`      implementations: ${rows.join(' | ')}`);
    for (const fn of ['ext4_normal_writepage', 'ext4_journalled_writepage', 'ext4_da_writepage']) assert.ok(rows.some((r) => r.includes(`static int ${fn}(`)), `${fn} is not listed: ${rows.join(' | ')}`);
    await closePeek(wb);
  });

  it('Go to References on ext4_get_block lists its uses as a function pointer', async function () {
    const def = where('int ext4_get_block(struct inode *inode, sector_t iblock,', 'ext4_get_block');
    await goTo(wb, def.line, def.column + 2);
    await wb.runCommand('Go to References');
    const rows = await peekRows(wb, (r) => r.some((x) => x.includes('block_write_full_page(page, ext4_get_block, wbc)')), 'references of ext4_get_block');
    console.log(`      references: ${rows.join(' | ')}`);
    // The peek shows each use's line from the name on: the pointer uses and the definition.
    assert.ok(rows.some((r) => r.includes('PAGE_CACHE_SIZE, ext4_get_block);')), rows.join(' | '));
    assert.ok(rows.some((r) => r.includes('nobh_writepage(page, ext4_get_block, wbc)')), rows.join(' | '));
    assert.ok(rows.some((r) => r.includes('int ext4_get_block(struct inode *inode')), rows.join(' | '));
    await closePeek(wb);
  });

  it('Call hierarchy: incoming calls of ext4_da_get_block_write go through block_write_full_page', async function () {
    const def = where('static int ext4_da_get_block_write(', 'ext4_da_get_block_write');
    await goTo(wb, def.line, def.column + 2);
    await wb.runCommand('Peek Call Hierarchy');
    const rows = await peekRows(wb, (r) => r.some((x) => x.includes('ext4_da_writepage → block_write_full_page')), 'incoming calls');
    console.log(`      incoming calls: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => r.includes('ext4_da_writepage → nobh_writepage')), rows.join(' | '));
    assert.ok(rows.some((r) => r.includes('ext4_da_writepages → mpage_da_writepages')), rows.join(' | '));
    await wb.screenshot('navigation-call-hierarchy');
    await closePeek(wb);
  });

  it('Call hierarchy: outgoing calls of ext4_da_writepage include the callback its primitive invokes', async function () {
    const def = where('static int ext4_da_writepage(', 'ext4_da_writepage');
    await goTo(wb, def.line, def.column + 2);
    // The call hierarchy in the References side bar (the built-in references-view), turned to outgoing calls.
    await wb.runCommand('Calls: Show Call Hierarchy');
    await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'ext4_da_writepage' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    // The view's title button that turns it to outgoing calls.
    await wb.page.locator('.part.sidebar .title-actions .action-label[aria-label^="Show Outgoing Calls"]').first().click({ timeout: 15_000 });
    const deadline = Date.now() + 20_000;
    let rows: string[] = [];
    for (;;) {
      rows = await wb.page.locator('.part.sidebar .monaco-list-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
      if (rows.some((x) => x.includes('block_write_full_page → ext4_da_get_block_write'))) break;
      if (Date.now() > deadline) assert.fail(`outgoing calls of ext4_da_writepage: the side bar shows ${JSON.stringify(rows)}`);
      await wb.page.waitForTimeout(200);
    }
    console.log(`      outgoing calls: ${rows.join(' | ')}`);
    assert.ok(rows.some((x) => x.includes('nobh_writepage → ext4_da_get_block_write')), rows.join(' | '));
    await wb.screenshot('navigation-outgoing-calls');
    await wb.showExplorer();
  });

  it('the outline groups each aops table with its entry points', async function () {
    // Go to Symbol in Editor lists each member under its table (the table is its container).
    await wb.quickInput('@.writepage = ');
    const members = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '.writepage = ' });
    await members.first().waitFor({ state: 'visible' });
    const texts = (await members.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    console.log(`      outline: ${texts.join(' | ')}`);
    for (const [member, table] of [['ext4_normal_writepage', 'ext4_ordered_aops'], ['ext4_normal_writepage', 'ext4_writeback_aops'], ['ext4_journalled_writepage', 'ext4_journalled_aops'], ['ext4_da_writepage', 'ext4_da_aops']]) {
      assert.ok(texts.some((t) => t.includes(`.writepage = ${member}`) && t.includes(table)), `no .writepage = ${member} under ${table}: ${texts.join(' | ')}`);
    }
    await wb.page.keyboard.press('Escape');
  });

  it('code action: a kpr-ignore comment suppresses the finding in the editor, then in kpr output', async function () {
    const call = where('page_bufs = page_buffers(page);', 'page_buffers');
    const before = await problemsWhen((c) => c.includes(`kernel-bug@${call.line}:${call.column}`), 'kernel-bug at page_buffers()');
    await goTo(wb, call.line, call.column + 1);
    await wb.runCommand('Quick Fix...');
    const action = wb.page.locator('.action-widget .monaco-list-row', { hasText: 'Suppress kernel-bug on this line (kpr-ignore comment)' }).first();
    await action.waitFor({ state: 'visible', timeout: 15_000 });
    const offered = (await wb.page.locator('.action-widget .monaco-list-row').allInnerTexts()).map((t) => t.trim());
    console.log(`      code actions: ${offered.join(' | ')}`);
    assert.ok(offered.some((t) => /^Open the trace in the simulation panel \(ext4_da_aops\/\S+\/no-buffers-allocated\)$/.test(t)), offered.join(' | '));
    assert.ok(offered.includes('Open the documentation of kernel-bug'), offered.join(' | '));
    assert.ok(offered.some((t) => t === 'Suppress kernel-bug in ext4_da_writepage in .kpr.json'), offered.join(' | '));
    await wb.screenshot('navigation-code-action');
    const original = fs.readFileSync(path.join(session().server.folder, 'inode.c'), 'utf8');
    await chooseAction(wb, 'Suppress kernel-bug on this line (kpr-ignore comment)');
    try {
      // The comment goes on its own line above the call; without a reason it is a warning.
      const warned = await problemsWhen((c) => c.some((x) => x.startsWith(`input:suppression@${call.line}:`)), 'a warning for the suppression without a reason');
      assert.ok(!warned.includes(`kernel-bug@${call.line + 1}:${call.column}`), `kernel-bug is still shown: ${warned.join(', ')}`);
      // The cursor waits where the reason goes.
      await wb.page.keyboard.type('e2e: the page has buffers on this path');
      const after = await problemsWhen((c) => !c.some((x) => x.startsWith('input:suppression@')), 'the reason silences the warning');
      assert.ok(!after.includes(`kernel-bug@${call.line + 1}:${call.column}`), after.join(', '));
      assert.ok(after.some((x) => x.startsWith('kernel-bug@')), `the other kernel-bug findings stay: ${after.join(', ')}`);
      assert.equal(after.length, before.length - 1, `before: ${before.join(', ')}; after: ${after.join(', ')}`);
      await wb.runCommand('File: Save');
      const deadline = Date.now() + 15_000;
      while (!diskLine(call.line).includes('/* kpr-ignore kernel-bug: e2e: the page has buffers on this path */')) {
        if (Date.now() > deadline) assert.fail(`the saved file has, at line ${call.line}: ${diskLine(call.line)}`);
        await wb.page.waitForTimeout(200);
      }
      // The file as the editor saved it, in the terminal: kpr no longer reports that finding.
      const kpr = (file: string): string => {
        try {
          return execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'kpr.js'), 'scenarios', file], { encoding: 'utf8' });
        } catch (e) {
          return String((e as { stdout?: string }).stdout ?? '');
        }
      };
      const out = kpr(path.join(session().server.folder, 'inode.c'));
      const pristine = kpr(path.join(REPO_ROOT, 'sample', 'inode.c'));
      assert.match(pristine, new RegExp(`inode\\.c:${call.line}:${call.column}: error: .*\\[kernel-bug\\]`));
      assert.doesNotMatch(out, new RegExp(`inode\\.c:${call.line + 1}:${call.column}: error: .*\\[kernel-bug\\]`));
      assert.match(out, /\[kernel-bug\]/, 'the other kernel-bug findings are still reported');
    } finally {
      // Later suites use the same copy of the sample: put the file back and wait for the editor to follow.
      // Through the editor (the inserted comment is one whole line), so the editor and the disk agree.
      const file = path.join(session().server.folder, 'inode.c');
      try {
        await goTo(wb, call.line);
        const shown = await wb.page.locator('.editor-group-container.active .view-line').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText));
        if (shown.some((l) => l.includes('kpr-ignore kernel-bug'))) {
          await wb.runCommand('Delete Line');
          await wb.runCommand('File: Save');
        }
        const deadline = Date.now() + 15_000;
        while (fs.readFileSync(file, 'utf8') !== original && Date.now() < deadline) await wb.page.waitForTimeout(200);
      } finally {
        if (fs.readFileSync(file, 'utf8') !== original) {
          fs.writeFileSync(file, original);
          await wb.runCommand('File: Revert File').catch(() => undefined);
        }
      }
      await problemsWhen((c) => c.includes(`kernel-bug@${call.line}:${call.column}`), 'after restoring inode.c');
    }
  });

  it('code action: open the trace of a finding in the simulation panel at the responsible step', async function () {
    const call = where('ret = ext4_get_blocks_wrap(handle, inode, iblock, max_blocks,', 'ext4_get_blocks_wrap', where('static int ext4_da_get_block_write(').line);
    await problemsWhen((c) => c.includes(`foreign-credits@${call.line}:${call.column}`), 'foreign-credits');
    await goTo(wb, call.line, call.column + 1);
    await wb.runCommand('Quick Fix...');
    await wb.page.locator('.action-widget .monaco-list-row', { hasText: /^Open the trace in the simulation panel/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await chooseAction(wb, /^Open the trace in the simulation panel/);
    const panel = wb.webview(0);
    const current = panel.locator('#step-list li[aria-selected="true"]', { hasText: `L${call.line}` }).first();
    await current.waitFor({ state: 'attached', timeout: 60_000 });
    const text = (await current.innerText()).replace(/\s+/g, ' ');
    const counter = await panel.locator('#step-counter').innerText();
    console.log(`      panel step: ${counter}: ${text}`);
    assert.doesNotMatch(counter, /^Step 1 of/);
    await wb.screenshot('navigation-open-trace');
  });
});
