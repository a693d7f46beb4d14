/* SPDX-License-Identifier: MIT */
/* The 3D pipeline's entry points (spec section 10), for the device and the CP. */
#ifndef VGPU_ENGINE3D_H
#define VGPU_ENGINE3D_H

#include "cp/cp.h"

struct engine3d;

/* The engine with its render worker threads (0 = one per host core); NULL when out of memory. */
struct engine3d *engine3d_create(struct vgpu *gpu, unsigned render_threads);
void engine3d_destroy(struct engine3d *e3d);
/* Unbind every piece of 3D state (spec 12); the CP is quiesced. */
void engine3d_reset(struct engine3d *e3d);

/* Every 3D packet (0x20..0x32) arrives here once the CP has checked its length. */
bool engine3d_packet(struct cp_job *job, const uint32_t *payload, uint32_t length);

/* Snapshots (spec 12): the 3D state as a list of the state packets that set it (shaders as their binaries).
 * Save returns the bytes written (buf NULL: the size needed). Load resets the 3D state, then runs the list
 * through the packet handlers, so a snapshot is checked exactly like a command stream; on error -1 with one
 * line in error and the 3D state reset. Call with the CP quiesced. */
size_t engine3d_state_save(struct engine3d *e3d, uint8_t *buf, size_t len);
int engine3d_state_load(struct engine3d *e3d, const uint8_t *buf, size_t len, char *error, size_t error_len);

/* The occlusion counter (spec 10.8.1), for snapshots: reset sets it to 0, a loaded snapshot to its value.
 * Call with the CP quiesced. */
uint64_t engine3d_samples_passed(const struct engine3d *e3d);
void engine3d_set_samples_passed(struct engine3d *e3d, uint64_t samples);

/* For vgpu-replay: after every draw, while its render targets are still mapped, observer(opaque, e3d) may
 * read them. Runs on the thread executing packets. */
typedef void (*engine3d_draw_observer)(void *opaque, struct engine3d *e3d);
void engine3d_observe_draws(struct engine3d *e3d, engine3d_draw_observer observer, void *opaque);
/* Target 0..3 (colour) or 4 (depth) of the draw being observed: false when it has none. */
bool engine3d_target(const struct engine3d *e3d, unsigned index, uint32_t *width, uint32_t *height,
                     uint32_t *format);
/* Row y of that target in its memory format (width * bytes per pixel bytes). */
void engine3d_target_row(const struct engine3d *e3d, unsigned index, uint32_t y, void *dst);

/* Packet handlers by file: state.c, shader_bind.c, draw.c, clear.c. */
bool e3d_set_render_targets(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_viewport(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_scissor(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_raster(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_depth_stencil(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_blend(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_depth_bias(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_shader(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_vertex_buffer(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_vertex_attrib(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_uniform_buffer(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_texture(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_sampler(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_set_index_buffer(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_draw(struct cp_job *job, struct engine3d *e3d, const uint32_t *p, bool indexed);
bool e3d_clear(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
bool e3d_occlusion_count(struct cp_job *job, struct engine3d *e3d, const uint32_t *p);
struct e3d_shader;
void e3d_shader_free(struct e3d_shader *shader);
/* Validate, decode and bind a shader binary (SET_SHADER and snapshot loading). */
bool e3d_install_shader(struct cp_job *job, struct engine3d *e3d, uint32_t stage, const uint8_t *bytes,
                        uint32_t size);

#endif
