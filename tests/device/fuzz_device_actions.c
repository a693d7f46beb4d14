/* SPDX-License-Identifier: MIT */
/*
 * The device fuzzer's actions. Values are drawn from mixtures of uniform noise and the values that matter to
 * the device (limits, powers of two, float extremes, addresses inside and outside each memory), and packets
 * are built valid then mutated, so most reach deep into the engines instead of failing the first check.
 */
#include "fuzz_device.h"
#include "vgpu/vgpu_hw.h"
#include "vgpu_pci_3d.h"
#include "vgpu_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The test window's layout (VA == VRAM offset): [0, 4K) the health check's FILL surface, then IBs and data.
 */
#define FUZZ_DATA_VA  (TEST_MAPPED_VA + 0x1000)
#define FUZZ_DATA_END (TEST_MAPPED_VA + 0x10000)
#define FUZZ_WATCHDOG 0x100 /* 2^24 work units per ring packet */

static uint32_t f32(float value)
{
	uint32_t bits;

	memcpy(&bits, &value, 4);
	return bits;
}

static uint32_t interesting_dword(struct fuzz *f)
{
	static const uint32_t values[] = {
	        0,          1,          2,          3,          4,
	        15,         16,         255,        256,        1023,
	        1024,       4096,       16383,      16384,      16385,
	        65535,      65536,      1u << 18,   1u << 20,   (1u << 20) + 1,
	        0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x40004000,
	        0x3fff3fff, 0x00010001, 0xffff0000, 0x0000ffff, 0x80000000 /* bit 63 of a PA */,
	};
	static const float floats[] = {0.0f,  -0.0f, 0.5f,     1.0f,      -1.0f, 3e9f,
	                               -3e9f, 1e38f, INFINITY, -INFINITY, NAN};

	switch (fuzz_below(f, 6)) {
	case 0:
	case 1:
		return values[fuzz_below(f, VT_COUNT(values))];
	case 2:
		return f32(floats[fuzz_below(f, VT_COUNT(floats))]);
	case 3:
		return (uint32_t)(TEST_MAPPED_VA + fuzz_below(f, TEST_MAPPED_END - TEST_MAPPED_VA));
	case 4:
		return fuzz_below(f, 64);
	default:
		return (uint32_t)fuzz_next(f);
	}
}

/* A VA for a packet: the mapped window, the aliasing range, unmapped, misaligned or beyond 39 bits. */
static uint64_t interesting_va(struct fuzz *f)
{
	switch (fuzz_below(f, 6)) {
	case 0:
	case 1:
		return TEST_MAPPED_VA + (fuzz_below(f, TEST_MAPPED_END - TEST_MAPPED_VA) & ~3u);
	case 2:
		return DEV_SCENE_ALIAS_VA + ((uint64_t)fuzz_below(f, 1u << 30) << fuzz_below(f, 9));
	case 3:
		return (uint64_t)fuzz_below(f, 1u << 30) << 8;
	case 4:
		return fuzz_next(f);
	default:
		return TEST_MAPPED_END - 4 * fuzz_below(f, 64);
	}
}

/* A PA: VRAM inside and past its end, guest RAM, MMIO (the IOAPIC, our own BARs), beyond the address width.
 */
static uint64_t interesting_pa(struct fuzz *f)
{
	static const uint64_t sysmem[] = {0x0,        0x500000,       0x7ff000,
	                                  0xfec00000, TEST_BAR0_ADDR, TEST_BAR2_ADDR,
	                                  0xfffff000, 0x100000000ull, 0xffffffffff000ull};

	switch (fuzz_below(f, 4)) {
	case 0:
		return (uint64_t)fuzz_below(f, 2 * TEST_VRAM_SIZE) & ~7ull;
	case 1:
		return VGPU_PA_SYSMEM | sysmem[fuzz_below(f, VT_COUNT(sysmem))];
	case 2:
		return TEST_VRAM_SIZE - 8 * fuzz_below(f, 16);
	default:
		return fuzz_next(f);
	}
}

