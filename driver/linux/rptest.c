// SPDX-License-Identifier: MIT
/*
 * rptest: raw system calls against /dev/ringpipe, for the qemu tests.
 *
 *   rptest selftest            every edge case below; TAP-like lines, exit 1 on failure
 *   rptest send NAME COUNT     writes "c:<i>" COUNT times (blocking), then closes
 *   rptest recv NAME           prints each message on a line until EOF
 *   rptest fill NAME           fills the ring, prints "full", then blocks in write()
 *   rptest hold NAME           binds, prints "bound", waits for stdin to close
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ringpipe_linux_abi.h"

#define DEV "/dev/" RINGPIPE_DEVICE_NAME

static int failures, checks;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		checks++;                                                      \
		if (cond) {                                                    \
			printf("ok %d - ", checks);                            \
		} else {                                                       \
			failures++;                                            \
			printf("not ok %d - (line %d, errno %d %s) ", checks,  \
			       __LINE__, errno, strerror(errno));              \
		}                                                              \
		printf(__VA_ARGS__);                                           \
		printf("\n");                                                  \
	} while (0)

/* -1 with errno e: the call failed the expected way. */
#define FAILS(call, e) ((call) == -1 && errno == (e))

static int dev_open(int flags)
{
	int fd = open(DEV, flags | O_CLOEXEC);

	if (fd < 0) {
		perror(DEV);
		exit(2);
	}
	return fd;
}

static int bind_to(int fd, const char *name, unsigned int flags,
		   unsigned int capacity, unsigned int mode,
		   struct ringpipe_bind *out)
{
	struct ringpipe_bind b;

	memset(&b, 0, sizeof(b));
	b.name_len = strlen(name);
	memcpy(b.name, name, b.name_len > RINGPIPE_NAME_MAX ? RINGPIPE_NAME_MAX : b.name_len);
	if (b.name_len > RINGPIPE_NAME_MAX)
		b.name_len = strlen(name); /* too long on purpose */
	b.flags = flags;
	b.perm = 0600;
	b.capacity = capacity;
	b.mode = mode;
	if (ioctl(fd, RINGPIPE_IOC_BIND, &b) < 0)
		return -1;
	if (out)
		*out = b;
	return 0;
}

static int open_bound(const char *name, int oflags, unsigned int capacity,
		      unsigned int mode, struct ringpipe_bind *out)
{
	int fd = dev_open(oflags);

	if (bind_to(fd, name, RINGPIPE_BIND_CREATE, capacity, mode, out) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static short poll_one(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static void test_unbound(void)
{
	int fd = dev_open(O_RDWR);
	char buf[8];
	uint32_t v = 0;

	CHECK(ioctl(fd, RINGPIPE_IOC_VERSION, &v) == 0 && v == RINGPIPE_ABI_VERSION,
	      "VERSION is %u", v);
	CHECK(FAILS(read(fd, buf, sizeof(buf)), EBADFD), "read before bind: EBADFD");
	CHECK(FAILS(write(fd, "x", 1), EBADFD), "write before bind: EBADFD");
	CHECK(poll_one(fd, POLLIN | POLLOUT) & POLLERR, "poll before bind: POLLERR");
	CHECK(mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EBADFD,
	      "mmap before bind: EBADFD");
	v = RINGPIPE_WAKE_DATA;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_WAKE, &v), EBADFD), "WAKE before bind: EBADFD");
	CHECK(FAILS(ioctl(fd, _IO(RINGPIPE_IOC_MAGIC, 0x40)), ENOTTY), "unknown ioctl: ENOTTY");
	CHECK(FAILS(ioctl(fd, _IOW(RINGPIPE_IOC_MAGIC, 0x01, uint32_t), &v), ENOTTY),
	      "BIND number with a wrong size: ENOTTY");
	CHECK(FAILS(ioctl(fd, TCGETS, buf), ENOTTY), "a tty ioctl: ENOTTY");
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, (void *)8), EFAULT), "BIND from a bad address: EFAULT");
	close(fd);
}

