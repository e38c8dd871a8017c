// Page lock, page flags and buffer_heads, as mm/filemap.c, mm/page-writeback.c, fs/buffer.c and
// include/linux/buffer_head.h of 2.6.2x define them: unlock_page, redirty, set_page_dirty through
// ->set_page_dirty, writeback bits, page_has_buffers/page_buffers (BUG on none),
// create_empty_buffers, the BUFFER_FNS helpers, mark_buffer_dirty, submit_bh and ll_rw_block.
import { type ModelCtx, type ModelSpec, PathEnd } from '../interp/interpreter';
import { int, obj, showErrno, type Value, ZERO } from '../interp/values';
import { BH_BITS, BH_FLAGS, type BhFlag, BufferHead, Page } from './objects';

export function pageArg(ctx: ModelCtx, v: Value | undefined): Page {
  if (v && v.k === 'obj' && v.o instanceof Page) return v.o;
  if (v && v.k === 'int' && v.v === 0n) ctx.bug(`${ctx.name}: NULL page`, 'NULL page');
  return ctx.world.page;
}

export function bhArg(ctx: ModelCtx, v: Value | undefined): BufferHead | null {
  if (v && v.k === 'obj' && v.o instanceof BufferHead) return v.o;
  if (v && v.k === 'ref' && v.cell.value.k === 'obj' && v.cell.value.o instanceof BufferHead) return v.cell.value.o;
  if (v && v.k === 'int' && v.v === 0n) ctx.bug(`${ctx.name}: NULL buffer_head dereferenced`, 'NULL buffer_head');
  return null;
}

/** unlock_page(): clear PG_locked and wake waiters. An unlocked page trips VM_BUG_ON(!PageLocked(page)). */
export function unlockPage(ctx: ModelCtx, page: Page): void {
  const own = page === ctx.world.page;
  ctx.emit({ kind: 'page-unlock', api: ctx.name || 'unlock_page', wasLocked: page.locked }, page.locked ? `${own ? 'page' : page.label} unlocked` : `${own ? 'page' : page.label} unlocked again: it was not locked`);
  if (!page.locked) throw new PathEnd('bug', 'unlock_page on an unlocked page');
  page.locked = false;
}

/** redirty_page_for_writepage() / __set_page_dirty_nobuffers(): PG_dirty set, buffers untouched. */
export function redirtyPage(ctx: ModelCtx, page: Page): void {
  page.dirtyFlag = true;
  page.redirtied = true;
  ctx.emit({ kind: 'redirty', api: ctx.name }, 'page redirtied: it stays dirty and will be written later');
}

/** create_empty_buffers(): a ring of unmapped buffers with `state`; PageUptodate/PageDirty propagate. */
export function createEmptyBuffers(ctx: ModelCtx, page: Page, blocksize: number, state: BhFlag[]): BufferHead {
  const n = Math.max(1, Math.floor(4096 / blocksize));
  const first = Number(page.index) * n;
  const ring: BufferHead[] = [];
  for (let i = 0; i < n; i++) {
    const bh = new BufferHead(blocksize, page, i);
    bh.lblk = first + i;
    for (const f of state) bh.flags.add(f);
    if (page.dirtyFlag) bh.flags.add('dirty');
    if (page.uptodate) bh.flags.add('uptodate');
    ring.push(bh);
  }
  ring.forEach((bh, i) => (bh.next = ring[(i + 1) % n]));
  page.buffers = ring[0];
  const flags = [...ring[0].flags];
  ctx.emit({ kind: 'buffers-created', api: ctx.name, state: flags, count: n }, `created ${n} buffer_head(s) of ${blocksize} bytes, state {${flags.join(', ') || 'none'}}`);
  return ring[0];
}

/** A buffer's dirty bit is cleared without its data being written (recovery, holes, beyond EOF). */
export function cleanBuffer(ctx: ModelCtx, bh: BufferHead, why: string): void {
  if (!bh.has('dirty')) return;
  bh.flags.delete('dirty');
  ctx.emit({ kind: 'buffer-cleaned', api: ctx.name, block: bh.lblk, buffer: bh.label, why }, `${bh.label} (block ${bh.lblk}): dirty bit cleared, not written (${why})`);
}

