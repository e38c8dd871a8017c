// The state of one simulated path: the kernel objects, the current task's journal handle,
// and what the path produced (trace, typed kernel events, guesses, unmodelled calls).
// Rebuilt for every path. Findings are not made here: rules read the events (src/engine/checks).
import type { BufferSnapshot, TraceKind, TraceStep } from '../api/types';
import type { Loc } from '../ir/ir';
import type { Handle, Inode, Page, SuperBlock } from '../models/objects';
import { freshId } from '../models/objects';
import type { EventSite, HandleView, KernelEvent, PathEvent } from './events';
import { PathEnd } from './modelApi';
import type { Range } from './ranges';
import { int, KObj, obj, type Value } from './values';

/** A branch the path took on the result of code the engine does not model (an assumption). */
export interface Guess {
  /** The unmodelled call or unknown macro, e.g. "S_ISLNK()" or "EXT4_EXTENTS_FL". */
  name: string;
  line: number;
  /** The value the path assumed: "true (non-zero)" or "false (zero)". */
  assumed: string;
  /**
   * For a branch on a guessed value: the unknown's key and the way the path took. Paths that took
   * both ways and agree on every other guess show a finding that does not rest on this one.
   */
  branch?: { key: string; taken: boolean };
  /** The page state's own premise (PageStateDef.premise), made before the entry ran. */
  premise?: boolean;
}

export function handleView(h: Handle | null): HandleView | null {
  if (!h) return null;
  return { owner: h.owner, credits: h.credits, initialCredits: h.initialCredits, purpose: h.purpose, paysForWriteback: h.paysForWriteback, startedInPath: h.startedInPath };
}

export interface MountConfig {
  /** 'ordered' | 'writeback' | 'journal': the first of `modes`. */
  dataMode: string;
  options: Set<string>;
  /** Every data mode the file selects this table under: a path that asks picks one (a fork). */
  modes?: string[];
  /** Mount options that may be on or off under this table (e.g. NOBH): a path that tests one forks. */
  maybe?: Set<string>;
  /**
   * When the file does not tell the mount (a vm_operations_struct row, vmOpsTables.ts): the data
   * mode and `options` (of `maybe`) are guesses of the path that asks, and `why` says why.
   */
  guessed?: { why: string; options: Set<string> };
}

export class World {
  readonly trace: TraceStep[] = [];
  /** What the kernel models did on this path, in order (the rules' input). */
  readonly events: PathEvent[] = [];
  /** Branches taken on unmodelled results, in order. */
  readonly guesses: Guess[] = [];
  /** Metadata buffers already charged to the running transaction (jbd2's b_modified). */
  readonly journalled = new Set<string>();
  readonly unmodelled = new Map<string, { name: string; line: number; assumed: string }>();
  /** Memoised objects behind unknown pointers, by unknown key (consistent within the path). */
  readonly unknownObjects = new Map<string, KObj>();
  /** What an unmodelled call returned on this path, by callee and arguments (Interp.sameCallKey). */
  readonly callResults = new Map<string, { value: Value; line: number }>();
  /** Decisions already taken about unknown values, by key. */
  readonly assumptions = new Map<string, boolean>();
  /** What the decisions so far imply about unknown integers, by key (interp/ranges.ts). */
  readonly ranges = new Map<string, Range>();
  /** Mount configuration picked on this path, by key (data mode index), when a table is used under several. */
  readonly mountChoices = new Map<string, number>();
  traceCut = false;
  unknownCounter = 0;
  /** Numbers of objects named in trace text, by first mention on this path (never a process-wide id). */
  private readonly serials = new WeakMap<object, number>();
  /** Keys of derived unknowns, interned: `(k1 + k2)` of two keys becomes one short key. */
  private readonly derivedKeys = new Map<string, string>();
  /** Set when the path took a failure after which losing writes is the kernel's design (journal abort). */
  fatalByDesign: string | null = null;
  /** Failures a model was told to inject on this path (journal abort, ENOSPC, I/O error...). */
  readonly injected: string[] = [];
  /** get_block callbacks the models called, and through which primitive. */
  readonly getBlockCalls: { callback: string; via: string }[] = [];
  /** Calls of the allocation primitive: who called it and what `create` it passed. */
  readonly allocCalls: { stack: string[]; create: string; primitive: string; line: number }[] = [];

