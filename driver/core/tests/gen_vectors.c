/*
 * Writes docs/vectors/ring-vectors.json: runs every case of gen_cases.c
 * through the C ring, fails if any hand-written expectation is not met, and
 * records the segment image each case leaves.
 */
#include "gen_cases.h"
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Zero gaps shorter than this stay inside an image run. */
#define RUN_GAP 8u

static int gen_data(const struct gen_op *g, struct vec_op *op)
{
	uint32_t k;

	if (g->text != NULL) {
		op->data_len = (uint32_t)strlen(g->text);
		memcpy(op->data, g->text, op->data_len);
		return 0;
	}
	if (g->fill > VEC_MAX_DATA)
		return -1;
	for (k = 0; k < g->fill; k++)
		op->data[k] = gen_pattern_byte(g->seed, g->from + k);
	op->data_len = g->fill;
	return 0;
}

/* The space-separated wake names of g into VEC_WAKE_* bits. */
static int gen_wakes(const char *names, struct vec_op *op)
{
	char name[16];
	size_t n;

	op->has_wakes = true;
	while (*names != '\0') {
		uint32_t bit;

		n = strcspn(names, " ");
		if (n == 0 || n >= sizeof(name))
			return -1;
		memcpy(name, names, n);
		name[n] = '\0';
		if (vec_wake_parse(name, &bit) != 0)
			return -1;
		op->wakes |= bit;
		names += n + (names[n] == ' ');
	}
	return 0;
}

static int gen_op_convert(const struct gen_op *g, struct vec_op *op,
			  uint32_t mode)
{
	int k = vec_kind_parse(g->op);

	memset(op, 0, sizeof(*op));
	if (k < 0)
		return -1;
	op->kind = (enum vec_kind)k;
	op->pid = g->pid;
	op->slot = g->slot;
	op->len = g->len;
	op->has_max = g->max >= 0;
	op->max = op->has_max ? (uint32_t)g->max : 0;
	op->expect = VEC_NO_EXPECT;
	if (g->role != NULL && vec_role_parse(g->role, &op->role) != 0)
		return -1;
	if (g->lock != NULL && vec_lock_parse(g->lock, &op->lock_off) != 0)
		return -1;
	if (op->kind == VEC_EOF)
		op->expect = strcmp(g->expect, "true") == 0;
	else if (g->expect != NULL && (op->expect = vec_status_parse(g->expect)) < 0)
		return -1;
	if (g->wakes != NULL &&
	    (!vec_kind_wakes(op->kind) || gen_wakes(g->wakes, op) != 0))
		return -1;
	if (op->kind == VEC_WAIT || op->kind == VEC_UNWAIT)
		return g->on == NULL || vec_on_parse(g->on, &op->which) ||
		       g->waiter == NULL || vec_waiter_parse(g->waiter, &op->waiter);
	if (op->kind == VEC_POKE) {
		op->offset = g->offset;
		op->data_len = 4;
		memcpy(op->data, &g->value, 4);
		return 0;
	}
	if (gen_data(g, op) != 0)
		return -1;
	if (op->kind == VEC_WRITE && mode == RP_MODE_BYTE) {
		op->has_written = true;
		op->written = g->written >= 0 ? (uint32_t)g->written
			      : op->expect == RP_OK ? op->data_len : 0;
	}
	return 0;
}

