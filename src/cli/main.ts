// `kpr`: the engine in a terminal or CI. Exit 0: no error-level finding; 1: findings; 2: usage
// or unreadable input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, initEngine, type AnalyzeOptions, type CallerId, type PageStateId, type ScenarioResult } from '../engine';
import { CALLERS } from '../engine/scenarios/callers';
import { PAGE_STATES } from '../engine/scenarios/pages';
import { formatCallbacks, formatScenarios } from './format';
import { toSarif } from './sarif';
import { runPatchCommand } from './patchCommands';
import { cliConfig, runConfigCommand } from './configCommand';
import { runLspCommand } from './lspCommand';

const USAGE = `usage:
  kpr scenarios FILE.c [--aops NAME] [--caller ID] [--page ID] [--nobh] [--json | --sarif]
                       [--steps N] [--paths N] [--depth N] [--time-ms N]
  kpr callbacks FILE.c [--json]
  kpr patch FILE.patch (--base FILE.c | --post FILE.c) [--json]
  kpr diff PRE.c POST.c [--json]
  kpr config --print [FILE.c] [--config PATH] [--json]
  kpr lsp [--stdio]              the language server, over stdio
options of scenarios/callbacks/config: --config PATH (else .kpr.json found upward from FILE)
callers: ${CALLERS.map((c) => c.id).join(', ')}
pages:   ${PAGE_STATES.map((p) => p.id).join(', ')}`;

export class UsageError extends Error {}

export interface ParsedArgs {
  command: string;
  positional: string[];
  flags: Map<string, string[]>;
}

const VALUE_FLAGS = new Set(['--aops', '--caller', '--page', '--steps', '--paths', '--depth', '--time-ms', '--base', '--post', '--config']);
const BOOL_FLAGS = new Set(['--json', '--sarif', '--nobh', '--help', '-h', '--print', '--stdio']);

export function parseArgs(argv: string[]): ParsedArgs {
  const [command = '', ...rest] = argv;
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith('-')) {
      const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (VALUE_FLAGS.has(name)) {
        const v = inline ?? rest[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        flags.set(name, [...(flags.get(name) ?? []), v]);
      } else if (BOOL_FLAGS.has(name)) {
        flags.set(name, ['1']);
      } else {
        throw new UsageError(`unknown option ${a}`);
      }
    } else {
      positional.push(a);
    }
  }
  return { command, positional, flags };
}

function intFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name)?.[0];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} needs a positive integer, got "${v}"`);
  return Number(v);
}

export function analyzeOptions(args: ParsedArgs): AnalyzeOptions {
  const callers = args.flags.get('--caller');
  for (const c of callers ?? []) if (!CALLERS.some((k) => k.id === c)) throw new UsageError(`unknown caller "${c}" (known: ${CALLERS.map((k) => k.id).join(', ')})`);
  const pages = args.flags.get('--page');
  for (const p of pages ?? []) if (!PAGE_STATES.some((k) => k.id === p)) throw new UsageError(`unknown page state "${p}" (known: ${PAGE_STATES.map((k) => k.id).join(', ')})`);
  return {
    aops: args.flags.get('--aops'),
    callers: callers as CallerId[] | undefined,
    pages: pages as PageStateId[] | undefined,
    mount: { nobh: args.flags.has('--nobh') },
    budgets: {
      ...(intFlag(args, '--steps') ? { stepsPerPath: intFlag(args, '--steps') } : {}),
      ...(intFlag(args, '--paths') ? { pathsPerRun: intFlag(args, '--paths') } : {}),
      ...(intFlag(args, '--depth') ? { callDepth: intFlag(args, '--depth') } : {}),
      ...(intFlag(args, '--time-ms') ? { timePerFileMs: intFlag(args, '--time-ms') } : {}),
    },
  };
}

export function readSource(file: string): string {
  let text: string;
  try {
    if (fs.statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory, not a C file`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${file}: cannot read (${err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message})`);
  }
  return text;
}

export function hasErrors(r: ScenarioResult): boolean {
  return r.runs.some((run) => run.findings.some((f) => f.severity === 'error'));
}

function wasmDir(): string {
  return __dirname;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.flags.has('--help') || args.flags.has('-h') || args.command === '' || args.command === 'help') {
      out(`${USAGE}\n`);
      return args.command === '' ? 2 : 0;
    }
    await initEngine(wasmDir());
    switch (args.command) {
      case 'scenarios':
      case 'callbacks': {
        if (args.positional.length !== 1) throw new UsageError(`${args.command} takes exactly one FILE`);
        const file = args.positional[0];
        const text = readSource(file);
        const config = cliConfig(args, file);
        for (const l of config.problemLines()) err(`${l}\n`);
        const result = config.finish(analyzeSource(text, file, config.options), text);
        if (args.flags.has("--json")) out(`${JSON.stringify(result)}\n`);
        else if (args.flags.has('--sarif')) out(`${JSON.stringify(toSarif([result]), null, 2)}\n`);
        else out(args.command === 'scenarios' ? formatScenarios(result) : formatCallbacks(result));
        if (args.command === 'callbacks') return 0;
        return hasErrors(result) ? 1 : 0;
      }
      case 'config':
        return runConfigCommand(args, out, err);
      case 'lsp':
        return await runLspCommand(args);
      case 'patch':
      case 'diff':
        return await runPatchCommand(args, out);
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`kpr: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    err(`kpr: internal error: ${(e as Error).message}\n`);
    return 2;
  }
}

export { path };
