// credits-exhausted: a metadata buffer new to the transaction finds no credit left on the handle:
// the journal layer's J_ASSERT(handle->h_buffer_credits > 0) fires, named in the words of the
// layer of the call (jbd for ext3_*, jbd2 for ext4_*). Needs a known credit count.
import { creditAssertion } from '../models/journalLayer';
import { at, eventsOf, plural, type PathInput, type RawFinding, type Rule } from './types';

export const creditsExhausted: Rule = {
  id: 'credits-exhausted',
  check(path: PathInput): RawFinding[] {
    return eventsOf(path, 'credit-spend')
      .filter((e) => e.exhausted && e.handle.credits !== null)
      .map((e) =>
        at(
          e,
          'credits-exhausted',
          'error',
          `${e.what} dirties ${plural(e.needed, 'metadata buffer')} new to the transaction but the handle of ${e.handle.owner} has ${plural(e.handle.credits ?? 0, 'credit')} left: ${creditAssertion(e.api)} fires (kernel BUG)`,
          `journal credits run out: ${e.needed} needed, ${e.handle.credits} left (J_ASSERT)`,
        ),
      );
  },
};
