// Model families of the other filesystems of the 2008 era (v2.6.27 sources read for each entry):
// ext2 (fs/ext2/inode.c), ext3/jbd (fs/ext3/inode.c, include/linux/ext3_fs.h, ext3_jbd.h),
// ocfs2 (fs/ocfs2/aops.c, extent_map.c, journal.c, cluster/masklog.h), gfs2 (fs/gfs2/ops_address.c,
// bmap.c, trans.c, util.h) and reiserfs (fs/reiserfs/journal.c, prints.c). One audited table:
// inode/superblock accessors, data-mode predicates, S_IS* on the scenario inode's mode, assertion
// families, journal families and the block-mapping primitives, cut where the allocator starts
// (preferOverSource, as ext4_get_blocks_wrap in alloc.ts). Models emit events; rules decide.
import type { Expr } from '../ir/ir';
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { exprText } from '../interp/interpreter';
import { int, KObj, obj, type Value, ZERO } from '../interp/values';
import { getBlocks } from './alloc';
import { dirtyMetadata, journalStart, journalStop } from './journal';
import { assertion, dataMode, mountDataMode } from './misc';
import { BufferHead, freshId, storeOut } from './objects';

const zero: Value = ZERO;
const noop: ModelSpec = { fn: () => ZERO };
/** Log and trace macros whose arguments (ML_ERROR, format strings) need no evaluation. */
const log: ModelSpec = { fn: () => ZERO, raw: true, doc: 'kernel log/trace message: no effect on the simulated state' };

function bhArg(v: Value | undefined): BufferHead | null {
  return v && v.k === 'obj' && v.o instanceof BufferHead ? v.o : null;
}

/** The in-core inode of the scenario, named by the filesystem's accessor (EXT3_I, OCFS2_I...). */
function inodeInfo(name: string, fields: Record<string, bigint> = {}, vfsInode?: string): ModelSpec {
  return {
    fn: (c) => {
      const info = c.world.inode.info;
      // The VFS inode embedded in the file system's (gfs2's ip->i_inode): the scenario's inode.
      if (vfsInode && info.get(vfsInode) === undefined) info.set(vfsInode, obj(c.world.inode));
      // Named as the file names it: OCFS2_I(inode)->ip_clusters, not ext4's EXT4_I.
      info.label = `${name.toUpperCase()}_I(inode)`;
      for (const [f, v] of Object.entries(fields)) if (info.get(f) === undefined) info.set(f, int(v));
      return obj(info);
    },
    doc: `the in-core ${name} inode of the scenario (a regular user file)${Object.keys(fields).length ? `: ${Object.entries(fields).map(([f, v]) => `${f} = ${v}`).join(', ')}` : ''}`,
  };
}

const superBlock: ModelSpec = { fn: (c) => obj(c.world.sb), doc: 'the superblock of the scenario' };

// include/linux/stat.h: S_IFMT and the file types.
const S_IFMT = 0o170000n;
const TYPES: Record<string, bigint> = { S_ISREG: 0o100000n, S_ISDIR: 0o040000n, S_ISLNK: 0o120000n, S_ISCHR: 0o020000n, S_ISBLK: 0o060000n, S_ISFIFO: 0o010000n, S_ISSOCK: 0o140000n };

function fileType(name: string, type: bigint): ModelSpec {
  return {
    fn: (c, a) => {
      const m = a[0];
      if (!m || m.k !== 'int') return c.unknown(`${name}() of an unknown mode`);
      return int((m.v & S_IFMT) === type);
    },
    doc: `${name}(mode): the file type in the mode (the scenario inode is a regular file)`,
  };
}

/** gfs2_assert_withdraw(sdp, assertion): 0 when it holds; else the file system withdraws (stops, no BUG) and -1. */
function gfs2Withdraw(ctx: ModelCtx, _a: Value[], raw: Expr[]): Value {
  const cond = raw[1];
  if (!cond || ctx.truthy(ctx.eval(cond))) return ZERO;
  ctx.world.fatalByDesign = `gfs2 withdrew (gfs2_assert_withdraw(${exprText(cond)}) failed: the file system stops by design, not a BUG)`;
  ctx.event(`gfs2_assert_withdraw(${exprText(cond)}) fails: the file system withdraws`);
  return int(-1);
}

