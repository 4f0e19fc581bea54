// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: the ioctls of driver/include/ringpipe_linux_abi.h.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rp_dev.h"

#define RP_BIND_FLAGS (RINGPIPE_BIND_CREATE | RINGPIPE_BIND_EXCL | RINGPIPE_BIND_FOLLOW)

static bool rp_zeroed(const u32 *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (words[i])
			return false;
	return true;
}

static int rp_name_errno(u32 len)
{
	return len > RINGPIPE_NAME_MAX ? -ENAMETOOLONG : -EINVAL;
}

static u32 rp_caller_uid(void)
{
	return from_kuid_munged(&init_user_ns, current_euid());
}

/*
 * Creates the pipe (or finds it, created meanwhile): the ring is charged to
 * the caller's uid before it is allocated, and creators of one name take
 * turns (rp_create_lock), so that neither a uid over its limit nor racing
 * creators allocate a ring only to free it. The pipe takes the charge over
 * in rp_ctx_init; a bind that did not create gives it back.
 */
static int rp_bind_create(const struct rp_open_req *req, struct rp_pipe **pipe,
			  bool *created)
{
	size_t size = rp_ring_segment_size(req->capacity);
	char canon[RP_NAME_MAX + 1] = {};
	int ret, st;

	if (rp_name_canon(req->name, req->name_len, canon) != RP_NAME_OK)
		return rp_name_errno(req->name_len);
	if (!rp_ring_capacity_ok(req->capacity) || (req->perm & ~RP_PERM_MASK) ||
	    (req->mode != RP_MODE_MESSAGE && req->mode != RP_MODE_BYTE))
		return -EINVAL;
	ret = rp_create_lock(canon);
	if (ret)
		return ret;
	ret = rp_user_charge(req->uid, size);
	if (!ret) {
		st = rp_registry_open(&rp_reg, req, pipe, created);
		if (!*created)
			rp_user_uncharge(req->uid, size);
		ret = st == RP_BADNAME ? rp_name_errno(req->name_len) : rp_errno(st);
	}
	rp_create_unlock(canon);
	return ret;
}

/* Finds or creates the pipe; capacity counts only if this call creates it. */
static int rp_bind_open(struct file *file, const struct ringpipe_bind *b,
			struct rp_pipe **pipe, bool *created)
{
	bool excl = (b->flags & RINGPIPE_BIND_CREATE) &&
		    (b->flags & RINGPIPE_BIND_EXCL);
	struct rp_open_req req = {
		.name = b->name,
		.name_len = b->name_len,
		.uid = rp_caller_uid(),
		.perm = b->perm,
		.capacity = b->capacity,
		.mode = b->mode ?: RINGPIPE_MODE_MESSAGE,
	};
	int st;

	if (file->f_mode & FMODE_READ)
		req.access |= RP_ACCESS_READ;
	if (file->f_mode & FMODE_WRITE)
		req.access |= RP_ACCESS_WRITE;
	if (capable(CAP_DAC_OVERRIDE))
		req.access = 0;
	/* First without creating, so that joining a pipe ignores capacity. */
	if (!excl) {
		st = rp_registry_open(&rp_reg, &req, pipe, created);
		if (st != RP_ENOENT || !(b->flags & RINGPIPE_BIND_CREATE))
			return st == RP_BADNAME ? rp_name_errno(b->name_len)
						: rp_errno(st);
	}
	if (b->capacity > rp_max_capacity)
		return rp_ring_capacity_ok(b->capacity) ? -EFBIG : -EINVAL;
	req.flags = RP_OPEN_CREATE | (excl ? RP_OPEN_EXCL : 0);
	*created = false;
	return rp_bind_create(&req, pipe, created);
}

static int rp_bind(struct rp_file *f, struct file *file,
		   struct ringpipe_bind __user *ub)
{
	struct ringpipe_bind b;
	unsigned int tries;
	struct rp_pipe *p;
	bool created;
	int ret;

