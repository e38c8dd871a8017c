// The patch view's UI (bundled to dist/patchView.js): the patch subject, its problems, the
// functions the commit message names, and per C file the changes grouped by responsible call and
// a before/after matrix per writepage entry. Talks to the extension only through
// src/shared/patchProtocol.ts; every incoming message is validated; file-derived text is set as
// text (textContent / text nodes), never as HTML.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import './patchView.css';
import {
  validatePatchHostMessage,
  type CellStatus,
  type OpenTarget,
  type PatchHostMessage,
  type PatchView,
  type PatchWebviewMessage,
  type StatusCounts,
  type ViewCell,
  type ViewFile,
  type ViewGroup,
  type ViewMatrix,
} from '../src/shared/patchProtocol';

interface VsCodeApi {
  postMessage(msg: PatchWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

const app = {
  version: -1,
  view: null as PatchView | null,
  /** Per file index: the scenario ("aops/caller/page") the change list is narrowed to. */
  focus: new Map<number, string>(),
};

function post(msg: PatchWebviewMessage): void {
  vscode.postMessage(msg);
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(`[kpr patch view] ${message}`);
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

function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing`);
  return e;
}

function button(label: string, aria: string, onClick: () => void, opts: { secondary?: boolean; cls?: string } = {}): HTMLElement {
  const b = h('vscode-button', { 'aria-label': aria, title: aria, secondary: opts.secondary, class: opts.cls });
  b.textContent = label;
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

function open(target: OpenTarget, file: number, line: number): void {
  post({ type: 'open', target, file, line });
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// -- status words: every colour comes with a glyph and a text label ---------------------------------

const CHANGE_LABEL: Record<ViewGroup['status'], { glyph: string; text: string }> = {
  fixed: { glyph: '✓', text: 'fixed' },
  introduced: { glyph: '✖', text: 'introduced' },
  unchanged: { glyph: '=', text: 'unchanged' },
};

const CELL_LABEL: Record<CellStatus, { glyph: string; text: string }> = {
  fixed: { glyph: '✓', text: 'fixed' },
  introduced: { glyph: '✖', text: 'introduced' },
  mixed: { glyph: '±', text: 'fixed + introduced' },
  unchanged: { glyph: '=', text: 'unchanged' },
  // "clean" is a kernel word for pages and buffers: a scenario without a finding says so.
  clean: { glyph: '·', text: 'no finding' },
  'pre-only': { glyph: '–', text: 'only before' },
  'post-only': { glyph: '+', text: 'only after' },
};

function statusLabel(kind: string, glyph: string, text: string): HTMLElement {
  return h('span', { class: `status-label st-${kind}` }, h('span', { class: 'glyph', 'aria-hidden': 'true', text: glyph }), h('span', { class: 'status-text', text }));
}

function countsText(c: StatusCounts): string {
  return `${c.introduced} introduced · ${c.fixed} fixed · ${c.unchanged} unchanged`;
}

function countBadges(c: StatusCounts): HTMLElement {
  return h(
    'span',
    { class: 'counts' },
    statusLabel('introduced', CHANGE_LABEL.introduced.glyph, `${c.introduced} introduced`),
    statusLabel('fixed', CHANGE_LABEL.fixed.glyph, `${c.fixed} fixed`),
    statusLabel('unchanged', CHANGE_LABEL.unchanged.glyph, `${c.unchanged} unchanged`),
  );
}

// -- skeleton -------------------------------------------------------------------------------------

function buildSkeleton(): void {
  byId('app').replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('h1', { id: 'title', text: 'Patch' }),
      button('Re-run', 'Analyse both sides again', () => post({ type: 'rerun' }), { secondary: true }),
    ),
    h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite', text: 'Waiting for the analysis…' }),
    h('div', { id: 'meta', class: 'meta' }),
    h('section', { id: 'problems', class: 'problems', 'aria-label': 'Problems of the patch', hidden: true }),
    h('section', { id: 'mentioned', class: 'mentioned', 'aria-label': 'Functions the commit message names', hidden: true }),
    h('div', { id: 'files' }),
  );
}

function setStatus(text: string, kind: 'info' | 'error' | 'stale' = 'info'): void {
  const s = byId('status');
  s.textContent = text;
  s.classList.toggle('status-error', kind === 'error');
  s.classList.toggle('status-stale', kind === 'stale');
}

// -- header parts ---------------------------------------------------------------------------------

const KIND_TEXT: Record<PatchView['kind'], string> = {
  patch: 'patch file',
  files: 'two files compared',
  worktree: 'working-tree change (HEAD → working copy)',
  commit: 'commit (parent → commit)',
};

function renderMeta(v: PatchView): void {
  const parts: (Node | string)[] = [h('span', { class: 'kind', text: KIND_TEXT[v.kind] })];
  if (v.patchName) parts.push(' · ', h('span', { class: 'patch-name', text: v.patchName }));
  if (v.author) parts.push(' · ', h('span', { class: 'author', text: v.author }));
  const nodes: Node[] = [h('div', { class: 'meta-line' }, ...parts), h('div', { class: 'totals', 'aria-label': `Over all files: ${countsText(v.totals)}` }, countBadges(v.totals), h('span', { class: 'hint', text: ' (responsible call × rule)' }))];
  if (v.message) {
    const d = h('details', { class: 'message' }, h('summary', { text: 'Commit message' }), h('pre', { class: 'message-text', text: v.message }));
    nodes.push(d);
  }
  byId('meta').replaceChildren(...nodes);
}

function renderProblems(v: PatchView): void {
  const box = byId('problems');
  const items: HTMLElement[] = [];
  for (const p of v.problems) {
    const li = h('li', { class: 'problem', 'data-line': p.line }, h('span', { class: 'glyph', 'aria-hidden': 'true', text: '✖' }), h('span', { class: 'problem-where', text: `patch line ${p.line}` }), h('span', { class: 'problem-msg', text: p.message }));
    if (v.patchName) li.append(button('Show in patch', `Show patch line ${p.line}`, () => open('patch', -1, p.line), { secondary: true }));
    items.push(li);
  }
  const skipped = v.skipped.map((s) => h('li', { class: 'skipped' }, h('span', { class: 'problem-where', text: s.path }), h('span', { class: 'problem-msg', text: `not analysed: ${s.reason}` })));
  box.hidden = items.length === 0 && skipped.length === 0;
  const children: Node[] = [];
  if (items.length) children.push(h('h2', { class: 'problems-title', text: `The patch does not apply cleanly or is malformed (${plural(items.length, 'problem')})` }), h('ul', { class: 'problem-list' }, ...items));
  if (skipped.length) children.push(h('h3', { text: `Files not analysed (${skipped.length})` }), h('ul', { class: 'problem-list' }, ...skipped));
  box.replaceChildren(...children);
}

function renderMentioned(v: PatchView): void {
  const box = byId('mentioned');
  box.hidden = v.mentioned.length === 0;
  if (!v.mentioned.length) {
    box.replaceChildren();
    return;
  }
  const list = h('ul', { class: 'mentioned-list' });
  for (const m of v.mentioned) {
    list.append(h('li', { class: 'mentioned-fn', 'data-function': m.name }, h('code', { text: m.name }), countBadges(m.counts)));
  }
  box.replaceChildren(h('h2', { text: 'Named in the commit message' }), list);
}

// -- per file ------------------------------------------------------------------------------------

function scenarioId(s: { aops: string; caller: string; page: string }): string {
  return `${s.aops}/${s.caller}/${s.page}`;
}

function groupOpenTarget(g: ViewGroup): { target: OpenTarget; line: number } | null {
  if (g.status === 'fixed' && g.preLine) return { target: 'pre', line: g.preLine };
  if (g.status !== 'fixed' && g.postLine) return { target: 'post', line: g.postLine };
  if (g.patchLine) return { target: 'patch', line: g.patchLine };
  return null;
}

function renderGroup(g: ViewGroup, fileIndex: number, hasPatch: boolean): HTMLElement {
  const label = CHANGE_LABEL[g.status];
  const main = groupOpenTarget(g);
  const where = g.status === 'fixed' ? `before line ${g.preLine ?? '?'}` : `after line ${g.postLine ?? '?'}`;
  const li = h('li', {
    class: `change st-${g.status} sev-${g.severity}${main ? ' clickable' : ''}`,
    'data-status': g.status,
    'data-rule': g.rule,
    'data-function': g.function,
    'data-mentioned': g.mentioned ? 'true' : 'false',
    tabindex: main ? 0 : undefined,
    role: main ? 'button' : undefined,
    'aria-label': `${label.text}: ${g.severity} ${g.rule} in ${g.function}, ${where}: ${g.message}`,
  });
  const head = h(
    'div',
    { class: 'change-head' },
    statusLabel(g.status, label.glyph, label.text),
    h('span', { class: `severity sev-${g.severity}`, text: g.severity }),
    h('span', { class: 'rule', text: g.rule }),
    h('span', { class: 'in', text: 'in' }),
    h('code', { class: 'fn', text: g.function }),
    ...(g.mentioned ? [h('vscode-badge', { class: 'named', text: 'named in message' })] : []),
  );
  const msg = h('div', { class: 'change-msg', text: g.message });
  const buttons = h('div', { class: 'change-links' });
  if (g.preLine) buttons.append(button(`Before: line ${g.preLine}`, `Open line ${g.preLine} of the pre-image`, () => open('pre', fileIndex, g.preLine as number), { secondary: g.status !== 'fixed' }));
  if (g.postLine) buttons.append(button(`After: line ${g.postLine}`, `Open line ${g.postLine} of the post-image`, () => open('post', fileIndex, g.postLine as number), { secondary: g.status === 'fixed' }));
  if (g.patchLine && hasPatch) buttons.append(button(`Patch: line ${g.patchLine}`, `Open line ${g.patchLine} of the patch`, () => open('patch', fileIndex, g.patchLine as number), { secondary: true }));
  const scen = h('details', { class: 'scenarios' }, h('summary', { text: `${plural(g.scenarios.length, 'scenario')}: ${g.scenarios.slice(0, 2).map(scenarioId).join(', ')}${g.scenarios.length > 2 ? ', …' : ''}` }));
  const ul = h('ul', { class: 'scenario-list' });
  for (const s of g.scenarios) {
    const item = h('li', { 'data-scenario': scenarioId(s) }, h('code', { text: scenarioId(s) }), h('span', { class: `severity sev-${s.severity}`, text: ` ${s.severity}` }));
    if (s.message !== g.message) item.append(h('div', { class: 'scenario-msg', text: s.message }));
    ul.append(item);
  }
  scen.append(ul);
  li.append(head, msg, buttons, scen);
  if (main) {
    li.addEventListener('click', (ev) => {
      if ((ev.target as HTMLElement).closest('details, vscode-button')) return;
      open(main.target, fileIndex, main.line);
    });
    li.addEventListener('keydown', (ev) => {
      if (ev.target !== li || (ev.key !== 'Enter' && ev.key !== ' ')) return;
      ev.preventDefault();
      open(main.target, fileIndex, main.line);
    });
  }
  return li;
}

function renderChanges(f: ViewFile, fileIndex: number, hasPatch: boolean): HTMLElement {
  const focus = app.focus.get(fileIndex);
  const groups = focus ? f.groups.filter((g) => g.scenarios.some((s) => scenarioId(s) === focus)) : f.groups;
  const box = h('section', { class: 'changes', id: `changes-${fileIndex}`, 'aria-label': `Changes in ${f.label}` });
  const title = h('h3', { text: focus ? `Changes in scenario ${focus} (${groups.length} of ${f.groups.length})` : `Changes (${f.groups.length})` });
  box.append(title);
  if (focus) box.append(button('Show all changes', 'Show the changes of every scenario', () => setFocus(fileIndex, undefined), { secondary: true }));
  if (groups.length === 0) {
    box.append(h('p', { class: 'hint', text: focus ? 'No finding changed or remained in this scenario.' : 'No finding on either side, in any scenario run.' }));
    return box;
  }
  const active = groups.filter((g) => g.status !== 'unchanged');
  const same = groups.filter((g) => g.status === 'unchanged');
  box.append(h('ul', { class: 'change-list' }, ...active.map((g) => renderGroup(g, fileIndex, hasPatch))));
  if (same.length) {
    const d = h('details', { class: 'unchanged-box' }, h('summary', { text: `${plural(same.length, 'finding')} present before and after (unchanged)` }));
    d.append(h('ul', { class: 'change-list' }, ...same.map((g) => renderGroup(g, fileIndex, hasPatch))));
    box.append(d);
  }
  return box;
}

function setFocus(fileIndex: number, scenario: string | undefined): void {
  if (scenario === undefined || app.focus.get(fileIndex) === scenario) app.focus.delete(fileIndex);
  else app.focus.set(fileIndex, scenario);
  const v = app.view;
  if (!v) return;
  const f = v.files[fileIndex];
  const old = document.getElementById(`changes-${fileIndex}`);
  if (f && old) old.replaceWith(renderChanges(f, fileIndex, !!v.patchName));
  for (const td of Array.from(document.querySelectorAll<HTMLElement>(`td[data-file="${fileIndex}"]`))) {
    const on = td.dataset.cell === app.focus.get(fileIndex);
    td.classList.toggle('selected', on);
    td.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
}

function verdictText(c: ViewCell, side: 'pre' | 'post'): string {
  const v = c[side];
  if (!v) return 'not run';
  return `${v.text}${v.truncated ? ' (cut)' : ''}`;
}

function cellElement(m: ViewMatrix, c: ViewCell, fileIndex: number): HTMLElement {
  const id = `${m.aops}/${c.caller}/${c.page}`;
  const label = CELL_LABEL[c.status];
  const ruleParts = [
    c.fixed.length ? `fixed: ${c.fixed.join(', ')}` : '',
    c.introduced.length ? `introduced: ${c.introduced.join(', ')}` : '',
    c.unchanged.length ? `still: ${c.unchanged.join(', ')}` : '',
  ].filter(Boolean);
  const aria = `${c.caller}, ${c.page}: ${label.text}; before: ${verdictText(c, 'pre')}; after: ${verdictText(c, 'post')}${ruleParts.length ? `; ${ruleParts.join('; ')}` : ''}`;
  const td = h('td', {
    class: `cell st-${c.status}${app.focus.get(fileIndex) === id ? ' selected' : ''}`,
    'data-cell': id,
    'data-file': fileIndex,
    'data-status': c.status,
    tabindex: 0,
    role: 'button',
    'aria-pressed': app.focus.get(fileIndex) === id ? 'true' : 'false',
    'aria-label': aria,
    title: aria,
  });
  td.append(
    statusLabel(c.status, label.glyph, label.text),
    h(
      'div',
      { class: 'verdicts' },
      h('span', { class: `verdict tone-${c.pre?.tone ?? 'none'}`, text: verdictText(c, 'pre') }),
      h('span', { class: 'arrow', 'aria-hidden': 'true', text: ' → ' }),
      h('span', { class: `verdict tone-${c.post?.tone ?? 'none'}`, text: verdictText(c, 'post') }),
    ),
  );
  if (ruleParts.length) td.append(h('div', { class: 'cell-rules', text: ruleParts.join('; ') }));
  td.addEventListener('click', () => setFocus(fileIndex, id));
  td.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    ev.preventDefault();
    setFocus(fileIndex, id);
  });
  return td;
}

function renderMatrix(m: ViewMatrix, fileIndex: number, mi: number): HTMLElement[] {
  const headingId = `matrix-${fileIndex}-${mi}`;
  const heading = h('h4', { id: headingId, class: 'matrix-title' }, h('code', { text: m.aops }), ' → ', h('code', { text: m.entry }));
  if (m.mentioned) heading.append(' ', h('vscode-badge', { class: 'named', text: 'named in message' }));
  const table = h('table', { class: 'grid', 'aria-labelledby': headingId, 'data-aops': m.aops });
  table.append(h('thead', {}, h('tr', {}, h('th', { class: 'corner', scope: 'col', text: 'caller \\ page state' }), ...m.pages.map((p) => h('th', { scope: 'col', text: p })))));
  const body = h('tbody');
  m.rows.forEach((row, i) => {
    body.append(h('tr', {}, h('th', { scope: 'row', text: m.callers[i] }), ...row.map((c) => (c ? cellElement(m, c, fileIndex) : h('td', { class: 'cell st-none', text: '—', 'aria-label': 'not run on either side' })))));
  });
  table.append(body);
  return [heading, h('div', { class: 'grid-wrap' }, table)];
}

function renderFile(f: ViewFile, fileIndex: number, v: PatchView): HTMLElement {
  const sec = h('section', { class: 'file', 'data-file': fileIndex, 'aria-label': f.label });
  // The totals are said once, in the header; a file's own counts only when there are several files.
  sec.append(h('h2', { class: 'file-title' }, h('code', { text: f.label }), ...(app.view && app.view.files.length > 1 ? [' ', countBadges(f.counts)] : [])));
  sec.append(h('dl', { class: 'sides' }, h('dt', { text: 'Before' }), h('dd', { text: f.preName }), h('dt', { text: 'After' }), h('dd', { text: f.postName })));
  if (f.notes.length) sec.append(h('ul', { class: 'notes' }, ...f.notes.map((n) => h('li', { text: n }))));
  if (f.inputProblems.length) sec.append(h('ul', { class: 'input-problems' }, ...f.inputProblems.map((n) => h('li', { text: n }))));
  sec.append(renderChanges(f, fileIndex, !!v.patchName));
  const mx = h('section', { class: 'matrices', 'aria-label': `Before/after verdicts of ${f.label}` }, h('h3', { text: 'Verdicts before → after, per writepage entry' }));
  mx.append(
    h(
      'p',
      { class: 'legend' },
      ...(['fixed', 'introduced', 'mixed', 'unchanged', 'clean'] as CellStatus[]).map((s) => statusLabel(s, CELL_LABEL[s].glyph, CELL_LABEL[s].text)),
      h('span', { class: 'hint', text: 'Click a cell to list its changes.' }),
    ),
  );
  if (f.matrices.length === 0) mx.append(h('p', { class: 'hint', text: 'No writepage entry on either side.' }));
  f.matrices.forEach((m, mi) => mx.append(...renderMatrix(m, fileIndex, mi)));
  sec.append(mx);
  return sec;
}

function render(v: PatchView): void {
  byId('title').textContent = v.title;
  document.title = v.title;
  renderMeta(v);
  renderProblems(v);
  renderMentioned(v);
  const files = byId('files');
  files.replaceChildren(...v.files.flatMap((f, i) => [...(i ? [h('vscode-divider')] : []), renderFile(f, i, v)]));
  if (v.files.length === 0) files.replaceChildren(h('p', { class: 'hint', text: 'No C file of the patch was analysed.' }));
}

// -- messages --------------------------------------------------------------------------------------

function onMessage(ev: MessageEvent): void {
  const r = validatePatchHostMessage(ev.data);
  if (!r.ok) {
    log('error', `rejected a malformed message from the extension: ${r.error}`);
    return;
  }
  const msg: PatchHostMessage = r.value;
  if (msg.type === 'status') {
    setStatus(msg.message, msg.state === 'error' ? 'error' : msg.state === 'stale' ? 'stale' : 'info');
    return;
  }
  if (msg.version < app.version) return; // an older result arriving late
  const same = msg.version === app.version;
  app.version = msg.version;
  app.view = msg.view;
  if (!same) app.focus.clear();
  render(msg.view);
  const t = msg.view.totals;
  setStatus(`Analysed${t.fixed + t.introduced + t.unchanged === 0 ? ': no finding on either side' : ''}${msg.view.problems.length ? ` · ${plural(msg.view.problems.length, 'patch problem')}` : ''}`, msg.view.problems.length ? 'error' : 'info');
}

function main(): void {
  window.addEventListener('error', (e) => log('error', `script error: ${e.message} at ${e.filename}:${e.lineno}`));
  window.addEventListener('unhandledrejection', (e) => log('error', `unhandled rejection: ${String(e.reason)}`));
  buildSkeleton();
  window.addEventListener('message', onMessage);
  post({ type: 'ready' });
}

main();
