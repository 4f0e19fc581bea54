/*
 * Ring operations driven by the input, each checked against a model of the
 * format: the queue of records with their states, the byte counts, the
 * counters, the lock words and the EOF condition. Slots are made live and
 * not live as the platform would. A forged `writing` of 0 under a live
 * reservation must give CORRUPT; after that, or after any other scribble
 * on the segment, only safety is checked.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

#define NH 8      /* handles in play */
#define NREC 64   /* records: capacity / 8 at most */
#define NPEND 4   /* open reservations */
#define PID0 100u

struct mrec {
	uint32_t len, token, id;
	bool committed, abandoned;
	uint8_t data[256];
};

struct mhandle {
	bool attached;
	bool writer;
	struct rp_handle h;
};

struct mpend {
	bool used;
	int hi;
	uint32_t id;
	struct rp_resv v;
};

struct model {
	struct rp_ring r;
	uint8_t *mem;
	uint32_t cap, mode;
	bool corrupted;
	bool live[RP_SLOT_COUNT];
	struct mhandle hs[NH];
	struct mrec q[NREC];
	uint32_t q0, qn; /* q[q0] is the record at tail */
	struct mpend pend[NPEND];
	uint32_t used, skip, next_pid, next_id;
	uint32_t writers_ever, abandoned, data_seq;
	uint32_t wlock, rlock; /* tokens stored by hold, until stolen */
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out;
};

static bool model_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	struct model *m = ctx;

	(void)pid;
	FZ_ASSERT(slot < RP_SLOT_COUNT);
	return m->live[slot];
}

static bool live_handle(const struct model *m, int i)
{
	return m->hs[i].attached && m->live[m->hs[i].h.slot];
}

static bool token_live(const struct model *m, uint32_t token)
{
	int i;

	for (i = 0; i < NH; i++)
		if (live_handle(m, i) && m->hs[i].h.token == token)
			return true;
	return false;
}

/* A lock attempt as the ring makes it: LOCKED, or the held word is stolen. */
static bool lock_stays(const struct model *m, uint32_t *word)
{
	if (*word != 0 && token_live(m, *word))
		return true;
	*word = 0;
	return false;
}

static uint8_t data_byte(uint32_t id, uint32_t k)
{
	return (uint8_t)(id * 13u + k * 7u + 1u);
}

static struct mrec *rec_at(struct model *m, uint32_t i)
{
	return &m->q[(m->q0 + i) % NREC];
}

static uint32_t rec_size(uint32_t len)
{
	return 8u + ((len + 7u) & ~7u);
}

static void set_writer(struct model *m, int i)
{
	if (!m->hs[i].writer) {
		m->hs[i].writer = true;
		m->writers_ever++;
	}
	rp_ring_set_writer(&m->hs[i].h);
}

static void drop_pending(struct model *m, int hi)
{
	int k;

	for (k = 0; k < NPEND; k++)
		if (m->pend[k].used && m->pend[k].hi == hi)
			m->pend[k].used = false;
}

/* Appends a record if it fits; returns its id, or 0 for FULL. */
static uint32_t push(struct model *m, int hi, uint32_t len, bool committed,
		     const uint8_t *src)
{
	struct mrec *rec;

	if (m->used + rec_size(len) > m->cap)
		return 0;
	FZ_ASSERT(m->qn < NREC);
	rec = rec_at(m, m->qn++);
	rec->len = len;
	rec->token = m->hs[hi].h.token;
	rec->committed = committed;
	rec->abandoned = false;
	rec->id = ++m->next_id;
	memcpy(rec->data, src, len);
	m->used += rec_size(len);
	m->msgs_in++;
	m->bytes_in += len;
	return rec->id;
}

