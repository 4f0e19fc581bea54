#include "shm_seg.h"
#include "../rp_name.h"
#include "rp_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
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

/*
 * rp_env.alive: this description's own lock does not show to itself. Without
 * the lock file (a stat by a user who may only read), a process with the PID.
 */
static bool slot_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	const struct shm_seg *s = ctx;

	if (s->lock_fd < 0)
		return pid != 0 && pid <= INT32_MAX && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
	return slot == s->slot || locked_by_others(s->lock_fd, slot, 1);
}

/* The lock file's mode: read and write for each class the pipe lets write. */
static mode_t lock_mode(mode_t perm)
{
	return 0600 | (perm & 020 ? 060 : 0) | (perm & 002 ? 006 : 0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A u64 header field (lo, hi): written under L, or before anyone sees the file. */
static uint64_t load64(const uint8_t *mem, uint32_t off)
{
	uint32_t lo, hi;

	memcpy(&lo, mem + off, 4);
	memcpy(&hi, mem + off + 4, 4);
	return (uint64_t)hi << 32 | lo;
}

static void store64(uint8_t *mem, uint32_t off, uint64_t v)
{
	uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);

	memcpy(mem + off, &lo, 4);
	memcpy(mem + off + 4, &hi, 4);
}

/* A kept pipe (kept_since != 0) past its time to live (ttl 0: none). */
static bool kept_past_ttl(uint64_t ttl, uint64_t kept_since, uint64_t now)
{
	return ttl != 0 && kept_since != 0 && now - kept_since >= ttl;
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

/* The bells' and the lock file's names, after the segment's inode. */
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
	snprintf(path, sizeof(path), "%s.%llu.lock", s->path, (unsigned long long)ino);
	memcpy(s->lock_path, path, sizeof(path));
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

/* The bells and the lock file, after their segment was unlinked. */
static void unlink_companions(struct shm_seg *s)
{
	unlink(s->bell_path[SHM_BELL_DATA]);
	unlink(s->bell_path[SHM_BELL_SPACE]);
	unlink(s->lock_path);
}

/* A file ours (or root's), regular, granting no one the pipe (mode perm) does not let write. */
static bool lock_file_trusted(int fd, uid_t owner, mode_t perm)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       (st.st_uid == owner || st.st_uid == 0) &&
	       (st.st_mode & 0777 & ~lock_mode(perm)) == 0;
}

/*
 * Makes and links the lock file of a segment not linked yet. A name left by
 * an earlier segment of this inode is ours to remove; one of someone else:
 * RP_EEXIST (make another segment).
 */
static int create_lock_file(struct shm_seg *s, mode_t perm, char *err, size_t errlen)
{
	char proc[40];
	struct stat st;
	int attempt;

	s->lock_fd = open(SHM_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return fail(err, errlen, errno == ENOSPC ? SHM_NO_SPACE : RP_INVAL, "create in", SHM_DIR);
	if (fchmod(s->lock_fd, lock_mode(perm)) != 0)
		return fail(err, errlen, RP_INVAL, "chmod", s->lock_path);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->lock_fd);
	for (attempt = 0; attempt < 2; attempt++) {
		if (linkat(AT_FDCWD, proc, AT_FDCWD, s->lock_path, AT_SYMLINK_FOLLOW) == 0)
			return RP_OK;
		if (errno != EEXIST || lstat(s->lock_path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid() || unlink(s->lock_path) != 0)
			break;
	}
	if (errno == EEXIST)
		return RP_EEXIST;
	return fail(err, errlen, RP_INVAL, "link", s->lock_path);
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
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->fd = -1;
	s->lock_fd = -1;
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
	ofd_lock(s->lock_fd, F_UNLCK, s->slot, 1, F_OFD_SETLK);
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
		return fail(err, errlen, errno == ENOSPC ? SHM_NO_SPACE : RP_INVAL, "create in", SHM_DIR);
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
	store64(s->mem, RP_OFF_TTL_MS, s->ttl_ms);
	if (rc != RP_OK || fstat(s->fd, &st) != 0) {
		rc = fail(err, errlen, rc != RP_OK ? rc : RP_INVAL, "set up", s->path);
		goto out;
	}
	bell_paths(s, st.st_ino);
	rc = create_lock_file(s, perm, err, errlen);
	if (rc != RP_OK)
		goto out;
	if (ofd_lock(s->lock_fd, F_WRLCK, 0, 1, F_OFD_SETLK) != 0) {
		rc = fail(err, errlen, RP_INVAL, "lock slot 0 of", s->lock_path);
		goto out_unlink;
	}
	ofd_lock(s->fd, F_WRLCK, 0, 1, F_OFD_SETLK); /* for older releases */
	attach(s, 0, role);
	open_bells(s, geteuid(), true, perm);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, s->path, AT_SYMLINK_FOLLOW) == 0)
		return RP_OK;
	rc = errno == EEXIST ? RP_EEXIST : fail(err, errlen, RP_INVAL, "link", s->path);
out_unlink:
	unlink_companions(s);
out:
	drop(s);
	return rc;
}

