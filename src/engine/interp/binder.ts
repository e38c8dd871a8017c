// The binder: what each name of a file stands for, resolved once per file instead of at every
// evaluation. An identifier that is not a local of its function is bound to a function of the
// file, a model, `current`, a kernel constant, a struct instance of the file, an object-like
// macro or a declared function, in the order the interpreter has always looked them up; a call
// name to a model, a function of the file, or nothing (unmodelled). `bindName`/`bindCall` are the
// reusable answers (hover, listings); `bindUnit` stamps them on the identifiers of the function
// bodies so the interpreter reads them without searching.
import type { Expr, FunctionDef, MacroDef, Stmt, TranslationUnit } from '../ir/ir';
import type { ModelSpec, ModelTable } from './modelApi';
import type { Value } from './values';

/** What a name is bound to outside any local scope. */
export type NameBinding =
  | { kind: 'function'; name: string }
  | { kind: 'model'; name: string }
  | { kind: 'current' }
  | { kind: 'constant'; name: string; value: Value }
  | { kind: 'struct'; name: string }
  /** An object-like macro with a value; `otherwise` applies while its own expansion is under way. */
  | { kind: 'macro'; name: string; macro: MacroDef & { value: Expr }; otherwise: NameBinding }
  | { kind: 'declared'; name: string }
  | { kind: 'unbound'; name: string };

/**
 * What a called name runs: a model (preferred over a definition when it says so), the file's
 * function, or nothing; `spec` is the model of that name even when the definition runs.
 */
export type CallBinding =
  | { kind: 'model'; name: string; spec: ModelSpec; def: FunctionDef | undefined }
  | { kind: 'function'; name: string; spec: ModelSpec | undefined; def: FunctionDef }
  | { kind: 'unmodelled'; name: string; spec: undefined; def: undefined };

/**
 * The binding stamped on an identifier of a function body, for one unit: `local` when the name
 * is a parameter or local of that function (the frame is looked up first), else only `global`.
 */
export interface IdentBound {
  readonly unit: TranslationUnit;
  readonly local: boolean;
  readonly global: NameBinding;
}

/** The global binding of `name` (locals aside), in the interpreter's lookup order. */
export function bindName(unit: TranslationUnit, models: ModelTable, constants: ReadonlyMap<string, Value>, name: string): NameBinding {
  if (unit.functions.has(name)) return { kind: 'function', name };
  if (models.has(name)) return { kind: 'model', name };
  if (name === 'current') return { kind: 'current' };
  const c = constants.get(name);
  if (c) return { kind: 'constant', name, value: c };
  if (unit.structs.some((s) => s.name === name)) return { kind: 'struct', name };
  const rest: NameBinding = unit.declared.has(name) ? { kind: 'declared', name } : { kind: 'unbound', name };
  const m = unit.macros.get(name);
  if (m && m.value) return { kind: 'macro', name, macro: m as MacroDef & { value: Expr }, otherwise: rest };
  return rest;
}

/** What calling `name` runs (when the name is not a local holding a function pointer). */
export function bindCall(unit: TranslationUnit, models: ModelTable, name: string): CallBinding {
  const spec = models.get(name);
  const def = unit.functions.get(name);
  if (spec && (spec.preferOverSource || !def)) return { kind: 'model', name, spec, def };
  if (def) return { kind: 'function', name, spec, def };
  return { kind: 'unmodelled', name, spec: undefined, def: undefined };
}

/** The bindings of one file (for one model table and constant set), memoised by name. */
export class Bindings {
  private readonly names = new Map<string, NameBinding>();
  private readonly calls = new Map<string, CallBinding>();

  constructor(
    readonly unit: TranslationUnit,
    readonly models: ModelTable,
    readonly constants: ReadonlyMap<string, Value>,
  ) {}

  name(name: string): NameBinding {
    let b = this.names.get(name);
    if (!b) this.names.set(name, (b = bindName(this.unit, this.models, this.constants, name)));
    return b;
  }

  call(name: string): CallBinding {
    let b = this.calls.get(name);
    if (!b) this.calls.set(name, (b = bindCall(this.unit, this.models, name)));
    return b;
  }
}

type IdentExpr = Extract<Expr, { kind: 'ident' }>;

const byUnit = new WeakMap<TranslationUnit, Bindings>();

/**
 * The bindings of `unit`, made once: every identifier of every function body gets its
 * IdentBound (stamped with the unit, since a function's IR may be shared by the units of two
 * versions of a file). Identifiers elsewhere (macro values, struct initialisers) are evaluated in
 * whatever frame is current, so they keep the full lookup.
 */
export function bindUnit(unit: TranslationUnit, models: ModelTable, constants: ReadonlyMap<string, Value>): Bindings {
  let b = byUnit.get(unit);
  if (b && b.models === models && b.constants === constants) return b;
  b = new Bindings(unit, models, constants);
  byUnit.set(unit, b);
  for (const fn of unit.functions.values()) bindFunction(fn, b);
  return b;
}

function bindFunction(fn: FunctionDef, b: Bindings): void {
  const locals = new Set<string>(fn.params.map((p) => p.name));
  const idents: IdentExpr[] = [];
  const expr = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case 'ident':
        idents.push(e);
        return;
      case 'num':
      case 'str':
      case 'sizeof':
      case 'unknown':
        return;
      case 'unary':
      case 'update':
      case 'cast':
        expr(e.arg);
        return;
      case 'binary':
        expr(e.left);
        expr(e.right);
        return;
      case 'assign':
        expr(e.target);
        expr(e.value);
        return;
      case 'call':
        expr(e.callee);
        e.args.forEach(expr);
        return;
      case 'member':
        expr(e.object);
        return;
      case 'index':
        expr(e.object);
        expr(e.index);
        return;
      case 'cond':
        expr(e.test);
        expr(e.then);
        expr(e.else);
        return;
      case 'comma':
        e.exprs.forEach(expr);
        return;
      case 'init':
        e.items.forEach((it) => expr(it.value));
        return;
    }
  };
  const stmt = (s: Stmt | undefined): void => {
    if (!s) return;
    switch (s.kind) {
      case 'block':
        s.body.forEach(stmt);
        return;
      case 'label':
        stmt(s.body);
        return;
      case 'config':
        s.then.forEach(stmt);
        s.else.forEach(stmt);
        return;
      case 'if':
        expr(s.test);
        stmt(s.then);
        stmt(s.else);
        return;
      case 'while':
      case 'do':
        expr(s.test);
        stmt(s.body);
        return;
      case 'for':
        stmt(s.init);
        expr(s.test);
        expr(s.update);
        stmt(s.body);
        return;
      case 'switch':
        expr(s.test);
        for (const c of s.cases) {
          expr(c.value);
          c.body.forEach(stmt);
        }
        return;
      case 'decl':
        for (const v of s.vars) {
          locals.add(v.name);
          expr(v.init);
        }
        return;
      case 'expr':
        expr(s.expr);
        return;
      case 'return':
        expr(s.value);
        return;
      default:
        return;
    }
  };
  stmt(fn.body);
  for (const e of idents) {
    const bound: IdentBound = { unit: b.unit, local: locals.has(e.name), global: b.name(e.name) };
    // Not enumerable: the IR stays the same plain data for whoever prints or compares it.
    Object.defineProperty(e, 'bound', { value: bound, writable: true, enumerable: false, configurable: true });
  }
}
