#include "rp_ring_internal.h"

static uint32_t rp_next_token(struct rp_ring *r)
{
	uint32_t t = rp_fetch_add32(rp_hw(r, RP_OFF_ATTACH_SEQ), 1) + 1u;

	if (t == 0)
		t = rp_fetch_add32(rp_hw(r, RP_OFF_ATTACH_SEQ), 1) + 1u;
	return t;
}

int rp_ring_attach(struct rp_ring *r, uint32_t pid, struct rp_handle *h)
{
	uint32_t i;

	if (pid == 0)
		return RP_INVAL;
	for (i = 0; i < RP_SLOT_COUNT; i++) {
		uint32_t expected = 0;

		if (!rp_cas32(rp_sw(r, i, RP_SLOT_PID), &expected, pid))
			continue;
		h->ring = r;
		h->slot = i;
		h->pid = pid;
		h->token = rp_next_token(r);
		h->role = 0;
		rp_store32(rp_sw(r, i, RP_SLOT_TOKEN), h->token);
		rp_store32(rp_sw(r, i, RP_SLOT_ROLE), 0);
		return RP_OK;
	}
	return RP_NOSLOT;
}

static bool rp_slot_is_mine(const struct rp_handle *h)
{
	return h->token != 0 &&
	       rp_load32(rp_sw(h->ring, h->slot, RP_SLOT_TOKEN)) == h->token;
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

static void rp_end_writing_slot(struct rp_ring *r, uint32_t slot,
				unsigned *wake)
{
	rp_fetch_and32(rp_sw(r, slot, RP_SLOT_ROLE), ~RP_ROLE_WRITER);
	rp_fetch_add32(rp_hw(r, RP_OFF_DATA_SEQ), 1);
	*wake |= RP_WAKE_DATA;
}

void rp_ring_end_writing(struct rp_handle *h, unsigned *wake)
{
	if (!(h->role & RP_ROLE_WRITER))
		return;
	h->role &= ~RP_ROLE_WRITER;
	if (rp_slot_is_mine(h))
		rp_end_writing_slot(h->ring, h->slot, wake);
}

void rp_ring_detach(struct rp_handle *h, unsigned *wake)
{
	rp_ring_end_writing(h, wake);
	if (rp_slot_is_mine(h)) {
		uint32_t pid = h->pid;

		rp_store32(rp_sw(h->ring, h->slot, RP_SLOT_ROLE), 0);
		rp_store32(rp_sw(h->ring, h->slot, RP_SLOT_TOKEN), 0);
		rp_cas32(rp_sw(h->ring, h->slot, RP_SLOT_PID), &pid, 0);
	}
	h->role = 0;
	h->token = 0;
}

/*
 * A dead writer's slot ends writing like a close would, so sleeping readers
 * re-check for EOF at once. Callers serialise reclaim with attach (the
 * open/close lock), see docs/ring-format.md "Slots".
 */
uint32_t rp_ring_reclaim(struct rp_ring *r, unsigned *wake)
{
	uint32_t i, n = 0;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		uint32_t pid = rp_load32(rp_sw(r, i, RP_SLOT_PID));

		if (pid == 0 || r->env->alive(r->env->ctx, pid))
			continue;
		if (rp_load32(rp_sw(r, i, RP_SLOT_ROLE)) & RP_ROLE_WRITER)
			rp_end_writing_slot(r, i, wake);
		rp_store32(rp_sw(r, i, RP_SLOT_ROLE), 0);
		rp_store32(rp_sw(r, i, RP_SLOT_TOKEN), 0);
		if (rp_cas32(rp_sw(r, i, RP_SLOT_PID), &pid, 0))
			n++;
	}
	return n;
}

bool rp_ring_token_live(const struct rp_ring *r, uint32_t token)
{
	uint32_t i;

	if (token == 0)
		return false;
	for (i = 0; i < RP_SLOT_COUNT; i++) {
		uint32_t pid;

		if (rp_load32(rp_sw(r, i, RP_SLOT_TOKEN)) != token)
			continue;
		pid = rp_load32(rp_sw(r, i, RP_SLOT_PID));
		if (pid != 0 && r->env->alive(r->env->ctx, pid))
			return true;
	}
	return false;
}

uint32_t rp_ring_live_slots(const struct rp_ring *r)
{
	uint32_t i, n = 0;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		uint32_t pid = rp_load32(rp_sw(r, i, RP_SLOT_PID));

		if (pid != 0 && r->env->alive(r->env->ctx, pid))
			n++;
	}
	return n;
}
