// Page-cache lookups that ->writepages helpers use to walk the mapping: pagevec_init/_lookup/
// _lookup_tag/_release/_count of 2.6.27 (mm/swap.c, include/linux/pagevec.h: find_get_pages and
// find_get_pages_tag of mm/filemap.c) and mapping_tagged (radix_tree_tagged). The scenario's
// mapping holds one page, the scenario's: a lookup finds it when its index is in the range (from an
// unknown index: when that index is at most the page's, decided once on the path).
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { compare, linOf } from '../interp/arith';
import { int, KObj, obj, type Value, ZERO } from '../interp/values';
import { freshId, type Page } from './objects';

/** PAGEVEC_SIZE (include/linux/pagevec.h, 2.6.27): 14 pages per vector. */
export const PAGEVEC_SIZE = 14n;
/** The radix-tree tags of the page cache (include/linux/fs.h, 2.6.27; TOWRITE since 2.6.35). */
export const PAGECACHE_TAGS = { PAGECACHE_TAG_DIRTY: 0n, PAGECACHE_TAG_WRITEBACK: 1n, PAGECACHE_TAG_TOWRITE: 2n } as const;

function intOf(v: Value | undefined): bigint | null {
  return v && v.k === 'int' ? v.v : null;
}

/** Whether the page carries radix-tree tag `tag` (dirty: PG_dirty, or kept by clear_page_dirty_for_io; writeback: PG_writeback). */
function tagged(page: Page, tag: bigint): boolean {
  if (tag === PAGECACHE_TAGS.PAGECACHE_TAG_DIRTY) return page.dirtyTag ?? page.dirtyFlag;
  if (tag === PAGECACHE_TAGS.PAGECACHE_TAG_WRITEBACK) return page.writeback;
  return false;
}

/** pvec->nr and pvec->pages[] as the found pages (find_get_pages takes a reference on each). */
function fill(ctx: ModelCtx, pvecArg: Value | undefined, pages: Page[]): Value {
  const pvec = pvecArg ? ctx.objOf(pvecArg) : null;
  if (pvec) {
    const arr = new KObj('pages', freshId(), 'pvec.pages');
    pages.forEach((p, i) => arr.set(`[${i}]`, obj(p)));
    pvec.set('pages', obj(arr));
    pvec.set('nr', int(pages.length));
  }
  return int(pages.length);
}

/** The scenario page when the lookup of `mapping` from `start` (at most `nr` pages) finds it; null when not known. */
function lookup(ctx: ModelCtx, mapping: Value | undefined, start: Value | undefined, nr: Value | undefined, tag?: bigint): Page[] | null {
  const w = ctx.world;
  const m = mapping ? ctx.objOf(mapping) : null;
  const from = intOf(start);
  const max = intOf(nr);
  // An unknown start index (mapping->writeback_index) finds the page when it is at or before the
  // page's index: one decision on that unknown, which later tests of the same index follow.
  const unknownStart = from === null && start !== undefined && linOf(start) !== null;
  // An unknown count (min(end - index, PAGEVEC_SIZE - 1) + 1): one page found when it is positive.
  const unknownMax = max === null && nr !== undefined && linOf(nr) !== null;
  if ((from === null && !unknownStart) || (max === null && !unknownMax)) return null;
  const derive = (p: string): string => w.derivedKey(p);
  if (m !== w.inode.mapping || (max !== null ? max <= 0n : !ctx.truthy(compare('>', nr as Value, int(0), derive)))) return [];
  const page = w.page;
  if (tag !== undefined && !tagged(page, tag)) return [];
  if (from !== null ? page.index < from : !ctx.truthy(compare('<=', start as Value, int(page.index), derive))) return [];
  return [page];
}

/** pagevec_lookup(pvec, mapping, start, nr_pages): find_get_pages from index `start`. */
function pagevecLookup(ctx: ModelCtx, a: Value[]): Value {
  const found = lookup(ctx, a[1], a[2], a[3]);
  if (!found) return ctx.unknown('result of pagevec_lookup (start index not known)');
  ctx.event(`pagevec_lookup from index ${String(intOf(a[2]))}: ${found.length ? `the page at index ${found[0].index}` : 'no page'}`);
  return fill(ctx, a[0], found);
}

/** pagevec_lookup_tag(pvec, mapping, *index, tag, nr_pages): find_get_pages_tag; *index moves past the last page found. */
function pagevecLookupTag(ctx: ModelCtx, a: Value[]): Value {
  const idx = a[2];
  const cell = idx && idx.k === 'ref' ? idx.cell : null;
  const tag = intOf(a[3]);
  const found = cell && tag !== null ? lookup(ctx, a[1], cell.value, a[4], tag) : null;
  if (!found || !cell) return ctx.unknown('result of pagevec_lookup_tag (index or tag not known)');
  if (found.length) cell.value = int(found[found.length - 1].index + 1n);
  ctx.event(`pagevec_lookup_tag(tag ${tag}): ${found.length ? `the page at index ${found[0].index}` : 'no page'}`);
  return fill(ctx, a[0], found);
}

/** mapping_tagged(mapping, tag): radix_tree_tagged over the mapping's pages. */
function mappingTagged(ctx: ModelCtx, a: Value[]): Value {
  const m = a[0] ? ctx.objOf(a[0]) : null;
  const tag = intOf(a[1]);
  if (tag === null) return ctx.unknown('result of mapping_tagged (tag not known)');
  return int(m === ctx.world.inode.mapping && tagged(ctx.world.page, tag) ? 1 : 0);
}

function pvecField(ctx: ModelCtx, a: Value[], set?: Value): Value {
  const pvec = a[0] ? ctx.objOf(a[0]) : null;
  if (!pvec) return ZERO;
  if (set) pvec.set('nr', set);
  return pvec.get('nr') ?? ZERO;
}

export const pagevecModels: [string, ModelSpec][] = [
  ['pagevec_init', { fn: (c, a) => (pvecField(c, a, ZERO), ZERO), doc: 'an empty page vector' }],
  ['pagevec_lookup', { fn: pagevecLookup, doc: "the mapping's pages from an index (the scenario's page when its index is in range)" }],
  ['pagevec_lookup_tag', { fn: pagevecLookupTag, doc: 'the pages with a radix-tree tag (dirty, writeback) from *index; *index moves past them' }],
  ['pagevec_count', { fn: (c, a) => pvecField(c, a), doc: 'pvec->nr' }],
  ['pagevec_release', { fn: (c, a) => (pvecField(c, a, ZERO), ZERO), doc: 'drops the references the lookup took' }],
  ['mapping_tagged', { fn: mappingTagged, doc: 'whether a page of the mapping has the tag (dirty: PG_dirty, writeback: PG_writeback)' }],
];
