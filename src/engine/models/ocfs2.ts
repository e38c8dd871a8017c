// ocfs2's cluster geometry and extent map, as v2.6.27 writes them (fs/ocfs2/ocfs2.h inlines,
// fs/ocfs2/extent_map.c ocfs2_get_clusters): the scenario volume has 4 KiB clusters (one page).
// Lookups, the reservation of the allocators and the allocation itself (fs/ocfs2/file.c
// ocfs2_lock_allocators, ocfs2_do_extend_allocation), cut where the suballocator starts.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { ERRNO, int, KObj, obj, type Value, ZERO } from '../interp/values';
import { getBlocks } from './alloc';
import { dataModeDecided, mountDataMode, notRegular } from './misc';

/** ocfs2_should_order_data: 1 for a regular file unless the volume is mounted data=writeback. */
function orderData(c: ModelCtx, a: Value[]): Value {
  return notRegular(c, a[0]) ? ZERO : int(mountDataMode(c) !== 'writeback');
}
import { freshId, Handle, PAGE_SHIFT, storeOut, type SuperBlock } from './objects';

/**
 * The cluster size of the scenario volume: 4 KiB, the smallest mkfs.ocfs2 makes (one cluster per
 * page, 1 to 4 blocks per cluster). Every cluster count below is computed from it.
 */
export const OCFS2_CLUSTER_BITS = 12;

/** struct ocfs2_super of the scenario (v2.6.27 fs/ocfs2/ocfs2.h): the VFS super block with its cluster size. */
export function ocfs2Super(sb: SuperBlock): SuperBlock {
  if (sb.get('s_clustersize_bits') === undefined) {
    sb.set('s_clustersize_bits', int(OCFS2_CLUSTER_BITS));
    sb.set('s_clustersize', int(1 << OCFS2_CLUSTER_BITS));
    // osb->sb: the VFS super block (the scenario has one object for both).
    sb.set('sb', obj(sb));
  }
  return sb;
}

function clusterBits(ctx: ModelCtx): number {
  const v = ocfs2Super(ctx.world.sb).get('s_clustersize_bits');
  return v && v.k === 'int' ? Number(v.v) : OCFS2_CLUSTER_BITS;
}

/** Cluster to block shift: s_clustersize_bits - s_blocksize_bits. */
function c2b(ctx: ModelCtx): bigint {
  return BigInt(clusterBits(ctx) - ctx.world.sb.blkbits);
}

/** An inline of ocfs2.h on an integer argument `index`; an unknown argument gives an unknown. */
function onInt(index: number, f: (ctx: ModelCtx, v: bigint) => bigint, doc: string): ModelSpec {
  return {
    fn: (c, a) => {
      const v = a[index];
      return v && v.k === 'int' ? int(f(c, v.v)) : c.unknown(`${c.name}() of an unknown count`);
    },
    doc,
  };
}

/** A feature bit of the volume (s_feature_incompat / ro_compat): both explored, decided once per path. */
function volumeFeature(key: string, what: string): ModelSpec {
  return {
    fn: (c) => {
      let on = c.world.assumptions.get(key);
      if (on === undefined) {
        on = c.choose([`${what} off`, `${what} on`], `ocfs2 ${what} feature of the volume`) === 1;
        c.world.assumptions.set(key, on);
      }
      return int(on);
    },
    doc: `whether the volume has the ${what} feature: both explored, decided once per path`,
  };
}

/**
 * ocfs2_get_clusters(inode, v_cluster, *p_cluster, *num_clusters, *extent_flags) of v2.6.27
 * (fs/ocfs2/extent_map.c): a lookup. An allocated cluster (its first block allocated in the
 * scenario's block map: ocfs2 allocates whole clusters) gives a non-zero physical cluster and the
 * allocated run; a hole gives p_cluster 0 and the hole's length up to the next allocated cluster,
 * or UINT_MAX - v_cluster past the last extent (no_more_extents); flags 0 (not unwritten).
 */
function getClusters(ctx: ModelCtx, a: Value[]): Value {
  const v = a[1];
  if (!v || v.k !== 'int') return ctx.unknown(`result of ${ctx.name}`);
  const shift = Number(c2b(ctx));
  const inode = ctx.world.inode;
  const allocated = (c: number): boolean => inode.diskState(c << shift) === 'allocated';
  const cpos = Number(v.v);
  const last = Math.max(-1, ...[...inode.blockMap].filter(([, s]) => s === 'allocated').map(([b]) => b >> shift));
  let n = 1;
  if (allocated(cpos)) {
    while (allocated(cpos + n)) n++;
    storeOut(a[2], int(1000 + cpos));
    storeOut(a[3], int(n));
    ctx.event(`${ctx.name}(cluster ${cpos}): allocated, ${n} contiguous cluster${n === 1 ? '' : 's'}, not unwritten`);
  } else {
    const end = [...Array(Math.max(0, last - cpos)).keys()].map((i) => cpos + 1 + i).find(allocated);
    const len = end !== undefined ? BigInt(end - cpos) : 0xffffffffn - BigInt(cpos);
    storeOut(a[2], ZERO);
    storeOut(a[3], int(len));
    ctx.event(`${ctx.name}(cluster ${cpos}): a hole (p_cluster 0) of ${end !== undefined ? `${len} cluster(s)` : 'the rest of the file'}`);
  }
  storeOut(a[4], ZERO);
  return ZERO;
}

