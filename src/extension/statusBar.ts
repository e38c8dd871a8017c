// Status bar item for the active C editor: findings of its latest analysis (click → Problems).
import * as vscode from 'vscode';
import type { ScenarioResult } from '../engine';
import type { ExtensionCtx } from './context';
import { shouldAnalyze } from './documents';
import { countsPhrase } from '../engine/api/counts';
import { countFindings } from './findings';

export const STATUS_ITEM_ID = 'kpr.findings';

export function statusText(result: ScenarioResult): { text: string; tooltip: string; ariaLabel?: string } {
  const c = countFindings(result);
  const cut = result.runs.filter((r) => r.truncated).length;
  const input = result.diagnostics.filter((d) => d.severity === 'error').length;
  const parts: string[] = [];
  const faults = result.faultEntries?.length ?? 0;
  if (result.entries.length === 0 && faults === 0) {
    return {
      text: '$(pass) kpr: no writepage',
      tooltip: 'Kernel Patch Reasoner: no address_space_operations table with a .writepage and no vm_operations_struct ->page_mkwrite in this file, so no scenario ran.',
    };
  }
  const icon = c.errors ? '$(error)' : c.warnings ? '$(warning)' : '$(pass)';
  parts.push(`${icon} kpr: ${countsPhrase(c)}`);
  if (cut) parts.push(`$(watch) ${cut} incomplete`);
  const t = result.tree;
  if (t) parts.push(`$(repo) tree ${t.version ?? '?'}${t.primitives.length ? ` (${t.primitives.length} primitives)` : ''}`);
  const treeNote = t
    ? ` Kernel-tree mode: preprocessed with the tree at ${t.root} (${t.version ?? 'unknown version'}${Object.keys(t.config).length ? `, ${Object.entries(t.config).map(([k, v]) => `CONFIG_${k}=${v}`).join(' ')}` : ''}): ` +
      `macros, constants and #if branches of ${t.headers} headers came from the tree (${t.expandedLines} lines of this file expanded); ` +
      (t.primitives.length
        ? `primitives run from the tree's source: ${t.primitives.map((p) => `${p.name} (${p.file}:${p.line})`).join(', ')}; the rest (page and buffer state, journal, allocator, I/O) are the engine's models.`
        : `no primitive of the tree's source was reached; the primitives are the engine's models.`)
    : '';
  const tooltip =
    `Kernel Patch Reasoner: ${countsPhrase(c)} (${result.runs.length} scenarios run over ${result.entries.length} writepage entries${faults ? ` and ${faults} vm_operations_struct ->page_mkwrite` : ''}); ` +
    `${c.errors} error and ${c.warnings} warning findings (one per rule and responsible call)` +
    (cut ? `; ${cut} scenarios not fully explored (analysis incomplete, see the Information problems)` : '') +
    (input ? `; ${input} input errors` : '') +
    `. Parse ${result.timing.parseMs} ms, analysis ${result.timing.analysisMs} ms.${treeNote} Click to show Problems.`;
  const ariaLabel = `Kernel Patch Reasoner: ${countsPhrase(c)}: ${c.errors} error and ${c.warnings} warning findings${cut ? `; ${cut} scenarios incomplete` : ''}${t ? `; kernel tree ${t.version ?? ''}, ${t.primitives.length} primitive${t.primitives.length === 1 ? '' : 's'} from its source` : ''}`;
  return { text: parts.join(' '), tooltip, ariaLabel };
}

export function activateStatusBar(ctx: ExtensionCtx): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 50);
  item.name = 'Kernel Patch Reasoner findings';
  item.command = 'workbench.actions.view.problems';
  ctx.push(item);

  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !shouldAnalyze(doc)) {
      item.hide();
      return;
    }
    const result = ctx.service.latest(doc.uri);
    if (ctx.service.isRunning(doc.uri)) {
      item.text = result ? `$(sync~spin) ${statusText(result).text}` : '$(sync~spin) kpr: analysing';
      item.tooltip = 'Kernel Patch Reasoner: running the writeback scenarios of this file';
    } else if (result) {
      const s = statusText(result);
      item.text = s.text;
      item.tooltip = s.tooltip;
      item.accessibilityInformation = s.ariaLabel ? { label: s.ariaLabel } : undefined;
    } else {
      item.text = '$(circle-outline) kpr';
      item.tooltip = 'Kernel Patch Reasoner: not analysed yet';
    }
    item.show();
  };
  ctx.push(
    vscode.window.onDidChangeActiveTextEditor(update),
    ctx.service.onDidAnalyze(update),
    ctx.service.onDidForget(update),
    ctx.service.onDidChangeRunning(update),
  );
  update();
  return item;
}
