/* SPDX-License-Identifier: MIT */
/*
 * The screen: what the device can do (caps for a GLES 2 class driver, formats of hw-spec 9.1), buffer
 * objects, fences. One screen per DRM file description (vgpu_drm_winsys.c): the fd does KMS and rendering.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>

#include "compiler/nir/nir.h"
#include "drm-uapi/vgpu_drm.h"
#include "util/format/u_format.h"
#include "util/u_debug.h"
#include "util/u_memory.h"
#include "util/u_screen.h"
#include "vgpu/isa.h"
#include "vgpu/vgpu_hw.h"

#include "vgpu_context.h"
#include "vgpu_fence.h"
#include "vgpu_format.h"
#include "vgpu_resource.h"
#include "vgpu_screen.h"

#ifdef VGPU_HAVE_COMPILER
#include "compiler/vgpu_compiler.h"
#endif

/* Enough of a GLES 2 driver's NIR options for st/mesa to translate shaders until the compiler
 * (compiler/, vgpu_nir_options()) is built in; draws need the compiler anyway. */
#ifndef VGPU_HAVE_COMPILER
static const nir_shader_compiler_options vgpu_fallback_nir_options = {
   .lower_fdiv = true,
   .lower_fmod = true,
   .lower_fpow = true,
   .lower_flrp32 = true,
   .lower_scmp = true,
   .lower_ldexp = true,
   .lower_int64_options = ~0,
   .lower_doubles_options = ~0,
   .lower_uniforms_to_ubo = true,
   .max_unroll_iterations = 32,
   .force_indirect_unrolling = nir_var_all,
};
#endif

static const char *
vgpu_screen_get_name(struct pipe_screen *pscreen)
{
   return "vgpu";
}

static const char *
vgpu_screen_get_vendor(struct pipe_screen *pscreen)
{
   return "vgpu";
}

