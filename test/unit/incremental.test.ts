// The binder and incremental analysis, on C sources: names bound once per file in the
// interpreter's lookup order; an incremental session gives, edit after edit, the result a fresh
// analysis of the same text gives, while keeping the tree, the unchanged functions and the runs
// whose dependencies did not change.
import * as assert from 'node:assert/strict';
import { analyzeSource, IncrementalAnalysis, type ScenarioResult } from '../../src/engine';
import { bindCall, bindName, bindUnit } from '../../src/engine/interp/binder';
import type { Expr, Stmt } from '../../src/engine/ir/ir';
import { lowerSource } from '../../src/engine/ir/unit';
import { constants, modelTable } from '../../src/engine/models';
import { engineReady, fixture, sample } from './helpers';

const same = (r: ScenarioResult): string => JSON.stringify({ ...r, timing: undefined });

function identsOf(s: Stmt): Extract<Expr, { kind: 'ident' }>[] {
  const out: Extract<Expr, { kind: 'ident' }>[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as { kind?: string };
      if (o.kind === 'ident') out.push(o as Extract<Expr, { kind: 'ident' }>);
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk(s);
  return out;
}

describe('binder', () => {
  before(engineReady);

  it('binds each name of the file once, in the lookup order (function, model, current, macro, declared, unbound)', () => {
    const unit = lowerSource(fixture('binder/names.c'));
    const models = modelTable();
    const kind = (n: string) => bindName(unit, models, constants, n).kind;
    assert.equal(kind('names_helper'), 'function');
    assert.equal(kind('unlock_page'), 'model');
    assert.equal(kind('current'), 'current');
    assert.equal(kind('NAMES_LIMIT'), 'macro');
    assert.equal(kind('names_aops'), 'struct');
    assert.equal(kind('names_declared'), 'declared');
    assert.equal(kind('names_unknown'), 'unbound');
    assert.equal(bindCall(unit, models, 'unlock_page').kind, 'model');
    assert.equal(bindCall(unit, models, 'names_helper').kind, 'function');
    assert.equal(bindCall(unit, models, 'names_unknown').kind, 'unmodelled');
    // Identifiers of a body: a local named like a function is looked up as a local first.
    bindUnit(unit, models, constants).ensure(unit.functions.get('names_entry')!);
    const body = unit.functions.get('names_entry')!.body;
    const helper = identsOf(body).filter((e) => e.name === 'names_helper');
    assert.ok(helper.length >= 1 && helper.every((e) => (e.bound as { local: boolean }).local), 'the shadowing local is bound as a local');
    const page = identsOf(body).find((e) => e.name === 'page')!;
    assert.equal((page.bound as { local: boolean }).local, true);
    const unknown = identsOf(body).find((e) => e.name === 'names_unknown')!;
    assert.deepEqual({ local: (unknown.bound as { local: boolean }).local, kind: (unknown.bound as { global: { kind: string } }).global.kind }, { local: false, kind: 'unbound' });
    // The stamp is not enumerable: the IR prints as before.
    assert.ok(!JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes('"bound"'));
  });

  it('the shadowing local decides the value (the analysis reads 3, not the function)', () => {
    const r = analyzeSource(fixture('binder/names.c'), 'names.c');
    const run = r.runs.find((x) => x.entry === 'names_entry')!;
    assert.ok(run, 'names_entry runs');
    const trace = run.pathDetails.flatMap((p) => p.trace.map((s) => s.event)).join('\n');
    assert.match(trace, /names_helper = 3/);
    assert.doesNotMatch(trace, /enter names_helper/);
  });
});

describe('incremental analysis', () => {
  before(engineReady);

  it('edit after edit, the result of a fresh analysis; one-line edits parse incrementally and keep what they cannot change', () => {
    const text = sample('inode.c');
    const s = new IncrementalAnalysis();
    const first = s.analyze(text, 'inode.c');
    assert.equal(same(first), same(analyzeSource(text, 'inode.c')));
    const da = first.functions.find((f) => f.name === 'ext4_da_writepage')!;
    const lines = text.split('\n');
    const edits: ((ls: string[]) => void)[] = [
      (ls) => (ls[da.line + 3] += ' /* an edit */'),
      (ls) => (ls[da.line + 3] = ls[da.line + 3].replace(' /* an edit */', '')),
      (ls) => (ls[da.line + 2] = ls[da.line + 2].replace('int ret = 0;', 'int ret = 1 - 1;')),
      (ls) => (ls[da.line + 2] = ls[da.line + 2].replace('int ret = 1 - 1;', 'int ret = 0;')),
      (ls) => ls.splice(da.line + 3, 0, '\tint kpr_unused = 1;'),
      (ls) => ls.splice(da.line + 3, 1),
      (ls) => ls.splice(da.line - 1, 0, 'int kpr_broken = ;'),
      (ls) => ls.splice(da.line - 1, 1),
    ];
    const stats = [];
    for (const edit of edits) {
      edit(lines);
      const t = lines.join('\n');
      const inc = s.analyze(t, 'inode.c');
      stats.push(s.lastStats());
      assert.equal(same(inc), same(analyzeSource(t, 'inode.c')), `after edit ${stats.length}: ${JSON.stringify(s.lastStats())}`);
    }
    // A comment added: incremental parse, the function lowered again to the same IR, so nothing re-runs.
    assert.equal(stats[0].parse, 'incremental');
    assert.deepEqual([stats[0].functionsLowered, stats[0].functionsSameIR, stats[0].computed], [1, 1, 0], JSON.stringify(stats[0]));
    // Undone: back to the text before, everything kept.
    assert.equal(stats[1].computed, 0, JSON.stringify(stats[1]));
    // A one-line change of code: incremental parse, one function lowered, the runs reaching it re-run, the rest kept.
    assert.equal(stats[2].parse, 'incremental');
    assert.deepEqual([stats[2].functionsLowered, stats[2].functionsSameIR], [1, 0], JSON.stringify(stats[2]));
    assert.ok(stats[2].kept > 0 && stats[2].computed > 0, JSON.stringify(stats[2]));
    // A syntax error: parsed afresh (error recovery may differ), and once more after it (the old tree had it).
    assert.deepEqual([stats[6].parse, stats[7].parse], ['full', 'full']);
    s.dispose();
  });

  it('a file with a syntax error elsewhere: edits away from it parse incrementally and give the fresh result; facts of the tables are kept', () => {
    const text = fixture('incremental/error-elsewhere.c');
    const s = new IncrementalAnalysis();
    const first = s.analyze(text, 'error-elsewhere.c');
    assert.equal(same(first), same(analyzeSource(text, 'error-elsewhere.c')));
    assert.ok(first.diagnostics.some((d) => d.kind === 'syntax' && d.line === 15), 'the fixture has its syntax error (line 15)');
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    const edits: ((ls: string[]) => void)[] = [
      // In the ->writepage: a comment, a change of code, a line added.
      (ls) => (ls[at('int ret = 0;')] += ' /* an edit */'),
      (ls) => (ls[at('int ret = 0;')] = '\tint ret = 1 - 1;'),
      (ls) => ls.splice(at('unlock_page(page);'), 0, '\tret = 0;'),
      // In the function that holds the error: parsed afresh.
      (ls) => (ls[at('io->flag);')] = ls[at('io->flag);')].replace('io->flag);', 'io->flag + 1);')),
      // Above it: the error moves down a line, the same one.
      (ls) => ls.splice(at('struct inc_io {'), 0, '#define INC_UNUSED 1'),
      // A second error, in the ->writepage: parsed afresh.
      (ls) => ls.splice(at('unlock_page(page);'), 0, '\tret = ;'),
    ];
    const stats = [];
    for (const edit of edits) {
      edit(lines);
      const t = lines.join('\n');
      const inc = s.analyze(t, 'error-elsewhere.c');
      stats.push(s.lastStats());
      assert.equal(same(inc), same(analyzeSource(t, 'error-elsewhere.c')), `after edit ${stats.length}: ${JSON.stringify(s.lastStats())}`);
    }
    assert.deepEqual(
      stats.map((x) => x.parse),
      ['incremental', 'incremental', 'incremental', 'full', 'incremental', 'full'],
    );
    assert.deepEqual([stats[0].functionsSameIR, stats[0].computed], [1, 0], JSON.stringify(stats[0]));
    // The change of code re-runs the ->writepage's runs; the write_begin facts read nothing edited
    // and are kept (FactMemo); the table selection reaches the table, so its ->writepage: computed.
    assert.ok((stats[1].byKind.run?.computed ?? 0) > 0, JSON.stringify(stats[1]));
    assert.ok((stats[1].byKind.fact?.kept ?? 0) >= 1, JSON.stringify(stats[1]));
    s.dispose();
  });

  it('an edit of a ->writepage re-runs the runs that entered it (through the table too), not the other runs of its table', () => {
    const text = sample('inode.c');
    const s = new IncrementalAnalysis();
    const first = s.analyze(text, 'inode.c');
    const da = first.functions.find((f) => f.name === 'ext4_da_writepage')!;
    const daRuns = first.runs.filter((r) => r.aops === 'ext4_da_aops');
    const direct = daRuns.filter((r) => r.entry === 'ext4_da_writepage').length;
    const writepages = daRuns.filter((r) => r.entry === 'ext4_da_writepages').length;
    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => i >= da.line && l === '\tint ret = 0;');
    assert.ok(at > 0, 'the fixture has the line to edit');
    lines[at] += ' (void)1;';
    const t = lines.join('\n');
    const inc = s.analyze(t, 'inode.c');
    assert.equal(same(inc), same(analyzeSource(t, 'inode.c')));
    const runs = s.lastStats().byKind.run!;
    // Re-run: its own runs, and the ->writepages runs whose write_cache_pages model called it.
    assert.ok(runs.computed > direct && runs.computed <= direct + writepages, JSON.stringify(runs));
    // Kept: the table's ->write_begin, ->page_mkwrite and handle-helper runs, which never call it.
    assert.ok(runs.computed < daRuns.length, JSON.stringify(runs));
    s.dispose();
  });

  it('an edit of a function no scenario reaches re-runs nothing', () => {
    const text = fixture('binder/names.c') + '\nstatic int names_unused(void)\n{\n\treturn 0;\n}\n';
    const s = new IncrementalAnalysis();
    s.analyze(text, 'names.c');
    const edited = text.replace('\treturn 0;\n}\n', '\treturn 1;\n}\n');
    const r = s.analyze(edited, 'names.c');
    assert.equal(s.lastStats().computed, 0, JSON.stringify(s.lastStats()));
    assert.equal(same(r), same(analyzeSource(edited, 'names.c')));
    s.dispose();
  });
});
