/* SPDX-License-Identifier: MIT */
/*
 * The user-space interface of the Linux ringpipe driver (/dev/ringpipe).
 *
 * One header for the module, the C test client and, mirrored field by field,
 * the TypeScript client (packages/pipe-client/src/driver/abi.ts, checked
 * against this file by packages/pipe-client/test/driver-abi.test.ts). It uses
 * only the uapi types of <linux/types.h>, so user space includes it as is.
 *
 * Usage: open /dev/ringpipe with the access wanted (O_RDONLY, O_WRONLY or
 * O_RDWR, plus O_NONBLOCK if wanted), then RINGPIPE_IOC_BIND the file to a
 * name. After that read() returns one message, write() sends one, poll()
 * tells readable/writable, and mmap() of 4096 + capacity bytes maps the ring
 * of docs/ring-format.md. Every ioctl that is not listed here fails with
 * ENOTTY; every operation but BIND, STAT and LIST fails with EBADFD on an
 * unbound file.
 */
#ifndef RINGPIPE_LINUX_ABI_H
#define RINGPIPE_LINUX_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * 2: BIND takes ttl_ms, STAT and LIST report kept pipes (struct
 * ringpipe_info grew; the version 1 numbers still work), REMOVE, USAGE.
 */
#define RINGPIPE_ABI_VERSION 2
#define RINGPIPE_DEVICE_NAME "ringpipe" /* /dev/ringpipe */
#define RINGPIPE_NAME_MAX 64

/* ringpipe_bind.flags */
#define RINGPIPE_BIND_CREATE 0x1u /* create the pipe if nobody has it open */
#define RINGPIPE_BIND_EXCL 0x2u	  /* with CREATE: EEXIST if it exists */
#define RINGPIPE_BIND_FOLLOW 0x4u /* never report EOF to this file */

/* ringpipe_bind.mode and ringpipe_info.mode */
#define RINGPIPE_MODE_ANY 0u	 /* bind: the existing pipe's; message when creating */
#define RINGPIPE_MODE_MESSAGE 1u /* each write() is one message */
#define RINGPIPE_MODE_BYTE 2u	 /* a byte stream */

/*
 * RINGPIPE_IOC_BIND: attaches the file to the pipe `name`. The access checked
 * against the pipe's permission bits is the file's open mode; a file opened
 * O_WRONLY takes the writer role at once, and one opened with neither read nor
 * write access (O_ACCMODE) cannot bind (EBADF).
 * Errors: EBADF (no read or write access), EBUSY (already bound), EINVAL (bad
 * name, flags, perm, capacity or mode; reserved not zero), ENAMETOOLONG,
 * ENOENT (no CREATE and no such pipe), EEXIST (CREATE | EXCL), EACCES, EFBIG
 * (capacity above the module's max_capacity), EDQUOT (the caller's uid would
 * pass max_user_bytes or max_user_pipes), EPROTOTYPE (mode differs from the
 * existing pipe's), EUSERS (128 handles already, or the caller's uid holds
 * its share: another uid than the owner's gets at most 64, and 16 stay the
 * owner's), ENOMEM (also: the ring is past the caller's memory cgroup),
 * EINTR (a signal while another bind of the name was creating it).
 *
 * A pipe outlives its last file while it holds unread messages (it is then
 * "kept", charged to its creator, until a reader empties it, its ttl_ms runs
 * out, or RINGPIPE_IOC_REMOVE); with nothing unread it goes with its last
 * file. ttl_ms (creating binds only; 0: none) bounds how long it is kept.
 * A version 1 module refuses a ttl_ms with EINVAL (reserved not zero).
 */
