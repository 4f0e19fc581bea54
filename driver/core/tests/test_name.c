#include "tests.h"

#include <string.h>

struct name_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum rp_name_result want;
	const char *canon;
};

static const char long64[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._";
static const char long65[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

static const struct name_case name_cases[] = {
	{ "a", 0, RP_NAME_OK, "A" },
	{ "Hello.World_1-2", 0, RP_NAME_OK, "HELLO.WORLD_1-2" },
	{ "ALREADY", 0, RP_NAME_OK, "ALREADY" },
	{ "...", 0, RP_NAME_OK, "..." },
	{ ".a", 0, RP_NAME_OK, ".A" },
	{ "..b", 0, RP_NAME_OK, "..B" },
	{ "-", 0, RP_NAME_OK, "-" },
	{ long64, 0, RP_NAME_OK,
	  "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._" },
	{ long65, 0, RP_NAME_TOO_LONG, "" },
	{ "", 0, RP_NAME_EMPTY, "" },
	{ ".", 0, RP_NAME_DOTS, "" },
	{ "..", 0, RP_NAME_DOTS, "" },
	{ "a/b", 0, RP_NAME_BAD_CHAR, "" },
	{ "a b", 0, RP_NAME_BAD_CHAR, "" },
	{ "a\\b", 0, RP_NAME_BAD_CHAR, "" },
	{ "caf\xc3\xa9", 0, RP_NAME_BAD_CHAR, "" },
	{ "a\0b", 3, RP_NAME_BAD_CHAR, "" },
	{ "name:x", 0, RP_NAME_BAD_CHAR, "" },
	{ "abc", 2, RP_NAME_OK, "AB" },
};

static void test_name_utf8(void)
{
	size_t i;

	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char out[RP_NAME_MAX + 1];

		memset(out, 'x', sizeof(out));
		CHECK_EQ(rp_name_canon(c->in, len, out), c->want);
		CHECK(strcmp(out, c->canon) == 0);
	}
}

static size_t to_utf16(const char *s, size_t len, uint16_t *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)s[i];
	return len;
}

static void test_name_utf16(void)
{
	static const uint16_t e_acute[] = { 'c', 'a', 'f', 0x00e9 };
	static const uint16_t high[] = { 'a', 0x0141 };
	static const uint16_t surrogate[] = { 'a', 0xd83d, 0xde00 };
	static const uint16_t bs_only[] = { '\\' };
	static const uint16_t bs_bs[] = { '\\', '\\', 'a' };
	uint16_t buf[80];
	char out[RP_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		size_t n;

		if (c->in[0] == '\\' || len > 70)
			continue;
		n = to_utf16(c->in, len, buf);
		CHECK_EQ(rp_name_from_utf16(buf, n, out), c->want);
		CHECK(strcmp(out, c->canon) == 0);
		buf[0] = '\\';
		n = to_utf16(c->in, len, buf + 1) + 1;
		CHECK_EQ(rp_name_from_utf16(buf, n, out), c->want);
		CHECK(strcmp(out, c->canon) == 0);
	}
	CHECK_EQ(rp_name_from_utf16(e_acute, 4, out), RP_NAME_BAD_CHAR);
	CHECK_EQ(rp_name_from_utf16(high, 2, out), RP_NAME_BAD_CHAR);
	CHECK_EQ(rp_name_from_utf16(surrogate, 3, out), RP_NAME_BAD_CHAR);
	CHECK_EQ(rp_name_from_utf16(bs_only, 1, out), RP_NAME_EMPTY);
	CHECK_EQ(rp_name_from_utf16(bs_bs, 3, out), RP_NAME_BAD_CHAR);
	CHECK_EQ(rp_name_from_utf16(NULL, 0, out), RP_NAME_EMPTY);
	/* 0x0161 would pass a check that only looks at the low byte. */
	buf[0] = 0x0161;
	CHECK_EQ(rp_name_from_utf16(buf, 1, out), RP_NAME_BAD_CHAR);
}

static void test_name_every_byte(void)
{
	unsigned c;
	char in[1], out[RP_NAME_MAX + 1];

	for (c = 0; c < 256; c++) {
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-';

		in[0] = (char)c;
		if (c == '.')
			CHECK_EQ(rp_name_canon(in, 1, out), RP_NAME_DOTS);
		else
			CHECK_EQ(rp_name_canon(in, 1, out),
				 ok ? RP_NAME_OK : RP_NAME_BAD_CHAR);
		if (ok)
			CHECK_EQ((unsigned char)out[0],
				 c >= 'a' && c <= 'z' ? c - 32 : c);
	}
	CHECK(strcmp(rp_name_result_name(RP_NAME_DOTS), "dots") == 0);
}

void test_name(void)
{
	test_name_utf8();
	test_name_utf16();
	test_name_every_byte();
}
