/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringpipe: the kernel API differences between the kernels the module is
 * built for (Debian 12's 6.1 up to trixie-backports' 7.x), in one place.
 *
 *  - vma->vm_flags is read-only from 6.3 on: vm_flags_set() and
 *    vm_flags_clear() take the mmap lock assertions with them.
 *  - no_llseek is gone from 6.12 on. Nothing stands in for it: the file
 *    operations leave .llseek unset and rp_open() calls stream_open(),
 *    which clears FMODE_LSEEK, so lseek() fails with ESPIPE on every
 *    version (6.1 defines no_llseek as NULL anyway).
 */
#ifndef RP_COMPAT_H
#define RP_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
static inline void rp_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void rp_vm_flags_clear(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#else
static inline void rp_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void rp_vm_flags_clear(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#endif

#endif
