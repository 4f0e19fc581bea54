#include "gen_cases.h"

#include <stddef.h>

#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))
#define ATTACH(p, r) { .op = "attach", .pid = (p), .role = (r), .max = -1 }
/* The _W forms also say which sleepers the op's wake reaches (NOBODY: none). */
#define WRITE_W(s, t, e, w) \
	{ .op = "write", .slot = (s), .text = (t), .expect = (e), .max = -1, .written = -1, .wakes = (w) }
#define WRITE(s, t, e) WRITE_W(s, t, e, NULL)
#define WRITE_FILL(s, n, sd, e) \
	{ .op = "write", .slot = (s), .fill = (n), .seed = (sd), .expect = (e), .max = -1, .written = -1 }
/* Byte mode: a write that stops after w bytes. */
#define WRITE_PART(s, n, sd, w) \
	{ .op = "write", .slot = (s), .fill = (n), .seed = (sd), .expect = "full", .max = -1, .written = (w) }
#define RESERVE_W(s, n, e, w) { .op = "reserve", .slot = (s), .len = (n), .expect = (e), .max = -1, .wakes = (w) }
#define RESERVE(s, n, e) RESERVE_W(s, n, e, NULL)
#define ABANDON_W(s, e, w) { .op = "abandon", .slot = (s), .expect = (e), .max = -1, .wakes = (w) }
#define ABANDON(s, e) ABANDON_W(s, e, NULL)
#define READ_W(s, t, w) { .op = "read", .slot = (s), .text = (t), .expect = "ok", .max = -1, .wakes = (w) }
#define READ(s, t) READ_W(s, t, NULL)
#define READ_MAX(s, m, t) { .op = "read", .slot = (s), .text = (t), .expect = "ok", .max = (m) }
#define READ_FILL_W(s, m, n, sd, f, w) \
	{ .op = "read", .slot = (s), .max = (m), .fill = (n), .seed = (sd), .from = (f), .expect = "ok", .wakes = (w) }
#define READ_FILL(s, m, n, sd, f) READ_FILL_W(s, m, n, sd, f, NULL)
#define READ_NOT_W(s, m, e, w) { .op = "read", .slot = (s), .max = (m), .expect = (e), .wakes = (w) }
#define READ_NOT(s, m, e) READ_NOT_W(s, m, e, NULL)
#define END_W(s, w) { .op = "end", .slot = (s), .max = -1, .wakes = (w) }
#define END(s) END_W(s, NULL)
#define DETACH_W(s, w) { .op = "detach", .slot = (s), .max = -1, .wakes = (w) }
#define DETACH(s) DETACH_W(s, NULL)
#define CRASH_W(s, w) { .op = "crash", .slot = (s), .max = -1, .wakes = (w) }
#define CRASH(s) CRASH_W(s, NULL)
#define HOLD(s, l) { .op = "hold", .slot = (s), .lock = (l), .max = -1 }
#define POKE(o, v) { .op = "poke", .offset = (o), .value = (v), .max = -1 }
#define WAIT(w, k) { .op = "wait", .on = (w), .waiter = (k), .max = -1 }
#define UNWAIT(w, k) { .op = "unwait", .on = (w), .waiter = (k), .max = -1 }
#define EOF_IS(s, e) { .op = "eof", .slot = (s), .expect = (e), .max = -1 }

/* Header words a hostile peer pokes (docs/ring-format.md, "Header page"). */
#define HEAD 0x40u
#define WLOCK 0x44u
#define TAIL 0x80u
#define TAIL_SKIP 0x84u
#define RLOCK 0x88u
#define WRITERS_WAITING 0xa8u
#define READERS_WAITING 0x7cu
#define WRITERS_EVER 0xc4u
#define CURSOR 0x60u
#define CURSOR_NEXT 0x68u
#define CURSOR_FROM 0x70u
#define CURSOR_TO 0x74u
#define CURSOR_OWNER 0x78u
#define WRITING(slot) (0x10cu + 16u * (slot))
#define DATA 0x1000u
#define COMMITTED(len) (0x80000000u | (len))
#define NOBODY ""

