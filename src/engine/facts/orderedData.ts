// How a table's ordered data reaches the disk, from the calls on its paths: inodes handed to the
// journal (ext4 since 2.6.27-rc1: the commit writes their pages through ->writepage), data buffers
// filed on the transaction (ext3, ext4 up to 2.6.26: the commit submits the buffers itself), or none.
import type { Fact, OrderedData } from '../api/types';
import type { CallSite } from '../discovery';
import type { TranslationUnit } from '../ir/ir';
import { walkCalls } from './reach';
import { FAMILY_INODE_ORDERED_DATA } from '../models/families';
import { BUFFER_ORDERED_DATA, INODE_ORDERED_DATA as JBD2_INODE_ORDERED_DATA } from '../models/journal';

const INODE_ORDERED_DATA = [...JBD2_INODE_ORDERED_DATA, ...FAMILY_INODE_ORDERED_DATA];

/** The first call (or function-pointer use) of one of `names` in `fns`. */
function firstUse(sites: CallSite[], fns: Set<string> | null, names: readonly string[]): CallSite | undefined {
  return sites.find((s) => (fns === null || fns.has(s.function)) && (names.includes(s.callee) || (s.passed !== undefined && names.includes(s.passed))));
}

export function orderedDataOf(unit: TranslationUnit, members: string[], modes: string[] | null, sites: CallSite[]): Fact<OrderedData> {
  if (modes && !modes.includes('ordered')) return { value: 'none', line: null, why: `the file selects this table for data=${modes.join('|')}, which orders no data` };
  const fns = walkCalls(unit, members, sites).reached;
  for (const scope of [fns, null]) {
    const inode = firstUse(sites, scope, INODE_ORDERED_DATA);
    if (inode) return { value: 'inode', line: inode.line, why: `${inode.function} hands the inode to the journal (${inode.passed ?? inode.callee}, line ${inode.line}): the commit writes its pages through ->writepage${scope ? '' : ' (called elsewhere in the file)'}` };
    const buffer = firstUse(sites, scope, BUFFER_ORDERED_DATA);
    if (buffer) return { value: 'buffer', line: buffer.line, why: `${buffer.function} files data buffers on the transaction (${buffer.passed ?? buffer.callee}, line ${buffer.line}): the commit submits them itself, never through ->writepage${scope ? '' : ' (called elsewhere in the file)'}` };
  }
  return { value: 'none', line: null, why: 'no call on this file\'s paths hands inodes or data buffers to the journal' };
}
