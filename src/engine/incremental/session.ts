// Incremental analysis of one file across its versions (an editor's buffer): the previous tree is
// edited and re-parsed by tree-sitter incrementally, functions whose text and position did not
// change keep their lowering, and scenario runs and callback surveys whose dependency key
// (deps.ts) did not change keep their results. The result is the one a fresh analyzeSource()
// gives for the same text: where tree-sitter's error recovery could make an incremental parse
// differ (a tree with errors, before or after), the text is parsed afresh.
import type { Point, Tree } from 'web-tree-sitter';
import { type AnalysisReuse, analyzeSource } from '../analyze';
import type { AnalyzeOptions, ScenarioResult } from '../api/types';
import type { FunctionDef, TranslationUnit } from '../ir/ir';
import { type LoweredFunction, lowerTree } from '../ir/unit';
import { parseC } from '../parse/parser';
import { DependencyKeys } from './deps';

/** What the last analysis of a session did afresh and what it kept. */
export interface ReuseStats {
  parse: 'full' | 'incremental';
  functionsLowered: number;
  functionsKept: number;
  /** Simulations (scenario runs, callback surveys) computed and kept. */
  computed: number;
  kept: number;
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

export class IncrementalAnalysis implements AnalysisReuse {
  private tree: Tree | null = null;
  private text: string | null = null;
  /** Lowered functions of the last version, and of the two before it (an undo finds its definitions again). */
  private lowered: Map<string, LoweredFunction>[] = [];
  /** Kept results: those of this analysis, and of the two before it (an undo, a one-off run in between). */
  private kept = new Map<string, unknown>();
  private older: Map<string, unknown>[] = [];
  private readonly ids = new WeakMap<FunctionDef, number>();
  private nextId = 1;
  private stats: ReuseStats = { parse: 'full', functionsLowered: 0, functionsKept: 0, computed: 0, kept: 0 };

  /** Analyses the file's new text, keeping what did not change since the last call. */
  analyze(text: string, file: string, options: AnalyzeOptions = {}): ScenarioResult {
    this.stats = { parse: 'full', functionsLowered: 0, functionsKept: 0, computed: 0, kept: 0 };
    this.older = [this.kept, ...this.older].slice(0, 2);
    this.kept = new Map();
    return analyzeSource(text, file, options, this);
  }

  /** What the last analyze() computed afresh and what it kept. */
  lastStats(): ReuseStats {
    return { ...this.stats };
  }

  lower(text: string, deadline: number): TranslationUnit {
    let tree: Tree | null = null;
    const old = this.tree;
    this.tree = null; // edited below: never reused unless the parse succeeds
    try {
      if (old && this.text !== null && !old.rootNode.hasError) {
        old.edit(editBetween(this.text, text));
        tree = parseC(text, deadline, old);
        this.stats.parse = 'incremental';
        if (tree.rootNode.hasError) {
          tree.delete();
          tree = null;
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
        if (!this.lowered.some((m) => m.get(key) === l)) this.stats.functionsLowered++;
        next.set(key, l);
      },
    });
    this.lowered = [next, ...this.lowered].slice(0, 3);
    this.tree = tree;
    this.text = text;
    return unit;
  }

  /** Dependency keys of this version's unit, by roots (many runs share their roots). */
  private readonly depsKeys = new WeakMap<TranslationUnit, { keys: DependencyKeys; byRoots: Map<string, string> }>();

  depsKey(unit: TranslationUnit, roots: string[]): string {
    let d = this.depsKeys.get(unit);
    if (!d) this.depsKeys.set(unit, (d = { keys: new DependencyKeys(unit, (fn) => this.idOf(fn)), byRoots: new Map() }));
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

  reuse<T>(key: string, compute: () => T, keep: (v: T) => boolean): T {
    for (const m of [this.kept, ...this.older]) {
      if (!m.has(key)) continue;
      const v = m.get(key) as T;
      this.kept.set(key, v);
      this.stats.kept++;
      return v;
    }
    const v = compute();
    this.stats.computed++;
    if (keep(v)) this.kept.set(key, v);
    return v;
  }

  /** Frees the kept tree. */
  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.text = null;
    this.lowered = [];
    this.kept.clear();
    this.older = [];
  }
}
