#include "fake_env.h"

#include <sched.h>
#include <string.h>

static bool fake_alive(void *ctx, uint32_t pid)
{
	struct fake_env *f = ctx;

	return pid < FAKE_PID_MAX && !__atomic_load_n(&f->dead[pid], __ATOMIC_SEQ_CST);
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

void fake_crash(struct fake_env *f, uint32_t pid)
{
	__atomic_store_n(&f->dead[pid % FAKE_PID_MAX], 1, __ATOMIC_SEQ_CST);
}

void fake_revive(struct fake_env *f, uint32_t pid)
{
	__atomic_store_n(&f->dead[pid % FAKE_PID_MAX], 0, __ATOMIC_SEQ_CST);
}
