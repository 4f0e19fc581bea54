/* The hand-written vector cases of gen_vectors, with their expectations. */
#ifndef GEN_CASES_H
#define GEN_CASES_H

#include <stdint.h>

/*
 * Data of a write, or expected data of a read: text, or `fill` bytes of
 * the pattern of `seed` starting at byte `from` (gen_pattern_byte).
 */
struct gen_op {
	const char *op;
	uint32_t pid, slot, len;
	int max; /* -1: no max */
	const char *role;
	const char *text;
	uint32_t fill, seed, from;
	const char *expect; /* status name, or "true"/"false" for eof */
	int written;        /* byte-mode write; -1: all of the data if ok, else 0 */
	const char *lock;   /* hold */
	uint32_t offset, value; /* poke: a little-endian u32 */
	const char *on, *waiter; /* wait, unwait: "data"/"space", "os"/"bell" */
	const char *wakes; /* names separated by spaces; "": none; NULL: not checked */
};

struct gen_case {
	const char *name;
	uint32_t capacity;
	const char *mode;
	const struct gen_op *ops;
	uint32_t nops;
};

extern const struct gen_case gen_cases[];
extern const uint32_t gen_case_count;

static inline uint8_t gen_pattern_byte(uint32_t seed, uint32_t k)
{
	return (uint8_t)(seed * 16u + k * 7u + 1u);
}

#endif
