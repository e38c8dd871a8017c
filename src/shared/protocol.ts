// The one message protocol between the extension host and the simulation panel's webview:
// discriminated unions for both directions, the persisted panel state, and hand-written validators
// that every receiver runs before it trusts a message. No `vscode` and no DOM imports here.
import type { CallerId, OutcomeKind, PageStateId, RuleId, ScenarioResult, Severity } from '../engine/api/types';
import { arr, bool, fail, int, nullable, num, type Obj, obj, oneOf, only, str, type Validated, wrap } from './validate';

export type { Validated } from './validate';

/** The webview panel's viewType (also in package.json's `onWebviewPanel:` activation event). */
export const SIMULATION_VIEW_TYPE = 'kpr.simulation';
/** Bumped when PanelState changes shape; older persisted states are dropped, not guessed at. */
export const PANEL_STATE_VERSION = 1;

/** A matrix cell: one scenario run. */
export interface CellKey {
  aops: string;
  caller: CallerId;
  page: PageStateId;
}

export interface PanelSelection extends CellKey {
  /** `PathSummary.id` of the selected path, or null when the run kept no path details. */
  pathId: number | null;
  /** 0-based index into that path's trace. */
  step: number;
}

export type SeverityFilter = Severity | 'all';
export type RuleFilter = RuleId | 'all';

export interface PanelFilters {
  rule: RuleFilter;
  severity: SeverityFilter;
}

/** What the webview persists with setState() and what the serializer gets back after a reload. */
export interface PanelState {
  v: typeof PANEL_STATE_VERSION;
  /** The C file's URI, `vscode.Uri.toString()`. */
  uri: string;
  selection: PanelSelection | null;
  filters: PanelFilters;
}

// ---------------------------------------------------------------------------------------------
// extension host → webview

export type HostMessage =
  | {
      type: 'result';
      uri: string;
      /** Base name shown in the panel's header. */
      fileName: string;
      /** Increases with every result posted to this panel (a re-run after an edit is a higher one). */
      version: number;
      result: ScenarioResult;
    }
  | { type: 'status'; state: 'analyzing' | 'idle' | 'error' | 'closed'; message: string }
  /** Select a scenario (the command was run with one, e.g. from a CodeLens); pathId null = its default path. */
  | { type: 'select'; cell: CellKey; pathId: number | null; step?: number };

// ---------------------------------------------------------------------------------------------
// webview → extension host

export type WebviewMessage =
  /** The script is running; `state` is what getState() returned (null on a fresh panel). */
  | { type: 'ready'; state: PanelState | null }
  /** Selection or filters changed (the host keeps it for the serializer and for logs). */
  | { type: 'state'; state: PanelState }
  /** Show and highlight a line of the C file: the current trace step, or a finding clicked. */
  | { type: 'reveal'; reason: 'step' | 'finding'; line: number; column: number; note: string; file?: string }
  /** No step is current any more: remove the line highlight. */
  | { type: 'clearHighlight' }
  /** Ask for a fresh analysis of the file. */
  | { type: 'rerun' }
  /** A problem the webview wants in the extension's log (malformed message, script error). */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

// ---------------------------------------------------------------------------------------------
// Validation. Each validator returns the typed value or an error naming the first bad field.


/** Longest string a webview may send in a field (a note, a log line); anything longer is refused. */
export const MAX_WEBVIEW_STRING = 2000;
/** Largest line or column number accepted from the webview. */
export const MAX_POSITION = 10_000_000;

// The id lists come from the one id module (no imports of its own, so the webview bundle stays small).
export { CALLER_IDS, PAGE_STATE_IDS } from '../engine/api/ids';
import { CALLER_IDS, PAGE_STATE_IDS, RULE_IDS } from '../engine/api/ids';
export const OUTCOME_KINDS: readonly OutcomeKind[] = [
  'written',
  'redirtied',
  'dropped-beyond-eof',
  'bug',
  'data-lost',
  'returned-locked',
  'error',
  'truncated',
];
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
export const KNOWN_RULES: readonly RuleId[] = RULE_IDS;

