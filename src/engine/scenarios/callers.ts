// Who calls ->writepage, with which journal handle and writeback_control. This is data about
// the kernel's call chains (domain notes §4), not about any function of the analysed file.
import type { CallerId, Fact, LockOrder, PageStateId, TableFactsInfo } from '../api/types';
import { OPT_IN_CALLER_IDS } from '../api/ids';
import { GFP_CONSTANTS } from '../models/gfp';

/** Task flags (include/linux/sched.h). */
export const PF_MEMALLOC = 0x800;
export const PF_KSWAPD = 0x20000;
/** AOP_FLAG_NOFS (include/linux/fs.h, 2.6.29). */
export const AOP_FLAG_NOFS = 0x4;

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
  /** Whether any table's writepage paths use the task's current handle (the first that does). */
  fileCurrentHandle?: Fact<boolean>;
  /** Whether the file makes journal calls at all (ext2 makes none: its allocations take no handle). */
  fileJournal?: Fact<boolean>;
  /** The table's ->writepages, when the file defines one. */
  writepages?: string;
  /** The table has a ->write_begin the file defines (AOP_FLAG_NOFS exists only for write_begin). */
  hasWriteBegin?: boolean;
  /** The table's ->write_begin, else its ->prepare_write, when the file defines it. */
  writeEntry?: string;
  /** Helpers of the file that take a handle_t * and allocate pages, with the function that calls each. */
  handleHelpers?: { name: string; caller: string | null; credits?: Fact<number | 'unknown'> }[];
  /** The file's ->page_mkwrite, when it defines one: an mmap write reserves or allocates its blocks at fault time. */
  pageMkwrite?: string;
  /** Whether the file maps a buffer it found unwritten (facts/unwritten.ts), with the line. */
  mappedUnwritten?: Fact<boolean>;
  /** Whether the file's own selection gives this table to a symlink inode (null: no selecting function). */
  forSymlink?: boolean | null;
}

/** Which of the table's entry points a caller drives. */
export type EntryKind = 'writepage' | 'writepages' | 'write_begin' | 'handle-helper' | 'page_mkwrite' | 'invalidatepage' | 'releasepage' | 'set_page_dirty';

/** GFP_KERNEL and GFP_HIGHUSER_PAGECACHE (include/linux/gfp.h, 2.6.24-2.6.36): the masks reclaim passes ->releasepage. */
const GFP_KERNEL = Number(GFP_CONSTANTS.GFP_KERNEL);
const GFP_HIGHUSER_PAGECACHE = Number(GFP_CONSTANTS.GFP_HIGHUSER_PAGECACHE);

