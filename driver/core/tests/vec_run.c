#include "vec.h"
#include "fake_env.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vec_state {
	const struct vec_case *c;
	struct fake_env fe;
	struct rp_ring r;
	struct rp_handle h[RP_SLOT_COUNT];
	struct rp_resv resv[RP_SLOT_COUNT]; /* each slot's last reservation */
	bool attached[RP_SLOT_COUNT];
	uint8_t *mem;
	uint8_t *buf; /* capacity bytes */
	int errors;
	/* feed: the hostile peer that appends a dead reservation when asked about feed_slot. */
	uint32_t feed_slot, feed_token, feed_left;
};

__attribute__((format(printf, 3, 4)))
static void vec_fail(struct vec_state *s, uint32_t i, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "case %s, op %u (%s): ", s->c->name, i,
		vec_kind_name(s->c->ops[i].kind));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	s->errors++;
}

static void vec_expect(struct vec_state *s, uint32_t i, int got)
{
	int want = s->c->ops[i].expect;

	if (want != VEC_NO_EXPECT && got != want)
		vec_fail(s, i, "got %s, want %s", rp_status_name(got),
			 rp_status_name(want));
}

static struct rp_handle *vec_handle(struct vec_state *s, uint32_t i)
{
	uint32_t slot = s->c->ops[i].slot;

	if (slot < RP_SLOT_COUNT && s->attached[slot])
		return &s->h[slot];
	vec_fail(s, i, "slot %u not attached", slot);
	return NULL;
}

static void vec_attach(struct vec_state *s, uint32_t i)
{
	const struct vec_op *op = &s->c->ops[i];
	struct rp_handle h;
	int st = fake_attach(&s->fe, &s->r, op->pid, &h);

	if (st != RP_OK) {
		vec_fail(s, i, "attach: %s", rp_status_name(st));
		return;
	}
	s->h[h.slot] = h;
	s->attached[h.slot] = true;
	if (op->role == RP_ROLE_WRITER)
		rp_ring_set_writer(&s->h[h.slot]);
	if (op->role == RP_ROLE_READER)
		rp_ring_set_reader(&s->h[h.slot]);
}

static void vec_read(struct vec_state *s, uint32_t i, struct rp_handle *h,
		     unsigned *wake)
{
	const struct vec_op *op = &s->c->ops[i];
	uint32_t room = op->has_max ? op->max : s->c->capacity;
	struct rp_read_res res;
	int st;

	if (room > s->c->capacity)
		room = s->c->capacity;
	st = rp_ring_read(h, s->buf, room, &res, wake);
	vec_expect(s, i, st);
	if (st == RP_OK && op->expect == RP_OK &&
	    (res.n != op->data_len || memcmp(s->buf, op->data, res.n) != 0))
		vec_fail(s, i, "read %u bytes, other than the %u expected", res.n,
			 op->data_len);
}

static void vec_write(struct vec_state *s, uint32_t i, struct rp_handle *h,
		      unsigned *wake)
{
	const struct vec_op *op = &s->c->ops[i];
	uint32_t written = 0;

	vec_expect(s, i, rp_ring_write(h, op->data, op->data_len, &written, wake));
	if (op->has_written && written != op->written)
		vec_fail(s, i, "wrote %u bytes, want %u", written, op->written);
}

static void vec_poke(struct vec_state *s, uint32_t i)
{
	const struct vec_op *op = &s->c->ops[i];

	if (op->offset > rp_ring_segment_size(s->c->capacity) ||
	    op->data_len > rp_ring_segment_size(s->c->capacity) - op->offset) {
		vec_fail(s, i, "poke outside the segment");
		return;
	}
	memcpy(s->mem + op->offset, op->data, op->data_len);
}

static void vec_eof(struct vec_state *s, uint32_t i, struct rp_handle *h)
{
	bool eof = rp_ring_eof(h);

	if ((int)eof != s->c->ops[i].expect)
		vec_fail(s, i, "got %s, want %s", eof ? "true" : "false",
			 eof ? "false" : "true");
}

/* VEC_WAKE_* bits of the sleepers a wake of which reaches, as an OS layer splits it. */
static uint32_t vec_woken(const struct rp_ring *r, unsigned which,
			  uint32_t os_bit, uint32_t bell_bit)
{
	unsigned sleepers = rp_ring_sleepers(r, which);

	return (sleepers & RP_SLEEP_OS ? os_bit : 0) |
	       (sleepers & RP_SLEEP_BELL ? bell_bit : 0);
}

static void vec_put_wakes(char *out, size_t n, uint32_t wakes)
{
	uint32_t k;

	snprintf(out, n, "[");
	for (k = 0; k < VEC_WAKE_NAMES; k++)
		if (wakes & (1u << k))
			snprintf(out + strlen(out), n - strlen(out), " %s",
				 vec_wake_name(k));
	snprintf(out + strlen(out), n - strlen(out), " ]");
}

static void vec_check_wakes(struct vec_state *s, uint32_t i, unsigned wake)
{
	const struct vec_op *op = &s->c->ops[i];
	uint32_t got = 0;
	char want_s[64], got_s[64];

	if (wake & RP_WAKE_DATA)
		got |= vec_woken(&s->r, RP_WAKE_DATA, VEC_WAKE_DATA_OS,
				 VEC_WAKE_DATA_BELL);
	if (wake & RP_WAKE_SPACE)
		got |= vec_woken(&s->r, RP_WAKE_SPACE, VEC_WAKE_SPACE_OS,
				 VEC_WAKE_SPACE_BELL);
	if (!op->has_wakes || got == op->wakes)
		return;
	vec_put_wakes(want_s, sizeof(want_s), op->wakes);
	vec_put_wakes(got_s, sizeof(got_s), got);
	vec_fail(s, i, "woke %s, want %s", got_s, want_s);
}

