/*
 * Re-runs every case of a committed vector file (ring-vectors.json, or the
 * hand-derived ring-spec-vectors.json) through the C ring and compares each
 * op's result and the final segment image byte by byte; the file must hold
 * exactly the number of cases given. Given the format document too, does the
 * same with its JSON example.
 */
#include "json.h"
#include "t.h"
#include "vec_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(2);
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void report_diff(const char *name, const uint8_t *want,
			const uint8_t *got, size_t size)
{
	size_t i, shown = 0;

	for (i = 0; i < size && shown < 8; i++) {
		if (want[i] != got[i]) {
			fprintf(stderr, "case %s: image byte 0x%zx is %02x, want %02x\n",
				name, i, got[i], want[i]);
			shown++;
		}
	}
}

static void check_case(const struct json *jc)
{
	static struct vec_case c;
	static uint8_t want[4096 + VEC_MAX_CAPACITY], got[4096 + VEC_MAX_CAPACITY];
	char err[200];
	size_t size;

	if (vec_case_from_json(jc, &c, err, sizeof(err)) != 0 ||
	    vec_image_from_json(jc, &c, want, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		return;
	}
	size = rp_ring_segment_size(c.capacity);
	memset(got, 0xa5, size);
	CHECK_EQ(vec_run(&c, got), 0);
	CHECK(memcmp(want, got, size) == 0);
	report_diff(c.name, want, got, size);
}

/* The ```json block of the document, run like the vector file's cases. */
static void check_doc_example(const char *path)
{
	char *text = slurp(path), *start = strstr(text, "```json\n"), *end;
	const struct json *cases;
	struct json *root;
	char err[200];
	size_t i;

	CHECK(start != NULL);
	if (start == NULL)
		return;
	start += 8;
	end = strstr(start, "```");
	CHECK(end != NULL);
	if (end != NULL)
		*end = '\0';
	root = json_parse(start, err, sizeof(err));
	if (root == NULL)
		fprintf(stderr, "%s: example: %s\n", path, err);
	cases = json_get(root, "cases");
	CHECK(cases != NULL && cases->type == JSON_ARR && cases->n > 0);
	for (i = 0; cases != NULL && cases->type == JSON_ARR && i < cases->n; i++)
		check_case(cases->items[i]);
	json_free(root);
	free(text);
}

int main(int argc, char **argv)
{
	const struct json *cases, *fmt, *ver;
	struct json *root;
	char err[200];
	char *text;
	size_t i, want;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: test_vectors VECTORS.json CASES [ring-format.md]\n");
		return 2;
	}
	want = strtoul(argv[2], NULL, 10);
	text = slurp(argv[1]);
	root = json_parse(text, err, sizeof(err));
	if (root == NULL) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 1;
	}
	fmt = json_get(root, "format");
	ver = json_get(root, "version");
	cases = json_get(root, "cases");
	CHECK(fmt != NULL && fmt->type == JSON_STR &&
	      strcmp(fmt->str, "ringpipe ring vectors") == 0);
	CHECK(ver != NULL && ver->type == JSON_INT && ver->num == 3);
	CHECK(cases != NULL && cases->type == JSON_ARR && cases->n == want);
	for (i = 0; cases != NULL && cases->type == JSON_ARR && i < cases->n; i++)
		check_case(cases->items[i]);
	printf("test_vectors: %zu cases\n", cases != NULL ? cases->n : 0);
	if (argc == 4)
		check_doc_example(argv[3]);
	json_free(root);
	free(text);
	return t_report("test_vectors");
}
