// A write fault on a page of a shared file mapping, as mm/memory.c's do_wp_page calls the file's
// ->page_mkwrite and reads what it returns, in the two contracts of the kernel history:
//  - page_mkwrite(vma, page), 2.6.24–2.6.29 (do_wp_page of 2.6.28): page_cache_get,
//    pte_unmap_unlock, `if (vma->vm_ops->page_mkwrite(vma, old_page) < 0) goto unwritable_page`
//    (VM_FAULT_SIGBUS); else the pte is taken again and, for the dirtied page,
//    wait_on_page_locked(dirty_page) and set_page_dirty_balance: the page must come back unlocked
//    (__do_fault of the same era lock_page()s it after the call).
//  - page_mkwrite(vma, vmf), 2.6.30–2.6.36 (do_wp_page of 2.6.30, "mm: close page_mkwrite races"):
//    the result is a VM_FAULT_* mask; `tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)` ends the fault with
//    it; without VM_FAULT_LOCKED the VM lock_page()s the page and retries the fault when
//    `!page->mapping`; with it, VM_BUG_ON(!PageLocked(page)); then set_page_dirty and unlock_page.
// Which contract is the file's comes from its ->page_mkwrite's signature (facts/mkwriteContract.ts).
// Between pte_unmap_unlock and the call the task holds only a page reference: truncate may remove
// the page (truncate_complete_page of 2.6.28 mm/truncate.c: do_invalidatepage drops the buffers,
// cancel_dirty_page, remove_from_page_cache sets page->mapping NULL, ClearPageUptodate) after
// vmtruncate set i_size to the new size; a path takes that race as its alternative. Where the file
// can be written with O_DIRECT (its table has ->direct_IO), generic_file_direct_write of the same
// eras may run there too: filemap_write_and_wait_range writes the page back, then
// invalidate_inode_pages2_range (mm/truncate.c, 2.6.28) unmaps it, try_to_release_page frees its
// clean buffers and invalidate_complete_page2 removes it from the page cache: page->mapping NULL,
// i_size unchanged, the blocks still the file's. The fault must then be retried (0, or
// VM_FAULT_NOPAGE), not failed: a SIGBUS there is one for an access inside i_size.
// The model emits what the VM sees (event `mkwrite-return`); checks/pageLockContract.ts judges it.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { PathEnd } from '../interp/interpreter';
import { int, KObj, obj, show, type Value, ZERO } from '../interp/values';
import { freshId, PAGE_SIZE, Page } from './objects';
import { pageArg, unlockPage } from './pageBuffers';

/** include/linux/mm.h, 2.6.30: VM_FAULT_OOM | VM_FAULT_SIGBUS, VM_FAULT_NOPAGE, VM_FAULT_LOCKED. */
const VM_FAULT_OOM = 0x1n;
const VM_FAULT_SIGBUS = 0x2n;
const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS;
const VM_FAULT_NOPAGE = 0x100n;
const VM_FAULT_LOCKED = 0x200n;
/** FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE (2.6.30's do_wp_page sets vmf.flags so). */
const FAULT_FLAGS = 0x1n | 0x4n;

/** How the VM of the contract reads a result (`errno`: < 0 fails; `vm-fault`: a VM_FAULT_* mask). */
export type MkwriteVerdict = 'ok' | 'locked' | 'error' | 'errno-as-mask' | 'unknown';

function verdictOf(contract: 'errno' | 'vm-fault', r: bigint | null): { verdict: MkwriteVerdict; reading: string } {
  if (r === null) return { verdict: 'unknown', reading: 'not known' };
  if (contract === 'errno') return r < 0n ? { verdict: 'error', reading: '< 0: VM_FAULT_SIGBUS' } : { verdict: 'ok', reading: '>= 0: the page may be written' };
  const m = r & 0xffffffffn;
  const bits = [m & VM_FAULT_OOM ? 'VM_FAULT_OOM' : '', m & VM_FAULT_SIGBUS ? 'VM_FAULT_SIGBUS' : '', m & VM_FAULT_NOPAGE ? 'VM_FAULT_NOPAGE' : '', m & VM_FAULT_LOCKED ? 'VM_FAULT_LOCKED' : ''].filter(Boolean);
  const mask = `0x${m.toString(16)}${bits.length ? ` (${bits.join('|')})` : ''}`;
  if (r < 0n) {
    const what = m & VM_FAULT_OOM ? 'the fault ends as out of memory (the OOM killer runs)' : m & VM_FAULT_SIGBUS ? 'the fault ends in SIGBUS' : m & VM_FAULT_NOPAGE ? 'the VM returns as if the fault were handled and the write faults again, for ever' : 'the VM takes it for success';
    return { verdict: 'errno-as-mask', reading: `the mask ${mask}: ${what}` };
  }
  if (m & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) return { verdict: 'error', reading: `${mask}: the fault ends with it` };
  if (m & VM_FAULT_LOCKED) return { verdict: 'locked', reading: `${mask}: the page is returned locked` };
  return { verdict: 'ok', reading: `${mask}: the VM locks the page itself` };
}

