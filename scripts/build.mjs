// Bundles every entry point with esbuild and copies the tree-sitter .wasm files beside them.
// Usage: node scripts/build.mjs [--watch] [--production] [ENTRY...]   (ENTRY: cli, extension, fuzz...)
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** Entries that exist are built; an entry a feature has not added yet is skipped. */
const entries = [
  { in: 'src/cli/main.ts', out: 'cli', platform: 'node' },
  { in: 'src/cli/seriesWorker.ts', out: 'seriesWorker', platform: 'node' },
  { in: 'src/extension/extension.ts', out: 'extension', platform: 'node', external: ['vscode'] },
  { in: 'src/extension/analysisWorker.ts', out: 'analysisWorker', platform: 'node' },
  { in: 'scripts/bench.ts', out: 'bench', platform: 'node' },
  { in: 'scripts/fuzz.ts', out: 'fuzz', platform: 'node' },
  { in: 'webview/main.ts', out: 'webview', platform: 'browser', format: 'iife' },
  { in: 'webview/patchView.ts', out: 'patchView', platform: 'browser', format: 'iife' },
  { in: 'webview/timeline.ts', out: 'timeline', platform: 'browser', format: 'iife' },
];

mkdirSync(dist, { recursive: true });
const wasm = [
  require.resolve('web-tree-sitter/tree-sitter.wasm'),
  path.join(path.dirname(require.resolve('tree-sitter-c/package.json')), 'tree-sitter-c.wasm'),
];
for (const file of wasm) copyFileSync(file, path.join(dist, path.basename(file)));

const contexts = [];
for (const e of entries) {
  if (!existsSync(path.join(root, e.in))) continue;
  if (only.length && !only.includes(e.out)) continue;
  const options = {
    entryPoints: [path.join(root, e.in)],
    outfile: path.join(dist, `${e.out}.js`),
    bundle: true,
    platform: e.platform,
    format: e.format ?? 'cjs',
    target: e.platform === 'node' ? 'node20' : 'chrome120',
    external: e.external ?? [],
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    // Bundle web-tree-sitter's CommonJS build: its ESM build needs import.meta.url, which a CJS bundle lacks.
    alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
    // web-tree-sitter probes for these Node modules at runtime; keep them external in the browser bundle.
    ...(e.platform === 'browser' ? { external: ['fs', 'fs/promises', 'module', 'path', 'url'] } : {}),
  };
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    contexts.push(ctx);
  } else {
    await esbuild.build(options);
  }
}
if (watch) console.log(`watching ${contexts.length} entries`);
