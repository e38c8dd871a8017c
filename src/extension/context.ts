// The one object that owns the extension's disposables and shared parts (rust-analyzer's
// Ctx): features receive it in their activate function and push what they create.
import * as vscode from 'vscode';
import type { KprAnalysisService } from './analysisService';

export class ExtensionCtx implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly rerender = new vscode.EventEmitter<void>();

  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly service: KprAnalysisService,
    readonly log: vscode.LogOutputChannel,
    /** Plain channel for scenario reports (readable, copyable, no log prefixes). */
    readonly report: vscode.OutputChannel,
  ) {
    this.disposables.push(this.rerender);
  }

  push(...items: vscode.Disposable[]): void {
    this.disposables.push(...items);
  }

  /** Settings that only change how results are shown changed (severities, CodeLens). */
  onConfigRerender(listener: () => void): void {
    this.push(this.rerender.event(listener));
  }

  fireRerender(): void {
    this.rerender.fire();
  }

  dispose(): void {
    // Last in, first out: features go before the service they use.
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (e) {
        this.log.error(`dispose failed: ${String(e)}`);
      }
    }
  }
}
