// gfs2's glocks, allocation reservations and stuffed inodes, as ->write_begin/->write_end of
// v2.6.28-v2.6.36 call them (fs/gfs2/glock.c gfs2_glock_nq, glock.h gfs2_glock_is_locked_by_me,
// bmap.c gfs2_write_alloc_required, bmap.h gfs2_write_calc_reserv, rgrp.c gfs2_alloc_get and
// gfs2_inplace_reserve_i, quota.h gfs2_quota_lock_check, inode.h gfs2_is_stuffed, super.c
// gfs2_meta_inode_buffer, trans.h RES_*). The scenario's task holds no glock it did not enqueue on
// its own path; its inode is a regular file, none of gfs2's system inodes (rindex, statfs, quota).
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { ERRNO, int, KObj, obj, type Value, ZERO } from '../interp/values';
import { BufferHead, freshId, storeOut, type SuperBlock } from './objects';

/** sizeof(struct gfs2_dinode) and of struct gfs2_meta_header (include/linux/gfs2_ondisk.h, fixed on-disk sizes). */
const DINODE_SIZE = 232;
const META_HEADER_SIZE = 24;

/**
 * struct gfs2_sbd of the scenario (fs/gfs2/incore.h, filled by super.c gfs2_read_sb/ops_fstype.c
 * init_sb): sd_sb.sb_bsize and sb_bsize_shift are the block size, sd_diptrs and sd_inptrs the
 * pointers in a dinode and in an indirect block, sd_max_height the tallest tree that fits 2^64
 * bytes; the system inodes are inodes of their own (never the scenario's). sd_vfs is the VFS
 * super_block (ops_fstype.c init_sbd: sdp->sd_vfs = sb), so sdp->sd_vfs->s_blocksize is the block size.
 */
export function gfs2Super(sb: SuperBlock): SuperBlock {
  if (sb.get('sd_sb') !== undefined) return sb;
  const bsize = sb.blocksize;
  const ondisk = new KObj('gfs2_sb', freshId(), 'sdp->sd_sb');
  ondisk.set('sb_bsize', int(bsize));
  ondisk.set('sb_bsize_shift', int(sb.blkbits));
  sb.set('sd_sb', obj(ondisk));
  sb.set('sd_vfs', obj(sb));
  const diptrs = Math.floor((bsize - DINODE_SIZE) / 8);
  const inptrs = Math.floor((bsize - META_HEADER_SIZE) / 8);
  sb.set('sd_diptrs', int(diptrs));
  sb.set('sd_inptrs', int(inptrs));
  sb.set('sd_max_height', int(maxHeight(bsize, diptrs, inptrs)));
  for (const f of ['sd_rindex', 'sd_statfs_inode', 'sd_quota_inode', 'sd_jindex', 'sd_master_dir']) {
    sb.set(f, obj(new KObj('inode', freshId(), `sdp->${f}`)));
  }
  return sb;
}

/**
 * ops_fstype.c init_sb's height table: sd_heightsize[0] = bsize - sizeof(dinode),
 * [1] = bsize * diptrs, then times inptrs while the product fits 64 bits; sd_max_height is its length.
 */
function maxHeight(bsize: number, diptrs: number, inptrs: number): number {
  const limit = 1n << 64n;
  let size = BigInt(bsize) * BigInt(diptrs);
  let h = 2;
  for (;;) {
    const next = size * BigInt(inptrs);
    if (next >= limit) break;
    size = next;
    h++;
  }
  return h;
}

function sdp(ctx: ModelCtx): SuperBlock {
  return gfs2Super(ctx.world.sb);
}

/** The holder a `struct gfs2_holder *` argument names (`&ip->i_gh`): an object kept in that field. */
function holderOf(ctx: ModelCtx, v: Value | undefined): KObj | null {
  if (!v) return null;
  const o = ctx.objOf(v);
  if (o) return o;
  if (v.k !== 'ref') return null;
  const cur = v.cell.value;
  if (cur.k === 'obj') return cur.o;
  const h = new KObj('gfs2_holder', freshId(), v.cell.name);
  v.cell.value = obj(h);
  return h;
}

/** What identifies a glock across a path: its object, or the unknown it is (`ip->i_gl`). */
function glockKey(v: Value | undefined): string | null {
  if (!v) return null;
  if (v.k === 'obj') return `o${v.o.id}`;
  if (v.k === 'unk') return v.key;
  return null;
}

