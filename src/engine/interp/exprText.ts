// Short source-like renderings of IR expressions, for trace steps and messages.
import type { Expr } from '../ir/ir';

/** The text of each expression, made once: IR is never changed after lowering. */
const texts = new WeakMap<Expr, string>();

export function exprText(e: Expr, depth = 0): string {
  if (depth === 0) {
    let text = texts.get(e);
    if (text === undefined) texts.set(e, (text = textOf(e, 0)));
    return text;
  }
  return textOf(e, depth);
}

function textOf(e: Expr, depth: number): string {
  if (depth > 4) return '…';
  const t = (x: Expr): string => exprText(x, depth + 1);
  switch (e.kind) {
    case 'num':
      return e.value.toString();
    case 'str':
      return e.value.length > 20 ? `${e.value.slice(0, 17)}…"` : e.value;
    case 'ident':
      return e.name;
    case 'unary':
      return `${e.op}${t(e.arg)}`;
    case 'update':
      return e.prefix ? `${e.op}${t(e.arg)}` : `${t(e.arg)}${e.op}`;
    case 'binary':
      return `${t(e.left)} ${e.op} ${t(e.right)}`;
    case 'assign':
      return `${t(e.target)} ${e.op} ${t(e.value)}`;
    case 'call':
      return `${t(e.callee)}(${e.args.map(t).join(', ')})`;
    case 'member':
      return `${t(e.object)}${e.arrow ? '->' : '.'}${e.field}`;
    case 'index':
      return `${t(e.object)}[${t(e.index)}]`;
    case 'cond':
      return `${t(e.test)} ? ${t(e.then)} : ${t(e.else)}`;
    case 'comma':
      return e.exprs.map(t).join(', ');
    case 'cast':
      return `(${e.type})${t(e.arg)}`;
    case 'sizeof':
    case 'unknown':
      return e.text;
    case 'init':
      return '{…}';
  }
}

export function describeExpr(e: Expr): string {
  const text = exprText(e);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
