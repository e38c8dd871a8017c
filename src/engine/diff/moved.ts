// Identity that survives moving code: a function that disappears while another with a similar
// body appears keeps its findings ("moved from F"), instead of one fixed and one introduced.
import type { DiffResult, FindingChange, FunctionInfo, ScenarioResult } from '../api/types';

/** Dice coefficient of two multisets of normalised body lines must reach this. */
export const MOVED_SIMILARITY = 0.6;

function bodyLines(text: string[], f: FunctionInfo): string[] {
  const name = new RegExp(`\\b${f.name}\\b`, 'g');
  return text
    .slice(f.line - 1, f.endLine)
    .map((l) => l.replace(name, '\u0000').replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '' && l !== '{' && l !== '}');
}

export function similarity(a: string[], b: string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const count = new Map<string, number>();
  for (const l of a) count.set(l, (count.get(l) ?? 0) + 1);
  let common = 0;
  for (const l of b) {
    const n = count.get(l) ?? 0;
    if (n > 0) {
      common++;
      count.set(l, n - 1);
    }
  }
  return (2 * common) / (a.length + b.length);
}

/** Functions of pre that post lacks, paired with the most similar function new in post. */
export function movedFunctions(pre: ScenarioResult, post: ScenarioResult, preText: string, postText: string): Map<string, string> {
  const postNames = new Set(post.functions.map((f) => f.name));
  const preNames = new Set(pre.functions.map((f) => f.name));
  const gone = pre.functions.filter((f) => !postNames.has(f.name));
  const fresh = post.functions.filter((f) => !preNames.has(f.name));
  const out = new Map<string, string>();
  if (gone.length === 0 || fresh.length === 0) return out;
  const a = preText.split('\n');
  const b = postText.split('\n');
  const freshLines = fresh.map((f) => ({ f, lines: bodyLines(b, f) }));
  const taken = new Set<string>();
  const pairs: { from: string; to: string; s: number }[] = [];
  for (const g of gone) {
    const gl = bodyLines(a, g);
    for (const { f, lines } of freshLines) pairs.push({ from: g.name, to: f.name, s: similarity(gl, lines) });
  }
  pairs.sort((x, y) => y.s - x.s);
  for (const p of pairs) {
    if (p.s < MOVED_SIMILARITY) break;
    if (out.has(p.from) || taken.has(p.to)) continue;
    out.set(p.from, p.to);
    taken.add(p.to);
  }
  return out;
}

function runKey(c: FindingChange): string {
  return `${c.aops}|${c.caller}|${c.page}|${c.rule}|${c.anchor}`;
}

/**
 * Pairs each fixed finding in a moved function with the introduced finding of the same run, rule
 * and anchor in the function it moved to; the pair becomes one unchanged change with `movedFrom`.
 */
export function matchMoved(diff: DiffResult, preText: string, postText: string): DiffResult {
  const moved = movedFunctions(diff.pre, diff.post, preText, postText);
  if (moved.size === 0) return diff;
  const introduced = new Map<string, FindingChange>();
  for (const c of diff.changes) if (c.status === 'introduced') introduced.set(`${c.function}|${runKey(c)}`, c);
  const consumed = new Set<FindingChange>();
  const changes: FindingChange[] = [];
  for (const c of diff.changes) {
    if (consumed.has(c)) continue;
    const to = c.status === 'fixed' ? moved.get(c.function) : undefined;
    const partner = to ? introduced.get(`${to}|${runKey(c)}`) : undefined;
    if (partner && !consumed.has(partner)) {
      consumed.add(partner);
      changes.push({ ...partner, status: 'unchanged', preLine: c.preLine, movedFrom: c.function });
    } else changes.push(c);
  }
  return { ...diff, changes: changes.filter((c) => !consumed.has(c)) };
}
