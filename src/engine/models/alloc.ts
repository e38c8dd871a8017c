// The block allocation primitive (ext4_get_blocks_wrap of 2008, and its later names
// ext4_get_blocks (2.6.30) and ext4_map_blocks (2.6.35)): look a block up, map the buffer; with
// create set and the block unallocated, allocate it under the handle. Emits an `alloc` event.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { ERRNO, int, show, type Value } from '../interp/values';
import { handleView } from '../interp/world';
import { BH_BITS, BufferHead, Handle } from './objects';
import { chargeBuffers } from './journal';

/**
 * Metadata buffers one allocation dirties under its handle (ext4_mb_mark_diskspace_used and the
 * extent/indirect insert of 2008): the group's block bitmap, its group descriptor, and the inode
 * (extent root in the inode) — each charged once per transaction. The scenario file is small: one
 * block group, the extent tree in the inode.
 */
export const ALLOC_BUFFERS = ['block bitmap of group 0', 'group descriptor of group 0', 'inode table block'];

interface Lookup {
  handle: Value;
  block: Value;
  maxBlocks: Value;
  /** The buffer_head to map, or null when the caller passes a map struct. */
  bh: BufferHead | null;
  create: Value;
  /** ext4_map_blocks: write the result into this struct instead of a buffer. */
  map?: import('../interp/values').KObj;
  /**
   * Whether the primitive allocates under a journal handle (ext3/ext4/gfs2). A journal-less one
   * (ext2) allocates with no handle by design and is charged no credits.
   */
  journalled?: boolean;
}

function createText(v: Value): string {
  return v.k === 'int' ? v.v.toString() : show(v);
}

export function getBlocks(ctx: ModelCtx, q: Lookup): Value {
  const w = ctx.world;
  const inode = w.inode;
  const block = q.block.k === 'int' ? Number(q.block.v) : null;
  const max = q.maxBlocks.k === 'int' && q.maxBlocks.v > 0n ? Number(q.maxBlocks.v) : 1;
  if (block === null) {
    w.allocCalls.push({ stack: ctx.site().stack, create: createText(q.create), primitive: ctx.name, line: ctx.site().loc.line });
    ctx.event(`${ctx.name}: logical block ${show(q.block)} unknown`);
    return ctx.unknown(`result of ${ctx.name}`);
  }
  const site = ctx.site();
  w.allocCalls.push({ stack: site.stack, create: createText(q.create), primitive: ctx.name, line: site.loc.line });
  // Since the delalloc work of 2.6.27 the lookup starts with clear_buffer_mapped(bh) and
  // clear_buffer_unwritten(bh): a delayed buffer looked up with create=0 comes back unmapped.
  if (q.bh) {
    q.bh.flags.delete('mapped');
    q.bh.flags.delete('unwritten');
  }
  const state = inode.diskState(block);
  if (state === 'allocated') {
    let n = 1;
    while (n < max && inode.diskState(block + n) === 'allocated') n++;
    mapResult(q, block, n);
    ctx.event(`${ctx.name}(block ${block}, create=${createText(q.create)}): already allocated; buffer mapped to disk block ${diskBlock(block)}, returns ${n}`);
    return int(n);
  }
  const wantCreate = ctx.truthy(q.create);
  if (state === 'unwritten') return unwritten(ctx, q, block, max, wantCreate);
  if (!wantCreate) {
    ctx.event(`${ctx.name}(block ${block}, create=0): block is ${state === 'delayed' ? 'delayed (reserved, not allocated)' : 'a hole'}; nothing allocated, returns 0`);
    return int(0);
  }
  // create != 0 on an unallocated block: a real allocation.
  const hv = q.handle;
  const journalled = q.journalled !== false;
  const handle = journalled && hv.k === 'obj' && hv.o instanceof Handle ? hv.o : null;
  ctx.emit(
    { kind: 'alloc', api: ctx.name, block, create: createText(q.create), pageLocked: w.holdsPageLock(), handle: handleView(handle) },
    `${ctx.name}(block ${block}, create=${createText(q.create)}): block unallocated: allocating${handle ? ` under the handle of ${handle.owner}` : journalled ? ' with no journal handle' : ' (no journal: the file system has none)'}`,
  );
  if (!handle && journalled) {
    ctx.bug(`${ctx.name} allocates block ${block} with no journal handle: journalling the block bitmap dereferences a NULL handle`, 'NULL handle');
  }
  const outcome = ctx.choose(['allocated', '-ENOSPC', '-EDQUOT'], `${ctx.name} allocation of block ${block}`);
  if (outcome === 1) return int(-ERRNO.ENOSPC);
  if (outcome === 2) return int(-ERRNO.EDQUOT);
  if (handle) chargeBuffers(ctx, handle, ALLOC_BUFFERS, `${ctx.name} allocation of block ${block}`);
  inode.blockMap.set(block, 'allocated');
  mapResult(q, block, 1);
  if (q.bh) q.bh.flags.add('new');
  if (q.map) q.map.set('m_flags', int(MAP_MAPPED | MAP_NEW));
  ctx.event(`${ctx.name}: block ${block} allocated at disk block ${diskBlock(block)}; buffer mapped and new`);
  return int(1);
}

