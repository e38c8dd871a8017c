// The simulation panel's UI (bundled to dist/webview.js): the scenario matrix, the paths of the
// selected scenario and a trace stepper. Talks to the extension only through the typed protocol in
// src/shared/protocol.ts; every incoming message is validated; file content is set as text, never HTML.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import './panel.css';
import type { PathSummary, RunResult, ScenarioResult, TraceStep } from '../src/engine/api/types';
import { countsPhrase } from '../src/engine/api/counts';
import { filesystemPhrase } from '../src/engine/api/filesystem';
import {
  KNOWN_RULES,
  PANEL_STATE_VERSION,
  SEVERITIES,
  validateHostMessage,
  validatePanelState,
  type CellKey,
  type HostMessage,
  type PanelFilters,
  type PanelSelection,
  type PanelState,
  type RuleFilter,
  type SeverityFilter,
  type WebviewMessage,
} from '../src/shared/protocol';
import {
  bufferText,
  buildMatrix,
  callerNote,
  cellId,
  findingSteps,
  compactSteps,
  entryStep,
  moveStep,
  findRun,
  moveInGrid,
  positionOf,
  reconcileSelection,
  selectCell,
  selectedPath,
  stepNote,
  outcomeLegend,
  type GridPos,
  type MatrixCell,
  type MatrixModel,
} from './model';

