// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: the pipe's kernel context (wait queues, the handles the kernel
 * gave out), the registry's allocation callbacks, and the looks at the ring
 * that poll() needs.
 */
#include <linux/errno.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "rp_dev.h"

/*
 * A slot of the ring is live while a bound file holds it (kpid[] is indexed
 * by slot): the file's release detaches the slot, so the kernel knows without
 * asking whether a process exists (a file passed to another process stays
 * live, as it should).
 */
static bool rp_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	struct rp_kpipe *kp = ctx;

	return slot < RP_SLOT_COUNT && READ_ONCE(kp->kpid[slot]) != 0;
}

/*
 * The slots the kernel gave @token to (rp_env.token_slot): a record's owner
 * and a lock's holder are judged from this list, never from the tokens in
 * the ring's slot words, which a mapping can forge.
 */
static uint32_t rp_token_slot(void *ctx, uint32_t token, uint32_t from)
{
	struct rp_kpipe *kp = ctx;

	for (; from < RP_SLOT_COUNT; from++)
		if (READ_ONCE(kp->ktoken[from]) == token &&
		    READ_ONCE(kp->kpid[from]))
			return from;
	return RP_SLOT_COUNT;
}

static bool rp_never_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	return false;
}

static void rp_yield(void *ctx)
{
	cond_resched();
}

/* Only rp_ring_init sees this one; rp_ctx_init gives each ring its own. */
const struct rp_env rp_boot_env = {
	.alive = rp_never_alive,
	.lock_spins = RP_KLOCK_SPINS,
};

/*
 * Zeroed (the pages are mapped into user space) and charged to the
 * creator's memory cgroup; rp_mmap() maps the pages one by one.
 */
static void *rp_ring_alloc(void *ctx, size_t size)
{
	return __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
}

static void rp_ring_free(void *ctx, void *mem, size_t size)
{
	vfree(mem);
}

/*
 * Called by the creating BIND before the pipe is published. The BIND has
 * charged the ring to the creator's uid before the registry allocated it
 * (rp_bind_create): the pipe takes that charge over. Zeroes the name past
 * its NUL, which the registry copied whole from an uninitialised stack
 * buffer and STAT and LIST return.
 */
static int rp_ctx_init(void *ctx, struct rp_pipe *p)
{
	size_t len = strnlen(p->name, RP_NAME_MAX);
	struct rp_kpipe *kp;

	memset(p->name + len, 0, sizeof(p->name) - len);
	kp = kzalloc(sizeof(*kp), GFP_KERNEL_ACCOUNT);
	if (!kp)
		return RP_ENOMEM;
	kp->charged = p->mem_size;
	kp->charged_uid = p->uid;
	kp->pipe = p;
	rp_keep_init(kp);
	init_waitqueue_head(&kp->rwait);
	init_waitqueue_head(&kp->wwait);
	mutex_init(&kp->attach_lock);
	kp->env.alive = rp_alive;
	kp->env.yield = rp_yield;
	kp->env.ctx = kp;
	kp->env.lock_spins = RP_KLOCK_SPINS;
	kp->env.token_slot = rp_token_slot;
	kp->env.walk_max = RP_KWALK_MAX;
	/* Before the pipe is published: from now on the ring asks this pipe. */
	p->ring.env = &kp->env;
	p->os = kp;
	return RP_OK;
}

static void rp_ctx_free(void *ctx, struct rp_pipe *p)
{
	struct rp_kpipe *kp = p->os;

	/* Before the registry frees the ring: no STAT or LIST looks at it after. */
	rp_pipes_del(p);
	WARN_ON_ONCE(kp->kept || delayed_work_pending(&kp->expire));
	rp_user_uncharge(kp->charged_uid, kp->charged);
	mutex_destroy(&kp->attach_lock);
	kfree(kp);
}

