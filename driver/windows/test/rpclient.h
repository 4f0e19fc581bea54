/* Small helpers over the ringpipe device for the test clients (user mode). */
#ifndef RPCLIENT_H
#define RPCLIENT_H

#include <windows.h>
#include <stdint.h>

#include "../../include/ringpipe_win_abi.h"

/* An unbound overlapped handle on \\.\RingPipe, or INVALID_HANDLE_VALUE. */
HANDLE rp_open_device(void);
/* Tries \\.\RingPipe\NAME first (real Windows), then the device plus BIND
 * (Wine refuses a path after the device). *via_path tells which worked. */
HANDLE rp_open_name(const char *name, BOOL *via_path);
/* BIND with explicit options; returns the Win32 error (0 on success). */
DWORD rp_bind(HANDLE h, const char *name, uint32_t flags, uint32_t capacity, uint32_t mode,
	      uint32_t perm, struct ringpipe_bind_out *out);
/* BIND with a ttl and an input of in_len bytes (88: an ABI version 1 request). */
DWORD rp_bind_ex(HANDLE h, const char *name, uint32_t flags, uint32_t capacity, uint32_t mode,
		 uint32_t perm, uint64_t ttl_ms, DWORD in_len, struct ringpipe_bind_out *out);
/* DeviceIoControl on an overlapped handle, waited for; returns the Win32 error. */
DWORD rp_ioctl(HANDLE h, DWORD code, const void *in, DWORD in_len, void *out, DWORD out_len,
	       DWORD *got);
/* Synchronous ReadFile / WriteFile over an overlapped handle; return the Win32 error. */
DWORD rp_read(HANDLE h, void *buf, DWORD room, DWORD *got);
DWORD rp_write(HANDLE h, const void *buf, DWORD len, DWORD *put);
/* Starts an overlapped read / write; returns the error (ERROR_IO_PENDING while pending). */
DWORD rp_read_start(HANDLE h, void *buf, DWORD room, OVERLAPPED *ov);
DWORD rp_write_start(HANDLE h, const void *buf, DWORD len, OVERLAPPED *ov);
/* Waits up to ms for an overlapped request: ERROR_IO_INCOMPLETE if still pending. */
DWORD rp_finish(HANDLE h, OVERLAPPED *ov, DWORD ms, DWORD *got);
DWORD rp_stat_name(HANDLE h, const char *name, struct ringpipe_pipe_info *out);
DWORD rp_version(HANDLE h, struct ringpipe_version *out);
/* IOCTL_RINGPIPE_REMOVE of a name; returns the Win32 error. */
DWORD rp_remove(HANDLE h, const char *name);
/* IOCTL_RINGPIPE_LIST with entries of this ABI's ringpipe_pipe_info. */
DWORD rp_list(HANDLE h, void *out, DWORD out_len, DWORD *got);

#endif