struct opcode_shape {
	uint8_t opcode, length;
};

/* Every opcode of spec section 6 with its length (WRITE_DATA and NOP vary). */
static const struct opcode_shape opcodes[] = {
        {VGPU_PKT_NOP, 2},
        {VGPU_PKT_INDIRECT, 3},
        {VGPU_PKT_SET_CONTEXT, 3},
        {VGPU_PKT_FENCE, 5},
        {VGPU_PKT_MMU_INVALIDATE, 0},
        {VGPU_PKT_WRITE_DATA, 4},
        {VGPU_PKT_TIMESTAMP, 2},
        {VGPU_PKT_FILL, 7},
        {VGPU_PKT_COPY, 11},
        {VGPU_PKT_BLIT, 13},
        {VGPU_PKT_SET_RENDER_TARGETS, 22},
        {VGPU_PKT_SET_VIEWPORT, 6},
        {VGPU_PKT_SET_SCISSOR, 2},
        {VGPU_PKT_SET_RASTER, 3},
        {VGPU_PKT_SET_DEPTH_STENCIL, 5},
        {VGPU_PKT_SET_BLEND, 8},
        {VGPU_PKT_SET_SHADER, 4},
        {VGPU_PKT_SET_VERTEX_BUFFER, 5},
        {VGPU_PKT_SET_VERTEX_ATTRIB, 4},
        {VGPU_PKT_SET_UNIFORM_BUFFER, 4},
        {VGPU_PKT_SET_TEXTURE, 6},
        {VGPU_PKT_SET_SAMPLER, 5},
        {VGPU_PKT_SET_INDEX_BUFFER, 4},
        {VGPU_PKT_DRAW, 4},
        {VGPU_PKT_DRAW_INDEXED, 5},
        {VGPU_PKT_CLEAR, 7},
};

/* One packet into out (room for 1 + 32 dwords); returns its dword count. */
static unsigned random_packet(struct fuzz *f, uint32_t *out)
{
	const struct opcode_shape *shape = &opcodes[fuzz_below(f, VT_COUNT(opcodes))];
	unsigned length = shape->length;

	if (shape->opcode == VGPU_PKT_WRITE_DATA || shape->opcode == VGPU_PKT_NOP) {
		length = 2 + fuzz_below(f, 8);
	}
	for (unsigned i = 1; i <= length; i++) {
		out[i] = interesting_dword(f);
	}
	/* Address fields where the packet has them, as whole 64-bit values. */
	if (length >= 2 && fuzz_chance(f, 2)) {
		uint64_t a = shape->opcode == VGPU_PKT_FENCE || shape->opcode == VGPU_PKT_SET_CONTEXT
		                     ? interesting_pa(f)
		                     : interesting_va(f);
		unsigned at =
		        shape->opcode == VGPU_PKT_SET_CONTEXT || shape->opcode >= VGPU_PKT_SET_SHADER ? 2 : 1;

		if (at + 1 <= length) {
			out[at] = (uint32_t)a;
			out[at + 1] = (uint32_t)(a >> 32);
		}
	}
	out[0] = VGPU_PKT_HEADER(shape->opcode, length);
	switch (fuzz_below(f, 8)) {
	case 0: /* a wrong length: the CP must skip exactly this packet */
		out[0] = VGPU_PKT_HEADER(shape->opcode, fuzz_below(f, 33));
		break;
	case 1: /* any header at all */
		out[0] = (uint32_t)fuzz_next(f) & 0x0020ffffu;
		break;
	case 2: /* one flipped bit anywhere */
		out[fuzz_below(f, length + 1)] ^= 1u << fuzz_below(f, 32);
		break;
	default:
		break;
	}
	return 1 + length;
}

/*
 * The ring as the test set it up, enabled, TAIL known; after hostile register writes, set up again. The
 * budget per packet stays small (as a driver may choose): a valid but huge draw then ends in a WATCHDOG fault
 * within a fraction of a second, so a short run gets through many actions.
 */
