// The one configuration (`.kpr.json`) as plain data: validation with located messages, layering
// (defaults < the file < editor settings or command-line flags) with the origin of every value,
// and the engine options it asks for. No vscode and no fs import: the CLI, the language server and
// the extension share it. The JSON schema the extension contributes is schemas/kpr.schema.json.
import { type AnalyzeOptions, type CallerId, DEFAULT_BUDGETS, type PageStateId, RULE_IDS, type RuleId } from '../engine/api/types';
import { DEFAULT_CALLER_IDS, DEFAULT_PAGE_STATE_IDS } from '../engine/api/ids';
import type { ConfigSuppression } from '../engine/suppress';

export const CONFIG_FILE_NAME = '.kpr.json';

export const CONFIG_CALLERS: readonly CallerId[] = ['da-writepages', 'jbd2-commit', 'kswapd', 'reclaim-in-write-begin', 'write-syscall', 'write-nofs', 'caller-handle', 'page-fault', 'background-writeback', 'sync-writeback', 'truncate-pagecache', 'kswapd-releasepage', 'reclaim-releasepage-in-write-begin', 'zap-pte-set-page-dirty'];
/** The default: every caller but the opt-in ones (OPT_IN_CALLER_IDS: zap-pte-set-page-dirty). */
export const DEFAULT_CALLERS: readonly CallerId[] = DEFAULT_CALLER_IDS;
export const CONFIG_PAGE_STATES: readonly PageStateId[] = ['mapped-dirty', 'delayed-dirty', 'hole-clean', 'no-buffers-allocated', 'straddles-eof', 'beyond-eof', 'hole-dirty', 'delayed-and-mapped', 'stale-blocknr', 'unwritten-dirty', 'extended-after-fault', 'write-past-eof'];
/** The default: the opt-in states (hole-dirty, stale-blocknr, unwritten-dirty: OPT_IN_PAGE_STATE_IDS) run only when listed. */
export const DEFAULT_PAGE_STATES: readonly PageStateId[] = DEFAULT_PAGE_STATE_IDS;
export type RuleSeverity = 'default' | 'error' | 'warning' | 'information' | 'hint' | 'off';
export const RULE_SEVERITIES: readonly RuleSeverity[] = ['default', 'error', 'warning', 'information', 'hint', 'off'];

