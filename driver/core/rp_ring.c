#include "rp_ring_internal.h"

#define RP_SNAPSHOT_TRIES 16u

bool rp_ring_capacity_ok(uint32_t capacity)
{
	return capacity >= RP_CAP_MIN && capacity <= RP_CAP_MAX &&
	       (capacity & (capacity - 1u)) == 0;
}

size_t rp_ring_segment_size(uint32_t capacity)
{
	return (size_t)RP_HEADER_SIZE + capacity;
}

uint32_t rp_ring_max_record(const struct rp_ring *r)
{
	if (r->mode == RP_MODE_BYTE)
		return r->capacity / 2u - RP_REC_HDR;
	return r->capacity - RP_REC_HDR;
}

static bool rp_args_ok(const void *base, size_t size, uint32_t capacity,
		       uint32_t mode, const struct rp_env *env)
{
	return base != NULL && ((uintptr_t)base & 7u) == 0 &&
	       rp_ring_capacity_ok(capacity) &&
	       size >= rp_ring_segment_size(capacity) &&
	       (mode == RP_MODE_MESSAGE || mode == RP_MODE_BYTE) &&
	       env != NULL && env->alive != NULL;
}

int rp_ring_init(struct rp_ring *r, void *base, size_t size, uint32_t capacity,
		 uint32_t mode, const struct rp_env *env)
{
	if (!rp_args_ok(base, size, capacity, mode, env))
		return RP_INVAL;
	r->base = base;
	r->capacity = capacity;
	r->mode = mode;
	r->env = env;
	rp_store32(rp_hw(r, RP_OFF_MAGIC), 0);
	rp_memset(r->base + 4, 0, RP_HEADER_SIZE - 4);
	rp_store32(rp_hw(r, RP_OFF_VERSION), RP_VERSION | RP_HEADER_SIZE << 16);
	rp_store32(rp_hw(r, RP_OFF_CAPACITY), capacity);
	rp_store32(rp_hw(r, RP_OFF_MODE), mode);
	rp_store32(rp_hw(r, RP_OFF_SLOT_COUNT), RP_SLOT_COUNT);
	rp_store32(rp_hw(r, RP_OFF_SLOT_OFFSET), RP_SLOT_OFFSET);
	rp_store32(rp_hw(r, RP_OFF_DATA_OFFSET), RP_DATA_OFFSET);
	rp_store32(rp_hw(r, RP_OFF_MAGIC), RP_MAGIC);
	return RP_OK;
}

/*
 * head - tail <= capacity holds at every instant, but not between two loads
 * taken while peers move: a snapshot counts only when tail did not change
 * around the load of head.
 */
int rp_ring_positions(const struct rp_ring *r, uint32_t *head, uint32_t *tail)
{
	uint32_t i;

	for (i = 0; i < RP_SNAPSHOT_TRIES; i++) {
		*tail = rp_load32(rp_hw(r, RP_OFF_TAIL));
		*head = rp_load32(rp_hw(r, RP_OFF_HEAD));
		if (rp_load32(rp_hw(r, RP_OFF_TAIL)) != *tail)
			continue;
		return rp_positions_bad(r, *head, *tail) ? RP_CORRUPT : RP_OK;
	}
	return RP_BUSY;
}

/* Line 0, the part written once by the creator; the rest is checked where read. */
int rp_ring_check_header(const void *header, uint32_t *capacity, uint32_t *mode)
{
	struct rp_ring probe = { (uint8_t *)(uintptr_t)header, 0, 0, NULL };
	uint32_t off, cap, md;

	if (header == NULL || ((uintptr_t)header & 7u) != 0)
		return RP_CORRUPT;
	cap = rp_load32(rp_hw(&probe, RP_OFF_CAPACITY));
	md = rp_load32(rp_hw(&probe, RP_OFF_MODE));
	if (rp_load32(rp_hw(&probe, RP_OFF_MAGIC)) != RP_MAGIC ||
	    rp_load32(rp_hw(&probe, RP_OFF_VERSION)) !=
		    (RP_VERSION | RP_HEADER_SIZE << 16) ||
	    !rp_ring_capacity_ok(cap) ||
	    (md != RP_MODE_MESSAGE && md != RP_MODE_BYTE) ||
	    rp_load32(rp_hw(&probe, RP_OFF_SLOT_COUNT)) != RP_SLOT_COUNT ||
	    rp_load32(rp_hw(&probe, RP_OFF_SLOT_OFFSET)) != RP_SLOT_OFFSET ||
	    rp_load32(rp_hw(&probe, RP_OFF_DATA_OFFSET)) != RP_DATA_OFFSET)
		return RP_CORRUPT;
	for (off = RP_OFF_LINE0_ZERO; off < RP_OFF_HEAD; off += 4)
		if (off != RP_OFF_TTL_MS && off != RP_OFF_TTL_MS + 4 &&
		    rp_load32(rp_hw(&probe, off)) != 0)
			return RP_CORRUPT;
	*capacity = cap;
	*mode = md;
	return RP_OK;
}

int rp_ring_validate(struct rp_ring *r, void *base, size_t size,
		     const struct rp_env *env)
{
	struct rp_ring probe;

	if (base == NULL || ((uintptr_t)base & 7u) != 0 || env == NULL ||
	    env->alive == NULL)
		return RP_INVAL;
	if (size < rp_ring_segment_size(RP_CAP_MIN) ||
	    rp_ring_check_header(base, &probe.capacity, &probe.mode) != RP_OK ||
	    size < rp_ring_segment_size(probe.capacity))
		return RP_CORRUPT;
	probe.base = base;
	probe.env = env;
	*r = probe;
	return RP_OK;
}
