// `npm run bench`: bare tree-sitter parse, lowering and full analysis of real-size (~5,000-line)
// inputs in the shapes of the file systems the engine reads, their ratios and peak memory, in one
// run. Each input is measured in its own child process (so its peak RSS is its own); times are
// medians. Inputs are generated from the project's own fixtures (no kernel source): the fixture
// whole (its tables and ->writepage paths), then renamed copies of its functions, unreachable from
// the tables, until the file is about 5,000 lines, as a real inode.c is mostly other code.
// `npm run bench -- FILE...` measures real files as well (never committed: fetch them to /tmp).
// `npm run bench -- --edits FILE...` measures only edit-to-findings on those files (one process each).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, IncrementalAnalysis, initEngine, type ScenarioResult } from '../src/engine';
import { lowerSource } from '../src/engine/ir/unit';
import { parseC } from '../src/engine/parse/parser';
import { resetSimulationStats, simulationStats } from '../src/engine/interp/simulate';

const ROOT = path.resolve(__dirname, '..');
const TARGET_LINES = 5000;
const ROUNDS = 7;
const EDITS = 20;
const NO_WALL_CLOCK = { budgets: { timePerFileMs: 3_600_000 } };
/** As the editor and the CLI's text/SARIF output analyse: the shown paths' traces made only when a view asks. */
const ON_DEMAND = { ...NO_WALL_CLOCK, pathTraces: 'on-demand' as const };

interface Shape {
  name: string;
  /** Fixture paths tried in order; the first that exists is used. */
  fixtures: string[];
}

const SHAPES: Shape[] = [
  { name: 'ext4 (2008)', fixtures: ['sample/inode.c'] },
  { name: 'ext4 (2.6.3x)', fixtures: ['test/fixtures/eras/ext4-2.6.30-shape.c'] },
  { name: 'ext3', fixtures: ['test/fixtures/filesystems/ext3-inode.c', 'test/fixtures/filesystems/ext3.c', 'test/fixtures/filesystems/ext3-modes.c'] },
  { name: 'ocfs2', fixtures: ['test/fixtures/filesystems/ocfs2-get-block.c', 'test/fixtures/filesystems/ocfs2-aops.c'] },
];

interface Row {
  name: string;
  source: string;
  lines: number;
  parseMs: number;
  lowerMs: number;
  analysisMs: number;
  /** The same analysis with path traces on demand (in the same rounds). */
  onDemandMs: number;
  /** The high-water mark of a process that ran the on-demand analyses alone. */
  onDemandRssMb: number;
  runs: number;
  paths: number;
  findings: number;
  truncatedRuns: number;
  maxRssMb: number;
  /** The high-water mark once the incremental session (three versions kept) has run too. */
  editRssMb: number;
  /** Median of EDITS one-line edits inside ->writepage paths, analysed incrementally (null: no writepage). */
  editMs: number | null;
  /** Runs computed afresh after an edit (median), of `runs`. */
  editRuns: number | null;
  /** Edits whose text the session parsed afresh, not incrementally (a syntax error before or after). */
  editFullParses: number | null;
  /** The same for code edits: a statement appended to a line inside ->writepage (its runs re-run). */
  codeEditMs: number | null;
  codeEditRuns: number | null;
  codeEditFullParses: number | null;
  /** Statements one whole-file analysis executed, and of them the replays (a prefix or a whole path run again). */
  steps: number;
  replayedSteps: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function escapeRe(s: string): string {
  return s.replace(/[$]/g, '\\$');
}

/** The fixture, then renamed copies of its function definitions until about TARGET_LINES lines. */
export function generate(text: string, target = TARGET_LINES): string {
  const unit = lowerSource(text);
  const fns = [...unit.functions.values()];
  if (fns.length === 0) return text;
  const lines = text.split('\n');
  const bodies = fns.map((f) => lines.slice(f.loc.line - 1, f.loc.endLine).join('\n'));
  const re = new RegExp(`\\b(${fns.map((f) => escapeRe(f.name)).join('|')})\\b`, 'g');
  const parts = [text];
  let count = lines.length;
  for (let copy = 0; count < target; copy++) {
    for (const b of bodies) {
      const renamed = b.replace(re, (m) => `${m}_g${copy}`);
      parts.push(renamed);
      count += renamed.split('\n').length + 1;
      if (count >= target) break;
    }
  }
  return parts.join('\n\n');
}

/**
 * Lines inside the bodies of the file's ->writepage functions (where an edit changes a scenario's
 * path) that end in code: a comment added at the end of a line inside a block comment would close
 * it early and break the file (every later version then has a syntax error and is parsed afresh),
 * and one after a `\\` would join a macro's next line.
 */
function writepageLines(text: string, r: ScenarioResult): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  const tree = parseC(text);
  try {
    for (const e of r.entries) {
      const f = r.functions.find((x) => x.name === e.writepage);
      if (!f) continue;
      for (let l = f.line + 2; l < f.endLine; l++) {
        const line = lines[l - 1].replace(/\s+$/, '');
        if (line === '' || line.endsWith('\\')) continue;
        const last = tree.rootNode.descendantForPosition({ row: l - 1, column: line.length - 1 });
        if (last && last.type !== 'comment') out.push(l);
      }
    }
  } finally {
    tree.delete();
  }
  return [...new Set(out)];
}

