// Executes the IR of the file's own functions along one path, calling kernel models for the
// primitives they use. Forks (through the ChoiceLog) on unknown conditions and model outcomes.
import type { Expr, FunctionDef, Loc, Stmt, TranslationUnit } from '../ir/ir';
import { BufferHead, freshId } from '../models/objects';
import { arith, compare, linOf } from './arith';
import { type Bindings, bindUnit, type CallBinding, type IdentBound, type NameBinding } from './binder';
import type { KernelEvent } from './events';
import type { ChoiceLog } from './explorer';
import { describeExpr, exprText } from './exprText';
import { decide, narrow, negate, relOf } from './ranges';
import { type ModelCtx, type ModelSpec, type ModelTable, PathEnd, type Site } from './modelApi';
import { type Cell, clipText, int, isNull, KObj, obj, show, showErrno, type Value, ONE, ZERO } from './values';
import type { World } from './world';

export { PathEnd, type ModelCtx, type ModelFn, type ModelSpec, type ModelTable, type Site } from './modelApi';
export { exprText } from './exprText';

export interface InterpLimits {
  stepsPerPath: number;
  callDepth: number;
  /** Collects the name of every function of the program the path enters (an incremental run's dependencies). */
  entered?: Set<string>;
}

interface Frame {
  fn: FunctionDef;
  scopes: Map<string, Cell>[];
  retVal: Value;
  gotoLabel: string;
  loc: Loc;
}

const IF_TRUE = 'if (…) → true';
const IF_FALSE = 'if (…) → false';
const LOOP_TRUE = 'loop condition → true';
const LOOP_FALSE = 'loop condition → false';
const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);

const enum C {
  Normal,
  Break,
  Continue,
  Return,
  Goto,
}

/** A cell that reads and writes a field of an object (`&bh->b_size`, `p->f += 1`). */
class FieldCell implements Cell {
  constructor(
    private readonly o: KObj,
    private readonly field: string,
    private readonly interp: Interp,
  ) {}
  get name(): string {
    return `${this.o.label}->${this.field}`;
  }
  get value(): Value {
    return this.interp.fieldValue(this.o, this.field);
  }
  set value(v: Value) {
    this.o.set(this.field, v);
  }
}

/** Keys of unknowns named by a long text (an identifier, a field, a sizeof's text), by unit: short keys, so a derived key (`(a + b)`) never hashes the text again. */
const LONG_TEXT = 96;
const longTexts = new WeakMap<TranslationUnit, Map<string, number>>();

const UNSIGNED_32 = /\b(unsigned( int)?|u32|__u32|uint|unsigned)\b/;
const SIGNED_32 = /^(const )?(int|signed|s32|__s32)$/;

/** How a scalar of a declared type holds an integer: what a store into it, or a cast to it, converts to. */
const enum IntClass {
  Other,
  U32,
  S32,
  U64,
  S64,
}

// Texts of the hot trace steps, made only for a stored step (World.stepWith).
const enterText = (fn: FunctionDef, args: Value[]): string => `enter ${fn.name}(${args.map(show).join(', ')})`;
const enterViaText = (fn: FunctionDef, x: { args: Value[]; via: string }): string => `${enterText(fn, x.args)} via ${x.via}`;
const returnFromText = (ret: Value, fn: FunctionDef): string => `return ${show(ret)} from ${fn.name}`;
const returnText = (ret: Value, _: null): string => `return ${show(ret)}`;
const assignText = (name: string, value: Value): string => `${name} = ${show(value)}`;
const callText = (name: string, args: Value[]): string => `call ${name}(${args.map(show).join(', ')})`;
const callRawText = (name: string, args: Expr[]): string => `call ${name}(${args.map((x) => exprText(x)).join(', ')})`;

/** The lazy text of an expression statement's step, one function per statement (not one per step). */
function describerOf(s: Extract<Stmt, { kind: 'expr' }>): () => string {
  const c = s as typeof s & { describe$?: () => string };
  let d = c.describe$;
  if (d === undefined) {
    const e = s.expr;
    let text: string | undefined;
    d = () => (text ??= describeExpr(e));
    Object.defineProperty(c, 'describe$', { value: d, enumerable: false });
  }
  return d;
}

/** A literal's value, made once per literal (values are never changed in place), kept off the IR's enumerable fields. */
function numValue(e: Extract<Expr, { kind: 'num' }>): Value {
  const c = e as typeof e & { value$?: Value };
  let v = c.value$;
  if (v === undefined) {
    v = int(e.value);
    Object.defineProperty(c, 'value$', { value: v, enumerable: false });
  }
  return v;
}

/** A type text's answer, kept: the same few dozen type texts are converted at every store of a path. */
function remember<K, V>(cache: Map<K, V>, key: K, make: (k: K) => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size >= 4096) cache.clear();
    cache.set(key, (v = make(key)));
  }
  return v;
}

const U32_MAX = 0xffffffffn;
const S32_MIN = -0x80000000n;
const S32_MAX = 0x7fffffffn;
const U64_MAX = 0xffffffffffffffffn;
const S64_MIN = -0x8000000000000000n;
const S64_MAX = 0x7fffffffffffffffn;

const intClasses = new Map<string, IntClass>();
function intClassOf(type: string): IntClass {
  return remember(intClasses, type, makeIntClass);
}

// The makers below are module functions, not arrows at the call: a function literal is a new
// object each time it is evaluated, and these run at every store and cast of a path.
function makeIntClass(ty: string): IntClass {
  const t = ty.replace(/\bconst\b/g, '').trim();
  if (UNSIGNED_32.test(t) && !/long/.test(t)) return IntClass.U32;
  if (SIGNED_32.test(t)) return IntClass.S32;
  if (/\b(unsigned long|sector_t|pgoff_t|size_t|u64|__u64|ext4_fsblk_t|ext4_lblk_t)\b/.test(t)) return IntClass.U64;
  if (/\b(loff_t|long|s64|ssize_t)\b/.test(t)) return IntClass.S64;
  return IntClass.Other;
}

const pointerTypes = new Map<string, boolean>();
function isPointerType(type: string): boolean {
  return remember(pointerTypes, type, makeIsPointer);
}

