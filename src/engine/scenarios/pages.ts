// The page states a writepage may be handed (domain notes §4): what is on disk for each block
// of the page, which buffer_heads are attached with which flags, and which data is dirty.
import type { CallerId, PageStateId } from '../api/types';
import { OPT_IN_PAGE_STATE_IDS } from '../api/ids';
import type { BhFlag, DiskBlock } from '../models/objects';
import type { TableFacts } from './callers';

export interface BlockSetup {
  disk: DiskBlock;
  /** Buffer flags, or null when the page carries no buffer_heads. */
  buffer: BhFlag[] | null;
  /** The page's data for this block is dirty in memory. */
  dirty: boolean;
  /** An unmapped buffer's b_blocknr left over from the block it had before (truncate, punch). */
  staleBlocknr?: number;
}

export interface PageStateDef {
  id: PageStateId;
  title: string;
  blkbits: number;
  pageIndex: number;
  iSize: number;
  blocks: BlockSetup[];
  /** The page was dirtied through mmap: the table's ->set_page_dirty ran before writeback. */
  viaMmap: boolean;
  /**
   * Run only when asked for by id (`kpr.scenarios.pageStates`, `--page`): the states real fixes of
   * later eras need, whose findings on the 2008-era writepages are not reviewed in every fixture yet.
   */
  optIn?: boolean;
  /** Run only under these callers (a page only a write(2) reaches); not set: under every caller that allows it. */
  onlyCallers?: readonly CallerId[];
  appliesTo(t: TableFacts): boolean;
  /**
   * What must hold, beyond this file, for the page to reach the entry in this state: the run starts
   * with it as a guess of every path, so its findings are warnings that name it.
   */
  premise?: string;
}

/** A dirty unmapped buffer inside i_size: only an mmap write with no ->page_mkwrite to fill or reserve the block first makes one. */
const MMAP_HOLE_PREMISE = 'an mmap write reaches writeback with a hole of the page still unfilled: this file defines no ->page_mkwrite, and one in another file of the filesystem (its mmap or file operations) would allocate or reserve the block first';

const MAPPED_DIRTY: BhFlag[] = ['mapped', 'dirty', 'uptodate'];
const DELAYED_DIRTY: BhFlag[] = ['mapped', 'delay', 'dirty', 'uptodate'];
const all = (): boolean => true;
const noPageMkwrite = (t: TableFacts): boolean => !t.pageMkwrite;

