// One patch view (a webview panel) for one analysed change: sets up its HTML and options, posts
// the view model, validates every message from the webview and hands the valid ones to its owner.
import * as vscode from 'vscode';
import { PATCH_VIEW_TYPE, type PatchHostMessage, type PatchView, type PatchWebviewMessage, validatePatchWebviewMessage } from '../../shared/patchProtocol';
import { makeNonce, patchViewHtml } from './html';

export interface PatchPanelLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PatchPanelHandlers {
  onOpen(msg: Extract<PatchWebviewMessage, { type: 'open' }>): Promise<void>;
  onRerun(): Promise<void>;
  onDidDispose(): void;
}

/** Scripts on; resources only from dist/ (the bundle and its stylesheet: the view loads nothing else). */
export function patchWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    enableFindWidget: true,
    // The host re-posts the view when the webview says it is ready again.
    retainContextWhenHidden: false,
  };
}

/** A panel title from a patch subject: short enough for a tab. */
export function panelTitleOf(title: string): string {
  const t = title.replace(/\s+/g, ' ').trim() || 'Patch';
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

export class PatchPanel implements vscode.Disposable {
  private view: PatchView | undefined;
  private version = 0;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  static create(extensionUri: vscode.Uri, key: string, title: string, log: PatchPanelLog, handlers: PatchPanelHandlers): PatchPanel {
    const panel = vscode.window.createWebviewPanel(PATCH_VIEW_TYPE, panelTitleOf(title), { viewColumn: columnOfOurViews(), preserveFocus: false }, patchWebviewOptions(extensionUri));
    return new PatchPanel(panel, extensionUri, key, log, handlers);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly key: string,
    private readonly log: PatchPanelLog,
    private handlers: PatchPanelHandlers,
  ) {
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    webview.html = patchViewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'patchView.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'patchView.css')).toString(),
      nonce: makeNonce(),
    });
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Replaces what the view shows (and what its messages act on). */
  setView(view: PatchView, handlers: PatchPanelHandlers): void {
    this.view = view;
    this.handlers = handlers;
    this.version++;
    this.panel.title = panelTitleOf(view.title);
    void this.post({ type: 'view', version: this.version, view });
  }

  status(state: Extract<PatchHostMessage, { type: 'status' }>['state'], message: string): void {
    void this.post({ type: 'status', state, message });
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private async post(msg: PatchHostMessage): Promise<boolean> {
    if (this.disposed) return false;
    try {
      return await this.panel.webview.postMessage(msg);
    } catch (e) {
      this.log.warn(`patch view ${this.key}: postMessage failed: ${String(e)}`);
      return false;
    }
  }

  private onMessage(raw: unknown): void {
    const v = validatePatchWebviewMessage(raw);
    if (!v.ok) {
      this.log.error(`patch view ${this.key}: rejected a malformed message from the webview: ${v.error}`);
      return;
    }
    const msg = v.value;
    const run = async (): Promise<void> => {
      switch (msg.type) {
        case 'ready':
          // A fresh or re-created webview (it is torn down while hidden): send the current view.
          if (this.view) await this.post({ type: 'view', version: this.version, view: this.view });
          return;
        case 'open':
          await this.handlers.onOpen(msg);
          return;
        case 'rerun':
          await this.handlers.onRerun();
          return;
        case 'log': {
          const line = `patch view ${this.key} (webview): ${msg.message}`;
          if (msg.level === 'error') this.log.error(line);
          else if (msg.level === 'warn') this.log.warn(line);
          else this.log.info(line);
          return;
        }
      }
    };
    void run().catch((e) => this.log.error(`patch view ${this.key}: ${(e as Error).stack ?? String(e)}`));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.handlers.onDidDispose();
  }
}

/**
 * Where a new patch view goes: the editor group that already shows a simulation panel or a patch
 * view (so they share one column beside the code, never a third one), else beside the editor.
 */
export function columnOfOurViews(): vscode.ViewColumn {
  for (const g of vscode.window.tabGroups.all) {
    for (const t of g.tabs) {
      if (t.input instanceof vscode.TabInputWebview && /kpr\.(simulation|patchView|patch)\b/.test(t.input.viewType)) return g.viewColumn;
    }
  }
  return vscode.ViewColumn.Beside;
}
