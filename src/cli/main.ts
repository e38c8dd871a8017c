// `kpr`: the engine in a terminal or CI. Exit 0: clean (or not applicable); 1: findings (an
// introduced error-level finding for patch, diff and series); 2: usage error; 3: the tool failed
// (unreadable input, git failed, internal error).
import * as path from 'node:path';
import { analyzeSource, initEngine, type AnalyzeOptions, type CallerId, type PageStateId, type ScenarioResult } from '../engine';
import { CALLERS } from '../engine/scenarios/callers';
import { PAGE_STATES } from '../engine/scenarios/pages';
import { kprVersion } from './version';
import { type OutputFormat, outputFormat, type ParsedArgs, parseArgs, positiveInt, ToolError, UsageError } from './args';
import { b4Line, githubLine, scenarioLocated } from './ciFormats';
import { formatCallbacks, formatScenarios } from './format';
import { pipeWriter, readInput } from './io';
import { runDiff, runPatch } from './patchCommands';
import { scenariosSarif } from './sarif';
import { runSeries } from './series';
import { cliConfig, formatSuppressed, runConfigCommand } from './configCommand';
import { runLspCommand } from './lspCommand';
import { runModelsCommand } from './modelsCommand';
import { runCppCommand } from './cppCommand';
import { runConformanceCommand } from './conformanceCommand';
import { analyzeInTree, type TreeOptions } from '../engine/tree/analyzeInTree';
import { findTreeRoot, isKernelTree } from '../engine/tree/layout';
import { parseConfigArgs } from '../engine/tree/config';

export { parseArgs, ToolError, UsageError, type ParsedArgs };

const USAGE = `usage:
  kpr scenarios FILE.c [--aops NAME] [--caller ID] [--page ID] [--nobh] [--format F | --json | --sarif]
                       [--steps N] [--paths N] [--depth N] [--time-ms N]
                       [--tree DIR | --no-tree] [--kconfig KEY=y|m|n|VALUE]...
                       (a FILE inside a kernel tree is preprocessed with the tree's headers)
  kpr callbacks FILE.c [--json]
  kpr models FILE.c [--json]     what each call on the writepage paths is bound to (model, function, unmodelled)
  kpr cpp FILE.c [--tree DIR] [--kconfig KEY=y|m|n|VALUE]... [--expand-all] [--json]
                                 FILE preprocessed with its kernel tree's headers, line for line
  kpr conformance FILE.c... [--tree DIR] [--kconfig KEY=VALUE]... [--json]
                                 the tree's own primitives against the engine's models, per scenario
  kpr patch FILE.patch|- [--base FILE.c]... [--post FILE.c]... [--tree DIR] [--repo DIR] [--format F]
  kpr diff PRE.c POST.c [--format F]
  kpr series REV_RANGE --repo DIR [--path GLOB]... [--jobs N] [--shard I/N] [--format F]
  kpr series --merge SHARD.json... [--format F]
  kpr config --print [FILE.c] [--config PATH] [--json]
  kpr lsp [--stdio]              the language server, over stdio
  kpr --version
options of scenarios/callbacks/config: --config PATH (else .kpr.json found upward from FILE)
formats: text (default), json, sarif, b4, github
exit:    0 clean or not applicable, 1 findings, 2 usage error, 3 the tool failed
callers: ${CALLERS.map((c) => c.id).join(', ')}
pages:   ${PAGE_STATES.map((p) => p.id).join(', ')}`;

export function analyzeOptions(args: ParsedArgs): AnalyzeOptions {
  const callers = args.flags.get('--caller');
  for (const c of callers ?? []) if (!CALLERS.some((k) => k.id === c)) throw new UsageError(`unknown caller "${c}" (known: ${CALLERS.map((k) => k.id).join(', ')})`);
  const pages = args.flags.get('--page');
  for (const p of pages ?? []) if (!PAGE_STATES.some((k) => k.id === p)) throw new UsageError(`unknown page state "${p}" (known: ${PAGE_STATES.map((k) => k.id).join(', ')})`);
  const budget = (flag: string, key: string): Record<string, number> => {
    const v = positiveInt(args, flag);
    return v ? { [key]: v } : {};
  };
  return {
    aops: args.flags.get('--aops'),
    callers: callers as CallerId[] | undefined,
    pages: pages as PageStateId[] | undefined,
    mount: { nobh: args.flags.has('--nobh') },
    budgets: { ...budget('--steps', 'stepsPerPath'), ...budget('--paths', 'pathsPerRun'), ...budget('--depth', 'callDepth'), ...budget('--time-ms', 'timePerFileMs') },
  };
}

/**
 * The kernel tree a file is analysed in: --tree DIR, else the tree that holds the file, unless
 * --no-tree. --kconfig KEY=VALUE overrides its default configuration.
 */
