// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: open, release, read, write and poll of /dev/ringpipe files.
 *
 * read() returns one message and write() sends one (byte mode: bytes). They
 * block unless O_NONBLOCK, with the waiting protocol of docs/ring-format.md:
 * count in readers_waiting (writers_waiting), look again, then sleep while
 * data_seq (space_seq) is unchanged. Ring memory may be written by user
 * space through a mapping: nothing read from it is trusted, and no ring
 * lock is held across a copy to or from user space.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rp_dev.h"

/* Messages up to this size go through the stack; longer ones a heap copy. */
#define RP_BOUNCE_STACK 256u
/* Byte mode reads through a heap buffer of at most this size. */
#define RP_BOUNCE_BYTES (64u * 1024u)

/*
 * One attempt of an operation: -EAGAIN to wait, -EBUSY when a lock stayed
 * held, -EINPROGRESS when it skipped RP_KWALK_MAX records and stopped (the
 * ring may hold more: look again at once, after a reschedule and a signal
 * check).
 */
typedef ssize_t (*rp_try_t)(struct rp_file *f, void *arg);

/*
 * Looks of RP_KWALK_MAX records a non-blocking call makes before EAGAIN:
 * as many records as a ring can hold at all (capacity / 8).
 */
static unsigned int rp_nonblock_looks(const struct rp_ring *r)
{
	return r->capacity / RP_REC_HDR / RP_KWALK_MAX + 1;
}

/*
 * Sleeps while the seq word still holds @seq. The word is in user-writable
 * memory: it only decides when to look again, so a forged value costs a
 * spurious wake-up or a sleep until the next real wake-up, never a hang.
 */
static int rp_sleep(wait_queue_head_t *wq, struct rp_ring *r,
		    unsigned int which, u32 seq)
{
	return wait_event_interruptible(*wq, rp_ring_seq(r, which) != seq);
}

/*
 * Runs @try until it does something. A ring lock kept past RP_KLOCK_SPINS
 * attempts (its holder may be a preempted process using the mapping) is
 * looked at again a tick later; every sleep is interruptible.
 */
static ssize_t rp_wait_for(struct rp_file *f, unsigned int which,
			   bool nonblock, rp_try_t try, void *arg)
{
	struct rp_pipe *p = f->pipe;
	struct rp_kpipe *kp = rp_kpipe(p);
	wait_queue_head_t *wq = which == RP_WAKE_DATA ? &kp->rwait : &kp->wwait;
	unsigned int looks = 0;
	ssize_t ret;
	u32 seq;

	for (;;) {
		ret = try(f, arg);
		if (ret != -EAGAIN && ret != -EBUSY && ret != -EINPROGRESS)
			return ret;
		if (ret == -EINPROGRESS) {
			if (nonblock && ++looks >= rp_nonblock_looks(&p->ring))
				return -EAGAIN;
		} else if (nonblock) {
			return -EAGAIN;
		} else if (ret == -EBUSY) {
			schedule_timeout_interruptible(1);
		} else {
			seq = rp_ring_wait_begin(&p->ring, which);
			ret = try(f, arg);
			if (ret == -EAGAIN)
				ret = rp_sleep(wq, &p->ring, which, seq) ?: -EAGAIN;
			rp_ring_wait_end(&p->ring, which);
			if (ret != -EAGAIN && ret != -EBUSY && ret != -EINPROGRESS)
				return ret;
		}
		if (signal_pending(current))
			return -ERESTARTSYS;
		/* A seq word that user space keeps changing must not hog the CPU. */
		cond_resched();
	}
}

struct rp_wr {
	const char __user *buf;
	u32 len;
};

/* One record: reserve, copy from user space without a lock, commit. */
static ssize_t rp_try_write(struct rp_file *f, void *arg)
{
	struct rp_wr *w = arg;
	struct rp_pipe *p = f->pipe;
	unsigned int wake = 0;
	struct rp_handle h;
	struct rp_resv v;
	struct rp_span s;
	int st;

	rp_file_handle(f, &h);
	st = rp_ring_reserve(&h, w->len, &v);
	if (st == RP_FULL) {
		WRITE_ONCE(f->want, w->len);
		return -EAGAIN;
	}
	if (st == RP_LOCKED)
		return -EBUSY;
	if (st != RP_OK)
		return rp_errno(st);
	rp_ring_resv_span(&p->ring, &v, 0, w->len, &s);
	if (copy_from_user(s.p[0], w->buf, s.n[0]) ||
	    copy_from_user(s.p[1], w->buf + s.n[0], s.n[1])) {
		rp_ring_abandon(&h, &v, &wake);
		rp_wake(p, wake);
		return -EFAULT;
	}
	st = rp_ring_commit(&h, &v, &wake);
	rp_wake(p, wake);
	/* Not a conditional expression: its type would be unsigned (w->len). */
	if (st != RP_OK)
		return rp_errno(st);
	return w->len;
}

