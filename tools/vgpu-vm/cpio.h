/* A writer for the "newc" cpio format, the only format the kernel's initramfs unpacker reads. */
#ifndef VGPU_VM_CPIO_H
#define VGPU_VM_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct cpio_writer {
	struct buf *out;
	uint32_t next_inode;
};

void cpio_init(struct cpio_writer *w, struct buf *out);
/* MODE carries the permission bits only; the type bits come from which function is called. */
void cpio_add_dir(struct cpio_writer *w, const char *path, uint32_t mode);
void cpio_add_file(struct cpio_writer *w, const char *path, uint32_t mode, const void *data, size_t len);
void cpio_add_symlink(struct cpio_writer *w, const char *path, const char *target);
/* Writes the TRAILER!!! record that ends the archive. */
void cpio_finish(struct cpio_writer *w);

#endif
