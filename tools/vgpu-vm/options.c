#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CPUS        64
#define MAX_MEM_MIB     (1024u * 1024u)
#define MAX_CONFIG_LINE 4096

enum value_kind { FLAG, VALUE };

struct option_def {
	const char *name;
	char short_name;
	enum value_kind kind;
	unsigned scopes;
	const char *value_help;
	const char *help;
};

#define RUN    OPTION_FOR_RUN
#define CREATE OPTION_FOR_CREATE
#define CONFIG OPTION_IN_CONFIG

static const struct option_def option_defs[] = {
        {"kernel", 'k', VALUE, RUN | CREATE | CONFIG, "PATH",
         "kernel image or build tree (default: newest /boot/vmlinuz-*)"},
        {"exec", 'e', VALUE, RUN, "CMD", "run CMD in the guest with /bin/sh -c; exit with its status"},
        {"timeout", 't', VALUE, RUN | CREATE | CONFIG, "SECONDS",
         "stop a guest still running after SECONDS (status 124)"},
        {"qemu", 0, VALUE, RUN | CREATE | CONFIG, "PATH",
         "qemu-system-x86_64 to use (default: $VGPU_QEMU, then the project build)"},
        {"mem", 'm', VALUE, RUN | CREATE | CONFIG, "SIZE", "guest memory, e.g. 1G or 512M (default 1G)"},
        {"cpus", 'c', VALUE, RUN | CREATE | CONFIG, "N", "guest CPUs (default 2)"},
        {"net", 0, VALUE, RUN | CREATE | CONFIG, "user",
         "user-mode networking, guest port 22 forwarded from 127.0.0.1:--ssh-port"},
        {"ssh-port", 0, VALUE, RUN | CREATE | CONFIG, "PORT",
         "host port for --net user's SSH forward (default 10022)"},
        {"display", 0, FLAG, RUN | CREATE | CONFIG, NULL,
         "show the guest display in a window (default: headless)"},
        {"screenshot", 0, VALUE, RUN, "FILE.png",
         "save the display as PNG after the payload (QMP screendump)"},
        {"modules", 0, VALUE, RUN | CREATE | CONFIG, "DIR",
         "load every .ko in DIR at boot (after its dependencies)"},
        {"shell", 's', FLAG, RUN, NULL,
         "an interactive shell on the guest console (rescue shell if boot fails)"},
        {"dry-run", 'n', FLAG, RUN, NULL, "print a shell script that does what this run would do, and stop"},
        {"accel", 0, VALUE, RUN | CREATE | CONFIG, "kvm|tcg", "skip the KVM probe and use this accelerator"},
        {"bios", 0, VALUE, RUN | CREATE | CONFIG, "PATH|seabios",
         "firmware (default: qboot when QEMU ships it)"},
        {"no-vgpu", 0, FLAG, RUN | CREATE | CONFIG, NULL, "do not attach the vgpu-pci device"},
        {"disk", 0, VALUE, RUN | CREATE | CONFIG, "FILE|SIZE",
         "run: attach FILE as /dev/vda; create: make a SIZE disk"},
        {"verbose", 'v', FLAG, RUN, NULL, "copy the guest console (kernel log) to stderr"},
        {"quiet", 'q', FLAG, RUN, NULL, "do not say which accelerator, firmware and devices were chosen"},
};

#define OPTION_COUNT (sizeof(option_defs) / sizeof(option_defs[0]))

void options_init(struct vm_options *o)
{
	*o = (struct vm_options){0};
	o->mem_mib = DEFAULT_MEM_MIB;
	o->cpus = DEFAULT_CPUS;
	o->ssh_port = DEFAULT_SSH_PORT;
	o->timeout = DEFAULT_TIMEOUT_SECONDS;
}

void options_free(struct vm_options *o)
{
	free(o->kernel);
	free(o->qemu);
	free(o->exec);
	free(o->screenshot);
	free(o->accel);
	free(o->bios);
	free(o->disk);
	free(o->disk_size);
	strv_free(&o->module_dirs);
	strv_free(&o->qemu_extra);
	*o = (struct vm_options){0};
}

bool parse_size_mib(const char *s, unsigned long long *mib)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	unsigned long long scale_kib;
	if (strcasecmp(end, "") == 0 || strcasecmp(end, "M") == 0 || strcasecmp(end, "MiB") == 0)
		scale_kib = 1024;
	else if (strcasecmp(end, "G") == 0 || strcasecmp(end, "GiB") == 0)
		scale_kib = 1024 * 1024;
	else if (strcasecmp(end, "T") == 0 || strcasecmp(end, "TiB") == 0)
		scale_kib = 1024ull * 1024 * 1024;
	else
		return false;
	if (n > ULLONG_MAX / scale_kib)
		return false;
	*mib = n * scale_kib / 1024;
	return true;
}

