/* Replays every file of the shader fuzz corpus (seeds and past crashes) through the fuzz target's
 * function, so the regressions it found stay fixed in every build, not only the libFuzzer one. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	struct dirent *entry;
	unsigned count = 0;
	DIR *dir;

	if (argc != 2 || !(dir = opendir(argv[1]))) {
		fprintf(stderr, "usage: replay_shader_corpus CORPUS_DIR (an existing directory)\n");
		return 2;
	}
	while ((entry = readdir(dir))) {
		char path[4096];
		unsigned char *data;
		long size;
		FILE *f;

		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], entry->d_name);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
			fprintf(stderr, "replay_shader_corpus: %s: cannot read\n", path);
			return 1;
		}
		data = malloc((size_t)size + 1);
		if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
			fprintf(stderr, "replay_shader_corpus: %s: cannot read\n", path);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(data, (size_t)size);
		free(data);
		printf("ok %u - %s\n", ++count, entry->d_name);
	}
	closedir(dir);
	printf("1..%u\n", count);
	return count ? 0 : 1;
}
