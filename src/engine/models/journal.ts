// jbd2 handles as ext4 of 2008 used them: current handle, nested start (same handle, no new
// credits), stop, and credits, each owned by the operation that reserved them.
import { type ModelCtx, type ModelSpec, PathEnd } from '../interp/interpreter';
import { ERRNO, int, obj, show, type Value, ZERO } from '../interp/values';
import { BufferHead, Handle } from './objects';

/** Spends `n` credits of the current task's handle for `what`; reports theft and exhaustion. */
export function spendCredits(ctx: ModelCtx, handle: Handle, n: number, what: string): void {
  const w = ctx.world;
  if (!handle.paysForWriteback && !handle.startedInPath) {
    ctx.finding(
      'foreign-credits',
      'error',
      `${what} spends ${n} journal credit${n === 1 ? '' : 's'} of the handle ${handle.owner} started with ${handle.initialCredits} credit${handle.initialCredits === 1 ? '' : 's'} reserved for ${handle.purpose}; writepage must not use credits another operation reserved`,
    );
  }
  if (handle.credits < n) {
    const had = handle.credits;
    handle.credits = 0;
    ctx.finding(
      'credits-exhausted',
      'error',
      `${what} needs ${n} journal credits but the handle of ${handle.owner} has ${had} left: jbd2's J_ASSERT(handle->h_buffer_credits > 0) fires (kernel BUG)`,
    );
    throw new PathEnd('bug', `journal credits exhausted in ${what}`);
  }
  handle.credits -= n;
  w.spent.set(handle.owner, (w.spent.get(handle.owner) ?? 0) + n);
  ctx.event(`${what}: ${n} credit${n === 1 ? '' : 's'} spent from the handle of ${handle.owner}, ${handle.credits} left`);
}

function currentHandle(ctx: ModelCtx): Value {
  return obj(ctx.world.handle);
}

/** The credit count is the last argument: (inode, nblocks) until 3.4, (inode, type, nblocks) after. */
function journalStart(ctx: ModelCtx, args: Value[]): Value {
  const w = ctx.world;
  const nv = args[args.length - 1];
  const requested = nv && nv.k === 'int' ? Number(nv.v) : 8;
  if (w.handle) {
    // Nested start: jbd2 returns the task's handle with its reference count raised, no new credits.
    w.handle.refcount++;
    ctx.event(`nested journal start: the task already holds the handle of ${w.handle.owner}; same handle returned (ref ${w.handle.refcount}), no new credits (${requested} requested)`);
    return obj(w.handle);
  }
  if (w.page.locked) {
    ctx.finding(
      'journal-start-under-page-lock',
      'error',
      `${ctx.name} starts a journal handle while the page is locked: ext4 orders journal_start before lock_page, and the commit thread may be waiting on this page (deadlock)`,
    );
  }
  // jbd2 allocates handles with __GFP_NOFAIL; a start fails only when the journal has aborted.
  const pick = ctx.choose(['handle started', '-EROFS (journal aborted)'], ctx.name);
  if (pick === 1) {
    w.fatalByDesign = 'the journal aborted (the file system stops writing by design)';
    return { k: 'err', errno: -ERRNO.EROFS };
  }
  const site = ctx.site();
  const h = new Handle(site.function, requested, `${site.function}'s own updates`, false, true);
  w.handle = h;
  ctx.event(`journal handle started by ${site.function} with ${requested} credits${nv && nv.k !== 'int' ? ` (credit count ${show(nv)} unknown; assumed ${requested})` : ''}`);
  return obj(h);
}

function journalStop(ctx: ModelCtx, args: Value[]): Value {
  const w = ctx.world;
  const hv = args[0];
  const h = hv && hv.k === 'obj' && hv.o instanceof Handle ? hv.o : w.handle;
  if (!h) {
    ctx.event('journal stop with no handle (ignored)');
    return ZERO;
  }
  h.refcount--;
  if (h.refcount <= 0 && w.handle === h) {
    w.handle = null;
    ctx.event(`handle of ${h.owner} closed`);
  } else {
    ctx.event(`handle of ${h.owner}: reference dropped (ref ${h.refcount})`);
  }
  return ZERO;
}