static bool parse_unsigned(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n < min || n > max)
		return false;
	*out = (unsigned)n;
	return true;
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static const struct option_def *find_option(const char *name)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (strcmp(option_defs[i].name, name) == 0)
			return &option_defs[i];
	return NULL;
}

static bool set_value(struct vm_options *o, const char *name, const char *value, enum option_scope scope,
                      char *err, size_t err_size)
{
	unsigned long long mib;
	if (strcmp(name, "kernel") == 0) {
		replace(&o->kernel, value);
	} else if (strcmp(name, "exec") == 0) {
		replace(&o->exec, value);
	} else if (strcmp(name, "timeout") == 0) {
		char *end;
		double t = strtod(value, &end);
		if (end == value || *end || !(t > 0) || t > 86400 * 7) {
			snprintf(err, err_size, "'%s' is not a number of seconds between 0 and a week",
			         value);
			return false;
		}
		o->timeout = t;
	} else if (strcmp(name, "qemu") == 0) {
		replace(&o->qemu, value);
	} else if (strcmp(name, "mem") == 0) {
		if (!parse_size_mib(value, &mib) || mib < 128 || mib > MAX_MEM_MIB) {
			snprintf(err, err_size, "'%s' is not a memory size from 128M to 1T (e.g. 1G, 512M)",
			         value);
			return false;
		}
		o->mem_mib = (unsigned)mib;
	} else if (strcmp(name, "cpus") == 0) {
		if (!parse_unsigned(value, 1, MAX_CPUS, &o->cpus)) {
			snprintf(err, err_size, "'%s' is not a CPU count from 1 to %d", value, MAX_CPUS);
			return false;
		}
	} else if (strcmp(name, "net") == 0) {
		if (strcmp(value, "user") != 0 && strcmp(value, "none") != 0) {
			snprintf(err, err_size, "'%s' is not a network mode; the modes are 'user' and 'none'",
			         value);
			return false;
		}
		o->net_user = strcmp(value, "user") == 0;
	} else if (strcmp(name, "ssh-port") == 0) {
		if (!parse_unsigned(value, 1, 65535, &o->ssh_port)) {
			snprintf(err, err_size, "'%s' is not a TCP port from 1 to 65535", value);
			return false;
		}
	} else if (strcmp(name, "screenshot") == 0) {
		size_t len = strlen(value);
		if (len < 5 || strcasecmp(value + len - 4, ".png") != 0) {
			snprintf(err, err_size, "'%s' does not end in .png (screenshots are PNG files)",
			         value);
			return false;
		}
		replace(&o->screenshot, value);
	} else if (strcmp(name, "modules") == 0) {
		strv_push(&o->module_dirs, value);
	} else if (strcmp(name, "accel") == 0) {
		if (strcmp(value, "kvm") != 0 && strcmp(value, "tcg") != 0) {
			snprintf(err, err_size, "'%s' is not an accelerator; use kvm or tcg", value);
			return false;
		}
		replace(&o->accel, value);
	} else if (strcmp(name, "bios") == 0) {
		replace(&o->bios, value);
	} else if (strcmp(name, "disk") == 0) {
		if (scope & OPTION_FOR_CREATE) {
			if (!parse_size_mib(value, &mib) || mib == 0) {
				snprintf(err, err_size, "'%s' is not a disk size (e.g. 4G)", value);
				return false;
			}
			replace(&o->disk_size, value);
		} else {
			replace(&o->disk, value);
		}
	}
	return true;
}

static bool parse_bool(const char *value, bool *out)
{
	if (!value || strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*out = false;
	else
		return false;
	return true;
}

bool option_apply(struct vm_options *o, const char *name, const char *value, enum option_scope scope,
                  char *err, size_t err_size)
{
	const struct option_def *def = find_option(name);
	if (!def || !(def->scopes & scope)) {
		snprintf(err, err_size, "unknown %s '%s'", scope & OPTION_IN_CONFIG ? "key" : "option", name);
		return false;
	}
	if (def->kind == VALUE) {
		if (!value || !*value) {
			snprintf(err, err_size, "'%s' needs a value (%s)", name, def->value_help);
			return false;
		}
		return set_value(o, name, value, scope, err, err_size);
	}
	bool on;
	if (!parse_bool(value, &on)) {
		snprintf(err, err_size, "'%s' is not yes or no", value);
		return false;
	}
	if (strcmp(name, "display") == 0)
		o->display = on;
	else if (strcmp(name, "shell") == 0)
		o->shell = on;
	else if (strcmp(name, "dry-run") == 0)
		o->dry_run = on;
	else if (strcmp(name, "no-vgpu") == 0)
		o->no_vgpu = on;
	else if (strcmp(name, "verbose") == 0)
		o->verbose = on;
	else if (strcmp(name, "quiet") == 0)
		vm_quiet = on;
	return true;
}

static const struct option_def *find_short(char c)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (option_defs[i].short_name == c)
			return &option_defs[i];
	return NULL;
}

