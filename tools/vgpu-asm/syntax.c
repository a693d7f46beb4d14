#include "syntax.h"

#include <stdio.h>
#include <string.h>

const char *const asm_components[4] = {"x", "y", "z", "w"};
const char *const asm_specials[VGPU_ISA_SR_COUNT] = {
        "laneid",      "vertexid",    "instanceid",  "fragcoord.x",
        "fragcoord.y", "fragcoord.z", "fragcoord.w", "frontfacing",
};
const char *const asm_interps[3] = {"smooth", "noperspective", "flat"};
const char *const asm_stages[2] = {"vertex", "fragment"};

int asm_output_name(enum vgpu_isa_stage stage, unsigned slot, char *buf, unsigned size)
{
	if (stage == VGPU_ISA_STAGE_VERTEX) {
		if (slot == VGPU_ISA_OUT_POSITION) {
			snprintf(buf, size, "pos");
			return 1;
		}
		if (slot == VGPU_ISA_OUT_POINTSIZE) {
			snprintf(buf, size, "psize");
			return 0;
		}
		snprintf(buf, size, "var%u", slot - VGPU_ISA_OUT_VARYING0);
		return 1;
	}
	if (slot == VGPU_ISA_OUT_DEPTH) {
		snprintf(buf, size, "depth");
		return 0;
	}
	snprintf(buf, size, "color%u", slot - VGPU_ISA_OUT_COLOR0);
	return 1;
}

int asm_find_opcode(const char *name, unsigned len)
{
	for (unsigned code = 0; code < 256; code++) {
		const struct vgpu_isa_opinfo *info = vgpu_isa_opinfo(code);
		if (info && strlen(info->name) == len && !strncmp(info->name, name, len))
			return (int)code;
	}
	return -1;
}
