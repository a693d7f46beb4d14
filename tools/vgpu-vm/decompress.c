#include "decompress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const xz_argv[] = {"xz", "-dc", NULL};
static const char *const lzma_argv[] = {"xz", "-dc", "--format=lzma", NULL};
static const char *const gzip_argv[] = {"gzip", "-dc", NULL};
static const char *const zstd_argv[] = {"zstd", "-dcq", NULL};
static const char *const bzip2_argv[] = {"bzip2", "-dc", NULL};
static const char *const lz4_argv[] = {"lz4", "-dc", NULL};

static const struct {
	unsigned char magic[6];
	size_t magic_len;
	const char *suffix;
	struct decompressor d;
} formats[] = {
        {{0xfd, '7', 'z', 'X', 'Z', 0}, 6, ".xz", {"xz", xz_argv}},
        {{0x1f, 0x8b}, 2, ".gz", {"gzip", gzip_argv}},
        {{0x28, 0xb5, 0x2f, 0xfd}, 4, ".zst", {"zstd", zstd_argv}},
        {{0x5d, 0x00, 0x00}, 3, NULL, {"lzma", lzma_argv}},
        {{'B', 'Z', 'h'}, 3, NULL, {"bzip2", bzip2_argv}},
        {{0x02, 0x21, 0x4c, 0x18}, 4, NULL, {"lz4", lz4_argv}},
};

#define FORMAT_COUNT (sizeof(formats) / sizeof(formats[0]))

const struct decompressor *decompressor_for_magic(const unsigned char *data, size_t len)
{
	for (size_t i = 0; i < FORMAT_COUNT; i++)
		if (len >= formats[i].magic_len && memcmp(data, formats[i].magic, formats[i].magic_len) == 0)
			return &formats[i].d;
	return NULL;
}

const struct decompressor *decompressor_for_suffix(const char *path)
{
	size_t path_len = strlen(path);
	for (size_t i = 0; i < FORMAT_COUNT; i++) {
		const char *suffix = formats[i].suffix;
		if (suffix && path_len > strlen(suffix) &&
		    strcmp(path + path_len - strlen(suffix), suffix) == 0)
			return &formats[i].d;
	}
	return NULL;
}

/* Feeds the byte range to the decompressor through a pipe from a child, so the tool's stdin is exact. */
bool decompress_fd(const struct decompressor *d, int fd, long offset, size_t len, struct buf *out)
{
	int feed[2];
	if (pipe2(feed, O_CLOEXEC) < 0)
		return false;
	pid_t feeder = fork();
	if (feeder < 0) {
		close(feed[0]);
		close(feed[1]);
		return false;
	}
	if (feeder == 0) {
		char chunk[65536];
		size_t left = len ? len : (size_t)-1;
		close(feed[0]);
		if (lseek(fd, offset, SEEK_SET) < 0)
			_exit(1);
		while (left) {
			ssize_t n = read(fd, chunk, left < sizeof(chunk) ? left : sizeof(chunk));
			if (n <= 0)
				_exit(n < 0);
			for (ssize_t done = 0; done < n;) {
				ssize_t w = write(feed[1], chunk + done, (size_t)(n - done));
				if (w <= 0)
					_exit(1);
				done += w;
			}
			left -= (size_t)n;
		}
		_exit(0);
	}
	close(feed[1]);
	bool ok = run_capture((char *const *)d->argv, feed[0], false, out);
	close(feed[0]);
	int status;
	while (waitpid(feeder, &status, 0) < 0 && errno == EINTR)
		;
	return ok;
}

bool read_module_file(const char *path, struct buf *out)
{
	const struct decompressor *d = decompressor_for_suffix(path);
	if (!d) {
		if (read_file(path, out))
			return true;
		vm_error("cannot read module %s: %s", path, strerror(errno));
		return false;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vm_error("cannot read module %s: %s", path, strerror(errno));
		return false;
	}
	bool ok = decompress_fd(d, fd, 0, 0, out);
	close(fd);
	if (!ok)
		vm_error("cannot decompress module %s with %s (is %s installed?)", path, d->argv[0],
		         d->argv[0]);
	return ok;
}