const struct rp_registry_ops rp_registry_ops = {
	.ring_alloc = rp_ring_alloc,
	.ring_free = rp_ring_free,
	.ctx_init = rp_ctx_init,
	.ctx_free = rp_ctx_free,
};

int rp_errno(int status)
{
	switch (status) {
	case RP_OK:
		return 0;
	case RP_EMPTY:
	case RP_BUSY:
	case RP_FULL:
	case RP_LOCKED:
		return -EAGAIN;
	case RP_TOO_BIG:
	case RP_TOO_SMALL:
		return -EMSGSIZE;
	case RP_NOSLOT:
		return -EUSERS;
	case RP_ENOENT:
		return -ENOENT;
	case RP_EEXIST:
		return -EEXIST;
	case RP_EACCES:
		return -EACCES;
	case RP_ENOMEM:
		return -ENOMEM;
	case RP_CORRUPT:
		return -EIO;
	case RP_KQUOTA:
		return -EDQUOT;
	default:
		return -EINVAL;
	}
}

/*
 * Wakes the sleepers the ring asked for, and anyone sleeping at all: the
 * waiting counts are hints in user-writable memory.
 */
void rp_wake(struct rp_pipe *p, unsigned int wake)
{
	struct rp_kpipe *kp = rp_kpipe(p);

	if ((wake & RP_WAKE_DATA) || wq_has_sleeper(&kp->rwait))
		wake_up_interruptible_all(&kp->rwait);
	if ((wake & RP_WAKE_SPACE) || wq_has_sleeper(&kp->wwait))
		wake_up_interruptible_all(&kp->wwait);
}

static u32 *rp_word(const struct rp_ring *r, u32 off)
{
	return (u32 *)(r->base + off);
}

/*
 * A copy of the file's handle for one operation. Clients that use the
 * mapping change their role bits in the ring themselves, so the role is
 * read back from the slot, as long as the slot is still this handle's.
 */
void rp_file_handle(const struct rp_file *f, struct rp_handle *h)
{
	*h = f->h;
	h->role = rp_ring_slot_role(h);
}

/*
 * Whether one more handle of @uid fits the per-uid bounds: the owner's
 * always does while a slot is free; another uid gets at most
 * RP_OTHER_UID_SLOTS, and all others together leave RP_OWNER_SLOTS, unless
 * it has CAP_SYS_RESOURCE (asked only then, so that refusals alone audit).
 */
static bool rp_uid_slot_ok(const struct rp_pipe *p, u32 uid)
{
	const struct rp_kpipe *kp = rp_kpipe(p);
	unsigned int i, mine = 0, others = 0;

	if (uid == p->uid)
		return true;
	for (i = 0; i < RP_SLOT_COUNT; i++) {
		if (!kp->kpid[i] || kp->kuid[i] == p->uid)
			continue;
		others++;
		if (kp->kuid[i] == uid)
			mine++;
	}
	return (mine < RP_OTHER_UID_SLOTS &&
		others < RP_SLOT_COUNT - RP_OWNER_SLOTS) ||
	       capable(CAP_SYS_RESOURCE);
}

/*
 * Who the ring is charged to, under attach_lock: its owner while the owner
 * has a handle on it or nobody has (a kept pipe), else the uid of a handle
 * that keeps it open, so that readers of other uids who hold a pipe after
 * its owner left count it against their own limits, not the owner's.
 */
static void rp_recharge(struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);
	u32 to = p->uid;
	unsigned int i;
	bool other = false;

	for (i = 0; kp->handles && i < RP_SLOT_COUNT; i++) {
		if (!kp->kpid[i])
			continue;
		if (kp->kuid[i] == p->uid) {
			to = p->uid;
			break;
		}
		if (!other) {
			to = kp->kuid[i];
			other = true;
		}
	}
	if (to != kp->charged_uid && !rp_user_move(kp->charged_uid, to, kp->charged))
		kp->charged_uid = to;
}

