// The engine's public, serialisable result types: what the CLI prints as JSON, what the
// extension, the webview, the patch view and the tests read. Plain data only (no classes).
import type { FindingCounts } from './counts';

import type { CallerId, PageStateId, RuleId } from './ids';
export { CALLER_IDS, PAGE_STATE_IDS, RULE_IDS, type CallerId, type PageStateId, type RuleId } from './ids';

export type Severity = 'error' | 'warning' | 'info';

/** 1-based line and column; end is exclusive. */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A problem with the input itself: unreadable C, unknown macro, budget cut, ... */
export interface InputDiagnostic {
  severity: Severity;
  line: number;
  column: number;
  /** Short machine-readable kind, e.g. 'syntax', 'unknown-construct', 'budget', 'unresolved'. */
  kind: string;
  message: string;
  /** The scenarios (aops/caller/page) a `budget` diagnostic is about, when it is about runs. */
  scenarios?: string[];
}

export interface BufferSnapshot {
  /** Logical block number within the file. */
  block: number;
  /** Flags currently set, e.g. ["mapped","dirty","uptodate"]. */
  flags: string[];
}

/**
 * What a trace step is, so no consumer has to parse its text: a statement or condition of the
 * file, entering/returning from a function, a call, a fork between alternatives, an assumption
 * about an unknown value, a kernel model's effect, a kernel BUG, a finding's note.
 */
export type TraceKind = 'stmt' | 'enter' | 'return' | 'call' | 'fork' | 'assume' | 'model' | 'bug' | 'finding';

export interface TraceStep {
  /** Function whose source line this step is on (a model name for steps inside a model). */
  function: string;
  line: number;
  column: number;
  /** The step is in another file of the kernel tree (tree-relative path, root in ScenarioResult.tree); line/column are in it. */
  file?: string;
  /** What happened, in words: "call block_write_full_page", "get_block(create=1)", "BUG_ON fires". */
  event: string;
  kind: TraceKind;
  /** Call depth (0 = the writepage entry). */
  depth: number;
  pageLocked: boolean;
  /** Who opened the current task's journal handle, or null when the task holds none. */
  handleOwner: string | null;
  /** Credits left on that handle; null with no handle or when the count is unknown. */
  creditsLeft: number | null;
  /** null when the page has no buffer_heads attached. */
  buffers: BufferSnapshot[] | null;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Location of the responsible call. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Function that contains the responsible call. */
  function: string;
  message: string;
  /** The message's short form (at most 80 characters), for a Problems row or an end-of-line note. */
  summary?: string;
  /**
   * Results of unmodelled code (calls, unknown macros) that the path branched on and that the
   * finding depends on: it holds only if they are what the path assumed. Such a finding is at
   * most a warning. Empty when it holds whichever way the unknowns go. Always set by the engine.
   */
  assumptions?: Assumption[];
  /** Call chain from the writepage entry to the responsible call, outermost first. */
  stack: string[];
  /**
   * Line-independent identity of the responsible call inside its function: callee and its
   * occurrence ("ext4_get_blocks_wrap#0"), or "return#2" for a return statement.
   */
  anchor: string;
  trace: TraceStep[];
}

export interface Assumption {
  /** The unmodelled call (`S_ISLNK()`) or unknown identifier (`EXT4_EXTENTS_FL`). */
  name: string;
  line: number;
  /** What the path assumed it evaluates to, e.g. "true (non-zero)". */
  assumed: string;
}

export type OutcomeKind =
  | 'written'
  | 'redirtied'
  | 'dropped-beyond-eof'
  | 'bug'
  | 'data-lost'
  | 'returned-locked'
  | 'error'
  | 'truncated';

export interface PathSummary {
  id: number;
  outcome: OutcomeKind;
  /** Human text, e.g. "written (3 blocks submitted)" or "BUG at line 2010". */
  description: string;
  /** The choices taken at each fork, in words ("ext4_get_blocks_wrap: -ENOSPC"). */
  choices: string[];
  returnValue: string | null;
  /** Rules of the findings this path produced. */
  rules: RuleId[];
  /** Its steps, with a `finding` step after each finding's; empty when `replay` is set. */
  trace: TraceStep[];
  /**
   * Set when the analysis made no path trace (AnalyzeOptions.pathTraces 'on-demand'): the option
   * taken at each fork, from which `PathTraces.trace` (analyze.ts) rebuilds the same trace.
   */
  replay?: number[];
  /** With `replay`: the functions the trace would show entered (an `enter` step), in order of first entry. */
  entered?: string[];
}

