// The functions of the file reached from some roots, depth first through their call sites (a
// call, or a function of the file passed as an argument: a get_block callback), each visited
// once. Facts of a table are read along this walk.
import type { CallSite } from '../discovery';
import type { TranslationUnit } from '../ir/ir';

/**
 * Walks from `roots`; `visit` sees every call site of each function reached, in order, and stops
 * the walk by returning true. Returns the site it stopped at (if any) and the functions reached.
 */
export function walkCalls(unit: TranslationUnit, roots: readonly string[], sites: readonly CallSite[], visit?: (s: CallSite) => boolean): { stoppedAt?: CallSite; reached: Set<string> } {
  const reached = new Set<string>();
  const stack = roots.filter((r) => unit.functions.has(r));
  while (stack.length) {
    const f = stack.pop() as string;
    if (reached.has(f)) continue;
    reached.add(f);
    for (const s of sitesIn(sites, f)) {
      if (visit?.(s)) return { stoppedAt: s, reached };
      const next = s.passed ?? s.callee;
      if (unit.functions.has(next)) stack.push(next);
    }
  }
  return { reached };
}

/** The file's call sites grouped by the function they are in (each group in site order), once per sites list. */
const byFunctionOf = new WeakMap<readonly CallSite[], Map<string, CallSite[]>>();

/** The call sites in function `f`, in the order of `sites` (an index built once per list). */
export function sitesIn(sites: readonly CallSite[], f: string): readonly CallSite[] {
  let index = byFunctionOf.get(sites);
  if (!index) {
    index = new Map();
    for (const s of sites) {
      const list = index.get(s.function);
      if (list) list.push(s);
      else index.set(s.function, [s]);
    }
    byFunctionOf.set(sites, index);
  }
  return index.get(f) ?? [];
}
