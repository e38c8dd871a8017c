// Assertions (BUG_ON, BUG, J_ASSERT, WARN_ON), error pointers, i_size, mount options and data
// modes, EXT4_I/EXT4_SB, and the page-cache constants of the 2.6.2x kernels.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { exprText } from '../interp/interpreter';
import { compare, linOf } from '../interp/arith';
import { ERRNO, int, KObj, obj, show, type Value, ZERO } from '../interp/values';
import { BH_BITS, freshId } from './objects';

export function assertion(kind: string, fires: (ctx: ModelCtx, v: Value) => boolean): ModelSpec {
  return {
    raw: true,
    fn: (ctx, _a, raw) => {
      const cond = raw[0];
      const v = cond ? ctx.eval(cond) : ZERO;
      if (fires(ctx, v)) ctx.bug(`${kind}(${cond ? exprText(cond) : ''}) fires`, kind);
      return ZERO;
    },
    doc: `${kind}: a reachable failing one crashes the kernel`,
  };
}

function warn(): ModelSpec {
  return {
    raw: true,
    fn: (ctx, _a, raw) => {
      const v = raw[0] ? ctx.eval(raw[0]) : ZERO;
      const t = ctx.truthy(v);
      if (t) ctx.event(`WARN_ON(${raw[0] ? exprText(raw[0]) : ''}) warns (not a BUG)`);
      return int(t);
    },
  };
}

/**
 * ext4_should_retry_alloc(sb, &retries) of fs/ext4/balloc.c (2.6.27-2.6.36): 0 when no block is
 * free (ext4_has_free_blocks), once `(*retries)++ > 3`, or (since 2.6.29) without a journal; else
 * what jbd2_journal_force_commit_nested returns. The counter is followed step for step; the free
 * blocks and the commit are not modelled, so a retry allowed by the counter is a guess.
 */
function shouldRetryAlloc(ctx: ModelCtx, a: Value[]): Value {
  const r = a[1];
  const cell = r && r.k === 'ref' ? r.cell : null;
  const n = cell && cell.value.k === 'int' ? cell.value.v : null;
  if (cell && n !== null) {
    cell.value = int(n + 1n);
    if (n > 3n) {
      ctx.event(`ext4_should_retry_alloc: retried ${n} times already: no more retries`);
      return ZERO;
    }
  }
  return guessedUnknown(ctx, 'result of ext4_should_retry_alloc()', 'ext4_should_retry_alloc()');
}

/** test_bit(bit, &EXT4_I(inode)->i_flags) on the scenario inode. */
function inodeFlagBit(ctx: ModelCtx, bit: Value | undefined): Value {
  const flags = ctx.world.inode.info.get('i_flags');
  if (flags && flags.k === 'int' && flags.v === 0n) return ZERO;
  if (!flags || flags.k !== 'int' || !bit || bit.k !== 'int') return ctx.unknown('ext4_test_inode_flag');
  return int((flags.v >> bit.v) & 1n);
}

function shouldDioreadNolock(ctx: ModelCtx): Value {
  if (!mountOption(ctx, 'DIOREAD_NOLOCK')) return ZERO;
  const mode = ctx.world.inode.get('i_mode');
  if (!mode || mode.k !== 'int' || (mode.v & 0o170000n) !== 0o100000n) return ZERO;
  const flags = ctx.world.inode.info.get('i_flags');
  if (!flags || flags.k !== 'int') return ctx.unknown('ext4_should_dioread_nolock');
  if ((flags.v & 0x80000n) === 0n) return ZERO;
  return int(mountDataMode(ctx) !== 'journal');
}

/** A field of the scenario's super block (the in-core ext4_sb_info is the same object, EXT4_SB): its value, or one unknown for the path. */
function sbField(ctx: ModelCtx, sbArg: Value | undefined, field: string): Value {
  const sb = sbArg && sbArg.k === 'obj' ? sbArg.o : ctx.world.sb;
  const v = sb.get(field);
  if (v !== undefined) return v;
  const u: Value = { k: 'unk', key: `o${sb.id}.${field}`, why: `EXT4_SB(sb)->${field}` };
  sb.set(field, u);
  return u;
}

