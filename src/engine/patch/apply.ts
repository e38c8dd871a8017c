// Apply (or reverse) one file's hunks to a text the way GNU patch does: stated line, then the
// nearest offset, then fuzz 1 and 2. Pure: text in, plain data out.

import { hunkLabel, type FilePatch, type Hunk, type HunkLine } from './parse';

export interface ApplyOptions {
  /** Maximum fuzz (context lines ignored at each end), like `patch -F`. Default 2. */
  maxFuzz?: number;
  /** Compare lines with runs of blanks treated as equal, like `patch -l`. Default false. */
  ignoreWhitespace?: boolean;
}

export interface AppliedHunk {
  /** 0-based index into FilePatch.hunks. */
  hunk: number;
  /**
   * How many lines away from its stated position the hunk was found (GNU patch's
   * "(offset N lines)"). Always 0 for a hunk without line numbers.
   */
  offset: number;
  /** Context lines ignored at each end to make it match (GNU patch's "with fuzz N"). */
  fuzz: number;
  /** 1-based line of the input text where the hunk's first old-side line was matched. */
  oldLine: number;
  /** 1-based line of the output text where the hunk's first new-side line went (GNU's "succeeded at N"). */
  newLine: number;
}

export interface FailedHunk {
  /** 0-based index into FilePatch.hunks. */
  hunk: number;
  /** Patch-file line of the hunk's `@@` header. */
  patchLine: number;
  /** 1-based line of the input text where the hunk was expected. */
  expectedLine: number;
  message: string;
}

/**
 * Correspondence between the patch's pre-image ("old") and post-image ("new"), for both
 * applyFilePatch and reverseApply (reverseApply does NOT swap the meaning: old is always the
 * `-` side). Arrays are indexed by `line - 1`; 0 means "none". Use the helper functions
 * rather than indexing directly.
 */
export interface LineMap {
  /** newToOld[n-1]: old line of unchanged new line n; 0 when n was added by the patch. */
  newToOld: number[];
  /** oldToNew[o-1]: new line of unchanged old line o; 0 when o was removed by the patch. */
  oldToNew: number[];
  /** New lines (1-based) inserted by applied hunks (`+` lines). */
  added: number[];
  /** Old lines (1-based) deleted by applied hunks (`-` lines). */
  removed: number[];
  /** oldToPatch[o-1]: patch-file line of the ` `/`-` line that old line o matched, 0 when outside applied hunks. */
  oldToPatch: number[];
  /** newToPatch[n-1]: patch-file line of the ` `/`+` line that produced new line n, 0 when outside applied hunks. */
  newToPatch: number[];
}

export interface ApplyResult {
  /** The output text: the post-image for applyFilePatch, the pre-image for reverseApply. */
  text: string;
  /** True when produced by reverseApply. */
  reversed: boolean;
  applied: AppliedHunk[];
  failed: FailedHunk[];
  lineMap: LineMap;
}

// ---------------------------------------------------------------------------------------------

interface OutLine {
  text: string;
  /** Line ending as found in the input ('' = none); null for lines that came from the patch. */
  eol: string | null;
  /** 1-based input line, 0 for a line inserted by the patch. */
  src: number;
  /** Patch-file line that produced it (`+`) or that it matched as context; 0 otherwise. */
  patch: number;
  /** For patch lines: the `\ No newline at end of file` flag of the new side. */
  noNewline?: boolean;
}

interface CoreResult {
  text: string;
  applied: AppliedHunk[];
  failed: FailedHunk[];
  /** In terms of the core run: "old" = the input text, "new" = the output text. */
  lineMap: LineMap;
}

const DEFAULT_MAX_FUZZ = 2;

/**
 * Apply one file's hunks to `base` the way GNU patch does: each hunk is tried at its stated
 * line (shifted by the offset of the previous hunk), then at increasing distances after/before
 * it, first with all context, then ignoring up to 1 and 2 context lines at each end (fuzz).
 * Hunks that cannot be placed are reported in `failed`; the others are still applied.
 * Line endings of `base` (LF or CRLF, and a missing final newline) are preserved.
 */
