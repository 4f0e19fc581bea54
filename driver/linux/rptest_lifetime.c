// SPDX-License-Identifier: MIT
/*
 * rptest: a pipe's life past its last file (kept pipes, REMOVE, ttl), whose
 * limits its ring counts against, and what STAT shows whom.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rp_bind_request.h"
#include "rptest.h"

#define KEPT_CAP 65536u
#define KEPT_MSGS 3

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What a uid holds against its limits (as root). */
static struct ringpipe_usage usage_of(uid_t uid)
{
	struct ringpipe_usage u = { .uid = uid };
	int fd = dev_open(O_RDONLY);

	if (ioctl(fd, RINGPIPE_IOC_USAGE, &u))
		u.pipes = u.bytes = ~0u;
	close(fd);
	return u;
}

static int remove_name(void *name)
{
	return remove_pipe(name);
}

/* Creates NAME (0644, 64 KiB, ttl_ms from the name's table below), writes k0..k2, closes. */
struct writer_arg {
	const char *name;
	uint64_t ttl_ms;
};

static int write_and_close(void *p)
{
	struct writer_arg *a = p;
	struct ringpipe_bind b;
	char msg[8];
	int fd = dev_open(O_WRONLY), i;

	rp_bind_request(&b, a->name, RINGPIPE_BIND_CREATE, 0644, KEPT_CAP, 0);
	b.ttl_ms = a->ttl_ms;
	if (ioctl(fd, RINGPIPE_IOC_BIND, &b))
		return errno;
	for (i = 0; i < KEPT_MSGS; i++) {
		snprintf(msg, sizeof(msg), "k%d", i);
		if (write(fd, msg, 2) != 2)
			return 90;
	}
	close(fd);
	return 0;
}

/* Binds NAME read-only without creating: k0..k2 in order, then EOF. */
static int read_all(void *name)
{
	char buf[64], want[8];
	int fd = dev_open(O_RDONLY), i;

	if (bind_to(fd, name, 0, 0, 0, NULL))
		return errno;
	for (i = 0; i < KEPT_MSGS; i++) {
		snprintf(want, sizeof(want), "k%d", i);
		if (read(fd, buf, sizeof(buf)) != 2 || memcmp(buf, want, 2))
			return 80 + i;
	}
	if (read(fd, buf, sizeof(buf)) != 0)
		return 89;
	close(fd);
	return 0;
}

static int create_empty(void *name)
{
	int fd = dev_open(O_RDWR);

	if (bind_to(fd, name, RINGPIPE_BIND_CREATE, 4096, 0, NULL))
		return errno;
	close(fd);
	return 0;
}

static void test_kept(void)
{
	struct writer_arg w = { "rpt-kept", 0 };
	struct ringpipe_info info;
	struct ringpipe_usage u;
	uint64_t now = wall_ms();
	int st;

	st = as_uid(1000, write_and_close, &w);
	CHECK(st == 0, "uid 1000 writes 3 messages into a new pipe and exits (%d)", st);
	CHECK(stat_name("rpt-kept", &info) == 0 && (info.flags & RINGPIPE_INFO_KEPT) && info.refs == 0 &&
	      info.attached == 0 && info.unread_msgs == KEPT_MSGS && info.unread_bytes == 2 * KEPT_MSGS &&
	      info.kept_since_ms + 5000 >= now && info.kept_since_ms <= wall_ms() + 1000 && info.ttl_ms == 0,
	      "the pipe is kept past its last close: STAT says kept, %llu unread messages, %llu bytes, kept since %lld ms",
	      (unsigned long long)info.unread_msgs, (unsigned long long)info.unread_bytes,
	      (long long)(wall_ms() - info.kept_since_ms));
	u = usage_of(1000);
	CHECK(u.pipes == 1 && u.bytes == KEPT_CAP + 4096,
	      "its ring stays charged to its creator: USAGE of uid 1000 is %u pipe(s), %llu bytes", u.pipes,
	      (unsigned long long)u.bytes);
	st = as_uid(1001, read_all, "rpt-kept");
	CHECK(st == 0, "a reader of another uid that binds it later gets the 3 messages in order, then EOF (%d)", st);
	CHECK(stat_name("rpt-kept", &info) == -1 && errno == ENOENT, "read empty and closed, the pipe is gone");
	u = usage_of(1000);
	CHECK(u.pipes == 0 && u.bytes == 0, "and uid 1000 is charged nothing (%u, %llu)", u.pipes,
	      (unsigned long long)u.bytes);
	st = as_uid(1000, create_empty, "rpt-empty");
	CHECK(st == 0 && stat_name("rpt-empty", &info) == -1 && errno == ENOENT,
	      "a pipe with nothing unread goes at its last close");
}

