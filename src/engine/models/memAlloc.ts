// Page and slab allocations with an explicit mask (2.6.27: include/linux/gfp.h alloc_pages/
// alloc_page, mm/slab.c kmalloc/kzalloc/kcalloc/kmem_cache_alloc/kmem_cache_zalloc, pagemap.h
// __page_cache_alloc/page_cache_alloc): explored succeeding and failing (NULL); each emits a
// `mem-alloc` event with its mask (whether direct reclaim may enter a file system).
import type { Expr } from '../ir/ir';
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { exprText } from '../interp/exprText';
import { KObj, obj, type Value, ZERO } from '../interp/values';
import { handleView } from '../interp/world';
import { type GfpView, gfpArg, gfpView, mappingGfpMask } from './gfp';
import { freshId } from './objects';

type What = 'page' | 'slab object';

function allocate(ctx: ModelCtx, what: What, gfp: GfpView): Value {
  ctx.emit({ kind: 'mem-alloc', api: ctx.name, what, mayEnterFs: gfp.mayEnterFs, mayWait: gfp.mayWait, gfp: gfp.text, handle: handleView(ctx.world.handle) }, `${ctx.name}: ${what} allocated with ${gfp.text}`);
  if (ctx.choose(['allocated', '-ENOMEM (allocation failed)'], ctx.name) !== 0) return ZERO;
  const o = new KObj(what === 'page' ? 'page' : 'kmalloc', freshId(), `${ctx.name}()`);
  // kzalloc, kcalloc, kmem_cache_zalloc (__GFP_ZERO) and get_zeroed_page return zero-filled memory.
  o.zeroed = ZEROING.has(ctx.name);
  return obj(o);
}

const ZEROING = new Set(['kzalloc', 'kcalloc', 'kmem_cache_zalloc', 'get_zeroed_page']);

const withMask = (what: What, i: number): ModelSpec => ({
  fn: (c, a, r) => allocate(c, what, gfpArg(a, r, i)),
  doc: `${what} allocation with the mask of argument ${i + 1}: explored succeeding and failing (NULL)`,
});

function mappingAlloc(c: ModelCtx, a: Value[], r: Expr[], extra: string): Value {
  return allocate(c, 'page', gfpView(mappingGfpMask(c, a[0]), `mapping_gfp_mask(${r[0] ? exprText(r[0]) : 'mapping'})${extra}`));
}

export const memAllocModels: [string, ModelSpec][] = [
  ['alloc_pages', withMask('page', 0)],
  ['alloc_page', withMask('page', 0)],
  ['__get_free_pages', withMask('page', 0)],
  ['__get_free_page', withMask('page', 0)],
  ['get_zeroed_page', withMask('page', 0)],
  ['__page_cache_alloc', withMask('page', 0)],
  ['page_cache_alloc', { fn: (c, a, r) => mappingAlloc(c, a, r, ''), doc: 'a page with the mapping\'s mask' }],
  ['page_cache_alloc_cold', { fn: (c, a, r) => mappingAlloc(c, a, r, '|__GFP_COLD'), doc: 'a page with the mapping\'s mask' }],
  ['kmalloc', withMask('slab object', 1)],
  ['kzalloc', withMask('slab object', 1)],
  ['kcalloc', withMask('slab object', 2)],
  ['kmem_cache_alloc', withMask('slab object', 1)],
  ['kmem_cache_zalloc', withMask('slab object', 1)],
  ['mapping_gfp_mask', { fn: (c, a) => mappingGfpMask(c, a[0]), doc: 'the mapping\'s allocation mask (GFP_HIGHUSER_PAGECACHE, as inode_init_always sets it)' }],
];
