// reiserfs' tree lookup and block mapping, as v2.6.27 writes them (include/linux/reiserfs_fs.h
// key and item macros, fs/reiserfs/stree.c search_for_position_by_key, fs/reiserfs/inode.c
// reiserfs_get_block cut at _allocate_block, fs/reiserfs/journal.c journal_mark_dirty and the
// persistent transactions). The scenario file has no tail: every block of i_size is in an indirect
// item (a hole inside i_size is a zero pointer), nothing is found past the last item.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { ERRNO, int, KObj, obj, type Value, ZERO } from '../interp/values';
import { getBlocks } from './alloc';
import { dirtyMetadata, journalStart, journalStop } from './journal';
import { dataMode } from './misc';
import { BufferHead, freshId } from './objects';

// include/linux/reiserfs_fs.h (2.6.27).
const GET_BLOCK_CREATE = 1n;
const GET_BLOCK_NO_HOLE = 2n;
const GET_BLOCK_NO_DANGLE = 16n;
const POSITION_FOUND = 1n;
const POSITION_NOT_FOUND = 0n;
const KEY_FORMAT_3_6 = 1n;
const UNFM_P_SIZE = 4n;
/** JOURNAL_PER_BALANCE_CNT: 3 * (MAX_HEIGHT - 2) + 9 with MAX_HEIGHT 5. */
const JOURNAL_PER_BALANCE_CNT = 18;

export const REISERFS_CONSTANTS: [string, bigint][] = [
  ['GET_BLOCK_NO_CREATE', 0n],
  ['GET_BLOCK_CREATE', GET_BLOCK_CREATE],
  ['GET_BLOCK_NO_HOLE', GET_BLOCK_NO_HOLE],
  ['GET_BLOCK_READ_DIRECT', 4n],
  ['GET_BLOCK_NO_IMUX', 8n],
  ['GET_BLOCK_NO_DANGLE', GET_BLOCK_NO_DANGLE],
  ['POSITION_FOUND', POSITION_FOUND],
  ['POSITION_NOT_FOUND', POSITION_NOT_FOUND],
  ['ITEM_FOUND', 1n],
  ['ITEM_NOT_FOUND', 0n],
  ['FILE_NOT_FOUND', -1n],
  ['REPEAT_SEARCH', -1n],
  ['IO_ERROR', -2n],
  ['NO_DISK_SPACE', -3n],
  ['QUOTA_EXCEEDED', -6n],
  ['KEY_FORMAT_3_5', 0n],
  ['KEY_FORMAT_3_6', KEY_FORMAT_3_6],
  ['TYPE_STAT_DATA', 0n],
  ['TYPE_INDIRECT', 1n],
  ['TYPE_DIRECT', 2n],
  ['TYPE_DIRENTRY', 3n],
  ['TYPE_ANY', 15n],
  ['MAX_HEIGHT', 5n],
  ['JOURNAL_PER_BALANCE_CNT', BigInt(JOURNAL_PER_BALANCE_CNT)],
  ['UNFM_P_SIZE', UNFM_P_SIZE],
];

function int0(v: Value | undefined): bigint | null {
  return v && v.k === 'int' ? v.v : null;
}

/**
 * The object a pointer argument points at. `&path` of a path declared by INITIALIZE_PATH (a
 * declaration the C grammar reads as a call) is an unknown value: its object is the one the
 * interpreter gives `path.f` on this path (World.unknownObjects, by the unknown's key).
 */
function target(ctx: ModelCtx, v: Value | undefined): KObj | null {
  if (!v) return null;
  const x = v.k === 'ref' ? v.cell.value : v;
  if (x.k !== 'unk') return ctx.objOf(x);
  let o = ctx.world.unknownObjects.get(x.key);
  if (!o) {
    o = new KObj('unknown', freshId(), x.why);
    ctx.world.unknownObjects.set(x.key, o);
  }
  return o;
}

function store(ctx: ModelCtx, t: Value | undefined, field: string, v: Value): void {
  target(ctx, t)?.set(field, v);
}

function field(ctx: ModelCtx, t: Value | undefined, f: string): Value | undefined {
  return target(ctx, t)?.get(f);
}

/** Blocks of the file inside i_size. */
function fileBlocks(ctx: ModelCtx): number {
  const bits = BigInt(ctx.world.inode.blkbits);
  return Number((ctx.world.inode.size + (1n << bits) - 1n) >> bits);
}

