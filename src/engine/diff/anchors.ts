// Line-independent identities for the responsible call of a finding: "callee#k" is the k-th
// call to callee in its function (source order); "return#k" the k-th return statement.
import { forEachExpr } from '../discovery';
import type { Loc, Stmt, TranslationUnit } from '../ir/ir';
import { exprText } from '../interp/interpreter';

const cache = new WeakMap<TranslationUnit, Map<string, Map<string, string>>>();

function collectReturns(s: Stmt | undefined, out: Loc[]): void {
  if (!s) return;
  switch (s.kind) {
    case 'return':
      out.push(s.loc);
      break;
    case 'block':
      s.body.forEach((t) => collectReturns(t, out));
      break;
    case 'if':
      collectReturns(s.then, out);
      collectReturns(s.else, out);
      break;
    case 'while':
    case 'do':
    case 'for':
      collectReturns(s.body, out);
      break;
    case 'switch':
      s.cases.forEach((c) => c.body.forEach((t) => collectReturns(t, out)));
      break;
    case 'label':
      collectReturns(s.body, out);
      break;
    case 'config':
      s.then.forEach((t) => collectReturns(t, out));
      s.else.forEach((t) => collectReturns(t, out));
      break;
    default:
      break;
  }
}

function anchorsOf(unit: TranslationUnit, fnName: string): Map<string, string> {
  let perUnit = cache.get(unit);
  if (!perUnit) cache.set(unit, (perUnit = new Map()));
  let m = perUnit.get(fnName);
  if (m) return m;
  m = new Map();
  const fn = unit.functions.get(fnName);
  if (fn) {
    const counts = new Map<string, number>();
    const calls: { loc: Loc; callee: string }[] = [];
    forEachExpr(fn.body, (e) => {
      if (e.kind === 'call') calls.push({ loc: e.loc, callee: e.callee.kind === 'ident' ? e.callee.name : exprText(e.callee) });
    });
    calls.sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
    for (const c of calls) {
      const k = counts.get(c.callee) ?? 0;
      counts.set(c.callee, k + 1);
      const key = `${c.loc.line}:${c.loc.column}`;
      if (!m.has(key)) m.set(key, `${c.callee}#${k}`);
    }
    const returns: Loc[] = [];
    collectReturns(fn.body, returns);
    returns.forEach((r, i) => {
      const key = `${r.line}:${r.column}`;
      if (!m!.has(key)) m!.set(key, `return#${i}`);
    });
  }
  perUnit.set(fnName, m);
  return m;
}

export function anchorFor(unit: TranslationUnit, fnName: string, line: number, column: number): string {
  const fn = unit.functions.get(fnName);
  return anchorsOf(unit, fnName).get(`${line}:${column}`) ?? `line+${fn ? line - fn.loc.line : line}`;
}
