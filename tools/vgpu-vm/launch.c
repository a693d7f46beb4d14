#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_protocol.h"
#include "qmp.h"

/* QEMU's view of the relay pipes: it opens /proc/self/fd/N, so they sit at fixed numbers in the child. */
#define CHILD_OUT_FD       3
#define CHILD_ERR_FD       4
#define CHILD_CONSOLE_FD   5
#define CHILD_CONTROL_FD   6
#define CONSOLE_TAIL_BYTES 4096
#define CONSOLE_TAIL_LINES 15

struct stream {
	int fd;   /* read end, -1 once at EOF */
	int sink; /* where its bytes go, -1 to keep them in tail */
	struct buf tail;
};

struct session {
	struct run_plan *plan;
	char *dir;
	char *qmp_path;
	pid_t qemu;
	int pidfd;
	int control_fd;
	struct buf control_pending;
	bool have_status;
	int status;
	bool init_failed;
	bool screenshot_failed;
	struct stream out, err, console;
};

/* Set by SIGINT/SIGTERM: the guest is stopped and the working directory still cleaned up. */
static volatile sig_atomic_t interrupted;

static void note_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* A reader that goes away (`vgpu-vm run ... | head -1`, a dead QEMU) must not kill vgpu-vm before it has
 * stopped the guest and cleaned up, so SIGPIPE is ignored and writes just fail. */