interface VsCodeApi {
  postMessage(msg: WebviewMessage): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const PLAY_INTERVAL_MS = 700;

const app = {
  uri: null as string | null,
  fileName: '',
  version: -1,
  result: null as ScenarioResult | null,
  model: null as MatrixModel | null,
  selection: null as PanelSelection | null,
  filters: { rule: 'all', severity: 'all' } as PanelFilters,
  focus: { table: 0, row: 0, col: 0 } as GridPos,
  playTimer: undefined as number | undefined,
  /** The (cell, path) the detail pane was last built for, so stepping only updates the step parts. */
  builtFor: '',
  /** Compact trace (folded assignments, one step per call): on unless "All steps" is pressed. */
  compact: true,
};

/** The trace steps shown (compact or all), with the selected one always among them. */
function shownSteps(path: PathSummary): number[] {
  if (!app.compact) return path.trace.map((_s, i) => i);
  const shown = compactSteps(path.trace);
  const cur = app.selection?.step;
  if (cur !== undefined && cur < path.trace.length && !shown.includes(cur)) {
    shown.push(cur);
    shown.sort((a, b) => a - b);
  }
  return shown;
}

function toggleCompact(): void {
  app.compact = !app.compact;
  app.builtFor = '';
  renderDetail(false);
}

function post(msg: WebviewMessage): void {
  vscode.postMessage(msg);
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(`[kpr panel] ${message}`);
  post({ type: 'log', level, message: message.slice(0, 1900) });
}

// -- DOM helpers: text only ----------------------------------------------------------------------

type Attrs = Record<string, string | number | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: (Node | string)[]): HTMLElementTagNameMap[K];
function h(tag: string, attrs?: Attrs, ...children: (Node | string)[]): HTMLElement;
function h(tag: string, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing`);
  return e as T;
}

function button(label: string, aria: string, onClick: () => void, opts: { id?: string; secondary?: boolean } = {}): HTMLElement {
  const b = h('vscode-button', { id: opts.id, 'aria-label': aria, title: aria, secondary: opts.secondary });
  b.textContent = label;
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

function setDisabled(e: HTMLElement, disabled: boolean): void {
  if (disabled) e.setAttribute('disabled', '');
  else e.removeAttribute('disabled');
}

// -- skeleton -------------------------------------------------------------------------------------

function buildSkeleton(): void {
  const root = byId('app');
  root.replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('h1', { id: 'title', text: 'Simulation' }),
      h('span', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite', text: 'Waiting for the analysis…' }),
      button('Re-run', 'Run the analysis of this file again', () => post({ type: 'rerun' }), { id: 'rerun', secondary: true }),
    ),
    h('div', { id: 'summary', class: 'summary' }),
    h('div', { id: 'filters', class: 'filters', role: 'group', 'aria-label': 'Filters' }),
    h('div', { id: 'legend', class: 'legend', 'aria-hidden': 'true' }),
    h('div', { id: 'matrix', class: 'matrix' }),
    h('section', { id: 'detail', class: 'detail', 'aria-label': 'Selected scenario' }),
  );
  buildLegend();
  byId('matrix').addEventListener('keydown', onMatrixKey);
}

function buildLegend(): void {
  const items: [string, string, string][] = [
    ['error', '✖', 'error finding'],
    ['warning', '⚠', 'warning finding'],
    ['clean', '✓', 'no finding'],
    ['absent', '–', 'not run'],
  ];
  byId('legend').replaceChildren(
    ...items.map(([tone, glyph, text]) => h('span', { class: `legend-item tone-${tone}` }, h('span', { class: 'glyph', text: glyph }), ` ${text}`)),
    h('span', { class: 'legend-item', text: outcomeLegend() }),
  );
}

function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  const s = byId('status');
  s.textContent = text;
  s.classList.toggle('status-error', kind === 'error');
}

// -- filters --------------------------------------------------------------------------------------

function select(id: string, label: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLElement {
  const sel = h('vscode-single-select', { id, class: 'filter' }) as HTMLElement & { value: string; label: string };
  sel.label = label;
  for (const [v, text] of options) {
    const o = h('vscode-option', { value: v, selected: v === value });
    o.textContent = text;
    sel.append(o);
  }
  sel.addEventListener('change', () => onChange(sel.value));
  return h('label', { class: 'filter-label' }, h('span', { text: `${label}:` }), sel);
}

function buildFilters(): void {
  const m = app.model;
  if (!m) return;
  const ruleOptions: [string, string][] = [['all', 'All rules'], ...KNOWN_RULES.map((r): [string, string] => [r, `${r} (${m.ruleCounts[r] ?? 0})`])];
  const sevOptions: [string, string][] = [['all', 'All severities'], ...SEVERITIES.map((s): [string, string] => [s, s])];
  byId('filters').replaceChildren(
    select('filter-rule', 'Rule', ruleOptions, app.filters.rule, (v) => setFilters({ ...app.filters, rule: v as RuleFilter })),
    select('filter-severity', 'Severity', sevOptions, app.filters.severity, (v) => setFilters({ ...app.filters, severity: v as SeverityFilter })),
  );
}

function setFilters(f: PanelFilters): void {
  app.filters = f;
  if (app.result) app.model = buildMatrix(app.result, f);
  renderMatrix();
  saveState();
}

// -- matrix ---------------------------------------------------------------------------------------

const TONE_GLYPH: Record<string, string> = { error: '✖', warning: '⚠', info: 'ℹ', clean: '✓', muted: '·', absent: '–' };

function cellElement(c: MatrixCell, pos: GridPos): HTMLElement {
  const selected = !!app.selection && cellId(app.selection) === cellId(c);
  const td = h('td', {
    role: 'gridcell',
    class: `cell tone-${c.tone}${c.matches ? '' : ' dimmed'}${selected ? ' selected' : ''}`,
    'data-cell': cellId(c),
    'data-pos': `${pos.table},${pos.row},${pos.col}`,
    'aria-label': c.ariaLabel,
    'aria-selected': selected ? 'true' : 'false',
    'aria-disabled': c.run ? undefined : 'true',
    tabindex: -1,
  });
  td.append(h('span', { class: 'glyph', 'aria-hidden': 'true', text: TONE_GLYPH[c.tone] }));
  td.append(h('span', { class: 'outcome', text: c.run ? c.outcomes.join(' + ') : 'not run' }));
  if (c.rules.length) td.append(h('span', { class: 'rules', text: c.rules.join(', ') }));
  td.title = c.ariaLabel;
  td.addEventListener('click', () => {
    app.focus = pos;
    chooseCell(c);
  });
  return td;
}

function renderMatrix(): void {
  const m = app.model;
  const root = byId('matrix');
  if (!m) {
    root.replaceChildren();
    return;
  }
  if (m.tables.length === 0) {
    root.replaceChildren(h('p', { class: 'empty', text: 'No address_space_operations table with a .writepage was found in this file.' }));
    return;
  }
  const nodes: HTMLElement[] = [];
  m.tables.forEach((t, ti) => {
    const headingId = `table-${ti}-title`;
    const table = h('table', { role: 'grid', class: 'grid', 'aria-labelledby': headingId, 'data-aops': t.aops });
    const head = h('tr', {}, h('th', { class: 'corner', scope: 'col', 'aria-label': 'caller \\ page state' }, h('span', { class: 'corner-text', text: 'caller \\ page state' })), ...t.pages.map((p) => h('th', { scope: 'col', text: p })));
    table.append(h('thead', {}, head));
    const body = h('tbody');
    t.rows.forEach((row, ri) => {
      const caller = t.callers[ri];
      const entry = t.callerEntries[caller];
      const rowHead = entry
        ? h('th', { scope: 'row', title: t.callerNotes[caller] }, caller, h('span', { class: 'row-entry', text: `→ ${entry}` }))
        : h('th', { scope: 'row', text: caller, title: t.callerNotes[caller] });
      body.append(h('tr', {}, rowHead, ...row.map((c, ci) => cellElement(c, { table: ti, row: ri, col: ci }))));
    });
    table.append(body);
    nodes.push(h('h2', { id: headingId, class: 'table-title', text: t.title }));
    for (const n of t.notes) nodes.push(h('p', { class: 'table-note', text: n }));
    nodes.push(h('div', { class: 'grid-scroll' }, table));
  });
  root.replaceChildren(...nodes);
  const p = app.selection ? positionOf(m, app.selection) : undefined;
  if (p) app.focus = p;
  if (!m.tables[app.focus.table]?.rows[app.focus.row]?.[app.focus.col]) app.focus = { table: 0, row: 0, col: 0 };
  cellAt(app.focus)?.setAttribute('tabindex', '0');
}

function cellAt(p: GridPos): HTMLElement | null {
  return byId('matrix').querySelector<HTMLElement>(`td[data-pos="${p.table},${p.row},${p.col}"]`);
}

function focusCell(p: GridPos): void {
  cellAt(app.focus)?.setAttribute('tabindex', '-1');
  app.focus = p;
  const c = cellAt(p);
  if (c) {
    c.setAttribute('tabindex', '0');
    c.focus();
  }
}

function onMatrixKey(ev: KeyboardEvent): void {
  const m = app.model;
  if (!m || !(ev.target instanceof HTMLElement) || !ev.target.matches('td[role=gridcell]')) return;
  if (ev.key === 'Enter' || ev.key === ' ') {
    ev.preventDefault();
    const c = m.tables[app.focus.table]?.rows[app.focus.row]?.[app.focus.col];
    if (c) chooseCell(c);
    return;
  }
  const next = moveInGrid(m, app.focus, ev.key, ev.ctrlKey || ev.metaKey);
  if (next) {
    ev.preventDefault();
    focusCell(next);
  }
}

function updateMatrixSelection(): void {
  const id = app.selection ? cellId(app.selection) : '';
  for (const td of Array.from(byId('matrix').querySelectorAll<HTMLElement>('td[data-cell]'))) {
    const on = td.dataset.cell === id;
    td.classList.toggle('selected', on);
    td.setAttribute('aria-selected', on ? 'true' : 'false');
  }
}

function chooseCell(c: MatrixCell): void {
  if (!app.result || !c.run) return;
  stopPlay();
  app.selection = selectCell(app.result, c);
  updateMatrixSelection();
  renderDetail(true);
  saveState();
}

// -- detail: findings, paths, stepper --------------------------------------------------------------

function currentRun(): RunResult | undefined {
  return app.result && app.selection ? findRun(app.result, app.selection) : undefined;
}

function currentPath(): PathSummary | undefined {
  return app.result ? selectedPath(app.result, app.selection) : undefined;
}

function renderDetail(reveal: boolean): void {
  const root = byId('detail');
  const run = currentRun();
  const sel = app.selection;
  if (!run || !sel) {
    app.builtFor = '';
    root.replaceChildren(h('p', { class: 'hint', text: 'Select a scenario in the matrix (click, or arrow keys and Enter) to see its paths and step through a trace.' }));
    clearHighlight();
    return;
  }
  const key = `${cellId(sel)}#${sel.pathId}`;
  if (key === app.builtFor) {
    renderStep(reveal);
    return;
  }
  app.builtFor = key;
  const title = h('h2', { id: 'detail-title', text: `${sel.aops} / ${sel.caller} / ${sel.page}` });
  const meta = h('p', {
    class: 'meta',
    text: `${run.entry}: ${run.paths} path${run.paths === 1 ? '' : 's'} explored${run.pathDetails.length < run.paths ? `, ${run.pathDetails.length} kept with traces` : ''}${run.truncated ? `; cut: ${run.truncation.join('; ')}` : ''}`,
  });
  const note = callerNote(run);
  const caller = note ? h('p', { class: 'meta', id: 'caller-note', text: `${sel.caller}: ${note}` }) : h('span');
  root.replaceChildren(title, meta, caller, renderFindings(run), renderPaths(run), h('div', { id: 'stepper', class: 'stepper' }));
  buildStepper();
  renderStep(reveal);
}

