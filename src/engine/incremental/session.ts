// Incremental analysis of one file across its versions (an editor's buffer): the previous tree is
// edited and re-parsed by tree-sitter incrementally, functions whose text and position did not
// change keep their lowering, and scenario runs and callback surveys whose dependency key
// (deps.ts) did not change keep their results. The result is the one a fresh analyzeSource()
// gives for the same text: where tree-sitter's error recovery could make an incremental parse
// differ (an edit in or beside a top-level item with a syntax error, or errors that are not the
// same ones shifted by the edit: errorSites.ts), the text is parsed afresh.
import type { Point, Tree } from 'web-tree-sitter';
import { type AnalysisReuse, analyzeSource } from '../analyze';
import type { AnalyzeOptions, ScenarioResult } from '../api/types';
import type { FunctionDef, TranslationUnit } from '../ir/ir';
import { type LoweredFunction, lowerTree } from '../ir/unit';
import { parseC } from '../parse/parser';
import { DependencyKeys } from './deps';
import { errorItems, sameErrorsElsewhere, touches } from './errorSites';

/** What the last analysis of a session did afresh and what it kept. */
export interface ReuseStats {
  parse: 'full' | 'incremental';
  functionsLowered: number;
  functionsKept: number;
  /** Of those lowered, how many lowered to the IR of their previous lowering (which then stands for them). */
  functionsSameIR: number;
  /** Simulations (scenario runs, callback surveys, facts of the tables) computed and kept. */
  computed: number;
  kept: number;
  /** The same, by kind: `run`, `callback`, `fact` (the first line of a reuse key). */
  byKind: Record<string, { computed: number; kept: number }>;
}

/** The tree-sitter edit that turns `old` into `text`: the span between their common prefix and suffix. */
export function editBetween(old: string, text: string): { startIndex: number; oldEndIndex: number; newEndIndex: number; startPosition: Point; oldEndPosition: Point; newEndPosition: Point } {
  let start = 0;
  const max = Math.min(old.length, text.length);
  while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < max - start && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  return {
    startIndex: start,
    oldEndIndex: old.length - suffix,
    newEndIndex: text.length - suffix,
    startPosition: pointAt(old, start),
    oldEndPosition: pointAt(old, old.length - suffix),
    newEndPosition: pointAt(text, text.length - suffix),
  };
}

