// Code actions on a kpr finding: open its trace in the simulation panel at the responsible step,
// open the rule's documentation, suppress it on its line with a `kpr-ignore` comment (the cursor
// lands where the reason goes) or in `.kpr.json`. The edits come from src/engine/suppress/edits.ts,
// shared with `kpr lsp`.
import * as vscode from 'vscode';
import { RULE_IDS, type RuleId, type ScenarioResult } from '../engine/api/types';
import { configWithSuppression, reasonColumn, suppressionCommentLine } from '../engine/suppress/edits';
import { CONFIG_FILE_NAME } from '../shared/kprConfig';
import { C_SELECTOR, lacksTraces } from './analysisService';
import type { ExtensionCtx } from './context';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { type FindingGroup, groupFindings } from './findings';
import { configTargetFor } from './kprConfigFiles';

export const OPEN_RULE_DOC_COMMAND = 'kpr.openRuleDocumentation';
export const FOCUS_REASON_COMMAND = 'kpr.focusSuppressionReason';

function ruleOf(d: vscode.Diagnostic): RuleId | undefined {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return typeof code === 'string' && (RULE_IDS as readonly string[]).includes(code) ? (code as RuleId) : undefined;
}

/** The finding group a diagnostic shows (same rule, same start). */
export function groupOf(result: ScenarioResult, rule: RuleId, line: number, character: number): FindingGroup | undefined {
  return groupFindings(result).find((g) => g.rule === rule && g.line === line + 1 && g.column === character + 1);
}

/** The panel selection for a finding: its first scenario, the recorded path that reaches its call, the step there. */
export function traceTarget(result: ScenarioResult, g: FindingGroup): { aops: string; caller: string; page: string; pathId: number | null; step: number | null } {
  const s = g.variants[0].scenarios[0];
  const run = result.runs.find((r) => r.aops === s.aops && r.caller === s.caller && r.page === s.page);
  for (const p of run?.pathDetails ?? []) {
    if (!p.rules.includes(g.rule)) continue;
    const step = p.trace.findIndex((t) => t.line === g.line && t.column === g.column);
    if (step >= 0) return { ...s, pathId: p.id, step };
  }
  const p = run?.pathDetails.find((x) => x.rules.includes(g.rule));
  return { ...s, pathId: p?.id ?? null, step: null };
}

async function readText(uri: vscode.Uri): Promise<string | null> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return null;
  }
}

export function activateCodeActions(ctx: ExtensionCtx): void {
  const provider: vscode.CodeActionProvider = {
    async provideCodeActions(doc, _range, context) {
      const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && ruleOf(d));
      if (ours.length === 0) return [];
      const result = ctx.service.peek(doc.uri) ?? ctx.service.latest(doc.uri);
      const actions: vscode.CodeAction[] = [];
      for (const d of ours) {
        const rule = ruleOf(d)!;
        const g = result ? groupOf(result, rule, d.range.start.line, d.range.start.character) : undefined;
        if (g && result) {
          const t = traceTarget(result, g);
          const open = new vscode.CodeAction(`Open the trace in the simulation panel (${t.aops}/${t.caller}/${t.page})`, vscode.CodeActionKind.QuickFix);
          open.diagnostics = [d];
          // Paths without their trace yet: the panel finds the finding's path and step once it has them.
          const target = lacksTraces(result) ? { ...t, at: { rule, line: g.line, column: g.column } } : t;
          open.command = { title: open.title, command: 'kpr.showSimulationPanel', arguments: [doc.uri, target] };
          actions.push(open);
        }
        const line = d.range.start.line;
        const comment = suppressionCommentLine(doc.lineAt(line).text, rule);
        const inline = new vscode.CodeAction(`Suppress ${rule} on this line (kpr-ignore comment)`, vscode.CodeActionKind.QuickFix);
        inline.diagnostics = [d];
        inline.edit = new vscode.WorkspaceEdit();
        inline.edit.insert(doc.uri, new vscode.Position(line, 0), `${comment}\n`);
        inline.command = { title: 'Write the reason', command: FOCUS_REASON_COMMAND, arguments: [doc.uri, line, reasonColumn(comment)] };
        actions.push(inline);
        const target = configTargetFor(doc.uri);
        if (g && target) {
          const existing = await readText(target);
          const text = configWithSuppression(existing, { rule, function: g.function, anchor: g.variants[0].finding.anchor, reason: '' });
          if (text !== null) {
            const inFile = new vscode.CodeAction(`Suppress ${rule} in ${g.function} in ${CONFIG_FILE_NAME}`, vscode.CodeActionKind.QuickFix);
            inFile.diagnostics = [d];
            inFile.edit = new vscode.WorkspaceEdit();
            if (existing === null) inFile.edit.createFile(target, { ignoreIfExists: true, contents: new TextEncoder().encode(text) });
            else inFile.edit.replace(target, new vscode.Range(0, 0, existing.split('\n').length, 0), text);
            inFile.command = { title: 'Open the configuration file', command: 'vscode.open', arguments: [target] };
            actions.push(inFile);
          }
        }
        const docAction = new vscode.CodeAction(`Open the documentation of ${rule}`, vscode.CodeActionKind.QuickFix);
        docAction.diagnostics = [d];
        docAction.command = { title: docAction.title, command: OPEN_RULE_DOC_COMMAND, arguments: [rule] };
        actions.push(docAction);
      }
      return actions;
    },
  };
  ctx.push(
    vscode.languages.registerCodeActionsProvider(C_SELECTOR, provider, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.commands.registerCommand(FOCUS_REASON_COMMAND, async (uri: vscode.Uri, line: number, column: number) => {
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString()) ?? (await vscode.window.showTextDocument(uri));
      const pos = new vscode.Position(line, column);
      editor.selection = new vscode.Selection(pos, pos);
      editor.revealRange(new vscode.Range(pos, pos));
    }),
    vscode.commands.registerCommand(OPEN_RULE_DOC_COMMAND, async (rule: string) => {
      const uri = vscode.Uri.joinPath(ctx.extension.extensionUri, 'docs', 'rules.md');
      const text = (await readText(uri)) ?? '';
      const line = Math.max(0, text.split('\n').findIndex((l) => l.trim() === `## ${rule}`));
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true, selection: new vscode.Range(line, 0, line, 0), viewColumn: vscode.ViewColumn.Beside });
    }),
  );
}