static void test_bind_errors(void)
{
	static const char *const bad[] = { "a/b", ".", "..", "a b", "a\\b", "h\xc3\xa9" };
	char long_name[80];
	struct ringpipe_bind b;
	unsigned int i;
	int fd = dev_open(O_RDWR);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(FAILS(bind_to(fd, bad[i], RINGPIPE_BIND_CREATE, 4096, 0, NULL), EINVAL),
		      "bad name \"%s\": EINVAL", bad[i]);
	CHECK(FAILS(bind_to(fd, "", RINGPIPE_BIND_CREATE, 4096, 0, NULL), EINVAL), "empty name: EINVAL");
	memset(&b, 0, sizeof(b));
	memset(b.name, 'a', sizeof(b.name));
	b.name_len = 65;
	b.flags = RINGPIPE_BIND_CREATE;
	b.capacity = 4096;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), ENAMETOOLONG), "65 characters: ENAMETOOLONG");
	memset(long_name, 'a', 64);
	long_name[64] = 0;
	b.name_len = 64;
	b.flags = RINGPIPE_BIND_CREATE | 0x80;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), EINVAL), "unknown flag: EINVAL");
	b.flags = RINGPIPE_BIND_CREATE;
	b.reserved[3] = 1;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), EINVAL), "reserved not zero: EINVAL");
	b.reserved[3] = 0;
	b.capacity = 100;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), EINVAL), "capacity 100: EINVAL");
	b.capacity = 1u << 30;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), EFBIG), "capacity 1 GiB above max_capacity: EFBIG");
	b.capacity = 4096;
	b.mode = 3;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), EINVAL), "mode 3: EINVAL");
	b.mode = 0;
	b.perm = 0777;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), EINVAL), "perm 0777: EINVAL");
	b.perm = 0600;
	CHECK(ioctl(fd, RINGPIPE_IOC_BIND, &b) == 0 && b.created == 1 && b.capacity == 4096 &&
		      b.mode == RINGPIPE_MODE_MESSAGE && b.max_record == 4088 && b.token != 0,
	      "64-character name binds: created, capacity 4096, message mode, max_record 4088");
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_BIND, &b), EBUSY), "second BIND: EBUSY");
	close(fd);

	fd = dev_open(O_RDWR);
	CHECK(FAILS(bind_to(fd, "RPT-NONE", 0, 4096, 0, NULL), ENOENT), "open-existing of no pipe: ENOENT");
	close(fd);
}

