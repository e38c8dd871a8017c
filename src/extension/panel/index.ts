// The simulation panel feature: the `kpr.showSimulationPanel` command, one webview panel per C
// file (restored after a window reload by a serializer), the step highlight and the editor
// annotations. The extension's activate() calls activatePanel() once.
import * as vscode from 'vscode';
import { CALLER_IDS, PAGE_STATE_IDS, type CellKey, SIMULATION_VIEW_TYPE, validatePanelState } from '../../shared/protocol';
import { AnnotationController } from './annotations';
import { panelTitle, SimulationPanel, webviewOptions } from './simulationPanel';
import { StepHighlighter } from './stepHighlight';
import { PanelStateStore } from './stateStore';
import type { PanelAnalysisService, PanelLog, PanelSelect } from './types';
import { RULE_IDS, type RuleId } from '../../engine/api/types';

export const SHOW_SIMULATION_PANEL = 'kpr.showSimulationPanel';
export { SIMULATION_VIEW_TYPE };

const consoleLog: PanelLog = {
  info: (m) => console.log(`[kpr panel] ${m}`),
  warn: (m) => console.warn(`[kpr panel] ${m}`),
  error: (m) => console.error(`[kpr panel] ${m}`),
  debug: () => undefined,
};

/** The optional second argument of the command: a scenario to select (e.g. from a CodeLens). */
function cellArg(v: unknown): PanelSelect | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.aops !== 'string' || !(CALLER_IDS as readonly unknown[]).includes(o.caller) || !(PAGE_STATE_IDS as readonly unknown[]).includes(o.page)) return undefined;
  const pathId = typeof o.pathId === 'number' && Number.isInteger(o.pathId) ? o.pathId : null;
  // `step` (a code action on a finding): the index of the responsible step in that path's trace.
  const step = pathId !== null && typeof o.step === 'number' && Number.isInteger(o.step) && o.step >= 0 ? o.step : undefined;
  // `at` (a code action on a finding whose paths have no trace yet): the step is found once they do.
  const at = o.at as Record<string, unknown> | undefined;
  const finding = at && typeof at === 'object' && (RULE_IDS as readonly unknown[]).includes(at.rule) && Number.isInteger(at.line) && Number.isInteger(at.column) ? { rule: at.rule as RuleId, line: at.line as number, column: at.column as number } : undefined;
  return { cell: { aops: o.aops, caller: o.caller as CellKey['caller'], page: o.page as CellKey['page'] }, pathId, ...(step !== undefined ? { step } : {}), ...(finding ? { at: finding } : {}) };
}

export function isCSourcePath(p: string): boolean {
  return /\.[ch]$/i.test(p);
}

function isCFile(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'c' || isCSourcePath(doc.uri.path);
}

/**
 * Registers the command, the serializer and the annotations; the caller owns the returned
 * disposable (push it to the extension's disposables). `log` is the extension's log channel
 * (falls back to the console).
 */
