// The kernel objects of one simulated path: page (with per-block dirty data tracked apart from
// buffer_heads), buffer_head ring, inode with its on-disk block map, super block, jbd2 handle.
import { int, KObj, obj, type Value } from '../interp/values';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

/**
 * Buffer state bits in the order of `enum bh_state_bits` of include/linux/buffer_head.h (2.6.2x,
 * with BH_Uptodate_Lock at bit 4), then jbd/jbd2's private bits from BH_PrivateStart (15) and
 * ext4's from BH_JBDPrivateStart (24: BH_Uninit, 2.6.30+). Each flag is named as BUFFER_FNS names
 * its helpers (`BUFFER_FNS(Lock, locked)` gives buffer_locked / set_buffer_locked). Bits of later
 * eras' core enum (BH_Meta, BH_Prio, BH_Defer_Completion) follow, with no era-exact number.
 */
export const BH_BITS = [
  { flag: 'uptodate', bit: 'BH_Uptodate' },
  { flag: 'dirty', bit: 'BH_Dirty', tas: true },
  { flag: 'locked', bit: 'BH_Lock', tas: true },
  { flag: 'req', bit: 'BH_Req', tas: true },
  { flag: 'uptodate_lock', bit: 'BH_Uptodate_Lock', noHelpers: true },
  { flag: 'mapped', bit: 'BH_Mapped' },
  { flag: 'new', bit: 'BH_New' },
  { flag: 'async_read', bit: 'BH_Async_Read' },
  { flag: 'async_write', bit: 'BH_Async_Write' },
  { flag: 'delay', bit: 'BH_Delay' },
  { flag: 'boundary', bit: 'BH_Boundary' },
  { flag: 'write_io_error', bit: 'BH_Write_EIO' },
  { flag: 'ordered', bit: 'BH_Ordered' },
  { flag: 'eopnotsupp', bit: 'BH_Eopnotsupp' },
  { flag: 'unwritten', bit: 'BH_Unwritten' },
  { flag: 'jbd', bit: 'BH_JBD' },
  { flag: 'jwrite', bit: 'BH_JWrite' },
  { flag: 'freed', bit: 'BH_Freed' },
  { flag: 'revoked', bit: 'BH_Revoked', tas: true },
  { flag: 'revokevalid', bit: 'BH_RevokeValid', tas: true },
  { flag: 'jbddirty', bit: 'BH_JBDDirty' },
  { flag: 'state', bit: 'BH_State', noHelpers: true },
  { flag: 'journalhead', bit: 'BH_JournalHead', noHelpers: true },
  { flag: 'unshadow', bit: 'BH_Unshadow', noHelpers: true },
  { flag: 'uninit', bit: 'BH_Uninit' },
  { flag: 'da_mapped', bit: 'BH_Da_Mapped' },
  { flag: 'meta', bit: 'BH_Meta' },
  { flag: 'prio', bit: 'BH_Prio' },
  { flag: 'defer_completion', bit: 'BH_Defer_Completion' },
] as const satisfies readonly { flag: string; bit: string; tas?: boolean; noHelpers?: boolean }[];
export type BhFlag = (typeof BH_BITS)[number]['flag'];
export const BH_FLAGS: readonly BhFlag[] = BH_BITS.map((b) => b.flag);

/**
 * What is on disk for a logical block: allocated and written, reserved by delayed allocation (no
 * block yet), a hole, or `unwritten`: allocated by fallocate in an extent marked uninitialised
 * (ext4's EXT4_EXT_UNINIT_MAX_LEN flag of 2.6.2x extents.c): reads return zeros until a write
 * converts the extent (ext4_ext_convert_to_initialized); data written into it before that is
 * on disk but not part of the file.
 */
export type DiskBlock = 'allocated' | 'delayed' | 'hole' | 'unwritten';

let nextId = 1;
/** Writes through an out-pointer argument (`&p_blkno`), when the caller passed one (not NULL). */
export function storeOut(p: Value | undefined, v: Value): void {
  if (p && p.k === 'ref') p.cell.value = v;
}

export function freshId(): number {
  return nextId++;
}

