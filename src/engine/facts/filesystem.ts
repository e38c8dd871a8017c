// Which filesystem and kernel era the file looks like, learnt from its source: the prefix most of
// its function names share, the journal layer its journal calls belong to, and the kernel
// interfaces it uses whose first and last appearance in the tree is known (checked against the
// tags v2.6.20 … v2.6.36-rc3 of the kernel history: include/linux/fs.h, pagemap.h, buffer_head.h,
// jbd2.h, fs/ext4/ext4.h, fs/ocfs2/journal.h and inode.h). A description for the user, never a
// premise of a rule.
import type { FilesystemInfo } from '../api/types';
import type { CallSite } from '../discovery';
import type { TranslationUnit } from '../ir/ir';
import { JOURNAL_CALLS } from '../models';
import { journalLayerOf as journalOf, type JournalLayer } from '../models/journalLayer';

/** A kernel interface and the minor versions of 2.6 where it exists (null: before/after the tags known). */
interface ApiEra {
  name: string;
  /** An address_space_operations member rather than a call. */
  member?: boolean;
  from: number | null;
  to: number | null;
  where: string;
}

/** The newest tag of the history these ranges were checked against. */
const NEWEST = 36;

const API_ERAS: readonly ApiEra[] = [
  { name: 'prepare_write', member: true, from: null, to: 27, where: 'include/linux/fs.h (address_space_operations)' },
  { name: 'write_begin', member: true, from: 24, to: null, where: 'include/linux/fs.h (address_space_operations)' },
  { name: 'is_partially_uptodate', member: true, from: 27, to: null, where: 'include/linux/fs.h (address_space_operations)' },
  { name: 'error_remove_page', member: true, from: 32, to: null, where: 'include/linux/fs.h (address_space_operations)' },
  { name: '__grab_cache_page', from: null, to: 28, where: 'include/linux/pagemap.h' },
  { name: 'grab_cache_page_write_begin', from: 29, to: null, where: 'include/linux/pagemap.h' },
  { name: '__block_write_begin', from: 36, to: null, where: 'include/linux/buffer_head.h' },
  { name: 'block_write_full_page_endio', from: 30, to: null, where: 'include/linux/buffer_head.h' },
  { name: 'jbd2_journal_file_inode', from: 27, to: null, where: 'include/linux/jbd2.h' },
  { name: 'ext4_jbd2_file_inode', from: 27, to: null, where: 'fs/ext4/ext4_jbd2.h' },
  { name: 'mpage_da_writepages', from: 27, to: 29, where: 'fs/ext4/inode.c, fs/mpage.c' },
  { name: 'ext4_get_blocks_wrap', from: null, to: 30, where: 'fs/ext4' },
  { name: 'ext4_get_blocks', from: 31, to: 35, where: 'fs/ext4/ext4.h' },
  { name: 'ext4_map_blocks', from: 35, to: null, where: 'fs/ext4/ext4.h' },
  { name: 'ocfs2_jbd2_file_inode', from: 28, to: null, where: 'fs/ocfs2/journal.h' },
  { name: 'ocfs2_read_inode_block', from: 29, to: null, where: 'fs/ocfs2/inode.h' },
];

const v = (minor: number): string => `2.6.${minor}`;
const OCFS2: JournalLayer = 'jbd or jbd2';

