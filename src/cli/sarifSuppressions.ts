// SARIF `suppressions` for findings a kpr-ignore comment or the config file suppressed
// (src/engine/suppress): they stay in the log, marked, as SARIF 2.1.0 §3.27.23 asks.
import type { Finding, ScenarioResult, SuppressedFinding } from '../engine';

/** The result with each run's suppressed findings in place of its findings. */
export function suppressedView(r: ScenarioResult): ScenarioResult {
  return { ...r, runs: r.runs.map((run) => ({ ...run, findings: run.suppressed ?? [] })) };
}

/** `{ suppressions: [...] }` for a suppressed finding, `{}` otherwise. */
export function sarifSuppressions(f: Finding): { suppressions?: object[] } {
  const s = (f as Partial<SuppressedFinding>).suppression;
  if (!s) return {};
  const location = s.kind === 'inSource' ? `kpr-ignore comment at line ${s.line}` : `suppressions of ${s.file ?? 'the configuration file'}`;
  return { suppressions: [{ kind: s.kind, status: 'accepted', justification: s.reason || `(no reason given; ${location})`, properties: { location } }] };
}
