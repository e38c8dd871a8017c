// Whether a finding reached on several paths rests on a guess: each producing path's guesses as
// question → answer, merged where paths took opposite ways on one guessed branch (run.ts folds).
import type { RawFinding } from '../checks/types';
import type { World } from '../interp/world';

/** A path's guesses as question → answer: a branch's unknown and the way taken; any other guess is its own question with one answer. */
export function questionsOf(world: World, raw: RawFinding): Map<string, string> {
  const q = new Map<string, string>();
  for (const g of world.guesses.slice(0, raw.guesses)) {
    if (g.branch) q.set(`b:${g.branch.key}`, g.branch.taken ? 'T' : 'F');
    else q.set(`g:${g.name}|${g.assumed}`, '=');
  }
  return q;
}

/**
 * Whether the finding holds whatever the guesses: the producing paths' guess sets, merged two at a
 * time where they took opposite ways on one branch and agree on everything else (x ∧ A, ¬x ∧ A → A),
 * reach the empty set. A guess with one answer (an unmodelled call left the page as it was) never
 * merges: a finding that needs it stays latent.
 */
export function guessFree(sets: Map<string, string>[]): boolean {
  const keyOf = (m: Map<string, string>): string => [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('\n');
  const seen = new Map<string, Map<string, string>>();
  for (const m of sets) seen.set(keyOf(m), m);
  let frontier = [...seen.values()];
  for (let round = 0; round < 64 && frontier.length; round++) {
    if ([...seen.values()].some((m) => m.size === 0)) return true;
    const all = [...seen.values()];
    const next: Map<string, string>[] = [];
    for (const a of frontier) {
      for (const b of all) {
        if (a === b || a.size !== b.size || seen.size > 4096) continue;
        let diff: string | null = null;
        let ok = true;
        for (const [k, v] of a) {
          const w = b.get(k);
          if (w === v) continue;
          if (w === undefined || diff !== null || v === '=' || w === '=') { ok = false; break; }
          diff = k;
        }
        if (!ok || diff === null) continue;
        const merged = new Map(a);
        merged.delete(diff);
        const k = keyOf(merged);
        if (!seen.has(k)) {
          seen.set(k, merged);
          next.push(merged);
        }
      }
    }
    frontier = next;
  }
  return [...seen.values()].some((m) => m.size === 0);
}
