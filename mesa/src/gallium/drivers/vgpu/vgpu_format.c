/* SPDX-License-Identifier: MIT */
/*
 * Gallium formats of the hardware's list (hw-spec 9.1). Gallium names components in memory order for
 * byte-aligned formats and from the least significant bit for packed ones, as the spec's table does, so
 * every entry is an exact bit-for-bit match; X formats read alpha as 1.0 on both sides.
 */
#include "vgpu/vgpu_hw.h"

#include "vgpu_format.h"

uint32_t
vgpu_format(enum pipe_format format)
{
   switch (format) {
   case PIPE_FORMAT_B8G8R8A8_UNORM: return VGPU_FORMAT_B8G8R8A8_UNORM;
   case PIPE_FORMAT_B8G8R8X8_UNORM: return VGPU_FORMAT_B8G8R8X8_UNORM;
   case PIPE_FORMAT_R8G8B8A8_UNORM: return VGPU_FORMAT_R8G8B8A8_UNORM;
   case PIPE_FORMAT_R8G8B8X8_UNORM: return VGPU_FORMAT_R8G8B8X8_UNORM;
   case PIPE_FORMAT_B5G6R5_UNORM: return VGPU_FORMAT_B5G6R5_UNORM;
   case PIPE_FORMAT_B5G5R5A1_UNORM: return VGPU_FORMAT_B5G5R5A1_UNORM;
   case PIPE_FORMAT_B4G4R4A4_UNORM: return VGPU_FORMAT_B4G4R4A4_UNORM;
   case PIPE_FORMAT_R8_UNORM: return VGPU_FORMAT_R8_UNORM;
   case PIPE_FORMAT_R8G8_UNORM: return VGPU_FORMAT_R8G8_UNORM;
   case PIPE_FORMAT_R16G16B16A16_FLOAT: return VGPU_FORMAT_R16G16B16A16_FLOAT;
   case PIPE_FORMAT_R32_FLOAT: return VGPU_FORMAT_R32_FLOAT;
   case PIPE_FORMAT_R32G32B32A32_FLOAT: return VGPU_FORMAT_R32G32B32A32_FLOAT;
   case PIPE_FORMAT_Z16_UNORM: return VGPU_FORMAT_Z16_UNORM;
   /* Gallium's Z24S8 is depth in bits 23:0 and stencil in 31:24, the hardware's layout. */
   case PIPE_FORMAT_Z24_UNORM_S8_UINT: return VGPU_FORMAT_Z24_UNORM_S8_UINT;
   case PIPE_FORMAT_Z24X8_UNORM: return VGPU_FORMAT_Z24_UNORM_S8_UINT;
   case PIPE_FORMAT_Z32_FLOAT: return VGPU_FORMAT_Z32_FLOAT;
   default: return VGPU_FORMAT_NONE;
   }
}

bool
vgpu_format_is_depth(enum pipe_format format)
{
   uint32_t hw = vgpu_format(format);
   return hw == VGPU_FORMAT_Z16_UNORM || hw == VGPU_FORMAT_Z24_UNORM_S8_UINT || hw == VGPU_FORMAT_Z32_FLOAT;
}

bool
vgpu_format_is_color(enum pipe_format format)
{
   return vgpu_format(format) != VGPU_FORMAT_NONE && !vgpu_format_is_depth(format);
}
