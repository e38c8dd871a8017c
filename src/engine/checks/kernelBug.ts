// kernel-bug: a BUG_ON, BUG, J_ASSERT, page_buffers() on a page without buffers, a NULL handle or
// pointer the kernel dereferences, end_page_writeback on a page not under writeback.
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

export const kernelBug: Rule = {
  id: 'kernel-bug',
  check(path: PathInput): RawFinding[] {
    return eventsOf(path, 'bug').map((e) => at(e, 'kernel-bug', 'error', e.message, e.message.length <= 80 ? e.message : `kernel BUG: ${e.check} fires`));
  },
};
