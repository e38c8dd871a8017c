// io-on-unmapped-buffer: write I/O is submitted for a buffer that is unmapped, delayed, or mapped
// to a block never allocated (b_blocknr stale): the data goes to the wrong disk block.
import { at, eventsOf, type PathInput, type RawFinding, type Rule } from './types';

export const ioOnUnmappedBuffer: Rule = {
  id: 'io-on-unmapped-buffer',
  check(path: PathInput): RawFinding[] {
    return eventsOf(path, 'io-submit')
      .filter((e) => e.rw === 'write' && (!e.mapped || e.delayed || !e.allocated))
      .map((e) => {
        const why = !e.mapped ? `unmapped (b_blocknr ${e.blocknr} is stale)` : e.delayed ? 'delayed (mapped to no block)' : `mapped to block ${e.blocknr} though block ${e.block} was never allocated (a delayed buffer whose delay bit was cleared)`;
        return at(e, 'io-on-unmapped-buffer', 'error', `${e.api} submits write I/O for ${e.buffer} (block ${e.block}), which is ${why}: the data goes to the wrong disk block`, `${e.api} writes ${e.buffer} (block ${e.block}) to a wrong disk block`);
      });
  },
};
