// The patch feature's jobs, run INSIDE the analysis worker (dist/analysisWorker.js): parsing a
// patch, trying bases forward and in reverse, analysing both sides of a patch or of two texts.
// Imports the engine, so only analysisWorker.ts (and the unit tests) may import this module at
// runtime; the extension host imports its types only. No vscode import.
import { analyzePatch, analyzeSource, compareResults, type DiffResult, mentionedFunctions, type PatchResult } from '../../engine';
import { applyFilePatch, type ApplyResult, type FilePatch, hunkLabel, parsePatch, reverseApply } from '../../engine/patch';
import type { DiffRequest, InspectPatchRequest, PatchRequest } from '../workerProtocol';
import { isCPath, patchPathOf } from './locate';

export interface InspectedFile {
  /** patchPathOf(file): the key of PatchRequest.bases. */
  path: string;
  oldPath: string;
  newPath: string;
  /** Patch-file line where the file's section starts. */
  patchLine: number;
  hunks: { patchLine: number; label: string }[];
  isC: boolean;
  isBinary: boolean;
  isNew: boolean;
  isDeleted: boolean;
  /** The git `index abc123..def456` value, when the patch has one. */
  index?: string | null;
}

/** How one base took the patch's hunks in one direction. */
export interface ApplyProbe {
  hunks: number;
  applied: number;
  failed: number;
  /** Hunks that needed fuzz (context lines ignored). */
  fuzzed: number;
  /** Hunks found away from their stated line. */
  offset: number;
  /** The first hunk that did not apply: its `@@` line and why. */
  firstFailure: { patchLine: number; message: string } | null;
}

export interface PatchInspection {
  subject: string | null;
  author: string | null;
  files: InspectedFile[];
  /** Malformed patch text, located. */
  errors: { line: number; message: string }[];
  /** Per base given (keyed like the request's bases): the patch applied forward and in reverse. */
  probes: Record<string, { forward: ApplyProbe; reverse: ApplyProbe }>;
}

function probe(r: ApplyResult, file: FilePatch): ApplyProbe {
  const f = r.failed[0];
  return {
    hunks: file.hunks.length,
    applied: r.applied.length,
    failed: r.failed.length,
    fuzzed: r.applied.filter((a) => a.fuzz > 0).length,
    offset: r.applied.filter((a) => a.offset !== 0).length,
    firstFailure: f ? { patchLine: f.patchLine, message: f.message || `hunk #${f.hunk + 1} (${hunkLabel(file.hunks[f.hunk])}) does not apply` } : null,
  };
}

export function inspectPatch(req: Pick<InspectPatchRequest, 'patchText' | 'bases'>): PatchInspection {
  const parsed = parsePatch(req.patchText);
  const out: PatchInspection = { subject: parsed.subject, author: parsed.author, files: [], errors: parsed.errors.map((e) => ({ line: e.line, message: e.message })), probes: {} };
  for (const file of parsed.files) {
    const path = patchPathOf(file);
    out.files.push({
      path,
      oldPath: file.oldPath,
      newPath: file.newPath,
      patchLine: file.patchLine,
      hunks: file.hunks.map((h) => ({ patchLine: h.patchLine, label: hunkLabel(h) })),
      isC: isCPath(path),
      isBinary: file.isBinary,
      isNew: file.isNew,
      isDeleted: file.isDeleted,
      index: file.index,
    });
    const base = req.bases[path];
    if (base !== undefined && !out.probes[path]) out.probes[path] = { forward: probe(applyFilePatch(base, file), file), reverse: probe(reverseApply(base, file), file) };
  }
  return out;
}

/** analyzePatch over the given bases, plus the text of each base's other side (for the editor). */
export function runPatch(req: Pick<PatchRequest, 'patchText' | 'bases' | 'options'>): { result: PatchResult; images: Record<string, string> } {
  const used: { file: FilePatch; path: string }[] = [];
  const result = analyzePatch(
    req.patchText,
    (file) => {
      const path = patchPathOf(file);
      const base = req.bases[path];
      if (!base) return null;
      used.push({ file, path });
      return base;
    },
    req.options,
  );
  const images: Record<string, string> = {};
  for (const { file, path } of used) {
    const base = req.bases[path];
    // The same application analyzePatch made (deterministic), for showing the computed side.
    images[path] = base.side === 'pre' ? applyFilePatch(base.text, file).text : reverseApply(base.text, file).text;
  }
  return { result, images };
}

/** Both texts analysed and compared; functions a commit message names are marked and listed first. */
export function runDiff(req: Pick<DiffRequest, 'pre' | 'post' | 'message' | 'options'>): { result: DiffResult; mentionedFunctions: string[] } {
  const pre = analyzeSource(req.pre.text, req.pre.file, req.options);
  const post = analyzeSource(req.post.text, req.post.file, req.options);
  // With the texts, a function the change moves keeps its findings (unchanged, movedFrom).
  const result = compareResults(pre, post, { pre: req.pre.text, post: req.post.text });
  if (!req.message) return { result, mentionedFunctions: [] };
  const names = mentionedFunctions(req.message, [...pre.functions, ...post.functions].map((f) => f.name));
  const named = new Set(names);
  for (const c of result.changes) c.mentioned = named.has(c.function) || named.has(c.entry);
  // Stable: compareResults's order (introduced, fixed, unchanged) within each part.
  result.changes = [...result.changes.filter((c) => c.mentioned), ...result.changes.filter((c) => !c.mentioned)];
  return { result, mentionedFunctions: names };
}
