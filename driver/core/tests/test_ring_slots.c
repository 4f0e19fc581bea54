#include "tests.h"

#include <string.h>

static uint32_t slot_word(const struct seg *s, uint32_t slot, uint32_t field)
{
	return seg_u32(s, RP_SLOT_OFFSET + slot * RP_SLOT_SIZE + field);
}

static void test_attach_detach(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle h[RP_SLOT_COUNT], extra;
	unsigned wake = 0;
	uint32_t i, slot = 99;

	CHECK_ST(rp_ring_attach(&s->r, RP_SLOT_COUNT, 1, &extra), RP_INVAL);
	for (i = 0; i < RP_SLOT_COUNT; i++) {
		CHECK_ST(fake_attach(&s->fe, &s->r, 1000 + i, &h[i]), RP_OK);
		CHECK_EQ(h[i].slot, i);
		CHECK_EQ(h[i].token, i + 1);
		CHECK_EQ(slot_word(s, i, RP_SLOT_PID), 1000 + i);
		CHECK_EQ(slot_word(s, i, RP_SLOT_TOKEN), i + 1);
	}
	CHECK_ST(rp_ring_free_slot(&s->r, &slot), RP_NOSLOT);
	CHECK_EQ(slot, 99);
	CHECK_EQ(rp_ring_live_slots(&s->r), RP_SLOT_COUNT);
	rp_ring_set_writer(&h[7]);
	rp_ring_set_reader(&h[7]);
	CHECK_EQ(slot_word(s, 7, RP_SLOT_ROLE), 3);
	CHECK_EQ(rp_ring_slot_role(&h[7]), 3);
	rp_ring_clear_reader(&h[7]);
	CHECK_EQ(slot_word(s, 7, RP_SLOT_ROLE), RP_ROLE_WRITER);
	CHECK_EQ(h[7].role, RP_ROLE_WRITER);
	fake_detach(&s->fe, &h[7], &wake);
	CHECK_EQ(wake, RP_WAKE_DATA);
	CHECK_EQ(seg_u32(s, RP_OFF_DATA_SEQ), 1);
	fake_detach(&s->fe, &h[3], &wake);
	CHECK_EQ(seg_u32(s, RP_OFF_DATA_SEQ), 1);
	for (i = 0; i < 4; i++)
		CHECK_EQ(slot_word(s, 3, i * 4), 0);
	CHECK_ST(rp_ring_free_slot(&s->r, &slot), RP_OK);
	CHECK_EQ(slot, 3);
	CHECK_ST(fake_attach(&s->fe, &s->r, 5, &extra), RP_OK);
	CHECK_EQ(extra.slot, 3);
	CHECK_EQ(extra.token, RP_SLOT_COUNT + 1);
	CHECK_EQ(seg_u32(s, RP_OFF_ATTACH_SEQ), RP_SLOT_COUNT + 1);
	/* A stale handle must not clear the slot's new owner, nor see its role. */
	h[3].token = 4;
	rp_ring_set_writer(&extra);
	CHECK_EQ(rp_ring_slot_role(&h[3]), 0);
	rp_ring_detach(&h[3], &wake);
	CHECK_EQ(slot_word(s, 3, RP_SLOT_PID), 5);
	CHECK_EQ(slot_word(s, 3, RP_SLOT_TOKEN), RP_SLOT_COUNT + 1);
	CHECK_EQ(slot_word(s, 3, RP_SLOT_ROLE), RP_ROLE_WRITER);
	seg_free(s);
}

/* A crashed slot keeps its fields, counts for nothing and is attached anew. */
static void test_crashed_slot_reused(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle a = seg_attach(s, 100, RP_ROLE_WRITER | RP_ROLE_READER);
	struct rp_handle b = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_handle c;
	struct rp_stats st;

	seg_put32(s, RP_SLOT_OFFSET + RP_SLOT_WRITING, 1);
	CHECK_ST(rp_ring_stats(&s->r, &st), RP_OK);
	CHECK_EQ(st.attached, 2);
	CHECK_EQ(st.writers, 1);
	CHECK_EQ(st.readers, 2);
	fake_crash(&s->fe, a.slot);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_TOKEN), a.token);
	CHECK_ST(rp_ring_stats(&s->r, &st), RP_OK);
	CHECK_EQ(st.attached, 1);
	CHECK_EQ(st.writers, 0);
	CHECK_EQ(st.readers, 1);
	CHECK(!rp_ring_token_live(&s->r, a.token));
	CHECK(rp_ring_token_live(&s->r, b.token));
	CHECK(!rp_ring_token_live(&s->r, 0));
	CHECK_ST(fake_attach(&s->fe, &s->r, 300, &c), RP_OK);
	CHECK_EQ(c.slot, 0);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_PID), 300);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_TOKEN), 3);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_ROLE), 0);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_WRITING), 0);
	seg_free(s);
}