  /** Pages this task locked besides the page under writeback (write_begin's grabbed page). */
  readonly heldPages: Page[] = [];

  /** The current task (`current`): its flags, and journal_info = the handle it holds. */
  readonly task: KObj;

  constructor(
    readonly page: Page,
    readonly inode: Inode,
    readonly sb: SuperBlock,
    readonly wbc: KObj,
    public handle: Handle | null,
    readonly mount: MountConfig,
    readonly maxTrace: number,
    taskFlags = 0,
  ) {
    this.task = new TaskObj(this);
    this.task.set('flags', int(taskFlags));
  }

  /** Whether the task holds a page lock (the page under writeback or one it grabbed). */
  holdsPageLock(): boolean {
    return this.page.locked || this.heldPages.some((p) => p.locked);
  }

  /** The number of `o` on this path (1, 2, ... by first mention): the same whatever ran before in the process. */
  serial(o: object): number {
    let n = this.serials.get(o);
    if (n === undefined) this.serials.set(o, (n = this.serialCount++));
    return n;
  }

  private serialCount = 1;

  /**
   * The key of an unknown derived from others (`(a + b)`, `-a`, `(a == b)`): the same parts give
   * the same key on this path, and keys stay short however deep a loop nests them.
   */
  derivedKey(parts: string): string {
    let k = this.derivedKeys.get(parts);
    if (k === undefined) {
      k = `#${this.derivedKeys.size}`;
      this.derivedKeys.set(parts, k);
    }
    return k;
  }

  snapshotBuffers(): BufferSnapshot[] | null {
    if (!this.page.buffers) return null;
    return this.page.bufferList().map((bh) => ({ block: bh.lblk, flags: [...bh.flags].filter((f) => f !== 'locked' && f !== 'req') }));
  }

  /** The last snapshot, shared by the steps after it while the buffers stay the same. */
  private lastBuffers: BufferSnapshot[] | null = null;

  /** The buffers now, as the previous step's snapshot object when nothing changed (traces share it). */
  private buffersForStep(): BufferSnapshot[] | null {
    if (!this.page.buffers) return (this.lastBuffers = null);
    const list = this.page.bufferList();
    const last = this.lastBuffers;
    if (last && last.length === list.length && list.every((bh, i) => sameFlags(last[i], bh.lblk, bh.flags))) return last;
    return (this.lastBuffers = this.snapshotBuffers());
  }

  /** Records a kernel event (and its trace step). */
  emit(e: KernelEvent, site: EventSite, text: string, fn: string, depth: number): void {
    this.step(fn, site.loc, text, depth, e.kind === 'bug' ? 'bug' : 'model');
    // The model's event literal becomes the path's event (no copy: every model passes a fresh literal).
    const pe = e as PathEvent;
    pe.site = site;
    pe.step = this.stepIndex;
    pe.guesses = this.guesses.length;
    this.events.push(pe);
    if (this.stopOn?.(pe)) throw new PathEnd('stopped', `stopped at ${e.kind}`);
  }

  /** Ends the path once this returns true for an event (a fact-finding run got its answer). */
  stopOn?: (e: PathEvent) => boolean;

  /**
   * Whether steps are stored in `trace`. A path that is not recorded counts its steps all the
   * same (events carry the same step numbers, `traceCut` is set at the same step): replaying its
   * choices with recording on gives the trace it would have had (scenarios/run.ts).
   */
  recording = true;
  /** Steps offered so far, recorded or not. */
  private stepCount = 0;
  /** The function whose own `return` statements are watched (`lastReturn`), whether or not steps are recorded. */
  watchReturnsOf: string | null = null;
  /** The call depth it runs at: 0, or 1 under a driver that calls it (the write fault's do_wp_page). */
  watchDepth = 0;
  /**
   * Whether an O_DIRECT write may invalidate the file's pages while a fault holds one by reference
   * only (generic_file_direct_write's invalidate_inode_pages2_range, 2.6.24–2.6.36): `why` says how
   * that is known; `guess` when the file does not say (no table of its own tells ->direct_IO).
   */
  directIo: { why: string; guess: boolean } | null = null;
  /**
   * The kernel releases the file's own interfaces date it to (facts/filesystem.ts: the minor
   * numbers of 2.6.x, null at an open end), with the file's era as text: models whose kernel
   * function changed between releases read it, and guess only when it does not decide.
   */
  kernelEra: KernelEra = { from: null, to: null, text: 'not dated' };
  /** The last `return` statement step of `watchReturnsOf` at depth 0 within the trace's cap (where its trace would show it). */
  lastReturn: { line: number; column: number } | null = null;