	/*
	 * A file opened with neither read nor write access (O_ACCMODE) would
	 * pass every permission check with an empty access mask.
	 */
	if (!(file->f_mode & (FMODE_READ | FMODE_WRITE)))
		return -EBADF;
	if (copy_from_user(&b, ub, sizeof(b)))
		return -EFAULT;
	if ((b.flags & ~RP_BIND_FLAGS) || b.mode > RINGPIPE_MODE_BYTE ||
	    !rp_zeroed(b.reserved, ARRAY_SIZE(b.reserved)))
		return -EINVAL;
	if (!b.name_len || b.name_len > RINGPIPE_NAME_MAX)
		return rp_name_errno(b.name_len);
	mutex_lock(&f->bind_lock);
	ret = -EBUSY;
	if (f->pipe)
		goto out_unlock;
	/* A kept pipe that expires or is removed as we attach: look again. */
	for (tries = 0; tries < 4; tries++) {
		ret = rp_bind_open(file, &b, &p, &created);
		if (ret)
			goto out_unlock;
		ret = -EPROTOTYPE;
		if (b.mode && b.mode != p->mode)
			goto out_put;
		ret = rp_errno(rp_attach(f, p));
		if (ret != -ENOENT)
			break;
		rp_registry_put(&rp_reg, p);
	}
	if (ret == -ENOENT)
		goto out_unlock;
	if (ret)
		goto out_put;
	if (created) {
		mutex_lock(&rp_kpipe(p)->attach_lock);
		rp_kpipe(p)->ttl_ms = b.ttl_ms;
		mutex_unlock(&rp_kpipe(p)->attach_lock);
		ret = rp_pipes_add(p);
		if (ret)
			goto out_detach;
	}
	f->follow = b.flags & RINGPIPE_BIND_FOLLOW;
	/* Opened for writing only: a writer from the start, like a FIFO. */
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) == FMODE_WRITE)
		rp_ring_set_writer(&f->h);
	b.capacity = p->capacity;
	b.mode = p->mode;
	b.slot = f->h.slot;
	b.token = f->h.token;
	b.max_record = rp_ring_max_record(&p->ring);
	b.created = created;
	b.owner_uid = p->uid;
	ret = -EFAULT;
	if (copy_to_user(ub, &b, sizeof(b)))
		goto out_detach;
	/* Published last: other threads see a file bound with all of the above. */
	smp_store_release(&f->pipe, p);
	mutex_unlock(&f->bind_lock);
	return 0;

out_detach:
	/* Kept (its last handle, with unread messages): the reference is the kept pipe's. */
	if (rp_detach(f, p))
		goto out_unlock;
out_put:
	rp_registry_put(&rp_reg, p);
out_unlock:
	mutex_unlock(&f->bind_lock);
	return ret;
}

/* The caller keeps the pipe from being freed (a reference, or kp->walkers). */
static void rp_fill_info(struct ringpipe_info *out, const struct rp_pipe *p)
{
	struct rp_stats st;
	int status = rp_ring_stats(&p->ring, &st);

	memset(out, 0, sizeof(*out));
	/* Up to the NUL only: nothing past it leaves the kernel. */
	strscpy(out->name, p->name, sizeof(out->name));
	out->uid = p->uid;
	out->perm = p->perm;
	/* Bound files (a mapping holds its file): a kept pipe's own reference is none. */
	out->refs = READ_ONCE(p->refs) - !!READ_ONCE(rp_kpipe(p)->kept);
	out->capacity = st.capacity;
	out->mode = st.mode;
	out->used = st.used;
	out->attached = st.attached;
	out->readers = st.readers;
	out->writers = st.writers;
	out->writers_ever = st.writers_ever;
	out->abandoned = st.abandoned;
	out->corrupt = status != RP_OK;
	out->msgs_in = st.msgs_in;
	out->bytes_in = st.bytes_in;
	out->msgs_out = st.msgs_out;
	out->bytes_out = st.bytes_out;
	rp_keep_info(p, out);
}

/* What STAT and LIST may show the caller: its own, readable, or all. */
struct rp_seen {
	u32 uid;
	bool all;
	const char *name; /* STAT: only this canonical name */
	struct ringpipe_info *out;
	u32 n, max;
	int found;
};

static bool rp_visible(const struct rp_seen *w, const struct rp_pipe *p)
{
	return w->all || w->uid == p->uid || (p->perm & 04);
}

static void rp_seen_init(struct rp_seen *w)
{
	w->uid = rp_caller_uid();
	w->all = capable(CAP_DAC_OVERRIDE);
}

/* rp_pipes_walk callback: fills w->out until it is full (then stops the batch). */
static int rp_gather(struct rp_pipe *p, void *arg)
{
	struct rp_seen *w = arg;

	if (w->name) {
		if (strcmp(p->name, w->name))
			return 0;
		w->found = rp_visible(w, p) ? 1 : -EACCES;
		if (w->found > 0)
			rp_fill_info(w->out, p);
		return 1;
	}
	if (!rp_visible(w, p))
		return 0;
	rp_fill_info(&w->out[w->n++], p);
	return w->n == w->max;
}

