// `kpr series REV_RANGE --repo DIR`: every commit of the range that touches a matching C file,
// parent vs commit, on a worker pool; a per-commit table and each finding's story (the commit
// that introduced it, the one that fixed it). `--shard I/N` splits the range, `--merge` joins.
import { type AnalyzeOptions, buildStories, type FindingChange, type FindingStory, initEngine } from '../engine';
import { type OutputFormat, outputFormat, type ParsedArgs, positiveInt, single, ToolError, UsageError } from './args';
import { b4Line, githubLine, type Located, textLine } from './ciFormats';
import { type CommitInfo, GitRepo } from './git';
import { readInput } from './io';
import type { Io } from './patchCommands';
import { seriesSarif } from './sarif';
import { defaultJobs, runPool, type SeriesJob } from './seriesPool';

export interface SeriesFile {
  path: string;
  oldPath: string;
  /** git's A / M / D / R. */
  status: string;
  changes: FindingChange[];
  truncatedRuns: number;
  inputErrors: number;
}

export interface SeriesCommit {
  index: number;
  hash: string;
  parent: string | null;
  subject: string;
  author: string;
  date: string;
  files: SeriesFile[];
  note?: string;
}

export interface SeriesDoc {
  kind: 'kpr-series';
  version: 1;
  range: string;
  paths: string[];
  /** Commits of the whole range (all shards). */
  totalCommits: number;
  shard: { index: number; count: number } | null;
  commits: SeriesCommit[];
  stories: FindingStory[];
}

/** A path glob: `*` and `?` within a component, `**` across components. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const DEFAULT_GLOB = '**/*.c';