struct ringpipe_bind {
	char name[RINGPIPE_NAME_MAX]; /* in: name_len bytes, any case, no NUL needed */
	__u32 name_len;		      /* in */
	__u32 flags;		      /* in: RINGPIPE_BIND_* */
	__u32 perm;		      /* in: bits of 0666, used when creating */
	__u32 capacity;		      /* in: power of two, used when creating; out: the pipe's */
	__u32 mode;		      /* in: RINGPIPE_MODE_*; out: the pipe's */
	__u32 slot;		      /* out: this handle's slot in the ring */
	__u32 token;		      /* out: this handle's token (ring locks, record owner) */
	__u32 max_record;	      /* out: largest payload of one record */
	__u32 created;		      /* out: 1 if this call created the pipe */
	__u32 owner_uid;	      /* out: uid that owns the name */
	__u64 ttl_ms;		      /* in: kept at most this long, 0: no limit (creating only) */
	__u32 reserved[4];	      /* zero */
};

/* One pipe as RINGPIPE_IOC_STAT and RINGPIPE_IOC_LIST report it. */
struct ringpipe_info {
	char name[RINGPIPE_NAME_MAX + 8]; /* canonical (upper case), NUL-terminated */
	__u32 uid;			  /* owner */
	__u32 perm;			  /* permission bits */
	__u32 refs;			  /* bound files (and mappings); 0 when kept */
	__u32 capacity;
	__u32 mode;	    /* RINGPIPE_MODE_MESSAGE or RINGPIPE_MODE_BYTE */
	__u32 used;	    /* bytes in the ring */
	__u32 attached;	    /* slots in use */
	__u32 readers;	    /* handles with the reader role */
	__u32 writers;	    /* handles with the writer role */
	__u32 writers_ever; /* handles that ever took the writer role */
	__u32 abandoned;    /* reservations skipped because their writer died */
	__u32 corrupt;	    /* 1 if head and tail break the format */
	__u64 msgs_in;
	__u64 bytes_in;
	__u64 msgs_out;
	__u64 bytes_out;
	/* ABI 2 (the version 1 ioctls copy only the fields above): */
	__u32 flags;	      /* RINGPIPE_INFO_* */
	__u32 reserved;	      /* zero */
	__u64 unread_msgs;    /* msgs_in - msgs_out - abandoned */
	__u64 unread_bytes;   /* bytes_in - bytes_out */
	__u64 kept_since_ms;  /* kept: when its last file closed (ms since the epoch), else 0 */
	__u64 ttl_ms;	      /* 0: none */
};

/* ringpipe_info.flags */
#define RINGPIPE_INFO_KEPT 0x1u /* no file has it open: kept for its unread messages */
#define RINGPIPE_INFO_V1_SIZE 152u /* struct ringpipe_info of ABI version 1 */

/*
 * RINGPIPE_IOC_STAT: the pipe `name` (any file, bound or not), or with
 * name_len 0 the pipe this file is bound to. ENOENT if nobody has it open,
 * EACCES unless the caller owns it or may read it.
 */
struct ringpipe_stat {
	char name[RINGPIPE_NAME_MAX]; /* in */
	__u32 name_len;		      /* in */
	__u32 reserved;		      /* zero */
	struct ringpipe_info info;    /* out */
};

/*
 * RINGPIPE_IOC_LIST: the pipes the caller owns or may read. Fills up to max
 * entries at the user address `entries` and sets count to how many there are
 * (call with max 0 to size the array).
 */
struct ringpipe_list {
	__u64 entries;	  /* in: address of struct ringpipe_info[max] */
	__u32 max;	  /* in */
	__u32 count;	  /* out */
	__u32 entry_size; /* out: sizeof(struct ringpipe_info) */
	__u32 reserved;	  /* zero */
};

/*
 * RINGPIPE_IOC_REMOVE: takes the name away, like mq_unlink(): files bound
 * to the pipe keep it, the next BIND of the name creates a new one, and a
 * kept pipe goes at once with its unread messages. ENOENT if there is no
 * such pipe, EACCES unless the caller owns it or has CAP_SYS_ADMIN.
 */
struct ringpipe_remove {
	char name[RINGPIPE_NAME_MAX]; /* in */
	__u32 name_len;		      /* in */
	__u32 reserved;		      /* zero */
};

/*
 * RINGPIPE_IOC_USAGE: what a uid holds against max_user_bytes and
 * max_user_pipes (the caller's own; another uid's needs CAP_SYS_ADMIN).
 */
