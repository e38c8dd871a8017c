// The simulation panel's view model (webview/model.ts) and the editor annotations' model, on the
// real engine output for sample/inode.c.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, initEngine, type ScenarioResult } from '../../src/engine';
import { annotationsFor } from '../../src/extension/panel/annotationModel';
import type { PanelFilters } from '../../src/shared/protocol';
import { buildMatrix, outcomeLegend, callerNote, cellOutcomes, findingSteps, findRun, moveInGrid, positionOf, reconcileSelection, selectCell, selectedPath } from '../../webview/model';
import { ROOT } from './helpers';

const ALL: PanelFilters = { rule: 'all', severity: 'all' };
const FOREIGN = { aops: 'ext4_da_aops', caller: 'reclaim-in-write-begin', page: 'delayed-dirty' } as const;

function sample(name: string): string {
  return fs.readFileSync(path.join(ROOT, 'sample', name), 'utf8');
}

describe('simulation panel model', () => {
  let result: ScenarioResult;

  before(async () => {
    await initEngine();
    result = analyzeSource(sample('inode.c'), 'inode.c');
  });

  it('has one table per writepage entry, callers as rows and page states as columns', () => {
    const m = buildMatrix(result, ALL);
    assert.deepEqual(
      m.tables.map((t) => t.aops),
      ['ext4_ordered_aops', 'ext4_writeback_aops', 'ext4_journalled_aops', 'ext4_da_aops'],
    );
    const da = m.tables[3];
    assert.equal(da.title, 'ext4_da_aops → ext4_da_writepage (line 198, data=ordered|writeback, delalloc)');
    // Its ->writepages runs under background and data-integrity writeback, the truncate helper under
    // ext4_truncate's handle, ext4_page_mkwrite under a write fault.
    assert.deepEqual(da.callers, ['da-writepages', 'jbd2-commit', 'kswapd', 'reclaim-in-write-begin', 'write-syscall', 'caller-handle', 'page-fault', 'background-writeback', 'sync-writeback']);
    assert.deepEqual(da.pages, ['mapped-dirty', 'delayed-dirty', 'hole-clean', 'no-buffers-allocated', 'straddles-eof', 'beyond-eof', 'delayed-and-mapped']);
    // The writeback table is not run under the ordered-mode commit, so it has no jbd2-commit row;
    // its ->write_begin runs under write(2); a symlink's body (AOP_FLAG_NOFS) goes only through the
    // table ext4_set_aops gives a symlink inode (ext4_should_journal_data: not a regular file).
    assert.deepEqual(m.tables[1].callers, ['kswapd', 'reclaim-in-write-begin', 'write-syscall', 'caller-handle', 'page-fault']);
    // The journalled table defines ->set_page_dirty: munmap's zap_pte_range calls it under the pte lock.
    assert.deepEqual(m.tables[2].callers, ['kswapd', 'reclaim-in-write-begin', 'write-syscall', 'write-nofs', 'caller-handle', 'page-fault', 'zap-pte-set-page-dirty']);
    // A caller that enters through ->write_begin names that entry in its row; ->writepage callers do not.
    assert.deepEqual(da.callerEntries, { 'write-syscall': 'ext4_da_write_begin', 'caller-handle': 'ext4_block_truncate_page', 'page-fault': 'ext4_page_mkwrite', 'background-writeback': 'ext4_da_writepages', 'sync-writeback': 'ext4_da_writepages' });
    assert.deepEqual(m.tables[1].callerEntries, { 'write-syscall': 'ext4_write_begin', 'caller-handle': 'ext4_block_truncate_page', 'page-fault': 'ext4_page_mkwrite' });
    // Each caller row carries the caller's set-up note (how it reaches ->writepage, which handle it holds).
    const note = callerNote(findRun(result, FOREIGN)!);
    assert.equal(da.callerNotes['reclaim-in-write-begin'], note);
    if (note !== undefined) assert.match(note, /ext4_da_write_begin .*1 credit/);
    // The facts the rules took from the file, with the lines they were learnt from.
    assert.deepEqual(da.notes, ['Facts of this file: lock order journal-then-page (line 276), ordered data inode (line 105), writeback credits 24 (line 251)']);
    // The legend names every outcome a cell of the sample shows.
    for (const label of new Set(result.runs.flatMap((r) => cellOutcomes(r)))) assert.ok(outcomeLegend().includes(label), `${label} not in: ${outcomeLegend()}`);
    // Every run is in exactly one cell.
    const cells = m.tables.flatMap((t) => t.rows.flat()).filter((c) => c.run);
    assert.equal(cells.length, result.runs.length);
    assert.equal(m.totals.runs, result.runs.length);
  });

  it('colours a cell by its worst finding and names its outcomes worst first', () => {
    const m = buildMatrix(result, ALL);
    const da = m.tables[3];
    const cell = (caller: string, page: string) => da.rows[da.callers.indexOf(caller as never)][da.pages.indexOf(page as never)];
    const foreign = cell('reclaim-in-write-begin', 'delayed-dirty');
    assert.equal(foreign.tone, 'error');
    assert.deepEqual(foreign.outcomes, ['BUG', 'data lost', 'written']);
    assert.deepEqual(foreign.rules, ['alloc-under-page-lock', 'foreign-credits', 'credits-exhausted', 'dirty-data-dropped', 'io-on-unmapped-buffer']);
    assert.match(foreign.ariaLabel, /BUG on 2 of 7 paths, data lost on 4 of 7 paths, written on 1 of 7 paths; 4 errors/);
    // Under its own handle the allocation is only a warning; with -o nobh and data=writeback the
    // delayed buffer goes through mpage_writepage with a stale b_blocknr: an error.
    const own = cell('da-writepages', 'delayed-dirty');
    assert.equal(own.tone, 'error');
    assert.deepEqual(own.outcomes, ['data lost', 'written']);
    const clean = cell('da-writepages', 'mapped-dirty');
    assert.equal(clean.tone, 'clean');
    assert.deepEqual(clean.outcomes, ['written']);
    assert.deepEqual(cell('kswapd', 'beyond-eof').outcomes, ['eof-drop']);
    const jr = m.tables[2];
    const lost = jr.rows[jr.callers.indexOf('kswapd')][jr.pages.indexOf('straddles-eof')];
    assert.equal(lost.outcomes[0], 'data lost');
    assert.equal(lost.tone, 'error');
  });

  it('filters by rule and by severity (non-matching cells stay, dimmed)', () => {
    const byRule = buildMatrix(result, { rule: 'foreign-credits', severity: 'all' });
    const matching = byRule.tables.flatMap((t) => t.rows.flat()).filter((c) => c.matches);
    assert.deepEqual(
      matching.map((c) => `${c.aops}/${c.caller}/${c.page}`),
      ['ext4_da_aops/reclaim-in-write-begin/delayed-dirty', 'ext4_da_aops/reclaim-in-write-begin/delayed-and-mapped'],
    );
    assert.deepEqual(matching[0].rules, ['foreign-credits']);
    const warnings = buildMatrix(result, { rule: 'all', severity: 'warning' });
    const w = warnings.tables.flatMap((t) => t.rows.flat()).filter((c) => c.matches);
    assert.deepEqual(w.map((c) => `${c.aops}/${c.caller}/${c.page}`).sort(), [
      'ext4_da_aops/da-writepages/delayed-and-mapped',
      'ext4_da_aops/da-writepages/delayed-dirty',
      'ext4_da_aops/reclaim-in-write-begin/delayed-and-mapped',
      'ext4_da_aops/reclaim-in-write-begin/delayed-dirty',
      'ext4_journalled_aops/kswapd/straddles-eof',
    ]);
    // Under a warning filter the journalled cell's errors no longer colour it.
    assert.ok(w.every((c) => c.tone === 'warning'));
    const unfiltered = warnings.tables.flatMap((t) => t.rows.flat()).filter((c) => !c.matches && c.run);
    assert.ok(unfiltered.length > 40);
    assert.ok(unfiltered.every((c) => c.tone === 'muted'));
    // Counted once per responsible call, as everywhere else (src/engine/api/counts.ts).
    const bugs = new Set(result.runs.flatMap((r) => r.findings.filter((f) => f.rule === 'kernel-bug').map((f) => `${f.function}|${f.anchor}`))).size;
    assert.ok(bugs > 0);
    assert.equal(buildMatrix(result, ALL).ruleCounts['kernel-bug'], bugs);
  });

  it('selects the path with a finding and finds the allocation step on line 167', () => {
    const sel = selectCell(result, FOREIGN);
    assert.ok(sel);
    assert.equal(sel.pathId, 1);
    const p = selectedPath(result, sel);
    assert.ok(p);
    assert.equal(p.outcome, 'bug');
    const steps = findingSteps(p.trace);
    assert.ok(steps.length >= 3, `finding steps ${steps}`);
    for (const i of steps) assert.equal(p.trace[i].line, 167);
    assert.match(p.trace[steps[0]].event, /^alloc-under-page-lock: ext4_get_blocks_wrap allocates block 2/);
    assert.equal(p.trace[0].line, 198);
    assert.equal(p.trace[p.trace.length - 1].creditsLeft, 0);
  });

  it('keeps the selection across a re-run where it still exists', () => {
    const sel = { ...FOREIGN, pathId: 2, step: 5 };
    // Same text: same cell, same path, same step.
    assert.deepEqual(reconcileSelection(analyzeSource(sample('inode.c'), 'inode.c'), sel), sel);
    // A step beyond the new trace is clamped.
    const far = reconcileSelection(result, { ...sel, step: 100_000 });
    assert.equal(far?.step, findRun(result, FOREIGN)!.pathDetails.find((p) => p.id === 2)!.trace.length - 1);
    // A path id the run no longer has: its default path, at step 0.
    assert.deepEqual(reconcileSelection(result, { ...sel, pathId: 99 }), { ...FOREIGN, pathId: 1, step: 0 });
    // A cell that no longer exists (table renamed by the edit): no selection.
    const renamed = analyzeSource(sample('inode.c').replace(/ext4_da_aops/g, 'ext4_da_aops2'), 'inode.c');
    assert.equal(reconcileSelection(renamed, sel), null);
    // The fixed file: same scenario still exists, its paths differ.
    const fixed = analyzeSource(sample('inode-fixed.c'), 'inode-fixed.c');
    const after = reconcileSelection(fixed, sel);
    assert.ok(after);
    assert.equal(after.aops, 'ext4_da_aops');
    assert.ok(findRun(fixed, after)?.pathDetails.some((p) => p.id === after.pathId));
  });

  it('moves through the matrix with arrow keys, across tables', () => {
    const m = buildMatrix(result, ALL);
    const start = positionOf(m, FOREIGN)!;
    assert.deepEqual(start, { table: 3, row: 3, col: 1 });
    assert.deepEqual(moveInGrid(m, start, 'ArrowRight'), { table: 3, row: 3, col: 2 });
    assert.deepEqual(moveInGrid(m, start, 'ArrowDown'), { table: 3, row: 4, col: 1 });
    const last = { table: 3, row: 8, col: 1 };
    assert.deepEqual(moveInGrid(m, last, 'ArrowDown'), last, 'last row of the last table stays');
    assert.deepEqual(moveInGrid(m, { table: 3, row: 0, col: 0 }, 'ArrowUp'), { table: 2, row: 6, col: 0 });
    // delayed-dirty (col 5 in the da table) does not exist above: nearest column.
    assert.deepEqual(moveInGrid(m, { table: 3, row: 0, col: 5 }, 'ArrowUp'), { table: 2, row: 6, col: 4 });
    assert.deepEqual(moveInGrid(m, start, 'Home', true), { table: 0, row: 0, col: 0 });
    assert.deepEqual(moveInGrid(m, { table: 0, row: 0, col: 0 }, 'End', true), { table: 3, row: 8, col: 6 });
    assert.equal(moveInGrid(m, start, 'x'), undefined);
  });

  it('names every outcome of a cut run', () => {
    const run = { ...findRun(result, FOREIGN)!, truncated: true };
    assert.deepEqual(cellOutcomes(run), ['BUG', 'data lost', 'written', 'cut']);
  });
});

