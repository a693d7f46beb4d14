/* SPDX-License-Identifier: MIT */
/*
 * vgpu hardware interface, version 1.1: PCI identity, registers, physical and virtual addressing, page-table
 * entries, command packets, pixel and vertex formats, fault codes.
 *
 * This header is the machine-readable form of docs/hw-spec.md (the prose is authoritative; the two change
 * together). It holds only macros, so libvgpu, the QEMU device, the Linux driver (kernel/) and the Mesa
 * driver can all include it.
 */
#ifndef VGPU_HW_H
#define VGPU_HW_H

/* ---- PCI identity (spec section 2) ------------------------------------------------------------------ */
#define VGPU_PCI_VENDOR_ID	     0x1af4 /* QEMU's range for experimental devices: 1af4:10f0..10ff */
#define VGPU_PCI_DEVICE_ID	     0x10f0
#define VGPU_PCI_SUBSYSTEM_VENDOR_ID 0x1af4
#define VGPU_PCI_SUBSYSTEM_ID	     0x10f0
#define VGPU_PCI_CLASS		     0x038000 /* display controller, other */
#define VGPU_PCI_REVISION	     0x01

#define VGPU_BAR_REGS	   0 /* 64 KiB, 32-bit MMIO, non-prefetchable */
#define VGPU_BAR_VRAM	   2 /* 64-bit prefetchable memory, size = VRAM size */
#define VGPU_BAR_MSIX	   4 /* MSI-X table and PBA */
#define VGPU_REGS_SIZE	   0x10000
#define VGPU_MSIX_VECTORS  3
#define VGPU_MSIX_CMD	   0 /* INT bits 0..7 */
#define VGPU_MSIX_DISPLAY  1 /* INT bits 8..15 */
#define VGPU_MSIX_FAULT	   2 /* INT bits 16..23 */

#define VGPU_VRAM_SIZE_MIN (16ull << 20)
#define VGPU_VRAM_SIZE_MAX (4ull << 30)

/* ---- Identity block (section 3.1) ----------------------------------------------------------------- */
#define VGPU_REG_MAGIC		 0x0000 /* R: VGPU_MAGIC */
#define VGPU_REG_VERSION	 0x0004 /* R: major << 16 | minor */
#define VGPU_REG_CAPS		 0x0008 /* R: VGPU_CAP_* */
#define VGPU_REG_VRAM_SIZE_LO	 0x000c /* R */
#define VGPU_REG_VRAM_SIZE_HI	 0x0010 /* R */
#define VGPU_REG_SCRATCH	 0x0014 /* RW: reads return the bitwise NOT of the last value written */
#define VGPU_REG_MAX_SURFACE_DIM 0x0018 /* R: 16384 */
#define VGPU_REG_WARP_LANES	 0x001c /* R: 16 */
#define VGPU_REG_RESET		 0x0020 /* W: VGPU_RESET_MAGIC resets the whole device; reads 0 */
#define VGPU_REG_STATUS		 0x0024 /* R: VGPU_STATUS_* */
#define VGPU_REG_TIMESTAMP_LO	 0x0028 /* R: device clock, ns; reading LO latches HI */
#define VGPU_REG_TIMESTAMP_HI	 0x002c /* R */

#define VGPU_MAGIC	      0x55504756u /* "VGPU" in little-endian byte order */
#define VGPU_VERSION_MAJOR    1
#define VGPU_VERSION_MINOR    1
#define VGPU_VERSION	      ((VGPU_VERSION_MAJOR << 16) | VGPU_VERSION_MINOR)
#define VGPU_RESET_MAGIC      0x52534554u /* "RSET" */
#define VGPU_MAX_SURFACE_DIM  16384
#define VGPU_WARP_LANES	      16

