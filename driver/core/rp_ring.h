/*
 * The ringpipe ring (docs/ring-format.md) on a caller-provided segment.
 *
 * The segment may be shared with untrusted processes. struct rp_ring holds
 * the trusted copies of capacity and mode (from rp_ring_init or
 * rp_ring_validate); the operations never re-read them from the header, and
 * every position, record word and slot word read from shared memory is
 * checked where it is read. Broken state gives RP_CORRUPT, never an
 * out-of-bounds access; every loop is bounded (lock attempts by
 * rp_env.lock_spins, record skips by rp_env.walk_max or capacity / 8, slot
 * scans by 128).
 * Whether a slot is live is asked of the platform (rp_env.alive), never
 * read from the segment.
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
	/*
	 * Whether slot (0..RP_SLOT_COUNT-1) is live: its handle still exists.
	 * The platform vouches for it, never the segment (shm: an OFD lock on
	 * byte `slot` of the file; drivers: a file bound to the slot). pid is
	 * the slot's pid word as the segment holds it, for platforms that can
	 * only ask about processes (shm on Windows); others ignore it.
	 * Required.
	 */
	bool (*alive)(void *ctx, uint32_t slot, uint32_t pid);
	/* Gives up the CPU once while retrying a lock. May be NULL. */
	void (*yield)(void *ctx);
	void *ctx;
	/* Lock attempts before RP_LOCKED; 0 means RP_LOCK_SPINS_DEFAULT. */
	uint32_t lock_spins;
	/*
	 * Optional: the first slot from `from` on that the platform itself
	 * gave `token` to and that is still live, RP_SLOT_COUNT if none. When
	 * set, a record's owner is found from the platform's own list of
	 * handles, never from the slot tokens of the segment (a kernel driver
	 * keeps that list: the segment's copy is user-writable).
	 */
	uint32_t (*token_slot)(void *ctx, uint32_t token, uint32_t from);
	/*
	 * Records one Read skips, or rp_ring_readable looks past, before it
	 * stops; 0 (or more than capacity / 8) means capacity / 8. A kernel
	 * keeps it small, so that each call is short and the caller can
	 * reschedule and check signals between calls.
	 */
	uint32_t walk_max;
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
	/* EOF latch: writers_ever was seen non-zero (atomic: threads share it). */
	uint32_t writer_seen;
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
	uint32_t abandoned; /* abandoned or dead writers' records skipped */
	bool whole;         /* the record was consumed to its end */
};

struct rp_stats {
	uint32_t capacity, mode;
	uint32_t head, tail, used, tail_skip;
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out;
	uint32_t abandoned, attach_seq, writers_ever;
	uint32_t data_seq, space_seq, readers_waiting, writers_waiting;
	uint32_t attached; /* live slots */
	uint32_t readers;  /* live slots with the reader role */
	uint32_t writers;  /* live slots with the writer role */
};

#define RP_WAKE_DATA 1u  /* readers: data_seq */
#define RP_WAKE_SPACE 2u /* writers: space_seq */

/*
 * Setup (rp_ring.c). rp_ring_init writes a fresh header into base, which
 * must be 8-byte aligned and hold rp_ring_segment_size bytes; RP_INVAL on
 * bad arguments. rp_ring_validate checks line 0 of an existing header
 * (magic, version 2, sizes, offsets, zeros at 28..31 and 40..63) and fills r from it:
 * RP_CORRUPT otherwise (a version 1 segment too). Everything else is
 * checked where it is read. rp_ring_check_header does the same on the
 * header page alone (its first 64 bytes are read), for a caller that
 * learns from it how much to map: RP_OK with *capacity and *mode, or
 * RP_CORRUPT.
 */
bool rp_ring_capacity_ok(uint32_t capacity);
size_t rp_ring_segment_size(uint32_t capacity);
int rp_ring_init(struct rp_ring *r, void *base, size_t size, uint32_t capacity,
		 uint32_t mode, const struct rp_env *env);
int rp_ring_validate(struct rp_ring *r, void *base, size_t size,
		     const struct rp_env *env);
int rp_ring_check_header(const void *header, uint32_t *capacity,
			 uint32_t *mode);

/*
 * Slots and roles (rp_ring_slot.c). The platform first makes a slot that
 * is not live its own (free_slot finds the lowest one through env->alive,
 * RP_NOSLOT if none), then attach fills it: RP_OK, or RP_INVAL for a slot
 * out of range. detach ends writing, clears the slot's fields and leaves
 * the platform to release the slot; it leaves alone a slot that no longer
 * holds the handle's token. The role setters count writers_ever; read and
 * write call them themselves. slot_role: the role bits of the handle's
 * slot as the segment holds them (mapped clients change them), 0 if the
 * slot is no longer the handle's.
 */
int rp_ring_free_slot(const struct rp_ring *r, uint32_t *slot);
int rp_ring_attach(struct rp_ring *r, uint32_t slot, uint32_t pid,
		   struct rp_handle *h);
void rp_ring_detach(struct rp_handle *h, unsigned *wake);
void rp_ring_set_writer(struct rp_handle *h);
void rp_ring_set_reader(struct rp_handle *h);
void rp_ring_clear_reader(struct rp_handle *h);
void rp_ring_end_writing(struct rp_handle *h, unsigned *wake);
uint32_t rp_ring_slot_role(const struct rp_handle *h);
bool rp_ring_slot_live(const struct rp_ring *r, uint32_t slot);
bool rp_ring_token_live(const struct rp_ring *r, uint32_t token);
uint32_t rp_ring_live_slots(const struct rp_ring *r);

/*
 * wlock / rlock (rp_ring_lock.c); lock_off is RP_OFF_WLOCK or RP_OFF_RLOCK.
 * take: RP_OK, or RP_LOCKED when a live holder kept it for lock_spins
 * attempts (not an error: try again later); a lock whose holder's token is
 * not live is stolen.
 */
