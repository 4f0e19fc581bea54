#include "shm_seg.h"
#include "../rp_name.h"
#include "rp_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OPEN_TRIES 16   /* a path that keeps changing under us: BUSY */
#define LOCK_L_TRIES 50 /* 1 ms apart */

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

static int fail(char *err, size_t errlen, int rc, const char *what,
		const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return rc;
}

static int ofd_lock(int fd, short type, off_t start, off_t len, int cmd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	return fcntl(fd, cmd, &fl);
}

/* Whether another open file description locks a byte of [start, start + len). */
static bool locked_by_others(int fd, off_t start, off_t len)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	if (fcntl(fd, F_OFD_GETLK, &fl) != 0)
		return true; /* cannot tell: treat as in use */
	return fl.l_type != F_UNLCK;
}

/* rp_env.alive: this description's own lock does not show to itself. */
static bool slot_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	const struct shm_seg *s = ctx;

	(void)pid;
	return slot == s->slot || locked_by_others(s->fd, slot, 1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static bool take_l(int fd)
{
	int i;

	for (i = 0; i < LOCK_L_TRIES; i++) {
		if (ofd_lock(fd, F_WRLCK, SHM_LOCK_L, 1, F_OFD_SETLK) == 0)
			return true;
		sleep_ms(1);
	}
	return false;
}

static void release_l(int fd)
{
	ofd_lock(fd, F_UNLCK, SHM_LOCK_L, 1, F_OFD_SETLK);
}

/* Whether the path still names the file open on fd. */
static bool still_linked(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static int map(struct shm_seg *s, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);

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

static void bell_paths(struct shm_seg *s, ino_t ino)
{
	static const char *const word[2] = { "data", "space" };
	char path[sizeof(s->bell_path[0])];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s.%llu.%s.bell", s->path,
			 (unsigned long long)ino, word[i]);
		memcpy(s->bell_path[i], path, sizeof(path));
	}
}

static void close_bells(struct shm_seg *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (s->bell[i] >= 0)
			close(s->bell[i]);
		s->bell[i] = -1;
	}
}

static void unlink_bells(struct shm_seg *s)
{
	unlink(s->bell_path[SHM_BELL_DATA]);
	unlink(s->bell_path[SHM_BELL_SPACE]);
}

/* Opens a bell if it is a FIFO of owner (or root); else -1. */
static int open_bell(const char *path, uid_t owner)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode) ||
	    (st.st_uid != owner && st.st_uid != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Both bells or none. perm: make them first (a name left by an earlier file of this inode is ours too). */
static void open_bells(struct shm_seg *s, uid_t owner, bool make, mode_t perm)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (make && mkfifo(s->bell_path[i], 0600) != 0 && errno != EEXIST)
			break;
		s->bell[i] = open_bell(s->bell_path[i], owner);
		if (s->bell[i] < 0 || (make && fchmod(s->bell[i], perm) != 0))
			break;
	}
	if (i < 2)
		close_bells(s);
}

