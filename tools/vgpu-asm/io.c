#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char *io_read_file(const char *prog, const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;
		if (len + 1 >= cap) {
			unsigned char *grown = realloc(buf, cap ? cap * 2 : 4096);
			if (!grown) {
				fprintf(stderr, "%s: %s: out of memory\n", prog, path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	*size = len;
	return buf;
}

int io_write_file(const char *prog, const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}
