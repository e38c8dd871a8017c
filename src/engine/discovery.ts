// Finds, from the source alone: the address_space_operations tables and their ->writepage,
// the mount configurations under which the file's own code selects each table, the get_block
// callbacks (get_block_t-shaped functions passed to a primitive that takes one), the call graph.
import type { Expr, FunctionDef, Stmt, TranslationUnit } from './ir/ir';
import { walkCalls } from './facts/reach';
import { mappedUnwrittenOf } from './facts/unwritten';
import { exprText } from './interp/exprText';
import { simulate } from './interp/simulate';
import { int, obj } from './interp/values';
import { ALLOCATING_APIS, GET_BLOCK_TAKERS, JOURNAL_CALLS, modelTable } from './models';
import { PAGE_STATES } from './scenarios/pages';
import { buildWorld } from './scenarios/setup';
import type { TableFacts } from './scenarios/callers';
import type { Fact } from './api/types';
import { orderedDataOf } from './facts/orderedData';
import { firstJournalCall, writeBeginFacts } from './facts/writeBegin';
import { writebackCreditsOf } from './facts/writebackCredits';
import { currentHandleOf, handleHelpersOf } from './facts/currentHandle';

export interface AopsTable {
  name: string;
  /**
   * The ops table's struct: an address_space_operations table, or a vm_operations_struct whose
   * ->page_mkwrite no address_space_operations table of the file runs (vmOpsTables.ts): its only
   * scenarios are the write fault's, and what a table would tell (mount, delalloc) is not known.
   */
  ops: 'address_space_operations' | 'vm_operations_struct';
  line: number;
  members: Map<string, string>;
  writepage: string | null;
  writepageLine: number;
  facts: TableFacts;
  /** Mount configuration to simulate this table under. */
  mount: { dataMode: string; options: string[] };
  /**
   * Why the mount configuration is not known, when it is not (a vm_operations_struct row): every
   * question a path asks of the data mode or of the options in `guessedOptions` is then a guess.
   */
  mountUnknown?: { why: string; guessedOptions: string[] };
}

export interface CallSite {
  callee: string;
  line: number;
  column: number;
  function: string;
  /** Argument index when the target was passed as a function pointer, else -1. */
  argIndex: number;
  passed?: string;
}

/** Walks every expression of a statement tree. */
export function forEachExpr(s: Stmt, visit: (e: Expr) => void): void {
  const ex = (e: Expr | undefined): void => {
    if (!e) return;
    visit(e);
    switch (e.kind) {
      case 'unary':
      case 'update':
      case 'cast':
        ex(e.arg);
        break;
      case 'binary':
        ex(e.left);
        ex(e.right);
        break;
      case 'assign':
        ex(e.target);
        ex(e.value);
        break;
      case 'call':
        ex(e.callee);
        e.args.forEach(ex);
        break;
      case 'member':
        ex(e.object);
        break;
      case 'index':
        ex(e.object);
        ex(e.index);
        break;
      case 'cond':
        ex(e.test);
        ex(e.then);
        ex(e.else);
        break;
      case 'comma':
        e.exprs.forEach(ex);
        break;
      case 'init':
        e.items.forEach((i) => ex(i.value));
        break;
      default:
        break;
    }
  };
  const st = (t: Stmt | undefined): void => {
    if (!t) return;
    switch (t.kind) {
      case 'block':
        t.body.forEach(st);
        break;
      case 'decl':
        t.vars.forEach((v) => ex(v.init));
        break;
      case 'expr':
        ex(t.expr);
        break;
      case 'if':
        ex(t.test);
        st(t.then);
        st(t.else);
        break;
      case 'while':
      case 'do':
        ex(t.test);
        st(t.body);
        break;
      case 'for':
        st(t.init);
        ex(t.test);
        ex(t.update);
        st(t.body);
        break;
      case 'switch':
        ex(t.test);
        t.cases.forEach((c) => {
          ex(c.value);
          c.body.forEach(st);
        });
        break;
      case 'return':
        ex(t.value);
        break;
      case 'label':
        st(t.body);
        break;
      case 'config':
        t.then.forEach(st);
        t.else.forEach(st);
        break;
      default:
        break;
    }
  };
  st(s);
}

