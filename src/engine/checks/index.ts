// The rules, one file each; each reads a path's events and end state plus the file's facts.
import { allocUnderPageLock } from './allocUnderPageLock';
import { creditsExhausted } from './creditsExhausted';
import { dirtyDataDropped } from './dirtyDataDropped';
import { foreignCredits } from './foreignCredits';
import { freedBlockStillMapped } from './freedBlockStillMapped';
import { fsReclaimUnderHandle } from './fsReclaimUnderHandle';
import { invalidateLeavesDirtyBuffer } from './invalidateLeavesDirtyBuffer';
import { ioOnUnmappedBuffer } from './ioOnUnmappedBuffer';
import { journalStartUnderPageLock } from './journalStartUnderPageLock';
import { kernelBug } from './kernelBug';
import { pageLockContract } from './pageLockContract';
import { sleepInAtomic } from './sleepInAtomic';
import type { PathInput, RawFinding, Rule } from './types';

export const RULES: readonly Rule[] = [journalStartUnderPageLock, allocUnderPageLock, foreignCredits, creditsExhausted, kernelBug, pageLockContract, dirtyDataDropped, ioOnUnmappedBuffer, fsReclaimUnderHandle, invalidateLeavesDirtyBuffer, sleepInAtomic, freedBlockStillMapped];

/**
 * Rules about ->writepage (its contract, what it must not do under the page lock it is handed,
 * whose credits it may spend): not applied to other entry points, where the page lock is the
 * entry's own design (write_begin allocates blocks under it), the lock order is a fact learnt from
 * them, and a helper spends the credits of the handle its caller hands it for that purpose.
 */
const WRITEPAGE_ONLY = new Set(['page-lock-contract', 'dirty-data-dropped', 'alloc-under-page-lock', 'journal-start-under-page-lock', 'foreign-credits']);

/**
 * ->writepages runs ->writepage on the page it locked, so the contract rules hold there too; its
 * allocations under the page lock are paid by the handle it started before locking the page.
 */
const WRITEPAGES_SKIP = new Set(['alloc-under-page-lock']);

/**
 * A write driven the way the VFS does it (generic_perform_write: ->write_begin, copy, ->write_end)
 * ends with the page unlocked and released by the methods themselves: the page-lock contract holds
 * for the whole write.
 */
const DRIVEN_KEEP = new Set(['page-lock-contract']);

/**
 * The methods the VM calls on a page it holds (->invalidatepage and ->releasepage: locked, returned
 * locked; ->set_page_dirty: unlocked, maybe under a spinlock): the page-lock contract and the data
 * the page holds are theirs; they allocate nothing for writeback, so credits spent are foreign.
 */
const PAGE_METHOD = new Set(['invalidatepage', 'releasepage', 'set_page_dirty']);
const PAGE_METHOD_SKIP = new Set(['alloc-under-page-lock', 'journal-start-under-page-lock']);

export function checkPath(path: PathInput): RawFinding[] {
  if (PAGE_METHOD.has(path.entryKind)) return RULES.filter((r) => !PAGE_METHOD_SKIP.has(r.id)).flatMap((r) => r.check(path));
  return RULES.filter((r) => path.entryKind === 'writepage' || (path.entryKind === 'writepages' ? !WRITEPAGES_SKIP.has(r.id) : !WRITEPAGE_ONLY.has(r.id) || (!!path.driver && DRIVEN_KEEP.has(r.id)))).flatMap((r) => r.check(path));
}

export { classifyPath } from './outcome';
export type { PathInput, RawFinding, RuleFacts } from './types';