bool options_parse_args(struct vm_options *o, int argc, char **argv, int first, enum option_scope scope,
                        char **name)
{
	char err[300];
	for (int i = first; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			if (!(scope & OPTION_FOR_RUN)) {
				vm_error("QEMU arguments after -- only go with 'run'");
				return false;
			}
			for (i++; i < argc; i++)
				strv_push(&o->qemu_extra, argv[i]);
			break;
		}
		const struct option_def *def = NULL;
		const char *value = NULL;
		char long_name[64];
		if (strncmp(arg, "--", 2) == 0) {
			const char *eq = strchr(arg, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			snprintf(long_name, sizeof(long_name), "%.*s", (int)len, arg + 2);
			def = find_option(long_name);
			if (!def || !(def->scopes & scope)) {
				vm_error("unknown option '%s'; see vgpu-vm --help", arg);
				return false;
			}
			if (eq)
				value = eq + 1;
		} else if (arg[0] == '-' && arg[1] && !arg[2]) {
			def = find_short(arg[1]);
			if (!def || !(def->scopes & scope)) {
				vm_error("unknown option '%s'; see vgpu-vm --help", arg);
				return false;
			}
		} else if (arg[0] != '-' && name && !*name) {
			*name = xstrdup(arg);
			continue;
		} else {
			vm_error("unexpected argument '%s'; see vgpu-vm --help", arg);
			return false;
		}
		if (def->kind == VALUE && !value) {
			if (i + 1 >= argc) {
				vm_error("option --%s needs a value (%s)", def->name, def->value_help);
				return false;
			}
			value = argv[++i];
		} else if (def->kind == FLAG && value) {
			vm_error("option --%s takes no value", def->name);
			return false;
		}
		if (!option_apply(o, def->name, value, scope, err, sizeof(err))) {
			vm_error("option --%s: %s", def->name, err);
			return false;
		}
	}
	return true;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		s[--len] = '\0';
	return s;
}

bool options_parse_config(struct vm_options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		vm_error("cannot read config %s: %s", path, strerror(errno));
		return false;
	}
	char line[MAX_CONFIG_LINE];
	char err[300];
	unsigned line_no = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof(line), f)) {
		line_no++;
		if (!strchr(line, '\n') && !feof(f)) {
			vm_error("%s:%u: line longer than %d characters", path, line_no, MAX_CONFIG_LINE - 2);
			ok = false;
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		char *content = trim(line);
		if (!*content || *content == '#')
			continue;
		char *eq = strchr(content, '=');
		if (!eq) {
			vm_error("%s:%u: expected 'key = value', got '%s'", path, line_no, content);
			ok = false;
			break;
		}
		*eq = '\0';
		char *key = trim(content), *value = trim(eq + 1);
		if (!option_apply(o, key, value, OPTION_IN_CONFIG, err, sizeof(err))) {
			vm_error("%s:%u: key '%s': %s", path, line_no, key, err);
			ok = false;
		}
	}
	if (ok && ferror(f)) {
		vm_error("cannot read config %s: %s", path, strerror(errno));
		ok = false;
	}
	fclose(f);
	return ok;
}

void options_write_config(const struct vm_options *o, struct buf *out)
{
	buf_appendf(out, "# vgpu-vm VM settings: key = value, keys as the long options of 'vgpu-vm run'.\n");
	buf_appendf(out, "cpus = %u\nmem = %uM\n", o->cpus, o->mem_mib);
	if (o->kernel)
		buf_appendf(out, "kernel = %s\n", o->kernel);
	if (o->qemu)
		buf_appendf(out, "qemu = %s\n", o->qemu);
	if (o->timeout > 0)
		buf_appendf(out, "timeout = %g\n", o->timeout);
	if (o->net_user)
		buf_appendf(out, "net = user\nssh-port = %u\n", o->ssh_port);
	if (o->display)
		buf_appendf(out, "display = yes\n");
	for (size_t i = 0; i < o->module_dirs.len; i++)
		buf_appendf(out, "modules = %s\n", o->module_dirs.items[i]);
	if (o->accel)
		buf_appendf(out, "accel = %s\n", o->accel);
	if (o->bios)
		buf_appendf(out, "bios = %s\n", o->bios);
	if (o->no_vgpu)
		buf_appendf(out, "no-vgpu = yes\n");
	if (o->disk)
		buf_appendf(out, "disk = %s\n", o->disk);
}

void options_print_help(enum option_scope scope)
{
	for (size_t i = 0; i < OPTION_COUNT; i++) {
		const struct option_def *d = &option_defs[i];
		if (!(d->scopes & scope))
			continue;
		char left[64];
		char short_part[8] = "";
		if (d->short_name)
			snprintf(short_part, sizeof(short_part), "-%c, ", d->short_name);
		snprintf(left, sizeof(left), "%s--%s%s%s", short_part, d->name, d->value_help ? " " : "",
		         d->value_help ? d->value_help : "");
		printf("  %-28s %s\n", left, d->help);
	}
}
