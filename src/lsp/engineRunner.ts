// Runs the engine for the language server off its main thread: the extension's analysis worker
// (dist/analysisWorker.js, beside dist/cli.js) when it is there, so the server keeps answering
// (cancellations, shutdown, other files) while a file is analysed; in-process otherwise.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type AnalyzeOptions, analyzeSource, initEngine, type ScenarioResult } from '../engine';
import type { WorkerReply, WorkerRequest } from '../extension/workerProtocol';

export interface EngineRunner {
  analyze(text: string, file: string, options: AnalyzeOptions): Promise<ScenarioResult>;
  dispose(): void;
  readonly mode: 'worker' | 'in-process';
}

export function engineRunner(distDir: string, log: (m: string) => void): EngineRunner {
  const workerFile = path.join(distDir, 'analysisWorker.js');
  if (!fs.existsSync(workerFile)) {
    const ready = initEngine(distDir);
    return { mode: 'in-process', analyze: async (text, file, options) => (await ready, analyzeSource(text, file, options)), dispose: () => undefined };
  }
  const worker = new Worker(workerFile);
  worker.unref();
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: ScenarioResult) => void; reject: (e: Error) => void }>();
  worker.on('message', (m: WorkerReply) => {
    if (m.id === -1) {
      log(m.kind === 'ready' ? `analysis worker ready (${m.initMs} ms)` : `analysis worker failed to start: ${m.kind === 'init-failed' ? m.message : ''}`);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.kind === 'result') p.resolve(m.result);
    else p.reject(new Error(m.kind === 'error' ? m.message : `unexpected reply ${m.kind}`));
  });
  worker.on('error', (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  return {
    mode: 'worker',
    analyze: (text, file, options) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ kind: 'analyze', id, text, file, options } satisfies WorkerRequest);
      }),
    dispose: () => void worker.terminate(),
  };
}
