// Finding the base file of a patch path in the workspace, and choosing which side of the patch it
// is. Pure: the workspace is reached through the LocateEnv callbacks (the host passes
// workspace.fs.stat and workspace.findFiles); no vscode import.
import type { ApplyProbe } from './patchJobs';

/** The path a file of a patch is known by (as analyzePatch names it): the new path, or the old one for a deletion. */
export function patchPathOf(file: { oldPath: string; newPath: string }): string {
  return file.newPath !== '/dev/null' && file.newPath ? file.newPath : file.oldPath;
}

/** The files analyzePatch analyses: C sources and headers (the same test as the engine's). */
export function isCPath(path: string): boolean {
  return /\.(c|h)$/.test(path);
}

/**
 * Workspace-relative paths to try for a path of the patch, most specific first: the path as
 * written (a/ or b/ stripped), then with leading components stripped like `patch -p1`, `-p2`...
 * while at least a directory and the file name remain. A bare file name is left to the basename
 * search, which can tell whether it is unique.
 */
export function relativeCandidates(patchPath: string): string[] {
  let p = patchPath.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (/^[ab]\//.test(p)) p = p.slice(2);
  const parts = p.split('/').filter((s) => s && s !== '.');
  if (parts.length === 0 || parts.includes('..')) return [];
  const out: string[] = [];
  for (let i = 0; i <= parts.length - 2 || (i === 0 && parts.length === 1); i++) out.push(parts.slice(i).join('/'));
  return out;
}

export function basenameOf(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/');
  return parts[parts.length - 1] ?? path;
}

/** How many trailing path components two paths share ("fs/ext4/inode.c" vs "/src/linux/fs/ext4/inode.c": 3). */
export function commonSuffix(a: string, b: string): number {
  const x = a.replace(/\\/g, '/').split('/').filter(Boolean);
  const y = b.replace(/\\/g, '/').split('/').filter(Boolean);
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

/** A glob that matches exactly this file name anywhere (glob metacharacters bracketed). */
export function basenameGlob(name: string): string {
  return `**/${name.replace(/[[\]{}*?!]/g, (c) => `[${c}]`)}`;
}

export interface LocateEnv<U> {
  /** Workspace folders, in order. */
  folders: readonly U[];
  /** folder + relative path, if such a file exists. */
  existing(folder: U, rel: string): Promise<U | undefined>;
  /** Files in the workspace with this exact base name. */
  findByBasename(name: string): Promise<U[]>;
  /** The path of a file (for ranking by shared trailing components). */
  pathOf(file: U): string;
}

export type Located<U> =
  | { kind: 'found'; file: U; how: string }
  | { kind: 'choose'; candidates: U[]; reason: string }
  | { kind: 'missing'; reason: string };

/**
 * The base file for `patchPath`: the path (or a -pN stripped form) relative to a workspace folder;
 * else a search by base name: one hit, or a unique hit sharing a directory with the patch path
 * besides the name, is taken; several equally good hits are left for the user to choose.
 */
export async function locateBase<U>(patchPath: string, env: LocateEnv<U>): Promise<Located<U>> {
  const rels = relativeCandidates(patchPath);
  for (const rel of rels) {
    const hits: U[] = [];
    for (const folder of env.folders) {
      const hit = await env.existing(folder, rel);
      if (hit) hits.push(hit);
    }
    if (hits.length > 1) return { kind: 'choose', candidates: hits, reason: `${rel} exists in ${hits.length} workspace folders` };
    if (hits.length === 1) return { kind: 'found', file: hits[0], how: rel === rels[0] ? `${rel} in the workspace` : `${rel} in the workspace (leading components of ${patchPath} stripped)` };
  }
  const name = basenameOf(patchPath);
  if (!name) return { kind: 'missing', reason: `the patch names no file (${JSON.stringify(patchPath)})` };
  const hits = await env.findByBasename(name);
  if (hits.length === 0) return { kind: 'missing', reason: `no ${rels[0] ?? name} and no file named ${name} in the workspace` };
  if (hits.length === 1) return { kind: 'found', file: hits[0], how: `the only file named ${name} in the workspace` };
  const scored = hits.map((h) => ({ h, n: commonSuffix(patchPath, env.pathOf(h)) })).sort((a, b) => b.n - a.n);
  if (scored[0].n >= 2 && scored[1].n < scored[0].n) {
    return { kind: 'found', file: scored[0].h, how: `the one of ${hits.length} files named ${name} whose path ends like ${patchPath}` };
  }
  const best = scored.filter((s) => s.n === scored[0].n).map((s) => s.h);
  return { kind: 'choose', candidates: [...best, ...scored.filter((s) => s.n < scored[0].n).map((s) => s.h)], reason: `${hits.length} files named ${name} in the workspace` };
}

/** The base found by the patch's path alone (as written, or with leading components stripped), never by file name. */
export async function locateByPath<U>(patchPath: string, env: LocateEnv<U>): Promise<Located<U>> {
  const rels = relativeCandidates(patchPath);
  for (const rel of rels) {
    const hits: U[] = [];
    for (const folder of env.folders) {
      const hit = await env.existing(folder, rel);
      if (hit) hits.push(hit);
    }
    if (hits.length > 1) return { kind: 'choose', candidates: hits, reason: `${rel} exists in ${hits.length} workspace folders` };
    if (hits.length === 1) return { kind: 'found', file: hits[0], how: rel === rels[0] ? `${rel} in the workspace` : `${rel} in the workspace (leading components of ${patchPath} stripped)` };
  }
  return { kind: 'missing', reason: `${rels[0] ?? patchPath} is not in the workspace` };
}

/** The pre-image blob of an `index` value ("abc123..def456 100644" → "abc123"), or null (none, or a new file). */
export function preImageBlob(index: string | null): string | null {
  const m = index ? /^([0-9a-f]{7,64})\.\.[0-9a-f]{7,64}/.exec(index) : null;
  if (!m || /^0+$/.test(m[1])) return null;
  return m[1];
}

/** How well the patch takes a candidate base: for the picker's description and its order. */
export function candidateFit(p: { forward: ApplyProbe; reverse: ApplyProbe }): { rank: number; text: string } {
  const { forward: f, reverse: r } = p;
  if (f.hunks === 0) return { rank: 0, text: 'no hunks to apply' };
  if (f.failed === 0) return { rank: 3 * f.hunks, text: `all ${f.hunks} hunk(s) apply (the patch is not applied to it)` };
  if (r.failed === 0) return { rank: 3 * f.hunks - 1, text: `already patched: all ${r.hunks} hunk(s) apply in reverse` };
  const best = Math.max(f.applied, r.applied);
  return { rank: best, text: f.applied >= r.applied ? `${f.applied} of ${f.hunks} hunk(s) apply` : `${r.applied} of ${r.hunks} hunk(s) apply in reverse` };
}

// ---------------------------------------------------------------------------------------------
// pre or post

export type SideChoice = { side: 'pre' | 'post'; reason: string } | { side: 'ask'; reason: string };

function describe(p: ApplyProbe, direction: 'forward' | 'in reverse'): string {
  if (p.hunks === 0) return `no hunks to apply ${direction}`;
  const extras = [p.offset ? `${p.offset} at an offset` : '', p.fuzzed ? `${p.fuzzed} with fuzz` : ''].filter(Boolean).join(', ');
  if (p.failed === 0) return `all ${p.hunks} hunk(s) apply ${direction}${extras ? ` (${extras})` : ''}`;
  return `${p.applied} of ${p.hunks} hunk(s) apply ${direction}${p.firstFailure ? `; the first that does not is at patch line ${p.firstFailure.patchLine}` : ''}`;
}

/** Describes a probe for the quick pick and the view's notes. */
export function probeText(p: ApplyProbe, direction: 'forward' | 'in reverse'): string {
  return describe(p, direction);
}

/**
 * Which side of the patch a base file is: the patch applies to it → 'pre'; it does not, but
 * reverse-applies cleanly → 'post' (the patch is already applied); anything else → ask.
 */
export function chooseSide(probe: { forward: ApplyProbe; reverse: ApplyProbe }): SideChoice {
  const { forward, reverse } = probe;
  const fwdOk = forward.failed === 0;
  const revOk = reverse.failed === 0;
  if (forward.hunks === 0) return { side: 'pre', reason: 'the patch has no hunks for it' };
  if (fwdOk && !revOk) return { side: 'pre', reason: `the patch applies to it: ${describe(forward, 'forward')}` };
  if (!fwdOk && revOk) return { side: 'post', reason: `the patch is already applied: ${describe(forward, 'forward')}, but ${describe(reverse, 'in reverse')}` };
  if (fwdOk && revOk) return { side: 'ask', reason: `the patch applies both ways: ${describe(forward, 'forward')}, and ${describe(reverse, 'in reverse')}` };
  return { side: 'ask', reason: `the patch applies neither way: ${describe(forward, 'forward')}; ${describe(reverse, 'in reverse')}` };
}
