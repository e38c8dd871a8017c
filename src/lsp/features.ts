// What the language server shows, computed from a ScenarioResult as LSP data: diagnostics,
// hovers, CodeLens titles. Pure (no connection): the server wires it up (./server.ts).
import type { CodeLens, Diagnostic, Hover } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { RunResult, ScenarioResult, Severity, SourceRange } from '../engine/api/types';
import { targetAt } from '../engine/navigation/query';
import { groupFindings, groupMessage, keySteps, listScenarios, shownInputDiagnostics, stepText } from '../extension/findings';
import { callbackNamed, createText, entriesOf, entryLabel, groupsOfRuns, runsInvolving, runsOfWritepage, runVerdict } from '../extension/verdicts';

const SEVERITY: Record<Severity, DiagnosticSeverity> = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

/** LSP ranges are 0-based; the engine's are 1-based with an exclusive end. */
export function lspRange(r: SourceRange): { start: { line: number; character: number }; end: { line: number; character: number } } {
  const start = { line: Math.max(0, r.line - 1), character: Math.max(0, r.column - 1) };
  const end = { line: Math.max(0, r.endLine - 1), character: Math.max(0, r.endColumn - 1) };
  return { start, end: end.line < start.line || (end.line === start.line && end.character < start.character) ? start : end };
}

/** What a finding diagnostic carries for code actions (LSP `Diagnostic.data`). */
export interface FindingData {
  rule: string;
  function: string;
  anchor: string;
  line: number;
}

export function buildLspDiagnostics(uri: string, result: ScenarioResult, rulesDoc: (rule: string) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of shownInputDiagnostics(result)) {
    out.push({ range: lspRange({ line: d.line, column: d.column, endLine: d.line, endColumn: d.column + 1 }), severity: SEVERITY[d.severity], source: 'kpr', code: `input:${d.kind}`, message: d.message });
  }
  for (const g of groupFindings(result)) {
    const main = g.variants[0].finding;
    const data: FindingData = { rule: g.rule, function: g.function, anchor: main.anchor, line: g.line };
    out.push({
      range: lspRange(g),
      severity: SEVERITY[g.severity],
      source: 'kpr',
      code: g.rule,
      codeDescription: { href: rulesDoc(g.rule) },
      message: groupMessage(g),
      relatedInformation: keySteps(main).map((s) => ({ location: { uri, range: lspRange({ line: s.line, column: s.column, endLine: s.line, endColumn: s.column }) }, message: stepText(s) })),
      data,
    });
  }
  return out;
}

/** Hover on a get_block callback, a writepage function or a table's `.writepage` member. */
export function buildHover(result: ScenarioResult, line: number, column: number): Hover | null {
  const at = targetAt(result, line, column);
  if (!at) return null;
  let name: string | null = null;
  if (at.target.kind === 'function') name = at.target.name;
  else if (at.target.kind === 'field' && at.target.table) {
    const table = result.symbols?.tables.find((t) => t.name === (at.target as { table: string }).table);
    name = table?.members.find((m) => m.field === (at.target as { field: string }).field)?.value ?? null;
  }
  if (!name) return null;
  const lines: string[] = [];
  const cb = callbackNamed(result, name);
  if (cb) {
    lines.push(`**get_block callback** \`${cb.name}\` (defined at line ${cb.line})`, '', `${createText(cb, (s) => `\`${s}\``)}; ${cb.startsHandle ? '**can start a journal handle**' : 'never starts a journal handle'}${cb.complete ? '' : ' (exploration cut by a budget: partial)'}.`);
    const reach = [...new Set(cb.reachedFrom.map((x) => `${x.aops}.writepage \`${x.writepage}\` via \`${x.via}\``))];
    lines.push('', reach.length ? `Reached from: ${reach.join('; ')}` : 'Not reached from any writepage scenario that ran.');
    const involved = runsInvolving(result, cb.name);
    if (involved.length) {
      lines.push('', '| scenario | verdict |', '|---|---|');
      for (const i of involved.slice(0, 12)) lines.push(`| ${i.run.aops}/${i.run.caller}/${i.run.page} | ${runVerdict(i.run, i.findings)} |`);
      if (involved.length > 12) lines.push(`| … | and ${involved.length - 12} more |`);
    }
  }
  const entries = entriesOf(result, name);
  if (entries.length) {
    if (lines.length) lines.push('');
    for (const e of entries) {
      lines.push(`**->writepage** ${entryLabel(e)}`, '');
      const runs = runsOfWritepage(result, name, e.aops);
      if (runs.length === 0) lines.push('No scenario of this table ran.', '');
      else {
        lines.push('| caller/page | verdict |', '|---|---|');
        for (const r of runs) lines.push(`| ${r.caller}/${r.page} | ${runVerdict(r)} |`);
        lines.push('');
      }
    }
  }
  if (lines.length === 0) return null;
  return { contents: { kind: 'markdown', value: lines.join('\n') }, range: lspRange(at.range) };
}

export const SUMMARY_COMMAND = 'kpr.showScenarioSummary';

/** The runs of an entry function (one the scenarios run, or a table's ->writepage), else those that reach it (a callback). */
function lensRuns(result: ScenarioResult, name: string): { entry: boolean; runs: RunResult[] } {
  const own = result.runs.filter((r) => r.entry === name);
  const entry = own.length > 0 || entriesOf(result, name).length > 0;
  return { entry, runs: entry ? own : runsInvolving(result, name).map((i) => i.run) };
}

/** One lens per entry function the scenarios run (->writepage, ->write_begin, ->page_mkwrite...) and per callback: "N scenarios — K findings". */
export function buildCodeLenses(uri: string, result: ScenarioResult): CodeLens[] {
  const out: CodeLens[] = [];
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const seen = new Set<string>();
  for (const f of result.symbols?.functions ?? []) {
    if (seen.has(f.name)) continue;
    const { entry, runs } = lensRuns(result, f.name);
    if (!entry && !callbackNamed(result, f.name)) continue;
    seen.add(f.name);
    const groups = groupsOfRuns(result, runs, entry ? undefined : f.name);
    const title = runs.length ? `${plural(runs.length, 'scenario')} — ${plural(groups.length, 'finding')}` : 'no writepage scenario reaches it';
    out.push({ range: lspRange({ line: f.line, column: f.column, endLine: f.line, endColumn: f.endColumn }), command: { title, command: SUMMARY_COMMAND, arguments: [uri, f.name] } });
  }
  return out;
}

/** The text the summary command shows (window/showMessage). */
export function scenarioSummary(result: ScenarioResult, name: string): string {
  const { runs } = lensRuns(result, name);
  if (!runs.length) return `${name}: no scenario reaches it`;
  return `${name}: ${runs.map((r) => `${r.aops}/${r.caller}/${r.page}: ${runVerdict(r)}`).join('; ')}`;
}

export { listScenarios };
