#include "rp_registry.h"

#define RP_REFS_MAX 0x7fffffffu

void rp_registry_init(struct rp_registry *reg,
		      const struct rp_registry_ops *ops,
		      const struct rp_env *env)
{
	rp_lock_init(&reg->lock);
	reg->head = NULL;
	reg->count = 0;
	reg->ops = *ops;
	reg->env = env;
}

int rp_registry_destroy(struct rp_registry *reg)
{
	rp_lock_lock(&reg->lock);
	if (reg->head != NULL) {
		rp_lock_unlock(&reg->lock);
		return RP_BUSY;
	}
	rp_lock_unlock(&reg->lock);
	rp_lock_destroy(&reg->lock);
	return RP_OK;
}

bool rp_pipe_access(const struct rp_pipe *p, uint32_t uid, uint32_t access)
{
	uint32_t bits = uid == p->uid ? (p->perm >> 6) & 7u : p->perm & 7u;

	return (access & ~(RP_ACCESS_READ | RP_ACCESS_WRITE)) == 0 &&
	       (bits & access) == access;
}

static struct rp_pipe *rp_find_locked(struct rp_registry *reg,
				      const char *canon)
{
	struct rp_pipe *p;
	uint32_t guard = 0;

	for (p = reg->head; p != NULL && guard <= reg->count; p = p->next) {
		size_t i = 0;

		while (i < RP_NAME_MAX && p->name[i] != '\0' &&
		       p->name[i] == canon[i])
			i++;
		if (p->name[i] == canon[i])
			return p;
		guard++;
	}
	return NULL;
}

static void rp_pipe_free(struct rp_registry *reg, struct rp_pipe *p)
{
	if (reg->ops.ctx_free != NULL)
		reg->ops.ctx_free(reg->ops.ctx, p);
	reg->ops.ring_free(reg->ops.ctx, p->mem, p->mem_size);
	rp_free(p);
}

static int rp_pipe_new(struct rp_registry *reg, const char *canon,
		       const struct rp_open_req *req, struct rp_pipe **out)
{
	struct rp_pipe *p = rp_alloc(sizeof(*p));
	int st = RP_ENOMEM;

	if (p == NULL)
		return RP_ENOMEM;
	rp_memcpy(p->name, canon, sizeof(p->name));
	p->refs = 1;
	p->uid = req->uid;
	p->perm = req->perm;
	p->mode = req->mode;
	p->capacity = req->capacity;
	p->mem_size = rp_ring_segment_size(req->capacity);
	p->mem = reg->ops.ring_alloc(reg->ops.ctx, p->mem_size);
	if (p->mem == NULL)
		goto free_pipe;
	st = rp_ring_init(&p->ring, p->mem, p->mem_size, p->capacity, p->mode,
			  reg->env);
	if (st != RP_OK)
		goto free_ring;
	if (reg->ops.ctx_init != NULL) {
		st = reg->ops.ctx_init(reg->ops.ctx, p);
		if (st != RP_OK)
			goto free_ring;
	}
	*out = p;
	return RP_OK;

free_ring:
	reg->ops.ring_free(reg->ops.ctx, p->mem, p->mem_size);
free_pipe:
	rp_free(p);
	return st;
}

/* An existing pipe: check and take a reference; the lock is held. */
static int rp_open_existing(struct rp_pipe *p, const struct rp_open_req *req)
{
	if ((req->flags & RP_OPEN_CREATE) && (req->flags & RP_OPEN_EXCL))
		return RP_EEXIST;
	if (!rp_pipe_access(p, req->uid, req->access))
		return RP_EACCES;
	if (p->refs >= RP_REFS_MAX)
		return RP_INVAL;
	p->refs++;
	return RP_OK;
}

static bool rp_create_args_ok(const struct rp_open_req *req)
{
	return rp_ring_capacity_ok(req->capacity) &&
	       (req->mode == RP_MODE_MESSAGE || req->mode == RP_MODE_BYTE) &&
	       (req->perm & ~RP_PERM_MASK) == 0;
}

