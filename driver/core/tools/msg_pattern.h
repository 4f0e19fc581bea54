/*
 * Messages of the rp_shm tool, shared with the TypeScript tests.
 *
 * Message i (i = 0, 1, ...) of a run is SIZE bytes. Byte k is:
 *   k < 8:  byte k of i as a little-endian u64 (bytes beyond SIZE dropped);
 *   k >= 8: (131 * (i mod 256) + 7 * k + floor(k / 256)) mod 256.
 * The checksum of a run is FNV-1a 64 (offset basis 0xcbf29ce484222325,
 * prime 0x100000001b3) over all payload bytes in order, printed as 16
 * lower-case hex digits.
 */
#ifndef MSG_PATTERN_H
#define MSG_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define FNV64_BASIS 0xcbf29ce484222325ull

void msg_build(uint8_t *p, uint64_t i, uint32_t size);
/* Offset of the first byte of p[0..n) that differs from message i, or n. */
uint32_t msg_check(const uint8_t *p, uint64_t i, uint32_t n);
uint64_t fnv64(uint64_t h, const uint8_t *p, size_t n);

#endif
