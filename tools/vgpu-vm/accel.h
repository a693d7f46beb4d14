/* Choosing the accelerator: KVM only when /dev/kvm really runs this guest. On some machines /dev/kvm exists
 * but QEMU aborts on it or the guest hangs in it, so the probe boots the chosen kernel under KVM (to the
 * panic of finding no root, which -no-reboot turns into a clean QEMU exit) within a time limit. */
#ifndef VGPU_VM_ACCEL_H
#define VGPU_VM_ACCEL_H

struct accel_choice {
	const char *name; /* "kvm" or "tcg" */
	char reason[200];
};

struct accel_probe_guest {
	const char *qemu;
	const char *kernel;
	const char *firmware; /* NULL: QEMU's default */
};

/* FORCE: "kvm", "tcg" or NULL to probe. The probe's answer is cached per host boot, QEMU and kernel. */
void accel_choose(struct accel_choice *choice, const char *force, const struct accel_probe_guest *guest);

#endif
