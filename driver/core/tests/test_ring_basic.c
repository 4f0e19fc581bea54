#include "tests.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t header_bytes[32] = {
	0x52, 0x50, 0x49, 0x50, 0x03, 0x00, 0x00, 0x10, /* magic version hsize */
	0x80, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* capacity 128, mode */
	0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, /* slots 128 at 256 */
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* data at 4096 */
};

static void test_init_layout(void)
{
	struct seg *s = seg_new(128, RP_MODE_MESSAGE);
	size_t i, nonzero = 0;

	CHECK(memcmp(s->mem, header_bytes, sizeof(header_bytes)) == 0);
	for (i = sizeof(header_bytes); i < s->size; i++)
		nonzero += s->mem[i] != 0;
	CHECK_EQ(nonzero, 0);
	memset(s->mem + 64, 0xee, 4096 - 64);
	CHECK_ST(rp_ring_init(&s->r, s->mem, s->size, 128, RP_MODE_MESSAGE,
			      &s->fe.env), RP_OK);
	for (i = sizeof(header_bytes); i < 4096; i++)
		nonzero += s->mem[i] != 0;
	CHECK_EQ(nonzero, 0);
	seg_free(s);
}

struct init_case {
	uint32_t capacity, mode;
	size_t size_delta;
	size_t misalign;
	int want;
};

static void test_init_args(void)
{
	static const struct init_case cases[] = {
		{ 64, RP_MODE_MESSAGE, 0, 0, RP_OK },
		{ 64, RP_MODE_BYTE, 0, 0, RP_OK },
		{ 128, RP_MODE_MESSAGE, 0, 0, RP_OK },
		{ 32, RP_MODE_MESSAGE, 0, 0, RP_INVAL },
		{ 96, RP_MODE_MESSAGE, 0, 0, RP_INVAL },
		{ 0, RP_MODE_MESSAGE, 0, 0, RP_INVAL },
		{ 1u << 31, RP_MODE_MESSAGE, 0, 0, RP_INVAL },
		{ 64, 0, 0, 0, RP_INVAL },
		{ 64, 3, 0, 0, RP_INVAL },
		{ 128, RP_MODE_MESSAGE, 1, 0, RP_INVAL },
		{ 64, RP_MODE_MESSAGE, 0, 4, RP_INVAL },
	};
	uint8_t *mem = aligned_alloc(64, 8192);
	struct fake_env fe;
	struct rp_ring r;
	size_t i;

	fake_env_init(&fe, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct init_case *c = &cases[i];
		size_t size = rp_ring_segment_size(c->capacity & 0xffff) -
			      c->size_delta;

		CHECK_ST(rp_ring_init(&r, mem + c->misalign, size, c->capacity,
				      c->mode, &fe.env), c->want);
	}
	CHECK_ST(rp_ring_init(&r, mem, 8192, 64, RP_MODE_MESSAGE, NULL), RP_INVAL);
	CHECK(rp_ring_capacity_ok(1u << 30));
	CHECK(!rp_ring_capacity_ok((1u << 30) + 64));
	free(mem);
}