static const struct gen_op one_message[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "hello", "ok"), EOF_IS(1, "false"),
};

/* The example of docs/ring-format.md, "Test vectors". */
static const struct gen_op doc_example[] = {
	ATTACH(100, "writer"), WRITE(0, "hello", "ok"),
	READ_MAX(0, 2, "he"), EOF_IS(0, "false"),
};

static const struct gen_op several_messages[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "a", "ok"), WRITE(0, "12345678", "ok"), WRITE(0, "thirteen char", "ok"),
	READ(1, "a"), READ(1, "12345678"), EOF_IS(1, "false"),
};

/* The second message's header is at 48, its payload at 56..63 and 0..11. */
static const struct gen_op wrap_payload[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE_FILL(0, 40, 1, "ok"), READ_FILL(1, -1, 40, 1, 0),
	WRITE_FILL(0, 20, 2, "ok"), READ_FILL(1, -1, 20, 2, 0),
	WRITE_FILL(0, 30, 3, "ok"),
};

static const struct gen_op positions_go_round[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE_FILL(0, 13, 4, "ok"), READ_FILL(1, -1, 13, 4, 0),
	WRITE_FILL(0, 30, 5, "ok"), READ_FILL(1, -1, 30, 5, 0),
	WRITE_FILL(0, 7, 6, "ok"), READ_FILL(1, -1, 7, 6, 0),
	WRITE_FILL(0, 50, 7, "ok"), READ_FILL(1, -1, 50, 7, 0),
	WRITE_FILL(0, 0, 8, "ok"), READ_FILL(1, -1, 0, 8, 0),
	WRITE_FILL(0, 21, 9, "ok"), WRITE_FILL(0, 9, 10, "ok"),
	READ_FILL(1, -1, 21, 9, 0),
};

static const struct gen_op zero_length[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "", "ok"), WRITE(0, "z", "ok"),
	READ_MAX(1, 0, ""), READ_NOT(1, 0, "too_small"), READ(1, "z"),
	READ_NOT(1, -1, "empty"),
};

static const struct gen_op full_ring[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE_FILL(0, 24, 1, "ok"), WRITE_FILL(0, 24, 2, "ok"), WRITE(0, "", "full"),
	READ_FILL(1, -1, 24, 1, 0), WRITE_FILL(0, 17, 3, "ok"), WRITE(0, "", "full"),
	READ_FILL(1, -1, 24, 2, 0),
};

static const struct gen_op too_big[] = {
	ATTACH(100, "writer"),
	WRITE_FILL(0, 57, 1, "too_big"), WRITE_FILL(0, 56, 2, "ok"),
};

static const struct gen_op too_small[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "hello world", "ok"),
	READ_NOT(1, 10, "too_small"), READ_MAX(1, 11, "hello world"),
};

/* Records of 56 and 44 bytes; reads of 20, 36 (end of record) and 10. */
static const struct gen_op byte_split[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE_FILL(0, 100, 7, "ok"),
	READ_FILL(1, 20, 20, 7, 0), READ_FILL(1, 100, 36, 7, 20),
	READ_FILL(1, 10, 10, 7, 56),
};

/* 24-byte records: two fit, the third is refused, the first two stay. */
static const struct gen_op byte_full[] = {
	ATTACH(100, "writer"),
	WRITE_PART(0, 60, 1, 48),
	ATTACH(200, "reader"),
	READ_FILL(1, -1, 24, 1, 0), WRITE_FILL(0, 5, 2, "ok"),
	READ_FILL(1, 4, 4, 1, 24),
};

static const struct gen_op reserve_then_crash[] = {
	ATTACH(100, "writer"), ATTACH(101, "writer"), ATTACH(200, "reader"),
	RESERVE(0, 10, "ok"), WRITE(1, "after", "ok"),
	READ_NOT(2, -1, "busy"), CRASH(0), READ(2, "after"),
	EOF_IS(2, "false"), DETACH(1), EOF_IS(2, "true"),
};

