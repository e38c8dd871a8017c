// page-lock-contract: ->writepage (and a driven write: ->write_begin then ->write_end) must return
// with the page unlocked, unlock it once, and never lock a page it already holds. ->page_mkwrite,
// called by the write fault with the page unlocked, must return it as the file's fault contract
// says (models/pageFault.ts, facts/mkwriteContract.ts): unlocked with a result < 0 or >= 0 under
// (vma, page); under (vma, vmf) locked with VM_FAULT_LOCKED, unlocked otherwise, and a VM_FAULT_*
// mask, never a negative errno; it must notice a page truncate removed before it ran, answer a page
// an O_DIRECT write invalidated with a retry (not SIGBUS), and look at the page's buffers only under
// the page lock.
import { show } from '../interp/values';
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

type MkwriteReturn = Extract<PathInput['events'][number], { kind: 'mkwrite-return' }>;

/** What is wrong with what ->page_mkwrite returned, as the VM of its contract reads it (null: nothing). */
function mkwriteViolation(e: MkwriteReturn, path: PathInput): { message: string; summary: string } | null {
  const f = e.fn;
  const sig = e.contract === 'errno' ? '(vma, page)' : '(vma, vmf)';
  if (e.contract === 'errno') {
    if (e.pageLocked) {
      return {
        message: `${f} returns ${e.ret} with the page locked: a ${sig} ->page_mkwrite is called with the page unlocked and must return it unlocked (do_wp_page's wait_on_page_locked, or __do_fault's lock_page, then waits for this task's own lock for ever)`,
        summary: `${f} returns with the page locked: the fault waits on it for ever`,
      };
    }
  } else {
    if (e.verdict === 'errno-as-mask') {
      return {
        message: `${f} returns ${e.ret}, a negative errno, from a ${sig} ->page_mkwrite whose result the VM reads as a VM_FAULT_* mask: ${e.reading}; return VM_FAULT_SIGBUS (VM_FAULT_OOM for -ENOMEM) on failure`,
        summary: `${f} returns errno ${e.ret} where the VM reads a VM_FAULT_* mask`,
      };
    }
    if (e.verdict === 'error' && e.pageLocked) {
      return {
        message: `${f} returns ${e.ret} (${e.reading}) with the page locked: the VM ends the fault without unlocking it, and every later lock_page of the page hangs`,
        summary: `${f} fails the fault with the page still locked`,
      };
    }
    if (e.verdict === 'ok' && e.pageLocked) {
      return {
        message: `${f} returns ${e.ret} with the page locked but without VM_FAULT_LOCKED: the VM then calls lock_page on it and waits for its own lock (self-deadlock); return VM_FAULT_LOCKED, or unlock the page`,
        summary: `${f} returns the page locked without VM_FAULT_LOCKED: deadlock`,
      };
    }
    if (e.verdict === 'locked' && !e.pageLocked) {
      return {
        message: `${f} returns VM_FAULT_LOCKED (${e.ret}) with the page unlocked: VM_BUG_ON(!PageLocked(page)) in the fault, and without CONFIG_DEBUG_VM its unlock_page releases a lock nobody holds`,
        summary: `${f} returns VM_FAULT_LOCKED with the page unlocked`,
      };
    }
  }
  // An O_DIRECT write wrote the page back and invalidated it: i_size did not move, the access is
  // valid, and the VM retries a fault answered 0 (or VM_FAULT_NOPAGE). Failing it is a SIGBUS for
  // a valid access; a path that took an injected failure (-ENOSPC...) fails for that instead.
  if (e.invalidated && e.fails && e.injected === 0) {
    const retry = e.contract === 'errno' ? 'return 0: do_wp_page then finds the pte zapped and the fault is retried' : 'return VM_FAULT_NOPAGE (or 0 with the page unlocked: the VM sees !page->mapping and retries the fault)';
    return {
      message: `${f} returns ${e.ret} (${e.reading}) for a page an O_DIRECT write invalidated while the fault held only a reference (generic_file_direct_write: the page written back, then invalidate_inode_pages2_range removed it from the page cache, page->mapping NULL, i_size unchanged): the process gets SIGBUS for an access inside the file; ${retry}`,
      summary: `${f} fails the fault (SIGBUS) for an invalidated page inside i_size`,
    };
  }
  if (e.truncated && (e.verdict === 'ok' || e.verdict === 'locked')) {
    const allocs = eventsOf(path, 'alloc').filter((a) => !a.convert && a.step <= e.step).map((a) => `allocates block ${a.block} (${a.api})`);
    const done = [...allocs, ...e.pastEof];
    if (done.length === 0) return null;
    return {
      message: `${f} does not notice that truncate removed the page before it ran (page->mapping is NULL, i_size at or below the page's offset: check page->mapping != inode->i_mapping and i_size under the page lock or i_alloc_sem) and returns ${e.ret} as success after it ${done.join(', ')}: work for a page the file no longer has, which the truncate that already ran will not undo`,
      summary: `${f} misses a truncate under the fault: ${done[0]}`,
    };
  }
  return null;
}

