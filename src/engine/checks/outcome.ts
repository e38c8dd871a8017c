// How a ->writepage path ended, in the matrix's words (written, redirtied, BUG, data lost...).
// Not a rule: rules decide findings; this only classifies the path for the scenario matrix.
import type { OutcomeKind } from '../api/types';
import { show } from '../interp/values';
import { lostBlocks } from './dirtyDataDropped';
import type { PathInput } from './types';

export function classifyPath(path: PathInput): { outcome: OutcomeKind; description: string } {
  const { end, world } = path;
  if (end.ended === 'bug') return { outcome: 'bug', description: `kernel BUG: ${end.why}` };
  if (end.ended === 'truncated' || end.ended === 'stopped') return { outcome: 'truncated', description: `cut: ${end.why}` };
  const ret0 = end.returnValue ? show(end.returnValue) : 'void';
  if (path.entryKind === 'page_mkwrite') {
    // The write fault's verdict on what ->page_mkwrite returned (models/pageFault.ts).
    const r = path.events.find((e): e is Extract<typeof e, { kind: 'mkwrite-return' }> => e.kind === 'mkwrite-return');
    if (r) {
      const failed = r.verdict === 'error' || r.verdict === 'errno-as-mask';
      const race = r.truncated ? ' (truncate removed the page before it ran)' : '';
      return { outcome: failed ? 'error' : 'written', description: `${r.fn} returned ${r.ret}: ${r.reading}${race}` };
    }
  }
  if (path.entryKind !== 'writepage' && path.entryKind !== 'writepages') {
    // Not a ->writepage: no page contract to classify, only whether the call succeeded.
    const failed = end.returnValue && end.returnValue.k === 'int' && end.returnValue.v < 0n;
    return failed ? { outcome: 'error', description: `${path.entry} returned ${ret0}` } : { outcome: 'written', description: `${path.entry} completed: returned ${ret0}` };
  }
  const page = world.page;
  const ret = end.returnValue ? show(end.returnValue) : 'void';
  if (page.locked) return { outcome: 'returned-locked', description: `returned ${ret} with the page locked` };
  if (page.droppedBeyondEof) return { outcome: 'dropped-beyond-eof', description: 'page beyond i_size dropped (not file data)' };
  const lost = lostBlocks(path);
  if (lost.length > 0) {
    if (world.fatalByDesign) return { outcome: 'error', description: `returned ${ret} after ${world.fatalByDesign}; dirty data not written` };
    return { outcome: 'data-lost', description: `returned ${ret}; dirty data of block(s) ${lost.join(', ')} lost` };
  }
  const unsubmitted = page.blocks.filter((b) => b.dirty && !b.submitted && !b.beyondEof).length;
  const submitted = page.blocks.filter((b) => b.submitted).length;
  const isError = end.returnValue && end.returnValue.k === 'int' && end.returnValue.v < 0n;
  if (unsubmitted > 0) return { outcome: 'redirtied', description: `redirtied with ${unsubmitted} dirty block(s) left for later, ${submitted} submitted; returned ${ret}` };
  if (isError && submitted === 0) return { outcome: 'error', description: `returned ${ret}` };
  if (page.dirtyFlag && submitted > 0) return { outcome: 'written', description: `written: ${submitted} block(s) submitted (page dirty again); returned ${ret}` };
  if (page.dirtyFlag) return { outcome: 'redirtied', description: `redirtied, nothing submitted; returned ${ret}` };
  return { outcome: 'written', description: `written: ${submitted} block(s) submitted; returned ${ret}` };
}
