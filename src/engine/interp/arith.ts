// C arithmetic and comparison on interpreter values: exact on integers, symbolic on unknowns.
// An unknown derived from a guessed (unmodelled) value keeps the guess, so a branch on it is
// recorded as an assumption. Identities that hold whatever the unknown is (0 & x, x * 0) fold.
import { relOf, type Lin, type RelOp } from './ranges';
import { clipText, int, show, type Value, WHY_MAX } from './values';

type Unk = Extract<Value, { k: 'unk' }>;

function guessOf(l: Value, r: Value): Pick<Unk, 'guess' | 'guessLine'> {
  const g = l.k === 'unk' && l.guess ? l : r.k === 'unk' && r.guess ? r : null;
  return g && g.k === 'unk' ? { guess: g.guess, guessLine: g.guessLine } : {};
}

function keyOf(v: Value): string {
  return v.k === 'unk' ? (v.neg ? '!' : '') + v.key : show(v);
}

/** An unknown integer as base + offset (a comparison or a negation is a truth value, not one). */
export function linOf(v: Value): Lin | null {
  if (v.k !== 'unk' || v.neg || v.rel) return null;
  return v.lin ?? { base: v.key, off: 0n };
}

function whyOf(v: Value): string {
  return v.k === 'unk' ? v.why : show(v);
}

/** `l op r` as text, bounded: past WHY_MAX characters the middle is elided (the key, not the text, identifies the value). */
function joinWhy(l: Value, op: string, r: Value): string {
  const a = whyOf(l);
  const b = whyOf(r);
  return a.length + b.length + op.length + 2 <= WHY_MAX ? `${a} ${op} ${b}` : `${clipText(a, WHY_MAX / 2)} ${op} ${clipText(b, WHY_MAX / 2)}`;
}

/**
 * Interns the key of an unknown derived from others (`(k1 + k2)`) into a short one, the same for
 * the same parts on one path (World.derivedKey): keys stay short however deep a loop nests them.
 */
export type DeriveKey = (parts: string) => string;


export function sameValue(a: Value, b: Value): boolean {
  if (a.k === 'obj' && b.k === 'obj') return a.o === b.o;
  if (a.k === 'fn' && b.k === 'fn') return a.name === b.name;
  if (a.k === 'ref' && b.k === 'ref') return a.cell === b.cell;
  if (a.k === 'global' && b.k === 'global') return a.name === b.name;
  if (a.k === 'err' && b.k === 'err') return a.errno === b.errno;
  if (a.k === 'str' && b.k === 'str') return a.s === b.s;
  return false;
}

export function compare(op: string, l: Value, r: Value, derive: DeriveKey): Value {
  if (l.k === 'int' && r.k === 'int') {
    const a = l.v;
    const b = r.v;
    const res = op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    return int(res);
  }
  if (l.k === 'unk' && r.k === 'unk' && l.key === r.key && !!l.neg === !!r.neg) {
    // The same unknown on both sides (`while (wait_bh > wait)` with wait_bh = wait): one value.
    return int(op === '==' || op === '<=' || op === '>=');
  }
  if (l.k === 'unk' || r.k === 'unk') {
    // Two offsets of one unknown: `n - 1 < n` holds whatever n is.
    const ll = linOf(l);
    const rl = linOf(r);
    if (ll && rl && ll.base === rl.base && !!ll.minus === !!rl.minus) return compare(op, int(ll.minus ? -ll.off : ll.off), int(rl.minus ? -rl.off : rl.off), derive);
    // `unk == 0` and `!unk` are the same question: keep them consistent.
    if ((op === '==' || op === '!=') && r.k === 'int' && r.v === 0n && l.k === 'unk') return { ...l, neg: op === '==' ? !l.neg : !!l.neg };
    if ((op === '==' || op === '!=') && l.k === 'int' && l.v === 0n && r.k === 'unk') return { ...r, neg: op === '==' ? !r.neg : !!r.neg };
    // One unknown (plus a constant) against a constant: a constraint on that unknown.
    const rel = ll && r.k === 'int' ? relOf(ll, op as RelOp, r.v, false) : rl && l.k === 'int' ? relOf(rl, op as RelOp, l.v, true) : undefined;
    return { k: 'unk', key: derive(`(${keyOf(l)} ${op} ${keyOf(r)})`), why: joinWhy(l, op, r), ...guessOf(l, r), ...(rel ? { rel } : {}) };
  }
  const same = sameValue(l, r);
  if (op === '==') return int(same);
  if (op === '!=') return int(!same);
  return { k: 'unk', key: `cmp:${show(l)}${op}${show(r)}`, why: clipText(`${show(l)} ${op} ${show(r)}`) };
}

