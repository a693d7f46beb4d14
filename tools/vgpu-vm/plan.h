/* Everything one run decides before QEMU starts: kernel, QEMU, accelerator, firmware, modules and the
 * initramfs. `vgpu-vm run` launches a plan; `vgpu-vm run --dry-run` prints it as a script. */
#ifndef VGPU_VM_PLAN_H
#define VGPU_VM_PLAN_H

#include <stdbool.h>

#include "accel.h"
#include "initramfs.h"
#include "kernel.h"
#include "kmod.h"
#include "options.h"
#include "qemu.h"

struct run_plan {
	struct vm_options *options;
	struct kernel kernel;
	struct qemu_info qemu;
	struct accel_choice accel;
	struct module_list modules;
	struct initramfs initramfs;
	struct guest_plan guest; /* initramfs path left for the caller to fill in */
	char *qmp_socket;        /* where a named VM's QMP socket lives while it runs, or NULL */
};

/* QMP_SOCKET: a named VM's (owned by the plan from here on), or NULL. Prints one error line and returns
 * false when the run cannot happen. */
bool plan_prepare(struct run_plan *plan, struct vm_options *o, char *qmp_socket);
void plan_free(struct run_plan *plan);

#endif