export function activatePanel(context: vscode.ExtensionContext, service: PanelAnalysisService, log: PanelLog = consoleLog): vscode.Disposable {
  const panels = new Map<string, SimulationPanel>();
  const highlighter = new StepHighlighter();
  const annotations = new AnnotationController(context.extensionUri, service, (uri) => panels.has(uri.toString()), log);
  const stateDir = context.globalStorageUri?.scheme === 'file' ? context.globalStorageUri.fsPath : undefined;
  const states = new PanelStateStore(stateDir);
  log.info(`simulation panel selections kept in ${stateDir ?? 'memory only (the global storage is not a local folder)'}`);

  const adopt = (webviewPanel: vscode.WebviewPanel, uri: vscode.Uri): SimulationPanel => {
    const p = new SimulationPanel(webviewPanel, uri, {
      extensionUri: context.extensionUri,
      service,
      log,
      highlighter,
      states,
      onDidDispose: (gone) => {
        if (panels.get(gone.key) === gone) panels.delete(gone.key);
        annotations.refresh(gone.uri);
        log.info(`simulation panel closed: ${gone.key}`);
      },
    });
    panels.set(p.key, p);
    annotations.refresh(uri);
    return p;
  };

  const show = async (arg?: unknown, select?: unknown): Promise<void> => {
    let uri: vscode.Uri | undefined = arg instanceof vscode.Uri ? arg : undefined;
    if (!uri) {
      const ed = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors.find((e) => isCFile(e.document));
      if (ed && isCFile(ed.document)) uri = ed.document.uri;
    }
    if (!uri) {
      void vscode.window.showWarningMessage('Kernel Patch Reasoner: open a C file (an ext4-like inode.c) to simulate its writeback paths.');
      return;
    }
    const wantCell = cellArg(select);
    const existing = panels.get(uri.toString());
    if (existing) {
      existing.show(wantCell);
      return;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      SIMULATION_VIEW_TYPE,
      panelTitle(uri),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      webviewOptions(context.extensionUri),
    );
    log.info(`simulation panel opened: ${uri.toString()}`);
    sizeBesideCode(webviewPanel, log);
    const p = adopt(webviewPanel, uri);
    if (wantCell) p.show(wantCell);
  };

  const disposables: vscode.Disposable[] = [
    highlighter,
    annotations,
    vscode.commands.registerCommand(SHOW_SIMULATION_PANEL, (arg?: unknown, select?: unknown) =>
      show(arg, select).catch((e) => {
        log.error(`${SHOW_SIMULATION_PANEL} failed: ${(e as Error).stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`Kernel Patch Reasoner: could not open the simulation panel: ${String(e)}`);
      }),
    ),
    vscode.window.registerWebviewPanelSerializer(SIMULATION_VIEW_TYPE, {
      async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const v = validatePanelState(state);
        if (!v.ok) {
          log.warn(`simulation panel not restored: ${v.error}`);
          webviewPanel.dispose();
          return;
        }
        const uri = vscode.Uri.parse(v.value.uri, true);
        // The state came from the webview: only ever reopen a C source for it, never another file.
        if (!isCSourcePath(uri.path)) {
          log.warn(`simulation panel not restored: ${uri.toString()} is not a .c/.h file`);
          webviewPanel.dispose();
          return;
        }
        const existing = panels.get(uri.toString());
        if (existing) {
          // Two restored panels for one file: keep the first.
          webviewPanel.dispose();
          return;
        }
        log.info(`simulation panel restored: ${uri.toString()}`);
        adopt(webviewPanel, uri);
      },
    }),
    service.onDidAnalyze(({ uri, result }) => panels.get(uri.toString())?.update(result)),
  ];

  return new vscode.Disposable(() => {
    for (const p of [...panels.values()]) p.dispose();
    panels.clear();
    for (const d of disposables.splice(0)) d.dispose();
  });
}

/**
 * Beside the code at a usable width: when the panel made a second editor group next to the code,
 * the code keeps 25% of the editor area and the panel gets 75% (once, when the group exists), so
 * the matrices and the selected scenario's detail fit side by side at 1,400 px.
 */
function sizeBesideCode(panel: vscode.WebviewPanel, log: PanelLog): void {
  let done = false;
  const apply = (): boolean => {
    const groups = vscode.window.tabGroups.all;
    if (done || groups.length !== 2 || panel.viewColumn === undefined) return done;
    done = true;
    const panelFirst = panel.viewColumn === groups[0].viewColumn;
    const sizes = panelFirst ? [{ size: 0.75 }, { size: 0.25 }] : [{ size: 0.25 }, { size: 0.75 }];
    void vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: sizes }).then(
      () => log.info(`simulation panel sized to 75% of the editor area`),
      (e) => log.warn(`could not size the editor groups: ${String(e)}`),
    );
    return true;
  };
  if (apply()) return;
  const sub = vscode.window.tabGroups.onDidChangeTabGroups(() => {
    if (apply()) sub.dispose();
  });
  const sub2 = panel.onDidChangeViewState(() => {
    if (apply()) sub2.dispose();
  });
  panel.onDidDispose(() => {
    sub.dispose();
    sub2.dispose();
  });
}
