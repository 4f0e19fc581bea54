#include "rp_wait.h"

#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void futex_wait(uint32_t *word, uint32_t val, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	/* EAGAIN (word changed), EINTR and ETIMEDOUT all mean: look again. */
	syscall(SYS_futex, word, FUTEX_WAIT, val, &ts, NULL, 0);
}

static void futex_wake_all(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

uint64_t rp_wait_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool rp_wait_blocked(int status)
{
	return status == RP_FULL || status == RP_EMPTY || status == RP_BUSY ||
	       status == RP_LOCKED;
}

int rp_wait_run(struct rp_ring *r, unsigned which, rp_attempt_fn attempt,
		void *arg, uint64_t deadline_ms)
{
	for (;;) {
		uint32_t seq;
		int st = attempt(arg);

		if (!rp_wait_blocked(st))
			return st;
		if (deadline_ms != 0 && rp_wait_now_ms() >= deadline_ms)
			return RP_WAIT_TIMEOUT;
		seq = rp_ring_wait_begin(r, which);
		st = attempt(arg);
		if (rp_wait_blocked(st))
			futex_wait(rp_ring_seq_word(r, which), seq, RP_WAIT_SLEEP_MS);
		rp_ring_wait_end(r, which);
		if (!rp_wait_blocked(st))
			return st;
	}
}

/* A sleeper counted no more has stopped sleeping: the count is loaded again here. */
static void wake_sleepers(struct rp_ring *r, unsigned which, int bell)
{
	unsigned sleepers = rp_ring_sleepers(r, which);
	char ring = 1;

	if (sleepers & RP_SLEEP_OS)
		futex_wake_all(rp_ring_seq_word(r, which));
	/* EAGAIN: the FIFO is full of rings nobody read yet, so it rings already. */
	if ((sleepers & RP_SLEEP_BELL) && bell >= 0 && write(bell, &ring, 1) < 0)
		return;
}

void rp_wait_wake(struct rp_ring *r, unsigned wake, const int *bells)
{
	if (wake & RP_WAKE_DATA)
		wake_sleepers(r, RP_WAKE_DATA, bells ? bells[0] : -1);
	if (wake & RP_WAKE_SPACE)
		wake_sleepers(r, RP_WAKE_SPACE, bells ? bells[1] : -1);
}