/**
 * A block of a fallocated (unwritten) extent, as 2.6.30's ext4_ext_get_blocks (fs/ext4/extents.c)
 * treats it: with create=0 the buffer is set unwritten and given its disk block but left unmapped
 * ("so that a read from the block returns 0s"), and the count is returned (delalloc reserves
 * nothing for it); with create set, ext4_ext_convert_to_initialized converts the extent under the
 * handle (it journals the extent tree: the inode here) and the buffer comes back mapped and new.
 * A later era (2.6.31, "Mark the unwritten buffer_head as mapped during write_begin") maps it in
 * ext4_da_get_block_prep, a function of the file, not here.
 */
function unwritten(ctx: ModelCtx, q: Lookup, block: number, max: number, create: boolean): Value {
  const w = ctx.world;
  const inode = w.inode;
  let n = 1;
  while (n < max && inode.diskState(block + n) === 'unwritten') n++;
  if (!create) {
    if (q.bh) {
      q.bh.flags.add('unwritten');
      q.bh.blocknr = BigInt(diskBlock(block));
      if (q.bh.lblk < 0) q.bh.lblk = block;
    }
    if (q.map) {
      q.map.set('m_pblk', int(diskBlock(block)));
      q.map.set('m_len', int(n));
      q.map.set('m_flags', int(MAP_UNWRITTEN));
    }
    ctx.event(`${ctx.name}(block ${block}, create=0): block is in an unwritten (fallocated) extent at disk block ${diskBlock(block)}: buffer set unwritten, left unmapped, returns ${n}`);
    return int(n);
  }
  const hv = q.handle;
  const journalled = q.journalled !== false;
  const handle = journalled && hv.k === 'obj' && hv.o instanceof Handle ? hv.o : null;
  ctx.emit(
    { kind: 'alloc', api: ctx.name, block, create: createText(q.create), pageLocked: w.holdsPageLock(), handle: handleView(handle), convert: true },
    `${ctx.name}(block ${block}, create=${createText(q.create)}): block in an unwritten extent: converting it to initialised${handle ? ` under the handle of ${handle.owner}` : ' with no journal handle'}`,
  );
  if (!handle && journalled) {
    ctx.bug(`${ctx.name} converts the unwritten extent of block ${block} with no journal handle: journalling the extent tree dereferences a NULL handle`, 'NULL handle');
  }
  // The conversion may split the extent and need a new extent block: -ENOSPC.
  const outcome = ctx.choose(['converted', '-ENOSPC'], `${ctx.name} conversion of the unwritten extent at block ${block}`);
  if (outcome === 1) return int(-ERRNO.ENOSPC);
  if (handle) chargeBuffers(ctx, handle, [ALLOC_BUFFERS[2]], `${ctx.name} conversion of the unwritten extent at block ${block}`);
  inode.blockMap.set(block, 'allocated');
  mapResult(q, block, 1);
  if (q.bh) q.bh.flags.add('new');
  if (q.map) q.map.set('m_flags', int(MAP_MAPPED | MAP_NEW));
  ctx.event(`${ctx.name}: the extent of block ${block} is initialised; buffer mapped to disk block ${diskBlock(block)} and new`);
  return int(1);
}

