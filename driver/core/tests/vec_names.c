#include "vec.h"

#include <string.h>

static const char *const kind_names[VEC_KIND_COUNT] = {
	[VEC_ATTACH] = "attach", [VEC_WRITE] = "write", [VEC_RESERVE] = "reserve",
	[VEC_READ] = "read",     [VEC_END] = "end",     [VEC_DETACH] = "detach",
	[VEC_CRASH] = "crash",   [VEC_EOF] = "eof",       [VEC_ABANDON] = "abandon",
	[VEC_HOLD] = "hold",     [VEC_POKE] = "poke",     [VEC_WAIT] = "wait",
	[VEC_UNWAIT] = "unwait", [VEC_COMMIT] = "commit", [VEC_FEED] = "feed",
};

static const char *const wake_names[VEC_WAKE_NAMES] = {
	"data-os", "data-bell", "space-os", "space-bell",
};

const char *vec_kind_name(enum vec_kind k)
{
	return k < VEC_KIND_COUNT ? kind_names[k] : "?";
}

int vec_kind_parse(const char *s)
{
	int k;

	for (k = 0; k < VEC_KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

const char *vec_role_name(uint32_t role)
{
	if (role == RP_ROLE_WRITER)
		return "writer";
	if (role == RP_ROLE_READER)
		return "reader";
	return "none";
}

int vec_role_parse(const char *s, uint32_t *role)
{
	if (strcmp(s, "writer") == 0)
		*role = RP_ROLE_WRITER;
	else if (strcmp(s, "reader") == 0)
		*role = RP_ROLE_READER;
	else if (strcmp(s, "none") == 0)
		*role = 0;
	else
		return -1;
	return 0;
}

const char *vec_lock_name(uint32_t lock_off)
{
	return lock_off == RP_OFF_RLOCK ? "read" : "write";
}

int vec_lock_parse(const char *s, uint32_t *lock_off)
{
	if (strcmp(s, "read") == 0)
		*lock_off = RP_OFF_RLOCK;
	else if (strcmp(s, "write") == 0)
		*lock_off = RP_OFF_WLOCK;
	else
		return -1;
	return 0;
}

int vec_status_parse(const char *s)
{
	int st;

	for (st = 0; st < RP_STATUS_COUNT; st++)
		if (strcmp(s, rp_status_name(st)) == 0)
			return st;
	return -1;
}

const char *vec_on_name(uint32_t which)
{
	return which == RP_WAKE_SPACE ? "space" : "data";
}

int vec_on_parse(const char *s, uint32_t *which)
{
	if (strcmp(s, "data") == 0)
		*which = RP_WAKE_DATA;
	else if (strcmp(s, "space") == 0)
		*which = RP_WAKE_SPACE;
	else
		return -1;
	return 0;
}

const char *vec_waiter_name(uint32_t waiter)
{
	return waiter == RP_BELL_WAITER ? "bell" : "os";
}

int vec_waiter_parse(const char *s, uint32_t *waiter)
{
	if (strcmp(s, "os") == 0)
		*waiter = RP_OS_WAITER;
	else if (strcmp(s, "bell") == 0)
		*waiter = RP_BELL_WAITER;
	else
		return -1;
	return 0;
}

const char *vec_wake_name(uint32_t i)
{
	return i < VEC_WAKE_NAMES ? wake_names[i] : "?";
}

int vec_wake_parse(const char *s, uint32_t *bit)
{
	uint32_t i;

	for (i = 0; i < VEC_WAKE_NAMES; i++) {
		if (strcmp(s, wake_names[i]) == 0) {
			*bit = 1u << i;
			return 0;
		}
	}
	return -1;
}

bool vec_kind_wakes(enum vec_kind k)
{
	return k == VEC_WRITE || k == VEC_RESERVE || k == VEC_ABANDON || k == VEC_COMMIT ||
	       k == VEC_READ || k == VEC_END || k == VEC_DETACH || k == VEC_CRASH;
}
