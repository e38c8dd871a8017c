// Editor annotations: gutter icons and end-of-line notes on the lines where a block is allocated
// or journal credits are used under the page lock, or a BUG is reachable. Shown while the file's
// simulation panel is open, or always with `kpr.annotations.always`.
import * as vscode from 'vscode';
import type { ScenarioResult } from '../../engine/api/types';
import { annotationsFor, type AnnotationKind, type LineAnnotation } from './annotationModel';
import type { PanelAnalysisService, PanelLog } from './types';

export const ANNOTATIONS_ALWAYS_SETTING = 'kpr.annotations.always';
const NOTE_MAX = 240;

function alwaysOn(scope?: vscode.ConfigurationScope): boolean {
  return vscode.workspace.getConfiguration('kpr', scope).get<boolean>('annotations.always', false) === true;
}

export class AnnotationController implements vscode.Disposable {
  private readonly types: Record<AnnotationKind, vscode.TextEditorDecorationType>;
  private readonly results = new Map<string, ScenarioResult>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly service: PanelAnalysisService,
    /** Whether a simulation panel is open for the file. */
    private readonly panelOpen: (uri: vscode.Uri) => boolean,
    private readonly log: PanelLog,
  ) {
    const icon = (name: string) => vscode.Uri.joinPath(extensionUri, 'media', name);
    const make = (kind: AnnotationKind, color: string) =>
      vscode.window.createTextEditorDecorationType({
        light: { gutterIconPath: icon(`annotation-${kind}-light.svg`) },
        dark: { gutterIconPath: icon(`annotation-${kind}-dark.svg`) },
        gutterIconSize: 'contain',
        overviewRulerColor: new vscode.ThemeColor(color),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 3em', fontStyle: 'italic' },
      });
    this.types = { lock: make('lock', 'editorWarning.foreground'), bug: make('bug', 'editorError.foreground') };
    this.disposables.push(
      this.types.lock,
      this.types.bug,
      service.onDidAnalyze(({ uri, result }) => {
        this.results.set(uri.toString(), result);
        this.refresh(uri);
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(ANNOTATIONS_ALWAYS_SETTING)) this.refreshAll();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.results.delete(d.uri.toString())),
    );
    this.refreshAll();
  }

  private wanted(uri: vscode.Uri): boolean {
    return this.panelOpen(uri) || alwaysOn(uri);
  }

  /** Re-decorates every visible editor (a panel opened or closed, the setting changed). */
  refreshAll(): void {
    const seen = new Set<string>();
    for (const e of vscode.window.visibleTextEditors) {
      const key = e.document.uri.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      this.refresh(e.document.uri);
    }
  }

  refresh(uri: vscode.Uri): void {
    const key = uri.toString();
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === key);
    if (editors.length === 0) return;
    if (!this.wanted(uri)) {
      for (const e of editors) for (const t of Object.values(this.types)) e.setDecorations(t, []);
      return;
    }
    const result = this.results.get(key);
    if (!result) {
      // Not seen yet: ask the service (it analyses open C files on demand), then come back.
      if (editors[0].document.languageId !== 'c') return;
      void this.service.getResult(uri).then(
        (r) => {
          if (r && !this.results.has(key)) {
            this.results.set(key, r);
            this.refresh(uri);
          }
        },
        (e) => this.log.warn(`annotations: no result for ${key}: ${String(e)}`),
      );
      return;
    }
    const anns = annotationsFor(result);
    for (const e of editors) this.apply(e, anns);
  }

  /** Lines annotated in a file now (for logs and tests). */
  linesFor(uri: vscode.Uri): number[] {
    const r = this.results.get(uri.toString());
    return r && this.wanted(uri) ? annotationsFor(r).map((a) => a.line) : [];
  }

  private apply(editor: vscode.TextEditor, anns: LineAnnotation[]): void {
    const doc = editor.document;
    const byKind: Record<AnnotationKind, vscode.DecorationOptions[]> = { lock: [], bug: [] };
    for (const a of anns) {
      if (a.line > doc.lineCount) continue;
      const range = doc.lineAt(a.line - 1).range;
      const note = `KPR: ${a.note}`;
      const hover = new vscode.MarkdownString();
      hover.appendText(`Kernel Patch Reasoner (${a.rules.join(', ')})\n\n`);
      for (const d of a.detail) hover.appendText(`• ${d}\n\n`);
      byKind[a.kind].push({
        range,
        hoverMessage: hover,
        renderOptions: { after: { contentText: note.length > NOTE_MAX ? `${note.slice(0, NOTE_MAX - 1)}…` : note } },
      });
    }
    editor.setDecorations(this.types.lock, byKind.lock);
    editor.setDecorations(this.types.bug, byKind.bug);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.results.clear();
  }
}