static const struct gen_op detach_reuse[] = {
	ATTACH(100, "reader"), ATTACH(200, "writer"), DETACH(0),
	ATTACH(300, "none"), WRITE(1, "x", "ok"), READ(0, "x"),
};

/* The crashed slot is attached anew; its old reservation is skipped. */
static const struct gen_op crash_reuse[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), RESERVE(0, 6, "ok"),
	CRASH(0), ATTACH(300, "writer"), WRITE(0, "fresh", "ok"), READ(1, "fresh"),
	READ_NOT(1, -1, "empty"),
};

static const struct gen_op eof_before_writer[] = {
	ATTACH(200, "reader"), EOF_IS(0, "false"),
	ATTACH(100, "none"), EOF_IS(0, "false"), END(1), EOF_IS(0, "false"),
	DETACH(1), EOF_IS(0, "false"),
};

static const struct gen_op eof_after_end[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "bye", "ok"), END(0), EOF_IS(1, "false"),
	READ(1, "bye"), EOF_IS(1, "true"), READ_NOT(1, -1, "empty"),
};

static const struct gen_op end_bumps_data_seq[] = {
	ATTACH(100, "writer"), ATTACH(101, "none"), ATTACH(102, "writer"),
	END(0), END(0), END(1), DETACH(2), EOF_IS(1, "true"),
};

static const struct gen_op crashed_writer_eof[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "one", "ok"), WRITE(0, "two", "ok"), CRASH(0),
	EOF_IS(1, "false"), READ(1, "one"), READ(1, "two"), EOF_IS(1, "true"),
};

/* The reader remembers writers_ever; a reader that never saw it does not. */
static const struct gen_op eof_latch[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "z", "ok"), END(0),
	EOF_IS(1, "false"), READ(1, "z"), EOF_IS(1, "true"), POKE(WRITERS_EVER, 0),
	EOF_IS(1, "true"), ATTACH(300, "reader"), EOF_IS(2, "false"),
};

/* Corrupt values a Read or Write meets (docs/ring-format.md, "Checks"). */
static const struct gen_op corrupt_head_misaligned[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "abc", "ok"),
	POKE(HEAD, 0x14), WRITE(0, "d", "corrupt"), READ_NOT(1, -1, "corrupt"),
};

/*
 * The ring is full first: a writer that keeps the tail it saw (Positions seen)
 * must load it again for the next Write, and finds the bad one.
 */
static const struct gen_op corrupt_tail_misaligned[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "abc", "ok"),
	WRITE(0, "abc", "ok"), WRITE(0, "abc", "ok"), WRITE(0, "abc", "ok"),
	POKE(TAIL, 4), WRITE(0, "d", "corrupt"), READ_NOT(1, -1, "corrupt"),
};

/* Each bad pair is bad with the tail the writer saw (0) as well. */
static const struct gen_op corrupt_used_over_capacity[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "abc", "ok"),
	POKE(HEAD, 0x48), WRITE(0, "d", "corrupt"), READ_NOT(1, -1, "corrupt"),
	POKE(HEAD, 0x50), POKE(TAIL, 0x58), WRITE(0, "d", "corrupt"),
	READ_NOT(1, -1, "corrupt"),
};

static const struct gen_op corrupt_state_0[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "abc", "ok"),
	POKE(DATA, 3), READ_NOT(1, -1, "corrupt"),
};

static const struct gen_op corrupt_len_over_max_record[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE_FILL(0, 100, 1, "ok"),
	POKE(DATA, COMMITTED(57)), READ_NOT(1, -1, "corrupt"),
	POKE(DATA, COMMITTED(56)), READ_FILL(1, -1, 56, 1, 0),
};

