// writeback-no-progress: a ->writepage that redirties the page on every path, under every caller
// that runs it, for one page state, submitting nothing, with no guess and no injected failure:
// nothing differs between two attempts, so writeback of that page never progresses. Unlike the
// other rules it reads a table's runs together (one page state, all its writepage callers);
// tables with a ->writepages of their own and delalloc tables are left out (the kernel reaches
// their ->writepage through a ->writepages that may map the blocks first; the engine runs
// ->writepage directly).
import type { Finding } from '../api/types';
import type { PathEvent } from '../interp/events';
import type { World } from '../interp/world';

/** One run's verdict: every path redirtied without I/O, deterministically (the redirty of the first path). */
export interface Stall {
  aops: string;
  caller: string;
  page: string;
  /** The finding as the run would report it (anchor, trace to the first path's redirty). */
  finding: Finding;
}

/**
 * The path's redirty when the path is a stall (redirtied, no write I/O, no guess, no injected
 * failure), else null. The page state's premise is not a guess of the path: a state that needs one
 * still stalls (the finding is a warning already).
 */
export function stallStep(world: World, outcome: string): PathEvent | null {
  if (outcome !== 'redirtied' || world.guesses.some((g) => !g.premise) || world.injected.length > 0) return null;
  if (world.events.some((e) => e.kind === 'io-submit' && e.rw === 'write')) return null;
  // The writepage's own redirty: the last one (an mmap-dirtied page's ->set_page_dirty ran first).
  return [...world.events].reverse().find((e) => e.kind === 'redirty') ?? null;
}

/** Findings by run key (`aops|caller|page`): when every writepage caller run of a table's page state stalled. */
export function noProgressFindings(stalls: Stall[], callersOf: (aops: string, page: string) => string[], skip: (aops: string) => boolean): Map<string, Finding> {
  const out = new Map<string, Finding>();
  const groups = new Map<string, Stall[]>();
  for (const s of stalls) {
    const k = `${s.aops}|${s.page}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  for (const [k, list] of groups) {
    const [aops, page] = k.split('|');
    if (skip(aops)) continue;
    const callers = callersOf(aops, page);
    if (callers.length === 0 || !callers.every((c) => list.some((s) => s.caller === c))) continue;
    for (const s of list) {
      const message = `${s.finding.message} under every caller that runs it on this page (${callers.join(', ')}), with no guess and no injected failure: nothing changes between attempts, so writeback of this page never progresses (the table has no ->writepages that could allocate first)`;
      out.set(`${aops}|${s.caller}|${page}`, { ...s.finding, message });
    }
  }
  return out;
}
