/* A ring segment in process memory for tests. */
#ifndef SEG_H
#define SEG_H

#include "fake_env.h"

struct seg {
	struct rp_ring r;
	struct fake_env fe;
	uint8_t *mem;
	size_t size;
};

/* Zeroed segment of 4096 + capacity bytes, initialised; aborts on failure. */
struct seg *seg_new(uint32_t capacity, uint32_t mode);
void seg_free(struct seg *s);
uint32_t seg_u32(const struct seg *s, uint32_t off);
void seg_put32(struct seg *s, uint32_t off, uint32_t v);
/* An attached handle with the given roles; aborts on failure. */
struct rp_handle seg_attach(struct seg *s, uint32_t pid, uint32_t role);

#endif
