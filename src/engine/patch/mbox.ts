// A series in one file: an mbox of `git format-patch` mails (or several `git show` outputs), cut
// at each `From <sha> <date>` / `commit <sha>` line; each part keeps its first line in the file.

export interface SeriesPart {
  text: string;
  /** 1-based line of the part's first line in the whole file. */
  line: number;
  /** The commit the part was made from, when its first line names one. */
  commit: string | null;
}

const FROM_LINE = /^From ([0-9a-f]{7,40}) (Mon|Tue|Wed|Thu|Fri|Sat|Sun) /;
const MBOX_FROM = /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) /;
const COMMIT_LINE = /^commit ([0-9a-f]{40})\b/;

/** The commit a format-patch mail or `git show` output was made from, or null. */
export function patchCommit(text: string): string | null {
  for (const l of text.split('\n', 40)) {
    const m = FROM_LINE.exec(l) ?? COMMIT_LINE.exec(l);
    if (m) return m[1];
    if (l.startsWith('diff ') || l.startsWith('--- ')) break;
  }
  return null;
}

/**
 * Cuts a file into its patches. A single patch gives one part. Lines that start a mail (`From `
 * separators; mbox escapes a body's "From " as ">From ") are cut points, and so is a `git show` /
 * `git log -p` `commit <sha>` line after a diff (a hunk line starts with ' ', '-', '+' or '\').
 * A cover letter is a part without a diff.
 */
export function splitSeries(text: string): SeriesPart[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let sawDiff = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const mail = FROM_LINE.test(l) || MBOX_FROM.test(l);
    const commit = COMMIT_LINE.test(l) && (starts.length === 0 || sawDiff);
    if (mail || commit) {
      starts.push(i);
      sawDiff = false;
    }
    if (l.startsWith('diff ') || l.startsWith('@@')) sawDiff = true;
  }
  if (starts.length <= 1) return [{ text, line: 1, commit: patchCommit(text) }];
  const parts: SeriesPart[] = [];
  if (starts[0] > 0 && lines.slice(0, starts[0]).some((l) => l.trim() !== '')) {
    // Text before the first mail (a cover note without a From line): kept as its own part.
    parts.push({ text: lines.slice(0, starts[0]).join('\n'), line: 1, commit: null });
  }
  for (let k = 0; k < starts.length; k++) {
    const body = lines.slice(starts[k], k + 1 < starts.length ? starts[k + 1] : lines.length).join('\n');
    parts.push({ text: body.endsWith('\n') || k + 1 === starts.length ? body : `${body}\n`, line: starts[k] + 1, commit: patchCommit(body) });
  }
  return parts;
}