static void prepare_signals(void)
{
	struct sigaction sa = {.sa_handler = note_interrupt};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool make_session_dir(struct session *s)
{
	const char *tmp = getenv("TMPDIR");
	s->dir = xasprintf("%s/vgpu-vm.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		vm_error("cannot create a working directory %s: %s", s->dir, strerror(errno));
		return false;
	}
	s->qmp_path = s->plan->qmp_socket ? xstrdup(s->plan->qmp_socket) : xasprintf("%s/qmp.sock", s->dir);
	if (strlen(s->qmp_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		vm_error(
		        "the working directory %s is too deep for a socket path; set TMPDIR to a shorter one",
		        s->dir);
		return false;
	}
	return true;
}

static void remove_session_dir(struct session *s)
{
	static const char *const files[] = {"initramfs.cpio", "qmp.sock"};
	for (size_t i = 0; s->dir && i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = xasprintf("%s/%s", s->dir, files[i]);
		unlink(path);
		free(path);
	}
	if (s->plan->qmp_socket)
		unlink(s->plan->qmp_socket);
	if (s->dir)
		rmdir(s->dir);
	free(s->dir);
	free(s->qmp_path);
}

/* Moves FD to TARGET in the child, after parking every pipe end above the low numbers. */
static void place_fd(int fd, int target)
{
	if (fd != target)
		dup2(fd, target);
}

static bool spawn_qemu(struct session *s, char **argv)
{
	int out[2], err[2], console[2], control[2];
	bool shell = s->plan->options->shell;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(console, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) < 0) {
		vm_error("cannot create pipes: %s", strerror(errno));
		return false;
	}
	s->qemu = fork();
	if (s->qemu < 0) {
		vm_error("cannot start QEMU: %s", strerror(errno));
		return false;
	}
	if (s->qemu == 0) {
		int high[4] = {fcntl(out[1], F_DUPFD, 10), fcntl(err[1], F_DUPFD, 10),
		               fcntl(console[1], F_DUPFD, 10), fcntl(control[1], F_DUPFD, 10)};
		if (!shell) {
			int null_fd = open("/dev/null", O_RDWR);
			dup2(null_fd, 0);
			dup2(null_fd, 1);
		}
		place_fd(high[0], CHILD_OUT_FD);
		place_fd(high[1], CHILD_ERR_FD);
		place_fd(high[2], CHILD_CONSOLE_FD);
		place_fd(high[3], CHILD_CONTROL_FD);
		execv(argv[0], argv);
		dprintf(2, "vgpu-vm: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	close(console[1]);
	close(control[1]);
	s->control_fd = control[0];
	s->out = (struct stream){.fd = out[0], .sink = 1};
	s->err = (struct stream){.fd = err[0], .sink = 2};
	s->console = (struct stream){.fd = console[0], .sink = s->plan->options->verbose ? 2 : -1};
	s->pidfd = (int)syscall(SYS_pidfd_open, s->qemu, 0);
	if (s->pidfd < 0) {
		vm_error("pidfd_open failed: %s (vgpu-vm needs Linux 5.3 or newer)", strerror(errno));
		return false;
	}
	return true;
}

static bool qemu_exited(struct session *s, int *wait_status)
{
	return waitpid(s->qemu, wait_status, WNOHANG) == s->qemu;
}

static void handle_control_line(struct session *s, const char *line)
{
	if (strncmp(line, GUEST_EXIT_PREFIX, strlen(GUEST_EXIT_PREFIX)) == 0) {
		s->status = atoi(line + strlen(GUEST_EXIT_PREFIX));
		s->have_status = true;
		const char *screenshot = s->plan->options->screenshot;
		if (screenshot) {
			s->screenshot_failed = !qmp_screendump(s->qmp_path, screenshot);
			if (!s->screenshot_failed)
				vm_note("saved the guest display to %s", screenshot);
		}
		write_all(s->control_fd, "poweroff\n", 9);
	} else if (strncmp(line, GUEST_ERROR_PREFIX, strlen(GUEST_ERROR_PREFIX)) == 0) {
		vm_error("the guest could not start the payload: %s", line + strlen(GUEST_ERROR_PREFIX));
		s->init_failed = true;
		write_all(s->control_fd, "poweroff\n", 9);
	}
}

static void read_control(struct session *s)
{
	char chunk[1024];
	ssize_t n = read(s->control_fd, chunk, sizeof(chunk));
	if (n <= 0) {
		close(s->control_fd);
		s->control_fd = -1;
		return;
	}
	buf_append(&s->control_pending, chunk, (size_t)n);
	char *newline;
	while ((newline = memchr(s->control_pending.data, '\n', s->control_pending.len))) {
		*newline = '\0';
		handle_control_line(s, s->control_pending.data);
		size_t used = (size_t)(newline - s->control_pending.data) + 1;
		memmove(s->control_pending.data, s->control_pending.data + used,
		        s->control_pending.len - used);
		s->control_pending.len -= used;
	}
}

static void pump(struct stream *st)
{
	char chunk[65536];
	ssize_t n = read(st->fd, chunk, sizeof(chunk));
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(st->fd);
		st->fd = -1;
		return;
	}
	if (st->sink >= 0) {
		write_all(st->sink, chunk, (size_t)n);
		return;
	}
	buf_append(&st->tail, chunk, (size_t)n);
	if (st->tail.len > 2 * CONSOLE_TAIL_BYTES) {
		memmove(st->tail.data, st->tail.data + st->tail.len - CONSOLE_TAIL_BYTES, CONSOLE_TAIL_BYTES);
		st->tail.len = CONSOLE_TAIL_BYTES;
		st->tail.data[st->tail.len] = '\0';
	}
}

static void show_console_tail(const struct stream *console)
{
	if (!console->tail.len)
		return;
	const char *start = console->tail.data + console->tail.len;
	for (int lines = 0; start > console->tail.data && lines <= CONSOLE_TAIL_LINES; start--)
		if (start[-1] == '\n')
			lines++;
	fprintf(stderr, "vgpu-vm: the guest console ended with:\n%s", start);
	if (console->tail.data[console->tail.len - 1] != '\n')
		fputc('\n', stderr);
}

/* Relays until QEMU has exited and every stream is drained, or the deadline passes. */
static bool event_loop(struct session *s, double deadline, int *wait_status)
{
	bool exited = false;
	for (;;) {
		struct pollfd fds[5];
		struct stream *streams[3] = {&s->out, &s->err, &s->console};
		nfds_t count = 0;
		for (int i = 0; i < 3; i++)
			fds[count++] = (struct pollfd){.fd = streams[i]->fd, .events = POLLIN};
		fds[count++] = (struct pollfd){.fd = s->control_fd, .events = POLLIN};
		fds[count++] = (struct pollfd){.fd = exited ? -1 : s->pidfd, .events = POLLIN};
		if (exited && s->out.fd < 0 && s->err.fd < 0 && s->console.fd < 0)
			return true;
		int timeout_ms = -1;
		if (deadline > 0) {
			double left = deadline - now_seconds();
			if (left <= 0)
				return false;
			timeout_ms = (int)(left * 1000) + 1;
		}
		if (interrupted && !exited)
			kill(s->qemu, SIGTERM);
		int ready = poll(fds, count, interrupted ? 100 : timeout_ms);
		if (ready < 0 && errno != EINTR) {
			vm_error("poll failed: %s", strerror(errno));
			return true;
		}
		for (int i = 0; i < 3; i++)
			if (fds[i].revents)
				pump(streams[i]);
		if (fds[3].revents)
			read_control(s);
		if (fds[4].revents && qemu_exited(s, wait_status))
			exited = true;
	}
}

static int finish(struct session *s, int wait_status)
{
	if (interrupted) {
		vm_error("interrupted; stopped the guest");
		return EXIT_INTERRUPTED;
	}
	if (s->init_failed) {
		show_console_tail(&s->console);
		return EXIT_VM_FAILURE;
	}
	if (!s->have_status) {
		if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) != 0)
			vm_error("QEMU failed (exit status %d; its message is above)",
			         WEXITSTATUS(wait_status));
		else
			vm_error("the guest stopped without reporting an exit status (see the console below, "
			         "or run with "
			         "--verbose)");
		show_console_tail(&s->console);
		return EXIT_VM_FAILURE;
	}
	if (s->screenshot_failed && s->status == 0)
		return EXIT_VM_FAILURE;
	return s->status;
}

