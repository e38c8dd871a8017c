// Truncating a file's page cache and its blocks past i_size, as the write paths of 2.6.28–2.6.36
// call them when a write fails after instantiating blocks:
//  - truncate_inode_pages(mapping, lstart) (mm/truncate.c, 2.6.24–2.6.36: truncate_inode_pages_range
//    (mapping, lstart, (loff_t)-1)): a page wholly at or past lstart goes (truncate_complete_page:
//    do_invalidatepage(page, 0) discards its buffers, try_to_release_page frees them,
//    remove_from_page_cache); the page lstart falls inside keeps its head (truncate_partial_page:
//    zero_user_segment, do_invalidatepage(page, partial) discards the buffers from there on).
//    Discarding is block_invalidatepage's discard_buffer: dirty, mapped, req, new, delay and
//    unwritten cleared, b_bdev NULL (the table's own ->invalidatepage is not followed).
//  - truncate_pagecache(inode, old, new) (mm/truncate.c, from 2.6.32): unmap_mapping_range,
//    truncate_inode_pages(mapping, new), unmap_mapping_range again. In 2.6.32 only when new < old:
//    25d9e2d1528 ("truncate: new helpers", v2.6.32-rc1) added the check, cedabed49b3 ("vfs: Fix
//    vmtruncate() regression", v2.6.33-rc5) removed it because of the failure path below.
//  - vmtruncate(inode, offset) (mm/memory.c 2.6.24–2.6.31, mm/truncate.c from 2.6.32): offset
//    below i_size: i_size_write(offset) and the page cache truncated past it; above: i_size_write
//    only. At i_size itself (block_write_begin's trim after a failed write) the kernels differ:
//    to 2.6.31 the `else` branch runs truncate_inode_pages(mapping, offset); 2.6.32's
//    truncate_pagecache(inode, oldsize, offset) truncates nothing; from 2.6.33 it truncates again.
//    The file's interfaces date it (World.kernelEra): when they do not decide between 2.6.32 and
//    the others, a path takes each, as a guess it names. Then inode->i_op->truncate(inode): the
//    filesystem's truncate, which frees the file's blocks past the new i_size.
//  - ext4_ext_truncate(inode) (fs/ext4/extents.c, 2.6.28–2.6.36): in its own handle
//    (ext4_journal_start(inode, ext4_writepage_trans_blocks(inode)), which may fail: then nothing is
//    freed), ext4_ext_remove_space frees the extents' blocks from (i_size + blocksize - 1) >> blkbits
//    on; it does not touch the page cache (the partial block's zeroing, ext4_block_truncate_page,
//    and the orphan list are not followed here).
//  - ext3_truncate(inode) (fs/ext3/inode.c, 2.6.24–2.6.36) and ext4_truncate(inode) (fs/ext4/inode.c,
//    2.6.28–2.6.36); from 2.6.31 (9eaaa2d5759, ffacfa7a79d) a failed write calls them itself
//    (ext3/ext4_write_begin, their write_end on a short copy) to trim the blocks it instantiated past
//    i_size, before that vmtruncate's ->truncate did. The checks of ext*_can_truncate (ext3's inline
//    before 2.6.27: a regular file, neither append-only nor immutable) hold for the scenario inode;
//    ext4 with EXT4_EXTENTS_FL hands over to ext4_ext_truncate. When i_size is not on a block
//    boundary ext3 first grabs and locks the EOF page (grab_cache_page), and both zero the partial
//    block after the journal start (ext*_block_truncate_page): not followed here, the event says so
//    (nor ext3 zeroing the whole EOF page when the start fails). start_transaction (ext*_journal_start
//    with blocks_for_truncate's credits, not evaluated here) may fail: then nothing is freed;
//    ext*_free_data / ext*_free_branches free the blocks from (i_size + blocksize - 1) >> blkbits on
//    (the scenario's block map holds them, not EXT*_I(inode)->i_data; the orphan list is not
//    followed); the handle is stopped. The page cache is not touched: truncate_inode_pages is the
//    caller's (68eb3db0834, b9a4207d5e9).
// The scenario's mapping caches its one page (and the pages a write grabbed).
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { type Value, ZERO } from '../interp/values';
import { journalStart, journalStop } from './journal';
import { diskBlock } from './alloc';
import { PAGE_SIZE, type BufferHead, type Page } from './objects';

