#include "tests.h"

#include <string.h>

static void pattern(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 3 + 1);
}

static void test_byte_split(void)
{
	struct seg *s = seg_new(128, RP_MODE_BYTE);
	struct rp_handle w = seg_attach(s, 100, 0);
	struct rp_handle rd = seg_attach(s, 200, 0);
	struct rp_read_res res;
	uint8_t in[200], out[200];
	uint32_t written;
	unsigned wake = 0;

	pattern(in, sizeof(in));
	CHECK_EQ(rp_ring_max_record(&s->r), 56);
	CHECK_ST(rp_ring_write(&w, in, 100, &written, &wake), RP_OK);
	CHECK_EQ(written, 100);
	CHECK_EQ(seg_u32(s, 4096), 2u << 30 | 56);
	CHECK_EQ(seg_u32(s, 4096 + 64), 2u << 30 | 44);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 120);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_IN), 2);

	CHECK_ST(rp_ring_read(&rd, out, 20, &res, &wake), RP_OK);
	CHECK_EQ(res.n, 20);
	CHECK(!res.whole);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL_SKIP), 20);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 0);
	CHECK_ST(rp_ring_read(&rd, out + 20, 0, &res, &wake), RP_TOO_SMALL);
	CHECK_EQ(res.n, 0);
	CHECK_EQ(res.len, 56);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL_SKIP), 20);
	/* A read never crosses into the next record. */
	CHECK_ST(rp_ring_read(&rd, out + 20, 100, &res, &wake), RP_OK);
	CHECK_EQ(res.n, 36);
	CHECK(res.whole);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL_SKIP), 0);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 64);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_OUT), 1);
	CHECK_ST(rp_ring_read(&rd, out + 56, 10, &res, &wake), RP_OK);
	CHECK_EQ(res.n, 10);
	CHECK_ST(rp_ring_read(&rd, out + 66, 100, &res, &wake), RP_OK);
	CHECK_EQ(res.n, 34);
	CHECK(memcmp(in, out, 100) == 0);
	CHECK_EQ(seg_u32(s, RP_OFF_BYTES_OUT), 100);
	CHECK_ST(rp_ring_read(&rd, out, 100, &res, &wake), RP_EMPTY);

	/* 200 bytes: records of 56 fill what is free, the rest is FULL. */
	CHECK_ST(rp_ring_write(&w, in, 200, &written, &wake), RP_FULL);
	CHECK_EQ(written, 112);
	CHECK_ST(rp_ring_write(&w, in, 0, &written, &wake), RP_OK);
	CHECK_EQ(written, 0);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_IN), 4);
	seg_free(s);
}

static void test_byte_too_big_reserve(void)
{
	struct seg *s = seg_new(64, RP_MODE_BYTE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_resv v;

	CHECK_ST(rp_ring_reserve(&w, 25, &v), RP_TOO_BIG);
	CHECK_ST(rp_ring_reserve(&w, 0, &v), RP_INVAL);
	CHECK_ST(rp_ring_reserve(&w, 24, &v), RP_OK);
	CHECK_ST(rp_ring_reserve(&w, 24, &v), RP_OK);
	CHECK_ST(rp_ring_reserve(&w, 1, &v), RP_FULL);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 64);
	seg_free(s);
}

/* Two writers' records interleave; the owner token tells them apart. */
static void test_byte_two_writers(void)
{
	struct seg *s = seg_new(256, RP_MODE_BYTE);
	struct rp_handle a = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle b = seg_attach(s, 101, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	struct rp_resv va, vb;
	uint8_t out[256];
	unsigned wake = 0;

	CHECK_ST(rp_ring_reserve(&a, 5, &va), RP_OK);
	CHECK_ST(rp_ring_reserve(&b, 3, &vb), RP_OK);
	rp_ring_resv_copy(&s->r, &vb, 0, "bbb", 3);
	CHECK_ST(rp_ring_commit(&b, &vb, &wake), RP_OK);
	CHECK_ST(rp_ring_read(&rd, out, 256, &res, &wake), RP_BUSY);
	rp_ring_resv_copy(&s->r, &va, 0, "aaaaa", 5);
	CHECK_ST(rp_ring_commit(&a, &va, &wake), RP_OK);
	CHECK_ST(rp_ring_read(&rd, out, 256, &res, &wake), RP_OK);
	CHECK_EQ(res.owner, a.token);
	CHECK_EQ(res.n, 5);
	CHECK_ST(rp_ring_read(&rd, out, 256, &res, &wake), RP_OK);
	CHECK_EQ(res.owner, b.token);
	CHECK(memcmp(out, "bbb", 3) == 0);
	seg_free(s);
}

void test_ring_byte(void)
{
	test_byte_split();
	test_byte_too_big_reserve();
	test_byte_two_writers();
}
