// Journal handles and credits, as jbd2 (ext4, 2.6.2x) and jbd (ext3) implement them:
// current handle (current->journal_info), nested start (same handle, refcount +1, no new
// credits), stop, and credits charged once per metadata buffer per transaction (jh->b_modified;
// fs/jbd2/transaction.c jbd2_journal_get_write_access/dirty_metadata), each handle owned by the
// operation that reserved its credits. Emits events; the rules decide what is a finding.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { PathEnd } from '../interp/modelApi';
import { ERRNO, int, obj, show, type Value, ZERO } from '../interp/values';
import { handleView } from '../interp/world';
import { creditAssertionSite } from './journalLayer';
import { BufferHead, Handle } from './objects';

/**
 * Charges the running transaction for dirtying `buffers` (metadata buffer keys) under `handle`:
 * one credit per buffer new to the transaction. jbd2's J_ASSERT(handle->h_buffer_credits > 0)
 * fires when a new buffer finds none left (kernel BUG). An unknown credit count never runs out.
 */
export function chargeBuffers(ctx: ModelCtx, handle: Handle, buffers: string[], what: string): void {
  const w = ctx.world;
  const fresh = buffers.filter((b) => !w.journalled.has(b));
  if (fresh.length === 0) {
    ctx.event(`${what}: already part of the running transaction, no new credit`);
    return;
  }
  const before = handleView(handle)!;
  const exhausted = handle.credits !== null && handle.credits < fresh.length;
  ctx.emit(
    { kind: 'credit-spend', api: ctx.name, what, needed: fresh.length, handle: before, exhausted },
    `${what}: ${fresh.length} buffer${fresh.length === 1 ? '' : 's'} new to the transaction (${fresh.join(', ')}), ${handle.credits === null ? 'unknown number of' : handle.credits} credit${handle.credits === 1 ? '' : 's'} left on the handle of ${handle.owner}`,
  );
  if (exhausted) {
    handle.credits = 0;
    ctx.event(`J_ASSERT(handle->h_buffer_credits > 0) fires in ${creditAssertionSite(ctx.name)}`);
    throw new PathEnd('bug', `journal credits exhausted in ${what}`);
  }
  for (const b of fresh) w.journalled.add(b);
  if (handle.credits !== null) handle.credits -= fresh.length;
}

function handleArg(v: Value | undefined): Handle | null {
  return v && v.k === 'obj' && v.o instanceof Handle ? v.o : null;
}

function currentHandle(ctx: ModelCtx): Value {
  return obj(ctx.world.handle);
}

/**
 * A journal start: `creditArg` is the index of the credit count in the call. `owner` names who
 * starts it when a model starts it inside itself (reiserfs_get_block), else the calling function.
 */
export function journalStart(ctx: ModelCtx, args: Value[], creditArg: number | 'last', owner?: string): Value {
  const w = ctx.world;
  const nv = creditArg === 'last' ? args[args.length - 1] : args[creditArg];
  const requested = nv && nv.k === 'int' ? Number(nv.v) : null;
  const pageLocked = w.holdsPageLock();
  if (w.handle) {
    // Nested start: jbd2 returns the task's handle with its reference count raised, no new credits.
    w.handle.refcount++;
    ctx.emit(
      { kind: 'journal-start', api: ctx.name, pageLocked, nested: true, requested, requestedText: show(nv ?? ZERO), handle: handleView(w.handle) },
      `nested journal start: the task already holds the handle of ${w.handle.owner}; same handle returned (ref ${w.handle.refcount}), no new credits (${requested ?? show(nv ?? ZERO)} requested)`,
    );
    return obj(w.handle);
  }
  ctx.emit({ kind: 'journal-start', api: ctx.name, pageLocked, nested: false, requested, requestedText: show(nv ?? ZERO), handle: null }, `${ctx.name}: journal start${pageLocked ? ' while the task holds a page lock' : ''}`);
  // new_handle() allocates with GFP_NOFS (can fail: -ENOMEM); start_this_handle fails once the journal aborted.
  const pick = ctx.choose(['handle started', '-ENOMEM (handle allocation failed)', '-EROFS (journal aborted)'], ctx.name);
  if (pick === 1) return { k: 'err', errno: -ERRNO.ENOMEM };
  if (pick === 2) {
    w.fatalByDesign = 'the journal aborted (the file system stops writing by design)';
    return { k: 'err', errno: -ERRNO.EROFS };
  }
  const by = owner ?? ctx.site().function;
  const h = new Handle(by, requested, `${by}'s own updates`, false, true);
  w.handle = h;
  ctx.event(`journal handle started by ${by} with ${requested ?? 'an unknown number of'} credits${requested === null ? ` (credit count ${show(nv ?? ZERO)} could not be evaluated)` : ''}`);
  return obj(h);
}