export interface RunResult {
  /** The address_space_operations table, or for a `faultEntries` row the vm_operations_struct. */
  aops: string;
  entry: string;
  caller: CallerId;
  page: PageStateId;
  /** Number of paths explored. */
  paths: number;
  truncated: boolean;
  /** Why the run was cut, when truncated. */
  truncation: string[];
  /** outcome -> number of paths that ended that way. */
  outcomes: Partial<Record<OutcomeKind, number>>;
  findings: Finding[];
  /** How the caller was set up for this table (its call chain, or what its write_begin showed). */
  callerNote: string;
  /** Up to `maxPathDetails` explored paths with their traces (for the stepper). */
  pathDetails: PathSummary[];
  /** Findings a suppression (a `kpr-ignore` comment or the config file) moved out of `findings`. */
  suppressed?: SuppressedFinding[];
}

/** Where a suppression came from and why (src/engine/suppress). */
export interface Suppression {
  kind: 'inSource' | 'external';
  /** The reason written after the rule id; '' when none was given (a warning says so). */
  reason: string;
  /** In-source: the comment's line; external: the config file's path. */
  line: number | null;
  file: string | null;
}

export interface SuppressedFinding extends Finding {
  suppression: Suppression;
}

export interface EntryInfo {
  aops: string;
  writepage: string;
  line: number;
  /** Mount configuration under which the file's own code selects this table, when known. */
  mode: string | null;
  delalloc: boolean | null;
  /** Whether direct reclaim inside this table's write_begin can reach ->writepage with a handle held, and why. */
  reclaimInWriteBegin: { applicable: boolean; note: string } | null;
  /** Premises of the rules, learnt from this file's source (docs/rules.md, "Facts"). */
  facts: TableFactsInfo;
}

/** One fact of the file, with the line it was learnt from (null when none) and why it holds. */
export interface Fact<T> {
  value: T;
  line: number | null;
  why: string;
}

export type LockOrder = 'journal-then-page' | 'page-then-journal' | 'unknown';
export type OrderedData = 'inode' | 'buffer' | 'none';

export interface TableFactsInfo {
  /** Whether the table's ->write_begin (or ->prepare_write path) starts or holds a handle before it grabs/locks the page. */
  lockOrder: Fact<LockOrder>;
  /** How ordered data reaches the disk: inodes handed to the journal (the commit calls ->writepage), data buffers journalled, or neither. */
  orderedData: Fact<OrderedData>;
  /** Credits the table's ->writepages starts its handle with. */
  writebackCredits: Fact<number | 'unknown'>;
  /** Whether the table's writepage paths use a handle the task already holds (`*journal_current_handle()`). */
  currentHandle?: Fact<boolean>;
}

export interface CallbackPath {
  /** What the callback passes as `create` to the allocation primitive on this path. */
  create: string;
  /** Allocation primitive called, with line. */
  primitive: string;
  line: number;
}

export interface CallbackInfo {
  name: string;
  line: number;
  column: number;
  /** Primitives or in-file functions this callback is passed to. */
  passedTo: { callee: string; line: number; function: string }[];
  /** Values of `create` handed to the allocation primitive, per explored path (distinct). */
  createValues: string[];
  /** Whether any path of the callback starts a journal handle. */
  startsHandle: boolean;
  /** Writepage entries that reach it, and through which primitive. */
  reachedFrom: { aops: string; writepage: string; via: string }[];
  /** False when a budget cut the callback's own exploration: createValues/startsHandle are then partial. */
  complete: boolean;
}

export interface UnmodelledCall {
  name: string;
  line: number;
  /** What the engine assumed for its result. */
  assumed: string;
}

export interface FunctionInfo {
  name: string;
  line: number;
  endLine: number;
  /** In-file functions called directly or through function-pointer arguments. */
  calls: string[];
}