#define VGPU_CAP_2D	   (1u << 0)
#define VGPU_CAP_3D	   (1u << 1)
#define VGPU_CAP_DISPLAY   (1u << 2)
#define VGPU_CAP_CURSOR	   (1u << 3)
#define VGPU_CAP_TIMESTAMP (1u << 4)
#define VGPU_CAP_CAPTURE   (1u << 5)
/* Version 1.1 features (spec 3.1.1): a driver uses one only when its bit is set. */
#define VGPU_CAP_TEXTURE_SWIZZLE (1u << 6)
#define VGPU_CAP_VERTEX_SCALED	 (1u << 7) /* VGPU_VFMT_SCALED and VGPU_VTYPE_FIXED32 */
#define VGPU_CAP_DEPTH_BIAS	 (1u << 8) /* VGPU_PKT_SET_DEPTH_BIAS */
#define VGPU_CAP_POINT_SPRITE	 (1u << 9) /* VGPU_PKT_SET_POINT_SPRITE */
#define VGPU_CAP_FORMATS_GL_16BIT (1u << 10) /* VGPU_FORMAT_A4B4G4R4_UNORM, VGPU_FORMAT_A1B5G5R5_UNORM */
#define VGPU_CAP_FORMATS_SRGB	  (1u << 11) /* VGPU_FORMAT_*_SRGB */
#define VGPU_CAP_OCCLUSION_COUNTER (1u << 12) /* VGPU_PKT_OCCLUSION_COUNT */

#define VGPU_STATUS_CP_BUSY	 (1u << 0) /* the ring holds packets not yet executed */
#define VGPU_STATUS_FLIP_PENDING (1u << 1) /* a display commit waits for the next vblank */

/* ---- Interrupts (section 3.2) --------------------------------------------------------------------- */
#define VGPU_REG_INT_STATUS  0x0100 /* RW1C: events that happened */
#define VGPU_REG_INT_MASK    0x0104 /* RW: events that interrupt */
#define VGPU_REG_INT_PENDING 0x0108 /* R: INT_STATUS & INT_MASK */

#define VGPU_INT_FENCE	   (1u << 0)
#define VGPU_INT_VBLANK	   (1u << 8)
#define VGPU_INT_FLIP_DONE (1u << 9)
#define VGPU_INT_HOTPLUG   (1u << 10)
#define VGPU_INT_FAULT	   (1u << 16)
#define VGPU_INT_ALL	   (VGPU_INT_FENCE | VGPU_INT_VBLANK | VGPU_INT_FLIP_DONE | VGPU_INT_HOTPLUG | VGPU_INT_FAULT)
#define VGPU_INT_VECTOR(bit_index) ((bit_index) / 8) /* MSI-X vector of an INT bit */

/* ---- Command processor (section 5) ---------------------------------------------------------------- */
#define VGPU_REG_RING_BASE_LO	 0x0200 /* RW: physical address, 4 KiB aligned */
#define VGPU_REG_RING_BASE_HI	 0x0204
#define VGPU_REG_RING_SIZE	 0x0208 /* RW: bytes, power of two, 4 KiB .. 1 MiB */
#define VGPU_REG_RING_HEAD	 0x020c /* R: byte offset of the next dword the CP reads */
#define VGPU_REG_RING_TAIL	 0x0210 /* RW: doorbell, byte offset after the last dword written */
#define VGPU_REG_RING_CTRL	 0x0214 /* RW: VGPU_RING_CTRL_* */
#define VGPU_REG_RING_HEAD_WB_LO 0x0218 /* RW: bit 0 enables; physical address of a 32-bit HEAD copy */
#define VGPU_REG_RING_HEAD_WB_HI 0x021c
#define VGPU_REG_FENCE_SEQ_LO	 0x0220 /* R: sequence number of the last completed FENCE packet */
#define VGPU_REG_FENCE_SEQ_HI	 0x0224
#define VGPU_REG_WATCHDOG	 0x0228 /* RW: work budget of one ring packet, in units of 65536 */
#define VGPU_REG_CONTEXT_ASID	 0x022c /* R: ASID of the current context, 0 = none */

#define VGPU_RING_CTRL_ENABLE	 (1u << 0)
#define VGPU_RING_SIZE_MIN	 4096u
#define VGPU_RING_SIZE_MAX	 (1u << 20)
#define VGPU_WATCHDOG_DEFAULT	 0x4000u /* 2^30 work units */
#define VGPU_HEAD_WB_ENABLE	 (1u << 0)