#define RINGPIPE_USAGE_SELF 0xffffffffu
struct ringpipe_usage {
	__u32 uid;   /* in: RINGPIPE_USAGE_SELF or a uid */
	__u32 pipes; /* out */
	__u64 bytes; /* out: ring memory (capacity + 4096 per pipe) */
};

/*
 * RINGPIPE_IOC_RECV: read() that tells an empty message from EOF. Returns 0
 * with len set to the message length (byte mode: bytes copied) and flags 0,
 * or with RINGPIPE_RECV_EOF in flags at EOF. EMSGSIZE when the message is
 * longer than size: len then holds its length and nothing is consumed.
 */
#define RINGPIPE_RECV_EOF 0x1u
struct ringpipe_recv {
	__u64 buf;	/* in: user address */
	__u32 size;	/* in: bytes at buf */
	__u32 len;	/* out */
	__u32 flags;	/* out: RINGPIPE_RECV_* */
	__u32 reserved; /* zero */
};

/* RINGPIPE_IOC_ROLE argument (a __u32): the ring roles of this handle. */
#define RINGPIPE_ROLE_WRITE_BEGIN 1u /* needs write access */
#define RINGPIPE_ROLE_WRITE_END 2u   /* readers see EOF once all writers ended */
#define RINGPIPE_ROLE_READ_BEGIN 3u  /* needs read access */
#define RINGPIPE_ROLE_READ_END 4u

/*
 * RINGPIPE_IOC_WAKE argument (a __u32 of bits): wakes the sleepers of the
 * bound pipe. For clients that write or read through the mapping: after
 * bumping data_seq (space_seq) as docs/ring-format.md says, they call this
 * instead of FUTEX_WAKE, so that read(), write() and poll() callers wake.
 */
#define RINGPIPE_WAKE_DATA 0x1u
#define RINGPIPE_WAKE_SPACE 0x2u

/*
 * RINGPIPE_IOC_WANT argument (a __u32): poll() reports POLLOUT for this file
 * once a record of that many payload bytes fits. A write() that failed with
 * EAGAIN sets it to its own size.
 */

#define RINGPIPE_IOC_MAGIC 0xB8
#define RINGPIPE_IOC_VERSION _IOR(RINGPIPE_IOC_MAGIC, 0x00, __u32)
#define RINGPIPE_IOC_BIND _IOWR(RINGPIPE_IOC_MAGIC, 0x01, struct ringpipe_bind)
#define RINGPIPE_IOC_STAT _IOWR(RINGPIPE_IOC_MAGIC, 0x02, struct ringpipe_stat)
#define RINGPIPE_IOC_LIST _IOWR(RINGPIPE_IOC_MAGIC, 0x03, struct ringpipe_list)
#define RINGPIPE_IOC_ROLE _IOW(RINGPIPE_IOC_MAGIC, 0x04, __u32)
#define RINGPIPE_IOC_WAKE _IOW(RINGPIPE_IOC_MAGIC, 0x05, __u32)
#define RINGPIPE_IOC_WANT _IOW(RINGPIPE_IOC_MAGIC, 0x06, __u32)
#define RINGPIPE_IOC_RECV _IOWR(RINGPIPE_IOC_MAGIC, 0x07, struct ringpipe_recv)
#define RINGPIPE_IOC_REMOVE _IOW(RINGPIPE_IOC_MAGIC, 0x08, struct ringpipe_remove)
#define RINGPIPE_IOC_USAGE _IOWR(RINGPIPE_IOC_MAGIC, 0x09, struct ringpipe_usage)
/* ABI version 1's STAT and LIST (struct ringpipe_info of 152 bytes), still served. */
#define RINGPIPE_IOC_STAT_V1 _IOC(_IOC_READ | _IOC_WRITE, RINGPIPE_IOC_MAGIC, 0x02, 224)
#define RINGPIPE_IOC_LIST_V1 _IOC(_IOC_READ | _IOC_WRITE, RINGPIPE_IOC_MAGIC, 0x03, 16)

#endif