/** The function an initialiser or argument names (`f`, `&f`, a cast of either), else null. */
export function fnName(e: Expr): string | null {
  if (e.kind === 'ident') return e.name;
  if (e.kind === 'unary' && e.op === '&' && e.arg.kind === 'ident') return e.arg.name;
  if (e.kind === 'cast') return fnName(e.arg);
  return null;
}

/** A function's call sites, each kept when `ifDefined` (a name it passes) is a function of the file. */
interface OwnSite {
  site: CallSite;
  ifDefined?: string;
}

/**
 * Each lowered function's own call sites, walked once: an incremental analysis keeps a
 * definition while its text and position are unchanged, so its sites are not walked again.
 */
const ownSitesOf = new WeakMap<FunctionDef, OwnSite[]>();

function ownSites(fn: FunctionDef): OwnSite[] {
  let out = ownSitesOf.get(fn);
  if (out) return out;
  const own: OwnSite[] = [];
  forEachExpr(fn.body, (e) => {
    if (e.kind === 'assign') {
      const name = fnName(e.value);
      if (name) own.push({ site: { callee: `${exprText(e.target)} =`, line: e.value.loc.line, column: e.value.loc.column, function: fn.name, argIndex: -2, passed: name }, ifDefined: name });
      return;
    }
    if (e.kind !== 'call') return;
    const callee = fnName(e.callee) ?? (e.callee.kind === 'unary' && e.callee.op === '*' ? fnName(e.callee.arg) : null) ?? '';
    own.push({ site: { callee, line: e.loc.line, column: e.loc.column, function: fn.name, argIndex: -1 } });
    e.args.forEach((a, i) => {
      const name = fnName(a);
      if (name) own.push({ site: { callee, line: a.loc.line, column: a.loc.column, function: fn.name, argIndex: i, passed: name }, ifDefined: name });
    });
  });
  ownSitesOf.set(fn, (out = own));
  return out;
}

/** Every call site of the file, every function passed as an argument or assigned to a variable. */
export function callSites(unit: TranslationUnit): CallSite[] {
  const out: CallSite[] = [];
  // The file's function names: while they are the same, a kept definition's sites are too.
  const names = [...unit.functions.keys()].join(',');
  for (const fn of unit.functions.values()) {
    let kept = keptSitesOf.get(fn);
    if (!kept || kept.names !== names) {
      kept = { names, sites: ownSites(fn).filter((o) => o.ifDefined === undefined || unit.functions.has(o.ifDefined)).map((o) => o.site) };
      keptSitesOf.set(fn, kept);
    }
    for (const site of kept.sites) out.push({ ...site });
  }
  return out;
}

/** A function's sites as they were last kept for the file's function names (`names`). */
const keptSitesOf = new WeakMap<FunctionDef, { names: string; sites: CallSite[] }>();

/** `int cb(struct inode *, sector_t, struct buffer_head *, int)` */
export function hasGetBlockShape(fn: FunctionDef): boolean {
  const p = fn.params;
  if (p.length !== 4) return false;
  return /\binode\b/.test(p[0].type) && p[0].pointer && !p[1].pointer && /\bbuffer_head\b/.test(p[2].type) && p[2].pointer && !p[3].pointer && /\bint\b/.test(p[3].type) && /\bint\b/.test(fn.returnType);
}

/** Index of a get_block_t parameter of a callee (model, known primitive or in-file function). */
export function getBlockParam(unit: TranslationUnit, callee: string): number {
  const spec = modelTable().get(callee);
  if (spec?.getBlockArg !== undefined) return spec.getBlockArg;
  if (callee in GET_BLOCK_TAKERS) return GET_BLOCK_TAKERS[callee];
  const def = unit.functions.get(callee);
  if (def) return def.params.findIndex((p) => /\bget_block_t\b/.test(p.type));
  return -1;
}