/**
 * Of `lines`, those that end a statement of a block (an expression statement, declaration or
 * return whose `;` ends the line, directly in a `{ }` or a case): a statement appended there
 * keeps the file valid C (after `if (x) f();` followed by `else` it would not).
 */
function statementEnds(text: string, lines: number[]): number[] {
  const src = text.split('\n');
  const tree = parseC(text);
  try {
    return lines.filter((l) => {
      const line = src[l - 1].replace(/\s+$/, '');
      if (!line.endsWith(';')) return false;
      const semi = tree.rootNode.descendantForPosition({ row: l - 1, column: line.length - 1 });
      const stmt = semi?.type === ';' ? semi.parent : null;
      const block = stmt?.parent?.type;
      return !!stmt && ['expression_statement', 'declaration', 'return_statement'].includes(stmt.type) && (block === 'compound_statement' || block === 'case_statement');
    });
  } finally {
    tree.delete();
  }
}

/** How a bench edit changes line `l` (0-based) the `i`-th time. */
type EditKind = 'comment' | 'code';

/**
 * edit-to-findings: EDITS one-line edits inside a ->writepage body, each on the previous version,
 * each analysed by an incremental session, timed from the new text to the result with its
 * findings. `comment`: a comment added at the end of a line (the IR is unchanged: nothing re-runs).
 * `code`: a statement, `(void)N;`, appended to a line that ends a statement (the function's IR
 * changes, so every run that reaches it runs again, as when a developer types in the function).
 */
function editToFindings(text: string, name: string, r: ScenarioResult, kind: EditKind = 'comment'): { ms: number; computed: number; fullParses: number } | null {
  const lines = kind === 'comment' ? writepageLines(text, r) : statementEnds(text, writepageLines(text, r));
  if (lines.length === 0) return null;
  const session = new IncrementalAnalysis();
  const cur = text.split('\n');
  session.analyze(cur.join('\n'), name, ON_DEMAND);
  const ms: number[] = [];
  const computed: number[] = [];
  let fullParses = 0;
  for (let i = 0; i < EDITS; i++) {
    const l = lines[Math.floor((i * lines.length) / EDITS)] - 1;
    cur[l] =
      kind === 'comment'
        ? `${cur[l].replace(/ \/\* kpr-bench \d+ \*\/$/, '')} /* kpr-bench ${i} */`
        : `${cur[l].replace(/ \(void\)\d+;$/, '')} (void)${i + 1};`;
    const next = cur.join('\n');
    ms.push(time(() => session.analyze(next, name, ON_DEMAND)));
    const stats = session.lastStats();
    computed.push(stats.byKind.run?.computed ?? 0);
    if (stats.parse !== 'incremental') fullParses++;
  }
  session.dispose();
  return { ms: median(ms), computed: median(computed), fullParses };
}

