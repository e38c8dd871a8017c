// What a rule reads (one path's events, how it ended, the file's facts) and what it reports.
import type { Fact, LockOrder, OrderedData, RuleId, Severity } from '../api/types';
import type { Loc } from '../ir/ir';
import type { EventKind, EventSite, PathEvent } from '../interp/events';
import type { SimEnd } from '../interp/simulate';
import type { World } from '../interp/world';
import type { EntryKind } from '../scenarios/callers';

/** The premises the rules take from the analysed file (never constants of one filesystem or era). */
export interface RuleFacts {
  table: string;
  /** The file's lock order: journal-then-page when any table's write_begin shows it. */
  fileLockOrder: LockOrder;
  /** The table's own lock order and where it was learnt. */
  lockOrder: LockOrder;
  lockOrderLine: number | null;
  orderedData: OrderedData;
  /** Whether the file's writepage paths use a handle the task already holds (any table). */
  currentHandle: Fact<boolean>;
  /** Whether the file makes journal calls at all (a file without any allocates without a handle). */
  journal: Fact<boolean>;
}

export interface PathInput {
  world: World;
  events: readonly PathEvent[];
  end: SimEnd;
  /** The entry point of the scenario (its ->writepage, ->write_begin, ...). */
  entry: string;
  /** Which kind of entry it is: the ->writepage contract rules apply to writepage entries only. */
  entryKind: EntryKind;
  /** The lock the caller holds around the call (->set_page_dirty from zap_pte_range: the pte lock), when it holds one. */
  atomic?: string;
  /** ->invalidatepage's offset: the buffers wholly at or after it must be left clean. */
  invalidateOffset?: bigint;
  /** The blocks whose data was dirty when the entry was called. */
  dirtyAtEntry?: readonly number[];
  /** The kernel caller that drove the entry and the methods after it (generic_perform_write), when one did. */
  driver?: string;
  /** Where the entry returned (its last return statement, or its name). */
  returnLoc: Loc;
  facts: RuleFacts;
}

export interface RawFinding {
  rule: RuleId;
  severity: Severity;
  site: EventSite;
  message: string;
  summary: string;
  /** Trace length at the responsible step. */
  step: number;
  /** Number of the path's guesses made before the responsible step. */
  guesses: number;
}

export interface Rule {
  id: RuleId;
  check(path: PathInput): RawFinding[];
}

export function eventsOf<K extends EventKind>(path: PathInput, kind: K): Extract<PathEvent, { kind: K }>[] {
  return path.events.filter((e): e is Extract<PathEvent, { kind: K }> => e.kind === kind);
}

export function at(e: PathEvent, rule: RuleId, severity: Severity, message: string, summary: string): RawFinding {
  return { rule, severity, site: e.site, message, summary: summary.length > 80 ? `${summary.slice(0, 79)}…` : summary, step: e.step, guesses: e.guesses };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
