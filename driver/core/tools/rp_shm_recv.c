#include "msg_pattern.h"
#include "rp_shm_cli.h"
#include "rp_wait.h"
#include "shm_seg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct receiver {
	struct shm_seg seg;
	const struct cli *c;
	uint8_t *buf;   /* one record */
	uint8_t *frame; /* byte mode: the message being assembled */
	uint32_t room, framed;
	struct rp_read_res res;
	uint64_t msgs, bytes, sum;
};

static int attempt_read(void *arg)
{
	struct receiver *r = arg;
	unsigned wake = 0;
	int st = rp_ring_read(&r->seg.h, r->buf, r->room, &r->res, &wake);

	rp_wait_wake(&r->seg.ring, wake, r->seg.bell);
	if ((st == RP_EMPTY || st == RP_BUSY) && rp_ring_eof(&r->seg.h))
		return RP_WAIT_EOF;
	return st;
}

static int check_message(struct receiver *r, const uint8_t *p, uint32_t n)
{
	uint32_t bad = msg_check(p, r->msgs, n);

	if (bad != n || (r->c->size != 0 && n != r->c->size)) {
		fprintf(stderr,
			"rp_shm: message %llu (%u bytes) differs at byte %u\n",
			(unsigned long long)r->msgs, n, bad);
		return EXIT_FAIL;
	}
	r->msgs++;
	return EXIT_OK;
}

/* Byte mode: cut the stream into messages of --size bytes. */
static int take_bytes(struct receiver *r)
{
	uint32_t used = 0;

	while (used < r->res.n) {
		uint32_t n = r->c->size - r->framed;

		if (n > r->res.n - used)
			n = r->res.n - used;
		memcpy(r->frame + r->framed, r->buf + used, n);
		r->framed += n;
		used += n;
		if (r->framed == r->c->size) {
			r->framed = 0;
			if (check_message(r, r->frame, r->c->size) != EXIT_OK)
				return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

static int recv_loop(struct receiver *r, uint64_t deadline)
{
	while (r->c->count == 0 || r->msgs < r->c->count) {
		int st = rp_wait_run(&r->seg.ring, RP_WAKE_DATA, attempt_read, r, deadline);

		if (st == RP_WAIT_EOF)
			break;
		if (st == RP_WAIT_TIMEOUT)
			return EXIT_TIMEOUT;
		if (st != RP_OK) {
			fprintf(stderr, "rp_shm: read: %s\n", rp_status_name(st));
			return EXIT_FAIL;
		}
		r->bytes += r->res.n;
		r->sum = fnv64(r->sum, r->buf, r->res.n);
		if (r->seg.ring.mode == RP_MODE_MESSAGE
			    ? check_message(r, r->buf, r->res.n) != EXIT_OK
			    : take_bytes(r) != EXIT_OK)
			return EXIT_FAIL;
	}
	if (r->framed != 0) {
		fprintf(stderr, "rp_shm: stream ends inside message %llu\n",
			(unsigned long long)r->msgs);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_recv(const struct cli *c)
{
	struct receiver r = { .c = c, .sum = FNV64_BASIS };
	uint64_t deadline = c->timeout_ms ? rp_wait_now_ms() + c->timeout_ms : 0;
	char err[256];
	int rc, st;

	st = shm_open_pipe(&r.seg, c->name, c->capacity, c->mode, 0600, c->ttl_ms,
			   RP_ROLE_READER, err, sizeof(err));
	if (st != RP_OK) {
		fprintf(stderr, "rp_shm: %s\n", err);
		return st == RP_BADNAME ? EXIT_USAGE : EXIT_FAIL;
	}
	r.room = r.seg.ring.capacity;
	r.buf = malloc(r.room);
	r.frame = malloc(c->size ? c->size : 1);
	if (r.buf == NULL || r.frame == NULL)
		rc = EXIT_FAIL;
	else if (r.seg.ring.mode == RP_MODE_BYTE && c->size == 0)
		rc = EXIT_USAGE;
	else
		rc = recv_loop(&r, deadline);
	shm_close_pipe(&r.seg);
	free(r.buf);
	free(r.frame);
	if (rc == EXIT_USAGE)
		fprintf(stderr, "rp_shm: the pipe is in byte mode: recv needs --size\n");
	if (rc == EXIT_TIMEOUT)
		fprintf(stderr, "rp_shm: timed out after %llu messages\n",
			(unsigned long long)r.msgs);
	if (rc == EXIT_OK)
		printf("received %llu messages %llu bytes checksum %016llx\n",
		       (unsigned long long)r.msgs, (unsigned long long)r.bytes,
		       (unsigned long long)r.sum);
	return rc;
}
