// One simulation panel (a webview) for one C file: sets up its HTML and options, answers the
// webview's messages (after validating them), forwards results of the shared analysis service
// and reveals/highlights the trace step's line in the C file's editor.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScenarioResult } from '../../engine/api/types';
import {
  type CellKey,
  type HostMessage,
  type PanelState,
  SIMULATION_VIEW_TYPE,
  validateWebviewMessage,
  type WebviewMessage,
} from '../../shared/protocol';
import { makeNonce, panelHtml } from './html';
import type { PanelAnalysisService, PanelLog, PanelSelect } from './types';
import { groupOf, traceTarget } from '../codeActions';
import type { StepHighlighter } from './stepHighlight';
import type { PanelStateStore } from './stateStore';

export interface PanelDeps {
  extensionUri: vscode.Uri;
  service: PanelAnalysisService;
  log: PanelLog;
  highlighter: StepHighlighter;
  onDidDispose(panel: SimulationPanel): void;
  /** The latest selection per file, on disk (stateStore.ts). */
  states?: PanelStateStore;
}

export function panelTitle(uri: vscode.Uri): string {
  return `Simulation: ${path.posix.basename(uri.path)}`;
}

/** Webview options: scripts on, resources only from dist/ (the bundle and its stylesheet). */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    enableFindWidget: true,
    // The webview keeps its selection in getState()/setState(), so it can be torn down when hidden.
    retainContextWhenHidden: false,
  };
}

