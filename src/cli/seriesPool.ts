// A pool of worker_threads for `kpr series`: one job = one file of one commit (both images).
// Sized to the machine (os.availableParallelism) unless --jobs says otherwise.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions, FindingChange } from '../engine';
import { ToolError } from './args';

export interface SeriesJob {
  id: number;
  preText: string;
  postText: string;
  preName: string;
  postName: string;
  options: AnalyzeOptions;
}

export type SeriesJobResult =
  | { id: number; changes: FindingChange[]; truncatedRuns: number; inputErrors: number; entries: number; ms: number; error?: undefined }
  | { id: number; error: string };

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

function workerFile(): string {
  const f = path.join(__dirname, 'seriesWorker.js');
  if (!fs.existsSync(f)) throw new ToolError(`the series worker ${f} is missing (run npm run build)`);
  return f;
}

/** Runs every job on `size` workers; `next()` yields jobs lazily (texts are read just in time). */
export async function runPool(size: number, jobs: Iterator<SeriesJob>, wasmDir: string, onResult: (r: SeriesJobResult) => void): Promise<void> {
  const file = workerFile();
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let done = false;
      const feed = (w: Worker): void => {
        const n = jobs.next();
        if (n.done) {
          if (running === 0 && !done) {
            done = true;
            resolve();
          }
          return;
        }
        running++;
        w.postMessage(n.value);
      };
      for (let i = 0; i < size; i++) {
        const w = new Worker(file, { workerData: { wasmDir } });
        workers.push(w);
        w.on('message', (m: SeriesJobResult | { ready: true }) => {
          if ('ready' in m) return feed(w);
          running--;
          try {
            onResult(m);
          } catch (e) {
            reject(e);
            return;
          }
          feed(w);
        });
        w.on('error', (e) => reject(new ToolError(`a series worker failed: ${e.message}`)));
        w.on('exit', (code) => {
          if (code !== 0 && !done) reject(new ToolError(`a series worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
