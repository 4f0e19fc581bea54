/*
 * rp_os.h backend with no libc at all, for `make check-core`: it declares
 * the contract the kernel backends must meet and nothing else, so a core
 * file that needs more does not compile.
 */
#ifndef RP_OS_FREESTANDING_H
#define RP_OS_FREESTANDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *rp_alloc(size_t n);
void rp_free(void *p);
void rp_memcpy(void *d, const void *s, size_t n);
void rp_memset(void *d, int c, size_t n);

typedef struct {
	uint32_t opaque[10];
} rp_lock_t;

void rp_lock_init(rp_lock_t *l);
void rp_lock_lock(rp_lock_t *l);
void rp_lock_unlock(rp_lock_t *l);
void rp_lock_destroy(rp_lock_t *l);

#endif
