// The kernel-tree mode on the fixture tree (test/fixtures/tree, a kernel tree of our own):
// verdicts come from the tree's headers and configuration; without the tree they are guesses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeSource } from '../../src/engine';
import { analyzeInTree } from '../../src/engine/tree/analyzeInTree';
import { findTreeRoot, treeVersion } from '../../src/engine/tree/layout';
import { conformance } from '../../src/engine/tree/conformance';
import { main } from '../../src/cli/main';
import { engineReady, FIXTURES } from './helpers';

const TREE = path.join(FIXTURES, 'tree');
const FILE = path.join(TREE, 'fs', 'kprfs', 'inode.c');
const TEXT = fs.readFileSync(FILE, 'utf8');
const LINE = (re: RegExp) => TEXT.split('\n').findIndex((l) => re.test(l)) + 1;
const findings = (r: ReturnType<typeof analyzeSource>) => r.runs.flatMap((run) => run.findings.map((f) => ({ ...f, scenario: `${run.aops}/${run.caller}/${run.page}` })));

describe('kernel-tree mode', function () {
  before(engineReady);

  it('finds the tree that holds a file from its layout, and no tree for a file outside one; its version from the Makefile', function () {
    assert.equal(findTreeRoot(FILE), TREE);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-mk-'));
    try {
      // 2.6.31's Makefile: an empty EXTRAVERSION, then NAME.
      fs.writeFileSync(path.join(dir, 'Makefile'), 'VERSION = 2\nPATCHLEVEL = 6\nSUBLEVEL = 31\nEXTRAVERSION =\nNAME = Man-Eating Seals of Antiquity\n');
      assert.equal(treeVersion(dir)?.text, '2.6.31');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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

  it('runs the tree’s own block_write_full_page (fs/buffer.c) instead of the model: its steps are in buffer.c, its events located at the file’s call', function () {
    const r = analyzeInTree(TEXT, FILE, { root: TREE });
    assert.deepEqual(
      r.tree?.primitives.map((p) => `${p.file}:${p.name}`),
      ['fs/buffer.c:__block_write_full_page', 'fs/buffer.c:block_write_full_page'],
      'the tree functions run (do_invalidatepage stays the model: below the cut line)',
    );
    const run = r.runs.find((x) => x.page === 'no-buffers-allocated')!;
    const trace = run.pathDetails[0].trace;
    const inTree = trace.filter((t) => t.file === 'fs/buffer.c');
    const bufferC = fs.readFileSync(path.join(TREE, 'fs', 'buffer.c'), 'utf8').split('\n');
    const getBlockLine = bufferC.findIndex((l) => /err = get_block\(inode, block, bh, 1\)/.test(l)) + 1;
    assert.ok(inTree.some((t) => t.line === getBlockLine && /kprfs_get_block\(inode, 8, bh\[0\], 1\)/.test(t.event)), inTree.map((t) => `${t.line} ${t.event}`).join('\n'));
    // The callback is the file's: its steps have no file.
    assert.ok(trace.some((t) => !t.file && t.function === 'kprfs_get_block'));
    assert.deepEqual(findings(r), []);
    // The tree's primitive and the model agree on every scenario of the fixture tree.
    const c = conformance(TEXT, FILE, { root: TREE });
    assert.equal(c.disagreements, 0, JSON.stringify(c.scenarios.filter((x) => !x.agree)));
    assert.equal(c.agreements, r.runs.length);
  });

  it('a change in the tree’s block_write_full_page changes the verdict: a wrong i_size shift drops the dirty blocks of a page straddling EOF', function () {
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-tree-')), 'linux');
    try {
      fs.cpSync(TREE, copy, { recursive: true });
      const buffer = path.join(copy, 'fs', 'buffer.c');
      const text = fs.readFileSync(buffer, 'utf8');
      assert.match(text, /last_block = \(i_size_read\(inode\) - 1\) >> 10;/);
      // Page units where block units are meant (PAGE_CACHE_SHIFT for the block size bits).
      fs.writeFileSync(buffer, text.replace('last_block = (i_size_read(inode) - 1) >> 10;', 'last_block = (i_size_read(inode) - 1) >> 12;'));
      const file = path.join(copy, 'fs', 'kprfs', 'inode.c');
      const r = analyzeInTree(TEXT, file, { root: copy });
      const f = findings(r);
      // Conformance names the disagreeing scenarios: the model is right, the changed tree is not.
      const c = conformance(TEXT, file, { root: copy });
      assert.deepEqual(c.scenarios.filter((x) => !x.agree).map((x) => x.scenario), ['kprfs_aops/kswapd/straddles-eof', 'kprfs_aops/reclaim-in-write-begin/straddles-eof']);
      assert.match(c.scenarios.find((x) => !x.agree)!.tree, /error dirty-data-dropped@\d+/);
      assert.ok(f.length > 0, 'the broken primitive loses data');
      assert.ok(f.every((x) => x.rule === 'dirty-data-dropped' && x.severity === 'error' && x.line === LINE(/return block_write_full_page/) && /straddles-eof/.test(x.scenario)), JSON.stringify(f.map((x) => [x.rule, x.severity, x.line, x.scenario])));
    } finally {
      fs.rmSync(path.dirname(copy), { recursive: true, force: true });
    }
  });
});