static void ring_ready(struct fuzz *f)
{
	struct vgpu_dev *dev = &f->dev;

	if (vgpu_rd(dev, VGPU_REG_WATCHDOG) > FUZZ_WATCHDOG) {
		vgpu_wr(dev, VGPU_REG_WATCHDOG, FUZZ_WATCHDOG);
	}

	if (vgpu_rd(dev, VGPU_REG_RING_CTRL) != VGPU_RING_CTRL_ENABLE ||
	    vgpu_rd(dev, VGPU_REG_RING_BASE_LO) != (uint32_t)TEST_RING_GPA ||
	    vgpu_rd(dev, VGPU_REG_RING_BASE_HI) != (uint32_t)((TEST_RING_GPA | VGPU_PA_SYSMEM) >> 32) ||
	    vgpu_rd(dev, VGPU_REG_RING_SIZE) != TEST_RING_SIZE) {
		vgpu_wr(dev, VGPU_REG_RING_CTRL, 0);
		vgpu_ring_start(dev);
	} else {
		dev->ring_tail = vgpu_rd(dev, VGPU_REG_RING_TAIL);
	}
}

static void action_register_write(struct fuzz *f)
{
	uint32_t reg = fuzz_chance(f, 16) ? fuzz_below(f, VGPU_REGS_SIZE) & ~3u : fuzz_below(f, 0x560) & ~3u;
	uint32_t value = interesting_dword(f);

	if (reg == VGPU_REG_WATCHDOG) {
		value &= FUZZ_WATCHDOG -
		         1; /* long packets are the preemption tests' subject; keep runs short */
	}
	if (fuzz_chance(f, 16)) {
		unsigned size = 1u << fuzz_below(f, 4);

		reg += fuzz_below(f, 4);
		fuzz_note(f, "%u-byte write 0x%x at BAR0+0x%x", size, value, reg);
		switch (size) {
		case 1:
			qt_writeb(f->dev.qt, TEST_BAR0_ADDR + reg, (uint8_t)value);
			break;
		case 2:
			qt_writew(f->dev.qt, TEST_BAR0_ADDR + reg, (uint16_t)value);
			break;
		case 4:
			qt_writel(f->dev.qt, TEST_BAR0_ADDR + reg, value);
			break;
		default:
			qt_writeq(f->dev.qt, TEST_BAR0_ADDR + reg, value | (uint64_t)value << 32);
		}
		return;
	}
	fuzz_note(f, "register 0x%03x = 0x%08x", reg, value);
	vgpu_wr(&f->dev, reg, value);
}

static void action_ring_packets(struct fuzz *f)
{
	uint32_t words[8 * 33];
	unsigned count = 0, packets = 1 + fuzz_below(f, 8);

	for (unsigned p = 0; p < packets; p++) {
		count += random_packet(f, words + count);
	}
	fuzz_note(f, "ring: %u packets, %u dwords, first 0x%08x", packets, count, words[0]);
	ring_ready(f);
	vgpu_ring_set_context(&f->dev);
	vgpu_ring_submit(&f->dev, words, count);
}

static void action_indirect_buffer(struct fuzz *f)
{
	uint32_t words[32 * 33], ring[4];
	unsigned count = 0, packets = 1 + fuzz_below(f, 32);
	uint64_t va = FUZZ_DATA_VA + 4 * fuzz_below(f, (FUZZ_DATA_END - FUZZ_DATA_VA - sizeof(words)) / 4);
	uint32_t size;

	for (unsigned p = 0; p < packets; p++) {
		count += random_packet(f, words + count);
	}
	size = fuzz_chance(f, 8) ? interesting_dword(f) : count;
	fuzz_note(f, "IB at 0x%llx: %u packets, %u dwords, INDIRECT size %u", (unsigned long long)va, packets,
	          count, size);
	qt_memwrite(f->dev.qt, TEST_BAR2_ADDR + va, words, 4ull * count);
	ring[0] = VGPU_PKT_HEADER(VGPU_PKT_INDIRECT, 3);
	ring[1] = (uint32_t)va;
	ring[2] = (uint32_t)(va >> 32);
	ring[3] = size;
	ring_ready(f);
	vgpu_ring_set_context(&f->dev);
	vgpu_ring_submit(&f->dev, ring, 4);
}