export function journalStop(ctx: ModelCtx, args: Value[]): Value {
  const w = ctx.world;
  const h = handleArg(args[0]) ?? w.handle;
  if (!h) {
    ctx.event('journal stop with no handle (ignored)');
    return ZERO;
  }
  h.refcount--;
  const closed = h.refcount <= 0 && w.handle === h;
  if (closed) w.handle = null;
  ctx.emit({ kind: 'journal-stop', api: ctx.name, handle: handleView(h), closed }, closed ? `handle of ${h.owner} closed` : `handle of ${h.owner}: reference dropped (ref ${h.refcount})`);
  return ZERO;
}

/** Marks the page's data of a buffer as handed to the journal (journalled data, ordered data buffer). */
function dataToJournal(ctx: ModelCtx, bh: Value | undefined, clearDirty: boolean): void {
  const w = ctx.world;
  if (!bh || bh.k !== 'obj' || !(bh.o instanceof BufferHead)) return;
  const b = bh.o;
  if (b.page === w.page && b.lblk >= 0) {
    const blk = w.page.blocks.find((x) => x.lblk === b.lblk);
    if (blk) blk.submitted = true;
    // A journalled buffer's dirty bit becomes jbddirty: the journal owns its writeout.
    if (clearDirty) b.flags.delete('dirty');
  }
}

/** jbd2_journal_dirty_metadata(handle, bh): one credit if bh is new to the transaction. */
export function dirtyMetadata(ctx: ModelCtx, args: Value[], bhArg: number): Value {
  const hv = args[0];
  const h = handleArg(hv);
  if (!h) {
    if (hv && hv.k === 'int' && hv.v === 0n) ctx.bug(`${ctx.name} with a NULL journal handle`, 'NULL handle');
    return ZERO;
  }
  const bh = args[bhArg];
  // Numbered per path: a process-wide object id would make the text depend on earlier analyses.
  const key = bh && bh.k === 'obj' ? `bh#${ctx.world.serial(bh.o)}` : `bh:${ctx.site().loc.line}`;
  chargeBuffers(ctx, h, [key], ctx.name);
  // A data buffer journalled through the handle (data=journal) counts as written for that block.
  dataToJournal(ctx, bh, true);
  return ZERO;
}

/** journal_dirty_data(handle, bh) (jbd/jbd2 before inode-based ordering): the commit writes the buffer. */
function dirtyData(ctx: ModelCtx, args: Value[]): Value {
  if (args[0] && args[0].k === 'int' && args[0].v === 0n) ctx.bug(`${ctx.name} with a NULL journal handle`, 'NULL handle');
  dataToJournal(ctx, args[1], false);
  ctx.event(`${ctx.name}: data buffer filed on the transaction's ordered-data list (the commit writes it)`);
  return ZERO;
}

function writeAccess(ctx: ModelCtx, args: Value[]): Value {
  if (args[0] && args[0].k === 'int' && args[0].v === 0n) ctx.bug(`${ctx.name} with a NULL handle`, 'NULL handle');
  return ZERO;
}

/**
 * ext4_mark_inode_dirty / ext3_mark_inode_dirty (fs/ext4/inode.c 2.6.28–2.6.36, fs/ext3/inode.c
 * 2.6.24–2.6.36): ext*_reserve_inode_write reads the inode's table block (ext*_get_inode_loc, no
 * I/O error injected) and takes journal write access to it under the handle (a NULL handle there
 * dereferences NULL, as ext*_journal_get_write_access does), then ext*_mark_iloc_dirty copies the
 * in-memory inode into it (ext*_do_update_inode) and dirties it: the block is charged to the handle
 * once per transaction. ext4_expand_extra_isize (a journal extend when the inode's extra size is
 * below the volume's wish) is not followed.
 */
function markInodeDirty(ctx: ModelCtx, args: Value[]): Value {
  if (args[0] && args[0].k === 'int' && args[0].v === 0n) ctx.bug(`${ctx.name} with a NULL handle: ${ctx.name.replace('_mark_inode_dirty', '_journal_get_write_access')} dereferences it`, 'NULL handle');
  const h = handleArg(args[0]);
  if (h) chargeBuffers(ctx, h, ['inode table block'], `${ctx.name} (inode update)`);
  return ZERO;
}

/** Why the model stands in for the file's own: the scenario does not hold the inode table its body reads. */
const MARK_OVER_SOURCE = 'its body reads and rewrites the on-disk inode in the inode table (ext*_get_inode_loc, ext*_do_update_inode), which the scenario does not hold';

function extend(ctx: ModelCtx, args: Value[]): Value {
  const h = handleArg(args[0]) ?? ctx.world.handle;
  const n = args[1] && args[1].k === 'int' ? Number(args[1].v) : null;
  if (h && ctx.choose(['extended', 'no room: must restart'], ctx.name) === 0) {
    if (h.credits !== null) h.credits = n === null ? null : h.credits + n;
    return ZERO;
  }
  return int(1);
}

