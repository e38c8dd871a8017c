// The entry points a caller drives, found per table from the file (->writepage, ->write_begin or
// ->prepare_write, helpers handed a running handle), and the arguments each is called with.
import type { Expr, FunctionDef, Loc, Param, TranslationUnit } from '../ir/ir';
import { modelTable } from '../models';
import { type Cell, int, KObj, obj, type Value } from '../interp/values';
import { freshId } from '../models/objects';
import type { World } from '../interp/world';
import type { AopsTable } from '../discovery';
import type { CallerDef } from './callers';
import type { Fact } from '../api/types';
import { type MkwriteContract, mkwriteContractOf } from '../facts/mkwriteContract';
import { vmOpsOf } from '../models/pageFault';
import { invalidateOffset } from './entryState';

export interface EntryPoint {
  fn: FunctionDef;
  /** The function whose handle a helper runs under (caller-handle), when the file shows one. */
  handleOwner?: string | null;
  /** The credits that function starts the handle with, when they evaluate (null: unknown). */
  handleCredits?: number | null;
  /** Where and how those credits were learnt. */
  handleCreditsWhy?: string;
  /** ->prepare_write: called with the page its caller grabbed and locked. */
  prepare?: boolean;
  /**
   * The kernel's caller that drives the entry and what follows it (write(2): generic_perform_write
   * runs ->write_begin, the copy, then ->write_end): run in place of `fn`, which names the run.
   */
  driver?: FunctionDef;
  /** The table's method the driver calls last (->write_end, ->commit_write), when the file or a model defines it. */
  last?: string;
  /** ->page_mkwrite: the fault contract its signature is written for (facts/mkwriteContract.ts). */
  mkwrite?: Fact<MkwriteContract>;
}

/** A method the driver can call: a function of the file or a modelled one (generic_write_end). */
function callable(unit: TranslationUnit, name: string | undefined): name is string {
  return !!name && (unit.functions.has(name) || modelTable().has(name));
}

/**
 * The kernel function that calls the entry, as a function of its own parameters calling its model
 * (models/performWrite.ts): `static ssize_t generic_perform_write(struct file *file, struct
 * iov_iter *i, loff_t pos) { return generic_perform_write(file, i, pos); }`, placed at the entry's name.
 */
function driverOf(model: string, params: [string, string, boolean][], at: Loc): FunctionDef {
  const ps: Param[] = params.map(([name, type, pointer]) => ({ name, type, pointer, functionPointer: false }));
  const args: Expr[] = ps.map((p) => ({ kind: 'ident', name: p.name, loc: at }));
  const call: Expr = { kind: 'call', callee: { kind: 'ident', name: model, loc: at }, args, loc: at };
  return { name: model, params: ps, returnType: 'ssize_t', isStatic: false, body: { kind: 'return', value: call, loc: at }, loc: at, nameLoc: at, labels: new Set() };
}

/** The functions of `table` the caller runs (none when the table lacks the entry). */
export function entryPointsFor(unit: TranslationUnit, table: AopsTable, caller: CallerDef): EntryPoint[] {
  const def = (name: string | null | undefined): FunctionDef | undefined => (name ? unit.functions.get(name) : undefined);
  // A vm_operations_struct row (vmOpsTables.ts) has no address_space_operations methods: only the write fault enters it.
  if (table.ops === 'vm_operations_struct' && caller.entry !== 'page_mkwrite') return [];
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
      // The write as the VFS of the era drives it, when the table's closing method is known.
      const wb = def(table.members.get('write_begin'));
      const we = table.members.get('write_end');
      if (wb) {
        if (!callable(unit, we)) return [{ fn: wb }];
        const driver = caller.flags === 0
          ? driverOf('generic_perform_write', [['file', 'struct file', true], ['i', 'struct iov_iter', true], ['pos', 'loff_t', false]], wb.nameLoc)
          : driverOf('__page_symlink', [['inode', 'struct inode', true], ['symname', 'const char', true], ['len', 'int', false], ['nofs', 'int', false]], wb.nameLoc);
        return [{ fn: wb, driver, last: we }];
      }
      const pw = def(table.members.get('prepare_write'));
      if (!pw || caller.flags !== 0) return [];
      const cw = table.members.get('commit_write');
      if (!callable(unit, cw)) return [{ fn: pw, prepare: true }];
      // Placed at ->commit_write: the caller's unlock_page after it is what its contract concerns.
      const at = def(cw)?.nameLoc ?? pw.nameLoc;
      return [{ fn: pw, prepare: true, driver: driverOf('generic_perform_write_2copy', [['file', 'struct file', true], ['i', 'struct iov_iter', true], ['pos', 'loff_t', false]], at), last: cw }];
    }
    case 'page_mkwrite': {
      // The write fault calls it as the kernel of its contract does (models/pageFault.ts).
      const fn = def(table.facts.pageMkwrite);
      if (!fn) return [];
      const driver = driverOf('do_wp_page', [['vma', 'struct vm_area_struct', true], ['page', 'struct page', true], ['vmf', 'struct vm_fault', true], ['vmf_contract', 'int', false]], fn.nameLoc);
      return [{ fn, driver, mkwrite: mkwriteContractOf(fn) }];
    }
    // The table's own methods, when the file defines them (a kernel default such as
    // block_invalidatepage named in the table is the model's, not an entry of the file).
    case 'invalidatepage':
    case 'releasepage':
    case 'set_page_dirty': {
      const fn = def(table.members.get(caller.entry));
      return fn ? [{ fn }] : [];
    }
    case 'handle-helper':
      return (table.facts.handleHelpers ?? []).flatMap((h) => {
        const fn = def(h.name);
        const n = h.credits?.value;
        return fn ? [{ fn, handleOwner: h.caller, handleCredits: typeof n === 'number' ? n : null, handleCreditsWhy: h.credits?.why }] : [];
      });
  }
}

