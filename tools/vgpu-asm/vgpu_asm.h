/* The vgpu assembler and disassembler as a library (used by tools/vgpu-as, tools/vgpu-dis and the tests). */
#ifndef VGPU_ASM_H
#define VGPU_ASM_H

#include <stddef.h>

#define VGPU_ASM_ERROR_SIZE 256

/* Assembles NUL-terminated `text`. On success returns 0 and a malloc'd binary in *bytes and *size. On failure
 * returns -1 and writes "FILE:LINE:COLUMN: message" to `error` (FILE is `filename`). The binary is also run
 * through the shader core's loader, so whatever assembles also loads. */
int vgpu_assemble(const char *text, const char *filename, unsigned char **bytes, size_t *size,
                  char error[VGPU_ASM_ERROR_SIZE]);

/* Disassembles a binary that the shader core's loader accepts. Returns malloc'd text that assembles back to
 * the identical bytes, or NULL with a message in `error`. */
char *vgpu_disassemble(const unsigned char *bytes, size_t size, char error[VGPU_ASM_ERROR_SIZE]);

#endif
