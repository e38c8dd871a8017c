// The extension's settings as plain data: keys, defaults and what a change to each requires.
// No vscode import, so the unit tests can check package.json's contributes.configuration
// against it (rust-analyzer keeps its typed Config and the manifest in step the same way).
// Values come from the engine's public types module (re-exported by src/engine/index.ts)
// rather than the index itself: importing the index would bundle the parser into extension.js.
import { type AnalyzeOptions, type CallerId, DEFAULT_BUDGETS, type PageStateId, RULE_IDS, type RuleId } from '../engine/api/types';
import { CALLER_IDS, DEFAULT_CALLER_IDS, DEFAULT_PAGE_STATE_IDS, PAGE_STATE_IDS } from '../engine/api/ids';

export const SECTION = 'kpr';

export const ALL_CALLERS: readonly CallerId[] = CALLER_IDS;
export const ALL_PAGE_STATES: readonly PageStateId[] = PAGE_STATE_IDS;

/** What the user may set a rule's severity to; 'default' keeps the engine's severity. */
export type SeverityOverride = 'default' | 'error' | 'warning' | 'information' | 'hint' | 'off';
export const SEVERITY_OVERRIDES: readonly SeverityOverride[] = ['default', 'error', 'warning', 'information', 'hint', 'off'];

/** What has to happen when a setting changes. */
export type ChangeEffect = 'reanalyze' | 'rerender' | 'none';

export interface KprConfig {
  runOnType: boolean;
  debounceMs: number;
  callers: CallerId[];
  pageStates: PageStateId[];
  aops: string[];
  nobh: boolean;
  budgets: { stepsPerPath: number; pathsPerRun: number; callDepth: number; timePerFileMs: number };
  maxPathDetails: number;
  severity: Partial<Record<RuleId, SeverityOverride>>;
  codeLens: boolean;
}

/** Every setting (without the `kpr.` prefix), its default and the effect of changing it. */
export const SETTINGS = {
  'analysis.runOnType': { default: true, effect: 'none' },
  'analysis.debounceMs': { default: 600, effect: 'none' },
  'analysis.maxPathDetails': { default: 8, effect: 'reanalyze' },
  'scenarios.callers': { default: [...DEFAULT_CALLER_IDS], effect: 'reanalyze' },
  // The opt-in states (hole-dirty, stale-blocknr: a premise outside the file) run only when listed.
  'scenarios.pageStates': { default: [...DEFAULT_PAGE_STATE_IDS], effect: 'reanalyze' },
  'scenarios.aops': { default: [] as string[], effect: 'reanalyze' },
  'mount.nobh': { default: false, effect: 'reanalyze' },
  // Read by the analysis service (src/extension/analysisService.ts: treeOf).
  'kernelTree.enabled': { default: true, effect: 'reanalyze' },
  'kernelTree.config': { default: {} as Record<string, string>, effect: 'reanalyze' },
  'budgets.stepsPerPath': { default: DEFAULT_BUDGETS.stepsPerPath, effect: 'reanalyze' },
  'budgets.pathsPerRun': { default: DEFAULT_BUDGETS.pathsPerRun, effect: 'reanalyze' },
  'budgets.callDepth': { default: DEFAULT_BUDGETS.callDepth, effect: 'reanalyze' },
  'budgets.timePerFileMs': { default: DEFAULT_BUDGETS.timePerFileMs, effect: 'reanalyze' },
  'diagnostics.severity': { default: {} as Record<string, SeverityOverride>, effect: 'rerender' },
  'codeLens.enabled': { default: true, effect: 'rerender' },
  // Read by the simulation panel's annotations (src/extension/panel/annotations.ts), which watch it themselves.
  'annotations.always': { default: false, effect: 'none' },
  // Read once at activation by src/extension/walkthrough.ts.
  'walkthrough.openOnFirstStart': { default: true, effect: 'none' },
} as const satisfies Record<string, { default: unknown; effect: ChangeEffect }>;

export type SettingKey = keyof typeof SETTINGS;

/** Builds a typed config from a getter (vscode's WorkspaceConfiguration.get, or a map in tests). */
export function buildConfig(get: <T>(key: SettingKey, fallback: T) => T): KprConfig {
  const num = (key: SettingKey, fallback: number, min: number) => {
    const v = Number(get<number>(key, fallback));
    return Number.isFinite(v) && v >= min ? Math.floor(v) : fallback;
  };
  const list = <T extends string>(key: SettingKey, allowed: readonly T[], byDefault: readonly T[] = allowed): T[] => {
    const v = get<unknown>(key, [...byDefault]);
    if (!Array.isArray(v)) return [...byDefault];
    return allowed.filter((a) => v.includes(a));
  };
  const sev = get<Record<string, unknown>>('diagnostics.severity', {});
  const severity: Partial<Record<RuleId, SeverityOverride>> = {};
  for (const rule of RULE_IDS) {
    const s = sev?.[rule];
    if (typeof s === 'string' && (SEVERITY_OVERRIDES as readonly string[]).includes(s)) severity[rule] = s as SeverityOverride;
  }
  const aops = get<unknown>('scenarios.aops', []);
  return {
    runOnType: get<boolean>('analysis.runOnType', true) !== false,
    debounceMs: num('analysis.debounceMs', SETTINGS['analysis.debounceMs'].default, 0),
    maxPathDetails: num('analysis.maxPathDetails', SETTINGS['analysis.maxPathDetails'].default, 0),
    callers: list('scenarios.callers', ALL_CALLERS, [...DEFAULT_CALLER_IDS]),
    pageStates: list('scenarios.pageStates', ALL_PAGE_STATES, [...DEFAULT_PAGE_STATE_IDS]),
    aops: Array.isArray(aops) ? aops.filter((a): a is string => typeof a === 'string' && a.length > 0) : [],
    nobh: get<boolean>('mount.nobh', false) === true,
    budgets: {
      stepsPerPath: num('budgets.stepsPerPath', DEFAULT_BUDGETS.stepsPerPath, 1),
      pathsPerRun: num('budgets.pathsPerRun', DEFAULT_BUDGETS.pathsPerRun, 1),
      callDepth: num('budgets.callDepth', DEFAULT_BUDGETS.callDepth, 1),
      timePerFileMs: num('budgets.timePerFileMs', DEFAULT_BUDGETS.timePerFileMs, 100),
    },
    severity,
    codeLens: get<boolean>('codeLens.enabled', true) !== false,
  };
}

/** The engine options a config asks for. An empty list of callers or pages runs nothing. */
export function analyzeOptions(c: KprConfig): AnalyzeOptions {
  return {
    budgets: { ...c.budgets },
    callers: [...c.callers],
    pages: [...c.pageStates],
    ...(c.aops.length ? { aops: [...c.aops] } : {}),
    mount: { nobh: c.nobh },
    maxPathDetails: c.maxPathDetails,
  };
}

/** The strongest effect among the settings a change touches. */
export function effectOf(affects: (fullKey: string) => boolean): ChangeEffect {
  let effect: ChangeEffect = 'none';
  for (const [key, s] of Object.entries(SETTINGS)) {
    if (!affects(`${SECTION}.${key}`)) continue;
    if (s.effect === 'reanalyze') return 'reanalyze';
    if (s.effect === 'rerender') effect = 'rerender';
  }
  return effect;
}
