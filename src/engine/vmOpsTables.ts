// The write-fault rows of a file whose ->page_mkwrite no address_space_operations table of its own
// runs: ocfs2's mmap.c of 2.6.24-2.6.36 defines ocfs2_file_vm_ops and ocfs2_page_mkwrite while its
// aops table is in aops.c. Each vm_operations_struct with a `.page_mkwrite` the file defines becomes
// a row of the page-fault caller alone, named for the vm_operations_struct. What an aops table
// would tell (the data modes it is selected under, delayed allocation, the credits and lock order
// of its ->write_begin and ->writepages) is not in the file: the row's facts say so, and a path
// that asks the data mode or delalloc makes a guess (models/misc.ts), so its findings are warnings.
import type { Fact, TableFactsInfo } from './api/types';
import { type AopsTable, type CallSite, fileJournalOf, fnName } from './discovery';
import { mappedUnwrittenOf } from './facts/unwritten';
import type { TranslationUnit } from './ir/ir';
import type { TableFacts } from './scenarios/callers';

/** Whether the aops table runs the page-fault caller on `fn`: its ->writepage is in the file (analyze.ts) and its ->page_mkwrite is `fn`. */
function covers(unit: TranslationUnit, t: AopsTable, fn: string): boolean {
  return !!t.writepage && unit.functions.has(t.writepage) && t.facts.pageMkwrite === fn;
}

/** The vm_operations_struct rows of the file (none when its aops tables already fault through the same ->page_mkwrite). */
export function vmOpsTables(unit: TranslationUnit, sites: CallSite[], aops: AopsTable[]): AopsTable[] {
  const out: AopsTable[] = [];
  for (const s of unit.structs) {
    if (s.structType !== 'vm_operations_struct') continue;
    const field = s.fields.find((f) => f.field === 'page_mkwrite');
    const name = field ? fnName(field.value) : null;
    const fn = name ? unit.functions.get(name) : undefined;
    if (!name || !fn || aops.some((t) => covers(unit, t, name))) continue;
    if (out.some((t) => t.facts.pageMkwrite === name)) continue;
    const members = new Map<string, string>();
    for (const f of s.fields) {
      const n = fnName(f.value);
      if (n) members.set(f.field, n);
    }
    const notLearnt = `${s.name} is a vm_operations_struct: this file has no address_space_operations table that runs ${name}, so what one would tell is not known`;
    const info: TableFactsInfo = {
      lockOrder: { value: 'unknown', line: null, why: notLearnt },
      orderedData: { value: 'none', line: null, why: `${notLearnt} (no ordered-data rule reads it for the write fault)` },
      writebackCredits: { value: 'unknown', line: null, why: notLearnt },
      currentHandle: { value: false, line: null, why: `${notLearnt}: whether the filesystem's ->writepage uses the handle a task holds` },
    };
    // The file's own facts where its aops tables learnt them (all tables share them), else unknown.
    const file = aops[0]?.facts;
    const uses = aops.map((t) => t.facts.fileCurrentHandle).find((f) => f?.value);
    const facts: TableFacts = {
      modes: null,
      delalloc: null,
      writepages: undefined,
      hasWriteBegin: false,
      writeEntry: undefined,
      handleHelpers: [],
      pageMkwrite: name,
      mappedUnwritten: mappedUnwrittenOf(unit),
      forSymlink: null,
      info,
      fileLockOrder: file?.fileLockOrder ?? 'unknown',
      fileCurrentHandle: uses ?? (info.currentHandle as Fact<boolean>),
      fileJournal: file?.fileJournal ?? fileJournalOf(sites),
    };
    out.push({
      name: s.name,
      ops: 'vm_operations_struct',
      line: s.loc.line,
      members,
      writepage: null,
      writepageLine: fn.nameLoc.line,
      facts,
      mount: { dataMode: 'ordered', options: [] },
      mountUnknown: { why: `not told by the file of ${s.name}, which selects no address_space_operations table`, guessedOptions: ['DELALLOC'] },
    });
  }
  return out;
}