/** EXT4_MAP_UNWRITTEN: the buffer_head bit BH_Unwritten (ext4.h, 2.6.35+). */
const MAP_UNWRITTEN = 1n << BigInt(BH_BITS.findIndex((b) => b.bit === 'BH_Unwritten'));

/** EXT4_MAP_MAPPED / EXT4_MAP_NEW: the buffer_head bits BH_Mapped and BH_New (ext4.h, 2.6.35+). */
const MAP_MAPPED = 1n << BigInt(BH_BITS.findIndex((b) => b.bit === 'BH_Mapped'));
const MAP_NEW = 1n << BigInt(BH_BITS.findIndex((b) => b.bit === 'BH_New'));

export function diskBlock(lblk: number): number {
  return 1000 + lblk;
}

function mapResult(q: Lookup, block: number, n: number): void {
  if (q.bh) {
    q.bh.flags.add('mapped');
    q.bh.blocknr = BigInt(diskBlock(block));
    if (q.bh.lblk < 0) q.bh.lblk = block;
  }
  if (q.map) {
    q.map.set('m_pblk', int(diskBlock(block)));
    q.map.set('m_len', int(n));
    q.map.set('m_flags', int(MAP_MAPPED));
  }
}

function bhArg(v: Value | undefined): BufferHead | null {
  return v && v.k === 'obj' && v.o instanceof BufferHead ? v.o : null;
}

const zero: Value = { k: 'int', v: 0n };

export const allocModels: [string, ModelSpec][] = [
  [
    'ext4_get_blocks_wrap',
    {
      // (handle, inode, block, max_blocks, bh, create, extend_disksize[, flag])
      fn: (c, a) => getBlocks(c, { handle: a[0] ?? zero, block: a[2] ?? zero, maxBlocks: a[3] ?? zero, bh: bhArg(a[4]), create: a[5] ?? zero }),
      preferOverSource: true,
      doc: 'allocation primitive: maps an allocated block; allocates (credits, handle) when create != 0',
    },
  ],
  [
    'ext4_get_blocks_handle',
    { fn: (c, a) => getBlocks(c, { handle: a[0] ?? zero, block: a[2] ?? zero, maxBlocks: a[3] ?? zero, bh: bhArg(a[4]), create: a[5] ?? zero }), preferOverSource: true },
  ],
  [
    'ext4_get_blocks',
    {
      // 2.6.30 era: (handle, inode, block, max_blocks, bh, flags); EXT4_GET_BLOCKS_CREATE is bit 0.
      fn: (c, a) => {
        const flags = a[5] ?? zero;
        const create: Value = flags.k === 'int' ? { k: 'int', v: flags.v & 1n } : flags;
        return getBlocks(c, { handle: a[0] ?? zero, block: a[2] ?? zero, maxBlocks: a[3] ?? zero, bh: bhArg(a[4]), create });
      },
      preferOverSource: true,
    },
  ],
  [
    'ext4_map_blocks',
    {
      // 2.6.35+: (handle, inode, struct ext4_map_blocks *map, flags)
      fn: (c, a) => {
        const map = a[2] && a[2].k === 'obj' ? a[2].o : undefined;
        const flags = a[3] ?? zero;
        const create: Value = flags.k === 'int' ? { k: 'int', v: flags.v & 1n } : flags;
        return getBlocks(c, { handle: a[0] ?? zero, block: map?.get('m_lblk') ?? zero, maxBlocks: map?.get('m_len') ?? zero, bh: null, create, map });
      },
      preferOverSource: true,
    },
  ],
  ['ext4_da_reserve_space', { fn: () => zero, doc: 'reserves delalloc quota/space (no journal credits)' }],
];