/**
 * search_for_position_by_key(sb, key, path) of v2.6.27 (fs/reiserfs/stree.c): the item holding
 * the byte `cpu_key_k_offset(key)` (1-based). Inside i_size it is an indirect item whose pointer is
 * the block's disk block, 0 for a hole (POSITION_FOUND); past the last item, POSITION_NOT_FOUND.
 */
function searchByKey(ctx: ModelCtx, a: Value[]): Value {
  const off = int0(field(ctx, a[1], 'k_offset'));
  if (off === null) return ctx.unknown(`result of ${ctx.name} (key offset unknown)`);
  const block = Number((off - 1n) >> BigInt(ctx.world.inode.blkbits));
  const leaf = new BufferHead(1 << ctx.world.inode.blkbits, null, -1);
  leaf.flags.add('mapped');
  leaf.flags.add('uptodate');
  store(ctx, a[2], 'bh', obj(leaf));
  store(ctx, a[2], 'pos_in_item', ZERO);
  if (block >= fileBlocks(ctx)) {
    ctx.event(`${ctx.name}(block ${block}): past the last item of the file (POSITION_NOT_FOUND)`);
    return int(POSITION_NOT_FOUND);
  }
  const ih = new KObj('item_head', freshId(), 'ih');
  ih.set('indirect', int(1));
  ih.set('ih_item_len', int(UNFM_P_SIZE));
  const item = new KObj('unfm_pointers', freshId(), 'item');
  const allocated = ctx.world.inode.diskState(block) === 'allocated';
  item.set('[0]', int(allocated ? 1000 + block : 0));
  store(ctx, a[2], 'ih', obj(ih));
  store(ctx, a[2], 'item', obj(item));
  ctx.event(`${ctx.name}(block ${block}): indirect item found, pointer ${allocated ? `to disk block ${1000 + block}` : '0 (a hole)'}`);
  return int(POSITION_FOUND);
}

/**
 * reiserfs_get_block(inode, block, bh_result, create) of v2.6.27 (fs/reiserfs/inode.c), cut where
 * the allocator starts. Without GET_BLOCK_CREATE a lookup (_get_block_create_0: an allocated
 * block is mapped, a hole left unmapped, -ENOENT with GET_BLOCK_NO_HOLE). With it: a block at or
 * past EOF starts the persistent transaction before the search (reiserfs_persistent_transaction,
 * jbegin_count = JOURNAL_PER_BALANCE_CNT * 3 + 1, quota off), a hole starts it if none is running,
 * and _allocate_block allocates under it (the allocation primitive: credits, -ENOSPC, -EDQUOT).
 * The transaction is ended before returning unless it may dangle: it dangles (left running in
 * current->journal_info, for reiserfs_commit_write to end) when neither GET_BLOCK_NO_DANGLE is
 * passed nor a transaction was running on entry.
 */
function reiserfsGetBlock(ctx: ModelCtx, a: Value[]): Value {
  const w = ctx.world;
  const block = int0(a[1]);
  const create = int0(a[3]);
  const bh = a[2] && a[2].k === 'obj' && a[2].o instanceof BufferHead ? a[2].o : null;
  if (block === null || create === null) return ctx.unknown(`result of ${ctx.name} (block or create unknown)`);
  const b = Number(block);
  const map = (): void => {
    if (!bh) return;
    bh.flags.add('mapped');
    bh.blocknr = BigInt(1000 + b);
    if (bh.lblk < 0) bh.lblk = b;
  };
  const allocated = w.inode.diskState(b) === 'allocated' && b < fileBlocks(ctx);
  if (!(create & GET_BLOCK_CREATE)) {
    if (allocated) {
      map();
      ctx.event(`${ctx.name}(block ${b}, create=${create}): allocated; buffer mapped to disk block ${1000 + b}`);
      return ZERO;
    }
    ctx.event(`${ctx.name}(block ${b}, create=${create}): a hole; nothing allocated${create & GET_BLOCK_NO_HOLE ? ', -ENOENT (GET_BLOCK_NO_HOLE)' : ''}`);
    return create & GET_BLOCK_NO_HOLE ? int(-ERRNO.ENOENT) : ZERO;
  }
  const dangle = !(create & GET_BLOCK_NO_DANGLE) && !w.handle;
  let inTrans = false;
  const begin = (): boolean => {
    const h = journalStart(ctx, [int(JOURNAL_PER_BALANCE_CNT * 3 + 1)], 0, ctx.name);
    if (h.k === 'err') return false;
    inTrans = true;
    return true;
  };
  const end = (ret: Value): Value => {
    if (inTrans && !dangle) journalStop(ctx, []);
    else if (inTrans) ctx.event(`${ctx.name}: the transaction is left running (current->journal_info) for reiserfs_commit_write to end`);
    return ret;
  };
  const bits = BigInt(w.inode.blkbits);
  // new_offset + s_blocksize - 1 > i_size, new_offset = (block << blocksize_bits) + 1.
  if ((block << bits) + (1n << bits) > w.inode.size && !begin()) return int(-ERRNO.ENOMEM);
  if (allocated) {
    map();
    ctx.event(`${ctx.name}(block ${b}, create=${create}): already allocated; buffer mapped to disk block ${1000 + b}`);
    return end(ZERO);
  }
  if (!inTrans && !begin()) return int(-ERRNO.ENOMEM);
  const r = getBlocks(ctx, { handle: obj(w.handle), block: int(b), maxBlocks: int(1), bh, create: int(1), journalled: true });
  return end(r.k === 'int' && r.v > 0n ? ZERO : r);
}

