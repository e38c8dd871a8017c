// `kpr config --print [FILE.c] [--config PATH] [flags]`, and the configuration every analysing
// command uses: defaults < `.kpr.json` (--config, else the nearest one upward from the analysed
// file, else from the working directory) < command-line flags.
import * as path from 'node:path';
import type { AnalyzeOptions, ScenarioResult } from '../engine';
import { applySuppressions } from '../engine/suppress';
import { addSummaries } from '../engine/api/summary';
import { applySeverityOverrides } from '../engine/suppress/severity';
import { type ConfigValues, configAnalyzeOptions, configSeverities, type EffectiveConfig, formatEffectiveConfig, resolveConfig } from '../shared/kprConfig';
import { findConfigUpward, type LoadedConfigFile, loadConfigFile } from '../shared/kprConfigFile';
import { analyzeOptions, type ParsedArgs, UsageError } from './main';

export interface CliConfig {
  effective: EffectiveConfig;
  file: LoadedConfigFile | null;
  /** Where the search for a config file started, when none was given. */
  searchedFrom: string;
  options: AnalyzeOptions;
  /** The post-pass: suppressions (comments and the file's), then severities. */
  finish(result: ScenarioResult, text: string): ScenarioResult;
  /** Problems with the config file, compiler-style, for stderr. */
  problemLines(): string[];
}

/** The values the command line sets explicitly (a layer over the file). */
function flagValues(args: ParsedArgs): { values: ConfigValues; used: string[] } {
  const o = analyzeOptions(args);
  const values: ConfigValues = {};
  const used: string[] = [];
  const set = (key: keyof ConfigValues, v: ConfigValues[keyof ConfigValues], flag: string) => {
    if (v === undefined) return;
    values[key] = v;
    used.push(flag);
  };
  set('scenarios.aops', o.aops, '--aops');
  set('scenarios.callers', o.callers, '--caller');
  set('scenarios.pageStates', o.pages, '--page');
  if (args.flags.has('--nobh')) set('mount.nobh', true, '--nobh');
  set('budgets.stepsPerPath', o.budgets?.stepsPerPath, '--steps');
  set('budgets.pathsPerRun', o.budgets?.pathsPerRun, '--paths');
  set('budgets.callDepth', o.budgets?.callDepth, '--depth');
  set('budgets.timePerFileMs', o.budgets?.timePerFileMs, '--time-ms');
  return { values, used };
}

export function cliConfig(args: ParsedArgs, analysedFile?: string): CliConfig {
  const given = args.flags.get('--config')?.[0];
  const searchedFrom = analysedFile ? path.dirname(path.resolve(analysedFile)) : process.cwd();
  const found = given ?? findConfigUpward(searchedFrom);
  const file = found ? loadConfigFile(found) : null;
  if (given && file?.problems.some((p) => p.path === '' && p.message.startsWith('cannot read'))) throw new UsageError(`--config ${given}: ${file.problems[0].message}`);
  const flags = flagValues(args);
  const layers = [...(file ? [{ origin: file.file, values: file.values }] : [])];
  const effective = resolveConfig(layers, file?.suppressions ?? [], file?.file ?? null);
  // Each flag is its own origin, so `config --print` says which flag set what.
  for (const [k, v] of Object.entries(flags.values) as [keyof ConfigValues, NonNullable<ConfigValues[keyof ConfigValues]>][]) {
    effective.values[k] = v;
    effective.origins[k] = 'command line';
  }
  const options = configAnalyzeOptions(effective);
  return {
    effective,
    file,
    searchedFrom,
    options,
    // addSummaries: the counts (`summary`) follow what the post-pass left.
    finish: (result, text) => addSummaries(applySeverityOverrides(applySuppressions(result, text, { config: effective.suppressions, configFile: file?.file ?? null }), configSeverities(effective))),
    problemLines: () => (file?.problems ?? []).map((p) => `${file?.file}: ${p.severity}: ${p.path ? `${p.path}: ` : ''}${p.message}`),
  };
}

export function runConfigCommand(args: ParsedArgs, out: (s: string) => void, err: (s: string) => void): number {
  if (!args.flags.has('--print')) throw new UsageError('config takes --print');
  if (args.positional.length > 1) throw new UsageError('config --print takes at most one FILE (the file whose configuration to show)');
  const c = cliConfig(args, args.positional[0]);
  for (const l of c.problemLines()) err(`${l}\n`);
  if (args.flags.has('--json')) {
    out(`${JSON.stringify({ configFile: c.file?.file ?? null, values: c.effective.values, origins: c.effective.origins, suppressions: c.effective.suppressions, problems: c.file?.problems ?? [] }, null, 2)}\n`);
    return 0;
  }
  const header = [c.file ? `config file: ${c.file.file}` : `config file: none (no .kpr.json in ${c.searchedFrom} or above)`];
  out(formatEffectiveConfig(c.effective, header));
  return 0;
}

/**
 * What the text output says about suppressed findings, so a reader knows something was hidden
 * and why. Not in the `file:line:col:` form: problem matchers must not take them for problems.
 */
export function formatSuppressed(result: ScenarioResult): string {
  const seen = new Map<string, { rule: string; fn: string; line: number; where: string; reason: string; runs: number }>();
  for (const run of result.runs) {
    for (const f of run.suppressed ?? []) {
      const key = `${f.rule}:${f.line}:${f.column}`;
      const s = f.suppression;
      const where = s.kind === 'inSource' ? `kpr-ignore at line ${s.line}` : `suppressions of ${s.file ?? 'the config file'}`;
      const have = seen.get(key);
      if (have) have.runs++;
      else seen.set(key, { rule: f.rule, fn: f.function, line: f.line, where, reason: s.reason, runs: 1 });
    }
  }
  if (seen.size === 0) return '';
  const lines = [...seen.values()].map((s) => `  ${s.rule} in ${s.fn} (line ${s.line}, ${s.runs} scenario${s.runs === 1 ? '' : 's'}): ${s.where}: ${s.reason || '(no reason given)'}`);
  return `suppressed: ${seen.size} finding${seen.size === 1 ? '' : 's'} (--json lists them under runs[].suppressed)\n${lines.join('\n')}\n`;
}
