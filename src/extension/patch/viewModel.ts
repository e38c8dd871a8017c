// The patch view's model, computed on the extension host from the worker's results: changes
// grouped by (status, rule, function, anchor), a before/after matrix per writepage entry, the
// functions the commit message names with their counts. Pure: no vscode import, no engine runtime.
import type { CallerId, DiffResult, FindingChange, OutcomeKind, PageStateId, RunResult, ScenarioResult, Severity } from '../../engine/api/types';
import type {
  CellStatus,
  CellVerdict,
  GroupScenario,
  MentionedFunction,
  PatchSourceKind,
  PatchView,
  StatusCounts,
  ViewCell,
  ViewFile,
  ViewGroup,
  ViewMatrix,
  ViewProblem,
} from '../../shared/patchProtocol';
import { CALLER_IDS, PAGE_STATE_IDS } from '../../engine/api/ids';

export const CALLER_ORDER: readonly CallerId[] = CALLER_IDS;
export const PAGE_ORDER: readonly PageStateId[] = PAGE_STATE_IDS;

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const STATUS_RANK = { introduced: 0, fixed: 1, unchanged: 2 } as const;

/** Outcomes worst first, in the words the view shows. */
const OUTCOME_WORDS: [OutcomeKind, string][] = [
  ['bug', 'BUG'],
  ['data-lost', 'data lost'],
  ['returned-locked', 'returned locked'],
  ['error', 'error return'],
  ['truncated', 'cut by budget'],
  ['redirtied', 'redirtied'],
  ['dropped-beyond-eof', 'dropped beyond EOF'],
  ['written', 'written'],
];

// ---------------------------------------------------------------------------------------------
// grouping

function groupKey(c: FindingChange): string {
  return `${c.status}|${c.rule}|${c.function}|${c.anchor}`;
}

/**
 * One group per (status, rule, function, anchor): one responsible call and rule, with every
 * scenario (aops × caller × page) it holds for. Order: groups the commit message names first,
 * then introduced, fixed, unchanged; worst severity first; then by function and line.
 */
export function groupChanges(changes: readonly FindingChange[]): ViewGroup[] {
  const groups = new Map<string, ViewGroup>();
  for (const c of changes) {
    const key = groupKey(c);
    const s: GroupScenario = { aops: c.aops, entry: c.entry, caller: c.caller, page: c.page, severity: c.severity, message: c.message };
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        status: c.status,
        rule: c.rule,
        severity: c.severity,
        function: c.function,
        anchor: c.anchor,
        message: c.message,
        mentioned: !!c.mentioned,
        preLine: c.preLine,
        postLine: c.postLine,
        patchLine: c.patchLine ?? null,
        scenarios: [s],
      });
      continue;
    }
    g.scenarios.push(s);
    if (SEVERITY_RANK[c.severity] < SEVERITY_RANK[g.severity]) g.severity = c.severity;
    g.mentioned ||= !!c.mentioned;
    g.preLine ??= c.preLine;
    g.postLine ??= c.postLine;
    g.patchLine ??= c.patchLine ?? null;
  }
  const line = (g: ViewGroup) => (g.status === 'fixed' ? g.preLine : g.postLine) ?? Number.MAX_SAFE_INTEGER;
  return [...groups.values()].sort(
    (a, b) =>
      Number(b.mentioned) - Number(a.mentioned) ||
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.function.localeCompare(b.function) ||
      line(a) - line(b) ||
      a.rule.localeCompare(b.rule),
  );
}

export function countStatuses(groups: readonly { status: FindingChange['status'] }[]): StatusCounts {
  const out: StatusCounts = { fixed: 0, introduced: 0, unchanged: 0 };
  for (const g of groups) out[g.status]++;
  return out;
}

// ---------------------------------------------------------------------------------------------
// matrix

function runKey(aops: string, caller: string, page: string): string {
  return `${aops}|${caller}|${page}`;
}

export function verdictOf(run: RunResult): CellVerdict {
  const words = OUTCOME_WORDS.filter(([k]) => (run.outcomes[k] ?? 0) > 0).map(([, w]) => w);
  const worst = run.findings.reduce<Severity | null>((w, f) => (w === null || SEVERITY_RANK[f.severity] < SEVERITY_RANK[w] ? f.severity : w), null);
  return {
    text: words.length ? words.join(' + ') : run.paths === 0 ? 'no path' : 'no outcome',
    tone: worst ?? 'clean',
    rules: [...new Set(run.findings.map((f) => f.rule))],
    truncated: run.truncated,
  };
}

