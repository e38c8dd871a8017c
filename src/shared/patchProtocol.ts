// The message protocol between the extension host and the patch view's webview (webview/patchView.ts):
// the view model the host computes (src/extension/patch/viewModel.ts), the messages in both
// directions, and hand-written validators that every receiver runs before it trusts a message.
// No `vscode`, no DOM and no engine runtime imports here (the webview bundle includes this file).
import type { CallerId, ChangeStatus, PageStateId, RuleId, Severity } from '../engine/api/types';
import { arrOf as arr, bool, fail, int, nullable, type Obj, obj, oneOf, only, str, type Validated, wrap } from './validate';

/** The patch view's webview panel viewType. */
export const PATCH_VIEW_TYPE = 'kpr.patchView';

/** Where the two sides came from. */
export type PatchSourceKind = 'patch' | 'files' | 'worktree' | 'commit';

/** How a matrix cell changed: by the findings fixed / introduced / left in it. */
export type CellStatus = 'fixed' | 'introduced' | 'mixed' | 'unchanged' | 'clean' | 'pre-only' | 'post-only';

export type VerdictTone = 'error' | 'warning' | 'info' | 'clean';

/** One side's verdict of one scenario run. */
export interface CellVerdict {
  /** The run's outcomes in words, worst first: "BUG", "data lost + written", "redirtied". */
  text: string;
  tone: VerdictTone;
  /** Rules of the run's findings (distinct). */
  rules: RuleId[];
  /** The run was cut by a budget: its findings are incomplete. */
  truncated: boolean;
}

export interface ViewCell {
  caller: CallerId;
  page: PageStateId;
  status: CellStatus;
  /** null: the run does not exist on that side (the table or scenario is new / gone). */
  pre: CellVerdict | null;
  post: CellVerdict | null;
  /** Rules of the findings fixed / introduced / unchanged in this run. */
  fixed: RuleId[];
  introduced: RuleId[];
  unchanged: RuleId[];
}

/** Before/after matrix of one writepage entry (an address_space_operations table). */
export interface ViewMatrix {
  aops: string;
  entry: string;
  /** The commit message names the entry. */
  mentioned: boolean;
  callers: CallerId[];
  pages: PageStateId[];
  /** rows[i][j]: callers[i] × pages[j]; null when that scenario ran on neither side. */
  rows: (ViewCell | null)[][];
}

export interface GroupScenario {
  aops: string;
  entry: string;
  caller: CallerId;
  page: PageStateId;
  severity: Severity;
  message: string;
}

/** The changes of one (status, rule, function, anchor): one responsible call, all its scenarios. */
export interface ViewGroup {
  status: ChangeStatus;
  rule: RuleId;
  /** The worst severity over the scenarios. */
  severity: Severity;
  function: string;
  anchor: string;
  /** The first scenario's message (scenarios whose message differs carry their own). */
  message: string;
  mentioned: boolean;
  preLine: number | null;
  postLine: number | null;
  patchLine: number | null;
  scenarios: GroupScenario[];
}

export interface StatusCounts {
  fixed: number;
  introduced: number;
  unchanged: number;
}

export interface ViewFile {
  /** The path as the patch (or the user) names it. */
  label: string;
  /** Where each side's text is: "inode.c (workspace)", "inode.c with the patch applied". */
  preName: string;
  postName: string;
  /** Facts about how the sides were found (base located by, side chosen because, hunks offset...). */
  notes: string[];
  /** Input problems of either side (syntax, budget cuts), in words. */
  inputProblems: string[];
  /** Counts of groups (responsible call × rule), per status. */
  counts: StatusCounts;
  matrices: ViewMatrix[];
  groups: ViewGroup[];
}

export interface MentionedFunction {
  name: string;
  /** Groups whose function or writepage entry is this function, per status. */
  counts: StatusCounts;
}

export interface ViewProblem {
  /** 1-based line in the patch file. */
  line: number;
  message: string;
}

export interface PatchView {
  kind: PatchSourceKind;
  /** The patch subject, or what stands for it ("Working-tree change of inode.c"). */
  title: string;
  author: string | null;
  /** Commit message body (after the subject), or null. */
  message: string | null;
  /** Name of the patch document whose lines `patchLine`s refer to, or null when there is none. */
  patchName: string | null;
  mentioned: MentionedFunction[];
  problems: ViewProblem[];
  skipped: { path: string; reason: string }[];
  totals: StatusCounts;
  files: ViewFile[];
}

// ---------------------------------------------------------------------------------------------
// messages

export type PatchHostMessage =
  | { type: 'view'; version: number; view: PatchView }
  | { type: 'status'; state: 'analyzing' | 'idle' | 'error' | 'stale'; message: string };

export type OpenTarget = 'pre' | 'post' | 'patch';

