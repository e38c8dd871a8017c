// Orchestrates one analysis: parse -> lower -> discover -> run scenarios -> results.
// Invariant: never throws on any input; problems become located diagnostics.
import {
  type AnalyzeOptions,
  type Budgets,
  type CallbackInfo,
  DEFAULT_BUDGETS,
  type EntryInfo,
  type FaultEntryInfo,
  type FunctionInfo,
  type InputDiagnostic,
  type PathSummary,
  type RunResult,
  type ScenarioResult,
  type TableFactsInfo,
  type TraceStep,
} from './api/types';
import { type AopsTable, callSites, type CallSite, type FactMemo, findCallbacks, findTables } from './discovery';
import { buildSymbolIndex } from './navigation/symbols';
import type { SymbolIndex } from './api/types';
import type { TranslationUnit } from './ir/ir';
import { lowerSource } from './ir/unit';
import { simulate } from './interp/simulate';
import { int, obj } from './interp/values';
import { BufferHead } from './models/objects';
import { loadParser, ParseTimeout, parserLoaded } from './parse/parser';
import { CALLERS } from './scenarios/callers';
import { PAGE_STATES } from './scenarios/pages';
import { replayPathTrace, type RunContext, runScenario } from './scenarios/run';
import { type EntryPoint, entryPointsFor } from './scenarios/entries';
import { noProgressFindings } from './checks/writebackNoProgress';
import { buildWorld } from './scenarios/setup';
import { BudgetNotes } from './budgetNotes';
import { addSummaries } from './api/summary';
import { allCallBindings, writepageBindings } from './binding/callBindings';
import { asBound } from './binding/boundCallback';
import { datedEra, filesystemOf } from './facts/filesystem';
import { kernelEraOf } from './interp/world';
import { vmOpsTables } from './vmOpsTables';

/** Loads the tree-sitter runtime and the C grammar once. `wasmDir` holds both .wasm files. */
export async function initEngine(wasmDir?: string): Promise<void> {
  await loadParser(wasmDir);
}

const UNKNOWN_FACTS: TableFactsInfo = {
  lockOrder: { value: 'unknown', line: null, why: 'not learnt' },
  orderedData: { value: 'none', line: null, why: 'not learnt' },
  writebackCredits: { value: 'unknown', line: null, why: 'not learnt' },
};

function emptyResult(file: string): ScenarioResult {
  return { file, entries: [], callbacks: [], runs: [], unmodelled: [], diagnostics: [], functions: [], timing: { parseMs: 0, analysisMs: 0 } };
}

/**
 * What an incremental analysis (incremental/session.ts) lends one analysis: the lowering of the
 * new text from the previous version's tree and functions, and results kept while what they
 * depend on is unchanged. Without one, everything is computed afresh; the results are the same.
 */
export interface AnalysisReuse {
  lower(text: string, deadline: number): TranslationUnit;
  /** The dependency key of a simulation rooted at these names (incremental/deps.ts). */
  depsKey(unit: TranslationUnit, roots: string[]): string;
  /** The value kept for `key`, else `compute()`, kept when `keep` says it is complete. */
  reuse<T>(key: string, compute: () => T, keep: (v: T) => boolean): T;
  /**
   * The same for a simulation whose dependencies are known only once it ran: kept under `key`
   * with the dependency key of `roots` and of every function it entered; kept while none of
   * those changed. What a run executes is reachable (by name) from the functions it entered, so
   * an edit elsewhere (another member of its table it never called) keeps it.
   */
  reuseTraced<T>(key: string, unit: TranslationUnit, roots: string[], compute: (entered: Set<string>) => T, keep: (v: T) => boolean): T;
}

