/*
 * Windows kernel backend of driver/core/rp_os.h (WDM), named by the
 * driver's build with -DRP_OS_HEADER='"rp_os_windows_kernel.h"'.
 *
 * Allocation goes through the driver's pool allocator (pool.c: one tag, a
 * live count that the tests read back). The lock is a KMUTEX: it keeps the
 * holder at PASSIVE_LEVEL, where the liveness callbacks that
 * rp_registry_list runs under it may call Zw* routines (a FAST_MUTEX would
 * raise to APC_LEVEL).
 */
#ifndef RP_OS_WINDOWS_KERNEL_H
#define RP_OS_WINDOWS_KERNEL_H

#include <ntifs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* pool.c: zeroed nonpaged pool, counted. */
void *RpPoolAlloc(size_t n);
void RpPoolFree(void *p);
LONG RpPoolOutstanding(VOID);

static inline void *rp_alloc(size_t n)
{
	return RpPoolAlloc(n);
}

static inline void rp_free(void *p)
{
	RpPoolFree(p);
}

static inline void rp_memcpy(void *d, const void *s, size_t n)
{
	RtlCopyMemory(d, s, n);
}

static inline void rp_memset(void *d, int c, size_t n)
{
	RtlFillMemory(d, n, (UCHAR)c);
}

typedef KMUTEX rp_lock_t;

static inline void rp_lock_init(rp_lock_t *l)
{
	KeInitializeMutex(l, 0);
}

static inline void rp_lock_lock(rp_lock_t *l)
{
	KeWaitForSingleObject(l, Executive, KernelMode, FALSE, NULL);
}

static inline void rp_lock_unlock(rp_lock_t *l)
{
	KeReleaseMutex(l, FALSE);
}

static inline void rp_lock_destroy(rp_lock_t *l)
{
	(void)l; /* a KMUTEX owns no resources */
}

#endif