function cellStatus(pre: RunResult | undefined, post: RunResult | undefined, fixed: number, introduced: number, unchanged: number): CellStatus {
  if (pre && !post) return 'pre-only';
  if (!pre && post) return 'post-only';
  if (fixed && introduced) return 'mixed';
  if (fixed) return 'fixed';
  if (introduced) return 'introduced';
  if (unchanged) return 'unchanged';
  return 'clean';
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/**
 * A matrix per writepage entry (aops table) present on either side; entries the commit message
 * names first, in the message's order.
 */
export function buildMatrices(diff: DiffResult, mentionedInOrder: readonly string[]): ViewMatrix[] {
  const mentioned = new Set(mentionedInOrder);
  const preRuns = new Map(diff.pre.runs.map((r) => [runKey(r.aops, r.caller, r.page), r]));
  const postRuns = new Map(diff.post.runs.map((r) => [runKey(r.aops, r.caller, r.page), r]));
  const changesByRun = new Map<string, FindingChange[]>();
  for (const c of diff.changes) {
    const k = runKey(c.aops, c.caller, c.page);
    changesByRun.set(k, [...(changesByRun.get(k) ?? []), c]);
  }
  // Tables in the post-image's order, then tables only the pre-image has.
  const entries = new Map<string, string>();
  for (const e of [...diff.post.entries, ...diff.pre.entries]) if (!entries.has(e.aops)) entries.set(e.aops, e.writepage);
  for (const r of [...diff.post.runs, ...diff.pre.runs]) if (!entries.has(r.aops)) entries.set(r.aops, r.entry);
  const out: ViewMatrix[] = [];
  for (const [aops, entry] of entries) {
    const runs = [...diff.pre.runs, ...diff.post.runs].filter((r) => r.aops === aops);
    const callers = CALLER_ORDER.filter((c) => runs.some((r) => r.caller === c));
    const pages = PAGE_ORDER.filter((p) => runs.some((r) => r.page === p));
    const rows = callers.map((caller) =>
      pages.map((page): ViewCell | null => {
        const k = runKey(aops, caller, page);
        const pre = preRuns.get(k);
        const post = postRuns.get(k);
        if (!pre && !post) return null;
        const cs = changesByRun.get(k) ?? [];
        const rules = (s: FindingChange['status']) => uniq(cs.filter((c) => c.status === s).map((c) => c.rule));
        const fixed = rules('fixed');
        const introduced = rules('introduced');
        const unchanged = rules('unchanged');
        return {
          caller,
          page,
          status: cellStatus(pre, post, fixed.length, introduced.length, unchanged.length),
          pre: pre ? verdictOf(pre) : null,
          post: post ? verdictOf(post) : null,
          fixed,
          introduced,
          unchanged,
        };
      }),
    );
    out.push({ aops, entry, mentioned: mentioned.has(entry), callers, pages, rows });
  }
  // Stable: entries the commit message names first, in its order.
  const rank = (m: ViewMatrix) => (m.mentioned ? mentionedInOrder.indexOf(m.entry) : mentionedInOrder.length);
  return out.map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
}

// ---------------------------------------------------------------------------------------------
// the whole view

/** What one side's analysis said about its own input: syntax problems, budget cuts. */
export function inputProblems(side: 'pre-image' | 'post-image', r: ScenarioResult): string[] {
  const out: string[] = [];
  for (const d of r.diagnostics) if (d.severity !== 'info') out.push(`${side} line ${d.line}: ${d.kind}: ${d.message}`);
  const cut = r.runs.filter((x) => x.truncated);
  if (cut.length) out.push(`${side}: ${cut.length} scenario run(s) cut by a budget (${uniq(cut.flatMap((x) => x.truncation)).join('; ') || 'no reason given'}); their findings are incomplete`);
  const faults = r.faultEntries ?? [];
  if (r.entries.length === 0) out.push(`${side}: no address_space_operations table with a .writepage was found${faults.length ? `; the write fault runs ${faults.map((f) => `${f.vmOps}.page_mkwrite ${f.pageMkwrite}`).join(', ')}` : ''}`);
  return out;
}

export interface ViewFileInput {
  label: string;
  preName: string;
  postName: string;
  notes: string[];
  diff: DiffResult;
}

export interface ViewInput {
  kind: PatchSourceKind;
  title: string;
  author: string | null;
  message: string | null;
  patchName: string | null;
  mentionedFunctions: string[];
  problems: ViewProblem[];
  skipped: { path: string; reason: string }[];
  files: ViewFileInput[];
}

export function buildPatchView(input: ViewInput): PatchView {
  const files: ViewFile[] = input.files.map((f) => {
    const groups = groupChanges(f.diff.changes);
    return {
      label: f.label,
      preName: f.preName,
      postName: f.postName,
      notes: f.notes,
      inputProblems: [...inputProblems('pre-image', f.diff.pre), ...inputProblems('post-image', f.diff.post)],
      counts: countStatuses(groups),
      matrices: buildMatrices(f.diff, input.mentionedFunctions),
      groups,
    };
  });
  const all = files.flatMap((f) => f.groups);
  const mentioned: MentionedFunction[] = input.mentionedFunctions.map((name) => ({
    name,
    counts: countStatuses(all.filter((g) => g.function === name || g.scenarios.some((s) => s.entry === name))),
  }));
  return {
    kind: input.kind,
    title: input.title,
    author: input.author,
    message: input.message,
    patchName: input.patchName,
    mentioned,
    problems: [...input.problems].sort((a, b) => a.line - b.line),
    skipped: input.skipped,
    totals: countStatuses(all),
    files,
  };
}
