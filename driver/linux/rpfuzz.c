// SPDX-License-Identifier: MIT
/*
 * rpfuzz: a bounded, seeded fuzzer of /dev/ringpipe for the qemu guest, run as
 * root (it drops to three uids itself):
 *
 *   rpfuzz [SECONDS [SEED]]     defaults: $RP_FUZZ_SECS or 20, $RP_FUZZ_SEED or random
 *
 *  - uid 1002 ("honest") moves messages over two 0600 pipes, one in message
 *    mode, one in byte mode, writer and reader in separate processes, and
 *    checks every message (count, order, contents);
 *  - uids 1000 and 1001 (attackers, three processes each) meanwhile call every
 *    ioctl with hostile arguments, read and write through faulting buffers
 *    (PROT_NONE pages, unmapped and kernel addresses), bind with every access
 *    mode, map rings with odd sizes, offsets and protections, mremap, madvise
 *    and mprotect them, scribble random bytes into mapped rings that other
 *    processes use through system calls, close descriptors that other threads
 *    are using, and fork children that they SIGKILL at random moments;
 *    they forge rings of their own full of records to skip and poll() and
 *    read() them, grow a record under another process's read() and SIGKILL
 *    it (it must die), race creators of one name (one creates it), and
 *    REMOVE names (never the honest ones); every read() and write() must
 *    return -1 or at most the count asked for.
 *
 * It prints the seed first and, at the end, the operations done by kind; it
 * exits 1 if an honest message was wrong or missing, an attacker reached an
 * honest pipe (bind, STAT, LIST), or anything hung past the deadline. Kernel
 * splats are the caller's to find (the guest's dmesg), as is rmmod afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ringpipe_linux_abi.h"
#include "rp_bind_request.h"

#define DEV "/dev/" RINGPIPE_DEVICE_NAME
#define HONEST_UID 1002
#define ATTACKERS 2
#define WORKERS 3 /* processes per attacker uid */
#define FDS 8
#define MAPS 4
#define PAGE 4096ul

enum op {
	OP_OPEN, OP_BIND, OP_IOCTL, OP_READ, OP_WRITE, OP_POLL, OP_MMAP,
	OP_MREMAP, OP_MADVISE, OP_MPROTECT, OP_SCRIBBLE, OP_CLOSE, OP_FORK,
	OP_KILL, OP_LIST, OP_STAT, OP_RACE, OP_FORGE, OP_GROW, OP_CREATORS,
	OP_REMOVE, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"open", "bind", "ioctl", "read", "write", "poll", "mmap", "mremap",
	"madvise", "mprotect", "scribble", "close", "fork", "sigkill", "list",
	"stat", "close-race", "forged-ring", "growing-record", "racing-creators",
	"remove",
};

/* Shared by every process (MAP_SHARED | MAP_ANONYMOUS before the forks). */
struct shared {
	uint64_t ops[OP_COUNT];
	uint64_t honest_msgs[2], honest_bytes[2];
	uint64_t sent_msgs[2], sent_bytes[2];
	int sent_done[2];
	int breaches;
	int honest_errors;
	char first_error[256];
};

static struct shared *sh;
static double deadline;
static uint64_t seed;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __thread uint64_t rng_state; /* per thread: the race thread has its own */

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void count(enum op op)
{
	__atomic_fetch_add(&sh->ops[op], 1, __ATOMIC_RELAXED);
}

static void fail(const char *what, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&sh->honest_errors, 1, __ATOMIC_RELAXED) == 0) {
		va_start(ap, what);
		vsnprintf(sh->first_error, sizeof(sh->first_error), what, ap);
		va_end(ap);
	}
}

static void become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
		perror("rpfuzz: setresuid");
		_exit(99);
	}
}

static int bind_fd(int fd, const char *name, unsigned int flags, unsigned int perm,
		   unsigned int capacity, unsigned int mode, struct ringpipe_bind *out)
{
	struct ringpipe_bind b;

	rp_bind_request(&b, name, flags, perm, capacity, mode);
	if (ioctl(fd, RINGPIPE_IOC_BIND, &b))
		return -1;
	if (out)
		*out = b;
	return 0;
}

/* --- the honest user ------------------------------------------------------- */

static const char *const honest_names[2] = { "fz-honest-msg", "fz-honest-bytes" };

static uint8_t stream_byte(uint64_t i)
{
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull;

	return (uint8_t)(x >> 56) ^ (uint8_t)(i >> 13);
}

