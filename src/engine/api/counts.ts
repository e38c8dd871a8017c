// The one way findings are counted everywhere (status bar, Problems, simulation panel, CLI, JSON):
// a finding is a rule at a responsible call (function + anchor), over every scenario that
// reaches it. Its severity is the worst any scenario gives it. Plain data in, plain data out.
import type { Finding, RunResult, ScenarioResult, Severity } from './types';

/** The identity a finding is counted by: rule, function and the responsible call's anchor. */
export function findingKey(f: Pick<Finding, 'rule' | 'function' | 'anchor'>): string {
  return `${f.rule}\u0000${f.function}\u0000${f.anchor}`;
}

export interface FindingCounts {
  /** Distinct findings (rule × responsible call). */
  findings: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Scenarios (aops × caller × page runs) in which at least one finding occurs. */
  scenarios: number;
  /** Scenarios run. */
  scenariosRun: number;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Counts over `runs` (all of a result's runs by default). */
export function countFindings(result: Pick<ScenarioResult, 'runs'> | RunResult[]): FindingCounts {
  const runs = Array.isArray(result) ? result : result.runs;
  const worst = new Map<string, Severity>();
  let scenarios = 0;
  for (const run of runs) {
    if (run.findings.length) scenarios++;
    for (const f of run.findings) {
      const k = findingKey(f);
      const s = worst.get(k);
      if (!s || RANK[f.severity] < RANK[s]) worst.set(k, f.severity);
    }
  }
  const c: FindingCounts = { findings: worst.size, errors: 0, warnings: 0, infos: 0, scenarios, scenariosRun: runs.length };
  for (const s of worst.values()) {
    if (s === 'error') c.errors++;
    else if (s === 'warning') c.warnings++;
    else c.infos++;
  }
  return c;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "3 findings in 12 scenarios" (the phrase every surface uses). */
export function countsPhrase(c: FindingCounts): string {
  if (c.findings === 0) return `no finding in ${plural(c.scenariosRun, 'scenario')}`;
  return `${plural(c.findings, 'finding')} in ${plural(c.scenarios, 'scenario')}`;
}

/** "2 errors, 1 warning" (zeros left out; "" when there is no finding). */
export function severityPhrase(c: FindingCounts): string {
  const parts: string[] = [];
  if (c.errors) parts.push(plural(c.errors, 'error'));
  if (c.warnings) parts.push(plural(c.warnings, 'warning'));
  if (c.infos) parts.push(plural(c.infos, 'note'));
  return parts.join(', ');
}