export interface ScenarioResult {
  file: string;
  entries: EntryInfo[];
  callbacks: CallbackInfo[];
  runs: RunResult[];
  unmodelled: UnmodelledCall[];
  diagnostics: InputDiagnostic[];
  functions: FunctionInfo[];
  timing: { parseMs: number; analysisMs: number };
  /** Where the file's functions and ops tables are defined and used (src/engine/navigation). */
  symbols?: SymbolIndex;
  /** Counts by the one definition of a finding (rule × responsible call), src/engine/api/counts.ts. */
  summary?: FindingCounts;
  /** The filesystem and kernel era the file looks like (src/engine/facts/filesystem.ts): a description, never a rule's premise. */
  filesystem?: FilesystemInfo;
  /** What each call on each ->writepage path is bound to (src/engine/binding/callBindings.ts), as `kpr models` prints it. */
  bindings?: PathBindings[];
  /** Every direct call of the file, bound the same way (the editor's hover on a call). */
  callBindings?: CallBinding[];
  /** The kernel tree the file was preprocessed with (kernel-tree mode), src/engine/tree. */
  tree?: TreeInfo;
  /**
   * The vm_operations_struct tables whose ->page_mkwrite the file defines and none of its
   * address_space_operations tables runs (src/engine/vmOpsTables.ts): their runs (caller
   * `page-fault` only) have `aops` = the vm_operations_struct's name. Absent when there are none.
   */
  faultEntries?: FaultEntryInfo[];
}

/** A vm_operations_struct row: the write fault runs its ->page_mkwrite; what an aops table would tell is not known. */
export interface FaultEntryInfo {
  /** The vm_operations_struct's name (the `aops` of its runs). */
  vmOps: string;
  line: number;
  pageMkwrite: string;
  pageMkwriteLine: number;
  /** Why the row exists and what it does not know (the data mode and delalloc are guesses of its paths). */
  note: string;
}

/** The filesystem and era a file looks like, learnt from its names, journal calls and dated interfaces. */
export interface FilesystemInfo {
  /** The prefix most of its function and table names share (ext3, ocfs2...), or null. */
  name: string | null;
  /** The journal layer of its journal calls: jbd2, jbd, gfs2 log, reiserfs journal, none... */
  journal: string;
  /** The kernel versions whose interfaces it uses, as a phrase ("2.6.27–2.6.28", "2.6.32 or later ..."). */
  era: string;
  eraFrom: string | null;
  eraTo: string | null;
  /** Why: each a line of the file (or null) and the reason. */
  evidence: { line: number | null; why: string }[];
}

/** The binding of one call on a ->writepage path: a model (and its family), a function of the file, indirect, unmodelled. */
export interface CallBinding {
  name: string;
  line: number;
  column: number;
  /** The function of the file the call is in. */
  function: string;
  kind: 'model' | 'function' | 'indirect' | 'unmodelled';
  /** For a model: its family (journal, allocation, the families of ext2/ext3/ocfs2/gfs2/reiserfs...). */
  family?: string;
  /** For a model: what it does. */
  doc?: string;
}

export interface PathBindings {
  table: string;
  writepage: string;
  /** The functions of the file reached from ->writepage (calls and get_block callbacks passed). */
  functions: string[];
  calls: CallBinding[];
}

/** How the kernel-tree mode preprocessed a file. */
export interface TreeInfo {
  root: string;
  /** `2.6.27`, from the tree's Makefile; null when it has none readable. */
  version: string | null;
  arch: string;
  /** Kconfig overrides over the default configuration. */
  config: Record<string, string>;
  /** Headers read (the file's includes, transitively). */
  headers: number;
  /** Macros defined at the end of the file. */
  macros: number;
  /** Lines of the file where a macro of the tree was expanded. */
  expandedLines: number;
  preprocessMs: number;
  /** Functions the analysis ran from the tree's own source, instead of a model or unknown. */
  primitives: { name: string; file: string; line: number }[];
}

/** How an identifier naming an in-file function (or an ops field) is used. */
export type SymbolUseKind =
  /** `foo(...)` */
  | 'call'
  /** `bar(page, foo, wbc)`, `fp = foo`, `&foo`: the function as a value */
  | 'pointer'
  /** `.writepage = foo` in a struct initialiser */
  | 'table-member'
  /** `mapping->a_ops->writepage(...)`: `name` is the field */
  | 'ops-call';

export interface SymbolUse {
  name: string;
  kind: SymbolUseKind;
  line: number;
  column: number;
  endColumn: number;
  /** Function containing the use; '' at file level (table initialisers). */
  function: string;
  /** 'pointer' passed as an argument: the called function and the argument's index. */
  callee?: string;
  argIndex?: number;
  /** 'table-member': the table and field. */
  table?: string;
  field?: string;
}

export interface FunctionSymbol {
  name: string;
  /** The name's position. */
  line: number;
  column: number;
  endColumn: number;
  /** The whole definition. */
  startLine: number;
  endLine: number;
  endLineColumn: number;
  isStatic: boolean;
}

