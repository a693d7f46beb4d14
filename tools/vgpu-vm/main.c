/* vgpu-vm: boot a kernel straight from the host, run a command in it, and exit with its status.
 * The commands: run, create, list, screenshot. See docs/vgpu-vm.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dry_run.h"
#include "launch.h"
#include "options.h"
#include "plan.h"
#include "vms.h"

#define EXIT_USAGE 2

static void usage(void)
{
	printf("usage: vgpu-vm run [NAME] [OPTIONS] [-- QEMU-ARGS]   boot a guest (a named VM's settings "
	       "first)\n"
	       "       vgpu-vm create NAME [--cpus N] [--mem SIZE] [--disk SIZE] [OPTIONS]\n"
	       "       vgpu-vm list\n"
	       "       vgpu-vm screenshot NAME FILE.png              the display of a running named VM\n\n"
	       "run options:\n");
	options_print_help(OPTION_FOR_RUN);
}

static int command_run(int argc, char **argv)
{
	struct vm_options o;
	char *name = NULL;
	struct run_plan plan;
	int status = EXIT_USAGE;
	options_init(&o);
	/* A named VM's config comes first and the command line overrides it: a first pass finds the name. */
	struct vm_options first_pass;
	options_init(&first_pass);
	bool args_ok = options_parse_args(&first_pass, argc, argv, 2, OPTION_FOR_RUN, &name);
	options_free(&first_pass);
	char *qmp_socket = NULL;
	if (!args_ok || (name && !vms_load(name, &o, &qmp_socket)))
		goto out;
	char *name_again = NULL;
	options_parse_args(&o, argc, argv, 2, OPTION_FOR_RUN, &name_again);
	free(name_again);
	if (!plan_prepare(&plan, &o, qmp_socket)) {
		status = EXIT_VM_FAILURE;
		plan_free(&plan);
		goto out;
	}
	if (o.dry_run) {
		struct buf script = {0};
		dry_run_script(&plan, &script);
		fwrite(script.data, 1, script.len, stdout);
		buf_free(&script);
		status = 0;
	} else {
		fflush(stdout);
		status = launch(&plan);
	}
	plan_free(&plan);
out:
	free(name);
	options_free(&o);
	return status;
}

static int command_create(int argc, char **argv)
{
	struct vm_options o;
	char *name = NULL;
	options_init(&o);
	int status = EXIT_USAGE;
	if (options_parse_args(&o, argc, argv, 2, OPTION_FOR_CREATE, &name)) {
		if (!name)
			vm_error("create needs a VM name: vgpu-vm create NAME [--cpus N] [--mem SIZE] "
			         "[--disk SIZE]");
		else
			status = vms_create(name, &o);
	}
	free(name);
	options_free(&o);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		vm_error(
		        "no command; the commands are run, create, list and screenshot (see vgpu-vm --help)");
		return EXIT_USAGE;
	}
	const char *command = argv[1];
	if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 || strcmp(command, "help") == 0) {
		usage();
		return 0;
	}
	if (strcmp(command, "run") == 0)
		return command_run(argc, argv);
	if (strcmp(command, "create") == 0)
		return command_create(argc, argv);
	if (strcmp(command, "list") == 0) {
		if (argc > 2) {
			vm_error("list takes no arguments");
			return EXIT_USAGE;
		}
		return vms_list();
	}
	if (strcmp(command, "screenshot") == 0) {
		if (argc != 4) {
			vm_error("usage: vgpu-vm screenshot NAME FILE.png");
			return EXIT_USAGE;
		}
		return vms_screenshot(argv[2], argv[3]);
	}
	vm_error("unknown command '%s'; the commands are run, create, list and screenshot (see vgpu-vm "
	         "--help)",
	         command);
	return EXIT_USAGE;
}
