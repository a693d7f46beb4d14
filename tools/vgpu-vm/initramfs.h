/* The initramfs of one run, described as a list of entries so that vgpu-vm can both write it (its own cpio
 * writer) and print the shell commands that build the same archive (--dry-run). */
#ifndef VGPU_VM_INITRAMFS_H
#define VGPU_VM_INITRAMFS_H

#include <stdbool.h>
#include <stdint.h>

#include "decompress.h"
#include "kmod.h"
#include "options.h"
#include "util.h"

enum initramfs_kind { ENTRY_DIR, ENTRY_HOST_FILE, ENTRY_TEXT };

struct initramfs_entry {
	enum initramfs_kind kind;
	char *path; /* inside the archive, absolute */
	uint32_t mode;
	char *host_path;                         /* ENTRY_HOST_FILE */
	const struct decompressor *decompressor; /* ENTRY_HOST_FILE stored compressed on the host */
	struct buf content;                      /* ENTRY_TEXT, or a HOST_FILE already read */
};

struct initramfs {
	struct initramfs_entry *entries;
	size_t count;
};

/* Everything a guest needs: init, modules in load order, the job files. */
bool initramfs_plan(struct initramfs *fs, const struct vm_options *o, const char *init_path,
                    const struct module_list *modules, const char *cwd);
/* Writes the archive with vgpu-vm's cpio writer. */
bool initramfs_write(const struct initramfs *fs, const char *path);
/* Appends shell commands that build the same archive at $ARCHIVE from a staging directory $STAGE. */
void initramfs_script(const struct initramfs *fs, struct buf *script);
void initramfs_free(struct initramfs *fs);

#endif
