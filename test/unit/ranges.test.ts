// Decisions about one unknown, plus or minus constants, are kept per path (interp/ranges.ts).
import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../src/engine';
import { decide, narrow } from '../../src/engine/interp/ranges';
import { engineReady, fixture } from './helpers';

describe('ranges of unknowns', () => {
  before(engineReady);

  it('a loop over an unknown budget ends where the kernel loop ends, and BUG_ONs that cannot fire do not', () => {
    const r = analyzeSource(fixture('models/unknown-counter-loop.c'), 'unknown-counter-loop.c');
    assert.ok(r.runs.length > 0, 'no run');
    for (const run of r.runs) {
      assert.equal(run.truncated, false, `${run.caller}/${run.page} cut: ${run.truncation.join('; ')}`);
      // nr <= 0; nr > 1 (break); nr == 1 (the loop test of nr - 1 is decided): three paths per outcome of the rest.
      assert.ok(run.paths <= 12, `${run.caller}/${run.page}: ${run.paths} paths`);
    }
    assert.deepEqual(r.runs.flatMap((x) => x.findings).filter((f) => f.rule === 'kernel-bug').map((f) => f.line), []);
    const traces = r.runs.flatMap((x) => x.pathDetails).flatMap((p) => p.trace.map((s) => s.event));
    assert.ok(traces.some((t) => /follows from what this path assumed before/.test(t)), 'no decision was implied');
  });

  it('a reservation retry loop ends: one injected shortage per path, ext4_should_retry_alloc counts its retries', () => {
    const r = analyzeSource(fixture('models/reserve-retry.c'), 'reserve-retry.c');
    assert.ok(r.runs.length > 0, 'no run');
    for (const run of r.runs) {
      assert.equal(run.truncated, false, `${run.caller}/${run.page} cut: ${run.truncation.join('; ')}`);
      assert.ok(run.paths <= 16, `${run.caller}/${run.page}: ${run.paths} paths`);
    }
  });

  it('decides what a range implies and leaves the rest open', () => {
    const r = narrow(narrow(undefined, { base: 'n', op: '>', c: 0n }), { base: 'n', op: '!=', c: 1n });
    assert.deepEqual(r, { lo: 2n, hi: null, ne: [] });
    assert.equal(decide(r, { base: 'n', op: '>=', c: 2n }), true);
    assert.equal(decide(r, { base: 'n', op: '==', c: 1n }), false);
    assert.equal(decide(r, { base: 'n', op: '<', c: 5n }), null);
    assert.equal(decide(narrow(r, { base: 'n', op: '<=', c: 2n }), { base: 'n', op: '==', c: 2n }), true);
  });
});
