#include "rp_name.h"

static bool rp_name_char_ok(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static char rp_name_upper(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	return (char)c;
}

/* units is either const char * or const uint16_t *, selected by wide. */
static enum rp_name_result rp_name_canon_any(const void *units, size_t len,
					     bool wide,
					     char out[RP_NAME_MAX + 1])
{
	size_t i;

	out[0] = '\0';
	if (len == 0)
		return RP_NAME_EMPTY;
	if (len > RP_NAME_MAX)
		return RP_NAME_TOO_LONG;
	for (i = 0; i < len; i++) {
		uint32_t c = wide ? ((const uint16_t *)units)[i]
				  : (uint8_t)((const char *)units)[i];

		if (!rp_name_char_ok(c)) {
			out[0] = '\0';
			return RP_NAME_BAD_CHAR;
		}
		out[i] = rp_name_upper(c);
	}
	out[len] = '\0';
	if (out[0] == '.' && (len == 1 || (len == 2 && out[1] == '.'))) {
		out[0] = '\0';
		return RP_NAME_DOTS;
	}
	return RP_NAME_OK;
}

enum rp_name_result rp_name_canon(const char *in, size_t len,
				  char out[RP_NAME_MAX + 1])
{
	return rp_name_canon_any(in, len, false, out);
}

enum rp_name_result rp_name_from_utf16(const uint16_t *in, size_t units,
				       char out[RP_NAME_MAX + 1])
{
	if (units > 0 && in[0] == '\\') {
		in++;
		units--;
	}
	return rp_name_canon_any(in, units, true, out);
}

const char *rp_name_result_name(enum rp_name_result r)
{
	switch (r) {
	case RP_NAME_OK:
		return "ok";
	case RP_NAME_EMPTY:
		return "empty";
	case RP_NAME_TOO_LONG:
		return "too_long";
	case RP_NAME_BAD_CHAR:
		return "bad_char";
	case RP_NAME_DOTS:
		return "dots";
	}
	return "unknown";
}