static void test_token_wrap(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle a, b;

	seg_put32(s, RP_OFF_ATTACH_SEQ, 0xfffffffeu);
	CHECK_ST(fake_attach(&s->fe, &s->r, 10, &a), RP_OK);
	CHECK_EQ(a.token, 0xffffffffu);
	CHECK_ST(fake_attach(&s->fe, &s->r, 11, &b), RP_OK);
	CHECK_EQ(b.token, 1);
	CHECK_EQ(seg_u32(s, RP_OFF_ATTACH_SEQ), 1);
	seg_free(s);
}

static void test_abandoned(void)
{
	struct seg *s = seg_new(128, RP_MODE_MESSAGE);
	struct rp_handle dead = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle w = seg_attach(s, 101, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	struct rp_resv v, v2;
	uint32_t written;
	unsigned wake = 0;
	uint8_t out[128];

	CHECK_ST(rp_ring_reserve(&dead, 20, &v), RP_OK);
	CHECK_ST(rp_ring_reserve(&dead, 3, &v), RP_OK);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_WRITING), 2);
	CHECK_ST(rp_ring_write(&w, "next", 4, &written, &wake), RP_OK);
	CHECK_ST(rp_ring_read(&rd, out, 128, &res, &wake), RP_BUSY);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 0);
	CHECK(!rp_ring_readable(&s->r));
	fake_crash(&s->fe, dead.slot);
	CHECK(rp_ring_readable(&s->r));
	CHECK_EQ(rp_ring_wait_begin(&s->r, RP_WAKE_SPACE), 0);
	CHECK_ST(rp_ring_read(&rd, out, 128, &res, &wake), RP_OK);
	CHECK_EQ(res.abandoned, 2);
	CHECK_EQ(res.n, 4);
	CHECK(memcmp(out, "next", 4) == 0);
	CHECK_EQ(seg_u32(s, RP_OFF_ABANDONED), 2);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_OUT), 1);
	CHECK_EQ(wake, RP_WAKE_SPACE);

	/* Only skipped records left: EMPTY, but the space was freed. */
	wake = 0;
	CHECK_ST(rp_ring_reserve(&w, 8, &v), RP_OK);
	CHECK_ST(rp_ring_reserve(&w, 0, &v2), RP_OK);
	CHECK_EQ(slot_word(s, 1, RP_SLOT_WRITING), 2);
	CHECK_ST(rp_ring_abandon(&w, &v, &wake), RP_OK);
	CHECK_EQ(seg_u32(s, 4096 + 64), 3u << 30 | 8);
	CHECK_EQ(slot_word(s, 1, RP_SLOT_WRITING), 1);
	CHECK_ST(rp_ring_read(&rd, out, 128, &res, &wake), RP_BUSY);
	CHECK_EQ(res.abandoned, 1);
	CHECK_ST(rp_ring_abandon(&w, &v2, &wake), RP_OK);
	CHECK_EQ(slot_word(s, 1, RP_SLOT_WRITING), 0);
	CHECK(rp_ring_readable(&s->r) == false);
	CHECK_ST(rp_ring_read(&rd, out, 128, &res, &wake), RP_EMPTY);
	CHECK_EQ(res.abandoned, 1);
	CHECK_EQ(wake, RP_WAKE_SPACE);
	CHECK_EQ(seg_u32(s, RP_OFF_ABANDONED), 4);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), seg_u32(s, RP_OFF_HEAD));
	/* A second abandon finds the record no longer reserved. */
	seg_put32(s, RP_SLOT_OFFSET + 16 + RP_SLOT_WRITING, 1);
	CHECK_ST(rp_ring_abandon(&w, &v2, &wake), RP_CORRUPT);
	CHECK_EQ(slot_word(s, 1, RP_SLOT_WRITING), 0);
	seg_free(s);
}

/* A reservation whose live owner is not writing is forged. */
static void test_reservation_not_written(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	struct rp_resv v;
	unsigned wake = 0;
	uint8_t out[64];

	CHECK_ST(rp_ring_reserve(&w, 4, &v), RP_OK);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_BUSY);
	seg_put32(s, RP_SLOT_OFFSET + RP_SLOT_WRITING, 0);
	CHECK(rp_ring_readable(&s->r));
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_CORRUPT);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 0);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), 0);
	/* The owner's token forged into a dead slot does not make it live. */
	seg_put32(s, RP_SLOT_OFFSET + 16 * 9 + RP_SLOT_TOKEN, w.token);
	seg_put32(s, RP_SLOT_OFFSET + 16 * 9 + RP_SLOT_WRITING, 1);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_CORRUPT);
	/* ... in a live slot it does: a stall, not an error. */
	fake_set_live(&s->fe, 9, true);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_BUSY);
	seg_free(s);
}

