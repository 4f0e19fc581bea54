#include "rpclient.h"

#include <stdio.h>
#include <string.h>

HANDLE rp_open_device(void)
{
	return CreateFileW(RINGPIPE_WIN32_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
			   FILE_FLAG_OVERLAPPED, NULL);
}

DWORD rp_ioctl(HANDLE h, DWORD code, const void *in, DWORD in_len, void *out, DWORD out_len,
	       DWORD *got)
{
	OVERLAPPED ov;
	DWORD n = 0, err = 0;

	memset(&ov, 0, sizeof(ov));
	ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!DeviceIoControl(h, code, (void *)in, in_len, out, out_len, &n, &ov)) {
		err = GetLastError();
		if (err == ERROR_IO_PENDING)
			err = GetOverlappedResult(h, &ov, &n, TRUE) ? 0 : GetLastError();
	}
	CloseHandle(ov.hEvent);
	if (got != NULL)
		*got = n;
	return err;
}

DWORD rp_bind(HANDLE h, const char *name, uint32_t flags, uint32_t capacity, uint32_t mode,
	      uint32_t perm, struct ringpipe_bind_out *out)
{
	return rp_bind_ex(h, name, flags, capacity, mode, perm, 0, sizeof(struct ringpipe_bind_in),
			  out);
}

DWORD rp_bind_ex(HANDLE h, const char *name, uint32_t flags, uint32_t capacity, uint32_t mode,
		 uint32_t perm, uint64_t ttl_ms, DWORD in_len, struct ringpipe_bind_out *out)
{
	struct ringpipe_bind_in in;
	struct ringpipe_bind_out local;
	size_t len = strlen(name);

	memset(&in, 0, sizeof(in));
	in.abi_version = in_len == RINGPIPE_BIND_IN_V1_SIZE ? 1 : RINGPIPE_ABI_VERSION;
	in.flags = flags;
	in.capacity = capacity;
	in.mode = mode;
	in.perm = perm;
	in.name_len = (uint32_t)(len > RINGPIPE_NAME_MAX ? RINGPIPE_NAME_MAX + 1 : len);
	memcpy(in.name, name, len > RINGPIPE_NAME_MAX ? RINGPIPE_NAME_MAX : len);
	in.ttl_ms = ttl_ms;
	return rp_ioctl(h, IOCTL_RINGPIPE_BIND, &in, in_len, out ? out : &local, sizeof(local),
			NULL);
}

HANDLE rp_open_name(const char *name, BOOL *via_path)
{
	WCHAR path[128];
	HANDLE h;

	swprintf(path, 128, L"%ls\\%hs", RINGPIPE_WIN32_PATH, name);
	h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
			FILE_FLAG_OVERLAPPED, NULL);
	*via_path = h != INVALID_HANDLE_VALUE;
	if (h != INVALID_HANDLE_VALUE)
		return h;
	h = rp_open_device();
	if (h == INVALID_HANDLE_VALUE)
		return h;
	if (rp_bind(h, name, RINGPIPE_BIND_CREATE | RINGPIPE_BIND_READ | RINGPIPE_BIND_WRITE, 0, 0,
		    0600, NULL) != 0) {
		CloseHandle(h);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

static DWORD rp_start(BOOL ok, OVERLAPPED *ov)
{
	(void)ov;
	return ok ? 0 : GetLastError();
}

DWORD rp_read_start(HANDLE h, void *buf, DWORD room, OVERLAPPED *ov)
{
	memset(ov, 0, sizeof(*ov));
	ov->hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
	return rp_start(ReadFile(h, buf, room, NULL, ov), ov);
}

DWORD rp_write_start(HANDLE h, const void *buf, DWORD len, OVERLAPPED *ov)
{
	memset(ov, 0, sizeof(*ov));
	ov->hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
	return rp_start(WriteFile(h, buf, len, NULL, ov), ov);
}

DWORD rp_finish(HANDLE h, OVERLAPPED *ov, DWORD ms, DWORD *got)
{
	DWORD n = 0, err;

	if (WaitForSingleObject(ov->hEvent, ms) == WAIT_TIMEOUT)
		return ERROR_IO_INCOMPLETE;
	err = GetOverlappedResult(h, ov, &n, FALSE) ? 0 : GetLastError();
	CloseHandle(ov->hEvent);
	ov->hEvent = NULL;
	if (got != NULL)
		*got = n;
	return err;
}

DWORD rp_read(HANDLE h, void *buf, DWORD room, DWORD *got)
{
	OVERLAPPED ov;
	DWORD err = rp_read_start(h, buf, room, &ov);

	if (err != 0 && err != ERROR_IO_PENDING) {
		CloseHandle(ov.hEvent);
		return err;
	}
	return rp_finish(h, &ov, INFINITE, got);
}

DWORD rp_write(HANDLE h, const void *buf, DWORD len, DWORD *put)
{
	OVERLAPPED ov;
	DWORD err = rp_write_start(h, buf, len, &ov);

	if (err != 0 && err != ERROR_IO_PENDING) {
		CloseHandle(ov.hEvent);
		return err;
	}
	return rp_finish(h, &ov, INFINITE, put);
}

DWORD rp_stat_name(HANDLE h, const char *name, struct ringpipe_pipe_info *out)
{
	struct ringpipe_name in;
	size_t len = strlen(name);

	memset(&in, 0, sizeof(in));
	in.name_len = (uint32_t)len;
	memcpy(in.name, name, len > RINGPIPE_NAME_MAX ? RINGPIPE_NAME_MAX : len);
	return rp_ioctl(h, IOCTL_RINGPIPE_STAT, &in, sizeof(in), out, sizeof(*out), NULL);
}

DWORD rp_version(HANDLE h, struct ringpipe_version *out)
{
	return rp_ioctl(h, IOCTL_RINGPIPE_VERSION, NULL, 0, out, sizeof(*out), NULL);
}

DWORD rp_remove(HANDLE h, const char *name)
{
	struct ringpipe_name in;
	size_t len = strlen(name);

	memset(&in, 0, sizeof(in));
	in.name_len = (uint32_t)len;
	memcpy(in.name, name, len > RINGPIPE_NAME_MAX ? RINGPIPE_NAME_MAX : len);
	return rp_ioctl(h, IOCTL_RINGPIPE_REMOVE, &in, sizeof(in), NULL, 0, NULL);
}

DWORD rp_list(HANDLE h, void *out, DWORD out_len, DWORD *got)
{
	struct ringpipe_list_in in = { sizeof(struct ringpipe_pipe_info) };

	return rp_ioctl(h, IOCTL_RINGPIPE_LIST, &in, sizeof(in), out, out_len, got);
}
