// Navigation over a ScenarioResult's symbol index and what the engine learnt: definition,
// implementation and references through ops tables and function pointers, the call hierarchy
// through primitives ("ext4_da_writepage → block_write_full_page → ext4_da_get_block_write"),
// the outline of ops tables. Pure functions: the VS Code providers and the language server share them.
import type { FunctionSymbol, ScenarioResult, SourceRange, SymbolIndex, SymbolUse, TableSymbol } from '../api/types';

export type NavTarget =
  | { kind: 'function'; name: string }
  | { kind: 'table'; name: string }
  /** An ops field: `.writepage` in a table (table set) or `->writepage(...)` (table null). */
  | { kind: 'field'; field: string; table: string | null };

export interface NamedRange extends SourceRange {
  name: string;
}

const EMPTY: SymbolIndex = { functions: [], tables: [], uses: [] };

function index(r: ScenarioResult): SymbolIndex {
  return r.symbols ?? EMPTY;
}

function point(line: number, column: number, endColumn: number): SourceRange {
  return { line, column, endLine: line, endColumn };
}

function inside(line: number, column: number, l: number, c: number, ec: number): boolean {
  return line === l && column >= c && column <= ec;
}

/** What the identifier at (line, column) (1-based) names, and its range. */
export function targetAt(r: ScenarioResult, line: number, column: number): { target: NavTarget; range: SourceRange } | null {
  const ix = index(r);
  for (const f of ix.functions) if (inside(line, column, f.line, f.column, f.endColumn)) return { target: { kind: 'function', name: f.name }, range: point(f.line, f.column, f.endColumn) };
  for (const t of ix.tables) {
    if (inside(line, column, t.line, t.column, t.endColumn)) return { target: { kind: 'table', name: t.name }, range: point(t.line, t.column, t.endColumn) };
    for (const m of t.members) {
      if (inside(line, column, m.line, m.column, m.endColumn)) return { target: { kind: 'field', field: m.field, table: t.name }, range: point(m.line, m.column, m.endColumn) };
    }
  }
  for (const u of ix.uses) {
    if (!inside(line, column, u.line, u.column, u.endColumn)) continue;
    const range = point(u.line, u.column, u.endColumn);
    if (u.kind === 'ops-call') return { target: { kind: 'field', field: u.name, table: null }, range };
    return { target: { kind: ix.tables.some((t) => t.name === u.name) ? 'table' : 'function', name: u.name }, range };
  }
  return null;
}

function fnSymbol(ix: SymbolIndex, name: string): FunctionSymbol | undefined {
  return ix.functions.find((f) => f.name === name);
}

function fnRange(f: FunctionSymbol): NamedRange {
  return { name: f.name, ...point(f.line, f.column, f.endColumn) };
}

function tableRange(t: TableSymbol): NamedRange {
  return { name: t.name, ...point(t.line, t.column, t.endColumn) };
}

/** The functions tables assign to `field` (all tables, or one). */
function fieldImplementations(ix: SymbolIndex, field: string, table: string | null): NamedRange[] {
  const out: NamedRange[] = [];
  for (const t of ix.tables) {
    if (table && t.name !== table) continue;
    for (const m of t.members) {
      if (m.field !== field || !m.value) continue;
      const f = fnSymbol(ix, m.value);
      if (f && !out.some((o) => o.name === f.name)) out.push(fnRange(f));
    }
  }
  return out;
}

/** Go to Definition: a function's or table's definition; an ops field's function(s). */
export function definitions(r: ScenarioResult, target: NavTarget): NamedRange[] {
  const ix = index(r);
  if (target.kind === 'function') {
    const f = fnSymbol(ix, target.name);
    return f ? [fnRange(f)] : [];
  }
  if (target.kind === 'table') {
    const t = ix.tables.find((x) => x.name === target.name);
    return t ? [tableRange(t)] : [];
  }
  return fieldImplementations(ix, target.field, target.table);
}

/**
 * Go to Implementation: for an ops field (`->writepage`, `.writepage`), every function a table of
 * the file assigns to it; for a table, the functions it holds; for a function, its definition.
 */
