/* vgpu-dis: print a vgpu shader binary as assembly that vgpu-as turns back into the same bytes. */
#include <stdio.h>
#include <stdlib.h>

#include "io.h"
#include "vgpu_asm.h"

int main(int argc, char **argv)
{
	char error[VGPU_ASM_ERROR_SIZE];
	unsigned char *binary;
	char *text;
	size_t size;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: vgpu-dis IN.bin\n");
		return 2;
	}
	binary = io_read_file("vgpu-dis", argv[1], &size);
	if (!binary)
		return 1;
	text = vgpu_disassemble(binary, size, error);
	free(binary);
	if (!text) {
		fprintf(stderr, "vgpu-dis: %s: %s\n", argv[1], error);
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}
