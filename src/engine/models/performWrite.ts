// The buffered write of one page as the VFS drives a table's address_space operations:
//  - generic_perform_write (mm/filemap.c, 2.6.24–2.6.36): a_ops->write_begin(file, mapping, pos,
//    bytes, flags, &page, &fsdata) → iov_iter_copy_from_user_atomic → flush_dcache_page →
//    a_ops->write_end(file, mapping, pos, bytes, copied, page, fsdata) → mark_page_accessed →
//    balance_dirty_pages_ratelimited; write_end unlocks and releases the page.
//  - generic_perform_write_2copy (mm/filemap.c, 2.6.24–2.6.27; generic_file_buffered_write of
//    2.6.1x–2.6.23 the same way): __grab_cache_page (page locked) → a_ops->prepare_write(file, page,
//    offset, offset + bytes) → copy → flush_dcache_page → a_ops->commit_write(...) → unlock_page →
//    mark_page_accessed → page_cache_release; on a prepare_write error the caller unlocks.
//  - __page_symlink (fs/namei.c, 2.6.28): pagecache_write_begin(NULL, mapping, 0, len - 1,
//    AOP_FLAG_UNINTERRUPTIBLE | AOP_FLAG_NOFS when nofs, ...) → memcpy → pagecache_write_end.
// The scenario's mapping holds one page, the scenario's: the write covers it whole, at its index.
// The copy makes the page's bytes [from, to) the task's data (Page.blocks dirty: they differ from
// disk); the buffer_heads stay as write_begin/prepare_write left them.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { int, obj, type Value, ZERO } from '../interp/values';
import { PAGE_SIZE, Page } from './objects';
import { unlockPage } from './pageBuffers';

/** AOP_FLAG_UNINTERRUPTIBLE and AOP_FLAG_NOFS (include/linux/fs.h, 2.6.28/2.6.29). */
const AOP_FLAG_UNINTERRUPTIBLE = 0x1n;
const AOP_FLAG_NOFS = 0x4n;

/** mapping->a_ops->`method` of the scenario's mapping (the table under test), called through `call`. */
function aop(ctx: ModelCtx, mapping: Value, method: string): ((args: Value[]) => Value) | null {
  const m = ctx.objOf(mapping);
  const ops = m?.get('a_ops');
  const t = ops ? ctx.objOf(ops) : null;
  const fn = t?.get(method);
  if (!fn || fn.k !== 'fn') return null;
  return (args) => {
    ctx.emit({ kind: 'aop-call', api: ctx.name, method, fn: fn.name }, `${ctx.name} calls a_ops->${method} = ${fn.name}`);
    return ctx.callValue(fn, args, `a_ops->${method}`);
  };
}

/** The file's mapping: file->f_mapping when the file is known, else the scenario's (the file being written). */
function mappingOf(ctx: ModelCtx, file: Value | undefined): Value {
  const f = file ? ctx.objOf(file) : null;
  const m = f?.get('f_mapping');
  return m && m.k === 'obj' ? m : obj(ctx.world.inode.mapping);
}

/** iov_iter_copy_from_user_atomic(page, i, offset, bytes): the bytes become the task's data in the page. */
function copyIntoPage(ctx: ModelCtx, page: Page, from: number, to: number, api: string): number {
  const blocksize = 1 << ctx.world.inode.blkbits;
  page.blocks.forEach((b, k) => {
    const start = k * blocksize;
    if (start + blocksize > from && start < to && !b.beyondEof) b.dirty = true;
  });
  ctx.event(`${api}: bytes [${from}, ${to}) of the page copied from the user's buffer; buffers as left`);
  ctx.event('flush_dcache_page');
  return to - from;
}

/** `if (unlikely(status)) break;`: a nonzero status stops the write (an unknown one both ways). */
function failed(ctx: ModelCtx, v: Value): boolean {
  return ctx.truthy(v);
}

