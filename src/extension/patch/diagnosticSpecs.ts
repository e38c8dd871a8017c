// What the Problems panel shows on a patch file, as plain data: introduced findings on their `+`
// line (the finding's severity, or the user's kpr.diagnostics.severity override), fixed ones on
// their `-` line (Information, "fixed: ..."), hunks that do not apply and malformed patch text as
// errors on their line. One entry per (status, rule, function, anchor), on the hunk line only (a
// change outside every hunk is in the patch view, not pinned to a `diff --git` line); a short
// message first, the full one as `detail`. No vscode import.
import type { PatchResult, RuleId, Severity } from '../../engine/api/types';
import type { SeverityOverride } from '../configSchema';
import type { ViewGroup } from '../../shared/patchProtocol';
import { firstClause } from '../../engine/api/summary';
import { groupChanges } from './viewModel';

export type SpecSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface PatchDiagnosticSpec {
  /** 1-based line of the patch file. */
  line: number;
  severity: SpecSeverity;
  message: string;
  /** The full message, with the scenarios (related information). */
  detail?: string;
  /** A rule id (linked to docs/rules.md), or 'patch' for a problem of the patch itself. */
  code: RuleId | 'patch';
}

const ENGINE: Record<Severity, SpecSeverity> = { error: 'error', warning: 'warning', info: 'information' };

function scenarioText(g: ViewGroup): string {
  const names = g.scenarios.map((s) => `${s.aops}/${s.caller}/${s.page}`);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return `${names.length === 1 ? 'scenario' : `${names.length} scenarios`}: ${shown}`;
}

/** `_headerLines` (a file's paths → the patch line of its section) is kept for callers; changes outside every hunk are not placed. */
export function patchDiagnosticSpecs(
  result: PatchResult,
  _headerLines: ReadonlyMap<string, number>,
  overrides: Partial<Record<RuleId, SeverityOverride>> = {},
): PatchDiagnosticSpec[] {
  const out: PatchDiagnosticSpec[] = [];
  for (const p of result.problems) out.push({ line: Math.max(1, p.line), severity: 'error', message: p.message, code: 'patch' });
  for (const f of result.files) {
    for (const g of groupChanges(f.changes)) {
      if (g.status === 'unchanged' || g.patchLine === null) continue;
      const o = overrides[g.rule] ?? 'default';
      if (o === 'off') continue;
      const severity: SpecSeverity = g.status === 'fixed' ? 'information' : o === 'default' ? ENGINE[g.severity] : o;
      out.push({
        line: g.patchLine,
        severity,
        message: `${g.status}: ${firstClause(g.message, 70)}`,
        detail: `${g.message} (in ${g.function}; ${scenarioText(g)})`,
        code: g.rule,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