/** ocfs2_journal_access*(handle, inode or ci, bh, type) (fs/ocfs2/journal.c): jbd get_write_access; 0. */
const journalAccess: ModelSpec = {
  fn: (c, a) => {
    if (a[0] && a[0].k === 'int' && a[0].v === 0n) c.bug(`${c.name} with a NULL handle`, 'NULL handle');
    return ZERO;
  },
  doc: 'asks the journal for write access to a metadata buffer under the handle: 0 (a NULL handle is a BUG)',
};

/**
 * ocfs2_lock_allocators(inode, di | et, clusters_to_add, extents_to_split, **data_ac, **meta_ac)
 * of v2.6.27 (fs/ocfs2/file.c): reserves bits in the global bitmap (ocfs2_reserve_clusters) for
 * the clusters to add, and metadata when the extent list is full (not in the scenario's inode:
 * *meta_ac stays NULL). 0, or -ENOSPC injected (the reservation failed, nothing is held).
 */
function lockAllocators(ctx: ModelCtx, a: Value[]): Value {
  const clusters = a[2] && a[2].k === 'int' ? a[2].v : null;
  storeOut(a[5], ZERO);
  storeOut(a[4], ZERO);
  if (clusters === 0n) return ZERO;
  if (ctx.choose(['clusters reserved', '-ENOSPC'], `${ctx.name}: reserving ${clusters ?? 'an unknown number of'} cluster(s)`) === 1) return int(-ERRNO.ENOSPC);
  storeOut(a[4], obj(new KObj('ocfs2_alloc_context', freshId(), 'data_ac')));
  ctx.event(`${ctx.name}: ${clusters ?? 'an unknown number of'} cluster(s) reserved in the global bitmap (data_ac)`);
  return ZERO;
}

/**
 * ocfs2_do_extend_allocation (v2.6.27 fs/ocfs2/file.c; ocfs2_add_inode_data from 2.6.29):
 * (osb, inode, *logical_offset, clusters_to_add, mark_unwritten, fe_bh, handle, data_ac, meta_ac,
 * *reason): claims the clusters from the reservation (__ocfs2_claim_clusters) and inserts their
 * extent, under the handle (the block allocation primitive's credits and events); advances
 * *logical_offset. -ENOSPC is injected by the allocation itself.
 */
function extendAllocation(ctx: ModelCtx, a: Value[]): Value {
  const off = a[2] && a[2].k === 'ref' ? a[2].cell.value : a[2];
  const n = a[3] && a[3].k === 'int' ? Number(a[3].v) : 1;
  if (!off || off.k !== 'int') return ctx.unknown(`result of ${ctx.name}`);
  const shift = Number(c2b(ctx));
  const first = Number(off.v) << shift;
  const handle = a[6] && a[6].k === 'obj' && a[6].o instanceof Handle ? a[6] : ZERO;
  const r = getBlocks(ctx, { handle, block: int(first), maxBlocks: int(1), bh: null, create: int(1), journalled: true });
  if (r.k === 'int' && r.v < 0n) return r;
  // The whole cluster run is allocated: one extent.
  for (let b = first; b < (Number(off.v) + n) << shift; b++) ctx.world.inode.blockMap.set(b, 'allocated');
  storeOut(a[2], int(off.v + BigInt(n)));
  storeOut(a[9], ZERO);
  return ZERO;
}

