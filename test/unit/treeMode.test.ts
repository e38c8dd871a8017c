// The kernel-tree mode on the fixture tree (test/fixtures/tree, a kernel tree of our own):
// verdicts come from the tree's headers and configuration; without the tree they are guesses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource } from '../../src/engine';
import { analyzeInTree } from '../../src/engine/tree/analyzeInTree';
import { findTreeRoot } from '../../src/engine/tree/layout';
import { main } from '../../src/cli/main';
import { engineReady, FIXTURES } from './helpers';

const TREE = path.join(FIXTURES, 'tree');
const FILE = path.join(TREE, 'fs', 'kprfs', 'inode.c');
const TEXT = fs.readFileSync(FILE, 'utf8');
const LINE = (re: RegExp) => TEXT.split('\n').findIndex((l) => re.test(l)) + 1;
const findings = (r: ReturnType<typeof analyzeSource>) => r.runs.flatMap((run) => run.findings.map((f) => ({ ...f, scenario: `${run.aops}/${run.caller}/${run.page}` })));

describe('kernel-tree mode', function () {
  before(engineReady);

  it('finds the tree that holds a file from its layout, and no tree for a file outside one', function () {
    assert.equal(findTreeRoot(FILE), TREE);
    assert.equal(findTreeRoot(path.join(FIXTURES, 'lock-order', 'journal-then-page.c')), undefined);
  });

  it('without the tree, the header macros are unknown: the findings rest on guesses and are warnings', function () {
    const r = analyzeSource(TEXT, FILE);
    assert.ok(r.unmodelled.some((u) => u.name === 'kprfs_page_ok'), JSON.stringify(r.unmodelled));
    const f = findings(r);
    assert.ok(f.length > 0);
    assert.ok(f.every((x) => x.severity !== 'error' && (x.assumptions?.length ?? 0) > 0), JSON.stringify(f.map((x) => [x.rule, x.severity, x.assumptions])));
  });

  it('with the tree, its default configuration: the macros are the header’s, nothing unmodelled, no finding; lines unchanged', function () {
    const r = analyzeInTree(TEXT, FILE, { root: TREE });
    assert.deepEqual(r.unmodelled, []);
    assert.deepEqual(findings(r), []);
    assert.equal(r.tree?.version, '2.6.27-kpr');
    assert.ok((r.tree?.headers ?? 0) >= 5, JSON.stringify(r.tree));
    assert.equal(r.entries[0].line, LINE(/^static int kprfs_writepage\(/));
    // Navigation is the file's own: the use of the get_block macro at its column in the file
    // (in the preprocessed text that line holds the longer kprfs_get_block, elsewhere).
    const callLine = LINE(/block_write_full_page\(page, kprfs_writepage_get_block/);
    const use = r.symbols?.uses.find((u) => u.line === callLine && u.name === 'block_write_full_page');
    const col = TEXT.split('\n')[callLine - 1].indexOf('block_write_full_page') + 1;
    assert.ok(!use || use.column === col, JSON.stringify(use));
    assert.ok(r.symbols?.functions.some((f) => f.name === 'kprfs_writepage'), 'kprfs_writepage in the symbol index');
  });

  it('with CONFIG_KPRFS_OLD_CHECK=y the tree’s check is wrong and the BUG_ON fires: an error on its line', function () {
    const r = analyzeInTree(TEXT, FILE, { root: TREE, config: { KPRFS_OLD_CHECK: 'y' } });
    const f = findings(r);
    assert.ok(f.length > 0);
    assert.ok(f.every((x) => x.rule === 'kernel-bug' && x.severity === 'error' && x.line === LINE(/BUG_ON\(!kprfs_page_ok/)), JSON.stringify(f.map((x) => [x.rule, x.severity, x.line])));
    assert.deepEqual(r.tree?.config, { KPRFS_OLD_CHECK: 'y' });
  });

  it('a missing header of the tree is reported and the analysis goes on', function () {
    const text = TEXT.replace('#include "kprfs.h"', '#include "kprfs.h"\n#include <linux/nowhere.h>');
    const r = analyzeInTree(text, FILE, { root: TREE });
    const d = r.diagnostics.find((x) => x.kind === 'preprocessor');
    assert.ok(d && d.line === LINE(/#include "kprfs.h"/) + 1 && /linux\/nowhere\.h>: not found in the tree/.test(d.message), JSON.stringify(r.diagnostics));
    assert.equal(r.entries.length, 1);
  });

  it('kpr scenarios: the tree of the file by default, --no-tree, --kconfig; exit 1 only with the error', async function () {
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main(['scenarios', FILE, ...argv], (x) => (out += x), (x) => (err += x));
      return { code, out, err };
    };
    const inTree = await run('--json');
    assert.equal(inTree.code, 0, inTree.err);
    assert.equal(JSON.parse(inTree.out).tree.version, '2.6.27-kpr');
    assert.match(inTree.err, /kernel-tree mode: .*tree \(2\.6\.27-kpr\), \d+ headers/);
    const plain = await run('--json', '--no-tree');
    assert.equal(JSON.parse(plain.out).tree, undefined);
    const old = await run('--kconfig', 'CONFIG_KPRFS_OLD_CHECK=y');
    assert.equal(old.code, 1);
    assert.match(old.out, /error: BUG_ON\(.*PageLocked\(page\)\) fires \[kernel-bug\]/);
    const both = await run('--tree', TREE, '--no-tree');
    assert.equal(both.code, 2);
  });
});
