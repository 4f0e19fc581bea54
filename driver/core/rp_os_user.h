/* User-space backend of rp_os.h: libc allocation and pthread mutexes. */
#ifndef RP_OS_USER_H
#define RP_OS_USER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void *rp_alloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

static inline void rp_free(void *p)
{
	free(p);
}

static inline void rp_memcpy(void *d, const void *s, size_t n)
{
	memcpy(d, s, n);
}

static inline void rp_memset(void *d, int c, size_t n)
{
	memset(d, c, n);
}

typedef pthread_mutex_t rp_lock_t;

static inline void rp_lock_init(rp_lock_t *l)
{
	pthread_mutex_init(l, NULL);
}

static inline void rp_lock_lock(rp_lock_t *l)
{
	pthread_mutex_lock(l);
}

static inline void rp_lock_unlock(rp_lock_t *l)
{
	pthread_mutex_unlock(l);
}

static inline void rp_lock_destroy(rp_lock_t *l)
{
	pthread_mutex_destroy(l);
}

#endif
