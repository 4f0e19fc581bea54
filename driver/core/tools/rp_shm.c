/*
 * rp_shm: ringpipe over /dev/shm, for tests across implementations.
 *
 *   rp_shm send NAME COUNT SIZE [options]   send messages 0..COUNT-1, end, detach
 *   rp_shm recv NAME [options]              read and verify until EOF
 *   rp_shm expect COUNT SIZE                what recv must print for such a run
 *   rp_shm stat NAME                        header statistics, one "key value" a line
 *
 * options: --capacity N (default 65536; used if this process creates the
 * pipe), --mode message|byte (default message), --count N (recv: stop
 * after N messages), --size N (recv: expected message size; required in
 * byte mode, where the stream is cut into SIZE-byte messages),
 * --timeout SECONDS (give up waiting), --flip K (send: corrupt message K,
 * to test that recv notices), --ttl MS (time to live of a pipe this
 * process creates, once kept).
 *
 * A pipe whose last handle leaves with messages unread is kept for the next
 * opener (docs/ring-format.md, Lifetime); stat prints it with "kept 1".
 *
 * Messages and checksum: msg_pattern.h. send prints
 * "sent COUNT messages BYTES bytes checksum HEX", recv and expect print
 * "received ..." / "expect ..." the same way. Exit status: 0 success,
 * 1 a ring error or a message that is not the expected one, 2 bad usage,
 * 3 timeout.
 */
#include "msg_pattern.h"
#include "rp_shm_cli.h"
#include "rp_wait.h"
#include "shm_seg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: rp_shm send NAME COUNT SIZE [--capacity N] [--mode message|byte]\n"
		"                 [--timeout S] [--flip K] [--ttl MS]\n"
		"       rp_shm recv NAME [--count N] [--size N] [--capacity N]\n"
		"                 [--mode message|byte] [--timeout S]\n"
		"       rp_shm expect COUNT SIZE\n"
		"       rp_shm stat NAME\n");
	return EXIT_USAGE;
}

static int cmd_expect(const struct cli *c)
{
	uint8_t *msg = malloc(c->size ? c->size : 1);
	uint64_t i, sum = FNV64_BASIS;

	if (msg == NULL)
		return EXIT_FAIL;
	for (i = 0; i < c->count; i++) {
		msg_build(msg, i, c->size);
		sum = fnv64(sum, msg, c->size);
	}
	printf("expect %llu messages %llu bytes checksum %016llx\n",
	       (unsigned long long)c->count,
	       (unsigned long long)(c->count * c->size), (unsigned long long)sum);
	free(msg);
	return EXIT_OK;
}

static int cmd_stat(const struct cli *c)
{
	struct rp_stats st;
	struct shm_life life;
	char err[256];
	int rc = shm_stat_pipe(c->name, &st, &life, err, sizeof(err));

	if (rc != RP_OK && rc != RP_CORRUPT) {
		fprintf(stderr, "rp_shm: %s\n", err);
		return EXIT_FAIL;
	}
	printf("capacity %u\nmode %s\nhead %u\ntail %u\nused %u\ntail_skip %u\n"
	       "msgs_in %llu\nbytes_in %llu\nmsgs_out %llu\nbytes_out %llu\n"
	       "abandoned %u\nattach_seq %u\nwriters_ever %u\ndata_seq %u\n"
	       "space_seq %u\nreaders_waiting %u\nwriters_waiting %u\n"
	       "attached %u\nreaders %u\nwriters %u\n"
	       "kept %u\nunread_msgs %llu\nunread_bytes %llu\nttl_ms %llu\nkept_since_ms %llu\n",
	       st.capacity, st.mode == RP_MODE_BYTE ? "byte" : "message", st.head,
	       st.tail, st.used, st.tail_skip, (unsigned long long)st.msgs_in,
	       (unsigned long long)st.bytes_in, (unsigned long long)st.msgs_out,
	       (unsigned long long)st.bytes_out, st.abandoned, st.attach_seq,
	       st.writers_ever, st.data_seq, st.space_seq, st.readers_waiting,
	       st.writers_waiting, st.attached, st.readers, st.writers,
	       life.kept, (unsigned long long)life.unread.msgs,
	       (unsigned long long)life.unread.bytes,
	       (unsigned long long)life.ttl_ms,
	       (unsigned long long)life.kept_since_ms);
	if (rc == RP_CORRUPT)
		fprintf(stderr, "rp_shm: positions are corrupt\n");
	return rc == RP_OK ? EXIT_OK : EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct cli c;

	if (cli_parse(argc, argv, &c) != 0)
		return usage();
	if (strcmp(c.cmd, "send") == 0)
		return cmd_send(&c);
	if (strcmp(c.cmd, "recv") == 0)
		return cmd_recv(&c);
	if (strcmp(c.cmd, "expect") == 0)
		return cmd_expect(&c);
	return cmd_stat(&c);
}