function parseShard(v: string | undefined): { index: number; count: number } | null {
  if (v === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard needs I/N with 1 <= I <= N, got "${v}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

export async function runSeries(args: ParsedArgs, opts: AnalyzeOptions, io: Io, wasmDir: string): Promise<number> {
  const format = outputFormat(args);
  if (args.flags.has('--merge')) {
    if (args.positional.length === 0) throw new UsageError('series --merge takes the shards\' JSON files');
    for (const f of ['--repo', '--path', '--jobs', '--shard']) if (args.flags.has(f)) throw new UsageError(`${f} does not go with --merge`);
    return emit(mergeShards(args.positional.map((f) => ({ name: f, text: readInput(f, 'JSON file') })), io), format, io);
  }
  if (args.positional.length !== 1) throw new UsageError('series takes one REV_RANGE (e.g. v2.6.26..v2.6.28)');
  const repoDir = single(args, '--repo');
  if (!repoDir) throw new UsageError('series needs --repo DIR (a git work tree or git directory)');
  const range = args.positional[0];
  const globs = args.flags.get('--path') ?? [DEFAULT_GLOB];
  const jobs = positiveInt(args, '--jobs') ?? defaultJobs();
  const shard = parseShard(single(args, '--shard'));
  const repo = new GitRepo(repoDir);
  const matchers = globs.map(globToRegExp);
  const all: CommitInfo[] = repo.commits(range, globs.map((g) => `:(glob)${g}`));
  const mine = all.map((c, index) => ({ c, index })).filter(({ index }) => !shard || index % shard.count === shard.index - 1);
  const commits: SeriesCommit[] = [];
  const pending: { commit: SeriesCommit; file: SeriesFile; pre: string; post: string }[] = [];
  for (const { c, index } of mine) {
    const sc: SeriesCommit = { index, hash: c.hash, parent: c.parents[0] ?? null, subject: c.subject, author: c.author, date: c.date, files: [] };
    commits.push(sc);
    if (!sc.parent) {
      sc.note = 'a root commit: no parent to compare with';
      continue;
    }
    for (const f of repo.changedFiles(sc.parent, c.hash)) {
      if (!/\.(c|h)$/.test(f.path) || !matchers.some((m) => m.test(f.path) || m.test(f.oldPath))) continue;
      const file: SeriesFile = { path: f.path, oldPath: f.oldPath, status: f.status, changes: [], truncatedRuns: 0, inputErrors: 0 };
      sc.files.push(file);
      pending.push({ commit: sc, file, pre: f.status === 'A' ? '' : `${sc.parent}:${f.oldPath}`, post: f.status === 'D' ? '' : `${c.hash}:${f.path}` });
    }
  }
  await initEngine(wasmDir);
  let next = 0;
  const jobIter: Iterator<SeriesJob> = {
    next: () => {
      if (next >= pending.length) return { done: true, value: undefined };
      const p = pending[next];
      const id = next++;
      const blob = (spec: string): string => {
        if (spec === '') return '';
        const t = repo.blob(spec);
        if (t === null) throw new ToolError(`git has no ${spec}`);
        return t;
      };
      return { done: false, value: { id, preText: blob(p.pre), postText: blob(p.post), preName: `${p.file.oldPath} (${p.commit.parent?.slice(0, 12)})`, postName: `${p.file.path} (${p.commit.hash.slice(0, 12)})`, options: opts } };
    },
  };
  await runPool(Math.min(jobs, Math.max(1, pending.length)), jobIter, wasmDir, (r) => {
    if (r.error !== undefined) throw new ToolError(`analysing ${pending[r.id].file.path} at ${pending[r.id].commit.hash.slice(0, 12)} failed: ${r.error}`);
    const f = pending[r.id].file;
    f.changes = r.changes.map((c) => ({ ...c, preLine: c.preLine, postLine: c.postLine }));
    f.truncatedRuns = r.truncatedRuns;
    f.inputErrors = r.inputErrors;
  });
  const doc: SeriesDoc = { kind: 'kpr-series', version: 1, range, paths: globs, totalCommits: all.length, shard, commits, stories: shard ? [] : buildStories(commits) };
  return emit(doc, format, io);
}

export function mergeShards(inputs: { name: string; text: string }[], io: Io): SeriesDoc {
  const docs: SeriesDoc[] = inputs.map(({ name, text }) => {
    let d: SeriesDoc;
    try {
      d = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${name}: not JSON (${(e as Error).message})`);
    }
    if (d?.kind !== 'kpr-series' || d.version !== 1 || !Array.isArray(d.commits)) throw new UsageError(`${name}: not the JSON of kpr series --json`);
    return d;
  });
  const range = docs[0].range;
  for (const [i, d] of docs.entries()) if (d.range !== range || d.totalCommits !== docs[0].totalCommits) throw new UsageError(`${inputs[i].name}: a shard of ${d.range} (${d.totalCommits} commits), not of ${range} (${docs[0].totalCommits} commits)`);
  const byIndex = new Map<number, SeriesCommit>();
  for (const d of docs) for (const c of d.commits) byIndex.set(c.index, c);
  const commits = [...byIndex.values()].sort((a, b) => a.index - b.index);
  if (commits.length !== docs[0].totalCommits) io.err(`kpr: the shards cover ${commits.length} of the range's ${docs[0].totalCommits} commits; stories may be incomplete\n`);
  return { kind: 'kpr-series', version: 1, range, paths: docs[0].paths, totalCommits: docs[0].totalCommits, shard: null, commits, stories: buildStories(commits) };
}

function short(h: string | null): string {
  return h ? h.slice(0, 12) : '-';
}

function storyLocated(doc: SeriesDoc, s: FindingStory): Located {
  const subj = (h: string | null): string => {
    const c = doc.commits.find((x) => x.hash === h);
    return c ? `${short(h)} "${c.subject}"` : short(h);
  };
  const cut = (h: string | null): string => (s.events.some((e) => e.commit === h && e.cut) ? ' (a budget cut runs of that commit: raise --paths, --steps or --time-ms)' : '');
  const intro = s.introducedBy ? `introduced by ${subj(s.introducedBy)}${cut(s.introducedBy)}` : s.presentBefore ? 'present before the range' : 'introduced before the range';
  const fixed = s.fixedBy ? `; fixed by ${subj(s.fixedBy)}${cut(s.fixedBy)}` : s.presentAtEnd ? '; still present' : '';
  const moves = s.events.filter((e) => e.kind === 'moved').map((e) => `; moved from ${e.from} by ${short(e.commit)}`).join('');
  return { file: s.path, line: s.line ?? 1, severity: s.presentAtEnd ? s.severity : 'info', message: `${s.presentAtEnd ? '' : 'fixed: '}${s.message} (in ${s.function}; ${intro}${fixed}${moves})`, rule: s.rule };
}

function emit(doc: SeriesDoc, format: OutputFormat, io: Io): number {
  const failing = doc.stories.filter((s) => s.presentAtEnd && s.introducedBy && s.severity === 'error');
  if (format === 'json') io.out(`${JSON.stringify(doc)}\n`);
  else if (format === 'sarif') io.out(`${JSON.stringify(seriesSarif(doc.stories, doc.range), null, 2)}\n`);
  else if (format === 'b4' || format === 'github') {
    const located = doc.stories.filter((s) => s.presentAtEnd && s.introducedBy).map((s) => storyLocated(doc, s));
    const lines = format === 'b4' ? located.map(b4Line).filter((l): l is string => l !== null) : located.map(githubLine);
    if (lines.length) io.out(`${lines.join('\n')}\n`);
  } else {
    const out: string[] = [];
    const files = doc.commits.reduce((n, c) => n + c.files.length, 0);
    out.push(`series ${doc.range}${doc.shard ? ` (shard ${doc.shard.index}/${doc.shard.count})` : ''}: ${doc.commits.length} commit(s) touching ${doc.paths.join(', ')}, ${files} file change(s) analysed`);
    out.push('commit        fixed intro unchanged  subject');
    for (const c of doc.commits) {
      const n = (s: string) => c.files.reduce((k, f) => k + f.changes.filter((x) => x.status === s).length, 0);
      const cut = c.files.reduce((k, f) => k + f.truncatedRuns, 0);
      out.push(`${short(c.hash)}  ${String(n('fixed')).padStart(5)} ${String(n('introduced')).padStart(5)} ${String(n('unchanged')).padStart(9)}  ${c.subject}${c.note ? ` (${c.note})` : ''}${cut ? ` (${cut} run(s) cut by a budget)` : ''}`);
    }
    if (doc.shard) out.push(`(a shard: merge the shards' --json with kpr series --merge for the findings' stories)`);
    else {
      out.push('', `findings of the range (${doc.stories.length}):`);
      out.push(...doc.stories.map((s) => textLine(storyLocated(doc, s))));
    }
    io.out(`${out.join('\n')}\n`);
  }
  return failing.length ? 1 : 0;
}
