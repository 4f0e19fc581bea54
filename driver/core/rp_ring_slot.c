#include "rp_ring_internal.h"

static uint32_t rp_next_token(struct rp_ring *r)
{
	uint32_t t = rp_fetch_add32(rp_hw(r, RP_OFF_ATTACH_SEQ), 1) + 1u;

	if (t == 0)
		t = rp_fetch_add32(rp_hw(r, RP_OFF_ATTACH_SEQ), 1) + 1u;
	return t;
}

bool rp_ring_slot_live(const struct rp_ring *r, uint32_t slot)
{
	return slot < RP_SLOT_COUNT &&
	       r->env->alive(r->env->ctx, slot,
			     rp_load32(rp_sw(r, slot, RP_SLOT_PID)));
}

int rp_ring_free_slot(const struct rp_ring *r, uint32_t *slot)
{
	uint32_t i;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		if (!rp_ring_slot_live(r, i)) {
			*slot = i;
			return RP_OK;
		}
	}
	return RP_NOSLOT;
}

int rp_ring_attach(struct rp_ring *r, uint32_t slot, uint32_t pid,
		   struct rp_handle *h)
{
	if (slot >= RP_SLOT_COUNT)
		return RP_INVAL;
	h->ring = r;
	h->slot = slot;
	h->pid = pid;
	h->token = rp_next_token(r);
	h->role = 0;
	h->writer_seen = 0;
	rp_store32(rp_sw(r, slot, RP_SLOT_TOKEN), h->token);
	rp_store32(rp_sw(r, slot, RP_SLOT_ROLE), 0);
	rp_store32(rp_sw(r, slot, RP_SLOT_WRITING), 0);
	rp_store32(rp_sw(r, slot, RP_SLOT_PID), pid);
	return RP_OK;
}

static bool rp_slot_is_mine(const struct rp_handle *h)
{
	return h->token != 0 && h->slot < RP_SLOT_COUNT &&
	       rp_load32(rp_sw(h->ring, h->slot, RP_SLOT_TOKEN)) == h->token;
}

uint32_t rp_ring_slot_role(const struct rp_handle *h)
{
	if (!rp_slot_is_mine(h))
		return 0;
	return rp_load32(rp_sw(h->ring, h->slot, RP_SLOT_ROLE)) &
	       (RP_ROLE_WRITER | RP_ROLE_READER);
}

void rp_ring_set_writer(struct rp_handle *h)
{
	uint32_t old;

	if ((h->role & RP_ROLE_WRITER) || !rp_slot_is_mine(h))
		return;
	h->role |= RP_ROLE_WRITER;
	old = rp_fetch_or32(rp_sw(h->ring, h->slot, RP_SLOT_ROLE), RP_ROLE_WRITER);
	if (!(old & RP_ROLE_WRITER))
		rp_fetch_add32(rp_hw(h->ring, RP_OFF_WRITERS_EVER), 1);
}

void rp_ring_set_reader(struct rp_handle *h)
{
	if ((h->role & RP_ROLE_READER) || !rp_slot_is_mine(h))
		return;
	h->role |= RP_ROLE_READER;
	rp_fetch_or32(rp_sw(h->ring, h->slot, RP_SLOT_ROLE), RP_ROLE_READER);
}

void rp_ring_clear_reader(struct rp_handle *h)
{
	h->role &= ~RP_ROLE_READER;
	if (rp_slot_is_mine(h))
		rp_fetch_and32(rp_sw(h->ring, h->slot, RP_SLOT_ROLE),
			       ~RP_ROLE_READER);
}

void rp_ring_end_writing(struct rp_handle *h, unsigned *wake)
{
	if (!(h->role & RP_ROLE_WRITER))
		return;
	h->role &= ~RP_ROLE_WRITER;
	if (!rp_slot_is_mine(h))
		return;
	rp_fetch_and32(rp_sw(h->ring, h->slot, RP_SLOT_ROLE), ~RP_ROLE_WRITER);
	rp_ring_bump(h->ring, RP_WAKE_DATA);
	*wake |= RP_WAKE_DATA;
}

void rp_ring_detach(struct rp_handle *h, unsigned *wake)
{
	rp_ring_end_writing(h, wake);
	if (rp_slot_is_mine(h)) {
		rp_store32(rp_sw(h->ring, h->slot, RP_SLOT_ROLE), 0);
		rp_store32(rp_sw(h->ring, h->slot, RP_SLOT_TOKEN), 0);
		rp_store32(rp_sw(h->ring, h->slot, RP_SLOT_PID), 0);
	}
	h->role = 0;
	h->token = 0;
}

bool rp_ring_token_live(const struct rp_ring *r, uint32_t token)
{
	return rp_ring_owner(r, token) != RP_OWNER_DEAD;
}

/* The platform's own list of who holds the token (rp_env.token_slot). */
static enum rp_owner rp_ring_owner_listed(const struct rp_ring *r,
					  uint32_t token)
{
	const struct rp_env *env = r->env;
	enum rp_owner o = RP_OWNER_DEAD;
	uint32_t i;

	for (i = env->token_slot(env->ctx, token, 0); i < RP_SLOT_COUNT;
	     i = env->token_slot(env->ctx, token, i + 1)) {
		if (rp_load32(rp_sw(r, i, RP_SLOT_WRITING)) != 0)
			return RP_OWNER_WRITING;
		o = RP_OWNER_IDLE;
	}
	return o;
}

/* Every live slot that holds the token counts: a forged copy only stalls. */
enum rp_owner rp_ring_owner(const struct rp_ring *r, uint32_t token)
{
	enum rp_owner o = RP_OWNER_DEAD;
	uint32_t i;

	if (token == 0)
		return RP_OWNER_DEAD;
	if (r->env->token_slot != NULL)
		return rp_ring_owner_listed(r, token);
	for (i = 0; i < RP_SLOT_COUNT; i++) {
		if (rp_load32(rp_sw(r, i, RP_SLOT_TOKEN)) != token ||
		    !rp_ring_slot_live(r, i))
			continue;
		if (rp_load32(rp_sw(r, i, RP_SLOT_WRITING)) != 0)
			return RP_OWNER_WRITING;
		o = RP_OWNER_IDLE;
	}
	return o;
}

uint32_t rp_ring_live_slots(const struct rp_ring *r)
{
	uint32_t i, n = 0;

	for (i = 0; i < RP_SLOT_COUNT; i++)
		n += rp_ring_slot_live(r, i);
	return n;
}