/** Child process: measures one input, prints one JSON row. */
async function measureOne(name: string, file: string, generated: boolean): Promise<void> {
  await initEngine(__dirname);
  const raw = fs.readFileSync(path.isAbsolute(file) ? file : path.join(ROOT, file), 'utf8');
  const text = generated ? generate(raw) : raw;
  // Warm the JIT on the input itself so the medians measure steady state.
  analyzeSource(text, name, NO_WALL_CLOCK);
  analyzeSource(text, name, ON_DEMAND);
  const od: number[] = [];
  // Interleaved rounds: on a shared, loaded machine each ratio compares times taken moments apart.
  const parse: number[] = [];
  const lower: number[] = [];
  const analysis: number[] = [];
  let r = analyzeSource(text, name, NO_WALL_CLOCK);
  for (let round = 0; round < ROUNDS; round++) {
    parse.push(time(() => parseC(text).delete()));
    lower.push(time(() => lowerSource(text)));
    analysis.push(
      time(() => {
        r = analyzeSource(text, name, NO_WALL_CLOCK);
      }),
    );
    od.push(time(() => analyzeSource(text, name, ON_DEMAND)));
  }
  const [parseMs, lowerMs, analysisMs] = [median(parse), median(lower), median(analysis)];
  // The whole-file analyses' high-water mark, before the incremental session adds its own.
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  // One more analysis, counted: where its interpretation goes (invariant 6's replays).
  resetSimulationStats();
  analyzeSource(text, name, NO_WALL_CLOCK);
  const sim = simulationStats();
  const edit = editToFindings(text, name, r);
  const codeEdit = editToFindings(text, name, r, 'code');
  const row: Row = {
    name,
    source: file,
    lines: text.split('\n').length,
    parseMs,
    lowerMs,
    analysisMs,
    onDemandMs: median(od),
    onDemandRssMb: onDemandRss(file, generated),
    runs: r.runs.length,
    paths: r.runs.reduce((n, x) => n + x.paths, 0),
    findings: r.runs.reduce((n, x) => n + x.findings.length, 0),
    truncatedRuns: r.runs.filter((x) => x.truncated).length,
    maxRssMb,
    editRssMb: process.resourceUsage().maxRSS / 1024,
    editMs: edit ? edit.ms : null,
    editRuns: edit ? edit.computed : null,
    editFullParses: edit ? edit.fullParses : null,
    codeEditMs: codeEdit ? codeEdit.ms : null,
    codeEditRuns: codeEdit ? codeEdit.computed : null,
    codeEditFullParses: codeEdit ? codeEdit.fullParses : null,
    steps: sim.steps,
    replayedSteps: sim.replayed,
  };
  process.stdout.write(JSON.stringify(row) + '\n');
}