/** The pages of the scenario's mapping still in the page cache. */
function cachedPages(ctx: ModelCtx): Page[] {
  const w = ctx.world;
  return [...new Set([w.page, ...w.heldPages])].filter((p) => !p.truncated);
}

/** discard_buffer (fs/buffer.c, 2.6.28): the buffer no longer maps a block nor holds dirty data. */
function discardBuffer(bh: BufferHead): void {
  for (const f of ['dirty', 'mapped', 'req', 'new', 'delay', 'unwritten'] as const) bh.flags.delete(f);
}

/** truncate_inode_pages(mapping, lstart) on the cached pages. */
function truncatePages(ctx: ModelCtx, lstart: bigint, api: string): void {
  for (const p of cachedPages(ctx)) {
    const start = p.index * BigInt(PAGE_SIZE);
    const end = start + BigInt(PAGE_SIZE);
    if (end <= lstart) continue;
    const locked = p.locked ? ' (the task holds it locked: lock_page would wait on it for ever)' : '';
    if (start >= lstart) {
      for (const bh of p.bufferList()) discardBuffer(bh);
      p.buffers = null;
      for (const b of p.blocks) b.dirty = false;
      p.dirtyFlag = false;
      p.uptodate = false;
      p.truncated = true;
      ctx.event(`${api}: page ${p.index} lies at or past offset ${lstart}: its buffers discarded and freed, the page removed from the page cache${locked}`);
      continue;
    }
    const partial = lstart - start;
    let off = 0n;
    const gone: string[] = [];
    for (const bh of p.bufferList()) {
      if (off >= partial) {
        discardBuffer(bh);
        gone.push(bh.label);
      }
      off += BigInt(bh.size);
    }
    ctx.event(`${api}: page ${p.index} holds offset ${lstart}: its tail zeroed${gone.length ? `, ${gone.join(', ')} discarded` : ''}${locked}`);
  }
}

/** The file's blocks from (i_size + blocksize - 1) >> blkbits on freed, with the cached buffers still mapped to them. */
function freeBlocksPastSize(ctx: ModelCtx, api: string, how: string): void {
  const inode = ctx.world.inode;
  const bits = BigInt(inode.blkbits);
  const from = Number((inode.size + (1n << bits) - 1n) >> bits);
  const blocks: { lblk: number; disk: number }[] = [];
  for (const [lblk, d] of [...inode.blockMap].sort((a, b) => a[0] - b[0])) {
    if (lblk < from || (d !== 'allocated' && d !== 'unwritten')) continue;
    blocks.push({ lblk, disk: diskBlock(lblk) });
    inode.blockMap.delete(lblk);
  }
  const disks = new Set(blocks.map((b) => BigInt(b.disk)));
  const stillMapped = cachedPages(ctx).flatMap((p) =>
    p
      .bufferList()
      .filter((bh) => bh.has('mapped') && disks.has(bh.blocknr))
      .map((bh) => ({ buffer: bh.label, page: Number(p.index), lblk: bh.lblk, disk: Number(bh.blocknr) })),
  );
  const list = blocks.length ? blocks.map((b) => `${b.lblk} (disk block ${b.disk})`).join(', ') : 'none allocated';
  const mapped = stillMapped.length ? `; ${stillMapped.map((m) => `${m.buffer} of page ${m.page}`).join(', ')} still mapped to ${stillMapped.length === 1 ? 'it' : 'them'} in the page cache` : '';
  ctx.emit({ kind: 'blocks-freed', api, from, blocks, stillMapped }, `${how}: blocks from ${from} (i_size ${inode.size}) freed: ${list}${mapped}`);
}

/** The kernel question sameSizeTruncates answers: one answer per path, whichever call asks first. */
const SAME_SIZE_KEY = 'era:truncate_pagecache';

/**
 * Whether the kernel truncates the page cache when the size does not shrink: every release but
 * 2.6.32 (see the header). The file's era decides when it rules 2.6.32 in or out; otherwise the
 * path forks, each way a named guess.
 */
