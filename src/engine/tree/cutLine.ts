// The cut line of the kernel-tree mode: which calls the tree's own source stands in for, and
// which stay TypeScript models even when the tree has their source.
//
// Below the line, always models: the block allocator (its bodies reach into mballoc and the
// extent tree), I/O submission (submit_bh, ll_rw_block, submit_bio: no device), the journal
// (jbd/jbd2 handles and credits: start_this_handle's internals, commits), locks and waits
// (lock_page, unlock_page, lock_buffer, wait_on_*), the page cache's radix-tree tags
// (set_page_writeback, end_page_writeback, __set_page_dirty*, mark_buffer_dirty), memory
// allocation (alloc_page_buffers, kmalloc, the page allocator), and the header accessors of
// buffer and page state (buffer_dirty, PageLocked...: the models are the state).
//
// Above it, from the tree when the tree defines them: the writeback primitives below, whose models
// mirror one era's source (2.6.27) and so are only right for that era, and the helpers the tree's
// code calls that the engine does not model.

/**
 * Modelled primitives the tree's source replaces (fs/buffer.c of the tree's era). Not (yet):
 * mpage_writepage and the nobh_* family (their bodies build bios and walk allocators below the
 * cut line: run from the tree they explode into guesses), block_prepare_write (2.6.27's
 * __block_prepare_write run from the tree loops past the step budget on a page without
 * buffers and disagrees with the model on ext4_journalled_writepage: to be settled by a
 * conformance run before it is replaced).
 */
export const TREE_REPLACES_MODEL: ReadonlySet<string> = new Set(['block_write_full_page', 'block_write_full_page_endio']);

/**
 * Whether a call stays the engine's model (or unknown) even in a kernel tree. An unmodelled call
 * of the analysed file itself stays unknown (a guess, said so); an unmodelled call made by the
 * tree's own code (a static helper of fs/buffer.c) is run from the tree.
 */
export function staysModel(name: string, hasModel: boolean, fromTree: boolean): boolean {
  return hasModel ? !TREE_REPLACES_MODEL.has(name) : !fromTree;
}