function makeIsPointer(t: string): boolean {
  return /\*/.test(t);
}

/** What a declaration of a non-pointer of this type makes: a buffer_head, another struct or union, or a scalar. */
const enum DeclClass {
  Scalar,
  BufferHead,
  Struct,
}
const declClasses = new Map<string, DeclClass>();
function declClassOf(type: string): DeclClass {
  return remember(declClasses, type, makeDeclClass);
}

function makeDeclClass(t: string): DeclClass {
  return /\bstruct\s+buffer_head\b/.test(t) ? DeclClass.BufferHead : /^(const\s+)?(struct|union)\s/.test(t) ? DeclClass.Struct : DeclClass.Scalar;
}

/** The step of an `&&`/`||` its right operand settled (Interp.settledByRight). */
const settledText = (e: Extract<Expr, { kind: 'binary' }>, value: boolean): string =>
  `${exprText(e.right)} is ${value ? 'true' : 'false'} on this path, so \`${exprText(e)}\` is ${value ? 'true' : 'false'}: ${exprText(e.left)} is not asked`;

/** The arguments of a call whose model reads the raw expressions: never written to. */
const NO_ARGS: Value[] = [];

/** `#if` of integer constants only (`0`, `1`, `(0)`, `1 && 0`): its value, or undefined when it is not that simple. */
function constantCondition(text: string): boolean | undefined {
  const t = text.replace(/\s+/g, '');
  if (/^\(*\d+\)*$/.test(t)) return BigInt(t.replace(/[()]/g, '')) !== 0n;
  if (/^!\(*\d+\)*$/.test(t)) return BigInt(t.replace(/[()!]/g, '')) === 0n;
  return undefined;
}

/** The labels a statement holds: the IR is never changed, so every path (every Interp) shares them. */
const labelCache = new WeakMap<Stmt, Set<string>>();

export class Interp implements ModelCtx {
  private readonly frames: Frame[] = [];
  private steps = 0;
  /** Statements executed on this path so far (what the step budget counts). */
  get stepCount(): number {
    return this.steps;
  }
  private modelName = '';
  /** What each name of the file is bound to, resolved once per file (binder.ts). */
  private readonly bindings: Bindings;

  constructor(
    readonly unit: TranslationUnit,
    readonly models: ModelTable,
    readonly world: World,
    private readonly log: ChoiceLog,
    private readonly limits: InterpLimits,
    private readonly constants: ReadonlyMap<string, Value>,
  ) {
    this.bindings = bindUnit(unit, models, constants);
  }

  get name(): string {
    return this.modelName;
  }

  // ------------------------------------------------------------------ ModelCtx

  site(): Site {
    const top = this.frames[this.frames.length - 1];
    // Inside a function of the kernel tree, what happens is located at the analysed file's call
    // into the tree (as a model's events are): the innermost frame of the file itself.
    let at = top;
    for (let i = this.frames.length - 1; at?.fn.file && i > 0; i--) at = this.frames[i - 1];
    return {
      loc: at ? at.loc : { line: 1, column: 1, endLine: 1, endColumn: 1 },
      function: at ? at.fn.name : '',
      stack: this.frames.map((f) => f.fn.name),
    };
  }

  event(text: string): void {
    this.traceStep(text, 'model');
  }

  private traceStep(text: string, kind: import('../api/types').TraceKind): void {
    // A step is where it happens, in the tree's file too (its loc carries the file).
    const top = this.frames[this.frames.length - 1];
    const s = top?.fn.file ? { function: top.fn.name, loc: top.loc } : this.site();
    this.world.step(this.modelName ? `${s.function} → ${this.modelName}` : s.function, s.loc, text, Math.max(0, this.frames.length - 1), kind);
  }

  emit(e: KernelEvent, text: string): void {
    const s = this.site();
    this.world.emit(e, s, text, this.modelName ? `${s.function} → ${this.modelName}` : s.function, Math.max(0, this.frames.length - 1));
  }

  bug(message: string, check = this.modelName || 'BUG'): never {
    this.emit({ kind: 'bug', api: this.modelName, message, check }, `kernel BUG: ${message}`);
    throw new PathEnd('bug', message);
  }

  choose(options: string[], what: string): number {
    // Single-fault assumption: once a path took one injected failure (an -E... outcome), later
    // failure points on it succeed. Retry loops around an allocation then end, as in the kernel.
    if (this.world.injected.length > 0 && options.length > 1 && options.slice(1).every((o) => /^-E[A-Z]+/.test(o))) return 0;
    const pick = this.log.choose(options, what, 0, this.forkSite());
    if (options.length > 1) this.traceStep(`fork: ${what} → ${options[pick]}`, 'fork');
    // Models list the normal outcome first; any other is an injected failure.
    if (pick > 0 && /^-E[A-Z]+/.test(options[pick])) this.world.injected.push(`${what}: ${options[pick]}`);
    return pick;
  }

  /** Where a fork is taken: the statement of the innermost frame (the explorer's order counts passes). */
  private forkSite(): string {
    const f = this.frames[this.frames.length - 1];
    return f ? `${f.fn.name}:${f.loc.line}:${f.loc.column}` : '';
  }

  truthy(v: Value): boolean {
    switch (v.k) {
      case 'int':
        return v.v !== 0n;
      case 'unk': {
        let known = this.world.assumptions.get(v.key);
        if (known === undefined) {
          // A comparison of one unknown with a constant, or the unknown plus a constant (true when
          // non-zero): decided without a fork when this path's decisions about that unknown imply it.
          const lin = linOf(v);
          const rel = v.rel ?? (lin ? relOf(lin, '!=', 0n, false) : undefined);
          const range = rel ? this.world.ranges.get(rel.base) : undefined;
          const implied = v.nonzero ? true : rel ? decide(range, rel) : null;
          if (implied !== null) known = implied;
          // Past the fork cap a loop's own condition takes the exit: the path ends rather than
          // turning until the step budget cuts it.
          else known = this.log.choose(['true', 'false'], `unknown ${v.why}`, this.loopTestFrame === this.frames.length ? (v.neg ? 0 : 1) : 0, this.forkSite()) === 0;
          if (rel && implied === null) this.world.ranges.set(rel.base, narrow(range, known ? rel : negate(rel)));
          this.world.assumptions.set(v.key, known);
          this.traceStep(`${implied === null ? 'assume' : 'so'} ${v.why} is ${known ? 'true (non-zero)' : 'false (zero)'}${implied === null ? '' : ' (follows from what this path assumed before)'}${v.guess ? ` (a guess: ${v.guess} is not modelled)` : ''}`, 'assume');
          if (v.guess) this.world.guesses.push({ name: v.guess, line: v.guessLine ?? this.site().loc.line, assumed: `${v.why} is ${known ? 'true (non-zero)' : 'false (zero)'}`, branch: { key: v.key, taken: known } });
        }
        return v.neg ? !known : known;
      }
      default:
        return true;
    }
  }

