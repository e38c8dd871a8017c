// The timeline's webview panel: the shared HTML shell (strict CSP, nonce'd script), the view
// model posted, every message from the webview validated before it reaches the feature.
import * as vscode from 'vscode';
import { TIMELINE_VIEW_TYPE, type TimelineHostMessage, type TimelineView, type TimelineWebviewMessage, validateTimelineWebviewMessage } from '../../shared/timelineProtocol';
import { makeNonce, webviewHtml } from '../webviewHtml';

export class TimelinePanel implements vscode.Disposable {
  private view: TimelineView | undefined;
  private version = 0;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    title: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly onOpen: (msg: Extract<TimelineWebviewMessage, { type: 'open' }>, view: TimelineView) => Promise<void>,
    private readonly onDispose: () => void,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist], enableFindWidget: true, retainContextWhenHidden: false });
    const w = this.panel.webview;
    w.html = webviewHtml({ cspSource: w.cspSource, scriptUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.js')).toString(), styleUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.css')).toString(), nonce: makeNonce() }, 'Commit range', 'Kernel Patch Reasoner commit-range timeline', 'TimelinePanel');
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.disposables.push(
      w.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  readonly panel: vscode.WebviewPanel;

  setView(view: TimelineView): void {
    this.view = view;
    this.version++;
    this.panel.title = view.title.length > 60 ? `${view.title.slice(0, 57)}…` : view.title;
    void this.post({ type: 'view', version: this.version, view });
  }

  status(state: 'running' | 'done' | 'failed', message: string): void {
    void this.post({ type: 'status', state, message });
  }

  private async post(msg: TimelineHostMessage): Promise<void> {
    if (this.disposed) return;
    try {
      await this.panel.webview.postMessage(msg);
    } catch (e) {
      this.log.warn(`timeline: postMessage failed: ${String(e)}`);
    }
  }

  private onMessage(raw: unknown): void {
    const v = validateTimelineWebviewMessage(raw);
    if (!v.ok) {
      this.log.error(`timeline: rejected a malformed message from the webview: ${v.error}`);
      return;
    }
    const msg = v.value;
    if (msg.type === 'ready') {
      if (this.view) void this.post({ type: 'view', version: this.version, view: this.view });
    } else if (msg.type === 'log') {
      this.log[msg.level === 'warn' ? 'warn' : msg.level === 'error' ? 'error' : 'info'](`timeline (webview): ${msg.message}`);
    } else if (msg.version === this.version && this.view) {
      const view = this.view;
      void this.onOpen(msg, view).catch((e) => {
        this.log.error(`timeline: open failed: ${(e as Error).stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`Kernel Patch Reasoner: cannot open that line: ${(e as Error).message ?? String(e)}`);
      });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.onDispose();
  }
}