export function applyFilePatch(base: string, file: FilePatch, options: ApplyOptions = {}): ApplyResult {
  const creates = file.isNew && file.hunks.every((h) => h.oldLines === 0);
  const core = applyCore(base, file.hunks, file.hunks, options, creates ? file.newPath || 'the file' : null, false);
  return { text: core.text, reversed: false, applied: core.applied, failed: core.failed, lineMap: core.lineMap };
}

/**
 * Undo a file's hunks: turn the post-image `post` back into the pre-image. The result's
 * `text` is the pre-image; its lineMap keeps the patch's own orientation (old = `-` side =
 * the returned text, new = `+` side = `post`), so patchLineForOld/patchLineForNew work the
 * same way as after applyFilePatch. `applied[].oldLine` is a line of `post`.
 */
export function reverseApply(post: string, file: FilePatch, options: ApplyOptions = {}): ApplyResult {
  const swapped: Hunk[] = file.hunks.map((h) => ({
    ...h,
    oldStart: h.newStart,
    oldLines: h.newLines,
    newStart: h.oldStart,
    newLines: h.oldLines,
    lines: h.lines.map((l) => ({ ...l, kind: l.kind === '+' ? '-' : l.kind === '-' ? '+' : ' ' })),
  }));
  const creates = file.isDeleted && file.hunks.every((h) => h.newLines === 0);
  const core = applyCore(post, swapped, file.hunks, options, creates ? file.oldPath || 'the file' : null, true);
  const m = core.lineMap;
  return {
    text: core.text,
    reversed: true,
    applied: core.applied,
    failed: core.failed,
    lineMap: {
      newToOld: m.oldToNew,
      oldToNew: m.newToOld,
      added: m.removed,
      removed: m.added,
      oldToPatch: m.newToPatch,
      newToPatch: m.oldToPatch,
    },
  };
}

/** Patch-file line of the `-` or context line matching pre-image line `oldLine`, or null. */
export function patchLineForOld(result: ApplyResult, oldLine: number): number | null {
  return result.lineMap.oldToPatch[oldLine - 1] || null;
}

/** Patch-file line of the `+` or context line that produced post-image line `newLine`, or null. */
export function patchLineForNew(result: ApplyResult, newLine: number): number | null {
  return result.lineMap.newToPatch[newLine - 1] || null;
}

/** Pre-image line of an unchanged post-image line; null when the line was added (or is out of range). */
export function oldLineForNew(result: ApplyResult, newLine: number): number | null {
  return result.lineMap.newToOld[newLine - 1] || null;
}

/** Post-image line of an unchanged pre-image line; null when the line was removed (or is out of range). */
export function newLineForOld(result: ApplyResult, oldLine: number): number | null {
  return result.lineMap.oldToNew[oldLine - 1] || null;
}

// ---------------------------------------------------------------------------------------------

function splitLines(text: string): { lines: string[]; eols: string[]; dominant: string } {
  const lines: string[] = [];
  const eols: string[] = [];
  let crlf = 0;
  let lf = 0;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) {
      lines.push(text.slice(pos));
      eols.push('');
      break;
    }
    if (nl > pos && text.charCodeAt(nl - 1) === 13) {
      lines.push(text.slice(pos, nl - 1));
      eols.push('\r\n');
      crlf++;
    } else {
      lines.push(text.slice(pos, nl));
      eols.push('\n');
      lf++;
    }
    pos = nl + 1;
  }
  return { lines, eols, dominant: crlf > lf ? '\r\n' : '\n' };
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t';
}

/** GNU patch's `similar()`: equal when runs of blanks are treated as equivalent (-l). */
function similar(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    if (j >= b.length || isBlank(b[j])) {
      while (j < b.length && isBlank(b[j])) j++;
      if (i < a.length) {
        if (!isBlank(a[i])) return false;
        while (i < a.length && isBlank(a[i])) i++;
      }
      if (i >= a.length || j >= b.length) return a.length - i === b.length - j;
    } else if (i >= a.length || a[i++] !== b[j++]) return false;
  }
}

