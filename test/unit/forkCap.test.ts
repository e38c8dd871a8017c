// A loop over unknown bounds (ext2_free_data's `for ( ; p < q ; p++)` over block pointers the
// scenario does not know) forks on every turn. Past FORKS_PER_PATH a path queues no alternative;
// its loop conditions then take the exit, so the path ends and its outcome counts, rather than
// turning until the step budget cuts it.
import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../src/engine';
import { FORKS_PER_PATH } from '../../src/engine/interp/explorer';
import { engineReady } from './helpers';

const SOURCE = `
#include <linux/buffer_head.h>

static int fc_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh_result, int create)
{
	map_bh(bh_result, inode->i_sb, iblock);
	return 0;
}

static void fc_free_data(struct inode *inode, unsigned int *p, unsigned int *q)
{
	for ( ; p < q; p++) {
		if (*p)
			fc_count(inode);
	}
}

static int fc_writepage(struct page *page, struct writeback_control *wbc)
{
	struct inode *inode = page->mapping->host;
	unsigned int *p = fc_first(inode);

	fc_free_data(inode, p, p + inode->i_blocks);
	return block_write_full_page(page, fc_get_block, wbc);
}

static const struct address_space_operations fc_aops = {
	.writepage	= fc_writepage,
};
`;

describe('the fork cap on a loop over unknown bounds', () => {
  before(engineReady);
  it('a path past the cap leaves the loop and returns: no step-budget cut, every path written', () => {
    const r = analyzeSource(SOURCE, 'fork-cap.c', { callers: ['kswapd'], pages: ['mapped-dirty'], budgets: { pathsPerRun: 8 } });
    const run = r.runs.find((x) => x.aops === 'fc_aops')!;
    assert.ok(run, 'the table runs');
    assert.ok(run.truncation.some((t) => new RegExp(`forked more than ${FORKS_PER_PATH} times.*a loop whose condition is unknown exits`).test(t)), run.truncation.join('\n'));
    assert.ok(!run.truncation.some((t) => /step budget/.test(t)), run.truncation.join('\n'));
    assert.equal(run.outcomes.written, run.paths, JSON.stringify(run.outcomes));
  });
});
