/* SPDX-License-Identifier: MIT */
/* The 3D state in snapshots (spec 12), as the list of state packets that would set it: the bound state
 * re-encoded packet by packet, shaders as their binaries. Loading runs the list through the packet handlers,
 * so a snapshot from an untrusted source gets exactly the validation a command stream gets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine3d/e3d.h"
#include "engine3d/engine3d.h"

#define MAX_SHADER_BYTES (64u * 1024)

struct writer {
	uint8_t *buf;
	size_t len, pos;
};

static void put32(struct writer *w, uint32_t value)
{
	if (w->buf && w->pos + 4 <= w->len)
		for (int i = 0; i < 4; i++)
			w->buf[w->pos + i] = (uint8_t)(value >> (8 * i));
	w->pos += 4;
}

static uint32_t bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static void packet(struct writer *w, uint32_t opcode, const uint32_t *payload, uint32_t length)
{
	put32(w, VGPU_PKT_HEADER(opcode, length));
	for (uint32_t i = 0; i < length; i++)
		put32(w, payload[i]);
}

static void put_surface(uint32_t *p, const struct e3d_surface *s)
{
	p[0] = (uint32_t)s->va, p[1] = (uint32_t)(s->va >> 32), p[2] = s->pitch, p[3] = s->format;
}

size_t engine3d_state_save(struct engine3d *e3d, uint8_t *buf, size_t len)
{
	const struct e3d_state *s = &e3d->state;
	struct writer w = {.buf = buf, .len = len};
	if (s->framebuffer_set) {
		uint32_t p[22] = {s->width | s->height << 16, s->color_count};
		for (unsigned i = 0; i < s->color_count; i++)
			put_surface(p + 2 + 4 * i, &s->color[i]);
		if (s->depth.format)
			put_surface(p + 18, &s->depth);
		packet(&w, VGPU_PKT_SET_RENDER_TARGETS, p, 22);
	}
	uint32_t viewport[6];
	for (int i = 0; i < 3; i++)
		viewport[i] = bits(s->viewport_scale[i]), viewport[3 + i] = bits(s->viewport_translate[i]);
	packet(&w, VGPU_PKT_SET_VIEWPORT, viewport, 6);
	uint32_t scissor[2] = {s->scissor[0] | s->scissor[1] << 16, s->scissor[2] | s->scissor[3] << 16};
	packet(&w, VGPU_PKT_SET_SCISSOR, scissor, 2);
	packet(&w, VGPU_PKT_SET_RASTER, (uint32_t[3]){s->raster, bits(s->point_size), bits(s->line_width)},
	       3);
	packet(&w, VGPU_PKT_SET_DEPTH_STENCIL, s->depth_stencil, 5);
	packet(&w, VGPU_PKT_SET_POINT_SPRITE, &s->point_sprite, 1);
	packet(&w, VGPU_PKT_SET_DEPTH_BIAS,
	       (uint32_t[3]){bits(s->depth_bias_units), bits(s->depth_bias_slope), bits(s->depth_bias_clamp)},
	       3);
	uint32_t blend[8];
	for (int i = 0; i < 4; i++)
		blend[i] = s->blend[i], blend[4 + i] = bits(s->blend_color[i]);
	packet(&w, VGPU_PKT_SET_BLEND, blend, 8);
	for (uint32_t stage = 0; stage < 2; stage++) {
		const struct e3d_shader *shader = s->shader[stage];
		if (!shader)
			continue;
		put32(&w, VGPU_PKT_HEADER(VGPU_PKT_SET_SHADER, 2 + (shader->binary_size + 3) / 4));
		put32(&w, stage);
		put32(&w, shader->binary_size);
		for (uint32_t i = 0; i < shader->binary_size; i += 4) {
			uint32_t word = 0;
			for (uint32_t b = 0; b < 4 && i + b < shader->binary_size; b++)
				word |= (uint32_t)shader->binary[i + b] << (8 * b);
			put32(&w, word);
		}
	}
	for (uint32_t i = 0; i < 16; i++) {
		const struct e3d_vertex_buffer *vb = &s->vertex_buffer[i];
		if (vb->bound)
			packet(&w, VGPU_PKT_SET_VERTEX_BUFFER,
			       (uint32_t[5]){i, (uint32_t)vb->va, (uint32_t)(vb->va >> 32), vb->size,
			                     vb->stride},
			       5);
		packet(&w, VGPU_PKT_SET_VERTEX_ATTRIB,
		       (uint32_t[4]){i, s->attrib[i].buffer, s->attrib[i].offset, s->attrib[i].format}, 4);
		if (s->uniform[i].bound)
			packet(&w, VGPU_PKT_SET_UNIFORM_BUFFER,
			       (uint32_t[4]){i, (uint32_t)s->uniform[i].va,
			                     (uint32_t)(s->uniform[i].va >> 32), s->uniform[i].size},
			       4);
		const struct e3d_texture_desc *t = &s->texture[i];
		if (t->bound)
			packet(&w, VGPU_PKT_SET_TEXTURE,
			       (uint32_t[6]){i, (uint32_t)t->va, (uint32_t)(t->va >> 32), t->format,
			                     t->width | t->height << 16,
			                     t->levels | t->type << 8 | t->swizzle << 16},
			       6);
		const struct e3d_sampler_desc *sm = &s->sampler[i];
		if (sm->bound)
			packet(&w, VGPU_PKT_SET_SAMPLER,
			       (uint32_t[5]){i, sm->flags, bits(sm->bias), bits(sm->min_lod),
			                     bits(sm->max_lod)},
			       5);
	}
	if (s->index.bound)
		packet(&w, VGPU_PKT_SET_INDEX_BUFFER,
		       (uint32_t[4]){(uint32_t)s->index.va, (uint32_t)(s->index.va >> 32), s->index.size,
		                     s->index.index_size},
		       4);
	return !buf || w.pos <= len ? w.pos : 0;
}

/* A 3D state packet (not a draw or clear) with the length the CP's packet table gives it. */
static bool is_state_packet(uint32_t header)
{
	uint32_t opcode = VGPU_PKT_OPCODE(header);
	const struct cp_packet_desc *desc = cp_packet_lookup(opcode);
	return !VGPU_PKT_RESERVED(header) && opcode >= VGPU_PKT_SET_RENDER_TARGETS &&
	       opcode <= VGPU_PKT_SET_POINT_SPRITE && desc && desc->length == VGPU_PKT_LENGTH(header);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int load_fail(struct engine3d *e3d, char *error, size_t error_len, const char *what, uint32_t header)
{
	snprintf(error, error_len, "the 3D state's packet 0x%08x is invalid (%s)", header, what);
	engine3d_reset(e3d);
	return -1;
}

static int load_list(struct engine3d *e3d, const uint8_t *buf, size_t len, uint32_t *words, size_t capacity,
                     char *error, size_t error_len);

int engine3d_state_load(struct engine3d *e3d, const uint8_t *buf, size_t len, char *error, size_t error_len)
{
	enum { WORDS = 1 + 2 + MAX_SHADER_BYTES / 4 };
	uint32_t *words = malloc(WORDS * sizeof(uint32_t));
	int result = words ? load_list(e3d, buf, len, words, WORDS, error, error_len)
	                   : load_fail(e3d, error, error_len, "out of memory", 0);
	free(words);
	return result;
}

static int load_list(struct engine3d *e3d, const uint8_t *buf, size_t len, uint32_t *words, size_t capacity,
                     char *error, size_t error_len)
{
	engine3d_reset(e3d);
	for (size_t pos = 0; pos < len;) {
		if (len - pos < 4)
			return load_fail(e3d, error, error_len, "truncated", 0);
		uint32_t header = get32(buf + pos), opcode = VGPU_PKT_OPCODE(header),
		         length = VGPU_PKT_LENGTH(header);
		if ((uint64_t)length * 4 > len - pos - 4 || length + 1 > capacity)
			return load_fail(e3d, error, error_len, "truncated", header);
		for (uint32_t i = 0; i <= length; i++)
			words[i] = get32(buf + pos + 4 * i);
		pos += 4 * ((size_t)length + 1);
		struct cp_job job = {.gpu = e3d->gpu, .budget = UINT64_MAX};
		bool ok;
		if (opcode == VGPU_PKT_SET_SHADER && !VGPU_PKT_RESERVED(header)) {
			uint32_t stage = length >= 2 ? words[1] : ~0u, size = length >= 2 ? words[2] : ~0u;
			if (stage > 1 || size > MAX_SHADER_BYTES || length != 2 + (size + 3) / 4)
				return load_fail(e3d, error, error_len, "malformed shader record", header);
			ok = e3d_install_shader(&job, e3d, stage,
			                        (const uint8_t *)(buf + pos - 4 * ((size_t)length - 2)),
			                        size);
		} else if (!is_state_packet(header)) {
			return load_fail(e3d, error, error_len, "not a 3D state packet", header);
		} else {
			ok = engine3d_packet(&job, words + 1, length);
		}
		if (!ok)
			return load_fail(e3d, error, error_len, "rejected by its packet's validation",
			                 header);
	}
	return 0;
}
