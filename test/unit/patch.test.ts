// src/engine/patch: unified-diff parsing and GNU-patch-compatible application.
// Fixtures live in test/fixtures/patches (bases are *.c.base so the C-fixture suite skips them);
// gnu/*.out|log are GNU patch 2.7.6 outputs, and when `patch` is installed the results are also
// compared live against it, including a seeded randomized differential run.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  applyFilePatch,
  findFilePatch,
  newLineForOld,
  oldLineForNew,
  parsePatch,
  patchLineForNew,
  patchLineForOld,
  reverseApply,
  type ApplyResult,
  type FilePatch,
  type ParsedPatch,
} from '../../src/engine/patch';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIR = path.join(ROOT, 'test', 'fixtures', 'patches');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');

/** 1-based line numbers of the patch text, for checking patchLine values. */
function patchLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

function only(p: ParsedPatch, name: string): FilePatch {
  const f = findFilePatch(p, name);
  assert.ok(f, `no file ${name} in patch`);
  return f;
}

/** Every hunk line's patchLine points at a patch line with the same marker and text. */
function assertPatchLinesConsistent(p: ParsedPatch, text: string): void {
  const L = patchLines(text);
  for (const f of p.files) {
    for (const h of f.hunks) {
      assert.ok(L[h.patchLine - 1].startsWith('@@'), `hunk header at ${h.patchLine}`);
      for (const l of h.lines) {
        const src = L[l.patchLine - 1];
        if (src === '' && l.kind === ' ' && l.text === '') continue; // stripped blank context line
        assert.equal(src, l.kind + l.text, `patch line ${l.patchLine}`);
      }
    }
  }
}

/** Every unchanged new line maps to an old line with identical text, added/removed match the hunks. */
function assertLineMapConsistent(r: ApplyResult, oldText: string, newText: string, patchText: string): void {
  const O = oldText.split('\n');
  const N = newText.split('\n');
  const P = patchLines(patchText);
  const strip = (s: string): string => s.replace(/\r$/, '');
  for (let n = 1; n <= r.lineMap.newToOld.length; n++) {
    const o = oldLineForNew(r, n);
    if (o !== null) {
      assert.equal(strip(N[n - 1]), strip(O[o - 1]), `new ${n} <- old ${o}`);
      assert.equal(newLineForOld(r, o), n);
    }
    const pl = patchLineForNew(r, n);
    if (pl !== null) {
      assert.ok(P[pl - 1].startsWith('+') || P[pl - 1].startsWith(' ') || P[pl - 1] === '', `patch line ${pl} is +/context`);
      if (P[pl - 1].startsWith('+')) assert.equal(P[pl - 1].slice(1), strip(N[n - 1]));
    }
  }
  for (const a of r.lineMap.added) assert.equal(oldLineForNew(r, a), null);
  for (const d of r.lineMap.removed) {
    assert.equal(newLineForOld(r, d), null);
    const pl = patchLineForOld(r, d);
    assert.ok(pl !== null && P[pl - 1].startsWith('-'), `removed old ${d} maps to a - line`);
    assert.equal(P[pl - 1].slice(1), strip(O[d - 1]));
  }
}

// ---------------------------------------------------------------------------------------------
// GNU patch helpers

