// Which lines of a C file the editor annotates, and with what: block allocation or journal-credit
// use under the page lock, and reachable BUGs, each naming the scenarios that reach it.
// Plain data from a ScenarioResult; no `vscode` import (unit-tested under mocha).
import type { RuleId, ScenarioResult, Severity } from '../../engine/api/types';

/** Rules shown with the "under the page lock" icon. */
export const LOCK_RULES: readonly RuleId[] = ['alloc-under-page-lock', 'foreign-credits', 'credits-exhausted', 'journal-start-under-page-lock'];
/** Rules shown with the "BUG" icon. */
export const BUG_RULES: readonly RuleId[] = ['kernel-bug'];

const PHRASE: Partial<Record<RuleId, string>> = {
  'alloc-under-page-lock': 'allocates under page lock',
  'foreign-credits': 'spends foreign credits',
  'credits-exhausted': 'exhausts credits (J_ASSERT)',
  'journal-start-under-page-lock': 'journal_start under page lock',
  'kernel-bug': 'BUG reachable',
};

export type AnnotationKind = 'bug' | 'lock';

export interface LineAnnotation {
  /** 1-based line of the responsible call. */
  line: number;
  /** 'bug' when any kernel-bug finding is on the line, else 'lock'. */
  kind: AnnotationKind;
  severity: Severity;
  rules: RuleId[];
  /** "aops/caller/page", distinct, in result order. */
  scenarios: string[];
  /** End-of-line note. */
  note: string;
  /** Longer text for the hover: one line per rule and its message. */
  detail: string[];
}

const MAX_SCENARIOS_IN_NOTE = 2;
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function annotationsFor(result: ScenarioResult): LineAnnotation[] {
  const wanted = new Set<RuleId>([...LOCK_RULES, ...BUG_RULES]);
  const byLine = new Map<number, { rules: Set<RuleId>; scenarios: string[]; severity: Severity; messages: Map<string, string> }>();
  for (const run of result.runs) {
    const scenario = `${run.aops}/${run.caller}/${run.page}`;
    for (const f of run.findings) {
      if (!wanted.has(f.rule) || f.line < 1) continue;
      let a = byLine.get(f.line);
      if (!a) byLine.set(f.line, (a = { rules: new Set(), scenarios: [], severity: f.severity, messages: new Map() }));
      a.rules.add(f.rule);
      if (!a.scenarios.includes(scenario)) a.scenarios.push(scenario);
      if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[a.severity]) a.severity = f.severity;
      const key = `${f.rule}: ${f.message}`;
      if (!a.messages.has(key)) a.messages.set(key, scenario);
    }
  }
  const order = [...LOCK_RULES, ...BUG_RULES];
  return [...byLine.entries()]
    .sort(([a], [b]) => a - b)
    .map(([line, a]) => {
      const rules = order.filter((r) => a.rules.has(r));
      const shown = a.scenarios.slice(0, MAX_SCENARIOS_IN_NOTE).join(', ');
      const more = a.scenarios.length > MAX_SCENARIOS_IN_NOTE ? ` +${a.scenarios.length - MAX_SCENARIOS_IN_NOTE} more` : '';
      return {
        line,
        kind: rules.some((r) => BUG_RULES.includes(r)) ? 'bug' : 'lock',
        severity: a.severity,
        rules,
        scenarios: a.scenarios,
        note: `${rules.map((r) => PHRASE[r] ?? r).join('; ')} — ${shown}${more}`,
        detail: [...a.messages.entries()].map(([m, s]) => `${m} (${s})`),
      };
    });
}
