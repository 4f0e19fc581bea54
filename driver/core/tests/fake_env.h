/*
 * Platform model for tests: the env vouches for a slot while the test
 * says it is live (fake_attach makes the lowest free one live, fake_crash
 * ends it as a dead process would, leaving its fields).
 */
#ifndef FAKE_ENV_H
#define FAKE_ENV_H

#include "../rp_ring.h"

struct fake_env {
	struct rp_env env;
	uint8_t live[RP_SLOT_COUNT];
	uint32_t yields;
	uint32_t alive_calls;
};

void fake_env_init(struct fake_env *f, uint32_t lock_spins);
/* The lowest slot that is not live, made live and attached: rp_ring_attach's result. */
int fake_attach(struct fake_env *f, struct rp_ring *r, uint32_t pid,
		struct rp_handle *h);
/* Detaches h, then releases its slot as the platform would. */
void fake_detach(struct fake_env *f, struct rp_handle *h, unsigned *wake);
void fake_crash(struct fake_env *f, uint32_t slot);
void fake_set_live(struct fake_env *f, uint32_t slot, bool live);

#endif
