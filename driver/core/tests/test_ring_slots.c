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
	uint32_t i;

	CHECK_ST(rp_ring_attach(&s->r, 0, &extra), RP_INVAL);
	for (i = 0; i < RP_SLOT_COUNT; i++) {
		CHECK_ST(rp_ring_attach(&s->r, 1000 + i, &h[i]), RP_OK);
		CHECK_EQ(h[i].slot, i);
		CHECK_EQ(h[i].token, i + 1);
		CHECK_EQ(slot_word(s, i, RP_SLOT_PID), 1000 + i);
		CHECK_EQ(slot_word(s, i, RP_SLOT_TOKEN), i + 1);
	}
	CHECK_ST(rp_ring_attach(&s->r, 5, &extra), RP_NOSLOT);
	CHECK_EQ(rp_ring_live_slots(&s->r), RP_SLOT_COUNT);
	rp_ring_set_writer(&h[7]);
	rp_ring_set_reader(&h[7]);
	CHECK_EQ(slot_word(s, 7, RP_SLOT_ROLE), 3);
	rp_ring_detach(&h[7], &wake);
	CHECK_EQ(wake, RP_WAKE_DATA);
	CHECK_EQ(seg_u32(s, RP_OFF_DATA_SEQ), 1);
	rp_ring_detach(&h[3], &wake);
	CHECK_EQ(seg_u32(s, RP_OFF_DATA_SEQ), 1);
	for (i = 0; i < 4; i++)
		CHECK_EQ(slot_word(s, 3, i * 4), 0);
	CHECK_ST(rp_ring_attach(&s->r, 5, &extra), RP_OK);
	CHECK_EQ(extra.slot, 3);
	CHECK_EQ(extra.token, RP_SLOT_COUNT + 1);
	CHECK_EQ(seg_u32(s, RP_OFF_ATTACH_SEQ), RP_SLOT_COUNT + 1);
	/* A stale handle must not clear the slot's new owner. */
	h[3].token = 4;
	h[3].pid = 1003;
	rp_ring_detach(&h[3], &wake);
	CHECK_EQ(slot_word(s, 3, RP_SLOT_PID), 5);
	CHECK_EQ(slot_word(s, 3, RP_SLOT_TOKEN), RP_SLOT_COUNT + 1);
	seg_free(s);
}

static void test_token_wrap(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle a, b;

	seg_put32(s, RP_OFF_ATTACH_SEQ, 0xfffffffeu);
	CHECK_ST(rp_ring_attach(&s->r, 10, &a), RP_OK);
	CHECK_EQ(a.token, 0xffffffffu);
	CHECK_ST(rp_ring_attach(&s->r, 11, &b), RP_OK);
	CHECK_EQ(b.token, 1);
	CHECK_EQ(seg_u32(s, RP_OFF_ATTACH_SEQ), 1);
	seg_free(s);
}

static void test_reclaim(void)
{
	struct seg *s = seg_new(64, RP_MODE_MESSAGE);
	struct rp_handle w = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_handle other = seg_attach(s, 300, RP_ROLE_READER);
	unsigned wake = 0;

	CHECK_EQ(rp_ring_reclaim(&s->r, &wake), 0);
	CHECK_EQ(wake, 0);
	fake_crash(&s->fe, 100);
	fake_crash(&s->fe, 300);
	CHECK_EQ(rp_ring_live_slots(&s->r), 1);
	CHECK_EQ(rp_ring_reclaim(&s->r, &wake), 2);
	CHECK_EQ(wake, RP_WAKE_DATA);
	CHECK_EQ(seg_u32(s, RP_OFF_DATA_SEQ), 1);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_PID), 0);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_TOKEN), 0);
	CHECK_EQ(slot_word(s, 0, RP_SLOT_ROLE), 0);
	CHECK_EQ(slot_word(s, 2, RP_SLOT_PID), 0);
	CHECK_EQ(slot_word(s, 1, RP_SLOT_PID), 200);
	CHECK_EQ(slot_word(s, 1, RP_SLOT_TOKEN), rd.token);
	(void)w;
	(void)other;
	seg_free(s);
}

