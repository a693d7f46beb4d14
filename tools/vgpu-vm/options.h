/* vgpu-vm's settings. One table defines every option, so the command line and a named VM's config file
 * (whose keys are the long option names) accept the same values and report errors the same way. */
#ifndef VGPU_VM_OPTIONS_H
#define VGPU_VM_OPTIONS_H

#include <stdbool.h>

#include "util.h"

#define DEFAULT_TIMEOUT_SECONDS 0 /* none */
#define DEFAULT_MEM_MIB         1024
#define DEFAULT_CPUS            2
#define DEFAULT_SSH_PORT        10022

struct vm_options {
	char *kernel;     /* -k: image or build tree; NULL = newest /boot/vmlinuz-* */
	char *qemu;       /* --qemu; NULL = $VGPU_QEMU, then the project build */
	char *exec;       /* --exec; NULL = boot to a shell (with --shell) or run `true` */
	double timeout;   /* --timeout seconds; 0 = none */
	unsigned mem_mib; /* --mem */
	unsigned cpus;    /* --cpus */
	bool net_user;    /* --net user */
	unsigned ssh_port;
	bool display;            /* --display */
	char *screenshot;        /* --screenshot FILE.png */
	struct strv module_dirs; /* --modules DIR, repeatable */
	bool shell;              /* --shell */
	bool dry_run;            /* --dry-run */
	char *accel;             /* --accel kvm|tcg; NULL = probe */
	char *bios;              /* --bios PATH|default; NULL = qboot when QEMU has it */
	bool no_vgpu;            /* --no-vgpu */
	char *disk;              /* --disk: an image file attached as virtio-blk */
	char *disk_size;         /* create --disk SIZE */
	bool verbose;            /* --verbose: show the guest console */
	struct strv qemu_extra;  /* after -- */
};

void options_init(struct vm_options *o);
void options_free(struct vm_options *o);

enum option_scope { OPTION_FOR_RUN = 1, OPTION_FOR_CREATE = 2, OPTION_IN_CONFIG = 4 };

/* Applies the option called NAME (a long name without dashes) with VALUE (NULL for flags). On error,
 * writes a one-line reason to ERR and returns false. SCOPE says where NAME appears. */
bool option_apply(struct vm_options *o, const char *name, const char *value, enum option_scope scope,
                  char *err, size_t err_size);

/* Parses argv[first..]: options, a positional NAME (stored in *name if name is non-NULL), and QEMU
 * arguments after "--". Prints one error line and returns false on bad input. */
bool options_parse_args(struct vm_options *o, int argc, char **argv, int first, enum option_scope scope,
                        char **name);

/* Reads a config file of "key = value" lines (keys are long option names). Errors name file, line, key. */
bool options_parse_config(struct vm_options *o, const char *path);
/* The config-file lines for the values that differ from the defaults, for `vgpu-vm create`. */
void options_write_config(const struct vm_options *o, struct buf *out);

/* Prints the option list for --help. */
void options_print_help(enum option_scope scope);

/* Parses a size such as 512M, 2G or 1024 (MiB) into MiB. */
bool parse_size_mib(const char *s, unsigned long long *mib);

#endif
