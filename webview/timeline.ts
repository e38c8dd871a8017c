// The commit-range timeline's UI (bundled to dist/timeline.js): commits (oldest first) as columns,
// the range's findings as rows; a cell says whether the finding is there after that commit, and
// a click opens its line at that commit. Talks only through src/shared/timelineProtocol.ts; every
// message is validated; file-derived text is set as text, never as HTML.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import './timeline.css';
import { type CellState, type TimelineHostMessage, type TimelineView, type TimelineWebviewMessage, validateTimelineHostMessage } from '../src/shared/timelineProtocol';

interface VsCodeApi {
  postMessage(msg: TimelineWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

let version = -1;

function post(msg: TimelineWebviewMessage): void {
  vscode.postMessage(msg);
}

function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

const GLYPH: Record<CellState, string> = { absent: '·', present: '●', introduced: '+', fixed: '✓', moved: '→', changed: '±' };
const WORD: Record<CellState, string> = { absent: 'absent', present: 'present', introduced: 'introduced', fixed: 'fixed', moved: 'moved (renamed function)', changed: 'scenarios changed' };

function render(view: TimelineView): void {
  const app = document.getElementById('app');
  if (!app) return;
  app.replaceChildren();
  app.append(h('h1', { id: 'title', text: view.title }));
  const intro = view.rows.filter((r) => r.introducedBy && !r.fixedBy).length;
  app.append(h('p', { id: 'meta', class: 'meta', text: `${view.range}: ${view.commits.length} commit(s) touching C files, ${view.rows.length} finding(s) over the range, ${intro} introduced and not fixed in it` }));
  for (const n of view.notes) app.append(h('p', { class: 'note', text: n }));
  app.append(h('p', { class: 'legend', text: `${GLYPH.introduced} introduced   ${GLYPH.fixed} fixed   ${GLYPH.present} present   ${GLYPH.moved} moved   ${GLYPH.changed} scenarios changed   ${GLYPH.absent} absent — click a cell to open the line at that commit` }));
  if (view.rows.length === 0) {
    app.append(h('p', { id: 'empty', class: 'meta', text: 'No finding in any commit of the range.' }));
    return;
  }
  const head = h('tr', {}, h('th', { class: 'finding', text: 'finding' }));
  for (const c of view.commits) head.append(h('th', { class: 'commit', scope: 'col', title: `${c.short} ${c.subject} (${c.author})`, 'data-commit': c.hash, text: `${c.short} ${c.subject}` }));
  const body = h('tbody');
  view.rows.forEach((r, ri) => {
    const story = `${r.introducedBy ? `introduced by ${r.introducedBy}` : 'older than the range'}${r.fixedBy ? `, fixed by ${r.fixedBy}` : ''}`;
    const label = h('th', { class: 'finding', scope: 'row', title: r.message }, h('vscode-badge', { text: r.severity }), ' ', h('span', { class: 'rule', text: r.rule }), ' in ', h('span', { class: 'fn', text: r.function }), ' ', h('span', { class: 'path', text: `${r.path} — ${story}` }));
    const tr = h('tr', { class: 'row', 'data-rule': r.rule, 'data-function': r.function, 'data-row': String(ri) }, label);
    r.cells.forEach((c, ci) => {
      const commit = view.commits[ci];
      const b = h('button', { class: 'cell', 'data-state': c.state, 'data-touched': String(c.touched), 'data-commit': commit.hash, 'data-line': c.line === null ? undefined : String(c.line), 'aria-label': `${r.rule} in ${r.function}: ${WORD[c.state]} at ${commit.short}${c.line ? `, line ${c.line}` : ''}`, title: `${WORD[c.state]} at ${commit.short} ${commit.subject}${c.line ? ` (line ${c.line}${c.state === 'fixed' ? ' before it' : ''})` : ''}`, text: GLYPH[c.state] }) as HTMLButtonElement;
      if (c.line === null) b.disabled = true;
      else b.addEventListener('click', () => post({ type: 'open', version, row: ri, commit: ci }));
      tr.append(h('td', {}, b));
    });
    body.append(tr);
  });
  app.append(h('table', { id: 'timeline' }, h('thead', {}, head), body));
}

function onMessage(ev: MessageEvent): void {
  const v = validateTimelineHostMessage(ev.data);
  if (!v.ok) {
    post({ type: 'log', level: 'error', message: `rejected a malformed message: ${v.error}`.slice(0, 1900) });
    return;
  }
  const msg: TimelineHostMessage = v.value;
  if (msg.type === 'view') {
    version = msg.version;
    render(msg.view);
    return;
  }
  let status = document.getElementById('status');
  if (!status) {
    status = h('p', { id: 'status', class: 'status', role: 'status' });
    document.getElementById('app')?.prepend(status);
  }
  status.className = `status status-${msg.state}`;
  status.textContent = msg.message;
}

window.addEventListener('message', onMessage);
post({ type: 'ready' });
