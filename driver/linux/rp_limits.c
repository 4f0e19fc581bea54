// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: what each uid holds, and the list of pipes STAT and LIST walk.
 *
 * Rings are kernel memory that user space asks for, so each is charged
 * twice: its pages to the creator's memory cgroup (__GFP_ACCOUNT, see
 * rp_pipe.c), and its size and one pipe to the creating uid here, for as
 * long as the ring exists (mappings included: they keep the file, which
 * keeps the pipe). max_user_bytes and max_user_pipes bound that per uid;
 * callers with CAP_SYS_RESOURCE are counted but never refused.
 *
 * The pipe list is the driver's own, so that STAT and LIST look at the
 * pipes without the registry's lock, which every BIND takes. They iterate
 * with references: rp_pipes_lock is held only to pick the next
 * RP_WALK_BATCH pipes and count a walker on each (kp->walkers); the ring's
 * statistics are read with no lock held, and the pipe's last put waits in
 * rp_ctx_free() for its walkers before the registry frees the ring.
 */
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

#include "rp_dev.h"

unsigned long rp_max_user_bytes = 256ul << 20;
module_param_named(max_user_bytes, rp_max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "ring memory (capacity + 4096 per pipe) one uid may hold, in bytes (default 256 MiB)");

unsigned int rp_max_user_pipes = 256;
module_param_named(max_user_pipes, rp_max_user_pipes, uint, 0644);
MODULE_PARM_DESC(max_user_pipes, "pipes one uid may have created and open (default 256)");

struct rp_user {
	u64 bytes;
	u32 pipes;
};

/* uid -> struct rp_user, present while the uid holds a pipe. */
static DEFINE_MUTEX(rp_users_lock);
static DEFINE_XARRAY(rp_users);

/* id -> struct rp_pipe: the pipes BIND created and that still exist. */
static DEFINE_MUTEX(rp_pipes_lock);
static DEFINE_XARRAY_ALLOC1(rp_pipes);

/*
 * Creating BINDs of one name take the same one of these around the charge
 * and the allocation of the ring, so that racing creators of a name do not
 * each allocate a ring that all but one then free.
 */
#define RP_CREATE_LOCKS 64u
static struct mutex rp_create_locks[RP_CREATE_LOCKS];

void rp_limits_init(void)
{
	unsigned int i;

	for (i = 0; i < RP_CREATE_LOCKS; i++)
		mutex_init(&rp_create_locks[i]);
}

static struct mutex *rp_create_mutex(const char *canon)
{
	return &rp_create_locks[jhash(canon, strlen(canon), 0) % RP_CREATE_LOCKS];
}

/* 0, or -EINTR when a signal came while another creator held it. */
int rp_create_lock(const char *canon)
{
	return mutex_lock_interruptible(rp_create_mutex(canon));
}

void rp_create_unlock(const char *canon)
{
	mutex_unlock(rp_create_mutex(canon));
}

/* Counts one more ring of @bytes for @uid: 0, -EDQUOT over a limit, or -ENOMEM. */
int rp_user_charge(u32 uid, size_t bytes)
{
	struct rp_user *u;
	int ret = 0;

	mutex_lock(&rp_users_lock);
	u = xa_load(&rp_users, uid);
	if (!u) {
		u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
		if (!u) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		ret = xa_err(xa_store(&rp_users, uid, u, GFP_KERNEL_ACCOUNT));
		if (ret) {
			kfree(u);
			goto out_unlock;
		}
	}
	if ((u->pipes >= READ_ONCE(rp_max_user_pipes) ||
	     u->bytes + bytes > READ_ONCE(rp_max_user_bytes)) &&
	    !capable(CAP_SYS_RESOURCE)) {
		ret = -EDQUOT;
		goto out_drop_user;
	}
	u->bytes += bytes;
	u->pipes++;
	mutex_unlock(&rp_users_lock);
	return 0;

out_drop_user:
	if (!u->pipes) {
		xa_erase(&rp_users, uid);
		kfree(u);
	}
out_unlock:
	mutex_unlock(&rp_users_lock);
	return ret;
}

void rp_user_uncharge(u32 uid, size_t bytes)
{
	struct rp_user *u;

	mutex_lock(&rp_users_lock);
	u = xa_load(&rp_users, uid);
	if (!WARN_ON_ONCE(!u || !u->pipes || u->bytes < bytes)) {
		u->bytes -= bytes;
		if (!--u->pipes) {
			xa_erase(&rp_users, uid);
			kfree(u);
		}
	}
	mutex_unlock(&rp_users_lock);
}

