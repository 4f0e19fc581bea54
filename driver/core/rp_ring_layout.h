/* Byte layout of a ring segment, version 3 (docs/ring-format.md). */
#ifndef RP_RING_LAYOUT_H
#define RP_RING_LAYOUT_H

#define RP_MAGIC 0x50495052u /* bytes 52 50 49 50, "RPIP" */
#define RP_VERSION 3u
#define RP_HEADER_SIZE 4096u
#define RP_CAP_MIN 64u
#define RP_CAP_MAX (1u << 30)
#define RP_SLOT_COUNT 128u
#define RP_SLOT_OFFSET 256u
#define RP_SLOT_SIZE 16u
#define RP_DATA_OFFSET 4096u

/* Header fields: byte offsets of u32 words. */
#define RP_OFF_MAGIC 0u
#define RP_OFF_VERSION 4u /* u16 version, then u16 header_size at 6 */
#define RP_OFF_CAPACITY 8u
#define RP_OFF_MODE 12u
#define RP_OFF_SLOT_COUNT 16u
#define RP_OFF_SLOT_OFFSET 20u
#define RP_OFF_DATA_OFFSET 24u
#define RP_OFF_LINE0_ZERO 28u /* zeros up to line 1, but for ttl_ms */
#define RP_OFF_TTL_MS 32u /* u64 lo, hi: a kept pipe's time to live, 0 none */
#define RP_OFF_HEAD 64u
#define RP_OFF_WLOCK 68u
#define RP_OFF_SPACE_SEQ 72u
#define RP_OFF_MSGS_IN 80u /* u32 lo, u32 hi */
#define RP_OFF_BYTES_IN 88u
/* Cursor batches: committed cursor and the one in flight (u64 each), its span and writer. */
#define RP_OFF_CURSOR 96u
#define RP_OFF_CURSOR_NEXT 104u
#define RP_OFF_CURSOR_FROM 112u
#define RP_OFF_CURSOR_TO 116u
#define RP_OFF_CURSOR_OWNER 120u
/* The writers' line holds what a writer checks after each Write: whether readers sleep. */
#define RP_OFF_READERS_WAITING 124u
#define RP_OFF_TAIL 128u /* low half of tail64 */
#define RP_OFF_TAIL_SKIP 132u /* high half of tail64 */
#define RP_OFF_TAIL64 128u
#define RP_OFF_RLOCK 136u
#define RP_OFF_DATA_SEQ 140u
/*
 * What a sleeper adds to readers_waiting / writers_waiting: sleepers on the
 * seq word (futex, driver) count in the low 16 bits, sleepers on the pipe's
 * bell (a FIFO beside an shm segment) in the high 16.
 */
#define RP_OS_WAITER 1u
#define RP_BELL_WAITER 0x10000u
#define RP_OFF_ABANDONED 148u
#define RP_OFF_MSGS_OUT 152u
#define RP_OFF_BYTES_OUT 160u
/* The readers' line holds what a reader checks after each Read: whether writers sleep. */
#define RP_OFF_WRITERS_WAITING 168u
#define RP_OFF_ATTACH_SEQ 192u
#define RP_OFF_WRITERS_EVER 196u
#define RP_OFF_KEPT_SINCE_MS 200u /* u64 lo, hi: when the last handle left a kept pipe */

/* Slot fields, relative to RP_SLOT_OFFSET + index * RP_SLOT_SIZE. */
#define RP_SLOT_PID 0u
#define RP_SLOT_TOKEN 4u
#define RP_SLOT_ROLE 8u
#define RP_SLOT_WRITING 12u

#define RP_ROLE_WRITER 1u
#define RP_ROLE_READER 2u

#define RP_MODE_MESSAGE 1u
#define RP_MODE_BYTE 2u

/* Records: word0 = state << 30 | len, then the owner token, then payload. */
#define RP_REC_HDR 8u
#define RP_REC_RESERVED 1u
#define RP_REC_COMMITTED 2u
#define RP_REC_ABANDONED 3u
#define RP_REC_STATE_SHIFT 30u
#define RP_REC_LEN_MASK 0x3fffffffu

#endif
