// The state of one simulated path: the kernel objects, the current task's journal handle,
// and what the path produced (trace, findings, unmodelled calls). Rebuilt for every path.
import type { BufferSnapshot, RuleId, Severity, TraceStep } from '../api/types';
import type { Loc } from '../ir/ir';
import type { Handle, Inode, Page, SuperBlock } from '../models/objects';
import { freshId } from '../models/objects';
import { int, KObj, obj, type Value } from './values';

export interface RawFinding {
  rule: RuleId;
  severity: Severity;
  loc: Loc;
  function: string;
  message: string;
  stack: string[];
  /** Trace up to and including the step that produced the finding. */
  traceLength: number;
}

export interface MountConfig {
  /** 'ordered' | 'writeback' | 'journal' */
  dataMode: string;
  options: Set<string>;
}

export class World {
  readonly trace: TraceStep[] = [];
  readonly findings: RawFinding[] = [];
  readonly unmodelled = new Map<string, { name: string; line: number; assumed: string }>();
  /** Memoised objects behind unknown pointers, by unknown key (consistent within the path). */
  readonly unknownObjects = new Map<string, KObj>();
  /** Decisions already taken about unknown values, by key. */
  readonly assumptions = new Map<string, boolean>();
  traceCut = false;
  /** Where the page was last unlocked: the responsible call for what happened to its data. */
  lastRelease: { loc: Loc; function: string; stack: string[] } | null = null;
  /** Total credits spent per handle owner (for messages). */
  readonly spent = new Map<string, number>();
  unknownCounter = 0;
  /** Set when the path took a failure after which losing writes is the kernel's design (journal abort). */
  fatalByDesign: string | null = null;
  /** Failures a model was told to inject on this path (journal abort, ENOSPC, I/O error...). */
  readonly injected: string[] = [];
  /** Page-cache allocations (write_begin): the handle held at the time and whether NOFS was asked. */
  readonly pageGrabs: { handle: Handle | null; nofs: boolean; via: string; line: number }[] = [];
  /** get_block callbacks the models called, and through which primitive. */
  readonly getBlockCalls: { callback: string; via: string }[] = [];
  /** Calls of the allocation primitive: who called it and what `create` it passed. */
  readonly allocCalls: { stack: string[]; create: string; primitive: string; line: number }[] = [];

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
    const world = this;
    this.task = new (class extends KObj {
      override get(field: string): Value | undefined {
        if (field === 'journal_info') return obj(world.handle);
        return super.get(field);
      }
    })('task_struct', freshId(), 'current');
    this.task.set('flags', int(taskFlags));
  }

  snapshotBuffers(): BufferSnapshot[] | null {
    if (!this.page.buffers) return null;
    return this.page.bufferList().map((bh) => ({ block: bh.lblk, flags: [...bh.flags].filter((f) => f !== 'lock' && f !== 'req') }));
  }

  step(fn: string, loc: Loc, event: string, depth: number): void {
    if (this.trace.length >= this.maxTrace) {
      this.traceCut = true;
      return;
    }
    this.trace.push({
      function: fn,
      line: loc.line,
      column: loc.column,
      event,
      depth,
      pageLocked: this.page.locked,
      handleOwner: this.handle ? this.handle.owner : null,
      creditsLeft: this.handle ? this.handle.credits : null,
      buffers: this.snapshotBuffers(),
    });
  }
}
