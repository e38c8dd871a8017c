/**
 * Analyze Commit Range… in a real VS Code (code-server) with the built-in Git extension: a
 * throwaway repository (commit 1 = sample/inode.c, commit 2 = a comment, commit 3 = the sample
 * patch through `git am`); the range commit1..HEAD is typed into the input box; the timeline shows
 * the seed's foreign-credits finding present after commit 2 and fixed by commit 3, the
 * dirty-data-dropped error introduced by commit 3; clicking a cell opens the line at that commit.
 * Screenshot: test-results/timeline.png.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { REPO_ROOT, Session, type Workbench } from '../harness';

const TIMEOUT = 120_000;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=KPR e2e', '-c', 'user.email=kpr-e2e@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

async function viewTitled(wb: Workbench, title: string): Promise<FrameLocator> {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const n = await wb.page.locator('iframe.webview.ready').filter({ visible: true }).count();
    for (let i = 0; i < n; i++) {
      const t = wb.webview(i).locator('#title');
      if ((await t.count().catch(() => 0)) && (await t.innerText()).trim() === title) return wb.webview(i);
    }
    if (Date.now() > deadline) throw new Error(`no timeline titled "${title}" within ${TIMEOUT} ms`);
    await wb.page.waitForTimeout(300);
  }
}

describe('timeline: Analyze Commit Range… (Git extension enabled)', function () {
  let s: Session | undefined;
  let wb: Workbench;
  let repo: string;
  const hashes: string[] = [];

  before(async function () {
    this.timeout(240_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-e2e-range-'));
    repo = path.join(root, 'ext4');
    fs.mkdirSync(repo);
    const pre = fs.readFileSync(path.join(REPO_ROOT, 'sample', 'inode.c'), 'utf8');
    fs.writeFileSync(path.join(repo, 'inode.c'), pre);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', 'inode.c');
    git(repo, 'commit', '-q', '-m', 'ext4-like inode.c, before the fix');
    hashes.push(git(repo, 'rev-parse', 'HEAD').trim());
    // A comment after the patch's last hunk: the patch still applies with git am.
    fs.writeFileSync(path.join(repo, 'inode.c'), `${pre}/* a comment that changes no verdict */\n`);
    git(repo, 'commit', '-q', '-am', 'ext4: a comment');
    hashes.push(git(repo, 'rev-parse', 'HEAD').trim());
    git(repo, 'am', '-q', path.join(REPO_ROOT, 'sample', 'handle-page-without-buffers.patch'));
    hashes.push(git(repo, 'rev-parse', 'HEAD').trim());
    const vsix = path.resolve(process.env.KPR_E2E_VSIX ?? path.join(REPO_ROOT, 'dist', 'kernel-patch-reasoner.vsix'));
    s = await Session.start({ vsix: [vsix], folder: repo, settings: { 'git.enabled': true, 'git.autoRepositoryDetection': true, 'git.openRepositoryInParentFolders': 'never' } });
    wb = await s.openWorkbench();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await s.screenshotAll(`FAILED-${this.currentTest.fullTitle()}`);
  });

  after(async function () {
    await s?.dispose({ keep: this.currentTest?.state === 'failed' });
    if (repo) fs.rmSync(path.dirname(repo), { recursive: true, force: true });
  });

  it('commits × findings: introduced and fixed cells; a click opens the line at that commit', async function () {
    this.timeout(TIMEOUT * 2);
    await wb.page.locator('.part.statusbar .statusbar-item', { hasText: /main/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    // The command asks at once (a quick input), so the palette does not close in between.
    await wb.quickInput('>Kernel Patch Reasoner: Analyze Commit Range…');
    await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /^Kernel Patch Reasoner: Analyze Commit Range…$/ }) }).first().click();
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: /Analyze Commit Range: ext4/ }).waitFor({ state: 'visible', timeout: 30_000 });
    const range = `${hashes[0].slice(0, 12)}..HEAD`;
    await wb.answerQuickInput(range);
    const view = await viewTitled(wb, `ext4 ${range}`);
    await view.locator('#timeline').waitFor({ state: 'visible', timeout: TIMEOUT });
    const heads = await view.locator('th.commit').evaluateAll((els) => els.map((e) => e.getAttribute('data-commit')));
    assert.deepEqual(heads, [hashes[1], hashes[2]]);
    const fc = view.locator('tr.row[data-rule="foreign-credits"]').first();
    const states = await fc.locator('button.cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    assert.deepEqual(states, ['present', 'fixed']);
    const dd = view.locator('tr.row[data-rule="dirty-data-dropped"][data-function="ext4_da_writepage"]').first();
    assert.deepEqual(await dd.locator('button.cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))), ['present', 'changed']);
    assert.match((await view.locator('#meta').innerText()).replace(/\s+/g, ' '), /2 commit\(s\) touching C files/);
    await wb.screenshot('timeline');
    // The present cell at commit 2: inode.c as of commit 2, at the finding's line.
    const cell = fc.locator('button.cell').first();
    const line = Number(await cell.getAttribute('data-line'));
    assert.ok(line > 1);
    await cell.click();
    await wb.waitForActiveTab(`inode.c (${hashes[1].slice(0, 12)})`);
    const deadline = Date.now() + 15_000;
    while ((await wb.currentLine().catch(() => -1)) !== line && Date.now() < deadline) await wb.page.waitForTimeout(200);
    assert.equal(await wb.currentLine(), line);
    // The fixed cell opens the version before commit 3 (its parent, commit 2), at the pre-image line.
    const fixed = fc.locator('button.cell').nth(1);
    const preLine = Number(await fixed.getAttribute('data-line'));
    await fixed.click();
    const d2 = Date.now() + 15_000;
    while ((await wb.currentLine().catch(() => -1)) !== preLine && Date.now() < d2) await wb.page.waitForTimeout(200);
    assert.equal(await wb.currentLine(), preLine);
  });
});
