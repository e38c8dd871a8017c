// Runs analyses one at a time in a worker thread. Cancelling a queued job drops it. Cancelling
// the running job resolves it at once; the worker (synchronous inside) is terminated and
// restarted only if the job has already run for a while, since a fresh worker pays the parser
// load and a cold JIT (a warm run of the sample takes ~0.3 s, a cold one ~1.5 s); otherwise its
// reply is ignored. A watchdog restarts a worker that outlives the engine's own time budget.
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
