// Allocation masks (gfp_t) as 2.6.27's include/linux/gfp.h defines them, and what a mask means
// for reclaim: with __GFP_FS set, direct reclaim may call down into file systems (->writepage).
import type { ModelCtx } from '../interp/interpreter';
import { exprText } from '../interp/exprText';
import type { Expr } from '../ir/ir';
import { int, type Value } from '../interp/values';

const __GFP_DMA = 0x01n;
const __GFP_HIGHMEM = 0x02n;
const __GFP_DMA32 = 0x04n;
export const __GFP_WAIT = 0x10n;
const __GFP_HIGH = 0x20n;
const __GFP_IO = 0x40n;
export const __GFP_FS = 0x80n;
const __GFP_COLD = 0x100n;
const __GFP_NOWARN = 0x200n;
const __GFP_REPEAT = 0x400n;
const __GFP_NOFAIL = 0x800n;
const __GFP_NORETRY = 0x1000n;
const __GFP_COMP = 0x4000n;
const __GFP_ZERO = 0x8000n;
const __GFP_NOMEMALLOC = 0x10000n;
const __GFP_HARDWALL = 0x20000n;
const __GFP_THISNODE = 0x40000n;
const __GFP_RECLAIMABLE = 0x80000n;
const __GFP_MOVABLE = 0x100000n;

/** The masks of include/linux/gfp.h (2.6.27), by name. */
export const GFP_CONSTANTS: Record<string, bigint> = {
  __GFP_DMA,
  __GFP_HIGHMEM,
  __GFP_DMA32,
  __GFP_WAIT,
  __GFP_HIGH,
  __GFP_IO,
  __GFP_FS,
  __GFP_COLD,
  __GFP_NOWARN,
  __GFP_REPEAT,
  __GFP_NOFAIL,
  __GFP_NORETRY,
  __GFP_COMP,
  __GFP_ZERO,
  __GFP_NOMEMALLOC,
  __GFP_HARDWALL,
  __GFP_THISNODE,
  __GFP_RECLAIMABLE,
  __GFP_MOVABLE,
  GFP_ATOMIC: __GFP_HIGH,
  GFP_NOWAIT: 0n, // GFP_ATOMIC & ~__GFP_HIGH
  GFP_NOIO: __GFP_WAIT,
  GFP_NOFS: __GFP_WAIT | __GFP_IO,
  GFP_KERNEL: __GFP_WAIT | __GFP_IO | __GFP_FS,
  GFP_TEMPORARY: __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_RECLAIMABLE,
  GFP_USER: __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL,
  GFP_HIGHUSER: __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL | __GFP_HIGHMEM,
  GFP_HIGHUSER_MOVABLE: __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL | __GFP_HIGHMEM | __GFP_MOVABLE,
  GFP_NOFS_PAGECACHE: __GFP_WAIT | __GFP_IO | __GFP_MOVABLE,
  GFP_USER_PAGECACHE: __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL | __GFP_MOVABLE,
  GFP_HIGHUSER_PAGECACHE: __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL | __GFP_HIGHMEM | __GFP_MOVABLE,
  GFP_DMA: __GFP_DMA,
  GFP_DMA32: __GFP_DMA32,
};

/** inode_init_always (fs/inode.c, 2.6.27) gives every mapping GFP_HIGHUSER_PAGECACHE. */
export const MAPPING_GFP_DEFAULT = GFP_CONSTANTS.GFP_HIGHUSER_PAGECACHE;

export type MayEnterFs = 'yes' | 'no' | 'unknown';

/** A mask as the allocation event carries it: whether reclaim may enter a file system, and the mask's text. */
export interface GfpView {
  mayEnterFs: MayEnterFs;
  /** Whether the allocation may sleep (__GFP_WAIT in the mask). */
  mayWait: MayEnterFs;
  /** The mask as the source wrote it, with its value when known. */
  text: string;
}

export function gfpView(v: Value | undefined, source: string): GfpView {
  if (!v || v.k !== 'int') return { mayEnterFs: 'unknown', mayWait: 'unknown', text: `${source} (value not known)` };
  const enters: MayEnterFs = (v.v & __GFP_FS) !== 0n ? 'yes' : 'no';
  return { mayEnterFs: enters, mayWait: (v.v & __GFP_WAIT) !== 0n ? 'yes' : 'no', text: `${source} (0x${v.v.toString(16)}: __GFP_FS ${enters === 'yes' ? 'set' : 'clear'})` };
}

/** A gfp argument's view from its value and its source expression. */
export function gfpArg(args: Value[], raw: Expr[], i: number): GfpView {
  return gfpView(args[i], raw[i] ? exprText(raw[i]) : '(missing mask)');
}

/** mapping_gfp_mask(mapping) (include/linux/pagemap.h): the mapping's mask, set at inode creation. */
export function mappingGfpMask(ctx: ModelCtx, mapping: Value | undefined): Value {
  const m = mapping ? ctx.objOf(mapping) : null;
  const own = m?.get('flags');
  if (own && own.k === 'int') return int(own.v & ((1n << 21n) - 1n));
  return int(MAPPING_GFP_DEFAULT);
}
