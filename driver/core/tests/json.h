/*
 * A small JSON reader for the test vectors: objects, arrays, strings
 * (escapes \" \\ \/ \n \t \r \b \f, \u00XX), integers, true, false, null.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	int64_t num;   /* JSON_INT, JSON_BOOL (0/1) */
	char *str;     /* JSON_STR */
	size_t n;      /* JSON_ARR, JSON_OBJ: number of items */
	struct json **items;
	char **keys;   /* JSON_OBJ */
};

/* NULL on error, with a message in err. */
struct json *json_parse(const char *text, char *err, size_t errlen);
void json_free(struct json *j);
/* Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);

/* The value of one hex digit, or -1. */
int json_hex_digit(char c);

#endif
