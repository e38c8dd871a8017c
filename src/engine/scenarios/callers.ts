// Who calls ->writepage, with which journal handle and writeback_control. This is data about
// the kernel's call chains (domain notes §4), not about any function of the analysed file.
import type { CallerId, LockOrder, TableFactsInfo } from '../api/types';

/** Task flags (include/linux/sched.h). */
export const PF_MEMALLOC = 0x800;
export const PF_KSWAPD = 0x20000;

/** Direct reclaim inside the table's own ->write_begin, as its source shows it. */
export interface ReclaimFacts {
  applicable: boolean;
  owner: string;
  credits: number;
  /** Learnt from the file's write_begin (false: the domain default was assumed). */
  fromSource: boolean;
  note: string;
}

export interface TableFacts {
  /** Data modes under which the file's own code selects the table (null: not found). */
  modes: string[] | null;
  /** Whether the table is selected with delalloc (null: unknown). */
  delalloc: boolean | null;
  reclaim?: ReclaimFacts;
  /** The rules' premises learnt from the file for this table. */
  info?: TableFactsInfo;
  /** The file's lock order (journal-then-page when any table's write_begin shows it). */
  fileLockOrder?: LockOrder;
  /** The table's ->writepages, when the file defines one. */
  writepages?: string;
}

export interface CallerDef {
  id: CallerId;
  title: string;
  /** The call chain, outermost first, as a kernel developer would write it. */
  chain: string;
  /** Credits null: the count could not be evaluated from the file (never runs out then). */
  handle: { owner: string; credits: number | null; purpose: string; paysForWriteback: boolean } | null;
  wbc: Record<string, number>;
  /** current->flags of the task that calls ->writepage. */
  taskFlags: number;
  appliesTo(t: TableFacts): boolean;
}

export const CALLERS: readonly CallerDef[] = [
  {
    id: 'da-writepages',
    title: 'delalloc writeback with its own handle',
    chain: 'ext4_da_writepages → mpage_da_writepages → write_cache_pages → ->writepage',
    // The table's own ->writepages opens this handle for the allocations of this writeback; its
    // credits are evaluated from the file (callerFor). The owner is a default for files without one.
    handle: { owner: 'ext4_da_writepages', credits: null, purpose: 'the block allocations of this writeback', paysForWriteback: true },
    wbc: { sync_mode: 0, nonblocking: 0, for_reclaim: 0, for_writepages: 1, nr_to_write: 1024 },
    taskFlags: 0,
    appliesTo: (t) => t.delalloc !== false,
  },
  {
    id: 'jbd2-commit',
    title: 'ordered-mode journal commit, no handle',
    chain: 'kjournald2 → jbd2_journal_commit_transaction → journal_submit_inode_data_buffers → generic_writepages → ->writepage',
    handle: null,
    wbc: { sync_mode: 1, nonblocking: 0, for_reclaim: 0, nr_to_write: 2048 },
    taskFlags: 0,
    // The commit writes pages through ->writepage only with inode-based ordered data.
    appliesTo: (t) => t.info?.orderedData.value === 'inode',
  },
  {
    id: 'kswapd',
    title: 'memory reclaim by kswapd/pdflush, no handle',
    chain: 'kswapd → shrink_page_list → pageout → ->writepage',
    handle: null,
    wbc: { sync_mode: 0, nonblocking: 1, for_reclaim: 1, nr_to_write: 32 },
    taskFlags: PF_MEMALLOC | PF_KSWAPD,
    appliesTo: () => true,
  },
  {
    id: 'reclaim-in-write-begin',
    title: 'direct reclaim inside write_begin, holding the handle it started',
    chain: 'ext4_da_write_begin (handle, 1 credit) → __grab_cache_page → alloc_pages → try_to_free_pages → shrink_page_list → pageout → ->writepage',
    // Default when the file shows no write_begin: ext4_da_write_begin's 1-credit handle for the
    // i_disksize update (the seed patch's case). Otherwise the table's own write_begin decides.
    handle: { owner: 'ext4_da_write_begin', credits: 1, purpose: 'the i_disksize update of the inode it is writing', paysForWriteback: false },
    wbc: { sync_mode: 0, nonblocking: 1, for_reclaim: 1, nr_to_write: 32 },
    taskFlags: PF_MEMALLOC,
    appliesTo: (t) => t.reclaim?.applicable ?? true,
  },
];

/** The caller as it applies to a table: reclaim-in-write-begin takes the table's own write_begin handle. */
export function callerFor(caller: CallerDef, t: TableFacts): CallerDef {
  if (caller.id === 'da-writepages' && caller.handle) {
    const credits = t.info?.writebackCredits.value;
    return { ...caller, chain: t.writepages ? caller.chain.replace(/^\S+/, t.writepages) : caller.chain, handle: { ...caller.handle, owner: t.writepages ?? caller.handle.owner, credits: typeof credits === 'number' ? credits : null } };
  }
  if (caller.id !== 'reclaim-in-write-begin' || !t.reclaim || !caller.handle) return caller;
  const r = t.reclaim;
  return { ...caller, handle: { ...caller.handle, owner: r.owner, credits: r.credits, purpose: r.fromSource ? `${r.owner}'s own updates` : caller.handle.purpose } };
}