/**
 * get_block-shaped functions handed to a primitive that takes a get_block_t (at whatever argument
 * position the era's signature has), or stored into a variable or field (`mpd.get_block = fn`).
 */
export function findCallbacks(unit: TranslationUnit, sites: CallSite[]): Map<string, CallSite[]> {
  const out = new Map<string, CallSite[]>();
  for (const s of sites) {
    if (!s.passed) continue;
    const def = unit.functions.get(s.passed);
    if (!def || !hasGetBlockShape(def)) continue;
    if (s.argIndex >= 0 && getBlockParam(unit, s.callee) < 0) continue;
    const list = out.get(s.passed) ?? [];
    list.push(s);
    out.set(s.passed, list);
  }
  return out;
}

const CONFIGS: { dataMode: string; options: string[] }[] = [
  { dataMode: 'ordered', options: ['DELALLOC'] },
  { dataMode: 'ordered', options: [] },
  { dataMode: 'writeback', options: ['DELALLOC'] },
  { dataMode: 'writeback', options: [] },
  { dataMode: 'journal', options: [] },
  { dataMode: 'journal', options: ['DELALLOC'] },
];

/** The names `x` of the assignments `... = &x` in a function, walked once per lowered definition. */
const assignedAddresses = new WeakMap<FunctionDef, string[]>();

function addressesAssigned(fn: FunctionDef): string[] {
  let out = assignedAddresses.get(fn);
  if (out) return out;
  const names: string[] = [];
  forEachExpr(fn.body, (e) => {
    if (e.kind === 'assign' && e.value.kind === 'unary' && e.value.op === '&' && e.value.arg.kind === 'ident') names.push(e.value.arg.name);
  });
  assignedAddresses.set(fn, (out = names));
  return out;
}

/** S_IFLNK | 0777 (include/linux/stat.h): the mode of a symlink inode. */
const S_IFLNK_MODE = 0o120777n;

/**
 * Keeps a fact-finding simulation's result while what it reads is unchanged (an incremental
 * analysis: `what` names the simulation and what it reads besides the code, `roots` the functions
 * it runs, whose dependency key is added). Without one, the fact is computed.
 */
export type FactMemo = <T>(what: string, roots: string[], compute: () => T) => T;

const computeFact: FactMemo = (_what, _roots, compute) => compute();

/** Interprets each function that assigns `&table` to learn which mount configuration picks which table. */
function tableSelection(unit: TranslationUnit, tables: Set<string>, deadline: number, memo: FactMemo, iMode?: bigint): Map<string, { dataMode: string; options: string[] }[]> {
  const picks = new Map<string, { dataMode: string; options: string[] }[]>();
  const selectors: FunctionDef[] = [];
  for (const fn of unit.functions.values()) {
    if (addressesAssigned(fn).some((n) => tables.has(n))) selectors.push(fn);
  }
  for (const fn of selectors) {
    // The tables this selector picks, in the order its configurations pick them.
    const chosenBy = memo(`select\n${fn.name}\n${[...tables].join(',')}\n${iMode ?? ''}`, [fn.name], () => selectorPicks(unit, fn, tables, deadline, iMode));
    for (const { table, cfg } of chosenBy) {
      const list = picks.get(table) ?? [];
      if (!list.some((c) => c.dataMode === cfg.dataMode && c.options.join() === cfg.options.join())) list.push(cfg);
      picks.set(table, list);
    }
  }
  return picks;
}

/** One selecting function interpreted under each mount configuration: each table it picks, with the configuration, in order. */
function selectorPicks(unit: TranslationUnit, fn: FunctionDef, tables: Set<string>, deadline: number, iMode?: bigint): { table: string; cfg: { dataMode: string; options: string[] } }[] {
  const out: { table: string; cfg: { dataMode: string; options: string[] } }[] = [];
  for (const cfg of CONFIGS) {
    simulate(
      unit,
      fn,
      {
        world: () => {
          const w = buildWorld(PAGE_STATES[0], null, { dataMode: cfg.dataMode, options: new Set(cfg.options) }, 200);
          if (iMode !== undefined) w.inode.set('i_mode', int(iMode));
          return w;
        },
        args: (world, interp) => fn.params.map((p) => (/\binode\b/.test(p.type) ? obj(world.inode) : interp.unknown(p.name))),
      },
      { maxPaths: 8, deadline, stepsPerPath: 2000, callDepth: 8 },
      ({ world }) => {
        const chosen = world.inode.mapping.get('a_ops');
        if (chosen && chosen.k === 'global' && tables.has(chosen.name)) out.push({ table: chosen.name, cfg });
      },
    );
  }
  return out;
}