/* Message i of the message pipe: [seq][len][sum] then len bytes. */
static size_t make_msg(uint8_t *buf, uint32_t seq)
{
	uint32_t len = (seq * 2654435761u) % 3000, sum = 2166136261u, i;

	for (i = 0; i < len; i++) {
		buf[12 + i] = stream_byte((uint64_t)seq << 16 | i);
		sum = (sum ^ buf[12 + i]) * 16777619u;
	}
	memcpy(buf, &seq, 4);
	memcpy(buf + 4, &len, 4);
	memcpy(buf + 8, &sum, 4);
	return 12 + len;
}

static int honest_open(int which, int oflags)
{
	int fd = open(DEV, oflags | O_CLOEXEC);

	if (fd < 0 || bind_fd(fd, honest_names[which], RINGPIPE_BIND_CREATE, 0600,
			      which ? 8192 : 16384,
			      which ? RINGPIPE_MODE_BYTE : RINGPIPE_MODE_MESSAGE, NULL)) {
		fail("honest %s: open/bind: %s", honest_names[which], strerror(errno));
		_exit(1);
	}
	return fd;
}

static void honest_writer(int which)
{
	uint8_t buf[4096];
	uint64_t pos = 0;
	uint32_t seq = 0;
	int fd = honest_open(which, O_WRONLY);

	while (now() < deadline) {
		size_t n, i;
		ssize_t w;

		if (which == 0) {
			n = make_msg(buf, seq);
		} else {
			n = 1 + below(sizeof(buf));
			for (i = 0; i < n; i++)
				buf[i] = stream_byte(pos + i);
		}
		do
			w = write(fd, buf, n);
		while (w < 0 && errno == EINTR);
		if (w < 0 || (which == 0 && (size_t)w != n)) {
			fail("honest writer %d: write of %zu: %zd (%s)", which, n, w, strerror(errno));
			break;
		}
		if (which == 0) {
			seq++;
		} else {
			pos += w;
		}
	}
	sh->sent_msgs[which] = seq;
	sh->sent_bytes[which] = pos;
	__atomic_store_n(&sh->sent_done[which], 1, __ATOMIC_RELEASE);
	close(fd);
	_exit(0);
}

static void honest_reader(int which)
{
	uint8_t buf[65536], want[4096];
	uint64_t pos = 0;
	uint32_t seq = 0;
	int fd = honest_open(which, O_RDONLY);

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		ssize_t i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail("honest reader %d: read: %s", which, strerror(errno));
			break;
		}
		if (n == 0)
			break; /* EOF: our writer never sends an empty message */
		if (which == 0) {
			size_t len = make_msg(want, seq);

			if ((size_t)n != len || memcmp(buf, want, len)) {
				fail("honest message %u: %zd bytes, wanted %zu, or other contents",
				     seq, n, len);
				break;
			}
			seq++;
		} else {
			for (i = 0; i < n; i++) {
				if (buf[i] != stream_byte(pos + i)) {
					fail("honest byte %llu wrong", (unsigned long long)(pos + i));
					break;
				}
			}
			pos += n;
		}
	}
	sh->honest_msgs[which] = seq;
	sh->honest_bytes[which] = pos;
	close(fd);
	_exit(0);
}

/* --- attackers --------------------------------------------------------------- */

struct mapping {
	uint8_t *addr;
	size_t len;
};

struct attacker {
	uid_t uid;
	int fds[FDS];
	uint32_t seg[FDS]; /* segment size of the pipe the fd is bound to, 0 if none known */
	struct mapping maps[MAPS];
	uint8_t *bad_page;  /* [RW page][PROT_NONE page] */
	uint8_t *unmapped;  /* an address known to be unmapped */
};

static sigjmp_buf fault_jump;
static volatile sig_atomic_t in_scribble;

static void on_fault(int sig)
{
	if (in_scribble)
		siglongjmp(fault_jump, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_timer(int sig)
{
	(void)sig;
}

static const char *attack_name(struct attacker *a, char *buf, size_t size)
{
	switch (below(6)) {
	case 0:
		return honest_names[below(2)];
	case 1: /* the other attacker's */
		snprintf(buf, size, "fz-%u-%u", 1000 + !(a->uid - 1000), below(4));
		return buf;
	default:
		snprintf(buf, size, "fz-%u-%u", a->uid, below(4));
		return buf;
	}
}

static bool is_honest(const char *name)
{
	return !strcasecmp(name, honest_names[0]) || !strcasecmp(name, honest_names[1]);
}

/* A user address for the kernel to copy from or to: good, faulting, or hostile. */
static void *hostile_ptr(struct attacker *a, void *good, size_t len)
{
	switch (below(8)) {
	case 0:
		return NULL;
	case 1:
		return a->unmapped;
	case 2: /* straddles into the PROT_NONE page */
		return a->bad_page + PAGE - (len > 1 ? below(len) + 1 : 1);
	case 3:
		return a->bad_page + PAGE; /* PROT_NONE */
	case 4:
		return (void *)0xffff888000000000ull; /* the kernel's */
	default:
		return good;
	}
}

static int pick_fd(struct attacker *a)
{
	return a->fds[below(FDS)];
}

static void random_bytes(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rnd();
}

static void op_open(struct attacker *a)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE };
	int i = below(FDS);

	if (a->fds[i] >= 0)
		close(a->fds[i]);
	a->fds[i] = open(DEV, modes[below(4)] | (below(4) ? O_NONBLOCK : 0) | O_CLOEXEC);
	a->seg[i] = 0;
	count(OP_OPEN);
}

