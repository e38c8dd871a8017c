// Typed events that kernel models emit while they change the simulated state. Models are the
// kernel's semantics; rules (src/engine/checks/) read a path's events and decide what is a finding.
import type { Loc } from '../ir/ir';

/** Where an event happened: the responsible call, its function and the call chain. */
export interface EventSite {
  loc: Loc;
  function: string;
  stack: string[];
}

/** A journal handle as rules need to see it (a copy: later changes do not alter the event). */
export interface HandleView {
  owner: string;
  /** Credits left before the event; null when the count could not be evaluated from the file. */
  credits: number | null;
  initialCredits: number | null;
  purpose: string;
  /** The caller started it for the allocations of this very writeback. */
  paysForWriteback: boolean;
  /** Started inside the simulated path (not inherited from the caller). */
  startedInPath: boolean;
}

export type KernelEvent =
  | {
      kind: 'journal-start';
      api: string;
      pageLocked: boolean;
      nested: boolean;
      /** Credits asked for; null when the count could not be evaluated (`requestedText` says what it was). */
      requested: number | null;
      requestedText: string;
      handle: HandleView | null;
    }
  | { kind: 'journal-stop'; api: string; handle: HandleView | null; closed: boolean }
  | {
      kind: 'alloc';
      api: string;
      block: number;
      create: string;
      pageLocked: boolean;
      handle: HandleView | null;
      /** The block was fallocated (unwritten extent): the call converts the extent instead of allocating a block. */
      convert?: boolean;
    }
  | {
      kind: 'credit-spend';
      api: string;
      what: string;
      /** Credits this step needs (new buffers of the transaction). */
      needed: number;
      handle: HandleView;
      /** jbd2's J_ASSERT(handle->h_buffer_credits > 0) fired for a buffer new to the transaction. */
      exhausted: boolean;
    }
  | {
      kind: 'io-submit';
      api: string;
      rw: 'write' | 'read';
      buffer: string;
      block: number;
      mapped: boolean;
      delayed: boolean;
      /** The block has disk space (allocated, or fallocated in an unwritten extent). */
      allocated: boolean;
      /** The block's extent is unwritten (fallocated, not converted) at the submission. */
      unwritten?: boolean;
      blocknr: string;
    }
  | { kind: 'redirty'; api: string }
  | { kind: 'page-lock'; api: string; wasLocked: boolean }
  | { kind: 'page-unlock'; api: string; wasLocked: boolean }
  | { kind: 'writeback-set'; api: string }
  | { kind: 'writeback-end'; api: string; wasUnderWriteback: boolean }
  | { kind: 'mapping-error'; api: string; errno: string }
  | { kind: 'buffers-created'; api: string; state: string[]; count: number }
  | { kind: 'buffer-cleaned'; api: string; block: number; buffer: string; why: string }
  | {
      kind: 'bug';
      api: string;
      /** The failing expression or the kernel's own words. */
      message: string;
      /** Which kernel check: BUG_ON, J_ASSERT, page_buffers, unlock_page, credits, NULL... */
      check: string;
    }
  | { kind: 'page-grab'; api: string; handle: HandleView | null; nofs: boolean }
  /**
   * ->page_mkwrite returned to the write fault (models/pageFault.ts): what it returned, how the VM
   * of the file's contract reads it, the page lock then, and whether truncate had removed the page.
   */
  | {
      kind: 'mkwrite-return';
      api: string;
      fn: string;
      contract: 'errno' | 'vm-fault';
      ret: string;
      verdict: 'ok' | 'locked' | 'error' | 'errno-as-mask' | 'unknown';
      reading: string;
      pageLocked: boolean;
      truncated: boolean;
      /** An O_DIRECT write had written back and invalidated the page (page->mapping NULL, i_size unchanged). */
      invalidated: boolean;
      /** The result fails the fault: < 0 under (vma, page); VM_FAULT_SIGBUS or VM_FAULT_OOM in the mask under (vma, vmf). */
      fails: boolean;
      /** Injected failures (an -E... outcome of a model) the path took before it returned. */
      injected: number;
      /** What the function did to the file for a page truncate had removed (i_size grown back). */
      pastEof: string[];
    }
  /** page_buffers() on a page the task has not locked: nothing keeps reclaim from freeing its buffers. */
  | { kind: 'buffers-unlocked'; api: string }
  | {
      /**
       * Blocks of the file past i_size freed (a filesystem's truncate of its blocks); `stillMapped`:
       * buffers of pages still in the page cache mapped to one of them when they were freed.
       */
      kind: 'blocks-freed';
      api: string;
      /** The first logical block freed: (i_size + blocksize - 1) >> blkbits. */
      from: number;
      blocks: { lblk: number; disk: number }[];
      stillMapped: { buffer: string; page: number; lblk: number; disk: number }[];
    }
  /** The VFS calls a method of the mapping's a_ops (write(2): ->write_begin, then ->write_end). */
  | { kind: 'aop-call'; api: string; method: string; fn: string }
  | {
      /** A memory allocation that may sleep in direct reclaim (page cache page, page, slab object). */
      kind: 'mem-alloc';
      api: string;
      what: 'page-cache page' | 'page' | 'slab object';
      /** Whether direct reclaim may call into file systems (__GFP_FS in the mask). */
      mayEnterFs: 'yes' | 'no' | 'unknown';
      /** Whether it may sleep (__GFP_WAIT in the mask): a caller under a spinlock must not. */
      mayWait: 'yes' | 'no' | 'unknown';
      /** The mask as the source and the model compute it, e.g. "GFP_NOFS = __GFP_WAIT|__GFP_IO". */
      gfp: string;
      handle: HandleView | null;
    };

export type EventKind = KernelEvent['kind'];

/** An event with where and when it happened on its path. */
export type PathEvent = KernelEvent & {
  site: EventSite;
  /** Trace length when the event was emitted (the finding's trace ends there). */
  step: number;
  /** Unmodelled results the path had branched on before this event. */
  guesses: number;
};