/* ---- Fault record (section 8) --------------------------------------------------------------------- */
#define VGPU_REG_FAULT_STATUS	0x0300 /* R: VGPU_FAULT_STATUS_* */
#define VGPU_REG_FAULT_TYPE	0x0304 /* R: VGPU_FAULT_* */
#define VGPU_REG_FAULT_ASID	0x0308 /* R */
#define VGPU_REG_FAULT_ADDR_LO	0x030c /* R: faulting address, register offset or value */
#define VGPU_REG_FAULT_ADDR_HI	0x0310
#define VGPU_REG_FAULT_INFO	0x0314 /* R: VGPU_FAULT_INFO_* fields */
#define VGPU_REG_FAULT_RING_POS 0x0318 /* R: ring byte offset of the packet that faulted (the INDIRECT) */
#define VGPU_REG_FAULT_IB_POS	0x031c /* R: dword offset in the indirect buffer, or ~0 for the ring */
#define VGPU_REG_FAULT_ACK	0x0320 /* W: any value clears the record */
#define VGPU_REG_FAULT_COUNT	0x0324 /* R: faults since reset, wraps */

#define VGPU_FAULT_STATUS_VALID	   (1u << 0)
#define VGPU_FAULT_STATUS_OVERFLOW (1u << 1) /* further faults happened while VALID */

#define VGPU_FAULT_INFO_OPCODE(info) ((info) & 0xff)	     /* opcode of the packet */
#define VGPU_FAULT_INFO_WRITE	     (1u << 8)		     /* the access was a write */
#define VGPU_FAULT_INFO_ENGINE(info) (((info) >> 12) & 0xf) /* VGPU_ENGINE_* */
#define VGPU_ENGINE_CP		     0
#define VGPU_ENGINE_2D		     1
#define VGPU_ENGINE_3D		     2
#define VGPU_ENGINE_DISPLAY	     3
#define VGPU_ENGINE_REGS	     4
#define VGPU_ENGINE_SHADER	     5

#define VGPU_FAULT_NONE		       0x00
#define VGPU_FAULT_BAD_REGISTER	       0x01 /* access to an undefined or read-only register */
#define VGPU_FAULT_BAD_REGISTER_VALUE  0x02 /* a register write with a value the spec forbids */
#define VGPU_FAULT_BAD_OPCODE	       0x10
#define VGPU_FAULT_BAD_PACKET_LENGTH   0x11
#define VGPU_FAULT_BAD_PACKET_FIELD    0x12 /* reserved bits set, or a field out of its range */
#define VGPU_FAULT_PRIVILEGED_PACKET   0x13 /* a ring-only packet inside an indirect buffer */
#define VGPU_FAULT_IB_OVERRUN	       0x14 /* a packet runs past the end of its indirect buffer */
#define VGPU_FAULT_NO_CONTEXT	       0x15 /* a virtual address used before SET_CONTEXT */
#define VGPU_FAULT_WATCHDOG	       0x16 /* the work budget of one ring packet ran out */
/* FAULT_ADDR of a WATCHDOG fault: 0 the budget ran out, 1 a restored snapshot cut the packet short (spec 12) */
#define VGPU_WATCHDOG_ADDR_CUT_SHORT 1
#define VGPU_FAULT_MMU_NOT_MAPPED      0x20 /* no valid translation */
#define VGPU_FAULT_MMU_READ_ONLY       0x21 /* write to a page without WRITE */
#define VGPU_FAULT_MMU_BAD_ADDRESS     0x22 /* VA beyond 39 bits, misaligned, or PA outside memory */
#define VGPU_FAULT_MMU_BAD_PTE	       0x23 /* reserved PTE bits set */
#define VGPU_FAULT_BAD_SURFACE	       0x30 /* format, pitch, size or rectangle invalid */
#define VGPU_FAULT_BAD_STATE	       0x31 /* a draw with missing or inconsistent 3D state */
#define VGPU_FAULT_SHADER_INVALID      0x40 /* shader binary rejected at SET_SHADER */
#define VGPU_FAULT_SHADER_BUDGET       0x41 /* an invocation ran out of instructions */
#define VGPU_FAULT_SHADER_STACK	       0x42 /* control-flow stack overflow */
#define VGPU_FAULT_DISPLAY_BAD_CONFIG  0x50 /* a display commit rejected; the previous state stays */
#define VGPU_FAULT_DMA_ERROR	       0x60 /* the host refused a system-memory access */

/* ---- MMU (section 4) ------------------------------------------------------------------------------ */
#define VGPU_REG_MMU_INVALIDATE 0x0400 /* W: any value drops every cached translation */

/* Physical addresses (PA): bit 63 clear = byte offset in VRAM; set = bus address in guest system memory. */
#define VGPU_PA_SYSMEM	   (1ull << 63)
#define VGPU_PA_SYSMEM_MAX (1ull << 52) /* bus addresses are below 2^52 */

