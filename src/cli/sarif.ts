// SARIF 2.1.0 for every command: one result per (location, rule) over the scenarios that reach it,
// its trace as a code flow; for patch, diff and series a baselineState (new / unchanged / absent).
// Validated against the official schema in test/unit/sarif.test.ts.
import { type Finding, type FindingChange, type FindingStory, RULE_IDS, type RunResult, type ScenarioResult } from '../engine';
import { kprVersion } from './version';
import { groupFindings, scenarioName } from './format';
import { PROJECT_URI, RULE_DOCS, ruleHelpUri } from './ruleDocs';
import { sarifSuppressions, suppressedView } from './sarifSuppressions';

/** GitHub code scanning shows at most 1,000 locations of a thread flow; keep the traces well under. */
const MAX_FLOW_STEPS = 200;

type Json = Record<string, unknown>;

export function sarifUri(file: string): string {
  return encodeURI(file.replace(/\\/g, '/'));
}

function level(sev: string): 'error' | 'warning' | 'note' {
  return sev === 'error' ? 'error' : sev === 'warning' ? 'warning' : 'note';
}

function rules(): Json[] {
  return RULE_IDS.map((id) => ({
    id,
    name: RULE_DOCS[id].name,
    shortDescription: { text: RULE_DOCS[id].short },
    fullDescription: { text: RULE_DOCS[id].full },
    help: { text: `${RULE_DOCS[id].full} See ${ruleHelpUri(id)}`, markdown: `${RULE_DOCS[id].full}\n\n[docs/rules.md#${id}](${ruleHelpUri(id)})` },
    helpUri: ruleHelpUri(id),
    defaultConfiguration: { level: id === 'alloc-under-page-lock' ? 'warning' : 'error' },
  }));
}

function log(results: Json[], properties: Json = {}): Json {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kpr', fullName: 'Kernel Patch Reasoner', version: kprVersion(), semanticVersion: kprVersion(), informationUri: PROJECT_URI, rules: rules() } },
        columnKind: 'unicodeCodePoints',
        results,
        ...(Object.keys(properties).length ? { properties } : {}),
      },
    ],
  };
}

function region(line: number, column?: number, endLine?: number, endColumn?: number): Json {
  const r: Json = { startLine: Math.max(1, line) };
  if (column && column > 0) r.startColumn = column;
  if (endLine && endLine >= line) r.endLine = endLine;
  if (endColumn && endColumn > 0 && (endLine ?? line) >= line) r.endColumn = endColumn;
  return r;
}

function codeFlows(file: string, f: Finding): Json[] {
  const steps = f.trace.filter((s) => s.line > 0).slice(0, MAX_FLOW_STEPS);
  if (steps.length === 0) return [];
  return [
    {
      threadFlows: [
        {
          locations: steps.map((s) => ({
            location: { physicalLocation: { artifactLocation: { uri: sarifUri(file) }, region: region(s.line, s.column) }, message: { text: `${s.function}: ${s.event}` } },
            nestingLevel: Math.max(0, s.depth),
          })),
        },
      ],
    },
  ];
}

function identity(rule: string, fn: string, anchor: string): Json {
  return { 'kprIdentity/v1': `${rule}|${fn}|${anchor}` };
}

/** `kpr scenarios`: every finding; suppressed ones stay, with their `suppressions`. */
export function scenariosSarif(results: ScenarioResult[]): Json {
  return log(
    results.flatMap((r) =>
      [...groupFindings(r), ...groupFindings(suppressedView(r))].map(({ f, runs }) => ({
        ...sarifSuppressions(f),
        ruleId: f.rule,
        level: level(f.severity),
        message: { text: `${f.message} (in ${f.function}; scenarios: ${runs.map(scenarioName).join(', ')})` },
        locations: [{ physicalLocation: { artifactLocation: { uri: sarifUri(r.file) }, region: region(f.line, f.column, f.endLine, f.endColumn) } }],
        partialFingerprints: identity(f.rule, f.function, f.anchor),
        codeFlows: codeFlows(r.file, f),
      })),
    ),
  );
}

/** @deprecated name kept for callers of the first CLI; same as scenariosSarif. */
export const toSarif = scenariosSarif;

export interface ChangedFile {
  /** Path shown for the post-image (and for the pre-image of absent results). */
  path: string;
  pre: ScenarioResult | null;
  post: ScenarioResult | null;
  changes: FindingChange[];
}

