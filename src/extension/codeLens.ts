// CodeLens above each entry function the scenarios run and each get_block callback (lensSpecs.ts):
// "Run N scenarios — K findings", running exactly those scenarios.
import * as vscode from 'vscode';
import { C_SELECTOR } from './analysisService';
import { RUN_SCENARIOS_COMMAND } from './commands';
import { readConfig } from './config';
import type { ExtensionCtx } from './context';
import { lensSpecs } from './lensSpecs';

export function activateCodeLens(ctx: ExtensionCtx): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.push(changed);
  ctx.push(ctx.service.onDidAnalyze(() => changed.fire()));
  ctx.push(ctx.service.onDidForget(() => changed.fire()));
  ctx.onConfigRerender(() => changed.fire());
  ctx.push(
    vscode.languages.registerCodeLensProvider(C_SELECTOR, {
      onDidChangeCodeLenses: changed.event,
      provideCodeLenses(doc) {
        if (!readConfig(doc).codeLens) return [];
        // Lenses follow the last result; positions of a result older than the text may be off
        // until the debounced run lands (the lens re-renders then).
        const result = ctx.service.latest(doc.uri);
        if (!result) return [];
        return lensSpecs(doc.uri.toString(), result)
          .filter((s) => s.line >= 1 && s.line <= doc.lineCount)
          .map((s) => {
            const range = doc.lineAt(s.line - 1).range;
            const noop = s.args.scenarios?.length === 0;
            return new vscode.CodeLens(range, {
              title: s.title,
              tooltip: s.tooltip,
              command: noop ? '' : RUN_SCENARIOS_COMMAND,
              arguments: noop ? undefined : [s.args],
            });
          });
      },
    }),
  );
}
