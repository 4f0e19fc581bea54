/* Shared pieces of the libFuzzer target fuzz_ring. */
#ifndef FUZZ_H
#define FUZZ_H

#include "../rp_name.h"
#include "../rp_ring.h"

#include <stdlib.h>

/* The fuzzer's input, consumed a byte at a time; 0 once exhausted. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint32_t fz_u16(struct fz *f)
{
	uint32_t lo = fz_u8(f);

	return lo | (uint32_t)fz_u8(f) << 8;
}

/* An invariant broke: crash so that libFuzzer keeps the input. */
#define FZ_ASSERT(cond)                                                        \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant %s\n", __FILE__,     \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

void fuzz_name(struct fz *f);
void fuzz_image(struct fz *f);
void fuzz_model(struct fz *f);

#endif
