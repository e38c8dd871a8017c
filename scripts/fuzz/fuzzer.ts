// Mutation fuzzer for the engine and the patch applier: every input must give a result or a
// located error within its budget; an exception or a budget overrun fails the run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, type Budgets } from '../../src/engine';
import { applyFilePatch, parsePatch } from '../../src/engine/patch';

export interface FuzzOptions {
  iterations: number;
  seed: number;
  root: string;
  /** Milliseconds allowed beyond the per-file time budget before an input counts as an overrun. */
  graceMs?: number;
  /** Progress lines; `detail` marks the per-input ones (verbose only). */
  log?: (s: string, detail?: boolean) => void;
  /** Replay one input: the rng runs through every earlier iteration, only this one is analysed. */
  only?: number;
  /** With `only`: the input text is passed here before it is analysed. */
  dump?: (text: string) => void;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  results: number;
  errors: number;
  truncations: number;
  exceptions: { iteration: number; mutation: string; message: string }[];
  overruns: { iteration: number; mutation: string; ms: number }[];
  slowest: { iteration: number; mutation: string; ms: number };
  /** The input after which the JS heap was largest, and its size in MB. */
  heaviest: { iteration: number; mutation: string; heapMb: number };
  patches: number;
  patchErrors: number;
}

const BUDGETS: Partial<Budgets> = { stepsPerPath: 3000, pathsPerRun: 16, callDepth: 24, timePerFileMs: 1500 };

