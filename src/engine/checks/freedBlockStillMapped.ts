// freed-block-still-mapped: the file's blocks past i_size are freed while a page still in the page
// cache has a buffer mapped to one of them. A write that failed after instantiating blocks past
// i_size (block_write_begin's get_block allocated the first, a later one failed) must truncate the
// page cache before the blocks: vmtruncate did both in that order to 2.6.31 (from 2.6.32 its
// truncate_pagecache truncates nothing when the size does not shrink), a filesystem truncate
// called directly does not. The buffer stays mapped, so the retried write's
// __block_prepare_write finds it mapped and calls no get_block, and its data goes to a block the
// allocator may hand to another file (b9a4207d5e9, 68eb3db0834: "filesystem and data corruption").
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

export const freedBlockStillMapped: Rule = {
  id: 'freed-block-still-mapped',
  check(path: PathInput): RawFinding[] {
    return eventsOf(path, 'blocks-freed')
      .filter((e) => e.stillMapped.length > 0)
      .map((e) => {
        const m = e.stillMapped;
        const which = m.map((b) => `${b.buffer} of page ${b.page} (block ${b.lblk}, disk block ${b.disk})`).join(', ');
        const message = `${e.api} frees the blocks past i_size while ${which} ${m.length === 1 ? 'is' : 'are'} still mapped to them in the page cache: a retried write finds the ${m.length === 1 ? 'buffer' : 'buffers'} mapped and calls no get_block (__block_prepare_write), writeback writes ${m.length === 1 ? 'it' : 'them'} out, into blocks the allocator may give another file (filesystem and data corruption); truncate the page cache first (truncate_inode_pages(mapping, i_size)), as ext3_truncate_failed_write (68eb3db0834) and ext4_truncate_failed_write (b9a4207d5e9) do`;
        const summary = `${e.api} frees ${m.length === 1 ? 'a block' : 'blocks'} a cached buffer still maps`;
        return at(e, 'freed-block-still-mapped', 'error', message, summary);
      });
  },
};
