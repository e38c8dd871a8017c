// `kpr patch` and `kpr diff`: both sides of a change analysed and their verdicts compared.
// Exit 1 when the change introduces an error-level finding, 0 otherwise (and for a patch with no
// C file: "not applicable"), 2 on a usage error, 3 when an input cannot be read or git fails.
import { analyzePatchSeries, analyzeSource, compareResults, type FindingChange, type PatchFileResult, type SeriesPatchResult } from '../engine';
import { parsePatch, splitSeries } from '../engine/patch';
import { type OutputFormat, outputFormat, type ParsedArgs, ToolError, UsageError } from './args';
import { filePath, isCPath, makeResolver } from './bases';
import { b4Line, changeLocated, githubLine, type Located, textLine } from './ciFormats';
import { GitRepo } from './git';
import { readInput } from './io';
import { changesSarif } from './sarif';
import type { AnalyzeOptions } from '../engine';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function summary(changes: FindingChange[]): string {
  const n = (s: string) => changes.filter((c) => c.status === s).length;
  return `${n('fixed')} fixed, ${n('introduced')} introduced, ${n('unchanged')} unchanged finding(s) over all scenario runs`;
}

export function introducesErrors(changes: FindingChange[]): boolean {
  return changes.some((c) => c.status === 'introduced' && c.severity === 'error');
}

function lines(format: OutputFormat, located: Located[]): string[] {
  if (format === 'b4') return located.map(b4Line).filter((l): l is string => l !== null);
  if (format === 'github') return located.map(githubLine);
  return located.map(textLine);
}

export async function runDiff(args: ParsedArgs, opts: AnalyzeOptions, io: Io): Promise<number> {
  const format = outputFormat(args);
  if (args.positional.length !== 2) throw new UsageError('diff takes PRE.c and POST.c');
  const [preFile, postFile] = args.positional;
  if (preFile === '-' && postFile === '-') throw new UsageError('diff: only one of PRE.c and POST.c can be "-" (stdin)');
  const preText = readInput(preFile, 'C file');
  const postText = readInput(postFile, 'C file');
  const pre = analyzeSource(preText, preFile, opts);
  const post = analyzeSource(postText, postFile, opts);
  const d = compareResults(pre, post, { pre: preText, post: postText });
  if (format === 'json') io.out(`${JSON.stringify(d)}\n`);
  else if (format === 'sarif') io.out(`${JSON.stringify(changesSarif([{ path: postFile, pre, post, changes: d.changes }]), null, 2)}\n`);
  else {
    const located = changeLocated(postFile, d.changes, null, { fixed: format === 'text', preFile });
    const out = lines(format, located);
    if (format === 'text') out.push(summary(d.changes));
    if (out.length) io.out(`${out.join('\n')}\n`);
  }
  return introducesErrors(d.changes) ? 1 : 0;
}

interface PatchDoc {
  /** 1-based line of this patch in the input (1 for a single patch). */
  line: number;
  commit: string | null;
  subject: string | null;
  mentionedFunctions: string[];
  files: (Omit<PatchFileResult, 'oldPath' | 'newPath'> & { path: string; oldPath: string; newPath: string })[];
  changes: (FindingChange & { path: string })[];
  notAnalysed: { path: string; reason: string }[];
  problems: { line: number; message: string }[];
  notApplicable: boolean;
}

function patchDoc(s: SeriesPatchResult): PatchDoc {
  const r = s.result;
  const offset = s.part.line - 1;
  const files = r.files.map((f) => ({ path: filePath(f as never), ...f, changes: f.changes.map((c) => ({ ...c, patchLine: c.patchLine ? c.patchLine + offset : c.patchLine })) }));
  return {
    line: s.part.line,
    commit: s.part.commit,
    subject: r.subject,
    mentionedFunctions: r.mentionedFunctions,
    files,
    changes: files.flatMap((f) => f.changes.map((c) => ({ ...c, path: f.path }))),
    notAnalysed: r.skipped,
    problems: r.problems.map((p) => ({ line: p.line + offset, message: p.message })),
    notApplicable: r.files.length === 0 && !r.skipped.some((k) => isCPath(k.path)) && r.problems.length === 0,
  };
}