/* GPU virtual addresses: 39 bits, three levels of 512-entry tables (one 4 KiB page each). */
#define VGPU_VA_BITS	     39
#define VGPU_PAGE_SHIFT	     12
#define VGPU_PAGE_SIZE	     (1ull << VGPU_PAGE_SHIFT)
#define VGPU_PT_ENTRIES	     512
#define VGPU_PT_LEVELS	     3
#define VGPU_VA_INDEX(va, level) (((va) >> (VGPU_PAGE_SHIFT + 9 * (level))) & 511) /* level 2 = root */

#define VGPU_PTE_VALID	(1ull << 0)
#define VGPU_PTE_WRITE	(1ull << 1) /* leaf entries only; must be 0 in table entries */
#define VGPU_PTE_SYSMEM (1ull << 2) /* the page (or next table) is in system memory */
#define VGPU_PTE_ADDR_MASK 0x000ffffffffff000ull
#define VGPU_PTE_RESERVED_MASK (~(VGPU_PTE_ADDR_MASK | VGPU_PTE_VALID | VGPU_PTE_WRITE | VGPU_PTE_SYSMEM))

/* ---- Display (section 7) -------------------------------------------------------------------------- */
#define VGPU_REG_DISP_CTRL	  0x0500 /* shadow: bit 0 enables scanout */
#define VGPU_REG_SCANOUT_ADDR_LO  0x0504 /* shadow: PA of the first pixel */
#define VGPU_REG_SCANOUT_ADDR_HI  0x0508
#define VGPU_REG_SCANOUT_FORMAT	  0x050c /* shadow: VGPU_FORMAT_B8G8R8X8, B8G8R8A8 or B5G6R5 */
#define VGPU_REG_SCANOUT_STRIDE	  0x0510 /* shadow: bytes between rows */
#define VGPU_REG_SCANOUT_WIDTH	  0x0514 /* shadow */
#define VGPU_REG_SCANOUT_HEIGHT	  0x0518 /* shadow */
#define VGPU_REG_DISP_COMMIT	  0x051c /* W: 1 latches the shadow registers at the next vblank */
#define VGPU_REG_PREFERRED_WIDTH  0x0520 /* R: the host window's size */
#define VGPU_REG_PREFERRED_HEIGHT 0x0524 /* R */
#define VGPU_REG_REFRESH_MHZ	  0x0528 /* R: refresh rate in millihertz (60000) */
#define VGPU_REG_VBLANK_COUNT	  0x052c /* R: vblanks since reset, wraps */
#define VGPU_REG_VBLANK_TIME_LO	  0x0530 /* R: device clock (ns) at the last vblank */
#define VGPU_REG_VBLANK_TIME_HI	  0x0534
#define VGPU_REG_DISP_STATUS	  0x0538 /* R: VGPU_DISP_STATUS_* */
#define VGPU_REG_CURSOR_CTRL	  0x0540 /* RW: bit 0 shows the cursor; takes effect at once */
#define VGPU_REG_CURSOR_ADDR_LO	  0x0544 /* RW: PA of a 64x64 B8G8R8A8 premultiplied image */
#define VGPU_REG_CURSOR_ADDR_HI	  0x0548
#define VGPU_REG_CURSOR_POS	  0x054c /* RW: x in bits 0..15, y in bits 16..31, signed */

#define VGPU_DISP_CTRL_ENABLE	       (1u << 0)
#define VGPU_DISP_STATUS_ENABLED       (1u << 0) /* the active (latched) state scans out */
#define VGPU_DISP_STATUS_FLIP_PENDING  (1u << 1)
#define VGPU_DISP_STATUS_COMMIT_FAILED (1u << 2) /* the last commit was rejected */
#define VGPU_CURSOR_CTRL_ENABLE	       (1u << 0)
#define VGPU_CURSOR_SIZE	       64
#define VGPU_REFRESH_MHZ_DEFAULT       60000

