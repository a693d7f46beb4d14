#include "accel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu.h"
#include "util.h"

#define PROBE_TIME_LIMIT_MS 5000

enum probe_result { PROBE_RUNS, PROBE_NO_DEVICE, PROBE_QEMU_FAILS, PROBE_HANGS };

static enum probe_result probe_kvm(const struct accel_probe_guest *guest, int *qemu_status)
{
	if (access("/dev/kvm", R_OK | W_OK) != 0)
		return PROBE_NO_DEVICE;
	/* The same machine as the real run: a KVM problem may be specific to it. */
	char *machine = xasprintf("%s,accel=kvm", guest_machine());
	char *argv[] = {(char *)guest->qemu,
	                "-nodefaults",
	                "-no-user-config",
	                "-display",
	                "none",
	                "-no-reboot",
	                "-machine",
	                machine,
	                "-cpu",
	                "host",
	                "-m",
	                "256",
	                "-kernel",
	                (char *)guest->kernel,
	                "-append",
	                "panic=-1 loglevel=0 root=/dev/nonexistent rdinit=/nonexistent",
	                guest->firmware ? "-bios" : NULL,
	                (char *)guest->firmware,
	                NULL};
	pid_t pid = fork();
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDWR);
		dup2(null_fd, 0);
		dup2(null_fd, 1);
		dup2(null_fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	free(machine);
	if (pid < 0)
		return PROBE_QEMU_FAILS;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int ready = pidfd >= 0 ? poll(&pfd, 1, PROBE_TIME_LIMIT_MS) : 1;
	if (pidfd >= 0)
		close(pidfd);
	int status;
	if (ready == 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ready == 0)
		return PROBE_HANGS;
	*qemu_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return *qemu_status == 0 ? PROBE_RUNS : PROBE_QEMU_FAILS;
}

static void boot_id(char *out, size_t size)
{
	struct buf content = {0};
	snprintf(out, size, "unknown");
	if (read_file("/proc/sys/kernel/random/boot_id", &content) && content.len > 1)
		snprintf(out, size, "%.*s", (int)strcspn(content.data, "\n"), content.data);
	buf_free(&content);
}

/* A hanging probe costs its whole time limit, so the answer is kept until the host reboots. */
static enum probe_result cached_probe(const struct accel_probe_guest *guest, bool *from_cache,
                                      int *qemu_status)
{
	char id[64];
	boot_id(id, sizeof(id));
	const char *dir = cache_dir();
	char *key = xasprintf("%s %s %s %s", id, guest->qemu, guest->kernel,
	                      guest->firmware ? guest->firmware : "-");
	char *path = dir ? xasprintf("%s/kvm-probe-%lx", dir, string_hash(key)) : NULL;
	struct buf content = {0};
	enum probe_result result;
	*from_cache = false;
	*qemu_status = 0;
	if (path && read_file(path, &content) && strncmp(content.data, key, strlen(key)) == 0 &&
	    content.data[strlen(key)] == '\n') {
		int cached, status;
		if (sscanf(content.data + strlen(key) + 1, "%d %d", &cached, &status) == 2 &&
		    cached >= PROBE_RUNS && cached <= PROBE_HANGS) {
			*from_cache = true;
			*qemu_status = status;
			result = (enum probe_result)cached;
			goto out;
		}
	}
	result = probe_kvm(guest, qemu_status);
	FILE *f = path && result != PROBE_NO_DEVICE ? fopen(path, "w") : NULL;
	if (f) {
		fprintf(f, "%s\n%d %d\n", key, (int)result, *qemu_status);
		fclose(f);
	}
out:
	buf_free(&content);
	free(key);
	free(path);
	return result;
}

void accel_choose(struct accel_choice *choice, const char *force, const struct accel_probe_guest *guest)
{
	if (force) {
		choice->name = strcmp(force, "kvm") == 0 ? "kvm" : "tcg";
		snprintf(choice->reason, sizeof(choice->reason), "as asked with --accel");
		return;
	}
	bool from_cache;
	int qemu_status;
	enum probe_result result = cached_probe(guest, &from_cache, &qemu_status);
	const char *when = from_cache ? " (probe result cached for this host boot)" : "";
	choice->name = result == PROBE_RUNS ? "kvm" : "tcg";
	switch (result) {
	case PROBE_RUNS:
		snprintf(choice->reason, sizeof(choice->reason), "the kernel booted under /dev/kvm%s", when);
		break;
	case PROBE_NO_DEVICE:
		snprintf(choice->reason, sizeof(choice->reason), "/dev/kvm is missing or not accessible");
		break;
	case PROBE_QEMU_FAILS:
		snprintf(choice->reason, sizeof(choice->reason), "QEMU failed on /dev/kvm (exit status %d)%s",
		         qemu_status, when);
		break;
	case PROBE_HANGS:
		snprintf(choice->reason, sizeof(choice->reason), "the kernel hung under /dev/kvm for %d s%s",
		         PROBE_TIME_LIMIT_MS / 1000, when);
		break;
	}
}
