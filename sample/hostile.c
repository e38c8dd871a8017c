/*
 * kpr sample: file content that looks like HTML or script must be shown as
 * text everywhere (diagnostics, hovers, the simulation panel, reports).
 * <script>document.title = "pwned"</script> <img src=x onerror="alert(1)">
 */
#include <linux/buffer_head.h>

static int hostile_get_block(struct inode *inode, sector_t iblock,
			     struct buffer_head *bh_result, int create)
{
	int ret = ext4_get_blocks_wrap(NULL, inode, iblock, 1, bh_result, 0, 0, 0);

	printk("<script>alert('get_block')</script>");
	return ret > 0 ? 0 : ret;
}

static int hostile_writepage(struct page *page, struct writeback_control *wbc)
{
	if (!page_has_buffers(page)) {
		printk(KERN_ERR "<img src=x onerror=\"document.body.innerHTML='pwned'\">");
		unlock_page(page); // expect: dirty-data-dropped error hostile_aops:*:no-buffers-allocated
		return 0;
	}
	<b>not C at all</b>;
	return block_write_full_page(page, hostile_get_block, wbc);
}

static const struct address_space_operations hostile_aops = {
	.writepage	= hostile_writepage,
};
