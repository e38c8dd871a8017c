// kpr patch with per-file bases (--base by path, --tree, --repo), stdin, mbox series and kpr
// series (stories, jobs, shards, merge) on a git repository the test builds (test/unit/gitFixture.ts).
import * as assert from 'node:assert/strict';
import { execSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { buildFixtureRepo, type FixtureRepo, git, RENAMED } from './gitFixture';
import { ROOT } from './helpers';

// The engine's wall-clock budget cuts runs on a loaded machine; these tests compare verdicts and
// whole documents, so they lift it (the step and path budgets still bound every run).
const NO_WALL_CLOCK = ['--time-ms', '600000'];

async function kpr(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const analyses = (argv[0] === 'patch' || argv[0] === 'series') && !argv.includes('--merge');
  const code = await main(analyses ? [...argv, ...NO_WALL_CLOCK] : argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const KPR_BIN = path.join(ROOT, 'bin', 'kpr.js');

interface Change {
  status: string;
  severity: string;
  rule: string;
  function: string;
  path: string;
  movedFrom?: string;
}

describe('kpr patch and kpr series on a git repository', function () {
  this.timeout(300_000);
  let repo: FixtureRepo;
  let tmp: string;
  let patchFile: string;
  let baseFile: string;

  before(() => {
    repo = buildFixtureRepo();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-cli-'));
    patchFile = path.join(tmp, 'fix.patch');
    fs.writeFileSync(patchFile, git(repo.dir, 'format-patch', '-1', '--stdout', repo.hashes.fix));
    fs.mkdirSync(path.join(tmp, 'base'));
    baseFile = path.join(tmp, 'base', 'inode.c');
    fs.writeFileSync(baseFile, git(repo.dir, 'show', `${repo.hashes.rename}:fs/ext4/inode.c`));
  });
  after(() => {
    fs.rmSync(repo.dir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function fixedRules(doc: { changes: Change[] }): string[] {
    return [...new Set(doc.changes.filter((c) => c.status === 'fixed').map((c) => `${c.rule}@${c.function}`))].sort();
  }

  it('the multi-file patch lists its C files in the order git wrote them, inode.c last', () => {
    const files = [...fs.readFileSync(patchFile, 'utf8').matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(files, ['fs/ext4/balloc.c', 'fs/ext4/ext4.h', 'fs/ext4/inode.c']);
  });

  let viaBase: { changes: Change[]; files: { path: string }[] };
  it('--base binds to the file of the same path, not the first one; the others are not analysed (stderr and JSON)', async () => {
    const r = await kpr('patch', patchFile, '--base', baseFile, '--json');
    // The sample's fix also introduces a dirty-data-dropped error (sample/inode-fixed.c's expectations).
    assert.equal(r.code, 1, r.err);
    viaBase = JSON.parse(r.out);
    assert.deepEqual(viaBase.files.map((f) => f.path), ['fs/ext4/inode.c']);
    const doc = viaBase as unknown as { notAnalysed: { path: string; reason: string }[] };
    assert.deepEqual(doc.notAnalysed.map((s) => s.path).sort(), ['fs/ext4/balloc.c', 'fs/ext4/ext4.h']);
    assert.match(r.err, /kpr: fs\/ext4\/balloc\.c: not analysed: no base given/);
    assert.match(r.err, /kpr: fs\/ext4\/ext4\.h: not analysed/);
    assert.ok(viaBase.changes.every((c) => c.path === 'fs/ext4/inode.c'));
    // The seed's fix: foreign credits, exhausted credits and the page_buffers() BUG are fixed.
    const fixed = fixedRules(viaBase);
    for (const want of [`foreign-credits@${RENAMED}`, `credits-exhausted@${RENAMED}`, 'kernel-bug@ext4_da_writepage']) assert.ok(fixed.includes(want), `${want} in ${fixed.join(', ')}`);
    assert.deepEqual([...new Set(viaBase.changes.filter((c) => c.status === 'introduced' && c.severity === 'error').map((c) => `${c.rule}@${c.function}`))], ['dirty-data-dropped@ext4_da_writepage']);
  });

  it('several --base; a --base that names no file of the patch is a usage error', async () => {
    const h = path.join(tmp, 'base', 'ext4.h');
    fs.writeFileSync(h, git(repo.dir, 'show', `${repo.hashes.rename}:fs/ext4/ext4.h`));
    const r = await kpr('patch', patchFile, '--base', h, '--base', baseFile, '--json');
    assert.equal(r.code, 1, r.err);
    const doc = JSON.parse(r.out);
    assert.deepEqual(doc.files.map((f: { path: string }) => f.path), ['fs/ext4/ext4.h', 'fs/ext4/inode.c']);
    assert.deepEqual(fixedRules(doc), fixedRules(viaBase));
    const bad = await kpr('patch', patchFile, '--base', path.join(tmp, 'base', 'nomatch.c'));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--base .*nomatch\.c: no file of the patch has this name/);
  });

  it('--tree DIR takes each file by its path; --repo DIR takes the index blobs, else the commit\'s parent', async () => {
    const tree = path.join(tmp, 'tree');
    fs.mkdirSync(tree);
    execSync(`git -C '${repo.dir}' archive --format=tar ${repo.hashes.rename} | tar -x -C '${tree}'`);
    const t = await kpr('patch', patchFile, '--tree', tree, '--json');
    assert.equal(t.code, 1, t.err);
    assert.equal(t.err, '');
    const td = JSON.parse(t.out);
    assert.deepEqual(td.files.map((f: { path: string }) => f.path), ['fs/ext4/balloc.c', 'fs/ext4/ext4.h', 'fs/ext4/inode.c']);
    assert.deepEqual(fixedRules(td), fixedRules(viaBase));
    // A tree at the post-image: the patch's reverse applies, the verdicts are the same.
    const after = path.join(tmp, 'after');
    fs.mkdirSync(after);
    execSync(`git -C '${repo.dir}' archive --format=tar ${repo.hashes.fix} | tar -x -C '${after}'`);
    assert.deepEqual(fixedRules(JSON.parse((await kpr('patch', patchFile, '--tree', after, '--json')).out)), fixedRules(viaBase));

    const g = await kpr('patch', patchFile, '--repo', repo.dir, '--json');
    assert.equal(g.code, 1, g.err);
    assert.deepEqual(fixedRules(JSON.parse(g.out)), fixedRules(viaBase));
    // Without index lines: the parent of the commit named by the mail's From line.
    const noIndex = path.join(tmp, 'noindex.patch');
    fs.writeFileSync(noIndex, fs.readFileSync(patchFile, 'utf8').replace(/^index .*\n/gm, ''));
    const p = await kpr('patch', noIndex, '--repo', repo.dir, '--json');
    assert.equal(p.code, 1, p.err);
    assert.deepEqual(fixedRules(JSON.parse(p.out)), fixedRules(viaBase));
    // A bare git directory works too (the real-history mirror has no work tree).
    const bare = path.join(tmp, 'bare.git');
    git(tmp, 'clone', '-q', '--bare', repo.dir, bare);
    assert.deepEqual(fixedRules(JSON.parse((await kpr('patch', patchFile, '--repo', bare, '--json')).out)), fixedRules(viaBase));
    // git failing is exit 3.
    const broken = await kpr('patch', patchFile, '--repo', path.join(tmp, 'base'));
    assert.equal(broken.code, 3, broken.err);
    assert.match(broken.err, /not a git repository/);
  });

  it('kpr patch - reads stdin; an mbox is a series, each patch on top of the previous', () => {
    const mbox = git(repo.dir, 'format-patch', '--stdout', `${repo.hashes.intro}..${repo.hashes.fix}`);
    assert.equal((mbox.match(/^From [0-9a-f]{40} /gm) ?? []).length, 4);
    const introBase = path.join(tmp, 'intro', 'fs', 'ext4', 'inode.c');
    fs.mkdirSync(path.dirname(introBase), { recursive: true });
    fs.writeFileSync(introBase, git(repo.dir, 'show', `${repo.hashes.intro}:fs/ext4/inode.c`));
    const r = spawnSync(process.execPath, [KPR_BIN, 'patch', '-', ...NO_WALL_CLOCK, '--base', introBase, '--json'], { input: mbox, encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { patches: { subject: string; files: { path: string }[]; changes: Change[]; problems: unknown[] }[] };
    assert.deepEqual(doc.patches.map((p) => p.subject), ['ext4: balloc.c only', 'ext4: a comment in inode.c', 'ext4: rename ext4_da_get_block_write', 'ext4: Handle page without buffers in ext4_*_writepage()']);
    assert.ok(doc.patches.every((p) => p.problems.length === 0), JSON.stringify(doc.patches.map((p) => p.problems)));
    // The rename applied on top of the comment; the fix on top of the rename (its hunks name the new function).
    const rename = doc.patches[2];
    assert.ok(rename.changes.some((c) => c.status === 'unchanged' && c.movedFrom === 'ext4_da_get_block_write' && c.function === RENAMED));
    assert.ok(!rename.changes.some((c) => c.status !== 'unchanged'));
    assert.deepEqual(fixedRules(doc.patches[3]), fixedRules(viaBase));
    // The same mbox with --repo: the first patch's base comes from its index blob.
    const viaRepo = spawnSync(process.execPath, [KPR_BIN, 'patch', '-', ...NO_WALL_CLOCK, '--repo', repo.dir, '--format', 'b4'], { input: mbox, encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(viaRepo.status, 1, viaRepo.stderr);
    const b4 = viaRepo.stdout.trimEnd().split('\n');
    assert.ok(b4.every((l) => /^(ERROR|WARNING): fs\/ext4\/inode\.c:\d+: (error|warning): introduced: .* \[[a-z-]+\]$/.test(l)), viaRepo.stdout);
    assert.ok(b4.some((l) => l.startsWith('ERROR: ') && l.endsWith('[dirty-data-dropped]')));
    // A gap in the series (the rename left out): with --repo each patch's own index blobs are its
    // base, so the fix still applies exactly, not onto the comment patch's post-image.
    const gap = git(repo.dir, 'format-patch', '-1', '--stdout', repo.hashes.cosmetic) + git(repo.dir, 'format-patch', '-1', '--stdout', repo.hashes.fix);
    const g = spawnSync(process.execPath, [KPR_BIN, 'patch', '-', ...NO_WALL_CLOCK, '--repo', repo.dir, '--json'], { input: gap, encoding: 'utf8', maxBuffer: 1 << 28 });
    const gd = JSON.parse(g.stdout) as { patches: { problems: unknown[]; changes: Change[]; files: { applied: { offset: number; fuzz: number }[] }[] }[] };
    assert.deepEqual(gd.patches[1].problems, []);
    assert.ok(gd.patches[1].files.every((f) => f.applied.every((a) => a.offset === 0 && a.fuzz === 0)));
    assert.deepEqual(fixedRules(gd.patches[1]), fixedRules(viaBase));
    // A patch that changes nothing: b4 prints nothing.
    const cosmetic = git(repo.dir, 'format-patch', '-1', '--stdout', repo.hashes.cosmetic);
    const quiet = spawnSync(process.execPath, [KPR_BIN, 'patch', '-', ...NO_WALL_CLOCK, '--repo', repo.dir, '--format', 'b4'], { input: cosmetic, encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, '', 'b4 prints nothing on a pass');
  });

  it('a patch with no C file is not applicable (exit 0, said so)', async () => {
    const doc = path.join(tmp, 'doc.patch');
    fs.writeFileSync(doc, 'diff --git a/README b/README\n--- a/README\n+++ b/README\n@@ -1 +1 @@\n-fixture\n+fixture, again\n');
    const r = await kpr('patch', doc, '--repo', repo.dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /not applicable: the patch changes no C file/);
    assert.match(r.err, /not applicable/);
  });

  let seriesDoc: { commits: { hash: string; subject: string }[]; stories: { rule: string; function: string; introducedBy: string | null; fixedBy: string | null; presentBefore: boolean; presentAtEnd: boolean; events: { kind: string; commit: string; from?: string }[] }[] };
  it('kpr series: each finding\'s introducing and fixing commit, across a rename', async () => {
    const r = await kpr('series', `${repo.hashes.base}..${repo.hashes.fix}`, '--repo', repo.dir, '--path', 'fs/ext4/inode.c', '--json', '--jobs', '2');
    assert.equal(r.code, 1, r.err);
    seriesDoc = JSON.parse(r.out);
    assert.deepEqual(seriesDoc.commits.map((c) => c.hash), [repo.hashes.intro, repo.hashes.cosmetic, repo.hashes.rename, repo.hashes.fix]);
    const story = (rule: string, fn: string) => seriesDoc.stories.find((s) => s.rule === rule && s.function === fn);
    for (const [rule, fn] of [['foreign-credits', RENAMED], ['credits-exhausted', RENAMED], ['kernel-bug', 'ext4_da_writepage']]) {
      const s = story(rule, fn);
      assert.ok(s, `${rule} in ${fn}: ${JSON.stringify(seriesDoc.stories.map((x) => `${x.rule}@${x.function}`))}`);
      assert.equal(s.introducedBy, repo.hashes.intro, rule);
      assert.equal(s.fixedBy, repo.hashes.fix, rule);
      assert.equal(s.presentBefore, false);
      assert.equal(s.presentAtEnd, false);
    }
    const moved = story('foreign-credits', RENAMED)!.events.find((e) => e.kind === 'moved');
    assert.equal(moved?.commit, repo.hashes.rename);
    assert.equal(moved?.from, 'ext4_da_get_block_write');
    // Text: one line per story, with both commits.
    const t = await kpr('series', `${repo.hashes.base}..${repo.hashes.fix}`, '--repo', repo.dir, '--path', 'fs/ext4/*.c');
    assert.match(t.out, new RegExp(`fs/ext4/inode\\.c:\\d+: info: fixed: .*introduced by ${repo.hashes.intro.slice(0, 12)} "ext4: add inode\\.c"; fixed by ${repo.hashes.fix.slice(0, 12)} .*\\[foreign-credits\\]`));
    assert.match(t.out, /ext4: balloc\.c only/, 'fs/ext4/*.c includes balloc.c');
  });

  it('kpr series: --jobs 1 gives the same document; --shard I/N merged with --merge gives the same stories', async () => {
    const range = `${repo.hashes.base}..${repo.hashes.fix}`;
    const one = await kpr('series', range, '--repo', repo.dir, '--path', 'fs/ext4/inode.c', '--json', '--jobs', '1');
    assert.deepEqual(JSON.parse(one.out), seriesDoc);
    const shards: string[] = [];
    for (const s of ['1/3', '2/3', '3/3']) {
      const r = await kpr('series', range, '--repo', repo.dir, '--path', 'fs/ext4/inode.c', '--json', '--shard', s);
      assert.ok(r.code === 0, r.err);
      const f = path.join(tmp, `shard-${s.replace('/', 'of')}.json`);
      fs.writeFileSync(f, r.out);
      shards.push(f);
    }
    const merged = await kpr('series', '--merge', ...shards.reverse(), '--json');
    assert.equal(merged.code, 1, merged.err);
    assert.deepEqual(JSON.parse(merged.out).stories, seriesDoc.stories);
    const partial = await kpr('series', '--merge', shards[0], '--json');
    assert.match(partial.err, /the shards cover 1 of the range's 4 commits/);
    const bad = await kpr('series', '--merge', patchFile);
    assert.equal(bad.code, 2);
  });

  it('exit 1 when the range introduces an error-level finding that it does not fix', async () => {
    const r = await kpr('series', `${repo.hashes.base}..${repo.hashes.rename}`, '--repo', repo.dir, '--path', 'fs/ext4/inode.c', '--format', 'github');
    assert.equal(r.code, 1);
    assert.match(r.out, /^::error file=fs\/ext4\/inode\.c,line=\d+,title=kpr foreign-credits::/m);
    const g = await kpr('series', 'nosuchref..HEAD', '--repo', repo.dir);
    assert.equal(g.code, 3);
    assert.match(g.err, /git log failed/);
  });
});
