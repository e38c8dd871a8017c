// `kpr` arguments through node:util parseArgs (strict): `--base --json` is an error, `--` ends the
// options, `-` is a positional (stdin). Each command accepts only its own options.
import { parseArgs as nodeParseArgs } from 'node:util';

/** Exit 2: the command line is wrong (unknown option, missing value, not a patch...). */
export class UsageError extends Error {}
/** Exit 3: the tool could not do its job (unreadable input, git failed, internal error). */
export class ToolError extends Error {}

export interface ParsedArgs {
  command: string;
  positional: string[];
  /** Keyed by the option as written (`--base`); every occurrence's value, '1' for booleans. */
  flags: Map<string, string[]>;
}

const STRING_OPTIONS = ['aops', 'caller', 'page', 'steps', 'paths', 'depth', 'time-ms', 'base', 'post', 'tree', 'repo', 'path', 'jobs', 'shard', 'format', 'config', 'kconfig'] as const;
const BOOLEAN_OPTIONS = ['json', 'sarif', 'nobh', 'help', 'version', 'merge', 'print', 'stdio', 'expand-all', 'no-tree'] as const;

const ANALYSIS = ['--aops', '--caller', '--page', '--nobh', '--steps', '--paths', '--depth', '--time-ms'];
const COMMON = ['--help', '--version'];
/** The options each command accepts (commands not listed accept any known option). */
export const COMMAND_OPTIONS: Record<string, string[]> = {
  scenarios: [...COMMON, ...ANALYSIS, '--json', '--sarif', '--format', '--config', '--tree', '--no-tree', '--kconfig'],
  callbacks: [...COMMON, ...ANALYSIS, '--json', '--config', '--tree', '--no-tree', '--kconfig'],
  config: [...COMMON, ...ANALYSIS, '--json', '--config', '--print'],
  lsp: [...COMMON, '--stdio'],
  cpp: [...COMMON, '--json', '--format', '--tree', '--kconfig', '--expand-all'],
  conformance: [...COMMON, '--json', '--format', '--tree', '--kconfig'],
  patch: [...COMMON, ...ANALYSIS, '--json', '--sarif', '--format', '--base', '--post', '--tree', '--repo'],
  diff: [...COMMON, ...ANALYSIS, '--json', '--sarif', '--format'],
  series: [...COMMON, ...ANALYSIS, '--json', '--sarif', '--format', '--repo', '--path', '--jobs', '--shard', '--merge'],
};

export function parseArgs(argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const o of STRING_OPTIONS) options[o] = { type: 'string', multiple: true };
  for (const o of BOOLEAN_OPTIONS) options[o] = { type: 'boolean' };
  options.help.short = 'h';
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(argError(e as Error & { code?: string }));
  }
  const [command = '', ...positional] = parsed.positionals;
  const flags = new Map<string, string[]>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === undefined || value === false) continue;
    flags.set(`--${name}`, Array.isArray(value) ? value.map(String) : [String(value === true ? '1' : value)]);
  }
  const allowed = COMMAND_OPTIONS[command];
  if (allowed) {
    for (const name of flags.keys()) if (!allowed.includes(name)) throw new UsageError(`${name} is not an option of kpr ${command}`);
  }
  return { command, positional, flags };
}

/** node's messages, shortened to one line. */
function argError(e: Error & { code?: string }): string {
  const first = e.message.split('\n')[0];
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const m = /'(-[^']+)'/.exec(first);
    if (m && /ambiguous/.test(first)) return `${m[1]} needs a value (an argument starting with "-" is taken as an option; write ${m[1]}=VALUE for a value that starts with "-")`;
    if (m) return `${m[1]} needs a value`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /'(-[^']+)'/.exec(first);
    if (m) return `unknown option ${m[1]} (use "--" before a file name that starts with "-")`;
  }
  return first;
}

/** The value of an option given once; several occurrences are a usage error. */
export function single(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (!v) return undefined;
  if (v.length > 1) throw new UsageError(`${name} is given ${v.length} times; give it once`);
  return v[0];
}

export function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const v = single(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} needs a positive integer, got "${v}"`);
  return Number(v);
}

export type OutputFormat = 'text' | 'json' | 'sarif' | 'b4' | 'github';
const FORMATS: OutputFormat[] = ['text', 'json', 'sarif', 'b4', 'github'];

/** `--format F`, with `--json` and `--sarif` as its short forms. */
export function outputFormat(args: ParsedArgs): OutputFormat {
  const given: OutputFormat[] = [];
  const f = single(args, '--format');
  if (f !== undefined) {
    if (!FORMATS.includes(f as OutputFormat)) throw new UsageError(`unknown --format "${f}" (known: ${FORMATS.join(', ')})`);
    given.push(f as OutputFormat);
  }
  if (args.flags.has('--json')) given.push('json');
  if (args.flags.has('--sarif')) given.push('sarif');
  if (new Set(given).size > 1) throw new UsageError(`choose one output format (got ${given.join(' and ')})`);
  return given[0] ?? 'text';
}
