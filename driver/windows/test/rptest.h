/* What rptest's scenario files share: the check counters and bound handles. */
#ifndef RPTEST_H
#define RPTEST_H

#include <stdio.h>

#include "rpclient.h"

extern int passed, failed;

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (cond) {                                                                \
			passed++;                                                          \
			printf("ok   ");                                                   \
		} else {                                                                   \
			failed++;                                                          \
			printf("FAIL ");                                                   \
		}                                                                          \
		printf(__VA_ARGS__);                                                       \
		printf("  [line %d]\n", __LINE__);                                         \
		fflush(stdout);                                                            \
	} while (0)

#define RW (RINGPIPE_BIND_CREATE | RINGPIPE_BIND_READ | RINGPIPE_BIND_WRITE)

/* A handle bound to name (0600), or INVALID_HANDLE_VALUE (the error printed). */
HANDLE open_bound(const char *name, uint32_t flags, uint32_t capacity, uint32_t mode,
		  struct ringpipe_bind_out *out);

/* rptest_kept.c: pipes kept past their last handle. */
void t_kept_write(void);
void t_kept_read(void);
void t_kept(void);
void t_kept_leave(void);

#endif
