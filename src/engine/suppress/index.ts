// Suppressions, applied as a post-pass over a ScenarioResult (so they do not depend on how the
// findings were produced): `/* kpr-ignore rule-id: reason */` comments in the source and
// `suppressions` entries of the configuration file. A suppressed finding moves from
// `RunResult.findings` to `RunResult.suppressed` with where the suppression came from; a
// suppression without a reason or naming an unknown rule is a warning (docs/rules.md, "Suppressing").
import { type Finding, type InputDiagnostic, RULE_IDS, type RuleId, type RunResult, type ScenarioResult, type Suppression, type SuppressedFinding } from '../api/types';

/** A `kpr-ignore` comment found in the source. */
export interface SuppressionComment {
  line: number;
  column: number;
  rules: string[];
  reason: string;
  /** The comment is alone on its line: it applies to the next line. */
  standalone: boolean;
}

/** An entry of the configuration file's `suppressions`: matched by line-independent identity. */
export interface ConfigSuppression {
  rule: RuleId;
  /** The function that contains the responsible call. */
  function: string;
  /** Optional: the responsible call inside it (`Finding.anchor`, e.g. "ext4_get_blocks_wrap#0"). */
  anchor?: string;
  /** Optional: only for files whose path ends with this (relative paths, `/` separators). */
  file?: string;
  reason: string;
}

export interface SuppressOptions {
  config?: ConfigSuppression[];
  /** Path of the configuration file the entries came from (named in the results and messages). */
  configFile?: string | null;
}

const COMMENT = /(\/\*|\/\/)\s*kpr-ignore\b([^*\n]*?)(?:\*\/|$)/g;
const RULE_LIST = /^\s+([A-Za-z0-9_*-]+(?:\s*,\s*[A-Za-z0-9_*-]+)*)\s*(?::(.*))?$/;

/** Every `kpr-ignore` comment of a text (1-based lines and columns). */
export function findSuppressionComments(text: string): { comments: SuppressionComment[]; problems: InputDiagnostic[] } {
  const comments: SuppressionComment[] = [];
  const problems: InputDiagnostic[] = [];
  text.split('\n').forEach((lineText, i) => {
    COMMENT.lastIndex = 0;
    for (let m = COMMENT.exec(lineText); m; m = COMMENT.exec(lineText)) {
      const line = i + 1;
      const column = m.index + 1;
      const body = RULE_LIST.exec(m[2]);
      if (!body) {
        problems.push({ severity: 'warning', line, column, kind: 'suppression', message: 'kpr-ignore needs a rule id and a reason: /* kpr-ignore rule-id: reason */; nothing is suppressed' });
        continue;
      }
      const rules = body[1].split(',').map((r) => r.trim());
      const reason = (body[2] ?? '').trim();
      const before = lineText.slice(0, m.index).trim();
      const after = lineText.slice(m.index + m[0].length).trim();
      comments.push({ line, column, rules, reason, standalone: before === '' && after === '' });
    }
  });
  return { comments, problems };
}

function known(rule: string): rule is RuleId {
  return (RULE_IDS as readonly string[]).includes(rule);
}

function fileMatches(resultFile: string, pattern: string): boolean {
  const f = resultFile.replace(/\\/g, '/');
  const p = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  return f === p || f.endsWith(`/${p}`);
}

/** The lines a comment covers: its own line, or the next one when it stands alone. */
function commentCovers(c: SuppressionComment, f: Finding): boolean {
  if (c.standalone) return f.line === c.line + 1;
  return c.line >= f.line && c.line <= f.endLine;
}

/**
 * Applies the source's `kpr-ignore` comments and the configuration's suppressions. Returns a new
 * result (the input is not modified); problems with the suppressions are added as `suppression`
 * diagnostics. Never throws.
 */
export function applySuppressions(result: ScenarioResult, text: string, options: SuppressOptions = {}): ScenarioResult {
  const { comments, problems } = findSuppressionComments(text);
  const diagnostics: InputDiagnostic[] = [...result.diagnostics.filter((d) => d.kind !== 'suppression'), ...problems];
  const usable: SuppressionComment[] = [];
  for (const c of comments) {
    const bad = c.rules.filter((r) => !known(r));
    if (bad.length) diagnostics.push({ severity: 'warning', line: c.line, column: c.column, kind: 'suppression', message: `kpr-ignore names unknown rule${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (known: ${RULE_IDS.join(', ')})` });
    const good = c.rules.filter(known);
    if (good.length === 0) continue;
    if (!c.reason) diagnostics.push({ severity: 'warning', line: c.line, column: c.column, kind: 'suppression', message: `kpr-ignore ${good.join(', ')} without a reason: write why after a colon (/* kpr-ignore ${good[0]}: reason */); the finding is still suppressed` });
    usable.push({ ...c, rules: good });
  }
  const config = (options.config ?? []).filter((s) => !s.file || fileMatches(result.file, s.file));
  const where = options.configFile ?? 'the configuration file';
  for (const s of config) {
    if (!s.reason.trim()) diagnostics.push({ severity: 'warning', line: 1, column: 1, kind: 'suppression', message: `${where}: the suppression of ${s.rule} in ${s.function} has no reason; the finding is still suppressed` });
  }
  const usedComments = new Set<SuppressionComment>();
  const usedConfig = new Set<ConfigSuppression>();
  const match = (f: Finding): Suppression | null => {
    const c = usable.find((x) => x.rules.includes(f.rule) && commentCovers(x, f));
    if (c) {
      usedComments.add(c);
      return { kind: 'inSource', reason: c.reason, line: c.line, file: null };
    }
    const s = config.find((x) => x.rule === f.rule && x.function === f.function && (!x.anchor || x.anchor === f.anchor));
    if (s) {
      usedConfig.add(s);
      return { kind: 'external', reason: s.reason.trim(), line: null, file: options.configFile ?? null };
    }
    return null;
  };
  const runs: RunResult[] = result.runs.map((run) => {
    const findings: Finding[] = [];
    const suppressed: SuppressedFinding[] = [...(run.suppressed ?? [])];
    for (const f of run.findings) {
      const s = match(f);
      if (s) suppressed.push({ ...f, suppression: s });
      else findings.push(f);
    }
    return suppressed.length ? { ...run, findings, suppressed } : { ...run, findings };
  });
  for (const c of usable) {
    if (!usedComments.has(c)) diagnostics.push({ severity: 'info', line: c.line, column: c.column, kind: 'suppression', message: `kpr-ignore ${c.rules.join(', ')} matches no finding of the scenarios that ran` });
  }
  for (const s of config) {
    if (!usedConfig.has(s)) diagnostics.push({ severity: 'info', line: 1, column: 1, kind: 'suppression', message: `${where}: the suppression of ${s.rule} in ${s.function}${s.anchor ? ` at ${s.anchor}` : ''} matches no finding of the scenarios that ran` });
  }
  return { ...result, runs, diagnostics };
}

/** Every suppressed finding of a result, with its run. */
export function suppressedFindings(result: ScenarioResult): { run: RunResult; finding: SuppressedFinding }[] {
  return result.runs.flatMap((run) => (run.suppressed ?? []).map((finding) => ({ run, finding })));
}