/** gfs2_assert_warn(sdp, assertion): warns and returns -1 when it fails; no BUG. */
function gfs2Warn(ctx: ModelCtx, _a: Value[], raw: Expr[]): Value {
  const cond = raw[1];
  if (!cond || ctx.truthy(ctx.eval(cond))) return ZERO;
  ctx.event(`gfs2_assert_warn(${exprText(cond)}) warns (not a BUG)`);
  return int(-1);
}

/** An assertion whose condition is argument `index` and which BUGs when the condition is false. */
function assertTrue(kind: string, index: number): ModelSpec {
  return {
    raw: true,
    fn: (c, _a, raw) => {
      const cond = raw[index];
      if (cond && !c.truthy(c.eval(cond))) c.bug(`${kind}(${exprText(cond)}) fails`, kind);
      return ZERO;
    },
    doc: `${kind}: a reachable failing one crashes the kernel`,
  };
}

/**
 * ocfs2_extent_map_get_blocks(inode, v_blkno, *p_blkno, *ret_count, *extent_flags) of 2.6.27
 * (fs/ocfs2/extent_map.c): a lookup only (ocfs2 allocates in ->write_begin, never in
 * ->writepage): an allocated block gives its disk block, a hole gives p_blkno 0.
 */
function ocfs2ExtentMap(ctx: ModelCtx, a: Value[]): Value {
  const v = a[1];
  if (!v || v.k !== 'int') return ctx.unknown(`result of ${ctx.name}`);
  const block = Number(v.v);
  const inode = ctx.world.inode;
  if (inode.diskState(block) === 'allocated') {
    let n = 1;
    while (inode.diskState(block + n) === 'allocated') n++;
    storeOut(a[2], int(1000 + block));
    storeOut(a[3], int(n));
    storeOut(a[4], int(0));
    ctx.event(`${ctx.name}(block ${block}): allocated at disk block ${1000 + block}, ${n} contiguous, not unwritten`);
  } else {
    storeOut(a[2], int(0));
    storeOut(a[3], int(1));
    storeOut(a[4], int(0));
    ctx.event(`${ctx.name}(block ${block}): a hole (p_blkno 0)`);
  }
  return ZERO;
}

/** reiserfs journal_begin(th, sb, nblocks): 0 or an error (the handle lives in *th and current->journal_info). */
function reiserfsBegin(ctx: ModelCtx, a: Value[]): Value {
  const h = journalStart(ctx, a, 2);
  return h.k === 'err' ? int(h.errno) : ZERO;
}

/**
 * gfs2_trans_add_bh(gl, bh, meta) of v2.6.27 (fs/gfs2/trans.c, lops.c databuf_lo_add): with a
 * transaction open, the buffer is charged to it. Without one, an ordered data buffer (meta 0, not
 * jdata) is only put on the log's ordered list (databuf_lo_add tests `tr`); a journalled data
 * buffer dereferences the NULL transaction (tr->tr_num_databuf_new++).
 */
function gfs2TransAddBh(ctx: ModelCtx, a: Value[]): Value {
  const h = ctx.world.handle;
  if (h) return dirtyMetadata(ctx, [obj(h), a[1] ?? ZERO], 1);
  const meta = a[2] && a[2].k === 'int' ? a[2].v !== 0n : null;
  if (meta === false) {
    if (mountDataMode(ctx) === 'journal') ctx.bug(`${ctx.name} of a journalled data buffer with no transaction open: databuf_lo_add dereferences the NULL transaction`, 'NULL handle');
    ctx.event(`${ctx.name}: no transaction open; the ordered data buffer goes on the log's ordered list (the log flush writes it)`);
    return ZERO;
  }
  ctx.event(`${ctx.name}: no transaction open (metadata buffer: not modelled further)`);
  return ZERO;
}

