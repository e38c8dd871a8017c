// `kpr patch` and `kpr diff`: both sides of a change analysed and their verdicts compared.
import type { ParsedArgs } from './main';
import { UsageError } from './main';

export async function runPatchCommand(args: ParsedArgs, _out: (s: string) => void): Promise<number> {
  throw new UsageError(`${args.command}: not available yet`);
}
