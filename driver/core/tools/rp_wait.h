/*
 * User-space waiting for rings in shared memory (docs/ring-format.md,
 * "Waiting"): futex sleeps on data_seq / space_seq. The futexes are not
 * FUTEX_PRIVATE: the words live in memory shared between processes.
 */
#ifndef RP_WAIT_H
#define RP_WAIT_H

#include "../rp_ring.h"

#define RP_WAIT_SLEEP_MS 250
/* Statuses of attempts beyond enum rp_status. */
#define RP_WAIT_EOF 1000     /* an attempt's way to end the wait: end of stream */
#define RP_WAIT_TIMEOUT 1001 /* rp_wait_run: deadline passed */

typedef int (*rp_attempt_fn)(void *arg);

/* FULL, EMPTY, BUSY and LOCKED: try again later. */
bool rp_wait_blocked(int status);

/*
 * Calls attempt until it returns a status that is not blocked, sleeping on
 * the seq word of which (RP_WAKE_DATA or RP_WAKE_SPACE) in between as the
 * format says; each sleep lasts at most RP_WAIT_SLEEP_MS so that dead
 * peers are noticed. deadline_ms is a CLOCK_MONOTONIC time in ms, or 0.
 */
int rp_wait_run(struct rp_ring *r, unsigned which, rp_attempt_fn attempt,
		void *arg, uint64_t deadline_ms);

/*
 * Wakes all sleepers of the words named in wake (RP_WAKE_* bits): futex
 * sleepers on the word, bell sleepers through the pipe's bells (FIFO
 * descriptors for data and space, -1 where none; NULL: no bells).
 */
void rp_wait_wake(struct rp_ring *r, unsigned wake, const int *bells);

uint64_t rp_wait_now_ms(void);

#endif
