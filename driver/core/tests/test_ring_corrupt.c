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
	{ "version 2", RP_MODE_MESSAGE, RP_OFF_VERSION, 2 | 4096u << 16 },
	{ "version 4", RP_MODE_MESSAGE, RP_OFF_VERSION, 4 | 4096u << 16 },
	{ "header_size", RP_MODE_MESSAGE, RP_OFF_VERSION, 2 | 2048u << 16 },
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
	{ "line 0 zero at 28", RP_MODE_MESSAGE, 28, 1 },
	{ "line 0 zero at 44", RP_MODE_MESSAGE, 44, 0x100 },
	{ "line 0 zero at 60", RP_MODE_MESSAGE, 60, 0x80000000u },
};

/* Everything past line 0 is checked where it is read, not at open. */
static const struct mutation accepted_mutations[] = {
	{ "head unaligned", RP_MODE_MESSAGE, RP_OFF_HEAD, 4 },
	{ "tail after head", RP_MODE_MESSAGE, RP_OFF_TAIL, 0x48 },
	{ "tail_skip in message mode", RP_MODE_MESSAGE, RP_OFF_TAIL_SKIP, 1 },
	{ "line 1 pad", RP_MODE_MESSAGE, 96, 1 },
	{ "slot writing", RP_MODE_MESSAGE, RP_SLOT_OFFSET + RP_SLOT_WRITING, 7 },
	{ "slot role", RP_MODE_MESSAGE, RP_SLOT_OFFSET + 16 * 127 + RP_SLOT_ROLE, 4 },
	{ "page end", RP_MODE_MESSAGE, 4092, 0x80000000u },
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
	for (i = 0; i < sizeof(accepted_mutations) / sizeof(accepted_mutations[0]); i++) {
		const struct mutation *m = &accepted_mutations[i];

		s = seg_new(128, m->mode);
		seg_put32(s, m->off, m->value);
		CHECK_ST(rp_ring_validate(&r, s->mem, s->size, &s->fe.env), RP_OK);
		seg_free(s);
	}
}

struct rec_case {
	const char *what;
	uint32_t mode, head;
	uint32_t word0, owner, tail_skip, writing;
	int want_read;
	uint32_t want_tail;
};

#define W0(state, len) ((uint32_t)(state) << 30 | (len))

