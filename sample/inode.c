/*
 *  linux/fs/ext4/inode.c (cut down): ext4's address_space operations
 *  as of mid-2008, before "ext4: Handle page without buffers in
 *  ext4_*_writepage()". Rewritten in the kernel's shape for a demo;
 *  not the kernel's text.
 *
 */
#include <linux/fs.h>
#include <linux/jbd2.h>
#include <linux/buffer_head.h>
#include <linux/writeback.h>
#include "ext4_jbd2.h"

#define DIO_MAX_BLOCKS 4096
#define DIO_CREDITS 25

static int ext4_writepage_trans_blocks(struct inode *inode);

static int walk_page_buffers(handle_t *handle,
			     struct buffer_head *head,
			     unsigned from,
			     unsigned to,
			     int *partial,
			     int (*fn)(handle_t *handle,
				       struct buffer_head *bh))
{
	struct buffer_head *bh;
	unsigned block_start, block_end;
	unsigned blocksize = head->b_size;
	int err, ret = 0;
	struct buffer_head *next;

	for (bh = head, block_start = 0;
	     ret == 0 && (bh != head || !block_start);
	     block_start = block_end, bh = next) {
		next = bh->b_this_page;
		block_end = block_start + blocksize;
		if (block_end <= from || block_start >= to) {
			if (partial && !buffer_uptodate(bh))
				*partial = 1;
			continue;
		}
		err = (*fn)(handle, bh);
		if (!ret)
			ret = err;
	}
	return ret;
}

static int do_journal_get_write_access(handle_t *handle,
				       struct buffer_head *bh)
{
	if (!buffer_mapped(bh) || buffer_freed(bh))
		return 0;
	return ext4_journal_get_write_access(handle, bh);
}

/*
 * The get_block callback of the buffered write and direct I/O paths. When the
 * caller asks for allocation and the task holds no handle, it opens one.
 */
int ext4_get_block(struct inode *inode, sector_t iblock,
		   struct buffer_head *bh_result, int create)
{
	handle_t *handle = ext4_journal_current_handle();
	int ret = 0, started = 0;
	unsigned max_blocks = bh_result->b_size >> inode->i_blkbits;

	if (create && !handle) {
		/* Direct IO write... */
		if (max_blocks > DIO_MAX_BLOCKS)
			max_blocks = DIO_MAX_BLOCKS;
		handle = ext4_journal_start(inode, DIO_CREDITS +
			      2 * EXT4_QUOTA_TRANS_BLOCKS(inode->i_sb));
		if (IS_ERR(handle)) {
			ret = PTR_ERR(handle);
			goto out;
		}
		started = 1;
	}

	ret = ext4_get_blocks_wrap(handle, inode, iblock,
				   max_blocks, bh_result, create, 0, 0);
	if (ret > 0) {
		bh_result->b_size = (ret << inode->i_blkbits);
		ret = 0;
	}
	if (started)
		ext4_journal_stop(handle);
out:
	return ret;
}

static int ext4_writepage_trans_blocks(struct inode *inode)
{
	int bpp = 1 << (PAGE_CACHE_SHIFT - inode->i_blkbits);
	int indirects = (EXT4_NDIR_BLOCKS % bpp) ? 5 : 3;

	return bpp + indirects + 2;
}

static int ext4_ordered_write_end(struct file *file, struct address_space *mapping, loff_t pos,
				  unsigned len, unsigned copied, struct page *page, void *fsdata)
{
	int ret = ext4_jbd2_file_inode(ext4_journal_current_handle(), mapping->host);

	return ret ? ret : generic_write_end(file, mapping, pos, len, copied, page, fsdata);
}

static int ext4_write_begin(struct file *file, struct address_space *mapping,
			    loff_t pos, unsigned len, unsigned flags,
			    struct page **pagep, void **fsdata)
{
	struct inode *inode = mapping->host;
	handle_t *handle;
	int ret;

	handle = ext4_journal_start(inode, ext4_writepage_trans_blocks(inode));
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	ret = block_write_begin(file, mapping, pos, len, flags, pagep, fsdata,
				ext4_get_block);
	if (ret)
		ext4_journal_stop(handle);
	return ret;
}

