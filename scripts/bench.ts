// `npm run bench`: bare tree-sitter parse time vs full analysis time (and their ratio) for the
// bundled fixtures and a large generated ext4-like file. Figures are medians of several runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, initEngine } from '../src/engine';
import { lowerSource } from '../src/engine/ir/unit';
import { parseC } from '../src/engine/parse/parser';

const ROOT = path.resolve(__dirname, '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void, reps: number): number {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(out);
}

/** N renamed copies of a fixture: every function and table the file defines gets a suffix. */
function generate(text: string, copies: number): string {
  const unit = lowerSource(text);
  const names = [...unit.functions.keys(), ...unit.structs.map((s) => s.name)];
  const re = new RegExp(`\\b(${names.map((n) => n.replace(/[$]/g, '\\$')).join('|')})\\b`, 'g');
  const parts: string[] = [];
  for (let i = 0; i < copies; i++) parts.push(text.replace(re, (m) => `${m}_g${i}`));
  return parts.join('\n');
}

async function mainBench(): Promise<void> {
  await initEngine(__dirname);
  const files = ['sample/inode.c', 'sample/inode-fixed.c', ...fs.readdirSync(path.join(ROOT, 'test/fixtures/rules')).map((f) => `test/fixtures/rules/${f}`)];
  const rows: { name: string; lines: number; parse: number; analysis: number; runs: number; paths: number }[] = [];
  const measure = (name: string, text: string, reps: number): void => {
    const parse = time(() => parseC(text).delete(), reps);
    let runs = 0;
    let paths = 0;
    const analysis = time(() => {
      const r = analyzeSource(text, name, { budgets: { timePerFileMs: 600000 } });
      runs = r.runs.length;
      paths = r.runs.reduce((n, x) => n + x.paths, 0);
    }, reps);
    rows.push({ name, lines: text.split('\n').length, parse, analysis, runs, paths });
  };
  // Warm the JIT so the first row is not penalised.
  for (const f of files) analyzeSource(fs.readFileSync(path.join(ROOT, f), 'utf8'), f);
  for (const f of files) measure(f, fs.readFileSync(path.join(ROOT, f), 'utf8'), 7);
  const big = generate(fs.readFileSync(path.join(ROOT, files[0]), 'utf8'), 40);
  measure('generated: 40 renamed copies of inode-pre.c', big, 3);
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'input'.padEnd(w)}  lines  runs  paths  parse ms  analysis ms  analysis/parse`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}  ${String(r.lines).padStart(5)}  ${String(r.runs).padStart(4)}  ${String(r.paths).padStart(5)}  ${r.parse.toFixed(2).padStart(8)}  ${r.analysis.toFixed(1).padStart(11)}  ${(r.analysis / r.parse).toFixed(1).padStart(14)}`);
  }
  console.log(`\nmedians of 7 runs (3 for the generated input), node ${process.version}; analysis = parse + lowering + discovery + every scenario run.`);
}

mainBench().catch((e) => {
  console.error(e);
  process.exit(1);
});
