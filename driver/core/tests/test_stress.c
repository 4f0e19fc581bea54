/*
 * Threaded stress test: writer and reader threads on one ring in process
 * memory, each thread a process of its own for the liveness checks, and
 * futex waiting as the shared-memory backend does it.
 *
 * message: NW writers, NR readers; every message must be delivered exactly
 *          once, unchanged, and each reader sees each writer's messages in
 *          order. Writer 0 "dies" part way, holding wlock and leaving a
 *          reservation, which the others must steal and skip; writer 1
 *          abandons a reservation every ABANDON_EVERY messages; writers 2
 *          and 3 are two threads sharing one handle (one slot, its writing
 *          word counting both).
 * byte:    NW writers, one reader that sorts records by owner token and
 *          checks that each writer's byte stream arrives whole.
 */
#include "../tools/rp_wait.h"
#include "fake_env.h"
#include "t.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NW 4
#define NR 3
#define MSGS 60000
#define CRASH_AT 21000
#define ABANDON_EVERY 1000
#define SHARED 2 /* writers SHARED and SHARED + 1 use handle w[SHARED] */
#define BYTE_MSGS 10000
#define MAX_LEN 300
#define HDR 12 /* writer u32, seq u32, fnv u32 */
#define DEADLINE_MS 60000 /* a run that hangs fails instead */

struct stress {
	struct rp_ring r;
	struct fake_env fe;
	uint8_t *mem;
	uint32_t mode;
	struct rp_handle w[NW], rd[NR];
	uint32_t users[NW]; /* threads still using w[i] */
	uint8_t seen[NW][MSGS];   /* deliveries per message */
	/* Byte mode: each writer's stream position, as the reader sees it. */
	uint32_t bseq[NW], boff[NW];
	uint64_t bbytes[NW];
	uint8_t bmsg[NW][MAX_LEN];
	uint64_t delivered;
	uint64_t deadline;
	int errors;
};

struct worker {
	struct stress *s;
	int index;
	struct rp_handle *h;
	const uint8_t *src;
	uint32_t len, done;
	uint8_t *buf;
	struct rp_read_res res;
	struct rp_resv v;
};

