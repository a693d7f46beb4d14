/* The guest's PID 1, put into every initramfs by vgpu-vm. It loads the modules the boot needs, mounts the
 * host root (9p, read-only) under a tmpfs overlay, runs the payload and reports its exit status to the
 * host over a virtio-serial port, then powers off. See guest_protocol.h for the files and ports. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../guest_protocol.h"

#define NEW_ROOT "/newroot"

/* What to do, read from the initramfs before the new root hides it. */
static struct {
	char *command; /* NULL: an interactive shell */
	char *cwd;
	bool wait_for_host;
	bool user_network;
} job;

static int control_fd = -1;

static void port_path(char *path, size_t size, int port)
{
	snprintf(path, size, "/dev/vport0p%d", port);
}

static void open_control_port(void)
{
	char path[64];
	if (control_fd >= 0)
		return;
	port_path(path, sizeof(path), GUEST_PORT_CONTROL);
	control_fd = open(path, O_RDWR | O_CLOEXEC);
}

static bool write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		s += n;
		len -= (size_t)n;
	}
	return true;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	open_control_port();
	if (control_fd >= 0)
		write_all(control_fd, line, (size_t)n);
}

static void wait_for_host_then_power_off(void)
{
	if (control_fd >= 0 && job.wait_for_host) {
		char c;
		while (read(control_fd, &c, 1) == 1 && c != '\n')
			;
	}
	sync();
	/* QEMU runs with -no-reboot, so a reset ends it; unlike ACPI power-off this works with any firmware.
	 */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

/* Init could not reach the payload: tell the host, offer the rescue shell when a person is watching. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dprintf(2, "vgpu-vm init: %s\n", msg);
	report(GUEST_ERROR_PREFIX "%s", msg);
	if (!job.command && access(GUEST_RESCUE_SHELL, X_OK) == 0) {
		dprintf(2, "vgpu-vm init: starting a rescue shell; leave it to power off\n");
		pid_t pid = fork();
		if (pid == 0) {
			execl(GUEST_RESCUE_SHELL, "sh", (char *)NULL);
			_exit(127);
		}
		while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	wait_for_host_then_power_off();
	__builtin_unreachable();
}

static void do_mount(const char *source, const char *target, const char *type, unsigned long flags,
                     const char *data)
{
	mkdir(target, 0755);
	if (mount(source, target, type, flags, data) < 0)
		fail("cannot mount %s (%s) on %s: %s", source, type ? type : "move", target, strerror(errno));
}

static char *read_small_file(const char *path)
{
	static char content[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, content, sizeof(content) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	content[n] = '\0';
	return content;
}

static char *read_job_file(const char *path)
{
	char *content = read_small_file(path);
	return content ? strdup(content) : NULL;
}

static void read_job(void)
{
	job.command = read_job_file(GUEST_EXEC_FILE);
	job.cwd = read_job_file(GUEST_CWD_FILE);
	job.wait_for_host = access(GUEST_WAIT_FILE, F_OK) == 0;
	job.user_network = access(GUEST_NET_FILE, F_OK) == 0;
}

static void load_modules(void)
{
	char *list = read_small_file(GUEST_MODULES_FILE);
	if (!list)
		return;
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		int fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail("cannot open module %s: %s", line, strerror(errno));
		if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
			fail("cannot load module %s: %s (see the console log)", line, strerror(errno));
		close(fd);
	}
}

static void mount_root(void)
{
	do_mount(GUEST_ROOT_TAG, "/host", "9p", MS_RDONLY,
	         "trans=virtio,version=9p2000.L,msize=512000,cache=loose,access=any");
	do_mount("tmpfs", "/rw", "tmpfs", 0, "mode=0755");
	mkdir("/rw/upper", 0755);
	mkdir("/rw/work", 0755);
	do_mount("overlay", NEW_ROOT, "overlay", 0, "lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work");
	do_mount("/dev", NEW_ROOT "/dev", NULL, MS_MOVE, NULL);
	do_mount("/proc", NEW_ROOT "/proc", NULL, MS_MOVE, NULL);
	do_mount("/sys", NEW_ROOT "/sys", NULL, MS_MOVE, NULL);
	/* /tmp stays the host's (through the overlay, so writes stay in the guest): build trees often live
	 * there. /run holds the host's sockets and pid files, which mean nothing here. */
	do_mount("tmpfs", NEW_ROOT "/run", "tmpfs", 0, "mode=0755");
	if (chdir(NEW_ROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		fail("cannot switch to the new root: %s", strerror(errno));
}

/* QEMU's user-mode network: the guest address, gateway and DNS server it always uses. */
#define USER_NET_ADDRESS "10.0.2.15"
#define USER_NET_NETMASK "255.255.255.0"
#define USER_NET_GATEWAY "10.0.2.2"
#define USER_NET_DNS     "10.0.2.3"

static void set_address(struct sockaddr *sa, const char *address)
{
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	inet_pton(AF_INET, address, &in->sin_addr);
}

static void bring_up(int sock, const char *name)
{
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		fail("no network interface %s: %s", name, strerror(errno));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		fail("cannot bring %s up: %s", name, strerror(errno));
}

/* No DHCP client needed: the addresses of QEMU's user network are fixed. */
static void configure_user_network(void)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		fail("cannot open a socket to configure the network: %s", strerror(errno));
	bring_up(sock, "lo");
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "eth0");
	set_address(&ifr.ifr_addr, USER_NET_ADDRESS);
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
		fail("cannot set the address of eth0: %s", strerror(errno));
	set_address(&ifr.ifr_netmask, USER_NET_NETMASK);
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		fail("cannot set the netmask of eth0: %s", strerror(errno));
	bring_up(sock, "eth0");
	struct rtentry route = {0};
	set_address(&route.rt_dst, "0.0.0.0");
	set_address(&route.rt_genmask, "0.0.0.0");
	set_address(&route.rt_gateway, USER_NET_GATEWAY);
	route.rt_flags = RTF_UP | RTF_GATEWAY;
	if (ioctl(sock, SIOCADDRT, &route) < 0)
		fail("cannot add the default route: %s", strerror(errno));
	close(sock);
	/* The host's resolv.conf may point at a resolver on its own loopback; the guest's is QEMU's. */
	unlink("/etc/resolv.conf");
	int fd = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 ||
	    !write_all(fd, "nameserver " USER_NET_DNS "\n", strlen("nameserver " USER_NET_DNS "\n")))
		fail("cannot write /etc/resolv.conf: %s", strerror(errno));
	close(fd);
}