static void test_message_roundtrip(void)
{
	struct seg *s = seg_new(128, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, 0);
	struct rp_handle rd = seg_attach(s, 200, 0);
	struct rp_read_res res;
	uint32_t written;
	unsigned wake = 0;
	char buf[128];

	CHECK_EQ(w.token, 1);
	CHECK_EQ(rd.token, 2);
	CHECK_EQ(seg_u32(s, RP_OFF_WRITERS_EVER), 0);
	CHECK_ST(rp_ring_read(&rd, buf, sizeof(buf), &res, &wake), RP_EMPTY);
	CHECK_ST(rp_ring_write(&w, "hello", 5, &written, &wake), RP_OK);
	CHECK_EQ(written, 5);
	CHECK_EQ(seg_u32(s, RP_OFF_WRITERS_EVER), 1);
	CHECK_EQ(seg_u32(s, RP_SLOT_OFFSET + RP_SLOT_ROLE), RP_ROLE_WRITER);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 16);
	CHECK_EQ(seg_u32(s, 4096), 2u << 30 | 5);
	CHECK_EQ(seg_u32(s, 4100), 1);
	CHECK(memcmp(s->mem + 4104, "hello", 5) == 0);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_IN), 1);
	CHECK_EQ(seg_u32(s, RP_OFF_BYTES_IN), 5);
	CHECK_ST(rp_ring_write(&w, "", 0, &written, &wake), RP_OK);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 24);
	CHECK_EQ(wake, 0);

	memset(buf, 0, sizeof(buf));
	CHECK_ST(rp_ring_read(&rd, buf, sizeof(buf), &res, &wake), RP_OK);
	CHECK_EQ(res.n, 5);
	CHECK_EQ(res.len, 5);
	CHECK_EQ(res.owner, 1);
	CHECK(res.whole);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(seg_u32(s, RP_SLOT_OFFSET + 16 + RP_SLOT_ROLE), RP_ROLE_READER);
	CHECK_ST(rp_ring_read(&rd, NULL, 0, &res, &wake), RP_OK);
	CHECK_EQ(res.n, 0);
	CHECK(res.whole);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 24);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_OUT), 2);
	CHECK_EQ(seg_u32(s, RP_OFF_BYTES_OUT), 5);
	CHECK_ST(rp_ring_read(&rd, buf, sizeof(buf), &res, &wake), RP_EMPTY);
	CHECK_EQ(seg_u32(s, RP_OFF_WLOCK), 0);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), 0);
	seg_free(s);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_wrap_payload(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	uint8_t msg[40], out[64];
	uint32_t written;
	unsigned wake = 0;

	fill(msg, 40, 1);
	CHECK_ST(rp_ring_write(&w, msg, 40, &written, &wake), RP_OK);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	fill(msg, 20, 101);
	CHECK_ST(rp_ring_write(&w, msg, 20, &written, &wake), RP_OK);
	/* Header at data offset 48, payload 56..63 then 0..11. */
	CHECK_EQ(seg_u32(s, 4096 + 48), 2u << 30 | 20);
	CHECK(memcmp(s->mem + 4096 + 56, msg, 8) == 0);
	CHECK(memcmp(s->mem + 4096, msg + 8, 12) == 0);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 80);
	memset(out, 0, sizeof(out));
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	CHECK_EQ(res.n, 20);
	CHECK(memcmp(out, msg, 20) == 0);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 80);
	seg_free(s);
}

static void test_position_wrap(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	uint8_t msg[30], out[64];
	uint32_t written, i;
	unsigned wake = 0;

	seg_put32(s, RP_OFF_HEAD, 0xffffffe8u);
	seg_put32(s, RP_OFF_TAIL, 0xffffffe8u);
	for (i = 0; i < 10; i++) {
		fill(msg, sizeof(msg), (uint8_t)i);
		CHECK_ST(rp_ring_write(&w, msg, (uint32_t)sizeof(msg) - i, &written,
				       &wake), RP_OK);
		memset(out, 0, sizeof(out));
		CHECK_ST(rp_ring_read(&rd, out, sizeof(out), &res, &wake), RP_OK);
		CHECK_EQ(res.n, sizeof(msg) - i);
		CHECK(memcmp(out, msg, sizeof(msg) - i) == 0);
	}
	CHECK(seg_u32(s, RP_OFF_HEAD) < 0x1000);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), seg_u32(s, RP_OFF_TAIL));
	seg_free(s);
}

static void test_full_too_big_too_small(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	uint8_t msg[64], out[64];
	uint32_t written = 99;
	unsigned wake = 0;

	fill(msg, sizeof(msg), 3);
	CHECK_ST(rp_ring_write(&w, msg, 57, &written, &wake), RP_TOO_BIG);
	CHECK_EQ(written, 0);
	CHECK_ST(rp_ring_write(&w, msg, 56, &written, &wake), RP_OK);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 64);
	CHECK_ST(rp_ring_write(&w, msg, 0, &written, &wake), RP_FULL);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 64);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_IN), 1);
	CHECK_ST(rp_ring_read(&rd, out, 55, &res, &wake), RP_TOO_SMALL);
	CHECK_EQ(res.len, 56);
	CHECK_EQ(res.n, 0);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 0);
	CHECK_EQ(seg_u32(s, RP_OFF_BYTES_OUT), 0);
	CHECK_ST(rp_ring_read(&rd, out, 56, &res, &wake), RP_OK);
	CHECK(memcmp(out, msg, 56) == 0);
	CHECK_ST(rp_ring_write(&w, msg, 24, &written, &wake), RP_OK);
	CHECK_ST(rp_ring_write(&w, msg, 24, &written, &wake), RP_OK);
	CHECK_ST(rp_ring_write(&w, msg, 1, &written, &wake), RP_FULL);
	seg_free(s);
}