/** `EXT4_SB(inode->i_sb)->s_journal` of an inode argument (the scenario volume's when it names none). */
function journalOf(ctx: ModelCtx, inodeArg: Value | undefined): Value {
  const sb = inodeArg ? ctx.objOf(inodeArg)?.get('i_sb') : undefined;
  return sbField(ctx, sb && sb.k === 'obj' ? sb : undefined, 's_journal');
}

function isErr(v: Value | undefined): boolean {
  return !!v && v.k === 'err';
}

/** test_opt(sb, NAME): reads the mount option from the scenario's mount configuration. */
function testOpt(ctx: ModelCtx, _a: Value[], raw: import('../ir/ir').Expr[]): Value {
  const opt = raw[1];
  const name = opt && opt.kind === 'ident' ? opt.name.replace(/^EXT[234]_MOUNT_/, '') : opt ? exprText(opt) : '';
  const on = mountOption(ctx, name.toUpperCase());
  ctx.event(`test_opt(${name}) → ${on ? 'set' : 'clear'}`);
  return int(on);
}

/** A mount option: set, clear, or (when the table is used both ways) a fork decided once per path. */
function mountOption(ctx: ModelCtx, name: string): boolean {
  const m = ctx.world.mount;
  if (m.options.has(name)) return true;
  if (!m.maybe?.has(name)) return false;
  const key = `mount:${name}`;
  let on = ctx.world.assumptions.get(key);
  if (on === undefined) {
    on = ctx.choose([`mounted without ${name.toLowerCase()}`, `mounted with -o ${name.toLowerCase()}`], 'mount option') === 1;
    ctx.world.assumptions.set(key, on);
    // Not told by the file: a guessed branch (the paths that took the other way merge it away).
    if (m.guessed?.options.has(name)) {
      ctx.world.guesses.push({ name: `-o ${name.toLowerCase()}`, line: ctx.site().loc.line, assumed: `the volume is mounted ${on ? 'with' : 'without'} -o ${name.toLowerCase()} (${m.guessed.why})`, branch: { key: `mount:${name}`, taken: on } });
    }
  }
  return on;
}

/** The inode's data mode: one of the modes the file selects the table under, decided once per path. */
export function mountDataMode(ctx: ModelCtx): string {
  const m = ctx.world.mount;
  const modes = m.modes && m.modes.length > 1 ? m.modes : [m.dataMode];
  if (modes.length === 1) return modes[0];
  let i = ctx.world.mountChoices.get('data');
  if (i === undefined) {
    i = ctx.choose(modes.map((x) => `data=${x}`), 'mount data mode');
    ctx.world.mountChoices.set('data', i);
    // Not told by the file: the choice as guessed branches, "data=ordered?", then "data=writeback?"...,
    // so the paths of every mode together merge them away (scenarios/guessFree.ts).
    if (m.guessed) {
      const line = ctx.site().loc.line;
      for (let j = 0; j <= i && j < modes.length - 1; j++) {
        const taken = j === i;
        ctx.world.guesses.push({ name: 'the data mode', line, assumed: `the volume is ${taken ? '' : 'not '}mounted data=${modes[j]} (${m.guessed.why})`, branch: { key: `mount:data=${modes[j]}`, taken } });
      }
    }
  }
  return modes[i];
}

/** S_IFMT and S_IFREG (include/linux/stat.h). */
const S_IFMT = 0o170000n;
const S_IFREG = 0o100000n;

/**
 * Whether the inode's data mode is `mode`. With `nonRegularJournalled`, as
 * ext3_should_{journal,order,writeback}_data (include/linux/ext3_jbd.h) and ext4's (fs/ext4/ext4_jbd2.h)
 * of 2.6.28: an inode that is not a regular file has its data journalled (`if (!S_ISREG(inode->i_mode))`);
 * a regular file follows the mount's data mode. gfs2_is_* read the dinode's flags only.
 */
