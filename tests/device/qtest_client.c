#include "qtest_client.h"

#include "vgpu_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPLY_TIMEOUT_MS 60000 /* a dead or wedged QEMU fails the case instead of hanging the suite */
#define MAX_ARGS         64

struct line_reader {
	int fd;
	char buf[1 << 16];
	size_t len;
};

struct qt {
	pid_t pid;
	char dir[64];
	struct line_reader qtest, qmp;
	bool broken;         /* QEMU stopped answering: later calls fail fast */
	bool irq_level[256]; /* intercepted interrupt lines, from "IRQ raise/lower N" notifications */
};

const char *qt_qemu_path(void)
{
	return VGPU_QEMU_PATH;
}

const char *qt_dir(const struct qt *qt)
{
	return qt->dir;
}

/* One line without its newline, malloc'ed; NULL on EOF, error or timeout. */
static char *read_line(struct line_reader *r)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);

		if (nl) {
			size_t n = (size_t)(nl - r->buf);
			char *line = strndup(r->buf, n);

			memmove(r->buf, nl + 1, r->len - n - 1);
			r->len -= n + 1;
			return line;
		}
		if (r->len == sizeof(r->buf)) {
			return NULL; /* no reply line is this long */
		}
		struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
		if (poll(&pfd, 1, REPLY_TIMEOUT_MS) != 1) {
			return NULL;
		}
		ssize_t got = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (got <= 0) {
			return NULL;
		}
		r->len += (size_t)got;
	}
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t put = write(fd, data, len);

		if (put < 0 && errno == EINTR) {
			continue;
		}
		if (put <= 0) {
			return false;
		}
		data += put;
		len -= (size_t)put;
	}
	return true;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 1) != 0) {
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

static int accept_within(int listen_fd, int timeout_ms)
{
	struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};

	if (poll(&pfd, 1, timeout_ms) != 1) {
		return -1;
	}
	return accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
}

static void print_file(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f) {
		return;
	}
	printf("# %s:\n", what);
	while (fgets(line, sizeof(line), f)) {
		printf("#   %s", line);
	}
	fclose(f);
}

