#include "vec_json.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vec_hex_decode(const char *hex, uint8_t *out, size_t max, uint32_t *len)
{
	size_t n = strlen(hex), i;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = json_hex_digit(hex[2 * i]), lo = json_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi * 16 + lo);
	}
	*len = (uint32_t)(n / 2);
	return 0;
}

static int get_u32(const struct json *o, const char *key, uint32_t *v)
{
	const struct json *j = json_get(o, key);

	if (j == NULL || j->type != JSON_INT || j->num < 0 || j->num > 0xffffffffll)
		return -1;
	*v = (uint32_t)j->num;
	return 0;
}

static const char *get_str(const struct json *o, const char *key)
{
	const struct json *j = json_get(o, key);

	return j != NULL && j->type == JSON_STR ? j->str : NULL;
}

/* A lower-case hex string of at most 8 digits. */
static int get_hex_u32(const struct json *o, const char *key, uint32_t *v)
{
	const char *s = get_str(o, key);
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 8 || strspn(s, "0123456789abcdef") != n)
		return -1;
	*v = (uint32_t)strtoul(s, NULL, 16);
	return 0;
}

static int op_expect(const struct json *o, struct vec_op *op)
{
	const struct json *e = json_get(o, "expect");

	if (op->kind == VEC_EOF) {
		if (e == NULL || e->type != JSON_BOOL)
			return -1;
		op->expect = (int)e->num;
		return 0;
	}
	if (op->kind != VEC_WRITE && op->kind != VEC_RESERVE && op->kind != VEC_READ &&
	    op->kind != VEC_ABANDON && op->kind != VEC_COMMIT)
		return e == NULL ? 0 : -1;
	if (e == NULL)
		return op->kind == VEC_READ ? -1 : 0;
	if (e->type != JSON_STR || (op->expect = vec_status_parse(e->str)) < 0)
		return -1;
	return 0;
}

static int op_fields(const struct json *o, struct vec_op *op)
{
	const char *s;

	switch (op->kind) {
	case VEC_ATTACH:
		s = get_str(o, "role");
		return get_u32(o, "pid", &op->pid) || s == NULL ||
		       vec_role_parse(s, &op->role);
	case VEC_WRITE:
		s = get_str(o, "data");
		op->has_written = json_get(o, "written") != NULL;
		if (op->has_written && get_u32(o, "written", &op->written))
			return -1;
		return get_u32(o, "slot", &op->slot) || s == NULL ||
		       vec_hex_decode(s, op->data, VEC_MAX_DATA, &op->data_len);
	case VEC_HOLD:
		s = get_str(o, "lock");
		return get_u32(o, "slot", &op->slot) || s == NULL ||
		       vec_lock_parse(s, &op->lock_off);
	case VEC_POKE:
		return get_hex_u32(o, "offset", &op->offset) ||
		       (s = get_str(o, "data")) == NULL ||
		       vec_hex_decode(s, op->data, VEC_MAX_DATA, &op->data_len);
	case VEC_RESERVE:
		return get_u32(o, "slot", &op->slot) || get_u32(o, "len", &op->len);
	case VEC_COMMIT:
		s = get_str(o, "data");
		return get_u32(o, "slot", &op->slot) || s == NULL ||
		       vec_hex_decode(s, op->data, VEC_MAX_DATA, &op->data_len);
	case VEC_FEED:
		return get_u32(o, "slot", &op->slot) || get_u32(o, "token", &op->token) ||
		       get_u32(o, "count", &op->count);
	case VEC_READ:
		op->has_max = json_get(o, "max") != NULL;
		s = get_str(o, "data");
		if (op->has_max && get_u32(o, "max", &op->max))
			return -1;
		if ((s != NULL) != (op->expect == RP_OK))
			return -1;
		return get_u32(o, "slot", &op->slot) ||
		       (s != NULL && vec_hex_decode(s, op->data, VEC_MAX_DATA, &op->data_len));
	case VEC_ABANDON:
	case VEC_END:
	case VEC_DETACH:
	case VEC_CRASH:
	case VEC_EOF:
		return get_u32(o, "slot", &op->slot);
	case VEC_WAIT:
	case VEC_UNWAIT:
		return (s = get_str(o, "on")) == NULL || vec_on_parse(s, &op->which) ||
		       (s = get_str(o, "kind")) == NULL ||
		       vec_waiter_parse(s, &op->waiter);
	case VEC_KIND_COUNT:
		break;
	}
	return -1;
}

