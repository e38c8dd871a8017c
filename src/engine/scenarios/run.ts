// Runs one scenario (aops table × caller × page state) over every path and aggregates the
// findings, outcomes and a few full traces.
import type { Budgets, Finding, OutcomeKind, PathSummary, RuleId, RunResult } from '../api/types';
import { checkContract, type PathEndState } from '../checks/contract';
import type { AopsTable } from '../discovery';
import type { FunctionDef, TranslationUnit } from '../ir/ir';
import { type ChoiceLog, explore } from '../interp/explorer';
import { Interp, PathEnd } from '../interp/interpreter';
import { obj, type Value } from '../interp/values';
import type { World } from '../interp/world';
import { constants, modelTable } from '../models';
import { type CallerDef, callerFor } from './callers';
import type { PageStateDef } from './pages';
import { buildWorld } from './setup';
import { anchorFor } from '../diff/anchors';

export interface RunContext {
  unit: TranslationUnit;
  budgets: Budgets;
  deadline: number;
  maxPathDetails: number;
  nobh: boolean;
  /** Collected across runs: unmodelled names and get_block calls seen. */
  unmodelled: Map<string, { name: string; line: number; assumed: string }>;
  getBlockUses: { callback: string; via: string; aops: string; writepage: string }[];
}

interface PathRecord {
  world: World;
  outcome: OutcomeKind;
  description: string;
  choices: string[];
  returnValue: Value | null;
}

const MAX_TRACE = 4000;

function runPath(ctx: RunContext, table: AopsTable, entry: FunctionDef, caller: CallerDef, state: PageStateDef, log: ChoiceLog): PathRecord {
  const options = new Set(table.mount.options);
  if (ctx.nobh) options.add('NOBH');
  const world = buildWorld(state, callerFor(caller, table.facts), { dataMode: table.mount.dataMode, options }, MAX_TRACE);
  const interp = new Interp(ctx.unit, modelTable(), world, log, { stepsPerPath: ctx.budgets.stepsPerPath, callDepth: ctx.budgets.callDepth }, constants);
  const end: PathEndState = { ended: 'returned', why: '', returnValue: null, entry: entry.name, returnLoc: entry.loc };
  try {
    // A page dirtied through mmap went through the table's own ->set_page_dirty first.
    const setDirty = table.members.get('set_page_dirty');
    const setDirtyDef = setDirty ? ctx.unit.functions.get(setDirty) : undefined;
    if (state.viaMmap && setDirtyDef) {
      interp.run(setDirtyDef, [obj(world.page)]);
      world.page.dirtyFlag = false; // clear_page_dirty_for_io() before ->writepage
      world.page.redirtied = false;
    }
    end.returnValue = interp.run(entry, [obj(world.page), obj(world.wbc)]);
    const last = [...world.trace].reverse().find((s) => s.function === entry.name && s.depth === 0 && s.event.startsWith('return '));
    if (last) end.returnLoc = { line: last.line, column: last.column, endLine: last.line, endColumn: last.column + 6 };
  } catch (e) {
    if (!(e instanceof PathEnd)) throw e;
    end.ended = e.outcome === 'bug' ? 'bug' : 'truncated';
    end.why = e.why;
  }
  const { outcome, description } = checkContract(world, end);
  for (const [k, v] of world.unmodelled) if (!ctx.unmodelled.has(k)) ctx.unmodelled.set(k, v);
  for (const g of world.getBlockCalls) {
    if (!ctx.getBlockUses.some((u) => u.callback === g.callback && u.via === g.via && u.aops === table.name)) ctx.getBlockUses.push({ ...g, aops: table.name, writepage: entry.name });
  }
  return { world, outcome, description, choices: log.labels, returnValue: end.returnValue };
}

export function runScenario(ctx: RunContext, table: AopsTable, entry: FunctionDef, caller: CallerDef, state: PageStateDef): RunResult {
  const records: PathRecord[] = [];
  const { truncated } = explore(
    (log) => {
      const r = runPath(ctx, table, entry, caller, state, log);
      records.push(r);
      return null;
    },
    { maxPaths: ctx.budgets.pathsPerRun, deadline: ctx.deadline },
  );
  const findings = new Map<string, Finding>();
  const outcomes: Partial<Record<OutcomeKind, number>> = {};
  const summaries: (PathSummary & { weight: number })[] = [];
  records.forEach((r, i) => {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.outcome === 'truncated') truncated.push(`path ${i + 1}: ${r.description.replace(/^cut: /, '')}`);
    const rules = new Set<RuleId>();
    for (const f of r.world.findings) {
      rules.add(f.rule);
      const key = `${f.rule}|${f.function}|${f.loc.line}|${f.loc.column}`;
      if (!findings.has(key)) {
        findings.set(key, {
          rule: f.rule,
          severity: f.severity,
          line: f.loc.line,
          column: f.loc.column,
          endLine: f.loc.endLine,
          endColumn: f.loc.endColumn,
          function: f.function,
          message: f.message,
          stack: f.stack,
          anchor: anchorFor(ctx.unit, f.function, f.loc.line, f.loc.column),
          trace: r.world.trace.slice(0, f.traceLength),
        });
      } else if (f.severity === 'error' && findings.get(key)?.severity === 'warning') {
        const prev = findings.get(key) as Finding;
        findings.set(key, { ...prev, severity: 'error', message: f.message, trace: r.world.trace.slice(0, f.traceLength) });
      }
    }
    if (r.world.traceCut) truncated.push(`path ${i + 1}: trace longer than ${MAX_TRACE} steps; the rest was not recorded`);
    summaries.push({
      id: i + 1,
      outcome: r.outcome,
      description: r.description,
      choices: r.choices,
      returnValue: r.returnValue ? showValue(r.returnValue) : null,
      rules: [...rules],
      trace: r.world.trace,
      weight: rules.size * 10 + (r.outcome === 'written' ? 0 : 1),
    });
  });
  // Keep the paths with findings first, then the others, in exploration order.
  const kept = [...summaries].sort((a, b) => b.weight - a.weight || a.id - b.id).slice(0, ctx.maxPathDetails).sort((a, b) => a.id - b.id);
  return {
    aops: table.name,
    entry: entry.name,
    caller: caller.id,
    page: state.id,
    paths: records.length,
    truncated: truncated.length > 0,
    truncation: [...new Set(truncated)],
    outcomes,
    findings: [...findings.values()],
    callerNote: caller.id === 'reclaim-in-write-begin' && table.facts.reclaim ? table.facts.reclaim.note : caller.chain,
    pathDetails: kept.map(({ weight: _w, ...p }) => p),
  };
}

function showValue(v: Value): string {
  return v.k === 'int' ? v.v.toString() : v.k === 'err' ? `ERR_PTR(${v.errno})` : v.k;
}
