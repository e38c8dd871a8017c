// Page-cache allocation (mm/filemap.c, include/linux/pagemap.h): __grab_cache_page and
// grab_cache_page/find_or_create_page of 2.6.27, grab_cache_page_write_begin of 2.6.29 with
// AOP_FLAG_NOFS, block_write_begin's own grab. Each emits `page-grab` (write_begin's lock order)
// and `mem-alloc` with the masks of its miss path: whether direct reclaim may enter a file system.
import type { Expr } from '../ir/ir';
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { exprText } from '../interp/exprText';
import { int, obj, type Value } from '../interp/values';
import { createEmptyBuffers } from './pageBuffers';
import { handleView } from '../interp/world';
import { __GFP_FS, GFP_CONSTANTS, type GfpView, gfpArg, gfpView, mappingGfpMask } from './gfp';
import { Page } from './objects';

/** AOP_FLAG_NOFS (include/linux/fs.h, 2.6.29+): allocate the page without __GFP_FS. */
const AOP_FLAG_NOFS = 0x4n;

/** The miss path's two allocations: the page (`pageMask`) and the radix-tree node of add_to_page_cache_lru (`treeMask`). */
function missPath(pageMask: GfpView, treeMask: GfpView): GfpView {
  const order: Record<GfpView['mayEnterFs'], number> = { no: 0, unknown: 1, yes: 2 };
  const worst = order[pageMask.mayEnterFs] >= order[treeMask.mayEnterFs] ? pageMask.mayEnterFs : treeMask.mayEnterFs;
  const wait = pageMask.mayWait === 'yes' || treeMask.mayWait === 'yes' ? 'yes' : pageMask.mayWait === 'no' && treeMask.mayWait === 'no' ? 'no' : 'unknown';
  return { mayEnterFs: worst, mayWait: wait, text: `page ${pageMask.text}; page-cache insertion ${treeMask.text}` };
}

function grab(ctx: ModelCtx, gfp: GfpView): Value {
  const w = ctx.world;
  const nofs = gfp.mayEnterFs === 'no';
  const handle = handleView(w.handle);
  ctx.emit(
    { kind: 'page-grab', api: ctx.name, handle, nofs },
    `${ctx.name}: page cache page allocated and locked${w.handle ? ` while the task holds the handle of ${w.handle.owner}` : ' with no journal handle held'}${nofs ? ' (no __GFP_FS: reclaim cannot enter the file system)' : ' (reclaim may write pages back)'}`,
  );
  ctx.emit({ kind: 'mem-alloc', api: ctx.name, what: 'page-cache page', mayEnterFs: gfp.mayEnterFs, mayWait: gfp.mayWait, gfp: gfp.text, handle }, `${ctx.name}: allocation masks ${gfp.text}`);
  // The scenario's page is the page at this index: a ->write_begin run finds it unlocked and
  // locks it (find_lock_page, or a freshly added page). Under a task that already holds it
  // locked (->writepage), another index: a new page.
  if (!w.page.locked) {
    w.page.locked = true;
    w.heldPages.push(w.page);
    return obj(w.page);
  }
  const p = new Page(w.page.index, w.page.mapping);
  p.label = 'new page';
  w.heldPages.push(p);
  return obj(p);
}


const kernelMask = (): GfpView => gfpView({ k: 'int', v: GFP_CONSTANTS.GFP_KERNEL }, 'GFP_KERNEL');

/** mapping_gfp_mask(mapping), minus `not` when given, as a view. */
function mappingMask(ctx: ModelCtx, args: Value[], raw: Expr[], not = 0n, notText = ''): GfpView {
  const v = mappingGfpMask(ctx, args[0]);
  const masked: Value = v.k === 'int' ? { k: 'int', v: v.v & ~not } : v;
  return gfpView(masked, `mapping_gfp_mask(${raw[0] ? exprText(raw[0]) : 'mapping'})${notText}`);
}

