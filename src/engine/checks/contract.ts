// Checks made when ->writepage returns: the page must be unlocked, and every block of dirty
// data must have been submitted, journalled or kept dirty (redirtied). Also classifies the path.
import type { OutcomeKind } from '../api/types';
import type { Loc } from '../ir/ir';
import { show, type Value } from '../interp/values';
import type { World } from '../interp/world';

export interface PathEndState {
  ended: 'returned' | 'bug' | 'truncated';
  why: string;
  returnValue: Value | null;
  entry: string;
  returnLoc: Loc;
}

function bufferStateText(world: World, lblk: number): string {
  const bh = world.page.bufferList().find((b) => b.lblk === lblk);
  if (!bh) return 'no buffer_head';
  const f = bh.flags;
  if (!f.has('mapped')) return f.has('dirty') ? 'buffer dirty but unmapped (skipped by the writeout)' : 'buffer unmapped and clean';
  return f.has('dirty') ? 'buffer mapped and dirty but never submitted' : 'buffer mapped but clean, so the writeout had nothing to send';
}

/** Adds the end-of-writepage findings to the world and returns the path's outcome. */
export function checkContract(world: World, end: PathEndState): { outcome: OutcomeKind; description: string } {
  if (end.ended === 'bug') return { outcome: 'bug', description: `kernel BUG: ${end.why}` };
  if (end.ended === 'truncated') return { outcome: 'truncated', description: `cut: ${end.why}` };
  const page = world.page;
  const ret = end.returnValue ? show(end.returnValue) : 'void';
  if (page.locked) {
    world.findings.push({
      rule: 'page-lock-contract',
      severity: 'error',
      loc: end.returnLoc,
      function: end.entry,
      message: `${end.entry} returns ${ret} with the page still locked: ->writepage must unlock the page on every path`,
      stack: [end.entry],
      traceLength: world.trace.length,
    });
    return { outcome: 'returned-locked', description: `returned ${ret} with the page locked` };
  }
  if (page.droppedBeyondEof) return { outcome: 'dropped-beyond-eof', description: 'page beyond i_size dropped (not file data)' };
  const lost = page.blocks.filter((b) => b.dirty && !b.submitted && !b.beyondEof);
  if (lost.length > 0 && !page.dirtyFlag && world.fatalByDesign) {
    return { outcome: 'error', description: `returned ${ret} after ${world.fatalByDesign}; dirty data not written` };
  }
  if (lost.length > 0 && !page.dirtyFlag) {
    const at = world.lastRelease ?? { loc: end.returnLoc, function: end.entry, stack: [end.entry] };
    const detail = lost.map((b) => `block ${b.lblk}: ${bufferStateText(world, b.lblk)}`).join('; ');
    // Data dropped only after an injected failure (journal abort, ENOMEM...) is worth a look, not a verdict.
    const after = world.injected.length ? `; only after ${world.injected.join(', ')}` : '';
    world.findings.push({
      rule: 'dirty-data-dropped',
      severity: after ? 'warning' : 'error',
      loc: at.loc,
      function: at.function,
      message: `dirty data of ${lost.length === 1 ? 'block' : 'blocks'} ${lost.map((b) => b.lblk).join(', ')} is neither submitted nor redirtied when ${end.entry} returns, and the page is clean: the data is lost (${detail})${after}`,
      stack: at.stack,
      traceLength: world.trace.length,
    });
    return { outcome: 'data-lost', description: `returned ${ret}; dirty data of block(s) ${lost.map((b) => b.lblk).join(', ')} lost` };
  }
  const submitted = page.blocks.filter((b) => b.submitted).length;
  const isError = end.returnValue && end.returnValue.k === 'int' && end.returnValue.v < 0n;
  if (lost.length > 0) return { outcome: 'redirtied', description: `redirtied with ${lost.length} dirty block(s) left for later, ${submitted} submitted; returned ${ret}` };
  if (isError && submitted === 0) return { outcome: 'error', description: `returned ${ret}` };
  if (page.dirtyFlag && submitted > 0) return { outcome: 'written', description: `written: ${submitted} block(s) submitted (page dirty again); returned ${ret}` };
  if (page.dirtyFlag) return { outcome: 'redirtied', description: `redirtied, nothing submitted; returned ${ret}` };
  return { outcome: 'written', description: `written: ${submitted} block(s) submitted; returned ${ret}` };
}