static void op_bind(struct attacker *a)
{
	static const unsigned int caps[] = { 0, 1, 63, 64, 4096, 8192, 65536, 1u << 20, 0x80000000u,
					     0xffffffffu };
	struct ringpipe_bind b;
	char nbuf[32];
	const char *name = attack_name(a, nbuf, sizeof(nbuf));
	int i = below(FDS), fd = a->fds[i];
	void *arg;

	memset(&b, 0, sizeof(b));
	b.name_len = strlen(name);
	memcpy(b.name, name, b.name_len);
	if (!below(8))
		b.name_len = below(80);
	b.flags = below(4) ? RINGPIPE_BIND_CREATE | (below(3) ? 0 : RINGPIPE_BIND_FOLLOW) : rnd();
	b.perm = below(3) ? 0666 : rnd();
	b.capacity = caps[below(10)];
	b.mode = below(4);
	if (!below(8))
		b.ttl_ms = below(2) ? below(100) : rnd();
	if (!below(16))
		b.reserved[below(4)] = rnd();
	count(OP_BIND);
	arg = hostile_ptr(a, &b, sizeof(b));
	if (ioctl(fd, RINGPIPE_IOC_BIND, arg) || arg != &b)
		return;
	a->seg[i] = 4096 + b.capacity;
	/* Once the honest user is gone, anyone may create a pipe of that name. */
	if (is_honest(name) && b.owner_uid == HONEST_UID) {
		__atomic_fetch_add(&sh->breaches, 1, __ATOMIC_RELAXED);
		fail("uid %u bound the honest pipe %s", a->uid, name);
	}
}

static void op_list(struct attacker *a)
{
	static struct ringpipe_info infos[64];
	struct ringpipe_list l = { .entries = (uintptr_t)infos, .max = below(65) };
	uint32_t i;

	if (!below(4))
		l.entries = (uintptr_t)hostile_ptr(a, infos, sizeof(infos));
	count(OP_LIST);
	if (ioctl(pick_fd(a), RINGPIPE_IOC_LIST, &l) || l.entries != (uintptr_t)infos)
		return;
	for (i = 0; i < l.count && i < l.max; i++) {
		if (is_honest(infos[i].name) && infos[i].uid == HONEST_UID) {
			__atomic_fetch_add(&sh->breaches, 1, __ATOMIC_RELAXED);
			fail("uid %u listed the honest pipe %s", a->uid, infos[i].name);
		}
	}
}

static void op_stat(struct attacker *a)
{
	struct ringpipe_stat s;
	char nbuf[32];
	const char *name = attack_name(a, nbuf, sizeof(nbuf));

	memset(&s, 0, sizeof(s));
	s.name_len = below(8) ? strlen(name) : below(70);
	memcpy(s.name, name, strlen(name));
	count(OP_STAT);
	if (!ioctl(pick_fd(a), RINGPIPE_IOC_STAT, hostile_ptr(a, &s, sizeof(s))) && is_honest(name) &&
	    s.info.uid == HONEST_UID) {
		__atomic_fetch_add(&sh->breaches, 1, __ATOMIC_RELAXED);
		fail("uid %u got STAT of the honest pipe %s", a->uid, name);
	}
}