export const familyModels: [string, ModelSpec][] = [
  // Accessors.
  ['EXT2_I', inodeInfo('ext2')],
  ['EXT3_I', inodeInfo('ext3')],
  ['OCFS2_I', inodeInfo('ocfs2', { ip_flags: 0n, ip_dyn_features: 0n })],
  ['GFS2_I', inodeInfo('gfs2', {}, 'i_inode')],
  ['REISERFS_I', inodeInfo('reiserfs')],
  ['EXT2_SB', superBlock],
  ['EXT3_SB', superBlock],
  ['REISERFS_SB', superBlock],
  ['le32_to_cpu', { fn: (_c, a) => a[0] ?? ZERO }],
  ['cpu_to_le32', { fn: (_c, a) => a[0] ?? ZERO }],
  // Data modes: ext3's predicates; ext2 has none (no journal). gfs2_is_jdata: journalled data.
  ['ext3_should_writeback_data', dataMode('writeback', true)],
  ['ext3_should_order_data', dataMode('ordered', true)],
  ['ext3_should_journal_data', dataMode('journal', true)],
  ['gfs2_is_jdata', dataMode('journal')],
  ['gfs2_is_ordered', dataMode('ordered')],
  ['gfs2_is_writeback', dataMode('writeback')],
  // The file type of the scenario inode's mode.
  ...Object.entries(TYPES).map(([n, t]): [string, ModelSpec] => [n, fileType(n, t)]),
  [
    'ocfs2_inode_is_fast_symlink',
    { fn: (c) => { c.event('ocfs2_inode_is_fast_symlink: no (the scenario inode is a regular file)'); return int(0); }, doc: 'whether the inode is a fast symlink: the scenario inode is a regular file' },
  ],
  // Assertion families.
  ['mlog_bug_on_msg', assertion('mlog_bug_on_msg', (c, v) => c.truthy(v))],
  ['BUG_ON_MSG', assertion('BUG_ON_MSG', (c, v) => c.truthy(v))],
  ['J_ASSERT_JH', assertTrue('J_ASSERT_JH', 1)],
  ['RFALSE', assertion('RFALSE', (c, v) => c.truthy(v))],
  ['gfs2_assert', assertTrue('gfs2_assert', 1)],
  ['gfs2_assert_withdraw', { fn: gfs2Withdraw, raw: true, doc: 'gfs2_assert_withdraw: a failing one withdraws the file system (it stops by design), not a BUG' }],
  ['gfs2_assert_warn', { fn: gfs2Warn, raw: true, doc: 'gfs2_assert_warn: a failing one warns, not a BUG' }],
  [
    'gfs2_glock_is_held_excl',
    {
      fn: (c) => { c.event('gfs2_glock_is_held_excl: yes (a gfs2 page is dirtied only under the exclusive glock, and demoting it writes the pages back first)'); return int(1); },
      doc: 'whether the node holds the glock exclusively: yes for a dirty page (gfs2 dirties pages only under EX, demotion syncs them)',
    },
  ],
  ['reiserfs_panic', { fn: (c) => c.bug('reiserfs_panic()', 'reiserfs_panic'), doc: 'reiserfs_panic: crashes the kernel' }],
  // Logging of the families.
  ...['mlog', 'mlog_errno', 'mlog_entry', 'mlog_exit', 'mlog_entry_void', 'mlog_exit_void', 'mlog_exit_ptr', 'BUFFER_TRACE', 'ext2_error', 'ext2_warning', 'ext3_error', 'ext3_warning', 'ext3_std_error', 'reiserfs_warning', 'dump_stack'].map((n): [string, ModelSpec] => [n, log]),
  ['le64_to_cpu', { fn: (_c, a) => a[0] ?? ZERO }],
  // include/linux/buffer_head.h (2.6.27): sleeps until the buffer is unlocked; the model's I/O completes at submission.
  ['wait_on_buffer', { fn: () => ZERO, doc: "waits for the buffer's I/O: the simulated I/O has completed at submission" }],
  // include/linux/buffer_head.h sb_getblk(sb, block) = __getblk(bdev, block, blocksize) (fs/buffer.c, 2.6.27):
  // the buffer cache's buffer of a disk block, mapped to it, its contents not read (not uptodate); it
  // sleeps for memory rather than fail (__getblk_slow loops on grow_buffers).
  [
    'sb_getblk',
    {
      fn: (c, a) => {
        const bh = new BufferHead(1 << c.world.inode.blkbits, null, -1);
        bh.flags.add('mapped');
        bh.blocknr = a[1] && a[1].k === 'int' ? a[1].v : 0n;
        return obj(bh);
      },
      doc: "the buffer cache's buffer_head of a disk block: mapped, not read",
    },
  ],
  // include/linux/mm.h (2.6.27): the kernel address of a (lowmem) page's data.
  ['page_address', { fn: (c, a) => obj(new KObj('page_data', freshId(), `page_address(${a[0] && a[0].k === 'obj' ? a[0].o.label : 'page'})`)), doc: "the kernel address of the page's data (its contents are not simulated)" }],
  // mm/swap.c (2.6.27): moves the page up the LRU; no effect on the simulated state.
  ['mark_page_accessed', { fn: () => ZERO, doc: 'marks the page referenced on the LRU: no effect on the simulated state' }],
  ['EXT3_QUOTA_TRANS_BLOCKS', { fn: () => ZERO, doc: 'quota credits: 0 (quota off)' }],
  ['EXT3_QUOTA_INIT_BLOCKS', { fn: () => ZERO, doc: 'quota credits: 0 (quota off)' }],
  [
    'ext3_journal_blocks_per_page',
    { fn: (c) => int(1n << BigInt(12 - c.world.inode.blkbits)), doc: 'journal_blocks_per_page: blocks per page (PAGE_CACHE_SHIFT - blocksize bits)' },
  ],
  [
    'ext3_journal_abort_handle',
    {
      fn: (c) => {
        c.world.fatalByDesign = 'the journal handle was aborted (ext3_journal_abort_handle: the file system reports the error per errors=)';
        c.event('ext3_journal_abort_handle: the handle is aborted');
        return ZERO;
      },
      doc: 'aborts the handle after a journal error: the file system stops writing by design',
    },
  ],
  [
    'ocfs2_sparse_alloc',
    {
      fn: (c) => {
        let on = c.world.assumptions.get('ocfs2:sparse');
        if (on === undefined) {
          on = c.choose(['sparse feature off', 'sparse feature on'], 'ocfs2 sparse-file feature of the volume') === 1;
          c.world.assumptions.set('ocfs2:sparse', on);
        }
        return int(on);
      },
      doc: 'whether the volume has the sparse-file feature: both explored, decided once per path',
    },
  ],
  [
    'ocfs2_read_block',
    {
      // v2.6.27 fs/ocfs2/buffer_head_io.h: ocfs2_read_block(osb, off, &bh, flags, inode); 2.6.29+: (inode, off, &bh).
      fn: (c) => {
        c.event(`${c.name}: the metadata block is read (its contents are not simulated)`);
        return ZERO;
      },
      doc: 'reads one metadata block into *bh: 0 (its contents are not simulated)',
    },
  ],
  [
    'ocfs2_read_inode_block',
    {
      // v2.6.29+ fs/ocfs2/inode.c: ocfs2_read_inode_block(inode, &bh), the validated dinode.
      fn: (c) => {
        c.event(`${c.name}: the inode block is read and validated (its contents are not simulated)`);
        return ZERO;
      },
      doc: 'reads and validates the inode block into *bh: 0 (its contents are not simulated)',
    },
  ],
  [
    'ocfs2_inode_lock',
    {
      // v2.6.27 fs/ocfs2/dlmglue.h: ocfs2_inode_lock(inode, &bh, ex) = ocfs2_inode_lock_full(..., 0): takes the
      // cluster lock, reads the inode block into *bh when asked; 0 on success (a lock failure is not injected).
      fn: (c, a) => {
        const out = a[1];
        if (out && out.k === 'ref') {
          const bh = new BufferHead(1 << c.world.inode.blkbits, null, -1);
          bh.flags.add('mapped');
          bh.flags.add('uptodate');
          out.cell.value = obj(bh);
        }
        c.event(`${c.name}: the inode's cluster lock is taken${out && out.k === 'ref' ? ', its inode block read into the buffer_head' : ''}`);
        return ZERO;
      },
      doc: "takes the inode's cluster lock (and reads its inode block into *bh when asked): 0",
    },
  ],
  ['ocfs2_inode_unlock', { fn: () => ZERO, doc: "drops the inode's cluster lock" }],
  [
    'reiserfs_transaction_running',
    {
      // v2.6.27 include/linux/reiserfs_fs.h: current->journal_info is a reiserfs handle of this super block.
      fn: (c) => int(c.world.handle ? 1 : 0),
      doc: "whether the task holds a reiserfs transaction (current->journal_info): the scenario's handle",
    },
  ],
  ['OCFS2_IS_VALID_DINODE', { fn: () => int(1), doc: 'the dinode read has a valid signature (a corrupt volume is not simulated)' }],
  ['ocfs2_inode_is_new', { fn: () => ZERO, doc: 'whether the inode was created in the running transaction: no (the scenario inode has pages written back before)' }],
  ['ocfs2_blocks_for_bytes', { fn: (c, a) => (a[1] && a[1].k === 'int' ? int((a[1].v + (1n << BigInt(c.world.inode.blkbits)) - 1n) >> BigInt(c.world.inode.blkbits)) : c.unknown('ocfs2_blocks_for_bytes of an unknown size')), doc: 'bytes rounded up to blocks' }],
  // Journal families.
  [
    'ocfs2_jbd2_file_inode',
    {
      // v2.6.28+ fs/ocfs2/journal.h (inline): jbd2_journal_file_inode(handle, &OCFS2_I(inode)->ip_jinode).
      fn: () => ZERO,
      doc: "hands the inode to the transaction's ordered-data list (jbd2_journal_file_inode): the commit writes its pages through ->writepage",
    },
  ],
  ['ocfs2_start_trans', { fn: (c, a) => journalStart(c, a, 1), doc: 'ocfs2_start_trans(osb, max_buffs): opens a jbd handle; nested: same handle; may fail (ERR_PTR)' }],
  ['ocfs2_commit_trans', { fn: (c, a) => journalStop(c, [a[1] ?? ZERO]), doc: 'ocfs2_commit_trans(osb, handle): drops one reference; the last closes the handle' }],
  ['ocfs2_journal_dirty', { fn: (c, a) => dirtyMetadata(c, a, 1), doc: 'journals a metadata buffer: one credit if new to the transaction' }],
  [
    'gfs2_trans_begin',
    {
      // v2.6.27 fs/gfs2/trans.c: BUG_ON(current->journal_info) first: gfs2 transactions do not nest.
      fn: (c, a) => {
        if (c.world.handle) c.bug(`BUG_ON(current->journal_info) in ${c.name}: the task already holds the transaction of ${c.world.handle.owner} (gfs2 transactions do not nest)`, 'BUG_ON');
        const h = journalStart(c, a, 1);
        return h.k === 'err' ? int(h.errno) : ZERO;
      },
      doc: 'gfs2_trans_begin(sdp, blocks, revokes): BUG if the task holds a transaction already (no nesting); opens the transaction (current->journal_info); 0 or an error',
    },
  ],
  ['gfs2_trans_end', { fn: (c) => journalStop(c, []), doc: "gfs2_trans_end(sdp): closes the task's transaction" }],
  ['gfs2_trans_add_bh', { fn: gfs2TransAddBh, doc: "gfs2_trans_add_bh(gl, bh, meta): adds the buffer to the task's transaction (one credit if new), or, for ordered data with no transaction, to the log's ordered list" }],
  ['journal_begin', { fn: reiserfsBegin, doc: 'reiserfs journal_begin(th, sb, nblocks): opens a handle; nested: same handle; 0 or an error' }],
  ['journal_end', { fn: (c) => journalStop(c, []), doc: "reiserfs journal_end(th, sb, nblocks): drops one reference of the task's handle" }],
  // Block mapping, cut where the allocator starts.
  [
    'ext3_get_blocks_handle',
    {
      // v2.6.27 fs/ext3/inode.c: (handle, inode, iblock, maxblocks, bh_result, create, extend_disksize)
      fn: (c, a) => getBlocks(c, { handle: a[0] ?? zero, block: a[2] ?? zero, maxBlocks: a[3] ?? zero, bh: bhArg(a[4]), create: a[5] ?? zero, journalled: true }),
      preferOverSource: true,
      doc: 'ext3 block mapping: maps an allocated block; allocates (under the handle, charging credits) when create != 0',
    },
  ],
  [
    'ext2_get_blocks',
    {
      // v2.6.27 fs/ext2/inode.c: (inode, iblock, maxblocks, bh_result, create); ext2 has no journal.
      fn: (c, a) => getBlocks(c, { handle: zero, block: a[1] ?? zero, maxBlocks: a[2] ?? zero, bh: bhArg(a[3]), create: a[4] ?? zero, journalled: false }),
      preferOverSource: true,
      doc: 'ext2 block mapping: maps an allocated block; allocates (no journal) when create != 0',
    },
  ],
  [
    'gfs2_block_map',
    {
      // v2.6.25-2.6.36 fs/gfs2/bmap.c: (inode, lblock, bh_map, create); v2.6.24: (inode, lblock, create,
      // bh_map). The buffer_head is the argument that is an object. Allocation runs in the caller's
      // transaction. It returns 0 or -errno (the mapping is in bh_map), not a block count.
      fn: (c, a) => {
        const createFirst = a[2]?.k !== 'obj' && a[3]?.k === 'obj';
        const [bh, create] = createFirst ? [a[3], a[2]] : [a[2], a[3]];
        const r = getBlocks(c, { handle: c.world.handle ? obj(c.world.handle) : zero, block: a[1] ?? zero, maxBlocks: int(1), bh: bhArg(bh), create: create ?? zero, journalled: true });
        return r.k === 'int' && r.v > 0n ? ZERO : r;
      },
      preferOverSource: true,
      doc: "gfs2 block mapping: maps an allocated block; allocates in the task's transaction when create != 0",
    },
  ],
  ['ocfs2_extent_map_get_blocks', { fn: ocfs2ExtentMap, preferOverSource: true, doc: 'ocfs2 extent lookup: disk block of an allocated block, 0 for a hole (no allocation)' }],
];

