// Callers and page states as the user picks them, with the engine's own titles. The engine
// does not export its scenario definitions through src/engine/index.ts yet, so the titles are
// repeated here; test/unit/extensionModel.test.ts fails if they drift from
// src/engine/scenarios/{callers,pages}.ts.
import type { CallerId, PageStateId } from '../engine';

export const CALLER_TITLES: Record<CallerId, { title: string; chain: string }> = {
  'da-writepages': {
    title: 'delalloc writeback with its own handle',
    chain: 'ext4_da_writepages → mpage_da_writepages → write_cache_pages → ->writepage',
  },
  'jbd2-commit': {
    title: 'ordered-mode journal commit, no handle',
    chain: 'kjournald2 → jbd2_journal_commit_transaction → journal_submit_inode_data_buffers → generic_writepages → ->writepage',
  },
  kswapd: {
    title: 'memory reclaim by kswapd/pdflush, no handle',
    chain: 'kswapd → shrink_page_list → pageout → ->writepage',
  },
  'reclaim-in-write-begin': {
    title: 'direct reclaim inside write_begin, holding its 1-credit handle',
    chain: 'ext4_da_write_begin (handle, 1 credit) → __grab_cache_page → alloc_pages → try_to_free_pages → shrink_page_list → pageout → ->writepage',
  },
};

export const PAGE_TITLES: Record<PageStateId, string> = {
  'mapped-dirty': 'one 4 KiB block, allocated, buffer mapped and dirty',
  'delayed-dirty': 'one 4 KiB block reserved by delayed allocation: buffer delayed, mapped to no block, dirty',
  'hole-clean': '1 KiB blocks: block 9 a clean unmapped hole inside i_size, blocks 8, 10, 11 mapped and dirty',
  'no-buffers-allocated': 'buffer_heads stripped after writeout, page redirtied through mmap; 1 KiB blocks, all allocated, data dirty',
  'straddles-eof':
    'last page of the file, written through mmap: i_size ends 2.5 KiB into it; 1 KiB blocks 8-10 mapped and dirty, block 11 beyond EOF unmapped',
  'beyond-eof': 'page wholly beyond i_size after a racing truncate; buffer mapped and dirty',
};
