// Builds the kernel state of one path from a caller, a page state and a mount configuration.
import { int, KObj, obj } from '../interp/values';
import { type MountConfig, World } from '../interp/world';
import { BufferHead, freshId, Handle, Inode, Page, SuperBlock, type DiskBlock } from '../models/objects';
import type { CallerDef } from './callers';
import type { PageStateDef } from './pages';

/** LLONG_MAX (include/linux/kernel.h). */
const LLONG_MAX = (1n << 63n) - 1n;

export function buildWorld(state: PageStateDef, caller: CallerDef | null, mount: MountConfig, maxTrace: number): World {
  const blocksize = 1 << state.blkbits;
  const sb = new SuperBlock(blocksize, state.blkbits, mount.options);
  // EXT4_SB(sb) is this object too: a small file system of one block group (the allocator's
  // group 0), mballoc's default stream threshold (MB_DEFAULT_STREAM_THRESHOLD, 2.6.27 mballoc.c).
  sb.set('s_groups_count', int(1));
  sb.set('s_gdb_count', int(1));
  sb.set('s_mb_stream_request', int(16));
  const perPage = 4096 / blocksize;
  const first = state.pageIndex * perPage;
  const blockMap = new Map<number, DiskBlock>();
  state.blocks.forEach((b, i) => {
    if (b.disk !== 'hole') blockMap.set(first + i, b.disk);
  });
  // Other blocks of the file are allocated: only the page under test has holes or delays.
  const fileBlocks = Math.ceil(state.iSize / blocksize);
  for (let b = 0; b < fileBlocks; b++) if (b < first || b >= first + perPage) blockMap.set(b, 'allocated');
  const inode = new Inode(BigInt(state.iSize), state.blkbits, sb, blockMap);
  // Delayed allocation reserved one data block per delayed block (ext4_da_reserve_space).
  const delayed = [...blockMap.values()].filter((d) => d === 'delayed').length;
  inode.info.set('i_reserved_data_blocks', int(delayed));
  // With them, the filesystem reserved metadata by its own estimate (2.6.27-2.6.32
  // ext4_da_reserve_space: i_reserved_meta_blocks = ext4_calc_metadata_amount(inode, total)), which
  // the state does not compute: an unknown count (>= 0) whose comparisons are guesses of the path.
  const metaKey = 'entry:i_reserved_meta_blocks';
  // Without them, nothing is reserved: ext4_alloc_inode (2.6.27 super.c) zeroes both counts, and
  // ext4_calc_metadata_amount(inode, 0) is 0 when the last reservation is released.
  inode.info.set('i_reserved_meta_blocks', delayed > 0 ? { k: 'unk', key: metaKey, why: 'i_reserved_meta_blocks', guess: "i_reserved_meta_blocks (the metadata the filesystem's own estimate reserved for the page's delayed blocks)" } : int(0));
  const mapping = new KObj('address_space', freshId(), 'mapping');
  mapping.set('host', obj(inode));
  // The mapping holds one page, the scenario's (models/pagevec.ts looks it up).
  mapping.set('nrpages', int(1));
  // A cyclic writeback resumes where the last one stopped (write_cache_pages and ext4_da_writepages
  // start from mapping->writeback_index): at the scenario's page, so the first page a ->writepages
  // helper looks up from that index is this one (2.6.27-2.6.36 mm/page-writeback.c).
  mapping.set('writeback_index', int(state.pageIndex));
  inode.mapping = mapping;
  const page = new Page(BigInt(state.pageIndex), mapping);
  const eof = BigInt(state.iSize);
  state.blocks.forEach((b, i) => {
    const lblk = first + i;
    const beyond = BigInt(lblk) * BigInt(blocksize) >= eof;
    page.blocks.push({ lblk, dirty: b.dirty && !beyond, submitted: false, beyondEof: beyond });
  });
  if (state.blocks.every((b) => b.buffer !== null)) {
    const ring = state.blocks.map((b, i) => {
      const bh = new BufferHead(blocksize, page, i);
      bh.lblk = first + i;
      for (const f of b.buffer ?? []) bh.flags.add(f);
      if (bh.has('mapped')) bh.blocknr = b.disk === 'allocated' || b.disk === 'unwritten' ? BigInt(1000 + bh.lblk) : 0n;
      else if (b.staleBlocknr !== undefined) bh.blocknr = BigInt(b.staleBlocknr);
      // b_private belongs to the buffer's owner (include/linux/buffer_head.h): what the filesystem
      // attached before this scenario (a journal head, reiserfs's ordered-list entry, gfs2's
      // bufdata) is not part of the page state, so a branch on it is a guess of the path. A buffer
      // the run allocates has it zeroed (alloc_buffer_head: kmem_cache_zalloc).
      bh.set('b_private', { k: 'unk', key: `entry:${bh.label}.b_private`, why: `${bh.label}->b_private`, guess: `${bh.label}->b_private (what the filesystem attached to the buffer before the scenario)` });
      return bh;
    });
    ring.forEach((bh, i) => (bh.next = ring[(i + 1) % ring.length]));
    page.buffers = ring[0];
  }
  const wbc = new KObj('writeback_control', freshId(), 'wbc');
  for (const [k, v] of Object.entries(caller?.wbc ?? {})) wbc.set(k, int(v));
  for (const k of ['pages_skipped', 'range_start', 'range_end', 'range_cyclic', 'range_cont', 'encountered_congestion', 'more_io', 'no_nrwrite_index_update']) {
    if (!wbc.get(k)) wbc.set(k, int(0));
  }
  // A non-cyclic caller that gives no range writes the whole file, as filemap_fdatawrite
  // (__filemap_fdatawrite_range(mapping, 0, LLONG_MAX)) and sync_inodes_sb pass it: the range
  // holds the scenario's page. A cyclic one's range is ignored (wb_writeback leaves it 0, 0).
  if (caller && !caller.wbc.range_cyclic && caller.wbc.range_end === undefined) wbc.set('range_end', int(LLONG_MAX));
  const h = caller?.handle;
  const handle = h ? new Handle(h.owner, h.credits, h.purpose, h.paysForWriteback, false) : null;
  const world = new World(page, inode, sb, wbc, handle, mount, maxTrace, caller?.taskFlags ?? 0);
  if (delayed > 0) world.ranges.set(metaKey, { lo: 0n, hi: null, ne: [] });
  return world;
}
