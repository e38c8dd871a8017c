// Differential verdicts: each finding of each run (aops, caller, page state) is fixed,
// introduced or unchanged, matched by function, rule and responsible call, not by line.
import type { DiffResult, FindingChange, RunResult, ScenarioResult } from '../api/types';
import { matchMoved } from './moved';

function runKey(r: RunResult): string {
  return `${r.aops}|${r.caller}|${r.page}`;
}

/**
 * With the two texts, a function that the change moves (removes, and adds a similar body under
 * another name) keeps its findings' identity: they are unchanged with `movedFrom`.
 */
export function compareResults(pre: ScenarioResult, post: ScenarioResult, texts?: { pre: string; post: string }): DiffResult {
  const changes: FindingChange[] = [];
  const postRuns = new Map(post.runs.map((r) => [runKey(r), r]));
  const preRuns = new Map(pre.runs.map((r) => [runKey(r), r]));
  const keys = new Set([...preRuns.keys(), ...postRuns.keys()]);
  for (const key of keys) {
    const a = preRuns.get(key);
    const b = postRuns.get(key);
    const base = (a ?? b) as RunResult;
    const id = (f: { rule: string; function: string; anchor: string }): string => `${f.rule}|${f.function}|${f.anchor}`;
    const after = new Map((b?.findings ?? []).map((f) => [id(f), f]));
    const before = new Map((a?.findings ?? []).map((f) => [id(f), f]));
    for (const [k, f] of before) {
      const g = after.get(k);
      changes.push({
        status: g ? 'unchanged' : 'fixed',
        rule: f.rule,
        severity: g ? g.severity : f.severity,
        aops: base.aops,
        entry: base.entry,
        caller: base.caller,
        page: base.page,
        function: f.function,
        anchor: f.anchor,
        message: (g ?? f).message,
        preLine: f.line,
        postLine: g ? g.line : null,
      });
    }
    for (const [k, g] of after) {
      if (before.has(k)) continue;
      changes.push({ status: 'introduced', rule: g.rule, severity: g.severity, aops: base.aops, entry: base.entry, caller: base.caller, page: base.page, function: g.function, anchor: g.anchor, message: g.message, preLine: null, postLine: g.line });
    }
  }
  pairRenamedCalls(changes);
  const order = { introduced: 0, fixed: 1, unchanged: 2 };
  changes.sort((x, y) => order[x.status] - order[y.status] || x.aops.localeCompare(y.aops) || x.caller.localeCompare(y.caller) || x.page.localeCompare(y.page) || x.rule.localeCompare(y.rule));
  const diff = { pre, post, changes };
  return texts ? matchMoved(diff, texts.pre, texts.post) : diff;
}

/**
 * A finding of a run that the change removes and another of the same run, rule and function that
 * it adds, each the only one so, whose responsible calls differ only by the callee's name (the
 * change renamed the call, `__grab_cache_page` → `grab_cache_page_write_begin`): one finding, kept
 * unchanged with `anchorFrom`, not a fix and a new bug in the same commit.
 */
function pairRenamedCalls(changes: FindingChange[]): void {
  const group = (c: FindingChange): string => `${c.aops}|${c.caller}|${c.page}|${c.rule}|${c.function}`;
  const ordinal = (anchor: string): string => anchor.slice(anchor.lastIndexOf('#'));
  const count = (status: FindingChange['status']): Map<string, FindingChange[]> => {
    const m = new Map<string, FindingChange[]>();
    for (const c of changes) if (c.status === status) m.set(group(c), [...(m.get(group(c)) ?? []), c]);
    return m;
  };
  const fixed = count('fixed');
  const introduced = count('introduced');
  for (const [g, [f, ...moreFixed]] of fixed) {
    const added = introduced.get(g);
    if (moreFixed.length || !added || added.length !== 1) continue;
    const n = added[0];
    if (ordinal(f.anchor) !== ordinal(n.anchor) || !f.anchor.includes('#') || f.anchor === n.anchor) continue;
    Object.assign(n, { status: 'unchanged', preLine: f.preLine, anchorFrom: f.anchor });
    changes.splice(changes.indexOf(f), 1);
  }
}
