#include "rp_shm_cli.h"
#include "../rp_ring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int option(struct cli *c, const char *opt, const char *val)
{
	uint64_t v;

	if (strcmp(opt, "--mode") == 0 && val != NULL) {
		if (strcmp(val, "message") == 0)
			c->mode = RP_MODE_MESSAGE;
		else if (strcmp(val, "byte") == 0)
			c->mode = RP_MODE_BYTE;
		else
			return -1;
		return 0;
	}
	if (number(val, UINT64_MAX / 1000, &v) != 0)
		return -1;
	if (strcmp(opt, "--capacity") == 0 && v <= UINT32_MAX)
		c->capacity = (uint32_t)v;
	else if (strcmp(opt, "--count") == 0)
		c->count = v;
	else if (strcmp(opt, "--size") == 0 && v <= UINT32_MAX)
		c->size = (uint32_t)v;
	else if (strcmp(opt, "--timeout") == 0)
		c->timeout_ms = v * 1000;
	else if (strcmp(opt, "--flip") == 0)
		c->flip = v;
	else if (strcmp(opt, "--ttl") == 0)
		c->ttl_ms = v;
	else
		return -1;
	return 0;
}

/* Positional arguments per command: NAME, COUNT, SIZE. */
static int positional(struct cli *c, int index, const char *arg)
{
	uint64_t v;
	bool named = strcmp(c->cmd, "expect") != 0;
	int want = strcmp(c->cmd, "send") == 0 ? 3 : named ? 1 : 2;

	if (index >= want)
		return -1;
	if (named && index == 0) {
		c->name = arg;
		return 0;
	}
	if (named)
		index--;
	if (index == 0)
		return number(arg, UINT64_MAX / UINT32_MAX, &c->count);
	if (number(arg, RP_CAP_MAX, &v) != 0)
		return -1;
	c->size = (uint32_t)v;
	return 0;
}

int cli_parse(int argc, char **argv, struct cli *c)
{
	int i, npos = 0;

	memset(c, 0, sizeof(*c));
	c->capacity = 65536;
	c->mode = 0; /* any: a pipe this process creates is in message mode */
	c->flip = NO_FLIP;
	if (argc < 2)
		return -1;
	c->cmd = argv[1];
	if (strcmp(c->cmd, "send") && strcmp(c->cmd, "recv") &&
	    strcmp(c->cmd, "expect") && strcmp(c->cmd, "stat"))
		return -1;
	for (i = 2; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			if (option(c, argv[i], i + 1 < argc ? argv[i + 1] : NULL) != 0) {
				fprintf(stderr, "rp_shm: bad option %s\n", argv[i]);
				return -1;
			}
			i++;
		} else if (positional(c, npos++, argv[i]) != 0) {
			fprintf(stderr, "rp_shm: bad argument %s\n", argv[i]);
			return -1;
		}
	}
	if (npos != (strcmp(c->cmd, "send") == 0 ? 3 : strcmp(c->cmd, "expect") == 0 ? 2 : 1))
		return -1;
	if (strcmp(c->cmd, "recv") == 0 && c->mode == RP_MODE_BYTE && c->size == 0) {
		fprintf(stderr, "rp_shm: recv --mode byte needs --size\n");
		return -1;
	}
	return 0;
}
