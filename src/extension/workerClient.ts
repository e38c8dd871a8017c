// Runs analyses one at a time in a worker thread. Cancelling the running job terminates the
// worker (the engine is synchronous inside it) and starts a fresh one for the next job; a
// watchdog does the same for a worker that outlives the engine's own time budget.
// No vscode import: the cancellation token is structural.
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions, ScenarioResult } from '../engine';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export type JobOutcome =
  | { kind: 'result'; result: ScenarioResult; ms: number }
  | { kind: 'sarif'; sarif: object }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

interface Job {
  req: WorkerRequest;
  resolve(o: JobOutcome): void;
  /** Wall-clock limit for this job once it is running. */
  limitMs: number;
  sub?: { dispose(): void };
  timer?: NodeJS.Timeout;
}

/** Slack on top of the engine's own per-file time budget before the worker is presumed stuck. */
const WATCHDOG_SLACK_MS = 15_000;

export class WorkerClient {
  private worker: Worker | undefined;
  private running: Job | undefined;
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
      const timeBudget = options.budgets?.timePerFileMs ?? 20_000;
      const job: Job = { req: { kind: 'analyze', id: this.nextId++, text, file, options }, resolve, limitMs: timeBudget + WATCHDOG_SLACK_MS };
      job.sub = token?.onCancellationRequested(() => this.cancel(job));
      this.queue.push(job);
      this.pump();
    });
  }

  /** SARIF 2.1.0 for results (computed in the worker, where the engine and src/cli/sarif.ts live). */
  sarif(results: ScenarioResult[]): Promise<JobOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'cancelled' });
    return new Promise<JobOutcome>((resolve) => {
      this.queue.push({ req: { kind: 'sarif', id: this.nextId++, results }, resolve, limitMs: WATCHDOG_SLACK_MS });
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
      this.log(`cancelling job #${job.req.id}${job.req.kind === 'analyze' ? ` (analysis of ${job.req.file})` : ''}: restarting the worker`);
      this.running = undefined;
      this.stopWorker();
      this.finish(job, { kind: 'cancelled' });
      this.pump();
    }
  }

  private finish(job: Job, outcome: JobOutcome): void {
    job.sub?.dispose();
    if (job.timer) clearTimeout(job.timer);
    job.resolve(outcome);
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

  private stopWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
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
    const job = this.running;
    if (!job || job.req.id !== m.id) return;
    this.running = undefined;
    this.finish(
      job,
      m.kind === 'result' ? { kind: 'result', result: m.result, ms: m.ms } : m.kind === 'sarif' ? { kind: 'sarif', sarif: m.sarif } : { kind: 'failed', message: m.message },
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
