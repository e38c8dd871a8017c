// A program of several translation units: the analysed file, then the kernel tree's own source
// of the writeback primitives, then the TypeScript models. A call the file does not define is
// looked up in the tree's primitive files (fs/buffer.c, fs/mpage.c, mm/page-writeback.c…), each
// preprocessed with the tree's headers and lowered on first need, and kept in an LRU keyed by
// path and mtime. What stays a model even with the tree is the cut line (cutLine.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { preprocess } from '../cpp';
import type { FunctionDef, Loc } from '../ir/ir';
import { lowerSource } from '../ir/unit';
import { keptByTree } from '../models';
import { configMacros, DEFAULT_CONFIG, treeDefines } from './config';
import { staysModel } from './cutLine';
import { treeHost, treeLayout, type TreeLayout } from './layout';

/** The tree's files that define writeback primitives, in the order they are searched. */
export const PRIMITIVE_FILES = ['fs/buffer.c', 'fs/mpage.c', 'mm/page-writeback.c', 'mm/filemap.c', 'mm/truncate.c'];

/** A unit of the tree, lowered: its functions stamped with their file. */
interface TreeUnit {
  file: string;
  mtimeMs: number;
  functions: Map<string, FunctionDef>;
  /** Preprocessor and lowering problems, for the result's diagnostics. */
  problems: string[];
  ms: number;
}

/** Lowered units of every tree, by `root|config|file` (small: a few primitive files per tree). */
const UNITS = new Map<string, TreeUnit>();
const UNITS_KEPT = 24;

export interface TreeFunction {
  def: FunctionDef;
  /** Tree-relative path of its file (`fs/buffer.c`). */
  file: string;
}

export class TreeProgram {
  readonly layout: TreeLayout;
  private readonly host;
  private readonly configKey: string;
  private readonly searched: string[];
  /** Units used by this analysis (for the result: which primitives came from the tree). */
  readonly used = new Map<string, Set<string>>();
  readonly problems: string[] = [];

  constructor(
    root: string,
    private readonly config: Record<string, string> = {},
    /** The analysed file, tree-relative (never searched: its functions are the unit's own). */
    fileRel?: string,
  ) {
    this.layout = treeLayout(root);
    this.host = treeHost(this.layout, configMacros({ ...DEFAULT_CONFIG, ...config }));
    this.configKey = JSON.stringify(Object.entries(config).sort());
    this.searched = PRIMITIVE_FILES.filter((f) => f !== fileRel);
  }

  /** Answers per name (a miss is asked again at every call otherwise). */
  private readonly answers = new Map<string, TreeFunction | null>();

  /**
   * Whether the raw text of `file` can define `name` (`name(` at the start of a line or after a
   * type): a cheap test before the file is preprocessed and lowered.
   */
  private mayDefine(file: string, name: string): boolean {
    const text = this.host.read(file);
    if (text === undefined) return false;
    let at = text.indexOf(`${name}(`);
    while (at >= 0) {
      const lineStart = text.lastIndexOf('\n', at) + 1;
      const before = text.slice(lineStart, at);
      // A definition's name opens its line, or follows its return type (`int `, `static int *`).
      if (/^[A-Za-z_][\w\s*]*$/.test(before) || before === '') {
        const prev = text[at - 1];
        if (at === lineStart || /[\s*]/.test(prev)) return true;
      }
      at = text.indexOf(`${name}(`, at + 1);
    }
    return false;
  }

  /** The tree's definition of `name`, unless it stays a model (the cut line) or the tree has none. */
  lookup(name: string, hasModel: boolean, fromFile?: string): TreeFunction | undefined {
    if (staysModel(name, hasModel, fromFile !== undefined)) return undefined;
    const key = `${fromFile ?? ''}|${name}`;
    const known = this.answers.get(key);
    if (known !== undefined) return this.use(known);
    let found: TreeFunction | null = null;
    for (const file of fromFile ? [fromFile, ...this.searched.filter((f) => f !== fromFile)] : this.searched) {
      if (!this.mayDefine(file, name)) continue;
      const def = this.unit(file)?.functions.get(name);
      if (def) {
        found = { def, file };
        break;
      }
    }
    this.answers.set(key, found);
    return this.use(found);
  }

  /** The tree's functions this analysis ran, by file and name. */
  primitives(): { name: string; file: string; line: number }[] {
    const out: { name: string; file: string; line: number }[] = [];
    for (const f of [...this.answers.values()]) if (f && !out.some((o) => o.name === f.def.name && o.file === f.file)) out.push({ name: f.def.name, file: f.file, line: f.def.nameLoc.line });
    return out.sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
  }

  private use(f: TreeFunction | null): TreeFunction | undefined {
    if (!f) return undefined;
    const used = this.used.get(f.file) ?? new Set<string>();
    used.add(f.def.name);
    this.used.set(f.file, used);
    return f;
  }

  private unit(file: string): TreeUnit | undefined {
    const abs = path.join(this.layout.root, file);
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(abs).mtimeMs;
    } catch {
      return undefined;
    }
    const key = `${this.layout.root}|${this.configKey}|${file}`;
    const cached = UNITS.get(key);
    if (cached && cached.mtimeMs === mtimeMs) {
      // Most recently used last.
      UNITS.delete(key);
      UNITS.set(key, cached);
      return cached;
    }
    const started = Date.now();
    const pp = preprocess(file, this.host, { includeDirs: this.layout.includeDirs, defines: treeDefines(this.config), keep: keptByTree });
    const text = pp.units[0]?.text ?? '';
    const lowered = lowerSource(text);
    const functions = new Map<string, FunctionDef>();
    for (const [n, def] of lowered.functions) functions.set(n, stampFile(def, file));
    const problems = [
      ...pp.diagnostics.filter((d) => d.severity === 'error').slice(0, 5).map((d) => `${d.file}:${d.line}: ${d.message}`),
      ...lowered.diagnostics.filter((d) => d.kind === 'syntax').slice(0, 5).map((d) => `${file}:${d.line}: ${d.message}`),
    ];
    const unit: TreeUnit = { file, mtimeMs, functions, problems, ms: Date.now() - started };
    UNITS.set(key, unit);
    while (UNITS.size > UNITS_KEPT) UNITS.delete(UNITS.keys().next().value as string);
    if (problems.length) this.problems.push(`${file} (${problems.length} problem${problems.length === 1 ? '' : 's'} reading it, its functions with them may be partial): ${problems.slice(0, 2).join('; ')}`);
    return unit;
  }
}

/** Gives every location of a tree function its file, so traces and provenance can name it. */
function stampFile(def: FunctionDef, file: string): FunctionDef {
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (v instanceof Set || v instanceof Map) return;
    const o = v as Record<string, unknown>;
    if (typeof o.line === 'number' && typeof o.column === 'number' && typeof o.endLine === 'number') {
      (o as unknown as Loc).file = file;
      return;
    }
    for (const k of Object.keys(o)) walk(o[k]);
  };
  walk(def);
  return { ...def, file };
}
