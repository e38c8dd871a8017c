// Words for the patch view's notes and the quick picks: commit messages, applied hunks, file
// names. Pure: no vscode import.
import type { PatchFileResult } from '../../engine/api/types';

/** Subject (first line) and body of a commit message. */
export function splitMessage(message: string): { subject: string; body: string | null } {
  const lines = message.replace(/\r\n/g, '\n').split('\n');
  const subject = (lines.shift() ?? '').trim();
  const body = lines.join('\n').trim();
  return { subject, body: body || null };
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** "14 of 14 hunks applied (#3 at offset +2, #5 with fuzz 1)". */
export function appliedSummary(applied: PatchFileResult['applied'], hunks: number): string {
  const extras = applied
    .filter((a) => a.offset || a.fuzz)
    .map((a) => `#${a.hunk + 1}${a.offset ? ` at offset ${a.offset > 0 ? '+' : ''}${a.offset}` : ''}${a.fuzz ? ` with fuzz ${a.fuzz}` : ''}`);
  return `${applied.length} of ${hunks} hunk${hunks === 1 ? '' : 's'} applied${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** Is this a patch document by its name (the `diff` language covers .patch, .diff, .rej)? */
export function isPatchName(path: string): boolean {
  return /\.(patch|diff)$/i.test(path);
}