/* A record at tail 0; the writer w (token 1) is live, token 99 is not. */
static const struct rec_case rec_cases[] = {
	{ "good", RP_MODE_MESSAGE, 32, W0(2, 24), 1, 0, 0, RP_OK, 32 },
	{ "state 0", RP_MODE_MESSAGE, 32, W0(0, 24), 1, 0, 0, RP_CORRUPT, 0 },
	{ "abandoned", RP_MODE_MESSAGE, 32, W0(3, 24), 1, 0, 0, RP_EMPTY, 32 },
	{ "size > used", RP_MODE_MESSAGE, 32, W0(2, 25), 1, 0, 0, RP_CORRUPT, 0 },
	{ "len > max_record", RP_MODE_MESSAGE, 128, W0(2, 121), 1, 0, 0, RP_CORRUPT, 0 },
	{ "len max", RP_MODE_MESSAGE, 32, W0(2, 0x3fffffff), 1, 0, 0, RP_CORRUPT, 0 },
	{ "byte len > max_record", RP_MODE_BYTE, 128, W0(2, 57), 1, 0, 0, RP_CORRUPT, 0 },
	{ "byte len max_record", RP_MODE_BYTE, 128, W0(2, 56), 1, 0, 0, RP_OK, 64 },
	{ "skip in message mode", RP_MODE_MESSAGE, 32, W0(2, 24), 1, 4, 0, RP_CORRUPT, 0 },
	{ "skip == len", RP_MODE_BYTE, 32, W0(2, 24), 1, 24, 0, RP_CORRUPT, 0 },
	{ "skip in range", RP_MODE_BYTE, 32, W0(2, 24), 1, 23, 0, RP_OK, 32 },
	{ "skip of an empty ring", RP_MODE_BYTE, 0, W0(2, 24), 1, 4, 0, RP_CORRUPT, 0 },
	{ "empty byte record", RP_MODE_BYTE, 32, W0(2, 0), 1, 0, 0, RP_CORRUPT, 0 },
	{ "dead reservation, message skip", RP_MODE_MESSAGE, 32, W0(1, 24), 99, 4, 0, RP_CORRUPT, 0 },
	{ "dead reservation, byte skip", RP_MODE_BYTE, 32, W0(1, 24), 99, 4, 0, RP_EMPTY, 32 },
	{ "dead reservation then garbage", RP_MODE_MESSAGE, 32, W0(1, 8), 99, 0, 0, RP_CORRUPT, 16 },
	{ "live reservation, writing", RP_MODE_MESSAGE, 32, W0(1, 24), 1, 0, 1, RP_BUSY, 0 },
	{ "live reservation, writing 5", RP_MODE_MESSAGE, 32, W0(1, 24), 1, 0, 5, RP_BUSY, 0 },
	{ "live reservation, not writing", RP_MODE_MESSAGE, 32, W0(1, 24), 1, 0, 0, RP_CORRUPT, 0 },
	{ "owner token 0", RP_MODE_MESSAGE, 32, W0(1, 24), 0, 0, 0, RP_EMPTY, 32 },
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
		bool readable;
		int st;

		seg_put32(s, RP_OFF_HEAD, c->head);
		seg_put32(s, 4096, c->word0);
		seg_put32(s, 4100, c->owner);
		/* The word after an 8-byte record: state 0. */
		seg_put32(s, 4096 + 16, 0x12345);
		seg_put32(s, RP_OFF_TAIL_SKIP, c->tail_skip);
		seg_put32(s, RP_SLOT_OFFSET + RP_SLOT_WRITING, c->writing);
		readable = rp_ring_readable(&s->r);
		st = rp_ring_read(&rd, out, sizeof(out), &res, &wake);
		if (st != c->want_read)
			fprintf(stderr, "record case \"%s\"\n", c->what);
		CHECK_ST(st, c->want_read);
		CHECK_EQ(readable, st != RP_EMPTY && st != RP_BUSY);
		CHECK_EQ(seg_u32(s, RP_OFF_TAIL), c->want_tail);
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
		{ 16, 4, RP_CORRUPT, RP_CORRUPT }, /* used 12: only alignment says no */
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

/* A peer acting while the reader asks about a slot's liveness. */
struct hook {
	struct seg *s;
	uint32_t calls;
	uint32_t action; /* 0: append a dead reservation, 1: commit the record at 0 */
};

static bool hook_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	struct hook *k = ctx;
	uint32_t head = seg_u32(k->s, RP_OFF_HEAD);

	(void)pid;
	k->calls++;
	/* Bounded, so that a Read without its skip limit fails here instead of spinning. */
	if (k->action == 0 && slot == 5 && k->calls <= 64) {
		seg_put32(k->s, 4096 + (head & 63), W0(1, 0));
		seg_put32(k->s, 4096 + (head & 63) + 4, 999);
		seg_put32(k->s, RP_OFF_HEAD, head + 8);
	}
	if (k->action == 1)
		seg_put32(k->s, 4096, W0(2, 4));
	return k->s->fe.live[slot];
}

/* Peers that keep making dead reservations stop a Read after capacity / 8 skips. */
static void test_skip_budget(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct hook k = { s, 0, 0 };
	struct rp_read_res res;
	unsigned wake = 0;
	uint8_t out[64];

	seg_put32(s, RP_SLOT_OFFSET + 16 * 5 + RP_SLOT_TOKEN, 999);
	seg_put32(s, 4096, W0(1, 0));
	seg_put32(s, 4100, 999);
	seg_put32(s, RP_OFF_HEAD, 8);
	s->fe.env.alive = hook_alive;
	s->fe.env.ctx = &k;
	CHECK_ST(rp_ring_read(&rd, out, sizeof(out), &res, &wake), RP_BUSY);
	CHECK_EQ(res.abandoned, 8);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 64);
	CHECK_EQ(seg_u32(s, RP_OFF_ABANDONED), 8);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), 0);
	CHECK(!rp_ring_readable(&s->r));
	seg_free(s);
}

/* A reservation committed between the look at writing and the second load. */
static void test_commit_while_looking(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct hook k = { s, 0, 1 };
	struct rp_read_res res;
	unsigned wake = 0;
	uint8_t out[64];

	seg_put32(s, 4096, W0(1, 4));
	seg_put32(s, 4100, w.token);
	memcpy(s->mem + 4104, "abcd", 4);
	seg_put32(s, RP_OFF_HEAD, 16);
	s->fe.env.alive = hook_alive;
	s->fe.env.ctx = &k;
	CHECK_ST(rp_ring_read(&rd, out, sizeof(out), &res, &wake), RP_OK);
	CHECK_EQ(res.n, 4);
	CHECK(memcmp(out, "abcd", 4) == 0);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 16);
	seg_free(s);
}

void test_ring_corrupt(void)
{
	test_skip_budget();
	test_commit_while_looking();
	test_validate_header();
	test_corrupt_records();
	test_corrupt_positions();
	test_abandoned_loop_bounded();
}
