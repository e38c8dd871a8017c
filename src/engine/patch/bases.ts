// Which local file stands for which file of a patch: bound by trailing path components (the
// longest match wins, the basename at least), never by position in the patch.

/** Path components, `a/` / `b/` and `./` prefixes ignored, backslashes as slashes. */
function components(p: string): string[] {
  return p.replace(/\\/g, '/').split('/').filter((c) => c !== '' && c !== '.');
}

/** Number of trailing components the two paths share (0: different basenames). */
export function trailingMatch(a: string, b: string): number {
  const x = components(a);
  const y = components(b);
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

export interface BaseBinding {
  /** patch path -> the base bound to it. */
  bound: Map<string, string>;
  /** Bases that match no file of the patch, or whose match is ambiguous, and why. */
  unbound: { base: string; reason: string }[];
}

/**
 * Binds each base to the patch file whose path shares the most trailing components with it
 * (`--base ext4/inode.c` and `--base /tmp/linux/fs/ext4/inode.c` both bind to fs/ext4/inode.c;
 * `--base inode.c` binds by basename). A tie between two patch files, or two bases for one file,
 * is reported, not guessed.
 */
export function bindBases(patchPaths: string[], bases: string[]): BaseBinding {
  const bound = new Map<string, string>();
  const score = new Map<string, number>();
  const unbound: { base: string; reason: string }[] = [];
  for (const base of bases) {
    let best: string[] = [];
    let bestScore = 0;
    for (const p of patchPaths) {
      const s = trailingMatch(p, base);
      if (s > bestScore) {
        best = [p];
        bestScore = s;
      } else if (s === bestScore && s > 0 && !best.includes(p)) best.push(p);
    }
    if (best.length === 0) unbound.push({ base, reason: 'no file of the patch has this name' });
    else if (best.length > 1) unbound.push({ base, reason: `ambiguous: it matches ${best.join(' and ')} equally; give more of its path` });
    else {
      const p = best[0];
      const prev = bound.get(p);
      if (prev !== undefined) {
        if ((score.get(p) ?? 0) === bestScore) {
          unbound.push({ base, reason: `${p} already has the base ${prev}` });
          continue;
        }
        if ((score.get(p) ?? 0) > bestScore) {
          unbound.push({ base, reason: `${p} already has the base ${prev}, which matches more of its path` });
          continue;
        }
        unbound.push({ base: prev, reason: `${p} has the base ${base}, which matches more of its path` });
      }
      bound.set(p, base);
      score.set(p, bestScore);
    }
  }
  return { bound, unbound };
}
