// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: mmap of a bound file gives the ring segment of
 * docs/ring-format.md (header page, then the data area), so a client reads
 * and writes messages without a system call each. The mapping holds a
 * reference to the file, so the ring outlives it: the slot of the file that
 * mapped it stays live until the mapping goes too, and the ring stays
 * charged to its owner (rp_limits.c) as long.
 *
 * The ring is __vmalloc()ed with __GFP_ACCOUNT (charged to the creator's
 * memory cgroup), which vmalloc_user() cannot do, so remap_vmalloc_range()
 * (which wants VM_USERMAP) is not used: each page goes in with
 * vm_insert_page(), as remap_vmalloc_range() itself does.
 *
 * VM_IO keeps the slow path of get_user_pages() off the mapping (long-term
 * pins: io_uring fixed buffers, O_DIRECT; process_vm_readv()). Its fast
 * path is the kernel's: vmsplice() of a ring page is refused on 6.12 but
 * pins it on 6.1 and 7.3, until that pipe buffer is consumed; such pins are
 * bounded by the splicing user's pipe buffers (fs.pipe-user-pages-soft),
 * not by max_user_bytes, and stay charged to the creator's memory cgroup.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "rp_compat.h"
#include "rp_dev.h"

int rp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rp_pipe *p = rp_file_pipe(file->private_data);
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long off;
	int ret;

	if (!p)
		return -EBADFD;
	/* A private copy would be a ring nobody else sees. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff || len > PAGE_ALIGN(p->mem_size))
		return -EINVAL;
	/* Data, never code: no PROT_EXEC now, nor by mprotect() later. */
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	rp_vm_flags_clear(vma, VM_MAYEXEC);
	/*
	 * No mremap() growth past the ring, no ring in core dumps, and no
	 * slow-path get_user_pages() on it (VM_IO, see above).
	 */
	rp_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_IO);
	for (off = 0; off < len; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page((u8 *)p->mem + off));
		if (ret)
			return ret;
	}
	return 0;
}
