// Page-cache allocation (mm/filemap.c, include/linux/pagemap.h): __grab_cache_page and
// grab_cache_page/find_or_create_page of 2.6.27, grab_cache_page_write_begin of 2.6.29 with
// AOP_FLAG_NOFS, block_write_begin's own grab. Each emits `page-grab` (write_begin's lock order)
// and `mem-alloc` with the masks of its miss path: whether direct reclaim may enter a file system.
import type { Expr } from '../ir/ir';
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { exprText } from '../interp/exprText';
import { int, obj, show, type Value, ZERO } from '../interp/values';
import { blockWriteBegin } from './blockIo';
import { unlockPage } from './pageBuffers';
import { vmtruncateTo } from './truncate';
import { handleView } from '../interp/world';
import { __GFP_FS, GFP_CONSTANTS, type GfpView, gfpArg, gfpView, mappingGfpMask } from './gfp';
import { Page, PAGE_SIZE } from './objects';

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
  if (w.page.truncated) {
    // Removed from the page cache (a failed write's truncate_inode_pages): find_lock_page misses
    // and a new page, not uptodate and without buffers, is added and locked at the index: what a
    // retried ->write_begin gets (its ->mapping is the file's, not NULL).
    const fresh = new Page(w.page.index, w.page.mapping);
    fresh.label = 'new page';
    fresh.uptodate = false;
    for (const b of w.page.blocks) fresh.blocks.push({ lblk: b.lblk, dirty: false, submitted: false, beyondEof: b.beyondEof });
    w.heldPages.push(fresh);
    return obj(fresh);
  }
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
  // find_get_page(mapping, offset), mm/filemap.c 2.6.28: the cached page at the index with a
  // reference, or NULL; it never locks it. The scenario's mapping caches one page, its own.
  [
    'find_get_page',
    {
      fn: (c, a) => {
        const idx = a[1] ? c.intOf(a[1]) : null;
        const p = c.world.page;
        if (idx === null) return c.unknown('find_get_page() of an index not known');
        return idx === p.index && !p.truncated ? obj(p) : ZERO;
      },
      doc: 'the cached page at the index (unlocked, with a reference), or NULL',
    },
  ],
  ['grab_cache_page_write_begin', { fn: (c, a, r) => writeBeginGrab(c, a, r, a[2]), doc: 'allocates the page honouring AOP_FLAG_NOFS' }],
  [
    'block_write_begin',
    {
      // fs/buffer.c block_write_begin, 2.6.24–2.6.35: (file, mapping, pos, len, flags, pagep, fsdata,
      // get_block); a page the caller passed must be locked (BUG_ON(!PageLocked(page))), else it
      // grabs one (__grab_cache_page to 2.6.28, grab_cache_page_write_begin(mapping, index, flags)
      // from 2.6.29). 2.6.36: (mapping, pos, len, flags, pagep, get_block), always its own page.
      // Then __block_prepare_write on [pos & ~PAGE_CACHE_MASK, + len) with the caller's get_block
      // (get_block(create = 1) on every unmapped buffer in range); on failure ClearPageUptodate and,
      // for its own page, unlock_page, page_cache_release, *pagep = NULL (and vmtruncate of the
      // blocks instantiated past i_size).
      fn: (c, a, r) => {
        const old = a.length >= 8;
        const [mi, posI, lenI, fi, pi, gi] = old ? [1, 2, 3, 4, 5, 7] : [0, 1, 2, 3, 4, 5];
        const pagep = a[pi];
        let page: Value | undefined = old && pagep && pagep.k === 'ref' && pagep.cell.value.k === 'obj' ? pagep.cell.value : undefined;
        const own = !page;
        if (page) {
          const p = c.objOf(page);
          if (p instanceof Page && !p.locked) c.bug('BUG_ON(!PageLocked(page)) in block_write_begin: the caller passed a page it does not hold locked', 'BUG_ON');
        } else {
          page = writeBeginGrab(c, [a[mi]], [r[mi]], a[fi]);
          if (pagep && pagep.k === 'ref') pagep.cell.value = page;
        }
        const status = blockWriteBegin(c, [page, a[posI] ?? int(0), a[lenI] ?? int(PAGE_SIZE), a[gi] ?? ZERO]);
        // `if (unlikely(status))`: an unknown status (a get_block's unmodelled result) is decided here
        // as the kernel decides it, and the path keeps that decision for the caller's test of it.
        if (c.truthy(status)) {
          const p = c.objOf(page);
          if (p instanceof Page) {
            p.uptodate = false;
            if (own && p.locked) {
              unlockPage(c, p);
              if (pagep && pagep.k === 'ref') pagep.cell.value = ZERO;
              c.event(`block_write_begin: __block_prepare_write returned ${show(status)}: ClearPageUptodate, its own page unlocked and released, *pagep = NULL`);
              // To 2.6.35: `if (pos + len > inode->i_size) vmtruncate(inode, inode->i_size)` trims the
              // blocks instantiated past i_size (2.6.36's block_write_begin leaves that to its caller).
              const pos = c.intOf(a[posI] ?? ZERO);
              const len = c.intOf(a[lenI] ?? ZERO);
              if (old && pos !== null && len !== null && pos + len > c.world.inode.size) vmtruncateTo(c, c.world.inode.size);
            } else c.event(`block_write_begin: __block_prepare_write returned ${show(status)}: ClearPageUptodate; the caller's page stays locked`);
          }
        }
        return status;
      },
      getBlockArg: 7,
      doc: 'grabs the page unless the caller passed one (which must be locked), then __block_prepare_write with its get_block (create = 1 on unmapped buffers); on failure releases its own page',
    },
  ],
];
