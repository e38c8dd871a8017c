// Page-cache allocation in write_begin (grab_cache_page_write_begin and its 2008 forms): records
// whether the task held a journal handle and whether reclaim could re-enter the file system.
import type { ModelCtx, ModelSpec } from '../interp/interpreter';
import { obj, type Value } from '../interp/values';
import { handleView } from '../interp/world';
import { Page } from './objects';

/** AOP_FLAG_NOFS (include/linux/fs.h, 2.6.28+): allocate the page without __GFP_FS. */
const AOP_FLAG_NOFS = 0x4n;

function grab(ctx: ModelCtx, flags: Value | undefined): Value {
  const w = ctx.world;
  const nofs = !!flags && flags.k === 'int' && (flags.v & AOP_FLAG_NOFS) !== 0n;
  ctx.emit(
    { kind: 'page-grab', api: ctx.name, handle: handleView(w.handle), nofs },
    `${ctx.name}: page cache page allocated and locked${w.handle ? ` while the task holds the handle of ${w.handle.owner}` : ' with no journal handle held'}${nofs ? ' (AOP_FLAG_NOFS: reclaim cannot enter the file system)' : ' (reclaim may write pages back)'}`,
  );
  const p = new Page(w.page.index, w.page.mapping);
  p.label = 'new page';
  w.heldPages.push(p);
  return obj(p);
}

export const pageCacheModels: [string, ModelSpec][] = [
  ['__grab_cache_page', { fn: (c) => grab(c, undefined), doc: 'finds or allocates a locked page cache page (may enter reclaim)' }],
  ['grab_cache_page', { fn: (c) => grab(c, undefined) }],
  ['find_or_create_page', { fn: (c) => grab(c, undefined) }],
  ['grab_cache_page_write_begin', { fn: (c, a) => grab(c, a[2]), doc: 'allocates the page honouring AOP_FLAG_NOFS' }],
  [
    'block_write_begin',
    {
      // 2008: (file, mapping, pos, len, flags, pagep, fsdata, get_block); 3.x: (mapping, pos, len, flags, pagep, get_block).
      fn: (c, a) => {
        const pagep = a.length >= 8 ? a[5] : a[4];
        const have = pagep && pagep.k === 'ref' && pagep.cell.value.k === 'obj';
        if (!have) grab(c, a.length >= 8 ? a[4] : a[3]);
        c.event('block_write_begin: buffers prepared with its get_block (not simulated further)');
        return { k: 'int', v: 0n };
      },
      getBlockArg: 7,
      doc: 'grabs the page unless the caller did, then prepares its buffers',
    },
  ],
];
