// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: a pipe's life after its last file, like a POSIX message queue's.
 *
 * When the last file of a pipe goes (close, munmap, exit) while the ring
 * holds messages nobody read, the pipe is "kept": that file's reference to
 * it becomes the kept pipe's, and the ring stays charged to its creator
 * (rp_limits.c). It ends when a reader binds and empties it (the next BIND
 * takes the reference back, and the last close of a drained ring frees it),
 * when its ttl_ms runs out (delayed work on rp_wq: a kernel timer, not a
 * check at the next BIND or LIST), on RINGPIPE_IOC_REMOVE, or at unload.
 *
 * kp->kept and kp->removed change under kp->attach_lock, and whoever turns
 * kept from true to false owns the kept reference and puts it (rp_unkeep),
 * after it has cancelled the expiry work, so that the work never runs on a
 * freed pipe; the work itself puts it when it is the one that ends it.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "rp_dev.h"
#include "rp_ring_internal.h"

static u64 rp_now_ms(void)
{
	return div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);
}

/* msecs_to_jiffies() takes 32 bits: a longer ttl is waited for in steps. */
static void rp_expire_after(struct rp_kpipe *kp, u64 ms)
{
	queue_delayed_work(rp_wq, &kp->expire,
			   msecs_to_jiffies(min_t(u64, ms, U32_MAX)) + 1);
}

/* Takes the name away and puts the kept reference: the pipe goes with its messages. */
static void rp_end_kept(struct rp_pipe *p)
{
	rp_registry_unlink(&rp_reg, p);
	rp_pipes_del(p);
	rp_registry_put(&rp_reg, p);
}

static void rp_expire_work(struct work_struct *work)
{
	struct rp_kpipe *kp = container_of(to_delayed_work(work),
					   struct rp_kpipe, expire);
	struct rp_pipe *p = kp->pipe;
	bool end = false;
	u64 age;

	mutex_lock(&kp->attach_lock);
	if (kp->kept) {
		age = rp_now_ms() - kp->kept_since_ms;
		if (age < kp->ttl_ms) {
			rp_expire_after(kp, kp->ttl_ms - age);
		} else {
			kp->kept = false;
			kp->removed = true;
			end = true;
		}
	}
	mutex_unlock(&kp->attach_lock);
	if (end)
		rp_end_kept(p);
}

void rp_keep_init(struct rp_kpipe *kp)
{
	INIT_DELAYED_WORK(&kp->expire, rp_expire_work);
}

/*
 * Whether a Read would return a record: past the records it would skip
 * (every writer is gone, so every reservation is dead), a committed one.
 * No file is left, hence no mapping: the ring holds still while the kernel
 * walks it (at most capacity / 8 records, rescheduling). A broken record or
 * position ends the walk: a corrupt ring is not kept.
 */
static bool rp_has_unread(const struct rp_ring *r)
{
	u64 t64 = rp_load64(rp_tail64(r));
	u32 tail = (u32)t64, skip = (u32)(t64 >> 32);
	u32 head = rp_load32(rp_hw(r, RP_OFF_HEAD));
	unsigned int i;

	if (rp_positions_bad(r, head, tail) ||
	    (skip && (head == tail || r->mode == RP_MODE_MESSAGE)))
		return false;
	for (i = 1; head != tail; i++) {
		u32 word0 = rp_load32(rp_dw(r, tail));

		if (rp_word0_bad(r, word0, head - tail, skip))
			return false;
		if (rp_rec_state(word0) == RP_REC_COMMITTED)
			return true;
		tail += rp_rec_size(rp_rec_len(word0));
		skip = 0;
		if (!(i % RP_KWALK_MAX))
			cond_resched();
	}
	return false;
}

/*
 * Under attach_lock, when the last handle has just gone: whether the pipe
 * stays for its unread messages.
 */
bool rp_keep_at_last_close(struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);

	if (kp->removed || !rp_has_unread(&p->ring))
		return false;
	kp->kept = true;
	kp->kept_since_ms = rp_now_ms();
	if (kp->ttl_ms)
		rp_expire_after(kp, kp->ttl_ms);
	return true;
}

/* The caller turned kept to false (no lock held now): the kept reference goes. */
void rp_unkeep(struct rp_pipe *p)
{
	cancel_delayed_work_sync(&rp_kpipe(p)->expire);
	rp_registry_put(&rp_reg, p);
}

static u64 rp_sub_sat(u64 a, u64 b)
{
	return a > b ? a - b : 0;
}

/* The lifetime fields of ringpipe_info; the caller keeps the pipe alive. */
void rp_keep_info(const struct rp_pipe *p, struct ringpipe_info *out)
{
	const struct rp_kpipe *kp = rp_kpipe(p);

	if (READ_ONCE(kp->kept)) {
		out->flags |= RINGPIPE_INFO_KEPT;
		out->kept_since_ms = READ_ONCE(kp->kept_since_ms);
	}
	out->ttl_ms = READ_ONCE(kp->ttl_ms);
	out->unread_msgs = rp_sub_sat(out->msgs_in, out->msgs_out + out->abandoned);
	out->unread_bytes = rp_sub_sat(out->bytes_in, out->bytes_out);
}

/*
 * RINGPIPE_IOC_REMOVE on a pipe the caller may remove (it holds a
 * reference): the name goes now, a kept pipe with it; files bound to it
 * keep it, and their last close frees it, unread messages and all.
 */
int rp_remove(struct rp_pipe *p)
{
	struct rp_kpipe *kp = rp_kpipe(p);
	bool kept;

	rp_registry_unlink(&rp_reg, p);
	rp_pipes_del(p);
	mutex_lock(&kp->attach_lock);
	kp->removed = true;
	kept = kp->kept;
	kp->kept = false;
	mutex_unlock(&kp->attach_lock);
	if (kept)
		rp_unkeep(p);
	return 0;
}

/* rp_pipes_walk callback of rp_keep_drop_all(): collects the kept pipes. */
static int rp_drop_collect(struct rp_pipe *p, void *arg)
{
	struct rp_kpipe *kp = rp_kpipe(p);
	struct rp_pipe **list = arg;

	mutex_lock(&kp->attach_lock);
	if (kp->kept) {
		kp->kept = false;
		kp->removed = true;
		kp->exit_next = *list;
		*list = p;
	}
	mutex_unlock(&kp->attach_lock);
	return 0;
}

/*
 * At unload (no file is open, or the module would be in use): every kept
 * pipe goes, with its unread messages.
 */
void rp_keep_drop_all(void)
{
	unsigned long cursor = 0;
	struct rp_pipe *list = NULL, *p;

	while (!rp_pipes_walk(&cursor, rp_drop_collect, &list))
		cond_resched();
	while (list) {
		p = list;
		list = rp_kpipe(p)->exit_next;
		rp_unkeep(p);
	}
}