function held(ctx: ModelCtx, gl: Value | undefined): boolean {
  const k = glockKey(gl);
  return k !== null && ctx.world.assumptions.get(`gfs2:glock-held:${k}`) === true;
}

function setHeld(ctx: ModelCtx, gl: Value | undefined, on: boolean): void {
  const k = glockKey(gl);
  if (k !== null) ctx.world.assumptions.set(`gfs2:glock-held:${k}`, on);
}

/** gfs2_holder_init(gl, state, flags, gh): gh->gh_gl = gl. */
function holderInit(ctx: ModelCtx, gl: Value | undefined, gh: Value | undefined): void {
  const h = holderOf(ctx, gh);
  if (h && gl) h.set('gh_gl', gl);
}

/**
 * gfs2_glock_nq(gh) (glock.c, 2.6.28-36): -EIO once the file system is shut down (withdrawn), else
 * the holder is queued and, without GL_ASYNC, waited for: 0, the task holds the glock.
 */
function glockNq(ctx: ModelCtx, gh: Value | undefined): Value {
  const h = holderOf(ctx, gh);
  const gl = h?.get('gh_gl');
  if (ctx.choose(['glock granted', '-EIO (file system withdrawn)'], `${ctx.name}: enqueueing the glock`) !== 0) return int(-ERRNO.EIO);
  setHeld(ctx, gl, true);
  ctx.event(`${ctx.name}: the task holds the glock`);
  return ZERO;
}

function glockDq(ctx: ModelCtx, gh: Value | undefined): Value {
  const gl = holderOf(ctx, gh)?.get('gh_gl');
  setHeld(ctx, gl, false);
  ctx.event(`${ctx.name}: the glock is released`);
  return ZERO;
}

/** The normal outcome, or one injected failure (single-fault, as every model's). */
function mayFail(what: string, errno: keyof typeof ERRNO, doc: string): ModelSpec {
  return {
    fn: (c) => (c.choose([what, `-${errno} (${doc})`], c.name) === 0 ? ZERO : int(-ERRNO[errno])),
    doc: `0, or -${errno} injected (${doc})`,
  };
}

const none = (doc: string): ModelSpec => ({ fn: () => ZERO, doc });

/**
 * gfs2_is_stuffed(ip) (inode.h): !ip->i_height, the data kept in the dinode block. A stuffed file
 * holds at most sb_bsize - sizeof(struct gfs2_dinode) bytes: the scenario's inode is stuffed only
 * when its size fits, and then both are explored, decided once per path.
 */
function isStuffed(ctx: ModelCtx): Value {
  const room = BigInt(ctx.world.sb.blocksize - DINODE_SIZE);
  if (ctx.world.inode.size > room) return ZERO;
  let on = ctx.world.assumptions.get('gfs2:stuffed');
  if (on === undefined) {
    on = ctx.choose(['inode not stuffed', 'inode stuffed (data in the dinode block)'], `gfs2 inode of ${ctx.world.inode.size} bytes`) === 1;
    ctx.world.assumptions.set('gfs2:stuffed', on);
  }
  return int(on);
}

/**
 * gfs2_write_alloc_required (bmap.c): whether a write needs an allocation. 0 for an empty write; a
 * stuffed inode when the write passes the dinode's room; else past the end of the file
 * (i_disksize, in blocks), or when a block of the range is not mapped (gfs2_block_map with
 * create = 0: the scenario's disk). 2.6.28-35 take (ip, offset, len, *alloc_required), store the
 * answer and return 0; 2.6.36 (461cb419f07) take (ip, offset, len) and return it: the call's
 * arity says which.
 */
function writeAllocRequired(ctx: ModelCtx, a: Value[]): Value {
  const out = a.length >= 4;
  const need = allocNeeded(ctx, a[1], a[2]);
  if (!out) return need;
  storeOut(a[3], need);
  return ZERO;
}