export const pageLockContract: Rule = {
  id: 'page-lock-contract',
  check(path: PathInput): RawFinding[] {
    const out: RawFinding[] = [];
    for (const e of eventsOf(path, 'page-unlock')) {
      if (!e.wasLocked) out.push(at(e, 'page-lock-contract', 'error', `${e.api} unlocks a page that is not locked (unlocked twice): VM_BUG_ON in unlock_page, and another task's lock is released`, 'page unlocked twice'));
    }
    for (const e of eventsOf(path, 'page-lock')) {
      if (e.wasLocked) out.push(at(e, 'page-lock-contract', 'error', 'lock_page on a page this task already holds locked: self-deadlock', 'lock_page on a page already held: self-deadlock'));
    }
    if (path.entryKind === 'page_mkwrite') {
      // The fault holds a reference, not the lock: reclaim (shrink_page_list → try_to_release_page)
      // may free the buffers of a clean page under it ("ext4: Take page lock before looking at
      // attached buffer_heads flags", 2.6.32). The first such read of the path is reported.
      const read = eventsOf(path, 'buffers-unlocked')[0];
      if (read) out.push(at(read, 'page-lock-contract', 'error', `${path.entry} reads the faulting page's buffer_heads (page_buffers) without the page lock: the fault holds only a page reference, and reclaim's try_to_release_page may free the buffers meanwhile (use after free); lock_page before looking at them`, "page_buffers() of the faulting page without the page lock"));
      for (const e of eventsOf(path, 'mkwrite-return')) {
        const v = mkwriteViolation(e, path);
        if (v) out.push({ rule: 'page-lock-contract', severity: 'error', site: { loc: path.returnLoc, function: path.entry, stack: [path.entry] }, message: v.message, summary: v.summary.length > 80 ? `${v.summary.slice(0, 79)}…` : v.summary, step: e.step, guesses: e.guesses });
      }
      return out;
    }
    // ->invalidatepage and ->releasepage are handed the locked page and return it locked: truncate
    // and shrink_page_list unlock it (mm/truncate.c, mm/vmscan.c).
    if (path.entryKind === 'invalidatepage' || path.entryKind === 'releasepage') {
      if (path.end.ended === 'returned' && !path.world.page.locked && !out.length) {
        out.push({
          rule: 'page-lock-contract',
          severity: 'error',
          site: { loc: path.returnLoc, function: path.entry, stack: [path.entry] },
          message: `${path.entry} returns with the page unlocked: ->${path.entryKind} is called with the page locked and its caller (${path.entryKind === 'invalidatepage' ? 'truncate_inode_pages_range' : 'shrink_page_list'}) unlocks it after, so the page is unlocked twice`,
          summary: `${path.entry} returns with the page unlocked`.slice(0, 80),
          step: path.world.stepIndex,
          guesses: path.world.guesses.length,
        });
      }
      return out;
    }
    if (path.entryKind === 'set_page_dirty') return out;
    if (path.end.ended === 'returned' && path.world.page.locked) {
      const ret = path.end.returnValue ? show(path.end.returnValue) : 'void';
      out.push({
        rule: 'page-lock-contract',
        severity: 'error',
        site: { loc: path.returnLoc, function: path.entry, stack: [path.entry] },
        message: path.driver
          ? `${path.entry} returns ${ret} and ${path.driver} ends with the page still locked: the write's methods must unlock the page (->write_end, or ->write_begin when it fails)`
          : `${path.entry} returns ${ret} with the page still locked: ${path.entryKind === 'writepages' ? '->writepages must unlock every page it locked' : '->writepage must unlock the page'} on every path`,
        summary: `${path.entry} returns ${ret} with the page locked`.slice(0, 80),
        step: path.world.stepIndex,
        guesses: path.world.guesses.length,
      });
    }
    return out;
  },
};