/** mulberry32: small, fast, reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = { name: string; apply(text: string, r: () => number): string };

const pick = <T>(xs: T[], r: () => number): T => xs[Math.floor(r() * xs.length)];
const lines = (t: string): string[] => t.split('\n');
const at = (n: number, r: () => number): number => Math.floor(r() * Math.max(1, n));

const GARBAGE = ['}', '{', '(', ')', ';', '#if 0', '#endif', '#ifdef CONFIG_X', '__attribute__((x))', 'goto', '->', '*&*', '"unterminated', "'x", '/*', '*/', 'MACRO(', 'do {', '} while (0)', '??=', '\\', 'struct page *', '0x', '1e309', 'sizeof', 'case 1:', 'default:', 'return', 'else', 'static int', '[[', '@', '`'];

export const MUTATIONS: Mutation[] = [
  { name: 'delete-lines', apply: (t, r) => { const l = lines(t); const i = at(l.length, r); l.splice(i, 1 + at(8, r)); return l.join('\n'); } },
  { name: 'duplicate-lines', apply: (t, r) => { const l = lines(t); const i = at(l.length, r); l.splice(i, 0, ...l.slice(i, i + 1 + at(6, r))); return l.join('\n'); } },
  { name: 'swap-lines', apply: (t, r) => { const l = lines(t); const i = at(l.length, r); const j = at(l.length, r); [l[i], l[j]] = [l[j], l[i]]; return l.join('\n'); } },
  { name: 'truncate', apply: (t, r) => t.slice(0, at(t.length, r)) },
  { name: 'garbage-tokens', apply: (t, r) => { let s = t; for (let k = 0; k < 1 + at(5, r); k++) { const i = at(s.length, r); s = `${s.slice(0, i)} ${pick(GARBAGE, r)} ${s.slice(i)}`; } return s; } },
  { name: 'unbalanced-braces', apply: (t, r) => { const i = at(t.length, r); return `${t.slice(0, i)}${r() < 0.5 ? '{' : '}'}${t.slice(i)}`; } },
  { name: 'deep-nesting', apply: (t, r) => { const n = 50 + at(1500, r); return `${t}\nstatic int deep_fn(struct page *page) {\n${'if (page) {'.repeat(n)} BUG(); ${'}'.repeat(n)}\nreturn 0; }\n${'int deep_expr = ' + '('.repeat(n) + '1' + ')'.repeat(n) + ';'}\n`; } },
  { name: 'self-recursion', apply: (t) => t.replace(/(\n\s*)return ([a-z_]+)\(page, ([a-z_]+), wbc\);/, '$1return __kpr_self(page, wbc);') + '\nstatic int __kpr_self(struct page *page, struct writeback_control *wbc) { return __kpr_self(page, wbc); }\n' },
  { name: 'goto-cycle', apply: (t) => t.replace(/\{\n(\s*)int ret/, '{\nagain:\n$1if (page->index >= 0) goto again;\n$1int ret') },
  { name: 'infinite-loop', apply: (t, r) => t.replace(/(\n\s*)(redirty_page_for_writepage\(wbc, page\);)/, r() < 0.5 ? '$1for (;;) cond_resched();$1$2' : '$1while (1) { unknown_call(); }$1$2') },
  { name: 'huge-switch', apply: (t, r) => { const n = 200 + at(3000, r); const cases = Array.from({ length: n }, (_, i) => `case ${i}: ret += ${i}; break;`).join('\n'); return t.replace(/(\n\s*)int ret = 0;/, `$1int ret = 0;\n\tswitch (page->index) {\n${cases}\n\tdefault: break; }`); } },
  { name: 'long-line', apply: (t, r) => { const i = at(t.length, r); return `${t.slice(0, i)}${'x_'.repeat(5000 + at(50000, r))}${t.slice(i)}`; } },
  { name: 'nul-bytes', apply: (t, r) => { let s = t; for (let k = 0; k < 1 + at(10, r); k++) { const i = at(s.length, r); s = `${s.slice(0, i)}\0${s.slice(i)}`; } return s; } },
  { name: 'invalid-utf8', apply: (t, r) => { const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]).toString('utf8') + '\ud800'; const i = at(t.length, r); return `${t.slice(0, i)}${bad}${t.slice(i)}`; } },
  { name: 'huge-file', apply: (t, r) => Array.from({ length: 5 + at(20, r) }, () => t).join('\n') },
  { name: 'html-names', apply: (t) => t.replace(/\bext4_([a-z_]+)\b/g, 'ext4_$1').replace('static int', 'static int /* <script>alert(1)</script> */') },
];

export function runFuzz(opts: FuzzOptions): FuzzReport {
  const log = opts.log ?? (() => undefined);
  const r = rng(opts.seed);
  const read = (rel: string): string => fs.readFileSync(path.join(opts.root, rel), 'utf8');
  const rulesDir = path.join(opts.root, 'test/fixtures/rules');
  const small = fs.readdirSync(rulesDir).filter((f) => f.endsWith('.c')).map((f) => read(`test/fixtures/rules/${f}`));
  const large = [read('sample/inode.c'), read('sample/inode-fixed.c')];
  const patchText = read('sample/handle-page-without-buffers.patch');
  const base = read('sample/inode.c');
  const report: FuzzReport = { seed: opts.seed, inputs: 0, results: 0, errors: 0, truncations: 0, exceptions: [], overruns: [], slowest: { iteration: -1, mutation: '', ms: 0 }, heaviest: { iteration: -1, mutation: '', heapMb: 0 }, patches: 0, patchErrors: 0 };
  const limit = (BUDGETS.timePerFileMs ?? 2500) + (opts.graceMs ?? 1500);
  for (let i = 0; i < opts.iterations; i++) {
    // Mostly small inputs (fast), sometimes a seed-sized one; one or two mutations stacked.
    let text = r() < 0.12 ? pick(large, r) : pick(small, r);
    const applied: string[] = [];
    for (let k = 0; k < 1 + at(2, r); k++) {
      const m = pick(MUTATIONS, r);
      if ((m.name === 'huge-file' || m.name === 'huge-switch' || m.name === 'deep-nesting') && r() < 0.7) continue;
      text = m.apply(text, r);
      applied.push(m.name);
    }
    const mutation = applied.join('+') || 'none';
    const skip = opts.only !== undefined && opts.only !== i;
    if (!skip) opts.dump?.(text);
    const t0 = Date.now();
    if (!skip) try {
      report.inputs++;
      const res = analyzeSource(text, `fuzz-${i}.c`, { budgets: BUDGETS, maxPathDetails: 1 });
      const internal = res.diagnostics.filter((d) => d.kind === 'internal');
      if (internal.length) report.exceptions.push({ iteration: i, mutation, message: internal.map((d) => d.message).join('; ') });
      if (res.diagnostics.some((d) => d.severity !== 'info')) report.errors++;
      else report.results++;
      if (res.runs.some((x) => x.truncated) || res.diagnostics.some((d) => d.kind === 'budget')) report.truncations++;
    } catch (e) {
      report.exceptions.push({ iteration: i, mutation, message: (e as Error).stack ?? String(e) });
    }
    if (!skip) {
      const ms = Date.now() - t0;
      if (ms > report.slowest.ms) report.slowest = { iteration: i, mutation, ms };
      if (ms > limit) report.overruns.push({ iteration: i, mutation, ms });
      const heapMb = Math.round(process.memoryUsage().heapUsed / 1048576);
      if (heapMb > report.heaviest.heapMb) report.heaviest = { iteration: i, mutation, heapMb };
      log(`#${i} ${mutation} ${text.length} chars ${ms} ms heap ${heapMb} MB`, true);
    }
    // The patch applier, on a mutated patch, every few iterations.
    if (i % 4 === 0) {
      let p = patchText;
      const m = pick(MUTATIONS.filter((x) => !['deep-nesting', 'huge-switch', 'self-recursion', 'goto-cycle', 'infinite-loop'].includes(x.name)), r);
      p = m.apply(p, r);
      if (!skip) try {
        report.patches++;
        const parsed = parsePatch(p);
        if (parsed.errors.length) report.patchErrors++;
        for (const f of parsed.files) {
          const a = applyFilePatch(base, f);
          if (a.failed.length) report.patchErrors++;
        }
      } catch (e) {
        report.exceptions.push({ iteration: i, mutation: `patch:${m.name}`, message: (e as Error).stack ?? String(e) });
      }
    }
    if ((i + 1) % 500 === 0) log(`  ${i + 1}/${opts.iterations} inputs, ${report.exceptions.length} exception(s), slowest ${report.slowest.ms} ms`);
  }
  return report;
}

export function formatReport(rep: FuzzReport): string {
  const out = [
    `fuzz seed ${rep.seed}: ${rep.inputs} inputs, ${rep.results} clean results, ${rep.errors} with located errors, ${rep.truncations} truncated by a budget, ${rep.exceptions.length} exceptions, ${rep.overruns.length} budget overruns`,
    `patch applier: ${rep.patches} mutated patches, ${rep.patchErrors} with located errors`,
    `slowest input: #${rep.slowest.iteration} (${rep.slowest.mutation}) ${rep.slowest.ms} ms`,
    `largest heap: ${rep.heaviest.heapMb} MB after #${rep.heaviest.iteration} (${rep.heaviest.mutation})`,
  ];
  for (const e of rep.exceptions.slice(0, 5)) out.push(`EXCEPTION at #${e.iteration} (${e.mutation}): ${e.message.split('\n').slice(0, 4).join(' | ')}`);
  for (const o of rep.overruns.slice(0, 5)) out.push(`OVERRUN at #${o.iteration} (${o.mutation}): ${o.ms} ms`);
  if (rep.exceptions.length || rep.overruns.length) out.push(`replay: npm run fuzz -- --iterations ${Math.max(...[...rep.exceptions, ...rep.overruns].map((x) => x.iteration)) + 1} --seed ${rep.seed}`);
  return out.join('\n');
}