  intOf(v: Value): bigint | null {
    return v.k === 'int' ? v.v : null;
  }

  objOf(v: Value): KObj | null {
    return v.k === 'obj' ? v.o : v.k === 'global' ? this.globalObject(v.name) : null;
  }

  unknown(why: string): Value {
    return { k: 'unk', key: `u${this.world.unknownCounter++}`, why };
  }

  eval(e: Expr): Value {
    return this.expr(e);
  }

  callValue(fn: Value, args: Value[], via: string): Value {
    if (fn.k === 'fn') return this.invoke(fn.name, args, [], via);
    if (isNull(fn)) this.bug(`${via}: call through a NULL function pointer`);
    const name = `(${show(fn)})`;
    this.noteUnmodelled(name, 'an unknown function pointer: returns an unknown value, no side effects');
    return this.guessed(`result of ${name}`, `${name}()`);
  }

  // ------------------------------------------------------------------ entry

  /** Runs a function of the file with the given arguments and returns its result. */
  run(fn: FunctionDef, args: Value[]): Value {
    return this.callFunction(fn, args);
  }

  // ------------------------------------------------------------------ calls

  private invoke(name: string, args: Value[], raw: Expr[], via?: string, bound?: CallBinding): Value {
    const b = bound ?? this.bindings.call(name);
    // The rest of a program (a kernel tree's own source) may stand in for a model or an unknown
    // call: src/engine/tree/program.ts decides, by its cut line.
    if (this.unit.external && b.kind !== 'function' && !(b.kind === 'model' && b.spec.preferOverSource)) {
      const ext = this.unit.external(name, b.kind === 'model', this.frames[this.frames.length - 1]?.fn.file);
      if (ext) return this.callFunction(ext, args, via);
    }
    if (b.kind === 'model') return this.callModel(name, b.spec, args, raw);
    if (b.kind === 'function') return this.callFunction(b.def, args, via);
    this.noteUnmodelled(name, 'returns an unknown value; both outcomes are explored; no side effects assumed');
    this.guessPageUntouched(name, args);
    const key = this.sameCallKey(name, args);
    const seen = key === null ? undefined : this.world.callResults.get(key);
    if (seen) {
      this.traceStep(`call ${name}(): not defined in this file and not modelled; the same arguments as its call at line ${seen.line}, so the same unknown result`, 'call');
      return seen.value;
    }
    this.traceStep(`call ${name}(): not defined in this file and not modelled; result unknown`, 'call');
    const value = this.guessed(`result of ${name}()`, `${name}()`);
    if (key !== null) this.world.callResults.set(key, { value, line: this.site().loc.line });
    return value;
  }

  /**
   * An unmodelled call handed the page under writeback (or one of its buffers, or an object that
   * holds either, such as a pagevec or mpage_da_data) may unlock, write, redirty or clean it: the
   * engine assumes it did none of these, and that assumption is a guess of the path, so what
   * follows from the page's state afterwards is at most a warning that names the call.
   */
  private guessPageUntouched(name: string, args: Value[]): void {
    const page = this.world.page;
    const reaches = (v: Value, depth: number): boolean => {
      if (v.k === 'ref') return depth > 0 && reaches(v.cell.value, depth - 1);
      if (v.k !== 'obj') return false;
      if (v.o === page || (v.o instanceof BufferHead && v.o.page === page)) return true;
      if (depth === 0) return false;
      for (const f of v.o.fields.values()) if (reaches(f, depth - 1)) return true;
      return false;
    };
    if (!args.some((a) => reaches(a, 2))) return;
    this.world.guesses.push({ name: `${name}()`, line: this.site().loc.line, assumed: `${name}() leaves the page it was handed as it was (locked: ${page.locked ? 'yes' : 'no'}, not written, not redirtied)` });
  }

  /**
   * The key under which an unmodelled call's result is kept on the path: its callee and its
   * arguments (an integer's value, an unknown's key, an object's or cell's identity on the path).
   * Unmodelled code is assumed to have no side effects, so the same call with the same arguments
   * answers the same: `EXT4_JOURNAL(inode)` is not NULL at one test and non-NULL at the next.
   * Null when an argument has no such identity (then each call is a fresh unknown).
   */
  private sameCallKey(name: string, args: Value[]): string | null {
    let key = name;
    for (const a of args) {
      switch (a.k) {
        case 'int':
          key += `(${a.v}`;
          break;
        case 'unk':
          key += `(${a.neg ? '!' : ''}${a.key}`;
          break;
        case 'obj':
          key += `(o${this.world.serial(a.o)}`;
          break;
        case 'ref':
          key += `(r${this.world.serial(a.cell)}`;
          break;
        case 'fn':
          key += `(f${a.name}`;
          break;
        case 'err':
          key += `(e${a.errno}`;
          break;
        case 'global':
          key += `(g${a.name}`;
          break;
        case 'str':
          key += `(s${JSON.stringify(a.s)}`;
          break;
        default:
          return null;
      }
    }
    return key;
  }

  /** An unknown that stands for the result of unmodelled code: branching on it is a guess. */
  /**
   * `prefix` + `text`, or for a long text `prefix~n` with n its number in this unit: the text is
   * the IR's own string, whose hash V8 keeps, so the lookup does not read it again.
   */
  private textKey(prefix: string, text: string): string {
    if (text.length <= LONG_TEXT) return prefix + text;
    let m = longTexts.get(this.unit);
    if (!m) longTexts.set(this.unit, (m = new Map()));
    let n = m.get(text);
    if (n === undefined) m.set(text, (n = m.size));
    return `${prefix}~${n}`;
  }

