/* SPDX-License-Identifier: MIT */
/* libFuzzer entry point: the command processor and register interface (cp_harness.c). */
#include "cp_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cp_harness_run(data, size);
	return 0;
}