/* A real draw with random texture and sampler state, often over page tables aliasing the whole VA space. */
static void action_textured_draw(struct fuzz *f)
{
	/* The largest size and the widest format weigh more: their products are where 32-bit sizes wrap. */
	static const uint32_t dims[] = {1, 2, 3, 255, 4096, 16383, 16384, 16384, 16384};
	static const uint32_t formats[] = {1, 2, 5, 8, 10, 11, 12, 12, 12, 32, 33, 34};
	static const float lods[] = {0.0f,     1.0f,      -1.0f, 14.0f, 3e9f, -3e9f /* finite above */,
	                             INFINITY, -INFINITY, NAN};
	struct dev_scene ds;
	uint32_t w = dims[fuzz_below(f, VT_COUNT(dims))], h = dims[fuzz_below(f, VT_COUNT(dims))];
	uint32_t format = formats[fuzz_below(f, VT_COUNT(formats))], levels = 1 + fuzz_below(f, 15);
	uint32_t type = fuzz_below(f, 2), flags = fuzz_below(f, 1u << 14);
	unsigned full_chain = 1;

	/* Mostly state the draw accepts, so that sampling runs: a 2D texture (the shader samples 2D) with a
	 * mip chain no longer than its own, valid wrap and filter modes, finite LOD values. */
	while (full_chain < 15 && (1u << full_chain) <= (w > h ? w : h)) {
		full_chain++;
	}
	if (!fuzz_chance(f, 4)) {
		levels = 1 + levels % full_chain;
		flags = (flags & 0xc0) | fuzz_below(f, 3) | fuzz_below(f, 3) << 2 | fuzz_below(f, 3) << 4 |
		        fuzz_below(f, 3) << 8;
		type = VGPU_TEXTURE_2D;
	}
	bool alias = fuzz_chance(f, 2);
	unsigned lod_choices = fuzz_chance(f, 4) ? VT_COUNT(lods) : 6; /* mostly finite */
	float bias = lods[fuzz_below(f, lod_choices)], min_lod = lods[fuzz_below(f, lod_choices)];
	float max_lod = lods[fuzz_below(f, lod_choices)];
	float s = (float)fuzz_below(f, 1000) / 250.0f - 2.0f, t = (float)fuzz_below(f, 1000) / 250.0f - 2.0f;

	fuzz_note(f, "draw: texture %ux%u format %u levels %u type %u%s, sampler 0x%x bias %g lod %g..%g", w,
	          h, format, levels, type, alias ? " over aliasing tables" : "", flags, bias, min_lod,
	          max_lod);
	ring_ready(f);
	vgpu_ring_set_context(&f->dev);
	if (!dev_scene_init(&ds, &f->dev, 2, 2, dev_scene_fs_tex2d)) {
		return;
	}
	uint64_t va = DEV_SCENE_ALIAS_VA;

	if (alias) {
		dev_scene_alias_everything(&ds);
	} else {
		va = dev_scene_alloc(&ds, 4096, NULL, false);
	}
	vgpu_pkt_set_texture(&ds.cb, 0, va, format, w, h, levels, type);
	vgpu_pkt_set_sampler(&ds.cb, 0, flags, bias, min_lod, max_lod);
	dev_scene_rect(&ds, s, t, t, s);
	dev_scene_submit(&ds, f->next_seq++);
}

