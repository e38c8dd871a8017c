// Keeps results in step with the open C documents: run on open and save, debounced on typing,
// dropped on close, re-run when a setting that changes results changes.
import * as vscode from 'vscode';
import { isAnalyzable } from './analysisService';
import { changeEffect, readConfig } from './config';
import type { ExtensionCtx } from './context';

/** Schemes whose documents are views of other documents (diff sides, output), not sources. */
const SKIPPED_SCHEMES = new Set(['git', 'output', 'vscode-scm', 'review']);

export function shouldAnalyze(doc: vscode.TextDocument): boolean {
  return isAnalyzable(doc) && !SKIPPED_SCHEMES.has(doc.uri.scheme);
}

export function openCDocuments(): vscode.TextDocument[] {
  return vscode.workspace.textDocuments.filter((d) => !d.isClosed && shouldAnalyze(d));
}

export function activateDocuments(ctx: ExtensionCtx): void {
  const { service } = ctx;
  ctx.push(
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (shouldAnalyze(doc)) void service.analyze(doc);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0 || !shouldAnalyze(e.document)) return;
      if (readConfig(e.document).runOnType) service.schedule(e.document);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      // Saving does not change the text: a result for this version is still current.
      if (shouldAnalyze(doc) && !service.peek(doc.uri)) void service.analyze(doc);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => service.forget(doc.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const effect = changeEffect(e);
      if (effect === 'reanalyze') {
        ctx.log.info('settings that change results changed: re-running open C files');
        service.invalidateAll(openCDocuments());
      } else if (effect === 'rerender') {
        ctx.fireRerender();
      }
    }),
  );
  // Documents already open when the extension activated (the one that triggered onLanguage:c).
  for (const doc of openCDocuments()) void service.analyze(doc);
}
