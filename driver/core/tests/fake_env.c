#include "fake_env.h"

#include <sched.h>
#include <string.h>

static bool fake_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	struct fake_env *f = ctx;

	(void)pid;
	__atomic_fetch_add(&f->alive_calls, 1, __ATOMIC_RELAXED);
	return slot < RP_SLOT_COUNT && __atomic_load_n(&f->live[slot], __ATOMIC_SEQ_CST);
}

static void fake_yield(void *ctx)
{
	struct fake_env *f = ctx;

	__atomic_fetch_add(&f->yields, 1, __ATOMIC_RELAXED);
	sched_yield();
}

void fake_env_init(struct fake_env *f, uint32_t lock_spins)
{
	memset(f, 0, sizeof(*f));
	f->env.alive = fake_alive;
	f->env.yield = fake_yield;
	f->env.ctx = f;
	f->env.lock_spins = lock_spins;
}

/* Callers attach from one thread at a time, as a platform serialises it. */
int fake_attach(struct fake_env *f, struct rp_ring *r, uint32_t pid,
		struct rp_handle *h)
{
	uint32_t slot;
	int st = rp_ring_free_slot(r, &slot);

	if (st != RP_OK)
		return st;
	fake_set_live(f, slot, true);
	return rp_ring_attach(r, slot, pid, h);
}

void fake_detach(struct fake_env *f, struct rp_handle *h, unsigned *wake)
{
	uint32_t slot = h->slot;

	rp_ring_detach(h, wake);
	fake_set_live(f, slot, false);
}

void fake_crash(struct fake_env *f, uint32_t slot)
{
	fake_set_live(f, slot, false);
}

void fake_set_live(struct fake_env *f, uint32_t slot, bool live)
{
	if (slot < RP_SLOT_COUNT)
		__atomic_store_n(&f->live[slot], live, __ATOMIC_SEQ_CST);
}
