#include "rp_ring_internal.h"

uint32_t rp_ring_seq_off(unsigned which)
{
	return which == RP_WAKE_SPACE ? RP_OFF_SPACE_SEQ : RP_OFF_DATA_SEQ;
}

uint32_t rp_ring_waiting_off(unsigned which)
{
	return which == RP_WAKE_SPACE ? RP_OFF_WRITERS_WAITING
				      : RP_OFF_READERS_WAITING;
}

uint32_t *rp_ring_seq_word(const struct rp_ring *r, unsigned which)
{
	return rp_hw(r, rp_ring_seq_off(which));
}

uint32_t rp_ring_seq(const struct rp_ring *r, unsigned which)
{
	return rp_load32(rp_ring_seq_word(r, which));
}

void rp_ring_bump(struct rp_ring *r, unsigned which)
{
	rp_fetch_add32(rp_ring_seq_word(r, which), 1);
}

uint32_t rp_ring_wait_begin_as(struct rp_ring *r, unsigned which,
			       uint32_t kind)
{
	rp_fetch_add32(rp_hw(r, rp_ring_waiting_off(which)), kind);
	return rp_ring_seq(r, which);
}

uint32_t rp_ring_wait_begin(struct rp_ring *r, unsigned which)
{
	return rp_ring_wait_begin_as(r, which, RP_OS_WAITER);
}

uint32_t rp_ring_waiting(const struct rp_ring *r, unsigned which)
{
	return rp_load32(rp_hw(r, rp_ring_waiting_off(which)));
}

unsigned rp_ring_sleepers(const struct rp_ring *r, unsigned which)
{
	uint32_t waiting = rp_ring_waiting(r, which);
	unsigned sleepers = 0;

	if (waiting & (RP_BELL_WAITER - 1u))
		sleepers |= RP_SLEEP_OS;
	if (waiting >= RP_BELL_WAITER)
		sleepers |= RP_SLEEP_BELL;
	return sleepers;
}

void rp_ring_wait_end_as(struct rp_ring *r, unsigned which, uint32_t kind)
{
	rp_fetch_sub32(rp_hw(r, rp_ring_waiting_off(which)), kind);
}

void rp_ring_wait_end(struct rp_ring *r, unsigned which)
{
	rp_ring_wait_end_as(r, which, RP_OS_WAITER);
}

void rp_ring_wake_waiters(struct rp_ring *r, unsigned which, unsigned *wake)
{
	if (rp_ring_waiting(r, which) == 0)
		return;
	rp_ring_bump(r, which);
	*wake |= which;
}