/*
 * Delayed allocation: reserve space, map the buffer to no block and mark it
 * delayed. Called from write_begin, never from writepage.
 */
static int ext4_da_get_block_prep(struct inode *inode, sector_t iblock,
				  struct buffer_head *bh_result, int create)
{
	int ret = 0;

	BUG_ON(create == 0);
	BUG_ON(bh_result->b_size != inode->i_sb->s_blocksize);

	ret = ext4_get_blocks_wrap(NULL, inode, iblock, 1, bh_result, 0, 0, 0);
	if ((ret == 0) && !buffer_delay(bh_result)) {
		ret = ext4_da_reserve_space(inode, 1);
		if (ret)
			return ret;
		map_bh(bh_result, inode->i_sb, 0);
		set_buffer_new(bh_result);
		set_buffer_delay(bh_result);
	} else if (ret > 0) {
		bh_result->b_size = (ret << inode->i_blkbits);
		ret = 0;
	}
	return ret;
}

static int ext4_da_get_block_write(struct inode *inode, sector_t iblock,
				   struct buffer_head *bh_result, int create)
{
	int ret = 0;
	unsigned max_blocks = bh_result->b_size >> inode->i_blkbits;
	loff_t disksize = EXT4_I(inode)->i_disksize;
	handle_t *handle = NULL;

	handle = ext4_journal_current_handle();
	BUG_ON(handle == NULL);
	BUG_ON(create == 0);

	ret = ext4_get_blocks_wrap(handle, inode, iblock, max_blocks,
				   bh_result, create, 0, EXT4_DELALLOC_RSVED);
	if (ret > 0) {
		bh_result->b_size = (ret << inode->i_blkbits);

		/* update on-disk size along with block allocation */
		disksize = ((loff_t) iblock + ret) << inode->i_blkbits;
		if (disksize > i_size_read(inode))
			disksize = i_size_read(inode);
		if (disksize > EXT4_I(inode)->i_disksize) {
			EXT4_I(inode)->i_disksize = disksize;
			ret = ext4_mark_inode_dirty(handle, inode);
			return ret;
		}
		ret = 0;
	}
	return ret;
}

static int ext4_bh_unmapped_or_delay(handle_t *handle, struct buffer_head *bh)
{
	return !buffer_mapped(bh) || buffer_delay(bh);
}

/*
 * get called vi ext4_da_writepages after taking page lock
 * We may end up doing block allocation here in case
 * mpage_da_map_blocks failed to allocate blocks.
 *
 * We also get called via journal_submit_inode_data_buffers
 */
static int ext4_da_writepage(struct page *page,
				struct writeback_control *wbc)
{
	int ret = 0;
	loff_t size;
	unsigned long len;
	handle_t *handle = NULL;
	struct buffer_head *page_bufs;
	struct inode *inode = page->mapping->host;

	handle = ext4_journal_current_handle();
	if (!handle) {
		/*
		 * Not called from ext4_da_writepages: no handle here, and we
		 * cannot start one under the page lock, so skip pages that
		 * would need allocation.
		 */
		size = i_size_read(inode);

		page_bufs = page_buffers(page);
		if (page->index == size >> PAGE_CACHE_SHIFT)
			len = size & ~PAGE_CACHE_MASK;
		else
			len = PAGE_CACHE_SIZE;

		if (walk_page_buffers(NULL, page_bufs, 0,
				len, NULL, ext4_bh_unmapped_or_delay)) {
			/*
			 * We can't do block allocation under
			 * page lock without a handle . So redirty
			 * the page and return
			 */
			redirty_page_for_writepage(wbc, page);
			unlock_page(page);
			return 0;
		}
	}

	if (test_opt(inode->i_sb, NOBH) && ext4_should_writeback_data(inode))
		ret = nobh_writepage(page, ext4_da_get_block_write, wbc);
	else
		ret = block_write_full_page(page, ext4_da_get_block_write, wbc);