static void test_messages(void)
{
	struct ringpipe_bind b, b2;
	struct ringpipe_recv r;
	char buf[8192];
	int w, rd, fd;
	ssize_t n;
	int i;

	w = open_bound("rpt-msg", O_RDWR | O_NONBLOCK, 4096, RINGPIPE_MODE_MESSAGE, &b);
	rd = open_bound("RPT-MSG", O_RDWR | O_NONBLOCK, 65536, 0, &b2);
	CHECK(w >= 0 && rd >= 0 && b2.created == 0 && b2.capacity == 4096,
	      "names are case-insensitive: the second bind joins with the first capacity");
	fd = dev_open(O_RDWR);
	CHECK(FAILS(bind_to(fd, "rpt-msg", RINGPIPE_BIND_CREATE | RINGPIPE_BIND_EXCL, 4096, 0, NULL), EEXIST),
	      "CREATE|EXCL of an open name: EEXIST");
	CHECK(FAILS(bind_to(fd, "rpt-msg", RINGPIPE_BIND_CREATE, 4096, RINGPIPE_MODE_BYTE, NULL), EPROTOTYPE),
	      "bind in byte mode to a message pipe: EPROTOTYPE");
	close(fd);

	CHECK(FAILS(read(rd, buf, sizeof(buf)), EAGAIN), "O_NONBLOCK read of an empty pipe: EAGAIN");
	CHECK(!(poll_one(rd, POLLIN) & POLLIN), "poll: not readable when empty");
	CHECK(FAILS(write(w, buf, 4089), EMSGSIZE), "message of max_record + 1: EMSGSIZE");
	CHECK(write(w, "hello", 5) == 5, "write one message");
	CHECK(poll_one(rd, POLLIN) & POLLIN, "poll: readable");
	CHECK(FAILS(read(rd, buf, 2), EMSGSIZE), "read into 2 bytes: EMSGSIZE");
	memset(&r, 0, sizeof(r));
	r.buf = (uintptr_t)buf;
	r.size = 3;
	CHECK(FAILS(ioctl(rd, RINGPIPE_IOC_RECV, &r), EMSGSIZE) && r.len == 5,
	      "RECV into 3 bytes: EMSGSIZE, len 5");
	n = read(rd, buf, sizeof(buf));
	CHECK(n == 5 && !memcmp(buf, "hello", 5), "then the whole message: nothing was lost");
	memset(buf, 'm', sizeof(buf));
	CHECK(write(w, buf, 4088) == 4088, "a message of max_record bytes");
	CHECK(FAILS(write(w, "x", 1), EAGAIN), "O_NONBLOCK write to a full ring: EAGAIN");
	CHECK(!(poll_one(w, POLLOUT) & POLLOUT), "poll: not writable when full");
	n = read(rd, buf, sizeof(buf));
	CHECK(n == 4088, "read it back (%zd)", n);
	CHECK(poll_one(w, POLLOUT) & POLLOUT, "poll: writable again");
	{
		/* A buffer whose second half is not mapped: the copy faults half way. */
		char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		munmap(two + 4096, 4096);
		CHECK(FAILS(write(w, two + 4096 - 100, 200), EFAULT),
		      "write from a buffer that faults half way: EFAULT");
		munmap(two, 4096);
	}
	CHECK(write(w, "after", 5) == 5 && read(rd, buf, sizeof(buf)) == 5 && !memcmp(buf, "after", 5),
	      "its reservation is abandoned: the reader gets the next message");
	{
		struct ringpipe_stat st;

		memset(&st, 0, sizeof(st));
		CHECK(ioctl(rd, RINGPIPE_IOC_STAT, &st) == 0 && st.info.abandoned == 1,
		      "STAT counts the abandoned record");
	}
	CHECK(write(w, "", 0) == 0, "an empty message");
	r.size = sizeof(buf);
	CHECK(ioctl(rd, RINGPIPE_IOC_RECV, &r) == 0 && r.len == 0 && r.flags == 0,
	      "RECV: an empty message, not EOF");
	for (i = 0; i < 10; i++) {
		n = snprintf(buf, sizeof(buf), "m%d", i);
		write(w, buf, n);
	}
	close(w);
	for (i = 0; i < 10; i++) {
		char want[16];
		int len = snprintf(want, sizeof(want), "m%d", i);

		n = read(rd, buf, sizeof(buf));
		if (n != len || memcmp(buf, want, len))
			break;
	}
	CHECK(i == 10, "messages written before the writer closed are read in order");
	CHECK(read(rd, buf, sizeof(buf)) == 0, "then EOF: read returns 0");
	CHECK(ioctl(rd, RINGPIPE_IOC_RECV, &r) == 0 && (r.flags & RINGPIPE_RECV_EOF), "RECV: EOF flag");
	CHECK((poll_one(rd, POLLIN) & (POLLIN | POLLHUP)) == (POLLIN | POLLHUP), "poll at EOF: POLLIN|POLLHUP");
	close(rd);
}

static void test_blocking(void)
{
	struct sigaction sa;
	char buf[64];
	int w, rd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	rd = open_bound("rpt-block", O_RDWR, 4096, 0, NULL);
	alarm(1);
	CHECK(FAILS(read(rd, buf, sizeof(buf)), EINTR), "blocking read on an empty pipe sleeps until a signal");
	w = open_bound("rpt-block", O_WRONLY, 4096, 0, NULL);
	alarm(1);
	CHECK(FAILS(read(rd, buf, sizeof(buf)), EINTR), "an O_WRONLY handle is a writer: still no EOF");
	close(w);
	CHECK(read(rd, buf, sizeof(buf)) == 0, "EOF once that writer closed");
	close(rd);
}

static void test_bytes(void)
{
	char big[10000], out[10000];
	int w, rd, i;
	ssize_t n, got = 0;

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i * 7);
	w = open_bound("rpt-bytes", O_RDWR | O_NONBLOCK, 4096, RINGPIPE_MODE_BYTE, NULL);
	rd = open_bound("rpt-bytes", O_RDWR | O_NONBLOCK, 4096, RINGPIPE_MODE_BYTE, NULL);
	n = write(w, big, sizeof(big));
	CHECK(n > 0 && n < (ssize_t)sizeof(big), "byte mode: a write larger than the ring is partial (%zd)", n);
	while (got < n) {
		ssize_t k = read(rd, out + got, 1000);

		if (k <= 0)
			break;
		got += k;
	}
	CHECK(got == n && !memcmp(big, out, n), "byte mode: the bytes come back in order (%zd)", got);
	close(w);
	close(rd);
}

