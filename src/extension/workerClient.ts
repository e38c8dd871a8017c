// Runs analyses one at a time in a worker thread. Cancelling a queued job drops it. Cancelling
// the running job resolves it at once; the worker (synchronous inside) is terminated and
// restarted only if the job has already run for a while, since a fresh worker pays the parser
// load and a cold JIT (a warm run of the sample takes ~0.3 s, a cold one ~1.5 s); otherwise its
// reply is ignored. A watchdog restarts a worker that outlives the engine's own time budget.
// No vscode import: the cancellation token is structural.
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions, DiffResult, PatchResult, ScenarioResult } from '../engine';
import type { PatchInspection } from './patch/patchJobs';
import type { PatchBase, WorkerReply, WorkerRequest } from './workerProtocol';
import { DEFAULT_BUDGETS } from '../engine/api/types';

export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export type JobOutcome =
  | { kind: 'result'; result: ScenarioResult; ms: number }
  | { kind: 'sarif'; sarif: object }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

/** Outcomes of the patch feature's jobs (patch, diff, inspectPatch). */
export type PatchJobOutcome = { kind: 'patch'; result: PatchResult; images: Record<string, string>; ms: number } | { kind: 'cancelled' } | { kind: 'failed'; message: string };
export type DiffJobOutcome = { kind: 'diff'; result: DiffResult; mentionedFunctions: string[]; ms: number } | { kind: 'cancelled' } | { kind: 'failed'; message: string };
export type InspectJobOutcome = { kind: 'inspectPatch'; inspection: PatchInspection } | { kind: 'cancelled' } | { kind: 'failed'; message: string };
type AnyOutcome = JobOutcome | PatchJobOutcome | DiffJobOutcome | InspectJobOutcome;

interface Job {
  req: WorkerRequest;
  resolve(o: JobOutcome): void;
  /** Wall-clock limit for this job once it is running. */
  limitMs: number;
  startedAt?: number;
  sub?: { dispose(): void };
  timer?: NodeJS.Timeout;
}

/** Slack on top of the engine's own per-file time budget before the worker is presumed stuck. */
const WATCHDOG_SLACK_MS = 15_000;
/** A cancelled job that has run longer than this is stopped by restarting the worker. */
const RESTART_AFTER_MS = 2_000;

export class WorkerClient {
  private worker: Worker | undefined;
  private running: Job | undefined;
  /** A cancelled job the worker is still finishing: no new job is posted until it replies. */
  private abandoned: { id: number; timer: NodeJS.Timeout } | undefined;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private disposed = false;
  /** How long the last worker took to load tree-sitter (ms), for the log. */
  lastInitMs: number | undefined;

