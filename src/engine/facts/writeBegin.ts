// What a table's own ->write_begin (or, in older eras, ->prepare_write) shows when interpreted:
// whether it holds a journal handle when it allocates/locks its page (the lock order of the file,
// and whether direct reclaim at that allocation would re-enter ->writepage with a foreign handle).
import type { Fact, LockOrder } from '../api/types';
import type { FunctionDef, TranslationUnit } from '../ir/ir';
import { simulate } from '../interp/simulate';
import { type Cell, int, obj, type Value } from '../interp/values';
import type { World } from '../interp/world';
import { CALLERS, type ReclaimFacts } from '../scenarios/callers';
import { PAGE_STATES } from '../scenarios/pages';
import { buildWorld } from '../scenarios/setup';
import { JOURNAL_CALLS } from '../models';

/** Each lowered function's first journal call (walked once per definition: an incremental analysis keeps it). */
const journalCallOf = new WeakMap<FunctionDef, { name: string; line: number } | null>();

function firstJournalCallIn(fn: FunctionDef): { name: string; line: number } | null {
  const memo = journalCallOf.get(fn);
  if (memo !== undefined) return memo;
  let found: { name: string; line: number } | null = null;
  const walk = (n: unknown): void => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    const o = n as { kind?: string; callee?: { kind?: string; name?: string }; loc?: { line: number } };
    if (o.kind === 'call' && o.callee?.kind === 'ident' && o.callee.name && JOURNAL_CALLS.has(o.callee.name)) {
      found = { name: o.callee.name, line: o.loc?.line ?? 0 };
      return;
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object') walk(v);
  };
  walk(fn.body);
  journalCallOf.set(fn, found);
  return found;
}

/** The first call in the file that uses a journal (any function), or null: a file with none has no journal. */
export function firstJournalCall(unit: TranslationUnit): { name: string; line: number } | null {
  for (const fn of unit.functions.values()) {
    const found = firstJournalCallIn(fn);
    if (found) return found;
  }
  return null;
}

const DOMAIN_DEFAULT = CALLERS.find((c) => c.id === 'reclaim-in-write-begin')?.handle;

export interface WriteBeginFacts {
  reclaim: ReclaimFacts;
  lockOrder: Fact<LockOrder>;
}

interface Seen {
  grab: { handle: { owner: string; credits: number | null } | null; nofs: boolean; line: number } | null;
  /** A journal start while the task held a page lock, with its line. */
  startUnderPage: number | null;
  /** A journal start before any page was grabbed, with its line. */
  startBeforePage: number | null;
}

/** Arguments of write_begin(file, mapping, pos, len, flags, pagep, fsdata) or prepare_write(file, page, from, to). */
function argsFor(fn: FunctionDef, world: World, prepare: boolean, unknown: (why: string) => Value): Value[] {
  return fn.params.map((p) => {
    if (/address_space/.test(p.type)) return obj(world.inode.mapping);
    if (/\binode\b/.test(p.type) && p.pointer) return obj(world.inode);
    if (/loff_t/.test(p.type)) return int(Number(world.page.index) * 4096);
    if (p.name === 'len') return int(4096);
    if (p.name === 'from') return int(0);
    if (p.name === 'to') return int(4096);
    if (p.name === 'flags') return int(0);
    if (/\bpage\b/.test(p.type) && p.pointer) {
      // prepare_write gets the locked page; write_begin a `struct page **pagep` to fill in.
      if (prepare) return obj(world.page);
      const cell: Cell = { name: p.name, value: int(0) };
      return { k: 'ref', cell };
    }
    return unknown(p.name);
  });
}

function observe(unit: TranslationUnit, fn: FunctionDef, pageLockedByCaller: boolean, deadline: number, pageState = PAGE_STATES[0]): Seen[] {
  const seen: Seen[] = [];
  simulate(
    unit,
    fn,
    {
      world: () => {
        const w = buildWorld(pageState, null, { dataMode: 'ordered', options: new Set() }, 300);
        w.page.locked = pageLockedByCaller;
        return w;
      },
      args: (w, interp) => argsFor(fn, w, pageLockedByCaller, (why) => interp.unknown(why)),
    },
    { maxPaths: 12, deadline, stepsPerPath: 3000, callDepth: 12 },
    ({ world }) => {
      const s: Seen = { grab: null, startUnderPage: null, startBeforePage: null };
      for (const e of world.events) {
        if (e.kind === 'page-grab' && !s.grab) s.grab = { handle: e.handle ? { owner: e.handle.owner, credits: e.handle.initialCredits } : null, nofs: e.nofs, line: e.site.loc.line };
        if (e.kind === 'journal-start' && !e.nested) {
          if (e.pageLocked && s.startUnderPage === null) s.startUnderPage = e.site.loc.line;
          if (!e.pageLocked && s.startBeforePage === null) s.startBeforePage = e.site.loc.line;
        }
      }
      seen.push(s);
    },
  );
  return seen;
}

/**
 * The lock order, from a write over mapped blocks, else from a write into a hole: a file whose
 * write_begin starts its journal only when get_block must allocate (reiserfs: block_prepare_write
 * with reiserfs_get_block) shows its order on the hole.
 */
