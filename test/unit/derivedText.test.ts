// The description of an unknown derived in a loop stays bounded: constants added or taken off
// fold into one (`x - 3`, not `x - 1 - 0 - 1 - 0 - 1 - 0`); the keys, and so the paths, are unchanged.
import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../src/engine';
import { engineReady, fixture } from './helpers';

describe('descriptions of unknowns derived in a loop', () => {
  before(engineReady);
  it('a budget counted down in a loop reads "budget - n"', () => {
    const r = analyzeSource(fixture('interp/loop-unknown-count.c'), 'loop-unknown-count.c', { callers: ['kswapd'], pages: ['mapped-dirty'] });
    const run = r.runs.find((x) => x.aops === 'lc_aops')!;
    // Four passes, each may stop: five paths, as many as before the texts were folded.
    assert.equal(run.paths, 5);
    const assumed = [...new Set(run.pathDetails.flatMap((p) => p.trace.map((s) => s.event)).filter((e) => e.startsWith('assume ')))];
    for (const n of ['', ' - 1', ' - 2', ' - 3']) assert.ok(assumed.some((e) => e.startsWith(`assume result of lc_budget()${n} <= 0 is`)), `${n}: ${assumed.join('\n')}`);
    assert.ok(assumed.every((e) => !/ - [01] - /.test(e)), assumed.join('\n'));
  });
});
