// Compiler-style text output for `kpr scenarios` and `kpr callbacks`, plus a compact matrix.
import type { Finding, RunResult, ScenarioResult } from '../engine';
import { countFindings, countsPhrase, findingKey, severityPhrase } from '../engine/api/counts';
import { filesystemPhrase } from '../engine/api/filesystem';
import { shortText } from '../engine/api/summary';

const OUTCOME_SHORT: Record<string, string> = {
  written: 'ok',
  redirtied: 'redirty',
  'dropped-beyond-eof': 'eof-drop',
  bug: 'BUG',
  'data-lost': 'LOST',
  'returned-locked': 'LOCKED',
  error: 'err',
  truncated: 'cut',
};

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** One entry per finding (rule × responsible call, src/engine/api/counts.ts), its worst variant, naming every scenario that reaches it. */
export function groupFindings(r: ScenarioResult): { f: Finding; runs: RunResult[] }[] {
  const groups = new Map<string, { f: Finding; runs: RunResult[] }>();
  for (const run of r.runs) {
    for (const f of run.findings) {
      const key = findingKey(f);
      const g = groups.get(key);
      if (!g) groups.set(key, { f, runs: [run] });
      else {
        if (!g.runs.includes(run)) g.runs.push(run);
        if (RANK[f.severity] < RANK[g.f.severity]) g.f = f;
      }
    }
  }
  return [...groups.values()].sort((a, b) => a.f.line - b.f.line || a.f.column - b.f.column || a.f.rule.localeCompare(b.f.rule));
}

export function scenarioName(run: RunResult): string {
  return `${run.aops}/${run.caller}/${run.page}`;
}

function cellText(run: RunResult): string {
  const outs = Object.keys(run.outcomes).map((o) => OUTCOME_SHORT[o] ?? o);
  const worst = run.findings.some((f) => f.severity === 'error') ? '!' : run.findings.length ? '~' : '';
  return `${worst}${outs.join('+')}${run.truncated ? '*' : ''}`;
}

export function formatScenarios(r: ScenarioResult): string {
  const lines: string[] = [];
  for (const d of r.diagnostics.filter((x) => x.severity !== 'info' || x.kind === 'budget')) {
    lines.push(`${r.file}:${d.line}:${d.column}: ${d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info'}: ${d.message} [input:${d.kind}]`);
  }
  // A short first line per finding (compiler style), the full message indented under it.
  for (const { f, runs } of groupFindings(r)) {
    const names = runs.map(scenarioName);
    const shown = names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
    lines.push(`${r.file}:${f.line}:${f.column}: ${f.severity}: ${shortText(f)} [${f.rule}]`);
    lines.push(`    ${f.message} (in ${f.function}; ${runs.length === 1 ? 'scenario' : `${runs.length} scenarios`}: ${shown})`);
  }
  const faults = r.faultEntries ?? [];
  if (r.entries.length === 0) lines.push(`${r.file}: note: no address_space_operations table with a .writepage found${faults.length ? `; the write fault runs ${faults.map((f) => `${f.vmOps}.page_mkwrite ${f.pageMkwrite}`).join(', ')}` : ''}`);
  // Matrix: one block per writepage entry (then per vm_operations_struct row), callers as rows, page states as columns.
  const pages = [...new Set(r.runs.map((x) => x.page))];
  const heads = [
    ...r.entries.map((e) => ({ aops: e.aops, writepage: e.writepage, title: `${e.aops} → ${e.writepage} (line ${e.line}${e.mode ? `, data=${e.mode}${e.delalloc ? ', delalloc' : ''}` : ''})` })),
    ...faults.map((f) => ({ aops: f.vmOps, writepage: f.pageMkwrite, title: `${f.vmOps} → ${f.pageMkwrite} (line ${f.pageMkwriteLine}, vm_operations_struct: data mode and delalloc not known)` })),
  ];
  for (const e of heads) {
    const runs = r.runs.filter((x) => x.aops === e.aops);
    if (runs.length === 0) continue;
    lines.push('');
    lines.push(e.title);
    const callers = [...new Set(runs.map((x) => x.caller))];
    // A caller that enters elsewhere than the table's ->writepage (write(2) → ->write_begin, a
    // helper called with its caller's handle) names its entry point in its row.
    const label = (c: string): string => {
      const entries = [...new Set(runs.filter((x) => x.caller === c).map((x) => x.entry))].filter((n) => n && n !== e.writepage);
      return entries.length ? `${c} → ${entries.join(', ')}` : c;
    };
    const w = Math.max(...callers.map((c) => label(c).length), 6);
    const cols = pages.filter((p) => runs.some((x) => x.page === p));
    const cw = cols.map((p) => Math.max(p.length, 8));
    lines.push(`  ${''.padEnd(w)}  ${cols.map((p, i) => p.padEnd(cw[i])).join('  ')}`);
    for (const c of callers) {
      const cells = cols.map((p, i) => {
        const run = runs.find((x) => x.caller === c && x.page === p);
        return (run ? cellText(run) : '-').padEnd(cw[i]);
      });
      lines.push(`  ${label(c).padEnd(w)}  ${cells.join('  ')}`);
    }
  }
  const c = countFindings(r);
  const sev = severityPhrase(c);
  lines.push('');
  lines.push(`${countsPhrase(c)}${sev ? ` (${sev})` : ''}; ${r.runs.length} scenario(s) run, ${r.runs.reduce((n, x) => n + x.paths, 0)} path(s)`);
  lines.push('legend: ok written (write(2), page fault, helper: returned without an error), redirty, BUG, LOST data lost, LOCKED returned locked, eof-drop, err returned an error, ! error finding, ~ warning, * cut by a budget, - not run');
  if (r.filesystem) lines.push(`the file ${filesystemPhrase(r.filesystem)}`);
  if (r.unmodelled.length) lines.push(`unmodelled calls (result assumed unknown): ${r.unmodelled.map((u) => `${u.name} (line ${u.line})`).join(', ')}`);
  lines.push(`parse ${r.timing.parseMs} ms, analysis ${r.timing.analysisMs} ms`);
  return `${lines.join('\n')}\n`;
}

export function formatCallbacks(r: ScenarioResult): string {
  const lines: string[] = [];
  for (const cb of r.callbacks) {
    lines.push(`${r.file}:${cb.line}:${cb.column}: get_block callback ${cb.name}`);
    const partial = cb.complete ? '' : ' (exploration cut by a budget: partial)';
    lines.push(`  passes create = ${cb.createValues.length ? cb.createValues.join(' | ') : '(no call of the allocation primitive seen)'} to the allocation primitive; ${cb.startsHandle ? 'can START a journal handle' : cb.complete ? 'never starts a journal handle' : 'no journal start seen'}${partial}`);
    for (const p of cb.passedTo) lines.push(`  passed to ${p.callee} at line ${p.line} (in ${p.function})`);
    const reach = [...new Set(cb.reachedFrom.map((x) => `${x.aops}.writepage ${x.writepage} via ${x.via}`))];
    lines.push(reach.length ? `  reached from: ${reach.join('; ')}` : '  not reached from any writepage scenario');
  }
  if (r.callbacks.length === 0) lines.push(`${r.file}: no get_block callbacks found`);
  return `${lines.join('\n')}\n`;
}