function cellKey(v: unknown, path: string): CellKey {
  const o = obj(v, path);
  return {
    aops: str(o.aops, `${path}.aops`, 200),
    caller: oneOf(o.caller, CALLER_IDS, `${path}.caller`),
    page: oneOf(o.page, PAGE_STATE_IDS, `${path}.page`),
  };
}

function selection(v: unknown, path: string): PanelSelection {
  const o = obj(v, path);
  only(o, ['aops', 'caller', 'page', 'pathId', 'step'], path);
  return {
    ...cellKey(o, path),
    pathId: nullable(o.pathId, `${path}.pathId`, (x, p) => int(x, p, 0, MAX_POSITION)),
    step: int(o.step, `${path}.step`, 0, MAX_POSITION),
  };
}

function panelState(v: unknown, path: string): PanelState {
  const o = obj(v, path);
  only(o, ['v', 'uri', 'selection', 'filters'], path);
  if (o.v !== PANEL_STATE_VERSION) fail(`${path}.v`, `expected ${PANEL_STATE_VERSION}`);
  const f = obj(o.filters, `${path}.filters`);
  only(f, ['rule', 'severity'], `${path}.filters`);
  return {
    v: PANEL_STATE_VERSION,
    uri: str(o.uri, `${path}.uri`, MAX_WEBVIEW_STRING),
    selection: nullable(o.selection, `${path}.selection`, selection),
    filters: {
      rule: oneOf(f.rule, ['all', ...KNOWN_RULES] as const, `${path}.filters.rule`),
      severity: oneOf(f.severity, ['all', ...SEVERITIES] as const, `${path}.filters.severity`),
    },
  };
}

/** A persisted panel state (from getState() or the serializer), or an error. */
export function validatePanelState(v: unknown): Validated<PanelState> {
  return wrap(() => panelState(v, 'state'));
}

/** Validates a message the webview posted to the extension host. */
export function validateWebviewMessage(v: unknown): Validated<WebviewMessage> {
  return wrap((): WebviewMessage => {
    const o = obj(v, 'message');
    const type = oneOf(o.type, ['ready', 'state', 'reveal', 'clearHighlight', 'rerun', 'log'] as const, 'message.type');
    switch (type) {
      case 'ready':
        only(o, ['type', 'state'], 'message');
        return { type, state: nullable(o.state, 'message.state', panelState) };
      case 'state':
        only(o, ['type', 'state'], 'message');
        return { type, state: panelState(o.state, 'message.state') };
      case 'reveal':
        only(o, ['type', 'reason', 'line', 'column', 'note', 'file'], 'message');
        return {
          type,
          reason: oneOf(o.reason, ['step', 'finding'] as const, 'message.reason'),
          line: int(o.line, 'message.line', 1, MAX_POSITION),
          column: int(o.column, 'message.column', 1, MAX_POSITION),
          note: str(o.note, 'message.note', MAX_WEBVIEW_STRING),
          // A kernel tree's file, tree-relative: never absolute, never climbing out of the tree.
          ...(o.file === undefined ? {} : { file: treeRelative(o.file, 'message.file') }),
        };
      case 'clearHighlight':
      case 'rerun':
        only(o, ['type'], 'message');
        return { type };
      case 'log':
        only(o, ['type', 'level', 'message'], 'message');
        return {
          type,
          level: oneOf(o.level, ['info', 'warn', 'error'] as const, 'message.level'),
          message: str(o.message, 'message.message', MAX_WEBVIEW_STRING),
        };
    }
  });
}

// -- ScenarioResult, checked field by field for what the panel reads ---------------------------

function treeRelative(v: unknown, p: string): string {
  const s = str(v, p, 4096);
  if (s.startsWith('/') || s.split('/').includes('..') || s.includes('\\')) fail(p, `not a path inside the kernel tree: ${JSON.stringify(s.slice(0, 80))}`);
  return s;
}

