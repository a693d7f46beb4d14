/* SPDX-License-Identifier: MIT */
/*
 * The device fuzzer (issue 18): a hostile guest played through qtest against the real QEMU. fuzz_device.c
 * runs the sequence and checks QEMU's health; fuzz_device_actions.c holds the actions, each one random step a
 * guest could take (register writes, ring and IB packets, page tables, display, reset, stop/cont).
 *
 * Every random choice comes from one seeded generator and none depends on what the device answers, so a seed
 * and an action count name one sequence exactly: a failing run prints both, and rerunning them replays it.
 */
#ifndef FUZZ_DEVICE_H
#define FUZZ_DEVICE_H

#include "vgpu_pci_dev.h"

#include <stdbool.h>
#include <stdint.h>

#define FUZZ_HISTORY 24

struct fuzz {
	struct vgpu_dev dev;
	uint64_t rng;
	uint64_t next_seq;    /* FENCE sequence numbers the fuzzer's own jobs use */
	bool stopped;         /* the VM was stopped over QMP */
	bool verbose;         /* print every action as it runs */
	unsigned long action; /* index of the current action */
	char history[FUZZ_HISTORY][160];
};

/* The generator (splitmix64): uniform 64 bits, a value below n, a one-in-n chance. */
uint64_t fuzz_next(struct fuzz *f);
uint32_t fuzz_below(struct fuzz *f, uint32_t n);
bool fuzz_chance(struct fuzz *f, uint32_t n);

/* Record what the current action does (kept for the failure report, printed when verbose). */
void fuzz_note(struct fuzz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One random action. */
void fuzz_step(struct fuzz *f);
/* The test's driver state back after hostile actions: device reset, BARs, page tables, ring, context. */
void fuzz_restore(struct fuzz *f);

#endif
