// The table of every kernel-API model, by the name the C source calls.
import type { ModelSpec, ModelTable } from '../interp/interpreter';
import { ERRNO, ZERO } from '../interp/values';
import { allocModels } from './alloc';
import { FAMILY_JOURNAL_CALLS, FAMILY_JOURNAL_STARTS, familyConstants, familyModels } from './families';
import { ioSubmitModels } from './ioSubmit';
import { GFS2_CONSTANTS, gfs2Models } from './gfs2';
import { OCFS2_CONSTANTS, ocfs2Models } from './ocfs2';
import { REISERFS_CONSTANTS, REISERFS_JOURNAL_CALLS, REISERFS_JOURNAL_STARTS, reiserfsModels } from './reiserfs';
import { pageCacheModels } from './pageCache';
import { truncateModels } from './truncate';
import { performWriteModels } from './performWrite';
import { pageFaultModels } from './pageFault';
import { memAllocModels } from './memAlloc';
import { writebackModels } from './writeback';
import { PAGECACHE_TAGS, PAGEVEC_SIZE, pagevecModels } from './pagevec';
import { GFP_CONSTANTS } from './gfp';
import { int } from '../interp/values';
import { blockIoModels } from './blockIo';
import { JOURNAL_START_NAMES, journalModels } from './journal';
import { kernelConstants, miscModels } from './misc';
import { pageBufferModels } from './pageBuffers';
import { pageReleaseModels } from './pageRelease';
import { INODE_FLAG_CONSTANTS, inodeFlagModels } from './inodeFlags';

/** Tracepoints (`trace_*`) record an event and change nothing. */
const TRACEPOINT: ModelSpec = { fn: () => ZERO, doc: 'tracepoint: no effect on the simulated state' };

/** The model table, with families matched by prefix (tracepoints). */
class Models extends Map<string, ModelSpec> {
  override get(name: string): ModelSpec | undefined {
    return super.get(name) ?? (name.startsWith('trace_') ? TRACEPOINT : /^pr_(emerg|alert|crit|err|warn|warning|notice|info|debug|cont)(_ratelimited|_once)?$/.test(name) ? PRINT : undefined);
  }
  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

/** pr_*() messages print and change nothing. */
const PRINT: ModelSpec = { fn: () => ZERO, doc: 'kernel log message: no effect on the simulated state' };

let table: Models | undefined;

/** Each model list, by the family a user reads (kpr models). */
const FAMILIES: [string, [string, ModelSpec][]][] = [
  ['page and buffers', pageBufferModels],
  ['buffer I/O', blockIoModels],
  ['invalidate and release', pageReleaseModels],
  ['I/O submission', ioSubmitModels],
  ['page cache', pageCacheModels],
  ['truncate', truncateModels],
  ['buffered write', performWriteModels],
  ['page fault', pageFaultModels],
  ['memory allocation', memAllocModels],
  ['writeback', writebackModels],
  ['page-cache lookup', pagevecModels],
  ['journal', journalModels],
  ['allocation', allocModels],
  ['ext2/ext3/ocfs2/gfs2/reiserfs', familyModels],
  ['gfs2', gfs2Models],
  ['ocfs2', ocfs2Models],
  ['reiserfs', reiserfsModels],
  ['inode flags', inodeFlagModels],
  ['assertions, locks, accessors', miscModels],
];
let families: Map<string, string> | undefined;

/** The family of a model name (the last list wins, as in the table). */
export function modelFamily(name: string): string {
  if (!families) {
    families = new Map();
    for (const [label, list] of FAMILIES) for (const [n] of list) families.set(n, label);
  }
  return families.get(name) ?? (name.startsWith('trace_') ? 'tracepoint' : modelTable().has(name) ? 'kernel log' : 'none');
}

export function modelTable(): ModelTable {
  // The lists of FAMILIES, in its order (the last list wins).
  if (!table) table = new Models(FAMILIES.flatMap(([, list]) => list));
  return table;
}

export const constants = kernelConstants();
for (const [k, v] of [...familyConstants(), ...GFS2_CONSTANTS, ...OCFS2_CONSTANTS, ...REISERFS_CONSTANTS, ...INODE_FLAG_CONSTANTS]) constants.set(k, { k: 'int', v });
for (const [k, v] of Object.entries(GFP_CONSTANTS)) constants.set(k, int(v));
constants.set('PAGEVEC_SIZE', int(PAGEVEC_SIZE));
// ->page_mkwrite's results (include/linux/mm.h, 2.6.30: VM_FAULT_LOCKED from 2.6.30 on).
for (const [k, v] of Object.entries({ VM_FAULT_OOM: 0x1, VM_FAULT_SIGBUS: 0x2, VM_FAULT_MAJOR: 0x4, VM_FAULT_WRITE: 0x8, VM_FAULT_NOPAGE: 0x100, VM_FAULT_LOCKED: 0x200 })) constants.set(k, int(v));
for (const [k, v] of Object.entries(PAGECACHE_TAGS)) constants.set(k, int(v));
export { GET_BLOCK_TAKERS } from './blockIo';

/** Every call that starts a journal handle (jbd/jbd2 and the families). */
export const JOURNAL_STARTS: ReadonlySet<string> = new Set([...JOURNAL_START_NAMES, ...FAMILY_JOURNAL_STARTS, ...REISERFS_JOURNAL_STARTS]);

/**
 * Every call that uses a journal: the journal models (starts, current handle, dirtying, stop), the
 * families' journal calls and the allocation primitives that allocate under a handle. A file that
 * calls none has no journal (ext2).
 */
export const JOURNAL_CALLS: ReadonlySet<string> = new Set([...journalModels.map(([n]) => n), ...FAMILY_JOURNAL_CALLS, ...REISERFS_JOURNAL_CALLS, ...allocModels.map(([n]) => n)]);

/** Models that allocate memory (page cache pages, pages, slab objects): a helper reaching one may enter reclaim. */
export const ALLOCATING_APIS: ReadonlySet<string> = new Set([...pageCacheModels, ...memAllocModels].map(([n]) => n).filter((n) => n !== 'mapping_gfp_mask'));

/**
 * Names a kernel tree's preprocessing leaves as written (src/engine/tree): the models (they bind
 * as without a tree), `current` (the interpreter's task, world.ts), and the errno names (values
 * fixed by the ABI; kept so that traces say -ENOSPC, not -28).
 */
export function keptByTree(name: string): boolean {
  return name === 'current' || name in ERRNO || modelTable().has(name);
}
