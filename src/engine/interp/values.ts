// Runtime values of the interpreter: integers (exact, as bigint), unknowns (symbolic, decided
// consistently per path), pointers to modelled kernel objects, function designators, ERR_PTRs.

import type { Lin, Rel } from './ranges';

/** A kernel object the interpreter can point at. Model objects override get/set for their fields. */
export class KObj {
  /** Made on the first write (or the first use of `fields`): most objects a path makes (a declared struct, a model's result) hold few fields or none. */
  private map: Map<string, Value> | undefined = undefined;
  get fields(): Map<string, Value> {
    return (this.map ??= new Map());
  }
  /** Zero-filled memory (kzalloc, kcalloc...): a field never written reads 0 (an embedded struct or array: zero-filled too). */
  zeroed = false;
  constructor(
    readonly type: string,
    readonly id: number,
    /** How to name it in messages ("page", "bh[1]", "handle of ext4_da_write_begin"). */
    public label: string,
  ) {}
  /** Fields computed on their first read: a global's initialiser (naming a function there is no call). */
  private pending: Map<string, () => Value> | undefined = undefined;
  get(field: string): Value | undefined {
    const v = this.map?.get(field);
    const make = v === undefined ? this.pending?.get(field) : undefined;
    if (!make) return v;
    this.pending!.delete(field);
    const made = make();
    this.fields.set(field, made);
    return made;
  }
  set(field: string, value: Value): void {
    this.pending?.delete(field);
    this.fields.set(field, value);
  }
  /** `field` reads `make()`, evaluated when first read. */
  setLazy(field: string, make: () => Value): void {
    (this.pending ??= new Map()).set(field, make);
  }
}

/** A variable's storage: `&x` points at it. */
export interface Cell {
  value: Value;
  name: string;
  /** Declared as a struct (not a pointer): `&x` is the object itself. */
  struct?: boolean;
  /** A scalar local's or parameter's declared type: what is stored in it is converted to it (`pgoff_t end = -1`). */
  type?: string;
}

export type Value =
  | { k: 'int'; v: bigint }
  | {
      k: 'unk';
      key: string;
      why: string;
      neg?: boolean;
      /**
       * Set when the value derives from code the engine does not model (an unmodelled call, an
       * unknown macro or global): branching on it is a guess, recorded as the path's assumption.
       */
      guess?: string;
      /** Line of the unmodelled call or identifier. */
      guessLine?: number;
      /** The value is another unknown plus a constant (`n - 1`): what the path decided about `n` decides it (ranges.ts). */
      lin?: Lin;
      /** The value is a comparison of one unknown with a constant (`n - 1 > 0`): true when `rel` holds. */
      rel?: Rel;
      /** Non-zero whatever the unknown is (`5 | FLAG`). */
      nonzero?: boolean;
      /** `why` is `base + n` (arith.ts): a constant added in a loop folds into n, the text stays bounded. */
      off?: { base: string; n: bigint };
      /** The value is `of << by` (a constant shift): `>> by` gives `of` back (`(index << PAGE_CACHE_SHIFT) >> PAGE_CACHE_SHIFT`). */
      shl?: { of: Value; by: bigint };
    }
  | { k: 'obj'; o: KObj }
  | { k: 'fn'; name: string }
  | { k: 'ref'; cell: Cell }
  | { k: 'err'; errno: bigint }
  | { k: 'str'; s: string }
  | { k: 'global'; name: string };

export const ZERO: Value = { k: 'int', v: 0n };
export const ONE: Value = { k: 'int', v: 1n };

/** An integer value; 0 and 1 (every truth value) are the shared ZERO and ONE: values are never changed in place. */
export function int(v: bigint | number | boolean): Value {
  if (typeof v === 'boolean') return v ? ONE : ZERO;
  const b = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
  return b === 0n ? ZERO : b === 1n ? ONE : { k: 'int', v: b };
}

export function obj(o: KObj | null): Value {
  return o ? { k: 'obj', o } : ZERO;
}

export function isNull(v: Value): boolean {
  return v.k === 'int' && v.v === 0n;
}

/**
 * Longest description of a value (`why` of an unknown, label of an object made for one): a value
 * built from itself (`v = v * v + 1`, `bh = bh->b_this_page`) would otherwise grow its text each
 * turn of a loop, and a 90 KB identifier would be copied into every value derived from it.
 */
export const WHY_MAX = 160;

/** `t` bounded to WHY_MAX characters: past that, the middle is elided (a key, not the text, identifies a value). */
export function clipText(t: string, max = WHY_MAX): string {
  return t.length > max ? `${t.slice(0, max / 2 - 2)} … ${t.slice(-(max / 2 - 2))}` : t;
}

/** Readable rendering for traces and messages. */
export function show(v: Value): string {
  switch (v.k) {
    case 'int':
      return v.v.toString();
    case 'unk':
      return `${v.neg ? '!' : ''}unknown(${v.why})`;
    case 'obj':
      return v.o.label;
    case 'fn':
      return v.name;
    case 'ref':
      return `&${v.cell.name}`;
    case 'err':
      return `ERR_PTR(${v.errno})`;
    case 'str':
      return v.s.length > 40 ? `${v.s.slice(0, 37)}..."` : v.s;
    case 'global':
      return `&${v.name}`;
  }
}

const ERRNO_NAMES: Record<string, string> = {
  '-1': '-EPERM', '-2': '-ENOENT', '-5': '-EIO', '-11': '-EAGAIN', '-12': '-ENOMEM', '-17': '-EEXIST',
  '-22': '-EINVAL', '-28': '-ENOSPC', '-30': '-EROFS', '-116': '-ESTALE', '-122': '-EDQUOT',
};

export const ERRNO: Record<string, bigint> = {
  EPERM: 1n, ENOENT: 2n, EIO: 5n, EAGAIN: 11n, ENOMEM: 12n, EEXIST: 17n, EINVAL: 22n, EFBIG: 27n,
  ENOSPC: 28n, EROFS: 30n, ENOTSUPP: 524n, EOPNOTSUPP: 95n, ESTALE: 116n, EDQUOT: 122n, ENODATA: 61n, EFSCORRUPTED: 117n,
};

export function showErrno(v: bigint): string {
  return ERRNO_NAMES[v.toString()] ?? v.toString();
}