/** What a write of block `lblk` goes to: the buffer's mapping and the block's disk state. */
export function blockOf(ctx: ModelCtx, bh: BufferHead, lblk = bh.lblk): { mapped: boolean; delayed: boolean; allocated: boolean; unwritten: boolean } {
  const disk = lblk < 0 ? 'allocated' : ctx.world.inode.diskState(lblk);
  return { mapped: bh.has('mapped'), delayed: bh.has('delay'), allocated: disk === 'allocated' || disk === 'unwritten', unwritten: disk === 'unwritten' };
}

/**
 * The page's data for `lblk` was written (or handed to the journal). Written into an unwritten
 * extent, it is on disk but not in the file until something converts the extent: noted per block.
 */
export function markSubmitted(ctx: ModelCtx, page: Page, lblk: number): void {
  const blk = page.blocks.find((b) => b.lblk === lblk);
  if (!blk) return;
  blk.submitted = true;
  if (ctx.world.inode.diskState(lblk) === 'unwritten') blk.intoUnwritten = { api: ctx.name, line: ctx.site().loc.line };
}

/** submit_bh(WRITE, bh): the buffer's data goes to b_blocknr. Emits io-submit; the rules judge the mapping. */
export function submitWrite(ctx: ModelCtx, bh: BufferHead): void {
  const w = ctx.world;
  ctx.emit({ kind: 'io-submit', api: ctx.name, rw: 'write', buffer: bh.label, block: bh.lblk, ...blockOf(ctx, bh), blocknr: bh.blocknr.toString() }, `write I/O submitted for ${bh.label} (block ${bh.lblk} → disk ${bh.blocknr})`);
  bh.flags.delete('dirty');
  if (bh.page === w.page && bh.lblk >= 0) markSubmitted(ctx, w.page, bh.lblk);
}

/** submit_bh(READ, bh): the block is read; the buffer becomes uptodate, nothing is written. */
function submitRead(ctx: ModelCtx, bh: BufferHead): void {
  ctx.emit({ kind: 'io-submit', api: ctx.name, rw: 'read', buffer: bh.label, block: bh.lblk, ...blockOf(ctx, bh), blocknr: bh.blocknr.toString() }, `read I/O submitted for ${bh.label} (block ${bh.lblk})`);
  bh.flags.add('uptodate');
}

/** The `rw` argument of submit_bh/ll_rw_block: bit 0 (WRITE) set for writes (WRITE, WRITE_SYNC, SWRITE). */
function isWrite(ctx: ModelCtx, rw: Value | undefined): boolean {
  if (rw && rw.k === 'int') return (rw.v & 1n) === 1n;
  return ctx.truthy(rw ?? ZERO);
}

/** The buffer_heads of an ll_rw_block(rw, nr, bhs) call: `&bh` or an array of them. */
function bhList(ctx: ModelCtx, v: Value | undefined, n: number): BufferHead[] {
  const one = bhArg(ctx, v);
  if (one) return [one];
  if (v && v.k === 'obj') {
    const out: BufferHead[] = [];
    for (let i = 0; i < n; i++) {
      const e = v.o.get(`[${i}]`);
      const bh = e ? bhArg(ctx, e) : null;
      if (bh) out.push(bh);
    }
    return out;
  }
  return [];
}

/** ll_rw_block(): WRITE submits each buffer it can lock whose dirty bit it clears; READ reads non-uptodate ones. */
function llRwBlock(ctx: ModelCtx, a: Value[]): Value {
  const n = a[1] && a[1].k === 'int' ? Number(a[1].v) : 1;
  for (const bh of bhList(ctx, a[2], n)) {
    if (bh.has('locked')) continue;
    if (isWrite(ctx, a[0])) {
      if (bh.has('dirty')) submitWrite(ctx, bh);
    } else if (!bh.has('uptodate')) submitRead(ctx, bh);
  }
  return ZERO;
}

/**
 * The state bits of a buffer_head argument: a page's buffer (its flags), or any other struct
 * buffer_head (a local, or one embedded in the file's own struct, such as mpage_da_data's lbh),
 * whose bits are its `b_state` word, as BUFFER_FNS's test_bit(BH_x, &bh->b_state) reads them.
 * Null when the argument is neither (an unknown pointer).
 */
