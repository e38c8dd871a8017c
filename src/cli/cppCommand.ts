// `kpr cpp FILE [--tree DIR] [--kconfig KEY=y|m|n|VALUE]... [--expand-all] [--json]`: the file as
// the kernel-tree mode sees it after preprocessing with the tree's headers, line for line with
// the source (like `gcc -E -P`, but a line of the output is that line of the file), and the
// preprocessor's diagnostics on stderr. The tree is --tree, else the kernel tree that holds FILE.
// Macros the engine models (`page_buffers`, `BUG_ON`, `EXT4_I`) are left as calls, as the
// analysis sees them; --expand-all expands them too. (`--kconfig`, not `--config`: `--config`
// names the .kpr.json file.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { preprocess } from '../engine/cpp';
import { findTreeRoot, isKernelTree, treeHost, treeLayout } from '../engine/tree/layout';
import { configMacros, DEFAULT_CONFIG, parseConfigArgs, treeDefines } from '../engine/tree/config';
import { keptByTree } from '../engine/models';
import { outputFormat, type ParsedArgs, single, ToolError, UsageError } from './args';

export function runCppCommand(args: ParsedArgs, out: (s: string) => void, err: (s: string) => void): number {
  const format = outputFormat(args);
  if (format !== 'json' && format !== 'text') throw new UsageError('cpp takes --json or the text format');
  if (args.positional.length !== 1) throw new UsageError('cpp takes exactly one FILE');
  const file = path.resolve(args.positional[0]);
  if (!fs.existsSync(file)) throw new ToolError(`${args.positional[0]}: no such file`);
  const given = single(args, '--tree');
  const root = given ? path.resolve(given) : findTreeRoot(file);
  if (!root) throw new UsageError(`${args.positional[0]} is not inside a kernel tree: give the tree with --tree DIR`);
  if (!isKernelTree(root)) throw new UsageError(`--tree ${given}: not a kernel source tree (no Makefile with VERSION, include/linux/fs.h and fs/)`);
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel.startsWith('..')) throw new UsageError(`${args.positional[0]} is not inside the tree ${root}`);
  const { overrides, problems } = parseConfigArgs(args.flags.get('--kconfig') ?? []);
  if (problems.length) throw new UsageError(problems.map((p) => p.message).join('; '));
  const layout = treeLayout(root);
  const host = treeHost(layout, configMacros({ ...DEFAULT_CONFIG, ...overrides }));
  // Macros the engine models stay calls (bound to their model), unless --expand-all.
  const keep = args.flags.has('--expand-all') ? undefined : keptByTree;
  const r = preprocess(rel, host, { includeDirs: layout.includeDirs, defines: treeDefines(overrides), keep });
  for (const d of r.diagnostics) err(`${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}\n`);
  const unit = r.units[0];
  if (format === 'json') {
    out(
      `${JSON.stringify({
        file: rel,
        tree: { root, version: layout.version?.text ?? null, arch: layout.arch, includeDirs: layout.includeDirs },
        text: unit?.text ?? '',
        expansions: unit ? Object.fromEntries([...unit.expansions].map(([l, names]) => [String(l), names])) : {},
        files: r.files,
        macros: r.macros.defs.size,
        diagnostics: r.diagnostics,
      })}\n`,
    );
  } else out(unit?.text ?? '');
  return r.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}