static const struct gen_op corrupt_size_over_used[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "abc", "ok"),
	POKE(DATA, COMMITTED(9)), READ_NOT(1, -1, "corrupt"),
	POKE(DATA, COMMITTED(2)), READ(1, "ab"),
};

static const struct gen_op corrupt_tail_skip_ge_len[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE_FILL(0, 10, 2, "ok"),
	READ_FILL(1, 4, 4, 2, 0), POKE(TAIL_SKIP, 10), READ_NOT(1, -1, "corrupt"),
	POKE(TAIL_SKIP, 9), READ_FILL(1, -1, 1, 2, 9),
};

static const struct gen_op corrupt_tail_skip_message[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "abc", "ok"),
	POKE(TAIL_SKIP, 1), READ_NOT(1, -1, "corrupt"),
};

static const struct gen_op corrupt_tail_skip_empty[] = {
	ATTACH(200, "reader"), POKE(TAIL_SKIP, 4), READ_NOT(0, -1, "corrupt"),
};

static const struct gen_op corrupt_byte_len_0[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE_FILL(0, 10, 3, "ok"),
	POKE(DATA, COMMITTED(0)), READ_NOT(1, -1, "corrupt"),
};

/* A reservation: BUSY while its live owner is writing, CORRUPT once it says it is not. */
static const struct gen_op reserved_not_writing[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), RESERVE(0, 4, "ok"),
	READ_NOT(1, -1, "busy"), POKE(WRITING(0), 0), READ_NOT(1, -1, "corrupt"),
	POKE(WRITING(0), 1), READ_NOT(1, -1, "busy"),
};

static const struct gen_op abandon_op[] = {
	ATTACH(100, "writer"), ATTACH(101, "writer"), ATTACH(200, "reader"),
	RESERVE(0, 5, "ok"), WRITE(1, "after", "ok"), READ_NOT(2, -1, "busy"),
	ABANDON(0, "ok"), READ(2, "after"), READ_NOT(2, -1, "empty"),
};

/* writing counts the slot's Writes in progress. */
static const struct gen_op two_reservations_one_slot[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), RESERVE(0, 3, "ok"),
	RESERVE(0, 4, "ok"), ABANDON(0, "ok"), READ_NOT(1, -1, "busy"), CRASH(0),
	READ_NOT(1, -1, "empty"),
};

/*
 * Cursor batches (docs/ring-format.md): a writer that reserved "hello" at 0
 * as a cursor batch (cursor_next 7, span 0..16, owner token 1) and copied it,
 * then died. Its records are committed if cursor == cursor_next (it reached
 * the commit point), skipped otherwise, and only under its span and token.
 */
#define CURSOR_BATCH_OF_HELLO(owner) \
	ATTACH(100, "writer"), ATTACH(200, "reader"), RESERVE(0, 5, "ok"), \
	POKE(DATA + 8, 0x6c6c6568u), POKE(DATA + 12, 0x6fu), \
	POKE(CURSOR_NEXT, 7), POKE(CURSOR_FROM, 0), POKE(CURSOR_TO, 16), \
	POKE(CURSOR_OWNER, (owner))

static const struct gen_op cursor_batch_committed[] = {
	CURSOR_BATCH_OF_HELLO(1), POKE(CURSOR, 7), READ_NOT(1, -1, "busy"),
	CRASH(0), READ(1, "hello"), READ_NOT(1, -1, "empty"),
};

static const struct gen_op cursor_batch_not_committed[] = {
	CURSOR_BATCH_OF_HELLO(1), POKE(CURSOR, 6), CRASH(0), READ_NOT(1, -1, "empty"),
};

static const struct gen_op cursor_batch_other_owner[] = {
	CURSOR_BATCH_OF_HELLO(9), POKE(CURSOR, 7), CRASH(0), READ_NOT(1, -1, "empty"),
};

/* The span covers the first record only: the second is skipped. */
static const struct gen_op cursor_batch_span[] = {
	CURSOR_BATCH_OF_HELLO(1), RESERVE(0, 3, "ok"), POKE(CURSOR, 7), CRASH(0),
	READ(1, "hello"), READ_NOT(1, -1, "empty"),
};

