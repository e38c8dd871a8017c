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
    for (const s of sites) {
      if (s.function !== f) continue;
      if (visit?.(s)) return { stoppedAt: s, reached };
      const next = s.passed ?? s.callee;
      if (unit.functions.has(next)) stack.push(next);
    }
  }
  return { reached };
}