  private guessed(why: string, guess: string): Value {
    return { k: 'unk', key: `u${this.world.unknownCounter++}`, why, guess, guessLine: this.site().loc.line };
  }

  private noteUnmodelled(name: string, assumed: string): void {
    if (!this.world.unmodelled.has(name)) this.world.unmodelled.set(name, { name, line: this.site().loc.line, assumed });
  }

  private callModel(name: string, spec: ModelSpec, args: Value[], raw: Expr[]): Value {
    const saved = this.modelName;
    this.modelName = name;
    try {
      return spec.fn(this, args, raw);
    } finally {
      this.modelName = saved;
    }
  }

  private callFunction(fn: FunctionDef, args: Value[], via?: string): Value {
    if (this.frames.length >= this.limits.callDepth) {
      throw new PathEnd('truncated', `call depth budget (${this.limits.callDepth}) reached calling ${fn.name} (recursion?)`);
    }
    this.bindings.ensure(fn);
    this.limits.entered?.add(fn.name);
    const scope = new Map<string, Cell>();
    for (let i = 0; i < fn.params.length; i++) {
      const p = fn.params[i];
      const value = i < args.length ? args[i] : this.unknown(`missing argument ${p.name}`);
      scope.set(p.name, p.pointer ? { name: p.name, value } : { name: p.name, value: this.normalize(p.type, false, value), type: p.type });
    }
    const frame: Frame = { fn, scopes: [scope], retVal: ZERO, gotoLabel: '', loc: fn.nameLoc };
    const savedModel = this.modelName;
    this.modelName = '';
    this.frames.push(frame);
    try {
      if (via) this.world.stepWith(fn.name, fn.nameLoc, enterViaText, fn, { args, via }, this.frames.length - 1, 'enter');
      else this.world.stepWith(fn.name, fn.nameLoc, enterText, fn, args, this.frames.length - 1, 'enter');
      let c = this.exec(fn.body);
      if (c === C.Goto) {
        // A goto whose label the body did not hold: the lowering lost it (unknown construct).
        this.world.step(fn.name, frame.loc, `goto ${frame.gotoLabel}: label not found; function abandoned`, this.frames.length - 1);
        c = C.Return;
        frame.retVal = this.unknown(`return of ${fn.name} after a lost goto`);
      }
      if (c !== C.Return) frame.retVal = ZERO; // fell off the end
      const ret = frame.retVal;
      this.world.stepWith(fn.name, frame.loc, returnFromText, ret, fn, this.frames.length - 1, 'return');
      return frame.retVal;
    } finally {
      this.frames.pop();
      this.modelName = savedModel;
    }
  }

  // ------------------------------------------------------------------ statements

  private tick(loc: Loc): void {
    if (++this.steps > this.limits.stepsPerPath) {
      const f = this.frames[this.frames.length - 1];
      throw new PathEnd('truncated', `step budget (${this.limits.stepsPerPath}) exhausted in ${f ? f.fn.name : '?'} at line ${loc.line}: a loop that does not end under this scenario?`);
    }
  }

  private labelsIn(s: Stmt): Set<string> {
    let set = labelCache.get(s);
    if (set) return set;
    set = new Set();
    const visit = (t: Stmt | undefined): void => {
      if (!t) return;
      switch (t.kind) {
        case 'label':
          set!.add(t.label);
          visit(t.body);
          break;
        case 'block':
          t.body.forEach(visit);
          break;
        case 'if':
          visit(t.then);
          visit(t.else);
          break;
        case 'while':
        case 'do':
        case 'for':
          visit(t.body);
          break;
        case 'switch':
          t.cases.forEach((c) => c.body.forEach(visit));
          break;
        case 'config':
          t.then.forEach(visit);
          t.else.forEach(visit);
          break;
        default:
          break;
      }
    };
    visit(s);
    labelCache.set(s, set);
    return set;
  }

  private frame(): Frame {
    return this.frames[this.frames.length - 1];
  }

  private stepEvent(loc: Loc, event: string | (() => string), kind: import('../api/types').TraceKind = 'stmt', isReturn = false): void {
    const f = this.frame();
    f.loc = loc;
    this.world.step(f.fn.name, loc, event, this.frames.length - 1, kind, isReturn);
  }

  /** A step whose text is `make(a, b)`, made only when the step is stored (no closure per step). */
  private stepEventWith<A, B>(loc: Loc, make: (a: A, b: B) => string, a: A, b: B, kind: import('../api/types').TraceKind = 'stmt', isReturn = false): void {
    const f = this.frame();
    f.loc = loc;
    this.world.stepWith(f.fn.name, loc, make, a, b, this.frames.length - 1, kind, isReturn);
  }

  /** Executes `s`; when `seek` is set, skips forward to that label first (goto). */
  private exec(s: Stmt, seek?: string): C {
    if (seek !== undefined && !this.labelsIn(s).has(seek)) return C.Normal;
    const f = this.frame();
    switch (s.kind) {
      case 'block':
        return this.execList(s.body, seek);
      case 'label':
        if (seek === s.label) seek = undefined;
        return s.body ? this.exec(s.body, seek) : C.Normal;
      case 'config': {
        if (seek !== undefined) {
          const inThen = this.indexOfLabel(s.then, seek) >= 0;
          return this.execList(inThen ? s.then : s.else, seek);
        }
        this.tick(s.loc);
        return this.execList(this.configHolds(s) ? s.then : s.else);
      }
      case 'if': {
        if (seek !== undefined) {
          if (this.labelsIn(s.then).has(seek)) return this.exec(s.then, seek);
          return s.else ? this.exec(s.else, seek) : C.Normal;
        }
        this.tick(s.loc);
        f.loc = s.loc;
        const taken = this.truthy(this.expr(s.test));
        this.stepEvent(s.test.loc, taken ? IF_TRUE : IF_FALSE);
        if (taken) return this.exec(s.then);
        return s.else ? this.exec(s.else) : C.Normal;
      }
      case 'while':
      case 'do':
      case 'for':
        return this.loop(s, seek);
      case 'switch':
        return this.switchStmt(s, seek);
    }
    if (seek !== undefined) return C.Normal;
    this.tick(s.loc);
    f.loc = s.loc;
    switch (s.kind) {
      case 'decl':
        for (const v of s.vars) this.declare(v.name, v.type, v.pointer, v.array, v.init, v.loc);
        return C.Normal;
      case 'expr':
        this.stepEvent(s.loc, describerOf(s));
        f.loc = s.loc;
        this.expr(s.expr);
        return C.Normal;
      case 'return':
        f.loc = s.loc;
        f.retVal = s.value ? this.expr(s.value) : ZERO;
        this.stepEventWith(s.loc, returnText, f.retVal, null, 'stmt', true);
        return C.Return;
      case 'break':
        return C.Break;
      case 'continue':
        return C.Continue;
      case 'goto':
        f.gotoLabel = s.label;
        this.stepEvent(s.loc, `goto ${s.label}`);
        return C.Goto;
      case 'empty':
        return C.Normal;
      case 'unknown':
        this.stepEvent(s.loc, `skipped unreadable code (${s.reason})`);
        return C.Normal;
    }
    return C.Normal;
  }