/* The lookup, allocation outside the lock, and a second lookup for a racing
 * creator. */
int rp_registry_open(struct rp_registry *reg, const struct rp_open_req *req,
		     struct rp_pipe **out, bool *created)
{
	char canon[RP_NAME_MAX + 1] = { 0 };
	struct rp_pipe *p, *fresh = NULL;
	int st;

	if (created != NULL)
		*created = false;
	if (rp_name_canon(req->name, req->name_len, canon) != RP_NAME_OK)
		return RP_BADNAME;
	if ((req->flags & RP_OPEN_CREATE) && !rp_create_args_ok(req))
		return RP_INVAL;
	rp_lock_lock(&reg->lock);
	p = rp_find_locked(reg, canon);
	if (p == NULL && (req->flags & RP_OPEN_CREATE)) {
		rp_lock_unlock(&reg->lock);
		st = rp_pipe_new(reg, canon, req, &fresh);
		if (st != RP_OK)
			return st;
		rp_lock_lock(&reg->lock);
		p = rp_find_locked(reg, canon);
	}
	if (p != NULL) {
		st = rp_open_existing(p, req);
	} else if (fresh != NULL) {
		fresh->next = reg->head;
		reg->head = fresh;
		reg->count++;
		p = fresh;
		fresh = NULL;
		st = RP_OK;
		if (created != NULL)
			*created = true;
	} else {
		st = RP_ENOENT;
	}
	rp_lock_unlock(&reg->lock);
	if (fresh != NULL)
		rp_pipe_free(reg, fresh);
	if (st == RP_OK)
		*out = p;
	return st;
}

int rp_registry_get(struct rp_registry *reg, struct rp_pipe *p)
{
	int st = RP_OK;

	rp_lock_lock(&reg->lock);
	if (p->refs >= RP_REFS_MAX)
		st = RP_INVAL;
	else
		p->refs++;
	rp_lock_unlock(&reg->lock);
	return st;
}

static void rp_unlink_locked(struct rp_registry *reg, struct rp_pipe *p)
{
	struct rp_pipe **link = &reg->head;
	uint32_t guard;

	for (guard = 0; *link != NULL && guard < reg->count; guard++) {
		if (*link == p) {
			*link = p->next;
			reg->count--;
			return;
		}
		link = &(*link)->next;
	}
}

void rp_registry_put(struct rp_registry *reg, struct rp_pipe *p)
{
	bool last;

	rp_lock_lock(&reg->lock);
	last = --p->refs == 0;
	if (last)
		rp_unlink_locked(reg, p);
	rp_lock_unlock(&reg->lock);
	if (last)
		rp_pipe_free(reg, p);
}

void rp_registry_unlink(struct rp_registry *reg, struct rp_pipe *p)
{
	rp_lock_lock(&reg->lock);
	rp_unlink_locked(reg, p);
	rp_lock_unlock(&reg->lock);
}

uint32_t rp_registry_count(struct rp_registry *reg)
{
	uint32_t n;

	rp_lock_lock(&reg->lock);
	n = reg->count;
	rp_lock_unlock(&reg->lock);
	return n;
}

uint32_t rp_registry_list(struct rp_registry *reg, struct rp_pipe_info *out,
			  uint32_t max)
{
	struct rp_pipe *p;
	uint32_t i = 0, n;

	rp_lock_lock(&reg->lock);
	n = reg->count;
	for (p = reg->head; p != NULL && i < max && i < n; p = p->next, i++) {
		rp_memcpy(out[i].name, p->name, sizeof(out[i].name));
		out[i].uid = p->uid;
		out[i].perm = p->perm;
		out[i].refs = p->refs;
		out[i].ring_status = rp_ring_stats(&p->ring, &out[i].stats);
	}
	rp_lock_unlock(&reg->lock);
	return n;
}
