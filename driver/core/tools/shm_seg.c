#include "shm_seg.h"
#include "../rp_name.h"
#include "proc_alive.h"
#include "rp_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPEN_TRIES 100

static int shm_path(char *path, size_t n, const char *name, char *err,
		    size_t errlen)
{
	char canon[RP_NAME_MAX + 1];
	enum rp_name_result r = rp_name_canon(name, strlen(name), canon);

	if (r != RP_NAME_OK) {
		snprintf(err, errlen, "bad name \"%s\": %s", name, rp_name_result_name(r));
		return RP_BADNAME;
	}
	snprintf(path, n, "%s/%s%s", SHM_DIR, SHM_PREFIX, canon);
	return RP_OK;
}

static int fail_errno(char *err, size_t errlen, const char *what,
		      const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return RP_INVAL;
}

/* Whether the locked fd is still the file at path (no closer unlinked it). */
static bool still_linked(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static int map(struct shm_seg *s, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, s->fd, 0);

	if (p == MAP_FAILED)
		return -1;
	s->mem = p;
	s->size = size;
	return 0;
}

static void unmap(struct shm_seg *s)
{
	if (s->mem != NULL)
		munmap(s->mem, s->size);
	s->mem = NULL;
}

/* Slots of live processes, read from a mapping of at least a header page. */
static uint32_t live_slots(struct shm_seg *s)
{
	struct rp_ring probe = { s->mem, RP_CAP_MIN, RP_MODE_MESSAGE, &s->env };

	return rp_ring_live_slots(&probe);
}

static int init_segment(struct shm_seg *s, uint32_t capacity, uint32_t mode,
			char *err, size_t errlen)
{
	size_t size = rp_ring_segment_size(capacity);

	unmap(s);
	if (ftruncate(s->fd, (off_t)size) != 0 || map(s, size, PROT_READ | PROT_WRITE) != 0)
		return fail_errno(err, errlen, "initialise", s->path);
	return rp_ring_init(&s->ring, s->mem, size, capacity, mode, &s->env);
}

/* With the file locked: initialise it, or validate it and reclaim. */
static int prepare(struct shm_seg *s, uint32_t capacity, uint32_t mode,
		   char *err, size_t errlen)
{
	struct stat st;
	unsigned wake = 0;
	int rc;

	if (fstat(s->fd, &st) != 0)
		return fail_errno(err, errlen, "stat", s->path);
	if ((size_t)st.st_size < rp_ring_segment_size(RP_CAP_MIN))
		return init_segment(s, capacity, mode, err, errlen);
	if (map(s, (size_t)st.st_size, PROT_READ | PROT_WRITE) != 0)
		return fail_errno(err, errlen, "map", s->path);
	if (live_slots(s) == 0)
		return init_segment(s, capacity, mode, err, errlen);
	rc = rp_ring_validate(&s->ring, s->mem, s->size, &s->env);
	if (rc != RP_OK) {
		snprintf(err, errlen, "%s: in use but not a valid ring (%s)", s->path,
			 rp_status_name(rc));
		return rc;
	}
	rp_ring_reclaim(&s->ring, &wake);
	rp_wait_wake(&s->ring, wake);
	return RP_OK;
}

static int open_locked(struct shm_seg *s, mode_t perm, char *err, size_t errlen)
{
	int tries;

	for (tries = 0; tries < OPEN_TRIES; tries++) {
		s->fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, perm);
		if (s->fd < 0)
			return fail_errno(err, errlen, "open", s->path);
		if (flock(s->fd, LOCK_EX) != 0) {
			close(s->fd);
			return fail_errno(err, errlen, "lock", s->path);
		}
		if (still_linked(s->fd, s->path))
			return RP_OK;
		close(s->fd);
	}
	snprintf(err, errlen, "%s: keeps being unlinked", s->path);
	return RP_BUSY;
}

int shm_open_pipe(struct shm_seg *s, const char *name, uint32_t capacity,
		  uint32_t mode, mode_t perm, uint32_t role, char *err,
		  size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->env.alive = proc_alive;
	rc = shm_path(s->path, sizeof(s->path), name, err, errlen);
	if (rc != RP_OK)
		return rc;
	if (!rp_ring_capacity_ok(capacity)) {
		snprintf(err, errlen, "bad capacity %u", capacity);
		return RP_INVAL;
	}
	rc = open_locked(s, perm, err, errlen);
	if (rc != RP_OK)
		return rc;
	rc = prepare(s, capacity, mode, err, errlen);
	if (rc == RP_OK) {
		rc = rp_ring_attach(&s->ring, (uint32_t)getpid(), &s->h);
		if (rc != RP_OK)
			snprintf(err, errlen, "%s: attach: %s", s->path, rp_status_name(rc));
	}
	if (rc != RP_OK)
		goto unmap_close;
	if (role & RP_ROLE_WRITER)
		rp_ring_set_writer(&s->h);
	if (role & RP_ROLE_READER)
		rp_ring_set_reader(&s->h);
	flock(s->fd, LOCK_UN);
	return RP_OK;

unmap_close:
	unmap(s);
	close(s->fd);
	s->fd = -1;
	return rc;
}

void shm_close_pipe(struct shm_seg *s)
{
	struct rp_stats st;
	unsigned wake = 0;

	flock(s->fd, LOCK_EX);
	rp_ring_detach(&s->h, &wake);
	rp_ring_reclaim(&s->ring, &wake);
	rp_wait_wake(&s->ring, wake);
	rp_ring_stats(&s->ring, &st);
	if (st.attached == 0)
		unlink(s->path);
	flock(s->fd, LOCK_UN);
	unmap(s);
	close(s->fd);
	s->fd = -1;
}

int shm_stat_pipe(const char *name, struct rp_stats *st, char *err,
		  size_t errlen)
{
	struct shm_seg s;
	struct stat fs;
	int rc;

	memset(&s, 0, sizeof(s));
	s.env.alive = proc_alive;
	rc = shm_path(s.path, sizeof(s.path), name, err, errlen);
	if (rc != RP_OK)
		return rc;
	s.fd = open(s.path, O_RDONLY | O_CLOEXEC);
	if (s.fd < 0) {
		fail_errno(err, errlen, "open", s.path);
		return errno == ENOENT ? RP_ENOENT : RP_INVAL;
	}
	flock(s.fd, LOCK_SH);
	rc = RP_CORRUPT;
	if (fstat(s.fd, &fs) != 0 || map(&s, (size_t)fs.st_size, PROT_READ) != 0)
		rc = fail_errno(err, errlen, "map", s.path);
	else if ((rc = rp_ring_validate(&s.ring, s.mem, s.size, &s.env)) != RP_OK)
		snprintf(err, errlen, "%s: not a valid ring (%s)", s.path, rp_status_name(rc));
	else
		rc = rp_ring_stats(&s.ring, st);
	unmap(&s);
	close(s.fd);
	return rc;
}