  private execList(list: Stmt[], seek?: string): C {
    let i = 0;
    if (seek !== undefined) {
      i = this.indexOfLabel(list, seek);
      if (i < 0) return C.Normal;
    }
    for (; i < list.length; i++) {
      let c = this.exec(list[i], seek);
      seek = undefined;
      while (c === C.Goto) {
        const label = this.frame().gotoLabel;
        const j = this.indexOfLabel(list, label);
        if (j < 0) return C.Goto;
        i = j;
        c = this.exec(list[i], label);
      }
      if (c !== C.Normal) return c;
    }
    return C.Normal;
  }

  /**
   * Whether a preprocessor conditional inside a function holds on this path. What the file decides
   * is decided: `#if 0`, `#ifdef NAME` of a macro it defines. A condition on Kconfig symbols only
   * (CONFIG_*) forks: each side is a kernel someone builds. Any other name is a macro of a header
   * the file does not show (jfs's _JFS_4K, defined in jfs_filsys.h): the path forks too, but which
   * side holds is a guess of the path, so what follows from it is at most a warning that names it.
   */
  private configHolds(s: Extract<Stmt, { kind: 'config' }>): boolean {
    const key = `config:${s.condition}`;
    const known = this.world.assumptions.get(key);
    if (known !== undefined) return known;
    const m = /^#(ifdef|ifndef|if|elif|elifdef|elifndef)\b\s*(.*)$/s.exec(s.condition);
    const directive = m ? m[1] : 'if';
    const rest = m ? m[2].trim() : s.condition;
    const names = (rest.match(/[A-Za-z_]\w*/g) ?? []).filter((n) => n !== 'defined');
    let on: boolean | undefined;
    if ((directive === 'ifdef' || directive === 'ifndef' || directive === 'elifdef' || directive === 'elifndef') && names.length === 1 && this.unit.macros.has(names[0])) {
      on = directive === 'ifdef' || directive === 'elifdef';
    } else if (names.length === 0 && /^[\d\s()+\-*!&|<>=]+$/.test(rest) && /\d/.test(rest)) {
      on = constantCondition(rest);
    }
    if (on !== undefined) {
      this.stepEvent(s.loc, `${s.condition}: ${on ? 'holds' : 'does not hold'} (the file decides)`);
    } else {
      on = this.choose([`${s.condition} holds`, `${s.condition} does not hold`], 'kernel configuration') === 0;
      if (!names.every((n) => n.startsWith('CONFIG_'))) {
        const header = names.filter((n) => !n.startsWith('CONFIG_')).join(', ');
        this.world.guesses.push({ name: s.condition, line: s.loc.line, assumed: `${s.condition} ${on ? 'holds' : 'does not hold'} (${header}: a macro of a header this file does not show)`, branch: { key, taken: on } });
      }
    }
    this.world.assumptions.set(key, on);
    return on;
  }

  /** The first statement of `list` that holds `label` (a loop, not a closure: exec and execList run at every statement). */
  private indexOfLabel(list: Stmt[], label: string): number {
    for (let i = 0; i < list.length; i++) if (this.labelsIn(list[i]).has(label)) return i;
    return -1;
  }

  private loop(s: Extract<Stmt, { kind: 'while' | 'do' | 'for' }>, seek?: string): C {
    const f = this.frame();
    let first = true;
    if (s.kind === 'for') f.scopes.push(new Map());
    try {
      if (s.kind === 'for' && s.init && seek === undefined) this.exec(s.init);
      for (;;) {
        this.tick(s.loc);
        const skipTest = (s.kind === 'do' && first) || (seek !== undefined && first);
        if (!skipTest) {
          const test = s.test;
          if (test) {
            f.loc = test.loc;
            const outer = this.loopTestFrame;
            this.loopTestFrame = this.frames.length;
            let go: boolean;
            try {
              go = this.truthy(this.expr(test));
            } finally {
              this.loopTestFrame = outer;
            }
            this.stepEvent(test.loc, go ? LOOP_TRUE : LOOP_FALSE);
            if (!go) return C.Normal;
          }
        }
        first = false;
        const c = this.exec(s.body, seek);
        seek = undefined;
        if (c === C.Break) return C.Normal;
        if (c === C.Return || c === C.Goto) return c;
        if (s.kind === 'for' && s.update) {
          f.loc = s.update.loc;
          this.expr(s.update);
        }
      }
    } finally {
      if (s.kind === 'for') f.scopes.pop();
    }
  }