/* A 24-byte payload at 56..63 and 0..15, read 5, 7, 3 and 9 bytes at a time. */
static const struct gen_op byte_partial_reads[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE_FILL(0, 16, 1, "ok"), READ_FILL(1, -1, 16, 1, 0),
	WRITE_FILL(0, 16, 2, "ok"), READ_FILL(1, -1, 16, 2, 0),
	WRITE_FILL(0, 24, 3, "ok"), READ_FILL(1, 5, 5, 3, 0),
	READ_FILL(1, 7, 7, 3, 5), READ_FILL(1, 3, 3, 3, 12),
	READ_FILL(1, 100, 9, 3, 15), WRITE_FILL(0, 20, 4, "ok"),
	READ_NOT(1, 0, "too_small"), READ_FILL(1, 20, 20, 4, 0),
	WRITE_FILL(0, 10, 5, "ok"), READ_FILL(1, 4, 4, 5, 0),
};

/* Records of 24 bytes at most; a write reports the bytes that went in. */
static const struct gen_op byte_split_written[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WRITE(0, "", "ok"),
	WRITE_FILL(0, 48, 1, "ok"), WRITE_PART(0, 5, 2, 0),
	READ_FILL(1, -1, 24, 1, 0), WRITE_PART(0, 30, 3, 24),
	READ_FILL(1, 10, 10, 1, 24),
};

/* A live holder keeps a lock (LOCKED, not an error); a dead one's is stolen. */
static const struct gen_op hold_write_lock[] = {
	ATTACH(100, "writer"), ATTACH(101, "writer"), ATTACH(200, "reader"),
	HOLD(0, "write"), WRITE(1, "x", "locked"), RESERVE(1, 2, "locked"),
	CRASH(0), WRITE(1, "x", "ok"), READ(2, "x"),
};

static const struct gen_op hold_read_lock[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), ATTACH(201, "reader"),
	WRITE(0, "y", "ok"), HOLD(1, "read"), READ_NOT(2, -1, "locked"),
	CRASH(1), READ(2, "y"),
};

static const struct gen_op lock_of_unknown_token[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), POKE(WLOCK, 0x1234),
	POKE(RLOCK, 0x4321), WRITE(0, "u", "ok"), READ(1, "u"),
};

/*
 * Waking (docs/ring-format.md, "Waiting"): what each op's wake reaches.
 * With no sleeper nothing is bumped but by end; reserve and crash never wake.
 */
static const struct gen_op wake_nobody[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE_W(0, "a", "ok", NOBODY), RESERVE_W(0, 3, "ok", NOBODY),
	ABANDON_W(0, "ok", NOBODY), READ_W(1, "a", NOBODY),
	READ_NOT_W(1, -1, "empty", NOBODY), CRASH_W(0, NOBODY),
};

static const struct gen_op wake_data_bell[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WAIT("data", "bell"),
	WRITE_W(0, "a", "ok", "data-bell"), READ_W(1, "a", NOBODY),
};

static const struct gen_op wake_data_os_and_bell[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WAIT("data", "os"), WAIT("data", "bell"),
	WRITE_W(0, "a", "ok", "data-os data-bell"), UNWAIT("data", "os"),
	WRITE_W(0, "b", "ok", "data-bell"), UNWAIT("data", "bell"),
	WRITE_W(0, "c", "ok", NOBODY),
};

/* A FULL write made nothing and wakes nobody; an EMPTY read moved nothing. */
static const struct gen_op wake_space_bell[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE_FILL(0, 24, 1, "ok"), WRITE_FILL(0, 24, 2, "ok"),
	WAIT("space", "bell"), WAIT("data", "os"), WRITE_W(0, "", "full", NOBODY),
	READ_FILL_W(1, -1, 24, 1, 0, "space-bell"), WAIT("space", "os"),
	READ_FILL_W(1, -1, 24, 2, 0, "space-os space-bell"),
	READ_NOT_W(1, -1, "empty", NOBODY),
};

