// kpr series over a range with a merged branch: a finding fixed on the main line and still present
// on a branch forked before the fix is fixed at the end of the range (the shape of v2.6.31's
// HWPOISON branch, forked before a827eaffff0's ext4_page_mkwrite fix and merged after it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { git } from './gitFixture';
import { sample } from './helpers';

interface Story {
  rule: string;
  function: string;
  fixedBy: string | null;
  presentAtEnd: boolean;
  at: { index: number; present: boolean }[];
}

function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

describe('kpr series on a range with a merged branch', function () {
  this.timeout(300_000);
  let dir: string;
  const h: Record<string, string> = {};
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-branch-'));
    git(dir, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(dir, 'README'), 'fixture\n');
    h.base = commitAll(dir, 'base');
    fs.mkdirSync(path.join(dir, 'fs/ext4'), { recursive: true });
    const file = path.join(dir, 'fs/ext4/inode.c');
    const buggy = sample('inode.c');
    const fixed = sample('inode-fixed.c');
    fs.writeFileSync(file, buggy);
    h.intro = commitAll(dir, 'ext4: add inode.c');
    git(dir, 'checkout', '-q', '-b', 'side');
    // At the file's end, away from the fix: git merges both (a merge equal to one side would make
    // `git log -- path` drop the branch from the range).
    fs.writeFileSync(file, `${buggy}\n/* a branch forked before the fix */\n`);
    h.side = commitAll(dir, 'side: a comment in inode.c');
    git(dir, 'checkout', '-q', 'main');
    fs.writeFileSync(file, fixed);
    h.fix = commitAll(dir, 'ext4: Handle page without buffers in ext4_*_writepage()');
    git(dir, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    assert.ok(fs.readFileSync(file, 'utf8').endsWith('/* a branch forked before the fix */\n'));
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('\n', '\n/* after the merge */\n'));
    h.after = commitAll(dir, 'ext4: a comment after the merge');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a finding present on the branch is absent at the end, fixed by the fix', async () => {
    let out = '';
    const code = await main(['series', `${h.base}..${h.after}`, '--repo', dir, '--path', 'fs/ext4/inode.c', '--json', '--jobs', '1', '--time-ms', '600000'], (s) => (out += s), () => undefined);
    assert.ok(code === 0 || code === 1, `exit ${code}`);
    const doc = JSON.parse(out) as { commits: { hash: string; index: number }[]; stories: Story[] };
    const index = (hash: string): number => doc.commits.find((c) => c.hash === hash)!.index;
    // The seed's fix removes ext4_da_writepage's allocation under the page lock.
    const fixedHere = doc.stories.filter((s) => s.fixedBy === h.fix);
    assert.ok(fixedHere.length > 0, JSON.stringify(doc.stories.map((s) => `${s.rule}@${s.function} fixedBy ${s.fixedBy}`)));
    for (const s of fixedHere) {
      assert.equal(s.presentAtEnd, false, `${s.rule}@${s.function} is fixed on every line at the end`);
      const side = s.at.find((a) => a.index === index(h.side));
      assert.ok(side?.present, `${s.rule}@${s.function} is present after the branch's commit`);
      const last = s.at[s.at.length - 1];
      assert.deepEqual([last.index, last.present], [index(h.after), false]);
    }
  });
});