function applyCore(
  base: string,
  hunks: Hunk[],
  labelHunks: Hunk[],
  options: ApplyOptions,
  creates: string | null,
  reversed: boolean,
): CoreResult {
  const maxFuzz = Math.max(0, options.maxFuzz ?? DEFAULT_MAX_FUZZ);
  const eq = options.ignoreWhitespace ? similar : (a: string, b: string) => a === b;
  const { lines: inp, eols, dominant } = splitLines(base);
  const N = inp.length;
  // As in GNU patch, a line marked `\ No newline at end of file` only matches a last line
  // without a newline, and vice versa (unless whitespace is ignored).
  const lineEq = (i: number, l: HunkLine): boolean =>
    eq(inp[i - 1], l.text) && (options.ignoreWhitespace === true || !l.noNewline === (eols[i - 1] !== ''));

  const out: OutLine[] = [];
  const removed: number[] = [];
  const oldToPatch: number[] = new Array(N).fill(0);
  const ctxPatch = new Map<number, number>();
  const applied: AppliedHunk[] = [];
  const failed: FailedHunk[] = [];

  let lastFrozen = 0; // input lines 1..lastFrozen are consumed (copied or deleted)
  let inOffset = 0;
  let outOffset = 0;

  const copyTill = (k: number): void => {
    k = Math.min(k, N);
    while (lastFrozen < k) {
      lastFrozen++;
      out.push({ text: inp[lastFrozen - 1], eol: eols[lastFrozen - 1], src: lastFrozen, patch: ctxPatch.get(lastFrozen) ?? 0 });
    }
  };

  hunks.forEach((h, idx) => {
    const label = `hunk #${idx + 1} (${hunkLabel(labelHunks[idx])})${reversed ? ' reversed' : ''}`;
    const pattern = h.lines.filter((l) => l.kind !== '+');
    const patLines = pattern.length;
    let prefix = 0;
    while (prefix < h.lines.length && h.lines[prefix].kind === ' ') prefix++;
    let suffix = 0;
    while (suffix < h.lines.length && h.lines[h.lines.length - 1 - suffix].kind === ' ') suffix++;
    const context = Math.max(prefix, suffix);
    const myMaxFuzz = Math.min(maxFuzz, context);
    const numbered = h.hasLineNumbers;
    // GNU patch pins a hunk with lopsided context to the start/end of the file. Only do that
    // when the body agrees with the header: a truncated or miscounted hunk just lost context.
    const anchored = numbered && patLines === h.oldLines && h.lines.length - countMinus(h) === h.newLines;
    let first = numbered ? (patLines === 0 ? h.oldStart + 1 : h.oldStart) : lastFrozen + 1;
    if (first < 1) first = 1;
    const expected = numbered ? first + inOffset : lastFrozen + 1;

    const fail = (detail: string): void => {
      failed.push({
        hunk: idx,
        patchLine: h.patchLine,
        expectedLine: expected,
        message: `${label} does not apply at line ${expected}: ${detail}`,
      });
    };

    if (creates !== null && N > 0) {
      fail(`the patch creates ${creates}, but the ${reversed ? 'post-image' : 'base'} text is not empty`);
      return;
    }

    const match = (at: number, pf: number, sf: number): boolean => {
      for (let p = pf, i = at + pf; p < patLines - sf; p++, i++) {
        if (i < 1 || i > N || !lineEq(i, pattern[p])) return false;
      }
      return true;
    };

    // Port of GNU patch's locate_hunk() (2.7): the 1-based input line and the offset, or null.
    const locate = (fuzz: number): { where: number; offset: number } | null => {
      const firstGuess = numbered ? first + inOffset : lastFrozen + 1;
      let prefixFuzz = fuzz + prefix - context;
      let suffixFuzz = fuzz + suffix - context;
      if (!anchored) {
        prefixFuzz = Math.min(fuzz, prefix);
        suffixFuzz = Math.min(fuzz, suffix);
      }
      if (patLines === 0) {
        return firstGuess > lastFrozen ? { where: Math.min(firstGuess, N + 1), offset: 0 } : null;
      }
      const maxWhere = N - (patLines - suffixFuzz) + 1;
      const minWhere = lastFrozen + 1;
      const maxPos = maxWhere - firstGuess;
      let maxNeg = firstGuess - minWhere;
      const maxOff = Math.max(maxPos, maxNeg);
      if (firstGuess <= maxNeg) maxNeg = firstGuess - 1;

      if (prefixFuzz < 0 && first <= 1) {
        // Fewer leading than trailing context lines at line 1: can only match the start of file.
        if (suffixFuzz < 0 && (patLines !== N || prefix < lastFrozen)) return null;
        const off = 1 - firstGuess;
        if (lastFrozen <= prefix && off <= maxPos && match(firstGuess + off, 0, Math.max(0, suffixFuzz))) {
          return { where: firstGuess + off, offset: off };
        }
        return null;
      } else if (prefixFuzz < 0) prefixFuzz = 0;

      if (suffixFuzz < 0) {
        // Fewer trailing than leading context lines: can only match the end of the file.
        const off = firstGuess - (N - patLines + 1);
        if (off <= maxNeg && match(firstGuess - off, prefixFuzz, 0)) return { where: firstGuess - off, offset: -off };
        return null;
      }

      // Nearest first: forward then backward at each distance, starting where the range allows.
      const minOff = maxPos < 0 ? firstGuess - maxWhere : maxNeg < 0 ? firstGuess - minWhere : 0;
      for (let off = minOff; off <= maxOff; off++) {
        if (off <= maxPos && match(firstGuess + off, prefixFuzz, suffixFuzz)) return { where: firstGuess + off, offset: off };
        if (off <= maxNeg && match(firstGuess - off, prefixFuzz, suffixFuzz)) return { where: firstGuess - off, offset: -off };
      }
      return null;
    };

    let found: { where: number; offset: number } | null = null;
    let fuzz = 0;
    for (; fuzz <= myMaxFuzz; fuzz++) {
      found = locate(fuzz);
      if (found) break;
    }
    if (!found) {
      fail(diagnose(h, pattern, expected, inp, lastFrozen, prefix, eq, lineEq));
      return;
    }
    if (numbered) inOffset += found.offset;
    const where = found.where;
    const newWhere = where + outOffset;

    // Port of GNU patch's apply_hunk(): context lines stay as they are in the input.
    const w = where - 1;
    let old = 0; // index into pattern
    for (const l of h.lines) {
      if (l.kind === '-') {
        copyTill(w + old);
        lastFrozen++;
        removed.push(lastFrozen);
        oldToPatch[lastFrozen - 1] = l.patchLine;
        old++;
      } else if (l.kind === '+') {
        copyTill(w + old);
        out.push({ text: l.text, eol: null, src: 0, patch: l.patchLine, noNewline: l.noNewline });
      } else {
        const at = w + old + 1;
        if (at >= 1 && at <= N && at > lastFrozen) {
          ctxPatch.set(at, l.patchLine);
          oldToPatch[at - 1] = l.patchLine;
        }
        old++;
      }
    }
    outOffset += h.lines.length - countMinus(h) - patLines;
    applied.push({ hunk: idx, offset: numbered ? inOffset : 0, fuzz, oldLine: where, newLine: newWhere });
  });
  copyTill(N);

  // Line endings: lines keep their own; inserted lines take the file's dominant one; only the
  // last line may lack one (as the input's last line did, or as the patch says).
  for (let k = 0; k < out.length; k++) {
    const o = out[k];
    const isLast = k === out.length - 1;
    if (o.eol === null) o.eol = isLast && o.noNewline ? '' : dominant;
    else if (o.eol === '' && !isLast) o.eol = dominant;
  }
  const text = out.map((o) => o.text + o.eol).join('');

  const newToOld = out.map((o) => o.src);
  const newToPatch = out.map((o) => o.patch);
  const oldToNew: number[] = new Array(N).fill(0);
  const added: number[] = [];
  out.forEach((o, k) => {
    if (o.src) oldToNew[o.src - 1] = k + 1;
    else added.push(k + 1);
  });
  return { text, applied, failed, lineMap: { newToOld, oldToNew, added, removed, oldToPatch, newToPatch } };
}

