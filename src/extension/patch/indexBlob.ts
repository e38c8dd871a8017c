// The pre-image of a patch's file from its `index abc123..def456` line: the blob abc123 read from
// the git history of a workspace repository (`git cat-file blob`), through the Git extension's git.
import { execFile } from 'node:child_process';
import { gitApi } from './git';

/** The blob's text from the first workspace repository that has it; null when git is off or none has it. */
export async function readIndexBlob(hash: string): Promise<{ text: string; repository: string } | null> {
  let api;
  try {
    api = await gitApi();
  } catch {
    return null;
  }
  // The Git extension's API exposes the git it found (git.d.ts: API.git.path).
  const git = (api as unknown as { git?: { path?: string } }).git?.path ?? 'git';
  for (const repo of api.repositories) {
    const root = repo.rootUri.fsPath;
    const text = await new Promise<string | null>((resolve) =>
      execFile(git, ['-C', root, 'cat-file', 'blob', hash], { maxBuffer: 64 * 1024 * 1024, timeout: 10_000 }, (err, stdout) => resolve(err ? null : stdout)),
    );
    if (text !== null) return { text, repository: root };
  }
  return null;
}
