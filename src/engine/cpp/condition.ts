// The controlling expression of #if / #elif (C99 6.10.1): `defined` first, then macro
// expansion, then every identifier left is 0, evaluated in the widest integer type (BigInt,
// wrapped to 64 bits; unsigned when a U suffix says so is not distinguished: kernel headers
// compare small constants and versions).

import type { PpToken } from './lexer';
import { expand, type ExpandProblem, type MacroTable } from './macros';

export interface ConditionResult {
  value: boolean;
  /** Why the expression could not be evaluated (then `value` is false, as GCC does after an error). */
  error?: string;
}

/** GCC built-ins a header may test in #if; what they answer here (the features this engine has). */
const BUILTIN_TESTS: Record<string, (arg: string) => bigint> = {
  __has_attribute: () => 0n,
  __has_builtin: () => 0n,
  __has_include: () => 0n,
  __has_feature: () => 0n,
};

export function evaluateCondition(tokens: PpToken[], table: MacroTable, problems: ExpandProblem[]): ConditionResult {
  const at = tokens[0];
  const resolved: PpToken[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'id' && t.text === 'defined') {
      let name: PpToken | undefined;
      if (tokens[k + 1]?.text === '(') {
        name = tokens[k + 2];
        if (tokens[k + 3]?.text !== ')') return { value: false, error: 'missing ) after "defined("' };
        k += 3;
      } else {
        name = tokens[k + 1];
        k += 1;
      }
      if (!name || name.kind !== 'id') return { value: false, error: '"defined" needs a macro name' };
      resolved.push({ ...t, kind: 'num', text: table.get(name.text) ? '1' : '0' });
      continue;
    }
    if (t.kind === 'id' && BUILTIN_TESTS[t.text] && tokens[k + 1]?.text === '(') {
      let depth = 0;
      let j = k + 1;
      for (; j < tokens.length; j++) {
        if (tokens[j].text === '(') depth++;
        else if (tokens[j].text === ')' && --depth === 0) break;
      }
      resolved.push({ ...t, kind: 'num', text: String(BUILTIN_TESTS[t.text](tokens.slice(k + 2, j).map((x) => x.text).join(''))) });
      k = j;
      continue;
    }
    resolved.push(t);
  }
  const expanded = expand(resolved, table, problems).filter((t) => t.kind !== 'nl');
  if (expanded.length === 0) return { value: false, error: `#if with no expression${at ? '' : ''}` };
  try {
    const p = new Parser(expanded);
    const v = p.ternary();
    if (p.pos < expanded.length) return { value: false, error: `unexpected \`${expanded[p.pos].text}\` in #if expression` };
    return { value: v !== 0n };
  } catch (e) {
    return { value: false, error: (e as Error).message };
  }
}

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

class Parser {
  pos = 0;
  constructor(private readonly t: PpToken[]) {}

  private peek(): string | undefined {
    return this.t[this.pos]?.text;
  }

  private eat(s: string): boolean {
    if (this.peek() === s) {
      this.pos++;
      return true;
    }
    return false;
  }

  ternary(): bigint {
    const c = this.binary(0);
    if (this.eat('?')) {
      const a = this.ternary();
      if (!this.eat(':')) throw new Error('missing : in a ?: of an #if expression');
      const b = this.ternary();
      return c !== 0n ? a : b;
    }
    return c;
  }

  private static readonly LEVELS: string[][] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];

  private binary(level: number): bigint {
    if (level >= Parser.LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const op = this.peek();
      if (!op || !Parser.LEVELS[level].includes(op) || this.t[this.pos].kind !== 'punct') return l;
      this.pos++;
      const r = this.binary(level + 1);
      l = apply(op, l, r);
    }
  }

  private unary(): bigint {
    const tok = this.t[this.pos];
    if (!tok) throw new Error('the #if expression ends too early');
    if (tok.kind === 'punct') {
      if (this.eat('!')) return this.unary() === 0n ? 1n : 0n;
      if (this.eat('~')) return wrap(~this.unary());
      if (this.eat('-')) return wrap(-this.unary());
      if (this.eat('+')) return this.unary();
      if (this.eat('(')) {
        const v = this.ternary();
        if (!this.eat(')')) throw new Error('missing ) in an #if expression');
        return v;
      }
    }
    this.pos++;
    if (tok.kind === 'num') return parseNumber(tok.text);
    if (tok.kind === 'chr') return charValue(tok.text);
    // Identifiers left after expansion (and keywords such as `true` in C) are 0.
    if (tok.kind === 'id') return 0n;
    throw new Error(`unexpected \`${tok.text}\` in an #if expression`);
  }
}

function apply(op: string, l: bigint, r: bigint): bigint {
  switch (op) {
    case '||': return l !== 0n || r !== 0n ? 1n : 0n;
    case '&&': return l !== 0n && r !== 0n ? 1n : 0n;
    case '|': return l | r;
    case '^': return l ^ r;
    case '&': return l & r;
    case '==': return l === r ? 1n : 0n;
    case '!=': return l !== r ? 1n : 0n;
    case '<': return l < r ? 1n : 0n;
    case '>': return l > r ? 1n : 0n;
    case '<=': return l <= r ? 1n : 0n;
    case '>=': return l >= r ? 1n : 0n;
    case '<<': return wrap(l << (r & 63n));
    case '>>': return l >> (r & 63n);
    case '+': return wrap(l + r);
    case '-': return wrap(l - r);
    case '*': return wrap(l * r);
    case '/':
      if (r === 0n) throw new Error('division by zero in an #if expression');
      return l / r;
    case '%':
      if (r === 0n) throw new Error('division by zero in an #if expression');
      return l % r;
  }
  throw new Error(`unknown operator ${op}`);
}

export function parseNumber(text: string): bigint {
  const s = text.replace(/[uUlL]+$/, '');
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(s)) return wrap(BigInt(s));
    if (/^0[bB][01]+$/.test(s)) return wrap(BigInt(s));
    if (/^0[0-7]*$/.test(s)) return wrap(BigInt(s.length > 1 ? `0o${s.slice(1)}` : '0'));
    if (/^[1-9][0-9]*$/.test(s)) return wrap(BigInt(s));
  } catch {
    /* falls through */
  }
  throw new Error(`"${text}" is not an integer constant of an #if expression`);
}

function charValue(text: string): bigint {
  const body = text.replace(/^[LuU8]*'/, '').replace(/'$/, '');
  if (!body.startsWith('\\')) return BigInt(body.codePointAt(0) ?? 0);
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  const c = body[1];
  if (c === 'x') return BigInt(parseInt(body.slice(2), 16) || 0);
  if (/[0-7]/.test(c)) return BigInt(parseInt(body.slice(1), 8) || 0);
  return BigInt(esc[c] ?? c.codePointAt(0) ?? 0);
}
