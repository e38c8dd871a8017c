// `kpr patch` and `kpr diff`: both sides of a change analysed and their verdicts compared.
// Exit 1 when the change introduces an error-level finding, 0 otherwise, 2 on bad input.
import * as path from 'node:path';
import { analyzePatch, analyzeSource, compareResults, type DiffResult, type FindingChange, type PatchResult } from '../engine';
import type { ParsedArgs } from './main';
import { analyzeOptions, readSource, UsageError } from './main';

/** One line per (status, rule, responsible call), naming every scenario it holds for. */
function changeLines(file: string, changes: FindingChange[]): string[] {
  const groups = new Map<string, FindingChange[]>();
  for (const c of changes) {
    const key = `${c.status}|${c.rule}|${c.severity}|${c.function}|${c.anchor}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((cs) => {
    const c = cs[0];
    const line = c.status === 'fixed' ? c.preLine : c.postLine;
    const where = c.status === 'fixed' ? `${file} (pre-image):${line}` : `${file}:${line}`;
    const scen = cs.map((x) => `${x.aops}/${x.caller}/${x.page}`);
    const shown = scen.length > 3 ? `${scen.slice(0, 3).join(', ')} and ${scen.length - 3} more` : scen.join(', ');
    return `${where}: ${c.status}: ${c.severity}: ${c.message} (in ${c.function}; scenarios: ${shown})${c.patchLine ? ` (patch line ${c.patchLine})` : ''} [${c.rule}]`;
  });
}

function summary(changes: FindingChange[]): string {
  const n = (s: string) => changes.filter((c) => c.status === s).length;
  return `${n('fixed')} fixed, ${n('introduced')} introduced, ${n('unchanged')} unchanged finding(s) over all scenario runs`;
}

function formatDiff(file: string, d: DiffResult): string {
  const lines = changeLines(file, d.changes.filter((c) => c.status !== 'unchanged'));
  lines.push(summary(d.changes));
  return `${lines.join('\n')}\n`;
}

function formatPatch(p: PatchResult): string {
  const out: string[] = [];
  if (p.subject) out.push(`patch: ${p.subject}`);
  if (p.mentionedFunctions.length) out.push(`functions named in the commit message: ${p.mentionedFunctions.join(', ')}`);
  for (const pr of p.problems) out.push(`patch:${pr.line}: error: ${pr.message}`);
  for (const s of p.skipped) out.push(`${s.path}: skipped (${s.reason})`);
  for (const f of p.files) {
    out.push('');
    const applied = f.applied.map((a) => `#${a.hunk + 1}${a.offset ? ` offset ${a.offset}` : ''}${a.fuzz ? ` fuzz ${a.fuzz}` : ''}`).join(', ');
    out.push(`${f.newPath}: ${f.applied.length} hunk(s) applied${applied ? ` (${applied})` : ''}`);
    out.push(...changeLines(f.newPath, f.changes.filter((x) => x.status !== 'unchanged')));
    out.push(summary(f.changes));
  }
  return `${out.join('\n')}\n`;
}

function introducesErrors(changes: FindingChange[]): boolean {
  return changes.some((c) => c.status === 'introduced' && c.severity === 'error');
}

export async function runPatchCommand(args: ParsedArgs, out: (s: string) => void): Promise<number> {
  const opts = analyzeOptions(args);
  const json = args.flags.has('--json');
  if (args.command === 'diff') {
    if (args.positional.length !== 2) throw new UsageError('diff takes PRE.c and POST.c');
    const [preFile, postFile] = args.positional;
    const pre = analyzeSource(readSource(preFile), preFile, opts);
    const post = analyzeSource(readSource(postFile), postFile, opts);
    const d = compareResults(pre, post);
    out(json ? `${JSON.stringify(d)}\n` : formatDiff(postFile, d));
    return introducesErrors(d.changes) ? 1 : 0;
  }
  if (args.positional.length !== 1) throw new UsageError('patch takes exactly one FILE.patch');
  const base = args.flags.get('--base')?.[0];
  const post = args.flags.get('--post')?.[0];
  if (!base === !post) throw new UsageError('patch needs exactly one of --base FILE.c (pre-image) or --post FILE.c (post-image)');
  const patchFile = args.positional[0];
  const patchText = readSource(patchFile);
  const srcFile = (base ?? post) as string;
  const srcText = readSource(srcFile);
  let used = false;
  const result = analyzePatch(
    patchText,
    (file) => {
      // One base file: it stands for the C file of the patch with the same name, or the only one.
      const wanted = path.basename(file.newPath !== '/dev/null' ? file.newPath : file.oldPath);
      if (used && wanted !== path.basename(srcFile)) return null;
      used = true;
      return { text: srcText, side: base ? 'pre' : 'post', name: srcFile };
    },
    opts,
  );
  if (json) {
    const f = result.files[0];
    out(`${JSON.stringify({ pre: f?.pre ?? null, post: f?.post ?? null, changes: result.files.flatMap((x) => x.changes), patch: { subject: result.subject, mentionedFunctions: result.mentionedFunctions, files: result.files.map((x) => ({ oldPath: x.oldPath, newPath: x.newPath, applied: x.applied })), skipped: result.skipped, problems: result.problems } })}\n`);
  } else {
    out(formatPatch(result));
  }
  if (result.files.length === 0) {
    process.stderr.write(`kpr: ${patchFile}: nothing to analyse${result.problems.length ? `: ${result.problems[0].message} (patch line ${result.problems[0].line})` : ''}\n`);
    return 2;
  }
  return introducesErrors(result.files.flatMap((x) => x.changes)) ? 1 : 0;
}