function renderFindings(run: RunResult): HTMLElement {
  const box = h('div', { class: 'findings' }, h('h3', { text: `Findings (${run.findings.length})` }));
  if (run.findings.length === 0) {
    box.append(h('p', { class: 'hint', text: 'No findings on this scenario.' }));
    return box;
  }
  const list = h('ul', { class: 'finding-list' });
  for (const f of run.findings) {
    const go = button(`Line ${f.line}`, `Show line ${f.line} in the editor`, () =>
      revealLine({ type: 'reveal', reason: 'finding', line: f.line, column: Math.max(1, f.column), note: `${f.rule}: ${f.message}`.slice(0, 1900) }),
    );
    list.append(
      h(
        'li',
        { class: `finding tone-${f.severity}` },
        h('span', { class: 'glyph', 'aria-hidden': 'true', text: TONE_GLYPH[f.severity] }),
        h('span', { class: 'finding-rule', text: `${f.severity} ${f.rule}` }),
        h('span', { class: 'finding-msg', text: f.summary ?? f.message, title: f.message }),
        go,
        h('span', { class: 'finding-detail', text: `${f.message} (in ${f.function})` }),
      ),
    );
  }
  box.append(list);
  return box;
}

function renderPaths(run: RunResult): HTMLElement {
  const box = h('div', { class: 'paths' }, h('h3', { id: 'paths-title', text: `Paths (${run.pathDetails.length})` }));
  if (run.pathDetails.length === 0) {
    box.append(h('p', { class: 'hint', text: 'The engine kept no path traces for this scenario.' }));
    return box;
  }
  const list = h('div', { role: 'listbox', class: 'path-list', 'aria-labelledby': 'paths-title', id: 'path-list' });
  run.pathDetails.forEach((p) => {
    const selected = app.selection?.pathId === p.id;
    const opt = h(
      'div',
      {
        role: 'option',
        class: `path outcome-${p.outcome}${selected ? ' selected' : ''}`,
        'aria-selected': selected ? 'true' : 'false',
        tabindex: selected ? 0 : -1,
        'data-path': p.id,
      },
      h('span', { class: 'path-id', text: `#${p.id}` }),
      h('span', { class: 'path-outcome', text: p.description }),
      h('span', { class: 'path-choices', text: p.choices.length ? p.choices.join(' → ') : 'no forks' }),
      ...(p.rules.length ? [h('span', { class: 'path-rules', text: p.rules.join(', ') })] : []),
    );
    opt.addEventListener('click', () => choosePath(p.id, true));
    list.append(opt);
  });
  list.addEventListener('keydown', (ev) => {
    const ids = run.pathDetails.map((p) => p.id);
    const i = ids.indexOf(app.selection?.pathId ?? -1);
    let j = -1;
    if (ev.key === 'ArrowDown') j = Math.min(ids.length - 1, i + 1);
    else if (ev.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = ids.length - 1;
    else if (ev.key === 'Enter' || ev.key === ' ') j = Math.max(0, i);
    if (j < 0) return;
    ev.preventDefault();
    choosePath(ids[j], true);
  });
  box.append(list);
  return box;
}

function choosePath(id: number, focus: boolean): void {
  if (!app.selection) return;
  stopPlay();
  const run = app.result ? findRun(app.result, app.selection) : undefined;
  const path = run?.pathDetails.find((p) => p.id === id);
  app.selection = { ...app.selection, pathId: id, step: path && run ? entryStep(path.trace, run.entry) : 0 };
  app.builtFor = '';
  renderDetail(true);
  if (focus) byId('detail').querySelector<HTMLElement>(`[data-path="${id}"]`)?.focus();
  saveState();
}

function buildStepper(): void {
  const root = byId('stepper');
  const path = currentPath();
  if (!path) {
    root.replaceChildren();
    return;
  }
  const controls = h(
    'div',
    { class: 'controls', role: 'toolbar', 'aria-label': 'Trace stepper' },
    button('First', 'First step', () => setStep(shownSteps(path)[0] ?? 0), { id: 'step-first', secondary: true }),
    button('◀ Back', 'Previous step', () => stepBy(-1), { id: 'step-back' }),
    button('Play', 'Play trace', togglePlay, { id: 'step-play' }),
    button('Next ▶', 'Next step', () => stepBy(1), { id: 'step-forward' }),
    button('Last', 'Last step', () => setStep(path.trace.length - 1), { id: 'step-last', secondary: true }),
    button('Next finding', 'Jump to the next step that reports a finding', nextFinding, { id: 'step-finding', secondary: true }),
    button(app.compact ? 'All steps' : 'Compact', app.compact ? 'Show every step of the trace' : 'Fold assignments of no interest and repeated calls', toggleCompact, { id: 'step-compact', secondary: true }),
    h('span', { id: 'step-counter', class: 'counter', 'aria-live': 'polite' }),
  );
  const details = h('dl', { id: 'step-detail', class: 'step-detail' });
  const list = h('ol', { id: 'step-list', class: 'step-list', role: 'listbox', 'aria-label': `Trace of path ${path.id}`, tabindex: 0 });
  for (const i of shownSteps(path)) {
    const s = path.trace[i];
    const li = h(
      'li',
      { role: 'option', 'data-step': i, 'aria-selected': 'false', class: s.pageLocked ? 'locked' : 'unlocked', id: `step-${i}` },
      h('span', { class: 'step-line', text: `L${s.line}` }),
      h('span', { class: 'step-fn', text: s.function, title: s.function }),
      h('span', { class: 'step-event', text: s.event }),
    );
    li.style.paddingLeft = `${0.4 + Math.min(s.depth, 12) * 1.1}em`;
    li.addEventListener('click', () => setStep(i));
    list.append(li);
  }
  list.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight') stepBy(1);
    else if (ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') stepBy(-1);
    else if (ev.key === 'Home') setStep(0);
    else if (ev.key === 'End') setStep(path.trace.length - 1);
    else return;
    ev.preventDefault();
  });
  root.replaceChildren(h('h3', { text: `Trace of path #${path.id}` }), controls, details, list);
}

