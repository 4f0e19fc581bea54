// SPDX-License-Identifier: MIT
/*
 * rptest: what a process with a writable mapping of its own pipe (or many
 * processes at once) can make the kernel do: a ring of records to skip
 * under poll() and read(), a record that keeps growing under read() and
 * SIGKILL, a commit that fails under write(), racing creators of one name,
 * and pinning ring pages with vmsplice(). A ring left with records to skip
 * or garbage counts as unread and would be kept: each test removes its own.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rptest.h"

#define W0(state, len) ((uint32_t)(state) << 30 | (len))
#define REC_RESERVED 1u
#define REC_COMMITTED 2u
#define REC_ABANDONED 3u
#define OFF_HEAD 64u
#define OFF_TAIL 128u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits up to secs for pid; true if it was reaped. */
static bool reaped_within(pid_t pid, double secs)
{
	double end = now_s() + secs;

	do {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		usleep(10000);
	} while (now_s() < end);
	return false;
}

/* Fills the data area with RESERVED records of a token no handle has, head at its end. */
static void forge_dead_ring(uint8_t *m, uint32_t cap)
{
	uint32_t *d = (uint32_t *)(m + 4096), *h = (uint32_t *)m, i;

	for (i = 0; i < cap / 4; i += 2) {
		d[i] = W0(REC_RESERVED, 0);
		d[i + 1] = 0x7fff0001;
	}
	/* The same token forged into every other slot: only the kernel's list counts. */
	for (i = 0; i < 128; i++)
		if (!h[(256 + 16 * i + 4) / 4])
			h[(256 + 16 * i + 4) / 4] = 0x7fff0001;
	h[OFF_HEAD / 4] = h[OFF_TAIL / 4] + cap;
}

