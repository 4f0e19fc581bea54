#include "msg_pattern.h"

static uint8_t msg_byte(uint64_t i, uint32_t k)
{
	if (k < 8)
		return (uint8_t)(i >> (8 * k));
	return (uint8_t)(131u * (uint32_t)(i & 0xff) + 7u * k + (k >> 8));
}

void msg_build(uint8_t *p, uint64_t i, uint32_t size)
{
	uint32_t k;

	for (k = 0; k < size; k++)
		p[k] = msg_byte(i, k);
}

uint32_t msg_check(const uint8_t *p, uint64_t i, uint32_t n)
{
	uint32_t k;

	for (k = 0; k < n; k++)
		if (p[k] != msg_byte(i, k))
			return k;
	return n;
}

uint64_t fnv64(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}