/*
 * Moves a ring's charge from one uid to another, which may take it past
 * its limits (it did not ask for the ring: it keeps it open). 0, or
 * -ENOMEM with the charge left where it was.
 */
int rp_user_move(u32 from, u32 to, size_t bytes)
{
	struct rp_user *fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	struct rp_user *u;
	int ret = 0;

	mutex_lock(&rp_users_lock);
	u = xa_load(&rp_users, to);
	if (!u) {
		ret = fresh ? xa_err(xa_store(&rp_users, to, fresh, GFP_KERNEL_ACCOUNT))
			    : -ENOMEM;
		if (ret)
			goto out_unlock;
		u = fresh;
		fresh = NULL;
	}
	u->bytes += bytes;
	u->pipes++;
	u = xa_load(&rp_users, from);
	if (!WARN_ON_ONCE(!u || !u->pipes || u->bytes < bytes)) {
		u->bytes -= bytes;
		if (!--u->pipes) {
			xa_erase(&rp_users, from);
			kfree(u);
		}
	}
out_unlock:
	mutex_unlock(&rp_users_lock);
	kfree(fresh);
	return ret;
}

/* What @uid holds now (RINGPIPE_IOC_USAGE). */
int rp_user_usage(u32 uid, u32 *pipes, u64 *bytes)
{
	struct rp_user *u;

	mutex_lock(&rp_users_lock);
	u = xa_load(&rp_users, uid);
	*pipes = u ? u->pipes : 0;
	*bytes = u ? u->bytes : 0;
	mutex_unlock(&rp_users_lock);
	return 0;
}

/* Lists a pipe that BIND created; the caller holds a reference on it. */
int rp_pipes_add(struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);
	u32 id;
	int ret;

	mutex_lock(&rp_pipes_lock);
	ret = xa_alloc(&rp_pipes, &id, p, xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (!ret)
		kp->list_id = id;
	mutex_unlock(&rp_pipes_lock);
	return ret;
}

/*
 * From rp_ctx_free, before the ring is freed, and from REMOVE: unlists the
 * pipe, then waits for the STAT or LIST that may still be looking at it
 * (one pipe's stats).
 */
void rp_pipes_del(struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);

	mutex_lock(&rp_pipes_lock);
	if (kp->list_id)
		xa_erase(&rp_pipes, kp->list_id);
	kp->list_id = 0;
	mutex_unlock(&rp_pipes_lock);
	wait_var_event(&kp->walkers, !atomic_read(&kp->walkers));
}

static void rp_walk_put(struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);

	if (atomic_dec_and_test(&kp->walkers))
		wake_up_var(&kp->walkers);
}

/*
 * Calls @fn on the listed pipes from *@cursor on, up to RP_WALK_BATCH of
 * them, until @fn returns non-zero; *@cursor then names where to go on.
 * rp_pipes_lock is held only to find the batch and count a walker on each
 * pipe, which keeps rp_ctx_free() (hence the ring) waiting; @fn runs with no
 * lock. Returns what @fn returned, 0 after a batch, or 1 at the end of the
 * list (*@cursor is then ULONG_MAX).
 */
int rp_pipes_walk(unsigned long *cursor,
		  int (*fn)(struct rp_pipe *p, void *arg), void *arg)
{
	struct rp_pipe *batch[RP_WALK_BATCH];
	unsigned long next[RP_WALK_BATCH];
	unsigned int i, n = 0;
	bool end = false;
	int ret = 0;

	mutex_lock(&rp_pipes_lock);
	while (n < RP_WALK_BATCH) {
		batch[n] = xa_find(&rp_pipes, cursor, ULONG_MAX, XA_PRESENT);
		if (!batch[n]) {
			end = true;
			break;
		}
		atomic_inc(&rp_kpipe(batch[n])->walkers);
		next[n++] = ++*cursor;
	}
	mutex_unlock(&rp_pipes_lock);
	for (i = 0; i < n; i++) {
		if (!ret) {
			ret = fn(batch[i], arg);
			if (ret)
				*cursor = next[i];
		}
		rp_walk_put(batch[i]);
	}
	if (ret)
		return ret;
	if (end)
		*cursor = ULONG_MAX;
	return end;
}
