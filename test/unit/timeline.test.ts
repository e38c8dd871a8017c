// The commit-range timeline's view model (commits x findings, cells with lines) and its protocol
// validators, on the verdicts of real analyses of the sample's pre- and post-image.
import * as assert from 'node:assert/strict';
import { analyzeSource, compareResults } from '../../src/engine';
import { buildTimelineView, type RangeCommit } from '../../src/extension/timeline/timelineModel';
import { validateTimelineHostMessage, validateTimelineView, validateTimelineWebviewMessage } from '../../src/shared/timelineProtocol';
import { engineReady, sample } from './helpers';

describe('timeline view model and protocol', () => {
  before(engineReady);

  function commitsOf(texts: string[]): RangeCommit[] {
    const out: RangeCommit[] = [];
    for (let i = 1; i < texts.length; i++) {
      // No wall-clock budget: a loaded machine must not cut runs of a whole-model comparison.
      const o = { budgets: { timePerFileMs: 600_000 } };
      const d = compareResults(analyzeSource(texts[i - 1], 'a.c', o), analyzeSource(texts[i], 'b.c', o), { pre: texts[i - 1], post: texts[i] });
      out.push({ hash: `${i}`.repeat(40), parent: `${i - 1}`.repeat(40), subject: `commit ${i}`, author: 'T', files: [{ path: 'fs/ext4/inode.c', oldPath: 'fs/ext4/inode.c', changes: d.changes }] });
    }
    return out;
  }

  it('one row per finding, one cell per commit: present, fixed, introduced, absent, with lines', () => {
    const pre = sample('inode.c');
    const post = sample('inode-fixed.c');
    const commented = `${pre}/* nothing */\n`;
    const view = buildTimelineView('t', 'a..b', commitsOf([pre, commented, post]), []);
    assert.equal(view.commits.length, 2);
    const fc = view.rows.find((r) => r.rule === 'foreign-credits');
    assert.ok(fc);
    assert.deepEqual(fc.cells.map((c) => c.state), ['present', 'fixed']);
    assert.equal(fc.cells[0].line, 167);
    assert.equal(fc.cells[1].line, 167, 'a fixed cell has its line before the commit');
    assert.equal(fc.introducedBy, null);
    assert.equal(fc.fixedBy, '2'.repeat(12));
    const dd = view.rows.find((r) => r.rule === 'dirty-data-dropped' && r.function === 'ext4_da_writepage');
    assert.ok(dd);
    // Before: the ENOSPC recovery of __block_write_full_page drops the delayed block (a warning);
    // after: block_prepare_write's clean buffers are never written (an error) at the same call.
    assert.deepEqual(dd.cells.map((c) => [c.state, c.line === null]), [['present', false], ['changed', false]]);
    // The model is what the validator accepts (the host posts exactly this).
    assert.deepEqual(validateTimelineView(JSON.parse(JSON.stringify(view))), view);
    assert.ok(validateTimelineHostMessage({ type: 'view', version: 1, view }).ok);
  });

  it('rejects malformed messages, naming the field', () => {
    const bad = validateTimelineWebviewMessage({ type: 'open', version: 1, row: -1, commit: 0 });
    assert.equal(bad.ok, false);
    assert.match((bad as { error: string }).error, /message\.row/);
    assert.equal(validateTimelineWebviewMessage({ type: 'ready', extra: 1 }).ok, false);
    assert.equal(validateTimelineWebviewMessage({ type: 'log', level: 'info', message: 'x' }).ok, true);
    const view = { title: 't', range: 'r', commits: [{ hash: 'a', short: 'a', subject: 's', author: 'x', files: 1 }], rows: [{ rule: 'kernel-bug', severity: 'error', function: 'f', path: 'p', message: 'm', introducedBy: null, fixedBy: null, cells: [] }], notes: [] };
    const v = validateTimelineHostMessage({ type: 'view', version: 1, view });
    assert.equal(v.ok, false);
    assert.match((v as { error: string }).error, /cells: 0 cells for 1 commits/);
    assert.equal(validateTimelineHostMessage({ type: 'view', version: 1, view: { ...view, rows: [], __proto__x: 1 } }).ok, false);
  });
});