export type PatchWebviewMessage =
  | { type: 'ready' }
  /** Open a line: of file `file`'s pre- or post-image, or of the patch (file is then -1 or the file's index). */
  | { type: 'open'; target: OpenTarget; file: number; line: number }
  | { type: 'rerun' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

// ---------------------------------------------------------------------------------------------
// validation

export type { Validated } from './validate';
import { CALLER_IDS, PAGE_STATE_IDS, RULE_IDS } from '../engine/api/ids';

export const MAX_WEBVIEW_STRING = 2000;
export const MAX_POSITION = 10_000_000;

const CALLERS: readonly CallerId[] = CALLER_IDS;
const PAGES: readonly PageStateId[] = PAGE_STATE_IDS;
const RULES: readonly RuleId[] = RULE_IDS;
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const STATUSES: readonly ChangeStatus[] = ['fixed', 'introduced', 'unchanged'];
const CELL_STATUSES: readonly CellStatus[] = ['fixed', 'introduced', 'mixed', 'unchanged', 'clean', 'pre-only', 'post-only'];
const TONES: readonly VerdictTone[] = ['error', 'warning', 'info', 'clean'];
const KINDS: readonly PatchSourceKind[] = ['patch', 'files', 'worktree', 'commit'];

/** Exposed for the tests that keep these copies in step with engine/api/types.ts. */
export const PATCH_PROTOCOL_IDS = { CALLERS, PAGES, RULES, SEVERITIES };

const line = (v: unknown, p: string): number => int(v, p, 1, MAX_POSITION);
const count = (v: unknown, p: string): number => int(v, p, 0, Number.MAX_SAFE_INTEGER);
const text = (v: unknown, p: string): string => str(v, p);

function counts(v: unknown, p: string): StatusCounts {
  const o = obj(v, p);
  only(o, ['fixed', 'introduced', 'unchanged'], p);
  return { fixed: count(o.fixed, `${p}.fixed`), introduced: count(o.introduced, `${p}.introduced`), unchanged: count(o.unchanged, `${p}.unchanged`) };
}

function verdict(v: unknown, p: string): CellVerdict {
  const o = obj(v, p);
  only(o, ['text', 'tone', 'rules', 'truncated'], p);
  return { text: text(o.text, `${p}.text`), tone: oneOf(o.tone, TONES, `${p}.tone`), rules: arr(o.rules, `${p}.rules`, (x, q) => oneOf(x, RULES, q)), truncated: bool(o.truncated, `${p}.truncated`) };
}

function cell(v: unknown, p: string): ViewCell {
  const o = obj(v, p);
  only(o, ['caller', 'page', 'status', 'pre', 'post', 'fixed', 'introduced', 'unchanged'], p);
  const rules = (x: unknown, q: string) => arr(x, q, (r, rq) => oneOf(r, RULES, rq));
  return {
    caller: oneOf(o.caller, CALLERS, `${p}.caller`),
    page: oneOf(o.page, PAGES, `${p}.page`),
    status: oneOf(o.status, CELL_STATUSES, `${p}.status`),
    pre: nullable(o.pre, `${p}.pre`, verdict),
    post: nullable(o.post, `${p}.post`, verdict),
    fixed: rules(o.fixed, `${p}.fixed`),
    introduced: rules(o.introduced, `${p}.introduced`),
    unchanged: rules(o.unchanged, `${p}.unchanged`),
  };
}

function matrix(v: unknown, p: string): ViewMatrix {
  const o = obj(v, p);
  only(o, ['aops', 'entry', 'mentioned', 'callers', 'pages', 'rows'], p);
  const callers = arr(o.callers, `${p}.callers`, (x, q) => oneOf(x, CALLERS, q));
  const pages = arr(o.pages, `${p}.pages`, (x, q) => oneOf(x, PAGES, q));
  const rows = arr(o.rows, `${p}.rows`, (r, q) => arr(r, q, (c, cq) => nullable(c, cq, cell)));
  if (rows.length !== callers.length) fail(`${p}.rows`, `expected ${callers.length} rows`);
  rows.forEach((r, i) => {
    if (r.length !== pages.length) fail(`${p}.rows[${i}]`, `expected ${pages.length} cells`);
    r.forEach((c, j) => {
      if (c && (c.caller !== callers[i] || c.page !== pages[j])) fail(`${p}.rows[${i}][${j}]`, 'cell does not match its row and column');
    });
  });
  return { aops: text(o.aops, `${p}.aops`), entry: text(o.entry, `${p}.entry`), mentioned: bool(o.mentioned, `${p}.mentioned`), callers, pages, rows };
}

function scenario(v: unknown, p: string): GroupScenario {
  const o = obj(v, p);
  only(o, ['aops', 'entry', 'caller', 'page', 'severity', 'message'], p);
  return {
    aops: text(o.aops, `${p}.aops`),
    entry: text(o.entry, `${p}.entry`),
    caller: oneOf(o.caller, CALLERS, `${p}.caller`),
    page: oneOf(o.page, PAGES, `${p}.page`),
    severity: oneOf(o.severity, SEVERITIES, `${p}.severity`),
    message: text(o.message, `${p}.message`),
  };
}

function group(v: unknown, p: string): ViewGroup {
  const o = obj(v, p);
  only(o, ['status', 'rule', 'severity', 'function', 'anchor', 'message', 'mentioned', 'preLine', 'postLine', 'patchLine', 'scenarios'], p);
  return {
    status: oneOf(o.status, STATUSES, `${p}.status`),
    rule: oneOf(o.rule, RULES, `${p}.rule`),
    severity: oneOf(o.severity, SEVERITIES, `${p}.severity`),
    function: text(o.function, `${p}.function`),
    anchor: text(o.anchor, `${p}.anchor`),
    message: text(o.message, `${p}.message`),
    mentioned: bool(o.mentioned, `${p}.mentioned`),
    preLine: nullable(o.preLine, `${p}.preLine`, line),
    postLine: nullable(o.postLine, `${p}.postLine`, line),
    patchLine: nullable(o.patchLine, `${p}.patchLine`, line),
    scenarios: arr(o.scenarios, `${p}.scenarios`, scenario),
  };
}

function file(v: unknown, p: string): ViewFile {
  const o = obj(v, p);
  only(o, ['label', 'preName', 'postName', 'notes', 'inputProblems', 'counts', 'matrices', 'groups'], p);
  return {
    label: text(o.label, `${p}.label`),
    preName: text(o.preName, `${p}.preName`),
    postName: text(o.postName, `${p}.postName`),
    notes: arr(o.notes, `${p}.notes`, text),
    inputProblems: arr(o.inputProblems, `${p}.inputProblems`, text),
    counts: counts(o.counts, `${p}.counts`),
    matrices: arr(o.matrices, `${p}.matrices`, matrix),
    groups: arr(o.groups, `${p}.groups`, group),
  };
}

function patchView(v: unknown, p: string): PatchView {
  const o = obj(v, p);
  only(o, ['kind', 'title', 'author', 'message', 'patchName', 'mentioned', 'problems', 'skipped', 'totals', 'files'], p);
  return {
    kind: oneOf(o.kind, KINDS, `${p}.kind`),
    title: text(o.title, `${p}.title`),
    author: nullable(o.author, `${p}.author`, text),
    message: nullable(o.message, `${p}.message`, text),
    patchName: nullable(o.patchName, `${p}.patchName`, text),
    mentioned: arr(o.mentioned, `${p}.mentioned`, (x, q) => {
      const m = obj(x, q);
      only(m, ['name', 'counts'], q);
      return { name: text(m.name, `${q}.name`), counts: counts(m.counts, `${q}.counts`) };
    }),
    problems: arr(o.problems, `${p}.problems`, (x, q) => {
      const m = obj(x, q);
      only(m, ['line', 'message'], q);
      return { line: line(m.line, `${q}.line`), message: text(m.message, `${q}.message`) };
    }),
    skipped: arr(o.skipped, `${p}.skipped`, (x, q) => {
      const m = obj(x, q);
      only(m, ['path', 'reason'], q);
      return { path: text(m.path, `${q}.path`), reason: text(m.reason, `${q}.reason`) };
    }),
    totals: counts(o.totals, `${p}.totals`),
    files: arr(o.files, `${p}.files`, file),
  };
}

/** Validates a message the extension host posted to the patch view. */
export function validatePatchHostMessage(v: unknown): Validated<PatchHostMessage> {
  return wrap((): PatchHostMessage => {
    const o = obj(v, 'message');
    const type = oneOf(o.type, ['view', 'status'] as const, 'message.type');
    if (type === 'view') {
      only(o, ['type', 'version', 'view'], 'message');
      return { type, version: count(o.version, 'message.version'), view: patchView(o.view, 'message.view') };
    }
    only(o, ['type', 'state', 'message'], 'message');
    return { type, state: oneOf(o.state, ['analyzing', 'idle', 'error', 'stale'] as const, 'message.state'), message: text(o.message, 'message.message') };
  });
}

/** Validates a message the patch view's webview posted to the extension host. */
export function validatePatchWebviewMessage(v: unknown): Validated<PatchWebviewMessage> {
  return wrap((): PatchWebviewMessage => {
    const o = obj(v, 'message');
    const type = oneOf(o.type, ['ready', 'open', 'rerun', 'log'] as const, 'message.type');
    switch (type) {
      case 'ready':
      case 'rerun':
        only(o, ['type'], 'message');
        return { type };
      case 'open':
        only(o, ['type', 'target', 'file', 'line'], 'message');
        return { type, target: oneOf(o.target, ['pre', 'post', 'patch'] as const, 'message.target'), file: int(o.file, 'message.file', -1, 100_000), line: line(o.line, 'message.line') };
      case 'log':
        only(o, ['type', 'level', 'message'], 'message');
        return { type, level: oneOf(o.level, ['info', 'warn', 'error'] as const, 'message.level'), message: str(o.message, 'message.message', MAX_WEBVIEW_STRING) };
    }
  });
}