function row(label: string, value: string, cls = ''): HTMLElement[] {
  return [h('dt', { text: label }), h('dd', { class: cls, text: value })];
}

function renderStep(reveal: boolean): void {
  const path = currentPath();
  const sel = app.selection;
  if (!path || !sel || path.trace.length === 0) {
    clearHighlight();
    return;
  }
  const i = Math.max(0, Math.min(sel.step, path.trace.length - 1));
  const s: TraceStep = path.trace[i];
  const shown = shownSteps(path);
  const folded = path.trace.length - shown.length;
  byId('step-counter').textContent = `Step ${shown.indexOf(i) + 1} of ${shown.length}${folded > 0 ? ` (${folded} of ${path.trace.length} folded)` : ''}`;
  byId('step-detail').replaceChildren(
    ...row('Function', s.function),
    ...row('Line', `${s.line}:${s.column}`),
    ...row('Event', s.event),
    ...row('Page lock', s.pageLocked ? 'locked' : 'unlocked', s.pageLocked ? 'locked' : ''),
    ...row('Handle', s.handleOwner === null ? 'none' : s.handleOwner),
    ...row('Credits left', s.creditsLeft === null ? '—' : String(s.creditsLeft), s.creditsLeft !== null && s.creditsLeft <= 0 ? 'exhausted' : ''),
    ...row('Buffers', bufferText(s)),
  );
  const list = byId('step-list');
  list.querySelector('[aria-selected="true"]')?.setAttribute('aria-selected', 'false');
  const li = byId('step-list').querySelector<HTMLElement>(`[data-step="${i}"]`);
  if (li) {
    li.setAttribute('aria-selected', 'true');
    list.setAttribute('aria-activedescendant', li.id);
    // Scroll the list only (scrollIntoView would also scroll the panel and move the matrix away).
    const top = li.offsetTop;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + li.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = top + li.offsetHeight - list.clientHeight;
  }
  setDisabled(byId('step-back'), i === shown[0]);
  setDisabled(byId('step-forward'), i === path.trace.length - 1);
  setDisabled(byId('step-finding'), !findingSteps(path.trace).some((k) => k > i));
  if (reveal) revealLine({ type: 'reveal', reason: 'step', line: Math.max(1, s.line), column: Math.max(1, s.column), note: stepNote(s, i, path.trace.length).slice(0, 1900), ...(s.file ? { file: s.file } : {}) });
}

