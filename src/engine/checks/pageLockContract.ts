// page-lock-contract: ->writepage (and a driven write: ->write_begin then ->write_end) must return
// with the page unlocked, unlock it once, and never lock a page it already holds.
import { show } from '../interp/values';
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

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