export function dataMode(mode: string, nonRegularJournalled = false): ModelSpec {
  const fn = (ctx: ModelCtx, a: Value[]): Value => {
    if (nonRegularJournalled && notRegular(ctx, a[0])) return int(mode === 'journal');
    return int(mountDataMode(ctx) === mode);
  };
  return {
    fn,
    pure: true,
    decided: (ctx, a) => (dataModeDecided(ctx) ? fn(ctx, a) : undefined),
    doc: `whether the inode's data mode is data=${mode}${nonRegularJournalled ? " (a non-regular inode's data is journalled)" : ''}`,
  };
}

/** Whether the inode argument is known not to be a regular file (its i_mode's S_IFMT is another type). */
export function notRegular(ctx: ModelCtx, inodeArg: Value | undefined): boolean {
  const m = inodeArg ? ctx.objOf(inodeArg)?.get('i_mode') : undefined;
  return !!m && m.k === 'int' && (m.v & S_IFMT) !== S_IFREG;
}

/** One data mode for the table, or one this path already took: mountDataMode chooses nothing. */
export function dataModeDecided(ctx: ModelCtx): boolean {
  const m = ctx.world.mount;
  return !(m.modes && m.modes.length > 1) || ctx.world.mountChoices.has('data');
}

const identity: ModelSpec = { fn: (_c, a) => a[0] ?? ZERO };
const noop: ModelSpec = { fn: () => ZERO };

/** An unknown standing for what unmodelled code would give: branching on it is a guess of the path (as the interpreter's own). */
function guessedUnknown(ctx: ModelCtx, why: string, guess: string): Value {
  return { k: 'unk', key: `u${ctx.world.unknownCounter++}`, why, guess, guessLine: ctx.site().loc.line };
}

/**
 * atomic_read(v) (asm/atomic_32.h and _64.h of 2.6.2x: `(v)->counter`): the value the pointer
 * names. `&bh->b_count` names the count the buffer model keeps (get_bh/put_bh); a pointer to an
 * atomic_t object reads its `counter`; anything else is an unknown, as an unmodelled read.
 */
function atomicRead(c: ModelCtx, a: Value[]): Value {
  const v = a[0];
  if (v?.k === 'ref') {
    const x = v.cell.value;
    if (x.k === 'int' || x.k === 'unk') return x;
    const n = c.objOf(x)?.get('counter');
    if (n) return n;
  }
  const n = v ? c.objOf(v)?.get('counter') : undefined;
  // What no model keeps is what unmodelled code would give: a guess of the path that branches on it.
  return n ?? guessedUnknown(c, 'atomic_read() of a counter the models do not keep', 'atomic_read()');
}

function minmax(pick: 'min' | 'max', offset: number): ModelSpec {
  return {
    fn: (ctx, a) => {
      const x = a[offset];
      const y = a[offset + 1];
      // include/linux/kernel.h: min(x, y) is `x < y ? x : y` (max: `x > y`). An unknown (plus a
      // constant) against a constant is that test on the path (decided by what it assumed of the unknown).
      if (x && y && ((x.k === 'int' && linOf(y)) || (y.k === 'int' && linOf(x)) || (linOf(x) && linOf(y) && linOf(x)?.base === linOf(y)?.base))) {
        return ctx.truthy(compare(pick === 'min' ? '<' : '>', x, y, (p) => ctx.world.derivedKey(p))) ? x : y;
      }
      if (!x || !y || x.k !== 'int' || y.k !== 'int') return ctx.unknown(`${pick}(${x ? show(x) : '?'}, ${y ? show(y) : '?'})`);
      return int(pick === 'min' ? (x.v < y.v ? x.v : y.v) : x.v > y.v ? x.v : y.v);
    },
  };
}

