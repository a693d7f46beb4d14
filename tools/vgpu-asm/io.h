/* Whole-file reading and writing for the command-line tools, with messages that name the file. */
#ifndef VGPU_ASM_IO_H
#define VGPU_ASM_IO_H

#include <stddef.h>

/* Returns a malloc'd buffer with a NUL after the contents, or NULL after printing "PROG: PATH: reason". */
unsigned char *io_read_file(const char *prog, const char *path, size_t *size);
int io_write_file(const char *prog, const char *path, const void *data, size_t size);

#endif