export class SuperBlock extends KObj {
  constructor(
    public blocksize: number,
    public blkbits: number,
    readonly mountOpts: Set<string>,
  ) {
    super('super_block', freshId(), 'sb');
  }
  /** The volume's block device (sb->s_bdev): one object, so map_bh'd buffers compare equal to it. */
  readonly bdev = new KObj('block_device', freshId(), 'sb->s_bdev');
  readonly journal = new KObj('journal_t', freshId(), 'the journal');
  override get(field: string): Value | undefined {
    if (field === 's_blocksize') return int(this.blocksize);
    if (field === 's_blocksize_bits') return int(this.blkbits);
    if (field === 's_bdev') return super.get(field) ?? obj(this.bdev);
    // The scenario volume has a journal (the journal models start jbd/jbd2 handles on it): s_journal is not NULL.
    if (field === 's_journal') return super.get(field) ?? obj(this.journal);
    // ext4_fill_super (fs/ext4/super.c, 2.6.31-2.6.36) sets s_max_writeback_mb_bump = 128 at mount; only
    // a write to its sysfs file changes it.
    if (field === 's_max_writeback_mb_bump') return super.get(field) ?? int(128);
    // EXT4_SB(sb)->s_mount_flags: ext4_fill_super kzallocs the sb_info (fs/ext4/super.c, 2.6.28-2.6.36)
    // and only ext4_abort sets EXT4_MF_FS_ABORTED in it: a volume that has not aborted reads 0.
    if (field === 's_mount_flags') return super.get(field) ?? int(0);
    // sb->s_flags (include/linux/fs.h MS_*): the scenario volume is mounted read-write, without -o
    // sync or dirsync (MS_RDONLY, MS_SYNCHRONOUS, MS_DIRSYNC clear); only a remount changes it.
    if (field === 's_flags') return super.get(field) ?? int(0);
    return super.get(field);
  }
}

export class Inode extends KObj {
  mapping!: KObj;
  /** Extra fields of the filesystem's in-core inode (EXT4_I(inode)). */
  readonly info: KObj;
  constructor(
    public size: bigint,
    public blkbits: number,
    readonly sb: SuperBlock,
    /** Logical block -> what is on disk for it. Absent = hole. */
    readonly blockMap: Map<number, DiskBlock>,
  ) {
    super('inode', freshId(), 'inode');
    this.info = new KObj('ext4_inode_info', freshId(), 'EXT4_I(inode)');
    this.info.set('i_disksize', int(size));
    this.info.set('i_state', int(0));
    this.info.set('i_flags', int(0));
    // EXT4_I(inode)->vfs_inode is the inode itself (the VFS inode is embedded in the fs's own).
    this.info.set('vfs_inode', obj(this));
    // The scenario inode is a regular file (S_IFREG, 0644): S_ISREG is true, S_ISLNK/S_ISDIR false.
    this.set('i_mode', int(0o100644));
    // Its VFS flags (include/linux/fs.h S_*): none, neither sync, append-only nor immutable (models/inodeFlags.ts).
    this.set('i_flags', int(0));
  }
  override get(field: string): Value | undefined {
    switch (field) {
      case 'i_size':
        return int(this.size);
      case 'i_blkbits':
        return int(this.blkbits);
      case 'i_sb':
        return obj(this.sb);
      case 'i_mapping':
        return obj(this.mapping);
      default:
        return super.get(field);
    }
  }
  override set(field: string, value: Value): void {
    if (field === 'i_size' && value.k === 'int') this.size = value.v;
    else super.set(field, value);
  }
  diskState(block: number): DiskBlock {
    return this.blockMap.get(block) ?? 'hole';
  }
}

export class BufferHead extends KObj {
  readonly flags = new Set<BhFlag>();
  next: BufferHead = this;
  blocknr = 0n;
  /** Logical block of the file this buffer covers, or -1 for a free-standing buffer_head. */
  lblk = -1;
  /** b_count: 0 while nobody holds the buffer (alloc_buffer_head zeroes it; get_bh/put_bh count), as buffer_busy() reads it. */
  refcount = 0;
  constructor(
    public size: number,
    public page: Page | null,
    /** Index of the buffer within its page (0-based), or -1. */
    readonly index: number,
  ) {
    super('buffer_head', freshId(), index >= 0 ? `bh[${index}]` : 'bh');
  }
  has(f: BhFlag): boolean {
    return this.flags.has(f);
  }
  override get(field: string): Value | undefined {
    switch (field) {
      case 'b_size':
        return int(this.size);
      case 'b_this_page':
        return obj(this.next);
      case 'b_blocknr':
        return int(this.blocknr);
      case 'b_page':
        return obj(this.page);
      case 'b_state': {
        let s = 0n;
        BH_FLAGS.forEach((f, i) => {
          if (this.flags.has(f)) s |= 1n << BigInt(i);
        });
        return int(s);
      }
      case 'b_count':
        return int(this.refcount);
      case 'b_bdev': {
        // map_bh() (include/linux/buffer_head.h, 2.6.27) sets b_bdev = sb->s_bdev with BH_Mapped; a
        // delayed or unwritten buffer of the page was mapped so too (ext4_da_get_block_prep's map_bh).
        const set = super.get(field);
        if (set !== undefined || !(this.has('mapped') || this.has('delay') || this.has('unwritten'))) return set;
        const host = this.page?.mapping.get('host');
        const sb = host?.k === 'obj' ? host.o.get('i_sb') : undefined;
        return sb?.k === 'obj' ? sb.o.get('s_bdev') : undefined;
      }
      default:
        return super.get(field);
    }
  }
  override set(field: string, value: Value): void {
    if (value.k === 'int') {
      if (field === 'b_size') return void (this.size = Number(value.v));
      if (field === 'b_blocknr') return void (this.blocknr = value.v);
      if (field === 'b_state') {
        this.flags.clear();
        BH_FLAGS.forEach((f, i) => {
          if ((value.v >> BigInt(i)) & 1n) this.flags.add(f);
        });
        return;
      }
    }
    super.set(field, value);
  }
}

