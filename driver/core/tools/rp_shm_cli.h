/* Command line of rp_shm (see rp_shm.c). */
#ifndef RP_SHM_CLI_H
#define RP_SHM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_TIMEOUT 3

#define NO_FLIP UINT64_MAX

struct cli {
	const char *cmd;
	const char *name;
	uint64_t count;     /* send, expect: messages; recv: limit, 0 = none */
	uint32_t size;      /* send, expect: message size; recv: 0 = any */
	uint32_t capacity;
	uint32_t mode;       /* 0: as the pipe is (message if created) */
	uint64_t timeout_ms; /* 0: wait for ever */
	uint64_t flip;
	uint64_t ttl_ms;     /* a pipe this process creates: its time to live once kept */
};

/* 0, or -1 for a usage error (reported on stderr). */
int cli_parse(int argc, char **argv, struct cli *c);

int cmd_send(const struct cli *c);
int cmd_recv(const struct cli *c);

#endif
