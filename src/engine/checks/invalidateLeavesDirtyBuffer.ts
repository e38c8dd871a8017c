// invalidate-leaves-dirty-buffer: ->invalidatepage(page, offset) returns with a buffer wholly at or
// after `offset` still dirty. mm/truncate.c (2.6.24-2.6.36) states the contract above
// do_invalidatepage: it "must ensure that no dirty buffer is left outside @offset ... Because the
// caller is about to free (and possibly reuse) those blocks on-disk": writeback of such a buffer
// writes into a block truncate freed. A buffer the journal still owns for the committing
// transaction (BH_Freed, journal_unmap_buffer) is the commit's to clean: not a finding.
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

export const invalidateLeavesDirtyBuffer: Rule = {
  id: 'invalidate-leaves-dirty-buffer',
  check(path: PathInput): RawFinding[] {
    const offset = path.invalidateOffset;
    if (path.entryKind !== 'invalidatepage' || offset === undefined || path.end.ended !== 'returned') return [];
    const left: string[] = [];
    let curr = 0n;
    for (const bh of path.world.page.bufferList()) {
      if (curr >= offset && bh.has('dirty') && !bh.has('freed')) left.push(`${bh.label} (block ${bh.lblk}${bh.has('mapped') ? `, mapped to disk block ${bh.blocknr}` : ''})`);
      curr += BigInt(bh.size);
    }
    if (left.length === 0) return [];
    const message = `${path.entry}(page, ${offset}) returns with ${left.join(', ')} past the truncation offset still dirty: do_invalidatepage must leave no dirty buffer outside the offset (mm/truncate.c), truncate frees those blocks and writeback would write into them`;
    const summary = `${path.entry} leaves ${left.length === 1 ? 'a dirty buffer' : `${left.length} dirty buffers`} past offset ${offset}`;
    const last = eventsOf(path, 'buffer-cleaned').pop();
    const w = path.world;
    // Shown at the last buffer cleaned, but what left this one dirty is the whole path: every guess
    // it made up to the return (a branch on what the filesystem attached to the buffer) counts.
    if (last) return [{ ...at(last, 'invalidate-leaves-dirty-buffer', 'error', message, summary), guesses: w.guesses.length }];
    return [{ rule: 'invalidate-leaves-dirty-buffer', severity: 'error', site: { loc: path.returnLoc, function: path.entry, stack: [path.entry] }, message, summary: summary.slice(0, 80), step: w.stepIndex, guesses: w.guesses.length }];
  },
};
