/**
 * The patch feature's git inputs in a real VS Code (code-server) with the built-in Git extension
 * enabled: a second session (its own code-server and profile, git.enabled on) on a throwaway
 * repository made from the sample: commit 1 = sample/inode.c, commit 2 = the sample patch applied
 * with `git am` (its mail subject becomes the commit subject), working tree = inode.c put back to
 * commit 1. "Analyze Commit…" (quick pick over the log) shows commit 2 headed by its subject with
 * the seed's findings fixed; "Analyze Working-Tree Change of This File" shows them introduced.
 * Screenshots: test-results/patch-git-*.png.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { REPO_ROOT, Session, type Workbench } from '../harness';

const SUBJECT = 'ext4: Handle page without buffers in ext4_*_writepage()';
const TIMEOUT = 90_000;

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
    if (Date.now() > deadline) throw new Error(`no patch view titled "${title}" within ${TIMEOUT} ms`);
    await wb.page.waitForTimeout(300);
  }
}

describe('patch view: git inputs (Git extension enabled)', function () {
  let s: Session | undefined;
  let wb: Workbench;
  let repo: string;
  let commit: string;

  before(async function () {
    this.timeout(240_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-e2e-git-'));
    repo = path.join(root, 'ext4');
    fs.mkdirSync(repo);
    fs.copyFileSync(path.join(REPO_ROOT, 'sample', 'inode.c'), path.join(repo, 'inode.c'));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', 'inode.c');
    git(repo, 'commit', '-q', '-m', 'ext4-like inode.c, before the fix');
    git(repo, 'am', '-q', path.join(REPO_ROOT, 'sample', 'handle-page-without-buffers.patch'));
    commit = git(repo, 'rev-parse', 'HEAD').trim();
    assert.equal(git(repo, 'log', '-1', '--format=%s').trim(), SUBJECT);
    // The working tree goes back to the pre-image: its change against HEAD undoes the fix.
    fs.copyFileSync(path.join(REPO_ROOT, 'sample', 'inode.c'), path.join(repo, 'inode.c'));
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

  it('Analyze Commit… picks the commit from the log; its subject heads the view, the fix shows as fixed', async function () {
    // The Git extension needs a moment to open the repository.
    await wb.page.locator('.part.statusbar .statusbar-item', { hasText: /main/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    // It asks at once (a quick pick): the palette may never close in between.
    await wb.runCommand('Kernel Patch Reasoner: Analyze Commit…', { keepOpen: true });
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: /Analyze Commit: ext4 \(last 2 commits\)/ }).waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await wb.quickInputRows();
    console.log(`      log: ${rows.join(' | ')}`);
    assert.equal(rows[0], `${commit.slice(0, 12)} ${SUBJECT}`);
    await wb.answerQuickInput(commit.slice(0, 12));
    const view = await viewTitled(wb, SUBJECT);
    const meta = (await view.locator('#meta').innerText()).replace(/\s+/g, ' ');
    assert.match(meta, /commit \(parent → commit\)/);
    // git am keeps the mail's author.
    const author = git(repo, 'log', '-1', '--format=%an <%ae>').trim();
    assert.ok(meta.includes(`${author} commit ${commit.slice(0, 12)}`), `meta: ${meta}`);
    const named = await view.locator('.mentioned-fn').evaluateAll((els) => els.map((e) => e.getAttribute('data-function')));
    assert.deepEqual(named.slice(0, 3), ['ext4_da_writepage', 'ext4_normal_writepage', 'ext4_journalled_writepage']);
    await view.locator('.change[data-status="fixed"][data-rule="foreign-credits"]').first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await view.locator('.change[data-status="introduced"][data-rule="dirty-data-dropped"]').first().waitFor({ state: 'visible' });
    // Both sides are the commit's versions, read-only: "After" opens the commit's inode.c.
    const after = view.locator('.change[data-status="introduced"][data-rule="dirty-data-dropped"] vscode-button', { hasText: /After: line \d+/ }).first();
    const line = Number(/line (\d+)/.exec(await after.innerText())?.[1]);
    await after.click();
    await wb.waitForActiveTab(`inode.c (${commit.slice(0, 12)})`);
    const deadline = Date.now() + 15_000;
    while ((await wb.currentLine().catch(() => -1)) !== line && Date.now() < deadline) await wb.page.waitForTimeout(200);
    assert.equal(await wb.currentLine(), line);
    await wb.screenshot('patch-git-commit');
  });

  it('Analyze Working-Tree Change of This File: HEAD → working copy undoes the fix', async function () {
    await wb.openFile('inode.c');
    await wb.runCommand('Kernel Patch Reasoner: Analyze Working-Tree Change of This File');
    const view = await viewTitled(wb, 'Working-tree change of inode.c');
    await view.locator('.change[data-status="introduced"][data-rule="foreign-credits"]').first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await view.locator('.change[data-status="introduced"][data-rule="kernel-bug"]').first().waitFor({ state: 'visible' });
    await view.locator('.change[data-status="fixed"][data-rule="dirty-data-dropped"]').first().waitFor({ state: 'visible' });
    const sides = (await view.locator('.sides').first().innerText()).replace(/\s+/g, ' ');
    assert.match(sides, /Before inode\.c at HEAD \(read-only copy\) After inode\.c \(working copy\)/);
    await wb.screenshot('patch-git-worktree');
  });
});