static bool vec_needs_slot(enum vec_kind k)
{
	return k != VEC_ATTACH && k != VEC_POKE && k != VEC_WAIT &&
	       k != VEC_UNWAIT && k != VEC_FEED && k != VEC_KIND_COUNT;
}

static uint32_t vec_get32(const struct vec_state *s, uint32_t off)
{
	uint32_t v;

	memcpy(&v, s->mem + off, 4);
	return v;
}

static void vec_put32(struct vec_state *s, uint32_t off, uint32_t v)
{
	memcpy(s->mem + off, &v, 4);
}

/*
 * The platform's liveness answer, and the "feed" peer: asked about the feed
 * slot while the ring holds one 8-byte record, it appends a RESERVED record
 * of length 0 owned by the feed token at head.
 */
static bool vec_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	struct vec_state *s =
		(struct vec_state *)(void *)((char *)ctx - offsetof(struct vec_state, fe));
	uint32_t head = vec_get32(s, RP_OFF_HEAD);

	(void)pid;
	if (s->feed_left != 0 && slot == s->feed_slot &&
	    head - vec_get32(s, RP_OFF_TAIL) == RP_REC_HDR) {
		uint32_t at = RP_DATA_OFFSET + (head & (s->c->capacity - 1u));

		vec_put32(s, at, RP_REC_RESERVED << RP_REC_STATE_SHIFT);
		vec_put32(s, at + 4, s->feed_token);
		vec_put32(s, RP_OFF_HEAD, head + RP_REC_HDR);
		s->feed_left--;
	}
	return slot < RP_SLOT_COUNT && s->fe.live[slot];
}

static void vec_commit(struct vec_state *s, uint32_t i, struct rp_handle *h,
		       unsigned *wake)
{
	const struct vec_op *op = &s->c->ops[i];
	const struct rp_resv *v = &s->resv[op->slot];

	if (op->data_len != v->len ||
	    rp_ring_resv_copy(&s->r, v, 0, op->data, op->data_len) != RP_OK) {
		vec_fail(s, i, "%u bytes for a reservation of %u", op->data_len, v->len);
		return;
	}
	vec_expect(s, i, rp_ring_commit(h, v, wake));
}

static void vec_step(struct vec_state *s, uint32_t i)
{
	const struct vec_op *op = &s->c->ops[i];
	struct rp_handle *h = NULL;
	unsigned wake = 0;

	if (vec_needs_slot(op->kind)) {
		h = vec_handle(s, i);
		if (h == NULL)
			return;
	}
	switch (op->kind) {
	case VEC_ATTACH:
		vec_attach(s, i);
		break;
	case VEC_WRITE:
		vec_write(s, i, h, &wake);
		break;
	case VEC_RESERVE:
		vec_expect(s, i, rp_ring_reserve(h, op->len, &s->resv[op->slot]));
		break;
	case VEC_ABANDON:
		vec_expect(s, i, rp_ring_abandon(h, &s->resv[op->slot], &wake));
		break;
	case VEC_READ:
		vec_read(s, i, h, &wake);
		break;
	case VEC_END:
		rp_ring_end_writing(h, &wake);
		break;
	case VEC_DETACH:
		fake_detach(&s->fe, h, &wake);
		s->attached[op->slot] = false;
		break;
	case VEC_CRASH:
		fake_crash(&s->fe, op->slot);
		s->attached[op->slot] = false;
		break;
	case VEC_HOLD:
		memcpy(s->mem + op->lock_off, &h->token, 4);
		break;
	case VEC_POKE:
		vec_poke(s, i);
		break;
	case VEC_EOF:
		vec_eof(s, i, h);
		break;
	case VEC_WAIT:
		rp_ring_wait_begin_as(&s->r, op->which, op->waiter);
		break;
	case VEC_UNWAIT:
		rp_ring_wait_end_as(&s->r, op->which, op->waiter);
		break;
	case VEC_COMMIT:
		vec_commit(s, i, h, &wake);
		break;
	case VEC_FEED:
		s->feed_slot = op->slot;
		s->feed_token = op->token;
		s->feed_left = op->count;
		break;
	case VEC_KIND_COUNT:
		vec_fail(s, i, "bad op");
		break;
	}
	vec_check_wakes(s, i, wake);
}

int vec_run(const struct vec_case *c, uint8_t *image)
{
	size_t size = rp_ring_segment_size(c->capacity);
	struct vec_state *s = calloc(1, sizeof(*s));
	int errors;
	uint32_t i;

	if (s == NULL || posix_memalign((void **)&s->mem, 64, size) != 0 ||
	    (s->buf = malloc(c->capacity + 1u)) == NULL) {
		fprintf(stderr, "case %s: out of memory\n", c->name);
		abort();
	}
	s->c = c;
	memset(s->mem, 0, size);
	fake_env_init(&s->fe, VEC_LOCK_SPINS);
	s->fe.env.alive = vec_alive; /* its ctx stays &s->fe */
	if (rp_ring_init(&s->r, s->mem, size, c->capacity, c->mode, &s->fe.env) != RP_OK) {
		fprintf(stderr, "case %s: bad capacity or mode\n", c->name);
		s->errors++;
	}
	for (i = 0; i < c->nops && s->errors == 0; i++)
		vec_step(s, i);
	memcpy(image, s->mem, size);
	errors = s->errors;
	free(s->buf);
	free(s->mem);
	free(s);
	return errors;
}