/* Page-table entries of the test's context: valid, invalid, reserved bits, system memory, aliasing. */
static void action_page_tables(struct fuzz *f)
{
	static const uint32_t tables[] = {TEST_PT_ROOT, TEST_PT_L1, TEST_PT_L0};
	uint32_t table = tables[fuzz_below(f, VT_COUNT(tables))];
	unsigned index = fuzz_below(f, 512);
	uint64_t entry = (interesting_pa(f) & 0x000ffffffffff000ull) | fuzz_below(f, 8);

	if (fuzz_chance(f, 4)) {
		entry |= 1ull << (3 + fuzz_below(f, 61)); /* a reserved bit (or an address bit) */
	}
	if (table == TEST_PT_L0 && fuzz_chance(f, 2)) {
		index = VGPU_VA_INDEX(TEST_MAPPED_VA, 0) + fuzz_below(f, 256); /* inside the window */
	}
	fuzz_note(f, "page table 0x%x[%u] = 0x%016llx", table, index, (unsigned long long)entry);
	qt_writeq(f->dev.qt, TEST_BAR2_ADDR + table + 8 * index, entry);
	if (fuzz_chance(f, 2)) {
		vgpu_wr(&f->dev, VGPU_REG_MMU_INVALIDATE, 1);
	}
}

static void action_display(struct fuzz *f)
{
	static const uint32_t formats[] = {VGPU_FORMAT_B8G8R8X8_UNORM,
	                                   VGPU_FORMAT_B8G8R8A8_UNORM,
	                                   VGPU_FORMAT_B5G6R5_UNORM,
	                                   0,
	                                   3,
	                                   0xffffffff};
	static const uint32_t sizes[] = {1, 2, 3, 63, 64, 640, 767, 768, 1023, 1024, 2048, 16384, 16385};
	uint32_t format = formats[fuzz_below(f, VT_COUNT(formats))];
	uint32_t width = fuzz_chance(f, 4) ? interesting_dword(f) : sizes[fuzz_below(f, VT_COUNT(sizes))];
	uint32_t height = fuzz_chance(f, 4) ? interesting_dword(f) : sizes[fuzz_below(f, VT_COUNT(sizes))];
	uint32_t bpp = format == VGPU_FORMAT_B5G6R5_UNORM ? 2 : 4;
	uint32_t stride =
	        fuzz_chance(f, 4) ? interesting_dword(f) : width * bpp + 4 * fuzz_below(f, 3) * 1024;
	uint64_t pa = fuzz_chance(f, 3) ? interesting_pa(f) : (uint64_t)fuzz_below(f, 64) << 12;
	uint32_t ctrl = fuzz_chance(f, 8) ? interesting_dword(f) : fuzz_below(f, 2);
	bool dump = fuzz_chance(f, 2);

	fuzz_note(f, "display: %ux%u format %u stride %u at 0x%llx ctrl 0x%x%s", width, height, format,
	          stride, (unsigned long long)pa, ctrl, dump ? ", screendump" : "");
	vgpu_wr(&f->dev, VGPU_REG_SCANOUT_ADDR_LO, (uint32_t)pa);
	vgpu_wr(&f->dev, VGPU_REG_SCANOUT_ADDR_HI, (uint32_t)(pa >> 32));
	vgpu_wr(&f->dev, VGPU_REG_SCANOUT_FORMAT, format);
	vgpu_wr(&f->dev, VGPU_REG_SCANOUT_STRIDE, stride);
	vgpu_wr(&f->dev, VGPU_REG_SCANOUT_WIDTH, width);
	vgpu_wr(&f->dev, VGPU_REG_SCANOUT_HEIGHT, height);
	vgpu_wr(&f->dev, VGPU_REG_DISP_CTRL, ctrl);
	vgpu_wr(&f->dev, VGPU_REG_DISP_COMMIT, 1);
	if (fuzz_chance(f, 2)) {
		uint64_t cursor = interesting_pa(f);

		vgpu_wr(&f->dev, VGPU_REG_CURSOR_ADDR_LO, (uint32_t)cursor);
		vgpu_wr(&f->dev, VGPU_REG_CURSOR_ADDR_HI, (uint32_t)(cursor >> 32));
		vgpu_wr(&f->dev, VGPU_REG_CURSOR_POS, (uint32_t)fuzz_next(f));
		vgpu_wr(&f->dev, VGPU_REG_CURSOR_CTRL, fuzz_below(f, 2));
	}
	if (!f->stopped) {
		qt_clock_step(f->dev.qt, 17 * 1000 * 1000); /* a vblank latches the commit */
	}
	if (dump) {
		char cmd[256];

		/* A CPU write into VRAM between two dumps takes the dirty-tracking path on the second. */
		snprintf(cmd, sizeof(cmd),
		         "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s/fuzz.ppm\"}}",
		         qt_dir(f->dev.qt));
		free(qt_qmp(f->dev.qt, cmd));
		qt_writel(f->dev.qt, TEST_BAR2_ADDR + (fuzz_below(f, TEST_VRAM_SIZE) & ~3u),
		          (uint32_t)fuzz_next(f));
		free(qt_qmp(f->dev.qt, cmd));
	}
}