export function implementations(r: ScenarioResult, target: NavTarget): NamedRange[] {
  const ix = index(r);
  if (target.kind === 'field') return fieldImplementations(ix, target.field, null);
  if (target.kind === 'table') {
    const t = ix.tables.find((x) => x.name === target.name);
    return (t?.members ?? []).flatMap((m) => {
      const f = m.value ? fnSymbol(ix, m.value) : undefined;
      return f ? [fnRange(f)] : [];
    });
  }
  return definitions(r, target);
}

export interface Reference extends SourceRange {
  /** 'definition', or how it is used. */
  kind: 'definition' | SymbolUse['kind'] | 'table-field';
  /** Function containing the use ('' at file level). */
  function: string;
}

/** Find References: calls, uses as a function pointer, table members; ops fields in tables and `->field` calls. */
export function references(r: ScenarioResult, target: NavTarget, includeDeclaration = true): Reference[] {
  const ix = index(r);
  const out: Reference[] = [];
  if (target.kind === 'field') {
    for (const t of ix.tables) for (const m of t.members) if (m.field === target.field) out.push({ kind: 'table-field', function: '', ...point(m.line, m.column, m.endColumn) });
    for (const u of ix.uses) if (u.kind === 'ops-call' && u.name === target.field) out.push({ kind: u.kind, function: u.function, ...point(u.line, u.column, u.endColumn) });
    return sortRefs(out);
  }
  if (includeDeclaration) for (const d of definitions(r, target)) out.push({ kind: 'definition', function: '', ...d });
  for (const u of ix.uses) if (u.kind !== 'ops-call' && u.name === target.name) out.push({ kind: u.kind, function: u.function, ...point(u.line, u.column, u.endColumn) });
  return sortRefs(out);
}

function sortRefs(refs: Reference[]): Reference[] {
  return refs.sort((a, b) => a.line - b.line || a.column - b.column);
}

// --- call hierarchy ---------------------------------------------------------------------

export interface HierarchyItem {
  /** Shown name: the function, or a chain through a primitive ("ext4_da_writepage → block_write_full_page"). */
  name: string;
  /** The in-file function (or table) the item stands for: what expanding it asks about. */
  symbol: string;
  kind: 'function' | 'table';
  detail: string;
  range: SourceRange;
  selectionRange: SourceRange;
}

export interface HierarchyCall {
  item: HierarchyItem;
  /** Where the call (or the pass as a function pointer) is, in the caller (incoming) or in the item's function (outgoing). */
  ranges: SourceRange[];
}

function itemOf(ix: SymbolIndex, name: string, shown = name, detail = ''): HierarchyItem | null {
  const f = fnSymbol(ix, name);
  if (f) return { name: shown, symbol: name, kind: 'function', detail, range: { line: f.startLine, column: 1, endLine: f.endLine, endColumn: f.endLineColumn }, selectionRange: point(f.line, f.column, f.endColumn) };
  const t = ix.tables.find((x) => x.name === name);
  if (t) return { name: shown, symbol: name, kind: 'table', detail: detail || t.structType, range: { line: t.startLine, column: 1, endLine: t.endLine, endColumn: t.endLineColumn }, selectionRange: point(t.line, t.column, t.endColumn) };
  return null;
}

/** The call hierarchy's root for a function or table of the file. */
export function hierarchyItem(r: ScenarioResult, name: string): HierarchyItem | null {
  const ix = index(r);
  const cb = r.callbacks.find((c) => c.name === name);
  const entry = r.entries.filter((e) => e.writepage === name);
  const detail = cb ? 'get_block callback' : entry.length ? `->writepage of ${entry.map((e) => e.aops).join(', ')}` : '';
  return itemOf(ix, name, name, detail);
}

