#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool vm_quiet;

void vm_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vgpu-vm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void vm_note(const char *fmt, ...)
{
	va_list ap;
	if (vm_quiet)
		return;
	va_start(ap, fmt);
	fputs("vgpu-vm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void out_of_memory(void)
{
	fputs("vgpu-vm: out of memory\n", stderr);
	abort();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		out_of_memory();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		out_of_memory();
	va_end(ap);
	return p;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + len + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data)
			out_of_memory();
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;
	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	buf_append(b, p, (size_t)n);
	free(p);
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

void strv_push(struct strv *v, const char *s)
{
	if (v->len + 2 > v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->items = realloc(v->items, v->cap * sizeof(*v->items));
		if (!v->items)
			out_of_memory();
	}
	v->items[v->len++] = xstrdup(s);
	v->items[v->len] = NULL;
}

void strv_pushf(struct strv *v, const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		out_of_memory();
	va_end(ap);
	strv_push(v, p);
	free(p);
}

bool strv_contains(const struct strv *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

void strv_free(struct strv *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	*v = (struct strv){0};
}

bool write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool read_file(const char *path, struct buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	buf_append(out, "", 0);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			errno = saved;
			return false;
		}
		buf_append(out, chunk, (size_t)n);
	}
	close(fd);
	return true;
}

bool make_dirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char saved = *s;
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				free(p);
				return false;
			}
			*s = saved;
			if (!saved)
				break;
		}
	}
	free(p);
	return true;
}

const char *cache_dir(void)
{
	static char *dir;
	if (dir)
		return dir;
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		dir = xasprintf("%s/vgpu-vm", xdg);
	else if (home && *home)
		dir = xasprintf("%s/.cache/vgpu-vm", home);
	else
		dir = xasprintf("/tmp/vgpu-vm-cache-%d", (int)getuid());
	if (!make_dirs(dir)) {
		free(dir);
		dir = NULL;
	}
	return dir;
}

bool run_capture(char *const argv[], int in_fd, bool show_stderr, struct buf *out)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return false;
	}
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDWR);
		dup2(in_fd >= 0 ? in_fd : null_fd, 0);
		dup2(pipefd[1], 1);
		if (!show_stderr)
			dup2(null_fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	char chunk[65536];
	ssize_t n;
	buf_append(out, "", 0);
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_append(out, chunk, (size_t)n);
	}
	close(pipefd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

unsigned long string_hash(const char *s)
{
	unsigned long hash = 5381;
	for (; *s; s++)
		hash = hash * 33 + (unsigned char)*s;
	return hash;
}

void shell_quote(struct buf *b, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=./:,@%") ==
	                  strlen(s)) {
		buf_append(b, s, strlen(s));
		return;
	}
	buf_append(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			buf_append(b, "'\\''", 4);
		else
			buf_append(b, s, 1);
	}
	buf_append(b, "'", 1);
}