static uint32_t fnv32(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint32_t msg_len(int w, uint32_t seq)
{
	return HDR + (seq * 37u + (uint32_t)w * 11u) % (MAX_LEN - HDR);
}

static uint8_t byte_at(int w, uint32_t seq, uint32_t k)
{
	return (uint8_t)(w * 61 + seq * 7 + k * 13);
}

static void build_msg(uint8_t *p, int w, uint32_t seq)
{
	uint32_t len = msg_len(w, seq), k, sum;

	for (k = HDR; k < len; k++)
		p[k] = byte_at(w, seq, k);
	sum = fnv32(p + HDR, len - HDR);
	memcpy(p, &w, 4);
	memcpy(p + 4, &seq, 4);
	memcpy(p + 8, &sum, 4);
}

static void fail(struct stress *s, const char *what)
{
	if (__atomic_fetch_add(&s->errors, 1, __ATOMIC_SEQ_CST) < 10)
		fprintf(stderr, "stress: %s\n", what);
}

static int attempt_write(void *arg)
{
	struct worker *k = arg;
	uint32_t written = 0;
	unsigned wake = 0;
	int st = rp_ring_write(k->h, k->src + k->done, k->len - k->done, &written,
			       &wake);

	k->done += written;
	rp_wait_wake(&k->s->r, wake, NULL);
	if (st == RP_FULL && written > 0)
		return RP_FULL; /* byte mode: progress, but more to write */
	return st;
}

static bool past_deadline(struct stress *s)
{
	if (rp_wait_now_ms() <= s->deadline)
		return false;
	fail(s, "crashing writer timed out");
	return true;
}

/* Dies holding wlock, after a reservation it never commits. */
static void writer_crash(struct worker *k)
{
	struct rp_resv v;

	while (rp_ring_reserve(k->h, msg_len(k->index, CRASH_AT), &v) != RP_OK)
		if (past_deadline(k->s))
			return;
	while (rp_ring_lock_take(k->h, RP_OFF_WLOCK) != RP_OK)
		if (past_deadline(k->s))
			return;
	fake_crash(&k->s->fe, k->h->slot);
}

static int attempt_reserve(void *arg)
{
	struct worker *k = arg;

	return rp_ring_reserve(k->h, k->len, &k->v);
}

/* A reservation given up: readers skip it and count it. */
static void writer_abandon(struct worker *k, uint32_t seq)
{
	unsigned wake = 0;
	int st;

	k->len = msg_len(k->index, seq);
	st = rp_wait_run(&k->s->r, RP_WAKE_SPACE, attempt_reserve, k, k->s->deadline);
	if (st != RP_OK) {
		fail(k->s, "abandoning writer could not reserve");
		return;
	}
	if (rp_ring_abandon(k->h, &k->v, &wake) != RP_OK)
		fail(k->s, "abandon failed");
	rp_wait_wake(&k->s->r, wake, NULL);
}

static void writer_leave(struct worker *k)
{
	struct stress *s = k->s;
	uint32_t i = (uint32_t)(k->h - s->w);
	unsigned wake = 0;

	if (__atomic_sub_fetch(&s->users[i], 1, __ATOMIC_SEQ_CST) != 0)
		return;
	fake_detach(&s->fe, k->h, &wake);
	rp_wait_wake(&s->r, wake, NULL);
}

static void *writer_main(void *arg)
{
	struct worker *k = arg;
	struct stress *s = k->s;
	uint32_t n = s->mode == RP_MODE_MESSAGE ? MSGS : BYTE_MSGS, seq;
	uint8_t msg[MAX_LEN];

	for (seq = 0; seq < n; seq++) {
		if (s->mode == RP_MODE_MESSAGE && k->index == 0 && seq == CRASH_AT) {
			writer_crash(k);
			return NULL;
		}
		if (s->mode == RP_MODE_MESSAGE && k->index == 1 &&
		    seq % ABANDON_EVERY == ABANDON_EVERY / 2)
			writer_abandon(k, seq);
		build_msg(msg, k->index, seq);
		k->src = msg;
		k->len = msg_len(k->index, seq);
		k->done = 0;
		while (k->done < k->len) {
			int st = rp_wait_run(&s->r, RP_WAKE_SPACE, attempt_write, k,
					     s->deadline);

			if (st != RP_OK && !(st == RP_FULL && k->done < k->len)) {
				fail(s, st == RP_WAIT_TIMEOUT ? "writer timed out"
							       : rp_status_name(st));
				return NULL;
			}
		}
	}
	writer_leave(k);
	return NULL;
}

static int attempt_read(void *arg)
{
	struct worker *k = arg;
	unsigned wake = 0;
	int st = rp_ring_read(k->h, k->buf, MAX_LEN, &k->res, &wake);

	rp_wait_wake(&k->s->r, wake, NULL);
	if (st == RP_EMPTY && rp_ring_eof(k->h))
		return RP_WAIT_EOF;
	return st;
}

static void check_message(struct stress *s, struct worker *k, uint32_t *last)
{
	uint32_t w, seq, sum;
	const uint8_t *p = k->buf;

	memcpy(&w, p, 4);
	memcpy(&seq, p + 4, 4);
	memcpy(&sum, p + 8, 4);
	if (k->res.n < HDR || w >= NW || seq >= MSGS || k->res.n != msg_len((int)w, seq) ||
	    fnv32(p + HDR, k->res.n - HDR) != sum ||
	    (k->res.n > HDR && byte_at((int)w, seq, HDR) != p[HDR])) {
		fail(s, "message corrupted");
		return;
	}
	if (last[w] != UINT32_MAX && seq <= last[w])
		fail(s, "message out of order");
	last[w] = seq;
	__atomic_fetch_add(&s->seen[w][seq], 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&s->delivered, 1, __ATOMIC_SEQ_CST);
}

/* Byte mode, single reader: the record continues its writer's stream. */
static void check_bytes(struct stress *s, struct worker *k)
{
	uint32_t tok = k->res.owner, i;
	int w = (int)tok - 1;

	if (tok == 0 || tok > NW) {
		fail(s, "record from an unknown writer");
		return;
	}
	for (i = 0; i < k->res.n; i++) {
		if (s->boff[w] == msg_len(w, s->bseq[w])) {
			s->bseq[w]++;
			s->boff[w] = 0;
		}
		if (s->boff[w] == 0)
			build_msg(s->bmsg[w], w, s->bseq[w]);
		if (s->bseq[w] >= BYTE_MSGS || k->buf[i] != s->bmsg[w][s->boff[w]]) {
			fail(s, "byte stream differs");
			return;
		}
		s->boff[w]++;
		s->bbytes[w]++;
	}
}

static void *reader_main(void *arg)
{
	struct worker *k = arg;
	struct stress *s = k->s;
	uint32_t last[NW];
	uint8_t buf[MAX_LEN];

	memset(last, 0xff, sizeof(last));
	k->buf = buf;
	for (;;) {
		int st = rp_wait_run(&s->r, RP_WAKE_DATA, attempt_read, k, s->deadline);

		if (st == RP_WAIT_EOF)
			return NULL;
		if (st != RP_OK) {
			fail(s, st == RP_WAIT_TIMEOUT ? "reader timed out"
						       : rp_status_name(st));
			return NULL;
		}
		if (s->mode == RP_MODE_MESSAGE)
			check_message(s, k, last);
		else
			check_bytes(s, k);
	}
}

static void run(uint32_t mode, uint32_t capacity, int nreaders)
{
	struct stress *s = calloc(1, sizeof(*s));
	struct worker wk[NW + NR];
	pthread_t t[NW + NR];
	size_t size = rp_ring_segment_size(capacity);
	uint32_t i, j, expect;

	s->mode = mode;
	s->deadline = rp_wait_now_ms() + DEADLINE_MS;
	fake_env_init(&s->fe, 0);
	CHECK(posix_memalign((void **)&s->mem, 64, size) == 0);
	memset(s->mem, 0, size);
	CHECK_ST(rp_ring_init(&s->r, s->mem, size, capacity, mode, &s->fe.env), RP_OK);
	for (i = 0; i < NW; i++) {
		if (mode == RP_MODE_MESSAGE && i == SHARED + 1) {
			s->users[SHARED]++;
			continue;
		}
		CHECK_ST(fake_attach(&s->fe, &s->r, 1000 + i, &s->w[i]), RP_OK);
		rp_ring_set_writer(&s->w[i]);
		s->users[i] = 1;
	}
	for (i = 0; i < (uint32_t)nreaders; i++)
		CHECK_ST(fake_attach(&s->fe, &s->r, 2000 + i, &s->rd[i]), RP_OK);
	memset(wk, 0, sizeof(wk));
	for (i = 0; i < NW + (uint32_t)nreaders; i++) {
		wk[i].s = s;
		wk[i].index = (int)(i < NW ? i : i - NW);
		wk[i].h = i >= NW ? &s->rd[i - NW]
			  : mode == RP_MODE_MESSAGE && i == SHARED + 1 ? &s->w[SHARED]
								 : &s->w[i];
		pthread_create(&t[i], NULL, i < NW ? writer_main : reader_main, &wk[i]);
	}
	for (i = 0; i < NW + (uint32_t)nreaders; i++)
		pthread_join(t[i], NULL);

	CHECK_EQ(s->errors, 0);
	if (mode == RP_MODE_MESSAGE) {
		uint32_t wrong = 0;

		for (i = 0; i < NW; i++)
			for (j = 0; j < MSGS; j++)
				wrong += s->seen[i][j] != (i == 0 && j >= CRASH_AT ? 0 : 1);
		CHECK_EQ(wrong, 0);
		CHECK_EQ(s->delivered, (uint64_t)NW * MSGS - (MSGS - CRASH_AT));
		CHECK_EQ(*(uint32_t *)(void *)(s->mem + RP_OFF_ABANDONED),
			 1 + MSGS / ABANDON_EVERY);
	} else {
		for (i = 0; i < NW; i++) {
			for (expect = 0, j = 0; j < BYTE_MSGS; j++)
				expect += msg_len((int)i, j);
			CHECK_EQ(s->bbytes[i], expect);
		}
	}
	CHECK(rp_ring_eof(&s->rd[0]));
	printf("stress %s: %d writers, %d readers, capacity %u, %u yields\n",
	       mode == RP_MODE_MESSAGE ? "message" : "byte", NW, nreaders, capacity,
	       s->fe.yields);
	free(s->mem);
	free(s);
}

int main(void)
{
	run(RP_MODE_MESSAGE, 4096, NR);
	run(RP_MODE_BYTE, 1024, 1);
	return t_report("test_stress");
}