/** Whether the editor shows a step highlight that this webview asked for. */
let highlighted = false;

function revealLine(msg: Extract<WebviewMessage, { type: 'reveal' }>): void {
  highlighted = true;
  post(msg);
}

function clearHighlight(): void {
  if (!highlighted) return;
  highlighted = false;
  post({ type: 'clearHighlight' });
}

function setStep(i: number): void {
  const path = currentPath();
  if (!path || !app.selection) return;
  const step = Math.max(0, Math.min(i, path.trace.length - 1));
  if (step === app.selection.step && app.builtFor) {
    if (app.playTimer !== undefined && step === path.trace.length - 1) stopPlay();
    return;
  }
  app.selection = { ...app.selection, step };
  renderStep(true);
  if (app.playTimer !== undefined && step === path.trace.length - 1) stopPlay();
  saveState();
}

/** The next (+1) or previous (-1) shown step. */
function stepBy(dir: -1 | 1): void {
  const path = currentPath();
  if (!path || !app.selection) return;
  setStep(moveStep(shownSteps(path), app.selection.step, dir));
}

function nextFinding(): void {
  const path = currentPath();
  if (!path || !app.selection) return;
  const cur = app.selection.step;
  const next = findingSteps(path.trace).find((k) => k > cur);
  if (next !== undefined) setStep(next);
}

