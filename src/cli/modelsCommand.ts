// `kpr models FILE [--json]`: what every call on each ->writepage path is bound to (a model and
// its family, a function of the file, or unmodelled), with its line.
import { bindingsOfSource, type BindingsResult, initEngine } from '../engine';
import { outputFormat, type ParsedArgs, UsageError } from './args';
import { readInput } from './io';

export function formatBindings(r: BindingsResult): string {
  const lines: string[] = [];
  for (const d of r.diagnostics) lines.push(`${r.file}:${d.line}: warning: ${d.message}`);
  if (r.paths.length === 0) lines.push(`${r.file}: no address_space_operations table with a ->writepage defined in this file`);
  for (const p of r.paths) {
    const unmodelled = p.calls.filter((c) => c.kind === 'unmodelled');
    lines.push('', `${p.table} → ${p.writepage}: ${p.functions.length} function${p.functions.length === 1 ? '' : 's'} of the file, ${p.calls.length} call${p.calls.length === 1 ? '' : 's'}, ${unmodelled.length} unmodelled`);
    for (const c of p.calls) {
      const what = c.kind === 'model' ? `model (${c.family})${c.doc ? `: ${c.doc}` : ''}` : c.kind === 'function' ? 'function of the file (interpreted)' : c.kind === 'indirect' ? 'indirect call (through a pointer)' : 'UNMODELLED (result unknown: a branch on it is a guess)';
      lines.push(`  ${String(c.line).padStart(5)}  ${(c.name || '(*fn)()').padEnd(32)} ${what}   [in ${c.function}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function runModelsCommand(args: ParsedArgs, wasmDir: string, out: (s: string) => void): Promise<number> {
  const format = outputFormat(args);
  if (format !== 'json' && format !== 'text') throw new UsageError('models takes --json or the text format');
  if (args.positional.length !== 1) throw new UsageError('models takes exactly one FILE');
  const file = args.positional[0];
  const text = readInput(file, 'C file');
  await initEngine(wasmDir);
  const r = bindingsOfSource(text, file);
  out(format === 'json' ? `${JSON.stringify(r)}\n` : formatBindings(r));
  return 0;
}
