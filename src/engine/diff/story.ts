// The story of every finding over an ordered series of commits: which commit introduced it, which
// fixed it, where its function moved. Pure: per-commit changes in, stories out.
import type { FindingChange, RuleId, Severity } from '../api/types';

export interface SeriesCommitChanges {
  /** Position in the whole range (oldest first); shards keep it so their results merge in order. */
  index: number;
  hash: string;
  subject: string;
  files: { path: string; oldPath: string; changes: FindingChange[]; truncatedRuns?: number }[];
}

export type StoryEventKind = 'introduced' | 'fixed' | 'moved' | 'widened' | 'narrowed';

export interface StoryEvent {
  kind: StoryEventKind;
  commit: string;
  index: number;
  subject: string;
  /** Scenarios (aops/caller/page) holding the finding after the commit (before it, for `fixed`). */
  scenarios: string[];
  /** Line after the commit (before it, for `fixed`). */
  line: number | null;
  /** For `moved`: the function's previous name. */
  from?: string;
  /** A budget cut some scenario runs of this commit's file: the event may be the cut's doing. */
  cut?: true;
}

export interface FindingStory {
  path: string;
  rule: RuleId;
  severity: Severity;
  /** The function's name at the end of the story (after any move). */
  function: string;
  anchor: string;
  message: string;
  /** Present in the pre-image of the first commit that touched its file: older than the range. */
  presentBefore: boolean;
  /** Present after the last commit that touched its file (a commit that does not list it: absent). */
  presentAtEnd: boolean;
  /** The commit of the last `introduced` event (null when older than the range). */
  introducedBy: string | null;
  /** The commit that removed it for good (null when still present at the end). */
  fixedBy: string | null;
  /** Line at the end of the story (in the last image that has it). */
  line: number | null;
  events: StoryEvent[];
  /**
   * Every commit that touched the story's file, in order: whether the finding is present after it,
   * its line there (after the commit; before it when absent after), and its line before it.
   */
  at: { index: number; present: boolean; line: number | null; preLine: number | null }[];
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function scenario(c: FindingChange): string {
  return `${c.aops}/${c.caller}/${c.page}`;
}

function key(path: string, rule: string, fn: string, anchor: string): string {
  return `${path}|${rule}|${fn}|${anchor}`;
}

export function buildStories(commits: SeriesCommitChanges[]): FindingStory[] {
  const stories = new Map<string, FindingStory>();
  const all: FindingStory[] = [];
  for (const commit of [...commits].sort((a, b) => a.index - b.index)) {
    for (const file of commit.files) {
      const groups = new Map<string, FindingChange[]>();
      for (const c of file.changes) {
        const k = key(file.path, c.rule, c.function, c.anchor);
        groups.set(k, [...(groups.get(k) ?? []), c]);
      }
      const listed = new Set<FindingStory>();
      for (const [k, cs] of groups) {
        const first = cs[0];
        const pre = cs.filter((c) => c.status !== 'introduced');
        const post = cs.filter((c) => c.status !== 'fixed');
        const movedFrom = cs.find((c) => c.movedFrom)?.movedFrom;
        // A call the commit renamed: the story goes on under the new anchor.
        const oldAnchor = cs.find((c) => c.anchorFrom)?.anchorFrom ?? first.anchor;
        const oldKey = movedFrom ? key(file.oldPath, first.rule, movedFrom, oldAnchor) : file.oldPath !== file.path || oldAnchor !== first.anchor ? key(file.oldPath, first.rule, first.function, oldAnchor) : k;
        let story = stories.get(oldKey) ?? stories.get(k);
        const ev = (kind: StoryEventKind, list: FindingChange[], from?: string): StoryEvent => ({
          kind,
          commit: commit.hash,
          index: commit.index,
          subject: commit.subject,
          scenarios: [...new Set(list.map(scenario))].sort(),
          line: kind === 'fixed' ? (list[0]?.preLine ?? null) : (list[0]?.postLine ?? null),
          ...(from ? { from } : {}),
          ...(file.truncatedRuns ? { cut: true as const } : {}),
        });
        if (!story) {
          story = {
            path: file.path,
            rule: first.rule,
            severity: first.severity,
            function: first.function,
            anchor: first.anchor,
            message: first.message,
            presentBefore: pre.length > 0,
            presentAtEnd: false,
            introducedBy: null,
            fixedBy: null,
            line: null,
            events: [],
            at: [],
          };
          all.push(story);
        }
        stories.delete(oldKey);
        stories.set(k, story);
        listed.add(story);
        story.path = file.path;
        story.function = first.function;
        story.anchor = first.anchor;
        for (const c of cs) if (SEVERITY_RANK[c.severity] < SEVERITY_RANK[story.severity]) story.severity = c.severity;
        const before = new Set(pre.map(scenario));
        const after = new Set(post.map(scenario));
        if (movedFrom) story.events.push(ev('moved', post, movedFrom));
        if (before.size === 0 && after.size > 0) {
          story.events.push(ev('introduced', post));
          story.introducedBy = commit.hash;
          story.fixedBy = null;
        } else if (before.size > 0 && after.size === 0) {
          story.events.push(ev('fixed', pre));
          story.fixedBy = commit.hash;
        } else if ([...after].some((s) => !before.has(s))) story.events.push(ev('widened', post));
        else if ([...before].some((s) => !after.has(s))) story.events.push(ev('narrowed', post));
        story.presentAtEnd = after.size > 0;
        story.at.push({ index: commit.index, present: after.size > 0, line: after.size > 0 ? (post[0].postLine ?? null) : (pre[0]?.preLine ?? null), preLine: pre[0]?.preLine ?? null });
        story.line = after.size > 0 ? (post[0].postLine ?? null) : (pre[0]?.preLine ?? null);
        if (after.size > 0) story.message = post[0].message;
      }
      // A commit lists every finding of its file's two images, unchanged ones too: a story of the
      // file it does not list is absent after it. In a range with merged branches that is how a
      // finding fixed on one line and still present on a branch forked before the fix ends: absent
      // at the end, fixed by the fix, the branch's commits present in `at` without an event.
      for (const story of new Set(stories.values())) {
        if (listed.has(story) || (story.path !== file.path && story.path !== file.oldPath)) continue;
        const last = story.at[story.at.length - 1];
        if (!last?.present) continue;
        story.presentAtEnd = false;
        story.at.push({ index: commit.index, present: false, line: null, preLine: null });
      }
    }
  }
  return all;
}
