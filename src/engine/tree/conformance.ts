// Model conformance: every scenario of a file run twice in its kernel tree, with the tree's own
// primitives (fs/buffer.c of the tree's era) and with the engine's models of them, and where the
// two disagree (outcomes, findings). It is how the models are kept true era by era: a model
// written for 2.6.27 that disagrees with 2.6.31's block_write_full_page_endio shows here.

import type { AnalyzeOptions, ScenarioResult } from '../api/types';
import { analyzeInTree, type TreeOptions } from './analyzeInTree';

export interface ScenarioComparison {
  scenario: string;
  agree: boolean;
  /** Outcome counts and findings, with the tree's primitives and with the models. */
  tree: string;
  models: string;
}

export interface ConformanceReport {
  file: string;
  version: string | null;
  /** The tree functions the first run used. */
  primitives: string[];
  scenarios: ScenarioComparison[];
  agreements: number;
  disagreements: number;
}

function describe(r: ScenarioResult, scenario: string): string {
  const run = r.runs.find((x) => `${x.aops}/${x.caller}/${x.page}` === scenario);
  if (!run) return 'not run';
  const outcomes = Object.entries(run.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
  const findings = [...new Set(run.findings.map((f) => `${f.severity} ${f.rule}@${f.line}`))].sort().join(', ');
  return `${outcomes || 'no path'}${findings ? `; ${findings}` : ''}${run.truncated ? '; cut by a budget' : ''}`;
}

export function conformance(text: string, file: string, tree: TreeOptions, options: AnalyzeOptions = {}): ConformanceReport {
  const withTree = analyzeInTree(text, file, { ...tree, primitives: true }, options);
  const withModels = analyzeInTree(text, file, { ...tree, primitives: false }, options);
  const ids = [...new Set([...withTree.runs, ...withModels.runs].map((x) => `${x.aops}/${x.caller}/${x.page}`))];
  const scenarios = ids.map((scenario) => {
    const t = describe(withTree, scenario);
    const m = describe(withModels, scenario);
    return { scenario, agree: t === m, tree: t, models: m };
  });
  return {
    file,
    version: withTree.tree?.version ?? null,
    primitives: (withTree.tree?.primitives ?? []).map((p) => `${p.file}:${p.line} ${p.name}`),
    scenarios,
    agreements: scenarios.filter((x) => x.agree).length,
    disagreements: scenarios.filter((x) => !x.agree).length,
  };
}
