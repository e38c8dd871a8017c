// Runs one scenario (aops table × caller × page state) over every path, applies the rules to
// each path's events, and aggregates findings (with the assumptions they rest on), outcomes and
// a few full traces.
import type { Assumption, Budgets, Finding, OutcomeKind, PathSummary, RuleId, RunResult, TraceStep } from '../api/types';
import { checkPath, classifyPath, type PathInput, type RawFinding, type RuleFacts } from '../checks';
import { anchorFor } from '../diff/anchors';
import type { AopsTable } from '../discovery';
import type { FunctionDef, Loc, TranslationUnit } from '../ir/ir';
import { simulate } from '../interp/simulate';
import { obj, type Value } from '../interp/values';
import type { World } from '../interp/world';
import { type CallerDef, callerFor } from './callers';
import { entryArgs, type EntryPoint } from './entries';
import type { PageStateDef } from './pages';
import { buildWorld } from './setup';

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
  raws: RawFinding[];
  /** The path's trace with a `finding` step after each responsible step. */
  trace: TraceStep[];
  /** Trace index of each raw finding's own step. */
  findingSteps: number[];
}

const MAX_TRACE = 4000;

export function ruleFactsOf(table: AopsTable): RuleFacts {
  const info = table.facts.info;
  return {
    table: table.name,
    fileLockOrder: table.facts.fileLockOrder ?? 'unknown',
    lockOrder: info?.lockOrder.value ?? 'unknown',
    lockOrderLine: info?.lockOrder.line ?? null,
    orderedData: info?.orderedData.value ?? 'none',
    currentHandle: table.facts.fileCurrentHandle ?? { value: false, line: null, why: 'not learnt' },
  };
}

function returnLocOf(world: World, entry: FunctionDef): Loc {
  const last = [...world.trace].reverse().find((s) => s.function === entry.name && s.depth === 0 && s.kind === 'stmt' && s.event.startsWith('return'));
  return last ? { line: last.line, column: last.column, endLine: last.line, endColumn: last.column + 6 } : entry.loc;
}

/** The trace with a `finding` step inserted after each finding's responsible step. */
function withFindingSteps(trace: TraceStep[], raws: RawFinding[]): { trace: TraceStep[]; at: number[] } {
  const order = raws.map((r, i) => ({ r, i })).sort((a, b) => a.r.step - b.r.step);
  const out: TraceStep[] = [];
  const at: number[] = new Array(raws.length);
  let k = 0;
  for (let i = 0; i <= trace.length; i++) {
    while (k < order.length && order[k].r.step <= i) {
      const { r, i: idx } = order[k];
      const base = out[out.length - 1] ?? trace[0];
      out.push({ ...(base ?? { function: r.site.function, line: r.site.loc.line, column: r.site.loc.column, depth: 0, pageLocked: false, handleOwner: null, creditsLeft: null, buffers: null, event: '', kind: 'finding' }), event: `${r.rule}: ${r.message}`, kind: 'finding' });
      at[idx] = out.length;
      k++;
    }
    if (i < trace.length) out.push(trace[i]);
  }
  return { trace: out, at };
}

/** What the finding rests on: the guesses every path that produced it made the same way. */
function assumptionsOf(producers: { world: World; raw: RawFinding }[]): Assumption[] {
  let common: Map<string, Assumption> | null = null;
  for (const { world, raw } of producers) {
    const mine = new Map<string, Assumption>();
    for (const g of world.guesses.slice(0, raw.guesses)) mine.set(`${g.name}|${g.assumed}`, { name: g.name, line: g.line, assumed: g.assumed });
    if (common === null) common = mine;
    else for (const k of [...common.keys()]) if (!mine.has(k)) common.delete(k);
  }
  return common ? [...common.values()] : [];
}

