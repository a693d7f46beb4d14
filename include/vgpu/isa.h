/* The vgpu shader ISA: instruction encoding and the shader binary container (docs/isa.md is the
 * specification; this header is its machine-readable half). Header-only and dependency-free, so the
 * assembler, the disassembler, the shader core, a Mesa backend and tests all share one definition.
 *
 * An instruction is one 64-bit little-endian word, optionally followed by one immediate word:
 *
 *   bits  0..7   opcode            bits 30..36  src2 register
 *   bits  8..14  dst register      bits 37..42  source modifiers: neg0 abs0 neg1 abs1 neg2 abs2
 *   bit   15     saturate          bits 43..44  immediate source: 0 none, 1..3 = src0..src2
 *   bits 16..22  src0 register     bit  45      reserved, zero
 *   bits 23..29  src1 register     bits 46..63  aux: opcode-specific fields (slots, modes)
 */
#ifndef VGPU_ISA_H
#define VGPU_ISA_H

#include <stdint.h>

#define VGPU_ISA_VERSION     1
#define VGPU_ISA_MAGIC       0x48534756u /* "VGSH" read as a little-endian u32 */
#define VGPU_ISA_HEADER_SIZE 24u
#define VGPU_ISA_WORD_SIZE   8u
#define VGPU_ISA_MAX_WORDS   65536u
#define VGPU_ISA_LANES       16u
#define VGPU_ISA_MAX_REGS    128u
#define VGPU_ISA_MAX_DEPTH   16u /* nested if/loop levels */

/* Container header, all fields little-endian, at these byte offsets. */
#define VGPU_ISA_HDR_MAGIC    0  /* u32 VGPU_ISA_MAGIC */
#define VGPU_ISA_HDR_VERSION  4  /* u16 VGPU_ISA_VERSION */
#define VGPU_ISA_HDR_STAGE    6  /* u8 enum vgpu_isa_stage */
#define VGPU_ISA_HDR_REGS     7  /* u8 registers per lane, 1..128 */
#define VGPU_ISA_HDR_INPUTS   8  /* u32 bit n: attribute (vertex) or varying (fragment) slot n is read */
#define VGPU_ISA_HDR_OUTPUTS  12 /* u32 bit n: output slot n is written */
#define VGPU_ISA_HDR_WORDS    16 /* u32 number of 64-bit words that follow the header */
#define VGPU_ISA_HDR_RESERVED 20 /* u32 zero */

enum vgpu_isa_stage {
	VGPU_ISA_STAGE_VERTEX = 0,
	VGPU_ISA_STAGE_FRAGMENT = 1,
};

/* Output slots (st.out). Vertex: position, point size, 16 varyings. Fragment: 4 colours, depth. */
#define VGPU_ISA_OUT_POSITION  0u
#define VGPU_ISA_OUT_POINTSIZE 1u
#define VGPU_ISA_OUT_VARYING0  2u
#define VGPU_ISA_OUT_COLOR0    0u
#define VGPU_ISA_OUT_DEPTH     4u
#define VGPU_ISA_OUT_SLOTS     18u /* array size covering both stages */
#define VGPU_ISA_IO_SLOTS      16u /* attributes, varyings, UBO, texture and sampler slots */

enum vgpu_isa_interp {
	VGPU_ISA_INTERP_SMOOTH = 0,
	VGPU_ISA_INTERP_NOPERSPECTIVE = 1,
	VGPU_ISA_INTERP_FLAT = 2,
};

enum vgpu_isa_special {
	VGPU_ISA_SR_LANEID = 0,
	VGPU_ISA_SR_VERTEXID = 1,
	VGPU_ISA_SR_INSTANCEID = 2,
	VGPU_ISA_SR_FRAGCOORD_X = 3,
	VGPU_ISA_SR_FRAGCOORD_Y = 4,
	VGPU_ISA_SR_FRAGCOORD_Z = 5,
	VGPU_ISA_SR_FRAGCOORD_W = 6,
	VGPU_ISA_SR_FRONTFACING = 7,
	VGPU_ISA_SR_COUNT = 8,
};

