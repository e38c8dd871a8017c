// Reading inputs (files, `-` for stdin) and writing outputs that end quietly on a closed pipe.
import * as fs from 'node:fs';
import { ToolError, UsageError } from './args';

/** A C file, a patch or a JSON document; `-` reads stdin. Unreadable input is a ToolError (exit 3). */
export function readInput(file: string, what = 'file'): string {
  try {
    if (file === '-') return fs.readFileSync(0, 'utf8');
    if (fs.statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory, not a ${what}`);
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException;
    const name = file === '-' ? 'standard input' : file;
    throw new ToolError(`${name}: cannot read (${err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message})`);
  }
}

/**
 * A writer on a stream that stops writing, without an error, once the reader has gone away
 * (`kpr ... | head`): EPIPE is swallowed and later writes are dropped.
 */
export function pipeWriter(stream: NodeJS.WriteStream): (s: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
    else throw e;
  });
  return (s) => {
    if (!closed) stream.write(s);
  };
}
