/*
 * ringpipe Windows driver: the contract between ringpipe.sys and user mode.
 *
 * The one header both sides include (the driver, the C test clients), and
 * the one the TypeScript client mirrors in
 * packages/pipe-client/src/backends/windows-driver/abi.ts (checked by a host test). It holds
 * no kernel types: fixed-size integers only, every struct naturally aligned
 * with its size a multiple of 8, so one layout serves 32- and 64-bit callers.
 *
 * Usage from user mode:
 *
 *   h = CreateFileW(L"\\\\.\\RingPipe\\HELLO", ...)   name in the path, or
 *   h = CreateFileW(RINGPIPE_WIN32_PATH, ...) then IOCTL_RINGPIPE_BIND
 *   WriteFile(h, msg, len)     one message (message mode) or bytes (byte mode)
 *   ReadFile(h, buf, room)     one whole message; 0 bytes with ERROR_HANDLE_EOF
 *                              (STATUS_END_OF_FILE) once every writer left
 *
 * All IOCTLs are METHOD_BUFFERED and FILE_ANY_ACCESS; input and output share
 * one system buffer, so the driver reads all input before writing output.
 */
#ifndef RINGPIPE_WIN_ABI_H
#define RINGPIPE_WIN_ABI_H

#include <stdint.h>

/*
 * 2 added ttl_ms to ringpipe_bind_in, IOCTL_RINGPIPE_REMOVE, the kept fields of
 * ringpipe_pipe_info and the charge of ringpipe_version. The driver still takes
 * version 1 requests (the 88-byte bind, a 192-byte STAT buffer, LIST with no
 * input, a 16-byte VERSION buffer) and answers them in the version 1 layout.
 */
#define RINGPIPE_ABI_VERSION 2u
#define RINGPIPE_ABI_VERSION_MIN 1u

#define RINGPIPE_NT_DEVICE_NAME L"\\Device\\RingPipe"
#define RINGPIPE_DOS_DEVICE_NAME L"\\DosDevices\\RingPipe"
#define RINGPIPE_WIN32_PATH L"\\\\.\\RingPipe"

/* A name: 1 to 64 of A-Z a-z 0-9 . _ -, not "." or ".."; case-insensitive. */
#define RINGPIPE_NAME_MAX 64u
/* Room for a canonical name and its NUL, rounded up to keep 4-byte alignment. */
#define RINGPIPE_NAME_FIELD 68u

#define RINGPIPE_CAPACITY_DEFAULT (1u << 20)
#define RINGPIPE_CAPACITY_MIN 64u
#define RINGPIPE_CAPACITY_MAX (1u << 30)

#define RINGPIPE_MODE_MESSAGE 1u
#define RINGPIPE_MODE_BYTE 2u

/* A device type from the range Microsoft leaves to vendors (0x8000-0xFFFF). */
#define RINGPIPE_DEVICE_TYPE 0x8A52u
/* CTL_CODE(RINGPIPE_DEVICE_TYPE, fn, METHOD_BUFFERED, FILE_ANY_ACCESS) */
#define RINGPIPE_CTL(fn) ((RINGPIPE_DEVICE_TYPE << 16) | ((uint32_t)(fn) << 2))

/* in: ringpipe_bind_in; out: ringpipe_bind_out. Binds an unbound handle. */
#define IOCTL_RINGPIPE_BIND RINGPIPE_CTL(0x800)
/* in: nothing (this handle's pipe) or ringpipe_name; out: ringpipe_pipe_info. */
#define IOCTL_RINGPIPE_STAT RINGPIPE_CTL(0x801)
/* out: ringpipe_list_header, then up to what fits of ringpipe_pipe_info. */
#define IOCTL_RINGPIPE_LIST RINGPIPE_CTL(0x802)
/* out: ringpipe_map_out. Maps the ring into the calling process. */
#define IOCTL_RINGPIPE_MAP RINGPIPE_CTL(0x803)
/* no buffers. Unmaps what IOCTL_RINGPIPE_MAP mapped (also done at close). */
#define IOCTL_RINGPIPE_UNMAP RINGPIPE_CTL(0x804)
/* no buffers. Ends this handle's writer role: readers see EOF once drained. */
#define IOCTL_RINGPIPE_END_WRITE RINGPIPE_CTL(0x805)
/* in: ringpipe_wait_in. Pends until the seq word differs from in.seq. */
#define IOCTL_RINGPIPE_WAIT RINGPIPE_CTL(0x806)
/* in: uint32_t RINGPIPE_WAKE_* bits. After a mapped write or read. */
#define IOCTL_RINGPIPE_WAKE RINGPIPE_CTL(0x807)
/* out: ringpipe_version. Works on any handle, bound or not. */
#define IOCTL_RINGPIPE_VERSION RINGPIPE_CTL(0x808)
/*
 * in: ringpipe_name. Removes the name like mq_unlink: handles open keep the
 * old pipe, the next bind creates a new one, a kept pipe's unread messages
 * are discarded. The creator's session or an administrator only.
 */
#define IOCTL_RINGPIPE_REMOVE RINGPIPE_CTL(0x809)

/* ringpipe_bind_in.flags */
#define RINGPIPE_BIND_CREATE 0x01u     /* create the pipe if no handle has it */
#define RINGPIPE_BIND_EXCL 0x02u       /* with CREATE: fail if it exists */
#define RINGPIPE_BIND_READ 0x04u       /* access wanted (checked against perm) */
#define RINGPIPE_BIND_WRITE 0x08u
#define RINGPIPE_BIND_WRITER_NOW 0x10u /* take the writer role at once */
#define RINGPIPE_BIND_FOLLOW 0x20u     /* reads never report EOF */
#define RINGPIPE_BIND_ALL 0x3Fu

