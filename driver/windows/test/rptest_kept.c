/*
 * rptest's scenarios of pipes kept past their last handle (issue 15):
 *   kept-write  writes to KEPTMSG and KEPTBYTES and closes everything;
 *   kept-read   (another process, later) reads every message, then EOF;
 *   kept        charges, nothing unread, REMOVE, ttl, the per-session
 *               limit, version 1 requests;
 *   kept-leave  leaves two kept pipes for DriverUnload to free.
 */
#include <string.h>

#include "rptest.h"

#define KEPT_MESSAGES 5
#define KEPT_BYTES 3000
#define SEG(cap) ((uint64_t)(cap) + 4096u)

/* VERSION from a fresh handle (all ones if it fails). */
static struct ringpipe_version version_now(void)
{
	struct ringpipe_version v;
	HANDLE h = rp_open_device();

	if (rp_version(h, &v) != 0)
		memset(&v, 0xff, sizeof(v));
	CloseHandle(h);
	return v;
}

static uint64_t charged(void)
{
	return version_now().charged;
}

static uint32_t kept_count(void)
{
	return version_now().kept;
}

static DWORD stat_of(const char *name, struct ringpipe_pipe_info *info)
{
	HANDLE h = rp_open_device();
	DWORD err = rp_stat_name(h, name, info);

	CloseHandle(h);
	return err;
}

static DWORD remove_name(const char *name)
{
	HANDLE h = rp_open_device();
	DWORD err = rp_remove(h, name);

	CloseHandle(h);
	return err;
}

/* A read that gives up after 5 s (ERROR_IO_INCOMPLETE) instead of waiting for a writer. */
static DWORD read5s(HANDLE h, void *buf, DWORD room, DWORD *got)
{
	OVERLAPPED ov;
	DWORD err = rp_read_start(h, buf, room, &ov);

	*got = 0;
	if (err != 0 && err != ERROR_IO_PENDING)
		return err;
	err = rp_finish(h, &ov, 5000, got);
	if (err == ERROR_IO_INCOMPLETE) {
		CancelIoEx(h, &ov);
		rp_finish(h, &ov, 5000, NULL);
		err = ERROR_IO_INCOMPLETE;
	}
	return err;
}

static void byte_pattern(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + 3);
}

void t_kept_write(void)
{
	HANDLE m = open_bound("KEPTMSG", RW, 4096, RINGPIPE_MODE_MESSAGE, NULL);
	HANDLE b = open_bound("KEPTBYTES", RW, 4096, RINGPIPE_MODE_BYTE, NULL);
	struct ringpipe_pipe_info info;
	uint8_t bytes[KEPT_BYTES];
	char msg[32];
	DWORD put, err;
	int i, ok = 0;

	for (i = 0; i < KEPT_MESSAGES; i++) {
		snprintf(msg, sizeof(msg), "kept-%d", i);
		ok += rp_write(m, msg, (DWORD)strlen(msg), &put) == 0;
	}
	CHECK(ok == KEPT_MESSAGES, "%d messages written to KEPTMSG", ok);
	byte_pattern(bytes, sizeof(bytes));
	CHECK(rp_write(b, bytes, sizeof(bytes), &put) == 0 && put == sizeof(bytes),
	      "%lu bytes written to KEPTBYTES", put);
	CHECK(stat_of("KEPTMSG", &info) == 0 && info.kept == 0,
	      "not kept while a handle has it (kept %u)", info.kept);
	CloseHandle(m);
	CloseHandle(b);
	err = stat_of("KEPTMSG", &info);
	CHECK(err == 0 && info.kept == 1 && info.attached == 0 &&
		      info.msgs_in - info.msgs_out == KEPT_MESSAGES && info.kept_since_ms != 0,
	      "after the last close KEPTMSG is kept: error %lu, kept %u, %u slots, %llu unread",
	      err, info.kept, info.attached,
	      (unsigned long long)(info.msgs_in - info.msgs_out));
	err = stat_of("KEPTBYTES", &info);
	CHECK(err == 0 && info.kept == 1 && info.bytes_in - info.bytes_out == KEPT_BYTES,
	      "KEPTBYTES kept with %llu unread bytes (error %lu)",
	      (unsigned long long)(info.bytes_in - info.bytes_out), err);
}