function treeOf(args: ParsedArgs, file: string): TreeOptions | undefined {
  if (args.flags.has('--no-tree')) {
    if (args.flags.has('--tree')) throw new UsageError('--tree and --no-tree contradict each other');
    return undefined;
  }
  const given = args.flags.get('--tree')?.[0];
  const { overrides, problems } = parseConfigArgs(args.flags.get('--kconfig') ?? []);
  if (problems.length) throw new UsageError(problems.map((p) => p.message).join('; '));
  if (given) {
    if (!isKernelTree(path.resolve(given))) throw new UsageError(`--tree ${given}: not a kernel source tree (no Makefile with VERSION, include/linux/fs.h and fs/)`);
    return { root: path.resolve(given), config: overrides };
  }
  if (file === '-') return undefined;
  const root = findTreeRoot(file);
  if (!root && args.flags.has('--kconfig')) throw new UsageError('--kconfig needs a kernel tree: the file is not inside one; give it with --tree DIR');
  return root ? { root, config: overrides } : undefined;
}

/** @deprecated use readInput; kept for callers of the first CLI. */
export function readSource(file: string): string {
  return readInput(file, 'C file');
}

export function hasErrors(r: ScenarioResult): boolean {
  return r.runs.some((run) => run.findings.some((f) => f.severity === 'error'));
}

function wasmDir(): string {
  return __dirname;
}


/**
 * Only JSON prints the shown paths' traces (`pathDetails[].trace`): every other format reads
 * findings, whose traces are made either way, so its analysis makes no path trace (on demand).
 */
function tracesFor(format: OutputFormat, options: AnalyzeOptions): AnalyzeOptions {
  return format === 'json' ? options : { ...options, pathTraces: 'on-demand' };
}

export async function main(argv: string[], out: (s: string) => void = pipeWriter(process.stdout), err: (s: string) => void = pipeWriter(process.stderr)): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.flags.has('--version')) {
      out(`kpr ${kprVersion()}\n`);
      return 0;
    }
    if (args.flags.has('--help') || args.command === '' || args.command === 'help') {
      (args.command === '' && !args.flags.has('--help') ? err : out)(`${USAGE}\n`);
      return args.command === '' && !args.flags.has('--help') ? 2 : 0;
    }
    const io = { out, err };
    switch (args.command) {
      case 'scenarios':
      case 'callbacks': {
        const format = outputFormat(args);
        if (args.positional.length !== 1) throw new UsageError(`${args.command} takes exactly one FILE`);
        const file = args.positional[0];
        const text = readInput(file, 'C file');
        const config = cliConfig(args, file);
        for (const l of config.problemLines()) err(`${l}\n`);
        await initEngine(wasmDir());
        const tree = treeOf(args, file);
        const options = tracesFor(format, config.options);
        const result = config.finish(tree ? analyzeInTree(text, file, tree, options) : analyzeSource(text, file, options), text);
        if (tree && result.tree) err(`kpr: kernel-tree mode: ${result.tree.root} (${result.tree.version ?? 'unknown version'}), ${result.tree.headers} headers, ${result.tree.expandedLines} lines with the tree's macros expanded${Object.keys(tree.config ?? {}).length ? `, config ${Object.entries(tree.config ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}\n`);
        if (format === 'json') out(`${JSON.stringify(result)}\n`);
        else if (format === 'sarif') out(`${JSON.stringify(scenariosSarif([result]), null, 2)}\n`);
        else if (format === 'b4' || format === 'github') {
          const located = scenarioLocated(result);
          const lines = format === 'b4' ? located.map(b4Line).filter((l) => l !== null) : located.map(githubLine);
          if (lines.length) out(`${lines.join('\n')}\n`);
        } else out(args.command === 'scenarios' ? `${formatScenarios(result)}${formatSuppressed(result)}` : formatCallbacks(result));
        if (args.command === 'callbacks') return 0;
        return hasErrors(result) ? 1 : 0;
      }
      case 'config':
        return runConfigCommand(args, out, err);
      case 'lsp':
        return await runLspCommand(args);
      case 'cpp':
        return runCppCommand(args, out, err);
      case 'conformance':
        return await runConformanceCommand(args, wasmDir(), out);
      case 'models':
        return await runModelsCommand(args, wasmDir(), out);
      case 'patch':
        await initEngine(wasmDir());
        return await runPatch(args, tracesFor(outputFormat(args), analyzeOptions(args)), io);
      case 'diff':
        await initEngine(wasmDir());
        return await runDiff(args, tracesFor(outputFormat(args), analyzeOptions(args)), io);
      case 'series':
        // A series prints findings' changes and stories in every format, never a path's trace.
        return await runSeries(args, { ...analyzeOptions(args), pathTraces: 'on-demand' }, io, wasmDir());
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`kpr: ${e.message}\n(kpr --help for usage)\n`);
      return 2;
    }
    if (e instanceof ToolError) {
      err(`kpr: ${e.message}\n`);
      return 3;
    }
    err(`kpr: internal error: ${(e as Error).message}\n`);
    return 3;
  }
}

export { path };
