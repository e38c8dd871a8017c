// The generic buffer-layer writeout and preparation primitives, step for step as in 2008:
// block_write_full_page, nobh_writepage (mpage), block_prepare_write, block_commit_write.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { ERRNO, int, obj, show, type Value, ZERO } from '../interp/values';
import { BufferHead, type Page, PAGE_SHIFT, PAGE_SIZE } from './objects';
import { createEmptyBuffers, pageArg, redirtyPage, submitWrite, unlockPage } from './pageBuffers';

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

function dropBeyondEof(ctx: ModelCtx, page: Page): Value {
  page.droppedBeyondEof = true;
  for (const b of page.blocks) b.beyondEof = true;
  ctx.event('page lies wholly beyond i_size: invalidated and dropped, nothing written');
  unlockPage(ctx, page);
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
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in __block_write_full_page');
  const last = lastBlock(ctx);
  const blocksize = 1 << inode.blkbits;
  if (!page.buffers) createEmptyBuffers(ctx, page, blocksize, ['dirty', 'uptodate']);
  const ring = page.bufferList();
  let block = page.index << BigInt(PAGE_SHIFT - inode.blkbits);
  let err: Value | null = null;
  for (const bh of ring) {
    if (block > last) {
      // Beyond EOF: the data is not file data; the buffer is cleaned.
      bh.flags.delete('dirty');
      bh.flags.add('uptodate');
    } else if ((!bh.has('mapped') || bh.has('delay')) && bh.has('dirty')) {
      const r = callGetBlock(ctx, getBlock, Number(block), bh);
      if (failed(ctx, r)) {
        err = r;
        break;
      }
      bh.flags.delete('delay');
      if (bh.has('new')) bh.flags.delete('new');
    }
    block++;
  }
  if (err) return recover(ctx, page, ring, err);
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
  if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in __block_write_full_page');
  page.writeback = true;
  ctx.event('set_page_writeback');
  for (const bh of toWrite) {
    bh.flags.delete('async_write');
    bh.flags.add('dirty');
    submitWrite(ctx, bh);
  }
  unlockPage(ctx, page);
  if (toWrite.length === 0) {
    page.writeback = false;
    ctx.event('no buffer needed I/O: end_page_writeback at once');
  }
  return ZERO;
}

/** get_block failed (ENOSPC...): write what is mapped, keep the rest dirty and redirty the page. */
function recover(ctx: ModelCtx, page: Page, ring: BufferHead[], err: Value): Value {
  ctx.event(`get_block failed (${show(err)}): recovery path writes what is mapped`);
  const toWrite = ring.filter((bh) => bh.has('mapped') && bh.has('dirty') && !bh.has('delay'));
  page.error = true;
  if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in __block_write_full_page recovery');
  page.writeback = true;
  for (const bh of toWrite) submitWrite(ctx, bh);
  redirtyPage(ctx, page);
  unlockPage(ctx, page);
  if (toWrite.length === 0) page.writeback = false;
  return err;
}

function blockWriteFullPage(ctx: ModelCtx, args: Value[]): Value {
  const page = pageArg(ctx, args[0]);
  if (outsideEof(ctx, page)) return dropBeyondEof(ctx, page);
  return writeFullPage(ctx, page, args[1] ?? ZERO);
}

