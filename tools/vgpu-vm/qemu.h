/* QEMU: which binary, what it offers (the vgpu-pci device, the qboot firmware), and the command line of a
 * vgpu-vm guest. */
#ifndef VGPU_VM_QEMU_H
#define VGPU_VM_QEMU_H

#include <stdbool.h>

#include "kernel.h"
#include "options.h"
#include "util.h"

struct qemu_info {
	char *path;
	bool has_vgpu;
	char *qboot; /* full path of qboot.rom in QEMU's data directories, or NULL */
};

/* OVERRIDE (--qemu) first, then $VGPU_QEMU, then the project's build. Prints one error line on failure. */
bool qemu_find(struct qemu_info *q, const char *override);
void qemu_info_free(struct qemu_info *q);

/* Where each guest channel goes, as QEMU -chardev backends ("file,path=...", "socket,path=...", "stdio"). */
struct guest_channels {
	const char *console;
	const char *out;
	const char *err;
	const char *control;
	const char *qmp_socket; /* NULL: no QMP */
};

struct guest_plan {
	const struct vm_options *options;
	const struct qemu_info *qemu;
	const struct kernel *kernel;
	const char *accel;
	const char *initramfs;
	bool attach_vgpu;
	bool add_vga;         /* a display was asked for but there is no vgpu */
	const char *firmware; /* NULL: QEMU's default (SeaBIOS) */
};

/* The machine type of every vgpu-vm guest ("q35"). */
const char *guest_machine(void);
/* The kernel command line of every vgpu-vm guest. */
const char *guest_kernel_cmdline(void);
/* The full QEMU argv (argv[0] = QEMU path). */
void qemu_build_argv(const struct guest_plan *plan, const struct guest_channels *channels, struct strv *argv);

#endif