void t_kept_read(void)
{
	HANDLE m = open_bound("KEPTMSG", RINGPIPE_BIND_CREATE | RINGPIPE_BIND_READ, 0, 0, NULL);
	HANDLE b = open_bound("KEPTBYTES", RINGPIPE_BIND_CREATE | RINGPIPE_BIND_READ, 0, 0, NULL);
	struct ringpipe_pipe_info info;
	uint8_t want[KEPT_BYTES], got_bytes[KEPT_BYTES];
	char buf[64], msg[32];
	DWORD got, err, total = 0;
	int i, in_order = 0;

	CHECK(stat_of("KEPTMSG", &info) == 0 && info.kept == 0 && info.attached == 1,
	      "a new reader takes the kept pipe over (kept %u, %u slots)", info.kept,
	      info.attached);
	for (i = 0; i < KEPT_MESSAGES; i++) {
		snprintf(msg, sizeof(msg), "kept-%d", i);
		err = read5s(m, buf, sizeof(buf), &got);
		in_order += err == 0 && got == strlen(msg) && memcmp(buf, msg, got) == 0;
	}
	CHECK(in_order == KEPT_MESSAGES, "the new process read all %d messages in order (%d)",
	      KEPT_MESSAGES, in_order);
	err = read5s(m, buf, sizeof(buf), &got);
	CHECK(err == ERROR_HANDLE_EOF && got == 0, "then EOF: its writers left (error %lu)", err);
	while (total < sizeof(got_bytes)) {
		err = read5s(b, got_bytes + total, sizeof(got_bytes) - total, &got);
		if (err != 0 || got == 0)
			break;
		total += got;
	}
	byte_pattern(want, sizeof(want));
	CHECK(total == KEPT_BYTES && memcmp(want, got_bytes, KEPT_BYTES) == 0,
	      "and all %lu bytes of KEPTBYTES, unchanged", total);
	err = read5s(b, got_bytes, sizeof(got_bytes), &got);
	CHECK(err == ERROR_HANDLE_EOF, "then EOF on the byte pipe (error %lu)", err);
	CloseHandle(m);
	CloseHandle(b);
	CHECK(stat_of("KEPTMSG", &info) == ERROR_FILE_NOT_FOUND &&
		      stat_of("KEPTBYTES", &info) == ERROR_FILE_NOT_FOUND,
	      "read empty and closed: both gone");
}

/* A kept pipe stays charged to its creator until read empty; nothing unread: gone at once. */
static void kept_charges(void)
{
	struct ringpipe_pipe_info info;
	uint64_t c0 = charged();
	uint32_t k0 = kept_count();
	HANDLE h = open_bound("CHARGE", RW, 65536, 0, NULL);
	char buf[16];
	DWORD put, got;

	CHECK(charged() == c0 + SEG(65536), "a 64 KiB pipe charges %llu bytes",
	      (unsigned long long)(charged() - c0));
	rp_write(h, "x", 1, &put);
	CloseHandle(h);
	CHECK(charged() == c0 + SEG(65536) && kept_count() == k0 + 1,
	      "kept with one message: still charged (%llu), %u kept",
	      (unsigned long long)(charged() - c0), kept_count() - k0);
	h = open_bound("CHARGE", RW, 0, 0, NULL);
	CHECK(read5s(h, buf, sizeof(buf), &got) == 0 && got == 1, "read it");
	CloseHandle(h);
	CHECK(charged() == c0 && kept_count() == k0 && stat_of("CHARGE", &info) != 0,
	      "read empty and closed: gone, charge back to %llu", (unsigned long long)charged());

	h = open_bound("NOUNREAD", RW, 4096, 0, NULL);
	rp_write(h, "y", 1, &put);
	read5s(h, buf, sizeof(buf), &got);
	CloseHandle(h);
	CHECK(stat_of("NOUNREAD", &info) == ERROR_FILE_NOT_FOUND,
	      "nothing unread: the pipe goes with its last handle");
}

