// fs-reclaim-under-handle: an allocation that may enter direct reclaim with __GFP_FS (a page cache
// page grabbed without AOP_FLAG_NOFS, a page or slab object with GFP_KERNEL...) while the task
// holds a journal handle: reclaim may call ->writepage, which then runs with this foreign handle.
import { at, eventsOf, plural, type PathInput, type RawFinding, type Rule } from './types';

export const fsReclaimUnderHandle: Rule = {
  id: 'fs-reclaim-under-handle',
  check(path: PathInput): RawFinding[] {
    const uses = path.facts.currentHandle;
    return eventsOf(path, 'mem-alloc')
      .filter((e) => e.handle !== null && e.mayEnterFs !== 'no')
      .map((e) => {
        const h = e.handle!;
        const credits = h.initialCredits === null ? 'an unknown number of credits' : plural(h.initialCredits, 'credit');
        const certain = e.mayEnterFs === 'yes' && uses.value;
        const mask = e.mayEnterFs === 'yes' ? `its mask has __GFP_FS (${e.gfp})` : `its mask is not known (${e.gfp}), it may have __GFP_FS`;
        const then = uses.value
          ? `this file's ->writepage uses the handle the task holds (${uses.why}), so it would spend credits ${h.owner} reserved for ${h.purpose}`
          : `this file's ->writepage paths start their own handle (${uses.why}); a journal start there nests in ${h.owner}'s handle, and other file systems' ->writepage may use it`;
        return at(
          e,
          'fs-reclaim-under-handle',
          certain ? 'error' : 'warning',
          `${e.api} allocates a ${e.what} while the task holds the journal handle ${h.owner} started with ${credits}; ${mask}: direct reclaim may call ->writepage inside this handle, and ${then}. Allocate without __GFP_FS (AOP_FLAG_NOFS, GFP_NOFS) or before starting the handle`,
          `${e.api} may enter fs reclaim holding ${h.owner}'s handle`,
        );
      });
  },
};