function allocNeeded(ctx: ModelCtx, offset: Value | undefined, length: Value | undefined): Value {
  const off = ctx.intOf(offset ?? ZERO);
  const len = ctx.intOf(length ?? ZERO);
  if (len === 0n) return ZERO;
  if (off === null || len === null) return ctx.unknown(`${ctx.name}: whether a write at an unknown range needs blocks`);
  const bsize = BigInt(ctx.world.sb.blocksize);
  if (ctx.truthy(isStuffed(ctx))) return int(off + len > bsize - BigInt(DINODE_SIZE));
  const shift = BigInt(ctx.world.sb.blkbits);
  const endOfFile = (ctx.world.inode.size + bsize - 1n) >> shift;
  const first = off >> shift;
  const stop = (off + len + bsize - 1n) >> shift;
  let need = stop > endOfFile;
  for (let b = first; !need && b < stop; b++) need = ctx.world.inode.diskState(Number(b)) !== 'allocated';
  ctx.event(`${ctx.name}: blocks ${first}..${stop - 1n} ${need ? 'need an allocation' : 'are all mapped'}`);
  return int(need);
}

/**
 * gfs2_write_calc_reserv(ip, len, *data_blocks, *ind_blocks) (bmap.h, 2.6.32; bmap.c before):
 * data = (len >> bsize_shift) + 3; ind = 3 * (max_height - 1), plus the indirect blocks of each
 * level while the data blocks do not fit in the dinode.
 */
function writeCalcReserv(ctx: ModelCtx, a: Value[]): Value {
  const s = sdp(ctx);
  const len = ctx.intOf(a[1] ?? ZERO);
  if (len === null) {
    storeOut(a[2], ctx.unknown('data blocks of a write of unknown length'));
    storeOut(a[3], ctx.unknown('indirect blocks of a write of unknown length'));
    return ZERO;
  }
  const diptrs = BigInt(Math.floor((s.blocksize - DINODE_SIZE) / 8));
  const inptrs = BigInt(Math.floor((s.blocksize - META_HEADER_SIZE) / 8));
  const data = (len >> BigInt(s.blkbits)) + 3n;
  let ind = 3n * (BigInt(maxHeight(s.blocksize, Number(diptrs), Number(inptrs))) - 1n);
  for (let tmp = data; tmp > diptrs; ) {
    tmp = (tmp + inptrs - 1n) / inptrs;
    ind += tmp;
  }
  storeOut(a[2], int(data));
  storeOut(a[3], int(ind));
  return ZERO;
}

/**
 * gfs2_alloc_get(ip) (rgrp.c, 2.6.28-36): BUG_ON(ip->i_alloc != NULL), then ip->i_alloc =
 * kzalloc(...) (GFP_KERNEL until 2.6.33, GFP_NOFS after); 2.6.24-27 return &ip->i_alloc, which
 * cannot fail, and their callers do not test it. rgrp.c's era is not this file's, so neither the
 * mask nor the failure is claimed: the structure is allocated.
 */
function allocGet(ctx: ModelCtx, a: Value[]): Value {
  const ip = a[0] ? ctx.objOf(a[0]) : null;
  const cur = ip?.get('i_alloc');
  if (cur && cur.k === 'obj') ctx.bug(`BUG_ON(ip->i_alloc != NULL) in ${ctx.name}: the inode has an allocation structure already`, 'BUG_ON');
  const al = new KObj('gfs2_alloc', freshId(), 'ip->i_alloc');
  al.zeroed = true;
  if (ip) ip.set('i_alloc', obj(al));
  return obj(al);
}

function allocPut(ctx: ModelCtx, a: Value[]): Value {
  const ip = a[0] ? ctx.objOf(a[0]) : null;
  if (ip) ip.set('i_alloc', ZERO);
  return ZERO;
}

/**
 * gfs2_meta_inode_buffer(ip, **bhp) (super.c/meta_io.c): reads the dinode block; *bhp its
 * buffer_head (mapped, uptodate, one block); 0, or -EIO injected (the read failed).
 */
function metaInodeBuffer(ctx: ModelCtx, a: Value[]): Value {
  if (ctx.choose(['dinode read', '-EIO (read failed)'], ctx.name) !== 0) return int(-ERRNO.EIO);
  const bh = new BufferHead(ctx.world.sb.blocksize, null, -1);
  bh.flags.add('mapped');
  bh.flags.add('uptodate');
  storeOut(a[1], obj(bh));
  return ZERO;
}

