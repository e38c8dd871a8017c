// Whether the table's writepage paths can use the handle the task already holds: its ->writepage,
// the functions it calls and the get_block callbacks it passes call `*journal_current_handle()`
// (current->journal_info). Then direct reclaim entering ->writepage in a task that holds a handle
// makes the writeback use that foreign handle (the seed's case); otherwise it starts its own.
import type { Fact } from '../api/types';
import type { TranslationUnit } from '../ir/ir';
import type { CallSite } from '../discovery';
import { sitesIn, walkCalls } from './reach';

const CURRENT_HANDLE = /(^|_)journal_current_handle$/;

export function currentHandleOf(unit: TranslationUnit, writepage: string | null, sites: CallSite[]): Fact<boolean> {
  if (!writepage || !unit.functions.has(writepage)) return { value: false, line: null, why: 'the table has no ->writepage in this file' };
  const { stoppedAt: s } = walkCalls(unit, [writepage], sites, (x) => x.argIndex === -1 && CURRENT_HANDLE.test(x.callee));
  if (s) return { value: true, line: s.line, why: `${s.function === writepage ? s.function : `${s.function} (reached from ${writepage})`} calls ${s.callee}() at line ${s.line}: a handle the task holds is used by writeback` };
  return { value: false, line: null, why: `no function reached from ${writepage} calls *journal_current_handle(): writeback starts its own handle` };
}

/** Functions of the file that take a `handle_t *` and reach a page/slab allocation, with the function calling each. */
export function handleHelpersOf(unit: TranslationUnit, sites: CallSite[], allocating: ReadonlySet<string>, members: ReadonlySet<string>): { name: string; caller: string | null }[] {
  const reaches = new Map<string, boolean>();
  const visit = (f: string, path: Set<string>): boolean => {
    const known = reaches.get(f);
    if (known !== undefined) return known;
    if (path.has(f)) return false;
    path.add(f);
    let r = false;
    for (const s of sitesIn(sites, f)) {
      if (s.argIndex !== -1) continue;
      if (allocating.has(s.callee) || (unit.functions.has(s.callee) && visit(s.callee, path))) {
        r = true;
        break;
      }
    }
    path.delete(f);
    reaches.set(f, r);
    return r;
  };
  const out: { name: string; caller: string | null }[] = [];
  for (const fn of unit.functions.values()) {
    if (members.has(fn.name)) continue;
    if (!fn.params.some((p) => /\bhandle_t\b/.test(p.type) && p.pointer)) continue;
    if (!visit(fn.name, new Set())) continue;
    const call = sites.find((s) => s.callee === fn.name && s.argIndex === -1);
    out.push({ name: fn.name, caller: call ? call.function : null });
  }
  return out;
}
