// SPDX-License-Identifier: MIT
/*
 * The BIND request the guest's C clients (rptest, rpfuzz) send: one place that
 * fills struct ringpipe_bind. A name longer than the field keeps its real
 * length (the driver must refuse it) while only the field's worth is copied.
 */
#ifndef RP_BIND_REQUEST_H
#define RP_BIND_REQUEST_H

#include <string.h>

#include "ringpipe_linux_abi.h"

static inline void rp_bind_request(struct ringpipe_bind *b, const char *name,
				   unsigned int flags, unsigned int perm,
				   unsigned int capacity, unsigned int mode)
{
	size_t len = strlen(name);

	memset(b, 0, sizeof(*b));
	b->name_len = len;
	memcpy(b->name, name, len > RINGPIPE_NAME_MAX ? RINGPIPE_NAME_MAX : len);
	b->flags = flags;
	b->perm = perm;
	b->capacity = capacity;
	b->mode = mode;
}

#endif