/** Constants of the families' headers (v2.6.27). */
export function familyConstants(): [string, bigint][] {
  return [
    ['EXT2_NDIR_BLOCKS', 12n],
    ['EXT3_NDIR_BLOCKS', 12n],
    ['EXT3_STATE_JDATA', 1n],
    ['EXT3_STATE_NEW', 2n],
    ['OCFS2_INODE_SYSTEM_FILE', 0x1n],
    ['OCFS2_EXT_UNWRITTEN', 0x1n],
  ];
}

/** The families' calls that hand an inode to a jbd2 transaction's ordered data (the commit writes its pages). */
export const FAMILY_INODE_ORDERED_DATA = ['ocfs2_jbd2_file_inode'];

/** The journal starts of the families (ocfs2, gfs2, reiserfs). */
export const FAMILY_JOURNAL_STARTS = ['ocfs2_start_trans', 'gfs2_trans_begin', 'journal_begin'];

/** The families' calls that use a journal (their journal models and journalled block mapping). */
export const FAMILY_JOURNAL_CALLS = ['ocfs2_jbd2_file_inode', 'ocfs2_start_trans', 'ocfs2_commit_trans', 'ocfs2_journal_dirty', 'gfs2_trans_begin', 'gfs2_trans_end', 'gfs2_trans_add_bh', 'journal_begin', 'journal_end', 'ext3_get_blocks_handle', 'gfs2_block_map'];
