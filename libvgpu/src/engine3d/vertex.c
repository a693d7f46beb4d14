/* SPDX-License-Identifier: MIT */
#include "engine3d/vertex.h"

#include <string.h>

#include "core/device.h"
#include "engine3d/raster.h"
#include "format/format.h"
#include "mmu/memory.h"
#include "mmu/mmu.h"

static const uint8_t type_bytes[] = {
        [VGPU_VTYPE_FLOAT32] = 4, [VGPU_VTYPE_UNORM8] = 1, [VGPU_VTYPE_SNORM8] = 1,
        [VGPU_VTYPE_UINT8] = 1,   [VGPU_VTYPE_SINT8] = 1,  [VGPU_VTYPE_UNORM16] = 2,
        [VGPU_VTYPE_SNORM16] = 2, [VGPU_VTYPE_UINT16] = 2, [VGPU_VTYPE_SINT16] = 2,
        [VGPU_VTYPE_UINT32] = 4,  [VGPU_VTYPE_SINT32] = 4, [VGPU_VTYPE_FLOAT16] = 2,
        [VGPU_VTYPE_FIXED32] = 4,
};

bool e3d_vertex_type_is_integer(unsigned type)
{
	return type == VGPU_VTYPE_UINT8 || type == VGPU_VTYPE_SINT8 || type == VGPU_VTYPE_UINT16 ||
	       type == VGPU_VTYPE_SINT16 || type == VGPU_VTYPE_UINT32 || type == VGPU_VTYPE_SINT32;
}

static uint32_t float_bits(float f)
{
	uint32_t bits;
	memcpy(&bits, &f, 4);
	return bits;
}

/* An integer component as the shader sees it: SCALED makes it the float of its value (spec 9.3). */
static uint32_t scaled(unsigned type, uint32_t bits)
{
	switch (type) {
	case VGPU_VTYPE_UINT8:
	case VGPU_VTYPE_UINT16:
	case VGPU_VTYPE_UINT32:
		return float_bits((float)bits); /* round to nearest even above 2^24 */
	default:
		return float_bits((float)(int32_t)bits); /* the signed types arrive sign-extended */
	}
}

/* One component's raw little-endian value -> the 32 bits the shader sees. */
static uint32_t convert(unsigned type, const uint8_t *p)
{
	uint32_t u = p[0];
	if (type_bytes[type] >= 2)
		u |= (uint32_t)p[1] << 8;
	if (type_bytes[type] == 4)
		u |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	switch (type) {
	case VGPU_VTYPE_UNORM8:
		return float_bits((float)u / 255.0f);
	case VGPU_VTYPE_SNORM8: {
		float f = (float)(int8_t)u / 127.0f;
		return float_bits(f < -1.0f ? -1.0f : f);
	}
	case VGPU_VTYPE_SINT8:
		return (uint32_t)(int32_t)(int8_t)u;
	case VGPU_VTYPE_UNORM16:
		return float_bits((float)u / 65535.0f);
	case VGPU_VTYPE_SNORM16: {
		float f = (float)(int16_t)u / 32767.0f;
		return float_bits(f < -1.0f ? -1.0f : f);
	}
	case VGPU_VTYPE_SINT16:
		return (uint32_t)(int32_t)(int16_t)u;
	case VGPU_VTYPE_FLOAT16:
		return float_bits(format_half_to_float((uint16_t)u));
	case VGPU_VTYPE_FIXED32:
		return float_bits((float)(int32_t)u / 65536.0f); /* exact division: a power of two */
	default:
		return u; /* FLOAT32, UINT*, SINT32: the bits as stored */
	}
}

/* Read vertex data, remembering the last page's translation: consecutive vertices mostly share pages. */
static bool read_vertex_bytes(struct cp_job *job, struct e3d_draw *draw, uint64_t va, uint8_t *dst,
                              unsigned len)
{
	uint64_t page_va = va & ~(VGPU_PAGE_SIZE - 1), offset = va - page_va;
	if (offset + len > VGPU_PAGE_SIZE)
		return va_read(job->gpu, va, dst, len, &job->fault);
	if (draw->fetch_page.page_va != page_va) {
		uint64_t pa;
		if (!mmu_translate(job->gpu, page_va, false, &pa, &job->fault))
			return false;
		if (!pa_range_valid(job->gpu, pa, VGPU_PAGE_SIZE))
			return va_read(job->gpu, va, dst, len, &job->fault);
		draw->fetch_page.page_va = page_va;
		draw->fetch_page.pa = pa;
		draw->fetch_page.host = pa_is_sysmem(pa) ? NULL : pa_vram_ptr(job->gpu, pa);
	}
	if (!draw->fetch_page.host)
		return mem_read(job->gpu, draw->fetch_page.pa + offset, dst, len, &job->fault);
	/* noted first: a replay puts the recorded bytes in place before they are read */
	mem_note_read(job->gpu, draw->fetch_page.pa + offset, draw->fetch_page.host + offset, len);
	memcpy(dst, draw->fetch_page.host + offset, len);
	return true;
}

