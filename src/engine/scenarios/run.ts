// Runs one scenario (aops table × caller × page state) over every path, applies the rules to
// each path's events, and aggregates findings (with the assumptions they rest on), outcomes and
// a few full traces.
import type { Assumption, Budgets, Finding, OutcomeKind, PathSummary, RuleId, RunResult, TraceStep } from '../api/types';
import { checkPath, classifyPath, type PathInput, type RawFinding, type RuleFacts } from '../checks';
import { anchorFor } from '../diff/anchors';
import type { AopsTable } from '../discovery';
import type { FunctionDef, Loc, TranslationUnit } from '../ir/ir';
import { type SimEnd, type SimSetup, simulate, simulateOne } from '../interp/simulate';
import type { ExploreOrder } from '../interp/explorer';
import { obj, type Value } from '../interp/values';
import type { KernelEra, World } from '../interp/world';
import { type CallerDef, callerFor } from './callers';
import { entryArgs, type EntryPoint } from './entries';
import { invalidateOffset, prepareForEntry } from './entryState';
import { type Stall, stallStep } from '../checks/writebackNoProgress';
import type { PageStateDef } from './pages';
import { guessFree, questionsOf } from './guessFree';
import { buildWorld } from './setup';

export interface RunContext {
  unit: TranslationUnit;
  budgets: Budgets;
  deadline: number;
  maxPathDetails: number;
  nobh: boolean;
  /** The kernel releases the file's interfaces date it to (World.kernelEra). */
  kernelEra: KernelEra;
  /** Collected across runs: unmodelled names and get_block calls seen. */
  unmodelled: Map<string, { name: string; line: number; assumed: string }>;
  getBlockUses: { callback: string; via: string; aops: string; writepage: string }[];
  /** Writepage runs whose every path redirtied without I/O (writeback-no-progress reads them together). */
  stalls: Stall[];
  /** When set, collects the name of every function a path of the run enters (incremental/session.ts reads them). */
  entered?: Set<string>;
  /** 'on-demand': kept paths hold their choices, not their trace (AnalyzeOptions.pathTraces). */
  pathTraces?: 'recorded' | 'on-demand';
}

const MAX_TRACE = 4000;

/** The data modes of ext3/ext4 (Documentation/filesystems/ext4.txt): those a row of unknown mount may run under. */
const DATA_MODES = ['ordered', 'writeback', 'journal'] as const;

/** Whether an O_DIRECT write can reach the table's pages, and how that is known (World.directIo). */
function directIoOf(table: AopsTable): World['directIo'] {
  const fn = table.members.get('direct_IO');
  if (table.ops === 'address_space_operations') return fn ? { why: `${table.name}.direct_IO = ${fn}`, guess: false } : null;
  return { why: `${table.name}'s address_space_operations are in another file: whether they have ->direct_IO is not known here`, guess: true };
}

export function ruleFactsOf(table: AopsTable): RuleFacts {
  const info = table.facts.info;
  return {
    table: table.name,
    fileLockOrder: table.facts.fileLockOrder ?? 'unknown',
    lockOrder: info?.lockOrder.value ?? 'unknown',
    lockOrderLine: info?.lockOrder.line ?? null,
    orderedData: info?.orderedData.value ?? 'none',
    currentHandle: table.facts.fileCurrentHandle ?? { value: false, line: null, why: 'not learnt' },
    journal: table.facts.fileJournal ?? { value: true, line: null, why: 'not learnt' },
  };
}