function sameSizeTruncates(ctx: ModelCtx, what: string): boolean {
  const w = ctx.world;
  const known = w.assumptions.get(SAME_SIZE_KEY);
  if (known !== undefined) return known;
  const { from, to, text } = w.kernelEra;
  let truncates: boolean;
  if ((from !== null && from > 32) || (to !== null && to < 32)) {
    truncates = true;
    ctx.event(`${what}: the file's interfaces date it ${text}, not 2.6.32: the page cache past i_size is truncated`);
  } else if (from === 32 && to === 32) {
    truncates = false;
    ctx.event(`${what}: the file's interfaces date it 2.6.32, whose truncate_pagecache acts only when the size shrinks`);
  } else {
    const ways = [
      'not 2.6.32 (to 2.6.31: truncate_inode_pages in any case; from 2.6.33, cedabed49b3: truncate_pagecache in any case)',
      "2.6.32 (25d9e2d1528 to cedabed49b3: truncate_pagecache acts only when the size shrinks)",
    ];
    const pick = ctx.choose(ways.map((x) => `the kernel is ${x}`), `${what}: which kernel (the file's interfaces date it ${text})`);
    truncates = pick === 0;
    w.guesses.push({ name: 'truncate_pagecache', line: ctx.site().loc.line, assumed: `the kernel is ${ways[pick]}`, branch: { key: SAME_SIZE_KEY, taken: truncates } });
  }
  w.assumptions.set(SAME_SIZE_KEY, truncates);
  return truncates;
}

function inodeOk(ctx: ModelCtx, v: Value | undefined): boolean {
  return !!v && ctx.objOf(v) === ctx.world.inode;
}

function vmtruncate(ctx: ModelCtx, a: Value[]): Value {
  const offset = a[1] ? ctx.intOf(a[1]) : null;
  if (!inodeOk(ctx, a[0]) || offset === null) return ctx.unknown(`${ctx.name}() of an inode or offset not known`);
  vmtruncateTo(ctx, offset);
  return ZERO;
}

/** vmtruncate(inode, offset) on the scenario's inode (block_write_begin's failure path calls it too). */
export function vmtruncateTo(ctx: ModelCtx, offset: bigint): void {
  const inode = ctx.world.inode;
  if (offset < inode.size) {
    inode.size = offset;
    truncatePages(ctx, offset, 'vmtruncate → truncate_inode_pages');
  } else if (offset > inode.size) {
    inode.size = offset;
    ctx.event(`vmtruncate: i_size_write(inode, ${offset}) (the file grows: the page cache is not truncated)`);
  } else if (sameSizeTruncates(ctx, `vmtruncate(inode, ${offset}) at i_size`)) {
    truncatePages(ctx, offset, 'vmtruncate → truncate_inode_pages');
  } else {
    ctx.event(`vmtruncate (2.6.32): truncate_pagecache(inode, ${offset}, ${offset}) truncates nothing: the size does not shrink`);
  }
  freeBlocksPastSize(ctx, 'vmtruncate', 'vmtruncate → inode->i_op->truncate');
}

function truncateInodePages(ctx: ModelCtx, a: Value[]): Value {
  const lstart = a[1] ? ctx.intOf(a[1]) : null;
  const mapping = a[0] ? ctx.objOf(a[0]) : null;
  if (lstart === null || mapping !== ctx.world.inode.mapping) return ctx.unknown(`${ctx.name}() of a mapping or offset not known`);
  truncatePages(ctx, lstart, ctx.name);
  return ZERO;
}

function truncatePagecache(ctx: ModelCtx, a: Value[]): Value {
  const old = a[1] ? ctx.intOf(a[1]) : null;
  const next = a[2] ? ctx.intOf(a[2]) : null;
  if (!inodeOk(ctx, a[0]) || old === null || next === null) return ctx.unknown(`${ctx.name}() of an inode or sizes not known`);
  if (next < old || sameSizeTruncates(ctx, `truncate_pagecache(inode, ${old}, ${next})`)) truncatePages(ctx, next, 'truncate_pagecache → truncate_inode_pages');
  else ctx.event(`truncate_pagecache(inode, ${old}, ${next}) (2.6.32): the file does not shrink, nothing truncated`);
  return ZERO;
}