static ssize_t rp_write(struct file *file, const char __user *buf,
			size_t count, loff_t *ppos)
{
	struct rp_file *f = file->private_data;
	struct rp_pipe *p = rp_file_pipe(f);
	bool nonblock = file->f_flags & O_NONBLOCK;
	struct rp_wr w = { .buf = buf };
	size_t done = 0;
	ssize_t ret;
	u32 max;

	if (!p)
		return -EBADFD;
	max = rp_ring_max_record(&p->ring);
	if (p->ring.mode == RP_MODE_MESSAGE) {
		if (count > max)
			return -EMSGSIZE;
		w.len = count;
		return rp_wait_for(f, RP_WAKE_SPACE, nonblock, rp_try_write, &w);
	}
	/* Byte mode: records of at most max bytes, like a pipe's partial writes. */
	while (done < count) {
		w.buf = buf + done;
		w.len = min_t(size_t, count - done, max);
		ret = rp_wait_for(f, RP_WAKE_SPACE, nonblock, rp_try_write, &w);
		if (ret < 0)
			return done ? done : ret;
		done += ret;
	}
	return done;
}

struct rp_rd {
	void *bounce;
	u32 room;
	bool eof;
	struct rp_read_res res;
};

static ssize_t rp_try_read(struct rp_file *f, void *arg)
{
	struct rp_rd *rd = arg;
	struct rp_pipe *p = f->pipe;
	unsigned int wake = 0;
	struct rp_handle h;
	int st;

	rp_file_handle(f, &h);
	st = rp_ring_read(&h, rd->bounce, rd->room, &rd->res, &wake);
	if (wake)
		rp_wake(p, wake);
	switch (st) {
	case RP_OK:
		return rd->res.n;
	case RP_BUSY:
		if (rd->res.abandoned >= min(RP_KWALK_MAX, p->ring.capacity / RP_REC_HDR))
			return -EINPROGRESS;
		fallthrough;
	case RP_EMPTY:
		if (!f->follow && rp_ring_eof(&f->h)) {
			rd->eof = true;
			return 0;
		}
		return -EAGAIN;
	case RP_LOCKED:
		return -EBUSY;
	default:
		return rp_errno(st);
	}
}

static ssize_t rp_recv_message(struct rp_file *f, char __user *buf, u32 size,
			       bool nonblock, u32 *len, bool *eof)
{
	u8 stack[RP_BOUNCE_STACK];
	struct rp_rd rd = { .bounce = stack, .room = min(size, RP_BOUNCE_STACK) };
	void *heap = NULL;
	unsigned int grown;
	ssize_t ret;

	for (grown = 0;; grown++) {
		ret = rp_wait_for(f, RP_WAKE_DATA, nonblock, rp_try_read, &rd);
		if (ret != -EMSGSIZE || rd.res.len > size || rd.res.len <= rd.room)
			break;
		/* Nothing is consumed yet: a signal can restart the call. */
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		/*
		 * Longer than the bounce buffer but not than the caller's. A
		 * peer with a mapping may keep growing the record: from the
		 * third try on, the buffer takes any record the caller can,
		 * so this loop ends.
		 */
		kvfree(heap);
		rd.room = grown < 2 ? rd.res.len
				    : min(size, rp_ring_max_record(&f->pipe->ring));
		heap = kvmalloc(rd.room, GFP_KERNEL_ACCOUNT);
		if (!heap)
			return -ENOMEM;
		rd.bounce = heap;
		cond_resched();
	}
	*len = ret == -EMSGSIZE ? rd.res.len : 0;
	*eof = rd.eof;
	if (ret > 0) {
		*len = ret;
		if (copy_to_user(buf, rd.bounce, ret))
			ret = -EFAULT;
	}
	kvfree(heap);
	return ret;
}