/** The entry's last `return` statement on the path, as its trace would show it (World.lastReturn), else the function. */
function returnLocOf(world: World, entry: FunctionDef): Loc {
  const last = world.lastReturn;
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

/** The guesses a path made before a finding, as assumptions keyed by (name, assumed value). */
function guessesOf(world: World, raw: RawFinding): Map<string, Assumption> {
  const mine = new Map<string, Assumption>();
  for (const g of world.guesses.slice(0, raw.guesses)) mine.set(`${g.name}|${g.assumed}`, { name: g.name, line: g.line, assumed: g.assumed });
  return mine;
}

/** Keeps in `common` only what `mine` holds too (the guesses every producer made the same way). */
function intersect(common: Map<string, Assumption>, mine: Map<string, Assumption>): void {
  for (const k of [...common.keys()]) if (!mine.has(k)) common.delete(k);
}

/**
 * A finding being folded over the run's paths: the finding shown (the first, or the first error),
 * and per severity what every path that produced it at that severity assumed.
 */
interface FindingGroup {
  first: Finding;
  common: Map<string, Map<string, Assumption>>;
  /** Per severity, every guess some producer made (shown when no one guess is common to all). */
  any: Map<string, Map<string, Assumption>>;
  /** Per severity, each producing path's guesses as question → answer (guessFree reads them). */
  producers: Map<string, Map<string, string>[]>;
}


/** What every path of one scenario starts from: its entry, caller, facts, and the simulation's setup. */
interface ScenarioSetup {
  entry: FunctionDef;
  caller: CallerDef;
  facts: RuleFacts;
  /** A driver (write(2)'s generic_perform_write) runs in place of the entry and calls it. */
  root: FunctionDef;
  setup: SimSetup;
}

function scenarioSetup(ctx: RunContext, table: AopsTable, ep: EntryPoint, callerDef: CallerDef, state: PageStateDef): ScenarioSetup {
  const entry = ep.fn;
  const base = callerFor(callerDef, table.facts);
  // A helper runs under the handle of the function of the file that calls it.
  const caller: CallerDef = base.entry === 'handle-helper' && base.handle && ep.handleOwner ? { ...base, chain: `${ep.handleOwner} (handle) → ${entry.name}`, handle: { ...base.handle, owner: ep.handleOwner, credits: ep.handleCredits ?? null, purpose: `${ep.handleOwner}'s own updates` } } : base;
  const facts = ruleFactsOf(table);
  const options = new Set(table.mount.options);
  if (ctx.nobh) options.add('NOBH');
  // Every mount configuration the file selects the table under is explored: the data modes as a
  // fork where the code asks (the journal commit writes ordered data only), NOBH both ways unless set.
  // A row whose mount is not known (a vm_operations_struct's) may run under any data mode and with
  // the guessed options on or off: each is a guess of the path that asks (models/misc.ts).
  const unknownMount = table.mountUnknown;
  const modes = caller.id === 'jbd2-commit' ? ['ordered'] : (table.facts.modes ?? (unknownMount ? [...DATA_MODES] : [table.mount.dataMode]));
  const maybe = new Set([...(ctx.nobh ? [] : ['NOBH']), ...(unknownMount?.guessedOptions ?? [])]);
  const guessed = unknownMount ? { why: unknownMount.why, options: new Set(unknownMount.guessedOptions) } : undefined;
  const setDirty = table.members.get('set_page_dirty');
  const setDirtyDef = setDirty ? ctx.unit.functions.get(setDirty) : undefined;
  const root = ep.driver ?? entry;
  const setup: SimSetup = {
    world: () => {
      const w = buildWorld(state, caller, { dataMode: modes.includes(table.mount.dataMode) ? table.mount.dataMode : modes[0], options, modes, maybe, guessed }, MAX_TRACE);
      w.watchReturnsOf = entry.name;
      w.kernelEra = ctx.kernelEra;
      // A state that needs more than this file shows starts every path with that as a guess.
      if (state.premise) w.guesses.push({ name: `the ${state.id} page state`, line: entry.nameLoc.line, assumed: state.premise, premise: true });
      // Under the write fault's driver, ->page_mkwrite's own returns are one call down.
      if (ep.driver && ep.mkwrite) w.watchDepth = 1;
      // O_DIRECT opens need ->direct_IO (dentry_open, 2.6.24–2.6.36): the table says, or (a
      // vm_operations_struct row, whose aops are in another file) it is a guess of the path.
      if (caller.entry === 'page_mkwrite') w.directIo = directIoOf(table);
      // A vm_operations_struct row's mapping->a_ops is the filesystem's table of another file: unknown.
      if (table.ops === 'address_space_operations') w.inode.mapping.set('a_ops', { k: 'global', name: table.name });
      // ->write_begin finds the page unlocked in the cache (or allocates it); ->prepare_write and
      // helpers get the page their caller grabbed and locked; ->writepage a locked page.
      if (caller.entry === 'write_begin' && !ep.prepare) w.page.locked = false;
      // ->page_mkwrite gets the faulting page unlocked, with a reference (mm/memory.c, 2.6.28–2.6.36).
      if (caller.entry === 'page_mkwrite') w.page.locked = false;
      // ->writepages finds the page dirty and unlocked in the mapping.
      if (caller.entry === 'writepages') {
        w.page.locked = false;
        w.page.dirtyFlag = true;
      }
      // ->invalidatepage, ->releasepage, ->set_page_dirty: the page as their callers leave it.
      prepareForEntry(w, caller);
      return w;
    },
    before: (world, interp) => {
      // A page dirtied through mmap went through the table's own ->set_page_dirty first.
      if ((caller.entry === 'writepage' || caller.entry === 'writepages') && state.viaMmap && setDirtyDef) {
        interp.run(setDirtyDef, [obj(world.page)]);
        // clear_page_dirty_for_io() before ->writepage; ->writepages' write_cache_pages does it.
        world.page.dirtyFlag = caller.entry === 'writepages';
        world.page.redirtied = false;
      }
    },
    args: (world, interp) => entryArgs(root, caller.entry, world, ep, caller.flags ?? 0, (why) => interp.unknown(why), caller.gfp ?? 0),
    // The first paths are kept whatever they find (keepBest): they record as they run. A later
    // path is replayed with its trace only when one is shown (a new finding, a better path).
    record: (index) => ctx.pathTraces !== 'on-demand' && index < ctx.maxPathDetails,
  };
  return { entry, caller, facts, root, setup };
}

/** The trace of the path of this scenario that takes `choices` at its forks, with its finding steps: the trace a 'recorded' run keeps for it. */
export function replayPathTrace(ctx: RunContext, table: AopsTable, ep: EntryPoint, callerDef: CallerDef, state: PageStateDef, choices: number[]): TraceStep[] {
  const s = scenarioSetup(ctx, table, ep, callerDef, state);
  const { world, end } = simulateOne(ctx.unit, s.root, s.setup, { stepsPerPath: ctx.budgets.stepsPerPath, callDepth: ctx.budgets.callDepth }, choices);
  return withFindingSteps(world.trace, checkPath(pathInputOf(ctx, s, ep, state, world, end))).trace;
}

/** What the rules read of one ended path. */
function pathInputOf(ctx: RunContext, s: ScenarioSetup, ep: EntryPoint, state: PageStateDef, world: World, end: SimEnd): PathInput {
  const { entry, caller, facts } = s;
  return { world, events: world.events, end, entry: entry.name, entryKind: caller.entry, returnLoc: returnLocOf(world, entry), facts, atomic: caller.atomic, invalidateOffset: caller.entry === 'invalidatepage' ? invalidateOffset(BigInt(state.iSize), BigInt(state.pageIndex)) : undefined, ...driven(ctx.unit, ep, world) };
}

/**
 * Runs one scenario over its paths, depth first. A run the path budget cuts runs again with the
 * paths that leave the first option least often first (explorer.ts): what the budget keeps is then
 * every path that fails one way (an allocation, the journal, a read) before the combinations of a
 * loop's unknowns. A run the budget does not cut is the depth-first one, its paths in that order.
 */
export function runScenario(ctx: RunContext, table: AopsTable, ep: EntryPoint, callerDef: CallerDef, state: PageStateDef): RunResult {
  const saved = { unmodelled: [...ctx.unmodelled], getBlockUses: [...ctx.getBlockUses], stalls: [...ctx.stalls] };
  const first = runScenarioIn(ctx, table, ep, callerDef, state, 'depth-first');
  if (!first.cutByPaths) return first.run;
  // What the cut run collected into the file's lists is forgotten: the second run collects its own.
  ctx.unmodelled.clear();
  for (const [k, v] of saved.unmodelled) ctx.unmodelled.set(k, v);
  ctx.getBlockUses.splice(0, ctx.getBlockUses.length, ...saved.getBlockUses);
  ctx.stalls.splice(0, ctx.stalls.length, ...saved.stalls);
  return runScenarioIn(ctx, table, ep, callerDef, state, 'fewest-deviations').run;
}

function runScenarioIn(ctx: RunContext, table: AopsTable, ep: EntryPoint, callerDef: CallerDef, state: PageStateDef, order: ExploreOrder): { run: RunResult; cutByPaths: boolean } {
  const s = scenarioSetup(ctx, table, ep, callerDef, state);
  const { entry, caller, facts, root } = s;
  // Each path is folded into the run's result as soon as it ends and its world dropped: only the
  // traces of the paths that may be shown (the best maxPathDetails so far) are kept.
  const groups = new Map<string, FindingGroup>();
  const outcomes: Partial<Record<OutcomeKind, number>> = {};
  const pathCuts: string[] = [];
  let kept: (PathSummary & { weight: number })[] = [];
  let count = 0;
  // writeback-no-progress: whether every path so far redirtied without I/O, and the first one's redirty.
  const stall: { ok: boolean; finding: Finding | null } = { ok: caller.entry === 'writepage', finding: null };
  const { truncated, cutByPaths } = simulate(
    ctx.unit,
    root,
    s.setup,
    { maxPaths: ctx.budgets.pathsPerRun, deadline: ctx.deadline, stepsPerPath: ctx.budgets.stepsPerPath, callDepth: ctx.budgets.callDepth, entered: ctx.entered, order },
    ({ world, end, log, recorded }) => {
      const input = pathInputOf(ctx, s, ep, state, world, end);
      const raws = checkPath(input);
      const { outcome, description } = classifyPath(input);
      // The path's trace with its finding steps, made (and the path replayed for it) only when shown.
      let made: { trace: TraceStep[]; at: number[] } | null = null;
      let trace: TraceStep[] | null = null;
      const traceOf = (): TraceStep[] => (trace ??= recorded().trace);
      const withSteps = (): { trace: TraceStep[]; at: number[] } => (made ??= withFindingSteps(traceOf(), raws));
      for (const [k, v] of world.unmodelled) if (!ctx.unmodelled.has(k)) ctx.unmodelled.set(k, v);
      for (const g of world.getBlockCalls) {
        if (!ctx.getBlockUses.some((u) => u.callback === g.callback && u.via === g.via && u.aops === table.name)) ctx.getBlockUses.push({ ...g, aops: table.name, writepage: entry.name });
      }
      const i = count++;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'truncated') pathCuts.push(`path ${i + 1}: ${description.replace(/^cut: /, '')}`);
      const rules = new Set<RuleId>();
      raws.forEach((f, k) => {
        rules.add(f.rule);
        const key = `${f.rule}|${f.site.function}|${f.site.loc.line}|${f.site.loc.column}`;
        const finding = (): Finding => ({
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
          trace: withSteps().trace.slice(0, withSteps().at[k]),
        });
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { first: finding(), common: new Map(), any: new Map(), producers: new Map() }));
        else if (f.severity === 'error' && g.first.severity !== 'error') g.first = finding();
        const mine = guessesOf(world, f);
        const producers = g.producers.get(f.severity) ?? [];
        // Bounded: past 256 producers the rest are not read, so the finding can only stay a warning.
        if (producers.length < 256) producers.push(questionsOf(world, f));
        g.producers.set(f.severity, producers);
        const any = g.any.get(f.severity) ?? new Map<string, Assumption>();
        for (const [k, a] of mine) any.set(k, a);
        g.any.set(f.severity, any);
        const common = g.common.get(f.severity);
        if (common === undefined) g.common.set(f.severity, new Map(mine));
        else intersect(common, mine);
      });
      if (stall.ok) {
        const r = stallStep(world, outcome);
        if (!r) stall.ok = false;
        else if (!stall.finding) {
          stall.finding = {
            rule: 'writeback-no-progress',
            severity: 'warning',
            line: r.site.loc.line,
            column: r.site.loc.column,
            endLine: r.site.loc.endLine,
            endColumn: r.site.loc.endColumn,
            function: r.site.function,
            message: `${entry.name} redirties the page on every path and submits nothing`,
            summary: `${entry.name} redirties this page on every attempt: no progress`.slice(0, 80),
            assumptions: [],
            stack: r.site.stack,
            anchor: anchorFor(ctx.unit, r.site.function, r.site.loc.line, r.site.loc.column),
            trace: traceOf().slice(0, r.step),
          };
        }
      }
      if (world.traceCut) pathCuts.push(`path ${i + 1}: trace longer than ${MAX_TRACE} steps; the rest was not recorded`);
      const weight = rules.size * 10 + (outcome === 'written' ? 0 : 1);
      if (!keeps(kept, i + 1, weight, ctx.maxPathDetails)) return;
      const summary = {
        id: i + 1,
        outcome,
        description,
        choices: log.labels,
        returnValue: end.returnValue ? showValue(end.returnValue) : null,
        rules: [...rules],
        // On demand: the choices replay the path with its trace (replayPathTrace), made only if asked.
        ...(ctx.pathTraces === 'on-demand' ? { trace: [], replay: [...log.taken], entered: [...world.entered] } : { trace: withSteps().trace }),
        weight,
      };
      kept = keepBest(kept, summary, ctx.maxPathDetails);
    },
  );
  truncated.push(...pathCuts);
  const findings: Finding[] = [...groups.values()].map(({ first, common, any, producers }) => {
    if (guessFree(producers.get(first.severity) ?? [])) return first;
    const assumptions = [...(common.get(first.severity)?.values() ?? [])];
    // A finding that holds only if unmodelled code returned what the path guessed is latent: a
    // warning. Every path that produced it guessed, but not all the same thing: each holds only if
    // one of its guesses does.
    if (assumptions.length === 0) {
      const each = [...(any.get(first.severity)?.values() ?? [])];
      if (each.length === 0) return first;
      const shown = each.slice(0, 4).map((a) => `${a.assumed} (line ${a.line})`).join('; ');
      return { ...first, severity: first.severity === 'error' ? 'warning' : first.severity, assumptions: each, message: `${first.message} — only on paths that each rest on a guess (${shown}${each.length > 4 ? `; ${each.length - 4} more` : ''}): assumed, not a fact of the file` };
    }
    const guessed = assumptions.map((a) => `${a.assumed} (line ${a.line})`).join('; ');
    return { ...first, severity: first.severity === 'error' ? 'warning' : first.severity, assumptions, message: `${first.message} — only if ${guessed}: assumed, not a fact of the file` };
  });
  if (stall.ok && stall.finding && count > 0) ctx.stalls.push({ aops: table.name, caller: caller.id, page: state.id, finding: stall.finding });
  const run: RunResult = {
    aops: table.name,
    entry: entry.name,
    caller: caller.id,
    page: state.id,
    paths: count,
    truncated: truncated.length > 0,
    truncation: [...new Set(truncated)],
    outcomes,
    findings,
    callerNote: ep.mkwrite ? `${caller.chain}; ${ep.mkwrite.why}` : callerNote(caller, table),
    pathDetails: kept.sort((a, b) => a.id - b.id).map(({ weight: _w, ...p }) => p),
  };
  return { run, cutByPaths };
}