  /** Functions whose `enter` step is within the trace's cap, recorded or not (PathSummary.entered). */
  readonly entered = new Set<string>();

  /** The number of the next step: the trace's length when recorded. */
  get stepIndex(): number {
    return Math.min(this.stepCount, this.maxTrace);
  }

  /**
   * Records a trace step; `event` may be a function that makes the text, called only when the step
   * is kept. `isReturn`: the step is a `return` statement (`lastReturn` watches the entry's own).
   */
  step(fn: string, loc: Loc, event: string | (() => string), depth: number, kind: TraceKind = 'stmt', isReturn = false): void {
    if (!this.advance(fn, loc, depth, isReturn, kind)) return;
    this.record(fn, loc, typeof event === 'function' ? event() : event, depth, kind);
  }

  /** The same step, its text `make(a, b)`: a hot step's text maker is a function made once, not a closure per step. */
  stepWith<A, B>(fn: string, loc: Loc, make: (a: A, b: B) => string, a: A, b: B, depth: number, kind: TraceKind = 'stmt', isReturn = false): void {
    if (!this.advance(fn, loc, depth, isReturn, kind)) return;
    this.record(fn, loc, make(a, b), depth, kind);
  }

  /** Counts a step; whether it is stored (recording, within the trace's cap). */
  private advance(fn: string, loc: Loc, depth: number, isReturn: boolean, kind: TraceKind): boolean {
    if (this.stepCount >= this.maxTrace) {
      this.traceCut = true;
      return false;
    }
    this.stepCount++;
    if (kind === 'enter') this.entered.add(fn);
    // The entry's own `return` statements are watched whether or not steps are recorded: no text
    // is made for an unrecorded step (a statement `return_code = 0;` is no return either).
    if (isReturn && depth === this.watchDepth && fn === this.watchReturnsOf) this.lastReturn = { line: loc.line, column: loc.column };
    return this.recording;
  }

  private record(fn: string, loc: Loc, event: string, depth: number, kind: TraceKind): void {
    const h = this.handle;
    // Two literals, not a spread: one object per step, its keys in the same order either way.
    this.trace.push(
      loc.file
        ? { function: fn, line: loc.line, column: loc.column, file: loc.file, event, kind, depth, pageLocked: this.page.locked, handleOwner: h ? h.owner : null, creditsLeft: h ? h.credits : null, buffers: this.buffersForStep() }
        : { function: fn, line: loc.line, column: loc.column, event, kind, depth, pageLocked: this.page.locked, handleOwner: h ? h.owner : null, creditsLeft: h ? h.credits : null, buffers: this.buffersForStep() },
    );
  }
}

/** `current`: its journal_info is the world's handle. One class for every world (a class made per world kept call sites on KObj from settling). */
class TaskObj extends KObj {
  constructor(private readonly world: World) {
    super('task_struct', freshId(), 'current');
  }
  override get(field: string): Value | undefined {
    if (field === 'journal_info') return obj(this.world.handle);
    return super.get(field);
  }
}

function sameFlags(snap: BufferSnapshot, block: number, flags: Set<string>): boolean {
  if (snap.block !== block) return false;
  let n = 0;
  for (const f of flags) {
    if (f === 'locked' || f === 'req') continue;
    if (snap.flags[n++] !== f) return false;
  }
  return n === snap.flags.length;
}

/** The 2.6.x releases a file's interfaces date it to (null: not bounded on that side). */
export interface KernelEra {
  from: number | null;
  to: number | null;
  /** The file's era as the result states it ("2.6.32–2.6.35"). */
  text: string;
}

/**
 * The era a file's dated interfaces give (facts/filesystem.ts datedEra), `text` as its result
 * states it. A file that also uses interfaces of other eras (a backport or a mix) is not dated.
 */
export function kernelEraOf(d: { from: number | null; to: number | null; conflicts: string[] }, text: string): KernelEra {
  if (d.conflicts.length) return { from: null, to: null, text: `${text}, with interfaces of other eras too (${d.conflicts.join(', ')}): a backport or a mix` };
  return { from: d.from, to: d.to, text };
}