	return ret;
}

static int ext4_da_writepages(struct address_space *mapping,
			      struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	handle_t *handle;
	int ret;

	handle = ext4_journal_start(inode, ext4_writepage_trans_blocks(inode) * 4);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	ret = mpage_da_writepages(mapping, wbc, ext4_da_get_block_write);
	ext4_journal_stop(handle);
	return ret;
}

static int ext4_da_write_begin(struct file *file, struct address_space *mapping,
			       loff_t pos, unsigned len, unsigned flags,
			       struct page **pagep, void **fsdata)
{
	int ret;
	struct page *page;
	pgoff_t index;
	struct inode *inode = mapping->host;
	handle_t *handle;

	index = pos >> PAGE_CACHE_SHIFT;
	/*
	 * With delayed allocation, we don't log the i_disksize update
	 * if there is delayed block allocation. But we still need
	 * to journalling the i_disksize update if writes to the end
	 * of file which has an already mapped buffer.
	 */
	handle = ext4_journal_start(inode, 1);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	page = __grab_cache_page(mapping, index);
	if (!page)
		return -ENOMEM;
	*pagep = page;

	ret = block_write_begin(file, mapping, pos, len, flags, pagep, fsdata,
				ext4_da_get_block_prep);
	if (ret < 0) {
		unlock_page(page);
		ext4_journal_stop(handle);
		page_cache_release(page);
	}
	return ret;
}

static int __ext4_normal_writepage(struct page *page,
				   struct writeback_control *wbc)
{
	struct inode *inode = page->mapping->host;

	if (test_opt(inode->i_sb, NOBH))
		return nobh_writepage(page, ext4_get_block, wbc);
	else
		return block_write_full_page(page, ext4_get_block, wbc);
}


static int ext4_normal_writepage(struct page *page,
				struct writeback_control *wbc)
{
	struct inode *inode = page->mapping->host;
	loff_t size = i_size_read(inode);
	loff_t len;

	J_ASSERT(PageLocked(page));
	J_ASSERT(page_has_buffers(page));
	if (page->index == size >> PAGE_CACHE_SHIFT)
		len = size & ~PAGE_CACHE_MASK;
	else
		len = PAGE_CACHE_SIZE;
	BUG_ON(walk_page_buffers(NULL, page_buffers(page), 0, len, NULL,
				 ext4_bh_unmapped_or_delay));

	if (!ext4_journal_current_handle())
		return __ext4_normal_writepage(page, wbc);

	redirty_page_for_writepage(wbc, page);
	unlock_page(page);
	return 0;
}

static int bget_one(handle_t *handle, struct buffer_head *bh)
{
	get_bh(bh);
	return 0;
}

static int bput_one(handle_t *handle, struct buffer_head *bh)
{
	put_bh(bh);
	return 0;
}

static int write_end_fn(handle_t *handle, struct buffer_head *bh)
{
	if (!buffer_mapped(bh) || buffer_freed(bh))
		return 0;
	set_buffer_uptodate(bh);
	return ext4_journal_dirty_metadata(handle, bh);
}

static int __ext4_journalled_writepage(struct page *page,
				       struct writeback_control *wbc)
{
	struct address_space *mapping = page->mapping;
	struct inode *inode = mapping->host;
	struct buffer_head *page_bufs;
	handle_t *handle = NULL;
	int ret = 0;
	int err;

	ret = block_prepare_write(page, 0, PAGE_CACHE_SIZE, ext4_get_block);
	if (ret != 0)
		goto out_unlock;

	page_bufs = page_buffers(page);
	walk_page_buffers(handle, page_bufs, 0, PAGE_CACHE_SIZE, NULL,
								bget_one);
	/* As soon as we unlock the page, it can go away, but we have
	 * references to buffers so we are safe */
	unlock_page(page);

	handle = ext4_journal_start(inode, ext4_writepage_trans_blocks(inode));
	if (IS_ERR(handle)) {
		ret = PTR_ERR(handle);
		goto out;
	}