static void drop(struct shm_seg *s)
{
	close_bells(s);
	unmap(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->slot = SHM_NO_SLOT;
}

static void attach(struct shm_seg *s, uint32_t slot, uint32_t role)
{
	s->slot = slot;
	rp_ring_attach(&s->ring, slot, (uint32_t)getpid(), &s->h);
	if (role & RP_ROLE_WRITER)
		rp_ring_set_writer(&s->h);
	if (role & RP_ROLE_READER)
		rp_ring_set_reader(&s->h);
}

static void detach(struct shm_seg *s)
{
	unsigned wake = 0;

	rp_ring_detach(&s->h, &wake);
	rp_wait_wake(&s->ring, wake, s->bell);
	ofd_lock(s->fd, F_UNLCK, s->slot, 1, F_OFD_SETLK);
	s->slot = SHM_NO_SLOT;
}

/*
 * A new segment, published whole by linkat. RP_EEXIST: someone linked one
 * first, open theirs.
 */
static int create(struct shm_seg *s, uint32_t capacity, uint32_t mode,
		  mode_t perm, uint32_t role, char *err, size_t errlen)
{
	size_t size = rp_ring_segment_size(capacity);
	struct stat st;
	char proc[40];
	int rc;

	s->fd = open(SHM_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return fail(err, errlen, RP_INVAL, "create in", SHM_DIR);
	if (fchmod(s->fd, perm) != 0) {
		rc = fail(err, errlen, RP_INVAL, "chmod", s->path);
		goto out;
	}
	rc = posix_fallocate(s->fd, 0, (off_t)size);
	if (rc != 0) {
		errno = rc;
		rc = fail(err, errlen, rc == ENOSPC ? SHM_NO_SPACE : RP_INVAL,
			  "allocate", s->path);
		goto out;
	}
	if (map(s, size) != 0) {
		rc = fail(err, errlen, RP_INVAL, "map", s->path);
		goto out;
	}
	rc = rp_ring_init(&s->ring, s->mem, size, capacity,
			  mode ? mode : RP_MODE_MESSAGE, &s->env);
	if (rc != RP_OK || ofd_lock(s->fd, F_WRLCK, 0, 1, F_OFD_SETLK) != 0) {
		rc = fail(err, errlen, rc != RP_OK ? rc : RP_INVAL, "lock slot 0 of", s->path);
		goto out;
	}
	attach(s, 0, role);
	if (fstat(s->fd, &st) == 0) {
		bell_paths(s, st.st_ino);
		open_bells(s, geteuid(), true, perm);
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, s->path, AT_SYMLINK_FOLLOW) == 0)
		return RP_OK;
	rc = errno == EEXIST ? RP_EEXIST : fail(err, errlen, RP_INVAL, "link", s->path);
	if (s->bell_path[0][0] != '\0')
		unlink_bells(s);
out:
	drop(s);
	return rc;
}

/* The lowest slot byte this description can lock. */
static int lock_slot(struct shm_seg *s, uint32_t *slot)
{
	uint32_t i;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		if (ofd_lock(s->fd, F_WRLCK, i, 1, F_OFD_SETLK) == 0) {
			*slot = i;
			return RP_OK;
		}
	}
	return RP_NOSLOT;
}

/* With L held, on a file some live handle uses: check it, map it, attach. */
static int join(struct shm_seg *s, const struct stat *st, uint32_t mode,
		uint32_t role, char *err, size_t errlen)
{
	uint32_t slot, capacity, ring_mode;
	int rc;

	if ((size_t)st->st_size < RP_HEADER_SIZE) {
		snprintf(err, errlen, "%s: too short for a ring", s->path);
		return RP_CORRUPT;
	}
	if (map(s, RP_HEADER_SIZE) != 0)
		return fail(err, errlen, RP_INVAL, "map", s->path);
	rc = rp_ring_check_header(s->mem, &capacity, &ring_mode);
	unmap(s);
	if (rc != RP_OK) {
		snprintf(err, errlen, "%s: not a version %u ring", s->path, RP_VERSION);
		return RP_CORRUPT;
	}
	if ((size_t)st->st_size != rp_ring_segment_size(capacity) ||
	    (uint64_t)st->st_blocks * 512u < (uint64_t)st->st_size) {
		snprintf(err, errlen, "%s: size %lld, %lld bytes allocated, not %zu", s->path,
			 (long long)st->st_size, (long long)st->st_blocks * 512,
			 rp_ring_segment_size(capacity));
		return RP_CORRUPT;
	}
	if (map(s, (size_t)st->st_size) != 0)
		return fail(err, errlen, RP_INVAL, "map", s->path);
	rc = rp_ring_validate(&s->ring, s->mem, s->size, &s->env);
	if (rc != RP_OK) {
		snprintf(err, errlen, "%s: changed while opened", s->path);
		return RP_CORRUPT;
	}
	if (mode != 0 && s->ring.mode != mode) {
		snprintf(err, errlen, "%s: a %s pipe", s->path,
			 s->ring.mode == RP_MODE_BYTE ? "byte" : "message");
		return RP_INVAL;
	}
	rc = lock_slot(s, &slot);
	if (rc != RP_OK) {
		snprintf(err, errlen, "%s: all %u slots are taken", s->path, RP_SLOT_COUNT);
		return rc;
	}
	attach(s, slot, role);
	return RP_OK;
}

/*
 * One attempt on the file at the path. RP_ENOENT: there is none (any more),
 * create one; RP_EEXIST: look again.
 */
