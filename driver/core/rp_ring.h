/*
 * The ringpipe ring (docs/ring-format.md) on a caller-provided segment.
 *
 * The segment may be shared with untrusted processes. struct rp_ring holds
 * the trusted copies of capacity and mode (from rp_ring_init or
 * rp_ring_validate); the operations never re-read them from the header, and
 * every position or record word read from shared memory is checked before
 * use. Broken state gives RP_CORRUPT, never an out-of-bounds access; every
 * loop is bounded (lock spins by rp_env.lock_spins, record skips by
 * capacity / 8, slot scans by 128).
 *
 * Waking is left to the OS layer: operations that require a wake set
 * RP_WAKE_DATA (wake all sleepers of data_seq) or RP_WAKE_SPACE (of
 * space_seq) in *wake, after having bumped that word themselves.
 */
#ifndef RP_RING_H
#define RP_RING_H

#include "rp_os.h"
#include "rp_ring_layout.h"
#include "rp_status.h"

#define RP_LOCK_SPINS_DEFAULT 100000u

struct rp_env {
	/* Whether process pid exists (and is not a zombie). Required. */
	bool (*alive)(void *ctx, uint32_t pid);
	/* Gives up the CPU once while spinning on a lock. May be NULL. */
	void (*yield)(void *ctx);
	void *ctx;
	/* Lock attempts before RP_LOCKED; 0 means RP_LOCK_SPINS_DEFAULT. */
	uint32_t lock_spins;
};

struct rp_ring {
	uint8_t *base; /* header page, then the data area */
	uint32_t capacity;
	uint32_t mode; /* RP_MODE_MESSAGE or RP_MODE_BYTE */
	const struct rp_env *env;
};

/* One attachment: a slot of the ring, as its owner knows it. */
struct rp_handle {
	struct rp_ring *ring;
	uint32_t slot;
	uint32_t pid;
	uint32_t token;
	uint32_t role; /* RP_ROLE_* bits this handle has set */
};

/* A reservation made by rp_ring_reserve. */
struct rp_resv {
	uint32_t pos; /* position of the record header */
	uint32_t len; /* payload length */
};

/* Where n payload bytes live in the data area: up to two pieces (wrap). */
struct rp_span {
	uint8_t *p[2];
	uint32_t n[2];
};

struct rp_read_res {
	uint32_t n;         /* payload bytes copied to the caller */
	uint32_t len;       /* payload length of the record (TOO_SMALL: needed room) */
	uint32_t owner;     /* token of the writer of the record */
	uint32_t abandoned; /* dead writers' reservations skipped by this call */
	bool whole;         /* the record was consumed to its end */
};

struct rp_stats {
	uint32_t capacity, mode;
	uint32_t head, tail, used, tail_skip;
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out;
	uint32_t abandoned, attach_seq, writers_ever;
	uint32_t data_seq, space_seq, readers_waiting, writers_waiting;
	uint32_t attached; /* slots in use */
	uint32_t readers;  /* slots of live processes with the reader role */
	uint32_t writers;  /* slots of live processes with the writer role */
};

#define RP_WAKE_DATA 1u  /* readers: data_seq */
#define RP_WAKE_SPACE 2u /* writers: space_seq */

/*
 * Setup (rp_ring.c). rp_ring_init writes a fresh header (magic last) into
 * base, which must be 8-byte aligned and hold rp_ring_segment_size bytes;
 * RP_INVAL on bad arguments. rp_ring_validate checks an existing header and
 * fills r from it: RP_CORRUPT unless every field is as the format says.
 */
bool rp_ring_capacity_ok(uint32_t capacity);
size_t rp_ring_segment_size(uint32_t capacity);
int rp_ring_init(struct rp_ring *r, void *base, size_t size, uint32_t capacity,
		 uint32_t mode, const struct rp_env *env);
int rp_ring_validate(struct rp_ring *r, void *base, size_t size,
		     const struct rp_env *env);