/** Why did a hunk not apply? Look for its post-image (already applied) and its closest match. */
function diagnose(
  h: Hunk,
  pattern: HunkLine[],
  expected: number,
  inp: string[],
  lastFrozen: number,
  prefix: number,
  eq: (a: string, b: string) => boolean,
  lineEq: (i: number, l: HunkLine) => boolean,
): string {
  const N = inp.length;
  const patLines = pattern.length;
  if (patLines === 0) {
    return `it inserts lines before line ${expected}, which is inside or before the previous hunk (misordered hunks)`;
  }
  const lo = lastFrozen + 1;
  const near = (a: number, b: number): boolean => Math.abs(a - expected) < Math.abs(b - expected);

  // Is the post-image already there?
  const post = h.lines.filter((l) => l.kind !== '-');
  if (post.length > 0 && h.lines.some((l) => l.kind !== ' ')) {
    let at = 0;
    for (let p = lo; p + post.length - 1 <= N; p++) {
      let ok = true;
      for (let i = 0; i < post.length && ok; i++) ok = lineEq(p + i, post[i]);
      if (ok && (at === 0 || near(p, at))) at = p;
    }
    if (at) return `its new lines are already present at line ${at} (patch already applied?)`;
  }

  // Closest partial match.
  let best = 0;
  let bestScore = -1;
  const hi = Math.max(lo, N - patLines + 1);
  for (let p = lo; p <= hi; p++) {
    let score = 0;
    for (let i = 0; i < patLines; i++) {
      const k = p - 1 + i;
      if (k < N && lineEq(k + 1, pattern[i])) score++;
    }
    if (score > bestScore || (score === bestScore && near(p, best))) {
      bestScore = score;
      best = p;
    }
  }
  if (bestScore <= 0) {
    return `none of its ${patLines} context/removed lines is found in the text after line ${lo - 1}`;
  }
  let i = 0;
  while (i < patLines && best - 1 + i < N && lineEq(best + i, pattern[i])) i++;
  if (i >= patLines) {
    const suffix = h.lines.length - 1 - findLastIndex(h.lines, (l) => l.kind !== ' ');
    const why =
      prefix < suffix && h.oldStart <= 1
        ? 'it has fewer leading than trailing context lines, so (as in GNU patch) it may only apply at the start of the file'
        : suffix < prefix
          ? 'it has fewer trailing than leading context lines, so (as in GNU patch) it may only apply at the end of the file'
          : 'that place overlaps the previous hunk';
    return `its lines match at line ${best}, but ${why}`;
  }
  const kind = pattern[i].kind === '-' ? 'removed line' : 'context line';
  const k = best - 1 + i;
  let found = k < N ? show(inp[k]) : 'end of file';
  if (k < N && eq(inp[k], pattern[i].text)) {
    found += pattern[i].noNewline ? ' followed by more text (the patch says it ends the file without a newline)' : ' without a final newline';
  }
  return (
    `the closest match, at line ${best}, has ${bestScore} of its ${patLines} context/removed lines; ` +
    `line ${best + i} should be the ${kind} ${show(pattern[i].text)} (patch line ${pattern[i].patchLine}) but is ${found}`
  );
}

function findLastIndex<T>(a: T[], pred: (x: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (pred(a[i])) return i;
  return -1;
}

function countMinus(h: Hunk): number {
  let n = 0;
  for (const l of h.lines) if (l.kind === '-') n++;
  return n;
}

function show(s: string): string {
  return JSON.stringify(s.length > 80 ? s.slice(0, 77) + '...' : s);
}
