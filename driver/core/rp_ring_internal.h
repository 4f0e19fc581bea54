/*
 * Word access shared by the rp_ring_*.c files. Not part of the API.
 *
 * Who calls whom (each file only the ones named after it), so that no file
 * depends on a later one:
 *   rp_ring.c        geometry (rp_ring_max_record), init, validation, positions
 *   rp_ring_wait.c   seq words, waiting counts, wakes
 *   rp_ring_slot.c   attach, roles, liveness, rp_ring_owner       -> wait
 *   rp_ring_lock.c   wlock / rlock                                -> slot
 *   rp_ring_write.c  Write, reserve, commit, abandon              -> rp_ring.c, slot, lock, wait
 *   rp_ring_read.c   Read, the batch read, skips                  -> slot, lock, wait
 *   rp_ring_state.c  readable / writable / EOF, statistics        -> rp_ring.c, slot
 * The inline helpers below call only rp_ring.c.
 */
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

static inline uint64_t rp_counter64(const struct rp_ring *r, uint32_t off)
{
	uint64_t lo = rp_load32(rp_hw(r, off));
	uint64_t hi = rp_load32(rp_hw(r, off + 4));

	return hi << 32 | lo;
}

/* tail (low half) and tail_skip (high half), read or written as one. */
static inline uint64_t *rp_tail64(const struct rp_ring *r)
{
	return (uint64_t *)(void *)(r->base + RP_OFF_TAIL64);
}

static inline void rp_set_tail(const struct rp_ring *r, uint32_t tail,
			       uint32_t skip)
{
	rp_store64(rp_tail64(r), (uint64_t)skip << 32 | tail);
}

static inline uint32_t rp_rec_state(uint32_t word0)
{
	return word0 >> RP_REC_STATE_SHIFT;
}

static inline uint32_t rp_rec_len(uint32_t word0)
{
	return word0 & RP_REC_LEN_MASK;
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

/* Read's step 3 checks of word0 against the ring and the positions. */
static inline bool rp_word0_bad(const struct rp_ring *r, uint32_t word0,
				uint32_t used, uint32_t skip)
{
	uint32_t len = rp_rec_len(word0);

	if (rp_rec_state(word0) == 0 || len > rp_ring_max_record(r) ||
	    rp_rec_size(len) > used)
		return true;
	return r->mode == RP_MODE_BYTE && skip >= len; /* so len 0 too */
}

/* Records one Read skips, or readable looks past: rp_env.walk_max, at most capacity / 8. */
static inline uint32_t rp_walk_limit(const struct rp_ring *r)
{
	uint32_t all = r->capacity / RP_REC_HDR, max = r->env->walk_max;

	return max != 0 && max < all ? max : all;
}

/* RP_OK, RP_CORRUPT, or RP_BUSY when no stable snapshot could be taken. */
int rp_ring_positions(const struct rp_ring *r, uint32_t *head, uint32_t *tail);

/* The slot's writing word: Writes of its handle in progress. */
static inline uint32_t *rp_writing(const struct rp_handle *h)
{
	return rp_sw(h->ring, h->slot, RP_SLOT_WRITING);
}

/* The owner of a reservation, as a Read judges it. */
enum rp_owner {
	RP_OWNER_DEAD,    /* no live slot holds the token */
	RP_OWNER_IDLE,    /* live, writing 0 */
	RP_OWNER_WRITING, /* live, writing not 0 */
};

enum rp_owner rp_ring_owner(const struct rp_ring *r, uint32_t token);

uint32_t rp_ring_seq_off(unsigned which);
uint32_t rp_ring_waiting_off(unsigned which);
/* Bumps the seq word of which and sets it in *wake if anyone may sleep on it. */
void rp_ring_wake_waiters(struct rp_ring *r, unsigned which, unsigned *wake);

#endif
