/* The shader core: loads vgpu ISA binaries (docs/isa.md) and runs them one warp of 16 lanes at a time.
 *
 * Used by the 3D pipeline: it loads a shader once (the loader validates everything the guest wrote and
 * decodes it), then for each warp fills a struct vgpu_shader_warp and calls vgpu_shader_run. A loaded
 * shader is immutable, so many threads may run warps of it at once, each with its own warp struct.
 * Nothing is allocated while running. */
#ifndef VGPU_SHADER_H
#define VGPU_SHADER_H

#include <stddef.h>
#include <stdint.h>

#include "vgpu/isa.h"

#define VGPU_SHADER_ERROR_SIZE 160

struct vgpu_shader;

/* Why an invocation stopped early. The pipeline turns anything but NONE into a fault record. */
enum vgpu_shader_fault {
	VGPU_SHADER_FAULT_NONE = 0,
	VGPU_SHADER_FAULT_BUDGET = 1,  /* issued more instructions than vgpu_shader_env.budget */
	VGPU_SHADER_FAULT_UBO = 2,     /* the ubo_load callback reported a fault (or is missing) */
	VGPU_SHADER_FAULT_TEXTURE = 3, /* the texture_sample callback reported a fault (or is missing) */
};

/* One texture request for a whole warp. Arrays are indexed [component][lane]; only lanes in `mask` matter.
 * coord holds s,t (2D) or x,y,z (cube), followed by the depth reference when `shadow`. ddx/ddy are the
 * coordinates' screen-space derivatives (implicit and bias modes only, zero otherwise and for the
 * env's lod_free_samplers). */
struct vgpu_shader_tex_request {
	unsigned texture, sampler;
	enum vgpu_isa_tex_mode mode;
	unsigned cube, shadow;
	uint32_t mask;
	float coord[4][VGPU_ISA_LANES];
	float ddx[3][VGPU_ISA_LANES], ddy[3][VGPU_ISA_LANES];
	float lod_or_bias[VGPU_ISA_LANES];
};

/* What the pipeline provides. Callbacks return 0 on success, or a non-zero fault detail that ends the
 * invocation (stored in vgpu_shader_warp.fault_detail).
 *   ubo_load: read the 32-bit word at byte address addr[lane] (a multiple of 4) of uniform buffer `slot` for
 *     each lane in mask. Addresses past the bound buffer, and unbound slots, read as 0 (not a fault);
 *     a GPU MMU fault while reading the bound buffer is a fault.
 *   texture_sample: sample and write RGBA to out[component][lane] for each lane in req->mask. */
struct vgpu_shader_env {
	void *ctx;
	uint32_t (*ubo_load)(void *ctx, unsigned slot, const uint32_t addr[VGPU_ISA_LANES], uint32_t mask,
	                     uint32_t out[VGPU_ISA_LANES]);
	uint32_t (*texture_sample)(void *ctx, const struct vgpu_shader_tex_request *req,
	                           float out[4][VGPU_ISA_LANES]);
	uint32_t budget; /* instructions a warp invocation may issue */
	/* Bit s: sampler s ignores the LOD, so its implicit and bias requests skip the derivatives (left
	 * zero). */
	uint32_t lod_free_samplers;
};

/* Per-warp state: the pipeline fills the inputs, runs, reads the outputs. Reusable from warp to warp; the
 * core clears registers and declared outputs itself at the start of each run. Arrays are
 * [slot][component][lane] (structure of arrays). */
struct vgpu_shader_warp {
	/* in: lanes to run. For fragments this includes helper lanes (uncovered pixels of a 2x2 quad), which
	 * the pipeline must run so derivatives see them and then ignore. Lanes 4q..4q+3 form quad q:
	 * top-left, top-right, bottom-left, bottom-right. */
	uint32_t lane_mask;
	/* in, vertex stage */
	uint32_t vertex_id[VGPU_ISA_LANES], instance_id[VGPU_ISA_LANES];
	/* Attributes of the slots in the shader's input mask; integer formats store their 32-bit pattern. */
	float attrib[VGPU_ISA_IO_SLOTS][4][VGPU_ISA_LANES];
	/* in, fragment stage: one primitive per warp */
	float frag_coord[4][VGPU_ISA_LANES]; /* window x, y, depth z, 1/w_clip */
	uint32_t front_facing;               /* 0 back, else front */
	float bary_persp[2][VGPU_ISA_LANES]; /* perspective-correct weights of vertices 1 and 2 */
	float bary_linear[2][VGPU_ISA_LANES];
	float varying[VGPU_ISA_IO_SLOTS][4][3]; /* [slot][component][vertex] of the primitive */
	unsigned provoking_vertex;              /* 0..2: the vertex flat varyings come from */
	/* out */
	float out[VGPU_ISA_OUT_SLOTS][4][VGPU_ISA_LANES];
	uint32_t kill_mask; /* lanes that executed discard */
	enum vgpu_shader_fault fault;
	uint32_t fault_pc;     /* word index of the faulting instruction */
	uint32_t fault_detail; /* the callback's non-zero return value for UBO/TEXTURE faults */
	uint32_t issued;       /* instructions issued by this run */
	/* scratch: the register file, [register][lane], plus one row for the running instruction's immediate
	 */
	union {
		uint32_t u[VGPU_ISA_MAX_REGS + 1][VGPU_ISA_LANES];
		float f[VGPU_ISA_MAX_REGS + 1][VGPU_ISA_LANES];
	} reg;
};

/* Validates and decodes a binary. Returns NULL and writes one line to `error` (if not NULL) when the
 * binary is invalid; *error_word (if not NULL) gets the offending word index, or -1 for header errors. */
struct vgpu_shader *vgpu_shader_load(const void *bytes, size_t size, char error[VGPU_SHADER_ERROR_SIZE],
                                     long *error_word);
void vgpu_shader_free(struct vgpu_shader *shader);

enum vgpu_isa_stage vgpu_shader_stage(const struct vgpu_shader *shader);
uint32_t vgpu_shader_inputs(const struct vgpu_shader *shader);
uint32_t vgpu_shader_outputs(const struct vgpu_shader *shader);

/* Runs one warp to its end or to a fault; returns warp->fault. */
enum vgpu_shader_fault vgpu_shader_run(const struct vgpu_shader *shader, struct vgpu_shader_warp *warp,
                                       const struct vgpu_shader_env *env);

#endif
