// Builds the file's symbol index from the IR: where each in-file function is defined, called,
// used as a value (passed to a primitive, stored, put in an ops table), and the ops tables with
// their members. Plain data (ScenarioResult.symbols); navigation queries read it (./query.ts).
import type { FunctionSymbol, SymbolIndex, SymbolUse, TableSymbol } from '../api/types';
import { forEachExpr } from '../discovery';
import type { Expr, FunctionDef, Loc, TranslationUnit } from '../ir/ir';

/** Line starts of a text, to find identifiers near an IR position. */
class Lines {
  private readonly lines: string[];
  constructor(text: string) {
    this.lines = text.split('\n');
  }
  line(n: number): string {
    return this.lines[n - 1] ?? '';
  }
  /** First whole-word `name` at or after (line, column) within `maxLines` lines: its position. */
  find(name: string, line: number, column: number, maxLines = 4): { line: number; column: number } | null {
    for (let l = line; l < line + maxLines && l <= this.lines.length; l++) {
      const text = this.line(l);
      for (let i = text.indexOf(name, l === line ? Math.max(0, column - 1) : 0); i >= 0; i = text.indexOf(name, i + 1)) {
        if (!isIdent(text[i - 1]) && !isIdent(text[i + name.length])) return { line: l, column: i + 1 };
      }
    }
    return null;
  }
  /** Last `.field` before (line, column), looking back up to `maxLines` lines: the field's position. */
  fieldBefore(field: string, line: number, column: number, maxLines = 3): { line: number; column: number } | null {
    for (let l = line; l > line - maxLines && l >= 1; l--) {
      const text = l === line ? this.line(l).slice(0, Math.max(0, column - 1)) : this.line(l);
      for (let i = text.lastIndexOf(field); i >= 0; i = i === 0 ? -1 : text.lastIndexOf(field, i - 1)) {
        if (isIdent(text[i + field.length])) continue;
        let j = i - 1;
        while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
        if (text[j] === '.') return { line: l, column: i + 1 };
      }
    }
    return null;
  }
}

