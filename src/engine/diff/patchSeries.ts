// A series of patches (an mbox): each part analysed on top of the previous ones, so a file that an
// earlier patch changed is taken from that patch's post-image, not from the base.
import type { AnalyzeOptions, PatchResult } from '../api/types';
import { applyFilePatch, type FilePatch, reverseApply, type SeriesPart, splitSeries } from '../patch';
import { analyzePatch, type NoSource, type PatchSource } from './patchAnalysis';

export interface SeriesPatchResult {
  part: SeriesPart;
  result: PatchResult;
}

function pathOf(f: FilePatch): string {
  return f.newPath !== '/dev/null' && f.newPath ? f.newPath : f.oldPath;
}

/**
 * Analyses every part of `text` in order. `resolve(file, part)` gives the base of a file no earlier
 * part changed (or the patch's exact pre-image, which wins over an earlier part's post-image). Patch lines in each result are relative to the part (add `part.line - 1`).
 */
export function analyzePatchSeries(text: string, resolve: (file: FilePatch, part: SeriesPart) => PatchSource | NoSource | null, options: AnalyzeOptions = {}): SeriesPatchResult[] {
  const images = new Map<string, { text: string; name: string }>();
  const out: SeriesPatchResult[] = [];
  for (const part of splitSeries(text)) {
    const result = analyzePatch(
      part.text,
      (file) => {
        const prior = images.get(file.oldPath) ?? images.get(pathOf(file));
        const own = resolve(file, part);
        if (own && 'text' in own && own.exact) return own;
        if (prior) return { text: prior.text, side: 'pre', name: prior.name };
        return own;
      },
      options,
      {
        images: (file, path, _pre, post) => {
          if (file.isDeleted) images.delete(file.oldPath);
          else images.set(path, { text: post, name: path });
        },
      },
    );
    out.push({ part, result });
  }
  return out;
}

/** 'pre' when the patch applies to `text`, 'post' when only its reverse does, else 'pre'. */
export function sideOf(text: string, file: FilePatch): 'pre' | 'post' {
  if (applyFilePatch(text, file).failed.length === 0) return 'pre';
  if (reverseApply(text, file).failed.length === 0) return 'post';
  return 'pre';
}