/**
 * The faulting vma of a shared file mapping: vm_file is the scenario's file (f_mapping,
 * f_path.dentry->d_inode, f_dentry), vm_ops's page_mkwrite is being called.
 */
function vmaOf(world: World, mkwrite: string): KObj {
  const vma = new KObj('vma', freshId(), 'vma');
  vma.set('vm_file', obj(fileOf(world, 'vma->vm_file')));
  vma.set('vm_ops', obj(vmOpsOf(mkwrite)));
  return vma;
}

/** The open file of the scenario's inode (f_mapping, f_path.dentry->d_inode, f_dentry). */
function fileOf(world: World, label: string): KObj {
  const dentry = new KObj('dentry', freshId(), 'dentry');
  dentry.set('d_inode', obj(world.inode));
  const path = new KObj('path', freshId(), 'file->f_path');
  path.set('dentry', obj(dentry));
  const file = new KObj('file', freshId(), label);
  file.set('f_mapping', obj(world.inode.mapping));
  file.set('f_path', obj(path));
  file.set('f_dentry', obj(dentry));
  return file;
}

/** struct vm_fault of 2.6.30's page_mkwrite(vma, vmf): vmf->page is the faulting page. */
function vmFaultOf(world: World): KObj {
  const vmf = new KObj('vm_fault', freshId(), 'vmf');
  vmf.set('page', obj(world.page));
  vmf.set('pgoff', int(world.page.index));
  return vmf;
}

/**
 * Arguments by parameter type: write_begin(file, mapping, pos, len, flags, pagep, fsdata),
 * prepare_write(file, page, from, to), a helper's (handle, page, mapping, from...). Anything
 * else is an unknown value.
 */
export function entryArgs(fn: FunctionDef, kind: CallerDef['entry'], world: World, ep: EntryPoint, flags: number, unknown: (why: string) => Value, gfp = 0): Value[] {
  if (kind === 'writepage') return [obj(world.page), obj(world.wbc)];
  if (kind === 'page_mkwrite') {
    return fn.params.map((p) => (/vm_area_struct/.test(p.type) ? obj(vmaOf(world, ep.fn.name)) : /vm_fault/.test(p.type) ? obj(vmFaultOf(world)) : /\bpage\b/.test(p.type) && p.pointer ? obj(world.page) : p.name === 'vmf_contract' ? int(ep.mkwrite?.value === 'vm-fault' ? 1 : 0) : unknown(p.name)));
  }
  if (kind === 'invalidatepage') return fn.params.map((p, i) => (/\bpage\b/.test(p.type) && p.pointer ? obj(world.page) : i === 1 ? int(invalidateOffset(world.inode.size, world.page.index)) : unknown(p.name)));
  if (kind === 'releasepage') return fn.params.map((p, i) => (/\bpage\b/.test(p.type) && p.pointer ? obj(world.page) : i === 1 || /gfp_t/.test(p.type) ? int(gfp) : unknown(p.name)));
  if (kind === 'set_page_dirty') return fn.params.map((p) => (/\bpage\b/.test(p.type) && p.pointer ? obj(world.page) : unknown(p.name)));
  if (kind === 'writepages') return fn.params.map((p) => (/address_space/.test(p.type) ? obj(world.inode.mapping) : /writeback_control/.test(p.type) ? obj(world.wbc) : unknown(p.name)));
  const helper = kind === 'handle-helper';
  return fn.params.map((p) => {
    if (/\bhandle_t\b/.test(p.type) && p.pointer) return obj(world.handle);
    // write(2) writes through the file it opened (ext3_ordered_write_end reads file->f_mapping->host);
    // a write with AOP_FLAG_NOFS is __page_symlink's, whose pagecache_write_begin passes a NULL file.
    if (/\bstruct\s+file\b/.test(p.type) && p.pointer && !helper) return (flags & 0x4) !== 0 ? int(0) : obj(fileOf(world, 'file'));
    if (/address_space/.test(p.type)) return obj(world.inode.mapping);
    if (/\binode\b/.test(p.type) && p.pointer) return obj(world.inode);
    // A truncate helper zeroes the page from the new i_size; write_begin writes at the page.
    if (/loff_t/.test(p.type)) return int(helper ? world.inode.size : BigInt(Number(world.page.index) * 4096));
    if (p.name === 'len') return int(4096);
    if (p.name === 'flags') return int(flags);
    if (p.name === 'nofs') return int((flags & 0x4) !== 0);
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
