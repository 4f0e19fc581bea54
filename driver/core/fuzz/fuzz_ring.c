/*
 * libFuzzer target: the first input byte picks one of
 *   fuzz_model  ring operations checked against a model of the format,
 *   fuzz_image  arbitrary or patched segment images through every reader,
 *   fuzz_name   name validation.
 */
#include "fuzz.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };

	switch (fz_u8(&f) % 3) {
	case 0:
		fuzz_model(&f);
		break;
	case 1:
		fuzz_image(&f);
		break;
	default:
		fuzz_name(&f);
		break;
	}
	return 0;
}
