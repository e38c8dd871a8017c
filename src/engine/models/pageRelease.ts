// Releasing a page's buffers, step for step as the kernel of 2.6.24-2.6.36 does it:
// fs/buffer.c (block_invalidatepage, discard_buffer, try_to_free_buffers, drop_buffers,
// buffer_busy), mm/filemap.c (try_to_release_page), mm/truncate.c (cancel_dirty_page), and the
// journal layers' versions, fs/jbd2/transaction.c and fs/jbd/transaction.c of 2.6.28
// (jbd2_journal_invalidatepage / journal_invalidatepage with journal_unmap_buffer,
// jbd2_journal_try_to_free_buffers / journal_try_to_free_buffers with __journal_try_to_free_buffer).
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { int, show, type Value, ZERO } from '../interp/values';
import { __GFP_FS, __GFP_WAIT } from './gfp';
import type { BufferHead, Page } from './objects';
import { pageArg } from './pageBuffers';

/** buffer_busy() (fs/buffer.c): b_count held, or BH_Dirty or BH_Lock set. */
function busy(bh: BufferHead): boolean {
  return bh.refcount > 0 || bh.has('dirty') || bh.has('locked');
}

/** cancel_dirty_page() (mm/truncate.c, 2.6.24-2.6.36): PG_dirty cleared; the data is not written. */
export function cancelDirtyPage(ctx: ModelCtx, page: Page): void {
  if (!page.dirtyFlag) return;
  page.dirtyFlag = false;
  ctx.event('cancel_dirty_page: PG_dirty cleared (nothing written)');
}

/**
 * try_to_free_buffers() (fs/buffer.c, 2.6.24-2.6.36): BUG_ON(!PageLocked); nothing under writeback;
 * drop_buffers() fails if any buffer is busy, else the ring is detached and freed and the page's
 * dirty bit cancelled (buffers cleaned by hand or by discard_buffer leave a clean page).
 */
export function tryToFreeBuffers(ctx: ModelCtx, page: Page): boolean {
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in try_to_free_buffers', 'BUG_ON');
  if (page.writeback) return false;
  if (!page.buffers) ctx.bug('page_buffers() on a page without buffers in drop_buffers: BUG_ON(!PagePrivate(page))', 'page_buffers');
  const ring = page.bufferList();
  if (ring.some((bh) => bh.has('write_io_error'))) page.mappingError = true;
  const held = ring.find(busy);
  if (held) {
    ctx.event(`try_to_free_buffers: ${held.label} is busy (${held.has('dirty') ? 'dirty' : held.has('locked') ? 'locked' : 'referenced'}): the buffers stay`);
    return false;
  }
  page.buffers = null;
  ctx.event('try_to_free_buffers: every buffer idle, the buffer_heads detached and freed');
  cancelDirtyPage(ctx, page);
  return true;
}

/**
 * try_to_release_page(page, gfp_mask) (mm/filemap.c, 2.6.24-2.6.36): BUG_ON(!PageLocked); a page
 * under writeback is not released; the mapping's ->releasepage, else try_to_free_buffers.
 */
function tryToReleasePage(ctx: ModelCtx, page: Page, gfp: Value): Value {
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in try_to_release_page', 'BUG_ON');
  if (page.writeback) return ZERO;
  const aops = page.mapping.get('a_ops');
  const ops = aops && aops.k !== 'int' && aops.k !== 'unk' ? ctx.objOf(aops) : null;
  const rp = ops?.get('releasepage');
  if (rp && rp.k === 'fn') return ctx.callValue(rp, [{ k: 'obj', o: page }, gfp], 'try_to_release_page');
  return int(tryToFreeBuffers(ctx, page));
}

/** discard_buffer() (fs/buffer.c, 2.6.27-2.6.36): dirty, mapped, req, new, delay, unwritten cleared; b_bdev NULL. */
function discardBuffer(bh: BufferHead): void {
  for (const f of ['dirty', 'mapped', 'req', 'new', 'delay', 'unwritten'] as const) bh.flags.delete(f);
  bh.set('b_bdev', ZERO);
}

function offsetOf(ctx: ModelCtx, v: Value | undefined): bigint | null {
  return v ? ctx.intOf(v) : null;
}