function bitsOf(ctx: ModelCtx, v: Value | undefined): { has(f: BhFlag): boolean; set(f: BhFlag, on: boolean): void } | null {
  const bh = bhArg(ctx, v);
  if (bh) return { has: (f) => bh.has(f), set: (f, on) => void (on ? bh.flags.add(f) : bh.flags.delete(f)) };
  const o = v && (v.k === 'obj' || v.k === 'ref' || v.k === 'global') ? ctx.objOf(v.k === 'ref' ? v.cell.value : v) : null;
  if (!o) return null;
  const bit = (f: BhFlag): bigint => 1n << BigInt(BH_FLAGS.indexOf(f));
  const word = (): bigint | null => {
    const s = o.get('b_state');
    return s && s.k === 'int' ? s.v : s === undefined ? 0n : null;
  };
  return {
    has: (f) => ((word() ?? 0n) & bit(f)) !== 0n,
    set: (f, on) => {
      const w = word();
      if (w !== null) o.set('b_state', int(on ? w | bit(f) : w & ~bit(f)));
    },
  };
}

/** BUFFER_FNS(bit, name) and TAS_BUFFER_FNS(bit, name) of buffer_head.h. */
function flagModels(): [string, ModelSpec][] {
  const out: [string, ModelSpec][] = [];
  for (const b of BH_BITS) {
    if ('noHelpers' in b && b.noHelpers) continue;
    const f: BhFlag = b.flag;
    out.push([`buffer_${f}`, { fn: (c, a) => int(bitsOf(c, a[0])?.has(f) ?? false) }]);
    out.push([`set_buffer_${f}`, { fn: (c, a) => (bitsOf(c, a[0])?.set(f, true), ZERO) }]);
    out.push([`clear_buffer_${f}`, { fn: (c, a) => (bitsOf(c, a[0])?.set(f, false), ZERO) }]);
    if ('tas' in b && b.tas) {
      out.push([`test_set_buffer_${f}`, { fn: (c, a) => { const x = bitsOf(c, a[0]); const had = x?.has(f) ?? false; x?.set(f, true); return int(had); } }]);
      out.push([`test_clear_buffer_${f}`, { fn: (c, a) => { const x = bitsOf(c, a[0]); const had = x?.has(f) ?? false; x?.set(f, false); return int(had); } }]);
    }
  }
  return out;
}

function pageFlag(name: string, get: (p: Page) => boolean, set?: (p: Page, v: boolean) => void): [string, ModelSpec][] {
  const out: [string, ModelSpec][] = [[`Page${name}`, { fn: (c, a) => int(get(pageArg(c, a[0]))) }]];
  if (set) {
    out.push([`SetPage${name}`, { fn: (c, a) => (set(pageArg(c, a[0]), true), ZERO) }]);
    out.push([`ClearPage${name}`, { fn: (c, a) => (set(pageArg(c, a[0]), false), ZERO) }]);
    out.push([`TestClearPage${name}`, { fn: (c, a) => { const p = pageArg(c, a[0]); const had = get(p); set(p, false); return int(had); } }]);
    out.push([`TestSetPage${name}`, { fn: (c, a) => { const p = pageArg(c, a[0]); const had = get(p); set(p, true); return int(had); } }]);
  }
  return out;
}

/** mark_buffer_dirty() (fs/buffer.c): nothing if already dirty; on clean → dirty, __set_page_dirty. */
const markBufferDirty = (c: ModelCtx, a: Value[]): Value => {
  const bh = bhArg(c, a[0]);
  if (!bh || bh.has('dirty')) return ZERO;
  bh.flags.add('dirty');
  if (bh.page) bh.page.dirtyFlag = true;
  return ZERO;
};

/** __set_page_dirty_buffers(): every buffer of the page dirty, then PG_dirty; returns !TestSetPageDirty. */
function setPageDirtyBuffers(ctx: ModelCtx, page: Page): Value {
  for (const bh of page.bufferList()) bh.flags.add('dirty');
  const was = page.dirtyFlag;
  page.dirtyFlag = true;
  page.redirtied = true;
  ctx.emit({ kind: 'redirty', api: ctx.name }, `page dirtied${page.buffers ? ' with every buffer marked dirty' : ''} (__set_page_dirty_buffers)`);
  return int(!was);
}

/** set_page_dirty(): the mapping's ->set_page_dirty, else __set_page_dirty_buffers. */
function setPageDirty(ctx: ModelCtx, a: Value[]): Value {
  const page = pageArg(ctx, a[0]);
  const aops = page.mapping.get('a_ops');
  if (aops && aops.k !== 'int' && aops.k !== 'unk') {
    const ops = ctx.objOf(aops);
    const spd = ops?.get('set_page_dirty');
    if (spd && spd.k === 'fn') return ctx.callValue(spd, [obj(page)], 'set_page_dirty');
  }
  return setPageDirtyBuffers(ctx, page);
}

