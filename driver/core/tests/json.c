#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 32

struct jp {
	const char *p;
	char *err;
	size_t errlen;
	int depth;
};

static struct json *jp_value(struct jp *jp);

static void *jp_fail(struct jp *jp, const char *what)
{
	if (jp->err[0] == '\0')
		snprintf(jp->err, jp->errlen, "%s at \"%.20s\"", what, jp->p);
	return NULL;
}

static void jp_space(struct jp *jp)
{
	while (*jp->p == ' ' || *jp->p == '\n' || *jp->p == '\r' || *jp->p == '\t')
		jp->p++;
}

static struct json *jp_new(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j == NULL)
		abort();
	j->type = t;
	return j;
}

int json_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *jp_string(struct jp *jp)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);

	if (s == NULL)
		abort();
	jp->p++;
	while (*jp->p != '"') {
		char c = *jp->p++;

		if (c == '\0' || (unsigned char)c < 0x20)
			goto fail;
		if (c == '\\') {
			c = *jp->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				if (jp->p[0] != '0' || jp->p[1] != '0' ||
				    json_hex_digit(jp->p[2]) < 0 || json_hex_digit(jp->p[3]) < 0 ||
				    json_hex_digit(jp->p[2]) > 7)
					goto fail;
				c = (char)(json_hex_digit(jp->p[2]) * 16 + json_hex_digit(jp->p[3]));
				jp->p += 4;
				break;
			default:
				goto fail;
			}
		}
		if (n + 2 > cap) {
			cap *= 2;
			s = realloc(s, cap);
			if (s == NULL)
				abort();
		}
		s[n++] = c;
	}
	jp->p++;
	s[n] = '\0';
	return s;
fail:
	free(s);
	return jp_fail(jp, "bad string");
}

static void jp_push(struct json *j, struct json *item, char *key)
{
	j->items = realloc(j->items, (j->n + 1) * sizeof(*j->items));
	if (j->items == NULL)
		abort();
	j->items[j->n] = item;
	if (j->type == JSON_OBJ) {
		j->keys = realloc(j->keys, (j->n + 1) * sizeof(*j->keys));
		if (j->keys == NULL)
			abort();
		j->keys[j->n] = key;
	}
	j->n++;
}

static struct json *jp_container(struct jp *jp, enum json_type t, char close)
{
	struct json *j = jp_new(t);

	jp->p++;
	jp_space(jp);
	if (*jp->p == close) {
		jp->p++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct json *item;

		jp_space(jp);
		if (t == JSON_OBJ) {
			if (*jp->p != '"' || (key = jp_string(jp)) == NULL)
				goto fail;
			jp_space(jp);
			if (*jp->p++ != ':') {
				free(key);
				goto fail;
			}
		}
		item = jp_value(jp);
		if (item == NULL) {
			free(key);
			goto fail;
		}
		jp_push(j, item, key);
		jp_space(jp);
		if (*jp->p == ',') {
			jp->p++;
			continue;
		}
		if (*jp->p++ == close)
			return j;
		goto fail;
	}
fail:
	json_free(j);
	return jp_fail(jp, "bad array or object");
}

static struct json *jp_int(struct jp *jp)
{
	struct json *j = jp_new(JSON_INT);
	char *end;

	j->num = strtoll(jp->p, &end, 10);
	if (end == jp->p || *end == '.' || *end == 'e' || *end == 'E') {
		free(j);
		return jp_fail(jp, "bad number");
	}
	jp->p = end;
	return j;
}

static struct json *jp_word(struct jp *jp)
{
	static const struct { const char *w; enum json_type t; int v; } words[] = {
		{ "true", JSON_BOOL, 1 }, { "false", JSON_BOOL, 0 }, { "null", JSON_NULL, 0 },
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		size_t n = strlen(words[i].w);

		if (strncmp(jp->p, words[i].w, n) == 0) {
			struct json *j = jp_new(words[i].t);

			j->num = words[i].v;
			jp->p += n;
			return j;
		}
	}
	return jp_fail(jp, "unexpected character");
}

static struct json *jp_value(struct jp *jp)
{
	struct json *j;

	jp_space(jp);
	if (++jp->depth > JSON_MAX_DEPTH)
		return jp_fail(jp, "too deep");
	if (*jp->p == '{')
		j = jp_container(jp, JSON_OBJ, '}');
	else if (*jp->p == '[')
		j = jp_container(jp, JSON_ARR, ']');
	else if (*jp->p == '"') {
		char *s = jp_string(jp);

		j = NULL;
		if (s != NULL) {
			j = jp_new(JSON_STR);
			j->str = s;
		}
	} else if (*jp->p == '-' || (*jp->p >= '0' && *jp->p <= '9'))
		j = jp_int(jp);
	else
		j = jp_word(jp);
	jp->depth--;
	return j;
}

struct json *json_parse(const char *text, char *err, size_t errlen)
{
	struct jp jp = { text, err, errlen, 0 };
	struct json *j;

	err[0] = '\0';
	j = jp_value(&jp);
	if (j == NULL)
		return NULL;
	jp_space(&jp);
	if (*jp.p != '\0') {
		json_free(j);
		return jp_fail(&jp, "trailing text");
	}
	return j;
}

void json_free(struct json *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++) {
		json_free(j->items[i]);
		if (j->keys != NULL)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	size_t i;

	if (obj == NULL || obj->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}
