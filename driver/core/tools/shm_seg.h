/*
 * The shared-memory backend's lifetime (docs/ring-format.md, "Lifetime"):
 * /dev/shm/ringpipe.<CANONICAL NAME>, opened and closed under flock.
 */
#ifndef SHM_SEG_H
#define SHM_SEG_H

#include "../rp_ring.h"

#include <stddef.h>
#include <sys/types.h>

#define SHM_DIR "/dev/shm"
#define SHM_PREFIX "ringpipe."

struct shm_seg {
	char path[96];
	int fd;
	uint8_t *mem;
	size_t size;
	struct rp_env env;
	struct rp_ring ring;
	struct rp_handle h;
};

/*
 * Opens or creates the pipe and attaches this process with role
 * (RP_ROLE_* bits). capacity and mode apply when this call (re)initialises
 * the segment. Returns RP_OK, or an error with a message in err.
 */
int shm_open_pipe(struct shm_seg *s, const char *name, uint32_t capacity,
		  uint32_t mode, mode_t perm, uint32_t role, char *err,
		  size_t errlen);

/* Ends writing, detaches, reclaims dead slots, unlinks if none is left. */
void shm_close_pipe(struct shm_seg *s);

/* Header statistics of an existing pipe, without attaching. */
int shm_stat_pipe(const char *name, struct rp_stats *st, char *err,
		  size_t errlen);

#endif
