// A worker of `kpr series`'s pool: analyses both images of one file of one commit and sends back
// the verdict changes (plain data; the full results stay here).
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeSource, compareResults, initEngine } from '../engine';
import type { SeriesJob, SeriesJobResult } from './seriesPool';

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  await initEngine((workerData as { wasmDir?: string } | undefined)?.wasmDir);
  port.on('message', (job: SeriesJob) => {
    let reply: SeriesJobResult;
    try {
      const pre = analyzeSource(job.preText, job.preName, job.options);
      const post = analyzeSource(job.postText, job.postName, job.options);
      const d = compareResults(pre, post, { pre: job.preText, post: job.postText });
      const truncated = [...pre.runs, ...post.runs].filter((r) => r.truncated).length;
      const inputErrors = [...pre.diagnostics, ...post.diagnostics].filter((x) => x.severity === 'error').length;
      reply = { id: job.id, changes: d.changes, truncatedRuns: truncated, inputErrors, entries: post.entries.length, ms: pre.timing.parseMs + pre.timing.analysisMs + post.timing.parseMs + post.timing.analysisMs };
    } catch (e) {
      reply = { id: job.id, error: (e as Error).message };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
}

void serve();