export interface CallerDef {
  id: CallerId;
  /** The entry point it calls: the table's ->writepage, ->writepages, ->write_begin (else ->prepare_write), a helper given a handle, or the file's ->page_mkwrite. */
  entry: EntryKind;
  /** The only page states it runs under (all when absent): the entry does not look at the others. */
  pages?: readonly PageStateId[];
  /** ->write_begin's `flags` (AOP_FLAG_*). */
  flags?: number;
  /** ->releasepage's gfp_mask: the scan_control's mask of the reclaim that calls it. */
  gfp?: number;
  /** The caller holds a spinlock around the call (zap_pte_range's pte lock): the entry must not sleep. */
  atomic?: string;
  /** Run only when asked for by id (its findings on every fixture are not reviewed yet). */
  optIn?: boolean;
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

/** The page states truncate hands ->invalidatepage: whole pages (offset 0) and the EOF page (a partial offset). */
const INVALIDATE_PAGES: readonly PageStateId[] = ['mapped-dirty', 'delayed-dirty', 'delayed-and-mapped', 'straddles-eof'];
/** The page states reclaim hands ->releasepage once pageout wrote them (the run cleans them first). */
const RELEASE_PAGES: readonly PageStateId[] = ['mapped-dirty', 'hole-clean'];

/** The page states a ->writepages caller runs with: those whose buffers writeback has work to do on. */
const WRITEPAGES_PAGES: readonly PageStateId[] = ['mapped-dirty', 'delayed-dirty', 'no-buffers-allocated', 'hole-dirty', 'extended-after-fault', 'delayed-and-mapped', 'unwritten-dirty'];

const CALLER_DEFS: readonly CallerDef[] = [
  {
    id: 'da-writepages',
    entry: 'writepage',
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
    entry: 'writepage',
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
    entry: 'writepage',
    title: 'memory reclaim by kswapd/pdflush, no handle',
    chain: 'kswapd → shrink_page_list → pageout → ->writepage',
    handle: null,
    wbc: { sync_mode: 0, nonblocking: 1, for_reclaim: 1, nr_to_write: 32 },
    taskFlags: PF_MEMALLOC | PF_KSWAPD,
    appliesTo: () => true,
  },
  {
    id: 'reclaim-in-write-begin',
    entry: 'writepage',
    title: 'direct reclaim inside write_begin, holding the handle it started',
    chain: 'ext4_da_write_begin (handle, 1 credit) → __grab_cache_page → alloc_pages → try_to_free_pages → shrink_page_list → pageout → ->writepage',
    // Default when the file shows no write_begin: ext4_da_write_begin's 1-credit handle for the
    // i_disksize update (the seed patch's case). Otherwise the table's own write_begin decides.
    handle: { owner: 'ext4_da_write_begin', credits: 1, purpose: 'the i_disksize update of the inode it is writing', paysForWriteback: false },
    wbc: { sync_mode: 0, nonblocking: 1, for_reclaim: 1, nr_to_write: 32 },
    taskFlags: PF_MEMALLOC,
    appliesTo: (t) => t.reclaim?.applicable ?? true,
  },
  {
    id: 'write-syscall',
    entry: 'write_begin',
    pages: ['hole-clean', 'write-past-eof'],
    flags: 0,
    title: 'write(2): generic_perform_write calls ->write_begin, copies, calls ->write_end; no handle held',
    chain: 'sys_write → generic_file_aio_write → generic_perform_write → ->write_begin (flags 0) → copy from user → ->write_end (else ->prepare_write → copy → ->commit_write → unlock_page)',
    handle: null,
    wbc: {},
    taskFlags: 0,
    appliesTo: (t) => !!t.writeEntry,
  },
  {
    id: 'write-nofs',
    entry: 'write_begin',
    pages: ['hole-clean'],
    flags: AOP_FLAG_NOFS,
    title: "a symlink's body, which must not recurse into the file system: ->write_begin with AOP_FLAG_NOFS, then ->write_end (NULL file)",
    chain: '__page_symlink(nofs) → pagecache_write_begin(AOP_FLAG_NOFS) → ->write_begin → memcpy → pagecache_write_end → ->write_end',
    handle: null,
    wbc: {},
    taskFlags: 0,
    // __page_symlink writes a symlink's body: only through a table the file gives a symlink inode.
    appliesTo: (t) => t.hasWriteBegin === true && t.forSymlink !== false,
  },
  {
    id: 'caller-handle',
    entry: 'handle-helper',
    pages: ['straddles-eof'],
    title: "a helper of the file called with its caller's running handle (truncate's partial page and the like)",
    chain: 'a function of the file that holds a handle → the helper (handle_t *) → page allocation',
    // The owner is the helper's caller in the file, its credits those it starts the handle with,
    // evaluated from the file when they can be (entries.ts, run.ts); else unknown (never run out).
    handle: { owner: 'the caller', credits: null, purpose: "its caller's metadata updates", paysForWriteback: false },
    wbc: {},
    taskFlags: 0,
    appliesTo: (t) => (t.handleHelpers?.length ?? 0) > 0,
  },
  {
    id: 'page-fault',
    entry: 'page_mkwrite',
    // A shared writable mapping's first write to a page: uptodate and clean, a hole under block 9.
    pages: ['hole-clean'],
    title: "a write fault on a shared mapping: the file's ->page_mkwrite, page unlocked, no handle held",
    // mm/memory.c 2.6.28: do_wp_page takes a reference, drops the pte lock and calls
    // vma->vm_ops->page_mkwrite(vma, page) with the page unlocked; __do_fault unlocks the page it
    // faulted in before calling it. From 2.6.30 (vma, vmf), still unlocked; VM_FAULT_LOCKED may return it locked.
    // models/pageFault.ts drives it and reads its result in the contract of its signature.
    chain: 'write fault → handle_mm_fault → do_wp_page / __do_fault → vma->vm_ops->page_mkwrite',
    handle: null,
    wbc: {},
    taskFlags: 0,
    appliesTo: (t) => !!t.pageMkwrite,
  },
  {
    id: 'background-writeback',
    entry: 'writepages',
    pages: WRITEPAGES_PAGES,
    title: "background writeback through the table's ->writepages, no handle held",
    chain: 'pdflush → wb_kupdate/background_writeout → writeback_inodes → do_writepages → ->writepages (WB_SYNC_NONE)',
    handle: null,
    wbc: { sync_mode: 0, nonblocking: 1, for_reclaim: 0, for_writepages: 1, range_cyclic: 1, nr_to_write: 1024 },
    taskFlags: 0,
    appliesTo: (t) => !!t.writepages,
  },
  {
    id: 'sync-writeback',
    entry: 'writepages',
    pages: WRITEPAGES_PAGES,
    title: "data-integrity writeback (fsync, sync) through the table's ->writepages, no handle held",
    chain: 'fsync → filemap_fdatawrite → do_writepages → ->writepages (WB_SYNC_ALL)',
    handle: null,
    wbc: { sync_mode: 1, nonblocking: 0, for_reclaim: 0, for_writepages: 1, range_cyclic: 0, nr_to_write: 0x7fffffff },
    taskFlags: 0,
    appliesTo: (t) => !!t.writepages,
  },
  {
    id: 'truncate-pagecache',
    entry: 'invalidatepage',
    pages: INVALIDATE_PAGES,
    title: "truncate of the page cache: the table's ->invalidatepage on the locked page, offset 0 for a whole page, the new EOF's offset for the last one; no handle held",
    // mm/truncate.c 2.6.24-2.6.36: i_size is set first (vmtruncate, ext4_setattr); truncate_inode_pages_range
    // locks each page wholly past it (truncate_complete_page: do_invalidatepage(page, 0), cancel_dirty_page,
    // remove_from_page_cache) and the partial page (find_lock_page, wait_on_page_writeback,
    // truncate_partial_page: zero_user_segment, do_invalidatepage(page, partial)), then unlocks it.
    chain: 'vmtruncate → truncate_inode_pages → truncate_inode_pages_range → truncate_complete_page / truncate_partial_page → do_invalidatepage → ->invalidatepage (page locked)',
    handle: null,
    wbc: {},
    taskFlags: 0,
    appliesTo: () => true,
  },
  {
    id: 'kswapd-releasepage',
    entry: 'releasepage',
    pages: RELEASE_PAGES,
    gfp: GFP_KERNEL,
    title: "memory reclaim by kswapd freeing a written, clean page: the table's ->releasepage (GFP_KERNEL), page locked, no handle",
    // mm/vmscan.c 2.6.24-2.6.36: shrink_page_list trylocks the page, skips it under writeback, writes it if
    // dirty (pageout), and once it is clean with buffers calls try_to_release_page(page, sc->gfp_mask);
    // balance_pgdat's scan_control has .gfp_mask = GFP_KERNEL.
    chain: 'kswapd → balance_pgdat → shrink_page_list → try_to_release_page(page, GFP_KERNEL) → ->releasepage (page locked, clean, not under writeback)',
    handle: null,
    wbc: {},
    taskFlags: PF_MEMALLOC | PF_KSWAPD,
    appliesTo: () => true,
  },
  {
    id: 'reclaim-releasepage-in-write-begin',
    entry: 'releasepage',
    pages: RELEASE_PAGES,
    gfp: GFP_HIGHUSER_PAGECACHE,
    title: "direct reclaim inside write_begin freeing a clean page: the table's ->releasepage with the allocation's mask, holding the handle write_begin started",
    chain: "->write_begin (handle) → page cache allocation (mapping_gfp_mask) → try_to_free_pages → shrink_page_list → try_to_release_page(page, gfp_mask) → ->releasepage",
    // The handle is the table's own write_begin's (callerFor), as for reclaim-in-write-begin.
    handle: { owner: 'the write_begin', credits: null, purpose: "the write_begin's own updates", paysForWriteback: false },
    wbc: {},
    taskFlags: PF_MEMALLOC,
    // Only where the file's own write_begin shows the allocation under its handle without AOP_FLAG_NOFS.
    appliesTo: (t) => t.reclaim?.applicable === true && t.reclaim.fromSource,
  },
  {
    id: 'zap-pte-set-page-dirty',
    entry: 'set_page_dirty',
    pages: ['mapped-dirty'],
    atomic: "zap_pte_range's pte lock (pte_offset_map_lock)",
    title: "munmap or exit of a shared mapping with a dirty pte: set_page_dirty → the table's ->set_page_dirty, page unlocked, under the pte spinlock, no handle",
    // mm/memory.c 2.6.24-2.6.36: zap_pte_range holds the pte lock and calls set_page_dirty(page) for a
    // dirty pte of a file page, without the page lock (page-writeback.c: "Usually, the page _is_
    // locked"; not here); try_to_unmap_one and page_mkclean's callers do the same under the pte lock.
    chain: 'munmap/exit → unmap_vmas → zap_pte_range (pte lock held) → set_page_dirty → ->set_page_dirty (page unlocked)',
    handle: null,
    wbc: {},
    taskFlags: 0,
    appliesTo: () => true,
  },
];

/** Every caller; `optIn` from the one list of ids (api/ids.ts: OPT_IN_CALLER_IDS). */
export const CALLERS: readonly CallerDef[] = CALLER_DEFS.map((c) => ({ ...c, optIn: OPT_IN_CALLER_IDS.includes(c.id) }));

/** The caller as it applies to a table: reclaim-in-write-begin takes the table's own write_begin handle. */
export function callerFor(caller: CallerDef, t: TableFacts): CallerDef {
  if (caller.id === 'da-writepages' && caller.handle) {
    const credits = t.info?.writebackCredits.value;
    return { ...caller, chain: t.writepages ? caller.chain.replace(/^\S+/, t.writepages) : caller.chain, handle: { ...caller.handle, owner: t.writepages ?? caller.handle.owner, credits: typeof credits === 'number' ? credits : null } };
  }
  if ((caller.id !== 'reclaim-in-write-begin' && caller.id !== 'reclaim-releasepage-in-write-begin') || !t.reclaim || !caller.handle) return caller;
  const r = t.reclaim;
  const chain = caller.id === 'reclaim-releasepage-in-write-begin' ? caller.chain.replace('->write_begin', r.owner) : caller.chain;
  return { ...caller, chain, handle: { ...caller.handle, owner: r.owner, credits: r.credits, purpose: r.fromSource ? `${r.owner}'s own updates` : caller.handle.purpose } };
}
