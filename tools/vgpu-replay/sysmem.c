/* SPDX-License-Identifier: MIT */
#include "sysmem.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 4096u

static size_t slot_of(const struct sparse_memory *memory, uint64_t key)
{
	size_t slot = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (memory->capacity - 1);
	while (memory->keys[slot] && memory->keys[slot] != key)
		slot = (slot + 1) & (memory->capacity - 1);
	return slot;
}

static uint8_t *find(const struct sparse_memory *memory, uint64_t page)
{
	if (!memory->capacity)
		return NULL;
	size_t slot = slot_of(memory, page + 1);
	return memory->keys[slot] ? memory->pages[slot] : NULL;
}

static bool grow(struct sparse_memory *memory)
{
	struct sparse_memory bigger = {.capacity = memory->capacity ? 2 * memory->capacity : 1024};
	bigger.keys = calloc(bigger.capacity, sizeof(*bigger.keys));
	bigger.pages = calloc(bigger.capacity, sizeof(*bigger.pages));
	if (!bigger.keys || !bigger.pages) {
		free(bigger.keys);
		free(bigger.pages);
		return false;
	}
	for (size_t i = 0; i < memory->capacity; i++)
		if (memory->keys[i]) {
			size_t slot = slot_of(&bigger, memory->keys[i]);
			bigger.keys[slot] = memory->keys[i];
			bigger.pages[slot] = memory->pages[i];
		}
	bigger.count = memory->count;
	free(memory->keys);
	free(memory->pages);
	*memory = bigger;
	return true;
}

static uint8_t *find_or_create(struct sparse_memory *memory, uint64_t page)
{
	uint8_t *found = find(memory, page);
	if (found)
		return found;
	if ((memory->count + 1) * 2 > memory->capacity && !grow(memory))
		return NULL;
	uint8_t *fresh = calloc(1, PAGE);
	if (!fresh)
		return NULL;
	size_t slot = slot_of(memory, page + 1);
	memory->keys[slot] = page + 1;
	memory->pages[slot] = fresh;
	memory->count++;
	return fresh;
}

void sparse_read(const struct sparse_memory *memory, uint64_t addr, void *dst, size_t len)
{
	uint8_t *out = dst;
	while (len) {
		size_t offset = addr % PAGE, n = PAGE - offset < len ? PAGE - offset : len;
		const uint8_t *page = find(memory, addr / PAGE);
		if (page)
			memcpy(out, page + offset, n);
		else
			memset(out, 0, n);
		addr += n, out += n, len -= n;
	}
}

bool sparse_write(struct sparse_memory *memory, uint64_t addr, const void *src, size_t len)
{
	const uint8_t *in = src;
	while (len) {
		size_t offset = addr % PAGE, n = PAGE - offset < len ? PAGE - offset : len;
		uint8_t *page = find_or_create(memory, addr / PAGE);
		if (!page)
			return false;
		memcpy(page + offset, in, n);
		addr += n, in += n, len -= n;
	}
	return true;
}

void sparse_free(struct sparse_memory *memory)
{
	for (size_t i = 0; i < memory->capacity; i++)
		free(memory->pages[i]);
	free(memory->keys);
	free(memory->pages);
	memset(memory, 0, sizeof(*memory));
}