static int
vgpu_screen_get_param(struct pipe_screen *pscreen, enum pipe_cap param)
{
   struct vgpu_screen *screen = vgpu_screen(pscreen);

   switch (param) {
   case PIPE_CAP_NPOT_TEXTURES:
   case PIPE_CAP_BLEND_EQUATION_SEPARATE:
   case PIPE_CAP_INDEP_BLEND_ENABLE:
   case PIPE_CAP_INDEP_BLEND_FUNC:
   case PIPE_CAP_ACCELERATED:
   case PIPE_CAP_NATIVE_FENCE_FD:
   case PIPE_CAP_FRAGMENT_SHADER_TEXTURE_LOD:
   case PIPE_CAP_FRAGMENT_SHADER_DERIVATIVES:
   case PIPE_CAP_PRIMITIVE_RESTART_FIXED_INDEX:
   case PIPE_CAP_TGSI_TEXCOORD:
   case PIPE_CAP_FS_COORD_ORIGIN_UPPER_LEFT:
   case PIPE_CAP_FS_COORD_PIXEL_CENTER_HALF_INTEGER:
   case PIPE_CAP_FS_POSITION_IS_SYSVAL:
   case PIPE_CAP_FS_FACE_IS_INTEGER_SYSVAL:
   case PIPE_CAP_TEXTURE_HALF_FLOAT_LINEAR:
   case PIPE_CAP_TEXTURE_FLOAT_LINEAR:
   case PIPE_CAP_VERTEX_COLOR_UNCLAMPED:
   case PIPE_CAP_PACKED_UNIFORMS:
   case PIPE_CAP_CLEAR_SCISSORED: /* CLEAR honours the scissor (hw-spec 10.8) */
      return 1;

   /* st/mesa lowers what the hardware lacks: alpha test, flat shading, two-sided colour, user clip
    * planes, texture swizzles. */
   case PIPE_CAP_ALPHA_TEST:
   case PIPE_CAP_FLATSHADE:
   case PIPE_CAP_TWO_SIDED_COLOR:
   case PIPE_CAP_CLIP_PLANES:
   case PIPE_CAP_TEXTURE_SWIZZLE:
   case PIPE_CAP_USER_VERTEX_BUFFERS:
   case PIPE_CAP_TEXTURE_TRANSFER_MODES:
   case PIPE_CAP_SHAREABLE_SHADERS:
   case PIPE_CAP_CLIP_HALFZ:
   case PIPE_CAP_MAX_TEXTURE_ARRAY_LAYERS:
   case PIPE_CAP_MAX_TEXTURE_3D_LEVELS:
   case PIPE_CAP_OCCLUSION_QUERY:
   case PIPE_CAP_QUERY_TIMESTAMP:
   case PIPE_CAP_QUERY_TIME_ELAPSED:
      return 0;

   case PIPE_CAP_GLSL_FEATURE_LEVEL:
   case PIPE_CAP_GLSL_FEATURE_LEVEL_COMPATIBILITY:
      return 120;
   case PIPE_CAP_ESSL_FEATURE_LEVEL:
      return 100;

   case PIPE_CAP_MAX_RENDER_TARGETS:
      return VGPU_MAX_RENDER_TARGETS;
   case PIPE_CAP_MAX_VIEWPORTS:
      return 1;
   case PIPE_CAP_MAX_TEXTURE_2D_SIZE:
      return screen->max_surface_dim;
   case PIPE_CAP_MAX_TEXTURE_CUBE_LEVELS:
      return 15;
   case PIPE_CAP_MAX_VERTEX_ATTRIB_STRIDE:
      return 2048;
   case PIPE_CAP_MAX_VERTEX_ELEMENT_SRC_OFFSET:
      return 2047;
   case PIPE_CAP_MAX_VARYINGS:
      return 16;
   case PIPE_CAP_CONSTANT_BUFFER_OFFSET_ALIGNMENT:
      return 16;
   case PIPE_CAP_MIN_MAP_BUFFER_ALIGNMENT:
      return 64;

   case PIPE_CAP_VENDOR_ID:
      return VGPU_PCI_VENDOR_ID;
   case PIPE_CAP_DEVICE_ID:
      return VGPU_PCI_DEVICE_ID;
   case PIPE_CAP_VIDEO_MEMORY:
      return screen->vram_size >> 20;
   case PIPE_CAP_UMA:
      return 0;

   default:
      return u_pipe_screen_get_param_defaults(pscreen, param);
   }
}

static float
vgpu_screen_get_paramf(struct pipe_screen *pscreen, enum pipe_capf param)
{
   switch (param) {
   case PIPE_CAPF_MIN_LINE_WIDTH:
   case PIPE_CAPF_MIN_LINE_WIDTH_AA:
   case PIPE_CAPF_MIN_POINT_SIZE:
   case PIPE_CAPF_MIN_POINT_SIZE_AA:
      return 1.0f;
   case PIPE_CAPF_MAX_LINE_WIDTH:
   case PIPE_CAPF_MAX_LINE_WIDTH_AA:
   case PIPE_CAPF_MAX_POINT_SIZE:
   case PIPE_CAPF_MAX_POINT_SIZE_AA:
      return 64.0f; /* hw-spec 10.3 clamps to 1..64 */
   case PIPE_CAPF_POINT_SIZE_GRANULARITY:
   case PIPE_CAPF_LINE_WIDTH_GRANULARITY:
      return 1.0f / 256; /* 8 subpixel bits */
   case PIPE_CAPF_MAX_TEXTURE_LOD_BIAS:
      return 15.0f;
   default:
      return 0.0f;
   }
}

static int
vgpu_screen_get_shader_param(struct pipe_screen *pscreen, enum pipe_shader_type shader,
                             enum pipe_shader_cap param)
{
   if (shader != PIPE_SHADER_VERTEX && shader != PIPE_SHADER_FRAGMENT)
      return 0;

