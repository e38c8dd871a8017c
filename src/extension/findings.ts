// Pure logic behind the diagnostics: groups the findings of all scenario runs by responsible
// call and rule, words the message naming the scenarios, and picks the key steps of a trace.
// No vscode import (unit-tested under plain mocha).
import type { Finding, InputDiagnostic, RuleId, RunResult, ScenarioResult, Severity, TraceStep } from '../engine';
import { countFindings as countResult, countsPhrase, findingKey, type FindingCounts } from '../engine/api/counts';
import { shortText } from '../engine/api/summary';

export interface ScenarioRef {
  aops: string;
  caller: string;
  page: string;
}

export function scenarioLabel(s: ScenarioRef): string {
  return `${s.aops}/${s.caller}/${s.page}`;
}

/** Findings of one rule at one call that share a message and severity. */
export interface FindingVariant {
  severity: Severity;
  message: string;
  /** The first finding with this message (its trace is the one shown). */
  finding: Finding;
  scenarios: ScenarioRef[];
}

/** One diagnostic: a rule at a responsible call, over all scenarios that reach it. */
export interface FindingGroup {
  rule: RuleId;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  function: string;
  /** The most severe severity among the variants. */
  severity: Severity;
  /** Most severe first, then by number of scenarios. */
  variants: FindingVariant[];
  scenarios: ScenarioRef[];
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function worseSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] <= SEVERITY_RANK[b] ? a : b;
}

function ref(run: RunResult): ScenarioRef {
  return { aops: run.aops, caller: run.caller, page: run.page };
}

/** Groups every run's findings by the one counting key (rule, function, anchor: src/engine/api/counts.ts); sorted by position, then rule. */
export function groupFindings(result: ScenarioResult): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const run of result.runs) {
    const seenInRun = new Set<string>();
    for (const f of run.findings) {
      const key = findingKey(f);
      let g = groups.get(key);
      if (!g) {
        g = { rule: f.rule, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, function: f.function, severity: f.severity, variants: [], scenarios: [] };
        groups.set(key, g);
      }
      g.severity = worseSeverity(g.severity, f.severity);
      let v = g.variants.find((x) => x.message === f.message && x.severity === f.severity);
      if (!v) {
        v = { severity: f.severity, message: f.message, finding: f, scenarios: [] };
        g.variants.push(v);
      }
      // One run may report the same finding on several paths: name the scenario once.
      const vkey = `${key}\u0000${f.severity}\u0000${f.message}`;
      if (!seenInRun.has(vkey)) {
        seenInRun.add(vkey);
        v.scenarios.push(ref(run));
      }
      if (!seenInRun.has(key)) {
        seenInRun.add(key);
        g.scenarios.push(ref(run));
      }
    }
  }
  for (const g of groups.values()) {
    g.variants.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.scenarios.length - a.scenarios.length);
  }
  return [...groups.values()].sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}

/** "a, b, c and 4 more" */
export function listScenarios(refs: ScenarioRef[], max = 8): string {
  const names = refs.map(scenarioLabel);
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

/** The diagnostic's message: the short form (≤ 80 characters) of the most severe variant. */
export function groupMessage(g: FindingGroup): string {
  return shortText(g.variants[0].finding);
}

/**
 * The detail of a group (related information, hover): the most severe variant's full message
 * and its scenarios; each other variant (another handle pays, another severity) on a line of its own.
 */
export function groupDetail(g: FindingGroup): string[] {
  const [first, ...others] = g.variants;
  const lines = [`${first.message} (in ${g.function}; ${plural(first.scenarios.length, 'scenario')}: ${listScenarios(first.scenarios)})`];
  for (const v of others) lines.push(`also ${v.severity} in ${listScenarios(v.scenarios)}: ${v.message}`);
  return lines;
}

function plural(n: number, word: string): string {
  return n === 1 ? `${n} ${word}` : `${n} ${word}s`;
}

/** A rule-note step ("alloc-under-page-lock: ...") restates a finding; not a key step. */
const RULE_NOTE = /^[a-z]+(-[a-z]+)+: /;

/**
 * A few key steps of a finding's trace, in trace order: entering each function of the call
 * chain, forks taken, and changes of page lock, journal handle or credits; the responsible
 * step itself is left out (it is the diagnostic's own range).
 */
export function keySteps(f: Finding, max = 8): TraceStep[] {
  const t = f.trace;
  const stack = new Set(f.stack);
  const scored: { i: number; score: number }[] = [];
  for (let i = 0; i < t.length; i++) {
    const s = t[i];
    const prev = i > 0 ? t[i - 1] : undefined;
    if (s.line === f.line && s.column === f.column && i >= t.length - 3) continue;
    if (RULE_NOTE.test(s.event)) continue;
    let score = 0;
    if (s.event.startsWith('enter ') && stack.has(s.function)) score = 4;
    else if (prev && (prev.handleOwner !== s.handleOwner || prev.pageLocked !== s.pageLocked)) score = 3;
    else if (s.event.startsWith('fork: ')) score = 3;
    else if (prev && prev.creditsLeft !== s.creditsLeft) score = 2;
    else if (s.function.includes(' → ') && !s.event.startsWith('call ')) score = 1;
    if (score > 0) scored.push({ i, score });
  }
  // Keep the highest scores; among equals, the ones nearest the finding.
  scored.sort((a, b) => b.score - a.score || b.i - a.i);
  return scored
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((x) => t[x.i]);
}

/** "ext4_get_block → ext4_journal_start: journal handle started by ext4_get_block with 25 credits" */
export function stepText(s: TraceStep): string {
  const state: string[] = [];
  state.push(s.pageLocked ? 'page locked' : 'page unlocked');
  if (s.handleOwner) state.push(`handle of ${s.handleOwner}${s.creditsLeft !== null ? `, ${s.creditsLeft} credits left` : ''}`);
  return `${s.function}: ${s.event} [${state.join('; ')}]`;
}

/** Input diagnostics worth showing as problems: errors, warnings and "analysis incomplete" notes (other info-level notes stay in the log). */
export function shownInputDiagnostics(result: ScenarioResult): InputDiagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning' || d.kind === 'budget');
}

/** Runs cut by a budget that no `budget` input diagnostic names (so they are still visible). */
export function unreportedTruncations(result: ScenarioResult): RunResult[] {
  const budget = result.diagnostics.filter((d) => d.kind === 'budget');
  return result.runs.filter((r) => r.truncated && !budget.some((d) => d.scenarios?.includes(scenarioLabel(r)) || d.message.includes(scenarioLabel(r))));
}

/** The counts every surface shows (one definition: src/engine/api/counts.ts). */
export function countFindings(result: ScenarioResult): FindingCounts {
  return countResult(result);
}

/** "N findings in M scenarios". */
export function countsLine(result: ScenarioResult): string {
  return countsPhrase(countResult(result));
}
