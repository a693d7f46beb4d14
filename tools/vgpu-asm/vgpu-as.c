/* vgpu-as: assemble vgpu shader assembly (docs/isa.md) into a shader binary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "vgpu_asm.h"

static int usage(void)
{
	fprintf(stderr, "usage: vgpu-as IN.s -o OUT.bin\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	char error[VGPU_ASM_ERROR_SIZE];
	unsigned char *text, *binary;
	size_t text_size, size;
	int status;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && !in)
			in = argv[i];
		else
			return usage();
	}
	if (!in || !out)
		return usage();
	text = io_read_file("vgpu-as", in, &text_size);
	if (!text)
		return 1;
	if (strlen((char *)text) != text_size) {
		fprintf(stderr,
		        "vgpu-as: %s: contains a NUL byte; is it a binary rather than assembly text?\n", in);
		free(text);
		return 1;
	}
	if (vgpu_assemble((char *)text, in, &binary, &size, error) != 0) {
		fprintf(stderr, "%s\n", error);
		free(text);
		return 1;
	}
	status = io_write_file("vgpu-as", out, binary, size) ? 1 : 0;
	free(binary);
	free(text);
	return status;
}
