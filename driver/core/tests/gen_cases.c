#include "gen_cases.h"

#include <stddef.h>

#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))
#define ATTACH(p, r) { .op = "attach", .pid = (p), .role = (r), .max = -1 }
#define WRITE(s, t, e) { .op = "write", .slot = (s), .text = (t), .expect = (e), .max = -1 }
#define WRITE_FILL(s, n, sd, e) \
	{ .op = "write", .slot = (s), .fill = (n), .seed = (sd), .expect = (e), .max = -1 }
#define RESERVE(s, n, e) { .op = "reserve", .slot = (s), .len = (n), .expect = (e), .max = -1 }
#define READ(s, t) { .op = "read", .slot = (s), .text = (t), .expect = "ok", .max = -1 }
#define READ_MAX(s, m, t) { .op = "read", .slot = (s), .text = (t), .expect = "ok", .max = (m) }
#define READ_FILL(s, m, n, sd, f) \
	{ .op = "read", .slot = (s), .max = (m), .fill = (n), .seed = (sd), .from = (f), .expect = "ok" }
#define READ_NOT(s, m, e) { .op = "read", .slot = (s), .max = (m), .expect = (e) }
#define END(s) { .op = "end", .slot = (s), .max = -1 }
#define DETACH(s) { .op = "detach", .slot = (s), .max = -1 }
#define CRASH(p) { .op = "crash", .pid = (p), .max = -1 }
#define EOF_IS(e) { .op = "eof", .expect = (e), .max = -1 }

static const struct gen_op one_message[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "hello", "ok"), EOF_IS("false"),
};

/* The example of docs/ring-format.md, "Test vectors". */
static const struct gen_op doc_example[] = {
	ATTACH(100, "writer"), WRITE(0, "hello", "ok"),
	READ_NOT(0, 2, "too_small"), EOF_IS("false"),
};

static const struct gen_op several_messages[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "a", "ok"), WRITE(0, "12345678", "ok"), WRITE(0, "thirteen char", "ok"),
	READ(1, "a"), READ(1, "12345678"), EOF_IS("false"),
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
	WRITE_FILL(0, 60, 1, "full"),
	ATTACH(200, "reader"),
	READ_FILL(1, -1, 24, 1, 0), WRITE_FILL(0, 5, 2, "ok"),
	READ_FILL(1, 4, 4, 1, 24),
};

static const struct gen_op reserve_then_crash[] = {
	ATTACH(100, "writer"), ATTACH(101, "writer"), ATTACH(200, "reader"),
	RESERVE(0, 10, "ok"), WRITE(1, "after", "ok"),
	READ_NOT(2, -1, "busy"), CRASH(100), READ(2, "after"),
	EOF_IS("false"), DETACH(1), EOF_IS("true"),
};

static const struct gen_op detach_reuse[] = {
	ATTACH(100, "reader"), ATTACH(200, "writer"), DETACH(0),
	ATTACH(300, "none"), WRITE(1, "x", "ok"), READ(0, "x"),
};

static const struct gen_op eof_before_writer[] = {
	ATTACH(200, "reader"), EOF_IS("false"),
	ATTACH(100, "none"), EOF_IS("false"), END(1), EOF_IS("false"),
	DETACH(1), EOF_IS("false"),
};

static const struct gen_op eof_after_end[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "bye", "ok"), END(0), EOF_IS("false"),
	READ(1, "bye"), EOF_IS("true"), READ_NOT(1, -1, "empty"),
};

static const struct gen_op end_bumps_data_seq[] = {
	ATTACH(100, "writer"), ATTACH(101, "none"), ATTACH(102, "writer"),
	END(0), END(0), END(1), DETACH(2), EOF_IS("true"),
};

static const struct gen_op crashed_writer_eof[] = {
	ATTACH(100, "writer"), ATTACH(200, "reader"),
	WRITE(0, "one", "ok"), WRITE(0, "two", "ok"), CRASH(100),
	EOF_IS("false"), READ(1, "one"), READ(1, "two"), EOF_IS("true"),
};

const struct gen_case gen_cases[] = {
	{ "init_empty", 64, "message", NULL, 0 },
	{ "init_empty_byte", 128, "byte", NULL, 0 },
	{ "one_message", 64, "message", one_message, N(one_message) },
	{ "doc_example", 64, "message", doc_example, N(doc_example) },
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
};

const uint32_t gen_case_count = N(gen_cases);