export const ocfs2Models: [string, ModelSpec][] = [
  // fs/ocfs2/ocfs2.h (2.6.25-2.6.36): ocfs2_should_order_data(inode) is 0 for an inode that is not a
  // regular file or on a volume mounted data=writeback (OCFS2_MOUNT_DATA_WRITEBACK in s_mount_opt),
  // else 1 (ocfs2 has no data=journal: a row that guesses the mode reads any other as ordered): the
  // scenario's data mode, one answer per path (not an unknown at each call).
  ['ocfs2_should_order_data', { fn: orderData, pure: true, decided: (c, a) => (dataModeDecided(c) ? orderData(c, a) : undefined), doc: "whether the inode's data is ordered: a regular file on a volume not mounted data=writeback" }],
  ['OCFS2_SB', { fn: (c) => obj(ocfs2Super(c.world.sb)), doc: 'the ocfs2 super block of the scenario (4 KiB clusters)' }],
  // v2.6.27 fs/ocfs2/ocfs2.h inlines.
  ['ocfs2_clusters_to_blocks', onInt(1, (c, n) => n << c2b(c), 'clusters << (s_clustersize_bits - s_blocksize_bits)')],
  ['ocfs2_blocks_to_clusters', onInt(1, (c, n) => n >> c2b(c), 'blocks >> (s_clustersize_bits - s_blocksize_bits)')],
  ['ocfs2_clusters_for_bytes', onInt(1, (c, n) => (n + (1n << BigInt(clusterBits(c))) - 1n) >> BigInt(clusterBits(c)), 'bytes rounded up to clusters')],
  ['ocfs2_bytes_to_clusters', onInt(1, (c, n) => n >> BigInt(clusterBits(c)), 'bytes >> s_clustersize_bits')],
  ['ocfs2_align_bytes_to_clusters', onInt(1, (c, n) => ((n + (1n << BigInt(clusterBits(c))) - 1n) >> BigInt(clusterBits(c))) << BigInt(clusterBits(c)), 'bytes rounded up to a cluster boundary')],
  [
    'ocfs2_pages_per_cluster',
    { fn: (c) => int(clusterBits(c) > PAGE_SHIFT ? 1 << (clusterBits(c) - PAGE_SHIFT) : 1), doc: 'pages per cluster: 1 << (s_clustersize_bits - PAGE_CACHE_SHIFT), at least 1' },
  ],
  [
    'ocfs2_align_clusters_to_page_index',
    onInt(1, (c, n) => {
      const cb = clusterBits(c);
      return PAGE_SHIFT > cb ? n >> BigInt(PAGE_SHIFT - cb) : n << BigInt(cb - PAGE_SHIFT);
    }, 'the page index of a cluster'),
  ],
  ['ocfs2_supports_inline_data', volumeFeature('ocfs2:inline-data', 'inline-data')],
  ['ocfs2_journal_access', journalAccess],
  ...['di', 'eb', 'gd', 'xb', 'rb', 'dq', 'dr', 'dl'].map((k): [string, ModelSpec] => [`ocfs2_journal_access_${k}`, journalAccess]),
  ['ocfs2_lock_allocators', { fn: lockAllocators, doc: 'reserves the clusters to add in the global bitmap: 0 or -ENOSPC (no metadata reservation: the extent list of the scenario inode has room)' }],
  [
    'ocfs2_calc_extend_credits',
    {
      // v2.6.27 fs/ocfs2/journal.h: OCFS2_SUBALLOC_ALLOC + (1 + (OCFS2_SUBALLOC_ALLOC - 1) * ocfs2_extend_meta_needed) + (2 + l_tree_depth), depth 0.
      fn: () => int(3 + (1 + 2 * 2) + 2),
      doc: 'credits to extend a file: 10 (bitmap dinode, group descriptor, relinked group; a tree-depth shift; dinode and last extent block; extent tree in the inode)',
    },
  ],
  ['ocfs2_do_extend_allocation', { fn: extendAllocation, doc: 'allocates clusters and inserts their extent under the handle (the allocator: credits, -ENOSPC)' }],
  ['ocfs2_add_inode_data', { fn: extendAllocation, doc: 'allocates clusters and inserts their extent under the handle (the allocator: credits, -ENOSPC)' }],
  ['ocfs2_free_alloc_context', { fn: () => ZERO, doc: 'releases a reservation' }],
  ['ocfs2_init_dealloc_ctxt', { fn: () => ZERO, doc: 'initialises a list of blocks to free later' }],
  ['ocfs2_run_deallocs', { fn: () => ZERO, doc: 'frees the blocks of a dealloc context (none in the scenario)' }],
  ['ocfs2_init_dinode_extent_tree', { fn: () => ZERO, doc: 'initialises an extent tree handle on the inode' }],
  [
    'ocfs2_mark_extent_written',
    { fn: (c) => { c.event(`${c.name}: the unwritten extent is marked written`); return ZERO; }, doc: 'converts an unwritten extent to written under the handle: 0 (the scenario volume has no unwritten extents)' },
  ],
  ['INODE_CACHE', { fn: (c) => obj(c.world.inode.info), doc: "the inode's metadata cache (OCFS2_I(inode)->ip_metadata_cache)" }],
  ['ocfs2_get_clusters', { fn: getClusters, doc: 'ocfs2 extent lookup by cluster: the physical cluster (0 for a hole) and the run length (no allocation)' }],
];

/** Constants of v2.6.27 fs/ocfs2/journal.h and ocfs2_fs.h. */
export const OCFS2_CONSTANTS: [string, bigint][] = [
  ['OCFS2_INODE_UPDATE_CREDITS', 1n],
  ['OCFS2_SUBALLOC_ALLOC', 3n],
  ['OCFS2_JOURNAL_ACCESS_CREATE', 0n],
  ['OCFS2_JOURNAL_ACCESS_WRITE', 1n],
  ['OCFS2_JOURNAL_ACCESS_UNDO', 2n],
  ['OCFS2_INLINE_DATA_FL', 0x1n],
];