function togglePlay(): void {
  if (app.playTimer !== undefined) {
    stopPlay();
    return;
  }
  const path = currentPath();
  if (!path || !app.selection) return;
  if (app.selection.step >= path.trace.length - 1) setStep(0);
  app.playTimer = window.setInterval(() => stepBy(1), PLAY_INTERVAL_MS);
  const b = document.getElementById('step-play');
  if (b) {
    b.textContent = 'Pause';
    b.setAttribute('aria-label', 'Pause trace');
    b.setAttribute('aria-pressed', 'true');
  }
}

function stopPlay(): void {
  if (app.playTimer === undefined) return;
  window.clearInterval(app.playTimer);
  app.playTimer = undefined;
  const b = document.getElementById('step-play');
  if (b) {
    b.textContent = 'Play';
    b.setAttribute('aria-label', 'Play trace');
    b.setAttribute('aria-pressed', 'false');
  }
}

// -- state and messages -----------------------------------------------------------------------------

function currentState(): PanelState | null {
  if (!app.uri) return null;
  return { v: PANEL_STATE_VERSION, uri: app.uri, selection: app.selection, filters: app.filters };
}

function saveState(): void {
  const s = currentState();
  if (!s) return;
  vscode.setState(s);
  post({ type: 'state', state: s });
}

function renderSummary(r: ScenarioResult, m: MatrixModel): void {
  const parts = [
    h('vscode-badge', { variant: 'counter', 'aria-label': `${m.totals.errors} error findings`, class: 'badge-error', text: String(m.totals.errors) }),
    h('span', { text: ' errors ' }),
    h('vscode-badge', { variant: 'counter', 'aria-label': `${m.totals.warnings} warning findings`, class: 'badge-warning', text: String(m.totals.warnings) }),
    h('span', { text: ` warnings · ` }),
    h('span', { class: 'counts', text: countsPhrase(m.totals) }),
    h('span', { text: ` · ${m.totals.runs} scenarios run, ${m.totals.paths} paths · parse ${r.timing.parseMs} ms, analysis ${r.timing.analysisMs} ms` }),
  ];
  const notes: string[] = [];
  if (r.filesystem) notes.push(`The file ${filesystemPhrase(r.filesystem)}`);
  const problems = r.diagnostics.filter((d) => d.severity !== 'info');
  if (problems.length) notes.push(`${problems.length} input problem(s): ${problems.slice(0, 3).map((d) => `line ${d.line} ${d.kind}`).join(', ')}${problems.length > 3 ? ', …' : ''}`);
  if (r.unmodelled.length) notes.push(`unmodelled (assumed unknown): ${r.unmodelled.map((u) => `${u.name} (line ${u.line})`).join(', ')}`);
  byId('summary').replaceChildren(...parts, ...notes.map((n) => h('div', { class: 'note', text: n })));
}