static void op_attach(struct model *m, struct fz *f)
{
	uint8_t role = fz_u8(f) % 3;
	uint32_t slot;
	int i;

	for (i = 0; i < NH && m->hs[i].attached; i++)
		;
	if (i == NH)
		return;
	FZ_ASSERT(rp_ring_free_slot(&m->r, &slot) == RP_OK);
	FZ_ASSERT(!m->live[slot]);
	m->live[slot] = true;
	FZ_ASSERT(rp_ring_attach(&m->r, slot, m->next_pid++, &m->hs[i].h) == RP_OK);
	m->hs[i].attached = true;
	m->hs[i].writer = false;
	if (role == 1)
		set_writer(m, i);
	if (role == 2)
		rp_ring_set_reader(&m->hs[i].h);
}

static void op_write(struct model *m, int i, uint32_t len)
{
	uint32_t max = rp_ring_max_record(&m->r), written, done = 0, k;
	uint8_t src[256];
	unsigned wake = 0;
	int want = RP_OK, st;

	for (k = 0; k < len; k++)
		src[k] = data_byte(m->next_id + 1, k);
	/* The size check comes before the writer role: a TOO_BIG message takes none. */
	if (m->mode == RP_MODE_MESSAGE && len > max)
		want = RP_TOO_BIG;
	else
		set_writer(m, i);
	if (want == RP_OK && (m->mode == RP_MODE_MESSAGE || len > 0) &&
	    lock_stays(m, &m->wlock))
		want = RP_LOCKED;
	else if (want == RP_OK && m->mode == RP_MODE_MESSAGE)
		want = push(m, i, len, true, src) ? RP_OK : RP_FULL;
	while (m->mode == RP_MODE_BYTE && done < len && want == RP_OK) {
		uint32_t n = len - done < max ? len - done : max;

		if (push(m, i, n, true, src + done))
			done += n;
		else
			want = RP_FULL;
	}
	st = rp_ring_write(&m->hs[i].h, src, len, &written, &wake);
	FZ_ASSERT(st == want);
	FZ_ASSERT(written == (m->mode == RP_MODE_BYTE ? done : want == RP_OK ? len : 0));
}

static void op_reserve(struct model *m, int i, uint32_t len)
{
	uint32_t id = 0, j;
	uint8_t src[256];
	int k, want = RP_OK, st;
	struct rp_resv v;

	for (k = 0; k < NPEND && m->pend[k].used; k++)
		;
	if (k == NPEND)
		return;
	for (j = 0; j < len; j++)
		src[j] = data_byte(m->next_id + 1, j);
	if (len > rp_ring_max_record(&m->r))
		want = RP_TOO_BIG; /* these two before the writer role */
	else if (len == 0 && m->mode == RP_MODE_BYTE)
		want = RP_INVAL;
	else
		set_writer(m, i);
	if (want == RP_OK && lock_stays(m, &m->wlock))
		want = RP_LOCKED;
	else if (want == RP_OK && (id = push(m, i, len, false, src)) == 0)
		want = RP_FULL;
	st = rp_ring_reserve(&m->hs[i].h, len, &v);
	FZ_ASSERT(st == want);
	if (st == RP_OK)
		m->pend[k] = (struct mpend){ true, i, id, v };
}

static struct mrec *pending_rec(struct model *m, const struct mpend *p)
{
	uint32_t j;

	for (j = 0; j < m->qn; j++)
		if (rec_at(m, j)->id == p->id)
			return rec_at(m, j);
	return NULL;
}

/* Commits (or abandons) open reservation k. */
static void op_finish(struct model *m, uint32_t k, bool abandon)
{
	struct mpend *p = &m->pend[k % NPEND];
	struct mrec *rec;
	unsigned wake = 0;

	if (!p->used)
		return;
	p->used = false;
	rec = pending_rec(m, p);
	if (m->corrupted) {
		if (abandon)
			rp_ring_abandon(&m->hs[p->hi].h, &p->v, &wake);
		else
			rp_ring_commit(&m->hs[p->hi].h, &p->v, &wake);
		return;
	}
	FZ_ASSERT(rec != NULL && !rec->committed && !rec->abandoned);
	if (abandon) {
		FZ_ASSERT(rp_ring_abandon(&m->hs[p->hi].h, &p->v, &wake) == RP_OK);
		rec->abandoned = true;
		return;
	}
	FZ_ASSERT(rp_ring_resv_copy(&m->r, &p->v, 0, rec->data, rec->len) == RP_OK);
	FZ_ASSERT(rp_ring_commit(&m->hs[p->hi].h, &p->v, &wake) == RP_OK);
	rec->committed = true;
}