function findingOf(r: ScenarioResult | null, c: FindingChange, side: 'pre' | 'post'): Finding | undefined {
  const line = side === 'pre' ? c.preLine : c.postLine;
  const fn = side === 'pre' ? (c.movedFrom ?? c.function) : c.function;
  const run: RunResult | undefined = r?.runs.find((x) => x.aops === c.aops && x.caller === c.caller && x.page === c.page);
  return run?.findings.find((f) => f.rule === c.rule && f.function === fn && f.anchor === c.anchor && f.line === line) ?? run?.findings.find((f) => f.rule === c.rule && f.function === fn && f.anchor === c.anchor);
}

const BASELINE = { introduced: 'new', unchanged: 'unchanged', fixed: 'absent' } as const;

/** `kpr patch` / `kpr diff`: one result per (status, rule, responsible call), with baselineState. */
export function changesSarif(files: ChangedFile[]): Json {
  const results: Json[] = [];
  for (const file of files) {
    const groups = new Map<string, FindingChange[]>();
    for (const c of file.changes) {
      const k = `${c.status}|${c.rule}|${c.function}|${c.anchor}|${c.status === 'fixed' ? c.preLine : c.postLine}`;
      groups.set(k, [...(groups.get(k) ?? []), c]);
    }
    for (const cs of groups.values()) {
      const c = cs[0];
      const side = c.status === 'fixed' ? 'pre' : 'post';
      const f = findingOf(side === 'pre' ? file.pre : file.post, c, side);
      const line = (side === 'pre' ? c.preLine : c.postLine) ?? 1;
      const scen = [...new Set(cs.map((x) => `${x.aops}/${x.caller}/${x.page}`))];
      const what = c.status === 'fixed' ? 'fixed by the change (line of the pre-image)' : c.status === 'introduced' ? 'introduced by the change' : c.movedFrom ? `unchanged (moved from ${c.movedFrom})` : c.anchorFrom ? `unchanged (its call renamed from ${c.anchorFrom.replace(/#\d+$/, '')})` : 'unchanged';
      results.push({
        ruleId: c.rule,
        level: c.status === 'fixed' ? 'note' : level(cs.some((x) => x.severity === 'error') ? 'error' : c.severity),
        kind: c.status === 'fixed' ? 'pass' : 'fail',
        baselineState: BASELINE[c.status],
        message: { text: `${c.message} (in ${c.function}; ${what}; scenarios: ${scen.join(', ')})` },
        locations: [{ physicalLocation: { artifactLocation: { uri: sarifUri(file.path) }, region: f ? region(f.line, f.column, f.endLine, f.endColumn) : region(line) } }],
        partialFingerprints: identity(c.rule, c.function, c.anchor),
        ...(f ? { codeFlows: codeFlows(file.path, f) } : {}),
        properties: { status: c.status, scenarios: scen, ...(c.movedFrom ? { movedFrom: c.movedFrom } : {}), ...(c.anchorFrom ? { anchorFrom: c.anchorFrom } : {}), ...(c.patchLine ? { patchLine: c.patchLine } : {}) },
      });
    }
  }
  return log(results);
}

/** `kpr series`: one result per finding story; new = introduced inside the range, absent = fixed in it. */
export function seriesSarif(stories: FindingStory[], range: string): Json {
  const results = stories.map((s) => {
    const state = !s.presentAtEnd ? 'absent' : s.presentBefore && !s.events.some((e) => e.kind === 'introduced') ? 'unchanged' : 'new';
    const told = s.events.map((e) => `${e.kind} by ${e.commit.slice(0, 12)} ${e.subject}`).join('; ');
    return {
      ruleId: s.rule,
      level: state === 'absent' ? 'note' : level(s.severity),
      kind: state === 'absent' ? 'pass' : 'fail',
      baselineState: state,
      message: { text: `${s.message} (in ${s.function}; ${s.presentBefore ? 'present before the range' : 'not present before the range'}${told ? `; ${told}` : ''})` },
      locations: [{ physicalLocation: { artifactLocation: { uri: sarifUri(s.path) }, region: region(s.line ?? 1) } }],
      partialFingerprints: identity(s.rule, s.function, s.anchor),
      properties: { introducedBy: s.introducedBy, fixedBy: s.fixedBy, presentBefore: s.presentBefore, presentAtEnd: s.presentAtEnd },
    };
  });
  return log(results, { range });
}
