#include "kmod.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"

#define MAX_DEPENDENCY_DEPTH 64

void module_name_from_path(const char *path, char *out, size_t out_size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strcspn(base, ".");
	if (len >= out_size)
		len = out_size - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[len] = '\0';
}

static void index_put(struct module_index *index, const char *name, const char *path)
{
	for (size_t i = 0; i < index->names.len; i++) {
		if (strcmp(index->names.items[i], name) == 0) {
			free(index->paths.items[i]);
			index->paths.items[i] = xstrdup(path);
			return;
		}
	}
	strv_push(&index->names, name);
	strv_push(&index->paths, path);
}

/* Each line of modules.dep / modules.order / modules.builtin starts with a module path relative to DIR. */
static bool for_each_listed_module(const char *dir, const char *file, struct module_index *index,
                                   bool builtin)
{
	struct buf content = {0};
	char *path = xasprintf("%s/%s", dir, file);
	bool ok = read_file(path, &content);
	free(path);
	if (!ok)
		return false;
	for (char *line = content.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, ":")] = '\0';
		if (!*line)
			continue;
		char name[256];
		module_name_from_path(line, name, sizeof(name));
		if (builtin) {
			strv_push(&index->builtin, name);
		} else {
			/* Older kernels list the objects ("x.o") in modules.order, not the modules. */
			size_t len = strlen(line);
			bool object = len > 2 && strcmp(line + len - 2, ".o") == 0;
			char *full = xasprintf("%s/%.*s%s", dir, (int)(object ? len - 2 : len), line,
			                       object ? ".ko" : "");
			index_put(index, name, full);
			free(full);
		}
	}
	buf_free(&content);
	return true;
}

bool module_index_load(struct module_index *index, const char *dir)
{
	for_each_listed_module(dir, "modules.builtin", index, true);
	if (for_each_listed_module(dir, "modules.dep", index, false) ||
	    for_each_listed_module(dir, "modules.order", index, false))
		return true;
	vm_error("no modules.dep or modules.order in %s; give a kernel whose modules are installed there or "
	         "a built "
	         "kernel tree",
	         dir);
	return false;
}

/* "x.ko" or a compressed "x.ko.xz"; not Kbuild's ".x.ko.cmd" and friends. */
static bool is_module_file_name(const char *name)
{
	const char *ko = strstr(name, ".ko");
	if (name[0] == '.' || !ko)
		return false;
	return ko[3] == '\0' || decompressor_for_suffix(name) != NULL;
}

bool module_index_add_dir(struct module_index *index, const char *dir, struct strv *names)
{
	DIR *d = opendir(dir);
	if (!d) {
		vm_error("cannot read the module directory %s (--modules): %s", dir, strerror(errno));
		return false;
	}
	struct dirent *entry;
	while ((entry = readdir(d))) {
		if (!is_module_file_name(entry->d_name))
			continue;
		char name[256];
		module_name_from_path(entry->d_name, name, sizeof(name));
		char *full = xasprintf("%s/%s", dir, entry->d_name);
		index_put(index, name, full);
		strv_push(names, name);
		free(full);
	}
	closedir(d);
	return true;
}

void module_index_free(struct module_index *index)
{
	strv_free(&index->names);
	strv_free(&index->paths);
	strv_free(&index->builtin);
}

const char *modinfo_get(const struct buf *image, const char *key)
{
	const unsigned char *data = (const unsigned char *)image->data;
	size_t size = image->len;
	Elf64_Ehdr eh;
	if (size < sizeof(eh))
		return NULL;
	memcpy(&eh, data, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > size ||
	    (size - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum || eh.e_shstrndx >= eh.e_shnum)
		return NULL;
	Elf64_Shdr names_section;
	memcpy(&names_section, data + eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof(Elf64_Shdr));
	if (names_section.sh_offset > size || names_section.sh_size > size - names_section.sh_offset)
		return NULL;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, data + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
		if (sh.sh_name >= names_section.sh_size || sh.sh_offset > size ||
		    sh.sh_size > size - sh.sh_offset)
			continue;
		const char *section_name = (const char *)data + names_section.sh_offset + sh.sh_name;
		if (strnlen(section_name, names_section.sh_size - sh.sh_name) ==
		            names_section.sh_size - sh.sh_name ||
		    strcmp(section_name, ".modinfo") != 0)
			continue;
		/* .modinfo is a run of NUL-terminated "key=value" strings. */
		size_t key_len = strlen(key);
		const char *p = (const char *)data + sh.sh_offset, *end = p + sh.sh_size;
		while (p < end) {
			size_t len = strnlen(p, (size_t)(end - p));
			if (len == (size_t)(end - p))
				return NULL;
			if (len > key_len && strncmp(p, key, key_len) == 0 && p[key_len] == '=')
				return p + key_len + 1;
			p += len + 1;
		}
	}
	return NULL;
}

static const char *index_lookup(const struct module_index *index, const char *name)
{
	for (size_t i = 0; i < index->names.len; i++)
		if (strcmp(index->names.items[i], name) == 0)
			return index->paths.items[i];
	return NULL;
}

static bool add_module(struct module_list *list, const struct module_index *index, const char *name,
                       int depth)
{
	if (strv_contains(&list->names, name) || strv_contains(&index->builtin, name))
		return true;
	if (depth > MAX_DEPENDENCY_DEPTH) {
		vm_error("module dependencies nest deeper than %d at %s (a dependency loop?)",
		         MAX_DEPENDENCY_DEPTH, name);
		return false;
	}
	const char *path = index_lookup(index, name);
	if (!path) {
		vm_error("the kernel has no module %s (neither built in nor in its modules list)", name);
		return false;
	}
	struct buf image = {0};
	if (!read_module_file(path, &image))
		return false;
	const char *depends = modinfo_get(&image, "depends");
	char *deps = xstrdup(depends ? depends : "");
	bool ok = true;
	char *save = NULL;
	for (char *dep = strtok_r(deps, ",", &save); ok && dep; dep = strtok_r(NULL, ",", &save)) {
		char dep_name[256];
		module_name_from_path(dep, dep_name, sizeof(dep_name));
		ok = add_module(list, index, dep_name, depth + 1);
	}
	free(deps);
	if (!ok || strv_contains(&list->names, name)) {
		buf_free(&image);
		return ok;
	}
	strv_push(&list->names, name);
	strv_push(&list->paths, path);
	list->contents = realloc(list->contents, (list->count + 1) * sizeof(*list->contents));
	if (!list->contents) {
		vm_error("out of memory");
		abort();
	}
	list->contents[list->count++] = image;
	return true;
}

bool module_list_add(struct module_list *list, const struct module_index *index, const char *name)
{
	char normalised[256];
	module_name_from_path(name, normalised, sizeof(normalised));
	return add_module(list, index, normalised, 0);
}

void module_list_free(struct module_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		buf_free(&list->contents[i]);
	free(list->contents);
	strv_free(&list->names);
	strv_free(&list->paths);
	*list = (struct module_list){0};
}