static void pop(struct model *m, const struct mrec *rec)
{
	m->used -= rec_size(rec->len);
	m->q0 = (m->q0 + 1) % NREC;
	m->qn--;
}

/* What Read must report, with the model updated as the ring should be. */
static int model_read(struct model *m, uint32_t room, uint32_t *n,
		      struct mrec **out, uint32_t *skipped, uint32_t *from)
{
	if (lock_stays(m, &m->rlock))
		return RP_LOCKED;
	while (m->qn > 0) {
		struct mrec *rec = rec_at(m, 0);

		if (!rec->committed) {
			if (!rec->abandoned && token_live(m, rec->token))
				return RP_BUSY;
			pop(m, rec);
			m->abandoned++;
			(*skipped)++;
			continue;
		}
		*out = rec;
		*from = m->skip;
		if (m->mode == RP_MODE_MESSAGE ? room < rec->len : room == 0)
			return RP_TOO_SMALL;
		*n = rec->len - m->skip < room ? rec->len - m->skip : room;
		m->skip += *n;
		m->bytes_out += *n;
		if (m->skip == rec->len) {
			m->skip = 0;
			m->msgs_out++;
			pop(m, rec);
		}
		return RP_OK;
	}
	return RP_EMPTY;
}

static void op_read(struct model *m, int i, uint32_t room)
{
	struct mrec *rec = NULL, copy = { 0 };
	struct rp_read_res res;
	uint32_t n = 0, skipped = 0, from = 0;
	uint8_t buf[256];
	unsigned wake = 0;
	bool readable = rp_ring_readable(&m->r);
	int want = model_read(m, room, &n, &rec, &skipped, &from), st;

	if (rec != NULL)
		copy = *rec; /* the model may have dropped it */
	st = rp_ring_read(&m->hs[i].h, buf, room, &res, &wake);
	FZ_ASSERT(st == want);
	FZ_ASSERT(res.abandoned == skipped);
	if (st != RP_LOCKED)
		FZ_ASSERT(readable == (st != RP_EMPTY && st != RP_BUSY));
	if (st == RP_TOO_SMALL)
		FZ_ASSERT(res.len == copy.len);
	if (st != RP_OK)
		return;
	FZ_ASSERT(res.n == n && res.len == copy.len && res.owner == copy.token);
	FZ_ASSERT(memcmp(buf, copy.data + from, n) == 0);
}

static void op_end(struct model *m, int i, bool detach)
{
	unsigned wake = 0;

	if (m->hs[i].writer)
		m->data_seq++;
	m->hs[i].writer = false;
	if (detach) {
		rp_ring_detach(&m->hs[i].h, &wake);
		m->live[m->hs[i].h.slot] = false;
		m->hs[i].attached = false;
		drop_pending(m, i);
	} else {
		rp_ring_end_writing(&m->hs[i].h, &wake);
	}
}

static void op_crash(struct model *m, int i)
{
	m->live[m->hs[i].h.slot] = false;
	m->hs[i].attached = false;
	drop_pending(m, i);
}

/* A live handle's token in a lock word: a holder stopped inside. */
static void op_hold(struct model *m, int i, uint32_t which)
{
	uint32_t off = which & 1 ? RP_OFF_RLOCK : RP_OFF_WLOCK;

	memcpy(m->mem + off, &m->hs[i].h.token, 4);
	if (which & 1)
		m->rlock = m->hs[i].h.token;
	else
		m->wlock = m->hs[i].h.token;
}

/*
 * The head record is a live handle's open reservation: a peer forges its
 * writing to 0, and the Read must call it CORRUPT.
 */
