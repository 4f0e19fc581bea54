// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: mmap of a bound file gives the ring segment of
 * docs/ring-format.md (header page, then the data area), so a client reads
 * and writes messages without a system call each. The mapping holds a
 * reference to the file, so the ring outlives it: the slot of the file that
 * mapped it stays live until the mapping goes too.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "rp_dev.h"

int rp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rp_pipe *p = rp_file_pipe(file->private_data);
	unsigned long len = vma->vm_end - vma->vm_start;

	if (!p)
		return -EBADFD;
	/* A private copy would be a ring nobody else sees. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff || len > PAGE_ALIGN(p->mem_size))
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return remap_vmalloc_range(vma, p->mem, 0);
}