/* A Read that only skips an abandoned record moved tail: it wakes writers. */
static const struct gen_op wake_abandon_and_skip[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WAIT("data", "os"),
	RESERVE_W(0, 4, "ok", NOBODY), ABANDON_W(0, "ok", "data-os"),
	WAIT("space", "os"), READ_NOT_W(1, -1, "empty", "space-os"),
};

/* end bumps data_seq even with no sleeper; only a writer's end wakes. */
static const struct gen_op wake_end_bell[] = {
	ATTACH(100, "writer"), ATTACH(101, "writer"), ATTACH(102, "writer"),
	ATTACH(200, "reader"), END_W(0, NOBODY), WAIT("data", "bell"),
	END_W(1, "data-bell"), END_W(1, NOBODY), DETACH_W(2, "data-bell"),
	EOF_IS(3, "true"),
};

/* A dead writer wakes no one: sleepers see it at their re-check. */
static const struct gen_op wake_crash_silent[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"), WAIT("data", "bell"),
	CRASH_W(0, NOBODY), EOF_IS(1, "true"),
};

static const struct gen_op wake_hostile_counts[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	POKE(READERS_WAITING, 0x00030002), WRITE_W(0, "a", "ok", "data-os data-bell"),
	POKE(READERS_WAITING, 0xffff0000), WRITE_W(0, "b", "ok", "data-bell"),
	POKE(READERS_WAITING, 0x0000ffff), WRITE_W(0, "c", "ok", "data-os"),
	POKE(READERS_WAITING, 0), WRITE_W(0, "d", "ok", NOBODY),
	POKE(WRITERS_WAITING, 0x80000001), READ_W(1, "a", "space-os space-bell"),
	POKE(WRITERS_WAITING, 0x00010000), READ_W(1, "b", "space-bell"),
};

static const struct gen_op wake_after_unwait[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WAIT("data", "os"), WAIT("data", "bell"), WAIT("space", "os"),
	WAIT("space", "bell"), UNWAIT("data", "bell"), UNWAIT("space", "os"),
	UNWAIT("data", "os"), UNWAIT("space", "bell"),
	WRITE_W(0, "a", "ok", NOBODY), READ_W(1, "a", NOBODY),
};

