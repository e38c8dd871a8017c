// kpr's version: the package.json beside dist/ (bundled) or above out/src/cli (compiled), read at
// run time so that the compiled tree never holds a copy of package.json.
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function kprVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'kernel-patch-reasoner' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not here
    }
  }
  return (cached = '0.0.0');
}