	ret = walk_page_buffers(handle, page_bufs, 0,
			PAGE_CACHE_SIZE, NULL, do_journal_get_write_access);

	err = walk_page_buffers(handle, page_bufs, 0,
				PAGE_CACHE_SIZE, NULL, write_end_fn);
	if (ret == 0)
		ret = err;
	err = ext4_journal_stop(handle);
	if (!ret)
		ret = err;

	walk_page_buffers(handle, page_bufs, 0,
				PAGE_CACHE_SIZE, NULL, bput_one);
	EXT4_I(inode)->i_state |= EXT4_STATE_JDATA;
	goto out;

out_unlock:
	unlock_page(page);
out:
	return ret;
}

static int ext4_journalled_writepage(struct page *page,
				struct writeback_control *wbc)
{
	struct inode *inode = page->mapping->host;
	loff_t size = i_size_read(inode);
	loff_t len;

	J_ASSERT(PageLocked(page));
	J_ASSERT(page_has_buffers(page));
	if (page->index == size >> PAGE_CACHE_SHIFT)
		len = size & ~PAGE_CACHE_MASK;
	else
		len = PAGE_CACHE_SIZE;
	BUG_ON(walk_page_buffers(NULL, page_buffers(page), 0, len, NULL,
				 ext4_bh_unmapped_or_delay));

	if (ext4_journal_current_handle())
		goto no_write;

	if (PageChecked(page)) {
		/*
		 * It's mmapped pagecache.  Add buffers and journal it.  There
		 * doesn't seem much point in redirtying the page here.
		 */
		ClearPageChecked(page);
		return __ext4_journalled_writepage(page, wbc);
	} else {
		/*
		 * It may be a page full of checkpoint-mode buffers.  We don't
		 * really know unless we go poke around in the buffer_heads.
		 * But block_write_full_page will do the right thing.
		 */
		return block_write_full_page(page, ext4_get_block, wbc);
	}
no_write:
	redirty_page_for_writepage(wbc, page);
	unlock_page(page);
	return 0;
}

static int ext4_journalled_set_page_dirty(struct page *page)
{
	SetPageChecked(page);
	return __set_page_dirty_nobuffers(page);
}

static const struct address_space_operations ext4_ordered_aops = {
	.readpage	= ext4_readpage,
	.writepage	= ext4_normal_writepage,
	.sync_page	= block_sync_page,
	.write_begin	= ext4_write_begin,
	.write_end	= ext4_ordered_write_end,
};

static const struct address_space_operations ext4_writeback_aops = {
	.readpage	= ext4_readpage,
	.writepage	= ext4_normal_writepage,
	.sync_page	= block_sync_page,
	.write_begin	= ext4_write_begin,
	.write_end	= ext4_ordered_write_end,
};

static const struct address_space_operations ext4_journalled_aops = {
	.readpage	= ext4_readpage,
	.writepage	= ext4_journalled_writepage,
	.sync_page	= block_sync_page,
	.write_begin	= ext4_write_begin,
	.write_end	= ext4_ordered_write_end,
	.set_page_dirty	= ext4_journalled_set_page_dirty,
};

static const struct address_space_operations ext4_da_aops = {
	.readpage	= ext4_readpage,
	.writepage	= ext4_da_writepage,
	.writepages	= ext4_da_writepages,
	.sync_page	= block_sync_page,
	.write_begin	= ext4_da_write_begin,
	.write_end	= ext4_ordered_write_end,
};

void ext4_set_aops(struct inode *inode)
{
	if (ext4_should_order_data(inode) &&
		test_opt(inode->i_sb, DELALLOC))
		inode->i_mapping->a_ops = &ext4_da_aops;
	else if (ext4_should_order_data(inode))
		inode->i_mapping->a_ops = &ext4_ordered_aops;
	else if (ext4_should_writeback_data(inode) &&
		 test_opt(inode->i_sb, DELALLOC))
		inode->i_mapping->a_ops = &ext4_da_aops;
	else if (ext4_should_writeback_data(inode))
		inode->i_mapping->a_ops = &ext4_writeback_aops;
	else
		inode->i_mapping->a_ops = &ext4_journalled_aops;
}