/** Whether the VM of the contract ends the fault in SIGBUS or OOM for `r` (do_wp_page's unwritable_page). */
function failsFault(contract: 'errno' | 'vm-fault', r: bigint): boolean {
  if (contract === 'errno') return r < 0n;
  return r >= 0n && (r & VM_FAULT_ERROR) !== 0n;
}

/** truncate_complete_page after vmtruncate(inode, page_offset(page)): the page leaves the file. */
function truncateUnderFault(ctx: ModelCtx, page: Page): void {
  const w = ctx.world;
  const offset = page.index * BigInt(PAGE_SIZE);
  if (w.inode.size > offset) w.inode.size = offset;
  w.inode.info.set('i_disksize', int(w.inode.size));
  const perPage = PAGE_SIZE >> w.inode.blkbits;
  for (let i = 0; i < perPage; i++) w.inode.blockMap.delete(Number(page.index) * perPage + i);
  page.buffers = null;
  page.dirtyFlag = false;
  page.uptodate = false;
  for (const b of page.blocks) b.dirty = false;
  page.truncated = true;
  w.inode.mapping.set('nrpages', int(0));
  ctx.event(`truncate ran while the fault held only a page reference: i_size ${w.inode.size}, the page's blocks freed, its buffers dropped (do_invalidatepage), page->mapping NULL (remove_from_page_cache), not uptodate`);
}

/** An O_DIRECT write over the page while the fault holds only a reference (generic_file_direct_write, 2.6.28). */
function invalidateUnderFault(ctx: ModelCtx, page: Page): void {
  const w = ctx.world;
  // filemap_write_and_wait_range: the dirty data is on disk, the page and its buffers clean.
  page.dirtyFlag = false;
  for (const b of page.blocks) b.dirty = false;
  for (const bh of page.bufferList()) bh.flags.delete('dirty');
  // invalidate_complete_page2: try_to_release_page frees the clean buffers, then the page leaves the cache.
  page.buffers = null;
  page.truncated = true;
  w.inode.mapping.set('nrpages', int(0));
  ctx.event(`an O_DIRECT write ran while the fault held only a page reference: filemap_write_and_wait_range wrote the page back, invalidate_inode_pages2_range unmapped it, freed its buffers (try_to_release_page) and removed it from the page cache (page->mapping NULL); i_size stays ${w.inode.size}`);
}