const STATES: readonly PageStateDef[] = [
  {
    id: 'mapped-dirty',
    title: 'one 4 KiB block, allocated, buffer mapped and dirty',
    blkbits: 12,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [{ disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true }],
    viaMmap: false,
    appliesTo: all,
  },
  {
    id: 'delayed-dirty',
    title: 'one 4 KiB block reserved by delayed allocation: buffer delayed, mapped to no block, dirty',
    blkbits: 12,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [{ disk: 'delayed', buffer: ['mapped', 'delay', 'dirty', 'uptodate'], dirty: true }],
    viaMmap: false,
    appliesTo: (t) => t.delalloc !== false,
  },
  {
    id: 'hole-clean',
    title: '1 KiB blocks: block 9 a clean unmapped hole inside i_size, blocks 8, 10, 11 mapped and dirty',
    blkbits: 10,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'hole', buffer: ['uptodate'], dirty: false },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
    ],
    viaMmap: false,
    appliesTo: all,
  },
  {
    id: 'no-buffers-allocated',
    title: 'buffer_heads freed after writeout (try_to_free_buffers), page redirtied without ->page_mkwrite attaching new ones (mmap before 2.6.27, get_user_pages); 1 KiB blocks, all allocated, data dirty',
    blkbits: 10,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [0, 1, 2, 3].map(() => ({ disk: 'allocated' as DiskBlock, buffer: null, dirty: true })),
    viaMmap: true,
    appliesTo: all,
  },
  {
    id: 'straddles-eof',
    title: 'last page of the file, written through mmap: i_size ends 2.5 KiB into it; 1 KiB blocks 8-10 mapped and dirty, block 11 beyond EOF unmapped',
    blkbits: 10,
    pageIndex: 2,
    iSize: 2 * 4096 + 2560,
    blocks: [
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'hole', buffer: ['uptodate'], dirty: false },
    ],
    viaMmap: true,
    appliesTo: all,
  },
  {
    id: 'beyond-eof',
    title: 'page wholly beyond i_size after a racing truncate; buffer mapped and dirty',
    blkbits: 12,
    pageIndex: 2,
    iSize: 2 * 4096,
    blocks: [{ disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true }],
    viaMmap: false,
    appliesTo: all,
  },
  {
    id: 'hole-dirty',
    title: '1 KiB blocks: block 9 a hole inside i_size whose buffer is dirty and unmapped (an mmap write into a hole after truncate or extension, no ->page_mkwrite), blocks 8, 10, 11 mapped and dirty',
    blkbits: 10,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'hole', buffer: ['dirty', 'uptodate'], dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
    ],
    viaMmap: true,
    // A dirty unmapped buffer inside i_size comes from an mmap write with no ->page_mkwrite to
    // allocate or reserve its block first: a file that defines one does not get here.
    appliesTo: noPageMkwrite,
    premise: MMAP_HOLE_PREMISE,
  },
  {
    id: 'delayed-and-mapped',
    title: '1 KiB blocks: blocks 8 and 10 allocated, mapped and dirty; 9 and 11 reserved by delayed allocation (delayed, dirty): one page, both kinds',
    blkbits: 10,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'delayed', buffer: DELAYED_DIRTY, dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'delayed', buffer: DELAYED_DIRTY, dirty: true },
    ],
    viaMmap: false,
    appliesTo: (t) => t.delalloc !== false,
  },
  {
    id: 'stale-blocknr',
    title: '1 KiB blocks: block 9 freed again (truncate, then extension): its buffer unmapped and dirty, b_blocknr still the old disk block 1009; blocks 8, 10, 11 mapped and dirty',
    blkbits: 10,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'hole', buffer: ['dirty', 'uptodate'], dirty: true, staleBlocknr: 1009 },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
    ],
    viaMmap: false,
    // A dirty unmapped buffer inside i_size comes from an mmap write with no ->page_mkwrite to
    // allocate or reserve its block first: a file that defines one does not get here.
    appliesTo: noPageMkwrite,
    premise: MMAP_HOLE_PREMISE,
  },
  {
    id: 'unwritten-dirty',
    title: '1 KiB blocks: block 9 fallocated (an unwritten extent on disk, reads give zeros) and written: its buffer mapped, unwritten, new and dirty, b_blocknr 1009 (as ext4_da_get_block_prep leaves it since 2.6.31); blocks 8, 10, 11 mapped and dirty',
    blkbits: 10,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'unwritten', buffer: ['mapped', 'unwritten', 'new', 'dirty', 'uptodate'], dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
    ],
    viaMmap: false,
    // A buffer is mapped and unwritten on entry only after a delayed write into a fallocated
    // block: a delalloc table, in a file that maps a buffer it found unwritten (2.6.31+). A
    // non-delalloc write_begin converts the extent when it maps the block (get_block, create=1).
    appliesTo: (t) => t.delalloc !== false && !!t.mappedUnwritten?.value,
  },
  {
    id: 'extended-after-fault',
    title: '1 KiB blocks, a file with ->page_mkwrite: the write fault mapped block 8 when i_size ended in it; truncate then extended i_size past the page (the pte stays writable) and writes through it dirtied blocks 9-11, holes whose buffers are dirty and unmapped',
    blkbits: 10,
    pageIndex: 2,
    iSize: 16 * 4096,
    blocks: [
      { disk: 'allocated', buffer: MAPPED_DIRTY, dirty: true },
      { disk: 'hole', buffer: ['dirty', 'uptodate'], dirty: true },
      { disk: 'hole', buffer: ['dirty', 'uptodate'], dirty: true },
      { disk: 'hole', buffer: ['dirty', 'uptodate'], dirty: true },
    ],
    viaMmap: true,
    // vmtruncate's expansion (mm/memory.c 2.6.24-2.6.36: do_expand sets i_size, unmaps nothing)
    // leaves the pte writable, so no fault runs ->page_mkwrite for the rest of the page; writeback's
    // page_mkclean then set_page_dirty (__set_page_dirty_buffers) dirties every buffer. blocksize <
    // pagesize; the sequence ext4's "Fix mmap/truncate race" (43ce1d23b43, 2.6.31) documents.
    appliesTo: (t) => !!t.pageMkwrite,
  },
  {
    id: 'write-past-eof',
    title: '1 KiB blocks: the page just past i_size (8 KiB, page 1 ends the file), not cached before: no buffers, blocks 8-11 holes; an appending write(2) instantiates them',
    blkbits: 10,
    pageIndex: 2,
    iSize: 2 * 4096,
    blocks: [
      { disk: 'hole', buffer: null, dirty: false },
      { disk: 'hole', buffer: null, dirty: false },
      { disk: 'hole', buffer: null, dirty: false },
      { disk: 'hole', buffer: null, dirty: false },
    ],
    viaMmap: false,
    onlyCallers: ['write-syscall'],
    appliesTo: all,
  },
];

/** Every page state; `optIn` from the one list of ids (api/ids.ts: OPT_IN_PAGE_STATE_IDS). */
export const PAGE_STATES: readonly PageStateDef[] = STATES.map((d) => ({ ...d, optIn: OPT_IN_PAGE_STATE_IDS.includes(d.id) }));
