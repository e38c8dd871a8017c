// `kpr conformance FILE... [--tree DIR] [--kconfig KEY=VALUE]... [--json]`: each file's scenarios run
// with its kernel tree's own primitives and with the engine's models; where they disagree.
// Exit 0: all agree; 1: a disagreement; 2: usage.
import * as path from 'node:path';
import { initEngine } from '../engine';
import { conformance, type ConformanceReport } from '../engine/tree/conformance';
import { parseConfigArgs } from '../engine/tree/config';
import { findTreeRoot, isKernelTree } from '../engine/tree/layout';
import { outputFormat, type ParsedArgs, single, UsageError } from './args';
import { readInput } from './io';

export function formatConformance(r: ConformanceReport): string {
  const lines = [`${r.file} (tree ${r.version ?? '?'}): ${r.agreements} scenario(s) agree, ${r.disagreements} disagree`, `  primitives from the tree: ${r.primitives.join(', ') || 'none reached'}`];
  for (const s of r.scenarios.filter((x) => !x.agree)) lines.push(`  ${s.scenario}`, `    tree:   ${s.tree}`, `    models: ${s.models}`);
  return `${lines.join('\n')}\n`;
}

export async function runConformanceCommand(args: ParsedArgs, wasmDir: string, out: (s: string) => void): Promise<number> {
  const format = outputFormat(args);
  if (format !== 'json' && format !== 'text') throw new UsageError('conformance takes --json or the text format');
  if (args.positional.length === 0) throw new UsageError('conformance takes one or more FILEs inside a kernel tree');
  const { overrides, problems } = parseConfigArgs(args.flags.get('--kconfig') ?? []);
  if (problems.length) throw new UsageError(problems.map((p) => p.message).join('; '));
  const given = single(args, '--tree');
  if (given && !isKernelTree(path.resolve(given))) throw new UsageError(`--tree ${given}: not a kernel source tree (no Makefile with VERSION, include/linux/fs.h and fs/)`);
  await initEngine(wasmDir);
  const reports: ConformanceReport[] = [];
  for (const file of args.positional) {
    const root = given ? path.resolve(given) : findTreeRoot(file);
    if (!root) throw new UsageError(`${file} is not inside a kernel tree: give the tree with --tree DIR`);
    reports.push(conformance(readInput(file, 'C file'), file, { root, path: path.resolve(file), config: overrides }));
  }
  out(format === 'json' ? `${JSON.stringify(reports)}\n` : reports.map(formatConformance).join('\n'));
  return reports.some((r) => r.disagreements > 0) ? 1 : 0;
}
