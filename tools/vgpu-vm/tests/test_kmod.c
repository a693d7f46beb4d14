/* Module metadata: .modinfo reading agrees with kmod's modinfo on the host's own modules, and malformed
 * images are refused without reading out of bounds. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decompress.h"
#include "kmod.h"
#include "vgpu_test.h"

static void test_module_names(void)
{
	char name[64];
	module_name_from_path("kernel/drivers/virtio/virtio-pci.ko.xz", name, sizeof(name));
	VT_CHECK(strcmp(name, "virtio_pci") == 0);
	module_name_from_path("9p.ko", name, sizeof(name));
	VT_CHECK(strcmp(name, "9p") == 0);
	module_name_from_path("a/b/vgpu", name, sizeof(name));
	VT_CHECK(strcmp(name, "vgpu") == 0);
	char tiny[4];
	module_name_from_path("longname.ko", tiny, sizeof(tiny));
	VT_CHECK(strcmp(tiny, "lon") == 0);
}

/* The newest /lib/modules/RELEASE with a modules.dep: the guest kernel's, not necessarily the host's. */
static char *installed_module_dir(void)
{
	DIR *d = opendir("/lib/modules");
	struct dirent *entry;
	char *best = NULL;
	while (d && (entry = readdir(d))) {
		char *dep = xasprintf("/lib/modules/%s/modules.dep", entry->d_name);
		if (entry->d_name[0] != '.' && access(dep, R_OK) == 0 &&
		    (!best || strverscmp(entry->d_name, best) > 0)) {
			free(best);
			best = xstrdup(entry->d_name);
		}
		free(dep);
	}
	if (d)
		closedir(d);
	char *dir = best ? xasprintf("/lib/modules/%s", best) : NULL;
	free(best);
	return dir;
}

/* Compares with `modinfo -F depends` for the modules a vgpu-vm boot loads. */
static void test_depends_match_modinfo(void)
{
	char *dir = installed_module_dir();
	struct module_index index = {0};
	VT_CHECK(dir != NULL);
	if (!dir) {
		printf("# no kernel modules installed: run scripts/install-deps.sh guest\n");
		return;
	}
	VT_CHECK(module_index_load(&index, dir));
	static const char *const names[] = {"9p", "virtio_pci", "overlay", "9pnet_virtio"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct module_list list = {0};
		VT_CHECK(module_list_add(&list, &index, names[i]));
		if (!list.count)
			continue;
		/* The module itself comes last, after everything it depends on. */
		VT_CHECK(strcmp(list.names.items[list.count - 1], names[i]) == 0);
		struct buf expected = {0};
		char *argv[] = {"modinfo", "-F", "depends", list.paths.items[list.count - 1], NULL};
		if (run_capture(argv, -1, false, &expected)) {
			expected.data[strcspn(expected.data, "\n")] = '\0';
			const char *depends = modinfo_get(&list.contents[list.count - 1], "depends");
			VT_CHECK(depends && strcmp(depends, expected.data) == 0);
		}
		buf_free(&expected);
		module_list_free(&list);
	}
	module_index_free(&index);
	free(dir);
}

/* A compressed module (as some distributions ship them) reads back as the original bytes. */
static void test_compressed_module_reads_back(void)
{
	char *dir = installed_module_dir();
	struct module_index index = {0};
	struct module_list list = {0};
	VT_CHECK(dir && module_index_load(&index, dir) && module_list_add(&list, &index, "overlay"));
	if (!list.count) {
		free(dir);
		return;
	}
	char compressed[] = "/tmp/vgpu-vm-test-kmod-XXXXXX.ko.xz";
	int fd = mkstemps(compressed, 6);
	VT_CHECK(fd >= 0);
	struct buf ignored = {0};
	char *command = xasprintf("xz -c '%s' > '%s'", list.paths.items[list.count - 1], compressed);
	char *argv[] = {"sh", "-c", command, NULL};
	VT_CHECK(run_capture(argv, -1, true, &ignored));
	struct buf unpacked = {0};
	VT_CHECK(read_module_file(compressed, &unpacked));
	const struct buf *original = &list.contents[list.count - 1];
	VT_CHECK_EQ_U64(unpacked.len, original->len);
	VT_CHECK(unpacked.len == original->len && memcmp(unpacked.data, original->data, unpacked.len) == 0);
	unlink(compressed);
	if (fd >= 0)
		close(fd);
	free(command);
	buf_free(&ignored);
	buf_free(&unpacked);
	module_list_free(&list);
	module_index_free(&index);
	free(dir);
}

static void test_malformed_images_are_refused(void)
{
	struct buf image = {0};
	VT_CHECK(modinfo_get(&image, "depends") == NULL);
	buf_append(&image,
	           "\x7f"
	           "ELF",
	           4);
	VT_CHECK(modinfo_get(&image, "depends") == NULL);
	/* A 64-bit ELF header whose section table points past the end. */
	unsigned char header[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	header[0x28] = 0xff; /* e_shoff */
	header[0x3a] = 64;   /* e_shentsize */
	header[0x3c] = 10;   /* e_shnum */
	buf_free(&image);
	buf_append(&image, header, sizeof(header));
	VT_CHECK(modinfo_get(&image, "depends") == NULL);
	buf_free(&image);
}

static void test_decompressor_choice(void)
{
	static const unsigned char xz[] = {0xfd, '7', 'z', 'X', 'Z', 0, 0, 0};
	static const unsigned char gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0};
	static const unsigned char elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
	VT_CHECK(decompressor_for_magic(xz, sizeof(xz)) &&
	         strcmp(decompressor_for_magic(xz, 8)->format, "xz") == 0);
	VT_CHECK(decompressor_for_magic(gz, sizeof(gz)) &&
	         strcmp(decompressor_for_magic(gz, 8)->format, "gzip") == 0);
	VT_CHECK(decompressor_for_magic(elf, sizeof(elf)) == NULL);
	VT_CHECK(decompressor_for_magic(xz, 3) == NULL);
	VT_CHECK(decompressor_for_suffix("a/virtio.ko.zst") != NULL);
	VT_CHECK(decompressor_for_suffix("a/virtio.ko") == NULL);
}

static const struct vt_case cases[] = {
        VT_CASE(test_module_names),
        VT_CASE(test_depends_match_modinfo),
        VT_CASE(test_compressed_module_reads_back),
        VT_CASE(test_malformed_images_are_refused),
        VT_CASE(test_decompressor_choice),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