/** write_begin → copy → write_end on the page at `pos`, as generic_perform_write and __page_symlink do it. */
function writeOnePage(ctx: ModelCtx, file: Value, mapping: Value, pos: bigint, len: bigint, flags: bigint, copyApi: string): Value {
  const begin = aop(ctx, mapping, 'write_begin');
  const end = aop(ctx, mapping, 'write_end');
  if (!begin || !end) return ctx.unknown(`${ctx.name}: the mapping has no write_begin/write_end`);
  const pagep = { name: 'page', value: ZERO };
  const fsdata = { name: 'fsdata', value: ZERO };
  const status = begin([file, mapping, int(pos), int(len), int(flags), { k: 'ref', cell: pagep }, { k: 'ref', cell: fsdata }]);
  if (failed(ctx, status)) {
    ctx.event(`${ctx.name}: ->write_begin failed; the write stops (nothing to unlock: write_begin released the page)`);
    return status;
  }
  const p = ctx.objOf(pagep.value);
  if (!(p instanceof Page)) {
    ctx.event(`${ctx.name}: ->write_begin returned no page the engine knows; the write is not followed further`);
    return ctx.unknown(`${ctx.name}: page of ->write_begin not known`);
  }
  const offset = Number(pos & BigInt(PAGE_SIZE - 1));
  const copied = copyIntoPage(ctx, p, offset, offset + Number(len), copyApi);
  const r = end([file, mapping, int(pos), int(len), int(copied), obj(p), fsdata.value]);
  ctx.event(`${ctx.name}: ->write_end returned; mark_page_accessed, balance_dirty_pages_ratelimited`);
  return r;
}

/** generic_perform_write(file, i, pos): one page, the scenario's, written whole. */
function genericPerformWrite(ctx: ModelCtx, a: Value[]): Value {
  const file = a[0] ?? ZERO;
  const pos = a[2] && a[2].k === 'int' ? a[2].v : ctx.world.page.index * BigInt(PAGE_SIZE);
  // flags = 0, AOP_FLAG_UNINTERRUPTIBLE only for a kernel-space iov (segment_eq(get_fs(), KERNEL_DS)).
  const offset = pos & BigInt(PAGE_SIZE - 1);
  return writeOnePage(ctx, file, mappingOf(ctx, file), pos, BigInt(PAGE_SIZE) - offset, 0n, 'iov_iter_copy_from_user_atomic');
}

/** __page_symlink(inode, symname, len, nofs): the symlink body written through the page cache. */
function pageSymlink(ctx: ModelCtx, a: Value[]): Value {
  const inode = a[0] ? ctx.objOf(a[0]) : null;
  const m = inode?.get('i_mapping');
  const mapping = m && m.k === 'obj' ? m : obj(ctx.world.inode.mapping);
  const len = a[2] && a[2].k === 'int' ? a[2].v : BigInt(PAGE_SIZE) + 1n;
  const nofs = !!a[3] && ctx.truthy(a[3]);
  const flags = AOP_FLAG_UNINTERRUPTIBLE | (nofs ? AOP_FLAG_NOFS : 0n);
  // pagecache_write_begin(NULL, mapping, 0, len-1, flags, &page, &fsdata); the scenario's page is the symlink's.
  const pos = ctx.world.page.index * BigInt(PAGE_SIZE);
  const r = writeOnePage(ctx, ZERO, mapping, pos, len - 1n, flags, 'memcpy');
  return r.k === 'int' && r.v >= 0n ? ZERO : r;
}

/** generic_perform_write_2copy(file, i, pos): __grab_cache_page → ->prepare_write → copy → ->commit_write → unlock. */
function performWrite2copy(ctx: ModelCtx, a: Value[]): Value {
  const file = a[0] ?? ZERO;
  const mapping = mappingOf(ctx, file);
  const prepare = aop(ctx, mapping, 'prepare_write');
  const commit = aop(ctx, mapping, 'commit_write');
  if (!prepare || !commit) return ctx.unknown(`${ctx.name}: the mapping has no prepare_write/commit_write`);
  const page = ctx.world.page;
  // __grab_cache_page: the page found in the cache and locked (the scenario starts it locked).
  if (!page.locked) page.locked = true;
  ctx.event('__grab_cache_page: the page locked, with no journal handle held');
  const status = prepare([file, obj(page), int(0), int(PAGE_SIZE)]);
  if (failed(ctx, status)) {
    // if (status != AOP_TRUNCATED_PAGE) unlock_page(page); page_cache_release(page); break.
    if (page.locked) unlockPage(ctx, page);
    else ctx.event('->prepare_write failed and left the page unlocked');
    return status;
  }
  copyIntoPage(ctx, page, 0, PAGE_SIZE, 'filemap_copy_from_user');
  const r = commit([file, obj(page), int(0), int(PAGE_SIZE)]);
  unlockPage(ctx, page);
  ctx.event('mark_page_accessed, page_cache_release');
  return r;
}