/* ---- Pixel formats (section 9), shared by 2D, 3D, textures and display ---------------------------- */
#define VGPU_FORMAT_NONE	      0
#define VGPU_FORMAT_B8G8R8A8_UNORM    1 /* DRM ARGB8888: bytes B, G, R, A */
#define VGPU_FORMAT_B8G8R8X8_UNORM    2 /* DRM XRGB8888 */
#define VGPU_FORMAT_R8G8B8A8_UNORM    3 /* DRM ABGR8888 */
#define VGPU_FORMAT_R8G8B8X8_UNORM    4 /* DRM XBGR8888 */
#define VGPU_FORMAT_B5G6R5_UNORM      5 /* DRM RGB565 */
#define VGPU_FORMAT_B5G5R5A1_UNORM    6 /* DRM ARGB1555 */
#define VGPU_FORMAT_B4G4R4A4_UNORM    7 /* DRM ARGB4444 */
#define VGPU_FORMAT_R8_UNORM	      8
#define VGPU_FORMAT_R8G8_UNORM	      9
#define VGPU_FORMAT_R16G16B16A16_FLOAT 10
#define VGPU_FORMAT_R32_FLOAT	      11
#define VGPU_FORMAT_R32G32B32A32_FLOAT 12
#define VGPU_FORMAT_A4B4G4R4_UNORM    13 /* 1.1: A 0..3, B 4..7, G 8..11, R 12..15 = GL 4444, DRM RGBA4444 */
#define VGPU_FORMAT_A1B5G5R5_UNORM    14 /* 1.1: A 0, B 1..5, G 6..10, R 11..15 = GL 5551, DRM RGBA5551 */
#define VGPU_FORMAT_R8G8B8A8_SRGB     15 /* 1.1: the 8-bit formats with sRGB-encoded R, G, B */
#define VGPU_FORMAT_B8G8R8A8_SRGB     16
#define VGPU_FORMAT_R8G8B8X8_SRGB     17
#define VGPU_FORMAT_B8G8R8X8_SRGB     18
#define VGPU_FORMAT_Z16_UNORM	      32 /* depth formats: render targets and textures */
#define VGPU_FORMAT_Z24_UNORM_S8_UINT 33 /* depth in bits 0..23, stencil in bits 24..31 */
#define VGPU_FORMAT_Z32_FLOAT	      34
#define VGPU_FORMAT_COUNT	      35

/* ---- Packets (section 6) -------------------------------------------------------------------------- */
/* Header: opcode in bits 0..7, bits 8..15 zero, payload length in dwords in bits 16..31. */
#define VGPU_PKT_HEADER(opcode, len) ((unsigned)(opcode) | ((unsigned)(len) << 16))
#define VGPU_PKT_OPCODE(header)	     ((header) & 0xffu)
#define VGPU_PKT_RESERVED(header)    (((header) >> 8) & 0xffu)
#define VGPU_PKT_LENGTH(header)	     ((header) >> 16)

/* Command processor packets. R = ring only (privileged). */
#define VGPU_PKT_NOP		0x00 /* len any */
#define VGPU_PKT_INDIRECT	0x01 /* R, len 3: va_lo, va_hi, size in dwords (1 .. 2^20) */
#define VGPU_PKT_SET_CONTEXT	0x02 /* R, len 3: asid (1..65535), root PA lo, root PA hi */
#define VGPU_PKT_FENCE		0x03 /* R, len 5: PA lo, PA hi, seq lo, seq hi, flags */
#define VGPU_PKT_MMU_INVALIDATE 0x04 /* R, len 0 */
#define VGPU_PKT_WRITE_DATA	0x05 /* len 2+n (n >= 1): va_lo, va_hi, n data dwords */
#define VGPU_PKT_TIMESTAMP	0x06 /* len 2: va_lo, va_hi (8-byte aligned) */

#define VGPU_FENCE_FLAG_INTERRUPT (1u << 0)
#define VGPU_IB_MAX_DWORDS	  (1u << 20)

/* 2D engine packets. A surface is 4 dwords: va_lo, va_hi, pitch (bytes), format.
 * Points and sizes pack two 16-bit fields: x | y << 16, width | height << 16. */
#define VGPU_PKT_FILL 0x10 /* len 7: dst surface, dst x|y, w|h, raw pixel value */
#define VGPU_PKT_COPY 0x11 /* len 11: src surface, dst surface, src x|y, dst x|y, w|h */
#define VGPU_PKT_BLIT 0x12 /* len 13: src surface, dst surface, src x|y, src w|h, dst x|y, dst w|h, flags */

#define VGPU_SURFACE_PITCH_MAX (1u << 18)
#define VGPU_XY(x, y)	       ((unsigned)(x) | ((unsigned)(y) << 16))