static void test_remove(void)
{
	struct writer_arg w = { "rpt-rm", 0 };
	struct ringpipe_info info;
	struct ringpipe_bind b;
	char buf[16];
	int fd, fd2;

	CHECK(as_uid(1000, write_and_close, &w) == 0, "uid 1000 leaves a kept pipe");
	CHECK(as_uid(1001, remove_name, "rpt-rm") == EACCES, "REMOVE by another uid: EACCES");
	CHECK(as_uid(1000, remove_name, "RPT-RM") == 0, "REMOVE by its owner (any case)");
	CHECK(stat_name("rpt-rm", &info) == -1 && errno == ENOENT && usage_of(1000).pipes == 0,
	      "the kept pipe is gone with its messages, and its charge");
	CHECK(remove_name("rpt-rm") == ENOENT, "REMOVE of no pipe: ENOENT");
	CHECK(as_uid(1000, write_and_close, &w) == 0 && remove_name("rpt-rm") == 0,
	      "root (CAP_SYS_ADMIN) removes another uid's pipe");

	fd = open_bound("rpt-rm2", O_RDWR | O_NONBLOCK, 4096, 0, NULL);
	CHECK(fd >= 0 && write(fd, "old", 3) == 3 && remove_name("rpt-rm2") == 0,
	      "REMOVE of a pipe that a file has open");
	fd2 = open_bound("rpt-rm2", O_RDWR | O_NONBLOCK, 4096, 0, &b);
	CHECK(fd2 >= 0 && b.created == 1, "the next BIND of the name creates a new pipe");
	CHECK(FAILS(read(fd2, buf, sizeof(buf)), EAGAIN), "which is empty");
	CHECK(write(fd, "more", 4) == 4 && read(fd, buf, sizeof(buf)) == 3 && !memcmp(buf, "old", 3),
	      "while the open file keeps working on the old one");
	close(fd);
	CHECK(stat_name("rpt-rm2", &info) == 0 && info.refs == 1 && info.msgs_in == 0,
	      "closing it, with a message unread, keeps nothing: it was removed (STAT sees the new one)");
	close(fd2);
}

static void test_ttl(void)
{
	struct writer_arg w = { "rpt-ttl", 300 };
	struct ringpipe_info info;
	char buf[16];
	int i, fd;

	CHECK(as_uid(1000, write_and_close, &w) == 0 && stat_name("rpt-ttl", &info) == 0 &&
	      (info.flags & RINGPIPE_INFO_KEPT) && info.ttl_ms == 300,
	      "a pipe created with ttl_ms 300 is kept, with its ttl");
	/* A generous limit: 20 s for a 300 ms timer; what counts is that it goes. */
	for (i = 0; i < 400 && stat_name("rpt-ttl", &info) == 0; i++)
		usleep(50000);
	CHECK(i < 400 && errno == ENOENT && usage_of(1000).pipes == 0,
	      "past its ttl it is removed with its messages, and uncharged (%d polls of 50 ms)", i);

	w.name = "rpt-ttl2";
	w.ttl_ms = 400;
	CHECK(as_uid(1000, write_and_close, &w) == 0, "another one, ttl_ms 400");
	fd = dev_open(O_RDONLY);
	CHECK(bind_to(fd, "rpt-ttl2", 0, 0, 0, NULL) == 0, "a reader binds it before it expires");
	usleep(1200000);
	CHECK(stat_name("rpt-ttl2", &info) == 0 && !(info.flags & RINGPIPE_INFO_KEPT) &&
	      read(fd, buf, sizeof(buf)) == 2, "bound, it is not kept: its ttl does not run");
	close(fd);
	for (i = 0; i < 400 && stat_name("rpt-ttl2", &info) == 0; i++)
		usleep(50000);
	CHECK(i < 400, "kept again at the reader's close (2 unread), it expires again (%d polls)", i);
}