enum vgpu_isa_tex_mode {
	VGPU_ISA_TEX_IMPLICIT = 0,
	VGPU_ISA_TEX_BIAS = 1,
	VGPU_ISA_TEX_LOD = 2,
};

/* Operand formats: which fields an opcode uses (all others must be zero). */
enum vgpu_isa_format {
	VGPU_ISA_FMT_NONE,  /* no operands: else endif loop endloop break continue discard end */
	VGPU_ISA_FMT_COND,  /* src0: condition register */
	VGPU_ISA_FMT_ALU,   /* dst, nsrc sources */
	VGPU_ISA_FMT_LDIN,  /* dst, aux = attribute slot/component */
	VGPU_ISA_FMT_LDVAR, /* dst, aux = varying slot/component/interpolation */
	VGPU_ISA_FMT_STOUT, /* src0, aux = output slot/component */
	VGPU_ISA_FMT_SR,    /* dst, aux = special register */
	VGPU_ISA_FMT_UBO,   /* dst, src0 = byte address, aux = UBO slot and dword offset */
	VGPU_ISA_FMT_TEX,   /* dst..dst+3, src0 = first coordinate register, src1 = bias/lod, aux */
};

/* Source types: F float (modifiers allowed, immediates written as floats), I signed, U unsigned,
 * B boolean (0 false, any other value true), BITS untyped. */
enum vgpu_isa_type {
	VGPU_ISA_T_NONE,
	VGPU_ISA_T_F,
	VGPU_ISA_T_I,
	VGPU_ISA_T_U,
	VGPU_ISA_T_B,
	VGPU_ISA_T_BITS
};

#define VGPU_ISA_STAGES_ALL      3u
#define VGPU_ISA_STAGES_VERTEX   1u
#define VGPU_ISA_STAGES_FRAGMENT 2u

/* The opcode list: X(ENUM, code, "mnemonic", format, sources, source type, float result (saturate allowed),
 * stages). Expand it to build tables; codes are the binary encoding and never change. */