  private switchStmt(s: Extract<Stmt, { kind: 'switch' }>, seek?: string): C {
    let start = -1;
    if (seek !== undefined) {
      for (let i = 0; i < s.cases.length && start < 0; i++) if (this.indexOfLabel(s.cases[i].body, seek) >= 0) start = i;
      if (start < 0) return C.Normal;
    } else {
      this.tick(s.loc);
      const v = this.expr(s.test);
      for (let i = 0; i < s.cases.length && start < 0; i++) {
        const cv = s.cases[i].value;
        if (!cv) continue;
        if (this.truthy(compare('==', v, this.expr(cv), this.derive))) start = i;
      }
      if (start < 0) start = s.cases.findIndex((c) => !c.value);
      this.stepEvent(s.test.loc, start < 0 ? 'switch: no case matches' : `switch → case at line ${s.cases[start].loc.line}`);
      if (start < 0) return C.Normal;
    }
    const body = s.cases.slice(start).flatMap((c) => c.body);
    const c = this.execList(body, seek);
    return c === C.Break ? C.Normal : c;
  }

  private declare(name: string, type: string, pointer: boolean, array: boolean, init: Expr | undefined, loc: Loc): void {
    const f = this.frame();
    let value: Value;
    let struct = false;
    const dc = pointer ? DeclClass.Scalar : declClassOf(type);
    if (!array && dc === DeclClass.BufferHead) {
      struct = true;
      const bh = new BufferHead(0, null, -1);
      bh.label = name;
      value = obj(bh);
    } else if (!pointer && (array || dc !== DeclClass.Scalar)) {
      struct = true;
      value = obj(new KObj(type.replace(/^const\s+/, ''), freshId(), name));
      if (init && init.kind === 'init') {
        for (const item of init.items) if (item.field) (value as { o: KObj }).o.set(item.field, this.expr(item.value));
        init = undefined;
      }
    } else {
      value = this.unknown(`uninitialised ${name}`);
    }
    if (init) value = this.normalize(type, pointer, this.expr(init));
    f.scopes[f.scopes.length - 1].set(name, pointer || array || struct ? { name, value, struct } : { name, value, struct, type });
    if (init) this.stepEventWith(loc, assignText, name, value);
  }

  private normalize(type: string, pointer: boolean, v: Value): Value {
    if (pointer || v.k !== 'int') return v;
    // A value already in the type's range is kept as it is (no new value).
    const n = v.v;
    switch (intClassOf(type)) {
      case IntClass.U32:
        return n >= 0n && n <= U32_MAX ? v : int(BigInt.asUintN(32, n));
      case IntClass.S32:
        return n >= S32_MIN && n <= S32_MAX ? v : int(BigInt.asIntN(32, n));
      case IntClass.U64:
        return n >= 0n && n <= U64_MAX ? v : int(BigInt.asUintN(64, n));
      case IntClass.S64:
        return n >= S64_MIN && n <= S64_MAX ? v : int(BigInt.asIntN(64, n));
      default:
        return v;
    }
  }

  // ------------------------------------------------------------------ expressions

  private lookup(name: string): Cell | undefined {
    const f = this.frames[this.frames.length - 1];
    if (!f) return undefined;
    for (let i = f.scopes.length - 1; i >= 0; i--) {
      const c = f.scopes[i].get(name);
      if (c) return c;
    }
    return undefined;
  }

  private readonly macroGuard = new Set<string>();

  /** The call depth (frames) whose loop condition is being evaluated; -1 outside any. */
  private loopTestFrame = -1;

  /** The binder's answer for an identifier of a function body, when it was bound in this unit. */
  private boundOf(e: Extract<Expr, { kind: 'ident' }>): IdentBound | undefined {
    const b = e.bound as IdentBound | undefined;
    return b && b.unit === this.unit ? b : undefined;
  }

  /** The local cell an identifier names, if any: only names the function declares are looked up. */
  private localOf(e: Extract<Expr, { kind: 'ident' }>): Cell | undefined {
    const b = this.boundOf(e);
    return b && !b.local ? undefined : this.lookup(e.name);
  }

  private identExpr(e: Extract<Expr, { kind: 'ident' }>): Value {
    const b = this.boundOf(e);
    if (!b) return this.ident(e.name, e.loc);
    if (b.local) {
      const cell = this.lookup(e.name);
      if (cell) return cell.value;
    }
    return this.global(b.global, e.name, e.loc);
  }

  private ident(name: string, loc: Loc): Value {
    const cell = this.lookup(name);
    if (cell) return cell.value;
    return this.global(this.bindings.name(name), name, loc);
  }

  /** The value of a name that is no local, from its binding (the lookup order is the binder's). */
  private global(b: NameBinding, name: string, loc: Loc): Value {
    switch (b.kind) {
      case 'function':
      case 'model':
      case 'declared':
        return { k: 'fn', name };
      case 'current':
        return obj(this.world.task);
      case 'constant':
        return b.value;
      case 'struct':
        return { k: 'global', name };
      case 'macro':
        if (this.macroGuard.has(name)) return this.global(b.otherwise, name, loc);
        this.macroGuard.add(name);
        try {
          return this.expr(b.macro.value);
        } finally {
          this.macroGuard.delete(name);
        }
      case 'unbound':
        this.noteUnmodelled(name, 'an identifier neither defined in this file nor modelled (macro or global): unknown value');
        return { k: 'unk', key: this.textKey('ident:', name), why: clipText(name), guess: clipText(name), guessLine: loc.line };
    }
  }

  /** The object or cell `v` points at; `at` is the expression dereferenced (its text is made only for a message or a new unknown object). */
  private deref(v: Value, at: Expr): KObj | Cell {
    switch (v.k) {
      case 'obj':
        return v.o;
      case 'ref':
        return v.cell;
      case 'int':
        if (v.v === 0n) this.bug(`NULL pointer dereference: ${exprText(at)}`);
        return this.unknownObject(`addr:${v.v}`, exprText(at));
      case 'err':
        this.bug(`dereference of an error pointer ERR_PTR(${showErrno(v.errno)}): ${exprText(at)}`);
        break;
      case 'unk':
        // Named for the value it stands for (`ip->i_inode`), not for the first access through it.
        return this.unknownObject(v.key, v.why ?? exprText(at));
      case 'global':
        return this.globalObject(v.name);
      default:
        return this.unknownObject(`v:${show(v)}`, exprText(at));
    }
    return this.unknownObject('never', exprText(at));
  }

  private unknownObject(key: string, what: string): KObj {
    let o = this.world.unknownObjects.get(key);
    if (!o) {
      o = new KObj('unknown', freshId(), clipText(what));
      this.world.unknownObjects.set(key, o);
    }
    return o;
  }