export const miscModels: [string, ModelSpec][] = [
  ['BUG_ON', assertion('BUG_ON', (c, v) => c.truthy(v))],
  ['J_ASSERT', assertion('J_ASSERT', (c, v) => !c.truthy(v))],
  ['J_ASSERT_BH', { raw: true, fn: (c, _a, raw) => { if (raw[1] && !c.truthy(c.eval(raw[1]))) c.bug(`J_ASSERT_BH(${exprText(raw[1])}) fails`, 'J_ASSERT_BH'); return ZERO; } }],
  ['BUG', { fn: (c) => c.bug('BUG()', 'BUG') }],
  ['WARN_ON', warn()],
  ['WARN_ON_ONCE', warn()],
  ['IS_ERR', { fn: (_c, a) => int(isErr(a[0])), doc: 'whether a pointer is an ERR_PTR' }],
  ['IS_ERR_OR_NULL', { fn: (_c, a) => int(isErr(a[0]) || (a[0]?.k === 'int' && a[0].v === 0n)) }],
  ['PTR_ERR', { fn: (c, a) => (a[0] && a[0].k === 'err' ? int(a[0].errno) : c.unknown('PTR_ERR of a valid pointer')) }],
  ['ERR_PTR', { fn: (c, a) => (a[0] && a[0].k === 'int' ? { k: 'err', errno: a[0].v } : c.unknown('ERR_PTR')) }],
  ['likely', identity],
  ['unlikely', identity],
  ['i_size_read', { fn: (c) => int(c.world.inode.size), doc: 'the inode size of the scenario' }],
  ['i_size_write', { fn: (c, a) => { if (a[1] && a[1].k === 'int') c.world.inode.size = a[1].v; return ZERO; } }],
  ['test_opt', { fn: testOpt, raw: true, pure: true, doc: 'mount option of the scenario (nobh off unless asked)' }],
  ['ext4_should_writeback_data', dataMode('writeback', true)],
  ['ext4_should_order_data', dataMode('ordered', true)],
  ['ext4_should_journal_data', dataMode('journal', true)],
  [
    'ext4_inode_journal_mode',
    { fn: (ctx) => int(({ journal: 1, ordered: 2, writeback: 4 } as Record<string, number>)[mountDataMode(ctx)] ?? 2), doc: 'EXT4_INODE_{JOURNAL,ORDERED,WRITEBACK}_DATA_MODE of the scenario' },
  ],
  [
    'ext4_forced_shutdown',
    {
      // A shut-down file system discards writeback by design: exploring it would mark every scenario "data lost".
      fn: (ctx) => {
        ctx.event('ext4_forced_shutdown: the file system is assumed running');
        return int(0);
      },
      doc: 'whether the file system was shut down: assumed not',
    },
  ],
  ['EXT4_I', { fn: (c) => obj(c.world.inode.info), doc: 'the in-core ext4 inode of the scenario' }],
  ['EXT4_SB', { fn: (c) => obj(c.world.sb) }],
  // ext4.h of 2.6.31 (fs/ext4/ext4.h, since 2.6.29): ext4_get_groups_count(sb) reads
  // EXT4_SB(sb)->s_groups_count (then smp_rmb()). The volume's group count: one unknown per path,
  // the same at every call (ext4_meta_trans_blocks asks it once per ->writepages transaction).
  // ext4.h of 2.6.35: ext4_test_inode_flag(inode, bit) is test_bit(bit, &EXT4_I(inode)->i_flags).
  ['ext4_test_inode_flag', { fn: (c, a) => inodeFlagBit(c, a[1]), doc: 'bit of EXT4_I(inode)->i_flags (the scenario inode: none set, an indirect-mapped file)' }],
  // ext4_jbd2.h of 2.6.34: ext4_should_dioread_nolock is 0 unless mounted -o dioread_nolock, the
  // inode is a regular file with EXT4_EXTENTS_FL in EXT4_I(inode)->i_flags and its data is not journalled.
  ['ext4_should_dioread_nolock', { fn: shouldDioreadNolock, doc: 'dioread_nolock on this inode: the mount option, a regular extent-mapped file, not data=journal' }],
  // Block reservation for delayed allocation: the normal outcome first, the shortage as an injected
  // failure (one per path, invariant 8), so the retry loop of ext4_da_reserve_space ends as in the kernel.
  // fs/ext4/balloc.c (2.6.28-2.6.36) ext4_claim_free_blocks: 0, or -ENOSPC when free - dirty blocks fall short.
  ['ext4_claim_free_blocks', { fn: (c) => (c.choose(['blocks claimed', '-ENOSPC (not enough free blocks)'], c.name) === 0 ? ZERO : int(-ERRNO.ENOSPC)), doc: '0, or -ENOSPC (an injected failure)' }],
  // include/linux/quotaops.h: vfs_dq_reserve_block (2.6.30-2.6.34) is 1 when the quota refuses; dquot_reserve_block (2.6.34-2.6.36) -EDQUOT.
  ['vfs_dq_reserve_block', { fn: (c) => (c.choose(['quota reserved', '-EDQUOT (quota exceeded)'], c.name) === 0 ? ZERO : int(1)), doc: '0, or 1 when the quota is exceeded (an injected failure)' }],
  ['dquot_reserve_block', { fn: (c) => (c.choose(['quota reserved', '-EDQUOT (quota exceeded)'], c.name) === 0 ? ZERO : int(-ERRNO.EDQUOT)), doc: '0, or -EDQUOT (an injected failure)' }],
  ['ext4_should_retry_alloc', { fn: shouldRetryAlloc, doc: 'retry after ENOSPC at most 4 times per *retries (then 0); whether blocks are free is not modelled (a guess)' }],
  ['ext4_get_groups_count', { fn: (c, a) => sbField(c, a[0], 's_groups_count'), doc: 'EXT4_SB(sb)->s_groups_count: the volume\'s group count (unknown, the same at every call)' }],
  // ext4.h: EXT4_BLOCK_SIZE(s) / sizeof(__u32) block numbers per indirect block.
  ['EXT4_ADDR_PER_BLOCK', { fn: (c) => int(c.world.sb.blocksize / 4), doc: 'block numbers per indirect block: blocksize / 4' }],
  // #define EXT4_JOURNAL(inode) (EXT4_SB((inode)->i_sb)->s_journal): include/linux/ext4_jbd2.h to
  // 2.6.25, fs/ext4/ext4_jbd2.h from 2.6.26. The scenario volume has a journal: the journal-less ext4
  // of 0390131ba84 (2.6.29) is not simulated, so code testing it for NULL takes the journalled side.
  ['EXT4_JOURNAL', { fn: (c, a) => journalOf(c, a[0]), doc: "EXT4_SB(inode->i_sb)->s_journal: the scenario volume's journal (not NULL: a journal-less volume is not simulated), the same at every call" }],
  ['EXT4_QUOTA_TRANS_BLOCKS', { fn: () => ZERO, doc: 'quota credits: 0 (quota off)' }],
  ['EXT4_QUOTA_INIT_BLOCKS', { fn: () => ZERO }],
  // ext4_jbd2.h of 2.6.27: EXT4_XATTR_TRANS_BLOCKS (6) + 2 * EXT4_QUOTA_TRANS_BLOCKS (0, quota off).
  ['EXT4_META_TRANS_BLOCKS', { fn: () => int(6), doc: 'superblock, inode and xattr credits: 6 (quota off)' }],
  ['EXT4_DATA_TRANS_BLOCKS', { fn: () => int(8) }],
  ['min', minmax('min', 0)],
  ['max', minmax('max', 0)],
  ['min_t', minmax('min', 1)],
  ['max_t', minmax('max', 1)],
  ['kfree', noop],
  ['kmem_cache_free', noop],
  ['memset', noop],
  ['memcpy', noop],
  ['printk', noop],
  ['printk_ratelimit', { fn: () => int(0) }],
  [
    'ext4_has_inline_data',
    { fn: (ctx) => { ctx.event('ext4_has_inline_data: no (the scenario inode has data blocks beyond page 0)'); return int(0); }, doc: 'inline data: never, the scenario pages are not page 0 of a tiny inode' },
  ],
  ['ext4_error', noop],
  ['ext4_warning', noop],
  ['ext4_std_error', noop],
  ['ext4_debug', noop],
  ['jbd_debug', noop],
  ['might_sleep', noop],
  ['cond_resched', noop],
  ['spin_lock', noop],
  ['spin_unlock', noop],
  ['down_read', noop],
  ['up_read', noop],
  ['down_write', noop],
  ['up_write', noop],
  ['mutex_lock', noop],
  ['mutex_unlock', noop],
  ['smp_mb', noop],
  ['spin_lock_irq', noop],
  ['spin_unlock_irq', noop],
  ['spin_lock_irqsave', noop],
  ['spin_unlock_irqrestore', noop],
  ['read_lock', noop],
  ['read_unlock', noop],
  ['write_lock', noop],
  ['write_unlock', noop],
  ['rcu_read_lock', noop],
  ['rcu_read_unlock', noop],
  ['preempt_disable', noop],
  ['preempt_enable', noop],
  ['atomic_read', { fn: atomicRead, doc: 'the counter its pointer names (a count the models keep, such as bh->b_count), else unknown' }],
  ['atomic_inc', noop],
  ['atomic_dec', noop],
  ['lock_kernel', noop],
  ['unlock_kernel', noop],
  ['schedule', noop],
  ['igrab', noop],
  ['iput', noop],
  ['INIT_WORK', noop],
  ['INIT_LIST_HEAD', noop],
  ['list_add_tail', noop],
  ['list_del_init', noop],
  ['pr_warn_ratelimited', noop],
  ['io_schedule', noop],
  ['yield', noop],
  ['trace_mark', noop],
];

