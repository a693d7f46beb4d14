#include "initramfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpio.h"
#include "guest_protocol.h"

/* The rescue shell for interactive runs; busybox-static ships one that needs nothing else. */
#define RESCUE_SHELL_HOST_PATH "/bin/busybox"

static struct initramfs_entry *add_entry(struct initramfs *fs, enum initramfs_kind kind, const char *path,
                                         uint32_t mode)
{
	fs->entries = realloc(fs->entries, (fs->count + 1) * sizeof(*fs->entries));
	if (!fs->entries) {
		vm_error("out of memory");
		abort();
	}
	struct initramfs_entry *e = &fs->entries[fs->count++];
	*e = (struct initramfs_entry){.kind = kind, .path = xstrdup(path), .mode = mode};
	return e;
}

static void add_text(struct initramfs *fs, const char *path, const char *text)
{
	struct initramfs_entry *e = add_entry(fs, ENTRY_TEXT, path, 0644);
	buf_append(&e->content, text, strlen(text));
}

bool initramfs_plan(struct initramfs *fs, const struct vm_options *o, const char *init_path,
                    const struct module_list *modules, const char *cwd)
{
	static const char *const dirs[] = {"/dev",         "/proc",          "/sys",       "/host",
	                                   "/rw",          "/newroot",       "/bin",       "/lib",
	                                   "/lib/modules", GUEST_MODULE_DIR, GUEST_JOB_DIR};
	*fs = (struct initramfs){0};
	if (access(init_path, R_OK) != 0) {
		vm_error("the guest init %s is missing (%s); rebuild vgpu-vm with ninja", init_path,
		         strerror(errno));
		return false;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		add_entry(fs, ENTRY_DIR, dirs[i], 0755);
	add_entry(fs, ENTRY_HOST_FILE, "/init", 0755)->host_path = xstrdup(init_path);

	struct buf load_order = {0};
	for (size_t i = 0; i < modules->count; i++) {
		char *path = xasprintf(GUEST_MODULE_DIR "/%s.ko", modules->names.items[i]);
		struct initramfs_entry *e = add_entry(fs, ENTRY_HOST_FILE, path, 0644);
		e->host_path = xstrdup(modules->paths.items[i]);
		e->decompressor = decompressor_for_suffix(e->host_path);
		buf_append(&e->content, modules->contents[i].data, modules->contents[i].len);
		buf_appendf(&load_order, "%s\n", path);
		free(path);
	}
	add_text(fs, GUEST_MODULES_FILE, load_order.len ? load_order.data : "");
	buf_free(&load_order);

	if (!o->shell)
		add_text(fs, GUEST_EXEC_FILE, o->exec ? o->exec : "true");
	if (cwd)
		add_text(fs, GUEST_CWD_FILE, cwd);
	if (o->screenshot)
		add_text(fs, GUEST_WAIT_FILE, "");
	if (o->net_user)
		add_text(fs, GUEST_NET_FILE, "");
	if (o->shell && access(RESCUE_SHELL_HOST_PATH, X_OK) == 0)
		add_entry(fs, ENTRY_HOST_FILE, GUEST_RESCUE_SHELL, 0755)->host_path =
		        xstrdup(RESCUE_SHELL_HOST_PATH);
	return true;
}

bool initramfs_write(const struct initramfs *fs, const char *path)
{
	struct buf archive = {0};
	struct cpio_writer w;
	bool ok = true;
	cpio_init(&w, &archive);
	for (size_t i = 0; i < fs->count && ok; i++) {
		const struct initramfs_entry *e = &fs->entries[i];
		switch (e->kind) {
		case ENTRY_DIR:
			cpio_add_dir(&w, e->path, e->mode);
			break;
		case ENTRY_TEXT:
			cpio_add_file(&w, e->path, e->mode, e->content.data, e->content.len);
			break;
		case ENTRY_HOST_FILE:
			if (e->content.data) {
				cpio_add_file(&w, e->path, e->mode, e->content.data, e->content.len);
			} else {
				struct buf content = {0};
				ok = e->decompressor ? read_module_file(e->host_path, &content)
				                     : read_file(e->host_path, &content);
				if (!ok)
					vm_error("cannot read %s for the initramfs: %s", e->host_path,
					         strerror(errno));
				else
					cpio_add_file(&w, e->path, e->mode, content.data, content.len);
				buf_free(&content);
			}
			break;
		}
	}
	cpio_finish(&w);
	FILE *f = ok ? fopen(path, "wb") : NULL;
	if (ok && !f)
		vm_error("cannot write %s: %s", path, strerror(errno));
	ok = f && fwrite(archive.data, 1, archive.len, f) == archive.len;
	if (f && fclose(f) != 0)
		ok = false;
	buf_free(&archive);
	return ok;
}

static void append_quoted_stage_path(struct buf *script, const char *path)
{
	buf_appendf(script, "\"$STAGE\"");
	shell_quote(script, path);
}

void initramfs_script(const struct initramfs *fs, struct buf *script)
{
	for (size_t i = 0; i < fs->count; i++) {
		const struct initramfs_entry *e = &fs->entries[i];
		switch (e->kind) {
		case ENTRY_DIR:
			buf_appendf(script, "mkdir -p ");
			append_quoted_stage_path(script, e->path);
			break;
		case ENTRY_TEXT:
			buf_appendf(script, "printf '%%s' ");
			shell_quote(script, e->content.data ? e->content.data : "");
			buf_appendf(script, " > ");
			append_quoted_stage_path(script, e->path);
			break;
		case ENTRY_HOST_FILE:
			if (e->decompressor) {
				for (size_t a = 0; e->decompressor->argv[a]; a++) {
					shell_quote(script, e->decompressor->argv[a]);
					buf_append(script, " ", 1);
				}
				buf_appendf(script, "< ");
				shell_quote(script, e->host_path);
				buf_appendf(script, " > ");
			} else {
				buf_appendf(script, "cp ");
				shell_quote(script, e->host_path);
				buf_appendf(script, " ");
			}
			append_quoted_stage_path(script, e->path);
			if (e->mode & 0111) {
				buf_appendf(script, " && chmod +x ");
				append_quoted_stage_path(script, e->path);
			}
			break;
		}
		buf_append(script, "\n", 1);
	}
	buf_appendf(script,
	            "(cd \"$STAGE\" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc) > "
	            "\"$ARCHIVE\"\n");
}

void initramfs_free(struct initramfs *fs)
{
	for (size_t i = 0; i < fs->count; i++) {
		free(fs->entries[i].path);
		free(fs->entries[i].host_path);
		buf_free(&fs->entries[i].content);
	}
	free(fs->entries);
	*fs = (struct initramfs){0};
}