const HAVE_GNU_PATCH = (() => {
  const r = spawnSync('patch', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /GNU patch/.test(r.stdout);
})();

interface GnuResult {
  text: string;
  /** hunk (0-based) -> { fuzz, offset } for applied hunks; failed hunks listed separately. */
  hunks: Map<number, { fuzz: number; offset: number }>;
  failed: number[];
  log: string;
}

function parseGnuLog(log: string, hunkCount: number): Omit<GnuResult, 'text'> {
  const hunks = new Map<number, { fuzz: number; offset: number }>();
  const failed: number[] = [];
  for (let i = 0; i < hunkCount; i++) hunks.set(i, { fuzz: 0, offset: 0 });
  for (const line of log.split('\n')) {
    let m = /^Hunk #(\d+) succeeded at \d+(?: with fuzz (\d+))?(?: \(offset (-?\d+) lines?\))?\./.exec(line);
    if (m) hunks.set(Number(m[1]) - 1, { fuzz: Number(m[2] ?? 0), offset: Number(m[3] ?? 0) });
    m = /^Hunk #(\d+) FAILED at/.exec(line);
    if (m) {
      failed.push(Number(m[1]) - 1);
      hunks.delete(Number(m[1]) - 1);
    }
  }
  return { hunks, failed, log };
}

function runGnuPatch(base: string, patchText: string, hunkCount: number, reverse = false): GnuResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-gnu-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.c'), base);
    fs.writeFileSync(path.join(dir, 'p.patch'), patchText);
    const args = ['-f', '--no-backup-if-mismatch', '-r', '-', '-o', 'out.c', '-i', 'p.patch'];
    if (reverse) args.unshift('-R');
    args.push('in.c');
    const r = spawnSync('patch', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const out = path.join(dir, 'out.c');
    const text = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    return { text, ...parseGnuLog(r.stdout + r.stderr, hunkCount) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function assertSameAsGnu(ours: ApplyResult, gnu: Omit<GnuResult, 'text'> & { text: string }, what: string): void {
  assert.equal(ours.text, gnu.text, `${what}: output text differs from GNU patch\n${gnu.log}`);
  assert.deepEqual(
    ours.failed.map((f) => f.hunk),
    gnu.failed,
    `${what}: failed hunks differ\n${gnu.log}`,
  );
  for (const a of ours.applied) {
    assert.deepEqual({ fuzz: a.fuzz, offset: a.offset }, gnu.hunks.get(a.hunk), `${what}: hunk #${a.hunk + 1}\n${gnu.log}`);
  }
}

// ---------------------------------------------------------------------------------------------

describe('patch: parse', () => {
  it('reads a git format-patch mail: headers, commit message, one file, three hunks', () => {
    const text = read('format-patch.patch');
    const p = parsePatch(text);
    assert.deepEqual(p.errors, []);
    assert.equal(p.subject, 'ext4-mini: do not allocate blocks in mini_writepage()');
    assert.equal(p.author, 'Ada Tester <ada@example.org>');
    assert.equal(p.date, 'Sat, 2 Mar 2024 11:22:33 +0100');
    assert.ok(p.message?.startsWith('writepage() can be reached from page reclaim'));
    assert.ok(p.message?.endsWith('Reviewed-by: Bob Reviewer <bob@example.org>'));
    assert.ok(!p.message?.includes('insertions'), 'diffstat is not part of the message');
    assert.equal(p.files.length, 1);
    const f = p.files[0];
    assert.equal(f.oldPath, 'fs/ext4/inode-mini.c');
    assert.equal(f.newPath, 'fs/ext4/inode-mini.c');
    assert.equal(f.index, 'ca912fd..5d4dfc1');
    assert.equal(f.patchLine, 19);
    assert.deepEqual(
      f.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines, h.patchLine, h.hasLineNumbers]),
      [
        [5, 7, 5, 24, 23, true],
        [15, 10, 32, 12, 49, true],
        [49, 7, 68, 8, 66, true],
      ],
    );
    assert.equal(f.hunks[0].header, '');
    assert.equal(f.hunks[1].header, 'static int mini_da_get_block_write(struct inode *inode, sector_t iblock,');
    // The `-- ` signature and git version are not hunk lines.
    const last = f.hunks[2].lines[f.hunks[2].lines.length - 1];
    assert.equal(last.text, 'static int mini_releasepage(struct page *page, gfp_t wait)');
    assert.equal(last.patchLine, 75);
    const bug = f.hunks[1].lines.find((l) => l.kind === '+' && l.text === '\t\tBUG_ON(!ret);');
    assert.equal(bug?.patchLine, 59);
    assertPatchLinesConsistent(p, text);
  });

  it('reads a seed-style patch: subject as first line, bare @@ -a,b +c,d @@ headers, no final newline', () => {
    const text = read('seed-style.patch');
    assert.ok(!text.endsWith('\n'));
    const p = parsePatch(text);
    assert.deepEqual(p.errors, []);
    assert.equal(p.subject, 'ext4-mini: do not allocate blocks in mini_writepage()');
    assert.equal(p.author, null);
    assert.ok(p.message?.startsWith('writepage() can be reached'));
    assert.ok(p.message?.includes('Signed-off-by: Ada Tester <ada@example.org>'));
    const f = p.files[0];
    assert.deepEqual(
      f.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines, h.header]),
      [
        [5, 7, 5, 24, ''],
        [15, 10, 32, 12, ''],
        [49, 7, 68, 8, ''],
      ],
    );
    assertPatchLinesConsistent(p, text);
    // Same hunks as the format-patch mail.
    const fp = parsePatch(read('format-patch.patch')).files[0];
    assert.deepEqual(
      f.hunks.map((h) => h.lines.map((l) => l.kind + l.text)),
      fp.hunks.map((h) => h.lines.map((l) => l.kind + l.text)),
    );
  });

  it('reads plain diff -u output: timestamps dropped, no message, "\\ No newline" on the + side only', () => {
    const text = read('plain-diff-u.patch');
    const p = parsePatch(text);
    assert.deepEqual(p.errors, []);
    assert.equal(p.subject, null);
    assert.equal(p.message, null);
    assert.equal(p.author, null);
    assert.equal(p.files.length, 1);
    const f = p.files[0];
    assert.equal(f.oldPath, 'inode-mini.c.orig');
    assert.equal(f.newPath, 'inode-mini.c');
    assert.equal(f.hunks.length, 2);
    const h = f.hunks[1];
    assert.deepEqual([h.oldStart, h.oldLines, h.newStart, h.newLines], [66, 4, 67, 4]);
    const minus = h.lines.find((l) => l.kind === '-');
    const plus = h.lines.find((l) => l.kind === '+');
    assert.equal(minus?.noNewline, undefined);
    assert.equal(plus?.noNewline, true);
    assertPatchLinesConsistent(p, text);
  });

  it('reads a multi-file git diff: non-C files, new/deleted/renamed/binary, counts omitted', () => {
    const text = read('multi-file.patch');
    const p = parsePatch(text);
    assert.equal(p.subject, null);
    assert.deepEqual(
      p.files.map((f) => [f.oldPath, f.newPath, f.isNew, f.isDeleted, f.isRename, f.isBinary, f.hunks.length]),
      [
        ['Documentation/mini-note.txt', 'Documentation/mini-note.txt', false, false, false, false, 1],
        ['Documentation/mini-writeback.txt', '/dev/null', false, true, false, false, 1],
        ['/dev/null', 'Documentation/writeback-mini.txt', true, false, false, false, 1],
        ['fs/ext4/Kconfig', 'fs/ext4/Kconfig', false, false, false, false, 1],
        ['fs/ext4/old-helper.h', 'fs/ext4/helper-old.h', false, false, true, false, 0],
        ['fs/ext4/inode-mini.c', 'fs/ext4/inode-mini.c', false, false, false, false, 2],
        ['/dev/null', 'fs/ext4/mini-trace.h', true, false, false, false, 1],
        ['/dev/null', 'fs/ext4/mini.bin', true, false, false, true, 0],
      ],
    );
    // `@@ -1 +1 @@`: counts default to 1; both sides lack a final newline.
    const note = p.files[0].hunks[0];
    assert.deepEqual([note.oldStart, note.oldLines, note.newStart, note.newLines], [1, 1, 1, 1]);
    assert.deepEqual(note.lines.map((l) => [l.kind, l.noNewline]), [['-', true], ['+', true]]);
    const renamed = p.files[4];
    assert.deepEqual([renamed.oldMode, renamed.newMode], ['100644', '100755']);
    assert.equal(p.files[6].newMode, '100755');
    assert.deepEqual(p.errors, [
      { line: 82, message: 'binary patch for fs/ext4/mini.bin has no textual hunks; it cannot be applied' },
    ]);
    assert.equal(findFilePatch(p, 'Kconfig'), p.files[3]);
    assert.equal(findFilePatch(p, 'ext4/inode-mini.c'), p.files[5]);
    assert.equal(findFilePatch(p, 'Documentation/mini-writeback.txt'), p.files[1]);
    assert.equal(findFilePatch(p, 'nope.c'), null);
    assertPatchLinesConsistent(p, text);
  });

  it('reads hunks whose @@ header has no line numbers at all', () => {
    const text = read('bare-hunks.patch');
    const p = parsePatch(text);
    assert.deepEqual(p.errors, []);
    assert.equal(p.subject, 'Make the delalloc get_block tolerate a missing handle.');
    assert.equal(p.message, 'Hunks written by hand, without line numbers.');
    const [h1, h2] = p.files[0].hunks;
    assert.equal(h1.hasLineNumbers, false);
    assert.deepEqual([h1.oldStart, h1.oldLines, h1.newStart, h1.newLines, h1.header], [0, 4, 0, 4, '']);
    assert.equal(h2.header, 'static int mini_writepage(struct page *page, struct writeback_control *wbc)');
    assert.deepEqual([h2.oldLines, h2.newLines], [4, 4]);
    assertPatchLinesConsistent(p, text);
  });

  it('keeps what it can of a damaged mail and reports each problem with its patch line', () => {
    const text = read('broken.patch');
    const p = parsePatch(text);
    assert.equal(p.subject, 'ext4-mini: a damaged copy of the writepage fix');
    assert.equal(p.author, 'Ada Tester <ada@example.org>');
    assert.deepEqual(
      p.errors.map((e) => e.line),
      [36, 54, 68, 82],
    );
    assert.match(p.errors[0].message, /^unexpected text between hunks \(lines 36-37\) ignored: "Reviewer note/);
    assert.match(
      p.errors[1].message,
      /^hunk #2 of fs\/ext4\/inode-mini\.c \(@@ -15,10 \+32,11 @@ .*\) line counts do not match its body \(header declares 10 old and 11 new lines, body has 10 old and 12 new\)/,
    );
    assert.match(p.errors[2].message, /GIT binary patch.*fs\/ext4\/mini\.bin/);
    assert.match(p.errors[3].message, /^hunk #1 of fs\/ext4\/Kconfig \(@@ -1,5 \+1,5 @@\) is truncated: the patch ends inside it/);
    assert.deepEqual(
      p.files.map((f) => [f.newPath, f.hunks.length]),
      [
        ['fs/ext4/inode-mini.c', 3],
        ['fs/ext4/mini.bin', 0],
        ['fs/ext4/Kconfig', 1],
      ],
    );
    assert.equal(p.files[0].hunks[1].lines.length, 16, 'the line beyond the declared count is kept');
    assert.equal(p.files[2].hunks[0].lines.length, 4, 'the truncated hunk keeps its lines');
    assertPatchLinesConsistent(p, text);
  });

  it('reports malformed headers, stray hunks, misordered hunks, and garbage inside a hunk', () => {
    const p1 = parsePatch('@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
    assert.equal(p1.files.length, 1);
    assert.equal(p1.files[0].oldPath, '');
    assert.match(p1.errors[0].message, /hunk without a file header/);

    const bare = parsePatch('@@\n a\n-b\n+c\n');
    assert.equal(bare.subject, null);
    assert.deepEqual(bare.files[0].hunks[0].lines.map((l) => l.kind + l.text), [' a', '-b', '+c']);
    assert.match(bare.errors[0].message, /hunk without a file header/);
    assert.equal(applyFilePatch('x\na\nb\ny\n', bare.files[0]).text, 'x\na\nc\ny\n');

    const p2 = parsePatch('--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @ oops\n a\n-b\n+c\n');
    assert.equal(p2.errors[0].line, 3);
    assert.match(p2.errors[0].message, /malformed hunk header/);
    assert.equal(p2.files[0].hunks[0].hasLineNumbers, false);
    assert.equal(p2.files[0].hunks[0].lines.length, 3);

    const p3 = parsePatch('--- a/x.c\n+++ b/x.c\n@@ -10,2 +10,2 @@\n a\n-b\n+c\n@@ -5,2 +5,2 @@\n d\n-e\n+f\n');
    assert.equal(p3.errors.length, 1);
    assert.equal(p3.errors[0].line, 7);
    assert.match(p3.errors[0].message, /misordered or overlapping hunks/);

    const p4 = parsePatch('--- a/x.c\n+++ b/x.c\n@@ -1,4 +1,4 @@\n a\n-b\n<<<<<<< HEAD\n+c\n d\n e\n');
    assert.deepEqual(
      p4.errors.map((e) => e.line),
      [6, 6],
    );
    assert.match(p4.errors[0].message, /is truncated at "<<<<<<< HEAD"/);
    assert.match(p4.errors[1].message, /diff lines outside any hunk \(lines 6-9\) ignored/);
    assert.equal(p4.files[0].hunks[0].lines.length, 2);
  });

  it('never throws, whatever prefix or mangling of a patch it is given', () => {
    const texts = ['format-patch.patch', 'multi-file.patch', 'broken.patch', 'bare-hunks.patch', 'plain-diff-u.patch'].map(read);
    const base = read('inode-mini.c.base');
    for (const t of texts) {
      const lines = t.split('\n');
      for (let n = 0; n <= lines.length; n++) {
        const cut = lines.slice(0, n).join('\n');
        const p = parsePatch(cut);
        for (const f of p.files) {
          applyFilePatch(base, f);
          reverseApply(base, f);
        }
        // Drop one line from the middle instead.
        const holed = parsePatch(lines.filter((_, i) => i !== n).join('\n'));
        for (const f of holed.files) applyFilePatch(base, f);
      }
    }
  });

  it('parses a CRLF patch the same as its LF original', () => {
    for (const name of ['format-patch.patch', 'multi-file.patch', 'plain-diff-u.patch']) {
      const lf = parsePatch(read(name));
      const crlf = parsePatch(read(name).replace(/\n/g, '\r\n'));
      assert.deepEqual(crlf, lf, name);
    }
  });

  it('reads git show output and RFC 2047 encoded headers', () => {
    const show = [
      'commit 3faed330253d6d9a0182f9afe29ab3f0d54118ae',
      'Author: Ada Tester <ada@example.org>',
      'Date:   Sat Mar 2 11:22:33 2024 +0100',
      '',
      '    ext4-mini: one-line fix',
      '',
      '    Body line.',
      '',
      ...read('format-patch.patch').split('\n').slice(19),
    ].join('\n');
    const p = parsePatch(show);
    assert.equal(p.subject, 'ext4-mini: one-line fix');
    assert.equal(p.message, 'Body line.');
    assert.equal(p.author, 'Ada Tester <ada@example.org>');
    assert.equal(p.files[0].hunks.length, 3);

    const mail = [
      'From: =?UTF-8?q?Theodore=20Ts=27o?= <tytso@example.org>',
      'Subject: [PATCH 1/3] ext4: =?UTF-8?q?f=C3=BCr?=',
      ' the page lock',
      '',
      'Body.',
      '---',
      ' x.c | 2 +-',
      '',
      '--- a/x.c',
      '+++ b/x.c',
      '@@ -1 +1 @@',
      '-a',
      '+b',
    ].join('\n');
    const m = parsePatch(mail);
    assert.equal(m.author, "Theodore Ts'o <tytso@example.org>");
    assert.equal(m.subject, 'ext4: für the page lock');
    assert.equal(m.message, 'Body.');
    assert.deepEqual(m.errors, []);
  });
});

describe('patch: apply', () => {
  const base = read('inode-mini.c.base');
  const post = read('inode-mini-post.c.base');
  const fpText = read('format-patch.patch');
  const fp = parsePatch(fpText).files[0];

  it('applies cleanly at the stated lines and reverses back', () => {
    const r = applyFilePatch(base, fp);
    assert.equal(r.text, post);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(
      r.applied.map((a) => [a.hunk, a.offset, a.fuzz, a.oldLine, a.newLine]),
      [
        [0, 0, 0, 5, 5],
        [1, 0, 0, 15, 32],
        [2, 0, 0, 49, 68],
      ],
    );
    assertLineMapConsistent(r, base, post, fpText);
    const rv = reverseApply(post, fp);
    assert.equal(rv.text, base);
    assert.equal(rv.reversed, true);
    assert.deepEqual(rv.failed, []);
    assertLineMapConsistent(rv, base, post, fpText);
    // The seed-style copy of the same patch behaves the same.
    assert.equal(applyFilePatch(base, parsePatch(read('seed-style.patch')).files[0]).text, post);
  });

  it('maps findings back onto the patch: + lines, - lines, context, untouched lines', () => {
    const r = applyFilePatch(base, fp);
    const P = patchLines(fpText);
    const newLines = post.split('\n');
    const oldLines = base.split('\n');
    const nBug = newLines.indexOf('\t\tBUG_ON(!ret);') + 1;
    assert.equal(patchLineForNew(r, nBug), 59);
    assert.equal(P[58], '+\t\tBUG_ON(!ret);');
    assert.equal(oldLineForNew(r, nBug), null);
    assert.ok(r.lineMap.added.includes(nBug));
    const oBug = oldLines.indexOf('\tBUG_ON(create == 0);') + 1;
    assert.equal(patchLineForOld(r, oBug), 54);
    assert.equal(P[53], '-\tBUG_ON(create == 0);');
    assert.equal(newLineForOld(r, oBug), null);
    assert.ok(r.lineMap.removed.includes(oBug));
    // A context line: same patch line from both sides.
    const oCtx = oldLines.indexOf('\thandle = ext4_journal_current_handle();') + 1;
    const nCtx = newLineForOld(r, oCtx) as number;
    assert.equal(newLines[nCtx - 1], '\thandle = ext4_journal_current_handle();');
    assert.equal(patchLineForOld(r, oCtx), 52);
    assert.equal(patchLineForNew(r, nCtx), 52);
    // Outside every hunk.
    assert.equal(patchLineForNew(r, 1), null);
    assert.equal(patchLineForOld(r, 1), null);
    assert.equal(oldLineForNew(r, 1), 1);
    assert.equal(patchLineForNew(r, 10_000), null);
    // Counts.
    const plus = fp.hunks.flatMap((h) => h.lines).filter((l) => l.kind === '+').length;
    const minus = fp.hunks.flatMap((h) => h.lines).filter((l) => l.kind === '-').length;
    assert.equal(r.lineMap.added.length, plus);
    assert.equal(r.lineMap.removed.length, minus);
    // Reverse application keeps the patch's orientation.
    const rv = reverseApply(post, fp);
    assert.equal(patchLineForNew(rv, nBug), 59);
    assert.equal(patchLineForOld(rv, oBug), 54);
    assert.deepEqual(rv.lineMap.added, r.lineMap.added);
    assert.deepEqual(rv.lineMap.removed, r.lineMap.removed);
  });

  it('finds hunks shifted by inserted/removed lines and reports the offsets (as GNU patch)', () => {
    const shifted = read('inode-mini-shifted.c.base');
    const r = applyFilePatch(shifted, fp);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(
      r.applied.map((a) => [a.offset, a.fuzz, a.newLine]),
      [
        [6, 0, 11],
        [6, 0, 38],
        [5, 0, 73],
      ],
    );
    const gnuLog = read('gnu/format-patch-on-shifted.log');
    assert.match(gnuLog, /Hunk #3 succeeded at 73 \(offset 5 lines\)\./);
    assertSameAsGnu(r, { text: read('gnu/format-patch-on-shifted.out'), ...parseGnuLog(gnuLog, 3) }, 'stored');
    assertLineMapConsistent(r, shifted, r.text, fpText);
    assert.equal(reverseApply(r.text, fp).text, shifted);
  });

  it('applies with fuzz 1 and 2 when outer context lines changed (as GNU patch)', () => {
    const fuzzy = read('inode-mini-fuzz.c.base');
    const r = applyFilePatch(fuzzy, fp);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(
      r.applied.map((a) => [a.offset, a.fuzz]),
      [
        [0, 0],
        [0, 1],
        [0, 2],
      ],
    );
    // Fuzzed context keeps the base's text (GNU copies context from the input).
    assert.ok(r.text.includes('\tint ret, err;\n'));
    assert.ok(r.text.includes('/* ->releasepage */\n'));
    const gnuLog = read('gnu/format-patch-on-fuzz.log');
    assertSameAsGnu(r, { text: read('gnu/format-patch-on-fuzz.out'), ...parseGnuLog(gnuLog, 3) }, 'stored');
    assertLineMapConsistent(r, fuzzy, r.text, fpText);
    // With fuzz disabled the last two hunks fail.
    const strict = applyFilePatch(fuzzy, fp, { maxFuzz: 0 });
    assert.deepEqual(
      strict.failed.map((f) => f.hunk),
      [1, 2],
    );
    assert.equal(applyFilePatch(fuzzy, fp, { maxFuzz: 1 }).failed.length, 1);
  });

  it('reports a hunk that cannot apply and still applies the others (as GNU patch)', () => {
    const rejectBase = read('inode-mini-reject.c.base');
    const r = applyFilePatch(rejectBase, fp);
    assert.deepEqual(
      r.applied.map((a) => a.hunk),
      [0, 2],
    );
    assert.equal(r.failed.length, 1);
    const f = r.failed[0];
    assert.equal(f.hunk, 1);
    assert.equal(f.patchLine, 49);
    assert.equal(f.expectedLine, 15);
    assert.match(
      f.message,
      /^hunk #2 \(@@ -15,10 \+32,12 @@ static int mini_da_get_block_write\(st\.\.\.\) does not apply at line 15: /,
    );
    assert.match(f.message, /line 19 should be the removed line "\\tBUG_ON\(create == 0\);" \(patch line 54\) but is "\\tBUG_ON\(!create\);"/);
    assertSameAsGnu(r, { text: read('gnu/format-patch-on-reject.out'), ...parseGnuLog(read('gnu/format-patch-on-reject.log'), 3) }, 'stored');
    // Lines of the failed hunk are not mapped to the patch.
    const o = rejectBase.split('\n').indexOf('\tBUG_ON(!create);') + 1;
    assert.equal(patchLineForOld(r, o), null);
    assert.ok(newLineForOld(r, o) !== null);
  });

  it('says when a patch is already applied', () => {
    const r = applyFilePatch(post, fp);
    assert.equal(r.applied.length, 0);
    assert.equal(r.text, post);
    for (const f of r.failed) assert.match(f.message, /already present at line \d+ \(patch already applied\?\)/);
  });

  it('handles a missing final newline on either side', () => {
    const pText = read('plain-diff-u.patch');
    const p = parsePatch(pText).files[0];
    const r = applyFilePatch(base, p);
    assert.deepEqual(r.failed, []);
    assert.ok(r.text.endsWith('};'));
    assert.equal(r.text, read('gnu/plain-diff-u-on-base.out'));
    assertLineMapConsistent(r, base, r.text, pText);
    assert.equal(reverseApply(r.text, p).text, base);

    const mf = parsePatch(read('multi-file.patch'));
    const note = read('mini-note.txt.base');
    assert.ok(!note.endsWith('\n'));
    const n = applyFilePatch(note, only(mf, 'Documentation/mini-note.txt'));
    assert.equal(n.text, 'note: keep writepage allocation free and credit free');
  });

  it('applies the non-C and created/deleted files of a multi-file diff', () => {
    const mf = parsePatch(read('multi-file.patch'));
    const k = applyFilePatch(read('Kconfig.base'), only(mf, 'fs/ext4/Kconfig'));
    assert.deepEqual(k.failed, []);
    assert.match(k.text, /bool "Mini ext4 writeback paths \(no allocation in writepage\)"\n/);
    const created = applyFilePatch('', only(mf, 'Documentation/writeback-mini.txt'));
    assert.equal(created.text, 'Writeback notes\n===============\n\nwritepage() must not allocate blocks.\nIt must not start a journal handle either.\n');
    assert.deepEqual(created.lineMap.added, [1, 2, 3, 4, 5]);
    const exists = applyFilePatch('something\n', only(mf, 'fs/ext4/mini-trace.h'));
    assert.match(exists.failed[0].message, /creates fs\/ext4\/mini-trace\.h, but the base text is not empty/);
    const del = only(mf, 'Documentation/mini-writeback.txt');
    const gone = applyFilePatch('Writeback notes\n===============\n\nwritepage() must not allocate blocks.', del);
    assert.deepEqual(gone.failed, []);
    assert.equal(gone.text, '');
    assert.equal(reverseApply('', del).text, 'Writeback notes\n===============\n\nwritepage() must not allocate blocks.');
    const bin = applyFilePatch('', only(mf, 'fs/ext4/mini.bin'));
    assert.deepEqual([bin.applied, bin.failed, bin.text], [[], [], '']);
  });

  it('locates hunks without line numbers by their context', () => {
    const p = parsePatch(read('bare-hunks.patch')).files[0];
    const r = applyFilePatch(base, p);
    assert.deepEqual(r.failed, []);
    assert.equal(r.text, read('bare-hunks.expected'));
    assert.deepEqual(
      r.applied.map((a) => [a.oldLine, a.offset, a.fuzz]),
      [
        [17, 0, 0],
        [50, 0, 0],
      ],
    );
    assert.equal(reverseApply(r.text, p).text, base);
  });

  it('keeps CRLF line endings and accepts a CRLF patch', () => {
    const crlfBase = base.replace(/\n/g, '\r\n');
    const r = applyFilePatch(crlfBase, fp);
    assert.deepEqual(r.failed, []);
    assert.equal(r.text, post.replace(/\n/g, '\r\n'));
    const crlfPatch = parsePatch(fpText.replace(/\n/g, '\r\n')).files[0];
    assert.equal(applyFilePatch(base, crlfPatch).text, post);
    assert.equal(applyFilePatch(crlfBase, crlfPatch).text, post.replace(/\n/g, '\r\n'));
    assert.equal(reverseApply(post.replace(/\n/g, '\r\n'), fp).text, crlfBase);
    // Missing final newline on a CRLF file.
    const pd = parsePatch(read('plain-diff-u.patch')).files[0];
    const out = applyFilePatch(crlfBase, pd).text;
    assert.ok(out.endsWith('\r\n};'));
    assert.ok(!/[^\r]\n/.test(out));
  });

  it('ignoreWhitespace matches context whose tabs became spaces', () => {
    const spaced = base.replace('\thandle = ext4_journal_current_handle();', '    handle  =  ext4_journal_current_handle();');
    assert.equal(applyFilePatch(spaced, fp, { maxFuzz: 0 }).failed.length, 1);
    const r = applyFilePatch(spaced, fp, { maxFuzz: 0, ignoreWhitespace: true });
    assert.deepEqual(r.failed, []);
    assert.ok(r.text.includes('    handle  =  ext4_journal_current_handle();'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('patch: agrees with GNU patch', function () {
  before(function () {
    if (!HAVE_GNU_PATCH) this.skip();
  });

  it('on the fixtures (live run)', () => {
    const base = read('inode-mini.c.base');
    const fpText = read('format-patch.patch');
    const fp = parsePatch(fpText).files[0];
    for (const v of ['inode-mini.c.base', 'inode-mini-shifted.c.base', 'inode-mini-fuzz.c.base', 'inode-mini-reject.c.base']) {
      const text = read(v);
      assertSameAsGnu(applyFilePatch(text, fp), runGnuPatch(text, fpText, 3), v);
    }
    const post = read('inode-mini-post.c.base');
    assertSameAsGnu(reverseApply(post, fp), runGnuPatch(post, fpText, 3, true), 'reverse');
    const pd = read('plain-diff-u.patch');
    assertSameAsGnu(applyFilePatch(base, parsePatch(pd).files[0]), runGnuPatch(base, pd, 2), 'plain diff -u');
  });

  // Random pre-images, `diff -U0..5` patches, drifted bases (inserted/deleted/changed lines),
  // missing final newlines, and reverse application. (One GNU quirk is avoided by the seed: when
  // a fuzzy match puts `+` lines after a last line that has no newline, GNU glues them onto it.)
  it('on 200 seeded random edits of an ext4-flavoured file', () => {
    let seed = 0x5eed1234;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pool = ['}', '', '\treturn ret;', '\tint ret = 0;', '\tunlock_page(page);', '{', '\t\treturn 0;'];
    const gen = (): string => (rnd(2) === 0 ? pool[rnd(pool.length)] : `\tret = ext4_op_${rnd(25)}(inode);`);
    const join = (L: string[], noEol: boolean): string => (L.length ? L.join('\n') + (noEol ? '' : '\n') : '');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-diff-'));
    let compared = 0;
    let withFuzz = 0;
    let withOffset = 0;
    let withFailure = 0;
    let reversed = 0;
    try {
      for (let iter = 0; iter < 200; iter++) {
        const A = Array.from({ length: 5 + rnd(80) }, gen);
        const B = A.slice();
        for (let e = 1 + rnd(6); e > 0; e--) {
          const at = rnd(B.length + 1);
          const op = rnd(3);
          if (op === 0) B.splice(at, 1 + rnd(3));
          else if (op === 1) B.splice(at, 0, ...Array.from({ length: 1 + rnd(3) }, gen));
          else if (at < B.length) B[at] = `\tret = ext4_changed_${iter}_${e}(inode);`;
        }
        const drift = (L: string[], edits: number): string[] => {
          const C = L.slice();
          for (let e = edits; e > 0; e--) {
            const at = rnd(C.length + 1);
            const op = rnd(4);
            if (op === 0) C.splice(at, 0, ...Array.from({ length: 1 + rnd(6) }, () => (rnd(2) ? `\t/* drift ${rnd(50)} */` : gen())));
            else if (op === 1) C.splice(at, 1 + rnd(2));
            else if (op === 2 && at < C.length) C[at] = `\tret = ext4_drift_${rnd(1000)}(inode);`;
            else if (at < C.length) C[at] = gen();
          }
          return C;
        };
        const noEolA = rnd(5) === 0;
        const noEolB = noEolA ? rnd(2) === 0 : rnd(6) === 0;
        fs.writeFileSync(path.join(dir, 'a.c'), join(A, noEolA));
        fs.writeFileSync(path.join(dir, 'b.c'), join(B, noEolB));
        const ctx = [0, 1, 2, 3, 3, 5][rnd(6)];
        const d = spawnSync('diff', [`-U${ctx}`, 'a.c', 'b.c'], { cwd: dir, encoding: 'utf8' });
        if (d.status !== 1) continue;
        const patchText = d.stdout;
        const parsed = parsePatch(patchText);
        assert.deepEqual(parsed.errors, [], 'diff output parses cleanly');
        const file = parsed.files[0];
        const reverse = rnd(4) === 0;
        const input = reverse ? join(drift(B, rnd(4)), noEolB) : join(drift(A, rnd(7)), noEolA);
        const ours = reverse ? reverseApply(input, file) : applyFilePatch(input, file);
        assertSameAsGnu(ours, runGnuPatch(input, patchText, file.hunks.length, reverse), `case ${iter}\n${patchText}`);
        compared++;
        if (reverse) reversed++;
        if (ours.applied.some((a) => a.fuzz > 0)) withFuzz++;
        if (ours.applied.some((a) => a.offset !== 0)) withOffset++;
        if (ours.failed.length > 0) withFailure++;
        if (!reverse) {
          // On the exact pre-image the patch reproduces the post-image, and back.
          const exact = applyFilePatch(join(A, noEolA), file);
          assert.equal(exact.text, join(B, noEolB));
          assert.equal(reverseApply(exact.text, file).text, join(A, noEolA));
          assertLineMapConsistent(exact, join(A, noEolA), exact.text, patchText);
          if (ours.failed.length === 0) assertLineMapConsistent(ours, input, ours.text, patchText);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(compared > 150, `compared ${compared} cases`);
    assert.ok(withFuzz > 15 && withOffset > 40 && withFailure > 20 && reversed > 30, `${withFuzz} ${withOffset} ${withFailure} ${reversed}`);
  });
});