static void test_mmap(void)
{
	struct ringpipe_bind b;
	struct sigaction sa;
	volatile uint32_t *h;
	char buf[64];
	uint32_t v;
	void *m;
	int fd, w;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	fd = open_bound("rpt-map", O_RDWR | O_NONBLOCK, 4096, 0, &b);
	w = open_bound("rpt-map", O_RDWR | O_NONBLOCK, 4096, 0, NULL);
	CHECK(mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EINVAL,
	      "mmap larger than the ring: EINVAL");
	CHECK(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == EINVAL,
	      "private mmap: EINVAL");
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap of header + data area");
	if (m == MAP_FAILED)
		return;
	h = m;
	CHECK(h[0] == 0x50495052 && h[2] == 4096 && h[3] == 1 && h[4] == 128,
	      "mapped header: magic, capacity 4096, message mode, 128 slots");
	CHECK(h[(256 + 16 * b.slot + 4) / 4] == b.token, "the bound slot holds the token BIND returned");
	write(w, "abc", 3);
	CHECK(h[16] == 16 && h[20] == 1, "a write moves head and msgs_in in the mapping");

	/* Hostile mapping: the writer lock held by a live token forever. */
	h[68 / 4] = b.token;
	CHECK(FAILS(write(w, "x", 1), EAGAIN), "wlock held through the mapping: O_NONBLOCK write gives EAGAIN");
	fcntl(w, F_SETFL, 0);
	alarm(1);
	CHECK(FAILS(write(w, "x", 1), EINTR), "and a blocking write waits, interruptibly");
	h[68 / 4] = 0x7ffffff1; /* a token no slot holds: its holder is gone */
	CHECK(write(w, "def", 3) == 3, "wlock of a dead token is stolen: writes go on");
	CHECK(h[68 / 4] == 0, "and the lock is free again");
	CHECK(read(fd, buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3), "read after the lock games");
	v = 0x80;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_WAKE, &v), EINVAL), "WAKE with unknown bits: EINVAL");
	v = 99;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_ROLE, &v), EINVAL), "ROLE 99: EINVAL");
	v = RINGPIPE_WAKE_DATA | RINGPIPE_WAKE_SPACE;
	CHECK(ioctl(fd, RINGPIPE_IOC_WAKE, &v) == 0, "WAKE");
	/* Hostile mapping: head no longer a multiple of 8. */
	h[16] = h[32] + 3;
	CHECK(FAILS(read(fd, buf, sizeof(buf)), EIO), "a corrupt head: read gives EIO");
	CHECK(FAILS(write(w, "x", 1), EIO), "and write gives EIO");
	/* Hostile mapping: a record longer than the ring. */
	h[16] = h[32] + 16;
	h[(4096 + (h[32] & 4095)) / 4] = (2u << 30) | 0x3fffffff;
	CHECK(FAILS(read(fd, buf, sizeof(buf)), EIO), "a record longer than the ring: EIO");
	munmap(m, 8192);
	close(fd);
	close(w);
}

static void test_list(void)
{
	struct ringpipe_info infos[16];
	struct ringpipe_list l = { .entries = (uintptr_t)infos, .max = 16 };
	struct ringpipe_stat s;
	int fd = open_bound("rpt-list", O_RDWR, 8192, RINGPIPE_MODE_BYTE, NULL);
	unsigned int i, found = 0;

	CHECK(ioctl(fd, RINGPIPE_IOC_LIST, &l) == 0 && l.count >= 1, "LIST (%u pipes)", l.count);
	for (i = 0; i < l.count && i < 16; i++)
		if (!strcmp(infos[i].name, "RPT-LIST") && infos[i].capacity == 8192 &&
		    infos[i].mode == RINGPIPE_MODE_BYTE && infos[i].attached == 1)
			found++;
	CHECK(found == 1, "LIST shows RPT-LIST once, in canonical form, with its capacity and mode");
	memset(&s, 0, sizeof(s));
	memcpy(s.name, "Rpt-List", 8);
	s.name_len = 8;
	CHECK(ioctl(fd, RINGPIPE_IOC_STAT, &s) == 0 && s.info.capacity == 8192 && s.info.refs == 1,
	      "STAT by name");
	memcpy(s.name, "rpt-nothing", 11);
	s.name_len = 11;
	CHECK(FAILS(ioctl(fd, RINGPIPE_IOC_STAT, &s), ENOENT), "STAT of no pipe: ENOENT");
	s.name_len = 0;
	CHECK(ioctl(fd, RINGPIPE_IOC_STAT, &s) == 0 && !strcmp(s.info.name, "RPT-LIST"),
	      "STAT of the bound pipe");
	close(fd);
	l.max = 0;
	fd = dev_open(O_RDONLY);
	CHECK(ioctl(fd, RINGPIPE_IOC_LIST, &l) == 0, "LIST with max 0 (%u pipes left)", l.count);
	close(fd);
}