#define VGPU_ISA_OPCODES(X)                                                                                  \
	X(END, 0x01, "end", NONE, 0, NONE, 0, ALL)                                                           \
	X(IF, 0x02, "if", COND, 1, B, 0, ALL)                                                                \
	X(ELSE, 0x03, "else", NONE, 0, NONE, 0, ALL)                                                         \
	X(ENDIF, 0x04, "endif", NONE, 0, NONE, 0, ALL)                                                       \
	X(LOOP, 0x05, "loop", NONE, 0, NONE, 0, ALL)                                                         \
	X(ENDLOOP, 0x06, "endloop", NONE, 0, NONE, 0, ALL)                                                   \
	X(BREAK, 0x07, "break", NONE, 0, NONE, 0, ALL)                                                       \
	X(BREAKC, 0x08, "breakc", COND, 1, B, 0, ALL)                                                        \
	X(CONTINUE, 0x09, "continue", NONE, 0, NONE, 0, ALL)                                                 \
	X(CONTINUEC, 0x0a, "continuec", COND, 1, B, 0, ALL)                                                  \
	X(DISCARD, 0x0b, "discard", NONE, 0, NONE, 0, FRAGMENT)                                              \
	X(DISCARDC, 0x0c, "discardc", COND, 1, B, 0, FRAGMENT)                                               \
	X(MOV, 0x10, "mov", ALU, 1, BITS, 1, ALL)                                                            \
	X(SEL, 0x11, "sel", ALU, 3, BITS, 0, ALL)                                                            \
	X(FADD, 0x20, "fadd", ALU, 2, F, 1, ALL)                                                             \
	X(FMUL, 0x21, "fmul", ALU, 2, F, 1, ALL)                                                             \
	X(FFMA, 0x22, "ffma", ALU, 3, F, 1, ALL)                                                             \
	X(FMIN, 0x23, "fmin", ALU, 2, F, 1, ALL)                                                             \
	X(FMAX, 0x24, "fmax", ALU, 2, F, 1, ALL)                                                             \
	X(FFLOOR, 0x25, "ffloor", ALU, 1, F, 1, ALL)                                                         \
	X(FCEIL, 0x26, "fceil", ALU, 1, F, 1, ALL)                                                           \
	X(FTRUNC, 0x27, "ftrunc", ALU, 1, F, 1, ALL)                                                         \
	X(FFRACT, 0x28, "ffract", ALU, 1, F, 1, ALL)                                                         \
	X(FROUND, 0x29, "fround", ALU, 1, F, 1, ALL)                                                         \
	X(FSQRT, 0x2a, "fsqrt", ALU, 1, F, 1, ALL)                                                           \
	X(FRSQ, 0x2b, "frsq", ALU, 1, F, 1, ALL)                                                             \
	X(FRCP, 0x2c, "frcp", ALU, 1, F, 1, ALL)                                                             \
	X(FEXP2, 0x2d, "fexp2", ALU, 1, F, 1, ALL)                                                           \
	X(FLOG2, 0x2e, "flog2", ALU, 1, F, 1, ALL)                                                           \
	X(FSIN, 0x2f, "fsin", ALU, 1, F, 1, ALL)                                                             \
	X(FCOS, 0x30, "fcos", ALU, 1, F, 1, ALL)                                                             \
	X(FSIGN, 0x31, "fsign", ALU, 1, F, 1, ALL)                                                           \
	X(IADD, 0x40, "iadd", ALU, 2, I, 0, ALL)                                                             \
	X(ISUB, 0x41, "isub", ALU, 2, I, 0, ALL)                                                             \
	X(IMUL, 0x42, "imul", ALU, 2, I, 0, ALL)                                                             \
	X(IMULHI, 0x43, "imulhi", ALU, 2, I, 0, ALL)                                                         \
	X(UMULHI, 0x44, "umulhi", ALU, 2, U, 0, ALL)                                                         \
	X(IDIV, 0x45, "idiv", ALU, 2, I, 0, ALL)                                                             \
	X(UDIV, 0x46, "udiv", ALU, 2, U, 0, ALL)                                                             \
	X(IREM, 0x47, "irem", ALU, 2, I, 0, ALL)                                                             \
	X(IMOD, 0x48, "imod", ALU, 2, I, 0, ALL)                                                             \
	X(UMOD, 0x49, "umod", ALU, 2, U, 0, ALL)                                                             \
	X(INEG, 0x4a, "ineg", ALU, 1, I, 0, ALL)                                                             \
	X(IABS, 0x4b, "iabs", ALU, 1, I, 0, ALL)                                                             \
	X(IMIN, 0x4c, "imin", ALU, 2, I, 0, ALL)                                                             \
	X(IMAX, 0x4d, "imax", ALU, 2, I, 0, ALL)                                                             \
	X(UMIN, 0x4e, "umin", ALU, 2, U, 0, ALL)                                                             \
	X(UMAX, 0x4f, "umax", ALU, 2, U, 0, ALL)                                                             \
	X(ISHL, 0x50, "ishl", ALU, 2, U, 0, ALL)                                                             \
	X(ISHR, 0x51, "ishr", ALU, 2, I, 0, ALL)                                                             \
	X(USHR, 0x52, "ushr", ALU, 2, U, 0, ALL)                                                             \
	X(AND, 0x53, "and", ALU, 2, BITS, 0, ALL)                                                            \
	X(OR, 0x54, "or", ALU, 2, BITS, 0, ALL)                                                              \
	X(XOR, 0x55, "xor", ALU, 2, BITS, 0, ALL)                                                            \
	X(NOT, 0x56, "not", ALU, 1, BITS, 0, ALL)                                                            \
	X(F2I, 0x60, "f2i", ALU, 1, F, 0, ALL)                                                               \
	X(F2U, 0x61, "f2u", ALU, 1, F, 0, ALL)                                                               \
	X(I2F, 0x62, "i2f", ALU, 1, I, 1, ALL)                                                               \
	X(U2F, 0x63, "u2f", ALU, 1, U, 1, ALL)                                                               \
	X(FEQ, 0x68, "feq", ALU, 2, F, 0, ALL)                                                               \
	X(FNE, 0x69, "fne", ALU, 2, F, 0, ALL)                                                               \
	X(FLT, 0x6a, "flt", ALU, 2, F, 0, ALL)                                                               \
	X(FGE, 0x6b, "fge", ALU, 2, F, 0, ALL)                                                               \
	X(IEQ, 0x6c, "ieq", ALU, 2, I, 0, ALL)                                                               \
	X(INE, 0x6d, "ine", ALU, 2, I, 0, ALL)                                                               \
	X(ILT, 0x6e, "ilt", ALU, 2, I, 0, ALL)                                                               \
	X(IGE, 0x6f, "ige", ALU, 2, I, 0, ALL)                                                               \
	X(ULT, 0x70, "ult", ALU, 2, U, 0, ALL)                                                               \
	X(UGE, 0x71, "uge", ALU, 2, U, 0, ALL)                                                               \
	X(DDX, 0x78, "ddx", ALU, 1, F, 1, FRAGMENT)                                                          \
	X(DDY, 0x79, "ddy", ALU, 1, F, 1, FRAGMENT)                                                          \
	X(DDX_FINE, 0x7a, "ddx.fine", ALU, 1, F, 1, FRAGMENT)                                                \
	X(DDY_FINE, 0x7b, "ddy.fine", ALU, 1, F, 1, FRAGMENT)                                                \
	X(LD_IN, 0x80, "ld.in", LDIN, 0, NONE, 0, VERTEX)                                                    \
	X(LD_VAR, 0x81, "ld.var", LDVAR, 0, NONE, 0, FRAGMENT)                                               \
	X(ST_OUT, 0x82, "st.out", STOUT, 1, BITS, 0, ALL)                                                    \
	X(MOV_SR, 0x83, "mov", SR, 0, NONE, 0, ALL)                                                          \
	X(LD_UBO, 0x84, "ld.ubo", UBO, 1, U, 0, ALL)                                                         \
	X(TEX, 0x85, "tex", TEX, 2, F, 0, ALL)

