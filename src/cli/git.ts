// git for the CLI (`--repo`, `kpr series`): a work tree or a bare git directory, read through
// `git cat-file`, `git log` and `git diff-tree`. A git that fails is a ToolError (exit 3).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ToolError } from './args';

export interface CommitInfo {
  hash: string;
  parents: string[];
  subject: string;
  author: string;
  date: string;
}

export interface ChangedFile {
  /** A, M, D, R (renamed), C, T... as git diff-tree prints it (without the score). */
  status: string;
  oldPath: string;
  path: string;
}

/** A git directory (bare or `.git`) rather than a work tree. */
function isGitDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'objects')) && !fs.existsSync(path.join(dir, '.git'));
}

export class GitRepo {
  private readonly base: string[];

  constructor(readonly dir: string) {
    if (!fs.existsSync(dir)) throw new ToolError(`--repo ${dir}: no such directory`);
    this.base = isGitDir(dir) ? [`--git-dir=${dir}`] : ['-C', dir];
    this.run(['rev-parse', '--git-dir'], `--repo ${dir} is not a git repository`);
  }

  /** git's stdout; a failure throws ToolError with `what` and git's first line of stderr. */
  private run(args: string[], what: string): string {
    const r = spawnSync('git', [...this.base, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: 'C', GIT_PAGER: 'cat' } });
    if (r.error) throw new ToolError(`${what}: cannot run git (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
    if (r.status !== 0) throw new ToolError(`${what}: git ${args[0]} failed: ${(r.stderr || '').trim().split('\n')[0] || `exit ${r.status}`}`);
    return r.stdout;
  }

  /** The blob's text, or null when the object (or path in a tree) does not exist. */
  blob(spec: string): string | null {
    const r = spawnSync('git', [...this.base, 'cat-file', 'blob', spec], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: 'C' } });
    if (r.error) throw new ToolError(`git cat-file blob ${spec}: cannot run git (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
    if (r.status === 0) return r.stdout;
    const msg = (r.stderr || '').trim();
    if (/not a valid object name|does not exist|bad file|exists on disk, but not in|fatal: path .* does not exist|Not a valid object|bad revision|ambiguous argument/i.test(msg)) return null;
    throw new ToolError(`git cat-file blob ${spec} failed: ${msg.split('\n')[0] || `exit ${r.status}`}`);
  }

  /** Non-merge commits of REV_RANGE, oldest first, limited to the pathspecs when given. */
  commits(range: string, pathspecs: string[]): CommitInfo[] {
    const out = this.run(['log', '--reverse', '--topo-order', '--no-merges', '-z', '--format=%H%x01%P%x01%s%x01%an <%ae>%x01%aI', range, '--', ...pathspecs], `kpr series ${range}`);
    return out
      .split('\0')
      .filter((s) => s.trim() !== '')
      .map((rec) => {
        const [hash, parents, subject, author, date] = rec.replace(/^\n/, '').split('\x01');
        return { hash, parents: parents ? parents.split(' ') : [], subject, author, date };
      });
  }

  /** Files changed between two commits (renames detected). */
  changedFiles(from: string, to: string): ChangedFile[] {
    const out = this.run(['diff-tree', '-r', '-M', '--no-commit-id', '--name-status', '-z', from, to], `git diff-tree ${from} ${to}`);
    const parts = out.split('\0').filter((s) => s !== '');
    const files: ChangedFile[] = [];
    for (let i = 0; i < parts.length; ) {
      const status = parts[i++].charAt(0);
      if (status === 'R' || status === 'C') {
        files.push({ status, oldPath: parts[i], path: parts[i + 1] });
        i += 2;
      } else {
        files.push({ status, oldPath: parts[i], path: parts[i] });
        i += 1;
      }
    }
    return files;
  }

  /** The full hash of a revision, or null when it does not name a commit. */
  resolveCommit(rev: string): string | null {
    const r = spawnSync('git', [...this.base, 'rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  }
}
