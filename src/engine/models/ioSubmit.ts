// ext4's own page writeout of the 2.6.3x-4.x eras (fs/ext4/page-io.c): ext4_bio_write_page
// submits the mapped, dirty, non-delayed buffers of the page and skips the others.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { KObj, obj, type Value, ZERO } from '../interp/values';
import { freshId } from './objects';
import { cleanBuffer, endWriteback, pageArg, setWriteback, submitWrite, unlockPage } from './pageBuffers';

function bioWritePage(ctx: ModelCtx, args: Value[]): Value {
  const page = pageArg(ctx, args[1]);
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in ext4_bio_write_page', 'BUG_ON');
  if (page.writeback) ctx.bug('BUG_ON(PageWriteback(page)) in ext4_bio_write_page', 'BUG_ON');
  setWriteback(ctx, page);
  // (io, page, len, wbc[, keep_towrite]): buffers starting at or past len are beyond EOF.
  const lenArg = args[2];
  const len = lenArg && lenArg.k === 'int' ? Number(lenArg.v) : 4096;
  let submitted = 0;
  let start = 0;
  for (const bh of page.bufferList()) {
    const blockStart = start;
    start += bh.size;
    if (blockStart >= len) {
      cleanBuffer(ctx, bh, 'beyond i_size');
      bh.flags.add('uptodate');
      continue;
    }
    if (!bh.has('dirty') || bh.has('delay') || !bh.has('mapped') || bh.has('unwritten')) {
      // A hole: its dirty bit can be cleared; delayed/unwritten buffers are left to the caller.
      if (!bh.has('mapped')) cleanBuffer(ctx, bh, 'ext4_bio_write_page takes an unmapped buffer for a hole');
      continue;
    }
    submitWrite(ctx, bh);
    submitted++;
  }
  unlockPage(ctx, page);
  if (submitted === 0) {
    ctx.event('no buffer needed I/O: end_page_writeback at once');
    endWriteback(ctx, page);
  }
  return ZERO;
}

export const ioSubmitModels: [string, ModelSpec][] = [
  ['ext4_bio_write_page', { fn: bioWritePage, doc: 'submits the mapped dirty buffers of the page (page-io.c), unlocks it' }],
  ['ext4_io_submit', { fn: () => ZERO }],
  [
    'ext4_init_io_end',
    {
      fn: (ctx) => (ctx.choose(['allocated', '-ENOMEM (kmem_cache_zalloc failed)'], 'ext4_init_io_end') === 0 ? obj(new KObj('ext4_io_end', freshId(), 'io_end')) : ZERO),
      doc: 'allocates an io_end; may fail with NULL under memory pressure',
    },
  ],
  ['ext4_io_submit_init', { fn: () => ZERO }],
  ['ext4_put_io_end_defer', { fn: () => ZERO }],
  ['ext4_put_io_end', { fn: () => ZERO }],
];