/* @size: of struct ringpipe_stat, or of ABI version 1's (a shorter info). */
static int rp_stat(struct rp_file *f, struct ringpipe_stat __user *us,
		   size_t size)
{
	struct rp_pipe *bound = rp_file_pipe(f);
	char canon[RP_NAME_MAX + 1];
	struct ringpipe_stat s;
	struct rp_seen w = { .name = canon, .out = &s.info };
	unsigned long cursor = 0;

	memset(&s, 0, sizeof(s));
	if (copy_from_user(&s, us, size))
		return -EFAULT;
	if (s.reserved)
		return -EINVAL;
	if (!s.name_len) {
		if (!bound)
			return -EBADFD;
		/* The same look as by name: being bound (write-only, say) shows nothing more. */
		rp_seen_init(&w);
		if (!rp_visible(&w, bound))
			return -EACCES;
		rp_fill_info(&s.info, bound);
		return copy_to_user(us, &s, size) ? -EFAULT : 0;
	}
	if (s.name_len > RINGPIPE_NAME_MAX ||
	    rp_name_canon(s.name, s.name_len, canon) != RP_NAME_OK)
		return rp_name_errno(s.name_len);
	rp_seen_init(&w);
	while (!rp_pipes_walk(&cursor, rp_gather, &w)) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	if (!w.found)
		return -ENOENT;
	if (w.found < 0)
		return w.found;
	return copy_to_user(us, &s, size) ? -EFAULT : 0;
}

/*
 * LIST walks the pipes a batch at a time, with references and no lock held
 * while it reads their rings or copies out (the user buffer may fault), so
 * BINDs never wait for a LIST. Pipes created or closed meanwhile may or may
 * not be counted.
 */
/* @v1: ABI version 1's call (struct ringpipe_list without entry_size, shorter entries). */
static int rp_list(struct ringpipe_list __user *ul, bool v1)
{
	size_t lsize = v1 ? offsetof(struct ringpipe_list, entry_size) : sizeof(struct ringpipe_list);
	size_t esize = v1 ? RINGPIPE_INFO_V1_SIZE : sizeof(struct ringpipe_info);
	u8 __user *out;
	struct rp_seen w = {};
	struct ringpipe_list l;
	unsigned long cursor = 0;
	u32 seen = 0, i, take;
	int ret = 0, end = 0;

	memset(&l, 0, sizeof(l));
	if (copy_from_user(&l, ul, lsize))
		return -EFAULT;
	if (l.reserved)
		return -EINVAL;
	out = u64_to_user_ptr(l.entries);
	w.max = RP_WALK_BATCH;
	w.out = kcalloc(w.max, sizeof(*w.out), GFP_KERNEL);
	if (!w.out)
		return -ENOMEM;
	rp_seen_init(&w);
	while (!end) {
		w.n = 0;
		end = rp_pipes_walk(&cursor, rp_gather, &w) && cursor == ULONG_MAX;
		take = seen < l.max ? min(w.n, l.max - seen) : 0;
		for (i = 0; i < take; i++) {
			if (copy_to_user(out + (size_t)(seen + i) * esize, &w.out[i], esize)) {
				ret = -EFAULT;
				goto out_free;
			}
		}
		seen += w.n;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_free;
		}
		cond_resched();
	}
	l.count = seen;
	l.entry_size = esize;
	ret = copy_to_user(ul, &l, lsize) ? -EFAULT : 0;
out_free:
	kfree(w.out);
	return ret;
}

/* RINGPIPE_IOC_REMOVE: by name, for its owner or CAP_SYS_ADMIN. */
static int rp_remove_ioctl(struct ringpipe_remove __user *ur)
{
	struct ringpipe_remove r;
	struct rp_open_req req = {};
	struct rp_pipe *p;
	int st, ret;

	if (copy_from_user(&r, ur, sizeof(r)))
		return -EFAULT;
	if (r.reserved)
		return -EINVAL;
	if (!r.name_len || r.name_len > RINGPIPE_NAME_MAX)
		return rp_name_errno(r.name_len);
	req.name = r.name;
	req.name_len = r.name_len;
	req.uid = rp_caller_uid();
	/* No access asked: the lookup alone, the owner is checked below. */
	st = rp_registry_open(&rp_reg, &req, &p, NULL);
	if (st != RP_OK)
		return st == RP_BADNAME ? rp_name_errno(r.name_len) : rp_errno(st);
	ret = -EACCES;
	if (p->uid == req.uid || capable(CAP_SYS_ADMIN))
		ret = rp_remove(p);
	rp_registry_put(&rp_reg, p);
	return ret;
}

