// Problems: one diagnostic per responsible call and rule over all scenarios, the trace's key
// steps as related information; input problems (syntax, budget cuts) as `input:<kind>`.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RuleId, ScenarioResult, Severity } from '../engine';
import { readConfig } from './config';
import type { SeverityOverride } from './configSchema';
import type { ExtensionCtx } from './context';
import { groupDetail, groupFindings, groupMessage, keySteps, scenarioLabel, shownInputDiagnostics, stepText, unreportedTruncations } from './findings';

export const DIAGNOSTIC_SOURCE = 'kpr';

const ENGINE_SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

const OVERRIDE_SEVERITY: Record<Exclude<SeverityOverride, 'default' | 'off'>, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** docs/rules.md#<rule> inside the installed extension. */
export function ruleDocUri(extensionUri: vscode.Uri, rule: string): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'docs', 'rules.md').with({ fragment: rule });
}

/** 1-based, end-exclusive engine positions to a vscode Range (0-based, end-exclusive). */
export function toRange(line: number, column: number, endLine: number, endColumn: number): vscode.Range {
  const start = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  const end = new vscode.Position(Math.max(0, endLine - 1), Math.max(0, endColumn - 1));
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}

/** The range of a point diagnostic: the word at it, or the rest of the line. */
function pointRange(doc: vscode.TextDocument | undefined, line: number, column: number): vscode.Range {
  const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  if (!doc || pos.line >= doc.lineCount) return new vscode.Range(pos, pos.translate(0, 1));
  const word = doc.getWordRangeAtPosition(pos);
  if (word) return word;
  const end = doc.lineAt(pos.line).range.end;
  return new vscode.Range(pos, end.isAfter(pos) ? end : pos.translate(0, 1));
}

export function buildDiagnostics(
  uri: vscode.Uri,
  result: ScenarioResult,
  overrides: Partial<Record<RuleId, SeverityOverride>>,
  extensionUri: vscode.Uri,
  doc?: vscode.TextDocument,
): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  for (const d of shownInputDiagnostics(result)) {
    const diag = new vscode.Diagnostic(pointRange(doc, d.line, d.column), d.message, ENGINE_SEVERITY[d.severity]);
    diag.source = DIAGNOSTIC_SOURCE;
    diag.code = `input:${d.kind}`;
    out.push(diag);
  }
  // A run cut by a budget must be visible even if the engine said so only in RunResult.
  for (const run of unreportedTruncations(result)) {
    const entry = result.entries.find((e) => e.aops === run.aops);
    const fn = result.functions.find((f) => f.name === run.entry);
    const line = fn?.line ?? entry?.line ?? 1;
    const diag = new vscode.Diagnostic(
      pointRange(doc, line, 1),
      `analysis incomplete: ${run.entry} was not fully explored (scenario ${scenarioLabel(run)}: ${run.truncation.join('; ') || 'no reason given'})`,
      vscode.DiagnosticSeverity.Information,
    );
    diag.source = DIAGNOSTIC_SOURCE;
    diag.code = 'input:budget';
    out.push(diag);
  }
  // A step in a kernel tree's own source (kernel-tree mode) is in that file of the tree.
  const stepUri = (file: string | undefined): vscode.Uri => (file && result.tree ? vscode.Uri.file(path.join(result.tree.root, file)) : uri);
  for (const g of groupFindings(result)) {
    const o = overrides[g.rule] ?? 'default';
    if (o === 'off') continue;
    const severity = o === 'default' ? ENGINE_SEVERITY[g.severity] : OVERRIDE_SEVERITY[o];
    const diag = new vscode.Diagnostic(toRange(g.line, g.column, g.endLine, g.endColumn), groupMessage(g), severity);
    diag.source = DIAGNOSTIC_SOURCE;
    diag.code = { value: g.rule, target: ruleDocUri(extensionUri, g.rule) };
    const main = g.variants[0];
    const here = new vscode.Location(uri, toRange(g.line, g.column, g.endLine, g.endColumn));
    // The detail first (full message, scenarios), then a few key steps of the trace.
    diag.relatedInformation = [
      ...groupDetail(g).map((text) => new vscode.DiagnosticRelatedInformation(here, text)),
      ...keySteps(main.finding, 4).map((s) => new vscode.DiagnosticRelatedInformation(new vscode.Location(stepUri(s.file), toRange(s.line, s.column, s.line, s.column)), stepText(s))),
    ];
    out.push(diag);
  }
  return out;
}

export function activateDiagnostics(ctx: ExtensionCtx): void {
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  ctx.push(collection);
  const render = (uri: vscode.Uri, result: ScenarioResult) => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const diags = buildDiagnostics(uri, result, readConfig(doc ?? uri).severity, ctx.extension.extensionUri, doc);
    collection.set(uri, diags);
    // One line per publication: what a user sees in Problems, in a form tests and bug reports can quote.
    const codes = diags.map((d) => `${typeof d.code === 'object' ? d.code.value : d.code}@${d.range.start.line + 1}:${d.range.start.character + 1}`);
    ctx.log.info(`problems for ${result.file}: ${diags.length}${codes.length ? ` (${codes.join(', ')})` : ''}`);
  };
  ctx.push(ctx.service.onDidAnalyze(({ uri, result }) => render(uri, result)));
  ctx.push(ctx.service.onDidForget((uri) => collection.delete(uri)));
  ctx.onConfigRerender(() => {
    collection.forEach((uri) => {
      const r = ctx.service.latest(uri);
      if (r) render(uri, r);
    });
  });
}
