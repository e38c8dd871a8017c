// What a path has already decided about an unknown integer, as an interval with excluded points.
// An unknown derived from one unknown by adding a constant (`nr_to_write - 1`) keeps `lin`
// (base key + offset); comparing it with a constant gives a `rel` (base op constant). A branch on
// such a value is decided without a fork when the path's earlier decisions about the same base
// imply it (`x > 0` taken, then `x - 1 != 0`... ), and a fork narrows the base's range. Only
// branches that no value of the base could take are dropped: the paths left are the same
// executions, so no finding is lost (a loop `while (n > 0) n -= k` over an unknown n ends).

export type RelOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** `base op c`: a constraint on the unknown with key `base`. */
export interface Rel {
  base: string;
  op: RelOp;
  c: bigint;
}

/** base + off, or off - base when `minus` (`PAGEVEC_SIZE - index`). */
export interface Lin {
  base: string;
  off: bigint;
  minus?: boolean;
}

export interface Range {
  lo: bigint | null;
  hi: bigint | null;
  /** Points excluded inside [lo, hi]. */
  ne: bigint[];
}

const NEGATE: Record<RelOp, RelOp> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };
const MIRROR: Record<RelOp, RelOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

export function negate(r: Rel): Rel {
  return { base: r.base, op: NEGATE[r.op], c: r.c };
}

/** `(base + off) op k`, or with the sides swapped (`k op (base + off)`), as a Rel on base. */
export function relOf(lin: Lin, op: RelOp, k: bigint, swapped: boolean): Rel {
  const o = swapped ? MIRROR[op] : op;
  // off - base op k  <=>  base MIRROR(op) off - k
  if (lin.minus) return { base: lin.base, op: MIRROR[o], c: lin.off - k };
  return { base: lin.base, op: o, c: k - lin.off };
}

const FULL: Range = { lo: null, hi: null, ne: [] };

/** Whether every value in `r` satisfies `rel` (true), none does (false), or some do (null). */
export function decide(r: Range | undefined, rel: Rel): boolean | null {
  const { lo, hi, ne } = r ?? FULL;
  const c = rel.c;
  const inRange = (lo === null || lo <= c) && (hi === null || c <= hi) && !ne.includes(c);
  const single = lo !== null && hi !== null && lo === hi;
  switch (rel.op) {
    case '==':
      if (!inRange) return false;
      return single ? true : null;
    case '!=':
      if (!inRange) return true;
      return single ? false : null;
    case '<':
      if (hi !== null && hi < c) return true;
      if (lo !== null && lo >= c) return false;
      return null;
    case '<=':
      if (hi !== null && hi <= c) return true;
      if (lo !== null && lo > c) return false;
      return null;
    case '>':
      if (lo !== null && lo > c) return true;
      if (hi !== null && hi <= c) return false;
      return null;
    case '>=':
      if (lo !== null && lo >= c) return true;
      if (hi !== null && hi < c) return false;
      return null;
  }
}

/** `r` narrowed by `rel` (which `decide` left open, so the result is not empty). */
export function narrow(r: Range | undefined, rel: Rel): Range {
  let { lo, hi } = r ?? FULL;
  let ne = [...(r ?? FULL).ne];
  const c = rel.c;
  const max = (a: bigint | null, b: bigint): bigint => (a === null || a < b ? b : a);
  const min = (a: bigint | null, b: bigint): bigint => (a === null || a > b ? b : a);
  switch (rel.op) {
    case '==':
      lo = c;
      hi = c;
      ne = [];
      break;
    case '!=':
      ne.push(c);
      break;
    case '<':
      hi = min(hi, c - 1n);
      break;
    case '<=':
      hi = min(hi, c);
      break;
    case '>':
      lo = max(lo, c + 1n);
      break;
    case '>=':
      lo = max(lo, c);
      break;
  }
  // An excluded end point moves the end inwards; excluded points outside the range are dropped.
  while (lo !== null && ne.includes(lo)) lo += 1n;
  while (hi !== null && ne.includes(hi)) hi -= 1n;
  ne = ne.filter((x) => (lo === null || x > lo) && (hi === null || x < hi));
  return { lo, hi, ne };
}