/* 3D engine packets (section 10). */
#define VGPU_PKT_SET_RENDER_TARGETS 0x20 /* len 22 */
#define VGPU_PKT_SET_VIEWPORT	    0x21 /* len 6: scale x,y,z, translate x,y,z (float) */
#define VGPU_PKT_SET_SCISSOR	    0x22 /* len 2: min x|y, max x|y (exclusive) */
#define VGPU_PKT_SET_RASTER	    0x23 /* len 3: flags, point size, line width (float) */
#define VGPU_PKT_SET_DEPTH_STENCIL  0x24 /* len 5 */
#define VGPU_PKT_SET_BLEND	    0x25 /* len 8: 4 per-target words, constant colour r,g,b,a */
#define VGPU_PKT_SET_SHADER	    0x26 /* len 4: stage, va_lo, va_hi, size in bytes */
#define VGPU_PKT_SET_VERTEX_BUFFER  0x27 /* len 5: slot, va_lo, va_hi, size, stride */
#define VGPU_PKT_SET_VERTEX_ATTRIB  0x28 /* len 4: attribute, buffer slot, offset, format */
#define VGPU_PKT_SET_UNIFORM_BUFFER 0x29 /* len 4: slot, va_lo, va_hi, size */
#define VGPU_PKT_SET_TEXTURE	    0x2a /* len 6: slot, va_lo, va_hi, format, width|height, levels|type */
#define VGPU_PKT_SET_SAMPLER	    0x2b /* len 5: slot, flags, lod bias, min lod, max lod */
#define VGPU_PKT_SET_INDEX_BUFFER   0x2c /* len 4: va_lo, va_hi, size, index size (1, 2, 4) */
#define VGPU_PKT_SET_DEPTH_BIAS	    0x2d /* 1.1, len 3: units, slope factor, clamp (float) */
#define VGPU_PKT_SET_POINT_SPRITE   0x2e /* 1.1, len 1: varying slot mask | VGPU_POINT_SPRITE_* */
#define VGPU_PKT_DRAW		    0x30 /* len 4: topology|flags, first vertex, count, instances */
#define VGPU_PKT_DRAW_INDEXED	    0x31 /* len 5: topology|flags, first index, count, base vertex, instances */
#define VGPU_PKT_CLEAR		    0x32 /* len 7: targets, r, g, b, a, depth (float), stencil */
#define VGPU_PKT_OCCLUSION_COUNT    0x33 /* 1.1, len 2: va_lo, va_hi (8-aligned): the samples-passed counter */

#define VGPU_MAX_RENDER_TARGETS	 4
#define VGPU_MAX_VERTEX_BUFFERS	 16
#define VGPU_MAX_VERTEX_ATTRIBS	 16
#define VGPU_MAX_UNIFORM_BUFFERS 16
#define VGPU_MAX_TEXTURES	 16
#define VGPU_MAX_SAMPLERS	 16
#define VGPU_MAX_DRAW_COUNT	 (1u << 24)
#define VGPU_MAX_INSTANCES	 (1u << 16)

#define VGPU_TOPOLOGY_POINTS	     0
#define VGPU_TOPOLOGY_LINES	     1
#define VGPU_TOPOLOGY_LINE_STRIP     2
#define VGPU_TOPOLOGY_LINE_LOOP	     3
#define VGPU_TOPOLOGY_TRIANGLES	     4
#define VGPU_TOPOLOGY_TRIANGLE_STRIP 5
#define VGPU_TOPOLOGY_TRIANGLE_FAN   6
#define VGPU_DRAW_PRIMITIVE_RESTART  (1u << 8) /* DRAW_INDEXED: index ~0 (of its size) restarts */

#define VGPU_SHADER_STAGE_VERTEX   0
#define VGPU_SHADER_STAGE_FRAGMENT 1

/* SET_RASTER flags */
#define VGPU_RASTER_CULL_MASK	     0x3u /* 0 none, 1 front, 2 back, 3 both */
#define VGPU_RASTER_FRONT_CCW	     (1u << 2)
#define VGPU_RASTER_SCISSOR	     (1u << 3)
#define VGPU_RASTER_PROVOKING_FIRST  (1u << 4)
#define VGPU_RASTER_DEPTH_CLIP	     (1u << 5) /* clip against near/far; else clamp depth */
#define VGPU_RASTER_HALF_PIXEL_CENTER (1u << 6)
#define VGPU_RASTER_POINT_SIZE_SHADER (1u << 7)

