/*
 * The shared-memory backend's lifetime (docs/ring-format.md, "Lifetime"):
 * /dev/shm/ringpipe.<CANONICAL NAME>, made with O_TMPFILE and linkat, its
 * slots vouched for by OFD locks on bytes 0..127 of its lock file
 * /dev/shm/ringpipe.<CANONICAL NAME>.<inode>.lock (which only those the
 * pipe lets write may open), byte 128 the lifetime lock L taken around
 * opening and closing. The last closer keeps a file with
 * something unread (stamping kept_since_ms); the next opener adopts it,
 * unless it outlived its ttl_ms. Beside it, the pipe's bells
 * /dev/shm/ringpipe.<CANONICAL NAME>.<inode>.{data,space}.bell, FIFOs rung
 * for sleepers that wait on them (docs/ring-format.md, "Bells").
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
#define SHM_BELL_DATA 0
#define SHM_BELL_SPACE 1

struct shm_seg {
	char path[96];
	char bell_path[2][128]; /* SHM_BELL_DATA, SHM_BELL_SPACE */
	char lock_path[128];
	int fd;
	int lock_fd; /* the lock file; -1 in a stat by a user who may only read (slots judged by PID) */
	int bell[2]; /* the bells' descriptors, or -1 when the pipe has not both as they must be */
	uint8_t *mem;
	size_t size;
	uint32_t slot; /* the slot byte this open file description locks */
	uint64_t ttl_ms; /* a segment this call creates: its time to live once kept */
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
		  uint32_t mode, mode_t perm, uint64_t ttl_ms, uint32_t role,
		  char *err, size_t errlen);

/*
 * Ends writing, detaches, unlocks the slot; the last handle keeps the file
 * if something is unread, else unlinks it.
 */
void shm_close_pipe(struct shm_seg *s);

struct shm_life {
	unsigned kept; /* no live slot: kept for its unread messages */
	struct rp_unread unread;
	uint64_t ttl_ms, kept_since_ms;
};

/*
 * Header statistics of an open or kept pipe, without attaching, from a copy
 * read with pread (a peer that truncates the file cannot raise SIGBUS).
 * RP_ENOENT: no file, or one no handle has with nothing unread.
 */
int shm_stat_pipe(const char *name, struct rp_stats *st, struct shm_life *life,
		  char *err, size_t errlen);

#endif