  constructor(
    private readonly workerFile: string,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  run(text: string, file: string, options: AnalyzeOptions, token?: CancelToken): Promise<JobOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'cancelled' });
    if (token?.isCancellationRequested) return Promise.resolve({ kind: 'cancelled' });
    return new Promise<JobOutcome>((resolve) => {
      const timeBudget = options.budgets?.timePerFileMs ?? DEFAULT_BUDGETS.timePerFileMs;
      const job: Job = { req: { kind: 'analyze', id: this.nextId++, text, file, options }, resolve, limitMs: timeBudget + WATCHDOG_SLACK_MS };
      job.sub = token?.onCancellationRequested(() => this.cancel(job));
      this.queue.push(job);
      this.pump();
    });
  }

  /** `result` (an 'on-demand' analysis of `text`) with its shown paths' traces, made in the worker. */
  traces(text: string, file: string, options: AnalyzeOptions, result: ScenarioResult, token?: CancelToken): Promise<JobOutcome> {
    const timeBudget = options.budgets?.timePerFileMs ?? DEFAULT_BUDGETS.timePerFileMs;
    return this.submit({ kind: 'traces', id: this.nextId++, text, file, options, result }, timeBudget + WATCHDOG_SLACK_MS, token);
  }

  /** SARIF 2.1.0 for results (computed in the worker, where the engine and src/cli/sarif.ts live). */
  sarif(results: ScenarioResult[]): Promise<JobOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'cancelled' });
    return new Promise<JobOutcome>((resolve) => {
      this.queue.push({ req: { kind: 'sarif', id: this.nextId++, results }, resolve, limitMs: WATCHDOG_SLACK_MS });
      this.pump();
    });
  }

  /** Both sides of a patch analysed (analyzePatch); each base's file is analysed twice. */
  patch(patchText: string, bases: Record<string, PatchBase>, options: AnalyzeOptions, token?: CancelToken): Promise<PatchJobOutcome> {
    const timeBudget = options.budgets?.timePerFileMs ?? DEFAULT_BUDGETS.timePerFileMs;
    const files = Math.max(1, Object.keys(bases).length);
    return this.submit({ kind: 'patch', id: this.nextId++, patchText, bases, options }, 2 * files * timeBudget + WATCHDOG_SLACK_MS, token);
  }

  /** Two texts analysed and compared; `message` (a commit's) marks the functions it names. */
  diff(pre: { text: string; file: string }, post: { text: string; file: string }, message: string | null, options: AnalyzeOptions, token?: CancelToken): Promise<DiffJobOutcome> {
    const timeBudget = options.budgets?.timePerFileMs ?? DEFAULT_BUDGETS.timePerFileMs;
    return this.submit({ kind: 'diff', id: this.nextId++, pre, post, message, options }, 2 * timeBudget + WATCHDOG_SLACK_MS, token);
  }

  /** The patch parsed, and each base tried forward and in reverse (no C analysis). */
  inspectPatch(patchText: string, bases: Record<string, string>, token?: CancelToken): Promise<InspectJobOutcome> {
    return this.submit({ kind: 'inspectPatch', id: this.nextId++, patchText, bases }, WATCHDOG_SLACK_MS, token);
  }

  private submit<T extends AnyOutcome>(req: WorkerRequest, limitMs: number, token?: CancelToken): Promise<T> {
    if (this.disposed || token?.isCancellationRequested) return Promise.resolve({ kind: 'cancelled' } as T);
    return new Promise<T>((resolve) => {
      // finish() hands a job only the outcome of its own request kind (or cancelled/failed).
      const job: Job = { req, resolve: resolve as unknown as Job['resolve'], limitMs };
      job.sub = token?.onCancellationRequested(() => this.cancel(job));
      this.queue.push(job);
      this.pump();
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const j of this.queue.splice(0)) this.finish(j, { kind: 'cancelled' });
    if (this.running) this.finish(this.running, { kind: 'cancelled' });
    this.running = undefined;
    this.stopWorker();
  }

  private cancel(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.finish(job, { kind: 'cancelled' });
      return;
    }
    if (this.running === job) {
      const ran = Date.now() - (job.startedAt ?? Date.now());
      this.running = undefined;
      this.finish(job, { kind: 'cancelled' });
      if (ran >= RESTART_AFTER_MS) {
        this.restart(`job #${job.req.id} cancelled after ${ran} ms`);
      } else {
        // Let the worker finish it (its reply is ignored), but not for longer than the limit.
        const timer = setTimeout(() => this.restart(`cancelled job #${job.req.id} still running after ${RESTART_AFTER_MS} ms`), RESTART_AFTER_MS - ran);
        this.abandoned = { id: job.req.id, timer };
      }
      this.pump();
    }
  }

  private finish(job: Job, outcome: AnyOutcome): void {
    job.sub?.dispose();
    if (job.timer) clearTimeout(job.timer);
    job.resolve(outcome as JobOutcome);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile);
    w.on('message', (m: WorkerReply) => this.onMessage(w, m));
    w.on('error', (e) => this.onWorkerGone(w, `the analysis worker failed: ${e.stack ?? e.message}`));
    w.on('exit', (code) => this.onWorkerGone(w, `the analysis worker exited with code ${code}`));
    this.worker = w;
    return w;
  }

  /** Terminates the worker (a fresh one starts with the next job). */
  private restart(why: string): void {
    this.log(`restarting the analysis worker: ${why}`);
    this.stopWorker();
    this.pump();
  }

  private stopWorker(): void {
    if (this.abandoned) clearTimeout(this.abandoned.timer);
    this.abandoned = undefined;
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }

  private pump(): void {
    if (this.running || this.abandoned || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    job.startedAt = Date.now();
    const w = this.ensureWorker();
    job.timer = setTimeout(() => {
      if (this.running !== job) return;
      this.running = undefined;
      this.stopWorker();
      this.finish(job, { kind: 'failed', message: `the analysis worker did not answer within ${job.limitMs} ms and was restarted` });
      this.pump();
    }, job.limitMs);
    w.postMessage(job.req);
  }

  private onMessage(w: Worker, m: WorkerReply): void {
    if (w !== this.worker) return;
    if (m.kind === 'ready') {
      this.lastInitMs = m.initMs;
      this.log(`analysis worker ready (tree-sitter loaded in ${m.initMs} ms)`);
      return;
    }
    if (m.kind === 'init-failed') {
      this.log(`analysis worker could not load the C parser: ${m.message}`);
      return;
    }
    if (this.abandoned && this.abandoned.id === m.id) {
      clearTimeout(this.abandoned.timer);
      this.abandoned = undefined;
      this.pump();
      return;
    }
    const job = this.running;
    if (!job || job.req.id !== m.id) return;
    this.running = undefined;
    this.finish(
      job,
      m.kind === 'result'
        ? { kind: 'result', result: m.result, ms: m.ms }
        : m.kind === 'sarif'
          ? { kind: 'sarif', sarif: m.sarif }
          : m.kind === 'patch'
            ? { kind: 'patch', result: m.result, images: m.images, ms: m.ms }
            : m.kind === 'diff'
              ? { kind: 'diff', result: m.result, mentionedFunctions: m.mentionedFunctions, ms: m.ms }
              : m.kind === 'inspectPatch'
                ? { kind: 'inspectPatch', inspection: m.inspection }
                : { kind: 'failed', message: m.message },
    );
    this.pump();
  }

  private onWorkerGone(w: Worker, message: string): void {
    if (w !== this.worker) return; // terminated on purpose
    this.worker = undefined;
    this.log(message);
    const job = this.running;
    this.running = undefined;
    if (job) this.finish(job, { kind: 'failed', message });
    this.pump();
  }
}