function formatPatchText(d: PatchDoc, patchName: string, format: OutputFormat, many: boolean): string[] {
  const out: string[] = [];
  if (format === 'text') {
    if (many || d.subject) out.push(`patch${many ? ` at line ${d.line}` : ''}: ${d.subject ?? '(no subject)'}`);
    if (d.mentionedFunctions.length) out.push(`functions named in the commit message: ${d.mentionedFunctions.join(', ')}`);
    if (d.notApplicable) out.push(`not applicable: the patch changes no C file`);
    for (const s of d.notAnalysed) out.push(`${s.path}: not analysed: ${s.reason}`);
  }
  for (const pr of d.problems) out.push(...lines(format, [{ file: patchName, line: pr.line, severity: 'error', message: pr.message, rule: 'input:patch' }]));
  for (const f of d.files) {
    if (format === 'text') {
      out.push('');
      const applied = f.applied.map((a) => `#${a.hunk + 1}${a.offset ? ` offset ${a.offset}` : ''}${a.fuzz ? ` fuzz ${a.fuzz}` : ''}`).join(', ');
      out.push(`${f.path}: ${f.applied.length} hunk(s) applied${applied ? ` (${applied})` : ''}`);
    }
    out.push(...lines(format, changeLocated(f.path, f.changes, patchName === '-' ? null : patchName, { fixed: format === 'text' })));
    if (format === 'text') out.push(summary(f.changes));
  }
  return out;
}

export async function runPatch(args: ParsedArgs, opts: AnalyzeOptions, io: Io): Promise<number> {
  const format = outputFormat(args);
  if (args.positional.length !== 1) throw new UsageError('patch takes exactly one FILE.patch (or - for stdin)');
  const bases = args.flags.get('--base') ?? [];
  const posts = args.flags.get('--post') ?? [];
  const tree = args.flags.get('--tree')?.[0];
  const repoDir = args.flags.get('--repo')?.[0];
  if ((args.flags.get('--tree')?.length ?? 0) > 1 || (args.flags.get('--repo')?.length ?? 0) > 1) throw new UsageError('give --tree and --repo at most once');
  if (!bases.length && !posts.length && !tree && !repoDir) throw new UsageError('patch needs a base: --base FILE.c (pre-image), --post FILE.c (post-image), --tree DIR or --repo DIR');
  const patchName = args.positional[0];
  const text = readInput(patchName, 'patch');
  const repo = repoDir ? new GitRepo(repoDir) : undefined;
  const parts = splitSeries(text);
  const cPaths = [...new Set(parts.flatMap((p) => parsePatch(p.text).files.map(filePath).filter(isCPath)))];
  const resolve = makeResolver(cPaths, { bases, posts, tree, repo });
  const results = analyzePatchSeries(text, (file, part) => resolve(file, part), opts);
  const docs = results.map(patchDoc);
  if (docs.every((d) => d.files.length === 0 && d.notAnalysed.length === 0) && docs.every((d) => d.problems.length > 0)) {
    throw new UsageError(`${patchName === '-' ? 'standard input' : patchName}: not a patch: ${docs[0].problems[0]?.message ?? 'no file changes'} (line ${docs[0].problems[0]?.line ?? 1})`);
  }
  const many = docs.length > 1;
  if (format === 'json') {
    const one = (d: PatchDoc) => ({ ...d, pre: d.files[0]?.pre ?? null, post: d.files[0]?.post ?? null });
    io.out(`${JSON.stringify(many ? { patches: docs.map(one) } : one(docs[0]))}\n`);
  } else if (format === 'sarif') {
    io.out(`${JSON.stringify(changesSarif(docs.flatMap((d) => d.files.map((f) => ({ path: f.path, pre: f.pre, post: f.post, changes: f.changes })))), null, 2)}\n`);
  } else {
    const out = docs.flatMap((d, i) => [...(i > 0 && format === 'text' ? [''] : []), ...formatPatchText(d, patchName, format, many)]);
    if (out.length) io.out(`${out.join('\n')}\n`);
  }
  for (const d of docs) {
    for (const s of d.notAnalysed) if (isCPath(s.path)) io.err(`kpr: ${s.path}: not analysed: ${s.reason}\n`);
    if (d.notApplicable) io.err(`kpr: ${many ? `patch at line ${d.line}` : patchName}: not applicable: it changes no C file\n`);
  }
  const analysed = docs.reduce((n, d) => n + d.files.length, 0);
  const wanted = docs.reduce((n, d) => n + d.notAnalysed.filter((s) => isCPath(s.path)).length, 0);
  if (analysed === 0 && wanted > 0) {
    if (tree || repo) throw new ToolError(`no C file of the patch could be analysed from ${[tree && `--tree ${tree}`, repo && `--repo ${repo.dir}`].filter(Boolean).join(' or ')}`);
    throw new UsageError('no C file of the patch has a base: bind one with --base FILE (by path or name)');
  }
  return docs.some((d) => introducesErrors(d.changes)) ? 1 : 0;
}
