// THE shared analysis service: one result per open C document, computed in a worker thread,
// debounced on typing, re-run on open/save/settings, cancelled when superseded, cleared on
// close. Diagnostics, hovers, CodeLens, commands and the simulation panel all read from here.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findTreeRoot } from '../engine/tree/layout';
import type { AnalyzeOptions, ScenarioResult } from '../engine';
import { applySuppressions } from '../engine/suppress';
import { analyzeOptions, type KprConfig, readConfig } from './config';
import { fileSuppressions } from './kprConfigFiles';
import { type JobOutcome, WorkerClient } from './workerClient';

export interface AnalysisService extends vscode.Disposable {
  /** Latest result for a document (runs the analysis if none is cached and the doc is open). */
  getResult(uri: vscode.Uri): Promise<ScenarioResult | undefined>;
  /** Forces a run now (cancellable). */
  analyze(document: vscode.TextDocument, token?: vscode.CancellationToken): Promise<ScenarioResult | undefined>;
  /**
   * `result` with its shown paths' traces: a document's analyses make none (paths keep their
   * choices, PathSummary.replay) until a view that steps through them (the simulation panel) asks.
   */
  withTraces(uri: vscode.Uri, result: ScenarioResult): Promise<ScenarioResult>;
  readonly onDidAnalyze: vscode.Event<{ uri: vscode.Uri; result: ScenarioResult }>;
}

/** Documents the extension analyses. */
export const C_SELECTOR: vscode.DocumentSelector = { language: 'c' };

export function isAnalyzable(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(C_SELECTOR, doc) > 0;
}

interface Cached {
  version: number;
  /** Settings generation the result was computed under. */
  generation: number;
  result: ScenarioResult;
  ms: number;
  /** What the worker analysed: what it needs to make the paths' traces (withTraces). */
  input: { text: string; file: string; options: AnalyzeOptions };
  /** The result with its paths' traces, once asked. */
  traced?: Promise<ScenarioResult>;
}

/** Whether a shown path of the result has its choices only (an 'on-demand' analysis). */
export function lacksTraces(result: ScenarioResult): boolean {
  return result.runs.some((r) => r.pathDetails.some((p) => p.replay !== undefined));
}

interface InFlight {
  version: number;
  generation: number;
  cts: vscode.CancellationTokenSource;
  promise: Promise<ScenarioResult | undefined>;
}

/** The implementation; the extension's own features also use the members beyond the interface. */
export class KprAnalysisService implements AnalysisService {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, InFlight>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The version typed last per document, until a run of it starts (its refresh time is then logged). */
  private readonly typed = new Map<string, number>();
  private readonly client: WorkerClient;
  private readonly emitter = new vscode.EventEmitter<{ uri: vscode.Uri; result: ScenarioResult }>();
  private readonly forgetEmitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly runningEmitter = new vscode.EventEmitter<{ uri: vscode.Uri; running: boolean }>();
  private generation = 0;

  readonly onDidAnalyze = this.emitter.event;
  /** A document's result was dropped (closed, or the settings changed so it no longer holds). */
  readonly onDidForget = this.forgetEmitter.event;
  /** An analysis of a document started or ended (for the status bar). */
  readonly onDidChangeRunning = this.runningEmitter.event;

  constructor(
    distDir: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.client = new WorkerClient(path.join(distDir, 'analysisWorker.js'), (m) => log.info(m));
  }

  /** The cached result if it matches the document's current text and settings. */
  peek(uri: vscode.Uri): ScenarioResult | undefined {
    const c = this.cache.get(uri.toString());
    const doc = openDocument(uri);
    if (!c || !doc || c.version !== doc.version || c.generation !== this.generation) return undefined;
    return c.result;
  }

  /** The last result for the document even if it is older than its text (for hovers while typing). */
  latest(uri: vscode.Uri): ScenarioResult | undefined {
    return this.cache.get(uri.toString())?.result;
  }

  isRunning(uri: vscode.Uri): boolean {
    return this.inflight.has(uri.toString());
  }

  async getResult(uri: vscode.Uri): Promise<ScenarioResult | undefined> {
    const key = uri.toString();
    const doc = openDocument(uri);
    if (!doc) return this.cache.get(key)?.result;
    const fresh = this.peek(uri);
    if (fresh) return fresh;
    const f = this.inflight.get(key);
    if (f && f.version === doc.version && f.generation === this.generation) {
      const r = await f.promise;
      if (r) return r;
    }
    return this.analyze(doc);
  }