/* The lowest slot byte this description can lock. */
static int lock_slot(struct shm_seg *s, uint32_t *slot)
{
	uint32_t i;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		if (ofd_lock(s->lock_fd, F_WRLCK, i, 1, F_OFD_SETLK) == 0) {
			/* For older releases, which look at the segment's own bytes: when it can. */
			ofd_lock(s->fd, F_WRLCK, i, 1, F_OFD_SETLK);
			*slot = i;
			return RP_OK;
		}
	}
	return RP_NOSLOT;
}

/* The header page alone, then the file's size and allocation: RP_OK or RP_CORRUPT. */
static int check_file(struct shm_seg *s, const struct stat *st, char *err, size_t errlen)
{
	uint32_t capacity, ring_mode;
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
	return RP_OK;
}

/*
 * With L held: check the file, map it, attach. live: some slot is locked;
 * without, the file is adopted (a kept pipe) when something is unread and
 * its ttl has not run out, else RP_EEXIST: replace it.
 */
static int join(struct shm_seg *s, const struct stat *st, bool live,
		uint32_t mode, uint32_t role, char *err, size_t errlen)
{
	struct rp_unread unread;
	uint32_t slot;
	int rc;

	rc = check_file(s, st, err, errlen);
	if (rc != RP_OK)
		return rc == RP_CORRUPT && !live ? RP_EEXIST : rc;
	if (map(s, (size_t)st->st_size) != 0)
		return fail(err, errlen, RP_INVAL, "map", s->path);
	rc = rp_ring_validate(&s->ring, s->mem, s->size, &s->env);
	if (rc != RP_OK) {
		snprintf(err, errlen, "%s: changed while opened", s->path);
		return live ? RP_CORRUPT : RP_EEXIST;
	}
	if (!live) {
		rp_ring_unread(&s->ring, &unread);
		if (unread.msgs == 0 ||
		    kept_past_ttl(load64(s->mem, RP_OFF_TTL_MS),
				  load64(s->mem, RP_OFF_KEPT_SINCE_MS), now_ms()))
			return RP_EEXIST;
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
	store64(s->mem, RP_OFF_KEPT_SINCE_MS, 0);
	return RP_OK;
}

/*
 * A file with no lock file: removed meanwhile, made by hand, or by an older
 * release whose handles lock the file's own bytes. One such handle alive:
 * refused; none: replaced under that release's L (byte 128 of the file).
 */
static int lockless(struct shm_seg *s, const struct stat *st, char *err, size_t errlen)
{
	int rc;

	if (!still_linked(s->fd, s->path))
		return RP_EEXIST;
	if (locked_by_others(s->fd, 0, RP_SLOT_COUNT)) {
		rc = check_file(s, st, err, errlen);
		if (rc == RP_OK)
			snprintf(err, errlen, "%s: in use by an older ringpipe (no lock file)", s->path);
		return rc == RP_OK ? RP_CORRUPT : rc;
	}
	if (!take_l(s->fd)) {
		snprintf(err, errlen, "%s: its lifetime lock stays held", s->path);
		return RP_BUSY;
	}
	if (still_linked(s->fd, s->path)) {
		unlink(s->path);
		unlink_companions(s);
	}
	release_l(s->fd);
	return RP_EEXIST;
}

/*
 * One attempt on the file at the path. RP_ENOENT: there is none (any more),
 * create one; RP_EEXIST: look again.
 */
static int open_existing(struct shm_seg *s, uint32_t mode, uint32_t role,
			 char *err, size_t errlen)
{
	struct stat st;
	bool live;
	int rc;

	s->fd = open(s->path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		if (errno == ENOENT)
			return RP_ENOENT;
		if (errno == EACCES && lstat(s->path, &st) == 0 && !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: untrusted (not a regular file)", s->path);
			return SHM_UNTRUSTED;
		}
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
	bell_paths(s, st.st_ino);
	s->lock_fd = open(s->lock_path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (s->lock_fd < 0 && errno == ENOENT) {
		rc = lockless(s, &st, err, errlen);
		goto out;
	}
	if (s->lock_fd < 0 && errno == EACCES) {
		rc = fail(err, errlen, RP_EACCES, "open", s->lock_path);
		goto out;
	}
	if (s->lock_fd < 0 || !lock_file_trusted(s->lock_fd, st.st_uid, st.st_mode)) {
		snprintf(err, errlen, "%s: untrusted (no lock file we may trust)", s->lock_path);
		rc = SHM_UNTRUSTED;
		goto out;
	}
	if (!take_l(s->lock_fd)) {
		snprintf(err, errlen, "%s: its lifetime lock stays held", s->path);
		rc = RP_BUSY;
		goto out;
	}
	live = locked_by_others(s->lock_fd, 0, RP_SLOT_COUNT);
	rc = join(s, &st, live, mode, role, err, errlen);
	if (rc == RP_EEXIST && !live) {
		/* Left over with nothing unread, expired, or no ring: only holders of L unlink. */
		if (still_linked(s->fd, s->path)) {
			unlink(s->path);
			unlink_companions(s);
		}
		release_l(s->lock_fd);
		drop(s);
		return RP_EEXIST;
	}
	if (rc == RP_OK)
		open_bells(s, st.st_uid, false, 0);
	if (rc == RP_OK && !still_linked(s->fd, s->path)) {
		detach(s);
		rc = RP_EEXIST;
	}
	release_l(s->lock_fd);
out:
	if (rc != RP_OK)
		drop(s);
	return rc;
}

int shm_open_pipe(struct shm_seg *s, const char *name, uint32_t capacity,
		  uint32_t mode, mode_t perm, uint64_t ttl_ms, uint32_t role,
		  char *err, size_t errlen)
{
	int rc, tries;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->lock_fd = -1;
	s->ttl_ms = ttl_ms;
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
	struct rp_unread unread;

	detach(s);
	if (take_l(s->lock_fd)) {
		if (!locked_by_others(s->lock_fd, 0, RP_SLOT_COUNT) &&
		    still_linked(s->fd, s->path)) {
			rp_ring_unread(&s->ring, &unread);
			if (unread.msgs != 0) {
				store64(s->mem, RP_OFF_KEPT_SINCE_MS, now_ms());
			} else {
				unlink(s->path);
				unlink_companions(s);
			}
		}
		release_l(s->lock_fd);
	}
	drop(s);
}

/* The whole file into memory with pread; bytes past a truncated end read as 0. */
static int read_copy(struct shm_seg *s, size_t size)
{
	size_t got = 0;
	ssize_t n;

	s->mem = calloc(1, size);
	if (s->mem == NULL)
		return -1;
	s->size = size;
	while (got < size && (n = pread(s->fd, s->mem + got, size - got, (off_t)got)) > 0)
		got += (size_t)n;
	return 0;
}

/*
 * Where a process that only looks learns which slots are live: the lock file;
 * a file without one goes by the locks on its own bytes (see lockless); a
 * user who may not open it (only read the pipe) by PIDs (lock_fd -1).
 */
static int open_locks_to_look(struct shm_seg *s, const struct stat *fs, char *err,
			      size_t errlen)
{
	bell_paths(s, fs->st_ino);
	s->lock_fd = open(s->lock_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (s->lock_fd < 0 && errno == ENOENT)
		s->lock_fd = dup(s->fd);
	else if (s->lock_fd >= 0 && !lock_file_trusted(s->lock_fd, fs->st_uid, fs->st_mode)) {
		snprintf(err, errlen, "%s: untrusted", s->lock_path);
		return SHM_UNTRUSTED;
	} else if (s->lock_fd < 0 && errno != EACCES) {
		return fail(err, errlen, RP_INVAL, "open", s->lock_path);
	}
	return RP_OK;
}

int shm_stat_pipe(const char *name, struct rp_stats *st, struct shm_life *life,
		  char *err, size_t errlen)
{
	struct shm_seg s;
	struct stat fs;
	uint8_t header[RP_HEADER_SIZE];
	uint32_t capacity, mode;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(life, 0, sizeof(*life));
	s.lock_fd = -1;
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
	    pread(s.fd, header, sizeof(header), 0) != (ssize_t)sizeof(header) ||
	    rp_ring_check_header(header, &capacity, &mode) != RP_OK) {
		snprintf(err, errlen, "%s: not a ring", s.path);
	} else if ((rc = open_locks_to_look(&s, &fs, err, errlen)) != RP_OK) {
		/* err says why */
	} else if (read_copy(&s, rp_ring_segment_size(capacity)) != 0) {
		rc = fail(err, errlen, RP_INVAL, "read", s.path);
	} else {
		rc = rp_ring_validate(&s.ring, s.mem, s.size, &s.env);
		if (rc != RP_OK) {
			snprintf(err, errlen, "%s: not a valid ring (%s)", s.path,
				 rp_status_name(rc));
		} else {
			rc = rp_ring_stats(&s.ring, st);
			rp_ring_unread(&s.ring, &life->unread);
			life->kept = st->attached == 0;
			life->ttl_ms = load64(s.mem, RP_OFF_TTL_MS);
			life->kept_since_ms = load64(s.mem, RP_OFF_KEPT_SINCE_MS);
			if (life->kept && life->unread.msgs == 0) {
				snprintf(err, errlen, "%s: left over, no pipe", s.path);
				rc = RP_ENOENT;
			}
		}
	}
	free(s.mem);
	s.mem = NULL;
	drop(&s);
	return rc;
}
