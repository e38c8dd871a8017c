// A struct initialiser of function pointers: naming a function there is not a call. Reading one
// member of a table (`mapping->a_ops->writepage`) does not evaluate the others.
import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../src/engine';
import { engineReady, fixture, sample } from './helpers';

describe('a table initialiser names functions, it does not call them', () => {
  before(engineReady);
  it('a ->readpage the file does not define is no unmodelled call when ->writepages reads ->writepage', () => {
    const text = fixture('entrypoints/writepages-contiguous-dirty.c');
    const r = analyzeSource(text, 'writepages-contiguous-dirty.c', JSON.parse(/^ \* kpr-options: (\{.*\})$/m.exec(text)![1]));
    assert.ok(r.runs.some((x) => x.caller === 'background-writeback' && x.aops === 'cd_aops'), 'the table runs through generic_writepages');
    assert.deepEqual(r.unmodelled.map((u) => u.name), []);
  });
  it('the sample: ext4_readpage (named in every table, defined elsewhere) is not listed as unmodelled', () => {
    const r = analyzeSource(sample('inode.c'), 'inode.c', {});
    assert.ok(!r.unmodelled.some((u) => u.name === 'ext4_readpage'), JSON.stringify(r.unmodelled));
  });
});
