#include "dry_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_protocol.h"
#include "launch.h"

/* One QEMU option and its value per line; "@WORK@" in a word stands for the script's $WORK. */
static void append_words(struct buf *script, char *const *words)
{
	for (size_t i = 0; words[i]; i++) {
		if (i)
			buf_appendf(script, words[i][0] == '-' ? " \\\n    " : " ");
		const char *work = strstr(words[i], "@WORK@");
		if (!work) {
			shell_quote(script, words[i]);
			continue;
		}
		if (work > words[i]) {
			char *prefix = strndup(words[i], (size_t)(work - words[i]));
			shell_quote(script, prefix);
			free(prefix);
		}
		buf_appendf(script, "\"$WORK\"");
		if (work[strlen("@WORK@")])
			shell_quote(script, work + strlen("@WORK@"));
	}
	buf_append(script, "\n", 1);
}

static void script_kernel(const struct kernel *k, struct buf *script)
{
	if (!k->unpacked)
		return;
	buf_appendf(
	        script,
	        "\n# The kernel: the ELF vmlinux inside %s, unpacked once and cached; it boots through its "
	        "PVH entry.\nif [ ! -f ",
	        k->image);
	shell_quote(script, k->boot_path);
	buf_appendf(script, " ]; then\n    mkdir -p \"$(dirname ");
	shell_quote(script, k->boot_path);
	buf_appendf(script, ")\"\n    tail -c +%ld ", k->payload_offset + 1);
	shell_quote(script, k->image);
	buf_appendf(script, " | head -c %zu |", k->payload_len);
	for (size_t i = 0; k->payload_decompressor->argv[i]; i++) {
		buf_append(script, " ", 1);
		shell_quote(script, k->payload_decompressor->argv[i]);
	}
	buf_appendf(script, " > \"$WORK/vmlinux\"\n    mv \"$WORK/vmlinux\" ");
	shell_quote(script, k->boot_path);
	buf_appendf(script, "\nfi\n");
}

void dry_run_script(struct run_plan *plan, struct buf *script)
{
	const struct vm_options *o = plan->options;
	buf_appendf(
	        script,
	        "#!/bin/sh\n# Written by vgpu-vm --dry-run: what `vgpu-vm run` does with the same options.\n"
	        "# Accelerator %s (%s).\nset -eu\nWORK=$(mktemp -d)\ntrap 'rm -rf \"$WORK\"' EXIT\n",
	        plan->accel.name, plan->accel.reason);
	script_kernel(&plan->kernel, script);

	buf_appendf(script, "\n# The initramfs: vgpu-vm's init, the modules in load order, the job.\n"
	                    "STAGE=\"$WORK/root\"\nARCHIVE=\"$WORK/initramfs.cpio\"\n");
	initramfs_script(&plan->initramfs, script);

	/* FIFOs drained by cat, not QEMU writing to /dev/stdout itself: QEMU's own open of a redirected
	 * stdout would have an offset of its own, and whatever this script's caller writes next would
	 * overwrite it. */
	buf_appendf(
	        script,
	        "\n# QEMU. The payload's stdout and stderr reach this script's through FIFOs; init writes "
	        "\"%sSTATUS\" to the control port.\n"
	        ": > \"$WORK/control\"\nmkfifo \"$WORK/stdout\" \"$WORK/stderr\"\n"
	        "cat \"$WORK/stdout\" &\nstdout_relay=$!\ncat \"$WORK/stderr\" >&2 &\nstderr_relay=$!\n",
	        GUEST_EXIT_PREFIX);
	plan->guest.initramfs = "@WORK@/initramfs.cpio";
	struct guest_channels channels = {
	        .console = o->shell ? "stdio,signal=off" : "file,path=@WORK@/console.log",
	        .out = "file,path=@WORK@/stdout",
	        .err = "file,path=@WORK@/stderr",
	        .control = "file,path=@WORK@/control",
	};
	struct strv argv = {0};
	if (o->timeout > 0) {
		strv_push(&argv, "timeout");
		strv_pushf(&argv, "%g", o->timeout);
	}
	qemu_build_argv(&plan->guest, &channels, &argv);
	plan->guest.initramfs = NULL;
	buf_appendf(script, "qemu_status=0\n");
	append_words(script, argv.items);
	/* Close the command as "... || qemu_status=$?"; only an interactive shell keeps the terminal as
	 * stdin. */
	script->len--;
	buf_appendf(script, "%s || qemu_status=$?\n", o->shell ? "" : " </dev/null");
	/* Opening a FIFO read-write never blocks: it releases a relay still waiting if QEMU never opened it.
	 */
	buf_appendf(script, "exec 3<>\"$WORK/stdout\" 4<>\"$WORK/stderr\"; exec 3>&- 4>&-\n"
	                    "wait \"$stdout_relay\" \"$stderr_relay\"\n");
	strv_free(&argv);

	if (o->timeout > 0)
		buf_appendf(
		        script,
		        "if [ \"$qemu_status\" = 124 ]; then\n    echo \"vgpu-vm script: the guest did not "
		        "finish within %g s\" >&2\n    exit %d\nfi\n",
		        o->timeout, EXIT_TIMEOUT);
	buf_appendf(script, "status=$(sed -n 's/^%s\\([0-9]*\\).*/\\1/p' \"$WORK/control\")\n",
	            GUEST_EXIT_PREFIX);
	buf_appendf(script,
	            "if [ -z \"$status\" ]; then\n    echo \"vgpu-vm script: the guest reported no exit "
	            "status (QEMU "
	            "status $qemu_status); its console ended with:\" >&2\n    tail -n 15 "
	            "\"$WORK/console.log\" >&2 "
	            "|| true\n    exit %d\nfi\nexit \"$status\"\n",
	            EXIT_VM_FAILURE);
}
