// The timeline's view model: commits (oldest first) x findings of the range, each cell saying
// whether the finding is there after that commit and where. No vscode import (unit-tested); the
// stories come from the engine's pure story builder (imported alone: the extension bundle does
// not carry the engine, which runs in dist/analysisWorker.js).
import type { FindingChange } from '../../engine/api/types';
import { buildStories, type FindingStory, type SeriesCommitChanges } from '../../engine/diff/story';
import type { CellState, TimelineCell, TimelineRow, TimelineView } from '../../shared/timelineProtocol';

export interface RangeCommit {
  hash: string;
  parent: string;
  subject: string;
  author: string;
  files: { path: string; oldPath: string; changes: FindingChange[] }[];
}

const EVENT_STATE: Record<string, CellState> = { introduced: 'introduced', fixed: 'fixed', moved: 'moved', widened: 'changed', narrowed: 'changed' };

function cells(story: FindingStory, commits: RangeCommit[]): TimelineCell[] {
  const at = new Map(story.at.map((a) => [a.index, a]));
  let present = story.presentBefore;
  let line: number | null = story.at[0]?.preLine ?? null;
  return commits.map((_, i) => {
    const a = at.get(i);
    if (!a) return { state: present ? 'present' : 'absent', touched: false, line: present ? line : null };
    const ev = story.events.filter((e) => e.index === i);
    const kinds = ev.map((e) => e.kind);
    const state: CellState = kinds.includes('introduced') ? 'introduced' : kinds.includes('fixed') ? 'fixed' : kinds.includes('moved') ? 'moved' : kinds.length ? EVENT_STATE[kinds[0]] : a.present ? 'present' : 'absent';
    present = a.present;
    line = a.line;
    return { state, touched: true, line: a.present || state === 'fixed' ? a.line : null };
  });
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

export function buildTimelineView(title: string, range: string, commits: RangeCommit[], notes: string[]): TimelineView {
  const series: SeriesCommitChanges[] = commits.map((c, index) => ({ index, hash: c.hash, subject: c.subject, files: c.files }));
  const stories = buildStories(series);
  const short = (h: string | null): string | null => (h ? h.slice(0, 12) : null);
  const rows: TimelineRow[] = stories
    .map((s) => ({ s, first: s.events[0]?.index ?? -1 }))
    .sort((a, b) => a.first - b.first || SEVERITY_RANK[a.s.severity] - SEVERITY_RANK[b.s.severity] || a.s.rule.localeCompare(b.s.rule) || a.s.function.localeCompare(b.s.function))
    .map(({ s }) => ({
      rule: s.rule,
      severity: s.severity,
      function: s.function,
      path: s.path,
      message: s.message,
      introducedBy: short(s.introducedBy),
      fixedBy: s.presentAtEnd ? null : short(s.fixedBy),
      cells: cells(s, commits),
    }));
  return {
    title,
    range,
    commits: commits.map((c) => ({ hash: c.hash, short: c.hash.slice(0, 12), subject: c.subject, author: c.author, files: c.files.length })),
    rows,
    notes,
  };
}
