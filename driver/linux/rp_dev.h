/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringpipe Linux driver: state shared by its files.
 *
 * Objects and their locks:
 *  - rp_registry (driver/core): name -> struct rp_pipe, refcounted; its own
 *    mutex, held only for list walks and counters.
 *  - struct rp_kpipe (pipe->os): wait queues, and the handles the kernel
 *    gave out, guarded by attach_lock (attach, detach, reclaim).
 *  - struct rp_file (file->private_data): unbound until RINGPIPE_IOC_BIND,
 *    then bound to one pipe for good; bind_lock serialises BIND.
 *  - rp_limits.c: per-uid usage under rp_users_lock, and the driver's own
 *    list of pipes under rp_pipes_lock, which STAT and LIST walk with
 *    references (kp->walkers) instead of the registry (whose lock every
 *    BIND takes). Both are leaves, held for list and counter updates only.
 *  - The ring itself is guarded by its own wlock / rlock words, which live
 *    in memory that user space may map and write: the kernel takes them a
 *    bounded number of times (RP_KLOCK_SPINS) and never sleeps holding one.
 */
#ifndef RP_DEV_H
#define RP_DEV_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "rp_registry.h"
#include "ringpipe_linux_abi.h"

#define RP_KLOCK_SPINS 2048u
/*
 * Records one look at the ring (a read, poll's readable check) skips or
 * looks past before it returns to the driver, which reschedules and checks
 * signals between looks (the ring is user-writable: it may be all records
 * to skip).
 */
#define RP_KWALK_MAX 64u
/* Pipes STAT and LIST pick per hold of rp_pipes_lock. */
#define RP_WALK_BATCH 16u
/*
 * Handles on one pipe: uids other than the owner hold at most half of the
 * slots each, and RP_OWNER_SLOTS are kept for the owner, so that readers a
 * pipe's permission bits let in cannot lock its owner out (EUSERS).
 */
#define RP_OTHER_UID_SLOTS (RP_SLOT_COUNT / 2)
#define RP_OWNER_SLOTS 16u
/* A registry status of the driver's own (ctx_init): a per-uid limit (EDQUOT). */
#define RP_KQUOTA (RP_STATUS_COUNT + 1)

struct rp_kpipe {
	wait_queue_head_t rwait; /* readers: data or EOF (data_seq) */
	wait_queue_head_t wwait; /* writers: space (space_seq) */
	struct mutex attach_lock;
	/*
	 * By ring slot: the process id of the handle the kernel gave out on
	 * it, 0 for a free slot; written under attach_lock, read locklessly
	 * by rp_alive(). A ring slot is live exactly while its entry is set.
	 */
	u32 kpid[RP_SLOT_COUNT];
	u32 kuid[RP_SLOT_COUNT]; /* the euid that bound each handle */
	/*
	 * The token each handle was given (0 for a free slot), under
	 * attach_lock: the live tokens, whatever the ring's slot words say.
	 */
	u32 ktoken[RP_SLOT_COUNT];
	u32 handles;
	/*
	 * The ring's charge (rp_limits.c): charged bytes to charged_uid, the
	 * owner while it has a handle or no handle has it (kept), else the
	 * uid of a handle that keeps it open. The creating BIND charged it
	 * before the ring was allocated; the pipe owns it from ctx_init on.
	 */
	size_t charged;
	u32 charged_uid;
	/* Lifetime past the last file (rp_keep.c), under attach_lock. */
	bool kept;		/* no file: the pipe holds a reference for its unread data */
	bool removed;		/* REMOVE or expiry took its name: never kept again */
	u64 kept_since_ms;	/* wall clock when it was kept */
	u64 ttl_ms;		/* set by the creator, 0: none */
	struct delayed_work expire; /* ends a kept pipe after ttl_ms */
	struct rp_pipe *exit_next;  /* rp_keep_drop_all()'s list */
	struct rp_pipe *pipe;	    /* the pipe this is the context of */
	u32 list_id;		/* in rp_pipes, 0 when not listed */
	atomic_t walkers;	/* STAT or LIST looking at it (rp_limits.c) */
	struct rp_env env; /* the ring's env: alive() answers from kpid[] */
};

/* rp_file.counted bits: this file is counted in readers_waiting / writers_waiting. */
#define RP_COUNTED_DATA 0
#define RP_COUNTED_SPACE 1

struct rp_file {
	struct mutex bind_lock; /* serialises BIND; nothing else takes it */
	struct rp_pipe *pipe;	/* NULL until bound; read with rp_file_pipe() */
	struct rp_handle h;   /* its slot; h.role is refreshed from the ring */
	u32 kidx;	      /* its entry in kpid[] */
	bool follow;
	u32 want;		/* payload bytes a POLLOUT waiter needs */
	unsigned long counted;	/* RP_COUNTED_* bits */
};

extern struct rp_registry rp_reg;
extern unsigned int rp_max_capacity;
extern unsigned long rp_max_user_bytes;
extern unsigned int rp_max_user_pipes;

static inline struct rp_kpipe *rp_kpipe(const struct rp_pipe *p)
{
	return p->os;
}

static inline struct rp_pipe *rp_file_pipe(struct rp_file *f)
{
	/*
	 * Pairs with the release in rp_bind(): a caller that sees the pipe
	 * also sees the handle, follow flag and kpid[] entry set before it.
	 */
	return smp_load_acquire(&f->pipe);
}

/* The module's workqueue (expiry of kept pipes), drained at unload. */
extern struct workqueue_struct *rp_wq;

/* rp_pipe.c */
extern const struct rp_registry_ops rp_registry_ops;
extern const struct rp_env rp_boot_env;
int rp_errno(int status);
void rp_wake(struct rp_pipe *p, unsigned int wake);
void rp_file_handle(const struct rp_file *f, struct rp_handle *h);
int rp_attach(struct rp_file *f, struct rp_pipe *p);
bool rp_detach(struct rp_file *f, struct rp_pipe *p);
bool rp_readable(struct rp_file *f);
bool rp_writable(struct rp_file *f);
void rp_count_waiter(struct rp_file *f, int bit, bool counted);

/* rp_limits.c */
int rp_user_charge(u32 uid, size_t bytes);
void rp_user_uncharge(u32 uid, size_t bytes);
int rp_user_move(u32 from, u32 to, size_t bytes);
int rp_user_usage(u32 uid, u32 *pipes, u64 *bytes);
void rp_limits_init(void);
int rp_create_lock(const char *canon);
void rp_create_unlock(const char *canon);
int rp_pipes_add(struct rp_pipe *p);
void rp_pipes_del(struct rp_pipe *p);
int rp_pipes_walk(unsigned long *cursor,
		  int (*fn)(struct rp_pipe *p, void *arg), void *arg);

/* rp_keep.c */
bool rp_keep_at_last_close(struct rp_pipe *p);
void rp_unkeep(struct rp_pipe *p);
void rp_keep_init(struct rp_kpipe *kp);
void rp_keep_info(const struct rp_pipe *p, struct ringpipe_info *out);
int rp_remove(struct rp_pipe *p);
void rp_keep_drop_all(void);

/* rp_file.c */
extern const struct file_operations rp_fops;
ssize_t rp_recv(struct rp_file *f, char __user *buf, size_t size,
		bool nonblock, u32 *len, bool *eof);

/* rp_ioctl.c */
long rp_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* rp_mmap.c */
int rp_mmap(struct file *file, struct vm_area_struct *vma);

#endif
