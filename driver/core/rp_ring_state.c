#include "rp_ring_internal.h"

/* A slot counts when it is live and holds a token: token 0 is nobody's. */
static bool rp_slot_counts(const struct rp_ring *r, uint32_t slot)
{
	return rp_load32(rp_sw(r, slot, RP_SLOT_TOKEN)) != 0 &&
	       rp_ring_slot_live(r, slot);
}

static bool rp_live_writer(const struct rp_ring *r)
{
	uint32_t i;

	for (i = 0; i < RP_SLOT_COUNT; i++)
		if ((rp_load32(rp_sw(r, i, RP_SLOT_ROLE)) & RP_ROLE_WRITER) &&
		    rp_slot_counts(r, i))
			return true;
	return false;
}

/*
 * The order of the loads matters: a writer sets its role before it bumps
 * writers_ever and ends its role after its last head store.
 */
bool rp_ring_eof(struct rp_handle *h)
{
	const struct rp_ring *r = h->ring;

	if (rp_load32(&h->writer_seen) == 0) {
		if (rp_load32(rp_hw(r, RP_OFF_WRITERS_EVER)) == 0)
			return false;
		rp_store32(&h->writer_seen, 1);
	}
	if (rp_live_writer(r))
		return false;
	return rp_load32(rp_hw(r, RP_OFF_TAIL)) ==
	       rp_load32(rp_hw(r, RP_OFF_HEAD));
}

/*
 * Read's steps 2 and 3 without the lock and without consuming anything:
 * records a Read would skip are looked past, rp_walk_limit of them at most.
 */
bool rp_ring_readable(const struct rp_ring *r)
{
	uint64_t t64 = rp_load64(rp_tail64(r));
	uint32_t tail = (uint32_t)t64, skip = (uint32_t)(t64 >> 32);
	uint32_t head = rp_load32(rp_hw(r, RP_OFF_HEAD));
	uint32_t i, limit = rp_walk_limit(r);

	if (rp_positions_bad(r, head, tail) ||
	    (skip != 0 && (head == tail || r->mode == RP_MODE_MESSAGE)))
		return true;
	for (i = 0; i <= limit && head != tail; i++) {
		uint32_t word0 = rp_load32(rp_dw(r, tail));

		if (rp_word0_bad(r, word0, head - tail, skip) ||
		    rp_rec_state(word0) == RP_REC_COMMITTED)
			return true;
		if (rp_rec_state(word0) == RP_REC_RESERVED) {
			enum rp_owner o = rp_ring_owner(r, rp_load32(rp_dw(r, tail) + 1));

			if (o != RP_OWNER_DEAD)
				return o == RP_OWNER_IDLE;
		}
		tail += rp_rec_size(rp_rec_len(word0));
		skip = 0;
	}
	return head != tail; /* past the walk limit: the Read tells */
}

bool rp_ring_writable(const struct rp_ring *r, uint32_t len)
{
	uint32_t max = rp_ring_max_record(r);
	uint32_t head = rp_load32(rp_hw(r, RP_OFF_HEAD));
	uint32_t tail = rp_load32(rp_hw(r, RP_OFF_TAIL));

	if (len > max)
		len = max;
	if (len == 0 && r->mode == RP_MODE_BYTE)
		len = 1;
	if (rp_positions_bad(r, head, tail))
		return true;
	return r->capacity - (head - tail) >= rp_rec_size(len);
}

static void rp_stats_slots(const struct rp_ring *r, struct rp_stats *st)
{
	uint32_t i;

	for (i = 0; i < RP_SLOT_COUNT; i++) {
		uint32_t role = rp_load32(rp_sw(r, i, RP_SLOT_ROLE));

		if (!rp_slot_counts(r, i))
			continue;
		st->attached++;
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
	st->msgs_in = rp_counter64(r, RP_OFF_MSGS_IN);
	st->bytes_in = rp_counter64(r, RP_OFF_BYTES_IN);
	st->msgs_out = rp_counter64(r, RP_OFF_MSGS_OUT);
	st->bytes_out = rp_counter64(r, RP_OFF_BYTES_OUT);
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

void rp_ring_unread(const struct rp_ring *r, struct rp_unread *u)
{
	uint32_t head = rp_load32(rp_hw(r, RP_OFF_HEAD));
	uint32_t tail = rp_load32(rp_hw(r, RP_OFF_TAIL));
	uint32_t skip = r->mode == RP_MODE_BYTE ? rp_load32(rp_hw(r, RP_OFF_TAIL_SKIP)) : 0;
	uint32_t used, at, word0, len, state;

	u->msgs = 0;
	u->bytes = 0;
	if (rp_positions_bad(r, head, tail))
		return;
	used = head - tail;
	for (at = 0; at < used; at += rp_rec_size(len)) {
		word0 = rp_load32(rp_dw(r, tail + at));
		len = rp_rec_len(word0);
		if (rp_word0_bad(r, word0, used - at, skip))
			return;
		state = rp_rec_state(word0);
		if (state == RP_REC_COMMITTED ||
		    (state == RP_REC_RESERVED &&
		     rp_ring_token_live(r, rp_load32(rp_dw(r, tail + at) + 1)))) {
			u->msgs++;
			u->bytes += len - skip;
		}
		skip = 0;
	}
}
