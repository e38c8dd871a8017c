// ->writepages drivers, for the scenario's page (the mapping's one dirty page): write_cache_pages
// (mm/page-writeback.c, 2.6.27) calling a writepage callback, generic_writepages (its __writepage:
// a_ops->writepage, then mapping_set_error), and mpage_da_writepages in the shape of 2.6.27's
// fs/ext4/inode.c (collect the page, map its delayed/unmapped dirty buffers with get_block(create=1)
// as mpage_da_map_blocks does, then mpage_da_submit_io: a_ops->writepage).
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { int, obj, type Value, ZERO } from '../interp/values';
import { Page } from './objects';
import { mappingSetError } from './pageBuffers';

/** AOP_WRITEPAGE_ACTIVATE (include/linux/fs.h). */
const AOP_WRITEPAGE_ACTIVATE = 0x80000n;

function intOf(v: Value | undefined): bigint | null {
  return v && v.k === 'int' ? v.v : null;
}

/** The table's ->writepage, from mapping->a_ops. */
function aopsWritepage(ctx: ModelCtx, mapping: Value | undefined): Value | null {
  const m = mapping ? ctx.objOf(mapping) : null;
  const aops = m ? m.get('a_ops') : undefined;
  const t = aops ? ctx.objOf(aops) : null;
  const wp = t?.get('writepage');
  return wp && wp.k === 'fn' ? wp : null;
}

/** write_cache_pages' body for one page: lock, skip or wait on writeback, clear dirty for I/O, call, count. */
function writeCachePages(ctx: ModelCtx, wbc: Value | undefined, call: (page: Page) => Value): Value {
  const w = ctx.world;
  const page = w.page;
  if (!page.dirtyFlag) {
    ctx.event(`${ctx.name}: no dirty page in the range (pagevec_lookup_tag found none)`);
    return ZERO;
  }
  ctx.emit({ kind: 'page-lock', api: ctx.name, wasLocked: page.locked }, `${ctx.name}: lock_page on the dirty page`);
  if (page.locked) ctx.bug(`${ctx.name}: lock_page on a page this task holds locked: self-deadlock`, 'lock_page');
  page.locked = true;
  const wb = wbc ? ctx.objOf(wbc) : null;
  const sync = intOf(wb?.get('sync_mode')) ?? 0n;
  if (page.writeback) {
    if (sync === 0n) {
      ctx.event(`${ctx.name}: page under writeback, WB_SYNC_NONE: skipped`);
      page.locked = false;
      return ZERO;
    }
    ctx.event(`${ctx.name}: wait_on_page_writeback (WB_SYNC_ALL)`);
    page.writeback = false;
  }
  // clear_page_dirty_for_io: PG_dirty cleared, the radix tree's DIRTY tag kept until set_page_writeback.
  page.dirtyFlag = false;
  page.dirtyTag = true;
  let ret = call(page);
  if (intOf(ret) === AOP_WRITEPAGE_ACTIVATE) {
    ctx.event(`${ctx.name}: AOP_WRITEPAGE_ACTIVATE: unlock_page`);
    page.locked = false;
    ret = ZERO;
  }
  const left = intOf(wb?.get('nr_to_write'));
  if (wb && left !== null) wb.set('nr_to_write', int(left - 1n));
  return ret;
}

function generic(ctx: ModelCtx, mapping: Value | undefined, wbc: Value | undefined): Value {
  const wp = aopsWritepage(ctx, mapping);
  if (!wp) {
    ctx.event(`${ctx.name}: mapping->a_ops->writepage not known: nothing written`);
    return ZERO;
  }
  return writeCachePages(ctx, wbc, (page) => {
    const r = ctx.callValue(wp, [obj(page), wbc ?? ZERO], ctx.name);
    if ((intOf(r) ?? 0n) < 0n) mappingSetError(ctx, r);
    return r;
  });
}

function mpageDa(ctx: ModelCtx, a: Value[]): Value {
  const [mapping, wbc, getBlock] = a;
  if (!getBlock || (getBlock.k === 'int' && getBlock.v === 0n)) return generic(ctx, mapping, wbc);
  const wp = aopsWritepage(ctx, mapping);
  // __mpage_da_writepage: the page joins the extent, stays locked.
  const ret = writeCachePages(ctx, wbc, () => ZERO);
  const page = ctx.world.page;
  if (!page.locked) return ret;
  // mpage_da_map_blocks: the extent's delayed or unmapped dirty buffers get their blocks.
  for (const bh of page.bufferList()) {
    if (!bh.has('dirty') || (bh.has('mapped') && !bh.has('delay'))) continue;
    ctx.event(`${ctx.name}: mpage_da_map_blocks maps ${bh.label} (block ${bh.lblk}) with get_block(create=1)`);
    ctx.world.getBlockCalls.push({ callback: getBlock.k === 'fn' ? getBlock.name : '?', via: ctx.name });
    const r = ctx.callValue(getBlock, [obj(ctx.world.inode), int(bh.lblk), obj(bh), int(1)], ctx.name);
    if ((intOf(r) ?? 0n) < 0n) {
      // 2.6.27: mpage_da_map_blocks returns on the error; mpage_da_submit_io still runs.
      ctx.event(`${ctx.name}: get_block failed: mpage_da_map_blocks stops, the page still goes to ->writepage`);
      break;
    }
  }
  // mpage_da_submit_io: each page of the extent through a_ops->writepage.
  if (!wp) {
    ctx.event(`${ctx.name}: mapping->a_ops->writepage not known: the page stays locked`);
    return ret;
  }
  return ctx.callValue(wp, [obj(page), wbc ?? ZERO], ctx.name);
}

export const writebackModels: [string, ModelSpec][] = [
  ['write_cache_pages', { fn: (c, a) => writeCachePages(c, a[1], (page) => c.callValue(a[2] ?? ZERO, a.length > 3 ? [obj(page), a[1] ?? ZERO, a[3]] : [obj(page), a[1] ?? ZERO], c.name)), doc: 'calls the writepage callback on the dirty page (locked, dirty bit cleared)' }],
  ['generic_writepages', { fn: (c, a) => generic(c, a[0], a[1]), doc: "write_cache_pages with the mapping's ->writepage" }],
  ['mpage_da_writepages', { fn: mpageDa, getBlockArg: 2, doc: 'maps the page\'s delayed blocks with get_block(create=1), then ->writepage' }],
];