/** The buffers wholly at or after `offset` (curr_off >= offset), each passed to `fn`; an unknown offset forks per buffer. */
function forEachFrom(ctx: ModelCtx, page: Page, offset: bigint | null, fn: (bh: BufferHead) => void): BufferHead[] {
  const out: BufferHead[] = [];
  let curr = 0n;
  for (const bh of page.bufferList()) {
    const past = offset !== null ? offset <= curr : ctx.choose([`${bh.label} at or after the offset`, `${bh.label} before the offset`], 'invalidate offset') === 0;
    if (past) {
      fn(bh);
      out.push(bh);
    }
    curr += BigInt(bh.size);
  }
  return out;
}

/**
 * block_invalidatepage(page, offset) (fs/buffer.c, 2.6.24-2.6.36): BUG_ON(!PageLocked); each
 * buffer wholly at or after `offset` discarded; with offset 0 the buffers are released
 * (try_to_release_page(page, 0)).
 */
function blockInvalidatepage(ctx: ModelCtx, a: Value[]): Value {
  const page = pageArg(ctx, a[0]);
  if (!page.locked) ctx.bug('BUG_ON(!PageLocked(page)) in block_invalidatepage', 'BUG_ON');
  if (!page.buffers) return ZERO;
  const offset = offsetOf(ctx, a[1]);
  const from = forEachFrom(ctx, page, offset, discardBuffer);
  ctx.event(`block_invalidatepage(page, ${show(a[1] ?? ZERO)}): ${from.length ? `${from.map((b) => b.label).join(', ')} discarded (dirty, mapped, delay... cleared)` : 'no buffer wholly past the offset'}`);
  if (offset === 0n) tryToReleasePage(ctx, page, ZERO);
  return ZERO;
}

/**
 * journal_unmap_buffer() of fs/jbd2/transaction.c and fs/jbd/transaction.c (2.6.24-2.6.36). A
 * buffer the journal does not know is zapped. A journal buffer is on no transaction, on the
 * running one (disposed, then zapped) or on the committing one (BH_Freed set and left to the
 * commit, which still owns it: not zapped, may_free 0): the scenario does not know which, so each
 * is a path. Zapping clears dirty, J_ASSERT_BH(!buffer_jbddirty), clears mapped, req, new; b_bdev NULL.
 */
function journalUnmapBuffer(ctx: ModelCtx, bh: BufferHead): boolean {
  let mayFree = true;
  if (bh.has('jbd')) {
    const where = ctx.choose([`${bh.label} on no transaction`, `${bh.label} on the running transaction`, `${bh.label} on the committing transaction`], 'journal_unmap_buffer');
    if (where === 2) {
      bh.flags.add('freed');
      ctx.event(`journal_unmap_buffer: ${bh.label} belongs to the committing transaction: BH_Freed set, left to the commit`);
      return false;
    }
    if (where === 1) {
      // __dispose_buffer(): off the running transaction; the journal head may stay (may_free 0).
      mayFree = !bh.has('jbddirty');
      bh.flags.delete('jbddirty');
    }
  }
  bh.flags.delete('dirty');
  if (bh.has('jbddirty')) ctx.bug(`J_ASSERT_BH(bh, !buffer_jbddirty(bh)) in journal_unmap_buffer: ${bh.label} is still journal-dirty`, 'J_ASSERT_BH');
  for (const f of ['mapped', 'req', 'new'] as const) bh.flags.delete(f);
  bh.set('b_bdev', ZERO);
  return mayFree;
}

/**
 * jbd2_journal_invalidatepage(journal, page, offset) / journal_invalidatepage (2.6.24-2.6.36):
 * `if (!PageLocked(page)) BUG();`; each buffer wholly past the offset through journal_unmap_buffer
 * (under lock_buffer); with offset 0 and every buffer freeable, try_to_free_buffers and
 * J_ASSERT(!page_has_buffers(page)).
 */
function journalInvalidatepage(ctx: ModelCtx, a: Value[]): Value {
  const page = pageArg(ctx, a[1]);
  if (!page.locked) ctx.bug(`${ctx.name}: if (!PageLocked(page)) BUG()`, 'BUG');
  if (!page.buffers) return ZERO;
  const offset = offsetOf(ctx, a[2]);
  let mayFree = true;
  const from = forEachFrom(ctx, page, offset, (bh) => {
    mayFree = journalUnmapBuffer(ctx, bh) && mayFree;
  });
  ctx.event(`${ctx.name}(page, ${show(a[2] ?? ZERO)}): ${from.length ? `${from.map((b) => b.label).join(', ')} unmapped from the journal (dirty, mapped, req, new cleared)` : 'no buffer wholly past the offset'}`);
  if (offset === 0n && mayFree && tryToFreeBuffers(ctx, page) && page.buffers) ctx.bug('J_ASSERT(!page_has_buffers(page))', 'J_ASSERT');
  return ZERO;
}