const start = (creditArg: number | 'last'): ModelSpec => ({ fn: (c, a) => journalStart(c, a, creditArg), doc: 'opens a handle with the given credits; nested: same handle, no new credits; may fail (-ENOMEM, aborted journal)' });

export const journalModels: [string, ModelSpec][] = [
  ['ext4_journal_current_handle', { fn: currentHandle, doc: 'the handle the current task holds (current->journal_info), or NULL' }],
  ['ext3_journal_current_handle', { fn: currentHandle, doc: 'the handle the current task holds (current->journal_info), or NULL' }],
  ['journal_current_handle', { fn: currentHandle }],
  ['jbd2_journal_current_handle', { fn: currentHandle }],
  // (inode, nblocks) until 3.4; (inode, type, nblocks) after: the count is the last argument.
  ['ext4_journal_start', start('last')],
  ['ext4_journal_start_sb', start('last')],
  // (inode, type, blocks, rsv_blocks): `blocks` are the handle's credits; rsv is a reserved handle.
  ['ext4_journal_start_with_reserve', start(2)],
  ['ext3_journal_start', start(1)],
  ['ext3_journal_start_sb', start(1)],
  ['jbd2_journal_start', start(1)],
  ['journal_start', start(1)],
  ['ext4_journal_stop', { fn: journalStop, doc: 'drops one reference; the last closes the handle' }],
  ['ext3_journal_stop', { fn: journalStop, doc: 'drops one reference; the last closes the handle' }],
  ['jbd2_journal_stop', { fn: journalStop }],
  ['journal_stop', { fn: journalStop }],
  ['ext4_journal_get_write_access', { fn: writeAccess }],
  ['ext3_journal_get_write_access', { fn: writeAccess }],
  ['jbd2_journal_get_write_access', { fn: writeAccess }],
  ['journal_get_write_access', { fn: writeAccess }],
  ['ext4_journal_get_create_access', { fn: writeAccess }],
  ['ext3_journal_get_create_access', { fn: writeAccess }],
  ['ext4_journal_dirty_metadata', { fn: (c, a) => dirtyMetadata(c, a, 1), doc: 'journals a metadata buffer: one credit if new to the transaction' }],
  ['ext3_journal_dirty_metadata', { fn: (c, a) => dirtyMetadata(c, a, 1), doc: 'journals a metadata buffer: one credit if new to the transaction' }],
  ['jbd2_journal_dirty_metadata', { fn: (c, a) => dirtyMetadata(c, a, 1) }],
  ['journal_dirty_metadata', { fn: (c, a) => dirtyMetadata(c, a, 1) }],
  ['ext4_handle_dirty_metadata', { fn: (c, a) => dirtyMetadata(c, a, 2) }],
  ['ext4_journal_dirty_data', { fn: dirtyData, doc: "files a data buffer on the transaction's ordered-data list" }],
  ['ext3_journal_dirty_data', { fn: dirtyData, doc: "files a data buffer on the transaction's ordered-data list" }],
  ['jbd2_journal_dirty_data', { fn: dirtyData }],
  ['journal_dirty_data', { fn: dirtyData }],
  ['ext4_jbd2_file_inode', { fn: () => ZERO, doc: 'adds the inode to the ordered-data list of the transaction (the commit writes its pages)' }],
  ['jbd2_journal_file_inode', { fn: () => ZERO, doc: 'adds the inode to the ordered-data list of the transaction (the commit writes its pages)' }],
  ['ext4_mark_inode_dirty', { fn: markInodeDirty, preferOverSource: MARK_OVER_SOURCE, doc: "journals the inode's table block: one credit if new to the transaction" }],
  ['ext3_mark_inode_dirty', { fn: markInodeDirty, preferOverSource: MARK_OVER_SOURCE, doc: "journals the inode's table block: one credit if new to the transaction" }],
  ['ext4_handle_valid', { fn: (_c, a) => int(!!a[0] && a[0].k === 'obj') }],
  ['ext4_journal_extend', { fn: extend }],
  ['ext3_journal_extend', { fn: extend }],
  ['jbd2_journal_extend', { fn: extend }],
  ['journal_extend', { fn: extend }],
];

/** Names of the journal-start models of this file (a file calling none has no journal). */
export const JOURNAL_START_NAMES = journalModels.filter(([, m]) => m.doc?.startsWith('opens a handle')).map(([n]) => n);

/** Calls that hand an inode to the journal for ordered writeout (the commit then calls ->writepage). */
export const INODE_ORDERED_DATA = ['ext4_jbd2_file_inode', 'jbd2_journal_file_inode'];
/** Calls that journal ordered data buffer by buffer (the commit submits them itself). */
export const BUFFER_ORDERED_DATA = ['ext4_journal_dirty_data', 'ext3_journal_dirty_data', 'jbd2_journal_dirty_data', 'journal_dirty_data'];