export class SimulationPanel implements vscode.Disposable {
  private version = 0;
  private latest: ScenarioResult | undefined;
  private state: PanelState | undefined;
  private pendingSelect: { cell: CellKey; pathId: number | null; step?: number } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly deps: PanelDeps,
  ) {
    const webview = panel.webview;
    webview.options = webviewOptions(deps.extensionUri);
    panel.title = panelTitle(uri);
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get key(): string {
    return this.uri.toString();
  }

  /** The selection and filters the webview last reported. */
  get panelState(): PanelState | undefined {
    return this.state;
  }

  /** A new result for this panel's file (from the service's onDidAnalyze). */
  update(result: ScenarioResult): void {
    this.latest = result;
    // A hidden webview is torn down (retainContextWhenHidden false): it asks again when shown.
    if (this.panel.visible) void this.postResult();
  }

  /** Reveals the panel and, if given, selects a scenario in it. */
  show(select?: PanelSelect): void {
    this.panel.reveal(undefined, false);
    if (select) void this.select(select);
  }

  /** Selects a scenario; a finding's (`at`) path and step are found in the paths' traces, made first if need be. */
  private async select(select: PanelSelect): Promise<void> {
    let s: { cell: CellKey; pathId: number | null; step?: number } = { cell: select.cell, pathId: select.pathId, ...(select.step !== undefined ? { step: select.step } : {}) };
    const base = select.at ? (this.latest ?? (await this.deps.service.getResult(this.uri))) : undefined;
    if (select.at && base) {
      const traced = await this.deps.service.withTraces(this.uri, base);
      const g = groupOf(traced, select.at.rule, select.at.line - 1, select.at.column - 1);
      const t = g ? traceTarget(traced, g) : undefined;
      if (t && t.pathId !== null) s = { cell: { aops: t.aops, caller: t.caller as CellKey['caller'], page: t.page as CellKey['page'] }, pathId: t.pathId, ...(t.step !== null ? { step: t.step } : {}) };
    }
    if (this.disposed) return;
    this.pendingSelect = s;
    void this.post({ type: 'select', cell: s.cell, pathId: s.pathId, ...(s.step !== undefined ? { step: s.step } : {}) });
  }

  private async post(msg: HostMessage): Promise<boolean> {
    if (this.disposed) return false;
    try {
      return await this.panel.webview.postMessage(msg);
    } catch (e) {
      this.deps.log.warn(`panel ${this.key}: postMessage failed: ${String(e)}`);
      return false;
    }
  }

  /** Posts the latest result with its paths' traces (made now if the analysis left them out), unless a newer one came meanwhile. */
  private async postResult(): Promise<void> {
    const mine = this.latest;
    if (!mine) return;
    const result = await this.deps.service.withTraces(this.uri, mine);
    if (this.disposed || this.latest !== mine) return;
    this.version++;
    await this.post({ type: 'result', uri: this.key, fileName: path.posix.basename(this.uri.path), version: this.version, result });
  }

  private onMessage(raw: unknown): void {
    const v = validateWebviewMessage(raw);
    if (!v.ok) {
      this.deps.log.error(`panel ${this.key}: rejected a malformed message from the webview: ${v.error}`);
      return;
    }
    void this.handle(v.value).catch((e) => this.deps.log.error(`panel ${this.key}: ${(e as Error).stack ?? String(e)}`));
  }

  private async handle(msg: WebviewMessage): Promise<void> {
    switch (msg.type) {
      case 'ready': {
        if (msg.state && msg.state.uri === this.key) this.state = msg.state;
        // A restored webview may bring an older state than the host stored last: select that one.
        const stored = this.deps.states?.get(this.key);
        const sel = stored?.selection;
        if (msg.state && sel && !this.pendingSelect && JSON.stringify(sel) !== JSON.stringify(msg.state.selection)) {
          this.pendingSelect = { cell: { aops: sel.aops, caller: sel.caller, page: sel.page }, pathId: sel.pathId, step: sel.step };
          this.deps.log.info(`panel ${this.key}: restoring the stored selection (step ${sel.step + 1}), newer than the webview's`);
        }
        this.deps.log.info(`panel ${this.key}: webview ready${msg.state?.selection ? ` (restoring ${msg.state.selection.aops}/${msg.state.selection.caller}/${msg.state.selection.page})` : ''}`);
        await this.sendInitial();
        return;
      }
      case 'state':
        if (msg.state.uri === this.key) {
          this.state = msg.state;
          this.deps.states?.set(msg.state);
        }
        return;
      case 'reveal': {
        // A step in the kernel tree's own source (kernel-tree mode): that file of the tree.
        const root = this.latest?.tree?.root;
        const target = msg.file && root ? vscode.Uri.file(path.join(root, msg.file)) : this.uri;
        await this.deps.highlighter.reveal(this, msg.line, msg.column, msg.note, msg.reason, target);
        return;
      }
      case 'clearHighlight':
        this.deps.highlighter.clear(this);
        return;
      case 'rerun':
        await this.rerun();
        return;
      case 'log': {
        const line = `panel ${this.key} (webview): ${msg.message}`;
        if (msg.level === 'error') this.deps.log.error(line);
        else if (msg.level === 'warn') this.deps.log.warn(line);
        else this.deps.log.info(line);
        return;
      }
    }
  }

  /** On (re)load of the webview: the latest result, analysing the file first if need be. */
  private async sendInitial(): Promise<void> {
    if (!this.latest) {
      await this.post({ type: 'status', state: 'analyzing', message: `Analysing ${path.posix.basename(this.uri.path)}…` });
      try {
        this.latest = await this.deps.service.getResult(this.uri);
        if (!this.latest) {
          const doc = await vscode.workspace.openTextDocument(this.uri);
          this.latest = await this.deps.service.analyze(doc);
        }
      } catch (e) {
        this.deps.log.error(`panel ${this.key}: analysis failed: ${String(e)}`);
        await this.post({ type: 'status', state: 'error', message: `Could not analyse ${path.posix.basename(this.uri.path)}: ${String(e)}` });
        return;
      }
    }
    if (!this.latest) {
      await this.post({ type: 'status', state: 'error', message: 'No analysis result (the file is not a C file, or the analysis was cancelled).' });
      return;
    }
    await this.postResult();
    if (this.pendingSelect) {
      const s = this.pendingSelect;
      this.pendingSelect = undefined;
      await this.post({ type: 'select', cell: s.cell, pathId: s.pathId, ...(s.step !== undefined ? { step: s.step } : {}) });
    }
  }

  private async rerun(): Promise<void> {
    await this.post({ type: 'status', state: 'analyzing', message: `Re-analysing ${path.posix.basename(this.uri.path)}…` });
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const r = await this.deps.service.analyze(doc);
    // onDidAnalyze delivers the result; say so if nothing came back (cancelled, or superseded by an edit).
    if (!r) await this.post({ type: 'status', state: 'idle', message: 'The analysis was cancelled or superseded.' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.deps.highlighter.clear(this);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.deps.onDidDispose(this);
  }
}

export { SIMULATION_VIEW_TYPE };