static void test_forged_ring(void)
{
	const uint32_t big = 64u << 20, small = 1u << 20;
	char buf[64];
	uint8_t *m;
	pid_t pid;
	int fd;

	fd = open_bound("rpt-forged", O_RDWR | O_NONBLOCK, big, 0, NULL);
	m = fd < 0 ? MAP_FAILED : mmap(NULL, 4096 + big, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "a 64 MiB ring, mapped");
	if (m == MAP_FAILED)
		return;
	forge_dead_ring(m, big);
	/* Before: one poll() walked 8 M records, each against 128 slot tokens (soft lockup). */
	CHECK(poll_one(fd, POLLIN) & POLLIN,
	      "poll() of a ring of 8 M records to skip looks at %u and says readable: the read tells", 64);
	pid = fork();
	if (pid == 0) {
		fcntl(fd, F_SETFL, 0);
		read(fd, buf, sizeof(buf)); /* skips, then sleeps: no writer ever came */
		_exit(0);
	}
	usleep(500000);
	kill(pid, SIGKILL);
	CHECK(reaped_within(pid, 20), "a blocking read() skipping them dies of SIGKILL (within 20 s)");
	munmap(m, 4096 + big);
	close(fd);
	remove_pipe("rpt-forged");

	fd = open_bound("rpt-forged1m", O_RDWR | O_NONBLOCK, small, 0, NULL);
	m = fd < 0 ? MAP_FAILED : mmap(NULL, 4096 + small, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return;
	forge_dead_ring(m, small);
	CHECK(FAILS(read(fd, buf, sizeof(buf)), EAGAIN) &&
	      ((uint32_t *)m)[OFF_TAIL / 4] == ((uint32_t *)m)[OFF_HEAD / 4],
	      "a non-blocking read() skips a 1 MiB ring of them in bounded looks, then EAGAIN");
	munmap(m, 4096 + small);
	close(fd);
	remove_pipe("rpt-forged1m");
}

/*
 * A record whose length a peer keeps raising while read() sizes it: the
 * read must end (it reads it, or dies of SIGKILL), not reallocate forever.
 */
static void test_growing_record(void)
{
	const uint32_t cap = 64u << 20;
	volatile uint32_t *d;
	uint32_t len = 1u << 20;
	bool gone = false;
	double end;
	uint8_t *m;
	pid_t pid;
	int fd, i;

	fd = open_bound("rpt-grow", O_RDWR, cap, 0, NULL);
	m = fd < 0 ? MAP_FAILED : mmap(NULL, 4096 + cap, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "a 64 MiB ring, mapped");
	if (m == MAP_FAILED)
		return;
	d = (uint32_t *)(m + 4096);
	d[1] = 0x7fff0002;
	d[0] = W0(REC_COMMITTED, len);
	((uint32_t *)m)[OFF_HEAD / 4] = cap;
	pid = fork();
	if (pid == 0) {
		char *buf = malloc(cap);

		read(fd, buf, cap);
		_exit(0);
	}
	end = now_s() + 20;
	for (i = 0; now_s() < end && !gone; i++) {
		volatile int spin;

		if (len < cap - 64)
			len += 8;
		d[0] = W0(REC_COMMITTED, len);
		for (spin = 0; spin < 200; spin++)
			;
		if (i == 20000)
			kill(pid, SIGKILL);
		if (i % 1000 == 0)
			gone = waitpid(pid, NULL, WNOHANG) == pid;
	}
	if (!gone) {
		kill(pid, SIGKILL);
		gone = reaped_within(pid, 5);
	}
	CHECK(gone, "read() of a record a peer keeps growing ends, or dies of SIGKILL (%d growths)", i);
	munmap(m, 4096 + cap);
	close(fd);
	remove_pipe("rpt-grow");
}

struct uffd_job {
	int uffd;
	uint8_t *page;	    /* the registered page */
	volatile uint32_t *word0; /* the reserved record's word0, to break */
	bool broke;
};

static void *uffd_thread(void *p)
{
	struct uffd_job *j = p;
	struct pollfd pfd = { .fd = j->uffd, .events = POLLIN };
	struct uffd_msg msg;
	struct uffdio_copy copy;
	static uint8_t src[4096];

	if (poll(&pfd, 1, 10000) != 1 || read(j->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return NULL;
	/* The write() has reserved its record and faults copying into it: break the record. */
	*j->word0 = W0(REC_ABANDONED, 200);
	j->broke = true;
	memset(&copy, 0, sizeof(copy));
	copy.dst = (uintptr_t)j->page;
	copy.src = (uintptr_t)src;
	copy.len = 4096;
	ioctl(j->uffd, UFFDIO_COPY, &copy);
	return NULL;
}

/* A commit that fails (the record was changed under the write): -1/EIO, never a bogus count. */
static void test_write_errno(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffd_job j = { 0 };
	pthread_t t;
	uint32_t *h;
	uint8_t *buf;
	ssize_t n;
	int fd;

	j.uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (j.uffd < 0 || ioctl(j.uffd, UFFDIO_API, &api)) {
		printf("# userfaultfd unavailable (%s): write()'s errno case skipped\n", strerror(errno));
		return;
	}
	fd = open_bound("rpt-eio", O_RDWR, 4096, 0, NULL);
	h = fd < 0 ? MAP_FAILED : mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED || buf == MAP_FAILED)
		return;
	buf[0] = 1;
	j.page = buf + 4096;
	j.word0 = (uint32_t *)((uint8_t *)h + 4096 + (h[OFF_HEAD / 4] & 4095));
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)j.page;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(j.uffd, UFFDIO_REGISTER, &reg)) {
		printf("# UFFDIO_REGISTER: %s: write()'s errno case skipped\n", strerror(errno));
		return;
	}
	pthread_create(&t, NULL, uffd_thread, &j);
	n = write(fd, buf + 4096 - 100, 200);
	pthread_join(t, NULL);
	CHECK(j.broke && n == -1 && errno == EIO,
	      "write() whose record a peer broke during the copy: -1 with EIO (returned %zd)", n);
	munmap(buf, 8192);
	munmap(h, 8192);
	close(fd);
	close(j.uffd);
	remove_pipe("rpt-eio");
}

#define RACERS 12

struct race {
	const char *cg; /* cgroup directory */
	uid_t uid;
	bool same_name;
	uint32_t capacity;
};

