// Page lock, page flags and buffer_heads: unlock_page, redirtying, writeback bits,
// page_has_buffers/page_buffers (BUG on none), create_empty_buffers, buffer flag helpers, submit_bh.
import { type ModelCtx, type ModelSpec, PathEnd } from '../interp/interpreter';
import { int, obj, type Value, ZERO } from '../interp/values';
import { BH_FLAGS, type BhFlag, BufferHead, Page } from './objects';

export function pageArg(ctx: ModelCtx, v: Value | undefined): Page {
  if (v && v.k === 'obj' && v.o instanceof Page) return v.o;
  if (v && v.k === 'int' && v.v === 0n) ctx.bug(`${ctx.name}: NULL page`);
  return ctx.world.page;
}

export function bhArg(ctx: ModelCtx, v: Value | undefined): BufferHead | null {
  if (v && v.k === 'obj' && v.o instanceof BufferHead) return v.o;
  if (v && v.k === 'int' && v.v === 0n) ctx.bug(`${ctx.name}: NULL buffer_head dereferenced`);
  return null;
}

export function unlockPage(ctx: ModelCtx, page: Page): void {
  if (!page.locked) {
    ctx.finding('page-lock-contract', 'error', `${ctx.name || 'unlock_page'} unlocks a page that is not locked (unlocked twice): kernel BUG in unlock_page`);
    throw new PathEnd('bug', 'unlock_page on an unlocked page');
  }
  page.locked = false;
  const s = ctx.site();
  ctx.world.lastRelease = { loc: s.loc, function: s.function, stack: s.stack };
  ctx.event('page unlocked');
}

export function redirtyPage(ctx: ModelCtx, page: Page): void {
  page.dirtyFlag = true;
  page.redirtied = true;
  ctx.event('page redirtied: it stays dirty and will be written later');
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
  ctx.event(`created ${n} buffer_head(s) of ${blocksize} bytes, state {${[...ring[0].flags].join(', ') || 'none'}}`);
  return ring[0];
}

/** submit_bh(WRITE): the buffer must be mapped to a real, allocated block. */
export function submitWrite(ctx: ModelCtx, bh: BufferHead): void {
  const w = ctx.world;
  if (!bh.has('mapped') || bh.has('delay') || (bh.lblk >= 0 && w.inode.diskState(bh.lblk) !== 'allocated')) {
    const why = !bh.has('mapped') ? 'unmapped' : bh.has('delay') ? 'delayed (mapped to no block)' : `mapped to block ${bh.blocknr} though block ${bh.lblk} was never allocated (a delayed buffer whose delay bit was cleared)`;
    ctx.finding('io-on-unmapped-buffer', 'error', `${ctx.name} submits write I/O for ${bh.label} (block ${bh.lblk}), which is ${why}: the data goes to the wrong disk block`);
  }
  bh.flags.delete('dirty');
  if (bh.page === w.page && bh.lblk >= 0) {
    const blk = w.page.blocks.find((b) => b.lblk === bh.lblk);
    if (blk) blk.submitted = true;
  }
  ctx.event(`write I/O submitted for ${bh.label} (block ${bh.lblk} → disk ${bh.blocknr})`);
}

