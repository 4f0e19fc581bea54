#include "rp_ring_internal.h"

static bool rp_live_writer(const struct rp_ring *r)
{
	uint32_t i;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		uint32_t pid = rp_load32(rp_sw(r, i, RP_SLOT_PID));

		if (pid != 0 &&
		    (rp_load32(rp_sw(r, i, RP_SLOT_ROLE)) & RP_ROLE_WRITER) &&
		    r->env->alive(r->env->ctx, pid))
			return true;
	}
	return false;
}

/*
 * The order of the loads matters: a writer sets its role before it bumps
 * writers_ever and ends its role after its last head store.
 */
bool rp_ring_eof(const struct rp_ring *r)
{
	if (rp_load32(rp_hw(r, RP_OFF_WRITERS_EVER)) == 0)
		return false;
	if (rp_live_writer(r))
		return false;
	return rp_load32(rp_hw(r, RP_OFF_TAIL)) ==
	       rp_load32(rp_hw(r, RP_OFF_HEAD));
}

static void rp_stats_slots(const struct rp_ring *r, struct rp_stats *st)
{
	uint32_t i;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		uint32_t pid = rp_load32(rp_sw(r, i, RP_SLOT_PID));
		uint32_t role = rp_load32(rp_sw(r, i, RP_SLOT_ROLE));

		if (pid == 0)
			continue;
		st->attached++;
		if (!(role & (RP_ROLE_READER | RP_ROLE_WRITER)) ||
		    !r->env->alive(r->env->ctx, pid))
			continue;
		if (role & RP_ROLE_READER)
			st->readers++;
		if (role & RP_ROLE_WRITER)
			st->writers++;
	}
}

int rp_ring_stats(const struct rp_ring *r, struct rp_stats *st)
{
	int pos;

	rp_memset(st, 0, sizeof(*st));
	st->capacity = r->capacity;
	st->mode = r->mode;
	pos = rp_ring_positions(r, &st->head, &st->tail);
	st->used = pos == RP_CORRUPT ? 0 : st->head - st->tail;
	st->tail_skip = rp_load32(rp_hw(r, RP_OFF_TAIL_SKIP));
	st->msgs_in = rp_load64(r, RP_OFF_MSGS_IN);
	st->bytes_in = rp_load64(r, RP_OFF_BYTES_IN);
	st->msgs_out = rp_load64(r, RP_OFF_MSGS_OUT);
	st->bytes_out = rp_load64(r, RP_OFF_BYTES_OUT);
	st->abandoned = rp_load32(rp_hw(r, RP_OFF_ABANDONED));
	st->attach_seq = rp_load32(rp_hw(r, RP_OFF_ATTACH_SEQ));
	st->writers_ever = rp_load32(rp_hw(r, RP_OFF_WRITERS_EVER));
	st->data_seq = rp_load32(rp_hw(r, RP_OFF_DATA_SEQ));
	st->space_seq = rp_load32(rp_hw(r, RP_OFF_SPACE_SEQ));
	st->readers_waiting = rp_load32(rp_hw(r, RP_OFF_READERS_WAITING));
	st->writers_waiting = rp_load32(rp_hw(r, RP_OFF_WRITERS_WAITING));
	rp_stats_slots(r, st);
	if (pos == RP_BUSY && st->used > r->capacity)
		st->used = r->capacity;
	return pos == RP_CORRUPT ? RP_CORRUPT : RP_OK;
}