  private globalObject(name: string): KObj {
    const key = `global:${name}`;
    let o = this.world.unknownObjects.get(key);
    if (!o) {
      o = new KObj('global', freshId(), name);
      const inst = this.unit.structs.find((s) => s.name === name);
      // Each member is evaluated when read: reading `->writepage` does not evaluate `.readpage = f`
      // (an identifier the file does not define would be noted unmodelled where no call is made).
      if (inst) for (const f of inst.fields) o.setLazy(f.field, () => this.expr(f.value));
      this.world.unknownObjects.set(key, o);
    }
    return o;
  }

  /** A field's value as `o->field` reads it (FieldCell's reads). */
  fieldValue(o: KObj, field: string): Value {
    return this.fieldOf(o, field);
  }

  private fieldOf(o: KObj, field: string): Value {
    const v = o.get(field);
    if (v !== undefined) return v;
    if (o.zeroed) {
      o.set(field, ZERO);
      return ZERO;
    }
    const u: Value = { k: 'unk', key: this.textKey(`o${o.id}.`, field), why: clipText(`${o.label}->${field}`) };
    o.set(field, u);
    return u;
  }

  /**
   * The object of `s.f` or `s[i]`: when `s` is a field never written of zero-filled memory
   * (`wc->w_desc` of a kzalloc'd struct), an embedded struct or array, zero-filled too; a pointer
   * field of it (`wc->p->f`) stays 0, a NULL dereference.
   */
  private aggregate(e: Expr): Value {
    if (e.kind === 'member') {
      const t = this.deref(this.expr(e.object), e);
      if (t instanceof KObj && t.zeroed && t.get(e.field) === undefined) {
        const o = new KObj('struct', freshId(), exprText(e));
        o.zeroed = true;
        t.set(e.field, obj(o));
        return obj(o);
      }
      return t instanceof KObj ? this.fieldOf(t, e.field) : this.fieldOf(this.cellAsObject(t), e.field);
    }
    return this.expr(e);
  }

  private lvalue(e: Expr): Cell {
    switch (e.kind) {
      case 'ident': {
        const c = this.localOf(e);
        if (c) return c;
        // An assignment to a global of the file: a cell per path.
        const o = this.unknownObject('globals', 'globals');
        return new FieldCell(o, e.name, this);
      }
      case 'member': {
        // `p->f` and `s.f` alike: a local struct variable holds its object.
        const base = e.arrow ? this.expr(e.object) : this.aggregate(e.object);
        const target = this.deref(base, e);
        if (!(target instanceof KObj)) {
          const cellObj = this.cellAsObject(target);
          return new FieldCell(cellObj, e.field, this);
        }
        return new FieldCell(target, e.field, this);
      }
      case 'unary':
        if (e.op === '*') {
          const t = this.deref(this.expr(e.arg), e);
          if (t instanceof KObj) return new FieldCell(t, '*', this);
          return t;
        }
        break;
      case 'index': {
        const base = this.aggregate(e.object);
        const idx = this.expr(e.index);
        const t = this.deref(base, e);
        const key = idx.k === 'int' ? `[${idx.v}]` : `[${show(idx)}]`;
        if (t instanceof KObj) return new FieldCell(t, key, this);
        if (idx.k === 'int' && idx.v === 0n) return t;
        const o = this.cellAsObject(t);
        return new FieldCell(o, key, this);
      }
      default:
        break;
    }
    // Not assignable (a cast, a call...): writes go nowhere.
    const scratch: Cell = { name: exprText(e), value: this.expr(e) };
    return scratch;
  }

  private cellAsObject(c: Cell): KObj {
    if (c.value.k === 'obj') return c.value.o;
    // An unknown value (a struct embedded in another, `&mpd->lbh`) is the object `deref` gives
    // for it: writes through `mpd->lbh.f` and reads through `(&mpd->lbh)->f` meet.
    if (c.value.k === 'unk') {
      const o = this.unknownObject(c.value.key, c.name);
      c.value = obj(o);
      return o;
    }
    const o = new KObj('struct', freshId(), c.name);
    c.value = obj(o);
    return o;
  }

  private expr(e: Expr): Value {
    switch (e.kind) {
      case 'num':
        return numValue(e);
      case 'str':
        return { k: 'str', s: e.value };
      case 'ident':
        return this.identExpr(e);
      case 'sizeof':
        return { k: 'unk', key: this.textKey('sizeof:', e.text), why: clipText(e.text), guess: clipText(e.text), guessLine: e.loc.line };
      case 'unknown':
        return { k: 'unk', key: `unknown:${e.loc.line}:${e.loc.column}`, why: clipText(`unreadable \`${e.text}\``), guess: clipText(`unreadable \`${e.text}\``), guessLine: e.loc.line };
      case 'init': {
        const o = new KObj('init', freshId(), 'initializer');
        for (let i = 0; i < e.items.length; i++) o.set(e.items[i].field ?? `[${i}]`, this.expr(e.items[i].value));
        return obj(o);
      }
      case 'comma': {
        let v: Value = ZERO;
        for (const x of e.exprs) v = this.expr(x);
        return v;
      }
      case 'cond':
        return this.truthy(this.expr(e.test)) ? this.expr(e.then) : this.expr(e.else);
      case 'cast': {
        const v = this.expr(e.arg);
        return this.normalize(e.type, isPointerType(e.type), v);
      }
      case 'member': {
        const base = e.arrow ? this.expr(e.object) : this.aggregate(e.object);
        const t = this.deref(base, e);
        if (t instanceof KObj) return this.fieldOf(t, e.field);
        return this.fieldOf(this.cellAsObject(t), e.field);
      }
      case 'index': {
        const c = this.lvalue(e);
        return c.value;
      }
      case 'unary':
        return this.unary(e);
      case 'update': {
        const c = this.lvalue(e.arg);
        const old = c.value;
        const nv = this.arith(e.op === '++' ? '+' : '-', old, { k: 'int', v: 1n });
        c.value = nv;
        return e.prefix ? nv : old;
      }
      case 'assign': {
        const c = this.lvalue(e.target);
        let v = this.expr(e.value);
        if (e.op !== '=') v = this.arith(e.op.slice(0, -1), c.value, v);
        if (c.type) v = this.normalize(c.type, false, v);
        c.value = v;
        return v;
      }
      case 'binary':
        return this.binary(e);
      case 'call':
        return this.call(e);
    }
  }