struct ringpipe_bind_in {
	uint32_t abi_version; /* RINGPIPE_ABI_VERSION */
	uint32_t flags;       /* RINGPIPE_BIND_* */
	uint32_t capacity;    /* creating: power of two 64..2^30; 0: default */
	uint32_t mode;        /* creating: RINGPIPE_MODE_*; 0: message */
	uint32_t perm;        /* creating: 0666 bits, owner = caller's session */
	uint32_t name_len;    /* bytes of name used, 1..64 */
	char name[RINGPIPE_NAME_MAX];
	/* Version 2 only (a version 1 request stops here, at 88 bytes): */
	uint64_t ttl_ms; /* creating: remove the pipe once kept this long; 0: never */
}; /* 96 bytes (88 in version 1) */
#define RINGPIPE_BIND_IN_V1_SIZE 88u

struct ringpipe_bind_out {
	uint32_t abi_version;
	uint32_t capacity;
	uint32_t mode;
	uint32_t slot;       /* this handle's slot in the ring (mapped use) */
	uint32_t token;      /* and its token */
	uint32_t created;    /* 1 if this bind created the pipe */
	uint32_t max_record; /* largest message (message mode) or record */
	uint32_t reserved;
	char name[RINGPIPE_NAME_FIELD]; /* canonical, NUL-terminated */
	uint32_t reserved2;
}; /* 104 bytes */

struct ringpipe_name {
	uint32_t name_len;
	char name[RINGPIPE_NAME_MAX];
	uint32_t reserved;
}; /* 72 bytes */

/* ringpipe_pipe_info.memory, ringpipe_map_out.memory */
#define RINGPIPE_MEMORY_MDL 1u     /* locked pages, MmMapLockedPagesSpecifyCache */
#define RINGPIPE_MEMORY_SECTION 2u /* ZwCreateSection, ZwMapViewOfSection */

struct ringpipe_pipe_info {
	char name[RINGPIPE_NAME_FIELD];
	uint32_t refs;  /* handles bound to the pipe */
	uint32_t owner; /* session id of the creator */
	uint32_t perm;
	uint32_t capacity;
	uint32_t mode;
	uint32_t used; /* bytes in the ring */
	uint32_t head, tail;
	uint32_t attached;     /* slots in use */
	uint32_t readers;      /* slots of live processes with the reader role */
	uint32_t writers;      /* ... with the writer role */
	uint32_t writers_ever;
	uint32_t abandoned;
	uint32_t readers_waiting, writers_waiting;
	uint32_t data_seq, space_seq;
	uint32_t pending_reads, pending_writes, pending_waits; /* IRPs queued */
	uint32_t memory;      /* RINGPIPE_MEMORY_* */
	uint32_t mapped;      /* handles that have the ring mapped */
	uint32_t ring_status; /* 0 ok, else the core's status (6: corrupt) */
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out;
	/* Version 2 only (a 192-byte buffer gets the fields above): */
	uint32_t kept;          /* 1: no handle has it open, it holds unread messages */
	uint32_t reserved;
	uint64_t ttl_ms;        /* 0: none */
	uint64_t kept_since_ms; /* kept: when its last handle left (ms since 1970) */
	uint64_t reserved2;
}; /* 224 bytes (192 in version 1) */
#define RINGPIPE_PIPE_INFO_V1_SIZE 192u

/* LIST's optional input: the entry size the caller reads (192 or 224); none: 192. */
struct ringpipe_list_in {
	uint32_t entry_size;
}; /* 4 bytes */

struct ringpipe_list_header {
	uint32_t count;    /* pipes open */
	uint32_t returned; /* entries that follow (fewer when the buffer is short) */
}; /* 8 bytes */

struct ringpipe_map_out {
	uint64_t address; /* of the segment in the caller: header page, then data */
	uint64_t size;    /* 4096 + capacity */
	uint32_t memory;  /* RINGPIPE_MEMORY_* */
	uint32_t slot;
	uint32_t token;
	uint32_t capacity;
	uint32_t mode;
	uint32_t reserved;
}; /* 40 bytes */

/* ringpipe_wait_in.which, IOCTL_RINGPIPE_WAKE bits */
#define RINGPIPE_WAKE_DATA 1u  /* data_seq: readers waiting for data or EOF */
#define RINGPIPE_WAKE_SPACE 2u /* space_seq: writers waiting for room */

struct ringpipe_wait_in {
	uint32_t which; /* RINGPIPE_WAKE_DATA or RINGPIPE_WAKE_SPACE */
	uint32_t seq;   /* the value the caller saw; completes once it differs */
}; /* 8 bytes */

struct ringpipe_version {
	uint32_t abi_version;
	uint32_t pipes;       /* pipes open */
	uint32_t allocations; /* driver pool blocks and ring segments alive */
	uint32_t memory;      /* RINGPIPE_MEMORY_* new pipes get */
	/* Version 2 only (a 16-byte buffer gets the fields above): */
	uint32_t kept;        /* pipes kept with no handle */
	uint32_t reserved;
	uint64_t charged;     /* ring bytes charged to the caller's session */
	uint64_t limit;       /* the most one session may be charged */
}; /* 40 bytes (16 in version 1) */
#define RINGPIPE_VERSION_V1_SIZE 16u

#endif
