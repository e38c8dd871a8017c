// The scenario's writeback range holds its page: a cyclic writeback resumes at the page
// (mapping->writeback_index), a non-cyclic one with no range given writes the whole file (0, LLONG_MAX).
import * as assert from 'node:assert/strict';
import { analyzeSource, type RunResult } from '../../src/engine';
import { engineReady, fixture } from './helpers';

const FILE = 'entrypoints/writepages-contiguous-dirty.c';

function runsOf(): RunResult[] {
  const text = fixture(FILE);
  const opts = JSON.parse(/^ \* kpr-options: (\{.*\})$/m.exec(text)![1]);
  return analyzeSource(text, FILE, opts).runs;
}

function events(run: RunResult): string[] {
  return run.pathDetails.flatMap((p) => p.trace.map((s) => `${s.function}: ${s.event}`));
}

describe('writeback range of the ->writepages callers', () => {
  before(engineReady);
  it('background writeback (range_cyclic) starts at the page: one path per run, the count starts at its index', () => {
    const runs = runsOf().filter((r) => r.caller === 'background-writeback');
    assert.equal(runs.length, 4);
    for (const r of runs) {
      assert.equal(r.truncated, false, `${r.aops}/${r.page} not cut`);
      assert.equal(r.paths, 1, `${r.aops}/${r.page}: the start index is known, nothing to fork on`);
      assert.ok(events(r).some((e) => e === 'cd_write_all: call cd_num_dirty(mapping, 2, 0)' || e === 'cd_write_all: call cd_num_dirty(mapping, 2, 1)'), events(r).join('\n'));
    }
  });
  it('data-integrity writeback writes the whole file: range_whole, no count', () => {
    const runs = runsOf().filter((r) => r.caller === 'sync-writeback');
    assert.equal(runs.length, 4);
    for (const r of runs) {
      assert.equal(r.paths, 1);
      assert.ok(!events(r).some((e) => /call cd_num_dirty/.test(e)), events(r).join('\n'));
      assert.deepEqual(r.findings, []);
    }
  });
});
