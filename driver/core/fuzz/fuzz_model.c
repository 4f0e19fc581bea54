/*
 * Ring operations driven by the input, each checked against a model of the
 * format: the queue of records with their states, the byte counts, the
 * counters and the EOF condition. One op may scribble on the header; from
 * then on only safety is checked.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

#define NH 8      /* handles in play */
#define NREC 64   /* records: capacity / 8 at most */
#define NPEND 4   /* open reservations */
#define PID0 100u
#define PIDS 256u

struct mrec {
	uint32_t len, token, id;
	bool committed;
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
	bool dead[PIDS];
	struct mhandle hs[NH];
	struct mrec q[NREC];
	uint32_t q0, qn; /* q[q0] is the record at tail */
	struct mpend pend[NPEND];
	uint32_t used, skip, next_pid, next_id;
	uint32_t writers_ever, abandoned, data_seq;
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out;
};

static bool model_alive(void *ctx, uint32_t pid)
{
	struct model *m = ctx;

	return pid >= PID0 && pid < PID0 + PIDS && !m->dead[pid - PID0];
}

static bool live_handle(const struct model *m, int i)
{
	return m->hs[i].attached && !m->dead[m->hs[i].h.pid - PID0];
}

static bool token_live(const struct model *m, uint32_t token)
{
	int i;

	for (i = 0; i < NH; i++)
		if (live_handle(m, i) && m->hs[i].h.token == token)
			return true;
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
	int i;

	for (i = 0; i < NH && m->hs[i].attached; i++)
		;
	if (i == NH || m->next_pid >= PID0 + PIDS)
		return;
	FZ_ASSERT(rp_ring_attach(&m->r, m->next_pid++, &m->hs[i].h) == RP_OK);
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
	set_writer(m, i);
	if (m->mode == RP_MODE_MESSAGE && len > max)
		want = RP_TOO_BIG;
	else if (m->mode == RP_MODE_MESSAGE)
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
	set_writer(m, i);
	if (len > rp_ring_max_record(&m->r))
		want = RP_TOO_BIG;
	else if (len == 0 && m->mode == RP_MODE_BYTE)
		want = RP_INVAL;
	else if ((id = push(m, i, len, false, src)) == 0)
		want = RP_FULL;
	st = rp_ring_reserve(&m->hs[i].h, len, &v);
	FZ_ASSERT(st == want);
	if (st == RP_OK)
		m->pend[k] = (struct mpend){ true, i, id, v };
}

static void op_commit(struct model *m, uint32_t k)
{
	struct mpend *p = &m->pend[k % NPEND];
	struct mrec *rec = NULL;
	unsigned wake = 0;
	uint32_t j;

	if (!p->used)
		return;
	p->used = false;
	for (j = 0; j < m->qn; j++)
		if (rec_at(m, j)->id == p->id)
			rec = rec_at(m, j);
	if (m->corrupted) {
		rp_ring_commit(&m->hs[p->hi].h, &p->v, &wake);
		return;
	}
	FZ_ASSERT(rec != NULL && !rec->committed);
	FZ_ASSERT(rp_ring_resv_copy(&m->r, &p->v, 0, rec->data, rec->len) == RP_OK);
	FZ_ASSERT(rp_ring_commit(&m->hs[p->hi].h, &p->v, &wake) == RP_OK);
	rec->committed = true;
}