const struct gen_case gen_cases[] = {
	{ "init_empty", 64, "message", NULL, 0 },
	{ "init_empty_byte", 128, "byte", NULL, 0 },
	{ "one_message", 64, "message", one_message, N(one_message) },
	{ "doc_example", 64, "byte", doc_example, N(doc_example) },
	{ "several_messages", 128, "message", several_messages, N(several_messages) },
	{ "wrap_payload", 64, "message", wrap_payload, N(wrap_payload) },
	{ "positions_go_round", 64, "message", positions_go_round, N(positions_go_round) },
	{ "zero_length", 64, "message", zero_length, N(zero_length) },
	{ "full_ring", 64, "message", full_ring, N(full_ring) },
	{ "too_big", 64, "message", too_big, N(too_big) },
	{ "too_small", 64, "message", too_small, N(too_small) },
	{ "byte_split", 128, "byte", byte_split, N(byte_split) },
	{ "byte_full", 64, "byte", byte_full, N(byte_full) },
	{ "reserve_then_crash", 128, "message", reserve_then_crash, N(reserve_then_crash) },
	{ "detach_reuse", 64, "message", detach_reuse, N(detach_reuse) },
	{ "eof_before_writer", 64, "message", eof_before_writer, N(eof_before_writer) },
	{ "eof_after_end", 64, "message", eof_after_end, N(eof_after_end) },
	{ "end_bumps_data_seq", 64, "message", end_bumps_data_seq, N(end_bumps_data_seq) },
	{ "crashed_writer_eof", 64, "message", crashed_writer_eof, N(crashed_writer_eof) },
	{ "crash_reuse", 64, "message", crash_reuse, N(crash_reuse) },
	{ "eof_latch", 64, "message", eof_latch, N(eof_latch) },
	{ "corrupt_head_misaligned", 64, "message", corrupt_head_misaligned,
	  N(corrupt_head_misaligned) },
	{ "corrupt_tail_misaligned", 64, "message", corrupt_tail_misaligned,
	  N(corrupt_tail_misaligned) },
	{ "corrupt_used_over_capacity", 64, "message", corrupt_used_over_capacity,
	  N(corrupt_used_over_capacity) },
	{ "corrupt_state_0", 64, "message", corrupt_state_0, N(corrupt_state_0) },
	{ "corrupt_len_over_max_record", 128, "byte", corrupt_len_over_max_record,
	  N(corrupt_len_over_max_record) },
	{ "corrupt_size_over_used", 64, "message", corrupt_size_over_used,
	  N(corrupt_size_over_used) },
	{ "corrupt_tail_skip_ge_len", 64, "byte", corrupt_tail_skip_ge_len,
	  N(corrupt_tail_skip_ge_len) },
	{ "corrupt_tail_skip_message", 64, "message", corrupt_tail_skip_message,
	  N(corrupt_tail_skip_message) },
	{ "corrupt_tail_skip_empty", 64, "byte", corrupt_tail_skip_empty,
	  N(corrupt_tail_skip_empty) },
	{ "corrupt_byte_len_0", 64, "byte", corrupt_byte_len_0, N(corrupt_byte_len_0) },
	{ "reserved_not_writing", 64, "message", reserved_not_writing,
	  N(reserved_not_writing) },
	{ "abandon_op", 128, "message", abandon_op, N(abandon_op) },
	{ "two_reservations_one_slot", 64, "message", two_reservations_one_slot,
	  N(two_reservations_one_slot) },
	{ "cursor_batch_committed", 64, "message", cursor_batch_committed,
	  N(cursor_batch_committed) },
	{ "cursor_batch_not_committed", 64, "message", cursor_batch_not_committed,
	  N(cursor_batch_not_committed) },
	{ "cursor_batch_other_owner", 64, "message", cursor_batch_other_owner,
	  N(cursor_batch_other_owner) },
	{ "cursor_batch_span", 64, "message", cursor_batch_span, N(cursor_batch_span) },
	{ "byte_partial_reads", 64, "byte", byte_partial_reads, N(byte_partial_reads) },
	{ "byte_split_written", 64, "byte", byte_split_written, N(byte_split_written) },
	{ "hold_write_lock", 64, "message", hold_write_lock, N(hold_write_lock) },
	{ "hold_read_lock", 64, "message", hold_read_lock, N(hold_read_lock) },
	{ "lock_of_unknown_token", 64, "message", lock_of_unknown_token,
	  N(lock_of_unknown_token) },
	{ "wake_nobody", 64, "message", wake_nobody, N(wake_nobody) },
	{ "wake_data_bell", 64, "message", wake_data_bell, N(wake_data_bell) },
	{ "wake_data_os_and_bell", 64, "message", wake_data_os_and_bell,
	  N(wake_data_os_and_bell) },
	{ "wake_space_bell", 64, "message", wake_space_bell, N(wake_space_bell) },
	{ "wake_abandon_and_skip", 64, "message", wake_abandon_and_skip,
	  N(wake_abandon_and_skip) },
	{ "wake_end_bell", 64, "message", wake_end_bell, N(wake_end_bell) },
	{ "wake_crash_silent", 64, "byte", wake_crash_silent, N(wake_crash_silent) },
	{ "wake_hostile_counts", 64, "message", wake_hostile_counts,
	  N(wake_hostile_counts) },
	{ "wake_after_unwait", 64, "message", wake_after_unwait, N(wake_after_unwait) },
};

const uint32_t gen_case_count = N(gen_cases);
