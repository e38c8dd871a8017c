// alloc-under-page-lock: a block is allocated while the page is locked in a writepage path.
// A warning when the caller's own writeback handle pays for it (delalloc writeback), an error otherwise.
// In a file that locks the page before it starts the journal (ext3, ext4 ≤ 2.6.26) and orders data
// by buffers, ->writepage may start its own handle under the page lock and allocate with it: that
// is the file's design, not a finding. In a file that makes no journal call at all (ext2), an
// allocation takes no handle: there is no journal lock to order against the page lock and no credit
// to spend, and block_write_full_page filling a dirty hole through get_block(create=1) is how such a
// file writes an mmap'ed hole (v2.6.27 fs/ext2/inode.c ext2_writepage): not a finding either.
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

export const allocUnderPageLock: Rule = {
  id: 'alloc-under-page-lock',
  check(path: PathInput): RawFinding[] {
    if (!path.facts.journal.value) return [];
    const consistent = path.facts.fileLockOrder === 'page-then-journal' && path.facts.orderedData !== 'inode';
    return eventsOf(path, 'alloc')
      .filter((e) => e.pageLocked && !(consistent && e.handle?.startedInPath))
      .map((e) => {
        const own = e.handle?.paysForWriteback ?? false;
        // A handle started on this path under the page lock spends no credits another operation
        // reserved; what is left against it is the lock order, and in a file whose order could not
        // be learned (reiserfs: its write_begin starts the journal only inside get_block) that
        // premise is unknown: a warning that says so.
        const orderUnknown = !own && !!e.handle?.startedInPath && path.facts.fileLockOrder === 'unknown';
        const payer = e.handle ? `the handle of ${e.handle.owner} (${e.handle.purpose})` : 'no journal handle';
        const what = e.convert ? `converts the unwritten extent of block ${e.block}` : `allocates block ${e.block}`;
        const why = own ? '' : orderUnknown
          ? '; its handle was started on this path, under the page lock, which is wrong only in a file whose journal is started before the page lock is taken (this file\'s lock order was not learned from its ->write_begin)'
          : '; writepage must not allocate under the page lock';
        return at(
          e,
          'alloc-under-page-lock',
          own || orderUnknown ? 'warning' : 'error',
          `${e.api} ${what} (create=${e.create}) while the page is locked, paid by ${payer}${why}`,
          `${e.api} ${what} under the page lock${own ? ' (own handle)' : ''}`,
        );
      });
  },
};
