// Status bar item for the active C editor: findings of its latest analysis (click → Problems).
import * as vscode from 'vscode';
import type { ScenarioResult } from '../engine';
import type { ExtensionCtx } from './context';
import { shouldAnalyze } from './documents';
import { countFindings, groupFindings } from './findings';

export const STATUS_ITEM_ID = 'kpr.findings';

export function statusText(result: ScenarioResult): { text: string; tooltip: string } {
  const c = countFindings(groupFindings(result));
  const cut = result.runs.filter((r) => r.truncated).length;
  const input = result.diagnostics.filter((d) => d.severity === 'error').length;
  const parts: string[] = [];
  if (result.entries.length === 0) {
    return {
      text: '$(pass) kpr: no writepage',
      tooltip: 'Kernel Patch Reasoner: no address_space_operations table with a .writepage in this file, so no scenario ran.',
    };
  }
  parts.push(`$(error) ${c.errors}`, `$(warning) ${c.warnings}`);
  if (cut) parts.push(`$(watch) ${cut} cut`);
  const tooltip =
    `Kernel Patch Reasoner: ${result.runs.length} scenario runs over ${result.entries.length} writepage entries; ` +
    `${c.errors} error and ${c.warnings} warning findings (one per call and rule)` +
    (cut ? `; ${cut} runs cut by a budget (results incomplete)` : '') +
    (input ? `; ${input} input errors` : '') +
    `. Parse ${result.timing.parseMs} ms, analysis ${result.timing.analysisMs} ms. Click to show Problems.`;
  return { text: `kpr ${parts.join(' ')}`, tooltip };
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