  private unary(e: Extract<Expr, { kind: 'unary' }>): Value {
    switch (e.op) {
      case '&': {
        const a = e.arg;
        if (a.kind === 'ident') {
          const cell = this.localOf(a);
          if (cell) return cell.struct ? cell.value : { k: 'ref', cell };
          return this.identExpr(a);
        }
        if (a.kind === 'member' || a.kind === 'index') return { k: 'ref', cell: this.lvalue(a) };
        if (a.kind === 'unary' && a.op === '*') return this.expr(a.arg);
        return this.expr(a);
      }
      case '*': {
        const v = this.expr(e.arg);
        if (v.k === 'fn') return v;
        const t = this.deref(v, e);
        if (t instanceof KObj) return obj(t);
        return t.value;
      }
      case '!': {
        const v = this.expr(e.arg);
        if (v.k === 'unk') return { ...v, neg: !v.neg };
        return int(!this.truthy(v));
      }
      case '-':
      case '~':
      case '+': {
        const v = this.expr(e.arg);
        if (v.k !== 'int') return v.k === 'unk' ? { k: 'unk', key: this.world.derivedKey(`${e.op}${v.key}`), why: clipText(`${e.op}${v.why}`), guess: v.guess, guessLine: v.guessLine } : v;
        return int(e.op === '-' ? -v.v : e.op === '~' ? ~v.v : v.v);
      }
    }
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>): Value {
    if (e.op === '&&' || e.op === '||') {
      const known = this.settledByRight(e);
      if (known) return known;
    }
    if (e.op === '&&') {
      if (!this.truthy(this.expr(e.left))) return ZERO;
      return int(this.truthy(this.expr(e.right)));
    }
    if (e.op === '||') {
      if (this.truthy(this.expr(e.left))) return int(1);
      return int(this.truthy(this.expr(e.right)));
    }
    const l = this.expr(e.left);
    const r = this.expr(e.right);
    if (COMPARISONS.has(e.op)) return compare(e.op, l, r, this.derive);
    return this.arith(e.op, l, r);
  }

  /**
   * `a && b` whose `b` this path already knows false (`a || b`: true), when neither operand changes
   * anything but what it decides: `a` is left unasked, so a mount option the answer does not need
   * forks no path (`test_opt(sb, NOBH) && ext4_should_writeback_data(inode)` under data=ordered).
   * `b` must be a model call on plain names that answers without a choice (ModelSpec.decided), `a`
   * an expression with no effect (reads, and calls of ModelSpec.pure models).
   */
  private settledByRight(e: Extract<Expr, { kind: 'binary' }>): Value | undefined {
    const r = e.right;
    if (r.kind !== 'call' || r.callee.kind !== 'ident' || this.localOf(r.callee)) return undefined;
    const b = this.bindings.call(r.callee.name);
    const decided = b.kind === 'model' ? b.spec.decided : undefined;
    if (!decided || !this.effectFree(e.left)) return undefined;
    for (const a of r.args) if (a.kind !== 'num' && !(a.kind === 'ident' && this.localOf(a))) return undefined;
    const v = decided(this, r.args.map(this.exprOf));
    if (!v || v.k !== 'int' || (e.op === '&&') !== (v.v === 0n)) return undefined;
    this.stepEventWith(e.loc, settledText, e, v.v !== 0n);
    return v.v === 0n ? ZERO : ONE;
  }

  /** Whether evaluating `e` could change nothing but its own decisions: reads, arithmetic, pure model calls. */
  private effectFree(e: Expr): boolean {
    switch (e.kind) {
      case 'num':
      case 'str':
      case 'ident':
      case 'sizeof':
        return true;
      case 'member':
        return this.effectFree(e.object);
      case 'index':
        return this.effectFree(e.object) && this.effectFree(e.index);
      case 'unary':
      case 'cast':
        return this.effectFree(e.arg);
      case 'binary':
        return this.effectFree(e.left) && this.effectFree(e.right);
      case 'cond':
        return this.effectFree(e.test) && this.effectFree(e.then) && this.effectFree(e.else);
      case 'call': {
        if (e.callee.kind !== 'ident' || this.localOf(e.callee)) return false;
        const b = this.bindings.call(e.callee.name);
        if (b.kind !== 'model' || !b.spec.pure) return false;
        if (b.spec.raw === true) return true;
        for (const a of e.args) if (!this.effectFree(a)) return false;
        return true;
      }
      default:
        return false;
    }
  }

  private arith(op: string, l: Value, r: Value): Value {
    return arith(op, l, r, this.unknownOf, this.derive);
  }

  private readonly unknownOf = (why: string): Value => this.unknown(why);
  /** `expr` as a function made once (an arrow at each call would be a new object each time). */
  private readonly exprOf = (e: Expr): Value => this.expr(e);

  private readonly derive = (parts: string): string => this.world.derivedKey(parts);

  private call(e: Extract<Expr, { kind: 'call' }>): Value {
    const f = this.frame();
    let name: string | undefined;
    let fnValue: Value | undefined;
    const callee = e.callee;
    if (callee.kind === 'ident' && !this.localOf(callee)) {
      name = callee.name;
    } else {
      fnValue = this.expr(callee);
      if (fnValue.k === 'fn') name = fnValue.name;
    }
    const binding = name ? this.bindings.call(name) : undefined;
    const spec = binding?.spec;
    const raw = spec?.raw === true;
    const args = raw ? NO_ARGS : e.args.map(this.exprOf);
    f.loc = e.loc;
    if (name) {
      const called = name;
      if (raw) this.stepEventWith(e.loc, callRawText, called, e.args, 'call');
      else this.stepEventWith(e.loc, callText, called, args, 'call');
      f.loc = e.loc;
      const r = this.invoke(name, args, e.args, undefined, binding);
      f.loc = e.loc;
      return r;
    }
    f.loc = e.loc;
    return this.callValue(fnValue as Value, args, exprText(callee));
  }
}
