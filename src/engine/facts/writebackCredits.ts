// The credits a table's ->writepages starts its writeback handle with, evaluated by interpreting
// the file's own ->writepages up to its first journal start (e.g. ext4_da_writepages); the same
// for the function that hands its handle to a helper (ext4_truncate → ext4_block_truncate_page).
import type { Fact } from '../api/types';
import type { TranslationUnit } from '../ir/ir';
import { simulate } from '../interp/simulate';
import { obj } from '../interp/values';
import { PAGE_STATES } from '../scenarios/pages';
import { buildWorld } from '../scenarios/setup';

export function writebackCreditsOf(unit: TranslationUnit, writepages: string | undefined, deadline: number): Fact<number | 'unknown'> {
  const fn = writepages ? unit.functions.get(writepages) : undefined;
  if (!fn) return { value: 'unknown', line: null, why: writepages ? `${writepages} is not defined in this file` : 'the table has no ->writepages in this file' };
  let found: Fact<number | 'unknown'> | null = null;
  simulate(
    unit,
    fn,
    {
      world: () => {
        const w = buildWorld(PAGE_STATES[0], null, { dataMode: 'ordered', options: new Set(['DELALLOC']) }, 400);
        w.page.locked = false;
        w.stopOn = (e) => e.kind === 'journal-start' && !e.nested;
        return w;
      },
      // A truncate-like caller of a handle helper takes the inode (ext4_truncate(struct inode *)).
      args: (w, interp) => fn.params.map((p) => (/address_space/.test(p.type) ? obj(w.inode.mapping) : /writeback_control/.test(p.type) ? obj(w.wbc) : /\binode\b/.test(p.type) && p.pointer ? obj(w.inode) : interp.unknown(p.name))),
    },
    { maxPaths: 8, deadline, stepsPerPath: 4000, callDepth: 16 },
    ({ world }) => {
      if (found) return;
      const e = world.events.find((x) => x.kind === 'journal-start' && !x.nested);
      if (!e || e.kind !== 'journal-start') return;
      found =
        e.requested === null
          ? { value: 'unknown', line: e.site.loc.line, why: `${fn.name} starts its handle with ${e.requestedText} credits (line ${e.site.loc.line}), which could not be evaluated from this file` }
          : { value: e.requested, line: e.site.loc.line, why: `${fn.name} starts its handle with ${e.requested} credits (line ${e.site.loc.line}, evaluated for a 4 KiB-block inode)` };
    },
  );
  return found ?? { value: 'unknown', line: fn.nameLoc.line, why: `${fn.name} starts no journal handle on the paths explored` };
}