static void op_forge_writing(struct model *m, int i)
{
	struct rp_read_res res;
	uint32_t zero = 0, slot;
	uint8_t buf[256];
	unsigned wake = 0;
	int hi;

	if (m->qn == 0 || rec_at(m, 0)->committed || rec_at(m, 0)->abandoned ||
	    m->rlock != 0)
		return;
	for (hi = 0; hi < NH; hi++)
		if (live_handle(m, hi) && m->hs[hi].h.token == rec_at(m, 0)->token)
			break;
	if (hi == NH)
		return;
	slot = m->hs[hi].h.slot;
	memcpy(m->mem + RP_SLOT_OFFSET + slot * RP_SLOT_SIZE + RP_SLOT_WRITING, &zero, 4);
	FZ_ASSERT(rp_ring_readable(&m->r));
	FZ_ASSERT(rp_ring_read(&m->hs[i].h, buf, sizeof(buf), &res, &wake) == RP_CORRUPT);
	m->corrupted = true;
}

static bool model_eof(const struct model *m)
{
	int i;

	for (i = 0; i < NH; i++)
		if (live_handle(m, i) && m->hs[i].writer)
			return false;
	return m->writers_ever > 0 && m->qn == 0;
}

static uint32_t word(const struct model *m, uint32_t off)
{
	uint32_t v;

	memcpy(&v, m->mem + off, 4);
	return v;
}

static void check_state(struct model *m)
{
	struct rp_stats st;
	uint32_t live = 0, writers = 0;
	int i;

	FZ_ASSERT(rp_ring_stats(&m->r, &st) == RP_OK);
	FZ_ASSERT(st.used == m->used && st.used <= m->cap);
	FZ_ASSERT(st.tail_skip == m->skip);
	FZ_ASSERT(st.msgs_in == m->msgs_in && st.bytes_in == m->bytes_in);
	FZ_ASSERT(st.msgs_out == m->msgs_out && st.bytes_out == m->bytes_out);
	FZ_ASSERT(st.abandoned == m->abandoned);
	FZ_ASSERT(st.writers_ever == m->writers_ever);
	FZ_ASSERT(st.data_seq == m->data_seq);
	FZ_ASSERT(word(m, RP_OFF_WLOCK) == m->wlock && word(m, RP_OFF_RLOCK) == m->rlock);
	for (i = 0; i < NH; i++) {
		if (!live_handle(m, i))
			continue;
		live++;
		writers += m->hs[i].writer;
		FZ_ASSERT(rp_ring_eof(&m->hs[i].h) == model_eof(m));
	}
	FZ_ASSERT(st.attached == live && st.writers == writers);
	FZ_ASSERT(rp_ring_writable(&m->r, 0) ==
		  (m->cap - m->used >= (m->mode == RP_MODE_BYTE ? 16u : 8u)));
}

/* Words a peer may scribble on: the ones the checks guard, or any. */
static uint32_t corrupt_offset(struct model *m, struct fz *f)
{
	static const uint32_t offs[] = {
		RP_OFF_HEAD, RP_OFF_TAIL, RP_OFF_TAIL_SKIP, RP_OFF_WLOCK,
		RP_OFF_RLOCK, RP_OFF_WRITERS_EVER, RP_OFF_ATTACH_SEQ,
	};
	uint32_t pick = fz_u8(f), tail = word(m, RP_OFF_TAIL);

	if (pick < 7)
		return offs[pick];
	if (pick < 64) /* a slot word: pid, token, role or writing */
		return RP_SLOT_OFFSET + (pick % 16) * RP_SLOT_SIZE + (pick / 16 % 4) * 4;
	if (pick < 128) /* word0 or owner of a record near tail */
		return RP_DATA_OFFSET + ((tail + (pick % 8) * 8 + (pick / 8 % 2) * 4) &
					 (m->cap - 1));
	return (fz_u16(f) % (uint32_t)rp_ring_segment_size(m->cap)) & ~3u;
}