/* REMOVE: open handles keep the old pipe, the next bind makes a new one. */
static void kept_remove(void)
{
	struct ringpipe_bind_out out;
	struct ringpipe_pipe_info info;
	uint64_t c0 = charged();
	HANDLE old = open_bound("RMME", RW, 4096, 0, NULL), fresh;
	char buf[16];
	DWORD put, got, err;

	rp_write(old, "old", 3, &put);
	CHECK(remove_name("rmme") == 0, "REMOVE of an open pipe");
	CHECK(stat_of("RMME", &info) == ERROR_FILE_NOT_FOUND, "its name is gone");
	fresh = open_bound("RMME", RW, 4096, 0, &out);
	CHECK(fresh != INVALID_HANDLE_VALUE && out.created == 1, "the next bind creates a new pipe");
	CHECK(stat_of("RMME", &info) == 0 && info.msgs_in == 0, "empty (%llu in)",
	      (unsigned long long)info.msgs_in);
	CHECK(read5s(old, buf, sizeof(buf), &got) == 0 && got == 3 && !memcmp(buf, "old", 3),
	      "the old handle still reads the old pipe");
	rp_write(old, "lost", 4, &put);
	CloseHandle(old);
	CHECK(charged() == c0 + SEG(4096), "the removed pipe was freed at its last close (%llu)",
	      (unsigned long long)(charged() - c0));
	rp_write(fresh, "new", 3, &put);
	CloseHandle(fresh);
	CHECK(stat_of("RMME", &info) == 0 && info.kept == 1, "the new one is kept (%u)",
	      info.kept);
	CHECK(remove_name("RMME") == 0, "REMOVE of a kept pipe");
	CHECK(stat_of("RMME", &info) == ERROR_FILE_NOT_FOUND && charged() == c0,
	      "gone with its unread message, charge back (%llu)",
	      (unsigned long long)(charged() - c0));
	err = remove_name("RMME");
	CHECK(err == ERROR_FILE_NOT_FOUND, "REMOVE of a missing name: error %lu", err);
	err = remove_name("bad/name");
	CHECK(err == ERROR_INVALID_NAME, "REMOVE of a bad name: error %lu", err);
}

/* ttl: set by the creator only; a kept pipe goes once kept longer than it. */
static void kept_ttl(void)
{
	struct ringpipe_pipe_info info;
	HANDLE h = rp_open_device(), keep = rp_open_device(), join = rp_open_device();
	DWORD put, err;
	int polls;

	err = rp_bind_ex(h, "TTLSHORT", RW, 4096, 0, 0600, 200, sizeof(struct ringpipe_bind_in),
			 NULL);
	CHECK(err == 0, "bind with a ttl of 200 ms (error %lu)", err);
	err = rp_bind_ex(keep, "TTLLONG", RW, 4096, 0, 0600, 3600000,
			 sizeof(struct ringpipe_bind_in), NULL);
	CHECK(err == 0, "and one of an hour (error %lu)", err);
	err = rp_bind_ex(join, "TTLLONG", RW, 4096, 0, 0600, 100, sizeof(struct ringpipe_bind_in),
			 NULL);
	CHECK(err == 0 && stat_of("TTLLONG", &info) == 0 && info.ttl_ms == 3600000,
	      "a ttl from a later bind is ignored (%llu)", (unsigned long long)info.ttl_ms);
	rp_write(h, "t", 1, &put);
	rp_write(keep, "t", 1, &put);
	CloseHandle(h);
	CloseHandle(keep);
	CloseHandle(join);
	CHECK(stat_of("TTLSHORT", &info) == 0 && info.kept == 1 && info.ttl_ms == 200,
	      "kept with ttl %llu ms", (unsigned long long)info.ttl_ms);
	/* Counted, not timed: how many 50 ms polls until it expired (at most 200). */
	for (polls = 0; polls < 200 && stat_of("TTLSHORT", &info) == 0; polls++)
		Sleep(50);
	CHECK(polls < 200, "expired after %d polls", polls);
	CHECK(stat_of("TTLLONG", &info) == 0 && info.kept == 1,
	      "the one with an hour to live is still there");
	CHECK(remove_name("TTLLONG") == 0, "removed");
}