static void op_ioctl(struct attacker *a)
{
	static const unsigned long cmds[] = {
		RINGPIPE_IOC_VERSION, RINGPIPE_IOC_ROLE, RINGPIPE_IOC_WAKE, RINGPIPE_IOC_WANT,
		RINGPIPE_IOC_RECV,
	};
	uint8_t arg[256];
	unsigned long cmd;
	struct ringpipe_recv r;

	random_bytes(arg, sizeof(arg));
	if (below(4)) {
		cmd = cmds[below(5)];
	} else {
		/* Our magic with any number, direction and size; or anything at all. */
		cmd = below(2) ? _IOC(below(4), RINGPIPE_IOC_MAGIC, below(16), below(512)) : rnd();
	}
	if (cmd == RINGPIPE_IOC_RECV) {
		memset(&r, 0, sizeof(r));
		r.buf = (uintptr_t)hostile_ptr(a, arg, sizeof(arg));
		r.size = below(3) ? sizeof(arg) : rnd();
		memcpy(arg, &r, sizeof(r));
	} else if (cmd != RINGPIPE_IOC_VERSION && below(2)) {
		uint32_t v = below(6);

		memcpy(arg, &v, 4);
	}
	count(OP_IOCTL);
	ioctl(pick_fd(a), cmd, hostile_ptr(a, arg, sizeof(arg)));
}

static void op_read(struct attacker *a)
{
	static uint8_t buf[70000];
	size_t n = below(2) ? below(64) : below(sizeof(buf));

	ssize_t got;

	count(OP_READ);
	got = read(pick_fd(a), hostile_ptr(a, buf, n), n);
	if (got > (ssize_t)n)
		fail("read() of %zu bytes returned %zd", n, got);
}

static void op_write(struct attacker *a)
{
	static uint8_t buf[70000];
	size_t n = below(2) ? below(64) : below(sizeof(buf));

	ssize_t put;

	random_bytes(buf, n < 64 ? n : 64);
	count(OP_WRITE);
	put = write(pick_fd(a), hostile_ptr(a, buf, n), n);
	/* An error is -1 with errno: 4294967291 (-EIO as unsigned) once came back. */
	if (put > (ssize_t)n)
		fail("write() of %zu bytes returned %zd", n, put);
}

static void op_poll(struct attacker *a)
{
	struct pollfd p[3];
	int i;

	for (i = 0; i < 3; i++) {
		p[i].fd = pick_fd(a);
		p[i].events = rnd();
	}
	count(OP_POLL);
	poll(p, 3, below(3));
}

static void op_mmap(struct attacker *a)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_WRITE | PROT_EXEC };
	int i = below(MAPS), f = below(FDS), tries, j;
	size_t len = PAGE * (1 + below(20));
	void *m;

	/* Mostly a bound file, with the segment's own size: mappings that work. */
	for (tries = 0; tries < 8 && !a->seg[f]; tries++)
		f = below(FDS);
	if (a->seg[f] && below(4))
		len = (a->seg[f] + PAGE - 1) & ~(PAGE - 1);

	/* A free place if there is one: mappings live long enough to be used. */
	for (j = 0; j < MAPS && a->maps[i].addr; j++)
		i = (i + 1) % MAPS;
	if (a->maps[i].addr) {
		munmap(a->maps[i].addr, a->maps[i].len);
		a->maps[i].addr = NULL;
	}
	count(OP_MMAP);
	m = mmap(NULL, len, below(3) ? prots[0] : prots[below(5)], below(6) ? MAP_SHARED : MAP_PRIVATE,
		 a->fds[f], below(6) ? 0 : PAGE * below(4));
	if (m != MAP_FAILED) {
		a->maps[i].addr = m;
		a->maps[i].len = len;
	}
}

static struct mapping *some_map(struct attacker *a)
{
	int i = below(MAPS), j;

	for (j = 0; j < MAPS && !a->maps[i].addr; j++)
		i = (i + 1) % MAPS;
	return a->maps[i].addr ? &a->maps[i] : NULL;
}

static void op_mremap(struct attacker *a)
{
	struct mapping *m = some_map(a);
	size_t len;
	void *r;

	if (!m)
		return;
	len = below(2) ? m->len + PAGE * (1 + below(4)) : PAGE * (1 + below(m->len / PAGE));
	count(OP_MREMAP);
	r = mremap(m->addr, m->len, len, below(2) ? MREMAP_MAYMOVE : 0);
	if (r != MAP_FAILED) {
		m->addr = r;
		m->len = len;
	}
}

static void op_madvise(struct attacker *a)
{
	static const int advice[] = { MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
				      MADV_KEEPONFORK, MADV_REMOVE, MADV_FREE, MADV_COLD,
				      MADV_PAGEOUT, 23 /* MADV_POPULATE_WRITE */, MADV_DONTDUMP,
				      MADV_HUGEPAGE, MADV_MERGEABLE, MADV_SEQUENTIAL };
	struct mapping *m = some_map(a);

	if (!m)
		return;
	count(OP_MADVISE);
	madvise(m->addr, PAGE * (1 + below(m->len / PAGE)), advice[below(14)]);
}

static void op_mprotect(struct attacker *a)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_EXEC, PROT_WRITE };
	struct mapping *m = some_map(a);

	if (!m)
		return;
	count(OP_MPROTECT);
	mprotect(m->addr, m->len, prots[below(5)]);
}