/** What a driven run reports: the method that ran last (->write_end once ->write_begin succeeded) and where it is. */
function driven(unit: TranslationUnit, ep: EntryPoint, world: World): Pick<PathInput, 'driver' | 'returnLoc' | 'entry'> | null {
  if (!ep.driver) return null;
  const last = ep.last ? world.events.some((e) => e.kind === 'aop-call' && e.fn === ep.last) : false;
  const fn = last && ep.last ? unit.functions.get(ep.last) : undefined;
  // A driver without a closing method (the write fault's ->page_mkwrite) ends where the entry returned.
  return { driver: ep.driver.name, entry: last && ep.last ? ep.last : ep.fn.name, returnLoc: ep.last ? (fn ?? ep.fn).loc : returnLocOf(world, ep.fn) };
}

function callerNote(caller: CallerDef, table: AopsTable): string {
  if (caller.entry === 'handle-helper' && caller.handle) return `${caller.chain}; ${caller.handle.credits === null ? `the handle's credits are not known` : `${caller.handle.owner} starts it with ${caller.handle.credits} credits`}`;
  if (caller.entry !== 'writepage') return caller.chain;
  if (caller.id === 'reclaim-in-write-begin' && table.facts.reclaim) return table.facts.reclaim.note;
  if (caller.id === 'da-writepages' && table.facts.info) return `${caller.chain}; ${table.facts.info.writebackCredits.why}`;
  return caller.chain;
}