/** Whether any function reachable from the table's members marks buffers delayed. */
function reachesSetBufferDelay(unit: TranslationUnit, roots: string[], sites: CallSite[]): boolean {
  return walkCalls(unit, roots, sites, (s) => s.callee === 'set_buffer_delay' && s.argIndex < 0).stoppedAt !== undefined;
}

/**
 * The file's ->page_mkwrite: a vm_operations_struct's `.page_mkwrite` the file defines, else a
 * function of the ->page_mkwrite shape, (struct vm_area_struct *, struct page *) before 2.6.30 or
 * (struct vm_area_struct *, struct vm_fault *) after ("mm: page_mkwrite change prototype to match
 * fault"): ext4 defines ext4_page_mkwrite in inode.c and its vm_operations_struct in file.c.
 */
export function pageMkwriteOf(unit: TranslationUnit): string | undefined {
  for (const s of unit.structs) {
    if (s.structType !== 'vm_operations_struct') continue;
    const v = s.fields.find((f) => f.field === 'page_mkwrite')?.value;
    const n = v ? fnName(v) : null;
    if (n && unit.functions.has(n)) return n;
  }
  for (const fn of unit.functions.values()) {
    const [a, b] = fn.params;
    if (fn.params.length === 2 && a.pointer && /\bvm_area_struct\b/.test(a.type) && b.pointer && /\b(page|vm_fault)\b/.test(b.type)) return fn.name;
  }
  return undefined;
}

/** The credits `fn` starts its handle with (facts/writebackCredits.ts), kept while its code is. */
function creditsFact(unit: TranslationUnit, fn: string | undefined, deadline: number, memo: FactMemo): ReturnType<typeof writebackCreditsOf> {
  return fn && unit.functions.has(fn) ? memo(`credits\n${fn}`, [fn], () => writebackCreditsOf(unit, fn, deadline)) : writebackCreditsOf(unit, fn, deadline);
}

