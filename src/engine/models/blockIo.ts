// The generic buffer-layer writeout and preparation primitives, step for step as fs/buffer.c and
// fs/mpage.c of 2.6.27: block_write_full_page (__block_write_full_page and its recover path),
// mpage_writepage (__mpage_writepage with use_writepage = 0), nobh_writepage, block_prepare_write,
// block_commit_write; and __block_write_begin (2.6.36) as block_prepare_write on [pos, pos + len).
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { ERRNO, int, obj, show, type Value, ZERO } from '../interp/values';
import { BufferHead, type Page, PAGE_SHIFT, PAGE_SIZE } from './objects';
import { blockOf, cleanBuffer, createEmptyBuffers, endWriteback, mappingSetError, markSubmitted, pageArg, setWriteback, submitWrite, unlockPage } from './pageBuffers';

function callGetBlock(ctx: ModelCtx, getBlock: Value, block: number, bh: BufferHead): Value {
  const w = ctx.world;
  ctx.event(`${ctx.name} calls get_block ${show(getBlock)}(inode, block ${block}, ${bh.label}, create=1)`);
  w.getBlockCalls.push({ callback: show(getBlock), via: ctx.name });
  return ctx.callValue(getBlock, [obj(w.inode), int(block), obj(bh), int(1)], ctx.name);
}

function failed(ctx: ModelCtx, v: Value): boolean {
  return ctx.truthy(v);
}

/** The page lies wholly beyond i_size: the generic code drops it (truncate raced writeback). */
function outsideEof(ctx: ModelCtx, page: Page): boolean {
  const isize = ctx.world.inode.size;
  const endIndex = isize >> BigInt(PAGE_SHIFT);
  if (page.index < endIndex) return false;
  const offset = isize & BigInt(PAGE_SIZE - 1);
  return page.index >= endIndex + 1n || offset === 0n;
}

/** block_write_full_page(): do_invalidatepage(page, 0), unlock, return 0 ("don't care"). */
function dropBeyondEof(ctx: ModelCtx, page: Page): Value {
  page.droppedBeyondEof = true;
  for (const b of page.blocks) b.beyondEof = true;
  for (const bh of page.bufferList()) bh.flags.delete('dirty');
  ctx.event('page lies wholly beyond i_size: invalidated and dropped, nothing written');
  unlockPage(ctx, page);
  return ZERO;
}

/**
 * do_invalidatepage(page, offset) of mm/truncate.c (2.6.27): the mapping's ->invalidatepage, by
 * default block_invalidatepage, discards the buffers from `offset` on: their dirty state goes,
 * nothing is written. A page wholly beyond i_size is then dropped as not file data; inside
 * i_size its dirty data is lost (the rule sees blocks dirty and never submitted).
 */
function doInvalidatepage(ctx: ModelCtx, args: Value[]): Value {
  const page = pageArg(ctx, args[0]);
  if (!page) return ZERO;
  const offset = args[1]?.k === 'int' ? args[1].v : 0n;
  if (offset !== 0n) {
    ctx.event(`do_invalidatepage(page, ${show(args[1])}): buffers from that offset discarded`);
    return ZERO;
  }
  for (const bh of page.bufferList()) bh.flags.delete('dirty');
  if (outsideEof(ctx, page)) {
    page.droppedBeyondEof = true;
    for (const b of page.blocks) b.beyondEof = true;
    ctx.event('do_invalidatepage(page, 0): the page lies wholly beyond i_size, its buffers discarded (not file data)');
  } else ctx.event('do_invalidatepage(page, 0): the page\'s buffers discarded although it holds data inside i_size');
  return ZERO;
}

function lastBlock(ctx: ModelCtx): bigint {
  const inode = ctx.world.inode;
  return (inode.size - 1n) >> BigInt(inode.blkbits);
}

