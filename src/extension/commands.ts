// The command table (rust-analyzer style): every command the extension registers, each a
// factory over the extension context. `kpr.showSimulationPanel` is registered by the panel
// module (src/extension/panel) and Analyze Patch by the patch feature, not here.
import * as vscode from 'vscode';
import type { CallerId, Finding, PageStateId, RunResult, ScenarioResult } from '../engine';
import { CALLER_TITLES, PAGE_TITLES } from './scenarioCatalog';
import type { ExtensionCtx } from './context';
import { toRange } from './diagnostics';
import { shouldAnalyze } from './documents';
import { type ScenarioRef, scenarioLabel } from './findings';
import { hoverTarget } from './hover';
import { OPEN_INODE_COMMAND, openInodeC } from './walkthrough';
import { callbackNamed, createText, entriesOf, entryLabel, formatRunsReport, runsInvolving, runVerdict, summaryLine } from './verdicts';
import { entrySummary } from './lensSpecs';

export const RUN_SCENARIOS_COMMAND = 'kpr.runScenarios';

/** Arguments of kpr.runScenarios (also the target of hover and CodeLens links). */
export interface RunScenariosArgs {
  /** Document URI (string, as command links carry JSON). */
  uri: string;
  /** Exactly these runs; all configured ones of `aops` when absent. */
  scenarios?: ScenarioRef[];
  /** Restrict to these tables when `scenarios` is absent. */
  aops?: string[];
  /** Words for the notification and the report heading. */
  title?: string;
  /** Do not move the cursor to the first finding. */
  noReveal?: boolean;
}

/** What kpr.runScenarios and kpr.runAllScenarios return (for tests and other extensions). */
export interface RunOutcome {
  file: string;
  runs: { scenario: string; verdict: string; findings: { rule: string; severity: string; line: number; column: number }[] }[];
  summary: string;
}

type Command = (ctx: ExtensionCtx) => (...args: any[]) => unknown;

const COMMANDS: Record<string, Command> = {
  'kpr.runScenario': (ctx) => () => runScenarioPicker(ctx),
  'kpr.runAllScenarios': (ctx) => () => runAllScenarios(ctx),
  [RUN_SCENARIOS_COMMAND]: (ctx) => (args: RunScenariosArgs) => runScenarios(ctx, args),
  'kpr.explainCallback': (ctx) => () => explainAtCursor(ctx),
  'kpr.exportReport': (ctx) => (format?: 'json' | 'sarif', target?: string) => exportReport(ctx, format, target),
  'kpr.showReport': (ctx) => () => ctx.report.show(true),
  [OPEN_INODE_COMMAND]: () => () => openInodeC(),
};

export function registerCommands(ctx: ExtensionCtx): void {
  for (const [id, factory] of Object.entries(COMMANDS)) ctx.push(vscode.commands.registerCommand(id, factory(ctx)));
}

export const REGISTERED_COMMANDS = Object.keys(COMMANDS);

// ---------------------------------------------------------------------------------------

function activeCDocument(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && shouldAnalyze(doc) ? doc : undefined;
}

async function documentFor(uri: string | undefined): Promise<vscode.TextDocument | undefined> {
  if (!uri) return activeCDocument();
  const key = vscode.Uri.parse(uri).toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key) ?? (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)));
}

function noCFile(): undefined {
  void vscode.window.showWarningMessage('Kernel Patch Reasoner: open a C file (an ext4-like inode.c) in the editor first.');
  return undefined;
}

function worstFirst(findings: Finding[]): Finding[] {
  const rank = { error: 0, warning: 1, info: 2 };
  return [...findings].sort((a, b) => rank[a.severity] - rank[b.severity] || a.line - b.line || a.column - b.column);
}

function outcomeOf(result: ScenarioResult, runs: RunResult[]): RunOutcome {
  return {
    file: result.file,
    runs: runs.map((r) => ({
      scenario: scenarioLabel(r),
      verdict: runVerdict(r),
      findings: r.findings.map((f) => ({ rule: f.rule, severity: f.severity, line: f.line, column: f.column })),
    })),
    summary: summaryLine(runs),
  };
}

