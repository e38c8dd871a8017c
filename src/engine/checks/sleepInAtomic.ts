// sleep-in-atomic: an entry its caller runs under a spinlock calls something that may sleep.
// ->set_page_dirty is called by zap_pte_range (mm/memory.c, 2.6.24-2.6.36) with the pte lock held
// and the page unlocked: lock_page, a journal start (start_this_handle allocates and waits for the
// transaction), a page-cache grab or an allocation whose mask has __GFP_WAIT may schedule there
// ("scheduling while atomic"). An allocation with an unknown mask is a warning.
import { at, type PathInput, type RawFinding, type Rule } from './types';

export const sleepInAtomic: Rule = {
  id: 'sleep-in-atomic',
  check(path: PathInput): RawFinding[] {
    const lock = path.atomic;
    if (!lock) return [];
    const out: RawFinding[] = [];
    const say = (what: string): string => `${what} may sleep, but ${path.entry} is called under ${lock} (set_page_dirty may not sleep): scheduling while atomic`;
    for (const e of path.events) {
      if (e.kind === 'page-lock') out.push(at(e, 'sleep-in-atomic', 'error', say(`${e.api} waits for the page lock and`), `${e.api} may sleep under ${lock}`));
      else if (e.kind === 'journal-start' && !e.nested) out.push(at(e, 'sleep-in-atomic', 'error', say(`${e.api} starts a journal handle (it allocates it and waits for the running transaction) and`), `${e.api} may sleep under ${lock}`));
      else if (e.kind === 'mem-alloc' && e.mayWait !== 'no') out.push(at(e, 'sleep-in-atomic', e.mayWait === 'yes' ? 'error' : 'warning', say(`${e.api} allocates a ${e.what} with ${e.gfp}${e.mayWait === 'yes' ? ', which has __GFP_WAIT,' : ', which may have __GFP_WAIT,'} and`), `${e.api} may sleep under ${lock}`));
    }
    return out;
  },
};
