// Model families of the 2008 filesystems and `kpr models`: every call on the writepage paths of
// the filesystem fixtures is bound; a journal-less file gets no reclaim-in-write-begin scenario.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, bindingsOfSource } from '../../src/engine';
import { callBindingAt } from '../../src/engine/api/bindings';
import { filesystemPhrase } from '../../src/engine/api/filesystem';
import { JOURNAL_STARTS } from '../../src/engine/models';
import { engineReady, FIXTURES } from './helpers';

const DIR = path.join(FIXTURES, 'filesystems');

describe('model families and kpr models', () => {
  before(engineReady);
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.c'));
  const read = (f: string): string => fs.readFileSync(path.join(DIR, f), 'utf8');
  it('there are filesystem fixtures', () => assert.ok(files.length >= 2));
  for (const f of files) {
    it(`${f}: no unmodelled call on a writepage path`, () => {
      const r = bindingsOfSource(fs.readFileSync(path.join(DIR, f), 'utf8'), f);
      assert.ok(r.paths.length > 0);
      const un = r.paths.flatMap((p) => p.calls.filter((c) => c.kind === 'unmodelled').map((c) => `${c.name} (line ${c.line})`));
      assert.deepEqual(un, []);
    });
  }
  for (const f of files) {
    it(`${f}: no run cut by a budget with the default budgets`, () => {
      const r = analyzeSource(fs.readFileSync(path.join(DIR, f), 'utf8'), f);
      assert.deepEqual(r.runs.filter((x) => x.truncated).map((x) => `${x.aops}/${x.caller}/${x.page}: ${x.truncation.join('; ')}`), []);
    });
  }
  for (const f of files.filter((x) => !/ext4/.test(x))) {
    it(`${f}: findings and traces name the file's own calls, never ext4's`, () => {
      const r = analyzeSource(read(f), f, { pages: ['hole-dirty', 'mapped-dirty', 'hole-clean', 'no-buffers-allocated', 'straddles-eof', 'beyond-eof'] });
      const texts = r.runs.flatMap((x) => [...x.findings.flatMap((g) => [g.message, g.summary ?? '']), ...(x.pathDetails ?? []).flatMap((p) => [p.description, ...p.trace.map((t) => t.event)])]);
      assert.ok(texts.length > 0);
      assert.deepEqual(texts.filter((t) => /\bext4_|EXT4_I\b|ext4_da_write_begin/.test(t)), []);
    });
  }
  it("ocfs2 write_begin: the kzalloc'd write context reads 0, the volume's clusters bound the loops, the empty wait list ends", () => {
    const r = analyzeSource(read('ocfs2-write-ctxt.c'), 'ocfs2-write-ctxt.c');
    const wb = r.runs.filter((x) => x.entry === 'o_write_begin');
    assert.deepEqual(wb.map((x) => x.caller).sort(), ['write-nofs', 'write-syscall']);
    // Nothing of the write context or of the wait list is a guess: no unmodelled name, no BUG.
    assert.deepEqual(r.unmodelled.map((u) => u.name), []);
    for (const x of wb) assert.deepEqual(Object.keys(x.outcomes).sort(), ['error', 'written']);
    // One cluster of 4 KiB: ocfs2_get_clusters is asked once per path, for cluster 2 (pos 8192).
    const steps = wb[0].pathDetails?.flatMap((p) => p.trace.map((t) => t.event)) ?? [];
    assert.ok(steps.some((e) => /ocfs2_get_clusters\(cluster 2\)/.test(e)), 'the cluster looked up');
  });
  it('reiserfs: the order page-then-journal learnt from write_begin over a hole; writepage fills a dirty hole under its own transaction, ended before it returns; write_begin leaves its transaction to write_end', () => {
    const text = read('reiserfs-write-full-page.c');
    const r = analyzeSource(text, 'reiserfs-write-full-page.c', { pages: ['hole-dirty', 'hole-clean'] });
    assert.equal(r.entries[0].facts.lockOrder.value, 'page-then-journal');
    assert.deepEqual(r.runs.flatMap((x) => x.findings.map((f) => `${x.caller}/${x.page}: ${f.rule}`)), []);
    const steps = (caller: string, page: string): string[] =>
      r.runs.find((x) => x.caller === caller && x.page === page)?.pathDetails?.find((p) => p.outcome === 'written')?.trace.map((t) => t.event) ?? [];
    const wp = steps('kswapd', 'hole-dirty');
    assert.ok(wp.some((e) => /reiserfs_get_block: block 9 allocated/.test(e)), 'the hole is allocated');
    assert.ok(wp.some((e) => /handle of reiserfs_get_block closed/.test(e)), 'GET_BLOCK_NO_DANGLE: the transaction is ended');
    const wb = steps('write-syscall', 'hole-clean');
    assert.ok(wb.some((e) => /left running .* for reiserfs_commit_write/.test(e)), 'block_prepare_write: the transaction dangles');
    // Nothing on the writepage path is left to a guess: the tree search and the keys are modelled.
    assert.deepEqual(bindingsOfSource(text, 'r.c').paths.flatMap((p) => p.calls.filter((c) => c.kind === 'unmodelled').map((c) => c.name)), []);
    assert.deepEqual(r.runs.filter((x) => x.truncated).map((x) => x.page), []);
  });
  it('the journal starts of every family are known (a file calling none has no journal)', () => {
    for (const n of ['ext3_journal_start', 'ext4_journal_start', 'journal_start', 'ocfs2_start_trans', 'gfs2_trans_begin', 'journal_begin']) assert.ok(JOURNAL_STARTS.has(n), n);
  });
  it('ext2: reclaim-in-write-begin does not apply, and ext2_get_blocks is bound to the allocation model', () => {
    const text = fs.readFileSync(path.join(DIR, 'ext2-nojournal.c'), 'utf8');
    const r = analyzeSource(text, 'ext2-nojournal.c');
    assert.ok(r.runs.length > 0);
    assert.deepEqual(r.runs.filter((x) => x.caller === 'reclaim-in-write-begin').map((x) => x.aops), []);
    const b = bindingsOfSource(text, 'ext2-nojournal.c');
    const call = b.paths.flatMap((p) => p.calls).find((c) => c.name === 'ext2_get_blocks');
    assert.equal(call?.kind, 'model');
  });
  it("S_ISLNK of the scenario inode is false (a regular file): ocfs2's symlink-only path is not taken", () => {
    const src = `
static int sym_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh_result, int create)
{
	BUG_ON(1);
	return 0;
}
static int s_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh_result, int create)
{
	if (S_ISLNK(inode->i_mode))
		return sym_get_block(inode, iblock, bh_result, create);
	BUG_ON(!S_ISREG(inode->i_mode));
	return 0;
}
static int s_writepage(struct page *page, struct writeback_control *wbc)
{
	return block_write_full_page(page, s_get_block, wbc);
}
static const struct address_space_operations s_aops = { .writepage = s_writepage };
`;
    const r = analyzeSource(src, 's.c');
    assert.ok(r.runs.length > 0);
    assert.deepEqual(r.runs.flatMap((x) => x.findings.filter((f) => f.rule === 'kernel-bug').map((f) => `${f.rule} line ${f.line}`)), []);
    // The regular-file branch was taken: its BUG_ON(!S_ISREG) was evaluated and held.
    assert.ok(r.runs.some((x) => x.pathDetails?.some((p) => p.trace.some((t) => /S_ISREG/.test(t.event)))));
  });

  it('the filesystem and era the file looks like, from its names, journal calls and dated interfaces', () => {
    const ext3 = analyzeSource(read('ext3-modes.c'), 'ext3-modes.c').filesystem;
    assert.equal(ext3?.name, 'ext3');
    assert.equal(ext3?.journal, 'jbd');
    // .write_begin (2.6.24 on) and __grab_cache_page (up to 2.6.28).
    assert.equal(ext3?.era, '2.6.24–2.6.28');
    assert.ok(ext3?.evidence.some((e) => /__grab_cache_page\(\) \(line \d+\) exists in versions up to 2\.6\.28/.test(e.why)));
    assert.equal(filesystemPhrase(ext3!), 'looks like ext3 (jbd journal), Linux 2.6.24–2.6.28');
    const ext2 = analyzeSource(read('ext2-nojournal.c'), 'ext2-nojournal.c').filesystem;
    assert.deepEqual([ext2?.name, ext2?.journal], ['ext2', 'none']);
    const gfs2 = analyzeSource(read('gfs2-jdata.c'), 'gfs2-jdata.c').filesystem;
    assert.deepEqual([gfs2?.name, gfs2?.journal, gfs2?.era], ['gfs2', 'gfs2 log', 'unknown (no dated interface used)']);
    const sample = analyzeSource(fs.readFileSync(path.join(FIXTURES, 'sample', 'inode.c'), 'utf8'), 'inode.c').filesystem;
    assert.deepEqual([sample?.name, sample?.journal], ['ext4', 'jbd2']);
    // ocfs2 runs over jbd up to 2.6.27 and jbd2 from 2.6.28: decided by the era when it is known.
    const ocfs2New = analyzeSource(`
static int o_writepage(struct page *page, struct writeback_control *wbc) { return block_write_full_page(page, o_get_block, wbc); }
static int o_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh, int create) { return 0; }
static int o_write_begin(struct file *file, struct address_space *mapping, loff_t pos, unsigned len, unsigned flags, struct page **pagep, void **fsdata)
{
	handle_t *handle = ocfs2_start_trans(OCFS2_SB(mapping->host->i_sb), 2);
	struct page *page = grab_cache_page_write_begin(mapping, pos >> PAGE_CACHE_SHIFT, flags | AOP_FLAG_NOFS);
	*pagep = page;
	return 0;
}
const struct address_space_operations ocfs2_aops = { .writepage = o_writepage, .write_begin = o_write_begin, .error_remove_page = generic_error_remove_page };
`, 'o.c').filesystem;
    assert.deepEqual([ocfs2New?.journal, ocfs2New?.eraFrom], ['jbd2', '2.6.32']);
  });

  it('the binding of a call, as the hover shows it, is the one kpr models lists', () => {
    const text = read('ext3-modes.c');
    const r = analyzeSource(text, 'ext3-modes.c');
    const lines = text.split('\n');
    const at = (callee: string, after: string): ReturnType<typeof callBindingAt> => {
      const from = lines.findIndex((l) => l.includes(after));
      const i = lines.findIndex((l, k) => k > from && l.includes(`${callee}(`));
      return callBindingAt(r, callee, i + 1, lines[i].indexOf(callee) + 1);
    };
    const start = at('ext3_journal_start', 'static int ext3_ordered_writepage');
    assert.equal(start?.binding.kind, 'model');
    assert.equal(start?.binding.family, 'journal');
    assert.deepEqual(start?.paths, ['ext3_ordered_aops → ext3_ordered_writepage']);
    const walk = at('walk_page_buffers', 'static int ext3_ordered_writepage');
    assert.equal(walk?.binding.kind, 'function');
    const models = bindingsOfSource(text, 'ext3-modes.c').paths.flatMap((p) => p.calls);
    for (const b of [start!.binding, walk!.binding]) assert.ok(models.some((c) => c.name === b.name && c.line === b.line && c.kind === b.kind), b.name);
    // ext3_get_blocks_handle is defined nowhere here, and would be preferred over a definition.
    const map = at('ext3_get_blocks_handle', 'static int ext3_get_block');
    assert.equal(map?.binding.kind, 'model');
    assert.match(map?.binding.doc ?? '', /ext3 block mapping/);
    // A call of no writepage path is bound too (write_begin's).
    const grab = at('__grab_cache_page', 'static int ext3_write_begin');
    assert.deepEqual([grab?.binding.kind, grab?.paths], ['model', []]);
  });

  it("reclaim-in-write-begin: the seed's ext4 default is not assumed for another filesystem's table without write_begin", () => {
    const src = (start: string, get: string): string => `
static int f_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh, int create)
{
	${start};
	return ${get}(inode, iblock, bh, create);
}
static int f_writepage(struct page *page, struct writeback_control *wbc) { return block_write_full_page(page, f_get_block, wbc); }
static const struct address_space_operations f_aops = { .writepage = f_writepage };
`;
    const gfs2 = analyzeSource(src('gfs2_trans_begin(GFS2_SB(inode), 1, 0)', 'gfs2_block_map'), 'g.c');
    assert.equal(gfs2.entries[0].reclaimInWriteBegin?.applicable, false);
    assert.match(gfs2.entries[0].reclaimInWriteBegin?.note ?? '', /not ext4's \(gfs2_trans_begin/);
    assert.ok(!gfs2.runs.some((x) => x.caller === 'reclaim-in-write-begin'));
    const ext4 = analyzeSource(src('ext4_journal_start(inode, 1)', 'ext4_get_block'), 'e.c');
    assert.equal(ext4.entries[0].reclaimInWriteBegin?.applicable, true);
    assert.ok(ext4.runs.some((x) => x.caller === 'reclaim-in-write-begin'));
  });

  it('find_or_create_page with GFP_NOFS under a handle: reclaim cannot re-enter ->writepage; ocfs2_jbd2_file_inode: the jbd2 commit caller runs', () => {
    const src = (gfp: string): string => `
static int o_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh, int create) { return 0; }
static int o_writepage(struct page *page, struct writeback_control *wbc) { return block_write_full_page(page, o_get_block, wbc); }
static int o_write_begin(struct file *file, struct address_space *mapping, loff_t pos, unsigned len, unsigned flags, struct page **pagep, void **fsdata)
{
	struct inode *inode = mapping->host;
	handle_t *handle = ocfs2_start_trans(OCFS2_SB(inode->i_sb), 8);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	ocfs2_jbd2_file_inode(handle, inode);
	*pagep = find_or_create_page(mapping, pos >> PAGE_CACHE_SHIFT, ${gfp});
	return 0;
}
const struct address_space_operations o_aops = { .writepage = o_writepage, .write_begin = o_write_begin };
`;
    const nofs = analyzeSource(src('GFP_NOFS'), 'o.c');
    assert.equal(nofs.entries[0].reclaimInWriteBegin?.applicable, false);
    assert.equal(nofs.entries[0].facts.orderedData.value, 'inode');
    assert.deepEqual([...new Set(nofs.runs.map((x) => x.caller))].filter((c) => !c.startsWith('write-')).sort(), ['jbd2-commit', 'kswapd']);
    const fsok = analyzeSource(src('GFP_KERNEL'), 'o.c');
    assert.equal(fsok.entries[0].reclaimInWriteBegin?.applicable, true);
  });
});