export interface TableMemberSymbol {
  field: string;
  /** `.field`'s position (the identifier after the dot). */
  line: number;
  column: number;
  endColumn: number;
  /** The function it is set to, when it is an in-file or named function. */
  value: string | null;
  valueLine: number;
  valueColumn: number;
  valueEndColumn: number;
}

export interface TableSymbol {
  name: string;
  structType: string;
  line: number;
  column: number;
  endColumn: number;
  startLine: number;
  endLine: number;
  endLineColumn: number;
  members: TableMemberSymbol[];
}

export interface SymbolIndex {
  functions: FunctionSymbol[];
  tables: TableSymbol[];
  uses: SymbolUse[];
}

export type ChangeStatus = 'fixed' | 'introduced' | 'unchanged';

export interface FindingChange {
  status: ChangeStatus;
  rule: RuleId;
  severity: Severity;
  aops: string;
  entry: string;
  caller: CallerId;
  page: PageStateId;
  function: string;
  anchor: string;
  message: string;
  preLine: number | null;
  postLine: number | null;
  /** Line in the patch file: the `-` line of a fixed finding, the `+` line of an introduced one (when inside a hunk). */
  patchLine?: number | null;
  /** The commit message names the finding's function or entry. */
  mentioned?: boolean;
  /** Set on an unchanged finding whose function was moved (renamed) by the change: its old name. */
  movedFrom?: string;
  /**
   * Set on an unchanged finding whose responsible call the change renamed (`__grab_cache_page` →
   * `grab_cache_page_write_begin`): its anchor in the pre-image.
   */
  anchorFrom?: string;
}

export interface DiffResult {
  pre: ScenarioResult;
  post: ScenarioResult;
  changes: FindingChange[];
}

export interface PatchProblem {
  /** 1-based line in the patch file. */
  line: number;
  message: string;
}

export interface PatchFileResult extends DiffResult {
  oldPath: string;
  newPath: string;
  /** Hunks applied, with GNU patch's offset and fuzz. */
  applied: { hunk: number; offset: number; fuzz: number; oldLine: number; newLine: number }[];
}

export interface PatchResult {
  subject: string | null;
  message: string | null;
  author: string | null;
  /** Functions the commit message names (globs like ext4_*_writepage expanded against the file). */
  mentionedFunctions: string[];
  files: PatchFileResult[];
  /** Files of the patch that were not analysed (not C, binary, no base given), and why. */
  skipped: { path: string; reason: string }[];
  /** Malformed patch text and hunks that did not apply, located in the patch file. */
  problems: PatchProblem[];
}

export interface Budgets {
  /** Interpreter steps per path before the path is cut (loops). */
  stepsPerPath: number;
  /** Paths explored per run before the run is cut (path explosion). */
  pathsPerRun: number;
  /** Maximum depth of interpreted calls (recursion). */
  callDepth: number;
  /**
   * Wall-clock milliseconds for one whole file: a guard only, generous by default. Runs are cut
   * by the step, path and fork budgets (deterministic); past this limit the analysis stops and
   * says it is incomplete (a `budget` diagnostic), so only a hung machine sees it.
   */
  timePerFileMs: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  stepsPerPath: 20000,
  pathsPerRun: 256,
  callDepth: 32,
  timePerFileMs: 120000,
};

export interface MountOptions {
  nobh: boolean;
}

export interface AnalyzeOptions {
  budgets?: Partial<Budgets>;
  /** Restrict runs to these (all when absent). */
  aops?: string[];
  callers?: CallerId[];
  pages?: PageStateId[];
  mount?: Partial<MountOptions>;
  /** How many paths per run keep their full trace (default 8). */
  maxPathDetails?: number;
  /**
   * 'recorded' (default): each kept path (`pathDetails`) comes with its trace. 'on-demand': with its
   * choices (`replay`) instead, its trace made only when asked (`pathTraces` in analyze.ts), by
   * running the path again: what a view that shows no path (diagnostics, SARIF, text) needs.
   * Findings, outcomes and findings' own traces are the same either way.
   */
  pathTraces?: 'recorded' | 'on-demand';
  /**
   * Kernel-tree mode (src/engine/tree/analyzeInTree): the tree the file is inside, the file's path
   * on disk and Kconfig overrides. Read by the callers that run analyzeInTree (worker, CLI).
   */
  tree?: { root: string; path: string; config?: Record<string, string> };
}