function flagModels(): [string, ModelSpec][] {
  const out: [string, ModelSpec][] = [];
  for (const flag of BH_FLAGS) {
    const f = flag as BhFlag;
    out.push([`buffer_${f}`, { fn: (c, a) => int(bhArg(c, a[0])?.has(f) ?? false) }]);
    out.push([`set_buffer_${f}`, { fn: (c, a) => (bhArg(c, a[0])?.flags.add(f), ZERO) }]);
    out.push([`clear_buffer_${f}`, { fn: (c, a) => (bhArg(c, a[0])?.flags.delete(f), ZERO) }]);
    out.push([`test_set_buffer_${f}`, { fn: (c, a) => { const b = bhArg(c, a[0]); const had = b?.has(f) ?? false; b?.flags.add(f); return int(had); } }]);
    out.push([`test_clear_buffer_${f}`, { fn: (c, a) => { const b = bhArg(c, a[0]); const had = b?.has(f) ?? false; b?.flags.delete(f); return int(had); } }]);
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

const markBufferDirty = (c: ModelCtx, a: Value[]): Value => {
  const bh = bhArg(c, a[0]);
  if (!bh) return ZERO;
  bh.flags.add('dirty');
  // mark_buffer_dirty() also dirties the page (__set_page_dirty) when the buffer was clean.
  if (bh.page) bh.page.dirtyFlag = true;
  return ZERO;
};

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
    if (p.locked) c.finding('page-lock-contract', 'error', 'lock_page on a page this task already holds locked: self-deadlock');
    p.locked = true;
    return ZERO;
  } }],
  ['trylock_page', { fn: (c, a) => { const p = pageArg(c, a[0]); if (p.locked) return ZERO; p.locked = true; return int(1); } }],
  ['redirty_page_for_writepage', { fn: (c, a) => (redirtyPage(c, pageArg(c, a[1])), ZERO), doc: 'the page becomes dirty again, to be written later' }],
  ['__set_page_dirty_nobuffers', { fn: (c, a) => (redirtyPage(c, pageArg(c, a[0])), int(1)) }],
  ['set_page_dirty', { fn: (c, a) => (redirtyPage(c, pageArg(c, a[0])), int(1)) }],
  ['__set_page_dirty_buffers', { fn: (c, a) => (redirtyPage(c, pageArg(c, a[0])), int(1)) }],
  ['clear_page_dirty_for_io', { fn: (c, a) => { const p = pageArg(c, a[0]); const had = p.dirtyFlag; p.dirtyFlag = false; return int(had); } }],
  ['set_page_writeback', { fn: (c, a) => {
    const p = pageArg(c, a[0]);
    if (p.writeback) c.bug('set_page_writeback on a page already under writeback');
    p.writeback = true;
    c.event('page writeback set');
    return ZERO;
  } }],
  ['end_page_writeback', { fn: (c, a) => { pageArg(c, a[0]).writeback = false; c.event('page writeback ended'); return ZERO; } }],
  ['wait_on_page_writeback', { fn: () => ZERO }],
  ['page_has_buffers', { fn: (c, a) => int(pageArg(c, a[0]).buffers !== null), doc: 'whether buffer_heads are attached' }],
  ['page_buffers', { fn: (c, a) => {
    const p = pageArg(c, a[0]);
    if (!p.buffers) c.bug('page_buffers() on a page without buffers: BUG_ON(!PagePrivate(page))');
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
    }
    return ZERO;
  } }],
  ['get_bh', { fn: (c, a) => { const b = bhArg(c, a[0]); if (b) b.refcount++; return ZERO; } }],
  ['put_bh', { fn: (c, a) => { const b = bhArg(c, a[0]); if (b) b.refcount--; return ZERO; } }],
  ['brelse', { fn: () => ZERO }],
  ['lock_buffer', { fn: (c, a) => (bhArg(c, a[0])?.flags.add('lock'), ZERO) }],
  ['unlock_buffer', { fn: (c, a) => (bhArg(c, a[0])?.flags.delete('lock'), ZERO) }],
  ['trylock_buffer', { fn: (c, a) => { const b = bhArg(c, a[0]); const had = b?.has('lock'); b?.flags.add('lock'); return int(!had); } }],
  ['submit_bh', { fn: (c, a) => { const b = bhArg(c, a[1]); if (b) submitWrite(c, b); return ZERO; }, doc: 'submits I/O for one buffer' }],
  ['ll_rw_block', { fn: () => ZERO }],
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
  ['mapping_set_error', { fn: (c) => { c.world.page.error = true; return ZERO; } }],
];