#define THREAD_MSGS 2000

struct thread_arg {
	int fd;
	int id;
	int count;
	int bad;
	int seen[4];
};

/* Writers share one file (one handle, one token): the kernel serialises them through the ring. */
static void *writer_thread(void *p)
{
	struct thread_arg *a = p;
	char buf[32];
	int i;

	for (i = 0; i < THREAD_MSGS; i++) {
		int n = snprintf(buf, sizeof(buf), "%d:%d", a->id, i);

		if (write(a->fd, buf, n) != n)
			a->bad++;
	}
	return NULL;
}

static void *reader_thread(void *p)
{
	struct thread_arg *a = p;
	char buf[64];
	ssize_t n;
	int id, seq, i;

	for (i = 0; i < 4; i++)
		a->seen[i] = -1;
	while ((n = read(a->fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		if (sscanf(buf, "%d:%d", &id, &seq) != 2 || id < 0 || id > 3 || seq <= a->seen[id])
			a->bad++;
		else
			a->seen[id] = seq;
		a->count++;
	}
	if (n < 0)
		a->bad++;
	return NULL;
}

static void test_threads(void)
{
	struct thread_arg w[4], r[2];
	pthread_t wt[4], rt[2];
	int wfd, rfd, i, total = 0, bad = 0;

	rfd = open_bound("rpt-threads", O_RDONLY, 4096, 0, NULL);
	wfd = open_bound("rpt-threads", O_WRONLY, 4096, 0, NULL);
	for (i = 0; i < 2; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].fd = rfd;
		pthread_create(&rt[i], NULL, reader_thread, &r[i]);
	}
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].fd = wfd;
		w[i].id = i;
		pthread_create(&wt[i], NULL, writer_thread, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(wt[i], NULL);
		bad += w[i].bad;
	}
	close(wfd);
	for (i = 0; i < 2; i++) {
		pthread_join(rt[i], NULL);
		total += r[i].count;
		bad += r[i].bad;
	}
	close(rfd);
	CHECK(total == 4 * THREAD_MSGS && bad == 0,
	      "4 threads writing on one file, 2 reading on another: %d messages, %d out of order or failed",
	      total, bad);
}

static int selftest(void)
{
	test_unbound();
	test_bind_errors();
	test_messages();
	test_blocking();
	test_bytes();
	test_mmap();
	test_list();
	test_threads();
	printf("%d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}

static int cmd_send(const char *name, int count)
{
	int fd = open_bound(name, O_WRONLY, 1 << 16, 0, NULL);
	char buf[64];
	int i;

	if (fd < 0) {
		perror("bind");
		return 1;
	}
	for (i = 0; i < count; i++) {
		int n = snprintf(buf, sizeof(buf), "c:%d", i);

		if (write(fd, buf, n) != n) {
			perror("write");
			return 1;
		}
	}
	close(fd);
	return 0;
}

static int cmd_recv(const char *name)
{
	int fd = open_bound(name, O_RDONLY, 1 << 16, 0, NULL);
	static char buf[1 << 16];
	ssize_t n;

	if (fd < 0) {
		perror("bind");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		printf("%.*s\n", (int)n, buf);
	if (n < 0) {
		perror("read");
		return 1;
	}
	return 0;
}

static int cmd_fill(const char *name)
{
	int fd = open_bound(name, O_RDWR | O_NONBLOCK, 4096, 0, NULL);
	char buf[1000];

	if (fd < 0) {
		perror("bind");
		return 1;
	}
	memset(buf, 'f', sizeof(buf));
	while (write(fd, buf, sizeof(buf)) == sizeof(buf))
		;
	fcntl(fd, F_SETFL, 0);
	printf("full\n");
	fflush(stdout);
	write(fd, buf, sizeof(buf));
	return 0;
}

static int cmd_hold(const char *name)
{
	int fd = open_bound(name, O_RDWR, 4096, 0, NULL);
	char c;

	if (fd < 0) {
		perror("bind");
		return 1;
	}
	printf("bound\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "selftest"))
		return selftest();
	if (argc == 4 && !strcmp(argv[1], "send"))
		return cmd_send(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "recv"))
		return cmd_recv(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2]);
	fprintf(stderr, "usage: rptest selftest | send NAME COUNT | recv NAME | fill NAME | hold NAME\n");
	return 2;
}
