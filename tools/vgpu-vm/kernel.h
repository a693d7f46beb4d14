/* The guest kernel: which image to boot, its release and modules, and the fast way to boot it. A TCG boot
 * spends much of its time decompressing a bzImage, so vgpu-vm unpacks the ELF vmlinux inside it once,
 * caches it, and boots that through its PVH entry point. */
#ifndef VGPU_VM_KERNEL_H
#define VGPU_VM_KERNEL_H

#include <stdbool.h>

#include "decompress.h"

struct kernel {
	char *image;      /* what was chosen: a bzImage/vmlinuz or an ELF vmlinux */
	char *release;    /* "6.1.0-56-amd64" */
	char *module_dir; /* /lib/modules/RELEASE, or the build tree */
	char *boot_path;  /* what QEMU boots with -kernel */
	/* Set when boot_path is a cached vmlinux unpacked from image; how --dry-run re-creates it. */
	bool unpacked;
	long payload_offset;
	size_t payload_len;
	const struct decompressor *payload_decompressor;
};

/* PATH: a kernel image, a kernel build tree, or NULL for the newest /boot/vmlinuz-*. */
bool kernel_locate(struct kernel *k, const char *path);
/* Chooses boot_path, unpacking into the cache when needed (unless DRY_RUN, which only names the file). */
bool kernel_prepare_boot(struct kernel *k, bool dry_run);
void kernel_free(struct kernel *k);

/* True when the ELF file at PATH has a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY). */
bool elf_has_pvh_entry(const char *path);

#endif
