// Loads web-tree-sitter and tree-sitter-c's .wasm once, and parses C text into a tree.
// The tree never leaves the engine's lowering step: callers get the IR, never CST nodes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

let ready: Promise<Parser> | undefined;
let parser: Parser | undefined;

/** Directories searched for the two .wasm files, first match wins. */
function candidateDirs(wasmDir?: string): string[] {
  const dirs: string[] = [];
  if (wasmDir) dirs.push(wasmDir);
  // Bundled layout: dist/*.js beside dist/*.wasm.
  dirs.push(__dirname);
  dirs.push(path.join(__dirname, '..', 'dist'));
  try {
    dirs.push(path.dirname(require.resolve('tree-sitter-c/package.json')));
  } catch {
    /* not installed: only the bundled layout can work */
  }
  try {
    dirs.push(path.dirname(require.resolve('web-tree-sitter')));
  } catch {
    /* idem */
  }
  return dirs;
}

function locate(file: string, wasmDir?: string): string {
  for (const dir of candidateDirs(wasmDir)) {
    const p = path.join(dir, file);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`cannot find ${file} (looked in ${candidateDirs(wasmDir).join(', ')})`);
}

/** Resolves once the runtime and the C grammar are loaded. Safe to call many times. */
export function loadParser(wasmDir?: string): Promise<Parser> {
  if (!ready) {
    ready = (async () => {
      const runtime = locate('tree-sitter.wasm', wasmDir);
      await Parser.init({ locateFile: () => runtime });
      const language = await Language.load(locate('tree-sitter-c.wasm', wasmDir));
      const p = new Parser();
      p.setLanguage(language);
      parser = p;
      return p;
    })();
    ready.catch(() => {
      ready = undefined;
    });
  }
  return ready;
}

export function parserLoaded(): boolean {
  return parser !== undefined;
}

/** Thrown when parsing is cancelled because the file's time budget ran out. */
export class ParseTimeout extends Error {}

/**
 * Parses synchronously; loadParser() must have resolved first. The caller must delete() the
 * tree. With a deadline (Date.now() ms), parsing is cancelled past it (ParseTimeout). With `old`
 * (the previous version's tree, already edited to the change), tree-sitter parses incrementally.
 */
export function parseC(text: string, deadline?: number, old?: Tree): Tree {
  if (!parser) throw new Error('parser not loaded: await initEngine() first');
  const options = deadline === undefined ? undefined : { progressCallback: (() => Date.now() > deadline) as unknown as (s: unknown) => void };
  const tree = parser.parse(text, old ?? null, options);
  if (!tree) {
    if (deadline !== undefined && Date.now() > deadline) throw new ParseTimeout('parsing was cancelled: the time budget for this file ran out');
    throw new Error('tree-sitter returned no tree');
  }
  return tree;
}

/** ABI version of the loaded grammar (tests check it against the runtime's range). */
export function grammarAbiVersion(): number | undefined {
  return parser?.language?.abiVersion;
}