function traceStep(v: unknown, p: string): void {
  const o = obj(v, p);
  str(o.function, `${p}.function`);
  int(o.line, `${p}.line`, 0, MAX_POSITION);
  int(o.column, `${p}.column`, 0, MAX_POSITION);
  str(o.event, `${p}.event`);
  int(o.depth, `${p}.depth`, 0, MAX_POSITION);
  bool(o.pageLocked, `${p}.pageLocked`);
  nullable(o.handleOwner, `${p}.handleOwner`, str);
  nullable(o.creditsLeft, `${p}.creditsLeft`, num);
  nullable(o.buffers, `${p}.buffers`, (b, bp) =>
    arr(b, bp).forEach((x, i) => {
      const bo = obj(x, `${bp}[${i}]`);
      num(bo.block, `${bp}[${i}].block`);
      arr(bo.flags, `${bp}[${i}].flags`).forEach((f, j) => str(f, `${bp}[${i}].flags[${j}]`));
    }),
  );
}

function finding(v: unknown, p: string): void {
  const o = obj(v, p);
  oneOf(o.rule, KNOWN_RULES, `${p}.rule`);
  oneOf(o.severity, SEVERITIES, `${p}.severity`);
  for (const k of ['line', 'column', 'endLine', 'endColumn']) int(o[k], `${p}.${k}`, 0, MAX_POSITION);
  str(o.function, `${p}.function`);
  str(o.message, `${p}.message`);
  str(o.anchor, `${p}.anchor`);
  arr(o.stack, `${p}.stack`).forEach((s, i) => str(s, `${p}.stack[${i}]`));
  arr(o.trace, `${p}.trace`).forEach((s, i) => traceStep(s, `${p}.trace[${i}]`));
}

function pathSummary(v: unknown, p: string): void {
  const o = obj(v, p);
  int(o.id, `${p}.id`, 0, MAX_POSITION);
  oneOf(o.outcome, OUTCOME_KINDS, `${p}.outcome`);
  str(o.description, `${p}.description`);
  arr(o.choices, `${p}.choices`).forEach((c, i) => str(c, `${p}.choices[${i}]`));
  nullable(o.returnValue, `${p}.returnValue`, str);
  arr(o.rules, `${p}.rules`).forEach((r, i) => oneOf(r, KNOWN_RULES, `${p}.rules[${i}]`));
  arr(o.trace, `${p}.trace`).forEach((s, i) => traceStep(s, `${p}.trace[${i}]`));
}

function runResult(v: unknown, p: string): void {
  const o = obj(v, p);
  cellKey(o, p);
  str(o.entry, `${p}.entry`);
  int(o.paths, `${p}.paths`, 0, Number.MAX_SAFE_INTEGER);
  bool(o.truncated, `${p}.truncated`);
  arr(o.truncation, `${p}.truncation`).forEach((t, i) => str(t, `${p}.truncation[${i}]`));
  const outcomes = obj(o.outcomes, `${p}.outcomes`);
  for (const [k, n] of Object.entries(outcomes)) {
    oneOf(k, OUTCOME_KINDS, `${p}.outcomes key`);
    int(n, `${p}.outcomes.${k}`, 0, Number.MAX_SAFE_INTEGER);
  }
  arr(o.findings, `${p}.findings`).forEach((f, i) => finding(f, `${p}.findings[${i}]`));
  if (o.callerNote !== undefined) str(o.callerNote, `${p}.callerNote`);
  arr(o.pathDetails, `${p}.pathDetails`).forEach((d, i) => pathSummary(d, `${p}.pathDetails[${i}]`));
}

