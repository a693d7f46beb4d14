/* Small helpers every part of vgpu-vm shares: error reporting, growable buffers and argument lists,
 * whole-file reading, and running a helper program. */
#ifndef VGPU_VM_UTIL_H
#define VGPU_VM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Prints "vgpu-vm: MESSAGE" on stderr. Every user-facing error goes through here, so each is one line. */
void vm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and decisions (which accelerator, which firmware), shown unless --quiet. */
void vm_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool vm_quiet;

struct buf {
	char *data;
	size_t len, cap;
};

void buf_append(struct buf *b, const void *data, size_t len);
void buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* A NULL-terminated list of owned strings: QEMU's argv, a module load order. */
struct strv {
	char **items;
	size_t len, cap;
};

void strv_push(struct strv *v, const char *s);
void strv_pushf(struct strv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool strv_contains(const struct strv *v, const char *s);
void strv_free(struct strv *v);

char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);

/* Writes all of DATA, retrying short writes; false when the descriptor fails. */
bool write_all(int fd, const void *data, size_t len);

/* Reads a whole file; false (errno set) when it cannot. */
bool read_file(const char *path, struct buf *out);
/* Creates every missing directory of PATH, like mkdir -p. */
bool make_dirs(const char *path);
/* $XDG_CACHE_HOME/vgpu-vm (or ~/.cache/vgpu-vm), created on demand; NULL if it cannot be. */
const char *cache_dir(void);

/* Runs ARGV with stdin from IN_FD (or /dev/null if -1) and returns its stdout; false if it could not run or
 * exited non-zero. Stderr is discarded unless SHOW_STDERR. */
bool run_capture(char *const argv[], int in_fd, bool show_stderr, struct buf *out);

/* A short stable hash of S, for naming cache files after what they depend on. */
unsigned long string_hash(const char *s);

/* Appends S to B quoted for a POSIX shell. */
void shell_quote(struct buf *b, const char *s);

#endif