function ext4ExtTruncate(ctx: ModelCtx, a: Value[]): Value {
  if (!inodeOk(ctx, a[0])) return ctx.unknown(`${ctx.name}() of an inode not known`);
  extTruncate(ctx, a[0], ctx.name);
  return ZERO;
}

/** ext4_ext_truncate's body: its own handle, then the extents' blocks past i_size freed. */
function extTruncate(ctx: ModelCtx, inodeArg: Value, api: string): void {
  const h = journalStart(ctx, [inodeArg, { k: 'unk', key: 'credits:ext4_ext_truncate', why: 'ext4_writepage_trans_blocks(inode)' }], 1, 'ext4_ext_truncate');
  if (h.k === 'err') {
    ctx.event(`${api}: ext4_ext_truncate's journal start failed: nothing truncated`);
    return;
  }
  freeBlocksPastSize(ctx, api, `${api === 'ext4_ext_truncate' ? '' : `${api} → `}ext4_ext_truncate → ext4_ext_remove_space`);
  journalStop(ctx, [h]);
}

/** EXT4_EXTENTS_FL (fs/ext4/ext4.h, 2.6.23–2.6.36): the inode maps its blocks with extents. */
const EXT4_EXTENTS_FL = 0x00080000n;

/**
 * Why the model stands in for the file's own truncate: its body walks EXT*_I(inode)->i_data, which
 * the scenario does not hold (its block map does), so interpreted it frees nothing the rules see.
 */
const OVER_SOURCE = "its body frees the blocks through EXT*_I(inode)->i_data, which the scenario holds in the model's block map";

/** ext3_truncate / ext4_truncate of an indirect-mapped file (see the header). */
function fsTruncate(ctx: ModelCtx, a: Value[]): Value {
  if (!inodeOk(ctx, a[0])) return ctx.unknown(`${ctx.name}() of an inode not known`);
  const w = ctx.world;
  const inode = w.inode;
  const name = ctx.name;
  const flags = inode.info.get('i_flags');
  if (name === 'ext4_truncate' && flags && flags.k === 'int' && (flags.v & EXT4_EXTENTS_FL) !== 0n) {
    extTruncate(ctx, a[0], name);
    return ZERO;
  }
  const blocksize = 1n << BigInt(inode.blkbits);
  if (inode.size % blocksize !== 0n) ctx.event(`${name}: i_size ${inode.size} is inside a block: ${name === 'ext3_truncate' ? 'locking the EOF page first (grab_cache_page) and ' : ''}zeroing the block's tail (${name.replace('_truncate', '_block_truncate_page')}) are not followed here`);
  const fs = name.replace('_truncate', '');
  const h = journalStart(ctx, [a[0], { k: 'unk', key: `credits:${name}`, why: `blocks_for_truncate(inode)` }], 1, name);
  if (h.k === 'err') {
    ctx.event(`${name}: start_transaction failed: nothing truncated`);
    return ZERO;
  }
  freeBlocksPastSize(ctx, name, `${name} → ${fs}_free_data / ${fs}_free_branches`);
  journalStop(ctx, [h]);
  return ZERO;
}

export const truncateModels: [string, ModelSpec][] = [
  ['vmtruncate', { fn: vmtruncate, doc: "i_size set, the page cache truncated past it, then the filesystem's ->truncate frees the blocks past it" }],
  ['truncate_inode_pages', { fn: truncateInodePages, doc: 'the cached pages past the offset removed, the buffers past it in the partial page discarded' }],
  ['truncate_pagecache', { fn: truncatePagecache, doc: 'when the file shrinks: truncate_inode_pages(mapping, new)' }],
  ['ext4_ext_truncate', { fn: ext4ExtTruncate, doc: "frees the extents' blocks past i_size; the page cache is not touched" }],
  ['ext3_truncate', { fn: fsTruncate, preferOverSource: OVER_SOURCE, doc: "in its own handle (may fail: nothing freed), frees the blocks past i_size; the page cache is not touched" }],
  ['ext4_truncate', { fn: fsTruncate, preferOverSource: OVER_SOURCE, doc: "ext4_ext_truncate for an extent-mapped inode, else in its own handle (may fail: nothing freed), frees the blocks past i_size; the page cache is not touched" }],
];