/* SET_POINT_SPRITE word: bits 0..15 the varying slots replaced by (s, t, 0, 1) for points, and the origin */
#define VGPU_POINT_SPRITE_SLOTS(w)	  ((w) & 0xffffu)
#define VGPU_POINT_SPRITE_ORIGIN_LOWER_LEFT (1u << 16)

/* Compare functions (depth, stencil, shadow samplers) */
#define VGPU_COMPARE_NEVER    0
#define VGPU_COMPARE_LESS     1
#define VGPU_COMPARE_EQUAL    2
#define VGPU_COMPARE_LEQUAL   3
#define VGPU_COMPARE_GREATER  4
#define VGPU_COMPARE_NOTEQUAL 5
#define VGPU_COMPARE_GEQUAL   6
#define VGPU_COMPARE_ALWAYS   7

/* SET_DEPTH_STENCIL word 0 */
#define VGPU_DEPTH_TEST	       (1u << 0)
#define VGPU_DEPTH_WRITE       (1u << 1)
#define VGPU_DEPTH_FUNC(w)     (((w) >> 4) & 7)
/* SET_DEPTH_STENCIL words 1 (front) and 3 (back) */
#define VGPU_STENCIL_ENABLE    (1u << 0)
#define VGPU_STENCIL_FUNC(w)   (((w) >> 1) & 7)
#define VGPU_STENCIL_FAIL(w)   (((w) >> 4) & 7)
#define VGPU_STENCIL_ZFAIL(w)  (((w) >> 7) & 7)
#define VGPU_STENCIL_ZPASS(w)  (((w) >> 10) & 7)
#define VGPU_STENCIL_REF(w)    (((w) >> 16) & 0xff)
/* words 2 (front) and 4 (back): value mask in bits 0..7, write mask in bits 8..15 */
#define VGPU_STENCIL_OP_KEEP	  0
#define VGPU_STENCIL_OP_ZERO	  1
#define VGPU_STENCIL_OP_REPLACE	  2
#define VGPU_STENCIL_OP_INCR	  3 /* saturate */
#define VGPU_STENCIL_OP_DECR	  4 /* saturate */
#define VGPU_STENCIL_OP_INVERT	  5
#define VGPU_STENCIL_OP_INCR_WRAP 6
#define VGPU_STENCIL_OP_DECR_WRAP 7

/* SET_BLEND per-target word */
#define VGPU_BLEND_ENABLE      (1u << 0)
#define VGPU_BLEND_RGB_FUNC(w) (((w) >> 1) & 7)
#define VGPU_BLEND_RGB_SRC(w)  (((w) >> 4) & 31)
#define VGPU_BLEND_RGB_DST(w)  (((w) >> 9) & 31)
#define VGPU_BLEND_A_FUNC(w)   (((w) >> 14) & 7)
#define VGPU_BLEND_A_SRC(w)    (((w) >> 17) & 31)
#define VGPU_BLEND_A_DST(w)    (((w) >> 22) & 31)
#define VGPU_BLEND_WRITEMASK(w) (((w) >> 27) & 15) /* bit 0 R, 1 G, 2 B, 3 A */
#define VGPU_BLEND_FUNC_ADD		 0
#define VGPU_BLEND_FUNC_SUBTRACT	 1
#define VGPU_BLEND_FUNC_REVERSE_SUBTRACT 2
#define VGPU_BLEND_FUNC_MIN		 3
#define VGPU_BLEND_FUNC_MAX		 4
#define VGPU_BLEND_ZERO			 0
#define VGPU_BLEND_ONE			 1
#define VGPU_BLEND_SRC_COLOR		 2
#define VGPU_BLEND_ONE_MINUS_SRC_COLOR	 3
#define VGPU_BLEND_DST_COLOR		 4
#define VGPU_BLEND_ONE_MINUS_DST_COLOR	 5
#define VGPU_BLEND_SRC_ALPHA		 6
#define VGPU_BLEND_ONE_MINUS_SRC_ALPHA	 7
#define VGPU_BLEND_DST_ALPHA		 8
#define VGPU_BLEND_ONE_MINUS_DST_ALPHA	 9
#define VGPU_BLEND_CONSTANT_COLOR	 10
#define VGPU_BLEND_ONE_MINUS_CONSTANT_COLOR 11
#define VGPU_BLEND_CONSTANT_ALPHA	 12
#define VGPU_BLEND_ONE_MINUS_CONSTANT_ALPHA 13
#define VGPU_BLEND_SRC_ALPHA_SATURATE	 14

