#include "tests.h"

#include <string.h>

struct mutation {
	const char *what;
	uint32_t mode; /* ring mode to start from */
	uint32_t off;
	uint32_t value;
};

static const struct mutation header_mutations[] = {
	{ "magic", RP_MODE_MESSAGE, RP_OFF_MAGIC, 0x50495053 },
	{ "magic zero", RP_MODE_MESSAGE, RP_OFF_MAGIC, 0 },
	{ "version", RP_MODE_MESSAGE, RP_OFF_VERSION, 2 | 4096u << 16 },
	{ "header_size", RP_MODE_MESSAGE, RP_OFF_VERSION, 1 | 2048u << 16 },
	{ "capacity not 2^n", RP_MODE_MESSAGE, RP_OFF_CAPACITY, 96 },
	{ "capacity small", RP_MODE_MESSAGE, RP_OFF_CAPACITY, 32 },
	{ "capacity zero", RP_MODE_MESSAGE, RP_OFF_CAPACITY, 0 },
	{ "capacity > segment", RP_MODE_MESSAGE, RP_OFF_CAPACITY, 256 },
	{ "capacity 2^31", RP_MODE_MESSAGE, RP_OFF_CAPACITY, 1u << 31 },
	{ "mode 0", RP_MODE_MESSAGE, RP_OFF_MODE, 0 },
	{ "mode 3", RP_MODE_MESSAGE, RP_OFF_MODE, 3 },
	{ "slot_count", RP_MODE_MESSAGE, RP_OFF_SLOT_COUNT, 127 },
	{ "slot_offset", RP_MODE_MESSAGE, RP_OFF_SLOT_OFFSET, 260 },
	{ "data_offset", RP_MODE_MESSAGE, RP_OFF_DATA_OFFSET, 8192 },
	{ "line 0 pad", RP_MODE_MESSAGE, 60, 1 },
	{ "line 1 pad", RP_MODE_MESSAGE, 96, 1 },
	{ "line 2 pad", RP_MODE_MESSAGE, 188, 1 },
	{ "line 3 pad", RP_MODE_MESSAGE, 200, 1 },
	{ "slot pad", RP_MODE_MESSAGE, RP_SLOT_OFFSET + 16 * 5 + RP_SLOT_PAD, 1 },
	{ "slot role", RP_MODE_MESSAGE, RP_SLOT_OFFSET + 16 * 127 + RP_SLOT_ROLE, 4 },
	{ "after slots", RP_MODE_MESSAGE, 2304, 1 },
	{ "page end", RP_MODE_MESSAGE, 4092, 0x80000000u },
	{ "head unaligned", RP_MODE_MESSAGE, RP_OFF_HEAD, 4 },
	{ "tail unaligned", RP_MODE_MESSAGE, RP_OFF_TAIL, 0xfffffff9u },
	{ "head - tail > capacity", RP_MODE_MESSAGE, RP_OFF_HEAD, 0x98 },
	{ "tail after head", RP_MODE_MESSAGE, RP_OFF_TAIL, 0x48 },
	{ "tail_skip in message mode", RP_MODE_MESSAGE, RP_OFF_TAIL_SKIP, 1 },
	{ "tail_skip too big", RP_MODE_BYTE, RP_OFF_TAIL_SKIP, 121 },
};

static void test_validate_header(void)
{
	struct seg *s = seg_new(128, RP_MODE_MESSAGE);
	struct rp_ring r;
	size_t i;

	memset(&r, 0, sizeof(r));
	CHECK_ST(rp_ring_validate(&r, s->mem, s->size, &s->fe.env), RP_OK);
	CHECK_EQ(r.capacity, 128);
	CHECK_EQ(r.mode, RP_MODE_MESSAGE);
	CHECK(r.base == s->mem);
	CHECK_ST(rp_ring_validate(&r, s->mem, s->size - 1, &s->fe.env), RP_CORRUPT);
	CHECK_ST(rp_ring_validate(&r, s->mem, 4096 + 63, &s->fe.env), RP_CORRUPT);
	CHECK_ST(rp_ring_validate(&r, s->mem + 4, s->size - 4, &s->fe.env), RP_INVAL);
	CHECK_ST(rp_ring_validate(&r, s->mem, s->size, NULL), RP_INVAL);
	seg_free(s);

	for (i = 0; i < sizeof(header_mutations) / sizeof(header_mutations[0]); i++) {
		const struct mutation *m = &header_mutations[i];
		int st;

		s = seg_new(128, m->mode);
		seg_put32(s, RP_OFF_HEAD, 0x40);
		seg_put32(s, RP_OFF_TAIL, 0x10);
		CHECK_ST(rp_ring_validate(&r, s->mem, s->size, &s->fe.env), RP_OK);
		seg_put32(s, m->off, m->value);
		r.capacity = 7;
		st = rp_ring_validate(&r, s->mem, s->size, &s->fe.env);
		if (st != RP_CORRUPT)
			fprintf(stderr, "mutation \"%s\" accepted\n", m->what);
		CHECK_ST(st, RP_CORRUPT);
		CHECK_EQ(r.capacity, 7);
		seg_free(s);
	}
}

struct rec_case {
	const char *what;
	uint32_t mode;
	uint32_t word0, owner, tail_skip;
	int want_read;
};

