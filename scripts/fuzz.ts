// `npm run fuzz -- --iterations N --seed S [--verbose] [--only I]`: mutates fixtures and patches, runs the engine and
// the patch applier on each, prints counts; exits 1 on any exception or budget overrun.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine } from '../src/engine';
import { formatReport, runFuzz } from './fuzz/fuzzer';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`fuzz: ${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

async function mainFuzz(): Promise<void> {
  const iterations = arg('--iterations', 1000);
  const seed = arg('--seed', Date.now() % 1000000);
  await initEngine(__dirname);
  console.log(`fuzz: ${iterations} iterations, seed ${seed}`);
  const t0 = Date.now();
  const verbose = process.argv.includes('--verbose');
  const only = process.argv.includes('--only') ? arg('--only', 0) : undefined;
  const dumpTo = only !== undefined ? path.resolve(`fuzz-input-${seed}-${only}.c`) : undefined;
  const rep = runFuzz({ iterations, seed, root: path.resolve(__dirname, '..'), log: (s, detail) => { if (verbose || !detail) console.log(s); },
    only, dump: dumpTo ? (text) => { fs.writeFileSync(dumpTo, text); console.log(`fuzz: input #${only} written to ${dumpTo}`); } : undefined });
  console.log(formatReport(rep));
  console.log(`took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exitCode = rep.exceptions.length || rep.overruns.length ? 1 : 0;
}

mainFuzz().catch((e) => {
  console.error(e);
  process.exit(1);
});
