// What a simulation of a function can depend on in its file: the names reachable from it
// (functions it uses, called or passed as pointers, macros, struct instances, transitively) and
// what each is bound to. Two versions of a file with the same dependency key for a run give the
// same run: every name the interpreter can look up on the way is in the key, with its binding,
// and each function of the file by the identity of its lowered definition (a definition is
// reused only when its text and position did not change).
import type { Expr, FunctionDef, StructInstance, TranslationUnit } from '../ir/ir';
import { bindName, identsOfExpr, namesOf } from '../interp/binder';
import { constants, modelTable } from '../models';

type IdentExpr = Extract<Expr, { kind: 'ident' }>;

function exprNames(e: Expr | undefined): string[] {
  const out: IdentExpr[] = [];
  identsOfExpr(e, out);
  return out.map((i) => i.name);
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

/** One name's share of a key: its meanings and binding (`part`), and the names they use (`next`). */
interface DepNode {
  part: string;
  next: string[];
}

/**
 * The dependency keys of one unit. Each name's part of a key (its binding, its function's
 * identity, its struct instance's or macro's lowered content) and the names it leads to are made
 * once per unit, so the many keys of one analysis (one per set of roots) share that work.
 */
export class DependencyKeys {
  private readonly nodes = new Map<string, DepNode>();
  private structs: Map<string, StructInstance> | null = null;

  /**
   * With `intern`, each name's part is replaced by a number that stands for its text (the same
   * text, the same number; never the same number for another text), so keys stay short.
   */
  constructor(
    private readonly unit: TranslationUnit,
    private readonly idOf: (fn: FunctionDef) => number,
    private readonly intern?: (part: string) => number,
  ) {}

  /**
   * The dependency key of a simulation rooted at `roots` (function, struct instance or macro
   * names): each reachable name with its binding; functions by `idOf` (the lowered definition's
   * identity), macros and struct instances by their lowered content (positions included).
   */
  key(roots: string[]): string {
    const seen = new Set<string>();
    const queue = [...roots];
    const parts: string[] = [];
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i];
      if (seen.has(name)) continue;
      seen.add(name);
      const n = this.node(name);
      parts.push(n.part);
      for (const x of n.next) if (!seen.has(x)) queue.push(x);
    }
    return parts.join(this.intern ? ',' : '\n');
  }

  private node(name: string): DepNode {
    let n = this.nodes.get(name);
    if (n) return n;
    const unit = this.unit;
    if (!this.structs) {
      // The first instance of a name is the one a lookup finds (unit.structs.find).
      this.structs = new Map();
      for (const s of unit.structs) if (!this.structs.has(s.name)) this.structs.set(s.name, s);
    }
    const parts: string[] = [];
    const next: string[] = [];
    const b = bindName(unit, modelTable(), constants, name);
    const fn = unit.functions.get(name);
    // A name can be a function and a struct instance or macro at once; every meaning is kept.
    if (fn) {
      parts.push(`f:${name}#${this.idOf(fn)}`);
      next.push(...namesOf(fn).used);
    }
    const inst = this.structs.get(name);
    if (inst) {
      parts.push(`s:${JSON.stringify(inst, bigintSafe)}`);
      for (const f of inst.fields) next.push(...exprNames(f.value));
    }
    const m = unit.macros.get(name);
    if (m) {
      parts.push(`m:${JSON.stringify(m, bigintSafe)}`);
      next.push(...exprNames(m.value));
    }
    parts.push(`b:${name}=${b.kind}${unit.functionMacros.has(name) ? '+fm' : ''}`);
    const part = parts.join('\n');
    this.nodes.set(name, (n = { part: this.intern ? String(this.intern(part)) : part, next }));
    return n;
  }
}

/** The dependency key of a simulation rooted at `roots` (one key; DependencyKeys for many of one unit). */
export function dependencyKey(unit: TranslationUnit, roots: string[], idOf: (fn: FunctionDef) => number): string {
  return new DependencyKeys(unit, idOf).key(roots);
}