/** grab_cache_page_write_begin(mapping, index, flags) of 2.6.29: AOP_FLAG_NOFS clears __GFP_FS from both masks. */
function writeBeginGrab(ctx: ModelCtx, args: Value[], raw: Expr[], flags: Value | undefined): Value {
  const nofs = !!flags && flags.k === 'int' && (flags.v & AOP_FLAG_NOFS) !== 0n;
  if (flags && flags.k !== 'int') {
    const unknown = gfpView(undefined, `flags ${raw[2] ? exprText(raw[2]) : ''} (AOP_FLAG_NOFS not known)`);
    return grab(ctx, unknown);
  }
  const not = nofs ? __GFP_FS : 0n;
  const tree = gfpView({ k: 'int', v: GFP_CONSTANTS.GFP_KERNEL & ~not }, nofs ? 'GFP_KERNEL & ~__GFP_FS' : 'GFP_KERNEL');
  return grab(ctx, missPath(mappingMask(ctx, args, raw, not, nofs ? ' & ~__GFP_FS (AOP_FLAG_NOFS)' : ''), tree));
}

export const pageCacheModels: [string, ModelSpec][] = [
  // 2.6.27: find_lock_page, else page_cache_alloc(mapping) and add_to_page_cache_lru(..., GFP_KERNEL).
  ['__grab_cache_page', { fn: (c, a, r) => grab(c, missPath(mappingMask(c, a, r), kernelMask())), doc: 'finds or allocates a locked page cache page: mapping_gfp_mask and GFP_KERNEL (reclaim may enter the file system)' }],
  // find_or_create_page(mapping, index, mapping_gfp_mask(mapping)).
  ['grab_cache_page', { fn: (c, a, r) => grab(c, mappingMask(c, a, r)), doc: 'find_or_create_page with the mapping\'s mask' }],
  // __page_cache_alloc(gfp_mask) and add_to_page_cache_lru(..., gfp_mask & GFP_RECLAIM_MASK).
  ['find_or_create_page', { fn: (c, a, r) => grab(c, gfpArg(a, r, 2)), doc: 'finds or allocates a locked page cache page with the given mask' }],
  // 2.6.27: __page_cache_alloc(mapping_gfp_mask(mapping) & ~__GFP_FS), add_to_page_cache_lru(..., GFP_KERNEL).
  ['grab_cache_page_nowait', { fn: (c, a, r) => grab(c, missPath(mappingMask(c, a, r, __GFP_FS, ' & ~__GFP_FS'), kernelMask())), doc: 'allocates without __GFP_FS, inserts with GFP_KERNEL' }],
  ['grab_cache_page_write_begin', { fn: (c, a, r) => writeBeginGrab(c, a, r, a[2]), doc: 'allocates the page honouring AOP_FLAG_NOFS' }],
  [
    'block_write_begin',
    {
      // 2008: (file, mapping, pos, len, flags, pagep, fsdata, get_block); 3.x: (mapping, pos, len, flags, pagep, get_block).
      // 2.6.29 fs/buffer.c: a caller that did not grab the page gets grab_cache_page_write_begin(mapping, index, flags).
      // Then __block_prepare_write on [pos & ~PAGE_CACHE_MASK, + len) with the caller's get_block.
      fn: (c, a, r) => {
        const old = a.length >= 8;
        const pagep = old ? a[5] : a[4];
        let page: Value | undefined = pagep && pagep.k === 'ref' && pagep.cell.value.k === 'obj' ? pagep.cell.value : undefined;
        if (!page) {
          const m = old ? 1 : 0;
          const fi = old ? 4 : 3;
          page = writeBeginGrab(c, [a[m]], [r[m]], a[fi]);
          if (pagep && pagep.k === 'ref') pagep.cell.value = page;
        }
        // Its buffers: attached (create_empty_buffers) when the page has none; the get_block
        // calls of __block_prepare_write are not simulated here (their retry loops on unmodelled
        // reservation results would cost more than the write_begin scenarios learn from them).
        const p = c.objOf(page);
        if (p instanceof Page && !p.buffers) createEmptyBuffers(c, p, 1 << c.world.inode.blkbits, []);
        c.event('block_write_begin: buffers prepared with its get_block (get_block not simulated)');
        return int(0);
      },
      getBlockArg: 7,
      doc: 'grabs the page unless the caller did, then prepares its buffers',
    },
  ],
];
