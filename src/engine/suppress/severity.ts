// Severity per rule from the configuration, as a post-pass for the CLI and the language server
// (the VS Code extension applies it when it renders, so a change needs no re-run): 'off' drops a
// rule's findings, 'information' and 'hint' become 'info'.
import type { RuleId, ScenarioResult, Severity } from '../api/types';

export type SeverityOverride = 'default' | 'error' | 'warning' | 'information' | 'hint' | 'off';

const TO_ENGINE: Record<Exclude<SeverityOverride, 'default' | 'off'>, Severity> = { error: 'error', warning: 'warning', information: 'info', hint: 'info' };

export function applySeverityOverrides(result: ScenarioResult, overrides: Partial<Record<RuleId, SeverityOverride>>): ScenarioResult {
  if (Object.values(overrides).every((o) => !o || o === 'default')) return result;
  const runs = result.runs.map((run) => ({
    ...run,
    findings: run.findings.flatMap((f) => {
      const o = overrides[f.rule] ?? 'default';
      if (o === 'off') return [];
      return o === 'default' ? [f] : [{ ...f, severity: TO_ENGINE[o] }];
    }),
  }));
  return { ...result, runs };
}