/** The keys a value can be set for, as dotted paths (the same as the `kpr.*` settings without `kpr.`). */
export const CONFIG_KEYS = [
  'scenarios.callers',
  'scenarios.pageStates',
  'scenarios.aops',
  'mount.nobh',
  'budgets.stepsPerPath',
  'budgets.pathsPerRun',
  'budgets.callDepth',
  'budgets.timePerFileMs',
  'analysis.maxPathDetails',
  ...RULE_IDS.map((r) => `diagnostics.severity.${r}` as const),
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export type ConfigValue = string[] | boolean | number | string;
export type ConfigValues = Partial<Record<ConfigKey, ConfigValue>>;

export const CONFIG_DEFAULTS: Record<ConfigKey, ConfigValue> = {
  'scenarios.callers': [...DEFAULT_CALLERS],
  'scenarios.pageStates': [...DEFAULT_PAGE_STATES],
  'scenarios.aops': [],
  'mount.nobh': false,
  'budgets.stepsPerPath': DEFAULT_BUDGETS.stepsPerPath,
  'budgets.pathsPerRun': DEFAULT_BUDGETS.pathsPerRun,
  'budgets.callDepth': DEFAULT_BUDGETS.callDepth,
  'budgets.timePerFileMs': DEFAULT_BUDGETS.timePerFileMs,
  'analysis.maxPathDetails': 8,
  ...(Object.fromEntries(RULE_IDS.map((r) => [`diagnostics.severity.${r}`, 'default'])) as Record<`diagnostics.severity.${RuleId}`, RuleSeverity>),
};

const MINIMUM: Partial<Record<ConfigKey, number>> = { 'budgets.stepsPerPath': 1, 'budgets.pathsPerRun': 1, 'budgets.callDepth': 1, 'budgets.timePerFileMs': 100, 'analysis.maxPathDetails': 0 };

export interface ConfigProblem {
  /** Dotted path inside the file ("budgets.stepsPerPath", "suppressions[1].reason"). */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface ConfigFileContent {
  values: ConfigValues;
  suppressions: ConfigSuppression[];
  problems: ConfigProblem[];
}

/** Checks one value for a key; returns the problem, or null. */
export function checkValue(key: ConfigKey, v: unknown): string | null {
  const d = CONFIG_DEFAULTS[key];
  if (key.startsWith('diagnostics.severity.')) return typeof v === 'string' && (RULE_SEVERITIES as readonly string[]).includes(v) ? null : `expected one of ${RULE_SEVERITIES.join(', ')}`;
  if (typeof d === 'boolean') return typeof v === 'boolean' ? null : 'expected true or false';
  if (typeof d === 'number') return typeof v === 'number' && Number.isInteger(v) && v >= (MINIMUM[key] ?? 0) ? null : `expected an integer ≥ ${MINIMUM[key] ?? 0}`;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return 'expected a list of strings';
  const allowed = key === 'scenarios.callers' ? CONFIG_CALLERS : key === 'scenarios.pageStates' ? CONFIG_PAGE_STATES : null;
  const bad = allowed ? v.filter((x) => !(allowed as readonly string[]).includes(x)) : v.filter((x) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(x));
  return bad.length ? `unknown ${bad.map((b) => JSON.stringify(b)).join(', ')}${allowed ? ` (known: ${allowed.join(', ')})` : ''}` : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates a `.kpr.json` text. Bad parts are left out and named in `problems`; never throws. */
export function parseConfigText(text: string): ConfigFileContent {
  const out: ConfigFileContent = { values: {}, suppressions: [], problems: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    out.problems.push({ path: '', message: `not valid JSON: ${(e as Error).message}`, severity: 'error' });
    return out;
  }
  if (!isObject(doc)) {
    out.problems.push({ path: '', message: 'expected a JSON object', severity: 'error' });
    return out;
  }
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (p === '$schema' || p === 'suppressions') continue;
      if ((CONFIG_KEYS as readonly string[]).includes(p)) {
        const problem = checkValue(p as ConfigKey, v);
        if (problem) out.problems.push({ path: p, message: problem, severity: 'error' });
        else out.values[p as ConfigKey] = v as ConfigValue;
      } else if (isObject(v) && CONFIG_KEYS.some((key) => key.startsWith(`${p}.`))) walk(v, p);
      else out.problems.push({ path: p, message: CONFIG_KEYS.some((key) => key.startsWith(`${p}.`)) ? 'expected an object' : 'unknown setting (ignored)', severity: 'warning' });
    }
  };
  walk(doc, '');
  const sup = doc.suppressions;
  if (sup !== undefined && !Array.isArray(sup)) out.problems.push({ path: 'suppressions', message: 'expected a list', severity: 'error' });
  (Array.isArray(sup) ? sup : []).forEach((s, i) => {
    const p = `suppressions[${i}]`;
    if (!isObject(s)) return out.problems.push({ path: p, message: 'expected an object { rule, function, reason }', severity: 'error' });
    const extra = Object.keys(s).filter((k) => !['rule', 'function', 'anchor', 'file', 'reason'].includes(k));
    if (extra.length) out.problems.push({ path: p, message: `unknown field ${extra.join(', ')} (ignored)`, severity: 'warning' });
    if (typeof s.rule !== 'string' || !(RULE_IDS as readonly string[]).includes(s.rule)) return out.problems.push({ path: `${p}.rule`, message: `expected one of ${RULE_IDS.join(', ')}`, severity: 'error' });
    if (typeof s.function !== 'string' || !s.function) return out.problems.push({ path: `${p}.function`, message: 'expected the name of the function that contains the responsible call', severity: 'error' });
    for (const k of ['anchor', 'file', 'reason'] as const) {
      if (s[k] !== undefined && typeof s[k] !== 'string') return out.problems.push({ path: `${p}.${k}`, message: 'expected a string', severity: 'error' });
    }
    const reason = typeof s.reason === 'string' ? s.reason.trim() : '';
    if (!reason) out.problems.push({ path: `${p}.reason`, message: 'a suppression needs a reason (the finding is still suppressed)', severity: 'warning' });
    out.suppressions.push({ rule: s.rule as RuleId, function: s.function, ...(s.anchor ? { anchor: s.anchor as string } : {}), ...(s.file ? { file: s.file as string } : {}), reason });
  });
  return out;
}

export interface ConfigLayer {
  /** "default", a file path, "command line (--steps)", "setting kpr.budgets.stepsPerPath (workspace)"... */
  origin: string;
  values: ConfigValues;
}

export interface EffectiveConfig {
  values: Record<ConfigKey, ConfigValue>;
  origins: Record<ConfigKey, string>;
  suppressions: ConfigSuppression[];
  /** Where the suppressions came from (the config file), or null. */
  suppressionsOrigin: string | null;
}

/** Later layers override earlier ones, key by key; defaults first. */
export function resolveConfig(layers: ConfigLayer[], suppressions: ConfigSuppression[] = [], suppressionsOrigin: string | null = null): EffectiveConfig {
  const values = { ...CONFIG_DEFAULTS };
  const origins = Object.fromEntries(CONFIG_KEYS.map((k) => [k, 'default'])) as Record<ConfigKey, string>;
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer.values) as [ConfigKey, ConfigValue][]) {
      if (v === undefined) continue;
      values[k] = v;
      origins[k] = layer.origin;
    }
  }
  return { values, origins, suppressions, suppressionsOrigin };
}

