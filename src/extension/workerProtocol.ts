// Messages between the extension host and the analysis worker (dist/analysisWorker.js).
// Plain data only; no vscode import (the worker bundle must not reach for it).
import type { AnalyzeOptions, DiffResult, PatchResult, ScenarioResult } from '../engine';
import type { PatchInspection } from './patch/patchJobs';

export type WorkerRequest = AnalyzeRequest | TracesRequest | SarifRequest | PatchRequest | DiffRequest | InspectPatchRequest;

export interface AnalyzeRequest {
  kind: 'analyze';
  id: number;
  /** The document's text at `version`. */
  text: string;
  /** Name the result carries (workspace-relative path or URI). */
  file: string;
  options: AnalyzeOptions;
}

/**
 * The traces an 'on-demand' analysis of `text` left out (PathSummary.replay), made by running its
 * shown paths again (engine PathTraces): the reply is `result` with them, as a 'result'.
 */
export interface TracesRequest {
  kind: 'traces';
  id: number;
  text: string;
  file: string;
  options: AnalyzeOptions;
  result: ScenarioResult;
}

/** Converts results to SARIF 2.1.0 (src/cli/sarif.ts) where the engine code already lives. */
export interface SarifRequest {
  kind: 'sarif';
  id: number;
  results: ScenarioResult[];
}

/** Both sides of a patch (analyzePatch); `bases` holds the resolved file per patch path. */
export interface PatchRequest {
  kind: 'patch';
  id: number;
  patchText: string;
  /** Keyed by the patch's path of the file (new path, or old path for a deletion). */
  bases: Record<string, PatchBase>;
  options: AnalyzeOptions;
}

export interface PatchBase {
  text: string;
  /** Which side of the patch `text` is: 'pre' = the patch applies to it, 'post' = it is applied. */
  side: 'pre' | 'post';
  /** Name the results carry. */
  name: string;
}

/** Two texts analysed and compared (compareResults); `message` names functions (a commit's). */
export interface DiffRequest {
  kind: 'diff';
  id: number;
  pre: { text: string; file: string };
  post: { text: string; file: string };
  message: string | null;
  options: AnalyzeOptions;
}

/** A patch parsed, and each given base tried forward and in reverse (no C analysis). */
export interface InspectPatchRequest {
  kind: 'inspectPatch';
  id: number;
  patchText: string;
  /** Texts keyed like PatchRequest.bases. */
  bases: Record<string, string>;
}

export type WorkerReply =
  | { id: number; kind: 'result'; result: ScenarioResult; ms: number }
  | { id: number; kind: 'sarif'; sarif: object }
  /** `images`: per patch path, the text of the side that was computed (the base's other side). */
  | { id: number; kind: 'patch'; result: PatchResult; images: Record<string, string>; ms: number }
  | { id: number; kind: 'diff'; result: DiffResult; mentionedFunctions: string[]; ms: number }
  | { id: number; kind: 'inspectPatch'; inspection: PatchInspection }
  | { id: number; kind: 'error'; message: string }
  | { id: -1; kind: 'ready'; initMs: number }
  | { id: -1; kind: 'init-failed'; message: string };
