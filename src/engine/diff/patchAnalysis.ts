// Analyses both sides of a patch: the pre-image (the base, or the post-image reversed) and the
// post-image (the base patched), compares verdicts, and places changes on the patch's own lines.
import type { AnalyzeOptions, FindingChange, PatchFileResult, PatchProblem, PatchResult } from '../api/types';
import { analyzeSource } from '../analyze';
import { applyFilePatch, type ApplyResult, type FilePatch, hunkLabel, parsePatch, patchLineForNew, patchLineForOld, reverseApply } from '../patch';
import { compareResults } from './compare';

/** Why a file of the patch has no source: shown as its `skipped` reason. */
export interface NoSource {
  skip: string;
}

export interface PatchSource {
  /** Text of the file named by the patch, and which side of the patch it is. */
  text: string;
  side: 'pre' | 'post';
  /** Name shown in results. */
  name: string;
  /**
   * The patch's own pre-image (a git `index` blob): in a series it is used even when an earlier
   * patch changed the file, since commits between the two may have changed it too.
   */
  exact?: boolean;
}

function isC(path: string): boolean {
  return /\.(c|h)$/.test(path);
}

/** Identifiers (and globs such as ext4_*_writepage) in the commit message that name functions. */
export function mentionedFunctions(message: string, functions: Iterable<string>): string[] {
  const names = [...new Set(functions)];
  const out = new Set<string>();
  for (const m of message.matchAll(/[A-Za-z_][A-Za-z0-9_*]*(?:\(\))?/g)) {
    const word = m[0].replace(/\(\)$/, '');
    if (!/_/.test(word)) continue;
    if (word.includes('*')) {
      const re = new RegExp(`^${word.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[A-Za-z0-9_]*')}$`);
      for (const n of names) if (re.test(n)) out.add(n);
      // "write_page" in a glob often stands for "writepage"
      const loose = new RegExp(`^${word.replace(/_?page$/, 'page').split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[A-Za-z0-9_]*')}$`);
      for (const n of names) if (loose.test(n)) out.add(n);
    } else if (names.includes(word)) {
      out.add(word);
    }
  }
  return [...out];
}

export interface PatchHooks {
  /** Called with both images of each analysed file (a series applies the next patch to `post`). */
  images?: (file: FilePatch, path: string, pre: string, post: string) => void;
}

/**
 * `resolve(path)` returns the text of a file the patch touches (or null / a reason when not
 * available). Never throws on malformed patches: problems are located in the patch file.
 */
export function analyzePatch(patchText: string, resolve: (file: FilePatch) => PatchSource | NoSource | null, options: AnalyzeOptions = {}, hooks: PatchHooks = {}): PatchResult {
  const parsed = parsePatch(patchText);
  const result: PatchResult = { subject: parsed.subject, message: parsed.message, author: parsed.author, mentionedFunctions: [], files: [], skipped: [], problems: parsed.errors.map((e) => ({ line: e.line, message: e.message })) };
  if (parsed.files.length === 0 && result.problems.length === 0) result.problems.push({ line: 1, message: 'no file changes found in the patch (is it a unified diff?)' });
  const allFunctions = new Set<string>();
  for (const file of parsed.files) {
    const path = file.newPath !== '/dev/null' && file.newPath ? file.newPath : file.oldPath;
    if (file.isBinary) {
      result.skipped.push({ path, reason: 'binary change' });
      continue;
    }
    if (!isC(path)) {
      result.skipped.push({ path, reason: 'not a C file' });
      continue;
    }
    const src = resolve(file);
    if (!src || 'skip' in src) {
      result.skipped.push({ path, reason: src ? src.skip : 'no base file given for it' });
      continue;
    }
    let applied: ApplyResult;
    let preText: string;
    let postText: string;
    if (src.side === 'pre') {
      applied = applyFilePatch(src.text, file);
      preText = src.text;
      postText = applied.text;
    } else {
      applied = reverseApply(src.text, file);
      preText = applied.text;
      postText = src.text;
    }
    for (const f of applied.failed) result.problems.push({ line: f.patchLine, message: `${path}: ${f.message || `hunk #${f.hunk + 1} (${hunkLabel(file.hunks[f.hunk])}) does not apply`}` });
    const pre = analyzeSource(preText, `${src.name} (pre-image)`, options);
    const post = analyzeSource(postText, `${src.name} (post-image)`, options);
    hooks.images?.(file, path, preText, postText);
    const diff = compareResults(pre, post, { pre: preText, post: postText });
    for (const c of diff.changes) {
      c.patchLine = c.status === 'fixed' && c.preLine !== null ? patchLineForOld(applied, c.preLine) : c.status === 'introduced' && c.postLine !== null ? patchLineForNew(applied, c.postLine) : null;
    }
    pre.functions.forEach((f) => allFunctions.add(f.name));
    post.functions.forEach((f) => allFunctions.add(f.name));
    const fileResult: PatchFileResult = { ...diff, oldPath: file.oldPath, newPath: file.newPath, applied: applied.applied.map((a) => ({ hunk: a.hunk, offset: a.offset, fuzz: a.fuzz, oldLine: a.oldLine, newLine: a.newLine })) };
    result.files.push(fileResult);
  }
  result.mentionedFunctions = mentionedFunctions(`${parsed.subject ?? ''}\n${parsed.message ?? ''}`, allFunctions);
  const named = new Set(result.mentionedFunctions);
  for (const f of result.files) {
    for (const c of f.changes) c.mentioned = named.has(c.function) || named.has(c.entry);
    // Functions the message names first, then introduced, fixed, unchanged.
    f.changes.sort((a, b) => Number(!!b.mentioned) - Number(!!a.mentioned) || statusRank(a) - statusRank(b));
  }
  return result;
}

function statusRank(c: FindingChange): number {
  return c.status === 'introduced' ? 0 : c.status === 'fixed' ? 1 : 2;
}

export type { PatchProblem };