/** The engine options an effective configuration asks for. */
export function configAnalyzeOptions(c: EffectiveConfig): AnalyzeOptions {
  const v = c.values;
  const aops = v['scenarios.aops'] as string[];
  return {
    callers: [...(v['scenarios.callers'] as CallerId[])],
    pages: [...(v['scenarios.pageStates'] as PageStateId[])],
    ...(aops.length ? { aops: [...aops] } : {}),
    mount: { nobh: v['mount.nobh'] === true },
    budgets: {
      stepsPerPath: v['budgets.stepsPerPath'] as number,
      pathsPerRun: v['budgets.pathsPerRun'] as number,
      callDepth: v['budgets.callDepth'] as number,
      timePerFileMs: v['budgets.timePerFileMs'] as number,
    },
    maxPathDetails: v['analysis.maxPathDetails'] as number,
  };
}

/** Severity per rule of an effective configuration. */
export function configSeverities(c: EffectiveConfig): Partial<Record<RuleId, RuleSeverity>> {
  const out: Partial<Record<RuleId, RuleSeverity>> = {};
  for (const r of RULE_IDS) {
    const s = c.values[`diagnostics.severity.${r}`] as RuleSeverity;
    if (s !== 'default') out[r] = s;
  }
  return out;
}

/** `kpr config --print`: one line per key with its value and origin. */
export function formatEffectiveConfig(c: EffectiveConfig, header: string[] = []): string {
  const lines = [...header];
  const w = Math.max(...CONFIG_KEYS.map((k) => k.length));
  for (const k of CONFIG_KEYS) lines.push(`${k.padEnd(w)}  ${JSON.stringify(c.values[k])}  (${c.origins[k]})`);
  lines.push(`suppressions: ${c.suppressions.length}${c.suppressionsOrigin && c.suppressions.length ? ` (${c.suppressionsOrigin})` : ''}`);
  for (const s of c.suppressions) lines.push(`  ${s.rule} in ${s.function}${s.anchor ? ` at ${s.anchor}` : ''}${s.file ? ` (files *${s.file})` : ''}: ${s.reason || '(no reason: warning)'}`);
  return `${lines.join('\n')}\n`;
}
