// The public engine API on C sources: parser loading, discovery, callbacks, budgets, bad input.
import * as assert from 'node:assert/strict';
import { analyzeSource, type ScenarioResult } from '../../src/engine';
import { grammarAbiVersion } from '../../src/engine/parse/parser';
import { resetSimulationStats, simulationStats } from '../../src/engine/interp/simulate';
import { compareWithExpectations, engineReady, fixture, readExpectations, sample } from './helpers';

const WRAP = (body: string, extra = ''): string => `
#include <linux/buffer_head.h>
${extra}
static int t_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh, int create)
{
	int ret = ext4_get_blocks_wrap(NULL, inode, iblock, 1, bh, 0, 0, 0);
	return ret > 0 ? 0 : ret;
}
static int t_writepage(struct page *page, struct writeback_control *wbc)
{
${body}
}
static const struct address_space_operations t_aops = { .writepage = t_writepage, };
`;

function run(text: string, opts = {}): ScenarioResult {
  return analyzeSource(text, 't.c', opts);
}

describe('engine', () => {
  before(engineReady);

  it('a file without any journal call allocates in writepage by design: no alloc-under-page-lock (ext2), while a journalled file keeps it', () => {
    const ext2 = run(fixture('filesystems/ext2-nojournal.c'), { pages: ['hole-dirty'] });
    const ext2Runs = ext2.runs.filter((x) => x.page === 'hole-dirty');
    assert.ok(ext2Runs.length > 0, 'the hole-dirty state ran');
    // The hole is filled: get_block(create=1) allocates (the model said so in the trace) ...
    assert.ok(ext2Runs.some((x) => x.pathDetails.some((p) => p.trace.some((s) => /allocating \(no journal/.test(s.event)))), 'no allocation on the ext2 paths');
    // ... and no rule calls it a finding.
    assert.deepEqual(ext2Runs.flatMap((x) => x.findings).filter((f) => f.rule === 'alloc-under-page-lock').map((f) => f.line), []);
    const ext4 = run(sample('inode.c'), { aops: ['ext4_journalled_aops'], callers: ['kswapd'], pages: ['straddles-eof'] });
    const allocs = ext4.runs.flatMap((x) => x.findings).filter((f) => f.rule === 'alloc-under-page-lock');
    assert.ok(allocs.length > 0 && allocs.every((f) => f.severity === 'error'), 'the journalled sample lost its alloc-under-page-lock error');
  });

  it('loads a tree-sitter-c grammar whose ABI the runtime accepts', () => {
    const abi = grammarAbiVersion();
    assert.ok(abi !== undefined && abi >= 13 && abi <= 15, `ABI ${abi}`);
  });

  it('discovers the aops tables and the data mode the file itself selects them under', () => {
    const r = run(sample('inode.c'));
    const byTable = Object.fromEntries(r.entries.map((e) => [e.aops, e]));
    assert.deepEqual(Object.keys(byTable).sort(), ['ext4_da_aops', 'ext4_journalled_aops', 'ext4_ordered_aops', 'ext4_writeback_aops']);
    assert.equal(byTable.ext4_da_aops.writepage, 'ext4_da_writepage');
    assert.equal(byTable.ext4_da_aops.delalloc, true);
    assert.equal(byTable.ext4_ordered_aops.mode, 'ordered');
    assert.equal(byTable.ext4_ordered_aops.delalloc, false);
    assert.equal(byTable.ext4_journalled_aops.mode, 'journal');
    // da-writepages only runs on the delalloc table; delayed-dirty only there too
    assert.ok(r.runs.filter((x) => x.caller === 'da-writepages').every((x) => x.aops === 'ext4_da_aops'));
    assert.ok(r.runs.filter((x) => x.page === 'delayed-dirty').every((x) => x.aops === 'ext4_da_aops'));
  });

  it('learns what each get_block callback passes as create, from its source', () => {
    const pre = run(sample('inode.c'));
    const post = run(sample('inode-fixed.c'));
    const cb = (r: ScenarioResult, n: string) => r.callbacks.find((c) => c.name === n);
    assert.deepEqual(cb(pre, 'ext4_da_get_block_write')?.createValues, ['1']);
    assert.equal(cb(pre, 'ext4_get_block')?.startsHandle, true);
    assert.deepEqual(cb(post, 'ext4_normal_get_block_write')?.createValues, ['0']);
    assert.equal(cb(post, 'ext4_normal_get_block_write')?.startsHandle, false);
    const da = cb(pre, 'ext4_da_get_block_write');
    assert.ok(da?.reachedFrom.some((x) => x.writepage === 'ext4_da_writepage' && x.via === 'block_write_full_page'));
    assert.ok(cb(pre, 'ext4_da_get_block_prep')?.passedTo.some((p) => p.callee === 'block_write_begin'));
  });

  it('traces a finding step by step with lock and handle state', () => {
    const r = run(sample('inode.c'), { aops: ['ext4_da_aops'], callers: ['reclaim-in-write-begin'], pages: ['delayed-dirty'] });
    assert.equal(r.runs.length, 1);
    const f = r.runs[0].findings.find((x) => x.rule === 'foreign-credits');
    assert.ok(f);
    assert.deepEqual(f.stack, ['ext4_da_writepage', 'ext4_da_get_block_write']);
    const last = f.trace[f.trace.length - 1];
    assert.equal(last.pageLocked, true);
    assert.equal(last.handleOwner, 'ext4_da_write_begin');
    assert.ok(f.trace.some((s) => s.function === 'ext4_da_writepage' && s.depth === 0));
    assert.ok(f.trace.some((s) => /calls get_block ext4_da_get_block_write/.test(s.event)));
    assert.ok(r.runs[0].pathDetails.length >= 1);
  });

  it('lists calls it does not model, with the assumption made', () => {
    const r = run(WRAP('\tif (frobnicate_page(page))\n\t\treturn 0;\n\treturn block_write_full_page(page, t_get_block, wbc);'));
    const u = r.unmodelled.find((x) => x.name === 'frobnicate_page');
    assert.ok(u);
    assert.equal(u.line, 11);
    assert.match(u.assumed, /unknown/);
    // both outcomes explored: one path returns with the page locked
    assert.ok(r.runs.some((x) => x.findings.some((f) => f.rule === 'page-lock-contract')));
  });

  it('cuts an endless loop at the step budget and says so', () => {
    const r = run(WRAP('\tfor (;;)\n\t\tcond_resched();\n\treturn 0;'), { budgets: { stepsPerPath: 500 } });
    assert.ok(r.runs.length > 0);
    for (const x of r.runs) {
      assert.equal(x.truncated, true);
      assert.match(x.truncation.join(' '), /step budget \(500\) exhausted in t_writepage/);
    }
    assert.ok(r.diagnostics.some((d) => d.kind === 'budget'));
  });

  it('cuts path explosion at the path budget and reports the unexplored alternatives', () => {
    const body = Array.from({ length: 12 }, (_, i) => `\tif (unknown_${i}(page)) cond_resched();`).join('\n') + '\n\treturn block_write_full_page(page, t_get_block, wbc);';
    const r = run(WRAP(body), { budgets: { pathsPerRun: 16 }, callers: ['kswapd'], pages: ['mapped-dirty'], maxPathDetails: 16 });
    assert.equal(r.runs[0].paths, 16);
    assert.match(r.runs[0].truncation.join(' '), /path budget: 16 paths explored \(those that leave the first option least often first\), \d+ unexplored/);
    // Cut, the run ran again with the paths that leave the first option least often first: the one
    // that takes every first option, each of the twelve that leave it once, then three that leave it twice.
    const deviations = r.runs[0].pathDetails.map((p) => p.choices.filter((c) => /: false/.test(c)).length);
    assert.deepEqual(deviations, [0, ...Array(12).fill(1), 2, 2, 2]);
    const once = new Set(r.runs[0].pathDetails.filter((_, i) => deviations[i] === 1).map((p) => p.choices.find((c) => /: false/.test(c))));
    assert.equal(once.size, 12, 'every fork taken the other way once');
  });

  it('a mount option the answer does not need forks no path: `test_opt(NOBH) && should_writeback_data` under data=ordered', () => {
    const body = (right: string) => `\tstruct inode *inode = page->mapping->host;\n\tif (test_opt(inode->i_sb, NOBH) && ${right})\n\t\treturn nobh_writepage(page, t_get_block, wbc);\n\treturn block_write_full_page(page, t_get_block, wbc);`;
    const opts = { callers: ['kswapd'], pages: ['mapped-dirty'], pathTraces: 'recorded' };
    const settled = run(WRAP(body('ext4_should_writeback_data(inode)')), opts).runs[0];
    assert.equal(settled.paths, 1, 'the table is data=ordered: the conjunction is false whatever -o nobh says');
    const events = settled.pathDetails[0].trace.map((t) => t.event);
    assert.ok(events.some((t) => /ext4_should_writeback_data\(inode\) is false on this path, so .* is false: test_opt\(inode->i_sb, NOBH\) is not asked/.test(t)), events.join('\n'));
    assert.ok(!settled.pathDetails[0].choices.some((c) => /mount option/.test(c)));
    // A right operand the path does not know (an unmodelled call) leaves C's order: the option is asked first.
    const asked = run(WRAP(body('t_unknown(inode)')), opts).runs[0];
    assert.ok(asked.pathDetails.some((p) => p.choices.some((c) => /mount option: mounted with -o nobh/.test(c))), JSON.stringify(asked.pathDetails.map((p) => p.choices)));
  });

  it('a run the path budget does not cut runs depth first: its paths in the order of their choices', () => {
    const body = Array.from({ length: 3 }, (_, i) => `\tif (unknown_${i}(page)) cond_resched();`).join('\n') + '\n\treturn block_write_full_page(page, t_get_block, wbc);';
    const r = run(WRAP(body), { callers: ['kswapd'], pages: ['mapped-dirty'] });
    assert.equal(r.runs[0].paths, 8);
    assert.equal(r.runs[0].truncated, false);
    const ways = r.runs[0].pathDetails.map((p) => p.choices.map((c) => (/: false/.test(c) ? 1 : 0)).join(''));
    assert.deepEqual(ways, ['000', '001', '010', '011', '100', '101', '110', '111']);
  });

  it('counts the statements a path replays: the same code with its fork later replays more, runs the same', () => {
    const five = Array.from({ length: 5 }, () => '\tcond_resched();').join('\n');
    const fork = '\tif (unknown_0(page)) cond_resched();';
    const tail = '\n\treturn block_write_full_page(page, t_get_block, wbc);';
    const count = (body: string) => {
      resetSimulationStats();
      const r = run(WRAP(body + tail), { callers: ['kswapd'], pages: ['mapped-dirty'] });
      return { ...simulationStats(), runPaths: r.runs[0].paths };
    };
    const early = count(`${fork}\n${five}`);
    const late = count(`${five}\n${fork}`);
    assert.equal(early.runPaths, 2);
    assert.equal(late.runPaths, 2);
    assert.equal(late.steps, early.steps);
    assert.equal(late.paths, early.paths);
    // The second path of each simulation of t_writepage re-runs the five statements before the fork.
    assert.ok(late.replayed > early.replayed, `${late.replayed} > ${early.replayed}`);
    assert.equal((late.replayed - early.replayed) % 5, 0);
    assert.ok(late.replayed < late.steps);
  });

  it('stops runaway recursion at the call depth budget', () => {
    const extra = 'static int t_rec(struct page *page) { return t_rec(page); }';
    const r = run(WRAP('\treturn t_rec(page);', extra), { budgets: { callDepth: 10 }, callers: ['kswapd'], pages: ['mapped-dirty'] });
    assert.match(r.runs[0].truncation.join(' '), /call depth budget \(10\)/);
  });

  it('follows goto, switch and do/while as C does', () => {
    const body = `
	int n = 0, i;
	switch (page->index) {
	case 1: n = 10; break;
	case 2: n = 20;
	case 3: n += 1; break;
	default: n = 99;
	}
	i = 0;
	do { i++; } while (i < 3);
	if (n != 21 || i != 3)
		goto bad;
	return block_write_full_page(page, t_get_block, wbc);
bad:
	BUG();
	return 0;`;
    const r = run(WRAP(body), { callers: ['kswapd'], pages: ['mapped-dirty'] });
    assert.deepEqual(r.runs[0].findings, []);
    assert.deepEqual(r.runs[0].outcomes, { written: 1 });
  });

  it('reports unreadable C with a location and still analyses the rest', () => {
    const text = sample('inode.c').replace('static int ext4_bh_unmapped_or_delay', 'static int %%% ext4_bh_unmapped_or_delay');
    const r = run(text);
    assert.ok(r.diagnostics.some((d) => d.kind === 'syntax' && d.line > 1));
    assert.ok(r.entries.length >= 3);
  });

  it('never throws on truncated, shuffled or concatenated fixtures', () => {
    const texts = [sample('inode.c'), sample('inode-fixed.c'), fixture('rules/credits.c'), fixture('rules/page-lock-contract.c')];
    const all = texts.join('\n');
    const lines = all.split('\n');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const inputs = [all, all.slice(0, all.length / 3), all.slice(all.length / 2), [...lines].sort(() => rnd() - 0.5).join('\n'), '', '\0\0\0', '}}}{{{', 'static int f(struct page *page, struct writeback_control *wbc) {'];
    for (const t of inputs) {
      const r = run(t, { budgets: { timePerFileMs: 5000 } });
      assert.ok(Array.isArray(r.runs));
      assert.ok(!r.diagnostics.some((d) => d.kind === 'internal'), JSON.stringify(r.diagnostics.filter((d) => d.kind === 'internal')));
    }
  });

  it('the concatenation of the seed fixtures gives the pre-image findings (first definition wins)', () => {
    const r = run(sample('inode.c') + '\n' + sample('inode-fixed.c'));
    assert.ok(r.diagnostics.some((d) => d.kind === 'duplicate'));
    assert.ok(r.runs.some((x) => x.findings.some((f) => f.rule === 'foreign-credits')));
  });
});

describe('expectation comments', () => {
  before(engineReady);
  it('detects a missing and an unexpected finding', () => {
    const text = fixture('rules/credits.c');
    const r = analyzeSource(text, 'c.c');
    const exp = readExpectations(text);
    assert.deepEqual(compareWithExpectations(r, exp), []);
    const problems = compareWithExpectations(r, exp.slice(1));
    assert.ok(problems.some((p) => p.startsWith('unexpected error foreign-credits at line 23')));
    const extra = [...exp, { line: 5, rule: 'kernel-bug', severity: 'error', patterns: ['*:*:*'] }];
    assert.ok(compareWithExpectations(r, extra).some((p) => p.startsWith('missing error kernel-bug at line 5')));
  });
});