static void spawn_qemu(struct qt *qt, char *args_copy)
{
	char qtest_arg[128], qmp_arg[128], log_arg[128], err_path[128];
	const char *argv[MAX_ARGS];
	int argc = 0;

	snprintf(qtest_arg, sizeof(qtest_arg), "unix:%s/qtest.sock", qt->dir);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s/qmp.sock", qt->dir);
	snprintf(log_arg, sizeof(log_arg), "%s/qemu.log", qt->dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr.txt", qt->dir);
	const char *fixed[] = {qt_qemu_path(), "-machine",     "q35",   "-accel",   "qtest", "-qtest",
	                       qtest_arg,      "-qmp",         qmp_arg, "-display", "none",  "-nodefaults",
	                       "-d",           "guest_errors", "-D",    log_arg};
	for (size_t i = 0; i < VT_COUNT(fixed); i++) {
		argv[argc++] = fixed[i];
	}
	for (char *tok = strtok(args_copy, " "); tok && argc < MAX_ARGS - 1; tok = strtok(NULL, " ")) {
		argv[argc++] = tok;
	}
	argv[argc] = NULL;

	qt->pid = fork();
	if (qt->pid == 0) {
		/* a test that dies must not leave its QEMU behind */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int devnull = open("/dev/null", O_RDONLY);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(devnull, 0);
		dup2(err, 1);
		dup2(err, 2);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
}

struct qt *qt_start(const char *extra_args)
{
	struct qt *qt = calloc(1, sizeof(*qt));
	char path[128], *args_copy = strdup(extra_args ? extra_args : "");
	int qtest_listen, qmp_listen;

	signal(SIGPIPE,
	       SIG_IGN); /* a QEMU that died shows as a failed write, reported, not as a killed test */
	if (access(qt_qemu_path(), X_OK) != 0) {
		vt_fail(__FILE__, __LINE__, "no QEMU at %s: run scripts/build-qemu.sh (or pass -Dqemu=PATH)",
		        qt_qemu_path());
		free(qt);
		free(args_copy);
		return NULL;
	}
	snprintf(qt->dir, sizeof(qt->dir), "/tmp/vgpu-device-XXXXXX");
	if (!mkdtemp(qt->dir)) {
		vt_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		free(qt);
		free(args_copy);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/qtest.sock", qt->dir);
	qtest_listen = listen_unix(path);
	snprintf(path, sizeof(path), "%s/qmp.sock", qt->dir);
	qmp_listen = listen_unix(path);
	spawn_qemu(qt, args_copy);
	free(args_copy);

	qt->qtest.fd = accept_within(qtest_listen, REPLY_TIMEOUT_MS);
	qt->qmp.fd = qt->qtest.fd >= 0 ? accept_within(qmp_listen, REPLY_TIMEOUT_MS) : -1;
	close(qtest_listen);
	close(qmp_listen);
	char *greeting = qt->qmp.fd >= 0 ? read_line(&qt->qmp) : NULL;
	if (!greeting) {
		snprintf(path, sizeof(path), "%s/stderr.txt", qt->dir);
		vt_fail(__FILE__, __LINE__, "QEMU did not start with '%s'", extra_args);
		print_file(path, "QEMU's stderr");
		qt->broken = true;
		qt_quit(qt);
		return NULL;
	}
	free(greeting);
	qt_qmp_ok(qt, "{\"execute\": \"qmp_capabilities\"}");
	return qt;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	return remove(path);
}

int qt_quit(struct qt *qt)
{
	int status = -1;

	if (!qt) {
		return -1;
	}
	if (!qt->broken && qt->qmp.fd >= 0) {
		/* QEMU may exit before its reply arrives: only the exit status below tells how it went. */
		static const char quit[] = "{\"execute\": \"quit\"}\n";

		write_all(qt->qmp.fd, quit, sizeof(quit) - 1);
	}
	for (int waited_ms = 0; qt->pid > 0; waited_ms += 10) {
		pid_t done = waitpid(qt->pid, &status, WNOHANG);

		if (done == qt->pid) {
			break;
		}
		if (waited_ms == 10000) {
			vt_fail(__FILE__, __LINE__, "QEMU did not quit within 10 s; killing it");
			kill(qt->pid, SIGKILL);
		}
		usleep(10000);
	}
	if (qt->pid > 0 && WIFSIGNALED(status)) {
		char path[128];

		vt_fail(__FILE__, __LINE__, "QEMU died of signal %d", WTERMSIG(status));
		snprintf(path, sizeof(path), "%s/stderr.txt", qt->dir);
		print_file(path, "QEMU's stderr");
	}
	if (qt->qtest.fd >= 0) {
		close(qt->qtest.fd);
	}
	if (qt->qmp.fd >= 0) {
		close(qt->qmp.fd);
	}
	nftw(qt->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(qt);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

long qt_rss_kib(const struct qt *qt)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)qt->pid);
	f = fopen(path, "r");
	if (!f) {
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
			break;
		}
	}
	fclose(f);
	return kib;
}

char *qt_read_log(struct qt *qt)
{
	char path[128];
	FILE *f;
	char *text = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/qemu.log", qt->dir);
	f = fopen(path, "r");
	if (!f) {
		return NULL;
	}
	text = calloc(1, 1 << 20);
	len = fread(text, 1, (1 << 20) - 1, f);
	text[len] = '\0';
	fclose(f);
	return text;
}

static void record_irq(struct qt *qt, const char *event)
{
	bool raise = strncmp(event, "raise ", 6) == 0;
	unsigned line = (unsigned)strtoul(event + 6, NULL, 10);

	if ((raise || strncmp(event, "lower ", 6) == 0) && line < 256) {
		qt->irq_level[line] = raise;
	}
}

/* Send one qtest command; returns what follows "OK" (malloc'ed), or NULL after reporting a failure. */
static char *qtest_command(struct qt *qt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *qtest_command(struct qt *qt, const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	int len;

	if (qt->broken) {
		return NULL;
	}
	va_start(ap, fmt);
	len = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (len >= 0) {
		cmd = realloc(cmd, (size_t)len + 2);
		cmd[len++] = '\n';
		cmd[len] = '\0';
	}
	if (len < 0 || !write_all(qt->qtest.fd, cmd, (size_t)len)) {
		vt_fail(__FILE__, __LINE__, "cannot send qtest command: QEMU is gone");
		qt->broken = true;
		free(cmd);
		return NULL;
	}
	for (;;) {
		char *line = read_line(&qt->qtest);

		if (!line) {
			vt_fail(__FILE__, __LINE__, "no reply to qtest '%.60s': QEMU died or hangs", cmd);
			qt->broken = true;
			free(cmd);
			return NULL;
		}
		if (strncmp(line, "IRQ ", 4) == 0) {
			record_irq(qt, line + 4);
			free(line);
			continue;
		}
		if (strncmp(line, "OK", 2) == 0) {
			char *rest = strdup(line[2] == ' ' ? line + 3 : "");

			free(line);
			free(cmd);
			return rest;
		}
		vt_fail(__FILE__, __LINE__, "qtest '%.60s' answered '%s'", cmd, line);
		free(line);
		free(cmd);
		return NULL;
	}
}

static uint64_t qtest_value(struct qt *qt, const char *fmt, uint64_t addr)
{
	char *reply = qtest_command(qt, fmt, addr);
	uint64_t value = reply ? strtoull(reply, NULL, 0) : 0;

	free(reply);
	return value;
}

static void qtest_void(struct qt *qt, const char *op, uint64_t addr, uint64_t value)
{
	free(qtest_command(qt, "%s 0x%" PRIx64 " 0x%" PRIx64, op, addr, value));
}

uint8_t qt_readb(struct qt *qt, uint64_t addr)
{
	return (uint8_t)qtest_value(qt, "readb 0x%" PRIx64, addr);
}
uint16_t qt_readw(struct qt *qt, uint64_t addr)
{
	return (uint16_t)qtest_value(qt, "readw 0x%" PRIx64, addr);
}
uint32_t qt_readl(struct qt *qt, uint64_t addr)
{
	return (uint32_t)qtest_value(qt, "readl 0x%" PRIx64, addr);
}
uint64_t qt_readq(struct qt *qt, uint64_t addr)
{
	return qtest_value(qt, "readq 0x%" PRIx64, addr);
}
void qt_writeb(struct qt *qt, uint64_t addr, uint8_t value)
{
	qtest_void(qt, "writeb", addr, value);
}
void qt_writew(struct qt *qt, uint64_t addr, uint16_t value)
{
	qtest_void(qt, "writew", addr, value);
}
void qt_writel(struct qt *qt, uint64_t addr, uint32_t value)
{
	qtest_void(qt, "writel", addr, value);
}
void qt_writeq(struct qt *qt, uint64_t addr, uint64_t value)
{
	qtest_void(qt, "writeq", addr, value);
}
uint32_t qt_inl(struct qt *qt, uint16_t port)
{
	return (uint32_t)qtest_value(qt, "inl 0x%" PRIx64, port);
}
void qt_outl(struct qt *qt, uint16_t port, uint32_t value)
{
	qtest_void(qt, "outl", port, value);
}
uint64_t qt_clock_step(struct qt *qt, uint64_t ns)
{
	return qtest_value(qt, "clock_step %" PRIu64, ns);
}

void qt_memwrite(struct qt *qt, uint64_t addr, const void *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *bytes = buf;
	char *text = malloc(len * 2 + 1);

	for (size_t i = 0; i < len; i++) {
		text[2 * i] = hex[bytes[i] >> 4];
		text[2 * i + 1] = hex[bytes[i] & 15];
	}
	text[len * 2] = '\0';
	free(qtest_command(qt, "write 0x%" PRIx64 " 0x%zx 0x%s", addr, len, text));
	free(text);
}

void qt_memread(struct qt *qt, uint64_t addr, void *buf, size_t len)
{
	char *reply = qtest_command(qt, "read 0x%" PRIx64 " 0x%zx", addr, len);
	uint8_t *bytes = buf;

	memset(buf, 0, len);
	if (!reply || strncmp(reply, "0x", 2) != 0 || strlen(reply) != 2 + 2 * len) {
		if (reply) {
			vt_fail(__FILE__, __LINE__, "qtest read of %zu bytes answered '%.40s'", len, reply);
		}
		free(reply);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		char pair[3] = {reply[2 + 2 * i], reply[3 + 2 * i], '\0'};

		bytes[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	free(reply);
}

void qt_irq_intercept_in(struct qt *qt, const char *qom_path)
{
	free(qtest_command(qt, "irq_intercept_in %s", qom_path));
}

int qt_irq_raised(struct qt *qt)
{
	free(qtest_command(qt, "endianness")); /* collects notifications sent before its reply */
	for (unsigned line = 0; line < 256; line++) {
		if (qt->irq_level[line]) {
			return (int)line;
		}
	}
	return -1;
}

bool qt_alive(struct qt *qt)
{
	int status;
	char *reply;

	if (qt->broken || waitpid(qt->pid, &status, WNOHANG) != 0) {
		return false;
	}
	reply = qtest_command(qt, "endianness");
	free(reply);
	return reply != NULL;
}

char *qt_qmp(struct qt *qt, const char *json)
{
	if (qt->broken) {
		return NULL;
	}
	/* One write: QEMU acts on the closing brace, and after "quit" a separate newline would hit a closed
	 * socket. */
	char *command = NULL;
	int len = asprintf(&command, "%s\n", json);
	bool sent = len > 0 && write_all(qt->qmp.fd, command, (size_t)len);

	free(command);
	if (!sent) {
		vt_fail(__FILE__, __LINE__, "cannot send QMP command: QEMU is gone");
		qt->broken = true;
		return NULL;
	}
	for (;;) {
		char *line = read_line(&qt->qmp);

		if (!line) {
			vt_fail(__FILE__, __LINE__, "no QMP reply to %.60s", json);
			qt->broken = true;
			return NULL;
		}
		if (strstr(line, "\"event\"") && !strstr(line, "\"return\"") && !strstr(line, "\"error\"")) {
			free(line);
			continue;
		}
		return line;
	}
}

void qt_qmp_ok(struct qt *qt, const char *json)
{
	char *reply = qt_qmp(qt, json);

	if (reply && !strstr(reply, "\"return\"")) {
		vt_fail(__FILE__, __LINE__, "QMP %.80s failed: %s", json, reply);
	}
	free(reply);
}

bool qt_qmp_job(struct qt *qt, const char *json, const char *job_id)
{
	char query[160];
	bool ok = false;

	qt_qmp_ok(qt, json);
	for (int polls = 0; polls < 6000 && !qt->broken; polls++) {
		char *reply = qt_qmp(qt, "{\"execute\": \"query-jobs\"}");
		bool concluded = reply && strstr(reply, "\"concluded\"");

		if (concluded) {
			ok = !strstr(reply, "\"error\"");
			if (!ok) {
				vt_fail(__FILE__, __LINE__, "job %s failed: %s", job_id, reply);
			}
		}
		free(reply);
		if (concluded) {
			break;
		}
		usleep(10000);
	}
	snprintf(query, sizeof(query), "{\"execute\": \"job-dismiss\", \"arguments\": {\"id\": \"%s\"}}",
	         job_id);
	qt_qmp_ok(qt, query);
	return ok;
}

bool qt_add_snapshot_disk(struct qt *qt)
{
	char cmd[512], path[256];
	snprintf(path, sizeof(path), "%s/disk.qcow2", qt_dir(qt));
	FILE *file = fopen(path, "w");
	if (!file)
		return false;
	fclose(file);
	snprintf(
	        cmd, sizeof(cmd),
	        "{\"execute\": \"blockdev-add\", \"arguments\": {\"driver\": \"file\", \"filename\": \"%s\", "
	        "\"node-name\": \"disk-file\"}}",
	        path);
	qt_qmp_ok(qt, cmd);
	if (!qt_qmp_job(
	            qt,
	            "{\"execute\": \"blockdev-create\", \"arguments\": {\"job-id\": \"create\", \"options\": "
	            "{\"driver\": \"qcow2\", \"file\": \"disk-file\", \"size\": 67108864}}}",
	            "create"))
		return false;
	qt_qmp_ok(qt, "{\"execute\": \"blockdev-add\", \"arguments\": {\"driver\": \"qcow2\", "
	              "\"node-name\": \"disk\", \"file\": \"disk-file\"}}");
	return true;
}
