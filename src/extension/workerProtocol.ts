// Messages between the extension host and the analysis worker (dist/analysisWorker.js).
// Plain data only; no vscode import (the worker bundle must not reach for it).
import type { AnalyzeOptions, ScenarioResult } from '../engine';

export type WorkerRequest = AnalyzeRequest | SarifRequest;

export interface AnalyzeRequest {
  kind: 'analyze';
  id: number;
  /** The document's text at `version`. */
  text: string;
  /** Name the result carries (workspace-relative path or URI). */
  file: string;
  options: AnalyzeOptions;
}

/** Converts results to SARIF 2.1.0 (src/cli/sarif.ts) where the engine code already lives. */
export interface SarifRequest {
  kind: 'sarif';
  id: number;
  results: ScenarioResult[];
}

export type WorkerReply =
  | { id: number; kind: 'result'; result: ScenarioResult; ms: number }
  | { id: number; kind: 'sarif'; sarif: object }
  | { id: number; kind: 'error'; message: string }
  | { id: -1; kind: 'ready'; initMs: number }
  | { id: -1; kind: 'init-failed'; message: string };