/** In-file call chain from `from` to a function satisfying `stop` (shortest; `from` itself counts). */
function chain(ix: SymbolIndex, from: string, stop: (fn: string) => boolean, maxDepth = 8): string[] | null {
  const calls = new Map<string, Set<string>>();
  for (const u of ix.uses) if (u.kind === 'call') calls.set(u.function, (calls.get(u.function) ?? new Set()).add(u.name));
  const prev = new Map<string, string | null>([[from, null]]);
  let frontier = [from];
  for (let d = 0; d <= maxDepth && frontier.length; d++) {
    const next: string[] = [];
    for (const fn of frontier) {
      if (stop(fn)) {
        const out: string[] = [];
        for (let x: string | null = fn; x !== null; x = prev.get(x) ?? null) out.unshift(x);
        return out;
      }
      for (const c of calls.get(fn) ?? []) {
        if (prev.has(c)) continue;
        prev.set(c, fn);
        next.push(c);
      }
    }
    frontier = next;
  }
  return null;
}

function usesIn(ix: SymbolIndex, fn: string, pred: (u: SymbolUse) => boolean): SymbolUse[] {
  return ix.uses.filter((u) => u.function === fn && pred(u));
}

function rangeOf(u: SymbolUse): SourceRange {
  return point(u.line, u.column, u.endColumn);
}

/**
 * Incoming calls of a function: its direct callers; each function that passes it to a primitive,
 * as "caller → primitive" (with the ->writepage paths the engine saw reach it that way); each
 * writepage whose scenarios reach it through in-file helpers, as "writepage → … → primitive";
 * the ops tables that hold it.
 */
export function incomingCalls(r: ScenarioResult, name: string): HierarchyCall[] {
  const ix = index(r);
  const out: HierarchyCall[] = [];
  const reached = r.callbacks.find((c) => c.name === name)?.reachedFrom ?? [];
  const byKey = new Map<string, HierarchyCall>();
  const add = (key: string, item: HierarchyItem | null, ranges: SourceRange[]) => {
    if (!item) return;
    const have = byKey.get(key);
    if (have) {
      have.ranges.push(...ranges);
      return;
    }
    const c = { item, ranges: [...ranges] };
    byKey.set(key, c);
    out.push(c);
  };
  for (const u of ix.uses) {
    if (u.name !== name) continue;
    if (u.kind === 'call') add(`call:${u.function}`, itemOf(ix, u.function, u.function, 'calls it'), [rangeOf(u)]);
    else if (u.kind === 'pointer' && u.callee) {
      const seen = reached.filter((x) => x.via === u.callee && chain(ix, x.writepage, (f) => f === u.function) !== null);
      const tables = [...new Set(seen.map((x) => x.aops))];
      const detail = `passes it to ${u.callee}${tables.length ? `; reached in the scenarios of ${tables.join(', ')}` : ''}`;
      add(`via:${u.function}:${u.callee}`, itemOf(ix, u.function, `${u.function} → ${u.callee}`, detail), [rangeOf(u)]);
    } else if (u.kind === 'pointer') add(`value:${u.function}`, itemOf(ix, u.function, u.function, 'uses it as a value'), [rangeOf(u)]);
    else if (u.kind === 'table-member' && u.table) add(`table:${u.table}`, itemOf(ix, u.table, u.table, `.${u.field ?? '?'}`), [rangeOf(u)]);
  }
  // Paths the engine ran from a writepage through in-file helpers to the primitive that calls it.
  for (const x of reached) {
    const passers = ix.uses.filter((u) => u.kind === 'pointer' && u.name === name && u.callee === x.via).map((u) => u.function);
    const path = chain(ix, x.writepage, (f) => passers.includes(f));
    if (!path || path.length < 2) continue;
    const key = `reach:${path.join('>')}:${x.via}`;
    const firstHop = usesIn(ix, path[0], (u) => u.kind === 'call' && u.name === path[1]).map(rangeOf);
    add(key, itemOf(ix, x.writepage, `${[...path, x.via].join(' → ')}`, `reached in the scenarios of ${x.aops}`), firstHop);
  }
  return out;
}

/**
 * Outgoing calls of a function: the in-file functions it calls; the functions it passes to a
 * primitive, as "primitive → callback"; for a writepage, the callbacks its scenarios reached
 * through in-file helpers, as "helper → … → primitive → callback".
 */
