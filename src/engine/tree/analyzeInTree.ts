// The kernel-tree mode of an analysis: the file is preprocessed with its tree's headers and
// configuration first (src/engine/cpp), so the macros, constants and `#if` branches the engine
// would otherwise guess come from the tree of the file's era. Macros the engine models stay
// calls (so primitives bind as without a tree); the text keeps its lines, so every finding,
// trace step and diagnostic is located in the file itself. Navigation is computed on the file's
// own text (columns on a line where a macro was expanded would be the expansion's).

import * as path from 'node:path';
import { analyzeSource, lowerForSymbols } from '../analyze';
import type { AnalyzeOptions, ScenarioResult, TreeInfo } from '../api/types';
import { preprocess } from '../cpp';
import { keptByTree } from '../models';
import { configMacros, DEFAULT_CONFIG, treeDefines } from './config';
import { treeHost, treeLayout } from './layout';
import { TreeProgram } from './program';

export interface TreeOptions {
  /** The tree's top directory. */
  root: string;
  /** The file's path on disk (default: `file`), to find it in the tree. */
  path?: string;
  /** Kconfig overrides (`{ BUG: 'n' }`). */
  config?: Record<string, string>;
  /** Run the tree's own primitives (default); false: the engine's models (kpr conformance compares). */
  primitives?: boolean;
}

/** Diagnostics of headers shown per file, at most (the rest are counted). */
const HEADER_DIAGNOSTICS_SHOWN = 5;

/** Analyses `text` (the file `file`, inside the tree) as the tree compiles it. */
export function analyzeInTree(text: string, file: string, tree: TreeOptions, options: AnalyzeOptions = {}): ScenarioResult {
  const started = Date.now();
  const layout = treeLayout(tree.root);
  const rel = path.relative(tree.root, path.resolve(tree.path ?? file)).split(path.sep).join('/');
  const host = treeHost(layout, configMacros({ ...DEFAULT_CONFIG, ...(tree.config ?? {}) }));
  // The file's text as given (an editor buffer may differ from the disk).
  const read = host.read.bind(host);
  host.read = (f: string) => (f === rel ? text : read(f));
  const pp = preprocess(rel, host, { includeDirs: layout.includeDirs, defines: treeDefines(tree.config ?? {}), keep: keptByTree });
  const expanded = pp.units[0]?.text ?? text;
  const preprocessMs = Date.now() - started;
  const program = new TreeProgram(tree.root, tree.config ?? {}, rel);
  const external = tree.primitives === false ? undefined : (name: string, hasModel: boolean, fromFile?: string) => program.lookup(name, hasModel, fromFile)?.def;
  const result = analyzeSource(expanded, file, options, undefined, external);
  for (const p of program.problems) result.diagnostics.push({ severity: 'info', line: 1, column: 1, kind: 'preprocessor', message: `in the tree: ${p}` });
  // Navigation on the file's own text: its columns are the editor's.
  const symbols = lowerForSymbols(text);
  if (symbols) result.symbols = symbols;
  const own = pp.diagnostics.filter((d) => d.file === rel);
  for (const d of own) result.diagnostics.push({ severity: d.severity === 'error' ? 'warning' : 'info', line: d.line, column: d.col, kind: 'preprocessor', message: d.message });
  const byHeader = new Map<string, typeof pp.diagnostics>();
  for (const d of pp.diagnostics) if (d.file !== rel) byHeader.set(d.file, [...(byHeader.get(d.file) ?? []), d]);
  for (const [header, ds] of byHeader) {
    const shown = ds.slice(0, HEADER_DIAGNOSTICS_SHOWN).map((d) => `${header}:${d.line}: ${d.message}`);
    result.diagnostics.push({
      severity: 'info',
      line: 1,
      column: 1,
      kind: 'preprocessor',
      message: `in the tree's ${header}: ${shown.join('; ')}${ds.length > shown.length ? `; and ${ds.length - shown.length} more` : ''}`,
    });
  }
  const expandedLines = [...(pp.units[0]?.expansions.keys() ?? [])].sort((a, b) => a - b);
  const info: TreeInfo = {
    root: tree.root,
    version: layout.version?.text ?? null,
    arch: layout.arch,
    config: tree.config ?? {},
    headers: pp.files.length - 1,
    macros: pp.macros.defs.size,
    expandedLines: expandedLines.length,
    preprocessMs,
    primitives: program.primitives(),
  };
  result.tree = info;
  return result;
}
