/* The textual names of the vgpu assembly language (docs/isa.md, "Assembly syntax") that both the assembler
 * and the disassembler use, so that what one prints the other reads. */
#ifndef VGPU_ASM_SYNTAX_H
#define VGPU_ASM_SYNTAX_H

#include "vgpu/isa.h"

extern const char *const asm_components[4];               /* x y z w */
extern const char *const asm_specials[VGPU_ISA_SR_COUNT]; /* sr.NAME */
extern const char *const asm_interps[3];                  /* ld.var suffixes */
extern const char *const asm_stages[2];                   /* .stage NAME */

/* Output slot names: "pos", "psize", "var" (numbered) for vertex; "color" (numbered), "depth" for fragment.
 * Writes the name of `slot` into buf; returns whether the slot has components (x..w). */
int asm_output_name(enum vgpu_isa_stage stage, unsigned slot, char *buf, unsigned size);

/* The opcode whose mnemonic is the first `len` characters of `name`, or -1. MOV wins over MOV_SR (both are
 * "mov"); the assembler switches to MOV_SR when the operand is a special register. */
int asm_find_opcode(const char *name, unsigned len);

#endif