static void put_hex(FILE *f, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void put_wakes(FILE *f, uint32_t wakes)
{
	const char *sep = "";
	uint32_t k;

	fprintf(f, ", \"wakes\": [");
	for (k = 0; k < VEC_WAKE_NAMES; k++) {
		if (wakes & (1u << k)) {
			fprintf(f, "%s\"%s\"", sep, vec_wake_name(k));
			sep = ", ";
		}
	}
	fprintf(f, "]");
}

static void put_op(FILE *f, const struct vec_op *op)
{
	fprintf(f, "{\"op\": \"%s\"", vec_kind_name(op->kind));
	switch (op->kind) {
	case VEC_ATTACH:
		fprintf(f, ", \"pid\": %u, \"role\": \"%s\"", op->pid, vec_role_name(op->role));
		break;
	case VEC_WRITE:
		fprintf(f, ", \"slot\": %u, \"data\": \"", op->slot);
		put_hex(f, op->data, op->data_len);
		fprintf(f, "\", \"expect\": \"%s\"", rp_status_name(op->expect));
		if (op->has_written)
			fprintf(f, ", \"written\": %u", op->written);
		break;
	case VEC_HOLD:
		fprintf(f, ", \"slot\": %u, \"lock\": \"%s\"", op->slot,
			vec_lock_name(op->lock_off));
		break;
	case VEC_POKE:
		fprintf(f, ", \"offset\": \"%x\", \"data\": \"", op->offset);
		put_hex(f, op->data, op->data_len);
		fprintf(f, "\"");
		break;
	case VEC_RESERVE:
		fprintf(f, ", \"slot\": %u, \"len\": %u, \"expect\": \"%s\"", op->slot,
			op->len, rp_status_name(op->expect));
		break;
	case VEC_READ:
		fprintf(f, ", \"slot\": %u", op->slot);
		if (op->has_max)
			fprintf(f, ", \"max\": %u", op->max);
		fprintf(f, ", \"expect\": \"%s\"", rp_status_name(op->expect));
		if (op->expect == RP_OK) {
			fprintf(f, ", \"data\": \"");
			put_hex(f, op->data, op->data_len);
			fprintf(f, "\"");
		}
		break;
	case VEC_ABANDON:
		fprintf(f, ", \"slot\": %u, \"expect\": \"%s\"", op->slot,
			rp_status_name(op->expect));
		break;
	case VEC_END:
	case VEC_DETACH:
	case VEC_CRASH:
		fprintf(f, ", \"slot\": %u", op->slot);
		break;
	case VEC_EOF:
		fprintf(f, ", \"slot\": %u, \"expect\": %s", op->slot,
			op->expect ? "true" : "false");
		break;
	case VEC_WAIT:
	case VEC_UNWAIT:
		fprintf(f, ", \"on\": \"%s\", \"kind\": \"%s\"",
			vec_on_name(op->which), vec_waiter_name(op->waiter));
		break;
	case VEC_COMMIT: /* only in the hand-derived file */
	case VEC_FEED:
	case VEC_KIND_COUNT:
		break;
	}
	if (op->has_wakes)
		put_wakes(f, op->wakes);
	fprintf(f, "}");
}

static void put_image(FILE *f, const uint8_t *img, size_t size)
{
	size_t i = 0, first = 1;

	while (i < size) {
		size_t start, end, zeros = 0;

		if (img[i] == 0) {
			i++;
			continue;
		}
		start = i;
		end = i + 1;
		for (i = i + 1; i < size && zeros < RUN_GAP; i++) {
			if (img[i] != 0) {
				zeros = 0;
				end = i + 1;
			} else {
				zeros++;
			}
		}
		i = end;
		fprintf(f, "%s\n        \"%zx:", first ? "" : ",", start);
		put_hex(f, img + start, (uint32_t)(end - start));
		fprintf(f, "\"");
		first = 0;
	}
}

static int gen_case(FILE *f, const struct gen_case *g, struct vec_case *c,
		    uint8_t *img)
{
	uint32_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", g->name);
	c->capacity = g->capacity;
	c->mode = strcmp(g->mode, "byte") == 0 ? RP_MODE_BYTE : RP_MODE_MESSAGE;
	c->nops = g->nops;
	for (i = 0; i < g->nops; i++) {
		if (i >= VEC_MAX_OPS || gen_op_convert(&g->ops[i], &c->ops[i], c->mode) != 0) {
			fprintf(stderr, "case %s: bad op %u\n", g->name, i);
			return 1;
		}
	}
	if (vec_run(c, img) != 0)
		return 1;
	fprintf(f, "    {\n      \"name\": \"%s\",\n      \"capacity\": %u,\n"
		   "      \"mode\": \"%s\",\n      \"ops\": [",
		g->name, g->capacity, g->mode);
	for (i = 0; i < c->nops; i++) {
		fprintf(f, "%s\n        ", i ? "," : "");
		put_op(f, &c->ops[i]);
	}
	fprintf(f, "%s],\n      \"image\": [", c->nops ? "\n      " : "");
	put_image(f, img, rp_ring_segment_size(c->capacity));
	fprintf(f, "\n      ]\n    }");
	return 0;
}

int main(int argc, char **argv)
{
	static struct vec_case c;
	static uint8_t img[4096 + 4096];
	FILE *f;
	uint32_t i;
	int errors = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_vectors OUT.json\n");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (f == NULL) {
		perror(argv[1]);
		return 2;
	}
	fprintf(f, "{\n  \"format\": \"ringpipe ring vectors\",\n  \"version\": 3,\n"
		   "  \"cases\": [\n");
	for (i = 0; i < gen_case_count; i++) {
		if (gen_cases[i].capacity > 4096) {
			fprintf(stderr, "case %s: capacity too big\n", gen_cases[i].name);
			errors++;
			continue;
		}
		errors += gen_case(f, &gen_cases[i], &c, img);
		fprintf(f, "%s\n", i + 1 < gen_case_count ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f) != 0 || errors != 0) {
		fprintf(stderr, "gen_vectors: %d failing cases, %s not valid\n", errors,
			argv[1]);
		remove(argv[1]);
		return 1;
	}
	printf("gen_vectors: %u cases written to %s\n", gen_case_count, argv[1]);
	return 0;
}
