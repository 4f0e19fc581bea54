// SPDX-License-Identifier: MIT
/* rptest's shared helpers: rptest.c has them, rptest_*.c use them. */
#ifndef RPTEST_H
#define RPTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "ringpipe_linux_abi.h"

#define DEV "/dev/" RINGPIPE_DEVICE_NAME

extern int failures, checks;

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

struct holder {
	pid_t pid;
	int ctl; /* closing it ends the holder */
};

int dev_open(int flags);
int bind_to(int fd, const char *name, unsigned int flags, unsigned int capacity,
	    unsigned int mode, struct ringpipe_bind *out);
int open_bound(const char *name, int oflags, unsigned int capacity,
	       unsigned int mode, struct ringpipe_bind *out);
void on_alarm(int sig);
short poll_one(int fd, short events);
void become(uid_t uid);
/* Runs fn(arg) as uid in a child; returns its exit status (an errno, 0 for success). */
int as_uid(uid_t uid, int (*fn)(void *), void *arg);
/* A child of uid that binds name (creating it with perm) and holds it until released. */
struct holder hold_as(uid_t uid, const char *name, unsigned int perm,
		      unsigned int capacity);
/*
 * The same with the open flags and bind flags given; the child closes
 * @other (another holder's control end, which would keep that one alive), or -1.
 */
struct holder hold_with(uid_t uid, const char *name, int oflags, unsigned int flags,
			unsigned int perm, unsigned int capacity, int other);
/* RINGPIPE_IOC_REMOVE of name: 0 or the errno. */
int remove_pipe(const char *name);
void release(struct holder *h);
int bind_errno(int oflags, const char *name, unsigned int flags,
	       unsigned int perm, unsigned int capacity);
void set_param(const char *name, unsigned long value);
unsigned long long cg_read(const char *path);
int cg_write(const char *path, const char *text);
int stat_name(const char *name, struct ringpipe_info *info);

/* rptest_lifetime.c: kept pipes, REMOVE, ttl, who is charged, STAT's look. */
void test_lifetime(void);
/* rptest_hostile.c: a forged ring under poll(), a growing record, write()'s errno, racing creators. */
void test_hostile(void);

#endif
