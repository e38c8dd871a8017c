// The page as the kernel's callers of ->invalidatepage, ->releasepage and ->set_page_dirty hand it
// over (mm/truncate.c, mm/vmscan.c, mm/memory.c of 2.6.24-2.6.36), made from a page state.
import { int } from '../interp/values';
import type { World } from '../interp/world';
import { PAGE_SIZE } from '../models/objects';
import type { CallerDef } from './callers';

/**
 * The offset truncate passes ->invalidatepage: the new i_size's offset in the page it ends inside
 * (truncate_partial_page(page, partial)), else 0 (truncate_complete_page: the whole page goes).
 */
export function invalidateOffset(iSize: bigint, pageIndex: bigint): bigint {
  const size = BigInt(PAGE_SIZE);
  const off = iSize - pageIndex * size;
  return off > 0n && off < size ? off : 0n;
}

export function prepareForEntry(w: World, caller: CallerDef): void {
  const page = w.page;
  const dirtyData = page.blocks.some((b) => b.dirty && !b.beyondEof);
  switch (caller.entry) {
    case 'invalidatepage': {
      // i_size was set before the page cache is truncated (vmtruncate, ext4_setattr): a page not
      // straddling the new EOF lies wholly past it, its data no longer file data. The page is
      // locked (find_lock_page / lock_page), not under writeback (wait_on_page_writeback), and
      // still dirty if its data is.
      const start = page.index * BigInt(PAGE_SIZE);
      if (invalidateOffset(w.inode.size, page.index) === 0n) {
        w.inode.size = start;
        w.inode.info.set('i_disksize', int(start));
        for (const b of page.blocks) b.beyondEof = true;
      }
      page.locked = true;
      page.dirtyFlag = dirtyData;
      return;
    }
    case 'releasepage':
      // shrink_page_list: pageout wrote the page and its buffers (none dirty, none locked), it is
      // clean, not under writeback, and locked again (trylock_page).
      for (const bh of page.bufferList()) bh.flags.delete('dirty');
      for (const b of page.blocks) b.dirty = false;
      page.locked = true;
      page.dirtyFlag = false;
      return;
    case 'set_page_dirty':
      // A write through a shared mapping after writeback: the buffers and PG_dirty are clean, the
      // data in memory is not (the pte is dirty). zap_pte_range does not lock the page.
      for (const bh of page.bufferList()) bh.flags.delete('dirty');
      page.locked = false;
      page.dirtyFlag = false;
      return;
    default:
  }
}
