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

describe('labels of objects reached through a pointer chain in a loop', () => {
  before(engineReady);
  it('stay bounded, and the assumption after the loop names both ends of the chain', () => {
    const r = analyzeSource(fixture('interp/pointer-chain-bounded.c'), 'pointer-chain-bounded.c', { callers: ['kswapd'], pages: ['no-buffers-allocated'] });
    const run = r.runs.find((x) => x.aops === 'pc_aops')!;
    assert.ok(!run.truncated);
    const events = run.pathDetails.flatMap((p) => p.trace.map((s) => s.event));
    const longest = events.reduce((a, e) => (e.length > a.length ? e : a), '');
    assert.ok(longest.length < 400, `${longest.length} characters: ${longest.slice(0, 300)}`);
    const assumed = events.find((e) => e.startsWith('assume ') && e.includes('lc_flags'));
    assert.ok(assumed, events.join('\n'));
    assert.match(assumed, /wbc->fs_private->lc_next_in_a_long_chain->.* … .*->lc_flags/);
  });
});
