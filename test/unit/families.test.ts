// Model families of the 2008 filesystems and `kpr models`: every call on the writepage paths of
// the filesystem fixtures is bound; a journal-less file gets no reclaim-in-write-begin scenario.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, bindingsOfSource } from '../../src/engine';
import { JOURNAL_STARTS } from '../../src/engine/models';
import { engineReady, FIXTURES } from './helpers';

const DIR = path.join(FIXTURES, 'filesystems');

describe('model families and kpr models', () => {
  before(engineReady);
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.c'));
  it('there are filesystem fixtures', () => assert.ok(files.length >= 2));
  for (const f of files) {
    it(`${f}: no unmodelled call on a writepage path`, () => {
      const r = bindingsOfSource(fs.readFileSync(path.join(DIR, f), 'utf8'), f);
      assert.ok(r.paths.length > 0);
      const un = r.paths.flatMap((p) => p.calls.filter((c) => c.kind === 'unmodelled').map((c) => `${c.name} (line ${c.line})`));
      assert.deepEqual(un, []);
    });
  }
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
});
