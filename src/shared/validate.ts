// Hand-written validation primitives shared by the webview message protocols: every message
// crossing the webview boundary is checked field by field; an Invalid names the first bad field.

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

export class Invalid extends Error {}

export type Obj = Record<string, unknown>;

export function fail(path: string, what: string): never {
  throw new Invalid(`${path}: ${what}`);
}
export function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
  return v as Obj;
}
export function str(v: unknown, path: string, max = Infinity): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  if (v.length > max) fail(path, `string longer than ${max}`);
  return v;
}
export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `expected an integer in [${min}, ${max}]`);
  return v;
}
export function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'expected a finite number');
  return v;
}
export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected a boolean');
  return v;
}
export function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(path, `expected one of ${allowed.join(', ')}`);
  return v as T;
}
export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected an array');
  return v;
}
/** An array whose items are each validated (and converted) by `item`. */
export function arrOf<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): T[] {
  return arr(v, path).map((x, i) => item(x, `${path}[${i}]`));
}
export function nullable<T>(v: unknown, path: string, f: (v: unknown, path: string) => T): T | null {
  return v === null ? null : f(v, path);
}
/** Refuses fields other than `keys` (so `__proto__` and friends never get through). */
export function only(o: Obj, keys: readonly string[], path: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${path}.${k}`, 'unexpected field');
}
export function wrap<T>(f: () => T): Validated<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    return { ok: false, error: `validator error: ${String(e)}` };
  }
}
