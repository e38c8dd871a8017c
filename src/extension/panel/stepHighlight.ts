// The current trace step's line in the C file's editor: a whole-line highlight with a note at the
// end of the line, revealed as the user steps; re-applied when the file's editor (re)appears.
import * as vscode from 'vscode';
import type { SimulationPanel } from './simulationPanel';

interface Current {
  uri: string;
  /** 1-based */
  line: number;
  note: string;
}

export class StepHighlighter implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    borderColor: new vscode.ThemeColor('focusBorder'),
    borderStyle: 'solid',
    borderWidth: '1px 0 1px 0',
    overviewRulerColor: new vscode.ThemeColor('focusBorder'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
  });
  private readonly current = new Map<SimulationPanel, Current>();
  private readonly disposables: vscode.Disposable[] = [this.type];

  constructor() {
    this.disposables.push(vscode.window.onDidChangeVisibleTextEditors((editors) => this.applyAll(editors)));
  }

  /** Highlights `line` of the panel's file and scrolls its editor to it, opening the editor beside the panel if none shows the file. */
  async reveal(panel: SimulationPanel, line: number, column: number, note: string, reason: 'step' | 'finding', target: vscode.Uri = panel.uri): Promise<void> {
    // `target`: the file the step is in (the panel's file, or a kernel tree's source).
    const uri = target.toString();
    this.current.set(panel, { uri, line, note });
    let editor = this.editorFor(panel, target);
    if (!editor) {
      const doc = await vscode.workspace.openTextDocument(target);
      const col = panel.panel.viewColumn;
      editor = await vscode.window.showTextDocument(doc, {
        viewColumn: col !== undefined && col > vscode.ViewColumn.One ? vscode.ViewColumn.One : vscode.ViewColumn.Beside,
        preserveFocus: reason === 'step',
        preview: true,
      });
    }
    const doc = editor.document;
    const l = Math.min(Math.max(line - 1, 0), doc.lineCount - 1);
    const c = Math.min(Math.max(column - 1, 0), doc.lineAt(l).range.end.character);
    const pos = new vscode.Position(l, c);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    if (reason === 'finding') {
      editor.selection = new vscode.Selection(pos, pos);
      await vscode.window.showTextDocument(doc, { viewColumn: editor.viewColumn, preserveFocus: false });
    }
    this.applyAll(vscode.window.visibleTextEditors);
  }

  clear(panel: SimulationPanel): void {
    if (!this.current.delete(panel)) return;
    this.applyAll(vscode.window.visibleTextEditors);
  }

  /** Line (1-based) currently highlighted for a file, for tests and logs. */
  lineFor(uri: vscode.Uri): number | undefined {
    for (const c of this.current.values()) if (c.uri === uri.toString()) return c.line;
    return undefined;
  }

  private editorFor(panel: SimulationPanel, target: vscode.Uri = panel.uri): vscode.TextEditor | undefined {
    const key = target.toString();
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === key);
    return editors.find((e) => e.viewColumn !== panel.panel.viewColumn) ?? editors[0];
  }

  private applyAll(editors: readonly vscode.TextEditor[]): void {
    for (const e of editors) {
      const key = e.document.uri.toString();
      const cur = [...this.current.values()].find((c) => c.uri === key);
      if (!cur) {
        e.setDecorations(this.type, []);
        continue;
      }
      const l = Math.min(Math.max(cur.line - 1, 0), e.document.lineCount - 1);
      e.setDecorations(this.type, [{ range: e.document.lineAt(l).range, renderOptions: { after: { contentText: `◂ ${cur.note}` } } }]);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.current.clear();
  }
}