/** Analyses one C file. Never throws on malformed input: problems become diagnostics. */
export function analyzeSource(text: string, file: string, options: AnalyzeOptions = {}, reuse?: AnalysisReuse, external?: TranslationUnit['external']): ScenarioResult {
  const result = emptyResult(file);
  if (!parserLoaded()) {
    result.diagnostics.push({ severity: 'error', line: 1, column: 1, kind: 'internal', message: 'the C parser is not loaded (initEngine() was not awaited)' });
    return result;
  }
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...(options.budgets ?? {}) };
  const started = Date.now();
  let unit: TranslationUnit;
  try {
    unit = reuse ? reuse.lower(text, started + budgets.timePerFileMs) : lowerSource(text, started + budgets.timePerFileMs);
  } catch (e) {
    const timeout = e instanceof ParseTimeout;
    result.diagnostics.push({ severity: 'error', line: 1, column: 1, kind: timeout ? 'budget' : 'internal', message: timeout ? `${(e as Error).message} (${budgets.timePerFileMs} ms); nothing was analysed` : `could not parse the file: ${(e as Error).message}` });
    result.timing.parseMs = Date.now() - started;
    return result;
  }
  const parsed = Date.now();
  result.timing.parseMs = parsed - started;
  // The rest of a program (a kernel tree's primitives): what the file calls and does not define.
  if (external) unit.external = external;
  for (const d of unit.diagnostics) {
    result.diagnostics.push({ severity: d.kind === 'syntax' ? 'warning' : 'info', line: d.line, column: d.column, kind: d.kind, message: d.message });
  }
  try {
    analyzeUnit(unit, result, budgets, options, started + budgets.timePerFileMs, reuse);
  } catch (e) {
    // Invariant breach: keep what was computed and say where it stopped.
    result.diagnostics.push({ severity: 'error', line: 1, column: 1, kind: 'internal', message: `analysis stopped by an internal error: ${(e as Error).message}; partial results shown` });
  }
  try {
    result.symbols = buildSymbolIndex(unit, text);
  } catch (e) {
    result.diagnostics.push({ severity: 'error', line: 1, column: 1, kind: 'internal', message: `the symbol index (navigation) failed: ${(e as Error).message}` });
  }
  result.timing.analysisMs = Date.now() - parsed;
  return addSummaries(result);
}

/**
 * The traces an 'on-demand' analysis left out (PathSummary.replay), rebuilt from the same text and
 * options: each path runs again with its choices and its trace recorded, so a filled result is the
 * one a 'recorded' analysis gives. The file is lowered and its runs planned once, on first use.
 */
export class PathTraces {
  private plan: { ctx: RunContext; planned: PlannedRun[] } | null | undefined = undefined;

  constructor(
    private readonly text: string,
    private readonly options: AnalyzeOptions = {},
    private readonly external?: TranslationUnit['external'],
  ) {}

  private planned(): { ctx: RunContext; planned: PlannedRun[] } | null {
    if (this.plan !== undefined) return this.plan;
    this.plan = null;
    if (!parserLoaded()) return null;
    const budgets: Budgets = { ...DEFAULT_BUDGETS, ...(this.options.budgets ?? {}) };
    const deadline = Date.now() + budgets.timePerFileMs;
    const unit = lowerSource(this.text, deadline);
    if (this.external) unit.external = this.external;
    const sites = callSites(unit);
    const dated = datedEra(unit, sites);
    const era = filesystemOf(unit, sites, dated).era;
    this.plan = planRuns(unit, tablesOf(unit, sites, deadline), budgets, this.options, deadline, kernelEraOf(dated, era));
    return this.plan;
  }

  /** The trace of `path` of the `index`-th run of the result (null when the run is not this file's, or the path has no choices). */
  trace(run: RunResult, index: number, path: PathSummary): TraceStep[] | null {
    if (!path.replay) return path.trace;
    const plan = this.planned();
    if (!plan) return null;
    const same = (p: PlannedRun): boolean => p.t.name === run.aops && p.entry.fn.name === run.entry && p.caller.id === run.caller && p.state.id === run.page;
    const at = plan.planned[index];
    const p = at && same(at) ? at : plan.planned.find(same);
    if (!p) return null;
    return replayPathTrace(plan.ctx, p.t, p.entry, p.caller, p.state, path.replay);
  }

  /** `result` with every left-out trace made: a copy, its kept paths as a 'recorded' analysis keeps them. */
  fill(result: ScenarioResult): ScenarioResult {
    const runs = result.runs.map((run, i) => {
      if (!run.pathDetails.some((p) => p.replay)) return run;
      const pathDetails = run.pathDetails.map((p) => {
        if (!p.replay) return p;
        const { replay: _r, entered: _e, ...rest } = p;
        return { ...rest, trace: this.trace(run, i, p) ?? [] };
      });
      return { ...run, pathDetails };
    });
    return { ...result, runs };
  }
}

/** The symbol index (navigation) of `text` alone, or undefined when it cannot be built. */
export function lowerForSymbols(text: string): SymbolIndex | undefined {
  if (!parserLoaded()) return undefined;
  try {
    return buildSymbolIndex(lowerSource(text), text);
  } catch {
    return undefined;
  }
}

/** Map and Set as arrays, bigint as text: a key for what a run reads of its table. */
function keyJson(_k: string, v: unknown): unknown {
  if (v instanceof Map) return [...v.entries()];
  if (v instanceof Set) return [...v.values()];
  if (typeof v === 'bigint') return `${v}n`;
  return v;
}

