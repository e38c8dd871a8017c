// journal-start-under-page-lock: a handle is started while the task holds a page lock, in a file
// whose own order is journal_start → lock_page (its write_begin starts the handle before it grabs
// the page) or whose journal commit writes pages through ->writepage (inode-based ordered data).
// In a file that locks the page first (ext4 ≤ 2.6.26, ext3) the start is consistent: no finding.
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

export const journalStartUnderPageLock: Rule = {
  id: 'journal-start-under-page-lock',
  check(path: PathInput): RawFinding[] {
    const f = path.facts;
    const why =
      f.fileLockOrder === 'journal-then-page'
        ? `this file orders journal_start before lock_page (${f.lockOrderLine ? `write_begin, line ${f.lockOrderLine}` : 'its write_begin'}): a task holding a handle may wait for this page while this task waits for the journal`
        : f.orderedData === 'inode'
          ? 'with inode-based ordered data the journal commit locks this inode\'s pages to write them, while a new handle may wait for that commit'
          : null;
    if (!why) return [];
    return eventsOf(path, 'journal-start')
      .filter((e) => e.pageLocked && !e.nested)
      .map((e) => at(e, 'journal-start-under-page-lock', 'error', `${e.api} starts a journal handle while the page is locked: ${why} (deadlock)`, `${e.api} starts a handle under the page lock (deadlock)`));
  },
};
