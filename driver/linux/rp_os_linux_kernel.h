/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux kernel backend of driver/core/rp_os.h: kzalloc, mutexes, memcpy.
 * The core's 32-bit atomics are gcc's __atomic builtins, which compile to
 * the same locked instructions as the kernel's own atomics on x86.
 */
#ifndef RP_OS_LINUX_KERNEL_H
#define RP_OS_LINUX_KERNEL_H

#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>

/* Pipes are made on user space's request: charged to its memory cgroup. */
static inline void *rp_alloc(size_t n)
{
	return kzalloc(n ? n : 1, GFP_KERNEL_ACCOUNT);
}

static inline void rp_free(void *p)
{
	kfree(p);
}

static inline void rp_memcpy(void *d, const void *s, size_t n)
{
	memcpy(d, s, n);
}

static inline void rp_memset(void *d, int c, size_t n)
{
	memset(d, c, n);
}

/* The core's shim contract names its lock type rp_lock_t. */
typedef struct mutex rp_lock_t;

static inline void rp_lock_init(rp_lock_t *l)
{
	mutex_init(l);
}

static inline void rp_lock_lock(rp_lock_t *l)
{
	mutex_lock(l);
}

static inline void rp_lock_unlock(rp_lock_t *l)
{
	mutex_unlock(l);
}

static inline void rp_lock_destroy(rp_lock_t *l)
{
	mutex_destroy(l);
}

#endif