static void test_abandoned(void)
{
	struct seg *s = seg_new(128, RP_MODE_MESSAGE);
	struct rp_handle dead = seg_attach(s, 100, RP_ROLE_WRITER);
	struct rp_handle w = seg_attach(s, 101, RP_ROLE_WRITER);
	struct rp_handle rd = seg_attach(s, 200, RP_ROLE_READER);
	struct rp_read_res res;
	struct rp_resv v;
	uint32_t written;
	unsigned wake = 0;
	uint8_t out[128];

	CHECK_ST(rp_ring_reserve(&dead, 20, &v), RP_OK);
	CHECK_ST(rp_ring_reserve(&dead, 3, &v), RP_OK);
	CHECK_ST(rp_ring_write(&w, "next", 4, &written, &wake), RP_OK);
	CHECK_ST(rp_ring_read(&rd, out, 128, &res, &wake), RP_BUSY);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), 0);
	fake_crash(&s->fe, 100);
	CHECK_EQ(rp_ring_wait_begin(&s->r, RP_WAKE_SPACE), 0);
	CHECK_ST(rp_ring_read(&rd, out, 128, &res, &wake), RP_OK);
	CHECK_EQ(res.abandoned, 2);
	CHECK_EQ(res.n, 4);
	CHECK(memcmp(out, "next", 4) == 0);
	CHECK_EQ(seg_u32(s, RP_OFF_ABANDONED), 2);
	CHECK_EQ(seg_u32(s, RP_OFF_MSGS_OUT), 1);
	CHECK_EQ(wake, RP_WAKE_SPACE);

	/* Only abandoned records left: EMPTY, but the space was freed. */
	wake = 0;
	fake_revive(&s->fe, 100);
	CHECK_ST(rp_ring_reserve(&dead, 8, &v), RP_OK);
	fake_crash(&s->fe, 100);
	CHECK_ST(rp_ring_read(&rd, out, 128, &res, &wake), RP_EMPTY);
	CHECK_EQ(res.abandoned, 1);
	CHECK_EQ(wake, RP_WAKE_SPACE);
	CHECK_EQ(seg_u32(s, RP_OFF_TAIL), seg_u32(s, RP_OFF_HEAD));
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
	CHECK_EQ(s->fe.yields, 64);
	fake_crash(&s->fe, 100);
	s->fe.yields = 0;
	CHECK_ST(rp_ring_write(&w, "a", 1, &written, &wake), RP_OK);
	CHECK_EQ(s->fe.yields, 15);
	CHECK_EQ(seg_u32(s, RP_OFF_WLOCK), 0);

	/* A token no slot holds is not live either. */
	seg_put32(s, RP_OFF_RLOCK, 0x7777);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), 0);
	/* A live holder is never robbed. */
	seg_put32(s, RP_OFF_RLOCK, w.token);
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_LOCKED);
	CHECK_EQ(seg_u32(s, RP_OFF_RLOCK), w.token);
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

	CHECK(!rp_ring_eof(&s->r));
	w = seg_attach(s, 100, 0);
	CHECK(!rp_ring_eof(&s->r));
	rp_ring_set_writer(&w);
	CHECK(!rp_ring_eof(&s->r));
	CHECK_ST(rp_ring_write(&w, "z", 1, &written, &wake), RP_OK);
	rp_ring_end_writing(&w, &wake);
	CHECK(!rp_ring_eof(&s->r));
	CHECK_ST(rp_ring_read(&rd, out, 64, &res, &wake), RP_OK);
	CHECK(rp_ring_eof(&s->r));
	w2 = seg_attach(s, 101, RP_ROLE_WRITER);
	CHECK(!rp_ring_eof(&s->r));
	CHECK_EQ(seg_u32(s, RP_OFF_WRITERS_EVER), 2);
	fake_crash(&s->fe, 101);
	CHECK(rp_ring_eof(&s->r));
	(void)w2;
	seg_free(s);
}

void test_ring_slots(void)
{
	test_attach_detach();
	test_token_wrap();
	test_reclaim();
	test_abandoned();
	test_lock_steal();
	test_eof();
}