export function findTables(unit: TranslationUnit, sites: CallSite[], deadline: number, memo: FactMemo = computeFact): AopsTable[] {
  const raw = unit.structs.filter((s) => s.structType === 'address_space_operations');
  const names = new Set(raw.map((t) => t.name));
  const picks = tableSelection(unit, names, deadline, memo);
  // The tables the file gives a symlink inode (ext3/ext4_set_aops: a non-regular inode's data is
  // journalled): __page_symlink's write_begin/write_end are theirs. Empty: no selecting function.
  const forSymlink = picks.size ? new Set(tableSelection(unit, names, deadline, memo, S_IFLNK_MODE).keys()) : null;
  const memberNames = new Set(raw.flatMap((t) => t.fields.map((f) => fnName(f.value)).filter((n): n is string => !!n)));
  // Each helper's handle: the credits its caller in the file starts it with, when they evaluate.
  const creditsOf = new Map<string, ReturnType<typeof writebackCreditsOf>>();
  const helpers = handleHelpersOf(unit, sites, ALLOCATING_APIS, memberNames).map((h) => {
    if (!h.caller) return h;
    let c = creditsOf.get(h.caller);
    if (!c) creditsOf.set(h.caller, (c = creditsFact(unit, h.caller, deadline, memo)));
    return { ...h, credits: c };
  });
  const pageMkwrite = pageMkwriteOf(unit);
  const mappedUnwritten = mappedUnwrittenOf(unit);
  const tables = raw.map((t) => {
    const members = new Map<string, string>();
    for (const f of t.fields) {
      const n = fnName(f.value);
      if (n) members.set(f.field, n);
    }
    const writepage = members.get('writepage') ?? null;
    const wpDef = writepage ? unit.functions.get(writepage) : undefined;
    const cfgs = picks.get(t.name);
    let facts: TableFacts;
    if (cfgs && cfgs.length) {
      // A delalloc table is one the file selects only when delalloc is on.
      const delalloc = cfgs.every((c) => c.options.includes('DELALLOC'));
      facts = { modes: [...new Set(cfgs.map((c) => c.dataMode))], delalloc };
    } else {
      // No selecting function: a table is delalloc when its members can mark buffers delayed.
      facts = { modes: null, delalloc: reachesSetBufferDelay(unit, [...members.values()], sites) };
    }
    const [wbName, pwName] = [members.get('write_begin'), members.get('prepare_write')];
    const wbRoots = [wbName, pwName].filter((n): n is string => n !== undefined && unit.functions.has(n));
    // Besides the code it runs, write_begin's facts read the file's first journal call (whose journal the seed's default assumes).
    const wb = wbRoots.length ? memo(`writeBegin\n${wbName ?? ''}\n${pwName ?? ''}\n${JSON.stringify(firstJournalCall(unit))}`, wbRoots, () => writeBeginFacts(unit, wbName, pwName, deadline)) : writeBeginFacts(unit, wbName, pwName, deadline);
    facts.reclaim = wb.reclaim;
    const writepages = members.get('writepages');
    facts.writepages = writepages && unit.functions.has(writepages) ? writepages : undefined;
    facts.hasWriteBegin = unit.functions.has(members.get('write_begin') ?? '');
    facts.writeEntry = facts.hasWriteBegin ? members.get('write_begin') : unit.functions.has(members.get('prepare_write') ?? '') ? members.get('prepare_write') : undefined;
    facts.handleHelpers = helpers;
    facts.pageMkwrite = pageMkwrite;
    facts.mappedUnwritten = mappedUnwritten;
    facts.forSymlink = forSymlink ? forSymlink.has(t.name) : null;
    facts.info = {
      currentHandle: currentHandleOf(unit, writepage, sites),
      lockOrder: wb.lockOrder,
      orderedData: orderedDataOf(unit, [...members.values()], facts.modes, sites),
      writebackCredits: creditsFact(unit, writepages, deadline, memo),
    };
    const mount = cfgs && cfgs.length ? cfgs[0] : { dataMode: facts.modes?.[0] ?? 'ordered', options: facts.delalloc ? ['DELALLOC'] : [] };
    return {
      name: t.name,
      ops: 'address_space_operations' as const,
      line: t.loc.line,
      members,
      writepage,
      writepageLine: wpDef ? wpDef.nameLoc.line : t.fields.find((f) => f.field === 'writepage')?.loc.line ?? t.loc.line,
      facts,
      mount,
    };
  });
  // The file's order: one table whose write_begin starts the journal first makes it the file's.
  const orders = tables.map((t) => t.facts.info?.lockOrder.value);
  const fileOrder = orders.includes('journal-then-page') ? 'journal-then-page' : orders.includes('page-then-journal') ? 'page-then-journal' : 'unknown';
  for (const t of tables) t.facts.fileLockOrder = fileOrder;
  const uses = tables.map((t) => t.facts.info?.currentHandle).find((f) => f?.value) ?? { value: false, line: null, why: 'no ->writepage path of this file uses the current handle' };
  for (const t of tables) t.facts.fileCurrentHandle = uses;
  const journal = fileJournalOf(sites);
  for (const t of tables) t.facts.fileJournal = journal;
  return tables;
}

/** Whether the file makes journal calls at all, with the first one. */
export function fileJournalOf(sites: CallSite[]): Fact<boolean> {
  const journalCall = sites.find((s) => s.argIndex === -1 && JOURNAL_CALLS.has(s.callee));
  return journalCall
    ? { value: true, line: journalCall.line, why: `it makes journal calls (${journalCall.callee}, line ${journalCall.line})` }
    : { value: false, line: null, why: 'it makes no journal call: its block allocations take no journal handle' };
}
