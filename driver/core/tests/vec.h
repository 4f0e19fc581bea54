/*
 * Test vector cases (docs/ring-format.md, "Test vectors") and the
 * interpreter that runs one through the C ring, shared by gen_vectors and
 * test_vectors.
 */
#ifndef VEC_H
#define VEC_H

#include "../rp_ring.h"

#define VEC_MAX_OPS 48
#define VEC_MAX_DATA 512
#define VEC_NO_EXPECT (-1)
#define VEC_LOCK_SPINS 4u

enum vec_kind {
	VEC_ATTACH,
	VEC_WRITE,
	VEC_RESERVE,
	VEC_READ,
	VEC_END,
	VEC_DETACH,
	VEC_CRASH,
	VEC_EOF,
	VEC_ABANDON,
	VEC_HOLD,
	VEC_POKE,
	VEC_WAIT,
	VEC_UNWAIT,
	VEC_COMMIT,
	VEC_FEED,
	VEC_KIND_COUNT
};

/* The "wakes" of an op: which sleepers of which word its wake reached. */
#define VEC_WAKE_DATA_OS 1u
#define VEC_WAKE_DATA_BELL 2u
#define VEC_WAKE_SPACE_OS 4u
#define VEC_WAKE_SPACE_BELL 8u
#define VEC_WAKE_NAMES 4u

struct vec_op {
	enum vec_kind kind;
	uint32_t pid, slot, len, max;
	bool has_max;
	uint32_t role;  /* attach: 0, RP_ROLE_READER or RP_ROLE_WRITER */
	int expect;     /* RP_* status; eof: 0 or 1; VEC_NO_EXPECT */
	bool has_written;
	uint32_t written;  /* byte-mode write: bytes that went in */
	uint32_t lock_off; /* hold: RP_OFF_RLOCK or RP_OFF_WLOCK */
	uint32_t offset;   /* poke */
	uint32_t which;    /* wait, unwait: RP_WAKE_DATA or RP_WAKE_SPACE */
	uint32_t waiter;   /* wait, unwait: RP_OS_WAITER or RP_BELL_WAITER */
	uint32_t token, count; /* feed */
	bool has_wakes;
	uint32_t wakes;    /* VEC_WAKE_* bits */
	uint32_t data_len;
	uint8_t data[VEC_MAX_DATA]; /* write, poke: bytes; read "ok": expected */
};

struct vec_case {
	char name[64];
	uint32_t capacity, mode;
	uint32_t nops;
	struct vec_op ops[VEC_MAX_OPS];
};

const char *vec_kind_name(enum vec_kind k);
int vec_kind_parse(const char *s); /* -1 if unknown */
const char *vec_role_name(uint32_t role);
const char *vec_lock_name(uint32_t lock_off);
int vec_lock_parse(const char *s, uint32_t *lock_off);
int vec_role_parse(const char *s, uint32_t *role);
int vec_status_parse(const char *s); /* RP_* or -1 */
const char *vec_on_name(uint32_t which);
int vec_on_parse(const char *s, uint32_t *which);
const char *vec_waiter_name(uint32_t waiter);
int vec_waiter_parse(const char *s, uint32_t *waiter);
/* Name of the VEC_WAKE_* bit number i (0..VEC_WAKE_NAMES-1). */
const char *vec_wake_name(uint32_t i);
int vec_wake_parse(const char *s, uint32_t *bit);
/* Whether an op of kind k may carry "wakes": it may wake sleepers. */
bool vec_kind_wakes(enum vec_kind k);

/*
 * Runs c on a fresh zeroed segment (lock attempts: VEC_LOCK_SPINS),
 * checks every op's expectation and
 * leaves the final segment in image (4096 + capacity bytes). Returns the
 * number of mismatches, each reported on stderr.
 */
int vec_run(const struct vec_case *c, uint8_t *image);

#endif
