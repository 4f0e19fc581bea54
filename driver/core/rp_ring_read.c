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

/* The COMMITTED record of len bytes at tail; rlock is held. */
static int rp_take_record(struct rp_ring *r, uint32_t tail, uint32_t len,
			  void *buf, uint32_t room, struct rp_read_res *res)
{
	uint32_t skip = rp_load32(rp_hw(r, RP_OFF_TAIL_SKIP));
	uint32_t n;

	res->len = len;
	res->owner = rp_load32(rp_dw(r, tail) + 1);
	if (r->mode == RP_MODE_MESSAGE) {
		if (skip != 0)
			return RP_CORRUPT;
		if (room < len)
			return RP_TOO_SMALL;
		n = len;
	} else {
		if (skip >= len)
			return RP_CORRUPT;
		n = len - skip < room ? len - skip : room;
		if (n == 0)
			return RP_OK;
	}
	rp_copy_out(r, tail + RP_REC_HDR + skip, buf, n);
	res->n = n;
	if (skip + n == len) {
		rp_store32(rp_hw(r, RP_OFF_TAIL_SKIP), 0);
		rp_add64(r, RP_OFF_MSGS_OUT, 1);
		rp_store32(rp_hw(r, RP_OFF_TAIL), tail + rp_rec_size(len));
		res->whole = true;
	} else {
		rp_store32(rp_hw(r, RP_OFF_TAIL_SKIP), skip + n);
	}
	rp_add64(r, RP_OFF_BYTES_OUT, n);
	return RP_OK;
}

/* Each pass consumes at least 8 bytes or returns: capacity / 8 + 1 passes. */
static int rp_read_locked(struct rp_ring *r, void *buf, uint32_t room,
			  struct rp_read_res *res)
{
	uint32_t pass;

	for (pass = 0; pass <= r->capacity / RP_REC_HDR; pass++) {
		uint32_t tail = rp_load32(rp_hw(r, RP_OFF_TAIL));
		uint32_t head = rp_load32(rp_hw(r, RP_OFF_HEAD));
		uint32_t word0, len;

		if (rp_positions_bad(r, head, tail))
			return RP_CORRUPT;
		if (head == tail)
			return RP_EMPTY;
		word0 = rp_load32(rp_dw(r, tail));
		len = word0 & RP_REC_LEN_MASK;
		if (len > r->capacity - RP_REC_HDR || rp_rec_size(len) > head - tail)
			return RP_CORRUPT;
		if (word0 >> RP_REC_STATE_SHIFT == RP_REC_COMMITTED)
			return rp_take_record(r, tail, len, buf, room, res);
		if (word0 >> RP_REC_STATE_SHIFT != RP_REC_RESERVED)
			return RP_CORRUPT;
		if (rp_ring_token_live(r, rp_load32(rp_dw(r, tail) + 1)))
			return RP_BUSY;
		if (rp_load32(rp_hw(r, RP_OFF_TAIL_SKIP)) != 0)
			return RP_CORRUPT;
		rp_store32(rp_hw(r, RP_OFF_TAIL), tail + rp_rec_size(len));
		rp_fetch_add32(rp_hw(r, RP_OFF_ABANDONED), 1);
		res->abandoned++;
	}
	return RP_CORRUPT;
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