   switch (param) {
   case PIPE_SHADER_CAP_MAX_INSTRUCTIONS:
   case PIPE_SHADER_CAP_MAX_ALU_INSTRUCTIONS:
   case PIPE_SHADER_CAP_MAX_TEX_INSTRUCTIONS:
   case PIPE_SHADER_CAP_MAX_TEX_INDIRECTIONS:
      /* A binary is at most 64 KiB (hw-spec 10.7): the header, then 8-byte instruction words (an
       * immediate takes a second word, so this is an upper bound). */
      return (64 * 1024 - VGPU_ISA_HEADER_SIZE) / VGPU_ISA_WORD_SIZE;
   case PIPE_SHADER_CAP_MAX_CONTROL_FLOW_DEPTH:
      return 16;
   case PIPE_SHADER_CAP_MAX_INPUTS:
      return shader == PIPE_SHADER_VERTEX ? VGPU_MAX_VERTEX_ATTRIBS : 16;
   case PIPE_SHADER_CAP_MAX_OUTPUTS:
      return shader == PIPE_SHADER_VERTEX ? 16 : VGPU_MAX_RENDER_TARGETS;
   case PIPE_SHADER_CAP_MAX_TEMPS:
      return 128;
   case PIPE_SHADER_CAP_MAX_CONST_BUFFER0_SIZE:
      return 64 * 1024;
   case PIPE_SHADER_CAP_MAX_CONST_BUFFERS:
      return 1;
   case PIPE_SHADER_CAP_MAX_TEXTURE_SAMPLERS:
   case PIPE_SHADER_CAP_MAX_SAMPLER_VIEWS:
      return VGPU_MAX_TEXTURES;
   case PIPE_SHADER_CAP_PREFERRED_IR:
      return PIPE_SHADER_IR_NIR;
   case PIPE_SHADER_CAP_SUPPORTED_IRS:
      return 1 << PIPE_SHADER_IR_NIR;
   case PIPE_SHADER_CAP_INTEGERS:
      return 1;
   case PIPE_SHADER_CAP_INDIRECT_CONST_ADDR:
      return 1; /* ld.ubo takes a register address (isa.md 8.5): no if-ladders for uniform arrays */
   default:
      return 0;
   }
}

static bool
vgpu_screen_is_format_supported(struct pipe_screen *pscreen, enum pipe_format format,
                                enum pipe_texture_target target, unsigned sample_count,
                                unsigned storage_sample_count, unsigned usage)
{
   switch (target) {
   case PIPE_BUFFER:
   case PIPE_TEXTURE_2D:
   case PIPE_TEXTURE_RECT:
   case PIPE_TEXTURE_CUBE:
      break;
   default:
      return false;
   }
   /* No multisampling (hw-spec 10). */
   if (sample_count > 1 || storage_sample_count > 1)
      return false;

   if ((usage & (PIPE_BIND_RENDER_TARGET | PIPE_BIND_DISPLAY_TARGET | PIPE_BIND_SCANOUT |
                 PIPE_BIND_SHARED | PIPE_BIND_BLENDABLE)) &&
       !vgpu_format_is_color(format))
      return false;
   if ((usage & PIPE_BIND_SCANOUT) && format != PIPE_FORMAT_B8G8R8A8_UNORM &&
       format != PIPE_FORMAT_B8G8R8X8_UNORM && format != PIPE_FORMAT_B5G6R5_UNORM)
      return false;
   if ((usage & PIPE_BIND_DEPTH_STENCIL) && !vgpu_format_is_depth(format))
      return false;
   if ((usage & PIPE_BIND_SAMPLER_VIEW) && target != PIPE_BUFFER && vgpu_format(format) == VGPU_FORMAT_NONE)
      return false;
   /* Vertex and index formats come with the draw path (vgpu_draw.c, not yet). */
   if (usage & (PIPE_BIND_VERTEX_BUFFER | PIPE_BIND_INDEX_BUFFER))
      return false;
   return true;
}

