/* Which external decompressor undoes a kernel payload or a module: vgpu-vm runs the same commands that its
 * --dry-run script prints, so both agree on how a file is unpacked. */
#ifndef VGPU_VM_DECOMPRESS_H
#define VGPU_VM_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct decompressor {
	const char *format;
	const char *const *argv; /* reads stdin, writes stdout */
};

/* By the magic bytes at the start of DATA; NULL when none matches. */
const struct decompressor *decompressor_for_magic(const unsigned char *data, size_t len);
/* By a module file's suffix (.ko.xz, .ko.zst, .ko.gz); NULL for a plain .ko. */
const struct decompressor *decompressor_for_suffix(const char *path);
/* Runs D on the LEN bytes at OFFSET of the file FD (the whole rest if LEN is 0) into OUT. */
bool decompress_fd(const struct decompressor *d, int fd, long offset, size_t len, struct buf *out);
/* Reads a module file, decompressing it when its suffix says so. False with a message printed. */
bool read_module_file(const char *path, struct buf *out);

#endif
