// The text edits behind "suppress this finding" (code actions in VS Code and the language
// server): a `kpr-ignore` comment on its own line above the responsible call, or an entry in
// the configuration file. Pure: the callers apply the edits.
import type { RuleId } from '../api/types';
import type { ConfigSuppression } from './index';

/** The comment line to insert above `lineText` (same indentation); it applies to the next line. */
export function suppressionCommentLine(lineText: string, rule: RuleId, reason = ''): string {
  const indent = /^[\t ]*/.exec(lineText)?.[0] ?? '';
  return `${indent}/* kpr-ignore ${rule}: ${reason} */`;
}

/** Column (0-based) inside `suppressionCommentLine`'s result where the reason goes. */
export function reasonColumn(commentLine: string): number {
  return commentLine.lastIndexOf(' */');
}

/**
 * The configuration file's new text with one more suppression (the file is created when
 * `existing` is null). Unparsable text is not touched: null.
 */
export function configWithSuppression(existing: string | null, s: ConfigSuppression): string | null {
  let doc: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== '') {
    try {
      const parsed = JSON.parse(existing) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
      doc = parsed as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  const list = Array.isArray(doc.suppressions) ? [...(doc.suppressions as unknown[])] : [];
  const entry: Record<string, string> = { rule: s.rule, function: s.function };
  if (s.anchor) entry.anchor = s.anchor;
  if (s.file) entry.file = s.file;
  entry.reason = s.reason;
  const dup = list.some((x) => JSON.stringify(x) === JSON.stringify(entry));
  if (!dup) list.push(entry);
  return `${JSON.stringify({ ...doc, suppressions: list }, null, 2)}\n`;
}
