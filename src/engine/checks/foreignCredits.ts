// foreign-credits: credits another operation reserved are spent (the seed's ext4_da_write_begin
// handle, inherited by direct reclaim): the handle was neither started on this path nor opened by
// the caller for this writeback's allocations.
import { at, eventsOf, plural, type PathInput, type RawFinding, type Rule } from './types';

export const foreignCredits: Rule = {
  id: 'foreign-credits',
  check(path: PathInput): RawFinding[] {
    return eventsOf(path, 'credit-spend')
      .filter((e) => !e.handle.paysForWriteback && !e.handle.startedInPath)
      .map((e) => {
        const h = e.handle;
        const had = h.initialCredits === null ? 'an unknown number of credits' : plural(h.initialCredits, 'credit');
        return at(
          e,
          'foreign-credits',
          'error',
          `${e.what} spends ${plural(e.needed, 'journal credit')} of the handle ${h.owner} started with ${had} reserved for ${h.purpose}; ${path.entryKind === 'writepage' ? 'writepage' : `->${path.entryKind}`} must not use credits another operation reserved`,
          `${e.api} spends credits ${h.owner} reserved for ${h.purpose}`,
        );
      });
  },
};
