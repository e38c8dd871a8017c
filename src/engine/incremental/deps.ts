// What a simulation of a function can depend on in its file: the names reachable from it
// (functions it uses, called or passed as pointers, macros, struct instances, transitively) and
// what each is bound to. Two versions of a file with the same dependency key for a run give the
// same run: every name the interpreter can look up on the way is in the key, with its binding,
// and each function of the file by the identity of its lowered definition (a definition is
// reused only when its text and position did not change).
import type { Expr, FunctionDef, TranslationUnit } from '../ir/ir';
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

/**
 * The dependency key of a simulation rooted at `roots` (function, struct instance or macro
 * names): each reachable name with its binding; functions by `idOf` (the lowered definition's
 * identity), macros and struct instances by their lowered content (positions included).
 */
export function dependencyKey(unit: TranslationUnit, roots: string[], idOf: (fn: FunctionDef) => number): string {
  const models = modelTable();
  const seen = new Set<string>();
  const queue = [...roots];
  const parts: string[] = [];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const b = bindName(unit, models, constants, name);
    const fn = unit.functions.get(name);
    // A name can be a function and a struct instance or macro at once; every meaning is kept.
    if (fn) {
      parts.push(`f:${name}#${idOf(fn)}`);
      queue.push(...namesOf(fn).used);
    }
    const inst = unit.structs.find((s) => s.name === name);
    if (inst) {
      parts.push(`s:${JSON.stringify(inst, bigintSafe)}`);
      for (const f of inst.fields) queue.push(...exprNames(f.value));
    }
    const m = unit.macros.get(name);
    if (m) {
      parts.push(`m:${JSON.stringify(m, bigintSafe)}`);
      queue.push(...exprNames(m.value));
    }
    parts.push(`b:${name}=${b.kind}${unit.functionMacros.has(name) ? '+fm' : ''}`);
  }
  return parts.join('\n');
}