/** Dirtying one metadata buffer under a handle costs one credit (jbd2_journal_dirty_metadata). */
function dirtyMetadata(ctx: ModelCtx, args: Value[], what: string, bhArg: number): Value {
  const w = ctx.world;
  const hv = args[0];
  const h = hv && hv.k === 'obj' && hv.o instanceof Handle ? hv.o : null;
  if (!h) {
    if (hv && hv.k === 'int' && hv.v === 0n) ctx.bug(`${what} with a NULL journal handle`);
    return ZERO;
  }
  spendCredits(ctx, h, 1, what);
  const bh = args[bhArg];
  if (bh && bh.k === 'obj' && bh.o.type === 'buffer_head') {
    // Data journalled through the handle counts as written for that block.
    const b = bh.o as BufferHead;
    if (b.page === w.page && b.lblk >= 0) {
      const blk = w.page.blocks.find((x) => x.lblk === b.lblk);
      if (blk) blk.submitted = true;
      b.flags.delete('dirty');
    }
  }
  return ZERO;
}

export const journalModels: [string, ModelSpec][] = [
  ['ext4_journal_current_handle', { fn: currentHandle, doc: 'the handle the current task holds (current->journal_info), or NULL' }],
  ['journal_current_handle', { fn: currentHandle }],
  ['jbd2_journal_current_handle', { fn: currentHandle }],
  ['ext4_journal_start', { fn: (c, a) => journalStart(c, a), doc: 'opens a handle with the given credits; nested: same handle, no new credits' }],
  ['ext4_journal_start_sb', { fn: (c, a) => journalStart(c, a) }],
  ['ext4_journal_start_with_reserve', { fn: (c, a) => journalStart(c, a) }],
  ['jbd2_journal_start', { fn: (c, a) => journalStart(c, a) }],
  ['ext4_journal_stop', { fn: journalStop, doc: 'drops one reference; the last closes the handle' }],
  ['jbd2_journal_stop', { fn: journalStop }],
  ['ext4_journal_get_write_access', { fn: (c, a) => (a[0] && a[0].k === 'int' && a[0].v === 0n ? c.bug('journal write access with a NULL handle') : ZERO) }],
  ['ext4_journal_get_create_access', { fn: () => ZERO }],
  ['ext4_journal_dirty_metadata', { fn: (c, a) => dirtyMetadata(c, a, 'ext4_journal_dirty_metadata', 1) }],
  ['ext4_handle_dirty_metadata', { fn: (c, a) => dirtyMetadata(c, a, 'ext4_handle_dirty_metadata', 2) }],
  ['ext4_journal_dirty_data', { fn: () => ZERO }],
  ['ext4_jbd2_file_inode', { fn: () => ZERO, doc: 'adds the inode to the ordered-data list of the transaction' }],
  [
    'ext4_mark_inode_dirty',
    {
      fn: (c, a) => {
        const hv = a[0];
        if (hv && hv.k === 'obj' && hv.o instanceof Handle) spendCredits(c, hv.o, 1, 'ext4_mark_inode_dirty (inode update)');
        return ZERO;
      },
      doc: 'journals the inode: one credit',
    },
  ],
  ['ext4_handle_valid', { fn: (_c, a) => int(!!a[0] && a[0].k === 'obj') }],
  ['ext4_journal_extend', { fn: (c, a) => {
    const h = c.world.handle;
    const n = a[1] && a[1].k === 'int' ? Number(a[1].v) : 0;
    if (h && c.choose(['extended', 'no room: must restart'], 'ext4_journal_extend') === 0) {
      h.credits += n;
      return ZERO;
    }
    return int(1);
  } }],
];