type Collected = Pick<RunContext, 'unmodelled' | 'getBlockUses' | 'stalls'>;

/** Adds what one run collected to the file's lists, as if the run had written them directly. */
function mergeCollected(ctx: RunContext, c: { unmodelled: [string, { name: string; line: number; assumed: string }][]; getBlockUses: Collected['getBlockUses']; stalls: Collected['stalls'] }): void {
  for (const [k, v] of c.unmodelled) if (!ctx.unmodelled.has(k)) ctx.unmodelled.set(k, v);
  ctx.stalls.push(...c.stalls);
  for (const g of c.getBlockUses) {
    if (!ctx.getBlockUses.some((u) => u.callback === g.callback && u.via === g.via && u.aops === g.aops)) ctx.getBlockUses.push(g);
  }
}

function analyzeUnit(unit: TranslationUnit, result: ScenarioResult, budgets: Budgets, options: AnalyzeOptions, deadline: number, reuse?: AnalysisReuse): void {
  const sites = callSites(unit);
  result.functions = functionInfos(unit, sites);
  const dated = datedEra(unit, sites);
  result.filesystem = filesystemOf(unit, sites, dated);
  result.bindings = writepageBindings(unit, sites);
  result.callBindings = allCallBindings(unit, sites);
  // A kept fact is a copy: what a table's facts hold is never shared with a kept result.
  const memo: FactMemo | undefined = reuse
    ? (what, roots, compute) => structuredClone(reuse.reuse(`fact\n${what}\n${reuse.depsKey(unit, roots)}`, () => ({ v: compute(), inTime: Date.now() <= deadline }), (d) => d.inTime).v)
    : undefined;
  const tables = tablesOf(unit, sites, deadline, memo);
  const entries: EntryInfo[] = [];
  for (const t of tables) {
    if (!t.writepage) continue;
    entries.push({
      aops: t.name,
      writepage: t.writepage,
      line: t.writepageLine,
      mode: t.facts.modes ? t.facts.modes.join('|') : null,
      delalloc: t.facts.delalloc,
      reclaimInWriteBegin: t.facts.reclaim ? { applicable: t.facts.reclaim.applicable, note: t.facts.reclaim.note } : null,
      facts: t.facts.info ?? UNKNOWN_FACTS,
    });
    if (!unit.functions.has(t.writepage)) {
      result.diagnostics.push({ severity: 'warning', line: t.writepageLine, column: 1, kind: 'unresolved', message: `${t.name}.writepage = ${t.writepage}, which this file does not define: its scenarios cannot run` });
    }
  }
  result.entries = entries;
  const faultEntries: FaultEntryInfo[] = tables
    .filter((t) => t.ops === 'vm_operations_struct' && t.facts.pageMkwrite)
    .map((t) => ({ vmOps: t.name, line: t.line, pageMkwrite: t.facts.pageMkwrite!, pageMkwriteLine: t.writepageLine, note: `${t.facts.info?.lockOrder.why ?? ''}; the write fault runs ${t.facts.pageMkwrite}, its paths guess the data mode and delalloc when they ask` }));
  if (faultEntries.length) result.faultEntries = faultEntries;
  const { ctx, planned } = planRuns(unit, tables, budgets, options, deadline, kernelEraOf(dated, result.filesystem.era));
  const runs: RunResult[] = [];
  let cutForTime = 0;
  const notes = new BudgetNotes((name) => unit.functions.get(name)?.nameLoc);
  const tableKeys = new Map<AopsTable, string>();
  const tableKey = (t: AopsTable): string => {
    let k = tableKeys.get(t);
    if (k === undefined) tableKeys.set(t, (k = JSON.stringify(t, keyJson)));
    return k;
  };
  planned.forEach((p) => {
    if (Date.now() > deadline) {
      cutForTime++;
      return;
    }
    // Each run collects into its own lists, merged in run order: a kept run merges the same.
    const compute = (entered?: Set<string>) => {
      const own: RunContext = { ...ctx, unmodelled: new Map(), getBlockUses: [], stalls: [], entered };
      const run = runScenario(own, p.t, p.entry, p.caller, p.state);
      return { run, unmodelled: [...own.unmodelled.entries()], getBlockUses: own.getBlockUses, stalls: own.stalls, inTime: Date.now() <= deadline };
    };
    // What the run reads besides the file's code: its table (facts, mount), entry, caller, page, options.
    const entry = { fn: p.entry.fn.name, handleOwner: p.entry.handleOwner ?? null, prepare: p.entry.prepare === true };
    // Its code: the entry, the handle's owner, the method a driver calls last, then every function
    // a path entered (a member the kernel's model called through the table). The table itself is
    // in the key (tableKey: its members by name, its facts): as a root it would reach them all.
    const roots = [p.entry.fn.name, ...(p.entry.handleOwner ? [p.entry.handleOwner] : []), ...(p.entry.last ? [p.entry.last] : [])];
    const done = reuse
      ? reuse.reuseTraced(`run\n${tableKey(p.t)}\n${JSON.stringify({ entry, caller: p.caller.id, page: p.state.id, budgets, details: ctx.maxPathDetails, traces: ctx.pathTraces, nobh: ctx.nobh, era: ctx.kernelEra })}`, unit, roots, compute, (d) => d.inTime)
      : compute();
    mergeCollected(ctx, done);
    // Its own findings list: file-level rules add to it below, and a kept run must stay as it was.
    const run: RunResult = { ...done.run, findings: [...done.run.findings] };
    runs.push(run);
    if (run.truncated) {
      notes.run(`${p.t.name}/${p.caller.id}/${p.state.id}`, p.entry.fn.name, p.entry.fn.nameLoc, run.truncation);
    }
  });
  const firstCut = planned[planned.length - cutForTime];
  if (firstCut) notes.notStarted(cutForTime, planned.length, budgets.timePerFileMs, firstCut.entry.fn.name, firstCut.entry.fn.nameLoc);
  // writeback-no-progress reads a table's writepage runs of one page state together.
  const writepageRun = (r: RunResult): boolean => CALLERS.find((c) => c.id === r.caller)?.entry === 'writepage';
  const stalled = noProgressFindings(
    ctx.stalls,
    (aops, page) => runs.filter((r) => r.aops === aops && r.page === page && writepageRun(r)).map((r) => r.caller),
    // Left out: tables with a ->writepages of their own, and delalloc tables (the kernel reaches
    // their ->writepage through a ->writepages that maps the delayed blocks first).
    (aops) => {
      const t = tables.find((x) => x.name === aops);
      return !t || !!t.facts.writepages || t.facts.delalloc !== false;
    },
  );
  for (const r of runs) {
    const f = stalled.get(`${r.aops}|${r.caller}|${r.page}`);
    if (f) r.findings.push(f);
  }
  result.runs = runs;
  result.callbacks = callbackInfos(unit, sites, ctx, deadline, budgets, notes, reuse);
  result.diagnostics.push(...notes.diagnostics());
  result.unmodelled = [...ctx.unmodelled.values()].sort((a, b) => a.line - b.line);
}