/** What became of one block's worth of the page's data. */
export interface BlockData {
  /** Logical block number in the file. */
  lblk: number;
  /** The in-memory data differs from disk (written by write(2) or through mmap). */
  dirty: boolean;
  /** I/O was submitted, or the data was handed to the journal. */
  submitted: boolean;
  /** Entirely beyond i_size: its content does not count as file data. */
  beyondEof: boolean;
  /** Written while its extent was unwritten (fallocated, not converted): the line of the submission. */
  intoUnwritten?: { api: string; line: number };
}

export class Page extends KObj {
  locked = true;
  /** PG_dirty: cleared by clear_page_dirty_for_io before ->writepage, set again by redirtying. */
  dirtyFlag = false;
  writeback = false;
  uptodate = true;
  checked = false;
  error = false;
  /** mapping_set_error() was called: fsync will report the write error. */
  mappingError = false;
  redirtied = false;
  /**
   * The radix tree's PAGECACHE_TAG_DIRTY when it differs from PG_dirty: clear_page_dirty_for_io
   * clears the flag and keeps the tag until set_page_writeback (mm/page-writeback.c, 2.6.27).
   * Null: the tag follows PG_dirty.
   */
  dirtyTag: boolean | null = null;
  /** Dropped by the generic code because it lies wholly beyond EOF. */
  droppedBeyondEof = false;
  buffers: BufferHead | null = null;
  /** Removed from the page cache (truncate's remove_from_page_cache, or an invalidation's): page->mapping reads NULL. */
  truncated = false;
  readonly blocks: BlockData[] = [];
  constructor(
    public index: bigint,
    public mapping: KObj,
  ) {
    super('page', freshId(), 'page');
  }
  override get(field: string): Value | undefined {
    switch (field) {
      case 'index':
        return int(this.index);
      case 'mapping':
        return this.truncated ? int(0) : obj(this.mapping);
      case 'flags':
        return int((this.locked ? 1n : 0n) | (this.error ? 2n : 0n) | (this.uptodate ? 8n : 0n) | (this.dirtyFlag ? 16n : 0n));
      case 'private':
        return obj(this.buffers);
      default:
        return super.get(field);
    }
  }
  /** The buffer_heads of the page in ring order. */
  bufferList(): BufferHead[] {
    const out: BufferHead[] = [];
    if (!this.buffers) return out;
    let bh = this.buffers;
    do {
      out.push(bh);
      bh = bh.next;
    } while (bh !== this.buffers && out.length < 64);
    return out;
  }
}

/** A jbd2 handle: its credits and, crucially, who reserved them and for what. */
export class Handle extends KObj {
  refcount = 1;
  readonly initialCredits: number | null;
  constructor(
    /** Function (or caller path) that started it. */
    readonly owner: string,
    /** Credits left; null when the file's credit count could not be evaluated (never exhausted then). */
    public credits: number | null,
    /** What the credits were reserved for. */
    readonly purpose: string,
    /** True when the credits were reserved for allocations done by this writeback. */
    readonly paysForWriteback: boolean,
    /** Started inside the simulated path (not inherited from the caller). */
    readonly startedInPath: boolean,
  ) {
    super('handle', freshId(), `handle of ${owner}`);
    this.initialCredits = credits;
  }
  override get(field: string): Value | undefined {
    if (field === 'h_buffer_credits') return this.credits === null ? { k: 'unk', key: `credits:${this.id}`, why: `credits of the handle of ${this.owner}` } : int(this.credits);
    if (field === 'h_ref') return int(this.refcount);
    return super.get(field);
  }
}