/* What Read must report, with the model updated as the ring should be. */
static int model_read(struct model *m, uint32_t room, uint32_t *n,
		      struct mrec **out, uint32_t *skipped, uint32_t *from)
{
	while (m->qn > 0) {
		struct mrec *rec = rec_at(m, 0);

		if (!rec->committed) {
			if (token_live(m, rec->token))
				return RP_BUSY;
			m->used -= rec_size(rec->len);
			m->q0 = (m->q0 + 1) % NREC;
			m->qn--;
			m->abandoned++;
			(*skipped)++;
			continue;
		}
		*out = rec;
		*from = m->skip;
		if (m->mode == RP_MODE_MESSAGE && room < rec->len)
			return RP_TOO_SMALL;
		*n = rec->len - m->skip < room ? rec->len - m->skip : room;
		m->skip += *n;
		m->bytes_out += *n;
		if (m->skip == rec->len) {
			m->skip = 0;
			m->msgs_out++;
			m->used -= rec_size(rec->len);
			m->q0 = (m->q0 + 1) % NREC;
			m->qn--;
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
	int want = model_read(m, room, &n, &rec, &skipped, &from), st;

	if (rec != NULL)
		copy = *rec; /* the model may have dropped it */
	st = rp_ring_read(&m->hs[i].h, buf, room, &res, &wake);
	FZ_ASSERT(st == want);
	FZ_ASSERT(res.abandoned == skipped);
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
		m->hs[i].attached = false;
		drop_pending(m, i);
	} else {
		rp_ring_end_writing(&m->hs[i].h, &wake);
	}
}

static void op_reclaim(struct model *m)
{
	unsigned wake = 0;
	uint32_t want = 0;
	int i;

	for (i = 0; i < NH; i++) {
		if (m->hs[i].attached && !live_handle(m, i)) {
			want++;
			m->data_seq += m->hs[i].writer;
			m->hs[i].attached = false;
		}
	}
	FZ_ASSERT(rp_ring_reclaim(&m->r, &wake) == want || m->corrupted);
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

	FZ_ASSERT(rp_ring_stats(&m->r, &st) == RP_OK);
	FZ_ASSERT(st.used == m->used && st.used <= m->cap);
	FZ_ASSERT(st.tail_skip == m->skip);
	FZ_ASSERT(st.msgs_in == m->msgs_in && st.bytes_in == m->bytes_in);
	FZ_ASSERT(st.msgs_out == m->msgs_out && st.bytes_out == m->bytes_out);
	FZ_ASSERT(st.abandoned == m->abandoned);
	FZ_ASSERT(st.writers_ever == m->writers_ever);
	FZ_ASSERT(st.data_seq == m->data_seq);
	FZ_ASSERT(word(m, RP_OFF_WLOCK) == 0 && word(m, RP_OFF_RLOCK) == 0);
	FZ_ASSERT(rp_ring_eof(&m->r) == model_eof(m));
}

static void op_corrupt(struct model *m, struct fz *f)
{
	uint32_t off = (fz_u16(f) % (uint32_t)rp_ring_segment_size(m->cap)) & ~3u;
	uint32_t val = fz_u16(f) | fz_u16(f) << 16;

	memcpy(m->mem + off, &val, 4);
	m->corrupted = true;
}

/* After a corruption: the same calls, checked only for sane results. */
static void op_blind(struct model *m, int i, uint8_t op, uint32_t arg)
{
	struct rp_read_res res;
	struct rp_resv v;
	uint8_t buf[256] = { 0 };
	uint32_t written;
	unsigned wake = 0;
	int st = RP_OK;

	if (op == 3)
		st = rp_ring_write(&m->hs[i].h, buf, arg % m->cap, &written, &wake);
	if (op == 4 && (st = rp_ring_reserve(&m->hs[i].h, arg % m->cap, &v)) == RP_OK)
		FZ_ASSERT(rp_ring_commit(&m->hs[i].h, &v, &wake) == RP_OK);
	if (op == 6) {
		st = rp_ring_read(&m->hs[i].h, buf, arg % (m->cap + 1), &res, &wake);
		FZ_ASSERT(st != RP_OK || res.n <= arg % (m->cap + 1));
	}
	FZ_ASSERT(st >= RP_OK && st < RP_STATUS_COUNT);
	(void)rp_ring_eof(&m->r);
}

static void step(struct model *m, struct fz *f)
{
	uint8_t op = fz_u8(f) % 12;
	int i = fz_u8(f) % NH;
	uint32_t arg = fz_u8(f);

	if (op == 0)
		op_attach(m, f);
	else if (op == 5)
		op_commit(m, arg);
	else if (op == 8)
		op_reclaim(m);
	else if (op == 10 && arg == 0xa5)
		op_corrupt(m, f);
	else if (!live_handle(m, i))
		return;
	else if (m->corrupted)
		op_blind(m, i, op, arg);
	else if (op == 1 || op == 7)
		op_end(m, i, op == 1);
	else if (op == 2) {
		m->dead[m->hs[i].h.pid - PID0] = true;
		drop_pending(m, i);
	} else if (op == 3)
		op_write(m, i, arg % m->cap);
	else if (op == 4)
		op_reserve(m, i, arg % m->cap);
	else if (op == 6 || op == 9)
		op_read(m, i, op == 9 ? arg % 9 : arg % (m->cap + 1));
	if (!m->corrupted)
		check_state(m);
}

void fuzz_model(struct fz *f)
{
	static struct model m;
	struct rp_env env = { model_alive, NULL, &m, 8 };
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