/** The file's aops tables, then the vm_operations_struct tables whose ->page_mkwrite no aops table runs (the write fault's rows). */
function tablesOf(unit: TranslationUnit, sites: CallSite[], deadline: number, memo?: FactMemo): AopsTable[] {
  const aopsTables = findTables(unit, sites, deadline, memo);
  return [...aopsTables, ...vmOpsTables(unit, sites, aopsTables)];
}

/** One scenario to run: a table, the function it enters, the caller, the page state. */
interface PlannedRun {
  t: AopsTable;
  entry: EntryPoint;
  caller: (typeof CALLERS)[number];
  state: (typeof PAGE_STATES)[number];
}

/** The runs of a file in their order (`ScenarioResult.runs` follows it) and the context they share. */
function planRuns(unit: TranslationUnit, tables: AopsTable[], budgets: Budgets, options: AnalyzeOptions, deadline: number, kernelEra: RunContext['kernelEra']): { ctx: RunContext; planned: PlannedRun[] } {
  const ctx: RunContext = {
    unit,
    budgets,
    deadline,
    maxPathDetails: options.maxPathDetails ?? 8,
    nobh: options.mount?.nobh ?? false,
    kernelEra,
    pathTraces: options.pathTraces ?? 'recorded',
    unmodelled: new Map(),
    getBlockUses: [],
    stalls: [],
  };
  // Runs are cut only by their step, path and fork budgets, so verdicts never depend on machine
  // speed. The file's wall-clock limit is a guard, generous by default: past it, the run under
  // way stops (its result marked incomplete) and the runs not started are listed as not run.
  const planned: PlannedRun[] = [];
  for (const t of tables) {
    if (options.aops && !options.aops.includes(t.name)) continue;
    // An aops table's scenarios run only when its ->writepage is in the file (its matrix heads
    // them); a vm_operations_struct row runs only the write fault (its ->page_mkwrite is in the file).
    if (t.ops === 'address_space_operations' && (!t.writepage || !unit.functions.has(t.writepage))) continue;
    for (const caller of CALLERS) {
      if (t.ops === 'vm_operations_struct' && caller.entry !== 'page_mkwrite') continue;
      if (options.callers ? !options.callers.includes(caller.id) : caller.optIn) continue;
      if (!caller.appliesTo(t.facts)) continue;
      for (const entry of entryPointsFor(unit, t, caller)) {
        for (const state of PAGE_STATES) {
          if (options.pages ? !options.pages.includes(state.id) : state.optIn) continue;
          if (caller.pages && !caller.pages.includes(state.id)) continue;
          if (state.onlyCallers && !state.onlyCallers.includes(caller.id)) continue;
          if (!state.appliesTo(t.facts)) continue;
          planned.push({ t, entry, caller, state });
        }
      }
    }
  }
  return { ctx, planned };
}

