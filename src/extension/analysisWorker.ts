// The analysis worker: runs the engine off the extension host's main thread. Bundled as
// dist/analysisWorker.js beside the tree-sitter .wasm files, which initEngine() loads from here.
import { parentPort } from 'node:worker_threads';
import { toSarif } from '../cli/sarif';
import { IncrementalAnalysis, initEngine, PathTraces } from '../engine';
import { analyzeInTree } from '../engine/tree/analyzeInTree';
import { inspectPatch, runDiff, runPatch } from './patch/patchJobs';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

/**
 * One incremental session per file (its tree, lowered functions and kept runs), the most recently
 * analysed few: an edit re-parses incrementally and re-runs only the scenarios it can change.
 */
const MAX_SESSIONS = 4;
const sessions = new Map<string, IncrementalAnalysis>();

function sessionFor(file: string): IncrementalAnalysis {
  let s = sessions.get(file);
  if (s) sessions.delete(file);
  else s = new IncrementalAnalysis();
  sessions.set(file, s);
  for (const [name, old] of sessions) {
    if (sessions.size <= MAX_SESSIONS) break;
    old.dispose();
    sessions.delete(name);
  }
  return s;
}

const port = parentPort;
if (!port) throw new Error('analysisWorker.js must run as a worker thread');

const started = Date.now();
const ready = initEngine(__dirname).then(
  () => port.postMessage({ id: -1, kind: 'ready', initMs: Date.now() - started } satisfies WorkerReply),
  (e: unknown) => {
    port.postMessage({ id: -1, kind: 'init-failed', message: String((e as Error)?.message ?? e) } satisfies WorkerReply);
    throw e;
  },
);

port.on('message', async (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (req.kind === 'sarif') {
      port.postMessage({ id: req.id, kind: 'sarif', sarif: toSarif(req.results) } satisfies WorkerReply);
      return;
    }
    if (req.kind === 'inspectPatch') {
      // Parsing and applying only: no C parser needed.
      port.postMessage({ id: req.id, kind: 'inspectPatch', inspection: inspectPatch(req) } satisfies WorkerReply);
      return;
    }
    await ready;
    const t = Date.now();
    if (req.kind === 'patch') {
      const { result, images } = runPatch(req);
      port.postMessage({ id: req.id, kind: 'patch', result, images, ms: Date.now() - t } satisfies WorkerReply);
      return;
    }
    if (req.kind === 'traces') {
      // The same text and options replay the same paths (invariant 6): no session needed.
      const result = new PathTraces(req.text, req.options).fill(req.result);
      port.postMessage({ id: req.id, kind: 'result', result, ms: Date.now() - t } satisfies WorkerReply);
      return;
    }
    if (req.kind === 'diff') {
      const { result, mentionedFunctions } = runDiff(req);
      port.postMessage({ id: req.id, kind: 'diff', result, mentionedFunctions, ms: Date.now() - t } satisfies WorkerReply);
      return;
    }
    // analyzeSource never throws on input; an exception here is a bug, reported as an error.
    // A file inside a kernel tree: preprocessed with the tree, not incremental (the tree's headers
    // may change what every line means); the rest incrementally.
    const result = req.options.tree ? analyzeInTree(req.text, req.file, req.options.tree, req.options) : sessionFor(req.file).analyze(req.text, req.file, req.options);
    reply = { id: req.id, kind: 'result', result, ms: Date.now() - t };
  } catch (e) {
    reply = { id: req.id, kind: 'error', message: String((e as Error)?.stack ?? e) };
  }
  port.postMessage(reply);
});
