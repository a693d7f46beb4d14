/* SPDX-License-Identifier: MIT */
/* Unit test: every committed fuzz seed and every crash the fuzzer ever found (tests/fuzz/corpus/cp, one file
 * per input) runs through the harness without a crash, hang or sanitizer report. Usage: replay_corpus DIR */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_harness.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	DIR *dir = opendir(argv[1]);
	if (!dir) {
		fprintf(stderr, "replay_corpus: cannot open %s\n", argv[1]);
		return 2;
	}
	struct dirent *entry;
	unsigned count = 0;
	printf("1..1\n");
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], entry->d_name);
		FILE *file = fopen(path, "rb");
		if (!file)
			continue;
		uint8_t *data = malloc(1 << 20);
		size_t size = fread(data, 1, 1 << 20, file);
		fclose(file);
		cp_harness_run(data, size);
		free(data);
		count++;
	}
	closedir(dir);
	printf("%sok 1 - %u corpus inputs ran\n", count ? "" : "not ", count);
	return count ? 0 : 1;
}