function functionInfos(unit: TranslationUnit, sites: CallSite[]): FunctionInfo[] {
  // Sites grouped by function once (in site order), not scanned again for every function.
  const byFunction = new Map<string, Set<string>>();
  for (const s of sites) {
    const target = s.passed ?? s.callee;
    if (!unit.functions.has(target)) continue;
    let calls = byFunction.get(s.function);
    if (!calls) byFunction.set(s.function, (calls = new Set()));
    calls.add(target);
  }
  return [...unit.functions.values()].map((fn) => ({ name: fn.name, line: fn.nameLoc.line, endLine: fn.loc.endLine, calls: [...(byFunction.get(fn.name) ?? [])] }));
}

/** Runs each callback alone, with and without a current handle, to learn what it passes as create. */
function callbackInfos(unit: TranslationUnit, sites: CallSite[], ctx: RunContext, deadline: number, budgets: Budgets, notes: BudgetNotes, reuse?: AnalysisReuse): CallbackInfo[] {
  const found = findCallbacks(unit, sites);
  const out: CallbackInfo[] = [];
  const list = [...found];
  for (const [name, uses] of list) {
    const fn = unit.functions.get(name);
    if (!fn) continue;
    const survey = () => surveyCallback(unit, name, fn, deadline, budgets);
    const { creates, startsHandle, complete } = reuse ? reuse.reuse(`callback\n${name}\n${JSON.stringify(budgets)}\n${reuse.depsKey(unit, [name])}`, survey, (s) => s.inTime) : survey();
    if (!complete) notes.callback(name, fn.nameLoc);
    const reached = ctx.getBlockUses.filter((u) => u.callback === name).map((u) => ({ aops: u.aops, writepage: u.writepage, via: u.via }));
    out.push({
      name,
      line: fn.nameLoc.line,
      column: fn.nameLoc.column,
      passedTo: uses.map((u) => ({ callee: u.callee, line: u.line, function: u.function })),
      createValues: [...creates].sort(),
      startsHandle,
      reachedFrom: reached,
      complete,
    });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Runs a get_block callback alone, with and without a current handle: the create values it passes, whether it starts a handle. */
function surveyCallback(unit: TranslationUnit, name: string, fn: NonNullable<ReturnType<TranslationUnit['functions']['get']>>, deadline: number, budgets: Budgets): { creates: Set<string>; startsHandle: boolean; complete: boolean; inTime: boolean } {
  const creates = new Set<string>();
  let startsHandle = false;
  let complete = true;
  for (const withHandle of [false, true]) {
    const caller = withHandle ? CALLERS.find((c) => c.handle?.paysForWriteback) ?? null : null;
    const { truncated } = simulate(
      unit,
      asBound(fn),
      {
        world: () => {
          const world = buildWorld(PAGE_STATES.find((p) => p.id === 'hole-clean') ?? PAGE_STATES[0], caller, { dataMode: 'ordered', options: new Set() }, 500);
          world.page.locked = false;
          return world;
        },
        args: (world) => {
          const bh = world.page.bufferList()[1] ?? new BufferHead(1024, world.page, 0);
          bh.flags.add('dirty');
          return [obj(world.inode), int(bh.lblk >= 0 ? bh.lblk : 9), obj(bh), int(1)];
        },
      },
      { maxPaths: 32, deadline, stepsPerPath: budgets.stepsPerPath, callDepth: budgets.callDepth },
      ({ world }) => {
        for (const a of world.allocCalls) if (a.stack.includes(name)) creates.add(a.create);
        if (world.events.some((e) => e.kind === 'journal-start' && !e.nested)) startsHandle = true;
      },
    );
    if (truncated.length > 0) complete = false;
  }
  return { creates, startsHandle, complete, inTime: Date.now() <= deadline };
}

export type { InputDiagnostic };
