#include "plan.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VGPU_VM_INIT_PATH
#define VGPU_VM_INIT_PATH "vgpu-vm-init"
#endif

/* What a 9p root with an overlay and the virtio-serial channels need; the rest follows from depends=. */
static const char *const boot_modules[] = {"virtio_pci", "virtio_console", "9pnet_virtio", "9p", "overlay"};

static bool plan_modules(struct run_plan *plan)
{
	const struct vm_options *o = plan->options;
	struct module_index index = {0};
	struct strv wanted = {0};
	bool ok = module_index_load(&index, plan->kernel.module_dir);
	for (size_t i = 0; i < sizeof(boot_modules) / sizeof(boot_modules[0]); i++)
		strv_push(&wanted, boot_modules[i]);
	if (o->net_user)
		strv_push(&wanted, "virtio_net");
	if (o->disk)
		strv_push(&wanted, "virtio_blk");
	for (size_t i = 0; ok && i < o->module_dirs.len; i++)
		ok = module_index_add_dir(&index, o->module_dirs.items[i], &wanted);
	for (size_t i = 0; ok && i < wanted.len; i++)
		ok = module_list_add(&plan->modules, &index, wanted.items[i]);
	strv_free(&wanted);
	module_index_free(&index);
	return ok;
}

static const char *choose_firmware(const struct run_plan *plan)
{
	const char *bios = plan->options->bios;
	if (bios && (strcmp(bios, "seabios") == 0 || strcmp(bios, "default") == 0))
		return NULL;
	if (bios)
		return bios;
	return plan->qemu.qboot;
}

bool plan_prepare(struct run_plan *plan, struct vm_options *o, char *qmp_socket)
{
	*plan = (struct run_plan){.options = o, .qmp_socket = qmp_socket};
	if (o->shell && o->exec) {
		vm_error("--shell and --exec do not go together: --shell is interactive, --exec runs one "
		         "command");
		return false;
	}
	if (o->dry_run && o->screenshot) {
		vm_error("--dry-run cannot script --screenshot (it needs a QMP conversation); drop one of "
		         "them");
		return false;
	}
	if (o->disk && access(o->disk, R_OK | W_OK) != 0) {
		vm_error("disk %s is not a readable and writable file", o->disk);
		return false;
	}
	if (o->bios && strcmp(o->bios, "seabios") && strcmp(o->bios, "default") &&
	    access(o->bios, R_OK) != 0) {
		vm_error("firmware %s (--bios) is not readable", o->bios);
		return false;
	}
	if (!kernel_locate(&plan->kernel, o->kernel) || !qemu_find(&plan->qemu, o->qemu))
		return false;
	if (!kernel_prepare_boot(&plan->kernel, o->dry_run))
		return false;
	if (!plan_modules(plan))
		return false;

	char cwd[PATH_MAX];
	const char *init_path = getenv("VGPU_VM_INIT");
	if (!initramfs_plan(&plan->initramfs, o, init_path && *init_path ? init_path : VGPU_VM_INIT_PATH,
	                    &plan->modules, getcwd(cwd, sizeof(cwd))))
		return false;

	const char *firmware = choose_firmware(plan);
	struct accel_probe_guest probe = {plan->qemu.path, plan->kernel.boot_path, firmware};
	if (o->dry_run && plan->kernel.unpacked && access(plan->kernel.boot_path, R_OK) != 0)
		probe.kernel = plan->kernel.image;
	accel_choose(&plan->accel, o->accel, &probe);
	plan->guest = (struct guest_plan){
	        .options = o,
	        .qemu = &plan->qemu,
	        .kernel = &plan->kernel,
	        .accel = plan->accel.name,
	        .attach_vgpu = !o->no_vgpu && plan->qemu.has_vgpu,
	        .firmware = firmware,
	};
	/* Something to show or to screenshot, also on demand (`vgpu-vm screenshot NAME`) for a named VM. */
	plan->guest.add_vga = (o->display || o->screenshot || qmp_socket) && !plan->guest.attach_vgpu;

	vm_note("accelerator %s: %s", plan->accel.name, plan->accel.reason);
	vm_note("kernel %s%s%s, firmware %s", plan->kernel.image, plan->kernel.unpacked ? " (booted as " : "",
	        plan->kernel.unpacked ? "its cached vmlinux, PVH entry)" : "",
	        plan->guest.firmware ? plan->guest.firmware : "SeaBIOS (QEMU default)");
	if (o->no_vgpu)
		vm_note("vgpu-pci not attached (--no-vgpu)");
	else if (plan->guest.attach_vgpu)
		vm_note("vgpu-pci attached");
	else
		vm_note("%s has no vgpu-pci device, so the guest runs without the vgpu; build the project "
		        "QEMU "
		        "(scripts/build-qemu.sh) or pass --qemu",
		        plan->qemu.path);
	return true;
}

void plan_free(struct run_plan *plan)
{
	kernel_free(&plan->kernel);
	qemu_info_free(&plan->qemu);
	module_list_free(&plan->modules);
	initramfs_free(&plan->initramfs);
	free(plan->qmp_socket);
}