export const gfs2Models: [string, ModelSpec][] = [
  ['GFS2_SB', { fn: (c) => obj(sdp(c)), doc: 'the gfs2 super block of the scenario (its block size, pointer counts and tree height; system inodes of their own)' }],
  ['gfs2_holder_init', { fn: (c, a) => { holderInit(c, a[0], a[3]); return ZERO; }, doc: 'initialises a glock holder (gh->gh_gl = gl)' }],
  ['gfs2_holder_uninit', none('releases a holder\'s references')],
  ['gfs2_glock_nq', { fn: (c, a) => glockNq(c, a[0]), doc: 'acquires the glock of a holder: 0 (the task holds it), or -EIO injected (withdrawn file system)' }],
  ['gfs2_glock_nq_init', { fn: (c, a) => { holderInit(c, a[0], a[3]); return glockNq(c, a[3]); }, doc: 'gfs2_holder_init then gfs2_glock_nq' }],
  // 2.6.24 ops_inode.c: the glock with the atime update; its failures are the glock's.
  ['gfs2_glock_nq_atime', { fn: (c, a) => glockNq(c, a[0]), doc: 'acquires the glock of a holder (2.6.24, with the atime update): 0, or -EIO injected' }],
  ['gfs2_glock_dq', { fn: (c, a) => glockDq(c, a[0]), doc: 'releases the glock of a holder' }],
  ['gfs2_glock_dq_uninit', { fn: (c, a) => glockDq(c, a[0]), doc: 'gfs2_glock_dq then gfs2_holder_uninit' }],
  [
    'gfs2_glock_is_locked_by_me',
    { fn: (c, a) => (held(c, a[0]) ? obj(new KObj('gfs2_holder', freshId(), 'the task\'s holder')) : ZERO), doc: "the task's holder of the glock, or NULL: only a glock the path enqueued is held" },
  ],
  ['gfs2_is_stuffed', { fn: isStuffed, doc: "whether the inode's data is in its dinode block: only a file that fits can be, then both explored" }],
  ['gfs2_write_alloc_required', { fn: writeAllocRequired, doc: "whether a write needs blocks allocated: past EOF, or a block of the range unmapped on the scenario's disk" }],
  ['gfs2_write_calc_reserv', { fn: writeCalcReserv, doc: 'data and indirect blocks a write of len bytes may need' }],
  ['gfs2_alloc_get', { fn: allocGet, doc: "the inode's allocation structure (ip->i_alloc): BUG if it has one already (its failure is not injected: rgrp.c's era is not the file's)" }],
  ['gfs2_alloc_put', { fn: allocPut, doc: 'frees ip->i_alloc' }],
  ['gfs2_quota_lock_check', mayFail('quota locked and within limits', 'EDQUOT', 'over quota')],
  // 2.6.24-27 callers lock and check the quota themselves (quota.c).
  ['gfs2_quota_lock', mayFail('quota data locked', 'EIO', 'the quota glock or its read failed')],
  ['gfs2_quota_check', mayFail('within the quota limits', 'EDQUOT', 'over quota')],
  ['gfs2_quota_unlock', none('drops the quota locks')],
  ['gfs2_inplace_reserve', mayFail('blocks reserved in a resource group', 'ENOSPC', 'no resource group has room')],
  ['gfs2_inplace_reserve_i', mayFail('blocks reserved in a resource group', 'ENOSPC', 'no resource group has room')],
  ['gfs2_inplace_release', none('releases the resource group reservation and its glock')],
  ['gfs2_meta_inode_buffer', { fn: metaInodeBuffer, doc: 'reads the dinode block into *bhp: 0, or -EIO injected' }],
  ['gfs2_dinode_out', none('copies the in-core inode into the dinode buffer')],
];

/** Constants of v2.6.28-36 fs/gfs2/trans.h and the lock module interface (lm_interface.h / dlm). */
export const GFS2_CONSTANTS: [string, bigint][] = [
  ['RES_DINODE', 1n],
  ['RES_INDIRECT', 1n],
  ['RES_JDATA', 1n],
  ['RES_DATA', 1n],
  ['RES_LEAF', 1n],
  ['RES_RG_BIT', 2n],
  ['RES_EATTR', 1n],
  ['RES_STATFS', 1n],
  ['RES_QUOTA', 2n],
  ['LM_ST_UNLOCKED', 0n],
  ['LM_ST_EXCLUSIVE', 1n],
  ['LM_ST_DEFERRED', 2n],
  ['LM_ST_SHARED', 3n],
];