const PAGE_CACHE_MASK = ~(4096n - 1n);

/** Kernel constants (2.6.2x page cache, errno, buffer state bits, writeback modes). */
export function kernelConstants(): Map<string, Value> {
  const m = new Map<string, Value>();
  const set = (k: string, v: bigint): void => void m.set(k, int(v));
  set('PAGE_CACHE_SHIFT', 12n);
  set('PAGE_SHIFT', 12n);
  set('PAGE_CACHE_SIZE', 4096n);
  set('PAGE_SIZE', 4096n);
  set('PAGE_CACHE_MASK', PAGE_CACHE_MASK);
  set('PAGE_MASK', PAGE_CACHE_MASK);
  set('NULL', 0n);
  set('WRITE', 1n);
  set('READ', 0n);
  set('WRITE_SYNC', 17n);
  set('WB_SYNC_NONE', 0n);
  set('WB_SYNC_ALL', 1n);
  set('EXT4_DELALLOC_RSVED', 1n);
  // EXT4_GET_BLOCKS_* (2.6.34 values; bit 0 is CREATE in every era).
  for (const [k, v] of Object.entries({ CREATE: 1n, UNINIT_EXT: 2n, UNWRIT_EXT: 2n, CREATE_UNINIT_EXT: 3n, CREATE_UNWRIT_EXT: 3n, DELALLOC_RESERVE: 4n, PRE_IO: 8n, CONVERT: 0x10n, IO_CREATE_EXT: 0xbn, IO_CONVERT_EXT: 0x18n, METADATA_NOFAIL: 0x20n, NO_NORMALIZE: 0x40n, KEEP_SIZE: 0x80n, ZERO: 0x200n })) set(`EXT4_GET_BLOCKS_${k}`, v);
  set('GFP_ATOMIC', 0x20n);
  set('GFP_NOIO', 0x10n);
  set('AOP_FLAG_NOFS', 0x4n);
  set('AOP_FLAG_UNINTERRUPTIBLE', 0x1n);
  set('AOP_FLAG_CONT_EXPAND', 0x2n);
  // include/linux/fs.h (2.6.1x-2.6.36): ->writepage's "keep the page on the active list" return.
  set('AOP_WRITEPAGE_ACTIVATE', 0x80000n);
  set('EXT4_NDIR_BLOCKS', 12n);
  // ext4.h / ext4_jbd2.h of 2.6.27: the inode's extents flag (the scenario inode's i_flags is 0: block-mapped) and the data-block cap of one transaction.
  set('EXT4_EXTENTS_FL', 0x80000n);
  // ext4.h of 2.6.35: the inode flag bit numbers (EXT4_INODE_EXTENTS = 19, as EXT4_EXTENTS_FL).
  set('EXT4_INODE_EXTENTS', 19n);
  set('EXT4_MAX_TRANS_DATA', 64n);
  set('EXT4_XATTR_TRANS_BLOCKS', 6n);
  // include/linux/kernel.h limits, on a 64-bit kernel (long is 64 bits): INT_MAX...ULLONG_MAX in
  // every release; USHORT_MAX, SHORT_MAX, SHORT_MIN from 2.6.26 (44f564a4bf6), renamed USHRT_MAX,
  // SHRT_MAX, SHRT_MIN in 2.6.35 (4be929be34f).
  for (const [a, b] of [['USHORT_MAX', 'USHRT_MAX'], ['SHORT_MAX', 'SHRT_MAX'], ['SHORT_MIN', 'SHRT_MIN']] as const) {
    const v = a === 'USHORT_MAX' ? 0xffffn : a === 'SHORT_MAX' ? 0x7fffn : -0x8000n;
    set(a, v);
    set(b, v);
  }
  set('INT_MAX', 0x7fffffffn);
  set('INT_MIN', -0x80000000n);
  set('UINT_MAX', 0xffffffffn);
  set('LONG_MAX', (1n << 63n) - 1n);
  set('LONG_MIN', -(1n << 63n));
  set('ULONG_MAX', (1n << 64n) - 1n);
  set('LLONG_MAX', (1n << 63n) - 1n);
  set('LLONG_MIN', -(1n << 63n));
  set('ULLONG_MAX', (1n << 64n) - 1n);
  set('EXT4_INODE_JOURNAL_DATA_MODE', 1n);
  set('EXT4_INODE_ORDERED_DATA_MODE', 2n);
  set('EXT4_INODE_WRITEBACK_DATA_MODE', 4n);
  set('GFP_NOFS', 0x50n);
  set('PF_MEMALLOC', 0x800n);
  set('EXT4_HT_WRITE_PAGE', 3n);
  set('EXT4_HT_WRITE_BEGIN', 3n);
  set('PF_KSWAPD', 0x20000n);
  set('GFP_KERNEL', 0xd0n);
  set('true', 1n);
  set('false', 0n);
  for (const [name, v] of Object.entries(ERRNO)) set(name, v);
  // enum bh_state_bits of the era (BH_Uptodate_Lock at 4), jbd's private bits from BH_PrivateStart.
  BH_BITS.forEach((b, i) => set(b.bit, BigInt(i)));
  set('BH_PrivateStart', BigInt(BH_BITS.findIndex((b) => b.bit === 'BH_JBD')));
  set('BH_JBDPrivateStart', BigInt(BH_BITS.findIndex((b) => b.bit === 'BH_Uninit')));
  // ext4.h: EXT4_MAP_* are the buffer_head bits (2.6.35+).
  const bit = (name: string): bigint => 1n << BigInt(BH_BITS.findIndex((b) => b.bit === name));
  set('EXT4_MAP_NEW', bit('BH_New'));
  set('EXT4_MAP_MAPPED', bit('BH_Mapped'));
  set('EXT4_MAP_UNWRITTEN', bit('BH_Unwritten'));
  set('EXT4_MAP_UNINIT', bit('BH_Uninit'));
  set('EXT4_MAP_BOUNDARY', bit('BH_Boundary'));
  return m;
}
