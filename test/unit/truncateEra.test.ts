// vmtruncate(inode, i_size) after a failed write: whether the page cache is truncated depends on
// the kernel (2.6.32's truncate_pagecache acts only when the size shrinks; cedabed49b3 undid that in
// 2.6.33-rc5). The file's own interfaces date it: they decide when they rule 2.6.32 in or out, and
// a path guesses (a warning naming it) only when they do not.
import * as assert from 'node:assert/strict';
import { analyzeSource, type RunResult } from '../../src/engine';
import { engineReady, fixture } from './helpers';

const FILE = 'models/truncate-failed-write.c';
const UNDATED_GET_BLOCK = 'ext4_get_blocks(handle, inode, iblock, 1, bh_result, create)';

function runsOf(text: string, file: string): { era: string; runs: RunResult[] } {
  const opts = JSON.parse(/^ \* kpr-options: (\{.*\})$/m.exec(text)![1]);
  const r = analyzeSource(text, file, opts);
  return { era: r.filesystem!.era, runs: r.runs };
}

function events(run: RunResult): string[] {
  return run.pathDetails.flatMap((p) => p.trace.map((s) => s.event));
}

describe('vmtruncate at i_size: the kernel the file is dated to', () => {
  before(engineReady);
  it('a file dated 2.6.31–2.6.35 takes both kernels: the 2.6.32 path keeps the buffer mapped, a warning naming the kernel', () => {
    const { era, runs } = runsOf(fixture(FILE), FILE);
    assert.equal(era, '2.6.31–2.6.35');
    const vm = runs.find((r) => r.aops === 'vm_aops')!;
    assert.ok(events(vm).some((e) => /which kernel \(the file's interfaces date it 2\.6\.31–2\.6\.35\)/.test(e)), 'a path forks on the kernel');
    const f = vm.findings.find((x) => x.rule === 'freed-block-still-mapped');
    assert.ok(f, 'the 2.6.32 path frees block 8 under the mapped buffer');
    assert.equal(f.severity, 'warning');
    assert.ok((f.assumptions ?? []).some((a) => /2\.6\.32 \(25d9e2d1528 to cedabed49b3/.test(a.assumed)), JSON.stringify(f.assumptions));
    assert.ok(events(vm).some((e) => /truncate_inode_pages/.test(e)), 'the other kernels truncate the page cache');
  });
  it('a file dated 2.6.29–2.6.30 runs that kernel only: the page cache is truncated first, no fork, no finding', () => {
    // The same code with ext4's get_block of 2.6.27–2.6.30 (ext4_get_blocks_wrap), whose
    // vmtruncate(inode, i_size) truncates the page cache (mm/memory.c's `else` branch).
    const text = fixture(FILE);
    assert.ok(text.includes(UNDATED_GET_BLOCK));
    const { era, runs } = runsOf(text.replace(UNDATED_GET_BLOCK, 'ext4_get_blocks_wrap(handle, inode, iblock, 1, bh_result, create, 0, 0)'), 'truncate-failed-write-2.6.30.c');
    assert.equal(era, '2.6.29–2.6.30');
    for (const name of ['vm_aops', 'ow_aops']) {
      const r = runs.find((x) => x.aops === name)!;
      assert.deepEqual(r.findings, [], name);
      const ev = events(r);
      assert.ok(ev.some((e) => /the file's interfaces date it 2\.6\.29–2\.6\.30, not 2\.6\.32: the page cache past i_size is truncated/.test(e)), `${name}:\n${ev.join('\n')}`);
      assert.ok(!ev.some((e) => /which kernel/.test(e)), `${name}: no fork on the kernel`);
    }
    const tf = runs.find((x) => x.aops === 'tf_aops')!;
    assert.equal(tf.findings.find((x) => x.rule === 'freed-block-still-mapped')?.severity, 'error', "the file's own truncate frees the block whatever the kernel");
  });
  it('a file that mixes eras (a backport) is not dated: the path takes each kernel again', () => {
    const text = fixture(FILE)
      .replace(UNDATED_GET_BLOCK, 'ext4_get_blocks_wrap(handle, inode, iblock, 1, bh_result, create, 0, 0)')
      .replace('\t.write_begin\t= vm_write_begin,', '\t.write_begin\t= vm_write_begin,\n\t.error_remove_page = generic_error_remove_page,');
    assert.ok(text.includes('error_remove_page'));
    const { runs } = runsOf(text, 'truncate-failed-write-mixed.c');
    const vm = runs.find((r) => r.aops === 'vm_aops')!;
    assert.ok(events(vm).some((e) => /which kernel \(the file's interfaces date it .*a backport or a mix\)/.test(e)), events(vm).join('\n'));
    assert.equal(vm.findings.find((x) => x.rule === 'freed-block-still-mapped')?.severity, 'warning');
  });
});
