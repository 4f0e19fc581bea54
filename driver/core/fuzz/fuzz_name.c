#include "fuzz.h"

#include <stdio.h>
#include <string.h>

static bool name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-';
}

void fuzz_name(struct fz *f)
{
	char out[RP_NAME_MAX + 1], again[RP_NAME_MAX + 1];
	uint16_t wide[RP_NAME_MAX + 2];
	size_t len = f->n, i;
	enum rp_name_result r = rp_name_canon((const char *)f->p, len, out);
	enum rp_name_result rw;

	if (r == RP_NAME_OK) {
		FZ_ASSERT(len >= 1 && len <= RP_NAME_MAX && strlen(out) == len);
		for (i = 0; i < len; i++)
			FZ_ASSERT(name_char(out[i]));
		FZ_ASSERT(strcmp(out, ".") != 0 && strcmp(out, "..") != 0);
		FZ_ASSERT(rp_name_canon(out, len, again) == RP_NAME_OK);
		FZ_ASSERT(strcmp(out, again) == 0);
	} else {
		FZ_ASSERT(out[0] == '\0');
	}
	if (len > RP_NAME_MAX + 1)
		return;
	for (i = 0; i < len; i++)
		wide[i] = f->p[i];
	rw = rp_name_from_utf16(wide, len, again);
	if (len == 0 || f->p[0] != '\\') {
		FZ_ASSERT(rw == r);
		FZ_ASSERT(strcmp(out, again) == 0);
	}
	for (i = 0; i < len; i++)
		wide[i] = (uint16_t)(f->p[i] | (i % 3 == 1 ? 0x100 : 0));
	if (len >= 2 && f->p[0] != '\\')
		FZ_ASSERT(rp_name_from_utf16(wide, len, again) != RP_NAME_OK);
}