/* RACERS children join the cgroup, then bind at once; returns how many created, *peak the cgroup's. */
static int race_creators(const struct race *r, unsigned long long *peak, int *quota)
{
	char path[128], pidtext[32];
	int go[2], done[2], created = 0, i;
	pid_t pids[RACERS];

	*quota = 0;
	if (pipe(go) || pipe(done))
		return -1;
	mkdir(r->cg, 0755);
	for (i = 0; i < RACERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct ringpipe_bind b;
			char name[32], c;
			int fd;

			snprintf(path, sizeof(path), "%s/cgroup.procs", r->cg);
			snprintf(pidtext, sizeof(pidtext), "%d\n", getpid());
			cg_write(path, pidtext);
			become(r->uid);
			snprintf(name, sizeof(name), "rpt-race%d", r->same_name ? 0 : i);
			close(go[1]);
			read(go[0], &c, 1);
			fd = dev_open(O_RDWR);
			c = bind_to(fd, name, RINGPIPE_BIND_CREATE, r->capacity, 0, &b) ? (errno == EDQUOT ? 'q' : 'e')
										 : (b.created ? 'c' : 'j');
			write(done[1], &c, 1);
			pause();
			_exit(0);
		}
	}
	close(go[0]);
	close(done[1]);
	usleep(200000);
	close(go[1]);
	for (i = 0; i < RACERS; i++) {
		char c = 0;

		if (read(done[0], &c, 1) != 1)
			break;
		created += c == 'c';
		*quota += c == 'q';
	}
	close(done[0]);
	snprintf(path, sizeof(path), "%s/memory.peak", r->cg);
	*peak = cg_read(path);
	for (i = 0; i < RACERS; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	rmdir(r->cg);
	return created;
}

static void test_racing_creators(void)
{
	struct race same = { "/sys/fs/cgroup/rpt-race", 0, true, 16u << 20 };
	struct race over = { "/sys/fs/cgroup/rpt-quota", 1001, false, 16u << 20 };
	unsigned long long peak;
	int created, quota;

	if (access("/sys/fs/cgroup/cgroup.procs", F_OK)) {
		printf("# no cgroup2: racing creators skipped\n");
		return;
	}
	created = race_creators(&same, &peak, &quota);
	CHECK(created == 1 && peak < (2ull * 16 + 8) << 20,
	      "%d creators of one name at once: one created it; their cgroup's memory.peak %llu KiB (one 16 MiB ring, not %d)",
	      RACERS, peak >> 10, RACERS);
	set_param("max_user_bytes", 1u << 20);
	created = race_creators(&over, &peak, &quota);
	set_param("max_user_bytes", 256ul << 20);
	CHECK(created == 0 && quota == RACERS && peak < 8ull << 20,
	      "%d creators of 16 MiB rings over max_user_bytes: all EDQUOT, memory.peak %llu KiB (charged before allocated)",
	      RACERS, peak >> 10);
}

/*
 * get_user_pages() on the ring: its slow path refuses a VM_IO mapping
 * (process_vm_readv() takes it, as io_uring's fixed buffers and O_DIRECT
 * do); vmsplice()'s fast path is the kernel's business: printed, not judged
 * (6.12 refuses it, 6.1 and 7.3 pin the page until the pipe is read).
 */
static void test_pinning(void)
{
	struct iovec local, remote, iov;
	struct utsname u;
	char buf[64];
	int fd, p[2];
	void *m;
	ssize_t n;

	uname(&u);
	fd = open_bound("rpt-pin", O_RDWR, 4096, 0, NULL);
	m = fd < 0 ? MAP_FAILED : mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED || pipe(p))
		return;
	local.iov_base = buf;
	local.iov_len = sizeof(buf);
	remote.iov_base = m;
	remote.iov_len = sizeof(buf);
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	CHECK(n == -1 && errno == EFAULT,
	      "get_user_pages() on the ring (process_vm_readv): EFAULT, the mapping is VM_IO (%zd)", n);
	iov.iov_base = (uint8_t *)m + 4096;
	iov.iov_len = 4096;
	n = vmsplice(p[1], &iov, 1, 0);
	printf("# vmsplice() of a ring page on %s: %zd (%s)\n", u.release, n,
	       n < 0 ? strerror(errno) : "pinned until the pipe is read or closed");
	close(p[0]);
	close(p[1]);
	munmap(m, 8192);
	close(fd);
}

void test_hostile(void)
{
	if (geteuid() != 0) {
		printf("# not root: hostile-mapping cases skipped\n");
		return;
	}
	test_forged_ring();
	test_growing_record();
	test_write_errno();
	test_racing_creators();
	test_pinning();
}
