#include "msg_pattern.h"
#include "rp_shm_cli.h"
#include "rp_wait.h"
#include "shm_seg.h"

#include <stdio.h>
#include <stdlib.h>

struct sender {
	struct shm_seg seg;
	const uint8_t *src;
	uint32_t len, done;
};

static int attempt_write(void *arg)
{
	struct sender *s = arg;
	uint32_t written = 0;
	unsigned wake = 0;
	int st = rp_ring_write(&s->seg.h, s->src + s->done, s->len - s->done,
			       &written, &wake);

	s->done += written;
	rp_wait_wake(&s->seg.ring, wake, s->seg.bell);
	return st;
}

static int send_one(struct sender *s, uint64_t deadline)
{
	int st;

	s->done = 0;
	st = rp_wait_run(&s->seg.ring, RP_WAKE_SPACE, attempt_write, s, deadline);
	if (st != RP_OK && st != RP_WAIT_TIMEOUT)
		fprintf(stderr, "rp_shm: write: %s\n", rp_status_name(st));
	return st;
}

int cmd_send(const struct cli *c)
{
	struct sender s;
	uint64_t deadline = c->timeout_ms ? rp_wait_now_ms() + c->timeout_ms : 0;
	uint64_t i, sum = FNV64_BASIS;
	uint8_t *msg = malloc(c->size ? c->size : 1);
	char err[256];
	int rc = EXIT_OK, st;

	if (msg == NULL)
		return EXIT_FAIL;
	st = shm_open_pipe(&s.seg, c->name, c->capacity, c->mode, 0600, c->ttl_ms,
			   RP_ROLE_WRITER, err, sizeof(err));
	if (st != RP_OK) {
		fprintf(stderr, "rp_shm: %s\n", err);
		free(msg);
		return st == RP_BADNAME ? EXIT_USAGE : EXIT_FAIL;
	}
	s.src = msg;
	s.len = c->size;
	for (i = 0; i < c->count && rc == EXIT_OK; i++) {
		msg_build(msg, i, c->size);
		sum = fnv64(sum, msg, c->size);
		if (i == c->flip && c->size > 0)
			msg[c->size - 1] ^= 0x40;
		st = send_one(&s, deadline);
		if (st == RP_WAIT_TIMEOUT)
			rc = EXIT_TIMEOUT;
		else if (st != RP_OK)
			rc = EXIT_FAIL;
	}
	shm_close_pipe(&s.seg);
	free(msg);
	if (rc == EXIT_OK)
		printf("sent %llu messages %llu bytes checksum %016llx\n",
		       (unsigned long long)c->count,
		       (unsigned long long)(c->count * c->size), (unsigned long long)sum);
	else if (rc == EXIT_TIMEOUT)
		fprintf(stderr, "rp_shm: timed out after %llu messages\n",
			(unsigned long long)(i - 1));
	return rc;
}