static int open_port(int port)
{
	char path[64];
	port_path(path, sizeof(path), port);
	int fd = open(path, O_WRONLY | O_NOCTTY);
	if (fd < 0)
		fail("cannot open %s: %s", path, strerror(errno));
	return fd;
}

static void become_payload(const char *command, const char *cwd, int stdout_fd, int stderr_fd)
{
	setsid();
	if (!cwd || chdir(cwd) < 0)
		chdir("/");
	if (command) {
		int null_fd = open("/dev/null", O_RDONLY);
		dup2(null_fd, 0);
		dup2(stdout_fd, 1);
		dup2(stderr_fd, 2);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	} else {
		/* /dev/console cannot be a controlling terminal; the serial port behind it can. */
		int tty = open("/dev/ttyS0", O_RDWR);
		if (tty >= 0) {
			dup2(tty, 0);
			dup2(tty, 1);
			dup2(tty, 2);
			if (tty > 2)
				close(tty);
		}
		ioctl(0, TIOCSCTTY, 1);
		execl("/bin/bash", "bash", "-l", (char *)NULL);
		execl("/bin/sh", "sh", "-l", (char *)NULL);
	}
	dprintf(2, "vgpu-vm init: cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

int main(void)
{
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	int console = open("/dev/console", O_RDWR);
	if (console >= 0) {
		dup2(console, 0);
		dup2(console, 1);
		dup2(console, 2);
		if (console > 2)
			close(console);
	}
	do_mount("proc", "/proc", "proc", 0, NULL);
	do_mount("sysfs", "/sys", "sysfs", 0, NULL);
	read_job();
	load_modules();
	open_control_port();
	if (control_fd < 0)
		fail("no control port /dev/vport0p%d: %s", GUEST_PORT_CONTROL, strerror(errno));
	mount_root();
	if (job.user_network)
		configure_user_network();
	const char *command = job.command;

	int stdout_fd = command ? open_port(GUEST_PORT_STDOUT) : 1;
	int stderr_fd = command ? open_port(GUEST_PORT_STDERR) : 2;
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	pid_t payload = fork();
	if (payload < 0)
		fail("cannot fork: %s", strerror(errno));
	if (payload == 0)
		become_payload(command, job.cwd, stdout_fd, stderr_fd);

	/* As PID 1, reap every orphan until the payload itself ends. */
	int status = 0;
	for (;;) {
		pid_t pid = wait(&status);
		if (pid == payload)
			break;
		if (pid < 0 && errno != EINTR)
			fail("lost the payload: %s", strerror(errno));
	}
	int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (command) {
		close(stdout_fd);
		close(stderr_fd);
	}
	report(GUEST_EXIT_PREFIX "%d", exit_status);
	wait_for_host_then_power_off();
	return 0;
}