export const pageBufferModels: [string, ModelSpec][] = [
  ...flagModels(),
  ...pageFlag('Locked', (p) => p.locked),
  ...pageFlag('Uptodate', (p) => p.uptodate, (p, v) => (p.uptodate = v)),
  ...pageFlag('Dirty', (p) => p.dirtyFlag, (p, v) => (p.dirtyFlag = v)),
  ...pageFlag('Checked', (p) => p.checked, (p, v) => (p.checked = v)),
  ...pageFlag('Error', (p) => p.error, (p, v) => (p.error = v)),
  ...pageFlag('Writeback', (p) => p.writeback),
  ...pageFlag('MappedToDisk', () => false, () => undefined),
  ['unlock_page', { fn: (c, a) => (unlockPage(c, pageArg(c, a[0])), ZERO), doc: 'releases the page lock; unlocking an unlocked page is a BUG' }],
  ['lock_page', { fn: (c, a) => {
    const p = pageArg(c, a[0]);
    c.emit({ kind: 'page-lock', api: c.name, wasLocked: p.locked }, p.locked ? 'lock_page on a page this task already holds locked: it waits for itself' : 'page locked');
    if (p.locked) throw new PathEnd('bug', 'lock_page on a page the task holds: self-deadlock');
    p.locked = true;
    return ZERO;
  } }],
  ['trylock_page', { fn: (c, a) => { const p = pageArg(c, a[0]); if (p.locked) return ZERO; p.locked = true; return int(1); } }],
  ['redirty_page_for_writepage', { fn: (c, a) => (redirtyPage(c, pageArg(c, a[1])), ZERO), doc: 'the page becomes dirty again, to be written later' }],
  ['__set_page_dirty_nobuffers', { fn: (c, a) => (redirtyPage(c, pageArg(c, a[0])), int(1)) }],
  ['set_page_dirty', { fn: setPageDirty, doc: "the mapping's ->set_page_dirty, else __set_page_dirty_buffers (every buffer dirty)" }],
  ['__set_page_dirty_buffers', { fn: (c, a) => setPageDirtyBuffers(c, pageArg(c, a[0])), doc: 'marks every buffer of the page dirty, then the page' }],
  ['clear_page_dirty_for_io', { fn: (c, a) => { const p = pageArg(c, a[0]); const had = p.dirtyFlag; p.dirtyFlag = false; return int(had); } }],
  // test_set_page_writeback(): no BUG of its own (its callers BUG_ON(PageWriteback(page))).
  ['set_page_writeback', { fn: (c, a) => { const p = pageArg(c, a[0]); const had = p.writeback; setWriteback(c, p); return int(had); } }],
  ['end_page_writeback', { fn: (c, a) => (endWriteback(c, pageArg(c, a[0])), ZERO), doc: 'ends writeback; on a page not under writeback: BUG()' }],
  // include/linux/pagemap.h (2.6.27): if PageWriteback, wait_on_page_bit(PG_writeback) until the
  // write's end_io ran end_page_writeback; the page is no longer under writeback when it returns.
  ['wait_on_page_writeback', { fn: (c, a) => {
    const p = pageArg(c, a[0]);
    if (p.writeback) {
      c.event('wait_on_page_writeback: the write completes (end_page_writeback), the page is no longer under writeback');
      p.writeback = false;
    }
    return ZERO;
  }, doc: 'waits until the page is no longer under writeback (its write completes)' }],
  ['page_has_buffers', { fn: (c, a) => int(pageArg(c, a[0]).buffers !== null), doc: 'whether buffer_heads are attached' }],
  ['page_buffers', { fn: (c, a) => {
    const p = pageArg(c, a[0]);
    if (!p.buffers) c.bug('page_buffers() on a page without buffers: BUG_ON(!PagePrivate(page))', 'page_buffers');
    // Only the page lock keeps reclaim's try_to_release_page from freeing the ring meanwhile.
    if (!p.locked) c.emit({ kind: 'buffers-unlocked', api: c.name }, "the page's buffer_heads read while the page is not locked");
    return obj(p.buffers);
  }, doc: 'first buffer_head of the page; BUG when it has none' }],
  ['create_empty_buffers', { fn: (c, a) => {
    const p = pageArg(c, a[0]);
    const size = a[1] && a[1].k === 'int' ? Number(a[1].v) : c.world.sb.blocksize;
    const state = a[2] && a[2].k === 'int' ? BH_FLAGS.filter((_, i) => (a[2] as { v: bigint }).v & (1n << BigInt(i))) : [];
    createEmptyBuffers(c, p, size, state);
    return ZERO;
  }, doc: 'attaches a ring of unmapped buffers with the given state bits' }],
  ['mark_buffer_dirty', { fn: markBufferDirty }],
  ['mark_buffer_dirty_inode', { fn: markBufferDirty }],
  ['map_bh', { fn: (c, a) => {
    const bh = bhArg(c, a[0]);
    if (bh) {
      bh.flags.add('mapped');
      bh.blocknr = a[2] && a[2].k === 'int' ? a[2].v : 0n;
      // map_bh: bh->b_bdev = sb->s_bdev.
      const sb = a[1] ? c.objOf(a[1]) : null;
      const bdev = sb?.get('s_bdev');
      if (bdev) bh.set('b_bdev', bdev);
    }
    return ZERO;
  } }],
  ['get_bh', { fn: (c, a) => { const b = bhArg(c, a[0]); if (b) b.refcount++; return ZERO; } }],
  ['put_bh', { fn: (c, a) => { const b = bhArg(c, a[0]); if (b) b.refcount--; return ZERO; } }],
  ['brelse', { fn: () => ZERO }],
  ['lock_buffer', { fn: (c, a) => (bhArg(c, a[0])?.flags.add('locked'), ZERO) }],
  ['unlock_buffer', { fn: (c, a) => (bhArg(c, a[0])?.flags.delete('locked'), ZERO) }],
  ['trylock_buffer', { fn: (c, a) => { const b = bhArg(c, a[0]); const had = b?.has('locked'); b?.flags.add('locked'); return int(!had); } }],
  ['submit_bh', { fn: (c, a) => { const b = bhArg(c, a[1]); if (b) (isWrite(c, a[0]) ? submitWrite(c, b) : submitRead(c, b)); return ZERO; }, doc: 'submits READ or WRITE I/O for one buffer' }],
  ['ll_rw_block', { fn: llRwBlock, doc: 'WRITE: submits each dirty buffer it locks; READ: reads the non-uptodate ones' }],
  ['mark_buffer_async_write', { fn: (c, a) => (bhArg(c, a[0])?.flags.add('async_write'), ZERO) }],
  ['unmap_underlying_metadata', { fn: () => ZERO }],
  ['zero_user_segment', { fn: () => ZERO }],
  ['zero_user_segments', { fn: () => ZERO }],
  ['zero_user', { fn: () => ZERO }],
  ['page_zero_new_buffers', { fn: () => ZERO }],
  ['flush_dcache_page', { fn: () => ZERO }],
  ['kmap', { fn: () => ZERO }],
  ['kunmap', { fn: () => ZERO }],
  ['kmap_atomic', { fn: () => ZERO }],
  ['kunmap_atomic', { fn: () => ZERO }],
  ['page_cache_release', { fn: () => ZERO }],
  ['page_cache_get', { fn: () => ZERO }],
  ['put_page', { fn: () => ZERO }],
  ['get_page', { fn: () => ZERO }],
  ['block_sync_page', { fn: () => ZERO }],
  ['mapping_set_error', { fn: (c, a) => (mappingSetError(c, a[1]), ZERO), doc: 'records the error on the mapping: fsync returns it' }],
];

