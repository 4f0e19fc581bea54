/*
 * Segment images: a valid ring with patched words, or (for long inputs) the
 * raw input as the whole segment. Whatever the image says, no function may
 * read or write outside it, loop without end, or report impossible values.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

/* Which slots the platform vouches for: bits taken from the input. */
static uint8_t image_live[RP_SLOT_COUNT / 8];

static bool image_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	(void)ctx;
	(void)pid;
	FZ_ASSERT(slot < RP_SLOT_COUNT);
	return (image_live[slot / 8] >> (slot % 8) & 1u) != 0;
}

static const struct rp_env image_env = { image_alive, NULL, NULL, 4 };

static bool status_ok(int st)
{
	return st >= RP_OK && st < RP_STATUS_COUNT;
}

static void exercise(struct rp_ring *r, struct fz *f, uint8_t *out)
{
	struct rp_handle h;
	struct rp_read_res res;
	struct rp_stats st;
	struct rp_resv v;
	unsigned wake = 0;
	uint32_t written, i;
	int s;

	uint32_t slot;

	if (rp_ring_stats(r, &st) == RP_OK)
		FZ_ASSERT(st.used <= r->capacity && st.attached <= RP_SLOT_COUNT);
	(void)rp_ring_readable(r);
	(void)rp_ring_writable(r, fz_u16(f));
	if (rp_ring_free_slot(r, &slot) != RP_OK)
		return;
	FZ_ASSERT(rp_ring_attach(r, slot, 3, &h) == RP_OK);
	image_live[slot / 8] |= (uint8_t)(1u << (slot % 8));
	(void)rp_ring_eof(&h);
	for (i = 0; i < 8; i++) {
		uint32_t room = fz_u16(f) % (r->capacity + 1);

		s = rp_ring_read(&h, out, room, &res, &wake);
		FZ_ASSERT(status_ok(s));
		if (s == RP_OK)
			FZ_ASSERT(res.n <= room && res.n <= res.len &&
				  res.len <= rp_ring_max_record(r));
		FZ_ASSERT(res.abandoned <= r->capacity / 8);
		if (s == RP_TOO_SMALL)
			FZ_ASSERT(res.len > room);
	}
	s = rp_ring_write(&h, out, fz_u16(f) % r->capacity, &written, &wake);
	FZ_ASSERT(status_ok(s));
	s = rp_ring_reserve(&h, fz_u8(f), &v);
	if (s == RP_OK && fz_u8(f) & 1)
		FZ_ASSERT(rp_ring_abandon(&h, &v, &wake) == RP_OK);
	else if (s == RP_OK)
		FZ_ASSERT(rp_ring_commit(&h, &v, &wake) == RP_OK);
	(void)rp_ring_eof(&h);
	rp_ring_detach(&h, &wake);
}

void fuzz_image(struct fz *f)
{
	uint32_t cap = RP_CAP_MIN << (fz_u8(f) % 3);
	uint32_t mode = fz_u8(f) % 2 ? RP_MODE_BYTE : RP_MODE_MESSAGE;
	size_t size = rp_ring_segment_size(cap);
	uint8_t *mem = aligned_alloc(64, 8192), out[256];
	struct rp_ring r, checked;

	memset(out, 0x5a, sizeof(out));
	for (size_t k = 0; k < sizeof(image_live); k++)
		image_live[k] = fz_u8(f);

	FZ_ASSERT(mem != NULL && size <= 8192);
	memset(mem, 0, 8192);
	FZ_ASSERT(rp_ring_init(&r, mem, size, cap, mode, &image_env) == RP_OK);
	if (f->n >= size) {
		memcpy(mem, f->p, size);
		f->p += size;
		f->n -= size;
	} else {
		uint32_t patches = fz_u8(f) % 16, i;

		for (i = 0; i < patches; i++) {
			uint32_t off = (fz_u16(f) % (uint32_t)size) & ~3u;
			uint32_t val = fz_u16(f) | fz_u16(f) << 16;

			memcpy(mem + off, &val, 4);
		}
	}
	if (rp_ring_validate(&checked, mem, size, &image_env) == RP_OK) {
		FZ_ASSERT(checked.capacity <= cap);
		exercise(&checked, f, out);
	}
	exercise(&r, f, out);
	free(mem);
}