static void test_reserve_commit(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, 0);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	struct rp_resv v;
	struct rp_span sp;
	uint8_t out[64];
	unsigned wake = 0;

	CHECK_ST(rp_ring_reserve(&w, 10, &v), RP_OK);
	CHECK_EQ(seg_u32(s, RP_OFF_WRITERS_EVER), 1);
	CHECK_EQ(seg_u32(s, 4096), 1u << 30 | 10);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_BUSY);
	CHECK_ST(rp_ring_resv_copy(&s->r, &v, 4, "world!", 6), RP_OK);
	CHECK_ST(rp_ring_resv_copy(&s->r, &v, 0, "hell", 4), RP_OK);
	CHECK_ST(rp_ring_resv_copy(&s->r, &v, 5, "123456", 6), RP_INVAL);
	CHECK_ST(rp_ring_resv_span(&s->r, &v, 11, 0, &sp), RP_INVAL);
	CHECK_ST(rp_ring_resv_span(&s->r, &v, 2, 8, &sp), RP_OK);
	CHECK_EQ(sp.n[0] + sp.n[1], 8);
	CHECK_EQ(seg_u32(s, RP_SLOT_OFFSET + RP_SLOT_WRITING), 1);
	CHECK_ST(rp_ring_commit(&w, &v, &wake), RP_OK);
	CHECK_EQ(wake, 0);
	CHECK_EQ(seg_u32(s, RP_SLOT_OFFSET + RP_SLOT_WRITING), 0);
	CHECK_EQ(seg_u32(s, 4096), 2u << 30 | 10);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	CHECK(memcmp(out, "hellworld!", 10) == 0);
	seg_free(s);
}

static void test_wake_flags(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	uint8_t out[64];
	uint32_t written, seq;
	unsigned wake = 0;

	seq = rp_ring_wait_begin(&s->r, RP_WAKE_DATA);
	CHECK_EQ(seq, 0);
	CHECK_EQ(seg_u32(s, RP_OFF_READERS_WAITING), 1);
	CHECK_ST(rp_ring_write(&w, "x", 1, &written, &wake), RP_OK);
	CHECK_EQ(wake, RP_WAKE_DATA);
	CHECK_EQ(rp_ring_seq(&s->r, RP_WAKE_DATA), 1);
	CHECK(rp_ring_seq_word(&s->r, RP_WAKE_DATA) == (uint32_t *)(void *)(s->mem + 140));
	rp_ring_wait_end(&s->r, RP_WAKE_DATA);
	CHECK_EQ(seg_u32(s, RP_OFF_READERS_WAITING), 0);

	wake = 0;
	CHECK_EQ(rp_ring_wait_begin(&s->r, RP_WAKE_SPACE), 0);
	CHECK_EQ(seg_u32(s, RP_OFF_WRITERS_WAITING), 1);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	CHECK_EQ(wake, RP_WAKE_SPACE);
	CHECK_EQ(seg_u32(s, RP_OFF_SPACE_SEQ), 1);
	wake = 0;
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_EMPTY);
	CHECK_EQ(wake, 0);
	rp_ring_wait_end(&s->r, RP_WAKE_SPACE);
	rp_ring_bump(&s->r, RP_WAKE_SPACE);
	CHECK_EQ(seg_u32(s, RP_OFF_SPACE_SEQ), 2);

	wake = 0;
	rp_ring_end_writing(&rd, &wake);
	CHECK_EQ(wake, 0);
	CHECK_EQ(seg_u32(s, RP_OFF_DATA_SEQ), 1);
	rp_ring_end_writing(&w, &wake);
	CHECK_EQ(wake, RP_WAKE_DATA);
	CHECK_EQ(seg_u32(s, RP_OFF_DATA_SEQ), 2);
	CHECK_EQ(seg_u32(s, RP_SLOT_OFFSET + RP_SLOT_ROLE), 0);
	seg_free(s);
}

static void test_counters_carry(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_stats st;
	uint32_t written;
	unsigned wake = 0;

	seg_put32(s, RP_OFF_BYTES_IN, 0xfffffffeu);
	seg_put32(s, RP_OFF_MSGS_IN, 0xffffffffu);
	CHECK_ST(rp_ring_write(&w, "abc", 3, &written, &wake), RP_OK);
	CHECK_EQ(seg_u32(s, RP_OFF_BYTES_IN), 1);
	CHECK_EQ(seg_u32(s, RP_OFF_BYTES_IN + 4), 1);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_IN), 0);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_IN + 4), 1);
	CHECK_ST(rp_ring_stats(&s->r, &st), RP_OK);
	CHECK_EQ(st.bytes_in, 0x100000001ull);
	CHECK_EQ(st.msgs_in, 0x100000000ull);
	CHECK_EQ(st.used, 16);
	CHECK_EQ(st.writers, 1);
	CHECK_EQ(st.readers, 0);
	CHECK_EQ(st.attached, 1);
	CHECK_EQ(st.capacity, 64);
	seg_free(s);
}

void test_ring_basic(void)
{
	test_init_layout();
	test_init_args();
	test_message_roundtrip();
	test_wrap_payload();
	test_position_wrap();
	test_full_too_big_too_small();
	test_reserve_commit();
	test_wake_flags();
	test_counters_carry();
}
