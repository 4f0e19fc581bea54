#include "rp_ring_internal.h"

static void rp_copy_out(const struct rp_ring *r, uint32_t pos, void *buf,
			uint32_t n)
{
	struct rp_span s;

	rp_span_at(r, pos, n, &s);
	if (s.n[0] != 0)
		rp_memcpy(buf, s.p[0], s.n[0]);
	if (s.n[1] != 0)
		rp_memcpy((uint8_t *)buf + s.n[0], s.p[1], s.n[1]);
}

/* The COMMITTED record of len bytes at tail, skip bytes of it read; rlock is held. */
static int rp_take_record(struct rp_ring *r, uint32_t tail, uint32_t skip,
			  uint32_t len, void *buf, uint32_t room,
			  struct rp_read_res *res)
{
	uint32_t n;

	res->len = len;
	res->owner = rp_load32(rp_dw(r, tail) + 1);
	if (r->mode == RP_MODE_MESSAGE ? len > room : room == 0)
		return RP_TOO_SMALL;
	n = len - skip < room ? len - skip : room;
	rp_copy_out(r, tail + RP_REC_HDR + skip, buf, n);
	res->n = n;
	/* The tail before the counters: a reader killed between them leaves
	 * msgs_out one short, never one ahead of the records consumed. */
	if (skip + n == len) {
		rp_set_tail(r, tail + rp_rec_size(len), 0);
		rp_add64(r, RP_OFF_MSGS_OUT, 1);
		res->whole = true;
	} else {
		rp_set_tail(r, tail, skip + n);
	}
	rp_add64(r, RP_OFF_BYTES_OUT, n);
	return RP_OK;
}

/*
 * Whether the record at pos, reserved by the dead writer token, belongs to a
 * cursor batch that reached its commit point (cursor == cursor_next). The
 * owner word is loaded before and after the others: a writer starting a new
 * batch clears it first and sets it last.
 */
static bool rp_cursor_covers(const struct rp_ring *r, uint32_t pos,
			     uint32_t token)
{
	uint32_t owner = rp_load32(rp_hw(r, RP_OFF_CURSOR_OWNER));
	uint64_t cur, next;
	uint32_t from, to;

	if (owner == 0 || owner != token)
		return false;
	cur = rp_load64((uint64_t *)(void *)(r->base + RP_OFF_CURSOR));
	next = rp_load64((uint64_t *)(void *)(r->base + RP_OFF_CURSOR_NEXT));
	from = rp_load32(rp_hw(r, RP_OFF_CURSOR_FROM));
	to = rp_load32(rp_hw(r, RP_OFF_CURSOR_TO));
	if (rp_load32(rp_hw(r, RP_OFF_CURSOR_OWNER)) != owner)
		return false;
	return cur == next && pos - from < to - from;
}

/*
 * Steps 2 and 3 under rlock. Each pass skips a record, takes a second look
 * at a reservation whose word0 changed (once per record), or returns.
 * Only peers that keep making records to skip can use up the rp_walk_limit
 * skips: the Read then stops, BUSY, and is tried again.
 */
static int rp_read_locked(struct rp_ring *r, void *buf, uint32_t room,
			  struct rp_read_res *res)
{
	bool looked = false;

	for (;;) {
		uint64_t t64 = rp_load64(rp_tail64(r));
		uint32_t tail = (uint32_t)t64, skip = (uint32_t)(t64 >> 32);
		uint32_t head = rp_load32(rp_hw(r, RP_OFF_HEAD));
		uint32_t used = head - tail, word0;

		if (rp_positions_bad(r, head, tail) ||
		    (skip != 0 && (used == 0 || r->mode == RP_MODE_MESSAGE)))
			return RP_CORRUPT;
		if (used == 0)
			return RP_EMPTY;
		word0 = rp_load32(rp_dw(r, tail));
		if (rp_word0_bad(r, word0, used, skip))
			return RP_CORRUPT;
		if (rp_rec_state(word0) == RP_REC_COMMITTED)
			return rp_take_record(r, tail, skip, rp_rec_len(word0),
					      buf, room, res);
		if (rp_rec_state(word0) == RP_REC_RESERVED) {
			uint32_t token = rp_load32(rp_dw(r, tail) + 1);
			enum rp_owner o = rp_ring_owner(r, token);

			if (o == RP_OWNER_WRITING)
				return RP_BUSY;
			if (o == RP_OWNER_IDLE) {
				if (looked || rp_load32(rp_dw(r, tail)) == word0)
					return RP_CORRUPT;
				looked = true;
				continue;
			}
			/* Dead writer: committed under a cursor batch's commit
			 * point, else skipped unless a settle changed it. */
			if (rp_cursor_covers(r, tail, token))
				return rp_take_record(r, tail, skip,
						      rp_rec_len(word0), buf,
						      room, res);
			if (rp_load32(rp_dw(r, tail)) != word0) {
				if (looked)
					return RP_CORRUPT;
				looked = true;
				continue;
			}
		}
		if (res->abandoned == rp_walk_limit(r))
			return RP_BUSY;
		rp_set_tail(r, tail + rp_rec_size(rp_rec_len(word0)), 0);
		rp_fetch_add32(rp_hw(r, RP_OFF_ABANDONED), 1);
		res->abandoned++;
		looked = false;
	}
}

int rp_ring_read(struct rp_handle *h, void *buf, uint32_t room,
		 struct rp_read_res *res, unsigned *wake)
{
	struct rp_ring *r = h->ring;
	int st;

	rp_memset(res, 0, sizeof(*res));
	rp_ring_set_reader(h);
	st = rp_ring_lock_take(h, RP_OFF_RLOCK);
	if (st != RP_OK)
		return st;
	st = rp_read_locked(r, buf, room, res);
	rp_ring_lock_release(h, RP_OFF_RLOCK);
	if (res->whole || res->abandoned != 0)
		rp_ring_wake_waiters(r, RP_WAKE_SPACE, wake);
	return st;
}
