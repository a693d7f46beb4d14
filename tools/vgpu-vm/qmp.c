#include "qmp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

#define QMP_REPLY_TIMEOUT_MS 10000

static bool send_line(int fd, const char *line)
{
	size_t len = strlen(line);
	while (len) {
		ssize_t n = send(fd, line, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		line += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads lines until one carries "return" or "error" (events are skipped); that line goes to REPLY. */
static bool read_reply(int fd, struct buf *pending, struct buf *reply)
{
	for (;;) {
		char *newline = pending->data ? memchr(pending->data, '\n', pending->len) : NULL;
		if (newline) {
			size_t len = (size_t)(newline - pending->data) + 1;
			buf_free(reply);
			buf_append(reply, pending->data, len);
			memmove(pending->data, pending->data + len, pending->len - len);
			pending->len -= len;
			pending->data[pending->len] = '\0';
			if (strstr(reply->data, "\"return\"") || strstr(reply->data, "\"error\"") ||
			    strstr(reply->data, "\"QMP\""))
				return true;
			continue;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, QMP_REPLY_TIMEOUT_MS) <= 0)
			return false;
		char chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0)
			return false;
		buf_append(pending, chunk, (size_t)n);
	}
}

static void json_string(struct buf *b, const char *s)
{
	buf_append(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_append(b, "\\", 1);
		if ((unsigned char)*s < 0x20)
			buf_appendf(b, "\\u%04x", (unsigned char)*s);
		else
			buf_append(b, s, 1);
	}
	buf_append(b, "\"", 1);
}

bool qmp_screendump(const char *socket_path, const char *file)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(addr.sun_path)) {
		vm_error("screenshot: QMP socket path %s is too long", socket_path);
		return false;
	}
	strcpy(addr.sun_path, socket_path);
	char absolute[PATH_MAX];
	if (file[0] != '/') {
		if (!getcwd(absolute, sizeof(absolute) - strlen(file) - 2)) {
			vm_error("screenshot: cannot resolve %s: %s", file, strerror(errno));
			return false;
		}
		strcat(absolute, "/");
		strcat(absolute, file);
		file = absolute;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		vm_error("screenshot: cannot reach QEMU's QMP socket %s: %s", socket_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	struct buf pending = {0}, reply = {0}, command = {0};
	bool ok = read_reply(fd, &pending, &reply) && send_line(fd, "{\"execute\":\"qmp_capabilities\"}\n") &&
	          read_reply(fd, &pending, &reply) && strstr(reply.data, "\"return\"");
	if (ok) {
		buf_appendf(&command, "{\"execute\":\"screendump\",\"arguments\":{\"filename\":");
		json_string(&command, file);
		buf_appendf(&command, ",\"format\":\"png\"}}\n");
		ok = send_line(fd, command.data) && read_reply(fd, &pending, &reply);
		if (ok && !strstr(reply.data, "\"return\"")) {
			vm_error("screenshot: QEMU refused the screendump: %.*s",
			         (int)strcspn(reply.data, "\r\n"), reply.data);
			ok = false;
		} else if (!ok) {
			vm_error("screenshot: no answer from QEMU's QMP socket %s", socket_path);
		}
	} else {
		vm_error("screenshot: QEMU's QMP socket %s did not greet", socket_path);
	}
	buf_free(&pending);
	buf_free(&reply);
	buf_free(&command);
	close(fd);
	return ok;
}
