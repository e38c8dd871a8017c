// The simulation panel's view model, built from a ScenarioResult: one table per writepage entry
// (callers as rows, page states as columns, like `kpr scenarios`), cell labels and worst severity,
// filters, and how a selection survives a re-run. Pure functions: no DOM, unit-tested under mocha.
import type {
  CallerId,
  Finding,
  OutcomeKind,
  PageStateId,
  PathSummary,
  RuleId,
  RunResult,
  ScenarioResult,
  Severity,
  TraceStep,
} from '../src/engine/api/types';
import { countFindings, findingKey, type FindingCounts } from '../src/engine/api/counts';
import { CALLER_IDS, KNOWN_RULES, PAGE_STATE_IDS, type CellKey, type PanelFilters, type PanelSelection } from '../src/shared/protocol';

/** Worst kept finding; 'muted' when the filters exclude the cell; 'absent' when it was not run. */
export type CellTone = 'error' | 'warning' | 'info' | 'clean' | 'muted' | 'absent';

export interface MatrixCell extends CellKey {
  /** The run behind this cell; undefined when the engine did not run this caller on this table. */
  run: RunResult | undefined;
  /** Short outcome labels, worst first ("BUG", "redirtied"). */
  outcomes: string[];
  /** Worst severity among the findings the filters keep (absent: no run). */
  tone: CellTone;
  /** Whether the filters keep this cell (a cell with no matching finding is dimmed). */
  matches: boolean;
  /** Rules of the findings the filters keep, distinct, in RULE order. */
  rules: RuleId[];
  /** Spoken description: scenario, outcomes with path counts, findings. */
  ariaLabel: string;
}

export interface MatrixTable {
  aops: string;
  entry: string;
  /** How each caller was set up for this table (its call chain, or what its write_begin holds). */
  callerNotes: Partial<Record<CallerId, string>>;
  /** The entry point of a caller that enters elsewhere than the table's ->writepage (write(2) → ->write_begin...). */
  callerEntries: Partial<Record<CallerId, string>>;
  /** Remarks about the table, e.g. why direct reclaim inside write_begin is not run on it. */
  notes: string[];
  /** "ext4_da_aops → ext4_da_writepage (line 198, data=ordered|writeback, delalloc)" */
  title: string;
  line: number;
  callers: CallerId[];
  pages: PageStateId[];
  /** rows[callerIndex][pageIndex] */
  rows: MatrixCell[][];
}

export interface MatrixModel {
  tables: MatrixTable[];
  /** Rule -> number of findings (rule × responsible call), over all runs (for the rule filter's options). */
  ruleCounts: Partial<Record<RuleId, number>>;
  /** The one count (src/engine/api/counts.ts), plus runs and paths. */
  totals: FindingCounts & { runs: number; paths: number };
}

const OUTCOME_LABEL: Record<OutcomeKind, string> = {
  bug: 'BUG',
  'data-lost': 'data lost',
  'returned-locked': 'returned locked',
  error: 'error',
  truncated: 'cut',
  redirtied: 'redirtied',
  written: 'written',
  'dropped-beyond-eof': 'eof-drop',
};
const OUTCOME_HINT: Partial<Record<OutcomeKind, string>> = {
  // write(2) (->write_begin then ->write_end), a write fault (->page_mkwrite), a helper: no page to write back.
  written: 'other entries than ->writepage(s): returned without an error',
  error: 'the entry returned an error',
  truncated: 'budget',
  'dropped-beyond-eof': 'page beyond EOF',
};
/** The legend of every outcome a cell can name, from the same labels the cells use. */
export function outcomeLegend(): string {
  const order: OutcomeKind[] = ['written', 'redirtied', 'dropped-beyond-eof', 'error', 'bug', 'data-lost', 'returned-locked', 'truncated'];
  return `outcomes: ${order.map((o) => (OUTCOME_HINT[o] ? `${OUTCOME_LABEL[o]} (${OUTCOME_HINT[o]})` : OUTCOME_LABEL[o])).join(', ')}`;
}
/** Worst first: what a kernel developer must look at before the rest. */
const OUTCOME_ORDER: OutcomeKind[] = ['bug', 'data-lost', 'returned-locked', 'error', 'truncated', 'redirtied', 'written', 'dropped-beyond-eof'];
const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];

export function outcomeLabel(o: OutcomeKind): string {
  return OUTCOME_LABEL[o] ?? o;
}

export function cellId(k: CellKey): string {
  return `${k.aops}/${k.caller}/${k.page}`;
}

/** Findings of a run that the filters keep. */
export function filteredFindings(run: RunResult, filters: PanelFilters): Finding[] {
  return run.findings.filter((f) => (filters.rule === 'all' || f.rule === filters.rule) && (filters.severity === 'all' || f.severity === filters.severity));
}