  /** `debouncedAt`: when the typing debounce ran out (the refresh is then logged from there). */
  analyze(document: vscode.TextDocument, token?: vscode.CancellationToken, debouncedAt?: number): Promise<ScenarioResult | undefined> {
    const key = document.uri.toString();
    this.clearTimer(key);
    // A typed version whose run another trigger (an auto-save) starts before its debounce ran
    // out: the debounce ends here, so its refresh is logged from now.
    if (this.typed.get(key) === document.version) debouncedAt ??= Date.now();
    this.typed.delete(key);
    const config = readConfig(document);
    const f = this.inflight.get(key);
    if (f && f.version === document.version && f.generation === this.generation && !token) return f.promise;
    // A newer request supersedes the running one for the same document.
    f?.cts.cancel();
    const cts = new vscode.CancellationTokenSource();
    const link = token?.onCancellationRequested(() => cts.cancel());
    const version = document.version;
    const generation = this.generation;
    const file = resultFileName(document.uri);
    const started = Date.now();
    this.log.debug(`analyse ${file} v${version}`);
    const text = document.getText();
    // No path trace is made until a view asks (withTraces): diagnostics, hovers and lenses read
    // findings, which carry their own. A kernel-tree file's text is the tree's expansion: recorded.
    const tree = treeOf(document);
    const options: AnalyzeOptions = { ...analyzeOptions(config), ...tree, ...(tree.tree ? {} : { pathTraces: 'on-demand' as const }) };
    const run = this.client.run(text, file, options, cts.token);
    const promise = run.then((outcome) => {
      link?.dispose();
      if (this.inflight.get(key)?.cts === cts) {
        this.inflight.delete(key);
        this.runningEmitter.fire({ uri: document.uri, running: false });
      }
      cts.dispose();
      return this.accept(document, version, generation, file, outcome, Date.now() - started, { text, file, options }, debouncedAt);
    });
    this.inflight.set(key, { version, generation, cts, promise });
    this.runningEmitter.fire({ uri: document.uri, running: true });
    return promise;
  }

  /**
   * One-off run with different options (a single scenario, more path details): not cached and
   * not announced, so it does not replace the document's diagnostics.
   */
  async analyzeWith(document: vscode.TextDocument, options: AnalyzeOptions, token?: vscode.CancellationToken): Promise<ScenarioResult | undefined> {
    const base = analyzeOptions(readConfig(document));
    const merged: AnalyzeOptions = { ...base, ...treeOf(document), ...options, budgets: { ...base.budgets, ...options.budgets }, mount: { ...base.mount, ...options.mount } };
    const outcome = await this.client.run(document.getText(), resultFileName(document.uri), merged, token);
    if (outcome.kind === 'result') return outcome.result;
    if (outcome.kind === 'failed' || outcome.kind === 'sarif') {
      const message = outcome.kind === 'failed' ? outcome.message : 'unexpected reply from the analysis worker';
      this.log.error(message);
      throw new Error(message);
    }
    return undefined;
  }

  withTraces(uri: vscode.Uri, result: ScenarioResult): Promise<ScenarioResult> {
    if (!lacksTraces(result)) return Promise.resolve(result);
    const c = this.cache.get(uri.toString());
    // Only a cached result has its text and options: any other was analysed with its traces.
    if (!c || c.result !== result) return Promise.resolve(result);
    c.traced ??= this.client.traces(c.input.text, c.input.file, c.input.options, result).then((o) => {
      if (o.kind === 'result') {
        const paths = o.result.runs.reduce((n, r) => n + r.pathDetails.length, 0);
        this.log.info(`traces of ${c.input.file} v${c.version}: ${paths} shown paths run again for their traces in ${o.ms} ms`);
        return o.result;
      }
      if (o.kind === 'failed') this.log.error(`traces of ${c.input.file} v${c.version}: ${o.message}`);
      // Asked again next time (cancelled with the worker, or failed).
      c.traced = undefined;
      return result;
    });
    return c.traced;
  }

  /** SARIF 2.1.0 for a result, computed in the worker. */
  async sarif(result: ScenarioResult): Promise<object> {
    const o = await this.client.sarif([result]);
    if (o.kind === 'sarif') return o.sarif;
    throw new Error(o.kind === 'failed' ? o.message : 'SARIF conversion cancelled');
  }