static void test_lock_steal(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle dead = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle w = seg_attach(s, 101, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	uint32_t written;
	unsigned wake = 0;
	uint8_t out[64];

	s->fe.env.lock_spins = 64;
	seg_put32(s, RP_OFF_WLOCK, dead.token);
	CHECK_ST(rp_ring_write(&w, "a", 1, &written, &wake), RP_LOCKED);
	CHECK_EQ(s->fe.yields, 63);
	CHECK_EQ(slot_word(s, 1, RP_SLOT_WRITING), 0);
	CHECK_EQ(seg_u32(s, RP_OFF_HEAD), 0);
	fake_crash(&s->fe, dead.slot);
	s->fe.yields = 0;
	CHECK_ST(rp_ring_write(&w, "a", 1, &written, &wake), RP_OK);
	CHECK_EQ(s->fe.yields, 15);
	CHECK_EQ(seg_u32(s, RP_OFF_WLOCK), 0);

	/* With 4 attempts, the last one looks at the holder. */
	s->fe.env.lock_spins = 4;
	seg_put32(s, RP_OFF_WLOCK, dead.token);
	s->fe.yields = 0;
	CHECK_ST(rp_ring_write(&w, "b", 1, &written, &wake), RP_OK);
	CHECK_EQ(s->fe.yields, 3);

	/* A token no slot holds is not live either. */
	seg_put32(s, RP_OFF_RLOCK, 0x7777);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), 0);
	/* A live holder is never robbed. */
	seg_put32(s, RP_OFF_RLOCK, w.token);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_LOCKED);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), w.token);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 16);
	/* Release does not free a lock someone else holds. */
	rp_ring_lock_release(&rd, RP_OFF_RLOCK);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), w.token);
	seg_free(s);
}

static void test_eof(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_handle w, w2;
	struct rp_read_res res;
	uint32_t written;
	unsigned wake = 0;
	uint8_t out[64];

	CHECK(!rp_ring_eof(&rd));
	w = seg_attach(s, 100, 0);
	CHECK(!rp_ring_eof(&rd));
	rp_ring_set_writer(&w);
	CHECK(!rp_ring_eof(&rd));
	CHECK_ST(rp_ring_write(&w, "z", 1, &written, &wake), RP_OK);
	rp_ring_end_writing(&w, &wake);
	CHECK(!rp_ring_eof(&rd));
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	CHECK(rp_ring_eof(&rd));
	w2 = seg_attach(s, 101, RP_ROLE_WRITER);
	CHECK(!rp_ring_eof(&rd));
	CHECK_EQ(seg_u32(s, RP_OFF_WRITERS_EVER), 2);
	fake_crash(&s->fe, w2.slot);
	CHECK(rp_ring_eof(&rd));
	/* The latch: a peer that zeroes writers_ever cannot hold EOF back. */
	seg_put32(s, RP_OFF_WRITERS_EVER, 0);
	CHECK(rp_ring_eof(&rd));
	/* A reader that never saw it waits. */
	CHECK(!rp_ring_eof(&w));
	seg_free(s);
}

/* The platform's list of who holds a token: by slot, the token it gave, 0 none. */
static uint32_t listed_owners[RP_SLOT_COUNT];

static uint32_t listed_slot(void *ctx, uint32_t token, uint32_t from)
{
	(void)ctx;
	for (; from < RP_SLOT_COUNT; from++)
		if (listed_owners[from] == token)
			return from;
	return RP_SLOT_COUNT;
}

/*
 * A forged ring full of dead reservations: each Read skips walk_max records
 * and stops BUSY, readable looks past as many and says true; the owner is
 * judged from the platform's list, not from tokens forged into slots.
 */
static void test_walk_limit(void)
{
	struct seg *s = seg_new(4096, RP_MODE_MESSAGE);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	uint32_t pos;
	struct rp_read_res res;
	unsigned wake = 0;
	uint8_t out[64];
	int reads = 0, st;

	listed_owners[rd.slot] = rd.token;
	s->fe.env.token_slot = listed_slot;
	s->fe.env.walk_max = 8;
	for (pos = 0; pos < 4096; pos += 8) {
		seg_put32(s, RP_DATA_OFFSET + pos, RP_REC_RESERVED << RP_REC_STATE_SHIFT);
		seg_put32(s, RP_DATA_OFFSET + pos + 4, 0x4242);
	}
	/* The token forged into a live slot's word: the platform's list says dead. */
	seg_put32(s, RP_SLOT_OFFSET + rd.slot * RP_SLOT_SIZE + RP_SLOT_TOKEN, 0x4242);
	seg_put32(s, RP_OFF_HEAD, 4096);
	CHECK(rp_ring_readable(&s->r));
	do {
		st = rp_ring_read(&rd, out, sizeof(out), &res, &wake);
		CHECK(res.abandoned <= 8);
		reads++;
	} while (st == RP_BUSY && reads < 1000);
	CHECK_ST(st, RP_EMPTY);
	CHECK_EQ(reads, 4096 / 8 / 8);
	CHECK(!rp_ring_readable(&s->r));
	seg_free(s);
}

void test_ring_slots(void)
{
	test_attach_detach();
	test_crashed_slot_reused();
	test_token_wrap();
	test_abandoned();
	test_reservation_not_written();
	test_lock_steal();
	test_eof();
	test_walk_limit();
}
