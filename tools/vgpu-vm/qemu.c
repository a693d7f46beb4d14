#include "qemu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_protocol.h"

#ifndef VGPU_VM_PROJECT_QEMU
#define VGPU_VM_PROJECT_QEMU "qemu-system-x86_64"
#endif

/* quiet + loglevel: the console is a log nobody reads unless a boot fails. panic=-1 turns a panic into a
 * reset, which -no-reboot turns into QEMU exiting, so a broken kernel never looks like a hang. The crypto
 * self-tests cost ~0.4 s under TCG and test nothing this guest needs. */
static const char kernel_cmdline[] = "console=ttyS0 quiet loglevel=4 panic=-1 rdinit=/init cryptomgr.notests";

/* q35, not pc: on pc every PCI device's legacy interrupt goes through an ACPI link device whose AML takes
 * ~0.2 s per device under TCG; q35 routes each slot straight to an IOAPIC pin, so INTx works and costs
 * nothing. */
#define MACHINE "q35"

const char *guest_machine(void)
{
	return MACHINE;
}

const char *guest_kernel_cmdline(void)
{
	return kernel_cmdline;
}

static char *search_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	char *copy = xstrdup(path), *save = NULL;
	char *found = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *candidate = xasprintf("%s/%s", dir, name);
		if (access(candidate, X_OK) == 0)
			found = candidate;
		else
			free(candidate);
	}
	free(copy);
	return found;
}

/* `-device help` and `-L help` cost a QEMU start each, so their answers are cached per QEMU binary. */
static bool probe_cached(struct qemu_info *q)
{
	struct stat st;
	const char *dir = cache_dir();
	if (!dir || stat(q->path, &st) < 0)
		return false;
	char *key = xasprintf("%s %lld %lld", q->path, (long long)st.st_size, (long long)st.st_mtime);
	char *cache = xasprintf("%s/qemu-%lx", dir, string_hash(key));
	struct buf content = {0};
	bool hit = false;
	if (read_file(cache, &content) && strncmp(content.data, key, strlen(key)) == 0 &&
	    content.data[strlen(key)] == '\n') {
		char *rest = content.data + strlen(key) + 1;
		int has_vgpu;
		char qboot[4096];
		if (sscanf(rest, "vgpu %d\nqboot %4095s", &has_vgpu, qboot) == 2) {
			q->has_vgpu = has_vgpu;
			q->qboot = strcmp(qboot, "-") ? xstrdup(qboot) : NULL;
			hit = true;
		}
	}
	buf_free(&content);
	if (!hit) {
		char *device_help[] = {q->path, "-nodefaults", "-device", "help", NULL};
		char *data_dirs[] = {q->path, "-L", "help", NULL};
		struct buf devices = {0}, dirs = {0};
		if (!run_capture(device_help, -1, false, &devices)) {
			buf_free(&devices);
			free(key);
			free(cache);
			return false;
		}
		q->has_vgpu = strstr(devices.data, "\"vgpu-pci\"") != NULL;
		if (run_capture(data_dirs, -1, false, &dirs)) {
			for (char *line = strtok(dirs.data, "\n"); line && !q->qboot;
			     line = strtok(NULL, "\n")) {
				char *rom = xasprintf("%s/qboot.rom", line);
				q->qboot = realpath(rom, NULL);
				free(rom);
			}
		}
		buf_free(&devices);
		buf_free(&dirs);
		FILE *f = fopen(cache, "w");
		if (f) {
			fprintf(f, "%s\nvgpu %d\nqboot %s\n", key, q->has_vgpu, q->qboot ? q->qboot : "-");
			fclose(f);
		}
	}
	free(key);
	free(cache);
	return true;
}

bool qemu_find(struct qemu_info *q, const char *override)
{
	*q = (struct qemu_info){0};
	const char *env = getenv("VGPU_QEMU");
	const char *chosen = override ? override : env && *env ? env : NULL;
	const char *source = override ? "--qemu" : "$VGPU_QEMU";
	if (chosen) {
		q->path = strchr(chosen, '/') ? xstrdup(chosen) : search_path(chosen);
		if (!q->path || access(q->path, X_OK) != 0) {
			vm_error("QEMU %s (from %s) is not an executable file", chosen, source);
			return false;
		}
	} else if (access(VGPU_VM_PROJECT_QEMU, X_OK) == 0) {
		q->path = xstrdup(VGPU_VM_PROJECT_QEMU);
	} else {
		q->path = search_path("qemu-system-x86_64");
		if (!q->path) {
			vm_error("no QEMU: the project's %s is not built (scripts/build-qemu.sh) and there "
			         "is no "
			         "qemu-system-x86_64 in PATH; or pass --qemu PATH",
			         VGPU_VM_PROJECT_QEMU);
			return false;
		}
		vm_note("the project QEMU (%s) is not built; using %s", VGPU_VM_PROJECT_QEMU, q->path);
	}
	if (!probe_cached(q)) {
		vm_error("QEMU %s does not run (`%s -device help` failed)", q->path, q->path);
		return false;
	}
	return true;
}