/** Row and column (UTF-16 units, as web-tree-sitter counts them) of an index. */
function pointAt(text: string, index: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/**
 * Numbers standing for texts (the parts of dependency keys), for the versions a session keeps
 * results of: a text used by this version or one of the two before it keeps its number; a
 * number is never given to another text (a counter), so a key made of numbers names one content.
 */
class PartNumbers {
  private current = new Map<string, number>();
  private older: Map<string, number>[] = [];
  private next = 1;

  id(text: string): number {
    let n = this.current.get(text);
    if (n !== undefined) return n;
    for (const m of this.older) {
      n = m.get(text);
      if (n !== undefined) break;
    }
    n ??= this.next++;
    this.current.set(text, n);
    return n;
  }

  nextVersion(): void {
    this.older = [this.current, ...this.older].slice(0, 2);
    this.current = new Map();
  }

  clear(): void {
    this.current = new Map();
    this.older = [];
  }
}

/** Sets as arrays, bigint as text: a lowering's content. Binder stamps are not enumerable, so not in it. */
function loweringJson(_k: string, v: unknown): unknown {
  if (v instanceof Set) return [...v.values()];
  if (typeof v === 'bigint') return `${v}n`;
  return v;
}

/** A kept simulation with the roots its dependency key was made of (its own and the functions it entered). */
interface Traced<T> {
  roots: string[];
  deps: string;
  v: T;
}

export class IncrementalAnalysis implements AnalysisReuse {
  private tree: Tree | null = null;
  private text: string | null = null;
  /** Lowered functions of the last version, and of the two before it (an undo finds its definitions again). */
  private lowered: Map<string, LoweredFunction>[] = [];
  /** Kept results: those of this analysis, and of the two before it (an undo, a one-off run in between). */
  private kept = new Map<string, unknown>();
  private older: Map<string, unknown>[] = [];
  private readonly ids = new WeakMap<FunctionDef, number>();
  /** Numbers for the parts of dependency keys, kept over the versions whose results are kept. */
  private readonly parts = new PartNumbers();
  private nextId = 1;
  private stats: ReuseStats = { parse: 'full', functionsLowered: 0, functionsKept: 0, functionsSameIR: 0, computed: 0, kept: 0, byKind: {} };

  /** Analyses the file's new text, keeping what did not change since the last call. */
  analyze(text: string, file: string, options: AnalyzeOptions = {}): ScenarioResult {
    this.stats = { parse: 'full', functionsLowered: 0, functionsKept: 0, functionsSameIR: 0, computed: 0, kept: 0, byKind: {} };
    this.older = [this.kept, ...this.older].slice(0, 2);
    this.kept = new Map();
    this.parts.nextVersion();
    return analyzeSource(text, file, options, this);
  }

  /** What the last analyze() computed afresh and what it kept. */
  lastStats(): ReuseStats {
    return { ...this.stats, byKind: structuredClone(this.stats.byKind) };
  }

  lower(text: string, deadline: number): TranslationUnit {
    let tree: Tree | null = null;
    const old = this.tree;
    this.tree = null; // edited below: never reused unless the parse succeeds
    try {
      if (old && this.text !== null) {
        const edit = editBetween(this.text, text);
        const before = errorItems(old);
        // An edit inside an item that holds an error is parsed afresh without trying.
        if (!touches(before, edit.startIndex, edit.oldEndIndex)) {
          old.edit(edit);
          tree = parseC(text, deadline, old);
          if (sameErrorsElsewhere(before, errorItems(tree), edit)) this.stats.parse = 'incremental';
          else {
            tree.delete();
            tree = null;
          }
        }
      }
      if (!tree) {
        tree = parseC(text, deadline);
        this.stats.parse = 'full';
      }
    } finally {
      old?.delete();
    }
    const next = new Map<string, LoweredFunction>();
    const same: LoweredFunction[] = [];
    const unit = lowerTree(tree, text, {
      get: (key) => {
        for (const m of this.lowered) {
          const l = m.get(key);
          if (l) {
            this.stats.functionsKept++;
            return l;
          }
        }
        return undefined;
      },
      set: (key, l) => {
        if (this.lowered.some((m) => m.get(key) === l)) {
          next.set(key, l);
          return;
        }
        this.stats.functionsLowered++;
        // Lowered again to the same IR (an edit of a comment, of spacing inside a line): the
        // earlier definition stands for it, so what was kept by its identity holds.
        const earlier = this.sameLowering(l);
        if (earlier) same.push(earlier);
        next.set(key, earlier ?? l);
      },
    });
    for (const l of same) {
      unit.functions.set(l.fn.name, l.fn);
      this.stats.functionsSameIR++;
    }
    this.lowered = [next, ...this.lowered].slice(0, 3);
    this.tree = tree;
    this.text = text;
    return unit;
  }

  /** What a lowering holds, as text (positions included): two lowerings with the same text are interchangeable. */
  private readonly loweredText = new WeakMap<LoweredFunction, string>();

  private textOf(l: LoweredFunction): string {
    let t = this.loweredText.get(l);
    if (t === undefined) this.loweredText.set(l, (t = JSON.stringify(l, loweringJson)));
    return t;
  }

  /** An earlier lowering of the same function (by name, newest first) with the same IR and diagnostics as `l`. */
  private sameLowering(l: LoweredFunction): LoweredFunction | undefined {
    let text: string | undefined;
    for (const m of this.lowered) {
      for (const e of m.values()) {
        if (e.fn.name !== l.fn.name) continue;
        text ??= this.textOf(l);
        if (this.textOf(e) === text) return e;
      }
    }
    return undefined;
  }

  /** Dependency keys of this version's unit, by roots (many runs share their roots). */
  private readonly depsKeys = new WeakMap<TranslationUnit, { keys: DependencyKeys; byRoots: Map<string, string> }>();

  depsKey(unit: TranslationUnit, roots: string[]): string {
    let d = this.depsKeys.get(unit);
    if (!d) this.depsKeys.set(unit, (d = { keys: new DependencyKeys(unit, (fn) => this.idOf(fn), (part) => this.parts.id(part)), byRoots: new Map() }));
    const r = roots.join('\n');
    let k = d.byRoots.get(r);
    if (k === undefined) d.byRoots.set(r, (k = d.keys.key(roots)));
    return k;
  }

  private idOf(fn: FunctionDef): number {
    let id = this.ids.get(fn);
    if (id === undefined) this.ids.set(fn, (id = this.nextId++));
    return id;
  }

  private kindOf(key: string): { computed: number; kept: number } {
    const kind = key.slice(0, Math.max(0, key.indexOf('\n')));
    return (this.stats.byKind[kind] ??= { computed: 0, kept: 0 });
  }

  reuse<T>(key: string, compute: () => T, keep: (v: T) => boolean): T {
    for (const m of [this.kept, ...this.older]) {
      if (!m.has(key)) continue;
      const v = m.get(key) as T;
      this.kept.set(key, v);
      this.stats.kept++;
      this.kindOf(key).kept++;
      return v;
    }
    const v = compute();
    this.stats.computed++;
    this.kindOf(key).computed++;
    if (keep(v)) this.kept.set(key, v);
    return v;
  }

  reuseTraced<T>(key: string, unit: TranslationUnit, roots: string[], compute: (entered: Set<string>) => T, keep: (v: T) => boolean): T {
    const traced = `traced\n${key}`;
    for (const m of [this.kept, ...this.older]) {
      const found = (m.get(traced) as Traced<T>[] | undefined)?.find((c) => this.depsKey(unit, c.roots) === c.deps);
      if (!found) continue;
      this.keepTraced(traced, found);
      this.stats.kept++;
      this.kindOf(key).kept++;
      return found.v;
    }
    const entered = new Set<string>();
    const v = compute(entered);
    this.stats.computed++;
    this.kindOf(key).computed++;
    if (keep(v)) {
      const all = [...roots, ...[...entered].filter((n) => !roots.includes(n)).sort()];
      this.keepTraced(traced, { roots: all, deps: this.depsKey(unit, all), v });
    }
    return v;
  }

  /** Keeps `c` for this version (beside other versions' results under the same key: an undo). */
  private keepTraced<T>(traced: string, c: Traced<T>): void {
    const list = (this.kept.get(traced) as Traced<T>[] | undefined) ?? [];
    if (!list.includes(c)) list.push(c);
    this.kept.set(traced, list);
  }

  /** Frees the kept tree. */
  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.text = null;
    this.lowered = [];
    this.kept.clear();
    this.older = [];
    this.parts.clear();
  }
}