/*
 * Slots and roles (rp_ring_slot.c). attach: RP_OK, RP_NOSLOT or RP_INVAL
 * (pid 0). detach ends writing first; it leaves alone a slot that no longer
 * holds the handle's token. reclaim frees the slots of dead processes and
 * returns how many; serialise it with attach (docs: "Slots"). The role
 * setters count writers_ever; read and write call them themselves.
 */
int rp_ring_attach(struct rp_ring *r, uint32_t pid, struct rp_handle *h);
void rp_ring_detach(struct rp_handle *h, unsigned *wake);
uint32_t rp_ring_reclaim(struct rp_ring *r, unsigned *wake);
void rp_ring_set_writer(struct rp_handle *h);
void rp_ring_set_reader(struct rp_handle *h);
void rp_ring_end_writing(struct rp_handle *h, unsigned *wake);
bool rp_ring_token_live(const struct rp_ring *r, uint32_t token);
uint32_t rp_ring_live_slots(const struct rp_ring *r);

/*
 * wlock / rlock (rp_ring_lock.c); lock_off is RP_OFF_WLOCK or RP_OFF_RLOCK.
 * take: RP_OK, or RP_LOCKED when a live holder kept it for lock_spins
 * attempts; a dead holder's lock is stolen.
 */
int rp_ring_lock_take(const struct rp_handle *h, uint32_t lock_off);
void rp_ring_lock_release(const struct rp_handle *h, uint32_t lock_off);

/*
 * Writing (rp_ring_write.c). reserve: RP_OK, RP_FULL, RP_TOO_BIG (more
 * than rp_ring_max_record), RP_INVAL (0 bytes in byte mode), RP_LOCKED or
 * RP_CORRUPT. The payload goes in with resv_copy, or in place through the
 * two pieces of resv_span (e.g. copy_from_user); then commit, which fails
 * with RP_CORRUPT only if the reservation was taken for abandoned.
 * rp_ring_write does all three; in byte mode it splits len into records
 * and on RP_FULL *written tells how much went in.
 */
uint32_t rp_ring_max_record(const struct rp_ring *r);
int rp_ring_reserve(struct rp_handle *h, uint32_t len, struct rp_resv *v);
int rp_ring_resv_span(const struct rp_ring *r, const struct rp_resv *v,
		      uint32_t off, uint32_t n, struct rp_span *s);
int rp_ring_resv_copy(const struct rp_ring *r, const struct rp_resv *v,
		      uint32_t off, const void *src, uint32_t n);
int rp_ring_commit(struct rp_handle *h, const struct rp_resv *v,
		   unsigned *wake);
int rp_ring_write(struct rp_handle *h, const void *src, uint32_t len,
		  uint32_t *written, unsigned *wake);

/*
 * Reading (rp_ring_read.c): one record at most. RP_OK, RP_EMPTY, RP_BUSY,
 * RP_TOO_SMALL (message mode; res->len is the room needed, nothing is
 * consumed), RP_LOCKED or RP_CORRUPT. Dead writers' reservations on the
 * way are skipped and counted in res->abandoned.
 */
int rp_ring_read(struct rp_handle *h, void *buf, uint32_t room,
		 struct rp_read_res *res, unsigned *wake);

/*
 * State (rp_ring_state.c). eof: the EOF condition of the format. stats:
 * RP_OK, or RP_CORRUPT when head and tail break the format (st still
 * filled, used 0).
 */
bool rp_ring_eof(const struct rp_ring *r);
int rp_ring_stats(const struct rp_ring *r, struct rp_stats *st);

/*
 * Waiting (rp_ring_wait.c); which is RP_WAKE_DATA (readers) or
 * RP_WAKE_SPACE (writers). A waiter calls wait_begin (counts itself, returns
 * the seq to sleep on), retries its operation, sleeps on seq_word while it
 * still equals that seq, then calls wait_end. bump adds 1 to the seq word.
 */
uint32_t *rp_ring_seq_word(const struct rp_ring *r, unsigned which);
uint32_t rp_ring_seq(const struct rp_ring *r, unsigned which);
void rp_ring_bump(struct rp_ring *r, unsigned which);
uint32_t rp_ring_wait_begin(struct rp_ring *r, unsigned which);
void rp_ring_wait_end(struct rp_ring *r, unsigned which);

#endif