static const void *
vgpu_screen_get_compiler_options(struct pipe_screen *pscreen, enum pipe_shader_ir ir,
                                 enum pipe_shader_type shader)
{
#ifdef VGPU_HAVE_COMPILER
   return vgpu_nir_options();
#else
   return &vgpu_fallback_nir_options;
#endif
}

static void
vgpu_screen_destroy(struct pipe_screen *pscreen)
{
   struct vgpu_screen *screen = vgpu_screen(pscreen);

   vgpu_bo_cache_fini(screen);
   slab_destroy_parent(&screen->transfer_pool);
   FREE(screen);
}

static bool
vgpu_screen_query(struct vgpu_screen *screen)
{
   struct {
      uint32_t param;
      uint64_t *value;
   } params[] = {
      {DRM_VGPU_PARAM_DEVICE_VERSION, NULL},
      {DRM_VGPU_PARAM_CAPS, NULL},
      {DRM_VGPU_PARAM_VRAM_SIZE, &screen->vram_size},
      {DRM_VGPU_PARAM_MAX_SURFACE_DIM, NULL},
   };
   uint64_t values[ARRAY_SIZE(params)];

   for (unsigned i = 0; i < ARRAY_SIZE(params); i++) {
      struct drm_vgpu_get_param gp = {.param = params[i].param};
      if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_GET_PARAM, &gp)) {
         fprintf(stderr, "vgpu: GET_PARAM %u failed (%s): is this fd a vgpu node with vgpu.ko >= 1.1?\n",
                 params[i].param, strerror(errno));
         return false;
      }
      values[i] = gp.value;
   }
   screen->device_version = values[0];
   screen->caps = values[1];
   screen->vram_size = values[2];
   screen->max_surface_dim = values[3];
   if (screen->device_version >> 16 != VGPU_VERSION_MAJOR || !(screen->caps & VGPU_CAP_3D)) {
      fprintf(stderr, "vgpu: device version 0x%x, caps 0x%x: this driver needs hardware 1.x with 3D\n",
              screen->device_version, screen->caps);
      return false;
   }
   return true;
}

struct pipe_screen *
vgpu_screen_create(int fd, const struct pipe_screen_config *config)
{
   drmVersionPtr version = drmGetVersion(fd);
   if (!version)
      return NULL;
   bool usable = version->version_major == DRM_VGPU_VERSION_MAJOR && version->version_minor >= 1;
   drmFreeVersion(version);
   if (!usable) {
      fprintf(stderr, "vgpu: the kernel driver's UAPI is too old (need %d.1 or later)\n",
              DRM_VGPU_VERSION_MAJOR);
      return NULL;
   }

   struct vgpu_screen *screen = CALLOC_STRUCT(vgpu_screen);
   if (!screen)
      return NULL;
   screen->fd = fd;
   screen->refcnt = 1;
   if (!vgpu_screen_query(screen)) {
      FREE(screen);
      return NULL;
   }
   vgpu_bo_cache_init(screen);
   slab_create_parent(&screen->transfer_pool, sizeof(struct vgpu_transfer), 16);

   struct pipe_screen *pscreen = &screen->base;
   pscreen->destroy = vgpu_screen_destroy;
   pscreen->get_name = vgpu_screen_get_name;
   pscreen->get_vendor = vgpu_screen_get_vendor;
   pscreen->get_device_vendor = vgpu_screen_get_vendor;
   pscreen->get_param = vgpu_screen_get_param;
   pscreen->get_paramf = vgpu_screen_get_paramf;
   pscreen->get_shader_param = vgpu_screen_get_shader_param;
   pscreen->is_format_supported = vgpu_screen_is_format_supported;
   pscreen->get_compiler_options = vgpu_screen_get_compiler_options;
   pscreen->context_create = vgpu_context_create;
   vgpu_resource_screen_init(screen);
   vgpu_fence_screen_init(screen);
   return pscreen;
}