function onResult(msg: Extract<HostMessage, { type: 'result' }>): void {
  if (msg.version <= app.version && msg.uri === app.uri) return; // an older result arriving late
  const first = app.result === null;
  app.uri = msg.uri;
  app.fileName = msg.fileName;
  app.version = msg.version;
  app.result = msg.result;
  document.body.dataset.version = String(msg.version);
  app.model = buildMatrix(msg.result, app.filters);
  const before = app.selection;
  app.selection = reconcileSelection(msg.result, app.selection);
  byId('title').textContent = `Simulation: ${msg.fileName}`;
  document.title = `Simulation: ${msg.fileName}`;
  setStatus(first ? `Analysed ${msg.fileName}` : `Re-analysed ${msg.fileName} after a change`);
  renderSummary(msg.result, app.model);
  buildFilters();
  renderMatrix();
  // Rebuild the detail pane (path list and trace change with a re-run); reveal only if the step moved.
  app.builtFor = '';
  stopPlay();
  const moved = !before || !app.selection || before.pathId !== app.selection.pathId || before.step !== app.selection.step;
  renderDetail(first || moved);
  saveState();
  if (pendingSelect) onSelect(pendingSelect.cell, pendingSelect.pathId, pendingSelect.step);
}

/** Selects a scenario on the host's request; kept pending until a result that has it arrives. */
let pendingSelect: { cell: CellKey; pathId: number | null; step?: number } | undefined;

function onSelect(cell: CellKey, pathId: number | null, step?: number): void {
  const run = app.result ? findRun(app.result, cell) : undefined;
  if (!app.result || !run) {
    pendingSelect = { cell, pathId, step };
    return;
  }
  pendingSelect = undefined;
  stopPlay();
  const base = selectCell(app.result, cell);
  const chosen = pathId !== null ? run.pathDetails.find((p) => p.id === pathId) : undefined;
  app.selection = base && chosen ? { ...base, pathId: chosen.id, step: step !== undefined ? Math.min(step, Math.max(0, chosen.trace.length - 1)) : 0 } : base;
  if (app.model) {
    const p = positionOf(app.model, cell);
    if (p) app.focus = p;
  }
  renderMatrix();
  app.builtFor = '';
  renderDetail(true);
  saveState();
}

function onMessage(ev: MessageEvent): void {
  const v = validateHostMessage(ev.data);
  if (!v.ok) {
    log('error', `rejected a malformed message from the extension: ${v.error}`);
    return;
  }
  const msg = v.value;
  switch (msg.type) {
    case 'result':
      onResult(msg);
      break;
    case 'status':
      setStatus(msg.message, msg.state === 'error' ? 'error' : 'info');
      break;
    case 'select':
      onSelect(msg.cell, msg.pathId, msg.step);
      break;
  }
}

function restore(): PanelState | null {
  const raw = vscode.getState();
  if (raw === undefined || raw === null) return null;
  const v = validatePanelState(raw);
  if (!v.ok) {
    log('warn', `ignored a stored panel state: ${v.error}`);
    return null;
  }
  app.uri = v.value.uri;
  app.selection = v.value.selection;
  app.filters = v.value.filters;
  return v.value;
}

function main(): void {
  window.addEventListener('error', (e) => log('error', `script error: ${e.message} at ${e.filename}:${e.lineno}`));
  window.addEventListener('unhandledrejection', (e) => log('error', `unhandled rejection: ${String(e.reason)}`));
  buildSkeleton();
  renderDetail(false);
  window.addEventListener('message', onMessage);
  post({ type: 'ready', state: restore() });
}

main();