/* Random bytes at random places of a mapped ring, header included. */
static void op_scribble(struct attacker *a)
{
	struct mapping *m = some_map(a);
	volatile uint8_t *p;
	int i, n;

	if (!m)
		return;
	count(OP_SCRIBBLE);
	p = m->addr;
	n = 1 + below(64);
	if (sigsetjmp(fault_jump, 1)) {
		/* A page we may not touch (madvise, mprotect, a private copy): drop it. */
		in_scribble = 0;
		munmap(m->addr, m->len);
		m->addr = NULL;
		return;
	}
	in_scribble = 1;
	for (i = 0; i < n; i++) {
		size_t off = below(2) ? below(256) : below(m->len);

		if (below(4))
			p[off] = rnd();
		else
			*(volatile uint32_t *)(p + (off & ~3ul)) = below(2) ? rnd() : below(16);
	}
	in_scribble = 0;
}

static void op_close(struct attacker *a)
{
	int i = below(FDS);

	count(OP_CLOSE);
	if (a->fds[i] >= 0)
		close(a->fds[i]);
	a->fds[i] = -1;
	a->seg[i] = 0;
}

static void attack_once(struct attacker *a);

/* A child that does some of the same, killed at a random moment. */
static void op_fork(struct attacker *a)
{
	pid_t pid;

	count(OP_FORK);
	pid = fork();
	if (pid == 0) {
		struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
		int i;

		/* Gone with its parent (nothing outlives the run), and interrupted like it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0);
		setitimer(ITIMER_REAL, &it, NULL);
		rng_state ^= (uint64_t)getpid() << 32;
		for (i = 0; i < 200 && now() < deadline; i++)
			attack_once(a);
		_exit(0);
	}
	if (pid < 0)
		return;
	usleep(below(20000));
	count(OP_KILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) /* the interval timer */
		;
}

/* Threads using descriptors that another thread closes and replaces. */
struct race {
	struct attacker *a;
	volatile int stop;
	uint64_t seed;
};

static void *race_user(void *arg)
{
	struct race *r = arg;
	struct attacker *a = r->a;
	uint8_t buf[64];
	sigset_t alrm;
	uint32_t v;
	int i;

	/* Created with SIGALRM blocked (the creator's mask): this thread takes it. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	rng_state = r->seed;
	while (!r->stop) {
		int fd = pick_fd(a);

		switch (below(6)) {
		case 0:
			read(fd, buf, sizeof(buf));
			break;
		case 1:
			write(fd, buf, below(sizeof(buf)));
			break;
		case 2:
			v = RINGPIPE_WAKE_DATA | RINGPIPE_WAKE_SPACE;
			ioctl(fd, RINGPIPE_IOC_WAKE, &v);
			break;
		case 3: {
			struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

			poll(&p, 1, 1);
			break;
		}
		case 4: {
			void *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

			if (m != MAP_FAILED)
				munmap(m, PAGE);
			break;
		}
		default:
			for (i = 0; i < 4; i++)
				op_stat(a);
		}
	}
	return NULL;
}

static void op_race(struct attacker *a)
{
	struct race r = { .a = a, .seed = rnd() | 1 };
	pthread_t t;
	int i;

	sigset_t alrm, old;

	count(OP_RACE);
	/* The timer's signal goes to the other thread: its blocking calls end. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	if (pthread_create(&t, NULL, race_user, &r)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return;
	}
	for (i = 0; i < 20; i++) {
		int j = below(FDS);
		char nbuf[32];

		/* close and dup2 over a descriptor the other thread may be in */
		if (a->fds[j] >= 0 && below(2)) {
			int fd = open(DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);

			if (fd >= 0) {
				bind_fd(fd, attack_name(a, nbuf, sizeof(nbuf)), RINGPIPE_BIND_CREATE,
					0666, 4096, 0, NULL);
				dup2(fd, a->fds[j]);
				a->seg[j] = 0;
				close(fd);
			}
		} else {
			op_open(a);
		}
		op_close(a);
		op_open(a);
		op_bind(a);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* A pipe of the attacker's own, created and mapped; NULL on failure. */
static uint32_t *own_ring(struct attacker *a, const char *tag, uint32_t cap, int *fdp)
{
	char name[40];
	uint32_t *m;
	int fd;

	snprintf(name, sizeof(name), "fz-%u-%s%d", a->uid, tag, getpid() % 1000);
	fd = open(DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (bind_fd(fd, name, RINGPIPE_BIND_CREATE, 0600, cap, RINGPIPE_MODE_MESSAGE, NULL)) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, 4096 + cap, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	*fdp = fd;
	return m;
}

/*
 * A ring of its own full of records to skip (dead reservations, abandoned
 * ones, tokens forged into the slots): poll() must look at a few only, and
 * a non-blocking read() skip them in bounded looks.
 */
static void op_forge(struct attacker *a)
{
	uint32_t cap = 64u << below(15), i, *m, *d, tok = rnd() | 1;
	uint8_t buf[64];
	struct pollfd p;
	ssize_t n;
	int fd;

	m = own_ring(a, "f", cap, &fd);
	if (!m)
		return;
	count(OP_FORGE);
	d = m + 1024;
	for (i = 0; i < cap / 4; i += 2) {
		d[i] = (below(4) ? 1u : 3u) << 30;
		d[i + 1] = tok;
	}
	for (i = 0; i < 128; i++)
		if (below(2))
			m[(256 + 16 * i + 4) / 4] = tok;
	m[64 / 4] = m[128 / 4] + cap;
	p.fd = fd;
	p.events = POLLIN;
	poll(&p, 1, 0);
	n = read(fd, buf, sizeof(buf));
	if (n > (ssize_t)sizeof(buf))
		fail("read() of a forged ring returned %zd", n);
	munmap(m, 4096 + cap);
	close(fd);
}

/*
 * A child reads a ring of the attacker's own while the attacker keeps
 * growing the record at its tail, then SIGKILLs it: the child must die.
 */
static void op_grow(struct attacker *a)
{
	uint32_t cap = 1u << 20, *m, len = 300;
	double end, stop;
	bool gone = false;
	pid_t pid;
	int fd;

	m = own_ring(a, "g", cap, &fd);
	if (!m)
		return;
	count(OP_GROW);
	m[1024 + 1] = rnd() | 1;
	m[1024] = 2u << 30 | len;
	m[64 / 4] = m[128 / 4] + cap;
	pid = fork();
	if (pid == 0) {
		static uint8_t big[1u << 20];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fcntl(fd, F_SETFL, 0);
		read(fd, big, sizeof(big));
		_exit(0);
	}
	if (pid < 0)
		goto out;
	end = now() + below(200) / 1000.0;
	while (now() < end && len < cap - 64) {
		len += 8;
		m[1024] = 2u << 30 | len;
	}
	kill(pid, SIGKILL);
	stop = now() + 10;
	while (!gone && now() < stop) {
		m[1024] = 2u << 30 | (len < cap - 64 ? len += 8 : len);
		gone = waitpid(pid, NULL, WNOHANG) == pid;
	}
	if (!gone) {
		fail("uid %u: a read() of a growing record ignored SIGKILL for 10 s", a->uid);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
out:
	munmap(m, 4096 + cap);
	close(fd);
}

/* Children of one uid create one name at once: one of them creates it. */
static void op_creators(struct attacker *a)
{
	int done[2], go[2], i, created = 0, n = 2 + below(4);
	char name[40];
	pid_t pids[6];

	if (pipe(done) || pipe(go))
		return;
	count(OP_CREATORS);
	snprintf(name, sizeof(name), "fz-%u-c%d", a->uid, getpid() % 1000);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct ringpipe_bind b;
			char c;
			int fd;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(go[1]);
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			fd = open(DEV, O_RDWR | O_CLOEXEC);
			c = fd >= 0 && !bind_fd(fd, name, RINGPIPE_BIND_CREATE, 0600, 1u << 20, 0, &b) && b.created
				    ? 'c'
				    : 'n';
			write(done[1], &c, 1);
			pause();
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	close(done[1]);
	for (i = 0; i < n; i++) {
		char c = 0;

		while (read(done[0], &c, 1) < 0 && errno == EINTR)
			;
		created += c == 'c';
	}
	close(done[0]);
	for (i = 0; i < n; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	if (created > 1)
		fail("uid %u: %d racing binds of %s each created it", a->uid, created, name);
}

static void op_remove(struct attacker *a)
{
	struct ringpipe_remove r;
	char nbuf[32];
	const char *name = attack_name(a, nbuf, sizeof(nbuf));

	memset(&r, 0, sizeof(r));
	r.name_len = strlen(name);
	memcpy(r.name, name, r.name_len);
	if (!below(8))
		r.reserved = rnd();
	count(OP_REMOVE);
	if (!ioctl(pick_fd(a), RINGPIPE_IOC_REMOVE, hostile_ptr(a, &r, sizeof(r))) && is_honest(name) &&
	    !r.reserved) {
		__atomic_fetch_add(&sh->breaches, 1, __ATOMIC_RELAXED);
		fail("uid %u removed the honest pipe %s", a->uid, name);
	}
}

static void attack_once(struct attacker *a)
{
	switch (below(28)) {
	case 24:
		if (!below(4))
			op_forge(a);
		break;
	case 25:
		if (!below(8))
			op_grow(a);
		break;
	case 26:
		if (!below(8))
			op_creators(a);
		break;
	case 27:
		op_remove(a);
		break;
	case 0: case 1:
		op_open(a);
		break;
	case 2: case 3: case 4:
		op_bind(a);
		break;
	case 5: case 6: case 7:
		op_ioctl(a);
		break;
	case 8: case 9:
		op_read(a);
		break;
	case 10: case 11:
		op_write(a);
		break;
	case 12:
		op_poll(a);
		break;
	case 13: case 14:
		op_mmap(a);
		break;
	case 15:
		op_mremap(a);
		break;
	case 16:
		op_madvise(a);
		break;
	case 17:
		op_mprotect(a);
		break;
	case 18: case 19:
		op_scribble(a);
		break;
	case 20:
		op_close(a);
		break;
	case 21:
		op_list(a);
		break;
	case 22:
		op_stat(a);
		break;
	default:
		if (below(4) == 0)
			op_fork(a);
		else if (below(8) == 0)
			op_race(a);
	}
}

static void attacker(uid_t uid, int worker)
{
	struct attacker a = { .uid = uid };
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	struct sigaction sa;
	int i;

	/*
	 * A process group of its own, so that main can kill whatever it left
	 * behind; its output goes nowhere (problems go to the shared page).
	 */
	setpgid(0, 0);
	i = open("/dev/null", O_WRONLY);
	if (i >= 0) {
		dup2(i, 1);
		dup2(i, 2);
		close(i);
	}
	become(uid);
	rng_state = seed ^ ((uint64_t)uid << 20) ^ ((uint64_t)worker << 40) ^ 0x5DEECE66Dull;
	if (!rng_state)
		rng_state = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer; /* no SA_RESTART: blocking calls end with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	a.bad_page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(a.bad_page + PAGE, PAGE, PROT_NONE);
	a.unmapped = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(a.unmapped, PAGE);
	for (i = 0; i < FDS; i++)
		a.fds[i] = -1;
	while (now() < deadline)
		attack_once(&a);
	_exit(0);
}

/* --- main --------------------------------------------------------------------- */

static pid_t spawn(void (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return pid;
}

static void honest_writer_proc(int which)
{
	become(HONEST_UID);
	honest_writer(which);
}

static void honest_reader_proc(int which)
{
	become(HONEST_UID);
	honest_reader(which);
}

static void print_file(const char *pid, const char *what)
{
	char path[320], buf[2048];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, what);
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	printf("rpfuzz:   %s: %s%s", what, buf, n && buf[n - 1] == '\n' ? "" : "\n");
}

/* What the processes of the fuzz uids are doing (a hang's evidence). */
static void dump_processes(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc");

	while (d && (e = readdir(d))) {
		char path[320], line[256];
		unsigned int uid = 0;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Uid: %u", &uid) == 1)
				break;
		fclose(f);
		if (uid < 1000 || uid > HONEST_UID)
			continue;
		printf("rpfuzz: still running: pid %s uid %u\n", e->d_name, uid);
		print_file(e->d_name, "stat");
		print_file(e->d_name, "wchan");
		print_file(e->d_name, "syscall");
		print_file(e->d_name, "stack");
	}
	if (d)
		closedir(d);
	fflush(stdout);
}

/*
 * With every process gone, the pipes left are kept ones (unread messages):
 * removed here (as root), so that the run leaves no ring. A pipe that a
 * file still holds would be a leak.
 */
static void remove_kept(void)
{
	static struct ringpipe_info infos[1024];
	struct ringpipe_list l = { .entries = (uintptr_t)infos, .max = 1024 };
	int fd = open(DEV, O_RDONLY | O_CLOEXEC), kept = 0;
	uint32_t i;

	if (fd < 0 || ioctl(fd, RINGPIPE_IOC_LIST, &l)) {
		fail("LIST after the run: %s", strerror(errno));
		return;
	}
	for (i = 0; i < l.count && i < l.max; i++) {
		struct ringpipe_remove r;

		if (!(infos[i].flags & RINGPIPE_INFO_KEPT) || infos[i].refs) {
			fail("pipe %s still has %u file(s) with every process gone", infos[i].name, infos[i].refs);
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.name_len = strlen(infos[i].name);
		memcpy(r.name, infos[i].name, r.name_len);
		if (ioctl(fd, RINGPIPE_IOC_REMOVE, &r))
			fail("REMOVE of the kept pipe %s: %s", infos[i].name, strerror(errno));
		kept++;
	}
	close(fd);
	printf("rpfuzz: %d kept pipe(s) left with unread messages, removed\n", kept);
}

int main(int argc, char **argv)
{
	const char *env_secs = getenv("RP_FUZZ_SECS"), *env_seed = getenv("RP_FUZZ_SEED");
	double secs = argc > 1 ? atof(argv[1]) : env_secs && *env_secs ? atof(env_secs) : 20;
	pid_t readers[2], writers[2], attackers[ATTACKERS * WORKERS];
	double hard_stop;
	uint64_t total = 0;
	int i, status, stuck = 0;

	seed = argc > 2 ? strtoull(argv[2], NULL, 0)
			: env_seed && *env_seed ? strtoull(env_seed, NULL, 0)
						: (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	printf("rpfuzz: seed %llu, %.0f s, uids %d %d attacking, uid %d honest\n",
	       (unsigned long long)seed, secs, 1000, 1001, HONEST_UID);
	fflush(stdout);
	if (geteuid() != 0) {
		fprintf(stderr, "rpfuzz: run as root (it drops to uids 1000-1002 itself)\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	memset(sh, 0, sizeof(*sh));
	deadline = now() + secs;
	for (i = 0; i < 2; i++)
		readers[i] = spawn(honest_reader_proc, i);
	usleep(200000);
	for (i = 0; i < 2; i++)
		writers[i] = spawn(honest_writer_proc, i);
	for (i = 0; i < ATTACKERS * WORKERS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			attacker(1000 + i % ATTACKERS, i / ATTACKERS);
		attackers[i] = pid;
	}
	/* Everyone stops at the deadline; past it plus a margin, it is a hang. */
	hard_stop = deadline + 30 + secs / 4;
	for (;;) {
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid < 0)
			break;
		if (pid == 0) {
			if (now() > hard_stop) {
				stuck = 1;
				break;
			}
			usleep(100000);
		}
	}
	if (stuck) {
		fail("processes still running %.0f s past the deadline: a hang", hard_stop - deadline);
		dump_processes();
		for (i = 0; i < 2; i++)
			printf("rpfuzz: honest %s: sent %llu (done %d), received %llu\n", honest_names[i],
			       (unsigned long long)(i ? sh->sent_bytes[i] : sh->sent_msgs[i]), sh->sent_done[i],
			       (unsigned long long)(i ? sh->honest_bytes[i] : sh->honest_msgs[i]));
		for (i = 0; i < 2; i++) {
			kill(readers[i], SIGKILL);
			kill(writers[i], SIGKILL);
		}
		for (i = 0; i < ATTACKERS * WORKERS; i++)
			kill(attackers[i], SIGKILL);
		while (waitpid(-1, &status, 0) > 0)
			;
	}
	/* Anything an attacker left (a child of a killed child): killed, and its files with it. */
	for (i = 0; i < ATTACKERS * WORKERS; i++) {
		int tries;

		kill(-attackers[i], SIGKILL);
		for (tries = 0; tries < 100 && !kill(-attackers[i], 0); tries++)
			usleep(50000);
	}
	for (i = 0; i < 2; i++) {
		if (sh->honest_msgs[i] != sh->sent_msgs[i] || sh->honest_bytes[i] != sh->sent_bytes[i])
			fail("honest pipe %s: sent %llu messages / %llu bytes, received %llu / %llu",
			     honest_names[i], (unsigned long long)sh->sent_msgs[i],
			     (unsigned long long)sh->sent_bytes[i], (unsigned long long)sh->honest_msgs[i],
			     (unsigned long long)sh->honest_bytes[i]);
	}
	remove_kept();
	printf("rpfuzz: honest: %llu messages (message mode), %llu bytes (byte mode), checked\n",
	       (unsigned long long)sh->honest_msgs[0], (unsigned long long)sh->honest_bytes[1]);
	printf("rpfuzz: operations:");
	for (i = 0; i < OP_COUNT; i++) {
		printf(" %s %llu", op_names[i], (unsigned long long)sh->ops[i]);
		total += sh->ops[i];
	}
	printf("; %llu in all\n", (unsigned long long)total);
	if (sh->honest_errors) {
		printf("rpfuzz: FAIL (seed %llu): %d problem(s), the first: %s\n",
		       (unsigned long long)seed, sh->honest_errors, sh->first_error);
		return 1;
	}
	printf("rpfuzz: PASS (seed %llu)\n", (unsigned long long)seed);
	return 0;
}
