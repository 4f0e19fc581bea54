/*
 * Operating-system shim for the ringpipe core: the contract only.
 *
 * The core (rp_name, rp_ring, rp_registry) includes nothing but this header,
 * and this header includes exactly one backend, named by the build:
 *
 *   -DRP_OS_HEADER='"file.h"'
 *
 * Each backend lives with the code that uses it and is found through that
 * build's include path: driver/linux/rp_os_linux_kernel.h (Kbuild),
 * driver/windows/rp_os_windows_kernel.h (driver/windows/Makefile),
 * rp_os_user.h (the core's tests and tools, the C test clients),
 * tests/rp_os_freestanding.h (make check-core).
 *
 * A backend must provide:
 *
 *   types     uint8_t uint16_t uint32_t uint64_t uintptr_t size_t bool
 *             true false NULL
 *   memory    void *rp_alloc(size_t n)      zeroed, may sleep, NULL on failure
 *             void  rp_free(void *p)        accepts NULL
 *             void  rp_memcpy(void *d, const void *s, size_t n)
 *             void  rp_memset(void *d, int c, size_t n)
 *   lock      rp_lock_t                     a sleeping mutual-exclusion lock
 *             void rp_lock_init(rp_lock_t *l)
 *             void rp_lock_lock(rp_lock_t *l)
 *             void rp_lock_unlock(rp_lock_t *l)
 *             void rp_lock_destroy(rp_lock_t *l)
 *
 * The atomics below are the same in every target: gcc (kbuild, mingw-w64
 * for the Windows driver, user space) and clang provide the __atomic
 * builtins. Every access to a shared header word goes through them; the
 * 64-bit ones serve tail64 and the cursor words, 8-aligned on 64-bit targets.
 */
#ifndef RP_OS_H
#define RP_OS_H

#ifndef RP_OS_HEADER
#error "the build must name the OS backend: -DRP_OS_HEADER='\"file.h\"'"
#endif
#include RP_OS_HEADER

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ring format is little-endian and the core accesses it natively"
#endif

#define rp_load32(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define rp_store32(p, v) __atomic_store_n((p), (uint32_t)(v), __ATOMIC_SEQ_CST)
/* Returns true on success; on failure *(expp) receives the current value. */
#define rp_cas32(p, expp, v)                                                   \
	__atomic_compare_exchange_n((p), (expp), (uint32_t)(v), 0,             \
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define rp_load64(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define rp_store64(p, v) __atomic_store_n((p), (uint64_t)(v), __ATOMIC_SEQ_CST)
#define rp_fetch_add32(p, v) __atomic_fetch_add((p), (uint32_t)(v), __ATOMIC_SEQ_CST)
#define rp_fetch_sub32(p, v) __atomic_fetch_sub((p), (uint32_t)(v), __ATOMIC_SEQ_CST)
#define rp_fetch_or32(p, v) __atomic_fetch_or((p), (uint32_t)(v), __ATOMIC_SEQ_CST)
#define rp_fetch_and32(p, v) __atomic_fetch_and((p), (uint32_t)(v), __ATOMIC_SEQ_CST)

#endif
