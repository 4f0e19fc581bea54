/* Process model for tests: pids below FAKE_PID_MAX live until crashed. */
#ifndef FAKE_ENV_H
#define FAKE_ENV_H

#include "../rp_ring.h"

#define FAKE_PID_MAX 65536u

struct fake_env {
	struct rp_env env;
	uint8_t dead[FAKE_PID_MAX];
	uint32_t yields;
};

void fake_env_init(struct fake_env *f, uint32_t lock_spins);
void fake_crash(struct fake_env *f, uint32_t pid);
void fake_revive(struct fake_env *f, uint32_t pid);

#endif
