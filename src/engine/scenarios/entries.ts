// The entry points a caller drives, found per table from the file (->writepage, ->write_begin or
// ->prepare_write, helpers handed a running handle), and the arguments each is called with.
import type { FunctionDef, TranslationUnit } from '../ir/ir';
import { type Cell, int, obj, type Value } from '../interp/values';
import type { World } from '../interp/world';
import type { AopsTable } from '../discovery';
import type { CallerDef } from './callers';

export interface EntryPoint {
  fn: FunctionDef;
  /** The function whose handle a helper runs under (caller-handle), when the file shows one. */
  handleOwner?: string | null;
  /** ->prepare_write: called with the page its caller grabbed and locked. */
  prepare?: boolean;
}

/** The functions of `table` the caller runs (none when the table lacks the entry). */
export function entryPointsFor(unit: TranslationUnit, table: AopsTable, caller: CallerDef): EntryPoint[] {
  const def = (name: string | null | undefined): FunctionDef | undefined => (name ? unit.functions.get(name) : undefined);
  switch (caller.entry) {
    case 'writepage': {
      const fn = def(table.writepage);
      return fn ? [{ fn }] : [];
    }
    case 'writepages': {
      const fn = def(table.facts.writepages);
      return fn ? [{ fn }] : [];
    }
    case 'write_begin': {
      const wb = def(table.members.get('write_begin'));
      if (wb) return [{ fn: wb }];
      const pw = def(table.members.get('prepare_write'));
      return pw && caller.flags === 0 ? [{ fn: pw, prepare: true }] : [];
    }
    case 'handle-helper':
      return (table.facts.handleHelpers ?? []).flatMap((h) => {
        const fn = def(h.name);
        return fn ? [{ fn, handleOwner: h.caller }] : [];
      });
  }
}

/**
 * Arguments by parameter type: write_begin(file, mapping, pos, len, flags, pagep, fsdata),
 * prepare_write(file, page, from, to), a helper's (handle, page, mapping, from...). Anything
 * else is an unknown value.
 */
export function entryArgs(fn: FunctionDef, kind: CallerDef['entry'], world: World, ep: EntryPoint, flags: number, unknown: (why: string) => Value): Value[] {
  if (kind === 'writepage') return [obj(world.page), obj(world.wbc)];
  if (kind === 'writepages') return fn.params.map((p) => (/address_space/.test(p.type) ? obj(world.inode.mapping) : /writeback_control/.test(p.type) ? obj(world.wbc) : unknown(p.name)));
  const helper = kind === 'handle-helper';
  return fn.params.map((p) => {
    if (/\bhandle_t\b/.test(p.type) && p.pointer) return obj(world.handle);
    if (/address_space/.test(p.type)) return obj(world.inode.mapping);
    if (/\binode\b/.test(p.type) && p.pointer) return obj(world.inode);
    // A truncate helper zeroes the page from the new i_size; write_begin writes at the page.
    if (/loff_t/.test(p.type)) return int(helper ? world.inode.size : BigInt(Number(world.page.index) * 4096));
    if (p.name === 'len') return int(4096);
    if (p.name === 'flags') return int(flags);
    if (p.name === 'from') return int(helper ? world.inode.size : 0n);
    if (p.name === 'to') return int(4096);
    if (/\bpage\b/.test(p.type) && p.pointer) {
      // prepare_write and helpers get the locked page; write_begin a `struct page **pagep` to fill in.
      if (ep.prepare || helper) return obj(world.page);
      const cell: Cell = { name: p.name, value: int(0) };
      return { k: 'ref', cell };
    }
    return unknown(p.name);
  });
}
