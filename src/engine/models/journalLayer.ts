// Which journal layer a journal call belongs to, by the kernel API's own names, and how that layer
// says "no credit left" (jbd: fs/jbd/transaction.c journal_dirty_metadata, jbd2:
// fs/jbd2/transaction.c jbd2_journal_dirty_metadata, both J_ASSERT(handle->h_buffer_credits > 0)
// in 2.6.27), so a finding names the layer of the file it is in, not ext4's.

export type JournalLayer = 'jbd2' | 'jbd' | 'jbd or jbd2' | 'gfs2 log' | 'reiserfs journal';

/** The layer of a journal call or of a journalled allocation primitive, by its prefix; null if not known. */
export function journalLayerOf(api: string): JournalLayer | null {
  if (/^(jbd2_|ext4_)/.test(api)) return 'jbd2';
  if (/^(ext3_|journal_(start|stop|get_|dirty_|extend|current_handle|forget|restart))/.test(api)) return 'jbd';
  // ocfs2 runs over jbd up to 2.6.27 and jbd2 from 2.6.28 ("ocfs2: Switch over to JBD2").
  if (/^ocfs2_/.test(api)) return 'jbd or jbd2';
  if (/^gfs2_/.test(api)) return 'gfs2 log';
  if (/^(journal_begin|journal_end|journal_mark_dirty|reiserfs_)/.test(api)) return 'reiserfs journal';
  return null;
}

/** The assertion that fires when a buffer new to the transaction finds no credit, in the layer's words. */
export function creditAssertion(api: string): string {
  switch (journalLayerOf(api)) {
    case 'jbd':
      return "jbd's J_ASSERT(handle->h_buffer_credits > 0)";
    case 'jbd or jbd2':
      return "the journal's J_ASSERT(handle->h_buffer_credits > 0) (jbd or jbd2)";
    case 'gfs2 log':
      return "gfs2's reservation check (tr_num_buf <= tr_blocks)";
    case 'reiserfs journal':
      return "reiserfs' journal_mark_dirty check (t_blocks_logged <= t_blocks_allocated)";
    default:
      return "jbd2's J_ASSERT(handle->h_buffer_credits > 0)";
  }
}

/** The journal function that asserts it (the trace's words). */
export function creditAssertionSite(api: string): string {
  switch (journalLayerOf(api)) {
    case 'jbd':
      return 'journal_dirty_metadata';
    case 'jbd or jbd2':
      return 'journal_dirty_metadata (jbd) or jbd2_journal_dirty_metadata (jbd2)';
    case 'gfs2 log':
      return 'gfs2_trans_end';
    case 'reiserfs journal':
      return 'journal_mark_dirty';
    default:
      return 'jbd2_journal_dirty_metadata';
  }
}