/* Attribute `slot` of vertex v into lane of the warp. */
static bool fetch(struct cp_job *job, struct e3d_draw *draw, unsigned slot, uint32_t v,
                  struct vgpu_shader_warp *warp, unsigned lane)
{
	const struct e3d_state *s = draw->state;
	uint32_t format = s->attrib[slot].format;
	uint32_t value[4] = {0, 0, 0, float_bits(1.0f)};
	if (format & VGPU_VFMT_ENABLE) {
		const struct e3d_vertex_buffer *vb = &s->vertex_buffer[s->attrib[slot].buffer];
		unsigned type = VGPU_VFMT_TYPE(format), count = VGPU_VFMT_COUNT(format);
		unsigned bytes = type_bytes[type] * count;
		uint64_t offset = s->attrib[slot].offset + (uint64_t)v * vb->stride;
		bool is_integer = e3d_vertex_type_is_integer(type) && !(format & VGPU_VFMT_SCALED);
		if (is_integer)
			value[3] = 1; /* integer attributes default w to the integer 1 */
		/* Robust buffer access: a read past the buffer's size reads (0, 0, 0, 1), not a fault. */
		if (offset + bytes <= vb->size) {
			uint8_t raw[16];
			if (!read_vertex_bytes(job, draw, vb->va + offset, raw, bytes))
				return false;
			for (unsigned c = 0; c < count; c++) {
				value[c] = convert(type, raw + c * type_bytes[type]);
				if (format & VGPU_VFMT_SCALED)
					value[c] = scaled(type, value[c]);
			}
		}
	}
	for (unsigned c = 0; c < 4; c++)
		memcpy(&warp->attrib[slot][c][lane], &value[c], 4);
	return true;
}

bool e3d_shade_vertices(struct cp_job *job, struct e3d_draw *draw, struct vgpu_shader_warp *warp,
                        const uint32_t *vertex_id, uint32_t instance, unsigned count, struct e3d_vertex *out)
{
	const struct e3d_state *s = draw->state;
	const struct e3d_shader *vs = s->shader[VGPU_SHADER_STAGE_VERTEX];
	struct e3d_shading shading = {draw, NULL};
	struct vgpu_shader_env env;
	e3d_shader_env(&shading, &env);
	bool sized_points = s->raster & VGPU_RASTER_POINT_SIZE_SHADER;

	for (unsigned base = 0; base < count; base += VGPU_ISA_LANES) {
		unsigned n = count - base < VGPU_ISA_LANES ? count - base : VGPU_ISA_LANES;
		if (!e3d_charge(draw, n))
			return cp_fail(job, VGPU_FAULT_WATCHDOG, 0);
		warp->lane_mask = (1u << n) - 1;
		for (unsigned lane = 0; lane < n; lane++) {
			warp->vertex_id[lane] = vertex_id[base + lane];
			warp->instance_id[lane] = instance;
			for (unsigned slot = 0; slot < VGPU_ISA_IO_SLOTS; slot++)
				if ((vs->inputs >> slot & 1) &&
				    !fetch(job, draw, slot, vertex_id[base + lane], warp, lane))
					return false;
		}
		enum vgpu_shader_fault fault = vgpu_shader_run(vs->core, warp, &env);
		if (fault != VGPU_SHADER_FAULT_NONE) {
			e3d_shader_fault(draw, fault, warp->fault_pc, warp->fault_detail, &job->fault);
			return false;
		}
		if (!e3d_charge(draw, warp->issued))
			return cp_fail(job, VGPU_FAULT_WATCHDOG, 0);
		for (unsigned lane = 0; lane < n; lane++) {
			struct e3d_vertex *v = &out[base + lane];
			for (unsigned c = 0; c < 4; c++)
				v->pos[c] = warp->out[VGPU_ISA_OUT_POSITION][c][lane];
			v->point_size =
			        sized_points ? warp->out[VGPU_ISA_OUT_POINTSIZE][0][lane] : s->point_size;
			for (unsigned k = 0; k < draw->varying_slots; k++) {
				unsigned slot = draw->slot_of[k];
				for (unsigned c = 0; c < 4; c++)
					v->var[k][c] = warp->out[VGPU_ISA_OUT_VARYING0 + slot][c][lane];
			}
		}
	}
	return true;
}