/* SET_TEXTURE word 5: mip levels in bits 0..7 (1..15), type in bits 8..15, swizzle in bits 16..27 (1.1) */
#define VGPU_TEXTURE_2D	  0
#define VGPU_TEXTURE_CUBE 1
#define VGPU_TEXTURE_MAX_LEVELS 15
#define VGPU_TEXTURE_LEVELS(w)	((w) & 0xff)
#define VGPU_TEXTURE_TYPE(w)	(((w) >> 8) & 0xff)
#define VGPU_TEXTURE_SWIZZLE(w) (((w) >> 16) & 0xfff)
/* Swizzle selectors, 3 bits per result channel (R in bits 0..2 of the swizzle field, then G, B, A). */
#define VGPU_SWIZZLE_IDENTITY 0 /* the channel itself: a 1.0 descriptor's zero bits */
#define VGPU_SWIZZLE_R	      1
#define VGPU_SWIZZLE_G	      2
#define VGPU_SWIZZLE_B	      3
#define VGPU_SWIZZLE_A	      4
#define VGPU_SWIZZLE_0	      5
#define VGPU_SWIZZLE_1	      6 /* 7 is reserved */
#define VGPU_SWIZZLE(r, g, b, a) \
	((unsigned)(r) | (unsigned)(g) << 3 | (unsigned)(b) << 6 | (unsigned)(a) << 9)
#define VGPU_SWIZZLE_SELECT(swizzle, channel) (((swizzle) >> (3 * (channel))) & 7)

/* SET_SAMPLER flags */
#define VGPU_SAMPLER_WRAP_S(f)	   ((f) & 3)
#define VGPU_SAMPLER_WRAP_T(f)	   (((f) >> 2) & 3)
#define VGPU_SAMPLER_WRAP_R(f)	   (((f) >> 4) & 3)
#define VGPU_SAMPLER_MIN_LINEAR	   (1u << 6)
#define VGPU_SAMPLER_MAG_LINEAR	   (1u << 7)
#define VGPU_SAMPLER_MIP(f)	   (((f) >> 8) & 3) /* 0 none, 1 nearest, 2 linear */
#define VGPU_SAMPLER_COMPARE	   (1u << 10)
#define VGPU_SAMPLER_COMPARE_FUNC(f) (((f) >> 11) & 7)
#define VGPU_WRAP_REPEAT	   0
#define VGPU_WRAP_MIRRORED_REPEAT  1
#define VGPU_WRAP_CLAMP_TO_EDGE	   2

/* Vertex attribute formats: component type in bits 0..3, component count - 1 in bits 4..5,
 * bit 8 enables the attribute (a disabled attribute reads 0, 0, 0, 1), bit 9 (1.1) converts an integer type
 * to float without normalisation. */
#define VGPU_VFMT(type, count)	 ((unsigned)(type) | (((unsigned)(count) - 1) << 4) | VGPU_VFMT_ENABLE)
#define VGPU_VFMT_TYPE(f)	 ((f) & 15)
#define VGPU_VFMT_COUNT(f)	 ((((f) >> 4) & 3) + 1)
#define VGPU_VFMT_ENABLE	 (1u << 8)
#define VGPU_VFMT_SCALED	 (1u << 9) /* 1.1: integer types only */
#define VGPU_VTYPE_FLOAT32	 0
#define VGPU_VTYPE_UNORM8	 1
#define VGPU_VTYPE_SNORM8	 2
#define VGPU_VTYPE_UINT8	 3
#define VGPU_VTYPE_SINT8	 4
#define VGPU_VTYPE_UNORM16	 5
#define VGPU_VTYPE_SNORM16	 6
#define VGPU_VTYPE_UINT16	 7
#define VGPU_VTYPE_SINT16	 8
#define VGPU_VTYPE_UINT32	 9
#define VGPU_VTYPE_SINT32	 10
#define VGPU_VTYPE_FLOAT16	 11
#define VGPU_VTYPE_FIXED32	 12 /* 1.1: signed 16.16 fixed point (GL_FIXED) to float */

/* CLEAR targets word */
#define VGPU_CLEAR_COLOR(n) (1u << (n))
#define VGPU_CLEAR_DEPTH    (1u << 4)
#define VGPU_CLEAR_STENCIL  (1u << 5)

#endif /* VGPU_HW_H */