int launch(struct run_plan *plan)
{
	struct session s = {.plan = plan, .control_fd = -1, .pidfd = -1};
	struct stream *streams[] = {&s.out, &s.err, &s.console};
	for (size_t i = 0; i < 3; i++)
		streams[i]->fd = -1;
	struct strv argv = {0};
	int result = EXIT_VM_FAILURE;
	if (!make_session_dir(&s))
		goto out;
	char *initramfs = xasprintf("%s/initramfs.cpio", s.dir);
	plan->guest.initramfs = initramfs;
	bool written = initramfs_write(&plan->initramfs, initramfs);
	char *console = plan->options->shell ? xstrdup("stdio,signal=off")
	                                     : xasprintf("file,path=/proc/self/fd/%d", CHILD_CONSOLE_FD);
	char *out = xasprintf("file,path=/proc/self/fd/%d", CHILD_OUT_FD);
	char *err = xasprintf("file,path=/proc/self/fd/%d", CHILD_ERR_FD);
	/* A connected socket from the start: no guest line can be lost before vgpu-vm listens. */
	char *control = xasprintf("socket,fd=%d", CHILD_CONTROL_FD);
	struct guest_channels channels = {
	        .console = console, .out = out, .err = err, .control = control, .qmp_socket = s.qmp_path};
	qemu_build_argv(&plan->guest, &channels, &argv);
	free(console);
	free(out);
	free(err);
	free(control);
	free(initramfs);
	plan->guest.initramfs = NULL;
	if (!written)
		goto out;
	/* Set before the fork; exec gives QEMU its default handlers back. */
	prepare_signals();
	if (!spawn_qemu(&s, argv.items))
		goto out;

	double start = now_seconds();
	double deadline = plan->options->timeout > 0 ? start + plan->options->timeout : 0;
	int wait_status = 0;
	if (!event_loop(&s, deadline, &wait_status)) {
		kill(s.qemu, SIGKILL);
		waitpid(s.qemu, &wait_status, 0);
		vm_error("the guest did not finish within %g s (--timeout); stopped it",
		         plan->options->timeout);
		if (!plan->options->verbose)
			show_console_tail(&s.console);
		result = EXIT_TIMEOUT;
		goto out;
	}
	result = finish(&s, wait_status);
out:
	for (size_t i = 0; i < 3; i++) {
		if (streams[i]->fd >= 0)
			close(streams[i]->fd);
		buf_free(&streams[i]->tail);
	}
	if (s.control_fd >= 0)
		close(s.control_fd);
	if (s.pidfd >= 0)
		close(s.pidfd);
	buf_free(&s.control_pending);
	strv_free(&argv);
	remove_session_dir(&s);
	return result;
}
