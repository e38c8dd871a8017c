// The CodeLens data (src/extension/lensSpecs.ts) on C sources: one lens above every entry function
// the scenarios run, not only ->writepage, each running exactly its runs; one above each callback.
import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../src/engine';
import { entrySummary, lensSpecs } from '../../src/extension/lensSpecs';
import { buildCodeLenses } from '../../src/lsp/features';
import { engineReady, fixture, sample } from './helpers';

describe('CodeLens specs', () => {
  before(engineReady);

  it('the sample: a lens above each entry function (writepage, write_begin, page_mkwrite, writepages, a handle helper) and each callback', () => {
    const r = analyzeSource(sample('inode.c'), 'inode.c');
    const specs = lensSpecs('file:///inode.c', r);
    const at = (fn: string) => {
      const f = r.functions.find((x) => x.name === fn);
      assert.ok(f, `the sample defines ${fn}`);
      const s = specs.find((x) => x.line === f.line);
      assert.ok(s, `a lens above ${fn} (line ${f.line}): ${specs.map((x) => x.line).join(', ')}`);
      return s;
    };
    for (const fn of ['ext4_da_writepage', 'ext4_da_write_begin', 'ext4_page_mkwrite', 'ext4_da_writepages', 'ext4_block_truncate_page']) {
      const s = at(fn);
      const runs = r.runs.filter((x) => x.entry === fn);
      assert.equal(s.args.scenarios?.length, runs.length, fn);
      assert.match(s.title, new RegExp(`^Run ${runs.length} scenarios? — \\d+ findings?$`));
    }
    assert.match(at('ext4_page_mkwrite').tooltip, /->page_mkwrite \(a write fault\)/);
    assert.match(at('ext4_da_write_begin').tooltip, /->write_begin/);
    for (const cb of r.callbacks) assert.ok(specs.some((s) => s.line === cb.line), `a lens above ${cb.name}`);
    // Every run is behind some entry lens.
    const entryRuns = specs.filter((s) => s.title.startsWith('Run') && s.args.title?.startsWith('scenarios of')).reduce((n, s) => n + (s.args.scenarios?.length ?? 0), 0);
    assert.equal(entryRuns, r.runs.length);
  });

  it('hover and Explain of an entry other than ->writepage: how it is entered, each run and its verdict', () => {
    const r = analyzeSource(sample('inode.c'), 'inode.c');
    const s = entrySummary(r, 'ext4_page_mkwrite');
    assert.ok(s, 'ext4_page_mkwrite is run');
    assert.match(s.heading, /^->page_mkwrite \(a write fault\) ext4_page_mkwrite \(defined at line \d+\): \d+ scenario runs?$/);
    assert.equal(s.lines.length, r.runs.filter((x) => x.entry === 'ext4_page_mkwrite').length);
    assert.ok(s.lines.every((l) => /^ext4_\w+_aops\/page-fault\/hole-clean: /.test(l)), s.lines.join('\n'));
    assert.equal(entrySummary(r, 'ext4_get_block'), null, 'a callback is not an entry');
  });

  it('the language server lenses the same entry functions (kpr lsp)', () => {
    const r = analyzeSource(sample('inode.c'), 'inode.c');
    const lenses = buildCodeLenses('file:///inode.c', r);
    for (const fn of ['ext4_da_writepage', 'ext4_da_write_begin', 'ext4_page_mkwrite', 'ext4_da_writepages']) {
      const lens = lenses.find((l) => l.command?.arguments?.[1] === fn);
      assert.ok(lens, `an LSP lens for ${fn}`);
      const runs = r.runs.filter((x) => x.entry === fn).length;
      assert.match(lens.command!.title, new RegExp(`^${runs} scenarios? — \\d+ findings?$`));
    }
  });

  it("a vm_operations_struct row's ->page_mkwrite gets its lens (no aops table in the file)", () => {
    const r = analyzeSource(fixture('entrypoints/vmops-page-mkwrite.c'), 'vmops-page-mkwrite.c');
    const fault = r.faultEntries?.[0];
    assert.ok(fault, 'the fixture has a fault entry');
    const s = lensSpecs('file:///v.c', r).find((x) => x.line === fault.pageMkwriteLine);
    assert.ok(s, 'a lens above the ->page_mkwrite');
    assert.deepEqual(s.args.aops, [fault.vmOps]);
  });
});
