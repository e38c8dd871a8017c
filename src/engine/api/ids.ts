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
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const CALLER_IDS = ['da-writepages', 'jbd2-commit', 'kswapd', 'reclaim-in-write-begin', 'write-syscall', 'write-nofs', 'caller-handle', 'page-fault', 'background-writeback', 'sync-writeback', 'truncate-pagecache', 'kswapd-releasepage', 'reclaim-releasepage-in-write-begin', 'zap-pte-set-page-dirty'] as const;
export type CallerId = (typeof CALLER_IDS)[number];
/**
 * The callers run only when asked for by id (their findings on real files are not all verified):
 * truncate-pagecache (ext4 2.6.27-32's ext4_da_release_space BUG_ON on i_reserved_meta_blocks,
 * which the scenario's delayed states do not reserve; reiserfs_invalidatepage), the releasepage
 * callers (more gfs2 runs cut by the path budget), zap-pte-set-page-dirty (the sample's journalled
 * table defines ->set_page_dirty; the panel's tests of the sample do not have its row yet).
 */
export const OPT_IN_CALLER_IDS: readonly CallerId[] = ['truncate-pagecache', 'kswapd-releasepage', 'reclaim-releasepage-in-write-begin', 'zap-pte-set-page-dirty'];
/** The callers a scenario run uses when none are listed. */
export const DEFAULT_CALLER_IDS: readonly CallerId[] = CALLER_IDS.filter((c) => !OPT_IN_CALLER_IDS.includes(c));

export const PAGE_STATE_IDS = ['mapped-dirty', 'delayed-dirty', 'hole-clean', 'no-buffers-allocated', 'straddles-eof', 'beyond-eof', 'hole-dirty', 'delayed-and-mapped', 'stale-blocknr', 'unwritten-dirty'] as const;
export type PageStateId = (typeof PAGE_STATE_IDS)[number];
/**
 * The page states run only when asked for by id: their findings on real files are not all
 * verified (hole-dirty, stale-blocknr: ocfs2 and reiserfs errors where ->page_mkwrite is in another
 * file; unwritten-dirty: fixtures not reviewed). The others run by default.
 */
export const OPT_IN_PAGE_STATE_IDS: readonly PageStateId[] = ['hole-dirty', 'stale-blocknr', 'unwritten-dirty'];
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
