#include "cpio.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define CPIO_NEWC_MAGIC "070701"

static void pad4(struct buf *out)
{
	static const char zeros[4];
	size_t rem = out->len % 4;
	if (rem)
		buf_append(out, zeros, 4 - rem);
}

static void add_record(struct cpio_writer *w, const char *path, uint32_t mode, const void *data, size_t len)
{
	/* Archive paths are relative, as the kernel and GNU cpio write them. */
	while (*path == '/')
		path++;
	size_t name_size = strlen(path) + 1;
	char header[111];
	snprintf(header, sizeof(header), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
	         CPIO_NEWC_MAGIC, w->next_inode++, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, (uint32_t)len,
	         0u, 0u, 0u, 0u, (uint32_t)name_size, 0u);
	buf_append(w->out, header, 110);
	buf_append(w->out, path, name_size);
	pad4(w->out);
	buf_append(w->out, data, len);
	pad4(w->out);
}

void cpio_init(struct cpio_writer *w, struct buf *out)
{
	w->out = out;
	w->next_inode = 1;
}

void cpio_add_dir(struct cpio_writer *w, const char *path, uint32_t mode)
{
	add_record(w, path, S_IFDIR | (mode & 07777), NULL, 0);
}

void cpio_add_file(struct cpio_writer *w, const char *path, uint32_t mode, const void *data, size_t len)
{
	add_record(w, path, S_IFREG | (mode & 07777), data, len);
}

void cpio_add_symlink(struct cpio_writer *w, const char *path, const char *target)
{
	add_record(w, path, S_IFLNK | 0777, target, strlen(target));
}

void cpio_finish(struct cpio_writer *w)
{
	add_record(w, "TRAILER!!!", 0, NULL, 0);
	w->next_inode = 0;
}