#define W0(state, len) ((uint32_t)(state) << 30 | (len))

/* Record at tail 0, head 32 (a 24-byte record fits exactly). */
static const struct rec_case rec_cases[] = {
	{ "good", RP_MODE_MESSAGE, W0(2, 24), 1, 0, RP_OK },
	{ "state 0", RP_MODE_MESSAGE, W0(0, 24), 1, 0, RP_CORRUPT },
	{ "state 3", RP_MODE_MESSAGE, W0(3, 24), 1, 0, RP_CORRUPT },
	{ "len past head", RP_MODE_MESSAGE, W0(2, 25), 1, 0, RP_CORRUPT },
	{ "len > capacity - 8", RP_MODE_MESSAGE, W0(2, 121), 1, 0, RP_CORRUPT },
	{ "len max", RP_MODE_MESSAGE, W0(2, 0x3fffffff), 1, 0, RP_CORRUPT },
	{ "skip in message mode", RP_MODE_MESSAGE, W0(2, 24), 1, 4, RP_CORRUPT },
	{ "skip == len", RP_MODE_BYTE, W0(2, 24), 1, 24, RP_CORRUPT },
	{ "skip in range", RP_MODE_BYTE, W0(2, 24), 1, 23, RP_OK },
	{ "empty byte record", RP_MODE_BYTE, W0(2, 0), 1, 0, RP_CORRUPT },
	{ "abandoned with skip", RP_MODE_MESSAGE, W0(1, 24), 99, 4, RP_CORRUPT },
	{ "abandoned then garbage", RP_MODE_MESSAGE, W0(1, 8), 99, 0, RP_CORRUPT },
	{ "live reservation", RP_MODE_MESSAGE, W0(1, 24), 1, 0, RP_BUSY },
};

static void test_corrupt_records(void)
{
	size_t i;

	for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		const struct rec_case *c = &rec_cases[i];
		struct seg *s = seg_new(128, c->mode);
		struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
		struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
		struct rp_read_res res;
		unsigned wake = 0;
		uint8_t out[128];
		int st;

		seg_put32(s, RP_OFF_HEAD, 32);
		seg_put32(s, 4096, c->word0);
		seg_put32(s, 4100, c->owner);
		/* The word after an 8-byte abandoned record: state 0. */
		seg_put32(s, 4096 + 16, 0x12345);
		seg_put32(s, RP_OFF_TAIL_SKIP, c->tail_skip);
		st = rp_ring_read(&rd, out, sizeof(out), &res, &wake);
		if (st != c->want_read)
			fprintf(stderr, "record case \"%s\"\n", c->what);
		CHECK_ST(st, c->want_read);
		CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), 0);
		(void)w;
		seg_free(s);
	}
}

struct pos_case {
	uint32_t head, tail;
	int want_write, want_read;
};

static void test_corrupt_positions(void)
{
	static const struct pos_case cases[] = {
		{ 4, 0, RP_CORRUPT, RP_CORRUPT },
		{ 0, 4, RP_CORRUPT, RP_CORRUPT },
		{ 136, 0, RP_CORRUPT, RP_CORRUPT },
		{ 0, 8, RP_CORRUPT, RP_CORRUPT },
		{ 0x80000000u, 0, RP_CORRUPT, RP_CORRUPT },
		{ 128, 0, RP_FULL, RP_CORRUPT }, /* zero words: state 0 */
		{ 8, 0xfffffff8u, RP_OK, RP_CORRUPT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seg *s = seg_new(128, RP_MODE_MESSAGE);
		struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
		struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
		struct rp_read_res res;
		struct rp_stats st;
		uint32_t written;
		unsigned wake = 0;
		uint8_t out[128];
		int want_stats;

		seg_put32(s, RP_OFF_HEAD, cases[i].head);
		seg_put32(s, RP_OFF_TAIL, cases[i].tail);
		want_stats = ((cases[i].head | cases[i].tail) & 7) != 0 ||
					     cases[i].head - cases[i].tail > 128
				     ? RP_CORRUPT
				     : RP_OK;
		CHECK_ST(rp_ring_stats(&s->r, &st), want_stats);
		CHECK(st.used <= 128);
		CHECK_ST(rp_ring_write(&w, "abc", 3, &written, &wake),
			 cases[i].want_write);
		seg_put32(s, RP_OFF_HEAD, cases[i].head);
		CHECK_ST(rp_ring_read(&rd, out, sizeof(out), &res, &wake),
			 cases[i].want_read);
		seg_free(s);
	}
}

/* A record chain that points back at itself must end, not spin. */
static void test_abandoned_loop_bounded(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	unsigned wake = 0;
	uint32_t off;
	uint8_t out[64];

	for (off = 0; off < 64; off += 8) {
		seg_put32(s, 4096 + off, W0(1, 0));
		seg_put32(s, 4096 + off + 4, 999);
	}
	seg_put32(s, RP_OFF_HEAD, 64);
	CHECK_ST(rp_ring_read(&rd, out, sizeof(out), &res, &wake), RP_EMPTY);
	CHECK_EQ(res.abandoned, 8);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 64);
	seg_free(s);
}

void test_ring_corrupt(void)
{
	test_validate_header();
	test_corrupt_records();
	test_corrupt_positions();
	test_abandoned_loop_bounded();
}
