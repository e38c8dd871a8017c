// Line formats: compiler-style text lines of changes, `--format b4` (ERROR:/WARNING: lines,
// nothing on a pass) and `--format github` (workflow annotations). Every located line has the
// shape `FILE:LINE[:COL]: SEVERITY: MESSAGE [RULE]` that the `$kpr` problem matcher reads.
import type { FindingChange, ScenarioResult, Severity } from '../engine';
import { groupFindings, scenarioName } from './format';

/** The `$kpr` problem matcher's regexp (package.json holds the same text; a test checks both). */
export const PROBLEM_LINE = /^(?:ERROR: |WARNING: )?(.*?):(\d+)(?::(\d+))?: (error|warning|info): (.*) \[([a-z][a-z:-]*)\]$/;

export interface Located {
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  message: string;
  rule: string;
}

function sev(s: Severity): 'error' | 'warning' | 'info' {
  return s;
}

export function textLine(l: Located): string {
  return `${l.file}:${l.line}${l.column ? `:${l.column}` : ''}: ${sev(l.severity)}: ${l.message.replace(/\n/g, ' ')} [${l.rule}]`;
}

/** b4 / checkpatch style: only errors and warnings, prefixed. */
export function b4Line(l: Located): string | null {
  if (l.severity === 'info') return null;
  return `${l.severity === 'error' ? 'ERROR' : 'WARNING'}: ${textLine(l)}`;
}

function escData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escProp(s: string): string {
  return escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** A GitHub Actions workflow command (`::error file=…,line=…::message`). */
export function githubLine(l: Located): string {
  const cmd = l.severity === 'error' ? 'error' : l.severity === 'warning' ? 'warning' : 'notice';
  const props = [`file=${escProp(l.file)}`, `line=${l.line}`];
  if (l.column) props.push(`col=${l.column}`);
  if (l.endLine && l.endLine >= l.line) props.push(`endLine=${l.endLine}`);
  if (l.endColumn && l.endLine === l.line) props.push(`endColumn=${l.endColumn}`);
  props.push(`title=${escProp(`kpr ${l.rule}`)}`);
  return `::${cmd} ${props.join(',')}::${escData(l.message)}`;
}

function shown(names: string[], max = 3): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

/** Findings of `kpr scenarios`, one per (location, rule). */
export function scenarioLocated(r: ScenarioResult): Located[] {
  return groupFindings(r).map(({ f, runs }) => ({
    file: r.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    severity: f.severity,
    message: `${f.message} (in ${f.function}; scenarios: ${shown(runs.map(scenarioName), 4)})`,
    rule: f.rule,
  }));
}

/**
 * Introduced and fixed changes, one per (status, rule, responsible call). Introduced ones are at
 * their post-image line with their severity; fixed ones are `info`, at their `-` line of the patch
 * when there is one (`patchFile`), else at the pre-image line.
 */
export function changeLocated(file: string, changes: FindingChange[], patchFile: string | null, opts: { fixed?: boolean; unchanged?: boolean; preFile?: string } = {}): Located[] {
  const preFile = opts.preFile ?? file;
  const groups = new Map<string, FindingChange[]>();
  for (const c of changes) {
    if (c.status === 'fixed' && opts.fixed === false) continue;
    if (c.status === 'unchanged' && !opts.unchanged) continue;
    const key = `${c.status}|${c.rule}|${c.function}|${c.anchor}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((cs) => {
    const c = cs[0];
    const scen = shown([...new Set(cs.map((x) => `${x.aops}/${x.caller}/${x.page}`))]);
    const worst: Severity = cs.some((x) => x.severity === 'error') ? 'error' : cs.some((x) => x.severity === 'warning') ? 'warning' : 'info';
    if (c.status === 'fixed') {
      const atPatch = patchFile && c.patchLine;
      return {
        file: atPatch ? patchFile : preFile,
        line: (atPatch ? c.patchLine : c.preLine) ?? 1,
        severity: 'info',
        message: `fixed: ${c.message} (was ${worst} in ${c.function}${atPatch ? ` at line ${c.preLine} of the pre-image of ${file}` : opts.preFile ? '' : ' (line of the pre-image)'}; scenarios: ${scen})`,
        rule: c.rule,
      };
    }
    const moved = `${c.movedFrom ? `; moved from ${c.movedFrom}` : ''}${c.anchorFrom ? `; its call renamed from ${c.anchorFrom.replace(/#\d+$/, '')}` : ''}`;
    return {
      file,
      line: c.postLine ?? 1,
      severity: c.status === 'introduced' ? worst : 'info',
      message: `${c.status}: ${c.message} (in ${c.function}${moved}; scenarios: ${scen})${c.patchLine ? ` (patch line ${c.patchLine})` : ''}`,
      rule: c.rule,
    };
  });
}