static void test_charge_moves(void)
{
	struct holder owner = hold_as(1000, "rpt-chg", 0644, KEPT_CAP);
	struct holder reader = hold_with(1001, "rpt-chg", O_RDONLY, 0, 0, 0, owner.ctl);
	struct ringpipe_usage a, b;

	a = usage_of(1000);
	b = usage_of(1001);
	CHECK(owner.pid > 0 && reader.pid > 0 && a.pipes == 1 && b.pipes == 0,
	      "owner and a reader of uid 1001 bound: the ring counts against the owner only");
	release(&owner);
	a = usage_of(1000);
	b = usage_of(1001);
	CHECK(a.pipes == 0 && a.bytes == 0 && b.pipes == 1 && b.bytes == KEPT_CAP + 4096,
	      "the owner gone, the reader that keeps the ring open is charged for it, not the owner (%u/%u)",
	      a.pipes, b.pipes);
	release(&reader);
	CHECK(usage_of(1001).pipes == 0, "and no one once it is gone");
}

static int stat_bound_wo(void *unused)
{
	struct ringpipe_stat s;
	int fd = dev_open(O_WRONLY);

	(void)unused;
	if (bind_to(fd, "rpt-wo", 0, 0, 0, NULL))
		return 10;
	memset(&s, 0, sizeof(s));
	if (!FAILS(ioctl(fd, RINGPIPE_IOC_STAT, &s), EACCES))
		return 20;
	s.name_len = 6;
	memcpy(s.name, "rpt-wo", 6);
	if (!FAILS(ioctl(fd, RINGPIPE_IOC_STAT, &s), EACCES))
		return 30;
	return 0;
}

static int usage_of_other(void *unused)
{
	struct ringpipe_usage u = { .uid = 1000 };
	int fd = dev_open(O_RDONLY), ret;

	(void)unused;
	ret = FAILS(ioctl(fd, RINGPIPE_IOC_USAGE, &u), EPERM) ? 0 : 10;
	u.uid = RINGPIPE_USAGE_SELF;
	if (!ret && (ioctl(fd, RINGPIPE_IOC_USAGE, &u) || u.uid != 1001))
		ret = 20;
	close(fd);
	return ret;
}

static void test_looks(void)
{
	struct holder owner = hold_as(1000, "rpt-wo", 0602, 4096);
	struct ringpipe_stat s;
	unsigned char infos[4 * 200];
	struct ringpipe_list l = { .entries = (uintptr_t)infos, .max = 4 };
	int fd, st;

	st = as_uid(1001, stat_bound_wo, NULL);
	CHECK(owner.pid > 0 && st == 0,
	      "a write-only uid bound to a 0602 pipe: STAT of the bound file EACCES, as STAT by name (%d)", st);
	CHECK(as_uid(1001, usage_of_other, NULL) == 0, "USAGE: one's own; another uid's EPERM");
	fd = dev_open(O_RDONLY);
	memset(&s, 0, sizeof(s));
	s.name_len = 6;
	memcpy(s.name, "rpt-wo", 6);
	CHECK(ioctl(fd, RINGPIPE_IOC_STAT_V1, &s) == 0 && !strcmp(s.info.name, "RPT-WO") && s.info.flags == 0 &&
	      s.info.unread_msgs == 0, "ABI 1's STAT still works, and copies out only its 152-byte info");
	memset(infos, 0xee, sizeof(infos));
	CHECK(ioctl(fd, RINGPIPE_IOC_LIST_V1, &l) == 0 && l.count >= 1 && infos[0] == 'R' &&
	      (l.count < 2 || infos[RINGPIPE_INFO_V1_SIZE] == 'R'),
	      "ABI 1's LIST: entries of 152 bytes (%u pipes)", l.count);
	l.max = 0;
	CHECK(ioctl(fd, RINGPIPE_IOC_LIST, &l) == 0 && l.entry_size == sizeof(struct ringpipe_info),
	      "LIST reports its entry size (%u)", l.entry_size);
	close(fd);
	release(&owner);
}

void test_lifetime(void)
{
	if (geteuid() != 0) {
		printf("# not root: lifetime cases skipped\n");
		return;
	}
	test_kept();
	test_remove();
	test_ttl();
	test_charge_moves();
	test_looks();
}
