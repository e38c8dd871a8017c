// What the Problems panel shows on a patch file, as plain data: introduced findings on their `+`
// line (the finding's severity, or the user's kpr.diagnostics.severity override), fixed ones on
// their `-` line (Information, "fixed: ..."), hunks that do not apply and malformed patch text as
// errors on their line. One entry per (status, rule, function, anchor). No vscode import.
import type { PatchResult, RuleId, Severity } from '../../engine/api/types';
import type { SeverityOverride } from '../configSchema';
import type { ViewGroup } from '../../shared/patchProtocol';
import { groupChanges } from './viewModel';

export type SpecSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface PatchDiagnosticSpec {
  /** 1-based line of the patch file. */
  line: number;
  severity: SpecSeverity;
  message: string;
  /** A rule id (linked to docs/rules.md), or 'patch' for a problem of the patch itself. */
  code: RuleId | 'patch';
}

const ENGINE: Record<Severity, SpecSeverity> = { error: 'error', warning: 'warning', info: 'information' };

function scenarioText(g: ViewGroup): string {
  const names = g.scenarios.map((s) => `${s.aops}/${s.caller}/${s.page}`);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return `${names.length === 1 ? 'scenario' : `${names.length} scenarios`}: ${shown}`;
}

/**
 * `headerLines` maps a file's paths (old and new, as in the patch) to the patch line where its
 * section starts: a change whose line lies outside every hunk is placed there, saying so.
 */
export function patchDiagnosticSpecs(
  result: PatchResult,
  headerLines: ReadonlyMap<string, number>,
  overrides: Partial<Record<RuleId, SeverityOverride>> = {},
): PatchDiagnosticSpec[] {
  const out: PatchDiagnosticSpec[] = [];
  for (const p of result.problems) out.push({ line: Math.max(1, p.line), severity: 'error', message: p.message, code: 'patch' });
  for (const f of result.files) {
    const header = headerLines.get(f.newPath) ?? headerLines.get(f.oldPath) ?? 1;
    for (const g of groupChanges(f.changes)) {
      if (g.status === 'unchanged') continue;
      const o = overrides[g.rule] ?? 'default';
      if (o === 'off') continue;
      const severity: SpecSeverity = g.status === 'fixed' ? 'information' : o === 'default' ? ENGINE[g.severity] : o;
      const imageLine = g.status === 'fixed' ? g.preLine : g.postLine;
      const outside = g.patchLine === null ? ` (${g.status === 'fixed' ? 'pre' : 'post'}-image line ${imageLine ?? '?'} of ${f.newPath !== '/dev/null' ? f.newPath : f.oldPath}, outside the patch's hunks)` : '';
      out.push({
        line: g.patchLine ?? header,
        severity,
        message: `${g.status}: ${g.message} (in ${g.function}; ${scenarioText(g)})${outside}`,
        code: g.rule,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
