/* Conversion of test vector cases from their JSON form. */
#ifndef VEC_JSON_H
#define VEC_JSON_H

#include "json.h"
#include "vec.h"

/* Largest capacity accepted in a vector file, to keep images small. */
#define VEC_MAX_CAPACITY 65536u

/* 0 on success; otherwise -1 with a message in err. */
int vec_case_from_json(const struct json *j, struct vec_case *c, char *err,
		       size_t errlen);
/* Builds the image of c from its "image" runs into a zeroed buffer. */
int vec_image_from_json(const struct json *j, const struct vec_case *c,
			uint8_t *image, char *err, size_t errlen);
/* Decodes lower- or upper-case hex; -1 if odd length, bad digit or > max. */
int vec_hex_decode(const char *hex, uint8_t *out, size_t max, uint32_t *len);

#endif
