// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: the ioctls of driver/include/ringpipe_linux_abi.h.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rp_dev.h"

#define RP_BIND_FLAGS (RINGPIPE_BIND_CREATE | RINGPIPE_BIND_EXCL | RINGPIPE_BIND_FOLLOW)
/* LIST copies the registry under its lock into a kernel array: bounded tries. */
#define RP_LIST_TRIES 4

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
	st = rp_registry_open(&rp_reg, &req, pipe, created);
	return st == RP_BADNAME ? rp_name_errno(b->name_len) : rp_errno(st);
}

static int rp_bind(struct rp_file *f, struct file *file,
		   struct ringpipe_bind __user *ub)
{
	struct ringpipe_bind b;
	struct rp_pipe *p;
	bool created;
	int ret;

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
	ret = rp_bind_open(file, &b, &p, &created);
	if (ret)
		goto out_unlock;
	ret = -EPROTOTYPE;
	if (b.mode && b.mode != p->mode)
		goto out_put;
	ret = rp_errno(rp_attach(f, p));
	if (ret)
		goto out_put;
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
	rp_detach(f, p);
out_put:
	rp_registry_put(&rp_reg, p);
out_unlock:
	mutex_unlock(&f->bind_lock);
	return ret;
}

static void rp_fill_info(struct ringpipe_info *out, const struct rp_pipe_info *in)
{
	const struct rp_stats *st = &in->stats;

	memset(out, 0, sizeof(*out));
	memcpy(out->name, in->name, sizeof(in->name));
	out->uid = in->uid;
	out->perm = in->perm;
	out->refs = in->refs;
	out->capacity = st->capacity;
	out->mode = st->mode;
	out->used = st->used;
	out->attached = st->attached;
	out->readers = st->readers;
	out->writers = st->writers;
	out->writers_ever = st->writers_ever;
	out->abandoned = st->abandoned;
	out->corrupt = in->ring_status != RP_OK;
	out->msgs_in = st->msgs_in;
	out->bytes_in = st->bytes_in;
	out->msgs_out = st->msgs_out;
	out->bytes_out = st->bytes_out;
}

/*
 * A snapshot of every pipe. The registry copies under its lock into memory
 * that cannot fault; pipes created meanwhile make it try again.
 */
static struct rp_pipe_info *rp_snapshot(u32 *count)
{
	struct rp_pipe_info *all = NULL;
	u32 n, room = 0;
	int i;

	for (i = 0; i < RP_LIST_TRIES; i++) {
		kvfree(all);
		room = rp_registry_count(&rp_reg) + 8;
		all = kvcalloc(room, sizeof(*all), GFP_KERNEL);
		if (!all)
			return ERR_PTR(-ENOMEM);
		n = rp_registry_list(&rp_reg, all, room);
		if (n <= room) {
			*count = n;
			return all;
		}
	}
	kvfree(all);
	return ERR_PTR(-EAGAIN);
}

static bool rp_info_visible(const struct rp_pipe_info *in)
{
	u32 uid = rp_caller_uid();

	return uid == in->uid || (in->perm & 04) ||
	       capable(CAP_DAC_OVERRIDE);
}

static int rp_stat(struct rp_file *f, struct ringpipe_stat __user *us)
{
	struct rp_pipe *bound = rp_file_pipe(f);
	char canon[RP_NAME_MAX + 1];
	struct rp_pipe_info *all;
	struct ringpipe_stat s;
	int ret = -ENOENT;
	u32 i, n;

	if (copy_from_user(&s, us, sizeof(s)))
		return -EFAULT;
	if (s.reserved)
		return -EINVAL;
	if (!s.name_len) {
		if (!bound)
			return -EBADFD;
		memcpy(canon, bound->name, sizeof(canon));
	} else if (s.name_len > RINGPIPE_NAME_MAX ||
		   rp_name_canon(s.name, s.name_len, canon) != RP_NAME_OK) {
		return rp_name_errno(s.name_len);
	}
	all = rp_snapshot(&n);
	if (IS_ERR(all))
		return PTR_ERR(all);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].name, canon))
			continue;
		ret = -EACCES;
		if (!rp_info_visible(&all[i]))
			break;
		rp_fill_info(&s.info, &all[i]);
		ret = copy_to_user(us, &s, sizeof(s)) ? -EFAULT : 0;
		break;
	}
	kvfree(all);
	return ret;
}

static int rp_list(struct ringpipe_list __user *ul)
{
	struct ringpipe_info __user *out;
	struct ringpipe_info info;
	struct rp_pipe_info *all;
	struct ringpipe_list l;
	u32 i, n, seen = 0;
	int ret = 0;

	if (copy_from_user(&l, ul, sizeof(l)))
		return -EFAULT;
	out = u64_to_user_ptr(l.entries);
	all = rp_snapshot(&n);
	if (IS_ERR(all))
		return PTR_ERR(all);
	for (i = 0; i < n; i++) {
		if (!rp_info_visible(&all[i]))
			continue;
		if (seen < l.max) {
			rp_fill_info(&info, &all[i]);
			if (copy_to_user(out + seen, &info, sizeof(info))) {
				ret = -EFAULT;
				break;
			}
		}
		seen++;
	}
	kvfree(all);
	if (ret)
		return ret;
	l.count = seen;
	return copy_to_user(ul, &l, sizeof(l)) ? -EFAULT : 0;
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
		return rp_stat(f, uarg);
	case RINGPIPE_IOC_LIST:
		return rp_list(uarg);
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