static int ext4_bh_unmapped(handle_t *handle, struct buffer_head *bh)
{
	return !buffer_mapped(bh);
}

/*
 * ->page_mkwrite: a write fault on a shared mapping of the file. The
 * holes of the page get their blocks (or delayed reservations) now,
 * through the mapping's own write_begin/write_end, so that writeback
 * never meets a dirty hole; write_begin hands back the page it locked.
 * i_alloc_sem keeps truncate away; a page truncated before we got it
 * is refused.
 */
int ext4_page_mkwrite(struct vm_area_struct *vma, struct page *page)
{
	struct file *file = vma->vm_file;
	struct inode *inode = file->f_path.dentry->d_inode;
	struct address_space *mapping = inode->i_mapping;
	loff_t size, pos = page_offset(page);
	unsigned long len = PAGE_CACHE_SIZE;
	struct page *wpage = NULL;
	void *fsdata;
	int ret;

	down_read(&inode->i_alloc_sem);
	size = i_size_read(inode);
	ret = -EINVAL;
	if (page->mapping != mapping || pos >= size || !PageUptodate(page))
		goto out;
	if ((size >> PAGE_CACHE_SHIFT) == page->index)
		len = size & ~PAGE_CACHE_MASK;
	ret = 0;
	/* Every buffer already has its block: nothing to allocate. */
	if (page_has_buffers(page) &&
	    !walk_page_buffers(NULL, page_buffers(page), 0, len, NULL,
			       ext4_bh_unmapped))
		goto out;
	ret = mapping->a_ops->write_begin(file, mapping, pos, len,
					  AOP_FLAG_UNINTERRUPTIBLE, &wpage, &fsdata);
	if (ret < 0)
		goto out;
	ret = mapping->a_ops->write_end(file, mapping, pos, len, len,
					wpage, fsdata);
	if (ret >= 0)
		ret = 0;
out:
	up_read(&inode->i_alloc_sem);
	return ret;
}

/*
 * Zero the tail of the block that holds the new end of file, under the
 * handle ext4_truncate() started, so no stale data shows up if the file
 * grows again.
 */
int ext4_block_truncate_page(handle_t *handle,
			     struct address_space *mapping, loff_t from)
{
	struct inode *inode = mapping->host;
	unsigned blocksize = inode->i_sb->s_blocksize;
	unsigned offset = from & (PAGE_CACHE_SIZE - 1);
	unsigned length = blocksize - (offset & (blocksize - 1));
	sector_t iblock = (from >> PAGE_CACHE_SHIFT) <<
			  (PAGE_CACHE_SHIFT - inode->i_blkbits);
	struct buffer_head *bh;
	struct page *page;
	unsigned pos;

	page = grab_cache_page(mapping, from >> PAGE_CACHE_SHIFT);
	if (!page)
		return -EINVAL;
	if (!page_has_buffers(page))
		create_empty_buffers(page, blocksize, 0);
	bh = page_buffers(page);
	for (pos = blocksize; offset >= pos; pos += blocksize) {
		bh = bh->b_this_page;
		iblock++;
	}
	if (!buffer_mapped(bh))
		ext4_get_block(inode, iblock, bh, 0);
	/* A hole stays a hole: nothing to zero on disk. */
	if (buffer_mapped(bh)) {
		zero_user(page, offset, length);
		mark_buffer_dirty(bh);
	}
	unlock_page(page);
	page_cache_release(page);
	return 0;
}

void ext4_truncate(struct inode *inode)
{
	handle_t *handle;

	if (!S_ISREG(inode->i_mode))
		return;
	handle = ext4_journal_start(inode, ext4_writepage_trans_blocks(inode) + 3);
	if (IS_ERR(handle))
		return;
	if (inode->i_size & (inode->i_sb->s_blocksize - 1))
		ext4_block_truncate_page(handle, inode->i_mapping, inode->i_size);
	/* The blocks past the new end are freed here (not part of this sample). */
	ext4_journal_stop(handle);
}