/** `op` on two values; `unknown` makes a fresh unknown for undefined results (division by zero). */
export function arith(op: string, l: Value, r: Value, unknown: (why: string) => Value, derive: DeriveKey): Value {
  if (l.k === 'int' && r.k === 'int') {
    const a = l.v;
    const b = r.v;
    switch (op) {
      case '+':
        return int(a + b);
      case '-':
        return int(a - b);
      case '*':
        return int(a * b);
      case '/':
        return b === 0n ? unknown('division by zero') : int(a / b);
      case '%':
        return b === 0n ? unknown('modulo by zero') : int(a % b);
      case '<<':
        return b < 0n || b > 128n ? unknown('oversized shift') : int(a << b);
      case '>>':
        return b < 0n || b > 128n ? unknown('oversized shift') : int(a >> b);
      case '&':
        return int(a & b);
      case '|':
        return int(a | b);
      case '^':
        return int(a ^ b);
      default:
        return unknown(`operator ${op}`);
    }
  }
  // Whatever the unknown operand is: 0 & x == 0, x * 0 == 0 (a test of a zero flag word is no fork).
  const zero = (v: Value): boolean => v.k === 'int' && v.v === 0n;
  if ((op === '&' || op === '*') && (zero(l) || zero(r)) && (l.k === 'unk' || r.k === 'unk')) return int(0);
  // x + 0, x - 0, x | 0, x ^ 0, x << 0, x >> 0 are x: the same unknown, not a new one (`nr -= pages_written` with none written).
  if (l.k === 'unk' && zero(r) && ['+', '-', '|', '^', '<<', '>>'].includes(op)) return l;
  if (r.k === 'unk' && zero(l) && ['+', '|', '^'].includes(op)) return r;
  // (x << c) >> c is x: interpreter integers do not overflow, so nothing is shifted out.
  if (op === '>>' && l.k === 'unk' && l.shl && r.k === 'int' && l.shl.by === r.v) return l.shl.of;
  const shl = op === '<<' && l.k === 'unk' && r.k === 'int' && r.v >= 0n ? { of: l, by: r.v } : undefined;
  // c | x with c non-zero is non-zero, whatever x is (a flag word with a known bit set).
  const nonzero = op === '|' && ((l.k === 'int' && l.v !== 0n) || (r.k === 'int' && r.v !== 0n) || (l.k === 'unk' && !l.neg && !!l.nonzero) || (r.k === 'unk' && !r.neg && !!r.nonzero));
  // An unknown plus or minus a constant keeps its base: the path's decisions about the base decide it.
  const ll = linOf(l);
  const rl = linOf(r);
  let lin: Lin | undefined;
  const signed = (base: string, off: bigint, minus: boolean | undefined): Lin => (minus ? { base, off, minus: true } : { base, off });
  if (ll && r.k === 'int' && (op === '+' || op === '-')) lin = signed(ll.base, op === '+' ? ll.off + r.v : ll.off - r.v, ll.minus);
  else if (rl && l.k === 'int' && op === '+') lin = signed(rl.base, rl.off + l.v, rl.minus);
  else if (rl && l.k === 'int' && op === '-') lin = signed(rl.base, l.v - rl.off, !rl.minus);
  // Pointer arithmetic and unknown operands: an unknown derived from both.
  const off = offsetOf(op, l, r);
  const why = off ? describeOffset(off) : joinWhy(l, op, r);
  return { k: 'unk', key: derive(`(${keyOf(l)} ${op} ${keyOf(r)})`), why, ...guessOf(l, r), ...(lin ? { lin } : {}), ...(off ? { off } : {}), ...(nonzero ? { nonzero } : {}), ...(shl ? { shl } : {}) };
}

/**
 * `u + c`, `c + u`, `u - c` on an unknown u: its description as u's base and the sum of the
 * constants (`x - 1 - 1 - 1` in a loop reads `x - 3`). Only the text: the key is derived from
 * the operands as for any other operator.
 */
function offsetOf(op: string, l: Value, r: Value): { base: string; n: bigint } | null {
  const u = l.k === 'unk' ? l : op === '+' && r.k === 'unk' ? r : null;
  const c = u === l ? r : l;
  if (!u || u.k !== 'unk' || u.neg || u.rel || c.k !== 'int' || (op !== '+' && op !== '-')) return null;
  const prior = u.off ?? { base: u.why, n: 0n };
  return { base: prior.base, n: prior.n + (op === '+' ? c.v : -c.v) };
}

function describeOffset(off: { base: string; n: bigint }): string {
  return off.n === 0n ? off.base : off.n > 0n ? `${off.base} + ${off.n}` : `${off.base} - ${-off.n}`;
}
