/*
 * Pipe names (docs/ring-format.md, "Names"): 1 to 64 characters from
 * A-Z a-z 0-9 . _ -, not "." or "..". The canonical form is ASCII upper case.
 */
#ifndef RP_NAME_H
#define RP_NAME_H

#include "rp_os.h"

#define RP_NAME_MAX 64

enum rp_name_result {
	RP_NAME_OK = 0,
	RP_NAME_EMPTY,    /* no characters */
	RP_NAME_TOO_LONG, /* more than RP_NAME_MAX characters */
	RP_NAME_BAD_CHAR, /* a character outside the set (NUL and non-ASCII too) */
	RP_NAME_DOTS,     /* "." or ".." */
};

/*
 * Validates the len bytes at in (no terminator needed) and on success writes
 * the canonical name and a NUL to out. On failure out holds "".
 */
enum rp_name_result rp_name_canon(const char *in, size_t len,
				  char out[RP_NAME_MAX + 1]);

/*
 * The same for units UTF-16 code units, as the Windows driver gets them in
 * FileObject->FileName. One leading backslash is accepted and skipped, so
 * "\\NAME" and "NAME" give the same result; the caller passes the
 * UNICODE_STRING buffer and Length / 2 unchanged.
 */
enum rp_name_result rp_name_from_utf16(const uint16_t *in, size_t units,
				       char out[RP_NAME_MAX + 1]);

/* "ok", "empty", "too_long", "bad_char", "dots". */
const char *rp_name_result_name(enum rp_name_result r);

#endif