/** The peak RSS of a process that runs only on-demand whole-file analyses of the input (warm-up and ROUNDS). */
function onDemandRss(file: string, generated: boolean): number {
  const out = execFileSync(process.execPath, [__filename, '--rss-on-demand', file, generated ? 'generated' : 'real'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Number(out.trim().split('\n').pop());
}

async function rssOnDemandOne(file: string, generated: boolean): Promise<void> {
  await initEngine(__dirname);
  const raw = fs.readFileSync(path.isAbsolute(file) ? file : path.join(ROOT, file), 'utf8');
  const text = generated ? generate(raw) : raw;
  for (let i = 0; i <= ROUNDS; i++) analyzeSource(text, path.basename(file), ON_DEMAND);
  process.stdout.write(`${process.resourceUsage().maxRSS / 1024}\n`);
}

function child(args: string[]): Row {
  const out = execFileSync(process.execPath, [__filename, '--one', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop() as string) as Row;
}

function mainBench(): void {
  const rows: Row[] = [];
  const missing: string[] = [];
  for (const s of SHAPES) {
    const f = s.fixtures.find((x) => fs.existsSync(path.join(ROOT, x)));
    if (!f) {
      missing.push(`${s.name} (no fixture: ${s.fixtures.join(' or ')})`);
      continue;
    }
    rows.push(child([`${s.name} shape`, f, 'generated']));
  }
  for (const f of process.argv.slice(2)) rows.push(child([path.basename(f), path.resolve(f), 'real']));
  const w = Math.max(...rows.map((r) => r.name.length), 5);
  console.log(`${'input'.padEnd(w)}  lines  runs  paths  findings  parse ms  lower ms  analysis ms  lower/parse  analysis/parse  on demand/parse  peak RSS MB  on demand MB  edit ms  re-run  code edit ms  re-run  with session MB`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${String(r.lines).padStart(5)}  ${String(r.runs).padStart(4)}  ${String(r.paths).padStart(5)}  ${String(r.findings).padStart(8)}  ${r.parseMs.toFixed(1).padStart(8)}  ${r.lowerMs.toFixed(1).padStart(8)}  ${r.analysisMs.toFixed(0).padStart(11)}  ${(r.lowerMs / r.parseMs).toFixed(2).padStart(11)}  ${(r.analysisMs / r.parseMs).toFixed(1).padStart(14)}  ${(r.onDemandMs / r.parseMs).toFixed(1).padStart(15)}  ${r.maxRssMb.toFixed(0).padStart(11)}  ${r.onDemandRssMb.toFixed(0).padStart(12)}  ${r.editMs === null ? '      -' : r.editMs.toFixed(1).padStart(7)}  ${r.editRuns === null ? '     -' : String(r.editRuns).padStart(6)}  ${r.codeEditMs === null ? '           -' : r.codeEditMs.toFixed(1).padStart(12)}  ${r.codeEditRuns === null ? '     -' : String(r.codeEditRuns).padStart(6)}  ${r.editRssMb.toFixed(0).padStart(15)}`,
    );
  }
  console.log('');
  for (const r of rows) {
    if (r.editMs !== null) console.log(`edit-to-findings: ${r.editMs.toFixed(0)} ms  (${r.name}; median of ${EDITS} one-line comment edits inside a ->writepage path, incremental, path traces on demand as in the editor; ${r.editFullParses} of them parsed afresh; runs re-run ${r.editRuns})`);
    if (r.codeEditMs !== null) console.log(`edit-to-findings: ${r.codeEditMs.toFixed(0)} ms  (${r.name}; median of ${EDITS} one-line code edits inside a ->writepage path, incremental, path traces on demand as in the editor; ${r.codeEditFullParses} of them parsed afresh; runs re-run ${r.codeEditRuns} of ${r.runs})`);
  }
  console.log('');
  for (const r of rows) {
    const pct = r.steps ? (100 * r.replayedSteps) / r.steps : 0;
    console.log(`steps: ${r.steps} statements interpreted (${r.name}; one whole-file analysis), ${r.replayedSteps} of them replays (${pct.toFixed(0)}%: a path's prefix, or a path run again for its trace)`);
  }
  // The issue's goals, as ratios and figures of this run (not pass/fail of the machine's speed).
  console.log('');
  for (const r of rows) {
    const ratio = r.analysisMs / r.parseMs;
    const odRatio = r.onDemandMs / r.parseMs;
    const goals = [
      `analysis/parse ${ratio.toFixed(1)}, ${odRatio.toFixed(1)} with path traces on demand (goal <= 2: ${Math.min(ratio, odRatio) <= 2 ? 'met' : 'not met'})`,
      `runs cut ${r.truncatedRuns} (goal 0: ${r.truncatedRuns === 0 ? 'met' : 'not met'})`,
      r.editMs === null ? 'edit-to-findings -' : `edit-to-findings ${r.editMs.toFixed(0)} ms comment edit, ${r.codeEditMs === null ? '-' : r.codeEditMs.toFixed(0)} ms code edit (goal <= 100: ${Math.max(r.editMs, r.codeEditMs ?? 0) <= 100 ? 'met' : 'not met'})`,
      `peak RSS ${r.maxRssMb.toFixed(0)} MB, ${r.onDemandRssMb.toFixed(0)} MB with path traces on demand (goal <= 200: ${r.maxRssMb <= 200 ? 'met' : r.onDemandRssMb <= 200 ? 'met on demand only' : 'not met'})`,
    ];
    console.log(`goals ${r.name}: ${goals.join('; ')}`);
  }
  const cut = rows.filter((r) => r.truncatedRuns > 0);
  if (cut.length) console.log(`\nruns cut by a step/path/fork budget: ${cut.map((r) => `${r.name} ${r.truncatedRuns}`).join(', ')}`);
  if (missing.length) console.log(`\nnot measured: ${missing.join('; ')}`);
  console.log(
    `\nmedians of ${ROUNDS} interleaved rounds (parse, lower, analysis, analysis on demand) after one warm-up of each, each input in its own process; node ${process.version}.` +
      `\nlower = parse + lowering; analysis = parse + lowering + discovery + every scenario run + callbacks + symbol index, each shown path with its trace (kpr --json, the simulation panel); on demand = the same in the same rounds, the shown paths' traces left to be made when a view asks (the editor's diagnostics, hovers and lenses, kpr text/SARIF); peak RSS = the process's high-water mark after the whole-file analyses (on demand MB: of a process that ran only on-demand ones); with session = after the edits too. Edits are analysed as the editor does, on demand.`,
  );
}

/** Child process: edit-to-findings alone on one real file, one JSON line. */
async function editsOne(file: string): Promise<void> {
  await initEngine(__dirname);
  const text = fs.readFileSync(file, 'utf8');
  const name = path.basename(file);
  const r = analyzeSource(text, name, NO_WALL_CLOCK);
  const t = time(() => analyzeSource(text, name, NO_WALL_CLOCK));
  const edit = editToFindings(text, name, r);
  const code = editToFindings(text, name, r, 'code');
  process.stdout.write(JSON.stringify({ name, analysisMs: t, ...edit, codeMs: code?.ms, codeComputed: code?.computed, codeFullParses: code?.fullParses }) + '\n');
}

function mainEdits(files: string[]): void {
  for (const f of files) {
    const out = execFileSync(process.execPath, [__filename, '--edits-one', path.resolve(f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    const r = JSON.parse(out.trim().split('\n').pop() as string) as { name: string; analysisMs: number; ms?: number; computed?: number; fullParses?: number; codeMs?: number; codeComputed?: number; codeFullParses?: number };
    if (r.ms === undefined) console.log(`${r.name}: no ->writepage line to edit (full analysis ${r.analysisMs.toFixed(0)} ms)`);
    else console.log(`${r.name}: edit-to-findings ${r.ms.toFixed(1)} ms comment edits (median of ${EDITS}; ${r.fullParses} parsed afresh; runs re-run ${r.computed}), ${r.codeMs === undefined ? '-' : `${r.codeMs.toFixed(1)} ms code edits (${r.codeFullParses} parsed afresh; runs re-run ${r.codeComputed})`}; full analysis ${r.analysisMs.toFixed(0)} ms`);
  }
}

if (process.argv[2] === '--edits-one') {
  editsOne(process.argv[3]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else if (process.argv[2] === '--edits') {
  mainEdits(process.argv.slice(3));
} else if (process.argv[2] === '--rss-on-demand') {
  rssOnDemandOne(process.argv[3], process.argv[4] === 'generated').catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else if (process.argv[2] === '--one') {
  measureOne(process.argv[3], process.argv[4], process.argv[5] === 'generated').catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  mainBench();
}