function scenarioResult(v: unknown, p: string): ScenarioResult {
  const o = obj(v, p);
  str(o.file, `${p}.file`);
  arr(o.entries, `${p}.entries`).forEach((e, i) => {
    const eo = obj(e, `${p}.entries[${i}]`);
    str(eo.aops, `${p}.entries[${i}].aops`);
    str(eo.writepage, `${p}.entries[${i}].writepage`);
    int(eo.line, `${p}.entries[${i}].line`, 0, MAX_POSITION);
    nullable(eo.mode, `${p}.entries[${i}].mode`, str);
    nullable(eo.delalloc, `${p}.entries[${i}].delalloc`, bool);
    if (eo.reclaimInWriteBegin !== undefined) {
      nullable(eo.reclaimInWriteBegin, `${p}.entries[${i}].reclaimInWriteBegin`, (x, q) => {
        const ro = obj(x, q);
        bool(ro.applicable, `${q}.applicable`);
        str(ro.note, `${q}.note`);
      });
    }
    if (eo.facts !== undefined) {
      const fo = obj(eo.facts, `${p}.entries[${i}].facts`);
      for (const k of ['lockOrder', 'orderedData', 'writebackCredits']) {
        const q = `${p}.entries[${i}].facts.${k}`;
        const f = obj(fo[k], q);
        if (typeof f.value !== 'number') str(f.value, `${q}.value`, 40);
        nullable(f.line, `${q}.line`, (x, qq) => int(x, qq, 0, MAX_POSITION));
        str(f.why, `${q}.why`);
      }
    }
  });
  arr(o.runs, `${p}.runs`).forEach((r, i) => runResult(r, `${p}.runs[${i}]`));
  arr(o.diagnostics, `${p}.diagnostics`).forEach((d, i) => {
    const dobj = obj(d, `${p}.diagnostics[${i}]`);
    oneOf(dobj.severity, SEVERITIES, `${p}.diagnostics[${i}].severity`);
    int(dobj.line, `${p}.diagnostics[${i}].line`, 0, MAX_POSITION);
    int(dobj.column, `${p}.diagnostics[${i}].column`, 0, MAX_POSITION);
    str(dobj.kind, `${p}.diagnostics[${i}].kind`);
    str(dobj.message, `${p}.diagnostics[${i}].message`);
  });
  arr(o.unmodelled, `${p}.unmodelled`).forEach((u, i) => {
    const uo = obj(u, `${p}.unmodelled[${i}]`);
    str(uo.name, `${p}.unmodelled[${i}].name`);
    int(uo.line, `${p}.unmodelled[${i}].line`, 0, MAX_POSITION);
  });
  arr(o.callbacks, `${p}.callbacks`);
  arr(o.functions, `${p}.functions`);
  const t = obj(o.timing, `${p}.timing`);
  num(t.parseMs, `${p}.timing.parseMs`);
  num(t.analysisMs, `${p}.timing.analysisMs`);
  return o as unknown as ScenarioResult;
}

/** Validates a message the extension host posted to the webview, the ScenarioResult included. */
export function validateHostMessage(v: unknown): Validated<HostMessage> {
  return wrap((): HostMessage => {
    const o = obj(v, 'message');
    const type = oneOf(o.type, ['result', 'status', 'select'] as const, 'message.type');
    if (type === 'select') {
      only(o, ['type', 'cell', 'pathId', 'step'], 'message');
      const c = obj(o.cell, 'message.cell');
      only(c, ['aops', 'caller', 'page'], 'message.cell');
      const pathId = nullable(o.pathId, 'message.pathId', (x, p) => int(x, p, 0, MAX_POSITION));
      return o.step === undefined ? { type, cell: cellKey(c, 'message.cell'), pathId } : { type, cell: cellKey(c, 'message.cell'), pathId, step: int(o.step, 'message.step', 0, MAX_POSITION) };
    }
    if (type === 'result') {
      only(o, ['type', 'uri', 'fileName', 'version', 'result'], 'message');
      return {
        type,
        uri: str(o.uri, 'message.uri'),
        fileName: str(o.fileName, 'message.fileName'),
        version: int(o.version, 'message.version', 0, Number.MAX_SAFE_INTEGER),
        result: scenarioResult(o.result, 'message.result'),
      };
    }
    only(o, ['type', 'state', 'message'], 'message');
    return {
      type,
      state: oneOf(o.state, ['analyzing', 'idle', 'error', 'closed'] as const, 'message.state'),
      message: str(o.message, 'message.message'),
    };
  });
}

export function sameCell(a: CellKey, b: CellKey): boolean {
  return a.aops === b.aops && a.caller === b.caller && a.page === b.page;
}