enum vgpu_isa_opcode {
#define VGPU_ISA_ENUM_(name, code, ...) VGPU_OP_##name = code,
	VGPU_ISA_OPCODES(VGPU_ISA_ENUM_)
#undef VGPU_ISA_ENUM_
};

/* What an opcode looks like; NULL for codes that are not instructions. */
struct vgpu_isa_opinfo {
	const char *name;
	enum vgpu_isa_format format;
	unsigned nsrc;
	enum vgpu_isa_type type;
	unsigned float_result;
	unsigned stages;
};

static inline const struct vgpu_isa_opinfo *vgpu_isa_opinfo(unsigned opcode)
{
	switch (opcode) {
#define VGPU_ISA_INFO_(name, code, mnemonic, format, nsrc, type, float_result, stages)                       \
	case code: {                                                                                         \
		static const struct vgpu_isa_opinfo info = {mnemonic,     VGPU_ISA_FMT_##format,             \
		                                            nsrc,         VGPU_ISA_T_##type,                 \
		                                            float_result, VGPU_ISA_STAGES_##stages};         \
		return &info;                                                                                \
	}
		VGPU_ISA_OPCODES(VGPU_ISA_INFO_)
#undef VGPU_ISA_INFO_
	}
	return 0;
}

/* Field positions. */
#define VGPU_ISA_OPCODE_SHIFT 0
#define VGPU_ISA_DST_SHIFT    8
#define VGPU_ISA_SAT_SHIFT    15
#define VGPU_ISA_SRC0_SHIFT   16 /* src n at 16 + 7 * n */
#define VGPU_ISA_MODS_SHIFT   37 /* neg n at 37 + 2 * n, abs n at 38 + 2 * n */
#define VGPU_ISA_IMM_SHIFT    43
#define VGPU_ISA_RSVD_SHIFT   45
#define VGPU_ISA_AUX_SHIFT    46
#define VGPU_ISA_AUX_BITS     18

/* Aux layouts. LDIN/LDVAR: slot bits 0..3, component bits 4..5, (LDVAR) interpolation bits 6..7.
 * STOUT: output slot bits 0..4, component bits 5..6. SR: special register bits 0..3.
 * UBO: slot bits 0..3, offset in dwords bits 4..17. TEX: texture bits 0..3, sampler bits 4..7,
 * mode bits 8..9, cube bit 10, shadow bit 11. */
#define VGPU_ISA_UBO_MAX_OFFSET (((1u << 14) - 1u) * 4u)

struct vgpu_isa_inst {
	unsigned opcode, dst, sat, src[3], neg[3], abs[3], imm_src; /* imm_src: 0 none, 1..3 */
	uint32_t aux, imm;
};

static inline uint64_t vgpu_isa_encode(const struct vgpu_isa_inst *in)
{
	uint64_t w = (uint64_t)(in->opcode & 0xff) | (uint64_t)(in->dst & 0x7f) << VGPU_ISA_DST_SHIFT |
	             (uint64_t)(in->sat & 1) << VGPU_ISA_SAT_SHIFT |
	             (uint64_t)(in->imm_src & 3) << VGPU_ISA_IMM_SHIFT |
	             (uint64_t)(in->aux & ((1u << VGPU_ISA_AUX_BITS) - 1)) << VGPU_ISA_AUX_SHIFT;
	for (unsigned i = 0; i < 3; i++) {
		w |= (uint64_t)(in->src[i] & 0x7f) << (VGPU_ISA_SRC0_SHIFT + 7 * i);
		w |= (uint64_t)(in->neg[i] & 1) << (VGPU_ISA_MODS_SHIFT + 2 * i);
		w |= (uint64_t)(in->abs[i] & 1) << (VGPU_ISA_MODS_SHIFT + 1 + 2 * i);
	}
	return w;
}

/* Splits a word into fields; the reserved bit is returned separately so a checker can reject it. */
static inline void vgpu_isa_decode(uint64_t w, struct vgpu_isa_inst *in, unsigned *reserved)
{
	in->opcode = (unsigned)(w & 0xff);
	in->dst = (unsigned)(w >> VGPU_ISA_DST_SHIFT) & 0x7f;
	in->sat = (unsigned)(w >> VGPU_ISA_SAT_SHIFT) & 1;
	for (unsigned i = 0; i < 3; i++) {
		in->src[i] = (unsigned)(w >> (VGPU_ISA_SRC0_SHIFT + 7 * i)) & 0x7f;
		in->neg[i] = (unsigned)(w >> (VGPU_ISA_MODS_SHIFT + 2 * i)) & 1;
		in->abs[i] = (unsigned)(w >> (VGPU_ISA_MODS_SHIFT + 1 + 2 * i)) & 1;
	}
	in->imm_src = (unsigned)(w >> VGPU_ISA_IMM_SHIFT) & 3;
	*reserved = (unsigned)(w >> VGPU_ISA_RSVD_SHIFT) & 1;
	in->aux = (uint32_t)(w >> VGPU_ISA_AUX_SHIFT);
	in->imm = 0;
}

/* Little-endian access to container bytes, independent of the host's byte order. */
static inline uint32_t vgpu_isa_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t vgpu_isa_get64(const unsigned char *p)
{
	return (uint64_t)vgpu_isa_get32(p) | (uint64_t)vgpu_isa_get32(p + 4) << 32;
}

static inline void vgpu_isa_put32(unsigned char *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void vgpu_isa_put64(unsigned char *p, uint64_t v)
{
	vgpu_isa_put32(p, (uint32_t)v);
	vgpu_isa_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
