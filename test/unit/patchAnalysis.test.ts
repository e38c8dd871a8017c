// Both sides of a patch: verdicts fixed / introduced / unchanged, identities across line shifts,
// findings placed on the patch's own lines, a hunk that does not apply.
import * as assert from 'node:assert/strict';
import { analyzePatch, analyzeSource, compareResults, mentionedFunctions } from '../../src/engine';
import { main } from '../../src/cli/main';
import { engineReady, fixture, ROOT, sample } from './helpers';
import * as path from 'node:path';
import * as fs from 'node:fs';

const PATCH = fs.readFileSync(path.join(ROOT, 'sample', 'handle-page-without-buffers.patch'), 'utf8');

describe('patch reasoning', () => {
  before(engineReady);

  it('the seed-shaped patch fixes the foreign-credit and BUG findings and places them on its - lines', () => {
    const r = analyzePatch(PATCH, () => ({ text: sample('inode.c'), side: 'pre', name: 'inode.c' }));
    assert.deepEqual(r.problems, []);
    assert.equal(r.subject, 'ext4: Handle page without buffers in ext4_*_writepage()');
    assert.ok(r.mentionedFunctions.includes('ext4_da_writepage'));
    const changes = r.files[0].changes;
    const fixed = changes.filter((c) => c.status === 'fixed');
    const foreign = fixed.find((c) => c.rule === 'foreign-credits' && c.aops === 'ext4_da_aops' && c.caller === 'reclaim-in-write-begin' && c.page === 'delayed-dirty');
    assert.ok(foreign, 'foreign-credits fixed');
    assert.ok(foreign.patchLine && PATCH.split('\n')[foreign.patchLine - 1].startsWith('-'), 'fixed finding sits on a - line of the patch');
    assert.ok(fixed.some((c) => c.rule === 'kernel-bug' && c.page === 'no-buffers-allocated'));
    assert.ok(fixed.some((c) => c.rule === 'kernel-bug' && c.page === 'hole-clean'));
    // What the patch introduces as an error: only the no-buffers data loss the upstream follow-up fixed with block_commit_write().
    const introduced = changes.filter((c) => c.status === 'introduced');
    const errors = introduced.filter((c) => c.severity === 'error');
    assert.deepEqual([...new Set(errors.map((c) => `${c.rule}/${c.page}`))], ['dirty-data-dropped/no-buffers-allocated']);
    for (const c of errors) assert.ok(c.patchLine && PATCH.split('\n')[c.patchLine - 1].startsWith('+'));
    // And a warning: __ext4_journalled_writepage now unlocks the page before it starts the journal,
    // so a journal start failing with -ENOMEM (GFP_NOFS handle allocation) drops the data.
    assert.ok(introduced.filter((c) => c.severity === 'warning').every((c) => c.rule === 'dirty-data-dropped' && /-ENOMEM/.test(c.message)));
  });

  it('gives the same verdicts from the post-image (reverse apply)', () => {
    const a = analyzePatch(PATCH, () => ({ text: sample('inode.c'), side: 'pre', name: 'inode.c' }));
    const b = analyzePatch(PATCH, () => ({ text: sample('inode-fixed.c'), side: 'post', name: 'inode.c' }));
    const key = (r: typeof a) => r.files[0].changes.map((c) => `${c.status}|${c.rule}|${c.aops}|${c.caller}|${c.page}|${c.anchor}`).sort();
    assert.deepEqual(key(b), key(a));
  });

  it('keeps a finding identity across line shifts (unchanged, not fixed + introduced)', () => {
    const pre = sample('inode.c');
    const shifted = pre.replace('#include <linux/fs.h>', '#include <linux/fs.h>\n/* one */\n/* two */\n/* three */');
    const d = compareResults(analyzeSource(pre, 'a.c'), analyzeSource(shifted, 'b.c'));
    assert.ok(d.changes.length > 0);
    assert.ok(d.changes.every((c) => c.status === 'unchanged'), JSON.stringify(d.changes.filter((c) => c.status !== 'unchanged').slice(0, 2)));
    const f = d.changes.find((c) => c.rule === 'foreign-credits');
    assert.equal((f?.postLine ?? 0) - (f?.preLine ?? 0), 3);
  });

  it('keeps a finding whose responsible call the change renames (unchanged with anchorFrom), and fixes what the new call fixes', () => {
    const pre = fixture('lock-order/journal-then-page.c');
    // 54566b2c159's shape: __grab_cache_page(mapping, index) became grab_cache_page_write_begin(mapping, index, flags).
    const renamed = pre.replace('__grab_cache_page(mapping, pos >> PAGE_CACHE_SHIFT)', 'grab_cache_page_write_begin(mapping, pos >> PAGE_CACHE_SHIFT, flags)');
    assert.notEqual(renamed, pre);
    const d = compareResults(analyzeSource(pre, 'a.c'), analyzeSource(renamed, 'b.c'));
    const reclaim = d.changes.filter((c) => c.rule === 'fs-reclaim-under-handle');
    assert.ok(reclaim.length > 0);
    for (const c of reclaim) assert.deepEqual([c.status, c.anchor, c.anchorFrom], ['unchanged', 'grab_cache_page_write_begin#0', '__grab_cache_page#0'], JSON.stringify(c));
    // With AOP_FLAG_NOFS in flags the new call allocates without __GFP_FS: a real fix, not a rename.
    const nofs = pre.replace('__grab_cache_page(mapping, pos >> PAGE_CACHE_SHIFT)', 'grab_cache_page_write_begin(mapping, pos >> PAGE_CACHE_SHIFT, flags | AOP_FLAG_NOFS)');
    const e = compareResults(analyzeSource(pre, 'a.c'), analyzeSource(nofs, 'b.c'));
    const after = e.changes.filter((c) => c.rule === 'fs-reclaim-under-handle');
    assert.ok(after.length > 0 && after.every((c) => c.status === 'fixed' && c.anchorFrom === undefined), JSON.stringify(after));
  });

  it('reports a hunk that does not apply, located in the patch, and analyses the rest', () => {
    const broken = PATCH.replace('-\tBUG_ON(handle == NULL);', '-\tBUG_ON(handle == NOT_THERE);');
    const r = analyzePatch(broken, () => ({ text: sample('inode.c'), side: 'pre', name: 'inode.c' }));
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0].message, /hunk #\d+ .*does not apply/);
    assert.ok(r.problems[0].line > 20);
    assert.ok(r.files[0].changes.some((c) => c.status === 'fixed' && c.rule === 'kernel-bug'));
  });

  it('skips non-C files and says why', () => {
    const multi = `diff --git a/Documentation/x.txt b/Documentation/x.txt\n--- a/Documentation/x.txt\n+++ b/Documentation/x.txt\n@@ -1 +1 @@\n-a\n+b\n${PATCH.slice(PATCH.indexOf('diff --git'))}`;
    const r = analyzePatch(multi, (f) => (f.newPath.endsWith('.c') ? { text: sample('inode.c'), side: 'pre', name: 'inode.c' } : null));
    assert.deepEqual(r.skipped, [{ path: 'Documentation/x.txt', reason: 'not a C file' }]);
    assert.equal(r.files.length, 1);
  });

  it('expands globs of the commit message against the file', () => {
    assert.deepEqual(mentionedFunctions('we change ext4_*_write_page and walk_page_buffers()', ['ext4_da_writepage', 'ext4_normal_writepage', 'walk_page_buffers', 'other']).sort(), ['ext4_da_writepage', 'ext4_normal_writepage', 'walk_page_buffers']);
  });

  it('kpr patch / kpr diff: JSON with pre, post and changes; exit 2 on a patch with nothing to analyse', async () => {
    let out = '';
    const code = await main(['patch', path.join(ROOT, 'sample/handle-page-without-buffers.patch'), '--base', path.join(ROOT, 'sample/inode.c'), '--json'], (s) => (out += s), () => undefined);
    assert.equal(code, 1);
    const doc = JSON.parse(out);
    assert.ok(doc.pre && doc.post && Array.isArray(doc.changes));
    for (const k of ['status', 'rule', 'aops', 'entry', 'caller', 'page', 'function', 'preLine', 'postLine']) assert.ok(k in doc.changes[0], k);
    out = '';
    const d = await main(['diff', path.join(ROOT, 'sample/inode.c'), path.join(ROOT, 'sample/inode-fixed.c')], (s) => (out += s), () => undefined);
    assert.equal(d, 1);
    assert.match(out, /inode\.c:167: info: fixed: .*was error in ext4_da_get_block_write.*\[foreign-credits\]/);
    let err = '';
    const bad = await main(['patch', path.join(ROOT, 'sample/inode.c'), '--base', path.join(ROOT, 'sample/inode.c')], () => undefined, (s) => (err += s));
    assert.equal(bad, 2);
    const usage = await main(['patch', path.join(ROOT, 'sample/handle-page-without-buffers.patch')], () => undefined, (s) => (err += s));
    assert.equal(usage, 2);
    assert.match(err, /patch needs a base: --base FILE\.c/);
  });
});