/** block_write_end(file, mapping, pos, len, copied, page, fsdata) of 2.6.28 fs/buffer.c: __block_commit_write on [start, start + copied). */
function blockWriteEnd(ctx: ModelCtx, a: Value[]): Value {
  const page = a[5] ? ctx.objOf(a[5]) : null;
  const pos = a[2] && a[2].k === 'int' ? a[2].v : 0n;
  const copied = a[4] && a[4].k === 'int' ? a[4].v : 0n;
  const start = Number(pos & BigInt(PAGE_SIZE - 1));
  if (page instanceof Page) {
    const blocksize = 1 << ctx.world.inode.blkbits;
    let s = 0;
    let all = true;
    for (const bh of page.bufferList()) {
      const e = s + blocksize;
      if (e > start && s < start + Number(copied)) {
        bh.flags.add('uptodate');
        bh.flags.add('dirty');
        bh.flags.delete('new');
        page.dirtyFlag = true;
      } else if (!bh.flags.has('uptodate')) all = false;
      s = e;
    }
    if (all) page.uptodate = true;
  }
  ctx.event(`${ctx.name}: flush_dcache_page; __block_commit_write on [${start}, ${start + Number(copied)}): buffers uptodate and dirty`);
  return a[4] ?? ZERO;
}

/** generic_write_end of 2.6.28 fs/buffer.c: block_write_end, i_size extended, unlock_page, page_cache_release. */
function genericWriteEnd(ctx: ModelCtx, a: Value[]): Value {
  const copied = blockWriteEnd(ctx, a);
  const w = ctx.world;
  const pos = a[2] && a[2].k === 'int' ? a[2].v : 0n;
  const c = copied.k === 'int' ? copied.v : 0n;
  if (pos + c > w.inode.size) {
    w.inode.size = pos + c;
    ctx.event(`${ctx.name}: i_size_write(${pos + c}); mark_inode_dirty after the page is unlocked`);
  }
  const page = a[5] ? ctx.objOf(a[5]) : null;
  unlockPage(ctx, page instanceof Page ? page : w.page);
  return copied;
}

/** page_offset(page) (include/linux/pagemap.h): ((loff_t)page->index) << PAGE_CACHE_SHIFT. */
function pageOffset(ctx: ModelCtx, a: Value[]): Value {
  const page = a[0] ? ctx.objOf(a[0]) : null;
  return page instanceof Page ? int(page.index * BigInt(PAGE_SIZE)) : ctx.unknown('page_offset of an unknown page');
}

export const performWriteModels: [string, ModelSpec][] = [
  ['page_offset', { fn: pageOffset, doc: "the page's byte offset in the file: page->index << PAGE_CACHE_SHIFT" }],
  ['generic_perform_write', { fn: genericPerformWrite, doc: "write(2) of one page: a_ops->write_begin, the copy from user space, a_ops->write_end (which unlocks and releases the page)" }],
  ['generic_perform_write_2copy', { fn: performWrite2copy, doc: 'write(2) before write_begin: __grab_cache_page, a_ops->prepare_write, the copy, a_ops->commit_write, unlock_page' }],
  ['__page_symlink', { fn: pageSymlink, doc: 'a symlink body through pagecache_write_begin/_end, AOP_FLAG_NOFS when nofs' }],
  ['block_write_end', { fn: blockWriteEnd, doc: 'marks the copied buffers uptodate and dirty (__block_commit_write)' }],
  ['generic_write_end', { fn: genericWriteEnd, doc: 'block_write_end, extends i_size, unlocks the page' }],
];
