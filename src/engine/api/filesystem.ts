// The one phrase for the filesystem and era a file looks like (panel header, CLI, hovers). No imports:
// the webviews bundle it.
import type { FilesystemInfo } from './types';

/** "looks like ext3 (jbd journal), Linux 2.6.27–2.6.28". */
export function filesystemPhrase(f: FilesystemInfo): string {
  const journal = f.journal === 'none' ? 'no journal' : /journal|log$/.test(f.journal) ? f.journal : `${f.journal} journal`;
  return `looks like ${f.name ?? 'an unknown filesystem'} (${journal}), Linux ${f.era}`;
}
