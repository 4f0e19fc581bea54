#include "rp_ring_internal.h"

/* Records of one Write: n records of len bytes, then one of last bytes. */
struct rp_batch {
	uint32_t n, len, last;
};

static uint32_t rp_batch_count(const struct rp_batch *b)
{
	return b->n + (b->last != 0 || b->n == 0);
}

static uint32_t rp_batch_len(const struct rp_batch *b, uint32_t i)
{
	return i < b->n ? b->len : b->last;
}

/*
 * Steps 1-3 of Write under wlock: reserves the records of b that fit and
 * returns how many in *made (0: RP_FULL). pos is the first one's position.
 */
static int rp_reserve_locked(struct rp_handle *h, const struct rp_batch *b,
			     uint32_t *pos, uint32_t *made)
{
	struct rp_ring *r = h->ring;
	uint32_t head = rp_load32(rp_hw(r, RP_OFF_HEAD));
	uint32_t tail = rp_load32(rp_hw(r, RP_OFF_TAIL));
	uint32_t count = rp_batch_count(b), at = head, bytes = 0, i;

	if (rp_positions_bad(r, head, tail))
		return RP_CORRUPT;
	for (i = 0; i < count; i++) {
		uint32_t len = rp_batch_len(b, i), size = rp_rec_size(len);

		if (at - tail + size > r->capacity)
			break;
		rp_store32(rp_dw(r, at) + 1, h->token);
		rp_store32(rp_dw(r, at), rp_word0(RP_REC_RESERVED, len));
		at += size;
		bytes += len;
	}
	if (i == 0)
		return RP_FULL;
	rp_add64(r, RP_OFF_MSGS_IN, i);
	rp_add64(r, RP_OFF_BYTES_IN, bytes);
	rp_store32(rp_hw(r, RP_OFF_HEAD), at);
	*pos = head;
	*made = i;
	return RP_OK;
}

/* Step 1's writing = 1 comes first: a reader that sees the record sees it. */
static int rp_reserve_batch(struct rp_handle *h, const struct rp_batch *b,
			    uint32_t *pos, uint32_t *made)
{
	int st;

	rp_fetch_add32(rp_writing(h), 1);
	st = rp_ring_lock_take(h, RP_OFF_WLOCK);
	if (st == RP_OK) {
		st = rp_reserve_locked(h, b, pos, made);
		rp_ring_lock_release(h, RP_OFF_WLOCK);
	}
	if (st != RP_OK)
		rp_fetch_sub32(rp_writing(h), 1);
	return st;
}

/* Steps 5 and 6 of Write. */
static void rp_write_done(struct rp_handle *h, unsigned *wake)
{
	rp_fetch_sub32(rp_writing(h), 1);
	rp_ring_wake_waiters(h->ring, RP_WAKE_DATA, wake);
}

/* A compare-and-swap: a record skipped and reused meanwhile is left alone. */
static bool rp_finish_record(struct rp_ring *r, uint32_t pos, uint32_t len,
			     uint32_t state)
{
	uint32_t reserved = rp_word0(RP_REC_RESERVED, len);

	return rp_cas32(rp_dw(r, pos), &reserved, rp_word0(state, len));
}

int rp_ring_reserve(struct rp_handle *h, uint32_t len, struct rp_resv *v)
{
	struct rp_batch b = { 0, 0, len };
	uint32_t made;

	if (len > rp_ring_max_record(h->ring))
		return RP_TOO_BIG;
	if (len == 0 && h->ring->mode == RP_MODE_BYTE)
		return RP_INVAL; /* byte mode has no empty records */
	rp_ring_set_writer(h);
	v->len = len;
	return rp_reserve_batch(h, &b, &v->pos, &made);
}

int rp_ring_resv_span(const struct rp_ring *r, const struct rp_resv *v,
		      uint32_t off, uint32_t n, struct rp_span *s)
{
	if (off > v->len || n > v->len - off)
		return RP_INVAL;
	rp_span_at(r, v->pos + RP_REC_HDR + off, n, s);
	return RP_OK;
}

int rp_ring_resv_copy(const struct rp_ring *r, const struct rp_resv *v,
		      uint32_t off, const void *src, uint32_t n)
{
	struct rp_span s;
	int st = rp_ring_resv_span(r, v, off, n, &s);

	if (st != RP_OK)
		return st;
	if (s.n[0] != 0)
		rp_memcpy(s.p[0], src, s.n[0]);
	if (s.n[1] != 0)
		rp_memcpy(s.p[1], (const uint8_t *)src + s.n[0], s.n[1]);
	return RP_OK;
}

int rp_ring_commit(struct rp_handle *h, const struct rp_resv *v,
		   unsigned *wake)
{
	bool ok = rp_finish_record(h->ring, v->pos, v->len, RP_REC_COMMITTED);

	rp_write_done(h, wake);
	return ok ? RP_OK : RP_CORRUPT;
}

int rp_ring_abandon(struct rp_handle *h, const struct rp_resv *v,
		    unsigned *wake)
{
	bool ok = rp_finish_record(h->ring, v->pos, v->len, RP_REC_ABANDONED);

	rp_write_done(h, wake);
	return ok ? RP_OK : RP_CORRUPT;
}

/* Step 4 for the records made: copy each payload and commit it. */
static int rp_fill_batch(struct rp_handle *h, const uint8_t *src,
			 const struct rp_batch *b, uint32_t pos, uint32_t made)
{
	struct rp_resv v = { pos, 0 };
	int st = RP_OK;
	uint32_t i;

	for (i = 0; i < made; i++) {
		v.len = rp_batch_len(b, i);
		rp_ring_resv_copy(h->ring, &v, 0, src, v.len);
		if (!rp_finish_record(h->ring, v.pos, v.len, RP_REC_COMMITTED))
			st = RP_CORRUPT;
		src += v.len;
		v.pos += rp_rec_size(v.len);
	}
	return st;
}

int rp_ring_write(struct rp_handle *h, const void *src, uint32_t len,
		  uint32_t *written, unsigned *wake)
{
	uint32_t max = rp_ring_max_record(h->ring), pos = 0, made = 0, i;
	struct rp_batch b = { 0, max, len };
	int st;

	*written = 0;
	if (h->ring->mode == RP_MODE_MESSAGE && len > max)
		return RP_TOO_BIG; /* before the writer role: nothing was written */
	rp_ring_set_writer(h);
	if (h->ring->mode == RP_MODE_BYTE) {
		if (len == 0)
			return RP_OK;
		b.n = len / max;
		b.last = len % max;
	}
	st = rp_reserve_batch(h, &b, &pos, &made);
	if (st != RP_OK)
		return st;
	st = rp_fill_batch(h, src, &b, pos, made);
	rp_write_done(h, wake);
	for (i = 0; i < made; i++)
		*written += rp_batch_len(&b, i);
	if (st == RP_OK && made < rp_batch_count(&b))
		st = RP_FULL;
	return st;
}