void qemu_info_free(struct qemu_info *q)
{
	free(q->path);
	free(q->qboot);
	*q = (struct qemu_info){0};
}

static void add_channel(struct strv *argv, const char *id, const char *backend)
{
	strv_push(argv, "-chardev");
	/* The backend type comes first, then our id, then its own options. */
	const char *comma = strchr(backend, ',');
	if (comma)
		strv_pushf(argv, "%.*s,id=%s%s", (int)(comma - backend), backend, id, comma);
	else
		strv_pushf(argv, "%s,id=%s", backend, id);
}

static void add_port(struct strv *argv, const char *id, const char *backend, int port)
{
	add_channel(argv, id, backend);
	strv_push(argv, "-device");
	strv_pushf(argv, "virtserialport,bus=vgpu-vm-serial.0,nr=%d,chardev=%s,name=vgpu-vm.%s", port, id,
	           id);
}

/* QEMU option values escape a comma by doubling it. */
static const char *escaped_commas(const char *s, struct buf *out)
{
	buf_free(out);
	buf_append(out, "", 0);
	for (; *s; s++) {
		if (*s == ',')
			buf_append(out, ",", 1);
		buf_append(out, s, 1);
	}
	return out->data;
}

void qemu_build_argv(const struct guest_plan *plan, const struct guest_channels *channels, struct strv *argv)
{
	const struct vm_options *o = plan->options;
	struct buf escaped = {0};
	bool kvm = strcmp(plan->accel, "kvm") == 0;
	strv_push(argv, plan->qemu->path);
	strv_push(argv, "-nodefaults");
	strv_push(argv, "-no-user-config");
	strv_push(argv, "-no-reboot");
	strv_push(argv, "-machine");
	strv_pushf(argv, MACHINE ",accel=%s", plan->accel);
	strv_push(argv, "-cpu");
	strv_push(argv, kvm ? "host" : "max");
	strv_push(argv, "-m");
	strv_pushf(argv, "%u", o->mem_mib);
	strv_push(argv, "-smp");
	strv_pushf(argv, "%u", o->cpus);
	if (plan->firmware) {
		strv_push(argv, "-bios");
		strv_push(argv, plan->firmware);
	}
	strv_push(argv, "-kernel");
	strv_push(argv, plan->kernel->boot_path);
	strv_push(argv, "-initrd");
	strv_push(argv, plan->initramfs);
	strv_push(argv, "-append");
	strv_push(argv, kernel_cmdline);
	strv_push(argv, "-display");
	strv_push(argv, o->display ? "default" : "none");

	add_channel(argv, "console", channels->console);
	strv_push(argv, "-serial");
	strv_push(argv, "chardev:console");
	strv_push(argv, "-device");
	/* Three ports; the default of 31 costs a virtqueue pair each to set up. */
	strv_push(argv, "virtio-serial-pci,id=vgpu-vm-serial,max_ports=4");
	add_port(argv, "stdout", channels->out, GUEST_PORT_STDOUT);
	add_port(argv, "stderr", channels->err, GUEST_PORT_STDERR);
	add_port(argv, "control", channels->control, GUEST_PORT_CONTROL);
	if (channels->qmp_socket) {
		strv_push(argv, "-qmp");
		strv_pushf(argv, "unix:%s,server=on,wait=off", channels->qmp_socket);
	}

	strv_push(argv, "-fsdev");
	strv_pushf(argv, "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap");
	strv_push(argv, "-device");
	strv_push(argv, "virtio-9p-pci,fsdev=hostroot,mount_tag=" GUEST_ROOT_TAG);

	if (plan->attach_vgpu) {
		strv_push(argv, "-device");
		strv_push(argv, "vgpu-pci");
	}
	if (plan->add_vga) {
		strv_push(argv, "-device");
		strv_push(argv, "VGA");
	}
	if (o->net_user) {
		strv_push(argv, "-netdev");
		strv_pushf(argv, "user,id=net0,hostfwd=tcp:127.0.0.1:%u-:22", o->ssh_port);
		strv_push(argv, "-device");
		strv_push(argv, "virtio-net-pci,netdev=net0");
	}
	if (o->disk) {
		strv_push(argv, "-drive");
		strv_pushf(argv, "file=%s,format=raw,if=none,id=disk0", escaped_commas(o->disk, &escaped));
		strv_push(argv, "-device");
		strv_push(argv, "virtio-blk-pci,drive=disk0");
	}
	for (size_t i = 0; i < o->qemu_extra.len; i++)
		strv_push(argv, o->qemu_extra.items[i]);
	buf_free(&escaped);
}
