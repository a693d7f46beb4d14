/* Option values and the named-VM config parser: accepted values land in the settings, and every rejected
 * one produces a single line naming the file, line and key (or the option). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "vgpu_test.h"

static char work_dir[] = "/tmp/vgpu-vm-test-options.XXXXXX";

/* Runs a parse with stderr captured, so the error line itself can be checked. */
struct captured {
	bool ok;
	char message[1024];
};

static int begin_capture(void)
{
	fflush(stderr);
	int saved = dup(2);
	char *path = xasprintf("%s/stderr", work_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	free(path);
	dup2(fd, 2);
	close(fd);
	return saved;
}

static void end_capture(int saved, struct captured *c)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *path = xasprintf("%s/stderr", work_dir);
	struct buf content = {0};
	read_file(path, &content);
	snprintf(c->message, sizeof(c->message), "%s", content.data ? content.data : "");
	buf_free(&content);
	free(path);
}

static struct captured parse_config_text(struct vm_options *o, const char *text, char **path_out)
{
	struct captured c = {0};
	char *path = xasprintf("%s/config", work_dir);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	int saved = begin_capture();
	c.ok = options_parse_config(o, path);
	end_capture(saved, &c);
	*path_out = path;
	return c;
}

static struct captured parse_args(struct vm_options *o, char **argv, int argc, char **name)
{
	struct captured c = {0};
	int saved = begin_capture();
	c.ok = options_parse_args(o, argc, argv, 0, OPTION_FOR_RUN, name);
	end_capture(saved, &c);
	return c;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_sizes(void)
{
	unsigned long long mib;
	VT_CHECK(parse_size_mib("1G", &mib) && mib == 1024);
	VT_CHECK(parse_size_mib("512M", &mib) && mib == 512);
	VT_CHECK(parse_size_mib("2048", &mib) && mib == 2048);
	VT_CHECK(parse_size_mib("2t", &mib) && mib == 2 * 1024 * 1024);
	VT_CHECK(!parse_size_mib("1X", &mib));
	VT_CHECK(!parse_size_mib("", &mib));
	VT_CHECK(!parse_size_mib("-1G", &mib));
	VT_CHECK(!parse_size_mib("99999999999999999999G", &mib));
}

static void test_config_values_are_applied(void)
{
	struct vm_options o;
	char *path;
	options_init(&o);
	struct captured c =
	        parse_config_text(&o,
	                          "# a comment\n\n  cpus = 4\nmem=2G\nnet = user\nssh-port = 2200\n"
	                          "display = yes\nmodules = /tmp/mods\ntimeout = 1.5\n",
	                          &path);
	VT_CHECK(c.ok);
	VT_CHECK_EQ_INT(o.cpus, 4);
	VT_CHECK_EQ_INT(o.mem_mib, 2048);
	VT_CHECK(o.net_user);
	VT_CHECK_EQ_INT(o.ssh_port, 2200);
	VT_CHECK(o.display);
	VT_CHECK(o.module_dirs.len == 1 && strcmp(o.module_dirs.items[0], "/tmp/mods") == 0);
	VT_CHECK(o.timeout == 1.5);
	VT_CHECK_EQ_INT(strlen(c.message), 0);
	options_free(&o);
	free(path);
}

static void check_config_error(const char *text, const char *expected_location)
{
	struct vm_options o;
	char *path;
	options_init(&o);
	struct captured c = parse_config_text(&o, text, &path);
	VT_CHECK(!c.ok);
	char *location = xasprintf("%s:%s", path, expected_location);
	VT_CHECK(strstr(c.message, location) != NULL);
	VT_CHECK_EQ_INT(count_lines(c.message), 1);
	if (!strstr(c.message, location))
		printf("# message was: %s", c.message);
	free(location);
	options_free(&o);
	free(path);
}

static void test_config_errors_name_file_line_and_key(void)
{
	check_config_error("cpus = 2\ncolour = blue\n", "2: key 'colour': unknown key");
	check_config_error("cpus = many\n", "1: key 'cpus'");
	check_config_error("mem = 2G\n\nmem = 3X\n", "3: key 'mem'");
	check_config_error("cpus 2\n", "1: expected 'key = value'");
	check_config_error("exec = true\n", "1: key 'exec': unknown key");
	check_config_error("display = maybe\n", "1: key 'display'");
}

static void test_unreadable_config_is_one_line(void)
{
	struct vm_options o;
	struct captured c = {0};
	options_init(&o);
	int saved = begin_capture();
	c.ok = options_parse_config(&o, "/nonexistent/vgpu-vm/config");
	end_capture(saved, &c);
	VT_CHECK(!c.ok);
	VT_CHECK(strstr(c.message, "/nonexistent/vgpu-vm/config") != NULL);
	VT_CHECK_EQ_INT(count_lines(c.message), 1);
	options_free(&o);
}

static void test_command_line(void)
{
	struct vm_options o;
	char *name = NULL;
	options_init(&o);
	char *argv[] = {"myvm", "--mem=2G", "-c", "3", "--exec", "echo hi", "--", "-device", "foo"};
	struct captured c = parse_args(&o, argv, 9, &name);
	VT_CHECK(c.ok);
	VT_CHECK(name && strcmp(name, "myvm") == 0);
	VT_CHECK_EQ_INT(o.mem_mib, 2048);
	VT_CHECK_EQ_INT(o.cpus, 3);
	VT_CHECK(o.exec && strcmp(o.exec, "echo hi") == 0);
	VT_CHECK(o.qemu_extra.len == 2 && strcmp(o.qemu_extra.items[1], "foo") == 0);
	free(name);
	options_free(&o);
}

static void check_bad_args(char **argv, int argc, const char *expected)
{
	struct vm_options o;
	char *name = NULL;
	options_init(&o);
	struct captured c = parse_args(&o, argv, argc, &name);
	VT_CHECK(!c.ok);
	VT_CHECK(strstr(c.message, expected) != NULL);
	VT_CHECK_EQ_INT(count_lines(c.message), 1);
	if (!strstr(c.message, expected))
		printf("# message was: %s", c.message);
	free(name);
	options_free(&o);
}

static void test_bad_command_lines(void)
{
	check_bad_args((char *[]){"--frobnicate"}, 1, "unknown option '--frobnicate'");
	check_bad_args((char *[]){"--exec"}, 1, "--exec needs a value");
	check_bad_args((char *[]){"--cpus", "0"}, 2, "not a CPU count");
	check_bad_args((char *[]){"--timeout", "-3"}, 2, "not a number of seconds");
	check_bad_args((char *[]){"--shell=yes"}, 1, "takes no value");
	check_bad_args((char *[]){"--screenshot", "shot.jpg"}, 2, "does not end in .png");
	check_bad_args((char *[]){"a", "b"}, 2, "unexpected argument 'b'");
	check_bad_args((char *[]){"--net", "bridge"}, 2, "not a network mode");
}

static void test_written_config_reads_back(void)
{
	struct vm_options o, back;
	struct buf text = {0};
	char *path;
	options_init(&o);
	options_init(&back);
	o.cpus = 3;
	o.mem_mib = 1536;
	o.net_user = true;
	o.disk = xstrdup("/var/tmp/disk.img");
	options_write_config(&o, &text);
	struct captured c = parse_config_text(&back, text.data, &path);
	VT_CHECK(c.ok);
	VT_CHECK_EQ_INT(back.cpus, 3);
	VT_CHECK_EQ_INT(back.mem_mib, 1536);
	VT_CHECK(back.net_user);
	VT_CHECK(back.disk && strcmp(back.disk, "/var/tmp/disk.img") == 0);
	buf_free(&text);
	options_free(&o);
	options_free(&back);
	free(path);
}

static const struct vt_case cases[] = {
        VT_CASE(test_sizes),
        VT_CASE(test_config_values_are_applied),
        VT_CASE(test_config_errors_name_file_line_and_key),
        VT_CASE(test_unreadable_config_is_one_line),
        VT_CASE(test_command_line),
        VT_CASE(test_bad_command_lines),
        VT_CASE(test_written_config_reads_back),
};

int main(int argc, char **argv)
{
	if (!mkdtemp(work_dir)) {
		perror("mkdtemp");
		return 1;
	}
	int status = vt_main(cases, VT_COUNT(cases), argc, argv);
	char *stderr_path = xasprintf("%s/stderr", work_dir), *config = xasprintf("%s/config", work_dir);
	unlink(stderr_path);
	unlink(config);
	rmdir(work_dir);
	free(stderr_path);
	free(config);
	return status;
}