/** Report to the output channel, a notification, and optionally the cursor on the worst finding. */
async function present(ctx: ExtensionCtx, doc: vscode.TextDocument, result: ScenarioResult, runs: RunResult[], title: string, reveal: boolean): Promise<RunOutcome> {
  ctx.report.appendLine(formatRunsReport(result, runs, title));
  ctx.report.appendLine('');
  ctx.report.show(true);
  const outcome = outcomeOf(result, runs);
  const first = worstFirst(runs.flatMap((r) => r.findings))[0];
  if (reveal && first) {
    const editor = await vscode.window.showTextDocument(doc, { preserveFocus: false, preview: false });
    const range = toRange(first.line, first.column, first.endLine, first.endColumn);
    // Cursor at the start of the responsible call, the call selected.
    editor.selection = new vscode.Selection(range.end, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  const hasErrors = runs.some((r) => r.findings.some((f) => f.severity === 'error'));
  const text = `Kernel Patch Reasoner: ${outcome.summary}`;
  const show = hasErrors ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  // Not awaited: the command completes while the notification stays.
  void show(text, 'Show Report').then((choice) => {
    if (choice === 'Show Report') ctx.report.show(false);
  });
  ctx.log.info(runs.length === 1 ? `ran ${outcome.summary}` : `ran ${title}: ${outcome.summary}`);
  return outcome;
}

export async function runScenarios(ctx: ExtensionCtx, args: RunScenariosArgs): Promise<RunOutcome | undefined> {
  const doc = await documentFor(args?.uri);
  if (!doc) return noCFile();
  const wanted = args.scenarios?.length ? new Set(args.scenarios.map(scenarioLabel)) : undefined;
  const options = args.scenarios?.length
    ? {
        aops: [...new Set(args.scenarios.map((s) => s.aops))],
        callers: [...new Set(args.scenarios.map((s) => s.caller as CallerId))],
        pages: [...new Set(args.scenarios.map((s) => s.page as PageStateId))],
      }
    : args.aops?.length
      ? { aops: args.aops }
      : {};
  const title = args.title ?? (wanted ? [...wanted].join(', ') : 'all scenarios');
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Kernel Patch Reasoner: running ${title}`, cancellable: true },
    (_p, token) => ctx.service.analyzeWith(doc, { ...options, maxPathDetails: 16 }, token),
  );
  if (!result) return undefined; // cancelled
  const runs = wanted ? result.runs.filter((r) => wanted.has(scenarioLabel(r))) : result.runs;
  if (runs.length === 0) {
    void vscode.window.showWarningMessage(`Kernel Patch Reasoner: no scenario matched (${title}); check the kpr.scenarios settings.`);
    return outcomeOf(result, runs);
  }
  return present(ctx, doc, result, runs, title, !args.noReveal);
}

interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

async function runScenarioPicker(ctx: ExtensionCtx): Promise<RunOutcome | undefined> {
  const doc = activeCDocument();
  if (!doc) return noCFile();
  const result = await ctx.service.getResult(doc.uri);
  if (!result) return undefined;
  const faults = result.faultEntries ?? [];
  if (result.entries.length === 0 && faults.length === 0) {
    void vscode.window.showInformationMessage('Kernel Patch Reasoner: this file has no address_space_operations table with a .writepage, so there is no scenario to run.');
    return undefined;
  }
  const table = await vscode.window.showQuickPick<PickItem<string>>(
    [
      ...result.entries.map((e) => ({
        label: e.aops,
        description: `->writepage = ${e.writepage}`,
        detail: `${entryLabel(e)}, line ${e.line}`,
        value: e.aops,
      })),
      // A vm_operations_struct row: the write fault alone (src/engine/vmOpsTables.ts).
      ...faults.map((f) => ({ label: f.vmOps, description: `->page_mkwrite = ${f.pageMkwrite}`, detail: `vm_operations_struct, line ${f.line}: ${f.note}`, value: f.vmOps })),
    ],
    { title: 'Run Scenario (1/3): address_space_operations table', placeHolder: 'Which aops table?', matchOnDescription: true },
  );
  if (!table) return undefined;
  const ranCallers = [...new Set(result.runs.filter((r) => r.aops === table.value).map((r) => r.caller))];
  const callers = (ranCallers.length ? ranCallers : (Object.keys(CALLER_TITLES) as CallerId[])).map((c) => ({
    label: c,
    description: CALLER_TITLES[c]?.title ?? '',
    detail: CALLER_TITLES[c]?.chain,
    value: [c] as CallerId[],
  }));
  const caller = await vscode.window.showQuickPick<PickItem<CallerId[]>>(
    [{ label: 'all callers', description: `the ${callers.length} callers that apply to ${table.value}`, value: callers.flatMap((c) => c.value) }, ...callers],
    { title: `Run Scenario (2/3): who calls ${table.value}'s ->writepage`, placeHolder: 'Caller', matchOnDescription: true, matchOnDetail: true },
  );
  if (!caller) return undefined;
  const ranPages = [...new Set(result.runs.filter((r) => r.aops === table.value && caller.value.includes(r.caller)).map((r) => r.page))];
  const pages = (ranPages.length ? ranPages : (Object.keys(PAGE_TITLES) as PageStateId[])).map((p) => ({
    label: p,
    description: PAGE_TITLES[p] ?? '',
    value: [p] as PageStateId[],
  }));
  const page = await vscode.window.showQuickPick<PickItem<PageStateId[]>>(
    [{ label: 'all page states', description: `the ${pages.length} page states that apply`, value: pages.flatMap((p) => p.value) }, ...pages],
    { title: 'Run Scenario (3/3): the page handed to ->writepage', placeHolder: 'Page state', matchOnDescription: true },
  );
  if (!page) return undefined;
  const scenarios: ScenarioRef[] = caller.value.flatMap((c) => page.value.map((p) => ({ aops: table.value, caller: c, page: p })));
  const title = scenarios.length === 1 ? scenarioLabel(scenarios[0]) : `${table.value}/${caller.label}/${page.label}`;
  return runScenarios(ctx, { uri: doc.uri.toString(), scenarios, title });
}

async function runAllScenarios(ctx: ExtensionCtx): Promise<RunOutcome | undefined> {
  const doc = activeCDocument();
  if (!doc) return noCFile();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Kernel Patch Reasoner: running all scenarios of ${vscode.workspace.asRelativePath(doc.uri)}`, cancellable: true },
    (_p, token) => ctx.service.analyze(doc, token),
  );
  if (!result) {
    ctx.log.info('Run All Scenarios: cancelled (or superseded by an edit)');
    return undefined;
  }
  return present(ctx, doc, result, result.runs, 'all scenarios', false);
}

/** Plain-text explanation of a callback for the report channel. */
function callbackReport(result: ScenarioResult, name: string): string {
  const cb = callbackNamed(result, name);
  if (!cb) return '';
  const lines = [`== get_block callback ${cb.name} (line ${cb.line}) ==`];
  lines.push(createText(cb));
  lines.push(cb.startsHandle ? 'can start a journal handle: it does on at least one explored path' : 'starts no journal handle on any explored path');
  for (const r of cb.reachedFrom) lines.push(`reached from ${r.aops} → ${r.writepage} through ${r.via}`);
  if (!cb.reachedFrom.length) lines.push('no explored ->writepage path reaches it');
  for (const p of cb.passedTo) lines.push(`passed to ${p.callee} at line ${p.line} (in ${p.function})`);
  for (const inv of runsInvolving(result, cb.name)) lines.push(`${scenarioLabel(inv.run)}: ${runVerdict(inv.run, inv.findings, 'no finding involves it')}`);
  return lines.join('\n');
}

async function explainAtCursor(ctx: ExtensionCtx): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !shouldAnalyze(editor.document)) return noCFile();
  const result = await ctx.service.getResult(editor.document.uri);
  if (!result) return undefined;
  const hit = hoverTarget(editor.document, editor.selection.active, result);
  if (!hit) {
    const names = result.callbacks.map((c) => c.name);
    void vscode.window.showInformationMessage(
      `Kernel Patch Reasoner: the cursor is not on a get_block callback or an entry function (->writepage, ->write_begin, ->page_mkwrite...) of this file` +
        (names.length ? ` (callbacks found: ${names.join(', ')})` : ' (no get_block callback found in this file)'),
    );
    return undefined;
  }
  let text: string;
  if (hit.target.kind === 'callback') {
    text = callbackReport(result, hit.target.callback.name);
  } else if (hit.target.kind === 'entry') {
    const s = entrySummary(result, hit.target.entry);
    text = s ? [`== ${s.heading} ==`, ...s.lines].join('\n') : `${hit.target.entry}: no scenario runs it`;
  } else {
    const wp = hit.target.writepage;
    text = [`== ->writepage ${wp} ==`, ...entriesOf(result, wp).map(entryLabel), ...result.runs.filter((r) => r.entry === wp).map((r) => `${scenarioLabel(r)}: ${runVerdict(r)}`)].join('\n');
  }
  ctx.report.appendLine(text + '\n');
  ctx.report.show(true);
  // The same facts, rendered by our hover provider at the cursor.
  await vscode.commands.executeCommand('editor.action.showHover');
  return text;
}

async function exportReport(ctx: ExtensionCtx, format?: 'json' | 'sarif', target?: string): Promise<vscode.Uri | undefined> {
  const doc = activeCDocument();
  if (!doc) return noCFile();
  const fmt =
    format ??
    (
      await vscode.window.showQuickPick<PickItem<'json' | 'sarif'>>(
        [
          { label: 'SARIF 2.1.0', description: 'one result per call and rule, the trace as a code flow', value: 'sarif' },
          { label: 'JSON', description: "the engine's ScenarioResult (docs/json-output.md)", value: 'json' },
        ],
        { title: 'Export Report: format' },
      )
    )?.value;
  if (!fmt) return undefined;
  const result = await ctx.service.getResult(doc.uri);
  if (!result) return undefined;
  const ext = fmt === 'sarif' ? '.kpr.sarif' : '.kpr.json';
  const base = doc.uri.path.replace(/\.[^/.]*$/, '');
  const defaultUri = doc.isUntitled ? vscode.workspace.workspaceFolders?.[0]?.uri : doc.uri.with({ path: base + ext });
  const dest = target ? vscode.Uri.parse(target) : await vscode.window.showSaveDialog({ defaultUri, filters: fmt === 'sarif' ? { SARIF: ['sarif'] } : { JSON: ['json'] } });
  if (!dest) return undefined;
  // The JSON report is the engine's whole result: the shown paths with their traces.
  const body = fmt === 'sarif' ? await ctx.service.sarif(result) : await ctx.service.withTraces(doc.uri, result);
  await vscode.workspace.fs.writeFile(dest, Buffer.from(JSON.stringify(body, null, 2) + '\n', 'utf8'));
  ctx.log.info(`exported ${fmt} report of ${result.file} to ${dest.toString()}`);
  void vscode.window.showInformationMessage(`Kernel Patch Reasoner: exported ${fmt === 'sarif' ? 'SARIF' : 'JSON'} report to ${vscode.workspace.asRelativePath(dest)}`);
  return dest;
}