export function runScenario(ctx: RunContext, table: AopsTable, ep: EntryPoint, callerDef: CallerDef, state: PageStateDef): RunResult {
  const entry = ep.fn;
  const base = callerFor(callerDef, table.facts);
  // A helper runs under the handle of the function of the file that calls it.
  const caller: CallerDef = base.entry === 'handle-helper' && base.handle && ep.handleOwner ? { ...base, chain: `${ep.handleOwner} (handle) → ${entry.name}`, handle: { ...base.handle, owner: ep.handleOwner, purpose: `${ep.handleOwner}'s own updates` } } : base;
  const facts = ruleFactsOf(table);
  const options = new Set(table.mount.options);
  if (ctx.nobh) options.add('NOBH');
  // Every mount configuration the file selects the table under is explored: the data modes as a
  // fork where the code asks (the journal commit writes ordered data only), NOBH both ways unless set.
  const modes = caller.id === 'jbd2-commit' ? ['ordered'] : (table.facts.modes ?? [table.mount.dataMode]);
  const maybe = new Set(ctx.nobh ? [] : ['NOBH']);
  const setDirty = table.members.get('set_page_dirty');
  const setDirtyDef = setDirty ? ctx.unit.functions.get(setDirty) : undefined;
  const records: PathRecord[] = [];
  const { truncated } = simulate(
    ctx.unit,
    entry,
    {
      world: () => {
        const w = buildWorld(state, caller, { dataMode: modes.includes(table.mount.dataMode) ? table.mount.dataMode : modes[0], options, modes, maybe }, MAX_TRACE);
        w.inode.mapping.set('a_ops', { k: 'global', name: table.name });
        // ->write_begin finds the page unlocked in the cache (or allocates it); ->prepare_write and
        // helpers get the page their caller grabbed and locked; ->writepage a locked page.
        if (caller.entry === 'write_begin' && !ep.prepare) w.page.locked = false;
        return w;
      },
      before: (world, interp) => {
        // A page dirtied through mmap went through the table's own ->set_page_dirty first.
        if (caller.entry === 'writepage' && state.viaMmap && setDirtyDef) {
          interp.run(setDirtyDef, [obj(world.page)]);
          world.page.dirtyFlag = false; // clear_page_dirty_for_io() before ->writepage
          world.page.redirtied = false;
        }
      },
      args: (world, interp) => entryArgs(entry, caller.entry, world, ep, caller.flags ?? 0, (why) => interp.unknown(why)),
    },
    { maxPaths: ctx.budgets.pathsPerRun, deadline: ctx.deadline, stepsPerPath: ctx.budgets.stepsPerPath, callDepth: ctx.budgets.callDepth },
    ({ world, end, log }) => {
      const input: PathInput = { world, events: world.events, end, entry: entry.name, entryKind: caller.entry, returnLoc: returnLocOf(world, entry), facts };
      const raws = checkPath(input);
      const { outcome, description } = classifyPath(input);
      const t = withFindingSteps(world.trace, raws);
      records.push({ world, outcome, description, choices: log.labels, returnValue: end.returnValue, raws, trace: t.trace, findingSteps: t.at });
      for (const [k, v] of world.unmodelled) if (!ctx.unmodelled.has(k)) ctx.unmodelled.set(k, v);
      for (const g of world.getBlockCalls) {
        if (!ctx.getBlockUses.some((u) => u.callback === g.callback && u.via === g.via && u.aops === table.name)) ctx.getBlockUses.push({ ...g, aops: table.name, writepage: entry.name });
      }
    },
  );
  const groups = new Map<string, { first: Finding; producers: { world: World; raw: RawFinding }[] }>();
  const outcomes: Partial<Record<OutcomeKind, number>> = {};
  const summaries: (PathSummary & { weight: number })[] = [];
  records.forEach((r, i) => {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.outcome === 'truncated') truncated.push(`path ${i + 1}: ${r.description.replace(/^cut: /, '')}`);
    const rules = new Set<RuleId>();
    r.raws.forEach((f, k) => {
      rules.add(f.rule);
      const key = `${f.rule}|${f.site.function}|${f.site.loc.line}|${f.site.loc.column}`;
      const g = groups.get(key);
      const finding: Finding = {
        rule: f.rule,
        severity: f.severity,
        line: f.site.loc.line,
        column: f.site.loc.column,
        endLine: f.site.loc.endLine,
        endColumn: f.site.loc.endColumn,
        function: f.site.function,
        message: f.message,
        summary: f.summary,
        assumptions: [],
        stack: f.site.stack,
        anchor: anchorFor(ctx.unit, f.site.function, f.site.loc.line, f.site.loc.column),
        trace: r.trace.slice(0, r.findingSteps[k]),
      };
      if (!g) groups.set(key, { first: finding, producers: [{ world: r.world, raw: f }] });
      else {
        g.producers.push({ world: r.world, raw: f });
        if (f.severity === 'error' && g.first.severity !== 'error') g.first = finding;
      }
    });
    if (r.world.traceCut) truncated.push(`path ${i + 1}: trace longer than ${MAX_TRACE} steps; the rest was not recorded`);
    summaries.push({
      id: i + 1,
      outcome: r.outcome,
      description: r.description,
      choices: r.choices,
      returnValue: r.returnValue ? showValue(r.returnValue) : null,
      rules: [...rules],
      trace: r.trace,
      weight: rules.size * 10 + (r.outcome === 'written' ? 0 : 1),
    });
  });
  const findings: Finding[] = [...groups.values()].map(({ first, producers }) => {
    const assumptions = assumptionsOf(producers.filter((p) => p.raw.severity === first.severity));
    if (assumptions.length === 0) return first;
    // A finding that holds only if unmodelled code returned what the path guessed is latent: a warning.
    const guessed = assumptions.map((a) => `${a.assumed} (line ${a.line})`).join('; ');
    return { ...first, severity: first.severity === 'error' ? 'warning' : first.severity, assumptions, message: `${first.message} — only if ${guessed}: not modelled, assumed` };
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
    findings,
    callerNote: callerNote(caller, table),
    pathDetails: kept.map(({ weight: _w, ...p }) => p),
  };
}

function callerNote(caller: CallerDef, table: AopsTable): string {
  if (caller.entry !== 'writepage') return caller.chain;
  if (caller.id === 'reclaim-in-write-begin' && table.facts.reclaim) return table.facts.reclaim.note;
  if (caller.id === 'da-writepages' && table.facts.info) return `${caller.chain}; ${table.facts.info.writebackCredits.why}`;
  return caller.chain;
}

function showValue(v: Value): string {
  return v.k === 'int' ? v.v.toString() : v.k === 'err' ? `ERR_PTR(${v.errno})` : v.k;
}