/**
 * jbd2_journal_try_to_free_buffers(journal, page, gfp_mask) / journal_try_to_free_buffers
 * (2.6.24-2.6.36): J_ASSERT(PageLocked(page)); page_buffers(); a journal buffer that is locked or
 * dirty, or still on a transaction, stays (busy: 0); one only on a checkpoint list, written back,
 * is removed from it. Then try_to_free_buffers. From 2.6.26 (530576bbf37, 3f31fddfa26) to 2.6.30
 * (reverted by 536fc240e71, 6f3f1cb21f0), when that fails and gfp_mask has __GFP_WAIT and
 * __GFP_FS, it waits for the committing transaction (log_wait_commit) and tries again. That wait
 * does not wait on a handle the task holds: the commit sets j_committing_transaction only after
 * the transaction's t_updates fell to 0 (commit.c), so a handle still held is on the running
 * transaction; the wait is a trace step, not a finding.
 */
function journalTryToFreeBuffers(ctx: ModelCtx, a: Value[]): Value {
  const page = pageArg(ctx, a[1]);
  if (!page.locked) ctx.bug(`J_ASSERT(PageLocked(page)) in ${ctx.name}`, 'J_ASSERT');
  if (!page.buffers) ctx.bug(`page_buffers() on a page without buffers in ${ctx.name}: BUG_ON(!PagePrivate(page))`, 'page_buffers');
  for (const bh of page.bufferList()) {
    if (!bh.has('jbd')) continue;
    if (bh.has('locked') || bh.has('dirty') || bh.has('jbddirty')) {
      ctx.event(`${ctx.name}: ${bh.label} is still the journal's (busy): nothing freed`);
      return ZERO;
    }
    const onTransaction = ctx.choose([`${bh.label} only on a checkpoint list, written back`, `${bh.label} still on a transaction`], ctx.name) === 1;
    if (onTransaction) {
      ctx.event(`${ctx.name}: ${bh.label} is still on a transaction (busy): nothing freed`);
      return ZERO;
    }
    bh.flags.delete('jbd');
  }
  if (tryToFreeBuffers(ctx, page)) return int(1);
  const gfp = a[2] ? ctx.intOf(a[2]) : null;
  // Without the wait (an unknown mask, or one without both bits) the retry frees no more: nothing to explore.
  if (gfp === null || (gfp & __GFP_WAIT) === 0n || (gfp & __GFP_FS) === 0n) return ZERO;
  ctx.event(`${ctx.name}: the buffers stay and the mask has __GFP_WAIT|__GFP_FS: 2.6.26-2.6.30 wait here for the committing transaction (not on a handle this task holds) and try again`);
  return int(tryToFreeBuffers(ctx, page));
}

export const pageReleaseModels: [string, ModelSpec][] = [
  ['block_invalidatepage', { fn: blockInvalidatepage, doc: 'discards the buffers wholly past the offset (dirty, mapped, delay... cleared); offset 0 releases them' }],
  ['try_to_free_buffers', { fn: (c, a) => int(tryToFreeBuffers(c, pageArg(c, a[0]))), doc: "frees the page's buffers unless one is dirty, locked or referenced; cancels PG_dirty" }],
  ['try_to_release_page', { fn: (c, a) => tryToReleasePage(c, pageArg(c, a[0]), a[1] ?? ZERO), doc: "the mapping's ->releasepage, else try_to_free_buffers; 0 under writeback" }],
  ['cancel_dirty_page', { fn: (c, a) => (cancelDirtyPage(c, pageArg(c, a[0])), ZERO), doc: 'clears PG_dirty without writing' }],
  ['jbd2_journal_invalidatepage', { fn: journalInvalidatepage, doc: 'BUG unless the page is locked; unmaps the buffers past the offset from the journal; offset 0 frees them' }],
  ['journal_invalidatepage', { fn: journalInvalidatepage, doc: 'BUG unless the page is locked; unmaps the buffers past the offset from the journal; offset 0 frees them' }],
  ['jbd2_journal_try_to_free_buffers', { fn: journalTryToFreeBuffers, doc: 'frees the buffers the journal no longer needs (0 while one is busy)' }],
  ['journal_try_to_free_buffers', { fn: journalTryToFreeBuffers, doc: 'frees the buffers the journal no longer needs (0 while one is busy)' }],
];
