/**
 * The kernel-tree mode in a real VS Code (code-server): the workspace is a kernel tree of our own
 * (a copy of test/fixtures/tree: a top Makefile, include/linux/*.h, fs/kprfs/ with its header),
 * with no setting. Opening fs/kprfs/inode.c analyses it with the tree's headers and the tree's own
 * block_write_full_page (fs/buffer.c): the status bar says which tree and how many primitives
 * came from it, and there is no finding. With the Kconfig override
 * `kpr.kernelTree.config: { KPRFS_OLD_CHECK: "y" }` written to the user settings, the header's
 * check is the wrong one and the BUG_ON is an error in Problems, on its line.
 * Screenshot: test-results/kernel-tree.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, Session, type Workbench } from '../harness';

const STATUS_ID = 'kpr-team.kernel-patch-reasoner.kpr.findings';
const FILE = 'fs/kprfs/inode.c';

describe('kernel-tree mode: a workspace that is a kernel tree', function () {
  let s: Session | undefined;
  let wb: Workbench;
  let tree: string;

  before(async function () {
    this.timeout(240_000);
    tree = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-e2e-tree-')), 'linux');
    fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'tree'), tree, { recursive: true });
    const vsix = path.resolve(process.env.KPR_E2E_VSIX ?? path.join(REPO_ROOT, 'dist', 'kernel-patch-reasoner.vsix'));
    s = await Session.start({ vsix: [vsix], folder: tree });
    wb = await s.openWorkbench();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await s.screenshotAll(`FAILED-${this.currentTest.fullTitle()}`);
  });

  after(async function () {
    await s?.dispose({ keep: this.currentTest?.state === 'failed' });
    if (tree) fs.rmSync(path.dirname(tree), { recursive: true, force: true });
  });

  async function statusMatching(re: RegExp, timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const item = (await wb.statusBarItems()).find((i) => i.id === STATUS_ID);
      last = item ? `${item.text} | ${item.ariaLabel}` : '(no kpr item)';
      if (re.test(last)) return last;
      if (Date.now() > deadline) throw new Error(`status bar: ${last}, expected ${re}`);
      await wb.page.waitForTimeout(300);
    }
  }

  it('analyses a file of the tree with the tree’s headers, with no setting, and says so in the status bar', async function () {
    this.timeout(180_000);
    await wb.openFile(FILE);
    const status = await statusMatching(/tree 2\.6\.27-kpr/);
    console.log(`      status bar: ${status}`);
    assert.match(status, /no finding/);
    assert.match(status, /kernel tree 2\.6\.27-kpr/);
    // fs/buffer.c's block_write_full_page and its static helper ran from the tree.
    assert.match(status, /kernel tree 2\.6\.27-kpr, 2 primitives from its source/);
    await wb.screenshot('kernel-tree');
  });

  it('a Kconfig override in the settings changes the verdict: the header’s old check makes the BUG_ON an error on its line', async function () {
    this.timeout(180_000);
    const settings = path.join(s!.profile.userDataDir, 'User', 'settings.json');
    const current = JSON.parse(fs.readFileSync(settings, 'utf8')) as Record<string, unknown>;
    // Written while no window is open (a window does not watch the profile's settings file here).
    await s!.closeWorkbench(wb);
    fs.writeFileSync(settings, JSON.stringify({ ...current, 'kpr.kernelTree.config': { KPRFS_OLD_CHECK: 'y' } }, null, 2));
    wb = await s!.openWorkbench();
    await wb.openFile(FILE);
    const status = await statusMatching(/1 error/);
    console.log(`      status bar: ${status}`);
    const line = fs.readFileSync(path.join(tree, FILE), 'utf8').split('\n').findIndex((l) => /BUG_ON\(!kprfs_page_ok/.test(l)) + 1;
    const rows = await wb.problems({ atLeast: 1, timeoutMs: 60_000 });
    const bug = rows.find((r) => r.code === 'kernel-bug');
    assert.ok(bug, `Problems: ${JSON.stringify(rows)}`);
    assert.equal(bug.severity, 'error');
    assert.match(bug.position, new RegExp(`Ln ${line},`));
  });
});