export function outgoingCalls(r: ScenarioResult, name: string): HierarchyCall[] {
  const ix = index(r);
  const out: HierarchyCall[] = [];
  const byKey = new Map<string, HierarchyCall>();
  const add = (key: string, item: HierarchyItem | null, ranges: SourceRange[]) => {
    if (!item) return;
    const have = byKey.get(key);
    if (have) have.ranges.push(...ranges);
    else {
      const c = { item, ranges: [...ranges] };
      byKey.set(key, c);
      out.push(c);
    }
  };
  for (const u of usesIn(ix, name, () => true)) {
    if (u.kind === 'call') add(`call:${u.name}`, itemOf(ix, u.name, u.name, 'called'), [rangeOf(u)]);
    else if (u.kind === 'pointer' && u.callee && fnSymbol(ix, u.name)) {
      const cb = r.callbacks.find((c) => c.name === u.name);
      add(`via:${u.callee}:${u.name}`, itemOf(ix, u.name, `${u.callee} → ${u.name}`, `${u.callee} calls it${cb ? ' (get_block callback)' : ''}`), [rangeOf(u)]);
    } else if (u.kind === 'pointer' && fnSymbol(ix, u.name)) add(`value:${u.name}`, itemOf(ix, u.name, u.name, 'used as a value'), [rangeOf(u)]);
  }
  for (const cb of r.callbacks) {
    for (const x of cb.reachedFrom) {
      if (x.writepage !== name) continue;
      const passers = ix.uses.filter((u) => u.kind === 'pointer' && u.name === cb.name && u.callee === x.via).map((u) => u.function);
      const path = chain(ix, name, (f) => passers.includes(f));
      if (!path || path.length < 2) continue;
      const firstHop = usesIn(ix, name, (u) => u.kind === 'call' && u.name === path[1]).map(rangeOf);
      add(`reach:${path.join('>')}:${x.via}:${cb.name}`, itemOf(ix, cb.name, [...path.slice(1), x.via, cb.name].join(' → '), `reached in the scenarios of ${x.aops}`), firstHop);
    }
  }
  return out;
}

// --- outline ----------------------------------------------------------------------------

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: 'table' | 'member' | 'function';
  range: SourceRange;
  selectionRange: SourceRange;
  children: OutlineSymbol[];
}

/**
 * The outline, in file order: each ops table with its members (the `->writepage` entry marked
 * with its number of scenarios), and the functions (callbacks and writepage entries say so).
 */
export function documentSymbols(r: ScenarioResult): OutlineSymbol[] {
  const ix = index(r);
  const out: OutlineSymbol[] = [];
  for (const t of ix.tables) {
    const entry = r.entries.find((e) => e.aops === t.name);
    const children = t.members.map((m): OutlineSymbol => {
      const isEntry = entry && m.field === 'writepage' && m.value === entry.writepage;
      const runs = isEntry ? r.runs.filter((x) => x.aops === t.name).length : 0;
      const detail = isEntry ? `writepage entry, ${runs} scenario${runs === 1 ? '' : 's'}` : '';
      return { name: m.value ? `.${m.field} = ${m.value}` : `.${m.field}`, detail, kind: 'member', range: { line: m.line, column: m.column - 1, endLine: m.valueLine, endColumn: m.valueEndColumn }, selectionRange: point(m.line, m.column, m.endColumn), children: [] };
    });
    const mode = entry?.mode ? `data=${entry.mode}${entry.delalloc ? ', delalloc' : ''}` : '';
    out.push({ name: t.name, detail: [t.structType, mode].filter(Boolean).join(' '), kind: 'table', range: { line: t.startLine, column: 1, endLine: t.endLine, endColumn: t.endLineColumn }, selectionRange: point(t.line, t.column, t.endColumn), children });
  }
  for (const f of ix.functions) {
    const cb = r.callbacks.some((c) => c.name === f.name);
    const entries = r.entries.filter((e) => e.writepage === f.name).map((e) => e.aops);
    const detail = cb ? 'get_block callback' : entries.length ? `->writepage of ${entries.join(', ')}` : '';
    out.push({ name: f.name, detail, kind: 'function', range: { line: f.startLine, column: 1, endLine: f.endLine, endColumn: f.endLineColumn }, selectionRange: point(f.line, f.column, f.endColumn), children: [] });
  }
  return out.sort((a, b) => a.range.line - b.range.line);
}
