/* Word access shared by the rp_ring_*.c files. Not part of the API. */
#ifndef RP_RING_INTERNAL_H
#define RP_RING_INTERNAL_H

#include "rp_ring.h"

static inline uint32_t *rp_hw(const struct rp_ring *r, uint32_t off)
{
	return (uint32_t *)(void *)(r->base + off);
}

static inline uint32_t *rp_sw(const struct rp_ring *r, uint32_t slot,
			      uint32_t field)
{
	return rp_hw(r, RP_SLOT_OFFSET + slot * RP_SLOT_SIZE + field);
}

static inline uint32_t rp_doff(const struct rp_ring *r, uint32_t pos)
{
	return pos & (r->capacity - 1u);
}

/* Record words: pos is a multiple of 8, so both words are in bounds. */
static inline uint32_t *rp_dw(const struct rp_ring *r, uint32_t pos)
{
	return (uint32_t *)(void *)(r->base + RP_DATA_OFFSET + rp_doff(r, pos));
}

static inline uint32_t rp_align8(uint32_t n)
{
	return (n + 7u) & ~7u;
}

static inline uint32_t rp_rec_size(uint32_t len)
{
	return RP_REC_HDR + rp_align8(len);
}

static inline uint32_t rp_word0(uint32_t state, uint32_t len)
{
	return state << RP_REC_STATE_SHIFT | len;
}

/* Only the holder of the side's lock writes a 64-bit counter. */
static inline void rp_add64(const struct rp_ring *r, uint32_t off, uint32_t v)
{
	uint32_t lo = rp_load32(rp_hw(r, off));
	uint32_t nlo = lo + v;

	rp_store32(rp_hw(r, off), nlo);
	if (nlo < lo)
		rp_store32(rp_hw(r, off + 4), rp_load32(rp_hw(r, off + 4)) + 1u);
}

static inline uint64_t rp_load64(const struct rp_ring *r, uint32_t off)
{
	uint64_t lo = rp_load32(rp_hw(r, off));
	uint64_t hi = rp_load32(rp_hw(r, off + 4));

	return hi << 32 | lo;
}

static inline bool rp_positions_bad(const struct rp_ring *r, uint32_t head,
				    uint32_t tail)
{
	return ((head | tail) & 7u) != 0 || head - tail > r->capacity;
}

/* Describes n bytes from position pos, in at most two pieces. */
static inline void rp_span_at(const struct rp_ring *r, uint32_t pos,
			      uint32_t n, struct rp_span *s)
{
	uint32_t off = rp_doff(r, pos);
	uint32_t first = r->capacity - off;

	if (first > n)
		first = n;
	s->p[0] = r->base + RP_DATA_OFFSET + off;
	s->n[0] = first;
	s->p[1] = r->base + RP_DATA_OFFSET;
	s->n[1] = n - first;
}

/* RP_OK, RP_CORRUPT, or RP_BUSY when no stable snapshot could be taken. */
int rp_ring_positions(const struct rp_ring *r, uint32_t *head, uint32_t *tail);

uint32_t rp_ring_seq_off(unsigned which);
uint32_t rp_ring_waiting_off(unsigned which);
/* Bumps the seq word of which and sets it in *wake if anyone may sleep on it. */
void rp_ring_wake_waiters(struct rp_ring *r, unsigned which, unsigned *wake);

#endif
