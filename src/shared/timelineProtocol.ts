// The commit-range timeline's message protocol (extension <-> webview), shared by both sides:
// the view model (commits x findings) and every message, each validated field by field on receipt.
import { arrOf, bool, fail, int, nullable, obj, oneOf, only, str, type Validated, wrap } from './validate';

export const TIMELINE_VIEW_TYPE = 'kpr.timeline';
const MAX_TEXT = 2000;
const MAX_LINE = 10_000_000;
const MAX_ITEMS = 5000;

export const CELL_STATES = ['absent', 'present', 'introduced', 'fixed', 'moved', 'changed'] as const;
export type CellState = (typeof CELL_STATES)[number];
export const SEVERITIES = ['error', 'warning', 'info'] as const;

export interface TimelineCommit {
  hash: string;
  short: string;
  subject: string;
  author: string;
  /** Files of the commit the timeline analysed (C files). */
  files: number;
}

export interface TimelineCell {
  state: CellState;
  /** Whether the commit touched the finding's file. */
  touched: boolean;
  /** Line of the finding in the file at this commit (after it; before it for `fixed`), or null. */
  line: number | null;
}

export interface TimelineRow {
  rule: string;
  severity: (typeof SEVERITIES)[number];
  function: string;
  path: string;
  message: string;
  /** Short hashes, or null (older than the range / still present). */
  introducedBy: string | null;
  fixedBy: string | null;
  cells: TimelineCell[];
}

export interface TimelineView {
  title: string;
  range: string;
  commits: TimelineCommit[];
  rows: TimelineRow[];
  notes: string[];
}

export type TimelineHostMessage = { type: 'view'; version: number; view: TimelineView } | { type: 'status'; state: 'running' | 'done' | 'failed'; message: string };

export type TimelineWebviewMessage = { type: 'ready' } | { type: 'open'; version: number; row: number; commit: number } | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

function commitOf(v: unknown, p: string): TimelineCommit {
  const o = obj(v, p);
  only(o, ['hash', 'short', 'subject', 'author', 'files'], p);
  return { hash: str(o.hash, `${p}.hash`, 64), short: str(o.short, `${p}.short`, 64), subject: str(o.subject, `${p}.subject`, MAX_TEXT), author: str(o.author, `${p}.author`, MAX_TEXT), files: int(o.files, `${p}.files`, 0, MAX_ITEMS) };
}

function cellOf(v: unknown, p: string): TimelineCell {
  const o = obj(v, p);
  only(o, ['state', 'touched', 'line'], p);
  return { state: oneOf(o.state, CELL_STATES, `${p}.state`), touched: bool(o.touched, `${p}.touched`), line: nullable(o.line, `${p}.line`, (x, q) => int(x, q, 1, MAX_LINE)) };
}

function rowOf(v: unknown, p: string, commits: number): TimelineRow {
  const o = obj(v, p);
  only(o, ['rule', 'severity', 'function', 'path', 'message', 'introducedBy', 'fixedBy', 'cells'], p);
  const cells = arrOf(o.cells, `${p}.cells`, cellOf);
  if (cells.length !== commits) fail(`${p}.cells`, `${cells.length} cells for ${commits} commits`);
  return {
    rule: str(o.rule, `${p}.rule`, 200),
    severity: oneOf(o.severity, SEVERITIES, `${p}.severity`),
    function: str(o.function, `${p}.function`, 500),
    path: str(o.path, `${p}.path`, MAX_TEXT),
    message: str(o.message, `${p}.message`, MAX_TEXT * 4),
    introducedBy: nullable(o.introducedBy, `${p}.introducedBy`, (x, q) => str(x, q, 64)),
    fixedBy: nullable(o.fixedBy, `${p}.fixedBy`, (x, q) => str(x, q, 64)),
    cells,
  };
}

export function validateTimelineView(v: unknown, p = 'view'): TimelineView {
  const o = obj(v, p);
  only(o, ['title', 'range', 'commits', 'rows', 'notes'], p);
  const commits = arrOf(o.commits, `${p}.commits`, commitOf);
  if (commits.length > MAX_ITEMS) fail(`${p}.commits`, 'too many');
  return {
    title: str(o.title, `${p}.title`, MAX_TEXT),
    range: str(o.range, `${p}.range`, MAX_TEXT),
    commits,
    rows: arrOf(o.rows, `${p}.rows`, (x, q) => rowOf(x, q, commits.length)),
    notes: arrOf(o.notes, `${p}.notes`, (x, q) => str(x, q, MAX_TEXT)),
  };
}

export function validateTimelineHostMessage(v: unknown): Validated<TimelineHostMessage> {
  return wrap(() => {
    const o = obj(v, 'message');
    const type = oneOf(o.type, ['view', 'status'] as const, 'message.type');
    if (type === 'view') {
      only(o, ['type', 'version', 'view'], 'message');
      return { type, version: int(o.version, 'message.version', 0, Number.MAX_SAFE_INTEGER), view: validateTimelineView(o.view, 'message.view') };
    }
    only(o, ['type', 'state', 'message'], 'message');
    return { type, state: oneOf(o.state, ['running', 'done', 'failed'] as const, 'message.state'), message: str(o.message, 'message.message', MAX_TEXT) };
  });
}

export function validateTimelineWebviewMessage(v: unknown): Validated<TimelineWebviewMessage> {
  return wrap(() => {
    const o = obj(v, 'message');
    const type = oneOf(o.type, ['ready', 'open', 'log'] as const, 'message.type');
    if (type === 'ready') {
      only(o, ['type'], 'message');
      return { type };
    }
    if (type === 'open') {
      only(o, ['type', 'version', 'row', 'commit'], 'message');
      return { type, version: int(o.version, 'message.version', 0, Number.MAX_SAFE_INTEGER), row: int(o.row, 'message.row', 0, MAX_ITEMS * 100), commit: int(o.commit, 'message.commit', 0, MAX_ITEMS) };
    }
    only(o, ['type', 'level', 'message'], 'message');
    return { type, level: oneOf(o.level, ['info', 'warn', 'error'] as const, 'message.level'), message: str(o.message, 'message.message', MAX_TEXT) };
  });
}