/* RINGPIPE_IOC_USAGE: the caller's own, or any uid's with CAP_SYS_ADMIN. */
static int rp_usage_ioctl(struct ringpipe_usage __user *uu)
{
	struct ringpipe_usage u;
	u32 self = rp_caller_uid();

	if (copy_from_user(&u, uu, sizeof(u)))
		return -EFAULT;
	if (u.uid == RINGPIPE_USAGE_SELF)
		u.uid = self;
	if (u.uid != self && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	rp_user_usage(u.uid, &u.pipes, &u.bytes);
	return copy_to_user(uu, &u, sizeof(u)) ? -EFAULT : 0;
}

static int rp_role(struct rp_file *f, struct file *file, u32 op)
{
	unsigned int wake = 0;
	struct rp_handle h;

	rp_file_handle(f, &h);
	switch (op) {
	case RINGPIPE_ROLE_WRITE_BEGIN:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		rp_ring_set_writer(&h);
		return 0;
	case RINGPIPE_ROLE_WRITE_END:
		rp_ring_end_writing(&h, &wake);
		rp_wake(f->pipe, wake);
		return 0;
	case RINGPIPE_ROLE_READ_BEGIN:
		if (!(file->f_mode & FMODE_READ))
			return -EBADF;
		rp_ring_set_reader(&h);
		return 0;
	case RINGPIPE_ROLE_READ_END:
		rp_ring_clear_reader(&h);
		return 0;
	default:
		return -EINVAL;
	}
}

static int rp_recv_ioctl(struct rp_file *f, struct file *file,
			 struct ringpipe_recv __user *ur)
{
	struct ringpipe_recv r;
	ssize_t ret;
	bool eof;

	if (copy_from_user(&r, ur, sizeof(r)))
		return -EFAULT;
	if (r.reserved)
		return -EINVAL;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	ret = rp_recv(f, u64_to_user_ptr(r.buf), r.size,
		      file->f_flags & O_NONBLOCK, &r.len, &eof);
	if (ret < 0 && ret != -EMSGSIZE)
		return ret;
	r.flags = eof ? RINGPIPE_RECV_EOF : 0;
	if (copy_to_user(ur, &r, sizeof(r)))
		return -EFAULT;
	return ret < 0 ? ret : 0;
}

long rp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rp_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	u32 val;

	switch (cmd) {
	case RINGPIPE_IOC_VERSION:
		return put_user((u32)RINGPIPE_ABI_VERSION, (u32 __user *)uarg);
	case RINGPIPE_IOC_BIND:
		return rp_bind(f, file, uarg);
	case RINGPIPE_IOC_STAT:
		return rp_stat(f, uarg, sizeof(struct ringpipe_stat));
	case RINGPIPE_IOC_STAT_V1:
		return rp_stat(f, uarg, offsetof(struct ringpipe_stat, info) +
					RINGPIPE_INFO_V1_SIZE);
	case RINGPIPE_IOC_LIST:
		return rp_list(uarg, false);
	case RINGPIPE_IOC_LIST_V1:
		return rp_list(uarg, true);
	case RINGPIPE_IOC_REMOVE:
		return rp_remove_ioctl(uarg);
	case RINGPIPE_IOC_USAGE:
		return rp_usage_ioctl(uarg);
	case RINGPIPE_IOC_ROLE:
	case RINGPIPE_IOC_WAKE:
	case RINGPIPE_IOC_WANT:
	case RINGPIPE_IOC_RECV:
		break;
	default:
		return -ENOTTY;
	}
	/* The rest need a bound file. */
	if (!rp_file_pipe(f))
		return -EBADFD;
	if (cmd == RINGPIPE_IOC_RECV)
		return rp_recv_ioctl(f, file, uarg);
	if (get_user(val, (u32 __user *)uarg))
		return -EFAULT;
	switch (cmd) {
	case RINGPIPE_IOC_ROLE:
		return rp_role(f, file, val);
	case RINGPIPE_IOC_WAKE:
		if (val & ~(RINGPIPE_WAKE_DATA | RINGPIPE_WAKE_SPACE))
			return -EINVAL;
		rp_wake(f->pipe, val);
		return 0;
	default: /* RINGPIPE_IOC_WANT */
		WRITE_ONCE(f->want, val);
		return 0;
	}
}
