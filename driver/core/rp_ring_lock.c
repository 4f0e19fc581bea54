#include "rp_ring_internal.h"

/* Checking the holder's liveness scans the slots: every 16 attempts, and the last. */
#define RP_LIVENESS_EVERY 16u

int rp_ring_lock_take(const struct rp_handle *h, uint32_t lock_off)
{
	const struct rp_ring *r = h->ring;
	uint32_t *lock = rp_hw(r, lock_off);
	uint32_t limit = r->env->lock_spins ? r->env->lock_spins
					    : RP_LOCK_SPINS_DEFAULT;
	uint32_t i;

	for (i = 1; i <= limit; i++) {
		uint32_t holder = 0;

		if (rp_cas32(lock, &holder, h->token))
			return RP_OK;
		if ((i % RP_LIVENESS_EVERY == 0 || i == limit) &&
		    !rp_ring_token_live(r, holder) &&
		    rp_cas32(lock, &holder, h->token))
			return RP_OK;
		if (i < limit && r->env->yield)
			r->env->yield(r->env->ctx);
	}
	return RP_LOCKED;
}

/* A compare-and-swap, so a holder whose lock was stolen frees nothing. */
void rp_ring_lock_release(const struct rp_handle *h, uint32_t lock_off)
{
	uint32_t mine = h->token;

	rp_cas32(rp_hw(h->ring, lock_off), &mine, 0);
}
