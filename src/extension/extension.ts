// Entry point: activate() builds one context that owns every disposable, the analysis service
// (engine in a worker thread), and one module per feature. The engine is used only through
// src/engine/index.ts, inside dist/analysisWorker.js.
import * as vscode from 'vscode';
import { KprAnalysisService } from './analysisService';
import { activateCodeActions } from './codeActions';
import { activateCodeLens } from './codeLens';
import { registerCommands } from './commands';
import { ExtensionCtx } from './context';
import { activateDiagnostics } from './diagnostics';
import { activateDocuments } from './documents';
import { activateHover } from './hover';
import { activateConfigFiles } from './kprConfigFiles';
import { activateNavigation } from './navigation';
import { activatePanel } from './panel';
import { activatePatch } from './patch';
import { activateStatusBar } from './statusBar';
import { activateTimeline } from './timeline';
import { openWalkthroughOnFirstStart } from './walkthrough';
import { openCDocuments } from './documents';

/** When this bundle was evaluated (the host loads it right before calling activate). */
const loadedAt = Date.now();
let ctx: ExtensionCtx | undefined;

export interface KprApi {
  /** The shared analysis service (the simulation panel and tests use it). */
  service: KprAnalysisService;
  /** Milliseconds activate() took. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): KprApi {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('Kernel Patch Reasoner', { log: true });
  // Coloured by syntaxes/kpr-report.tmLanguage.json (the text kpr prints).
  const report = vscode.window.createOutputChannel('Kernel Patch Reasoner Results', 'kpr-report');
  // The bundle lives in dist/ beside analysisWorker.js and the tree-sitter .wasm files.
  const service = new KprAnalysisService(__dirname, log);
  ctx = new ExtensionCtx(context, service, log, report);
  // Pushed first, disposed last.
  ctx.push(log, report, service);
  context.subscriptions.push(ctx);

  registerCommands(ctx);
  activateDiagnostics(ctx);
  activateStatusBar(ctx);
  activateHover(ctx);
  activateCodeLens(ctx);
  activateNavigation(ctx);
  activateCodeActions(ctx);
  // .kpr.json files: when they are found or change, open C files are re-run under them.
  ctx.push(activateConfigFiles(log, () => service.invalidateAll(openCDocuments())));
  // The simulation panel (src/extension/panel) registers kpr.showSimulationPanel itself.
  ctx.push(activatePanel(context, service, log));
  ctx.push(activatePatch(context, log));
  ctx.push(activateTimeline(context, log));
  activateDocuments(ctx);
  openWalkthroughOnFirstStart(ctx);

  const activationMs = Date.now() - started;
  const mode = vscode.ExtensionMode[context.extensionMode];
  log.info(`activate took ${activationMs} ms (bundle evaluated ${started - loadedAt} ms before activate; ${mode} mode, VS Code ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI)`);
  return { service, activationMs };
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
