// What each rule says, for SARIF's reportingDescriptors (short, full, help) and their absolute
// help links into docs/rules.md. Kept in step with docs/rules.md by test/unit/sarif.test.ts.
import type { RuleId } from '../engine';

export const PROJECT_URI = 'https://example.invalid/kernel-patch-reasoner';
export const RULES_DOC_URI = `${PROJECT_URI}/blob/main/docs/rules.md`;

export interface RuleDoc {
  name: string;
  short: string;
  full: string;
}

export const RULE_DOCS: Record<RuleId, RuleDoc> = {
  'journal-start-under-page-lock': {
    name: 'JournalStartUnderPageLock',
    short: 'A journal handle is started while the page is locked.',
    full: 'A journal handle (ext4_journal_start, jbd2_journal_start) is started while the page handed to ->writepage is locked and the task holds no handle. ext4 orders journal_start before lock_page; starting a handle under the page lock can wait for a commit that waits for this page.',
  },
  'alloc-under-page-lock': {
    name: 'AllocUnderPageLock',
    short: 'A block is allocated under the page lock in a writepage path.',
    full: 'The allocation primitive is called with create != 0 for a hole or a delayed block while the page is locked. A warning when the caller\'s own handle pays for it, an error otherwise: the allocation needs a handle started under the lock or credits reserved by another operation.',
  },
  'foreign-credits': {
    name: 'ForeignCredits',
    short: 'Journal credits reserved by another operation are spent.',
    full: 'Credits are spent from a handle that another operation started and sized for its own updates, such as the 1-credit handle of ext4_da_write_begin when direct reclaim enters ->writepage: the allocation can exhaust them.',
  },
  'credits-exhausted': {
    name: 'CreditsExhausted',
    short: 'A journal handle runs out of credits: jbd2\'s J_ASSERT fires.',
    full: 'A handle is asked for more credits than it has left. jbd2 asserts h_buffer_credits > 0 when a buffer joins the transaction: running out of credits is a kernel BUG, not an error return.',
  },
  'kernel-bug': {
    name: 'KernelBug',
    short: 'A BUG_ON, BUG, J_ASSERT or page_buffers() on a page without buffers is reachable.',
    full: 'An assertion of the file or of a kernel primitive fires on an explored path, for example page_buffers() on a page whose buffer_heads were stripped (its own BUG_ON(!PagePrivate(page))).',
  },
  'page-lock-contract': {
    name: 'PageLockContract',
    short: '->writepage returns with the page locked, or unlocks it twice.',
    full: '->writepage is called with the page locked and must unlock it exactly once on every path. A page left locked hangs every later lock_page; a second unlock_page is a BUG.',
  },
  'dirty-data-dropped': {
    name: 'DirtyDataDropped',
    short: 'Dirty data is neither submitted nor redirtied when ->writepage returns.',
    full: 'When ->writepage returns, a block of the page holds dirty data that was neither submitted for write I/O nor journalled, and the page was not redirtied: nothing will write that data again.',
  },
  'io-on-unmapped-buffer': {
    name: 'IoOnUnmappedBuffer',
    short: 'Write I/O is submitted for an unmapped or delayed buffer.',
    full: 'Write I/O is submitted for a buffer that does not point at an allocated block (unmapped, still delayed, or carrying the placeholder block number of delayed allocation): the data goes to whatever block the stale b_blocknr names.',
  },
  'fs-reclaim-under-handle': {
    name: 'FsReclaimUnderHandle',
    short: 'Memory that may enter file-system reclaim is allocated while the task holds a journal handle.',
    full: 'A page cache page, page or slab object is allocated with __GFP_FS (grab_cache_page, __grab_cache_page, grab_cache_page_write_begin without AOP_FLAG_NOFS, GFP_KERNEL...) while the task holds a journal handle: direct reclaim may call ->writepage inside that handle, which then spends credits reserved for another update, or deadlocks on the journal.',
  },
  'writeback-no-progress': {
    name: 'WritebackNoProgress',
    short: 'A page is redirtied on every writeback attempt and never written.',
    full: 'Under every caller that runs ->writepage on this page state, every path redirties the page and submits nothing, with no guess and no injected failure: nothing changes between attempts, so the page stays dirty forever (sync and fsync wait on it, reclaim cannot free it).',
  },
  'invalidate-leaves-dirty-buffer': {
    name: 'InvalidateLeavesDirtyBuffer',
    short: '->invalidatepage leaves a dirty buffer past the truncation offset.',
    full: 'truncate calls ->invalidatepage(page, offset) before it frees the blocks past the new i_size; do_invalidatepage must leave no dirty buffer outside the offset (mm/truncate.c). A buffer left dirty is written by later writeback into a block the file no longer owns. A buffer the committing transaction still owns (BH_Freed) is left to the commit and is not reported.',
  },
  'sleep-in-atomic': {
    name: 'SleepInAtomic',
    short: 'An entry called under a spinlock calls something that may sleep.',
    full: '->set_page_dirty is called by zap_pte_range with the pte lock held and the page unlocked: lock_page, a journal start, or an allocation whose mask has __GFP_WAIT may schedule there (scheduling while atomic). An allocation whose mask is unknown is a warning.',
  },
  'freed-block-still-mapped': {
    name: 'FreedBlockStillMapped',
    short: 'Blocks past i_size are freed while a cached buffer is still mapped to one of them.',
    full: 'A write that fails after instantiating blocks past i_size must truncate the page cache before freeing the blocks, as vmtruncate did to 2.6.31 (truncate_inode_pages, then ->truncate; from 2.6.32 it truncates nothing when the size does not shrink). A filesystem truncate called directly frees the blocks and leaves the page\'s buffers mapped: the retried write finds them mapped and calls no get_block, and their data is written into blocks the allocator may give to another file.',
  },
};

export function ruleHelpUri(rule: string): string {
  return `${RULES_DOC_URI}#${rule}`;
}