int rp_ring_lock_take(const struct rp_handle *h, uint32_t lock_off);
void rp_ring_lock_release(const struct rp_handle *h, uint32_t lock_off);

/*
 * Writing (rp_ring_write.c). The slot's `writing` word counts the Writes
 * of the handle in progress (threads may share a handle).
 *
 * rp_ring_write is the format's Write: in message mode one record
 * (RP_TOO_BIG beyond rp_ring_max_record, nothing written); in byte mode
 * records of at most rp_ring_max_record bytes, as many as fit (an empty
 * write makes none). RP_OK when all of len went in, RP_FULL when not (in
 * byte mode *written tells how much did), RP_LOCKED or RP_CORRUPT.
 *
 * The same in pieces, for payloads copied in place (e.g. copy_from_user):
 * reserve is steps 1-3 for one record (RP_TOO_BIG, RP_INVAL for 0 bytes in
 * byte mode, RP_FULL, RP_LOCKED, RP_CORRUPT); the payload goes in with
 * resv_copy or through the two pieces of resv_span; then commit, or
 * abandon when the payload cannot be had. Both end the Write (writing,
 * wake) and give RP_CORRUPT if the record was no longer the reservation.
 */
uint32_t rp_ring_max_record(const struct rp_ring *r);
int rp_ring_write(struct rp_handle *h, const void *src, uint32_t len,
		  uint32_t *written, unsigned *wake);
int rp_ring_reserve(struct rp_handle *h, uint32_t len, struct rp_resv *v);
int rp_ring_resv_span(const struct rp_ring *r, const struct rp_resv *v,
		      uint32_t off, uint32_t n, struct rp_span *s);
int rp_ring_resv_copy(const struct rp_ring *r, const struct rp_resv *v,
		      uint32_t off, const void *src, uint32_t n);
int rp_ring_commit(struct rp_handle *h, const struct rp_resv *v,
		   unsigned *wake);
int rp_ring_abandon(struct rp_handle *h, const struct rp_resv *v,
		    unsigned *wake);

/*
 * Reading (rp_ring_read.c): one record at most. RP_OK, RP_EMPTY, RP_BUSY,
 * RP_TOO_SMALL (message mode: res->len is the room needed; byte mode: room
 * 0; nothing is consumed), RP_LOCKED or RP_CORRUPT. Abandoned records and
 * those of dead writers on the way are skipped and counted in
 * res->abandoned.
 */
int rp_ring_read(struct rp_handle *h, void *buf, uint32_t room,
		 struct rp_read_res *res, unsigned *wake);

/*
 * State (rp_ring_state.c), without taking any lock. eof: the EOF condition
 * as the reader h sees it (h keeps the writers_ever latch). readable: a
 * Read would not give EMPTY or BUSY now (it may still give LOCKED), what
 * poll() needs besides EOF. writable: a record of len bytes (clamped to
 * rp_ring_max_record; at least 1 in byte mode) fits now; broken positions
 * make both true, so that the operation reports them. stats: RP_OK, or
 * RP_CORRUPT when head and tail break the format (st still filled, used 0);
 * the slot counts are of live slots only.
 */
bool rp_ring_eof(struct rp_handle *h);
bool rp_ring_readable(const struct rp_ring *r);
bool rp_ring_writable(const struct rp_ring *r, uint32_t len);
int rp_ring_stats(const struct rp_ring *r, struct rp_stats *st);

/*
 * What a reader opening the ring now would still get (docs/ring-format.md,
 * Lifetime): the committed records from tail to head and the reservations of
 * live writers; abandoned records and dead writers' reservations do not
 * count. In byte mode msgs counts the pieces of writes, and bytes leaves out
 * what was read of the first. A broken record ends the count there; at most
 * capacity / 8 records are looked at.
 */
struct rp_unread {
	uint64_t msgs, bytes;
};
void rp_ring_unread(const struct rp_ring *r, struct rp_unread *u);

/*
 * Waiting (rp_ring_wait.c); which is RP_WAKE_DATA (readers) or
 * RP_WAKE_SPACE (writers). A waiter calls wait_begin (counts itself, returns
 * the seq to sleep on), retries its operation, sleeps on seq_word while it
 * still equals that seq, then calls wait_end. bump adds 1 to the seq word.
 * The _as forms count a sleeper of that kind (RP_OS_WAITER, RP_BELL_WAITER);
 * the others an RP_OS_WAITER.
 */
uint32_t *rp_ring_seq_word(const struct rp_ring *r, unsigned which);
uint32_t rp_ring_seq(const struct rp_ring *r, unsigned which);
void rp_ring_bump(struct rp_ring *r, unsigned which);
uint32_t rp_ring_wait_begin(struct rp_ring *r, unsigned which);
uint32_t rp_ring_wait_begin_as(struct rp_ring *r, unsigned which,
			       uint32_t kind);
/* The waiting count of which: who sleeps how (RP_OS_WAITER, RP_BELL_WAITER). */
uint32_t rp_ring_waiting(const struct rp_ring *r, unsigned which);
void rp_ring_wait_end(struct rp_ring *r, unsigned which);
void rp_ring_wait_end_as(struct rp_ring *r, unsigned which, uint32_t kind);

#define RP_SLEEP_OS 1u   /* futex, driver or event sleepers on the seq word */
#define RP_SLEEP_BELL 2u /* sleepers on the pipe's bell */

/*
 * Whom a waker told to wake all of which must wake, by the waiting count
 * loaded now: RP_SLEEP_* bits, 0 for nobody.
 */
unsigned rp_ring_sleepers(const struct rp_ring *r, unsigned which);

#endif
