// A kernel source tree as the preprocessor sees it: found from its layout (a top Makefile with
// VERSION/PATCHLEVEL, include/linux/fs.h, fs/), its include path for one architecture, and the
// headers a kernel build generates (they are not in a source tree), given here with the values
// a default x86_64 build of the era has, each said where it comes from.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceHost } from '../cpp';

export interface KernelVersion {
  version: number;
  patchlevel: number;
  sublevel: number;
  extra: string;
  /** `2.6.27` */
  text: string;
}

/** The kernel version of the tree at `root` from its top Makefile, or undefined when it is not a kernel tree. */
export function treeVersion(root: string): KernelVersion | undefined {
  let mk: string;
  try {
    mk = fs.readFileSync(path.join(root, 'Makefile'), 'utf8').slice(0, 2000);
  } catch {
    return undefined;
  }
  // `[ \t]*`, not `\s*`: an empty `EXTRAVERSION =` must not take the next line's `NAME`.
  const num = (k: string) => Number(new RegExp(`^${k}[ \\t]*=[ \\t]*(\\d+)`, 'm').exec(mk)?.[1]);
  const version = num('VERSION');
  const patchlevel = num('PATCHLEVEL');
  const sublevel = num('SUBLEVEL');
  if (!Number.isFinite(version) || !Number.isFinite(patchlevel)) return undefined;
  const extra = /^EXTRAVERSION[ \t]*=[ \t]*(\S*)/m.exec(mk)?.[1] ?? '';
  const sub = Number.isFinite(sublevel) ? sublevel : 0;
  return { version, patchlevel, sublevel: sub, extra, text: `${version}.${patchlevel}.${sub}${extra}` };
}

/** Whether `root` is the top of a kernel source tree. */
export function isKernelTree(root: string): boolean {
  return treeVersion(root) !== undefined && fs.existsSync(path.join(root, 'include', 'linux', 'fs.h')) && fs.existsSync(path.join(root, 'fs'));
}

/** The tree that holds `file` (walking up from its directory), or undefined. */
export function findTreeRoot(file: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    if (isKernelTree(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export interface TreeLayout {
  root: string;
  version: KernelVersion | undefined;
  arch: string;
  /** Include path, relative to the root, searched in order. */
  includeDirs: string[];
}

/**
 * The include path of a build for `arch`: `arch/ARCH/include` (2.6.28 and later keep the asm
 * headers there), then `include`. Before 2.6.28 a build made `include/asm` a link to
 * `include/asm-ARCH` (x86 since 2.6.24); the host maps `asm/` there when the tree has no link.
 */
export function treeLayout(root: string, arch = 'x86'): TreeLayout {
  return { root, version: treeVersion(root), arch, includeDirs: [`arch/${arch}/include`, 'include'] };
}

/**
 * Headers that `make` generates and a source tree lacks, with the contents a default build
 * gives them. `linux/bounds.h` is made by kernel/bounds.c from the page-flags and zones enums
 * (2.6.26 and later); the values are those of x86_64 with the default zones.
 */
export function generatedHeaders(layout: TreeLayout, config: Record<string, string>): Record<string, string> {
  const v = layout.version;
  const code = v ? v.version * 65536 + v.patchlevel * 256 + v.sublevel : 0;
  const autoconf = Object.entries(config)
    .map(([k, val]) => `#define ${k} ${val}`)
    .join('\n');
  return {
    'include/linux/autoconf.h': `${autoconf}\n`,
    'include/generated/autoconf.h': `${autoconf}\n`,
    'include/linux/version.h': `#define LINUX_VERSION_CODE ${code}\n#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + (c))\n`,
    'include/linux/utsrelease.h': `#define UTS_RELEASE "${v?.text ?? 'unknown'}"\n`,
    'include/generated/utsrelease.h': `#define UTS_RELEASE "${v?.text ?? 'unknown'}"\n`,
    'include/linux/bounds.h': '#define NR_PAGEFLAGS 32\n#define MAX_NR_ZONES 4\n',
    'include/generated/bounds.h': '#define NR_PAGEFLAGS 32\n#define MAX_NR_ZONES 4\n',
    'include/asm/asm-offsets.h': '',
    'include/generated/asm-offsets.h': '',
    // GCC's own header (not in the tree).
    'include/stdarg.h': 'typedef __builtin_va_list va_list;\n#define va_start(v, l) __builtin_va_start(v, l)\n#define va_end(v) __builtin_va_end(v)\n#define va_arg(v, l) __builtin_va_arg(v, l)\n',
  };
}

/** Reads the tree's files (cached), with the generated headers and the old `include/asm` link. */
export function treeHost(layout: TreeLayout, config: Record<string, string>): SourceHost & { readCount(): number } {
  const generated = generatedHeaders(layout, config);
  const cache = new Map<string, string | undefined>();
  const oldAsm = !fs.existsSync(path.join(layout.root, 'arch', layout.arch, 'include')) && fs.existsSync(path.join(layout.root, 'include', `asm-${layout.arch}`));
  let reads = 0;
  const readFile = (rel: string): string | undefined => {
    try {
      reads++;
      return fs.readFileSync(path.join(layout.root, rel), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    read(file: string): string | undefined {
      if (cache.has(file)) return cache.get(file);
      let text = readFile(file);
      if (text === undefined && oldAsm && file.startsWith('include/asm/')) text = readFile(`include/asm-${layout.arch}/${file.slice('include/asm/'.length)}`);
      if (text === undefined && file in generated) text = generated[file];
      cache.set(file, text);
      return text;
    },
    readCount: () => reads,
  };
}
