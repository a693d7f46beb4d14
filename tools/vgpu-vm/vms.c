#include "vms.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmp.h"
#include "util.h"

#define MAX_NAME_LEN 64

static char *vms_dir(void)
{
	const char *env = getenv("VGPU_VM_DIR");
	const char *data = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (env && *env)
		return xstrdup(env);
	if (data && *data)
		return xasprintf("%s/vgpu-vm/vms", data);
	return xasprintf("%s/.local/share/vgpu-vm/vms", home && *home ? home : "/tmp");
}

static bool valid_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > MAX_NAME_LEN || name[0] == '.' || name[0] == '-' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != len) {
		vm_error("'%s' is not a VM name: use up to %d letters, digits, '.', '_' or '-', not starting "
		         "with '.' "
		         "or '-'",
		         name, MAX_NAME_LEN);
		return false;
	}
	return true;
}

static bool create_disk(const char *path, const char *size)
{
	unsigned long long mib;
	if (!parse_size_mib(size, &mib))
		return false;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)(mib * 1024 * 1024)) < 0) {
		vm_error("cannot create the disk %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

int vms_create(const char *name, struct vm_options *o)
{
	if (!valid_name(name))
		return 2;
	char *dir = vms_dir();
	char *vm_dir = xasprintf("%s/%s", dir, name);
	char *config = xasprintf("%s/config", vm_dir);
	int status = 1;
	struct buf content = {0};
	if (access(config, F_OK) == 0) {
		vm_error("a VM named %s exists already (%s); remove its directory to recreate it", name,
		         config);
		goto out;
	}
	if (!make_dirs(vm_dir)) {
		vm_error("cannot create %s: %s", vm_dir, strerror(errno));
		goto out;
	}
	if (o->disk_size) {
		char *disk = xasprintf("%s/disk.img", vm_dir);
		bool ok = create_disk(disk, o->disk_size);
		free(o->disk);
		o->disk = disk;
		if (!ok)
			goto out;
	}
	options_write_config(o, &content);
	FILE *f = fopen(config, "w");
	if (!f || fwrite(content.data, 1, content.len, f) != content.len || fclose(f) != 0) {
		vm_error("cannot write %s: %s", config, strerror(errno));
		goto out;
	}
	printf("created VM %s: %s\n", name, config);
	status = 0;
out:
	buf_free(&content);
	free(dir);
	free(vm_dir);
	free(config);
	return status;
}

static bool socket_alive(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path))
		return false;
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	if (fd >= 0)
		close(fd);
	return alive;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vms_list(void)
{
	char *dir = vms_dir();
	DIR *d = opendir(dir);
	struct strv names = {0};
	if (!d) {
		if (errno != ENOENT)
			vm_error("cannot read the VMs directory %s: %s", dir, strerror(errno));
		free(dir);
		return errno == ENOENT ? 0 : 1;
	}
	struct dirent *entry;
	while ((entry = readdir(d)))
		if (entry->d_name[0] != '.')
			strv_push(&names, entry->d_name);
	closedir(d);
	if (names.len)
		qsort(names.items, names.len, sizeof(*names.items), compare_names);
	int status = 0;
	for (size_t i = 0; i < names.len; i++) {
		char *config = xasprintf("%s/%s/config", dir, names.items[i]);
		char *qmp = xasprintf("%s/%s/qmp.sock", dir, names.items[i]);
		struct vm_options o;
		options_init(&o);
		if (access(config, F_OK) == 0) {
			if (options_parse_config(&o, config))
				printf("%-20s cpus=%u mem=%uM%s%s%s\n", names.items[i], o.cpus, o.mem_mib,
				       o.disk ? " disk=" : "", o.disk ? o.disk : "",
				       socket_alive(qmp) ? " running" : "");
			else
				status = 1;
		}
		options_free(&o);
		free(config);
		free(qmp);
	}
	strv_free(&names);
	free(dir);
	return status;
}

bool vms_load(const char *name, struct vm_options *o, char **qmp_socket)
{
	if (!valid_name(name))
		return false;
	char *dir = vms_dir();
	char *config = xasprintf("%s/%s/config", dir, name);
	bool ok = access(config, F_OK) == 0;
	if (!ok)
		vm_error("no VM named %s (no %s); create it with: vgpu-vm create %s", name, config, name);
	ok = ok && options_parse_config(o, config);
	if (ok) {
		char *qmp = xasprintf("%s/%s/qmp.sock", dir, name);
		if (socket_alive(qmp)) {
			vm_error("VM %s is running already (%s answers)", name, qmp);
			ok = false;
		}
		if (ok && strlen(qmp) < sizeof(((struct sockaddr_un *)0)->sun_path))
			*qmp_socket = qmp;
		else
			free(qmp);
	}
	free(config);
	free(dir);
	return ok;
}

int vms_screenshot(const char *name, const char *file)
{
	if (!valid_name(name))
		return 2;
	char *dir = vms_dir();
	char *qmp = xasprintf("%s/%s/qmp.sock", dir, name);
	int status = 0;
	if (!socket_alive(qmp)) {
		vm_error("VM %s is not running (no QMP socket at %s)", name, qmp);
		status = 1;
	} else if (!qmp_screendump(qmp, file)) {
		status = 1;
	}
	free(qmp);
	free(dir);
	return status;
}