export function filesystemOf(unit: TranslationUnit, sites: CallSite[], dated: DatedEra = datedEra(unit, sites)): FilesystemInfo {
  const evidence: FilesystemInfo['evidence'] = [];
  // The filesystem: the prefix shared by most of the file's function and table names.
  const counts = new Map<string, number>();
  const names = [...unit.functions.keys(), ...unit.structs.filter((s) => s.structType === 'address_space_operations').map((s) => s.name)];
  for (const n of names) {
    const m = /^([a-z][a-z0-9]*)_/.exec(n);
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  const name = best && best[1] * 3 >= names.length ? best[0] : null;
  if (name) evidence.push({ line: null, why: `${best[1]} of its ${names.length} functions and ops tables are named ${name}_*` });

  // The journal layer: the family of the journal calls it makes.
  const journals = new Map<JournalLayer, CallSite>();
  for (const s of sites) {
    if (s.argIndex !== -1 || !JOURNAL_CALLS.has(s.callee)) continue;
    const j = journalOf(s.callee);
    if (j && !journals.has(j)) journals.set(j, s);
  }
  let journal: string = 'none';
  const firstJournal = [...journals].sort((a, b) => (a[0] === OCFS2 ? 1 : 0) - (b[0] === OCFS2 ? 1 : 0))[0];
  if (firstJournal) journal = firstJournal[0];
  else evidence.push({ line: null, why: 'it makes no journal call: no journal' });

  const { from, to, conflicts } = dated;
  evidence.push(...dated.evidence);
  const era =
    from === null && to === null
      ? 'unknown (no dated interface used)'
      : from !== null && to !== null
        ? from === to ? v(from) : `${v(from)}–${v(to)}`
        : from !== null
          ? `${v(from)} or later${from < NEWEST ? ` (up to ${v(NEWEST)}, the newest tag checked)` : ''}`
          : `${v(to as number)} or earlier`;
  if (conflicts.length) evidence.push({ line: null, why: `interfaces of other eras are used too (${conflicts.join(', ')}): a backport or a mix` });
  if (journal === OCFS2 && (from !== null || to !== null)) journal = from !== null && from >= 28 ? 'jbd2' : to !== null && to <= 27 ? 'jbd' : OCFS2;
  if (firstJournal) {
    const s = firstJournal[1];
    evidence.push({ line: s.line, why: `its journal calls are ${journal}'s (${s.callee}, line ${s.line})${firstJournal[0] === OCFS2 && journal !== OCFS2 ? ': ocfs2 runs over jbd up to 2.6.27, over jbd2 from 2.6.28' : ''}` });
  }
  return { name, journal, era, eraFrom: from === null ? null : v(from), eraTo: to === null ? null : v(to), evidence };
}

/** The releases (2.6.x minor numbers) a file's dated interfaces intersect to, and those of other eras. */
export interface DatedEra {
  from: number | null;
  to: number | null;
  /** Interfaces outside the intersection of the others: a backport or a mix. */
  conflicts: string[];
  evidence: FilesystemInfo['evidence'];
}

/** The era: the intersection of the ranges of the dated interfaces the file uses. */
export function datedEra(unit: TranslationUnit, sites: CallSite[]): DatedEra {
  const evidence: FilesystemInfo['evidence'] = [];
  let from: number | null = null;
  let to: number | null = null;
  const members = new Map<string, number>();
  for (const t of unit.structs) {
    if (t.structType !== 'address_space_operations') continue;
    for (const f of t.fields) if (!members.has(f.field)) members.set(f.field, f.loc?.line ?? t.loc?.line ?? 0);
  }
  const called = new Map<string, number>();
  for (const s of sites) if (!called.has(s.callee)) called.set(s.callee, s.line);
  const conflicts: string[] = [];
  for (const a of API_ERAS) {
    const line = a.member ? members.get(a.name) : called.get(a.name);
    if (line === undefined) continue;
    const range = a.from !== null && a.to !== null ? `${v(a.from)}–${v(a.to)}` : a.from !== null ? `${v(a.from)} and later` : `versions up to ${v(a.to as number)}`;
    evidence.push({ line, why: `${a.member ? `.${a.name}` : `${a.name}()`} (line ${line}) exists in ${range} (${a.where})` });
    const nf: number | null = a.from !== null && (from === null || a.from > from) ? a.from : from;
    const nt: number | null = a.to !== null && (to === null || a.to < to) ? a.to : to;
    if (nf !== null && nt !== null && nf > nt) {
      conflicts.push(a.name);
      continue;
    }
    from = nf;
    to = nt;
  }
  return { from, to, conflicts, evidence };
}