/* "wakes": a list of names, on ops that may wake; absent: not checked. */
static int op_wakes(const struct json *o, struct vec_op *op)
{
	const struct json *w = json_get(o, "wakes");
	uint32_t bit;
	size_t i;

	if (w == NULL)
		return 0;
	if (!vec_kind_wakes(op->kind) || w->type != JSON_ARR)
		return -1;
	for (i = 0; i < w->n; i++) {
		if (w->items[i]->type != JSON_STR ||
		    vec_wake_parse(w->items[i]->str, &bit) != 0)
			return -1;
		op->wakes |= bit;
	}
	op->has_wakes = true;
	return 0;
}

static int op_from_json(const struct json *o, struct vec_op *op)
{
	const char *kind = get_str(o, "op");
	int k = kind != NULL ? vec_kind_parse(kind) : -1;

	memset(op, 0, sizeof(*op));
	op->expect = VEC_NO_EXPECT;
	if (k < 0)
		return -1;
	op->kind = (enum vec_kind)k;
	return op_expect(o, op) || op_fields(o, op) || op_wakes(o, op) ? -1 : 0;
}

int vec_case_from_json(const struct json *j, struct vec_case *c, char *err,
		       size_t errlen)
{
	const char *name = get_str(j, "name"), *mode = get_str(j, "mode");
	const struct json *ops = json_get(j, "ops");
	size_t i;

	memset(c, 0, sizeof(*c));
	if (name == NULL || strlen(name) >= sizeof(c->name) || mode == NULL ||
	    get_u32(j, "capacity", &c->capacity) || ops == NULL ||
	    ops->type != JSON_ARR || ops->n > VEC_MAX_OPS) {
		snprintf(err, errlen, "case %s: bad name, mode, capacity or ops",
			 name ? name : "?");
		return -1;
	}
	strcpy(c->name, name);
	c->mode = strcmp(mode, "message") == 0 ? RP_MODE_MESSAGE
		  : strcmp(mode, "byte") == 0  ? RP_MODE_BYTE
					       : 0;
	if (c->mode == 0 || !rp_ring_capacity_ok(c->capacity) ||
	    c->capacity > VEC_MAX_CAPACITY) {
		snprintf(err, errlen, "case %s: bad mode or capacity", name);
		return -1;
	}
	for (i = 0; i < ops->n; i++) {
		if (op_from_json(ops->items[i], &c->ops[i]) != 0) {
			snprintf(err, errlen, "case %s: bad op %zu", name, i);
			return -1;
		}
	}
	c->nops = (uint32_t)ops->n;
	return 0;
}

int vec_image_from_json(const struct json *j, const struct vec_case *c,
			uint8_t *image, char *err, size_t errlen)
{
	const struct json *runs = json_get(j, "image");
	size_t size = rp_ring_segment_size(c->capacity), i;

	memset(image, 0, size);
	if (runs == NULL || runs->type != JSON_ARR) {
		snprintf(err, errlen, "case %s: no image", c->name);
		return -1;
	}
	for (i = 0; i < runs->n; i++) {
		const struct json *r = runs->items[i];
		char *colon;
		unsigned long off;
		uint32_t len;

		if (r->type != JSON_STR || (colon = strchr(r->str, ':')) == NULL)
			goto bad;
		off = strtoul(r->str, NULL, 16);
		if (colon == r->str || strspn(r->str, "0123456789abcdef") !=
					       (size_t)(colon - r->str) ||
		    off >= size ||
		    vec_hex_decode(colon + 1, image + off, size - off, &len) ||
		    len == 0)
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "case %s: bad image run %zu", c->name, i);
	return -1;
}
