// Path traces on demand: an analysis with `pathTraces: 'on-demand'` keeps each shown path's
// choices instead of its trace, and `PathTraces` rebuilds the trace by running the path again.
// Filled, the result is the one a 'recorded' analysis gives: the same findings, paths and steps.
import * as assert from 'node:assert/strict';
import { analyzeSource, PathTraces, type ScenarioResult } from '../../src/engine';
import { runsInvolving } from '../../src/extension/verdicts';
import { engineReady, fixture } from './helpers';

const NO_CLOCK = { budgets: { timePerFileMs: 3_600_000 } };

function plain(r: ScenarioResult): unknown {
  const { timing: _t, ...rest } = r;
  return JSON.parse(JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

describe('path traces on demand', () => {
  before(engineReady);
  for (const file of ['eras/ext4-2.6.30-shape.c', 'filesystems/ocfs2-get-block.c', 'filesystems/ext3-modes.c', 'filesystems/gfs2-jdata.c']) {
    it(`${file}: filled, an on-demand result is the recorded one`, () => {
      const text = fixture(file);
      const recorded = analyzeSource(text, file, NO_CLOCK);
      const lazy = analyzeSource(text, file, { ...NO_CLOCK, pathTraces: 'on-demand' });
      const shown = lazy.runs.flatMap((r) => r.pathDetails);
      assert.ok(shown.length > 0, 'the file has paths to show');
      assert.ok(
        shown.every((p) => p.trace.length === 0 && Array.isArray(p.replay)),
        'no shown path carries a trace, each its choices',
      );
      // What a view without the stepper reads is the same before any trace is made.
      assert.deepEqual(
        lazy.runs.map((r) => r.findings),
        recorded.runs.map((r) => r.findings),
      );
      assert.deepEqual(plain(new PathTraces(text, NO_CLOCK).fill(lazy)), plain(recorded));
    });
  }

  it('one path: its trace is the recorded path’s, with its finding steps', () => {
    const file = 'eras/ext4-2.6.30-shape.c';
    const text = fixture(file);
    const recorded = analyzeSource(text, file, NO_CLOCK);
    const lazy = analyzeSource(text, file, { ...NO_CLOCK, pathTraces: 'on-demand' });
    const i = lazy.runs.findIndex((r) => r.pathDetails.some((p) => p.rules.length > 0));
    assert.ok(i >= 0, 'a run with a finding');
    const path = lazy.runs[i].pathDetails.find((p) => p.rules.length > 0)!;
    const trace = new PathTraces(text, NO_CLOCK).trace(lazy.runs[i], i, path);
    const want = recorded.runs[i].pathDetails.find((p) => p.id === path.id)!.trace;
    assert.deepEqual(trace, want);
    assert.ok(trace!.some((s) => s.kind === 'finding'), 'the finding step is in it');
  });

  it('hovers and lenses read the same runs for a callback whether or not the traces were made (PathSummary.entered)', () => {
    for (const file of ['eras/ext4-2.6.30-shape.c', 'filesystems/ext3-modes.c']) {
      const text = fixture(file);
      const recorded = analyzeSource(text, file, NO_CLOCK);
      const lazy = analyzeSource(text, file, { ...NO_CLOCK, pathTraces: 'on-demand' });
      const names = new Set([...recorded.callbacks.map((c) => c.name), ...recorded.functions.map((f) => f.name)]);
      let reached = 0;
      for (const fn of names) {
        const want = runsInvolving(recorded, fn).map((i) => `${i.run.aops}/${i.run.caller}/${i.run.page}:${i.reachedWithoutFinding}`);
        assert.deepEqual(runsInvolving(lazy, fn).map((i) => `${i.run.aops}/${i.run.caller}/${i.run.page}:${i.reachedWithoutFinding}`), want, `${file}: ${fn}`);
        reached += runsInvolving(recorded, fn).filter((i) => i.reachedWithoutFinding).length;
      }
      assert.ok(reached > 0, `${file}: some function is reached on a shown path without a finding`);
    }
  });

  it('a run the text does not have gives no trace (another version of the file)', () => {
    const file = 'eras/ext4-2.6.30-shape.c';
    const lazy = analyzeSource(fixture(file), file, { ...NO_CLOCK, pathTraces: 'on-demand' });
    const run = { ...lazy.runs[0], aops: 'no_such_aops' };
    assert.equal(new PathTraces(fixture('filesystems/ocfs2-get-block.c'), NO_CLOCK).trace(run, 0, run.pathDetails[0]), null);
  });
});
