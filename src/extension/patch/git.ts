// The built-in Git extension's API (vscode.git, API version 1): only the members used here, typed
// after extensions/git/src/api/git.d.ts. Every failure to reach git ends as a GitUnavailable with
// a message that says what is missing.
import * as vscode from 'vscode';

export interface GitCommit {
  readonly hash: string;
  readonly message: string;
  readonly parents: string[];
  readonly authorDate?: Date;
  readonly authorName?: string;
  readonly authorEmail?: string;
}

/** Status of a Change (git.d.ts's enum Status; the values used here). */
export const GIT_STATUS = { INDEX_ADDED: 1, INDEX_DELETED: 2, INDEX_RENAMED: 3, MODIFIED: 5, DELETED: 6, UNTRACKED: 7, ADDED_BY_US: 11 } as const;

export interface GitChange {
  readonly uri: vscode.Uri;
  readonly originalUri: vscode.Uri;
  readonly renameUri: vscode.Uri | undefined;
  readonly status: number;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  show(ref: string, path: string): Promise<string>;
  getCommit(ref: string): Promise<GitCommit>;
  log(options?: { maxEntries?: number; path?: string }): Promise<GitCommit[]>;
  diffBetween(ref1: string, ref2: string): Promise<GitChange[]>;
}

export interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

export class GitUnavailable extends Error {}

/** The git API, initialised; throws GitUnavailable saying why not. */
export async function gitApi(): Promise<GitApi> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!ext) throw new GitUnavailable('the built-in Git extension (vscode.git) is not installed or is disabled');
  const exports = ext.isActive ? ext.exports : await ext.activate();
  if (!exports?.enabled) throw new GitUnavailable('Git is disabled in this window (setting git.enabled is off, or no git executable was found)');
  const api = exports.getAPI(1);
  if (api.state !== 'initialized') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve();
      }, 10_000);
      const sub = api.onDidChangeState((s) => {
        if (s !== 'initialized') return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
  }
  return api;
}

/**
 * `git show REF:PATH` failed: an error the user sees (the command's error message, not the
 * "git unavailable" warning), never an empty file in its place.
 */
export class GitShowFailed extends Error {}

/** The text of `path` at `ref`; a failing `git show` throws GitShowFailed naming both. */
export async function showText(repo: GitRepository, ref: string, path: string): Promise<string> {
  try {
    return await repo.show(ref, path);
  } catch (e) {
    const detail = ((e as { stderr?: string }).stderr ?? (e as Error).message ?? String(e)).trim().split('\n')[0];
    throw new GitShowFailed(`git show ${ref.slice(0, 12)}:${vscodeRelative(repo, path)} failed${detail ? `: ${detail}` : ''}`);
  }
}

function vscodeRelative(repo: GitRepository, p: string): string {
  const root = repo.rootUri.fsPath.replace(/\/+$/, '');
  return p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p;
}
