// The one list of stable ids: rules, callers and page states. The engine, the settings schema
// check, both webview protocols and the webviews import these; docs/rules.md explains each.

export const RULE_IDS = [
  'journal-start-under-page-lock',
  'alloc-under-page-lock',
  'foreign-credits',
  'credits-exhausted',
  'kernel-bug',
  'page-lock-contract',
  'dirty-data-dropped',
  'io-on-unmapped-buffer',
  'fs-reclaim-under-handle',
  'writeback-no-progress',
  'invalidate-leaves-dirty-buffer',
  'sleep-in-atomic',
  'freed-block-still-mapped',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const CALLER_IDS = ['da-writepages', 'jbd2-commit', 'kswapd', 'reclaim-in-write-begin', 'write-syscall', 'write-nofs', 'caller-handle', 'page-fault', 'background-writeback', 'sync-writeback', 'truncate-pagecache', 'kswapd-releasepage', 'reclaim-releasepage-in-write-begin', 'zap-pte-set-page-dirty'] as const;
export type CallerId = (typeof CALLER_IDS)[number];
/**
 * The callers run only when asked for by id: the releasepage callers, whose gfs2 runs fork on every
 * buffer's bufdata (b_private, bd_ail, its log list, pinned) and are cut by the path budget on a
 * page of four buffers until paths with equal states are merged (issue #13).
 */
export const OPT_IN_CALLER_IDS: readonly CallerId[] = ['kswapd-releasepage', 'reclaim-releasepage-in-write-begin'];
/** The callers a scenario run uses when none are listed. */
export const DEFAULT_CALLER_IDS: readonly CallerId[] = CALLER_IDS.filter((c) => !OPT_IN_CALLER_IDS.includes(c));

export const PAGE_STATE_IDS = ['mapped-dirty', 'delayed-dirty', 'hole-clean', 'no-buffers-allocated', 'straddles-eof', 'beyond-eof', 'hole-dirty', 'delayed-and-mapped', 'stale-blocknr', 'unwritten-dirty', 'extended-after-fault', 'write-past-eof'] as const;
export type PageStateId = (typeof PAGE_STATE_IDS)[number];
/**
 * The page states run only when asked for by id: hole-dirty and stale-blocknr, whose dirty
 * unmapped buffer inside i_size a file without ->page_mkwrite reaches only if no ->page_mkwrite in
 * another file fills the hole first. That premise is a guess of every path (pages.ts premise), so
 * their findings are warnings; run by default they put one on nearly every writepage of such a file.
 * extended-after-fault (a file with ->page_mkwrite, a truncate extending it after a write fault):
 * its data loss holds on every writepage of the era (the VFS write-protected the page only from
 * 3.18's pagecache_isize_extended), so by default it would be one more error on every ext4 file.
 * write-past-eof (an appending write(2), run by write-syscall only): it finds the freed blocks a
 * failed write leaves mapped (68eb3db0834 in ext3 of 2.6.32, b9a4207d5e9 in ext4 of 2.6.31-2.6.32),
 * within budget on real ext3/ext4 since ext*_mark_inode_dirty and ext*_truncate are modelled, but
 * its runs cost about as much as the file's default runs together (ext4 inode.c of 2.6.32) and its
 * other findings are not reviewed yet (BUG_ON(phys == 0) in ocfs2_populate_write_desc on a volume
 * without sparse files, whose extension ocfs2_expand_nonsparse_inode allocates outside the block
 * map; ext2 of 2.6.36 still cut, its ext2_truncate_blocks walking i_data).
 */
export const OPT_IN_PAGE_STATE_IDS: readonly PageStateId[] = ['hole-dirty', 'stale-blocknr', 'extended-after-fault', 'write-past-eof'];
/** The page states a scenario run uses when none are listed. */
export const DEFAULT_PAGE_STATE_IDS: readonly PageStateId[] = PAGE_STATE_IDS.filter((s) => !OPT_IN_PAGE_STATE_IDS.includes(s));

export function isRuleId(s: string): s is RuleId {
  return (RULE_IDS as readonly string[]).includes(s);
}
export function isCallerId(s: string): s is CallerId {
  return (CALLER_IDS as readonly string[]).includes(s);
}
export function isPageStateId(s: string): s is PageStateId {
  return (PAGE_STATE_IDS as readonly string[]).includes(s);
}