/** do_wp_page(vma, page, vmf, vmf_contract): the write fault's call of vma->vm_ops->page_mkwrite. */
function doWpPage(ctx: ModelCtx, a: Value[]): Value {
  const vma = a[0] ? ctx.objOf(a[0]) : null;
  const page = pageArg(ctx, a[1]);
  const vmf = a[2] ?? ZERO;
  const contract = a[3] && ctx.truthy(a[3]) ? 'vm-fault' : 'errno';
  const ops = vma?.get('vm_ops');
  const fn = ops ? ctx.objOf(ops)?.get('page_mkwrite') : undefined;
  if (!vma || !fn || fn.k !== 'fn') return ctx.unknown(`${ctx.name}: the vma has no page_mkwrite`);
  const vo = ctx.objOf(vmf);
  if (vo) vo.set('flags', int(FAULT_FLAGS));
  ctx.event(`${ctx.name}: page_cache_get(old_page); pte_unmap_unlock: the task holds a page reference, no page lock, no handle`);
  const sizeBefore = ctx.world.inode.size;
  const races = ['the page stays in the file', 'truncate removes the page before ->page_mkwrite runs'];
  const direct = ctx.world.directIo;
  if (direct) races.push('an O_DIRECT write invalidates the page before ->page_mkwrite runs');
  const race = ctx.choose(races, `${ctx.name}: a truncate${direct ? ' or an O_DIRECT write' : ''} racing with the fault`);
  const truncated = race === 1;
  const invalidated = race === 2;
  if (truncated) truncateUnderFault(ctx, page);
  if (invalidated && direct) {
    if (direct.guess) ctx.world.guesses.push({ name: 'O_DIRECT', line: ctx.site().loc.line, assumed: `the file can be written with O_DIRECT (${direct.why})` });
    invalidateUnderFault(ctx, page);
  }
  const sizeAtCall = ctx.world.inode.size;
  const r = ctx.callValue(fn, contract === 'vm-fault' ? [obj(vma), vmf] : [obj(vma), obj(page)], 'vma->vm_ops->page_mkwrite');
  const rv = ctx.intOf(r);
  const { verdict, reading } = verdictOf(contract, rv);
  // What the file did to the file's size for a page that is no longer in it.
  const pastEof = truncated && ctx.world.inode.size > sizeAtCall ? [`i_size grows back to ${ctx.world.inode.size} (it was ${sizeBefore}; truncate set ${sizeAtCall})`] : [];
  ctx.emit(
    { kind: 'mkwrite-return', api: ctx.name, fn: fn.name, contract, ret: show(r), verdict, reading, pageLocked: page.locked, truncated, invalidated, fails: rv !== null && failsFault(contract, rv), injected: ctx.world.injected.length, pastEof },
    `${fn.name} returned ${show(r)} (${reading}) with the page ${page.locked ? 'locked' : 'unlocked'}`,
  );
  if (verdict === 'unknown') return r;
  if (contract === 'errno') {
    if (verdict === 'error') {
      ctx.event(`${ctx.name}: unwritable_page: page_cache_release, VM_FAULT_SIGBUS`);
      return int(VM_FAULT_SIGBUS);
    }
    // wait_on_page_locked(dirty_page) waits for a lock only this task could release.
    if (page.locked) throw new PathEnd('bug', `${ctx.name}: wait_on_page_locked on a page this task holds locked: it waits for ever`);
    ctx.event(`${ctx.name}: pte taken again${truncated || invalidated ? `: ${truncated ? 'truncate' : 'the invalidation'} zapped it, pte_same fails and the fault returns (to be retried)` : ', pte made writable and dirty; wait_on_page_locked; set_page_dirty_balance'}`);
    return ZERO;
  }
  if (verdict === 'error' || verdict === 'errno-as-mask') {
    ctx.event(`${ctx.name}: unwritable_page: page_cache_release; the fault returns ${reading}`);
    return r;
  }
  if (verdict === 'ok') {
    if (page.locked) throw new PathEnd('bug', `${ctx.name}: lock_page on a page this task holds locked: self-deadlock`);
    page.locked = true;
    ctx.event(`${ctx.name}: lock_page(old_page)`);
    if (page.truncated) {
      unlockPage(ctx, page);
      ctx.event(`${ctx.name}: !old_page->mapping: the page was ${invalidated ? 'invalidated' : 'truncated'}, the fault is retried`);
      return ZERO;
    }
  } else if (!page.locked) {
    // VM_BUG_ON(!PageLocked(old_page)) with CONFIG_DEBUG_VM; without it the unlock below releases a lock nobody holds.
    throw new PathEnd('bug', `${ctx.name}: VM_BUG_ON(!PageLocked(old_page)): VM_FAULT_LOCKED returned with the page unlocked`);
  }
  ctx.event(`${ctx.name}: pte taken again${truncated || invalidated ? ': it was zapped, pte_same fails' : ', made writable and dirty; set_page_dirty(dirty_page)'}`);
  if (!truncated && !invalidated) page.dirtyFlag = true;
  unlockPage(ctx, page);
  return ZERO;
}

/** The faulting vma: vm_ops->page_mkwrite is the file's function `name` (vmaOf in scenarios/entries.ts fills vm_file). */
export function vmOpsOf(name: string): KObj {
  const ops = new KObj('vm_operations_struct', freshId(), 'vma->vm_ops');
  ops.set('page_mkwrite', { k: 'fn', name });
  return ops;
}

export const pageFaultModels: [string, ModelSpec][] = [
  ['do_wp_page', { fn: doWpPage, doc: "a write fault on a shared file mapping: calls vma->vm_ops->page_mkwrite with the page unlocked and reads its result as the file's contract says (< 0 fails before 2.6.30; a VM_FAULT_* mask, VM_FAULT_LOCKED returning the page locked, from 2.6.30)" }],
];