function worstTone(findings: Finding[]): CellTone {
  for (const s of SEVERITY_ORDER) if (findings.some((f) => f.severity === s)) return s;
  return 'clean';
}

export function cellOutcomes(run: RunResult): string[] {
  const out = OUTCOME_ORDER.filter((o) => (run.outcomes[o] ?? 0) > 0).map(outcomeLabel);
  if (run.truncated && !out.includes('cut')) out.push('cut');
  return out;
}

function buildCell(k: CellKey, run: RunResult | undefined, filters: PanelFilters): MatrixCell {
  const name = `${k.aops}, ${k.caller}, ${k.page}`;
  if (!run) {
    return { ...k, run, outcomes: [], tone: 'absent', matches: false, rules: [], ariaLabel: `${name}: not run (this caller does not apply to this table)` };
  }
  const kept = filteredFindings(run, filters);
  const filtering = filters.rule !== 'all' || filters.severity !== 'all';
  const rules = KNOWN_RULES.filter((r) => kept.some((f) => f.rule === r));
  const outcomes = cellOutcomes(run);
  const counted = OUTCOME_ORDER.filter((o) => (run.outcomes[o] ?? 0) > 0).map((o) => `${outcomeLabel(o)} on ${run.outcomes[o]} of ${run.paths} paths`);
  const bySeverity = SEVERITY_ORDER.map((s) => [s, kept.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const findingsText = bySeverity.length
    ? `${bySeverity.map(([s, n]) => `${n} ${s}${n > 1 ? 's' : ''}`).join(', ')} (${rules.join(', ')})`
    : filtering
      ? 'no finding matches the filters'
      : 'no findings';
  return {
    ...k,
    run,
    outcomes,
    tone: !filtering || kept.length > 0 ? worstTone(kept) : 'muted',
    matches: !filtering || kept.length > 0,
    rules,
    ariaLabel: `${name}: ${counted.join(', ')}${run.truncated ? ', cut by a budget' : ''}; ${findingsText}`,
  };
}

/** What the panel reads of an entry; `reclaimInWriteBegin` is absent from older results. */
interface TableHead {
  aops: string;
  writepage: string;
  line: number;
  mode: string | null;
  delalloc: boolean | null;
  reclaimInWriteBegin?: { applicable: boolean; note: string } | null;
  /** The rules' premises learnt from the file (absent from older results). */
  facts?: { lockOrder: FactView; orderedData: FactView; writebackCredits: FactView };
}

interface FactView {
  value: string | number;
  line: number | null;
  why: string;
}

/** One line naming the facts of the file the rules used for this table. */
export function factsNote(facts: TableHead['facts']): string | null {
  if (!facts) return null;
  const at = (f: FactView): string => `${f.value}${f.line ? ` (line ${f.line})` : ''}`;
  return `Facts of this file: lock order ${at(facts.lockOrder)}, ordered data ${at(facts.orderedData)}, writeback credits ${at(facts.writebackCredits)}`;
}

/** The caller's set-up note of a run (absent from older results). */
export function callerNote(run: RunResult): string | undefined {
  const n = (run as RunResult & { callerNote?: unknown }).callerNote;
  return typeof n === 'string' && n ? n : undefined;
}

/** The matrix for `result` under `filters`: tables in entry order, callers and pages in their canonical order. */
export function buildMatrix(result: ScenarioResult, filters: PanelFilters): MatrixModel {
  const tables: MatrixTable[] = [];
  const seen = new Set<string>();
  const entries: TableHead[] = [...result.entries];
  // A vm_operations_struct row (the write fault alone) is headed by its ->page_mkwrite.
  for (const f of result.faultEntries ?? []) entries.push({ aops: f.vmOps, writepage: f.pageMkwrite, line: f.pageMkwriteLine, mode: null, delalloc: null });
  // A table that ran but is missing from `entries` (should not happen) still gets shown.
  for (const r of result.runs) {
    if (!entries.some((e) => e.aops === r.aops)) entries.push({ aops: r.aops, writepage: r.entry, line: 0, mode: null, delalloc: null });
  }
  for (const e of entries) {
    if (seen.has(e.aops)) continue;
    seen.add(e.aops);
    const runs = result.runs.filter((r) => r.aops === e.aops);
    if (runs.length === 0) continue;
    const callers = CALLER_IDS.filter((c) => runs.some((r) => r.caller === c));
    const pages = PAGE_STATE_IDS.filter((p) => runs.some((r) => r.page === p));
    const rows = callers.map((caller) => pages.map((page) => buildCell({ aops: e.aops, caller, page }, runs.find((r) => r.caller === caller && r.page === page), filters)));
    const details = [e.line ? `line ${e.line}` : '', e.mode ? `data=${e.mode}` : '', e.delalloc ? 'delalloc' : ''].filter(Boolean).join(', ');
    const callerNotes: Partial<Record<CallerId, string>> = {};
    for (const c of callers) {
      const note = runs.filter((r) => r.caller === c).map(callerNote).find((n) => n);
      if (note) callerNotes[c] = note;
    }
    const callerEntries: Partial<Record<CallerId, string>> = {};
    for (const c of callers) {
      const names = [...new Set(runs.filter((r) => r.caller === c).map((r) => r.entry))].filter((n) => n && n !== e.writepage);
      if (names.length) callerEntries[c] = names.join(', ');
    }
    const notes: string[] = [];
    const fn = factsNote(e.facts);
    if (fn) notes.push(fn);
    const rwb = e.reclaimInWriteBegin;
    if (rwb && !rwb.applicable && !callers.includes('reclaim-in-write-begin')) notes.push(`reclaim-in-write-begin not run: ${rwb.note}`);
    tables.push({ aops: e.aops, entry: e.writepage, title: `${e.aops} → ${e.writepage}${details ? ` (${details})` : ''}`, line: e.line, callers, pages, rows, callerNotes, callerEntries, notes });
  }
  const ruleCounts: Partial<Record<RuleId, number>> = {};
  const totals = { ...countFindings(result), runs: result.runs.length, paths: 0 };
  const counted = new Set<string>();
  for (const r of result.runs) {
    totals.paths += r.paths;
    for (const f of r.findings) {
      const k = findingKey(f);
      if (counted.has(k)) continue;
      counted.add(k);
      ruleCounts[f.rule] = (ruleCounts[f.rule] ?? 0) + 1;
    }
  }
  return { tables, ruleCounts, totals };
}

export function findRun(result: ScenarioResult, k: CellKey): RunResult | undefined {
  return result.runs.find((r) => r.aops === k.aops && r.caller === k.caller && r.page === k.page);
}

/** The path to select first in a run: the first one that produced a finding, else the first. */
export function defaultPath(run: RunResult): PathSummary | undefined {
  return run.pathDetails.find((p) => p.rules.length > 0) ?? run.pathDetails[0];
}

/**
 * The step where the ->writepage entry itself starts (`enter <entry>` at depth 0): a page dirtied
 * through mmap first runs the table's set_page_dirty, which is set-up, not what the user selected.
 */
export function entryStep(trace: TraceStep[], entry: string): number {
  const i = trace.findIndex((s) => s.depth === 0 && s.function === entry && s.event.startsWith('enter '));
  return i >= 0 ? i : 0;
}

/** A selection for cell `k` with its default path at the entry's first step (pathId null if the run kept no paths). */
export function selectCell(result: ScenarioResult, k: CellKey): PanelSelection | null {
  const run = findRun(result, k);
  if (!run) return null;
  const path = defaultPath(run);
  return { aops: k.aops, caller: k.caller, page: k.page, pathId: path?.id ?? null, step: path ? entryStep(path.trace, run.entry) : 0 };
}

/**
 * The selection after a re-run: the same cell if it still exists; the same path id if that run
 * still has it (step clamped to its trace), else its default path at step 0; null when the cell is gone.
 */
export function reconcileSelection(result: ScenarioResult, sel: PanelSelection | null): PanelSelection | null {
  if (!sel) return null;
  const run = findRun(result, sel);
  if (!run) return null;
  const same = sel.pathId !== null ? run.pathDetails.find((p) => p.id === sel.pathId) : undefined;
  if (same) return { ...sel, step: Math.max(0, Math.min(sel.step, same.trace.length - 1)) };
  return selectCell(result, sel);
}

export function selectedPath(result: ScenarioResult, sel: PanelSelection | null): PathSummary | undefined {
  if (!sel || sel.pathId === null) return undefined;
  return findRun(result, sel)?.pathDetails.find((p) => p.id === sel.pathId);
}

/** Steps whose event reports a finding ("alloc-under-page-lock: …"), for "next finding". */
export function findingSteps(trace: TraceStep[]): number[] {
  const out: number[] = [];
  trace.forEach((s, i) => {
    const colon = s.event.indexOf(':');
    if (colon > 0 && (KNOWN_RULES as readonly string[]).includes(s.event.slice(0, colon))) out.push(i);
  });
  return out;
}

export function bufferText(step: TraceStep): string {
  if (!step.buffers) return 'no buffer_heads attached';
  if (step.buffers.length === 0) return 'none';
  return step.buffers.map((b) => `block ${b.block}: ${b.flags.length ? b.flags.join(' ') : '(no flags)'}`).join('; ');
}

/** One line for the editor's end-of-line note while stepping. */
export function stepNote(step: TraceStep, index: number, total: number): string {
  return `step ${index + 1}/${total}: ${step.event}`;
}

/** Moves from a matrix position by a key; rows are counted across all tables (tables stack vertically). */
export interface GridPos {
  table: number;
  row: number;
  col: number;
}

export function moveInGrid(model: MatrixModel, pos: GridPos, key: string, ctrl = false): GridPos | undefined {
  const t = model.tables[pos.table];
  if (!t) return undefined;
  const lastCol = t.pages.length - 1;
  switch (key) {
    case 'ArrowRight':
      return pos.col < lastCol ? { ...pos, col: pos.col + 1 } : pos;
    case 'ArrowLeft':
      return pos.col > 0 ? { ...pos, col: pos.col - 1 } : pos;
    case 'Home':
      return ctrl ? { table: 0, row: 0, col: 0 } : { ...pos, col: 0 };
    case 'End': {
      if (!ctrl) return { ...pos, col: lastCol };
      const lt = model.tables.length - 1;
      const last = model.tables[lt];
      return { table: lt, row: last.callers.length - 1, col: last.pages.length - 1 };
    }
    case 'ArrowDown': {
      if (pos.row < t.callers.length - 1) return { ...pos, row: pos.row + 1 };
      const next = model.tables[pos.table + 1];
      if (!next) return pos;
      return { table: pos.table + 1, row: 0, col: columnIn(next, t.pages[pos.col], pos.col) };
    }
    case 'ArrowUp': {
      if (pos.row > 0) return { ...pos, row: pos.row - 1 };
      const prev = model.tables[pos.table - 1];
      if (!prev) return pos;
      return { table: pos.table - 1, row: prev.callers.length - 1, col: columnIn(prev, t.pages[pos.col], pos.col) };
    }
    default:
      return undefined;
  }
}

/** The column of page `page` in `t`, or the nearest index when `t` lacks that page. */
function columnIn(t: MatrixTable, page: PageStateId, fallback: number): number {
  const i = t.pages.indexOf(page);
  return i >= 0 ? i : Math.min(fallback, t.pages.length - 1);
}

export function positionOf(model: MatrixModel, k: CellKey): GridPos | undefined {
  for (let ti = 0; ti < model.tables.length; ti++) {
    const t = model.tables[ti];
    if (t.aops !== k.aops) continue;
    const row = t.callers.indexOf(k.caller);
    const col = t.pages.indexOf(k.page);
    if (row >= 0 && col >= 0) return { table: ti, row, col };
  }
  return undefined;
}

// -- compact trace -------------------------------------------------------------------------------

const SIMPLE_ASSIGNMENT = /^[\w.>[\]-]+ = [^()]*$/;

function sameState(a: TraceStep, b: TraceStep): boolean {
  return a.pageLocked === b.pageLocked && a.handleOwner === b.handleOwner && a.creditsLeft === b.creditsLeft && JSON.stringify(a.buffers) === JSON.stringify(b.buffers);
}

/**
 * The steps a compact trace shows, by index: a statement that the next step repeats as its call
 * ("BUG_ON(x)" then "call BUG_ON(x)", "h = f()" then "call f()") is shown once;
 * an assignment without a call that changes no page, handle, credit or buffer state ("ret = 0",
 * "inode = inode") is folded. The first and last steps, forks, branch decisions, findings and every
 * change of state stay. Presentation only: the trace itself is unchanged.
 */
export function compactSteps(trace: TraceStep[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < trace.length; i++) {
    const s = trace[i];
    if (i === 0 || i === trace.length - 1 || /^[a-z]+(-[a-z]+)+: |^fork: /.test(s.event)) {
      out.push(i);
      continue;
    }
    const prev = trace[i - 1];
    const next = trace[i + 1];
    const changed = !sameState(prev, s);
    // "BUG_ON(x)" then "call BUG_ON(x)": the same call twice; "call X(...)" after "r = X(...)"
    // with the same text adds nothing either.
    if (!changed && next.line === s.line && next.function === s.function && next.event === `call ${s.event}`) continue;
    if (!changed && prev.line === s.line && prev.function === s.function && s.event.startsWith('call ') && prev.event.endsWith(` = ${s.event.slice(5)}`)) continue;
    if (!changed && SIMPLE_ASSIGNMENT.test(s.event)) continue;
    out.push(i);
  }
  return out;
}

/** The shown step nearest to `step` in direction `dir` (-1, +1), or `step` itself when it is shown and dir is 0. */
export function moveStep(shown: number[], step: number, dir: -1 | 0 | 1): number {
  if (shown.length === 0) return step;
  if (dir === 0) return shown.includes(step) ? step : shown.find((k) => k > step) ?? shown[shown.length - 1];
  if (dir > 0) return shown.find((k) => k > step) ?? shown[shown.length - 1];
  for (let k = shown.length - 1; k >= 0; k--) if (shown[k] < step) return shown[k];
  return shown[0];
}