/*
 * Takes a kpid[] entry and a ring slot for the file; the caller holds no
 * lock. A kept pipe is kept no more: its reference goes. RP_ENOENT for a
 * pipe whose name was just taken away while it was kept (removed or
 * expired): the BIND looks the name up again.
 */
int rp_attach(struct rp_file *f, struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);
	u32 uid = from_kuid_munged(&init_user_ns, current_euid());
	u32 pid = task_tgid_nr(current);
	bool was_kept = false;
	unsigned int i;
	int st;

	mutex_lock(&kp->attach_lock);
	if (kp->removed && !kp->handles) {
		st = RP_ENOENT;
		goto out_unlock;
	}
	if (kp->handles >= RP_SLOT_COUNT || !rp_uid_slot_ok(p, uid)) {
		st = RP_NOSLOT;
		goto out_unlock;
	}
	for (i = 0; i < RP_SLOT_COUNT && kp->kpid[i]; i++)
		;
	WRITE_ONCE(kp->kpid[i], pid);
	kp->kuid[i] = uid;
	st = rp_ring_attach(&p->ring, i, pid, &f->h);
	if (st != RP_OK) {
		WRITE_ONCE(kp->kpid[i], 0);
		goto out_unlock;
	}
	WRITE_ONCE(kp->ktoken[i], f->h.token);
	f->kidx = i;
	kp->handles++;
	was_kept = kp->kept;
	kp->kept = false;
	rp_recharge(p);
out_unlock:
	mutex_unlock(&kp->attach_lock);
	if (was_kept)
		rp_unkeep(p);
	return st;
}

/*
 * Ends the file's writing, frees its slot and its kpid[] entry. Returns
 * true when this was the last handle of a pipe with unread messages: the
 * file's reference to the pipe is then the kept pipe's (rp_keep.c), and the
 * caller does not put it.
 */
bool rp_detach(struct rp_file *f, struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);
	struct rp_handle h;
	unsigned int wake = 0;
	bool kept = false;

	mutex_lock(&kp->attach_lock);
	rp_file_handle(f, &h);
	rp_ring_detach(&h, &wake);
	WRITE_ONCE(kp->ktoken[f->kidx], 0);
	WRITE_ONCE(kp->kpid[f->kidx], 0);
	kp->handles--;
	if (!kp->handles)
		kept = rp_keep_at_last_close(p);
	rp_recharge(p);
	mutex_unlock(&kp->attach_lock);
	rp_count_waiter(f, RP_COUNTED_DATA, false);
	rp_count_waiter(f, RP_COUNTED_SPACE, false);
	/* A lock this handle held through the mapping is free to steal now. */
	rp_wake(p, wake | RP_WAKE_DATA | RP_WAKE_SPACE);
	return kept;
}

/*
 * poll() counts a file that may sleep in readers_waiting (writers_waiting),
 * once, so that clients writing through the mapping wake it; the count
 * goes when poll() finds the file ready or the file is released.
 */
void rp_count_waiter(struct rp_file *f, int bit, bool counted)
{
	struct rp_ring *r = f->h.ring;
	u32 off = bit == RP_COUNTED_DATA ? RP_OFF_READERS_WAITING
					 : RP_OFF_WRITERS_WAITING;

	if (counted) {
		if (!test_and_set_bit(bit, &f->counted))
			rp_fetch_add32(rp_word(r, off), 1);
	} else {
		if (test_and_clear_bit(bit, &f->counted))
			rp_fetch_sub32(rp_word(r, off), 1);
	}
}

/* Whether read() would return at once: a record that can be taken, or EOF. */
bool rp_readable(struct rp_file *f)
{
	if (!f->follow && rp_ring_eof(&f->h))
		return true;
	return rp_ring_readable(&f->pipe->ring);
}

/* Whether a record of the file's wanted size fits now. */
bool rp_writable(struct rp_file *f)
{
	return rp_ring_writable(&f->pipe->ring, READ_ONCE(f->want));
}