/** Sets PG_writeback (the callers check PageWriteback first). */
export function setWriteback(ctx: ModelCtx, page: Page): void {
  page.writeback = true;
  // test_set_page_writeback clears the DIRTY tag of a page that is not dirty again.
  page.dirtyTag = null;
  ctx.emit({ kind: 'writeback-set', api: ctx.name }, 'page writeback set');
}

/** end_page_writeback(): `if (!test_clear_page_writeback(page)) BUG();` */
export function endWriteback(ctx: ModelCtx, page: Page): void {
  ctx.emit({ kind: 'writeback-end', api: ctx.name, wasUnderWriteback: page.writeback }, 'page writeback ended');
  if (!page.writeback) ctx.bug('end_page_writeback() on a page not under writeback: BUG()', 'end_page_writeback');
  page.writeback = false;
}

/** mapping_set_error(): AS_EIO/AS_ENOSPC on the mapping, so the next fsync reports the error. */
export function mappingSetError(ctx: ModelCtx, err: Value | undefined): void {
  ctx.world.page.mappingError = true;
  const errno = err && err.k === 'int' ? showErrno(err.v) : 'an error';
  ctx.emit({ kind: 'mapping-error', api: ctx.name, errno }, `mapping_set_error(${errno}): the error is reported to fsync`);
}
