// Shared by the unit tests: engine initialisation, fixture paths, expectation comments.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine, type RunResult, type ScenarioResult } from '../../src/engine';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export async function engineReady(): Promise<void> {
  await initEngine();
}

export const SAMPLE = path.join(ROOT, 'sample');

/** A file of the bundled sample workspace (the seed-shaped pre- and post-images live there). */
export function sample(rel: string): string {
  return fs.readFileSync(path.join(SAMPLE, rel), 'utf8');
}

export function fixture(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
}

export interface Expectation {
  line: number;
  rule: string;
  severity: string;
  patterns: string[];
}

/** `// expect: RULE SEVERITY AOPS:CALLER:PAGE[,...] ; expect: ...` trailing comments. */
export function readExpectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split('\n').forEach((l, i) => {
    const c = l.indexOf('// expect:');
    if (c < 0) return;
    for (const part of l.slice(c + 3).split(';')) {
      const m = /expect:\s*(\S+)\s+(\S+)\s+(\S+)/.exec(part);
      if (m) out.push({ line: i + 1, rule: m[1], severity: m[2], patterns: m[3].split(',') });
    }
  });
  return out;
}

export function matches(pattern: string, run: RunResult): boolean {
  const [a, c, p] = pattern.split(':');
  const ok = (pat: string | undefined, v: string): boolean => pat === undefined || pat === '*' || pat === v;
  return ok(a, run.aops) && ok(c, run.caller) && ok(p, run.page);
}

/** Differences between the findings and the expectations, as readable lines (empty = all good). */
export function compareWithExpectations(result: ScenarioResult, expected: Expectation[]): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const run of result.runs) {
    for (const f of run.findings) {
      const exp = expected.find((e) => e.line === f.line && e.rule === f.rule && e.severity === f.severity && e.patterns.some((p) => matches(p, run)));
      if (!exp) {
        problems.push(`unexpected ${f.severity} ${f.rule} at line ${f.line} in ${run.aops}:${run.caller}:${run.page}: ${f.message}`);
        continue;
      }
      for (const p of exp.patterns) if (matches(p, run)) used.add(`${exp.line}|${exp.rule}|${exp.severity}|${p}`);
    }
  }
  for (const e of expected) {
    for (const p of e.patterns) {
      if (!used.has(`${e.line}|${e.rule}|${e.severity}|${p}`)) problems.push(`missing ${e.severity} ${e.rule} at line ${e.line} for ${p}`);
    }
  }
  return problems;
}
