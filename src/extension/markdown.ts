// Markdown helpers for hovers: text from the analysed file is escaped, never interpreted.
// No vscode import.

/** Escapes Markdown (and HTML) syntax so file-derived text renders literally. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Inline code span that cannot be broken out of: uses a fence longer than any backtick run inside. */
export function code(s: string): string {
  const flat = s.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A `command:` link with JSON arguments; the label is escaped. */
export function commandLink(label: string, command: string, args: unknown[]): string {
  return `[${escapeMd(label)}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}
