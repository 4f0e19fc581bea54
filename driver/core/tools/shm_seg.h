/*
 * The shared-memory backend's lifetime (docs/ring-format.md, "Lifetime"):
 * /dev/shm/ringpipe.<CANONICAL NAME>, made with O_TMPFILE and linkat, its
 * slots vouched for by OFD locks on bytes 0..127, byte 128 the lifetime
 * lock L taken around opening and closing.
 */
#ifndef SHM_SEG_H
#define SHM_SEG_H

#include "../rp_ring.h"

#include <stddef.h>
#include <sys/types.h>

#define SHM_DIR "/dev/shm"
#define SHM_PREFIX "ringpipe."
#define SHM_LOCK_L 128 /* the lifetime lock's byte */

/* Results beyond enum rp_status (the message in err says which). */
#define SHM_UNTRUSTED (RP_STATUS_COUNT + 1) /* a link, not a regular file, another owner */
#define SHM_NO_SPACE (RP_STATUS_COUNT + 2)  /* fallocate: ENOSPC */

#define SHM_NO_SLOT UINT32_MAX

struct shm_seg {
	char path[96];
	int fd;
	uint8_t *mem;
	size_t size;
	uint32_t slot; /* the slot byte this open file description locks */
	struct rp_env env;
	struct rp_ring ring;
	struct rp_handle h;
};

/*
 * Opens or creates the pipe and attaches this process with role
 * (RP_ROLE_* bits). capacity and mode apply when this call creates the
 * segment (mode 0: message); an existing segment of another mode is
 * refused unless mode is 0. perm: the new file's permissions. Returns
 * RP_OK, or an error (RP_*, SHM_*) with a message in err.
 */
int shm_open_pipe(struct shm_seg *s, const char *name, uint32_t capacity,
		  uint32_t mode, mode_t perm, uint32_t role, char *err,
		  size_t errlen);

/* Ends writing, detaches, unlocks the slot; unlinks if no slot is left. */
void shm_close_pipe(struct shm_seg *s);

/* Header statistics of an existing pipe, without attaching. */
int shm_stat_pipe(const char *name, struct rp_stats *st, char *err,
		  size_t errlen);

#endif