  /** Schedules a run after the debounce delay (typing), replacing an earlier schedule. */
  schedule(document: vscode.TextDocument, delayMs = readConfig(document).debounceMs): void {
    const key = document.uri.toString();
    this.clearTimer(key);
    this.typed.set(key, document.version);
    // The text changed: a run of the old text is now stale.
    const f = this.inflight.get(key);
    if (f && f.version !== document.version) f.cts.cancel();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (openDocument(document.uri)) void this.analyze(document, undefined, Date.now());
      }, delayMs),
    );
  }

  /** Drops everything about a document (it was closed). */
  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.clearTimer(key);
    this.typed.delete(key);
    this.inflight.get(key)?.cts.cancel();
    this.inflight.delete(key);
    if (this.cache.delete(key)) this.forgetEmitter.fire(uri);
  }

  /** Settings that change results changed: every cached result is stale; re-run open documents. */
  invalidateAll(documents: readonly vscode.TextDocument[]): void {
    this.generation++;
    for (const doc of documents) void this.analyze(doc);
  }

  /** Milliseconds the last accepted analysis of `uri` took end to end (worker round trip). */
  lastDuration(uri: vscode.Uri): number | undefined {
    return this.cache.get(uri.toString())?.ms;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const f of this.inflight.values()) f.cts.cancel();
    this.inflight.clear();
    this.client.dispose();
    this.emitter.dispose();
    this.forgetEmitter.dispose();
    this.runningEmitter.dispose();
    this.cache.clear();
  }

  private accept(
    document: vscode.TextDocument,
    version: number,
    generation: number,
    file: string,
    outcome: JobOutcome,
    ms: number,
    input: Cached['input'],
    debouncedAt?: number,
  ): ScenarioResult | undefined {
    const text = input.text;
    const key = document.uri.toString();
    if (outcome.kind === 'cancelled') {
      this.log.debug(`analysis of ${file} v${version} cancelled`);
      return undefined;
    }
    if (outcome.kind === 'sarif') return undefined;
    // Suppressions are a post-pass over the engine's result (kpr-ignore comments, .kpr.json).
    const result = outcome.kind === 'result' ? applySuppressions(outcome.result, text, fileSuppressions(document.uri)) : failedResult(file, outcome.message);
    if (outcome.kind === 'failed') this.log.error(`analysis of ${file} failed: ${outcome.message}`);
    // Drop results for text or settings that have moved on, and for closed documents.
    const doc = openDocument(document.uri);
    if (!doc || doc.version !== version || generation !== this.generation) {
      this.log.debug(`analysis of ${file} v${version} is stale; dropped`);
      return undefined;
    }
    this.cache.set(key, { version, generation, result, ms, input });
    const findings = result.runs.reduce((n, r) => n + r.findings.length, 0);
    const cut = result.runs.filter((r) => r.truncated).length;
    this.log.info(
      `analysed ${file} v${version}: ${result.entries.length} writepage entries, ${result.runs.length} runs, ${findings} findings` +
        `${cut ? `, ${cut} runs cut by a budget` : ''} (parse ${result.timing.parseMs} ms, analysis ${result.timing.analysisMs} ms, round trip ${ms} ms)`,
    );
    this.emitter.fire({ uri: document.uri, result });
    // The listeners above published the diagnostics: the time an edit's findings took to show.
    if (debouncedAt !== undefined) this.log.info(`diagnostics refreshed ${Date.now() - debouncedAt} ms after the debounce (${file} v${version})`);
    return result;
  }

  private clearTimer(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }
}

function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
}

/** The name a result carries: the workspace-relative path when there is one. */
function resultFileName(uri: vscode.Uri): string {
  const rel = vscode.workspace.asRelativePath(uri, false);
  return rel || uri.toString();
}

/** A result that carries the failure as an input diagnostic, so it is visible in Problems. */
/** Kernel trees found so far, by directory (a tree's layout does not change under an editor). */
const treeRoots = new Map<string, string | undefined>();

/**
 * The kernel-tree mode for a document on disk inside a kernel tree (found from the tree's
 * layout, no setting), unless `kpr.kernelTree.enabled` is off.
 */
function treeOf(document: vscode.TextDocument): Pick<AnalyzeOptions, 'tree'> {
  if (document.uri.scheme !== 'file') return {};
  if (!vscode.workspace.getConfiguration('kpr', document.uri).get<boolean>('kernelTree.enabled', true)) return {};
  const dir = path.dirname(document.uri.fsPath);
  if (!treeRoots.has(dir)) treeRoots.set(dir, findTreeRoot(document.uri.fsPath));
  const root = treeRoots.get(dir);
  if (!root) return {};
  // The setting's value is a configuration proxy: copy it to plain data for the worker (and keep
  // only string values: a Kconfig value is text).
  const raw = vscode.workspace.getConfiguration('kpr', document.uri).get<unknown>('kernelTree.config', {});
  const config: Record<string, string> = {};
  if (raw && typeof raw === 'object') for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') config[k] = v;
  return { tree: { root, path: document.uri.fsPath, config } };
}

function failedResult(file: string, message: string): ScenarioResult {
  return {
    file,
    entries: [],
    callbacks: [],
    runs: [],
    unmodelled: [],
    diagnostics: [{ severity: 'error', line: 1, column: 1, kind: 'internal', message }],
    functions: [],
    timing: { parseMs: 0, analysisMs: 0 },
  };
}

export type { KprConfig };