/**
 * The `limit` best paths so far, paths with findings first, then the earliest: the same choice
 * as sorting every path by (weight desc, id asc) at the end, without keeping every trace.
 */
/** Whether keepBest keeps a path of this id (the highest so far) and weight. */
function keeps(kept: { weight: number; id: number }[], id: number, weight: number, limit: number): boolean {
  if (limit <= 0) return false;
  if (kept.length < limit) return true;
  let worst = 0;
  for (let j = 1; j < kept.length; j++) {
    const a = kept[j];
    const w = kept[worst];
    if (a.weight < w.weight || (a.weight === w.weight && a.id > w.id)) worst = j;
  }
  return weight > kept[worst].weight;
}

function keepBest<T extends { weight: number; id: number }>(kept: T[], next: T, limit: number): T[] {
  if (limit <= 0) return kept;
  if (kept.length < limit) return [...kept, next];
  let worst = 0;
  for (let j = 1; j < kept.length; j++) {
    const a = kept[j];
    const w = kept[worst];
    if (a.weight < w.weight || (a.weight === w.weight && a.id > w.id)) worst = j;
  }
  // `next` has the highest id so far: it wins only on a strictly greater weight.
  if (next.weight <= kept[worst].weight) return kept;
  const out = [...kept];
  out[worst] = next;
  return out;
}

function showValue(v: Value): string {
  return v.k === 'int' ? v.v.toString() : v.k === 'err' ? `ERR_PTR(${v.errno})` : v.k;
}