/* The per-session limit: creates past it fail, joining an existing pipe does not. */
static void kept_limit(void)
{
	static HANDLE h[16];
	struct ringpipe_version v;
	HANDLE probe = rp_open_device(), extra = rp_open_device();
	const uint32_t cap = 1u << 26;
	char name[16];
	DWORD err = 0;
	uint64_t want;
	int n, i;

	rp_version(probe, &v);
	want = (v.limit - v.charged) / SEG(cap);
	for (n = 0; n < 16; n++) {
		snprintf(name, sizeof(name), "QUOTA%d", n);
		h[n] = rp_open_device();
		err = rp_bind(h[n], name, RW, cap, 0, 0600, NULL);
		if (err != 0)
			break;
	}
	CHECK(n == (int)want && err == ERROR_NOT_ENOUGH_QUOTA,
	      "limit %llu MiB: %d 64 MiB pipes, then error %lu (want %llu, then 1816)",
	      (unsigned long long)(v.limit >> 20), n, err, (unsigned long long)want);
	err = rp_bind(extra, "QUOTA0", RW, cap, 0, 0600, NULL);
	CHECK(n == 0 || err == 0, "joining one of them still works at the limit (error %lu)", err);
	CloseHandle(extra);
	for (i = 0; i <= n && i < 16; i++)
		CloseHandle(h[i]);
	CHECK(charged() == v.charged, "all closed: charge back to %llu",
	      (unsigned long long)v.charged);
	CloseHandle(probe);
}

/* A version 1 client: the 88-byte bind, a 192-byte STAT, a 16-byte VERSION. */
static void kept_v1(void)
{
	HANDLE h = rp_open_device();
	struct ringpipe_bind_out out;
	uint8_t info[sizeof(struct ringpipe_pipe_info)];
	struct ringpipe_name in;
	struct ringpipe_version v;
	DWORD err, got = 0;

	err = rp_bind_ex(h, "OLDABI", RW, 4096, 0, 0600, 0, RINGPIPE_BIND_IN_V1_SIZE, &out);
	CHECK(err == 0 && out.abi_version == 1, "an ABI 1 bind (error %lu, version %u)", err,
	      out.abi_version);
	memset(&in, 0, sizeof(in));
	in.name_len = 6;
	memcpy(in.name, "OLDABI", 6);
	err = rp_ioctl(h, IOCTL_RINGPIPE_STAT, &in, sizeof(in), info, RINGPIPE_PIPE_INFO_V1_SIZE,
		       &got);
	CHECK(err == 0 && got == RINGPIPE_PIPE_INFO_V1_SIZE, "STAT into 192 bytes (%lu bytes)",
	      got);
	err = rp_ioctl(h, IOCTL_RINGPIPE_VERSION, NULL, 0, &v, RINGPIPE_VERSION_V1_SIZE, &got);
	CHECK(err == 0 && got == RINGPIPE_VERSION_V1_SIZE, "VERSION into 16 bytes (%lu bytes)",
	      got);
	CloseHandle(h);
}

void t_kept(void)
{
	kept_charges();
	kept_remove();
	kept_ttl();
	kept_limit();
	kept_v1();
}

/* Leaves two kept pipes behind: DriverUnload must free them. */
void t_kept_leave(void)
{
	uint32_t k0 = kept_count();
	HANDLE a = open_bound("LEAVE1", RW, 4096, 0, NULL);
	HANDLE b = open_bound("LEAVE2", RW, 65536, RINGPIPE_MODE_BYTE, NULL);
	DWORD put;

	rp_write(a, "left", 4, &put);
	rp_write(b, "behind", 6, &put);
	CloseHandle(a);
	CloseHandle(b);
	CHECK(kept_count() == k0 + 2, "two more pipes kept with no handle (%u)", kept_count() - k0);
}