describe('editor annotations model', () => {
  let result: ScenarioResult;
  before(async () => {
    await initEngine();
    result = analyzeSource(sample('inode.c'), 'inode.c');
  });

  it('marks allocation and credit use under the page lock, and reachable BUGs, with their scenarios', () => {
    const anns = annotationsFor(result);
    const byLine = new Map(anns.map((a) => [a.line, a]));
    assert.deepEqual(
      anns.map((a) => `${a.line}:${a.kind}`),
      ['73:lock', '82:lock', '167:lock', '217:bug', '315:bug', '320:bug', '408:bug', '413:bug'],
    );
    const alloc = byLine.get(167)!;
    assert.deepEqual(alloc.rules, ['alloc-under-page-lock', 'foreign-credits', 'credits-exhausted']);
    assert.equal(alloc.severity, 'error');
    assert.deepEqual(alloc.scenarios.sort(), ['ext4_da_aops/da-writepages/delayed-and-mapped', 'ext4_da_aops/da-writepages/delayed-dirty', 'ext4_da_aops/reclaim-in-write-begin/delayed-and-mapped', 'ext4_da_aops/reclaim-in-write-begin/delayed-dirty']);
    assert.match(alloc.note, /^allocates under page lock; spends foreign credits; exhausts credits \(J_ASSERT\) — ext4_da_aops\/[a-z-]+\/delayed-dirty, ext4_da_aops\/[a-z-]+\/delayed-and-mapped \+2 more$/);
    assert.deepEqual(byLine.get(73)!.rules, ['journal-start-under-page-lock']);
    assert.match(byLine.get(315)!.note, /^BUG reachable — .* \+\d+ more$/);
    // dirty-data-dropped (line 395) is not an annotation rule.
    assert.equal(byLine.get(395), undefined);
  });
});