function isIdent(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

/** The function an expression names: `foo` or `&foo`. */
function named(e: Expr): { name: string; loc: Loc } | null {
  if (e.kind === 'ident') return { name: e.name, loc: e.loc };
  if (e.kind === 'unary' && e.op === '&' && e.arg.kind === 'ident') return { name: e.arg.name, loc: e.arg.loc };
  if (e.kind === 'cast') return named(e.arg);
  return null;
}

function useAt(name: string, loc: Loc, rest: Omit<SymbolUse, 'name' | 'line' | 'column' | 'endColumn'>): SymbolUse {
  return { name, line: loc.line, column: loc.column, endColumn: loc.column + name.length, ...rest };
}

/**
 * What one function's body holds for the index, in walk order, before the file's names are
 * known: calls (kept when the callee is defined here), `->op(...)` calls, arguments and other
 * mentions that name a function or table (kept when the name is the file's). Walked once per
 * lowered definition: an incremental analysis keeps a definition while its text and position
 * are unchanged.
 */
interface BodyMentions {
  calls: { kind: 'call' | 'ops-call' | 'arg'; name: string; loc: Loc; callee?: string; argIndex?: number }[];
  /** Identifiers not already placed as a callee or an argument, for the second pass. */
  idents: { name: string; loc: Loc }[];
  /** Positions placed as a callee or an argument. */
  placed: Set<string>;
}

const mentionsOf = new WeakMap<FunctionDef, BodyMentions>();

function bodyMentions(fn: FunctionDef): BodyMentions {
  let m = mentionsOf.get(fn);
  if (m) return m;
  m = { calls: [], idents: [], placed: new Set() };
  const { calls, idents, placed } = m;
  const key = (l: Loc) => `${l.line}:${l.column}`;
  forEachExpr(fn.body, (e) => {
    if (e.kind !== 'call') return;
    if (e.callee.kind === 'ident') {
      placed.add(key(e.callee.loc));
      calls.push({ kind: 'call', name: e.callee.name, loc: e.callee.loc });
    } else if (e.callee.kind === 'member' && e.callee.loc.line === e.callee.loc.endLine) {
      calls.push({ kind: 'ops-call', name: e.callee.field, loc: e.callee.loc });
    }
    const callee = e.callee.kind === 'ident' ? e.callee.name : e.callee.kind === 'member' ? `->${e.callee.field}` : '';
    e.args.forEach((a, i) => {
      const n = named(a);
      if (!n) return;
      placed.add(key(n.loc));
      calls.push({ kind: 'arg', name: n.name, loc: n.loc, callee, argIndex: i });
    });
  });
  forEachExpr(fn.body, (e) => {
    if (e.kind === 'ident' && !placed.has(key(e.loc))) idents.push({ name: e.name, loc: e.loc });
  });
  mentionsOf.set(fn, m);
  return m;
}

/** A function's symbol and uses, as they were last computed for the file's names (`names`). */
const indexedOf = new WeakMap<FunctionDef, { names: string; symbol: FunctionSymbol; uses: SymbolUse[] }>();

/** One function's symbol and the uses in its body of the file's functions and tables. */
function functionIndex(fn: FunctionDef, lines: Lines, defined: Map<string, FunctionDef>, known: (name: string) => boolean): { symbol: FunctionSymbol; uses: SymbolUse[] } {
  const uses: SymbolUse[] = [];
  const at = lines.find(fn.name, fn.nameLoc.line, fn.nameLoc.column) ?? { line: fn.nameLoc.line, column: fn.nameLoc.column };
  const symbol: FunctionSymbol = {
    name: fn.name,
    line: at.line,
    column: at.column,
    endColumn: at.column + fn.name.length,
    startLine: fn.loc.line,
    endLine: fn.loc.endLine,
    endLineColumn: fn.loc.endColumn,
    isStatic: fn.isStatic,
  };
  const m = bodyMentions(fn);
  for (const c of m.calls) {
    if (c.kind === 'call') {
      if (defined.has(c.name)) uses.push(useAt(c.name, c.loc, { kind: 'call', function: fn.name }));
    } else if (c.kind === 'ops-call') {
      // `x->a_ops->writepage(...)`: the field is the last identifier of the callee.
      uses.push({ name: c.name, kind: 'ops-call', line: c.loc.endLine, column: c.loc.endColumn - c.name.length, endColumn: c.loc.endColumn, function: fn.name });
    } else if (known(c.name)) {
      uses.push(useAt(c.name, c.loc, { kind: 'pointer', function: fn.name, callee: c.callee as string, argIndex: c.argIndex as number }));
    }
  }
  // Every other mention of an in-file function or table is it as a value (`fp = foo`, `a_ops = &t`).
  const placed = new Set<string>();
  for (const i of m.idents) {
    const k = `${i.loc.line}:${i.loc.column}`;
    if (!known(i.name) || placed.has(k)) continue;
    placed.add(k);
    uses.push(useAt(i.name, i.loc, { kind: 'pointer', function: fn.name }));
  }
  return { symbol, uses };
}

/** The symbol index of a lowered file. Never throws on odd IR: what it cannot place is left out. */
export function buildSymbolIndex(unit: TranslationUnit, text: string): SymbolIndex {
  const lines = new Lines(text);
  const defined = unit.functions;
  const tableNames = new Set(unit.structs.map((s) => s.name));
  const known = (name: string) => defined.has(name) || tableNames.has(name);
  const functions: FunctionSymbol[] = [];
  const uses: SymbolUse[] = [];
  // The names a use is kept for: while they are the same, a kept definition's uses are too.
  const names = `${[...defined.keys()].join(',')}|${[...tableNames].join(',')}`;
  for (const fn of defined.values()) {
    let own = indexedOf.get(fn);
    if (!own || own.names !== names) indexedOf.set(fn, (own = { names, ...functionIndex(fn, lines, defined, known) }));
    functions.push({ ...own.symbol });
    for (const u of own.uses) uses.push({ ...u });
  }
  const tables: TableSymbol[] = [];
  for (const s of unit.structs) {
    const at = lines.find(s.name, s.nameLoc.line, s.nameLoc.column) ?? { line: s.nameLoc.line, column: s.nameLoc.column };
    const members = s.fields.flatMap((f) => {
      const n = named(f.value);
      const fieldAt = lines.fieldBefore(f.field, f.value.loc.line, f.value.loc.column);
      if (!fieldAt) return [];
      if (n && defined.has(n.name)) uses.push(useAt(n.name, n.loc, { kind: 'table-member', function: '', table: s.name, field: f.field }));
      return [
        {
          field: f.field,
          line: fieldAt.line,
          column: fieldAt.column,
          endColumn: fieldAt.column + f.field.length,
          value: n?.name ?? null,
          valueLine: f.value.loc.line,
          valueColumn: f.value.loc.column,
          valueEndColumn: f.value.loc.line === f.value.loc.endLine ? f.value.loc.endColumn : f.value.loc.column + 1,
        },
      ];
    });
    tables.push({ name: s.name, structType: s.structType, line: at.line, column: at.column, endColumn: at.column + s.name.length, startLine: s.loc.line, endLine: s.loc.endLine, endLineColumn: s.loc.endColumn, members });
  }
  uses.sort((a, b) => a.line - b.line || a.column - b.column);
  return { functions, tables, uses };
}