function observedOrder(unit: TranslationUnit, fn: FunctionDef, prepare: boolean, deadline: number, seen: Seen[]): Fact<LockOrder> {
  const order = lockOrderOf(fn.name, seen, prepare);
  const hole = PAGE_STATES.find((p) => p.id === 'hole-clean');
  if (order.value !== 'unknown' || !hole) return order;
  return lockOrderOf(fn.name, observe(unit, fn, prepare, deadline, hole), prepare);
}

function lockOrderOf(fnName: string, seen: Seen[], prepare: boolean): Fact<LockOrder> {
  for (const s of seen) {
    if (s.grab?.handle) return { value: 'journal-then-page', line: s.startBeforePage ?? s.grab.line, why: `${fnName} starts its journal handle (line ${s.startBeforePage ?? '?'}) before it grabs and locks the page (line ${s.grab.line})` };
    if (s.startUnderPage !== null) {
      const where = prepare ? `${fnName} is called with the page locked and starts its journal handle (line ${s.startUnderPage})` : `${fnName} grabs and locks the page (line ${s.grab?.line ?? '?'}) before it starts its journal handle (line ${s.startUnderPage})`;
      return { value: 'page-then-journal', line: s.startUnderPage, why: where };
    }
  }
  return { value: 'unknown', line: null, why: `${fnName} showed no journal start around its page allocation` };
}

/** Interprets the table's write_begin (else prepare_write) for the reclaim caller and the lock order. */
export function writeBeginFacts(unit: TranslationUnit, writeBegin: string | undefined, prepareWrite: string | undefined, deadline: number): WriteBeginFacts {
  const journal = firstJournalCall(unit);
  // The seed's default is ext4's (ext4_da_write_begin's 1-credit handle): assumed only in a file
  // whose journal calls are ext4's/jbd2's; another filesystem's file gets no guess borrowed from ext4.
  const ext4Like = journal !== null && /^(ext4_|jbd2_)/.test(journal.name);
  const fallback = (why: string): ReclaimFacts => journal === null ? { applicable: false, owner: '', credits: 0, fromSource: true, note: `${why}, and the file makes no journal call anywhere (no journal): no handle can be held at the page allocation` } : !ext4Like ? { applicable: false, owner: '', credits: 0, fromSource: true, note: `${why}; its journal calls are not ext4's (${journal.name}, line ${journal.line}), so the seed's default (a handle of ${DOMAIN_DEFAULT?.owner}) is not assumed` } : ({
    applicable: true,
    owner: DOMAIN_DEFAULT?.owner ?? 'write_begin',
    credits: DOMAIN_DEFAULT?.credits ?? 1,
    fromSource: false,
    note: `${why}: assumed, as in the 2008 seed, a handle of ${DOMAIN_DEFAULT?.owner} with ${DOMAIN_DEFAULT?.credits} credit held while the page is allocated`,
  });
  const wb = writeBegin ? unit.functions.get(writeBegin) : undefined;
  if (!wb) {
    const pw = prepareWrite ? unit.functions.get(prepareWrite) : undefined;
    const why = writeBegin ? `${writeBegin} is not defined in this file` : 'the table has no ->write_begin in this file';
    if (pw) {
      // ->prepare_write (2.6.2x and before): the caller grabbed and locked the page, so a handle
      // started here is started under the page lock, and reclaim ran before any handle existed.
      const lockOrder = observedOrder(unit, pw, true, deadline, observe(unit, pw, true, deadline));
      return { reclaim: { applicable: false, owner: '', credits: 0, fromSource: true, note: `${pw.name} (->prepare_write) runs after its caller allocated and locked the page: no handle is held at the allocation` }, lockOrder };
    }
    return { reclaim: fallback(why), lockOrder: { value: 'unknown', line: null, why: `${why}, nor a ->prepare_write` } };
  }
  const seen = observe(unit, wb, false, deadline);
  const lockOrder = observedOrder(unit, wb, false, deadline, seen);
  const risky = seen.find((g) => g.grab?.handle && !g.grab.nofs)?.grab;
  if (risky && risky.handle) {
    const c = risky.handle.credits;
    return {
      reclaim: { applicable: true, owner: risky.handle.owner, credits: c ?? 1, fromSource: true, note: `${wb.name} allocates its page (line ${risky.line}) while holding a handle of ${risky.handle.owner} with ${c === null ? 'an unknown number of' : c} credit${c === 1 ? '' : 's'}, and reclaim may write pages back` },
      lockOrder,
    };
  }
  const g = seen.find((s) => s.grab)?.grab;
  if (!g) return { reclaim: fallback(`no page allocation seen in ${wb.name}`), lockOrder };
  const why = g.handle ? `${wb.name} allocates its page with AOP_FLAG_NOFS while its handle is open (line ${g.line}): direct reclaim cannot re-enter the file system` : `${wb.name} allocates its page before starting its handle (line ${g.line})`;
  return { reclaim: { applicable: false, owner: '', credits: 0, fromSource: true, note: why }, lockOrder };
}