/* Byte mode: waits for some bytes, then takes what is there, up to size. */
static ssize_t rp_recv_bytes(struct rp_file *f, char __user *buf, u32 size,
			     bool nonblock, u32 *len, bool *eof)
{
	u8 stack[RP_BOUNCE_STACK];
	u32 bounce = min(size, RP_BOUNCE_BYTES);
	struct rp_rd rd = { .bounce = stack };
	void *heap = NULL;
	ssize_t ret;
	u32 done = 0;

	if (bounce > RP_BOUNCE_STACK) {
		heap = kvmalloc(bounce, GFP_KERNEL_ACCOUNT);
		if (!heap)
			return -ENOMEM;
		rd.bounce = heap;
	} else {
		bounce = RP_BOUNCE_STACK;
	}
	rd.room = min(size, bounce);
	ret = rp_wait_for(f, RP_WAKE_DATA, nonblock, rp_try_read, &rd);
	while (ret > 0) {
		if (copy_to_user(buf + done, rd.bounce, ret)) {
			ret = -EFAULT;
			break;
		}
		done += ret;
		if (done == size)
			break;
		rd.room = min(size - done, bounce);
		ret = rp_try_read(f, &rd);
	}
	*eof = !done && rd.eof;
	*len = done;
	kvfree(heap);
	return done ? done : ret;
}

ssize_t rp_recv(struct rp_file *f, char __user *buf, size_t size,
		bool nonblock, u32 *len, bool *eof)
{
	u32 room = min_t(size_t, size, U32_MAX);

	*len = 0;
	*eof = false;
	if (!room)
		return 0;
	if (f->pipe->ring.mode == RP_MODE_MESSAGE)
		return rp_recv_message(f, buf, room, nonblock, len, eof);
	return rp_recv_bytes(f, buf, room, nonblock, len, eof);
}

static ssize_t rp_read(struct file *file, char __user *buf, size_t count,
		       loff_t *ppos)
{
	struct rp_file *f = file->private_data;
	bool eof;
	u32 len;

	if (!rp_file_pipe(f))
		return -EBADFD;
	return rp_recv(f, buf, count, file->f_flags & O_NONBLOCK, &len, &eof);
}

static __poll_t rp_poll(struct file *file, poll_table *wait)
{
	struct rp_file *f = file->private_data;
	struct rp_pipe *p = rp_file_pipe(f);
	__poll_t req = poll_requested_events(wait);
	__poll_t mask = 0;
	struct rp_kpipe *kp;

	if (!p)
		return EPOLLERR;
	kp = rp_kpipe(p);
	poll_wait(file, &kp->rwait, wait);
	poll_wait(file, &kp->wwait, wait);
	/* Counted first, then looked at: a waker sees the count or we see its data. */
	if ((file->f_mode & FMODE_READ) && (req & (EPOLLIN | EPOLLRDNORM))) {
		rp_count_waiter(f, RP_COUNTED_DATA, true);
		if (rp_readable(f)) {
			rp_count_waiter(f, RP_COUNTED_DATA, false);
			mask |= EPOLLIN | EPOLLRDNORM;
			if (!f->follow && rp_ring_eof(&f->h))
				mask |= EPOLLHUP;
		}
	}
	if ((file->f_mode & FMODE_WRITE) && (req & (EPOLLOUT | EPOLLWRNORM))) {
		rp_count_waiter(f, RP_COUNTED_SPACE, true);
		if (rp_writable(f)) {
			rp_count_waiter(f, RP_COUNTED_SPACE, false);
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	return mask;
}

/* A new file is unbound: RINGPIPE_IOC_BIND attaches it to a pipe. */
static int rp_open(struct inode *inode, struct file *file)
{
	struct rp_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->bind_lock);
	file->private_data = f;
	return stream_open(inode, file);
}

/* The last reference to the file (mappings hold one): detach, drop the pipe. */
static int rp_release(struct inode *inode, struct file *file)
{
	struct rp_file *f = file->private_data;

	/* A pipe kept for its unread messages keeps this file's reference. */
	if (f->pipe && !rp_detach(f, f->pipe))
		rp_registry_put(&rp_reg, f->pipe);
	mutex_destroy(&f->bind_lock);
	kfree(f);
	return 0;
}

const struct file_operations rp_fops = {
	.owner = THIS_MODULE,
	.open = rp_open,
	.release = rp_release,
	.read = rp_read,
	.write = rp_write,
	.poll = rp_poll,
	.unlocked_ioctl = rp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = rp_mmap,
	/* No .llseek: stream_open() makes lseek() fail with ESPIPE (rp_compat.h). */
};
