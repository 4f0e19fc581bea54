#include "rp_ring_internal.h"

uint32_t rp_ring_max_record(const struct rp_ring *r)
{
	if (r->mode == RP_MODE_BYTE)
		return r->capacity / 2u - RP_REC_HDR;
	return r->capacity - RP_REC_HDR;
}

static int rp_reserve_locked(struct rp_handle *h, uint32_t len,
			     struct rp_resv *v)
{
	struct rp_ring *r = h->ring;
	uint32_t head = rp_load32(rp_hw(r, RP_OFF_HEAD));
	uint32_t tail = rp_load32(rp_hw(r, RP_OFF_TAIL));
	uint32_t size = rp_rec_size(len);

	if (rp_positions_bad(r, head, tail))
		return RP_CORRUPT;
	if (head - tail + size > r->capacity)
		return RP_FULL;
	rp_store32(rp_dw(r, head) + 1, h->token);
	rp_store32(rp_dw(r, head), rp_word0(RP_REC_RESERVED, len));
	rp_add64(r, RP_OFF_MSGS_IN, 1);
	rp_add64(r, RP_OFF_BYTES_IN, len);
	rp_store32(rp_hw(r, RP_OFF_HEAD), head + size);
	v->pos = head;
	v->len = len;
	return RP_OK;
}

int rp_ring_reserve(struct rp_handle *h, uint32_t len, struct rp_resv *v)
{
	int st;

	rp_ring_set_writer(h);
	if (len > rp_ring_max_record(h->ring))
		return RP_TOO_BIG;
	if (len == 0 && h->ring->mode == RP_MODE_BYTE)
		return RP_INVAL; /* byte mode has no empty records */
	st = rp_ring_lock_take(h, RP_OFF_WLOCK);
	if (st != RP_OK)
		return st;
	st = rp_reserve_locked(h, len, v);
	rp_ring_lock_release(h, RP_OFF_WLOCK);
	return st;
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

/*
 * A compare-and-swap rather than the plain store of the format: if a reader
 * wrongly took this writer for dead and the space was reused, the commit
 * must not overwrite the new record.
 */
int rp_ring_commit(struct rp_handle *h, const struct rp_resv *v,
		   unsigned *wake)
{
	uint32_t reserved = rp_word0(RP_REC_RESERVED, v->len);

	if (!rp_cas32(rp_dw(h->ring, v->pos), &reserved,
		      rp_word0(RP_REC_COMMITTED, v->len)))
		return RP_CORRUPT;
	rp_ring_wake_waiters(h->ring, RP_WAKE_DATA, wake);
	return RP_OK;
}

static int rp_write_record(struct rp_handle *h, const uint8_t *src,
			   uint32_t len, unsigned *wake)
{
	struct rp_resv v;
	int st = rp_ring_reserve(h, len, &v);

	if (st != RP_OK)
		return st;
	rp_ring_resv_copy(h->ring, &v, 0, src, len);
	return rp_ring_commit(h, &v, wake);
}

int rp_ring_write(struct rp_handle *h, const void *src, uint32_t len,
		  uint32_t *written, unsigned *wake)
{
	const uint8_t *p = src;
	uint32_t chunk = rp_ring_max_record(h->ring);
	int st = RP_OK;

	*written = 0;
	if (h->ring->mode == RP_MODE_MESSAGE) {
		st = rp_write_record(h, p, len, wake);
		if (st == RP_OK)
			*written = len;
		return st;
	}
	rp_ring_set_writer(h);
	while (st == RP_OK && *written < len) {
		uint32_t n = len - *written < chunk ? len - *written : chunk;

		st = rp_write_record(h, p + *written, n, wake);
		if (st == RP_OK)
			*written += n;
	}
	return st;
}
