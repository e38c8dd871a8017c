// dirty-data-dropped: ->writepage returns with a block of dirty data neither submitted, nor handed
// to the journal, nor kept dirty (the page not redirtied), or written into a fallocated block whose
// extent nothing converted (the data is on disk but reads return zeros). The message names, per block, what left
// it unwritten and where. Data dropped only after an injected failure is a warning that says so;
// after __block_write_full_page's error path it is a warning that says the error reaches fsync.
// After a journal abort it is no finding (the file system stops writing by design).
import type { PathEvent } from '../interp/events';
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

/** The blocks whose data this path lost (computed once, shared with the outcome). */
export function lostBlocks(path: PathInput): number[] {
  const page = path.world.page;
  if (path.entryKind === 'invalidatepage' || path.entryKind === 'set_page_dirty') return methodLost(path);
  if (path.end.ended !== 'returned' || page.locked || page.droppedBeyondEof || page.dirtyFlag) return [];
  const inode = path.world.inode;
  return page.blocks.filter((b) => b.dirty && !b.beyondEof && (!b.submitted || (b.intoUnwritten && inode.diskState(b.lblk) === 'unwritten'))).map((b) => b.lblk);
}

/**
 * ->invalidatepage: a block inside the new i_size (before the offset) whose dirty buffer it cleaned
 * without writing is lost: the page stays in the cache and __block_write_full_page writes only
 * dirty buffers (a page left without buffers but dirty gets new dirty ones). ->set_page_dirty: the
 * page's data was dirtied through the pte; with PG_dirty left clear no writeback will see it.
 */
function methodLost(path: PathInput): number[] {
  const page = path.world.page;
  if (path.end.ended !== 'returned') return [];
  const inside = page.blocks.filter((b) => b.dirty && !b.beyondEof && !b.submitted);
  if (path.entryKind === 'set_page_dirty') return page.dirtyFlag ? [] : inside.map((b) => b.lblk);
  const ring = page.bufferList();
  if (ring.length === 0) return page.dirtyFlag ? [] : inside.map((b) => b.lblk);
  return inside.filter((b) => !ring.find((bh) => bh.lblk === b.lblk)?.has('dirty')).map((b) => b.lblk);
}

function cause(path: PathInput, lblk: number, writeout: string): { text: string; short: string } {
  const into = path.world.page.blocks.find((b) => b.lblk === lblk)?.intoUnwritten;
  if (into) {
    return {
      text: `${into.api} wrote it at line ${into.line} into its fallocated block while the extent was still unwritten, and nothing converted the extent (no get_block with create set): reads of the block return zeros`,
      short: 'written into an unconverted unwritten extent',
    };
  }
  const cleaned = eventsOf(path, 'buffer-cleaned').filter((e) => e.block === lblk).pop();
  if (cleaned) return { text: `its dirty bit was cleared by ${cleaned.api} at line ${cleaned.site.loc.line} (${cleaned.why})`, short: `dirty bit cleared by ${cleaned.api}` };
  const bh = path.world.page.bufferList().find((b) => b.lblk === lblk);
  if (!bh && path.entryKind === 'invalidatepage') return { text: 'its buffer was discarded, the buffers freed and PG_dirty cancelled (try_to_free_buffers)', short: 'buffer discarded and freed, PG_dirty cancelled' };
  if (!bh) return { text: 'the page has no buffer_head for it', short: 'no buffer_head' };
  if (!bh.has('mapped')) return bh.has('dirty') ? { text: `its buffer is dirty but unmapped, and ${writeout} skips unmapped buffers`, short: 'buffer dirty but unmapped' } : { text: 'its buffer is unmapped and clean', short: 'buffer unmapped and clean' };
  if (bh.has('dirty')) return { text: 'its buffer is mapped and dirty but was never submitted', short: 'buffer never submitted' };
  const created = eventsOf(path, 'buffers-created').find((e) => !e.state.includes('dirty'));
  if (created) {
    return {
      text: `${created.api} (line ${created.site.loc.line}) created the buffers clean and nothing marked them dirty (no block_commit_write or mark_buffer_dirty), so ${writeout} had nothing to send`,
      short: `${created.api} made clean buffers, none marked dirty`,
    };
  }
  return { text: `its buffer is mapped but clean, so ${writeout} had nothing to send`, short: 'buffer clean: nothing sent' };
}

export const dirtyDataDropped: Rule = {
  id: 'dirty-data-dropped',
  check(path: PathInput): RawFinding[] {
    const lost = lostBlocks(path);
    const w = path.world;
    if (lost.length === 0 || w.fatalByDesign) return [];
    const unlock = eventsOf(path, 'page-unlock').pop();
    const writeout = unlock?.api && unlock.api !== 'unlock_page' ? unlock.api : 'the writeout';
    const groups = new Map<string, { blocks: number[]; short: string }>();
    for (const b of lost) {
      const c = cause(path, b, writeout);
      const g = groups.get(c.text) ?? { blocks: [], short: c.short };
      g.blocks.push(b);
      groups.set(c.text, g);
    }
    const detail = [...groups].map(([text, g]) => `block${g.blocks.length === 1 ? '' : 's'} ${g.blocks.join(', ')}: ${text}`).join('; ');
    const fsync = w.page.mappingError ? '; the write error is recorded with mapping_set_error and reaches fsync' : '';
    const after = w.injected.length ? `; only after ${w.injected.join(', ')}` : '';
    const severity = fsync || after ? 'warning' : 'error';
    const site: PathEvent | undefined = unlock;
    const blocks = `block${lost.length === 1 ? '' : 's'} ${lost.join(', ')}`;
    const pageBlocks = w.page.blocks;
    const unconverted = lost.every((l) => pageBlocks.find((b) => b.lblk === l)?.intoUnwritten);
    const what = unconverted ? 'was written into fallocated space whose unwritten extent was never converted' : 'is neither submitted nor redirtied';
    const tail = path.entryKind === 'invalidatepage' ? `although ${blocks.startsWith('blocks') ? 'they lie' : 'it lies'} inside the new i_size (before offset ${path.invalidateOffset ?? 0n}): writeback will not write ${blocks.startsWith('blocks') ? 'them' : 'it'}` : path.entryKind === 'set_page_dirty' ? 'and PG_dirty is left clear: no writeback will write the data dirtied through the mapping' : 'and the page is clean';
    const message = `dirty data of ${blocks} ${path.entryKind === 'invalidatepage' ? 'loses its dirty buffer' : what} when ${path.entry} returns, ${tail}: the data is lost (${detail})${fsync}${after}`;
    const summary = `dirty data of ${blocks} lost: ${[...groups.values()][0].short}`;
    if (site) return [at(site, 'dirty-data-dropped', severity, message, summary)];
    return [
      {
        rule: 'dirty-data-dropped',
        severity,
        site: { loc: path.returnLoc, function: path.entry, stack: [path.entry] },
        message,
        summary: summary.slice(0, 80),
        step: w.stepIndex,
        guesses: w.guesses.length,
      },
    ];
  },
};