/** A reiserfs item or key macro reading one field of its object argument (0 when unset). */
const reads = (f: string, doc: string): ModelSpec => ({ fn: (c, a) => field(c, a[0], f) ?? ZERO, doc });

export const reiserfsModels: [string, ModelSpec][] = [
  ['reiserfs_get_block', { fn: reiserfsGetBlock, preferOverSource: true, doc: 'reiserfs block mapping: maps an allocated block; with GET_BLOCK_CREATE allocates a hole in a (persistent) transaction, ended unless it may dangle' }],
  ['search_for_position_by_key', { fn: searchByKey, doc: 'the item of a byte of the file: an indirect item inside i_size (pointer 0 for a hole), none past the last item (the scenario file has no tail)' }],
  // Keys (reiserfs_fs.h inlines): the offset is what the search reads.
  ['set_cpu_key_k_offset', { fn: (c, a) => (store(c, a[0], 'k_offset', a[1] ?? ZERO), ZERO), doc: "sets the key's byte offset" }],
  ['cpu_key_k_offset', reads('k_offset', "the key's byte offset")],
  ['set_cpu_key_k_type', { fn: (c, a) => (store(c, a[0], 'k_type', a[1] ?? ZERO), ZERO), doc: "sets the key's item type" }],
  ['cpu_key_k_type', reads('k_type', "the key's item type")],
  [
    'make_cpu_key',
    {
      // v2.6.27 fs/reiserfs/inode.c (the file's own definition is interpreted when it has one): (key, inode, offset, type, length).
      fn: (c, a) => {
        store(c, a[0], 'k_offset', a[2] ?? ZERO);
        store(c, a[0], 'k_type', a[3] ?? ZERO);
        return ZERO;
      },
      doc: 'makes the key of a byte of the inode (its offset and item type)',
    },
  ],
  ['get_inode_item_key_version', { fn: () => int(KEY_FORMAT_3_6), doc: 'the key format of the inode: KEY_FORMAT_3_6 (a file made by a 2.6 kernel)' }],
  ['INODE_PKEY', { fn: () => obj(new KObj('reiserfs_key', freshId(), 'INODE_PKEY(inode)')), doc: "the inode's key in the tree (REISERFS_I(inode)->i_key)" }],
  ['INITIALIZE_PATH', { fn: () => ZERO, raw: true, doc: 'declares an empty search path (a declaration macro): the search fills it in' }],
  ['B_I_PITEM', { fn: () => obj(new KObj('item_body', freshId(), 'B_I_PITEM(bh, ih)')), doc: 'the body of an item in its leaf buffer' }],
  ['reiserfs_bdevname', { fn: () => ({ k: 'str', s: 'the device' }), doc: "the device's name (for messages)" }],
  // Data logging (reiserfs_fs.h, 2.6.27): data=journal for the super block, or the inode's attribute (not set).
  ['reiserfs_file_data_log', dataMode('journal')],
  ['reiserfs_data_log', dataMode('journal')],
  ['reiserfs_data_ordered', dataMode('ordered')],
  ['reiserfs_data_writeback', dataMode('writeback')],
  // Paths and items (reiserfs_fs.h macros) of the last search.
  ['get_last_bh', reads('bh', 'the leaf buffer of the last search')],
  ['get_ih', reads('ih', 'the item head of the last search')],
  ['get_item', reads('item', 'the item body of the last search')],
  ['pos_in_item', reads('pos_in_item', 'the position in the item of the last search')],
  ['is_indirect_le_ih', reads('indirect', 'whether the item is indirect (block pointers): yes inside i_size')],
  ['is_direct_le_ih', { fn: () => ZERO, doc: 'whether the item is a direct item (a tail): no, the scenario file has no tail' }],
  ['is_statdata_le_ih', { fn: () => ZERO, doc: 'whether the item is stat data: no (the search is for file data)' }],
  ['ih_item_len', reads('ih_item_len', 'the item length: one block pointer')],
  ['I_UNFM_NUM', { fn: () => int(1), doc: 'block pointers in the indirect item: 1' }],
  ['get_block_num', { fn: (c, a) => field(c, a[0], `[${int0(a[1]) ?? 0n}]`) ?? ZERO, doc: 'the block pointer at a position of an indirect item (0: a hole)' }],
  ['copy_item_head', { fn: () => ZERO, doc: 'copies an item head aside (to see whether the tree changed)' }],
  ['get_generation', { fn: () => ZERO, doc: "the tree's generation (fs_generation)" }],
  ['fs_changed', { fn: () => ZERO, doc: 'whether the tree changed since a generation: no (one task runs the path)' }],
  ['item_moved', { fn: () => ZERO, doc: 'whether the item moved in the tree: no (one task runs the path)' }],
  ['pathrelse', { fn: () => ZERO, doc: 'releases the buffers of a search path' }],
  // Locks and waits with no effect on the simulated state.
  ['reiserfs_write_lock', { fn: () => ZERO, doc: "takes the file system's write lock (the BKL in 2.6.27)" }],
  ['reiserfs_write_unlock', { fn: () => ZERO, doc: "drops the file system's write lock" }],
  ['reiserfs_wait_on_write_block', { fn: () => ZERO, doc: 'waits while the journal blocks writers (j_wcount): no effect on the simulated state' }],
  // The journal (fs/reiserfs/journal.c).
  ['reiserfs_update_inode_transaction', { fn: () => ZERO, doc: 'records the running transaction in the inode (for fsync)' }],
  ['reiserfs_prepare_for_journal', { fn: () => int(1), doc: 'locks a buffer for logging: 1 (prepared)' }],
  ['reiserfs_restore_prepared_buffer', { fn: () => ZERO, doc: 'gives back a buffer prepared for logging' }],
  [
    'journal_mark_dirty',
    {
      // v2.6.27: BUG_ON(!th->t_trans_id) first; a buffer new to the transaction takes one of its blocks.
      fn: (c, a) => {
        if (!c.world.handle) c.bug(`${c.name} with no transaction running (BUG_ON(!th->t_trans_id))`, 'BUG_ON');
        return dirtyMetadata(c, [obj(c.world.handle), a[2] ?? ZERO], 1);
      },
      doc: 'logs a buffer in the running transaction: one block of it if new (BUG with none running)',
    },
  ],
  [
    'reiserfs_persistent_transaction',
    {
      fn: (c, a) => {
        const h = journalStart(c, a, 1);
        return h.k === 'err' ? ZERO : h;
      },
      doc: 'starts (or nests into) a transaction kept in current->journal_info: the handle, or NULL',
    },
  ],
  ['reiserfs_end_persistent_transaction', { fn: (c) => journalStop(c, []), doc: 'ends a persistent transaction (one reference)' }],
  ['REISERFS_QUOTA_TRANS_BLOCKS', { fn: () => ZERO, doc: 'quota blocks of a transaction: 0 (quota off)' }],
  ['REISERFS_QUOTA_INIT_BLOCKS', { fn: () => ZERO, doc: 'quota blocks of a transaction: 0 (quota off)' }],
];

/** reiserfs' journal starts besides journal_begin (families.ts). */
export const REISERFS_JOURNAL_STARTS = ['reiserfs_persistent_transaction'];
/** reiserfs' calls that use its journal, and its block mapping that allocates in a transaction. */
export const REISERFS_JOURNAL_CALLS = ['reiserfs_persistent_transaction', 'reiserfs_end_persistent_transaction', 'journal_mark_dirty', 'reiserfs_get_block'];
