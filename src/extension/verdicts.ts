// Pure views of a ScenarioResult for hovers, CodeLens, commands and reports: which runs a
// callback or a writepage takes part in, and each run's verdict in words. No vscode import.
import type { CallbackInfo, EntryInfo, Finding, OutcomeKind, RunResult, ScenarioResult } from '../engine';
import { countFindings, countsPhrase, severityPhrase } from '../engine/api/counts';
import { type FindingGroup, groupFindings, keySteps, scenarioLabel } from './findings';

export const OUTCOME_WORDS: Record<OutcomeKind, string> = {
  written: 'written',
  redirtied: 'redirtied',
  'dropped-beyond-eof': 'dropped (beyond EOF)',
  bug: 'kernel BUG',
  'data-lost': 'dirty data lost',
  'returned-locked': 'returned with the page locked',
  error: 'returned an error',
  truncated: 'cut by a budget',
};

/** "written ×2, kernel BUG ×1" — how the run's explored paths ended. */
export function outcomeText(run: RunResult): string {
  const parts = Object.entries(run.outcomes)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([o, n]) => `${OUTCOME_WORDS[o as OutcomeKind] ?? o}${run.paths > 1 ? ` ×${n}` : ''}`);
  return parts.join(', ') || 'no path completed';
}

/** Distinct "severity rule" pairs of the run's findings, worst first. */
export function findingRules(findings: Finding[]): string[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) seen.set(`${f.severity} ${f.rule}`, f);
  const rank = { error: 0, warning: 1, info: 2 };
  return [...seen.values()].sort((a, b) => rank[a.severity] - rank[b.severity] || a.rule.localeCompare(b.rule)).map((f) => `${f.severity} ${f.rule}`);
}

/**
 * "kernel BUG ×1, redirtied ×2 — error credits-exhausted"; `findings` narrows the rules listed
 * (e.g. to those involving one callback) and `none` says what an empty list means.
 */
export function runVerdict(run: RunResult, findings: Finding[] = run.findings, none = 'no finding'): string {
  const rules = findingRules(findings);
  return `${outcomeText(run)} — ${rules.length ? rules.join(', ') : none}${run.truncated ? ' (cut by a budget: incomplete)' : ''}`;
}

function traceEnters(run: RunResult, fn: string): boolean {
  // A path whose trace is made on demand lists what its trace would show entered.
  return run.pathDetails.some((p) => (p.replay ? (p.entered ?? []).includes(fn) : p.trace.some((s) => s.function === fn && s.event.startsWith('enter '))));
}

export interface RunInvolvement {
  run: RunResult;
  /** Findings of this run whose call chain contains the function. */
  findings: Finding[];
  /** Reached on a recorded path although no finding names it. */
  reachedWithoutFinding: boolean;
}

/**
 * Runs in which `fn` (a callback) takes part: those with a finding whose stack contains it,
 * and those whose recorded path traces enter it.
 */
export function runsInvolving(result: ScenarioResult, fn: string): RunInvolvement[] {
  const out: RunInvolvement[] = [];
  for (const run of result.runs) {
    const findings = run.findings.filter((f) => f.stack.includes(fn));
    if (findings.length) out.push({ run, findings, reachedWithoutFinding: false });
    else if (traceEnters(run, fn)) out.push({ run, findings: [], reachedWithoutFinding: true });
  }
  return out;
}

/** Runs whose entry is `writepage` (optionally only of one aops table). */
export function runsOfWritepage(result: ScenarioResult, writepage: string, aops?: string): RunResult[] {
  return result.runs.filter((r) => r.entry === writepage && (!aops || r.aops === aops));
}

/** Finding groups (diagnostics) that any of `runs` contributes to, optionally only those naming `fn`. */
export function groupsOfRuns(result: ScenarioResult, runs: RunResult[], fn?: string): FindingGroup[] {
  const names = new Set(runs.map(scenarioLabel));
  return groupFindings(result).filter((g) =>
    g.variants.some(
      (v) => v.scenarios.some((s) => names.has(scenarioLabel(s))) && (!fn || v.finding.stack.includes(fn) || v.finding.function === fn),
    ),
  );
}

export function entriesOf(result: ScenarioResult, writepage: string): EntryInfo[] {
  return result.entries.filter((e) => e.writepage === writepage);
}

export function callbackNamed(result: ScenarioResult, name: string): CallbackInfo | undefined {
  return result.callbacks.find((c) => c.name === name);
}

export function entryLabel(e: EntryInfo): string {
  const mode = e.mode ? `data=${e.mode}${e.delalloc ? ', delalloc' : ''}` : 'data mode not found in the file';
  return `${e.aops} → ${e.writepage} (${mode})`;
}

/**
 * What the callback passes as `create` to the allocation primitive, in words:
 * "passes create=1 to the allocation primitive on every explored path".
 * `fmt` formats the `create=…` part (code spans in hovers).
 */
export function createText(cb: CallbackInfo, fmt: (s: string) => string = (s) => s): string {
  const v = cb.createValues;
  if (v.length === 0) return 'reaches the allocation primitive on no explored path, so what it passes as create is not known';
  if (v.length === 1) return `passes ${fmt(`create=${v[0]}`)} to the allocation primitive on every explored path`;
  return `passes ${v.map((x) => fmt(`create=${x}`)).join(' or ')} to the allocation primitive, depending on the path`;
}

/** Plain-text report of a set of runs for the output channel. */
export function formatRunsReport(result: ScenarioResult, runs: RunResult[], title: string): string {
  const lines: string[] = [];
  lines.push(`== ${title} ==`);
  lines.push(`${result.file}: ${runs.length} scenario run(s); parse ${result.timing.parseMs} ms, analysis ${result.timing.analysisMs} ms`);
  for (const d of result.diagnostics.filter((x) => x.severity !== 'info')) {
    lines.push(`${result.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [input:${d.kind}]`);
  }
  for (const run of runs) {
    lines.push('');
    lines.push(`${scenarioLabel(run)} (->writepage ${run.entry}): ${run.paths} path(s): ${runVerdict(run)}`);
    for (const t of run.truncation) lines.push(`  cut: ${t}`);
    const seen = new Set<string>();
    for (const f of run.findings) {
      const key = `${f.line}:${f.column}:${f.rule}:${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`  ${result.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.rule}]`);
      lines.push(`    call chain: ${f.stack.join(' → ')}`);
      for (const s of keySteps(f)) lines.push(`    line ${s.line}: ${s.function}: ${s.event}`);
    }
    for (const p of run.pathDetails.slice(0, 8)) {
      lines.push(`  path ${p.id}: ${p.description}${p.choices.length ? ` [${p.choices.join('; ')}]` : ''}`);
    }
  }
  return lines.join('\n');
}

/** One-line summary for a notification. */
export function summaryLine(runs: RunResult[]): string {
  const findings = runs.flatMap((r) => r.findings);
  const c = countFindings(runs);
  const sev = severityPhrase(c);
  const cut = runs.filter((r) => r.truncated).length;
  const rules = findingRules(findings);
  if (runs.length === 1) return `${scenarioLabel(runs[0])}: ${runVerdict(runs[0])}`;
  return (
    `${countsPhrase(c)}${sev ? ` (${sev})` : ''}; ${runs.length} scenarios run` +
    (rules.length ? `: ${[...new Set(findings.map((f) => f.rule))].sort().join(', ')}` : '') +
    (cut ? `; ${cut} scenario(s) not fully explored (analysis incomplete)` : '')
  );
}
