#include "seg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seg *seg_new(uint32_t capacity, uint32_t mode)
{
	struct seg *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->size = rp_ring_segment_size(capacity);
	if (posix_memalign((void **)&s->mem, 64, s->size) != 0)
		abort();
	memset(s->mem, 0, s->size);
	fake_env_init(&s->fe, 0);
	if (rp_ring_init(&s->r, s->mem, s->size, capacity, mode, &s->fe.env) != RP_OK) {
		fprintf(stderr, "seg_new: init %u %u failed\n", capacity, mode);
		abort();
	}
	return s;
}

void seg_free(struct seg *s)
{
	free(s->mem);
	free(s);
}

uint32_t seg_u32(const struct seg *s, uint32_t off)
{
	uint32_t v;

	memcpy(&v, s->mem + off, 4);
	return v;
}

void seg_put32(struct seg *s, uint32_t off, uint32_t v)
{
	memcpy(s->mem + off, &v, 4);
}

struct rp_handle seg_attach(struct seg *s, uint32_t pid, uint32_t role)
{
	struct rp_handle h;

	if (fake_attach(&s->fe, &s->r, pid, &h) != RP_OK)
		abort();
	if (role & RP_ROLE_WRITER)
		rp_ring_set_writer(&h);
	if (role & RP_ROLE_READER)
		rp_ring_set_reader(&h);
	return h;
}
