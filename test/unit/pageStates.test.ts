// Which tables a page state applies to, from facts of the file.
import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../src/engine';
import { engineReady, fixture, sample } from './helpers';

describe('page state unwritten-dirty applies where the file can leave a buffer mapped and unwritten', () => {
  before(engineReady);
  it('a delalloc table of a file that maps a buffer it found unwritten runs it', () => {
    const r = analyzeSource(fixture('entrypoints/unwritten-writepages.c'), 'unwritten-writepages.c', { callers: ['background-writeback'], pages: ['unwritten-dirty'] });
    assert.deepEqual(r.runs.map((x) => `${x.aops}/${x.page}`).sort(), ['uw_aops/unwritten-dirty', 'uw_fixed_aops/unwritten-dirty']);
  });
  it('the same file without the get_block that maps unwritten buffers does not', () => {
    const text = fixture('entrypoints/unwritten-writepages.c').replace(/\} else if \(buffer_unwritten\(bh_result\)\) \{\n\t\tset_buffer_new\(bh_result\);\n\t\tset_buffer_mapped\(bh_result\);\n/, '} else {\n');
    assert.ok(!/buffer_unwritten\(bh_result\)/.test(text), 'the branch is gone');
    const r = analyzeSource(text, 'unwritten-writepages.c', { callers: ['background-writeback'], pages: ['unwritten-dirty', 'mapped-dirty'] });
    assert.deepEqual(r.runs.map((x) => x.page), ['mapped-dirty', 'mapped-dirty']);
  });
  it('the 2008-era sample (no unwritten buffer mapped anywhere) runs it on no table', () => {
    const r = analyzeSource(sample('inode.c'), 'inode.c', { pages: ['unwritten-dirty', 'mapped-dirty'] });
    assert.ok(r.runs.length > 0);
    assert.ok(r.runs.every((x) => x.page === 'mapped-dirty'));
  });
});

describe('default page states', () => {
  before(engineReady);
  it('delayed-and-mapped runs by default on a delalloc table; hole-dirty, stale-blocknr and unwritten-dirty only when asked for', () => {
    const r = analyzeSource(sample('inode.c'), 'inode.c', {});
    const pages = new Set(r.runs.map((x) => x.page));
    assert.ok(r.runs.some((x) => x.aops === 'ext4_da_aops' && x.page === 'delayed-and-mapped'));
    assert.ok(!r.runs.some((x) => x.aops !== 'ext4_da_aops' && x.page === 'delayed-and-mapped'), 'delalloc tables only');
    for (const p of ['hole-dirty', 'stale-blocknr', 'unwritten-dirty']) assert.ok(!pages.has(p as never), p);
  });
});
