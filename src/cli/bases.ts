// Where `kpr patch` finds each file's base: `--base`/`--post` bound by path (never by position),
// `--tree DIR` (a checkout, each file by its path), `--repo DIR` (the patch's `index` blobs, else
// the parent of the commit the mail was made from).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type NoSource, type PatchSource, sideOf } from '../engine';
import { bindBases, type FilePatch, type SeriesPart } from '../engine/patch';
import { UsageError } from './args';
import type { GitRepo } from './git';
import { readInput } from './io';

export interface BaseOptions {
  /** Pre-images (`--base`) and post-images (`--post`). */
  bases: string[];
  posts: string[];
  tree?: string;
  repo?: GitRepo;
}

export function isCPath(p: string): boolean {
  return /\.(c|h)$/.test(p);
}

export function filePath(f: FilePatch): string {
  return f.newPath !== '/dev/null' && f.newPath ? f.newPath : f.oldPath;
}

const ZERO_BLOB = /^0+$/;

/**
 * A resolver for analyzePatch/analyzePatchSeries. `patchPaths` are the C files of the whole
 * input; a `--base` that binds to none of them is a usage error.
 */
export function makeResolver(patchPaths: string[], o: BaseOptions): (file: FilePatch, part?: SeriesPart) => PatchSource | NoSource | null {
  const given = [...o.bases.map((b) => ({ file: b, side: 'pre' as const })), ...o.posts.map((b) => ({ file: b, side: 'post' as const }))];
  const binding = bindBases(patchPaths, given.map((g) => g.file));
  if (binding.unbound.length) {
    const u = binding.unbound[0];
    throw new UsageError(`${given.find((g) => g.file === u.base)?.side === 'post' ? '--post' : '--base'} ${u.base}: ${u.reason} (its C files: ${patchPaths.join(', ') || 'none'})`);
  }
  const texts = new Map<string, string>();
  const read = (f: string): string => {
    let t = texts.get(f);
    if (t === undefined) texts.set(f, (t = readInput(f, 'C file')));
    return t;
  };
  return (file, part) => {
    const p = filePath(file);
    const bound = binding.bound.get(p) ?? binding.bound.get(file.oldPath);
    if (bound !== undefined) return { text: read(bound), side: given.find((g) => g.file === bound)?.side ?? 'pre', name: bound };
    if (file.isNew) return { text: '', side: 'pre', name: p };
    if (o.tree) {
      const local = path.join(o.tree, file.oldPath);
      if (fs.existsSync(local)) {
        const text = read(local);
        return { text, side: sideOf(text, file), name: p };
      }
      if (!o.repo) return { skip: `not in --tree ${o.tree}` };
    }
    if (o.repo) {
      const m = file.index ? /^([0-9a-f]+)\.\.([0-9a-f]+)$/.exec(file.index) : null;
      if (m && ZERO_BLOB.test(m[1])) return { text: '', side: 'pre', name: p, exact: true };
      if (m) {
        const t = o.repo.blob(m[1]);
        if (t !== null) return { text: t, side: 'pre', name: p, exact: true };
      }
      const commit = part?.commit;
      if (commit) {
        const t = o.repo.blob(`${commit}^:${file.oldPath}`);
        if (t !== null) return { text: t, side: 'pre', name: p };
      }
      return { skip: `--repo ${o.repo.dir}: ${m ? `blob ${m[1]} is not in the repository` : 'the patch has no index line'}${commit ? ` and ${commit.slice(0, 12)}^ has no ${file.oldPath}` : ' and names no commit'}` };
    }
    return { skip: 'no base given for it (use --base FILE, --tree DIR or --repo DIR)' };
  };
}
