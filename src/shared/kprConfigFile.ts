// Finding and reading `.kpr.json` on disk (Node fs): upward from the analysed file, or the path
// given with --config. Used by the CLI and the language server; the extension reads files
// through the workspace API instead (src/extension/kprConfigFiles.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, type ConfigFileContent, parseConfigText } from './kprConfig';

/** The nearest `.kpr.json` in `dir` or a parent directory, or null. */
export function findConfigUpward(dir: string): string | null {
  let d = path.resolve(dir);
  for (;;) {
    const candidate = path.join(d, CONFIG_FILE_NAME);
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
    const parent = path.dirname(d);
    if (parent === d) return null;
    d = parent;
  }
}

export interface LoadedConfigFile extends ConfigFileContent {
  file: string;
}

/** Reads and validates a config file; an unreadable file is one problem, not an exception. */
export function loadConfigFile(file: string): LoadedConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { file, values: {}, suppressions: [], problems: [{ path: '', message: `cannot read (${err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message})`, severity: 'error' }] };
  }
  return { file, ...parseConfigText(text) };
}
