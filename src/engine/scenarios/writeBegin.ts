// What direct reclaim inside a table's own ->write_begin would find: interprets write_begin and
// records, at its page-cache allocation, whether a journal handle is held (whose, with how many
// credits) and whether reclaim may re-enter the file system (no AOP_FLAG_NOFS).
import type { TranslationUnit } from '../ir/ir';
import { explore } from '../interp/explorer';
import { Interp, PathEnd } from '../interp/interpreter';
import { type Cell, int, obj, type Value } from '../interp/values';
import { constants, modelTable } from '../models';
import { CALLERS, type ReclaimFacts } from './callers';
import { PAGE_STATES } from './pages';
import { buildWorld } from './setup';

const DOMAIN_DEFAULT = CALLERS.find((c) => c.id === 'reclaim-in-write-begin')?.handle;

export function reclaimInWriteBegin(unit: TranslationUnit, writeBegin: string | undefined, deadline: number): ReclaimFacts {
  const fn = writeBegin ? unit.functions.get(writeBegin) : undefined;
  const fallback = (why: string): ReclaimFacts => ({
    applicable: true,
    owner: DOMAIN_DEFAULT?.owner ?? 'write_begin',
    credits: DOMAIN_DEFAULT?.credits ?? 1,
    fromSource: false,
    note: `${why}: assumed, as in the 2008 seed, a handle of ${DOMAIN_DEFAULT?.owner} with ${DOMAIN_DEFAULT?.credits} credit held while the page is allocated`,
  });
  if (!fn) return fallback(writeBegin ? `${writeBegin} is not defined in this file` : 'the table has no ->write_begin in this file');
  const seen: { handle: { owner: string; credits: number } | null; nofs: boolean; line: number }[] = [];
  explore(
    (log) => {
      const world = buildWorld(PAGE_STATES[0], null, { dataMode: 'ordered', options: new Set() }, 300);
      world.page.locked = false;
      const interp = new Interp(unit, modelTable(), world, log, { stepsPerPath: 3000, callDepth: 12 }, constants);
      const args: Value[] = fn.params.map((p) => {
        if (/address_space/.test(p.type)) return obj(world.inode.mapping);
        if (/\binode\b/.test(p.type) && p.pointer) return obj(world.inode);
        if (/loff_t/.test(p.type)) return int(Number(world.page.index) * 4096);
        if (p.name === 'len') return int(4096);
        if (p.name === 'flags') return int(0);
        if (p.pointer && /\bpage\b/.test(p.type)) {
          const cell: Cell = { name: p.name, value: int(0) };
          return { k: 'ref', cell };
        }
        return interp.unknown(p.name);
      });
      try {
        interp.run(fn, args);
      } catch (e) {
        if (!(e instanceof PathEnd)) throw e;
      }
      const g = world.pageGrabs[0];
      if (g) seen.push({ handle: g.handle ? { owner: g.handle.owner, credits: g.handle.initialCredits } : null, nofs: g.nofs, line: g.line });
      return null;
    },
    { maxPaths: 12, deadline },
  );
  const risky = seen.find((g) => g.handle && !g.nofs);
  if (risky && risky.handle) {
    return { applicable: true, owner: risky.handle.owner, credits: risky.handle.credits, fromSource: true, note: `${fn.name} allocates its page (line ${risky.line}) while holding a handle of ${risky.handle.owner} with ${risky.handle.credits} credit${risky.handle.credits === 1 ? '' : 's'}, and reclaim may write pages back` };
  }
  if (seen.length === 0) return fallback(`no page allocation seen in ${fn.name}`);
  const g = seen[0];
  const why = g.handle ? `${fn.name} allocates its page with AOP_FLAG_NOFS while its handle is open (line ${g.line}): direct reclaim cannot re-enter the file system` : `${fn.name} allocates its page before starting its handle (line ${g.line})`;
  return { applicable: false, owner: '', credits: 0, fromSource: true, note: why };
}
