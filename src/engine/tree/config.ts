// The configuration a tree is preprocessed under: the compiler's predefined macros, then a
// default kernel configuration (an x86_64 SMP build with the writeback file systems of the
// era built in), then the user's `--config KEY=y|m|n|VALUE` overrides, as Kconfig writes them
// into autoconf.h: `y` → `#define CONFIG_KEY 1`, `m` → `#define CONFIG_KEY_MODULE 1`, `n` → absent.

/** What GCC 4.3 predefines for an x86_64 kernel build (`gcc -dM -E`), the part headers test. */
export const COMPILER_DEFINES: Readonly<Record<string, string>> = {
  __KERNEL__: '1',
  __GNUC__: '4',
  __GNUC_MINOR__: '3',
  __GNUC_PATCHLEVEL__: '2',
  __STDC__: '1',
  __STDC_VERSION__: '199901L',
  __x86_64__: '1',
  __x86_64: '1',
  __linux__: '1',
  __CHAR_BIT__: '8',
  __SIZEOF_LONG__: '8',
  __SIZEOF_POINTER__: '8',
  __LP64__: '1',
  __OPTIMIZE__: '1',
};

/** The default configuration: `y` options and valued ones (Kconfig names, without CONFIG_). */
export const DEFAULT_CONFIG: Readonly<Record<string, string>> = {
  X86: 'y',
  X86_64: 'y',
  '64BIT': 'y',
  SMP: 'y',
  NR_CPUS: '64',
  MMU: 'y',
  BUG: 'y',
  BLOCK: 'y',
  HZ: '250',
  HZ_250: 'y',
  PAGE_OFFSET: '0xffff810000000000',
  FLATMEM: 'y',
  SPLIT_PTLOCK_CPUS: '4',
  EXT2_FS: 'y',
  EXT3_FS: 'y',
  EXT4_FS: 'y',
  EXT4DEV_FS: 'y',
  JBD: 'y',
  JBD2: 'y',
  OCFS2_FS: 'y',
  GFS2_FS: 'y',
  REISERFS_FS: 'y',
  FS_MBCACHE: 'y',
  EXT3_FS_XATTR: 'y',
  EXT4_FS_XATTR: 'y',
  QUOTA: 'y',
};

export interface ConfigProblem {
  arg: string;
  message: string;
}

/** Parses `KEY=y`, `CONFIG_KEY=m`, `KEY=n`, `KEY=VALUE` overrides into a change of the configuration. */
export function parseConfigArgs(args: readonly string[]): { overrides: Record<string, string>; problems: ConfigProblem[] } {
  const overrides: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  for (const a of args) {
    const m = /^(?:CONFIG_)?([A-Za-z0-9_]+)=(.*)$/.exec(a.trim());
    if (!m) {
      problems.push({ arg: a, message: `--kconfig ${a}: expected KEY=y|m|n|VALUE` });
      continue;
    }
    overrides[m[1]] = m[2];
  }
  return { overrides, problems };
}

/** The macros of autoconf.h for a configuration (Kconfig names to values). */
export function configMacros(config: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === 'n' || v === '') continue;
    if (v === 'y') out[`CONFIG_${k}`] = '1';
    else if (v === 'm') out[`CONFIG_${k}_MODULE`] = '1';
    else out[`CONFIG_${k}`] = /^(0x[0-9a-fA-F]+|\d+|".*")$/.test(v) ? v : JSON.stringify(v);
  }
  return out;
}

/** Compiler macros, the default configuration and the overrides: what a tree file is preprocessed with. */
export function treeDefines(overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...COMPILER_DEFINES, ...configMacros({ ...DEFAULT_CONFIG, ...overrides }) };
}
