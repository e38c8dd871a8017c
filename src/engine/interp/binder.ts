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

  private readonly bound = new WeakSet<FunctionDef>();

  /** Stamps the identifiers of `fn` for this unit, the first time the function runs. */
  ensure(fn: FunctionDef): void {
    if (this.bound.has(fn)) return;
    this.bound.add(fn);
    bindFunction(fn, this);
  }
}

type IdentExpr = Extract<Expr, { kind: 'ident' }>;

const byUnit = new WeakMap<TranslationUnit, Bindings>();

/**
 * The bindings of `unit`, made once: the identifiers of a function body get their IdentBound
 * when the function first runs (`ensure`; stamped with the unit, since a function's IR may be
 * shared by the units of two versions of a file). Identifiers elsewhere (macro values, struct
 * initialisers) are evaluated in whatever frame is current, so they keep the full lookup.
 */
export function bindUnit(unit: TranslationUnit, models: ModelTable, constants: ReadonlyMap<string, Value>): Bindings {
  let b = byUnit.get(unit);
  if (b && b.models === models && b.constants === constants) return b;
  b = new Bindings(unit, models, constants);
  byUnit.set(unit, b);
  return b;
}

/** Every identifier node under `e`, in source order. */
export function identsOfExpr(e: Expr | undefined, out: IdentExpr[]): void {
  if (!e) return;
  switch (e.kind) {
    case 'ident':
      out.push(e);
      return;
    case 'num':
    case 'str':
    case 'sizeof':
    case 'unknown':
      return;
    case 'unary':
    case 'update':
    case 'cast':
      identsOfExpr(e.arg, out);
      return;
    case 'binary':
      identsOfExpr(e.left, out);
      identsOfExpr(e.right, out);
      return;
    case 'assign':
      identsOfExpr(e.target, out);
      identsOfExpr(e.value, out);
      return;
    case 'call':
      identsOfExpr(e.callee, out);
      for (const a of e.args) identsOfExpr(a, out);
      return;
    case 'member':
      identsOfExpr(e.object, out);
      return;
    case 'index':
      identsOfExpr(e.object, out);
      identsOfExpr(e.index, out);
      return;
    case 'cond':
      identsOfExpr(e.test, out);
      identsOfExpr(e.then, out);
      identsOfExpr(e.else, out);
      return;
    case 'comma':
      for (const x of e.exprs) identsOfExpr(x, out);
      return;
    case 'init':
      for (const it of e.items) identsOfExpr(it.value, out);
      return;
  }
}

/** Every identifier node of a statement, and the names it declares (into `locals`). */
function identsOfStmt(s: Stmt | undefined, out: IdentExpr[], locals: Set<string>): void {
  if (!s) return;
  const list = (l: Stmt[]): void => {
    for (const t of l) identsOfStmt(t, out, locals);
  };
  switch (s.kind) {
    case 'block':
      list(s.body);
      return;
    case 'label':
      identsOfStmt(s.body, out, locals);
      return;
    case 'config':
      list(s.then);
      list(s.else);
      return;
    case 'if':
      identsOfExpr(s.test, out);
      identsOfStmt(s.then, out, locals);
      identsOfStmt(s.else, out, locals);
      return;
    case 'while':
    case 'do':
      identsOfExpr(s.test, out);
      identsOfStmt(s.body, out, locals);
      return;
    case 'for':
      identsOfStmt(s.init, out, locals);
      identsOfExpr(s.test, out);
      identsOfExpr(s.update, out);
      identsOfStmt(s.body, out, locals);
      return;
    case 'switch':
      identsOfExpr(s.test, out);
      for (const c of s.cases) {
        identsOfExpr(c.value, out);
        list(c.body);
      }
      return;
    case 'decl':
      for (const v of s.vars) {
        locals.add(v.name);
        identsOfExpr(v.init, out);
      }
      return;
    case 'expr':
      identsOfExpr(s.expr, out);
      return;
    case 'return':
      identsOfExpr(s.value, out);
      return;
    default:
      return;
  }
}

interface FunctionNames {
  idents: IdentExpr[];
  locals: Set<string>;
  /** Every name the body uses, locals too (a local's name falls back to its global binding where no declaration is in scope). */
  used: string[];
}

const namesByFunction = new WeakMap<FunctionDef, FunctionNames>();

/** The identifiers of a function, its locals and the other names it uses (memoised per definition). */
export function namesOf(fn: FunctionDef): FunctionNames {
  let n = namesByFunction.get(fn);
  if (n) return n;
  const idents: IdentExpr[] = [];
  const locals = new Set<string>(fn.params.map((p) => p.name));
  identsOfStmt(fn.body, idents, locals);
  const used = [...new Set(idents.map((e) => e.name))];
  n = { idents, locals, used };
  namesByFunction.set(fn, n);
  return n;
}

function bindFunction(fn: FunctionDef, b: Bindings): void {
  const { idents, locals } = namesOf(fn);
  for (const e of idents) {
    const bound: IdentBound = { unit: b.unit, local: locals.has(e.name), global: b.name(e.name) };
    // Not enumerable: the IR stays the same plain data for whoever prints or compares it.
    Object.defineProperty(e, 'bound', { value: bound, writable: true, enumerable: false, configurable: true });
  }
}
