/* SPDX-License-Identifier: MIT */
/* The CP + register fuzz harness, shared by the libFuzzer target (fuzz_cp.c) and the unit test that replays
 * the committed corpus and every crash ever found (replay_corpus.c). */
#ifndef CP_HARNESS_H
#define CP_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Run one input against a long-lived GPU (reset between inputs). Aborts on a hang. */
void cp_harness_run(const uint8_t *data, size_t size);

#endif