/** __mpage_writepage(): one bio for the whole page when every block maps contiguously, else -EAGAIN. */
function mpageWritepage(ctx: ModelCtx, page: Page, getBlock: Value): Value | 'confused' {
  const w = ctx.world;
  const inode = w.inode;
  const last = lastBlock(ctx);
  if (page.buffers) {
    let firstUnmapped = -1;
    const ring = page.bufferList();
    for (let i = 0; i < ring.length; i++) {
      const bh = ring[i];
      if (!bh.has('mapped')) {
        if (bh.has('dirty')) return 'confused';
        if (firstUnmapped < 0) firstUnmapped = i;
        continue;
      }
      if (firstUnmapped >= 0) return 'confused';
      if (!bh.has('dirty') || !bh.has('uptodate')) return 'confused';
    }
    if (firstUnmapped === 0) return 'confused';
    const mapped = firstUnmapped < 0 ? ring : ring.slice(0, firstUnmapped);
    if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in __mpage_writepage');
    page.writeback = true;
    for (const bh of mapped) submitWrite(ctx, bh);
    unlockPage(ctx, page);
    return ZERO;
  }
  if (!page.uptodate) ctx.bug('BUG_ON(!PageUptodate(page)) in __mpage_writepage');
  const blkbits = inode.blkbits;
  let block = page.index << BigInt(PAGE_SHIFT - blkbits);
  const perPage = 1 << (PAGE_SHIFT - blkbits);
  const mapped: { lblk: number; bh: BufferHead }[] = [];
  for (let i = 0; i < perPage; i++) {
    const mapBh = new BufferHead(1 << blkbits, page, -1);
    mapBh.label = 'map_bh';
    if (failed(ctx, callGetBlock(ctx, getBlock, Number(block), mapBh))) return 'confused';
    mapped.push({ lblk: Number(block), bh: mapBh });
    if (block === last) break;
    block++;
  }
  if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in __mpage_writepage');
  page.writeback = true;
  for (const m of mapped) {
    if (!m.bh.has('mapped') || w.inode.diskState(m.lblk) !== 'allocated') {
      ctx.finding('io-on-unmapped-buffer', 'error', `${ctx.name}: get_block left block ${m.lblk} unmapped but mpage still puts it in the bio (map_bh.b_blocknr is stale): the data goes to the wrong disk block`);
    }
    const blk = page.blocks.find((b) => b.lblk === m.lblk);
    if (blk) blk.submitted = true;
  }
  ctx.event(`bio submitted for ${mapped.length} block(s) of the page`);
  unlockPage(ctx, page);
  return ZERO;
}

function nobhWritepage(ctx: ModelCtx, args: Value[]): Value {
  const page = pageArg(ctx, args[0]);
  const getBlock = args[1] ?? ZERO;
  if (outsideEof(ctx, page)) return dropBeyondEof(ctx, page);
  const r = mpageWritepage(ctx, page, getBlock);
  if (r !== 'confused') return r;
  ctx.event('mpage_writepage: page cannot go in one bio (-EAGAIN): falls back to __block_write_full_page');
  return writeFullPage(ctx, page, getBlock);
}

/** __block_prepare_write(): buffers created with no state; every unmapped one in range goes to get_block(create=1). */
function blockPrepareWrite(ctx: ModelCtx, args: Value[]): Value {
  const w = ctx.world;
  const page = pageArg(ctx, args[0]);
  const from = args[1] && args[1].k === 'int' ? Number(args[1].v) : 0;
  const to = args[2] && args[2].k === 'int' ? Number(args[2].v) : PAGE_SIZE;
  const getBlock = args[3] ?? ZERO;
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in block_prepare_write');
  if (from > PAGE_SIZE || to > PAGE_SIZE || from > to) ctx.bug(`BUG_ON(from > PAGE_CACHE_SIZE || to > PAGE_CACHE_SIZE || from > to) in block_prepare_write (${from}, ${to})`);
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
function blockWriteBegin(ctx: ModelCtx, args: Value[]): Value {
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
  ['block_prepare_write', { fn: blockPrepareWrite, getBlockArg: 3, doc: 'creates clean buffers, get_block(create=1) on unmapped ones, dirties nothing' }],
  ['__block_write_begin', { fn: blockWriteBegin, getBlockArg: 3, doc: 'as block_prepare_write on [pos, pos + len) of the page (2.6.32+)' }],
  ['block_commit_write', { fn: blockCommitWrite, doc: 'marks buffers in range uptodate and dirty' }],
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
