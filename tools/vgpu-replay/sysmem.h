/* SPDX-License-Identifier: MIT */
/* The replayed guest system memory: sparse 4 KiB pages, created when first written; unwritten memory reads
 * as zeros. Only bytes the capture recorded are ever written by the replay itself. */
#ifndef VGPU_REPLAY_SYSMEM_H
#define VGPU_REPLAY_SYSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sparse_memory {
	uint64_t *keys; /* page number + 1; 0 = empty slot */
	uint8_t **pages;
	size_t capacity, count;
};

void sparse_read(const struct sparse_memory *memory, uint64_t addr, void *dst, size_t len);
bool sparse_write(struct sparse_memory *memory, uint64_t addr, const void *src, size_t len);
void sparse_free(struct sparse_memory *memory);

#endif
