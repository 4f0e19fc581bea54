/*
 * rptest SCENARIO: scripted checks of ringpipe.sys, one scenario per run.
 * Prints "ok   ..." / "FAIL ..." lines and a closing "rptest SCENARIO: N
 * passed, N failed"; exit 0 only when nothing failed, 1 otherwise, 2 for
 * usage. Every wait is bounded, so a driver that never completes an IRP
 * fails the check instead of hanging.
 *
 * Scenarios: version pending cancel refcount names mapped errors eof full
 * many leaks, the kept ones of rptest_kept.c (kept-write, kept-read, kept,
 * kept-leave), and `hold`, which keeps MANY_PIPES pipes open for the
 * client's list test until the file rptest-release appears in the current
 * folder. The mapped one links driver/core (user-space build) and reads and
 * writes the ring the driver mapped into this process.
 */
#include <stdio.h>
#include <string.h>

#include "rptest.h"
#include "rp_registry.h"

int passed, failed;

/* Both ends of a pipe through BIND (what runs under Wine). */
HANDLE open_bound(const char *name, uint32_t flags, uint32_t capacity, uint32_t mode,
		  struct ringpipe_bind_out *out)
{
	HANDLE h = rp_open_device();
	DWORD err;

	if (h == INVALID_HANDLE_VALUE)
		return h;
	err = rp_bind(h, name, flags, capacity, mode, 0600, out);
	if (err != 0) {
		printf("     bind %s failed: error %lu\n", name, err);
		CloseHandle(h);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

static uint32_t live_allocations(void)
{
	struct ringpipe_version v;
	HANDLE h = rp_open_device();
	DWORD err = rp_version(h, &v);

	CloseHandle(h);
	return err == 0 ? v.allocations : 0xffffffffu;
}

static void t_version(void)
{
	struct ringpipe_version v;
	HANDLE h = rp_open_device();

	CHECK(h != INVALID_HANDLE_VALUE, "open \\\\.\\RingPipe (error %lu)", GetLastError());
	CHECK(rp_version(h, &v) == 0 && v.abi_version == RINGPIPE_ABI_VERSION,
	      "VERSION: abi %u, %u pipes, %u allocations, memory %u", v.abi_version, v.pipes,
	      v.allocations, v.memory);
	CloseHandle(h);
}

/* A read on an empty ring pends, and a later write from another handle completes it. */
static void t_pending(void)
{
	HANDLE a = open_bound("PEND", RW, 0, 0, NULL), b = open_bound("pend", RW, 0, 0, NULL);
	char buf[64];
	OVERLAPPED ov;
	DWORD err, got = 0, put;
	struct ringpipe_pipe_info info;

	err = rp_read_start(a, buf, sizeof(buf), &ov);
	CHECK(err == ERROR_IO_PENDING, "read on an empty ring pends (error %lu)", err);
	CHECK(rp_finish(a, &ov, 300, NULL) == ERROR_IO_INCOMPLETE, "still pending after 300 ms");
	CHECK(rp_stat_name(b, "PEND", &info) == 0 && info.pending_reads == 1,
	      "STAT shows 1 pending read (%u)", info.pending_reads);
	CHECK(rp_write(b, "late", 4, &put) == 0 && put == 4, "write from the other handle");
	err = rp_finish(a, &ov, 5000, &got);
	CHECK(err == 0 && got == 4 && memcmp(buf, "late", 4) == 0,
	      "the pending read completed with the message (error %lu, %lu bytes)", err, got);
	CloseHandle(a);
	CloseHandle(b);
}

/* CancelIoEx completes a pending read with ERROR_OPERATION_ABORTED; close cancels too. */
static void t_cancel(void)
{
	HANDLE a = open_bound("CANCEL", RW, 0, 0, NULL), b = open_bound("CANCEL", RW, 0, 0, NULL);
	struct ringpipe_pipe_info info;
	char buf[64], big[200];
	OVERLAPPED ov, ov2;
	DWORD err, got, put;

	err = rp_read_start(a, buf, sizeof(buf), &ov);
	CHECK(err == ERROR_IO_PENDING, "read pends (error %lu)", err);
	CHECK(CancelIoEx(a, &ov), "CancelIoEx (error %lu)", GetLastError());
	err = rp_finish(a, &ov, 5000, &got);
	CHECK(err == ERROR_OPERATION_ABORTED, "cancelled read: ERROR_OPERATION_ABORTED (%lu)", err);
	CHECK(rp_stat_name(b, "CANCEL", &info) == 0 && info.pending_reads == 0,
	      "no read left queued (%u)", info.pending_reads);
	CHECK(rp_write(b, "after", 5, &put) == 0, "write after the cancel");
	CHECK(rp_read(a, buf, sizeof(buf), &got) == 0 && got == 5, "the message is still there");

	/* A pending read on a handle that closes: the close must not leave it queued. */
	err = rp_read_start(a, buf, sizeof(buf), &ov);
	CHECK(err == ERROR_IO_PENDING, "another read pends");
	CloseHandle(a);
	/* The handle is gone, so no GetOverlappedResult: the IRP's own status is in the OVERLAPPED. */
	CHECK(WaitForSingleObject(ov.hEvent, 5000) == WAIT_OBJECT_0,
	      "closing the handle completed its pending read");
	CHECK(ov.Internal == (ULONG_PTR)0xC0000120 /* STATUS_CANCELLED */ && ov.InternalHigh == 0,
	      "with STATUS_CANCELLED and 0 bytes (status %#lx, %lu bytes)",
	      (unsigned long)ov.Internal, (unsigned long)ov.InternalHigh);
	CloseHandle(ov.hEvent);
	CHECK(rp_stat_name(b, "CANCEL", &info) == 0 && info.pending_reads == 0 && info.refs == 1,
	      "nothing queued, one handle left (%u pending, %u refs)", info.pending_reads,
	      info.refs);

	/* A write waiting for space on a full 64-byte ring, cancelled. */
	{
		HANDLE w = open_bound("CANCELW", RW, 64, RINGPIPE_MODE_MESSAGE, NULL);

		memset(big, 'x', sizeof(big));
		CHECK(rp_write(w, big, 40, &put) == 0, "fill a 64-byte ring with a 40-byte message");
		err = rp_write_start(w, big, 40, &ov2);
		CHECK(err == ERROR_IO_PENDING, "a second write pends on the full ring (%lu)", err);
		CHECK(CancelIoEx(w, &ov2), "CancelIoEx on the write");
		err = rp_finish(w, &ov2, 5000, NULL);
		CHECK(err == ERROR_OPERATION_ABORTED, "cancelled write: ERROR_OPERATION_ABORTED (%lu)",
		      err);
		CloseHandle(w);
		CHECK(rp_stat_name(b, "CANCELW", &info) == 0 && info.kept == 1 &&
			      info.msgs_in == 1 && info.pending_writes == 0,
		      "closed: CANCELW kept with the one written message, the cancelled one not in");
		CHECK(rp_remove(b, "CANCELW") == 0, "REMOVE it");
	}
	CloseHandle(b);
}

/* References follow the handles and drop to zero with the last close. */
static void t_refcount(void)
{
	HANDLE h[3], probe = rp_open_device();
	struct ringpipe_pipe_info info;
	uint8_t list[8 + 16 * sizeof(struct ringpipe_pipe_info)];
	struct ringpipe_list_header *hdr = (void *)list;
	DWORD err, got;
	int i;

	for (i = 0; i < 3; i++)
		h[i] = open_bound("REFS", RW, 0, 0, NULL);
	CHECK(rp_stat_name(probe, "refs", &info) == 0 && info.refs == 3 && info.attached == 3,
	      "three handles: refs %u, slots %u", info.refs, info.attached);
	CloseHandle(h[0]);
	CHECK(rp_stat_name(probe, "REFS", &info) == 0 && info.refs == 2 && info.attached == 2,
	      "one closed: refs %u, slots %u", info.refs, info.attached);
	err = rp_list(probe, list, sizeof(list), &got);
	CHECK(err == 0 && hdr->count >= 1 && got == 8 + hdr->returned * sizeof(info),
	      "LIST: %u pipes, %u returned, %lu bytes", hdr->count, hdr->returned, got);
	CloseHandle(h[1]);
	CloseHandle(h[2]);
	err = rp_stat_name(probe, "REFS", &info);
	CHECK(err == ERROR_FILE_NOT_FOUND, "all closed: the pipe is gone (error %lu)", err);
	err = rp_list(probe, list, sizeof(list), &got);
	for (i = 0; err == 0 && i < (int)hdr->returned; i++) {
		struct ringpipe_pipe_info *e = (void *)(list + 8 + i * sizeof(info));

		if (strcmp(e->name, "REFS") == 0)
			err = 1;
	}
	CHECK(err == 0, "LIST no longer names it (%u pipes)", hdr->count);
	CloseHandle(probe);
}

/* Different names are different pipes; case does not matter. */
static void t_names(void)
{
	HANDLE a = open_bound("ALPHA", RW, 0, 0, NULL), b = open_bound("BETA", RW, 0, 0, NULL);
	HANDLE a2 = open_bound("alpha", RW, 0, 0, NULL);
	struct ringpipe_pipe_info ia, ib;
	char buf[32];
	DWORD got, put;

	CHECK(rp_write(a, "to-alpha", 8, &put) == 0, "write to ALPHA");
	CHECK(rp_stat_name(a, "BETA", &ib) == 0 && ib.used == 0 && ib.msgs_in == 0,
	      "BETA is untouched (%u bytes)", ib.used);
	CHECK(rp_stat_name(a, "ALPHA", &ia) == 0 && ia.msgs_in == 1 && ia.refs == 2,
	      "ALPHA holds it, and alpha is the same pipe (refs %u)", ia.refs);
	CHECK(rp_read(a2, buf, sizeof(buf), &got) == 0 && got == 8 && !memcmp(buf, "to-alpha", 8),
	      "read through the lower-case name");
	CloseHandle(a);
	CloseHandle(a2);
	CloseHandle(b);
}

static bool win_alive(void *ctx, uint32_t slot, uint32_t pid)
{
	HANDLE p = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
	DWORD code = 0;

	(void)ctx;
	(void)slot;
	if (p == NULL)
		return GetLastError() == ERROR_ACCESS_DENIED;
	GetExitCodeProcess(p, &code);
	CloseHandle(p);
	return code == STILL_ACTIVE;
}

/*
 * The ring mapped into this process: the driver's writes are read here with
 * driver/core, writes made here reach a reader waiting in the driver, and a
 * WAIT pends until a write moves data_seq.
 */
/*
 * A ring lock held by a mapped peer is no error: a driver write and a driver read
 * that meet it pend, and complete once it is released, with no WAKE (the
 * driver's retry timer pumps them).
 */
static void t_locked(void)
{
	struct ringpipe_bind_out bo;
	struct ringpipe_map_out mo;
	HANDLE m = open_bound("LOCKED", RW, 4096, RINGPIPE_MODE_MESSAGE, &bo);
	HANDLE k = open_bound("LOCKED", RW, 0, 0, NULL);
	struct rp_env env = { win_alive, NULL, NULL, 0 };
	struct rp_ring ring;
	struct rp_handle h;
	char buf[64];
	OVERLAPPED ov;
	DWORD err, got, put;

	err = rp_ioctl(m, IOCTL_RINGPIPE_MAP, NULL, 0, &mo, sizeof(mo), &got);
	CHECK(err == 0 && rp_ring_validate(&ring, (void *)(uintptr_t)mo.address, mo.size,
					   &env) == RP_OK,
	      "MAP and validate (%lu)", err);
	if (err != 0)
		goto out;
	memset(&h, 0, sizeof(h));
	h.ring = &ring;
	h.slot = mo.slot;
	h.pid = GetCurrentProcessId();
	h.token = mo.token;

	CHECK(rp_ring_lock_take(&h, RP_OFF_WLOCK) == RP_OK, "take wlock in the mapping");
	err = rp_write_start(k, "held", 4, &ov);
	CHECK(err == ERROR_IO_PENDING, "a driver write that meets the held wlock pends (%lu)", err);
	CHECK(WaitForSingleObject(ov.hEvent, 300) == WAIT_TIMEOUT,
	      "and stays pending while the lock is held");
	rp_ring_lock_release(&h, RP_OFF_WLOCK);
	err = rp_finish(k, &ov, 5000, &put);
	CHECK(err == 0 && put == 4, "it completes after the release, with no WAKE (%lu, %lu bytes)",
	      err, put);

	CHECK(rp_ring_lock_take(&h, RP_OFF_RLOCK) == RP_OK, "take rlock in the mapping");
	err = rp_read_start(k, buf, sizeof(buf), &ov);
	CHECK(err == ERROR_IO_PENDING, "a driver read that meets the held rlock pends (%lu)", err);
	CHECK(WaitForSingleObject(ov.hEvent, 300) == WAIT_TIMEOUT,
	      "and stays pending while the lock is held");
	rp_ring_lock_release(&h, RP_OFF_RLOCK);
	err = rp_finish(k, &ov, 5000, &got);
	CHECK(err == 0 && got == 4 && memcmp(buf, "held", 4) == 0,
	      "it reads the message after the release, with no WAKE (%lu, %lu bytes)", err, got);
out:
	CloseHandle(k);
	CloseHandle(m);
}

static void t_mapped(void)
{
	struct ringpipe_bind_out bo;
	struct ringpipe_map_out mo;
	HANDLE m = open_bound("MAPPED", RW, 4096, RINGPIPE_MODE_MESSAGE, &bo);
	HANDLE k = open_bound("MAPPED", RW, 0, 0, NULL);
	struct rp_env env = { win_alive, NULL, NULL, 0 };
	struct ringpipe_pipe_info info;
	struct rp_ring ring;
	struct rp_handle h;
	struct rp_read_res res;
	struct ringpipe_wait_in wi;
	char buf[128];
	unsigned wake = 0;
	uint32_t written, which;
	OVERLAPPED ov;
	DWORD err, got, put;
	int st;

	err = rp_ioctl(m, IOCTL_RINGPIPE_MAP, NULL, 0, &mo, sizeof(mo), &got);
	CHECK(err == 0 && got == sizeof(mo) && mo.address != 0 && mo.size == 4096 + 4096,
	      "MAP: %lu, address %p, size %llu, memory %u", err, (void *)(uintptr_t)mo.address,
	      (unsigned long long)mo.size, mo.memory);
	if (err != 0)
		goto out;
	CHECK(mo.memory == RINGPIPE_MEMORY_SECTION || mo.memory == RINGPIPE_MEMORY_MDL,
	      "memory kind %u", mo.memory);
	CHECK(*(volatile uint32_t *)(uintptr_t)mo.address == RP_MAGIC, "magic in the mapping");
	st = rp_ring_validate(&ring, (void *)(uintptr_t)mo.address, mo.size, &env);
	CHECK(st == RP_OK && ring.capacity == 4096, "driver/core validates the mapped header");
	h.ring = &ring;
	h.slot = mo.slot;
	h.pid = GetCurrentProcessId();
	h.token = mo.token;
	h.role = 0;
	CHECK(mo.token == bo.token && mo.slot == bo.slot, "slot %u token %u as BIND said", mo.slot,
	      mo.token);

	CHECK(rp_write(k, "from-kernel", 11, &put) == 0, "WriteFile through the driver");
	memset(&res, 0, sizeof(res));
	st = rp_ring_read(&h, buf, sizeof(buf), &res, &wake);
	CHECK(st == RP_OK && res.n == 11 && memcmp(buf, "from-kernel", 11) == 0,
	      "read it from the mapping in user space (%s)", rp_status_name(st));

	err = rp_read_start(k, buf, sizeof(buf), &ov);
	CHECK(err == ERROR_IO_PENDING, "a driver read pends (%lu)", err);
	CHECK(rp_stat_name(k, "MAPPED", &info) == 0 && info.readers_waiting >= 1,
	      "the driver counts itself in readers_waiting (%u)", info.readers_waiting);
	st = rp_ring_write(&h, "from-user", 9, &written, &wake);
	CHECK(st == RP_OK && (wake & RP_WAKE_DATA), "write in the mapping (%s, wake %u)",
	      rp_status_name(st), wake);
	which = RINGPIPE_WAKE_DATA;
	CHECK(rp_ioctl(m, IOCTL_RINGPIPE_WAKE, &which, sizeof(which), NULL, 0, NULL) == 0,
	      "WAKE");
	err = rp_finish(k, &ov, 5000, &got);
	CHECK(err == 0 && got == 9 && memcmp(buf, "from-user", 9) == 0,
	      "the driver's pending read got the user-space message (%lu, %lu bytes)", err, got);

	/* WAIT: pends while data_seq stays, completes when a write moves it. */
	wi.which = RINGPIPE_WAKE_DATA;
	wi.seq = rp_ring_wait_begin(&ring, RP_WAKE_DATA);
	memset(&ov, 0, sizeof(ov));
	ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
	err = DeviceIoControl(m, IOCTL_RINGPIPE_WAIT, &wi, sizeof(wi), NULL, 0, NULL, &ov)
		      ? 0
		      : GetLastError();
	CHECK(err == ERROR_IO_PENDING, "WAIT pends (%lu)", err);
	CHECK(rp_finish(m, &ov, 300, NULL) == ERROR_IO_INCOMPLETE, "and still pends 300 ms on");
	CHECK(rp_write(k, "wake-up", 7, &put) == 0, "a driver write");
	err = rp_finish(m, &ov, 5000, NULL);
	CHECK(err == 0, "completed the WAIT (%lu)", err);
	rp_ring_wait_end(&ring, RP_WAKE_DATA);
	memset(&res, 0, sizeof(res));
	st = rp_ring_read(&h, buf, sizeof(buf), &res, &wake);
	CHECK(st == RP_OK && res.n == 7, "and the message is in the mapping");

	err = rp_ioctl(m, IOCTL_RINGPIPE_UNMAP, NULL, 0, NULL, 0, NULL);
	CHECK(err == 0, "UNMAP (%lu)", err);
	CHECK(rp_stat_name(k, "MAPPED", &info) == 0 && info.mapped == 0, "no mapping left (%u)",
	      info.mapped);
	/* Map again and leave it for the close to remove. */
	CHECK(rp_ioctl(m, IOCTL_RINGPIPE_MAP, NULL, 0, &mo, sizeof(mo), NULL) == 0, "MAP again");
out:
	CloseHandle(m);
	CloseHandle(k);
}

/* Bad names, bad codes, short buffers and misuse are refused; nothing is lost. */
static void t_errors(void)
{
	static const char *bad[] = { "", "a/b", "a\\b", "..", ".", "with space", "\xc3\xa9t\xc3\xa9",
				     "0123456789012345678901234567890123456789012345678901234567890123x" };
	HANDLE h = rp_open_device(), w;
	struct ringpipe_pipe_info info;
	struct ringpipe_bind_in bin;
	char small[4], buf[256], big[5000];
	DWORD err, got, put;
	size_t i;
	BOOL via_path;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = rp_bind(h, bad[i], RW, 0, 0, 0600, NULL);
		CHECK(err == ERROR_INVALID_NAME, "bad name \"%s\" refused (error %lu)", bad[i], err);
	}
	err = rp_ioctl(h, RINGPIPE_CTL(0x8ff), NULL, 0, NULL, 0, NULL);
	CHECK(err == ERROR_INVALID_FUNCTION, "unknown IOCTL code (error %lu)", err);
	err = rp_ioctl(h, 0x00220000, NULL, 0, NULL, 0, NULL);
	CHECK(err == ERROR_INVALID_FUNCTION, "another device type's code (error %lu)", err);
	memset(&bin, 0, sizeof(bin));
	err = rp_ioctl(h, IOCTL_RINGPIPE_BIND, &bin, sizeof(bin) - 1, buf, sizeof(buf), NULL);
	CHECK(err == ERROR_BAD_LENGTH, "BIND with a short input (error %lu)", err);
	err = rp_ioctl(h, IOCTL_RINGPIPE_VERSION, NULL, 0, small, sizeof(small), NULL);
	CHECK(err == ERROR_INSUFFICIENT_BUFFER, "VERSION into 4 bytes (error %lu)", err);
	err = rp_ioctl(h, IOCTL_RINGPIPE_LIST, NULL, 0, small, sizeof(small), NULL);
	CHECK(err == ERROR_INSUFFICIENT_BUFFER, "LIST into 4 bytes (error %lu)", err);
	err = rp_read(h, buf, sizeof(buf), &got);
	CHECK(err == ERROR_BAD_COMMAND, "read on an unbound handle (error %lu)", err);
	err = rp_ioctl(h, IOCTL_RINGPIPE_MAP, NULL, 0, buf, sizeof(buf), NULL);
	CHECK(err == ERROR_BAD_COMMAND, "MAP on an unbound handle (error %lu)", err);
	err = rp_stat_name(h, "NOSUCHPIPE", &info);
	CHECK(err == ERROR_FILE_NOT_FOUND, "STAT of a name nobody opened (error %lu)", err);
	err = rp_bind(h, "NOSUCHPIPE", RINGPIPE_BIND_READ, 0, 0, 0600, NULL);
	CHECK(err == ERROR_FILE_NOT_FOUND, "BIND without CREATE to a missing pipe (%lu)", err);
	err = rp_bind(h, "ERRS", RW, 1000, 0, 0600, NULL);
	CHECK(err == ERROR_INVALID_PARAMETER, "capacity not a power of two (error %lu)", err);

	CHECK(rp_bind(h, "ERRS", RW, 4096, RINGPIPE_MODE_MESSAGE, 0600, NULL) == 0, "bind ERRS");
	err = rp_bind(h, "OTHER", RW, 0, 0, 0600, NULL);
	CHECK(err == ERROR_BAD_COMMAND, "a second BIND on the handle (error %lu)", err);
	err = rp_ioctl(h, IOCTL_RINGPIPE_STAT, NULL, 0, small, sizeof(small), NULL);
	CHECK(err == ERROR_INSUFFICIENT_BUFFER, "STAT into 4 bytes (error %lu)", err);
	CHECK(rp_write(h, "twelve bytes", 12, &put) == 0, "write a 12-byte message");
	err = rp_read(h, small, sizeof(small), &got);
	CHECK(err == ERROR_INSUFFICIENT_BUFFER, "read into 4 bytes: ERROR_INSUFFICIENT_BUFFER (%lu)",
	      err);
	err = rp_read(h, buf, sizeof(buf), &got);
	CHECK(err == 0 && got == 12 && memcmp(buf, "twelve bytes", 12) == 0,
	      "nothing lost: a big enough read gets it whole");
	memset(big, 'b', sizeof(big));
	err = rp_write(h, big, sizeof(big), &put);
	CHECK(err == ERROR_INVALID_USER_BUFFER, "a message larger than the ring (error %lu)", err);
	w = rp_open_device();
	err = rp_bind(w, "ERRS", RW, 0, RINGPIPE_MODE_BYTE, 0600, NULL);
	CHECK(err == ERROR_INVALID_HANDLE,
	      "opening ERRS in byte mode: refused (error %lu)", err);
	err = rp_bind(w, "ERRS", RW | RINGPIPE_BIND_EXCL, 0, 0, 0600, NULL);
	CHECK(err == ERROR_ALREADY_EXISTS, "exclusive create of an existing pipe (error %lu)", err);
	CloseHandle(w);
	CloseHandle(h);

	/* What this system does with a path after the device (Wine: refused). */
	h = rp_open_name("PATHOPEN", &via_path);
	printf("     note: \\\\.\\RingPipe\\PATHOPEN %s\n",
	       via_path ? "opened by path" : "refused, bound with the IOCTL instead");
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
}

/* EOF: a reader drains what the writers left and then reads 0 bytes with ERROR_HANDLE_EOF. */
static void t_eof(void)
{
	HANDLE r = open_bound("EOFP", RINGPIPE_BIND_CREATE | RINGPIPE_BIND_READ, 0, 0, NULL);
	HANDLE w = open_bound("EOFP", RINGPIPE_BIND_CREATE | RINGPIPE_BIND_WRITE, 0, 0, NULL);
	HANDLE f = open_bound("EOFP", RINGPIPE_BIND_READ | RINGPIPE_BIND_FOLLOW, 0, 0, NULL);
	char buf[64];
	OVERLAPPED ov;
	DWORD err, got, put;

	err = rp_read_start(r, buf, sizeof(buf), &ov);
	CHECK(err == ERROR_IO_PENDING, "a reader before any writer waits (%lu)", err);
	CHECK(rp_finish(r, &ov, 200, NULL) == ERROR_IO_INCOMPLETE, "no EOF before the first writer");
	CHECK(rp_write(w, "one", 3, &put) == 0 && rp_write(w, "", 0, &put) == 0,
	      "write \"one\" and an empty message");
	err = rp_finish(r, &ov, 5000, &got);
	CHECK(err == 0 && got == 3, "first message (%lu, %lu bytes)", err, got);
	err = rp_ioctl(w, IOCTL_RINGPIPE_END_WRITE, NULL, 0, NULL, 0, NULL);
	CHECK(err == 0, "END_WRITE");
	err = rp_read(r, buf, sizeof(buf), &got);
	CHECK(err == 0 && got == 0, "the empty message: success with 0 bytes (%lu)", err);
	err = rp_read(r, buf, sizeof(buf), &got);
	CHECK(err == ERROR_HANDLE_EOF && got == 0, "then EOF: ERROR_HANDLE_EOF (%lu)", err);
	err = rp_read_start(f, buf, sizeof(buf), &ov);
	CHECK(err == ERROR_IO_PENDING, "a FOLLOW reader never sees EOF (%lu)", err);
	CancelIoEx(f, &ov);
	rp_finish(f, &ov, 5000, NULL);

	/* A reader pending when the last writer closes completes with EOF. */
	{
		HANDLE r2 = open_bound("EOF2", RINGPIPE_BIND_CREATE | RINGPIPE_BIND_READ, 0, 0, NULL);
		HANDLE w2 = open_bound("EOF2", RINGPIPE_BIND_CREATE | RINGPIPE_BIND_WRITE |
						       RINGPIPE_BIND_WRITER_NOW,
				       0, 0, NULL);

		err = rp_read_start(r2, buf, sizeof(buf), &ov);
		CHECK(err == ERROR_IO_PENDING, "reader waits while a writer is attached");
		CloseHandle(w2);
		err = rp_finish(r2, &ov, 5000, &got);
		CHECK(err == ERROR_HANDLE_EOF, "the writer's close ends it: EOF (%lu)", err);
		CloseHandle(r2);
	}
	CloseHandle(w);
	CloseHandle(r);
	CloseHandle(f);
}

/* A write on a full ring pends and completes once a read makes room; byte mode too. */
static void t_full(void)
{
	HANDLE w = open_bound("FULL", RW, 256, RINGPIPE_MODE_MESSAGE, NULL);
	HANDLE r = open_bound("FULL", RW, 0, 0, NULL);
	HANDLE bw = open_bound("BYTES", RW, 128, RINGPIPE_MODE_BYTE, NULL);
	HANDLE br = open_bound("BYTES", RW, 0, 0, NULL), h;
	struct ringpipe_pipe_info info;
	char msg[100], buf[512], stream[600], back[600];
	OVERLAPPED ov;
	DWORD err, got, put, total = 0;
	int i;

	memset(msg, 'm', sizeof(msg));
	CHECK(rp_write(w, msg, 100, &put) == 0 && rp_write(w, msg, 100, &put) == 0,
	      "two 100-byte messages fill most of a 256-byte ring");
	err = rp_write_start(w, msg, 100, &ov);
	CHECK(err == ERROR_IO_PENDING, "the third pends (%lu)", err);
	CHECK(rp_finish(w, &ov, 200, NULL) == ERROR_IO_INCOMPLETE, "and stays pending");
	CHECK(rp_read(r, buf, sizeof(buf), &got) == 0 && got == 100, "a read makes room");
	err = rp_finish(w, &ov, 5000, &put);
	CHECK(err == 0 && put == 100, "the pending write completed (%lu)", err);

	for (i = 0; i < (int)sizeof(stream); i++)
		stream[i] = (char)(i * 7 + 3);
	err = rp_write_start(bw, stream, sizeof(stream), &ov);
	CHECK(err == 0 || err == ERROR_IO_PENDING, "600 bytes into a 128-byte byte-mode ring");
	while (total < sizeof(stream)) {
		err = rp_read(br, back + total, sizeof(back) - total, &got);
		if (err != 0 || got == 0)
			break;
		total += got;
	}
	CHECK(total == sizeof(stream) && memcmp(back, stream, sizeof(stream)) == 0,
	      "read back all 600 bytes in order (%lu)", total);
	err = rp_finish(bw, &ov, 5000, &put);
	CHECK(err == 0 && put == sizeof(stream), "the byte-mode write completed with %lu", put);
	CloseHandle(w);
	CloseHandle(r);
	CloseHandle(bw);
	CloseHandle(br);
	/* Two messages were never read: the driver keeps FULL until REMOVE. */
	h = rp_open_device();
	CHECK(rp_stat_name(h, "FULL", &info) == 0 && info.kept == 1 &&
		      info.msgs_in - info.msgs_out == 2,
	      "closed with 2 messages unread: FULL is kept (kept %u)", info.kept);
	CHECK(rp_remove(h, "FULL") == 0 && rp_stat_name(h, "FULL", &info) == ERROR_FILE_NOT_FOUND,
	      "and goes with REMOVE");
	CHECK(rp_stat_name(h, "BYTES", &info) == ERROR_FILE_NOT_FOUND,
	      "BYTES, read empty, went with its last handle");
	CloseHandle(h);
}

/* After everything closed: no pipe, and the driver's allocations are back to none. */
static void t_leaks(void)
{
	struct ringpipe_version v;
	HANDLE h = rp_open_device();

	CHECK(rp_version(h, &v) == 0 && v.pipes == 0 && v.kept == 0 && v.charged == 0,
	      "no pipe open (%u), none kept (%u), nothing charged (%llu)", v.pipes, v.kept,
	      (unsigned long long)v.charged);
	CHECK(v.allocations == 1, "one allocation alive: this handle's context (%u)",
	      v.allocations);
	CloseHandle(h);
	CHECK(live_allocations() == 1, "still one with a fresh handle");
}

#define MANY_PIPES 1100

/* MANY_PIPES pipes MANY0000..., one handle each; the count opened. */
static int open_many(HANDLE *h)
{
	char name[16];
	int i;

	for (i = 0; i < MANY_PIPES; i++) {
		snprintf(name, sizeof(name), "MANY%04d", i);
		h[i] = open_bound(name, RW, 4096, 0, NULL);
		if (h[i] == INVALID_HANDLE_VALUE)
			break;
	}
	return i;
}

static void close_many(HANDLE *h, int n)
{
	while (n > 0)
		CloseHandle(h[--n]);
}

/* LIST past 1024 pipes: the count is the total, a big enough buffer gets all. */
static void t_many(void)
{
	static HANDLE h[MANY_PIPES];
	static uint8_t list[8 + (MANY_PIPES + 64) * sizeof(struct ringpipe_pipe_info)];
	struct ringpipe_list_header *hdr = (void *)list;
	HANDLE probe = rp_open_device();
	int n = open_many(h), named = 0, i;
	DWORD err, got;

	CHECK(n == MANY_PIPES, "%d pipes open", n);
	err = rp_list(probe, list, 8 + 10 * sizeof(struct ringpipe_pipe_info), &got);
	CHECK(err == 0 && hdr->count >= MANY_PIPES && hdr->returned == 10,
	      "a short buffer: count %u, returned %u", hdr->count, hdr->returned);
	err = rp_list(probe, list, sizeof(list), &got);
	for (i = 0; err == 0 && i < (int)hdr->returned; i++) {
		struct ringpipe_pipe_info *e = (void *)(list + 8 + i * sizeof(*e));

		if (strncmp(e->name, "MANY", 4) == 0)
			named++;
	}
	CHECK(err == 0 && hdr->returned == hdr->count && named == MANY_PIPES,
	      "a buffer for all: count %u, returned %u, %d of ours", hdr->count, hdr->returned,
	      named);
	close_many(h, n);
	CloseHandle(probe);
}

/* Keeps MANY_PIPES pipes open until rptest-release exists (at most 180 s). */
static void t_hold(void)
{
	static HANDLE h[MANY_PIPES];
	int n = open_many(h), i;

	CHECK(n == MANY_PIPES, "holding %d pipes", n);
	for (i = 0; i < 1800 && GetFileAttributesA("rptest-release") == INVALID_FILE_ATTRIBUTES; i++)
		Sleep(100);
	CHECK(i < 1800, "released");
	close_many(h, n);
}

int wmain(int argc, wchar_t **argv)
{
	static const struct {
		const wchar_t *name;
		void (*run)(void);
	} scenarios[] = { { L"version", t_version }, { L"pending", t_pending },
			  { L"cancel", t_cancel },   { L"refcount", t_refcount },
			  { L"names", t_names },     { L"mapped", t_mapped },
			  { L"locked", t_locked },
			  { L"errors", t_errors },   { L"eof", t_eof },
			  { L"full", t_full },       { L"many", t_many },
			  { L"hold", t_hold },       { L"leaks", t_leaks },
			  { L"kept-write", t_kept_write }, { L"kept-read", t_kept_read },
			  { L"kept", t_kept },       { L"kept-leave", t_kept_leave } };
	size_t i;

	if (argc != 2)
		goto usage;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (wcscmp(argv[1], scenarios[i].name) == 0) {
			scenarios[i].run();
			printf("rptest %ls: %d passed, %d failed\n", argv[1], passed, failed);
			return failed == 0 && passed > 0 ? 0 : 1;
		}
	}
usage:
	fprintf(stderr, "usage: rptest version|pending|cancel|refcount|names|mapped|errors|eof|full|many|hold|leaks|kept-write|kept-read|kept|kept-leave\n");
	return 2;
}
