// The VFS inode's flags and the tests of include/linux/fs.h (2.6.24–2.6.36, the same in every
// release): S_SYNC 1, S_NOATIME 2, S_APPEND 4, S_IMMUTABLE 8, S_DEAD 16, S_NOQUOTA 32, S_DIRSYNC
// 64, S_NOCMTIME 128, S_SWAPFILE 256, S_PRIVATE 512 in inode->i_flags; MS_SYNCHRONOUS 16 and
// MS_DIRSYNC 128 in sb->s_flags. The tests read the inode they are handed:
//   #define __IS_FLG(inode,flg) ((inode)->i_sb->s_flags & (flg))
//   #define IS_SYNC(inode)      (__IS_FLG(inode, MS_SYNCHRONOUS) || ((inode)->i_flags & S_SYNC))
//   #define IS_DIRSYNC(inode)   (__IS_FLG(inode, MS_SYNCHRONOUS|MS_DIRSYNC) || ((inode)->i_flags & (S_SYNC|S_DIRSYNC)))
//   #define IS_NOQUOTA(inode)   ((inode)->i_flags & S_NOQUOTA)
//   #define IS_APPEND(inode)    ((inode)->i_flags & S_APPEND)
//   #define IS_IMMUTABLE(inode) ((inode)->i_flags & S_IMMUTABLE)
//   #define IS_SWAPFILE(inode)  ((inode)->i_flags & S_SWAPFILE)
// The scenario inode has none of these flags and its volume is mounted without -o sync or
// dirsync (objects.ts): a write(2) to it got past generic_write_checks.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { int, type Value } from '../interp/values';

export const INODE_FLAG_CONSTANTS: [string, bigint][] = [
  ['S_SYNC', 1n],
  ['S_NOATIME', 2n],
  ['S_APPEND', 4n],
  ['S_IMMUTABLE', 8n],
  ['S_DEAD', 16n],
  ['S_NOQUOTA', 32n],
  ['S_DIRSYNC', 64n],
  ['S_NOCMTIME', 128n],
  ['S_SWAPFILE', 256n],
  ['S_PRIVATE', 512n],
  ['MS_SYNCHRONOUS', 16n],
  ['MS_DIRSYNC', 128n],
];

const FLAG: Record<string, bigint> = Object.fromEntries(INODE_FLAG_CONSTANTS);

/** `field & bits` of an object's field: an integer when both are, the unknown bit test otherwise. */
function bits(ctx: ModelCtx, holder: Value | undefined, field: string, mask: bigint, what: string): Value {
  const o = holder ? ctx.objOf(holder) : null;
  const v = o?.get(field);
  if (v && v.k === 'int') return int((v.v & mask) !== 0n);
  return ctx.unknown(`${what} (${field} not known)`);
}

/** A test of the inode's i_flags (and, for the sync tests, of its volume's s_flags). */
function flagTest(name: string, inodeBits: bigint, sbBits = 0n): ModelSpec {
  return {
    fn: (c, a) => {
      const inode = a[0];
      if (sbBits) {
        const o = inode ? c.objOf(inode) : null;
        const onSb = bits(c, o?.get('i_sb'), 's_flags', sbBits, `${name}(inode)`);
        if (onSb.k !== 'int' || onSb.v !== 0n) return onSb;
      }
      return bits(c, inode, 'i_flags', inodeBits, `${name}(inode)`);
    },
    doc: `inode->i_flags & ${inodeBitsText(inodeBits)}${sbBits ? ` (or the volume's s_flags & ${sbBitsText(sbBits)})` : ''}: the scenario inode has no flag set`,
  };
}

function inodeBitsText(b: bigint): string {
  return INODE_FLAG_CONSTANTS.filter(([n, v]) => n.startsWith('S_') && (b & v) !== 0n).map(([n]) => n).join('|');
}

function sbBitsText(b: bigint): string {
  return INODE_FLAG_CONSTANTS.filter(([n, v]) => n.startsWith('MS_') && (b & v) !== 0n).map(([n]) => n).join('|');
}

export const inodeFlagModels: [string, ModelSpec][] = [
  ['IS_SYNC', flagTest('IS_SYNC', FLAG.S_SYNC, FLAG.MS_SYNCHRONOUS)],
  ['IS_DIRSYNC', flagTest('IS_DIRSYNC', FLAG.S_SYNC | FLAG.S_DIRSYNC, FLAG.MS_SYNCHRONOUS | FLAG.MS_DIRSYNC)],
  ['IS_NOQUOTA', flagTest('IS_NOQUOTA', FLAG.S_NOQUOTA)],
  ['IS_APPEND', flagTest('IS_APPEND', FLAG.S_APPEND)],
  ['IS_IMMUTABLE', flagTest('IS_IMMUTABLE', FLAG.S_IMMUTABLE)],
  ['IS_SWAPFILE', flagTest('IS_SWAPFILE', FLAG.S_SWAPFILE)],
];