/** __block_write_full_page(): map what is dirty and unmapped (create=1), write what is mapped and dirty. */
function writeFullPage(ctx: ModelCtx, page: Page, getBlock: Value): Value {
  const w = ctx.world;
  const inode = w.inode;
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in __block_write_full_page', 'BUG_ON');
  const last = lastBlock(ctx);
  const blocksize = 1 << inode.blkbits;
  if (!page.buffers) createEmptyBuffers(ctx, page, blocksize, ['dirty', 'uptodate']);
  const ring = page.bufferList();
  let block = page.index << BigInt(PAGE_SHIFT - inode.blkbits);
  for (const bh of ring) {
    if (block > last) {
      // Beyond EOF: the data is not file data; the buffer is cleaned.
      cleanBuffer(ctx, bh, 'beyond i_size');
      bh.flags.add('uptodate');
    } else if ((!bh.has('mapped') || bh.has('delay')) && bh.has('dirty')) {
      const r = callGetBlock(ctx, getBlock, Number(block), bh);
      if (failed(ctx, r)) return recover(ctx, page, ring, r);
      bh.flags.delete('delay');
      if (bh.has('new')) bh.flags.delete('new');
    }
    block++;
  }
  // Lock and mark for I/O every mapped dirty buffer; an unmapped dirty buffer is silently skipped.
  const toWrite: BufferHead[] = [];
  for (const bh of ring) {
    if (!bh.has('mapped')) {
      if (bh.has('dirty')) ctx.event(`${bh.label} (block ${bh.lblk}) is dirty but unmapped: skipped, not written`);
      continue;
    }
    if (bh.has('dirty')) {
      bh.flags.delete('dirty');
      bh.flags.add('async_write');
      toWrite.push(bh);
    }
  }
  if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in __block_write_full_page', 'BUG_ON');
  setWriteback(ctx, page);
  for (const bh of toWrite) {
    bh.flags.delete('async_write');
    submitWrite(ctx, bh);
  }
  unlockPage(ctx, page);
  if (toWrite.length === 0) {
    ctx.event('no buffer needed I/O: end_page_writeback at once');
    endWriteback(ctx, page);
  }
  return ZERO;
}

/**
 * The recover path of __block_write_full_page (get_block failed: ENOSPC, EIO...): submits the
 * mapped, dirty, non-delayed buffers, clears dirty on every other one, SetPageError and
 * mapping_set_error, sets writeback, unlocks. It does not redirty: the rest of the data is dropped,
 * and the error reaches fsync.
 */
function recover(ctx: ModelCtx, page: Page, ring: BufferHead[], err: Value): Value {
  ctx.event(`get_block failed (${show(err)}): recovery writes what is mapped and drops the rest`);
  const toWrite: BufferHead[] = [];
  for (const bh of ring) {
    if (bh.has('mapped') && bh.has('dirty') && !bh.has('delay')) toWrite.push(bh);
    else cleanBuffer(ctx, bh, `__block_write_full_page's recovery after get_block returned ${show(err)}`);
  }
  page.error = true;
  if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in __block_write_full_page recovery', 'BUG_ON');
  mappingSetError(ctx, err);
  setWriteback(ctx, page);
  for (const bh of toWrite) submitWrite(ctx, bh);
  unlockPage(ctx, page);
  if (toWrite.length === 0) endWriteback(ctx, page);
  return err;
}

function blockWriteFullPage(ctx: ModelCtx, args: Value[]): Value {
  const page = pageArg(ctx, args[0]);
  if (outsideEof(ctx, page)) return dropBeyondEof(ctx, page);
  return writeFullPage(ctx, page, args[1] ?? ZERO);
}

/**
 * __mpage_writepage() with use_writepage = 0 (mpage_writepage of 2.6.27): one bio for the page when
 * its blocks map contiguously; otherwise ("confused") -EAGAIN with the page still locked, for the
 * caller to fall back to block_write_full_page. Without buffers it maps each block through
 * get_block(create=1) into a scratch map_bh and trusts b_blocknr whether or not it was mapped.
 */