/* Reset, stop and cont at whatever moment this is, and time passing. */
static void action_lifecycle(struct fuzz *f)
{
	switch (fuzz_below(f, 5)) {
	case 0:
		fuzz_note(f, "RESET register");
		vgpu_wr(&f->dev, VGPU_REG_RESET, VGPU_RESET_MAGIC);
		break;
	case 1:
		fuzz_note(f, "QMP system_reset");
		qt_qmp_ok(f->dev.qt, "{\"execute\": \"system_reset\"}");
		vgpu_dev_open(&f->dev, f->dev.qt); /* the BARs are unassigned again */
		break;
	case 2:
		fuzz_note(f, f->stopped ? "QMP cont" : "QMP stop");
		qt_qmp_ok(f->dev.qt, f->stopped ? "{\"execute\": \"cont\"}" : "{\"execute\": \"stop\"}");
		f->stopped = !f->stopped;
		break;
	default: {
		uint64_t ns = (uint64_t)fuzz_below(f, 50) * 1000 * 1000;

		fuzz_note(f, "clock_step %llu ns", (unsigned long long)ns);
		if (!f->stopped) {
			qt_clock_step(f->dev.qt, ns);
		}
	}
	}
}

/* Raw bytes anywhere in VRAM or the ring, and a doorbell at a random position. */
static void action_memory_noise(struct fuzz *f)
{
	uint32_t words[64];
	unsigned count = 1 + fuzz_below(f, 64);
	bool ring = fuzz_chance(f, 2);
	uint64_t addr = ring ? TEST_RING_GPA + 4 * fuzz_below(f, TEST_RING_SIZE / 4 - count)
	                     : TEST_BAR2_ADDR + (fuzz_below(f, TEST_VRAM_SIZE - sizeof(words)) & ~3u);

	for (unsigned i = 0; i < count; i++) {
		words[i] = interesting_dword(f);
	}
	fuzz_note(f, "%u noise dwords at 0x%llx%s", count, (unsigned long long)addr,
	          ring ? " + doorbell" : "");
	qt_memwrite(f->dev.qt, addr, words, 4ull * count);
	if (ring) {
		vgpu_wr(&f->dev, VGPU_REG_RING_TAIL, 4 * fuzz_below(f, TEST_RING_SIZE / 4));
	}
}

void fuzz_step(struct fuzz *f)
{
	static void (*const actions[])(struct fuzz *) = {
	        action_register_write,  action_register_write,  action_ring_packets,    action_ring_packets,
	        action_indirect_buffer, action_indirect_buffer, action_indirect_buffer, action_textured_draw,
	        action_page_tables,     action_display,         action_lifecycle,       action_memory_noise,
	};

	actions[fuzz_below(f, VT_COUNT(actions))](f);
}

void fuzz_restore(struct fuzz *f)
{
	if (f->stopped) {
		qt_qmp_ok(f->dev.qt, "{\"execute\": \"cont\"}");
		f->stopped = false;
	}
	vgpu_dev_open(&f->dev, f->dev.qt);
	vgpu_wr(&f->dev, VGPU_REG_RESET, VGPU_RESET_MAGIC);
	vgpu_wr(&f->dev, VGPU_REG_FAULT_ACK, 1);
	vgpu_dev_ready_for_jobs(&f->dev);
}
