/* The cpio writer, checked against GNU cpio (an independent reader): it must list and extract what was
 * written, byte for byte, including sizes that need padding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "vgpu_test.h"

static char work_dir[] = "/tmp/vgpu-vm-test-cpio.XXXXXX";

static void write_archive(const char *path, const struct buf *archive)
{
	FILE *f = fopen(path, "wb");
	VT_CHECK(f != NULL);
	if (!f)
		return;
	VT_CHECK_EQ_U64(fwrite(archive->data, 1, archive->len, f), archive->len);
	fclose(f);
}

static void run_shell(const char *command, struct buf *out)
{
	char *argv[] = {"sh", "-c", (char *)command, NULL};
	VT_CHECK(run_capture(argv, -1, true, out));
}

static void test_records_are_aligned_and_terminated(void)
{
	struct buf archive = {0};
	struct cpio_writer w;
	cpio_init(&w, &archive);
	cpio_add_file(&w, "/a", 0644, "xyz", 3);
	VT_CHECK_EQ_U64(archive.len % 4, 0);
	VT_CHECK(memcmp(archive.data, "070701", 6) == 0);
	size_t before_trailer = archive.len;
	cpio_finish(&w);
	VT_CHECK(archive.len > before_trailer);
	VT_CHECK(memmem(archive.data + before_trailer, archive.len - before_trailer, "TRAILER!!!", 11) !=
	         NULL);
	buf_free(&archive);
}

static void test_gnu_cpio_extracts_what_was_written(void)
{
	struct buf archive = {0};
	struct cpio_writer w;
	/* Lengths 0..5 cover every padding case of names and data. */
	static const char *const contents[] = {"", "1", "22", "333", "4444", "55555"};
	cpio_init(&w, &archive);
	cpio_add_dir(&w, "/dir", 0755);
	cpio_add_dir(&w, "/dir/sub", 0700);
	char name[64];
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "/dir/%.*s", i + 1, "fffffff");
		cpio_add_file(&w, name, i == 3 ? 0755 : 0644, contents[i], strlen(contents[i]));
	}
	cpio_add_symlink(&w, "/dir/link", "f");
	cpio_finish(&w);

	char *archive_path = xasprintf("%s/test.cpio", work_dir);
	write_archive(archive_path, &archive);
	struct buf listing = {0};
	char *list_cmd = xasprintf("cpio --quiet -t < %s | LC_ALL=C sort", archive_path);
	run_shell(list_cmd, &listing);
	VT_CHECK(listing.data &&
	         strcmp(listing.data, "dir\ndir/f\ndir/ff\ndir/fff\ndir/ffff\ndir/fffff\ndir/ffffff\n"
	                              "dir/link\ndir/sub\n") == 0);

	struct buf ignored = {0};
	char *extract_cmd =
	        xasprintf("cd %s && mkdir out && cd out && cpio --quiet -id < %s", work_dir, archive_path);
	run_shell(extract_cmd, &ignored);
	for (int i = 0; i < 6; i++) {
		char *path = xasprintf("%s/out/dir/%.*s", work_dir, i + 1, "fffffff");
		struct buf content = {0};
		VT_CHECK(read_file(path, &content));
		VT_CHECK_EQ_U64(content.len, strlen(contents[i]));
		VT_CHECK(content.len == 0 || memcmp(content.data, contents[i], content.len) == 0);
		struct stat st;
		VT_CHECK(stat(path, &st) == 0);
		VT_CHECK_EQ_U64(st.st_mode & 0777, i == 3 ? 0755 : 0644);
		buf_free(&content);
		free(path);
	}
	char *link = xasprintf("%s/out/dir/link", work_dir);
	char target[16] = {0};
	VT_CHECK(readlink(link, target, sizeof(target) - 1) == 1 && strcmp(target, "f") == 0);

	char *cleanup = xasprintf("rm -rf %s/out %s", work_dir, archive_path);
	run_shell(cleanup, &ignored);
	free(cleanup);
	free(link);
	free(extract_cmd);
	free(list_cmd);
	free(archive_path);
	buf_free(&ignored);
	buf_free(&listing);
	buf_free(&archive);
}

static const struct vt_case cases[] = {
        VT_CASE(test_records_are_aligned_and_terminated),
        VT_CASE(test_gnu_cpio_extracts_what_was_written),
};

int main(int argc, char **argv)
{
	if (!mkdtemp(work_dir)) {
		perror("mkdtemp");
		return 1;
	}
	int status = vt_main(cases, VT_COUNT(cases), argc, argv);
	rmdir(work_dir);
	return status;
}