static void op_corrupt(struct model *m, struct fz *f)
{
	uint32_t off = corrupt_offset(m, f);
	uint32_t val = fz_u16(f) | fz_u16(f) << 16;

	memcpy(m->mem + off, &val, 4);
	m->corrupted = true;
}

/* After a corruption: the same calls, checked only for sane results. */
static void op_blind(struct model *m, int i, uint8_t op, uint32_t arg)
{
	struct rp_read_res res;
	struct rp_stats st;
	struct rp_resv v;
	uint8_t buf[256] = { 0 };
	uint32_t written, room = arg % (m->cap + 1);
	unsigned wake = 0;
	int s = RP_OK;

	if (op == 3)
		s = rp_ring_write(&m->hs[i].h, buf, arg % m->cap, &written, &wake);
	if (op == 4 && (s = rp_ring_reserve(&m->hs[i].h, arg % m->cap, &v)) == RP_OK) {
		if (arg & 1)
			rp_ring_abandon(&m->hs[i].h, &v, &wake);
		else
			rp_ring_commit(&m->hs[i].h, &v, &wake);
	}
	if (op == 6 || op == 9) {
		s = rp_ring_read(&m->hs[i].h, buf, room, &res, &wake);
		FZ_ASSERT(s != RP_OK || (res.n <= room && res.n <= res.len &&
					 res.len <= rp_ring_max_record(&m->r)));
		FZ_ASSERT(res.abandoned <= m->cap / 8);
	}
	FZ_ASSERT(s >= RP_OK && s < RP_STATUS_COUNT);
	(void)rp_ring_eof(&m->hs[i].h);
	(void)rp_ring_readable(&m->r);
	(void)rp_ring_writable(&m->r, arg);
	if (rp_ring_stats(&m->r, &st) == RP_OK)
		FZ_ASSERT(st.used <= m->cap);
}

static void step(struct model *m, struct fz *f)
{
	uint8_t op = fz_u8(f) % 14;
	int i = fz_u8(f) % NH;
	uint32_t arg = fz_u8(f);

	if (op == 0)
		op_attach(m, f);
	else if (op == 5 || op == 8)
		op_finish(m, arg, op == 8);
	else if (op == 10 && arg >= 0xa0)
		op_corrupt(m, f);
	else if (!live_handle(m, i))
		return;
	else if (m->corrupted)
		op_blind(m, i, op, arg);
	else if (op == 1 || op == 7)
		op_end(m, i, op == 1);
	else if (op == 2)
		op_crash(m, i);
	else if (op == 3)
		op_write(m, i, arg % m->cap);
	else if (op == 4)
		op_reserve(m, i, arg % m->cap);
	else if (op == 6 || op == 9)
		op_read(m, i, op == 9 ? arg % 9 : arg % (m->cap + 1));
	else if (op == 11 && arg < 0x40)
		op_hold(m, i, arg);
	else if (op == 12 && arg < 0x20)
		op_forge_writing(m, i);
	if (!m->corrupted)
		check_state(m);
}

void fuzz_model(struct fz *f)
{
	static struct model m;
	struct rp_env env = { model_alive, NULL, &m, 4 };
	size_t size;
	uint32_t steps;

	memset(&m, 0, sizeof(m));
	m.cap = RP_CAP_MIN << (fz_u8(f) % 3);
	m.mode = fz_u8(f) % 2 ? RP_MODE_BYTE : RP_MODE_MESSAGE;
	m.next_pid = PID0;
	size = rp_ring_segment_size(m.cap);
	m.mem = aligned_alloc(64, 8192);
	FZ_ASSERT(m.mem != NULL && size <= 8192);
	memset(m.mem, 0, 8192);
	FZ_ASSERT(rp_ring_init(&m.r, m.mem, size, m.cap, m.mode, &env) == RP_OK);
	for (steps = 0; f->n > 0 && steps < 4096; steps++)
		step(&m, f);
	free(m.mem);
}