function mpageWritepage(ctx: ModelCtx, page: Page, getBlock: Value): Value | 'confused' {
  const w = ctx.world;
  const inode = w.inode;
  const blkbits = inode.blkbits;
  const perPage = 1 << (PAGE_SHIFT - blkbits);
  const blocks: { lblk: number; bh: BufferHead; blocknr: bigint }[] = [];
  let firstUnmapped = perPage;
  if (page.buffers) {
    const ring = page.bufferList();
    for (let i = 0; i < ring.length; i++) {
      const bh = ring[i];
      if (bh.has('locked')) ctx.bug('BUG_ON(buffer_locked(bh)) in __mpage_writepage', 'BUG_ON');
      if (!bh.has('mapped')) {
        if (bh.has('dirty')) return confused(ctx, `${bh.label} is dirty but unmapped`);
        if (firstUnmapped === perPage) firstUnmapped = i;
        continue;
      }
      if (firstUnmapped !== perPage) return confused(ctx, 'a mapped buffer follows a hole');
      if (!bh.has('dirty') || !bh.has('uptodate')) return confused(ctx, `${bh.label} is not dirty and uptodate`);
      if (blocks.length && bh.blocknr !== blocks[blocks.length - 1].blocknr + 1n) return confused(ctx, 'blocks not contiguous on disk');
      blocks.push({ lblk: bh.lblk, bh, blocknr: bh.blocknr });
    }
    if (!firstUnmapped) return confused(ctx, 'the first buffer is unmapped');
  } else {
    if (!page.uptodate) ctx.bug('BUG_ON(!PageUptodate(page)) in __mpage_writepage', 'BUG_ON');
    const last = lastBlock(ctx);
    let block = page.index << BigInt(PAGE_SHIFT - blkbits);
    for (let i = 0; i < perPage; i++) {
      const mapBh = new BufferHead(1 << blkbits, page, -1);
      mapBh.label = 'map_bh';
      mapBh.lblk = Number(block);
      if (failed(ctx, callGetBlock(ctx, getBlock, Number(block), mapBh))) return confused(ctx, 'get_block failed');
      if (blocks.length && mapBh.blocknr !== blocks[blocks.length - 1].blocknr + 1n) return confused(ctx, 'blocks not contiguous on disk');
      blocks.push({ lblk: Number(block), bh: mapBh, blocknr: mapBh.blocknr });
      if (block === last) break;
      block++;
    }
    firstUnmapped = blocks.length;
  }
  // page_is_mapped: a page at or past i_size's page.
  const endIndex = inode.size >> BigInt(PAGE_SHIFT);
  if (page.index >= endIndex) {
    const offset = inode.size & BigInt(PAGE_SIZE - 1);
    if (page.index > endIndex || offset === 0n) return confused(ctx, 'the page lies beyond i_size');
  }
  for (const bh of page.bufferList().slice(0, firstUnmapped)) bh.flags.delete('dirty');
  if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in __mpage_writepage', 'BUG_ON');
  setWriteback(ctx, page);
  unlockPage(ctx, page);
  for (const b of blocks) {
    const mapped = b.bh.has('mapped');
    ctx.emit(
      { kind: 'io-submit', api: ctx.name, rw: 'write', buffer: b.bh.label, block: b.lblk, ...blockOf(ctx, b.bh, b.lblk), blocknr: b.blocknr.toString() },
      `bio: block ${b.lblk} → disk ${b.blocknr}${mapped ? '' : ' (map_bh left unmapped: b_blocknr is stale)'}`,
    );
    markSubmitted(ctx, page, b.lblk);
  }
  ctx.event(`bio submitted for ${blocks.length} block(s) of the page`);
  return ZERO;
}

function confused(ctx: ModelCtx, why: string): 'confused' {
  ctx.event(`__mpage_writepage: ${why}: confused, -EAGAIN with the page still locked`);
  return 'confused';
}

/** mpage_writepage(page, get_block, wbc): -EAGAIN (page locked) when the page cannot go in one bio. */
function mpageWritepageModel(ctx: ModelCtx, args: Value[]): Value {
  const page = pageArg(ctx, args[0]);
  const r = mpageWritepage(ctx, page, args[1] ?? ZERO);
  return r === 'confused' ? int(-ERRNO.EAGAIN) : r;
}

/** nobh_writepage(): the EOF handling of block_write_full_page, then mpage_writepage, then __block_write_full_page on -EAGAIN. */
function nobhWritepage(ctx: ModelCtx, args: Value[]): Value {
  const page = pageArg(ctx, args[0]);
  const getBlock = args[1] ?? ZERO;
  if (outsideEof(ctx, page)) return dropBeyondEof(ctx, page);
  const r = mpageWritepage(ctx, page, getBlock);
  if (r !== 'confused') return r;
  ctx.event('nobh_writepage: mpage_writepage returned -EAGAIN: falls back to __block_write_full_page');
  return writeFullPage(ctx, page, getBlock);
}

/** __block_prepare_write(): buffers created with no state; every unmapped one in range goes to get_block(create=1). */
function blockPrepareWrite(ctx: ModelCtx, args: Value[]): Value {
  const w = ctx.world;
  const page = pageArg(ctx, args[0]);
  const from = args[1] && args[1].k === 'int' ? Number(args[1].v) : 0;
  const to = args[2] && args[2].k === 'int' ? Number(args[2].v) : PAGE_SIZE;
  const getBlock = args[3] ?? ZERO;
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in block_prepare_write', 'BUG_ON');
  if (from > PAGE_SIZE || to > PAGE_SIZE || from > to) ctx.bug(`BUG_ON(from > PAGE_CACHE_SIZE || to > PAGE_CACHE_SIZE || from > to) in block_prepare_write (${from}, ${to})`, 'BUG_ON');
  const blocksize = 1 << w.inode.blkbits;
  if (!page.buffers) createEmptyBuffers(ctx, page, blocksize, []);
  let block = Number(page.index << BigInt(PAGE_SHIFT - w.inode.blkbits));
  let start = 0;
  let err: Value = ZERO;
  for (const bh of page.bufferList()) {
    const end = start + blocksize;
    if (end <= from || start >= to) {
      if (page.uptodate) bh.flags.add('uptodate');
    } else {
      bh.flags.delete('new');
      let handled = false;
      if (!bh.has('mapped')) {
        const r = callGetBlock(ctx, getBlock, block, bh);
        if (failed(ctx, r)) {
          err = r;
          break;
        }
        if (bh.has('new')) {
          if (page.uptodate) {
            bh.flags.delete('new');
            bh.flags.add('uptodate');
            bh.flags.add('dirty');
            page.dirtyFlag = true;
            ctx.event(`${bh.label}: newly allocated on an uptodate page: marked dirty`);
            handled = true;
          } else {
            handled = true;
          }
        }
      }
      if (!handled && page.uptodate) bh.flags.add('uptodate');
      else if (!handled && !bh.has('uptodate') && !bh.has('delay') && (start < from || end > to)) {
        ctx.event(`${bh.label}: partially covered and not uptodate: read from disk`);
        if (ctx.choose(['read ok', '-EIO'], `read of block ${block}`) === 1) err = int(-ERRNO.EIO);
        else bh.flags.add('uptodate');
      }
    }
    start = end;
    block++;
  }
  ctx.event(`block_prepare_write returns ${show(err)}; no buffer was dirtied`);
  return err;
}

