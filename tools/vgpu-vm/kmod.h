/* Kernel modules: finding a module by name for a kernel, and ordering modules so that each comes after the
 * modules it depends on (its .modinfo "depends=" list), which is the order init loads them in. */
#ifndef VGPU_VM_KMOD_H
#define VGPU_VM_KMOD_H

#include <stdbool.h>

#include "util.h"

struct module_index {
	struct strv names; /* normalised: '-' becomes '_' */
	struct strv paths; /* absolute host paths, same order as names */
	struct strv builtin;
};

struct module_list {
	struct strv names;
	struct strv paths;
	struct buf *contents; /* decompressed .ko images, same order as names */
	size_t count;
};

/* Indexes DIR: /lib/modules/RELEASE (modules.dep) or a kernel build tree (modules.order). */
bool module_index_load(struct module_index *index, const char *dir);
/* Adds every .ko under DIR (not recursive), overriding kernel modules of the same name; their names are
 * appended to NAMES. */
bool module_index_add_dir(struct module_index *index, const char *dir, struct strv *names);
void module_index_free(struct module_index *index);

/* Appends NAME and, before it, everything it depends on; built-in modules are skipped. False with a message
 * printed when a module cannot be found or read. */
bool module_list_add(struct module_list *list, const struct module_index *index, const char *name);
void module_list_free(struct module_list *list);

/* The value of KEY ("depends", "name") in a module's .modinfo section, or NULL; points into IMAGE. */
const char *modinfo_get(const struct buf *image, const char *key);
/* "virtio-pci.ko.xz" -> "virtio_pci" into OUT (size OUT_SIZE). */
void module_name_from_path(const char *path, char *out, size_t out_size);

#endif