static int open_existing(struct shm_seg *s, uint32_t mode, uint32_t role,
			 char *err, size_t errlen)
{
	struct stat st;
	int rc;

	s->fd = open(s->path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		if (errno == ENOENT)
			return RP_ENOENT;
		if (errno == EACCES)
			return fail(err, errlen, RP_EACCES, "open", s->path);
		if (errno == ELOOP || errno == EISDIR || errno == ENXIO) {
			snprintf(err, errlen, "%s: untrusted (a link, a directory or a socket)", s->path);
			return SHM_UNTRUSTED;
		}
		return fail(err, errlen, RP_INVAL, "open", s->path);
	}
	if (fstat(s->fd, &st) != 0) {
		rc = fail(err, errlen, RP_INVAL, "stat", s->path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != geteuid() && st.st_uid != 0)) {
		snprintf(err, errlen, "%s: untrusted (%s, owner %u)", s->path,
			 S_ISREG(st.st_mode) ? "regular file" : "not a regular file",
			 (unsigned)st.st_uid);
		rc = SHM_UNTRUSTED;
		goto out;
	}
	if (!take_l(s->fd)) {
		snprintf(err, errlen, "%s: its lifetime lock stays held", s->path);
		rc = RP_BUSY;
		goto out;
	}
	bell_paths(s, st.st_ino);
	if (!locked_by_others(s->fd, 0, RP_SLOT_COUNT)) {
		/* Left over by processes that died: only holders of L unlink. */
		if (still_linked(s->fd, s->path)) {
			unlink(s->path);
			unlink_bells(s);
		}
		release_l(s->fd);
		drop(s);
		return RP_EEXIST;
	}
	rc = join(s, &st, mode, role, err, errlen);
	if (rc == RP_OK)
		open_bells(s, st.st_uid, false, 0);
	if (rc == RP_OK && !still_linked(s->fd, s->path)) {
		detach(s);
		rc = RP_EEXIST;
	}
	release_l(s->fd);
out:
	if (rc != RP_OK)
		drop(s);
	return rc;
}

int shm_open_pipe(struct shm_seg *s, const char *name, uint32_t capacity,
		  uint32_t mode, mode_t perm, uint32_t role, char *err,
		  size_t errlen)
{
	int rc, tries;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->bell[0] = s->bell[1] = -1;
	s->slot = SHM_NO_SLOT;
	s->env.alive = slot_alive;
	s->env.ctx = s;
	rc = shm_path(s->path, sizeof(s->path), name, err, errlen);
	if (rc != RP_OK)
		return rc;
	if (!rp_ring_capacity_ok(capacity)) {
		snprintf(err, errlen, "bad capacity %u", capacity);
		return RP_INVAL;
	}
	for (tries = 0; tries < OPEN_TRIES; tries++) {
		rc = open_existing(s, mode, role, err, errlen);
		if (rc == RP_ENOENT)
			rc = create(s, capacity, mode, perm, role, err, errlen);
		if (rc != RP_EEXIST)
			return rc;
	}
	snprintf(err, errlen, "%s: keeps changing", s->path);
	return RP_BUSY;
}

void shm_close_pipe(struct shm_seg *s)
{
	detach(s);
	if (take_l(s->fd)) {
		if (!locked_by_others(s->fd, 0, RP_SLOT_COUNT) &&
		    still_linked(s->fd, s->path)) {
			unlink(s->path);
			unlink_bells(s);
		}
		release_l(s->fd);
	}
	drop(s);
}

int shm_stat_pipe(const char *name, struct rp_stats *st, char *err,
		  size_t errlen)
{
	struct shm_seg s;
	struct stat fs;
	void *p;
	int rc;

	memset(&s, 0, sizeof(s));
	s.bell[0] = s.bell[1] = -1;
	s.slot = SHM_NO_SLOT;
	s.env.alive = slot_alive;
	s.env.ctx = &s;
	rc = shm_path(s.path, sizeof(s.path), name, err, errlen);
	if (rc != RP_OK)
		return rc;
	s.fd = open(s.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (s.fd < 0) {
		rc = errno == ENOENT ? RP_ENOENT : RP_INVAL;
		return fail(err, errlen, rc, "open", s.path);
	}
	rc = RP_CORRUPT;
	if (fstat(s.fd, &fs) != 0 || !S_ISREG(fs.st_mode) ||
	    (size_t)fs.st_size < rp_ring_segment_size(RP_CAP_MIN)) {
		snprintf(err, errlen, "%s: not a ring", s.path);
	} else if ((p = mmap(NULL, (size_t)fs.st_size, PROT_READ, MAP_SHARED, s.fd, 0)) ==
		   MAP_FAILED) {
		rc = fail(err, errlen, RP_INVAL, "map", s.path);
	} else {
		s.mem = p;
		s.size = (size_t)fs.st_size;
		rc = rp_ring_validate(&s.ring, s.mem, s.size, &s.env);
		if (rc != RP_OK)
			snprintf(err, errlen, "%s: not a valid ring (%s)", s.path,
				 rp_status_name(rc));
		else
			rc = rp_ring_stats(&s.ring, st);
	}
	drop(&s);
	return rc;
}