/** __block_write_begin(page, pos, len, get_block) (2.6.32+): block_prepare_write on [pos & ~PAGE_MASK, +len). */
export function blockWriteBegin(ctx: ModelCtx, args: Value[]): Value {
  const pos = args[1] && args[1].k === 'int' ? args[1].v : 0n;
  const len = args[2] && args[2].k === 'int' ? args[2].v : BigInt(PAGE_SIZE);
  const from = pos & BigInt(PAGE_SIZE - 1);
  return blockPrepareWrite(ctx, [args[0] ?? ZERO, int(from), int(from + len), args[3] ?? ZERO]);
}

function blockCommitWrite(ctx: ModelCtx, args: Value[]): Value {
  const w = ctx.world;
  const page = pageArg(ctx, args[0]);
  const from = args[1] && args[1].k === 'int' ? Number(args[1].v) : 0;
  const to = args[2] && args[2].k === 'int' ? Number(args[2].v) : PAGE_SIZE;
  const blocksize = 1 << w.inode.blkbits;
  let start = 0;
  for (const bh of page.bufferList()) {
    const end = start + blocksize;
    if (!(end <= from || start >= to)) {
      bh.flags.add('uptodate');
      bh.flags.add('dirty');
      page.dirtyFlag = true;
      bh.flags.delete('new');
    }
    start = end;
  }
  ctx.event(`block_commit_write: buffers in [${from}, ${to}) marked uptodate and dirty`);
  return ZERO;
}

export const blockIoModels: [string, ModelSpec][] = [
  ['block_write_full_page', { fn: blockWriteFullPage, getBlockArg: 1, doc: 'maps dirty unmapped/delayed buffers with get_block(create=1), writes mapped dirty buffers, unlocks' }],
  ['block_write_full_page_endio', { fn: blockWriteFullPage, getBlockArg: 1, doc: 'block_write_full_page with an I/O completion handler (2.6.31+)' }],
  ['nobh_writepage', { fn: nobhWritepage, getBlockArg: 1, doc: 'mpage_writepage (get_block(create=1) per block), falling back to the full-page path' }],
  ['mpage_writepage', { fn: mpageWritepageModel, getBlockArg: 1, doc: 'one bio when the blocks map contiguously; else -EAGAIN with the page still locked' }],
  ['block_prepare_write', { fn: blockPrepareWrite, getBlockArg: 3, doc: 'creates clean buffers, get_block(create=1) on unmapped ones, dirties nothing' }],
  ['__block_write_begin', { fn: blockWriteBegin, getBlockArg: 3, doc: 'as block_prepare_write on [pos, pos + len) of the page (2.6.32+)' }],
  ['block_commit_write', { fn: blockCommitWrite, doc: 'marks buffers in range uptodate and dirty' }],
  ['do_invalidatepage', { fn: doInvalidatepage, doc: 'discards the page\'s buffers (offset 0): beyond i_size the page is dropped, inside it its dirty data is lost' }],
];

/** Primitives off the writepage paths that take a get_block_t (argument index): used for discovery only. */
export const GET_BLOCK_TAKERS: Record<string, number> = {
  nobh_write_begin: 7,
  cont_write_begin: 7,
  block_page_mkwrite: 2,
  mpage_readpage: 1,
  mpage_readpages: 3,
  block_read_full_page: 1,
  generic_block_bmap: 2,
  block_truncate_page: 2,
  nobh_truncate_page: 2,
  mpage_writepages: 2,
  mpage_da_writepages: 2,
  blockdev_direct_IO: 7,
  blockdev_direct_IO_own_locking: 7,
  blockdev_direct_IO_no_locking: 7,
  __blockdev_direct_IO: 7,
};
