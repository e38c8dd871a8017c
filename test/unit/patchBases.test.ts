// Binding bases to a patch's files by path, cutting an mbox into patches, moved-function identity.
import * as assert from 'node:assert/strict';
import { analyzeSource, compareResults } from '../../src/engine';
import { bindBases, splitSeries } from '../../src/engine/patch';
import { engineReady, sample } from './helpers';

describe('patch bases, series and moved functions', () => {
  before(engineReady);

  it('binds by the longest trailing path, then by basename; never by position', () => {
    const files = ['fs/ext4/ext4.h', 'fs/ext4/balloc.c', 'fs/ext4/inode.c', 'fs/ext3/inode.c'];
    const b = bindBases(files, ['/tmp/linux/fs/ext4/inode.c', 'ext4.h']);
    assert.deepEqual([...b.bound], [['fs/ext4/inode.c', '/tmp/linux/fs/ext4/inode.c'], ['fs/ext4/ext4.h', 'ext4.h']]);
    assert.deepEqual(b.unbound, []);
    const amb = bindBases(files, ['inode.c']);
    assert.match(amb.unbound[0].reason, /ambiguous: it matches fs\/ext4\/inode\.c and fs\/ext3\/inode\.c/);
    assert.match(bindBases(files, ['super.c']).unbound[0].reason, /no file of the patch/);
    assert.match(bindBases(files, ['a/ext4/inode.c', 'b/ext4/inode.c']).unbound[0].reason, /already has the base/);
  });

  it('cuts an mbox at its From lines and git log -p output at its commit lines; one patch stays whole', () => {
    const one = 'From 1234567890123456789012345678901234567890 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] a\n\n---\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n';
    assert.equal(splitSeries(one).length, 1);
    assert.equal(splitSeries(one)[0].commit, '1234567890123456789012345678901234567890');
    const two = splitSeries(`${one}${one.replace(/1234567890/g, 'abcdefabcd')}`);
    assert.deepEqual(two.map((p) => [p.line, p.commit?.slice(0, 10)]), [[1, '1234567890'], [11, 'abcdefabcd']]);
    const log = `commit ${'a'.repeat(40)}\nAuthor: x\n\n    one\n\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\ncommit ${'b'.repeat(40)}\nAuthor: x\n\n    two\n\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-b\n+c\n`;
    assert.equal(splitSeries(log).length, 2);
  });

  it('a renamed function keeps its findings (unchanged, moved from F); without the texts it is fixed + introduced', () => {
    const pre = sample('inode.c');
    const post = pre.replace(/\bext4_da_get_block_write\b/g, 'ext4_da_map_blocks');
    const o = { budgets: { timePerFileMs: 600_000 } }; // no wall-clock cut on a loaded machine
    const a = analyzeSource(pre, 'pre.c', o);
    const b = analyzeSource(post, 'post.c', o);
    const plain = compareResults(a, b);
    assert.ok(plain.changes.some((c) => c.status === 'fixed' && c.function === 'ext4_da_get_block_write'));
    const moved = compareResults(a, b, { pre, post });
    const fc = moved.changes.filter((c) => c.rule === 'foreign-credits');
    assert.ok(fc.length > 0 && fc.every((c) => c.status === 'unchanged' && c.movedFrom === 'ext4_da_get_block_write' && c.function === 'ext4_da_map_blocks'));
    assert.ok(!moved.changes.some((c) => c.status !== 'unchanged'), JSON.stringify(moved.changes.filter((c) => c.status !== 'unchanged').map((c) => `${c.status} ${c.rule} ${c.function}`)));
    // A function replaced by an unrelated body is not "moved".
    const other = pre.replace(/static int ext4_da_get_block_write\([^]*?\n}\n/, 'static int ext4_da_unrelated(int x)\n{\n\treturn x * 2 + 1;\n}\n');
    const c = compareResults(a, analyzeSource(other, 'o.c', o), { pre, post: other });
    assert.ok(!c.changes.some((x) => x.movedFrom));
  });
});
