// `kpr lsp [--stdio]`: runs the language server (src/lsp/server.ts) on stdin/stdout until the
// client sends exit. stdout belongs to the protocol: nothing else may write there.
import * as path from 'node:path';
import { startServer } from '../lsp/server';
import type { ParsedArgs } from './main';

export function runLspCommand(_args: ParsedArgs): Promise<number> {
  // dist/cli.js: the .wasm files sit beside it, docs/ one level up.
  const connection = startServer({ wasmDir: __dirname, rulesDoc: path.join(__dirname, '..', 'docs', 'rules.md') });
  return new Promise((resolve) => {
    connection.onExit(() => resolve(0));
  });
}
