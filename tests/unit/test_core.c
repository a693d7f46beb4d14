/* SPDX-License-Identifier: MIT */
/* The device object: identity, interrupts, the register fault rules, reset, pause, state save/load. */
#include <stdlib.h>
#include <string.h>

#include "gpu_fixture.h"
#include "vgpu_test.h"

static void test_identity_registers(void)
{
	struct fixture *fx = fx_create();
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_MAGIC), VGPU_MAGIC);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_VERSION), 0x00010001);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_CAPS),
	                VGPU_CAP_2D | VGPU_CAP_3D | VGPU_CAP_DISPLAY | VGPU_CAP_CURSOR | VGPU_CAP_TIMESTAMP |
	                        VGPU_CAP_TEXTURE_SWIZZLE | VGPU_CAP_VERTEX_SCALED | VGPU_CAP_DEPTH_BIAS |
	                        VGPU_CAP_POINT_SPRITE | VGPU_CAP_FORMATS_GL_16BIT | VGPU_CAP_FORMATS_SRGB |
	                        VGPU_CAP_OCCLUSION_COUNTER);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_VRAM_SIZE_LO), (uint32_t)FX_VRAM_SIZE);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_VRAM_SIZE_HI), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_MAX_SURFACE_DIM), 16384);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_WARP_LANES), 16);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RESET), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_STATUS), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_WATCHDOG), VGPU_WATCHDOG_DEFAULT);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_REFRESH_MHZ), 60000);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_PREFERRED_WIDTH), 1024);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_PREFERRED_HEIGHT), 768);
	/* undefined offsets read 0, unaligned reads 0 */
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, 0x0ff0), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_MAGIC + 1), 0);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_scratch_reads_back_inverted(void)
{
	struct fixture *fx = fx_create();
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_SCRATCH), 0xffffffff);
	vgpu_reg_write(fx->gpu, VGPU_REG_SCRATCH, 0x12345678);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_SCRATCH), ~0x12345678u);
	vgpu_reg_write(fx->gpu, VGPU_REG_SCRATCH + 2, 0); /* unaligned: ignored */
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_SCRATCH), ~0x12345678u);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_timestamp_lo_latches_hi(void)
{
	struct fixture *fx = fx_create();
	atomic_store(&fx->clock, 0x00000005fffffff0ull);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_TIMESTAMP_LO), 0xfffffff0);
	atomic_store(&fx->clock, 0x0000000600000010ull); /* the clock moves on; HI stays latched */
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_TIMESTAMP_HI), 5);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_TIMESTAMP_LO), 0x10);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_TIMESTAMP_HI), 6);
	fx_destroy(fx);
}

static void test_interrupt_status_mask_pending_messages(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	vgpu_reg_write(gpu, VGPU_REG_INT_MASK, 0);
	vgpu_irq_take_messages(gpu);

	/* a masked event: status only, no message, INTx low */
	vgpu_vblank(gpu);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_STATUS), VGPU_INT_VBLANK);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_PENDING), 0);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 0);
	VT_CHECK(!vgpu_irq_level(gpu));

	/* unmasking an already-set bit sends a message on its vector (1 = display) */
	unsigned notified = atomic_load(&fx->irq_notifications);
	vgpu_reg_write(gpu, VGPU_REG_INT_MASK, VGPU_INT_ALL);
	VT_CHECK(atomic_load(&fx->irq_notifications) > notified);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_PENDING), VGPU_INT_VBLANK);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 1u << VGPU_MSIX_DISPLAY);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 0);
	VT_CHECK(vgpu_irq_level(gpu));

	/* an event already pending sends nothing more */
	vgpu_vblank(gpu);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 0);

	/* a fence interrupt goes to vector 0, a fault to vector 2 */
	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 1, VGPU_FENCE_FLAG_INTERRUPT);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 1u << VGPU_MSIX_CMD);
	vgpu_reg_write(gpu, 0x0ff0, 1);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 1u << VGPU_MSIX_FAULT);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_STATUS),
	                VGPU_INT_VBLANK | VGPU_INT_FENCE | VGPU_INT_FAULT);

	/* W1C: only the written bits clear; the level drops when nothing is pending */
	vgpu_reg_write(gpu, VGPU_REG_INT_STATUS, VGPU_INT_VBLANK | VGPU_INT_FENCE);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_STATUS), VGPU_INT_FAULT);
	VT_CHECK(vgpu_irq_level(gpu));
	vgpu_reg_write(gpu, VGPU_REG_INT_STATUS, VGPU_INT_FAULT);
	VT_CHECK(!vgpu_irq_level(gpu));
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_PENDING), 0);

	/* INT_MASK with undefined bits is refused */
	vgpu_reg_write(gpu, VGPU_REG_FAULT_ACK, 1);
	vgpu_reg_write(gpu, VGPU_REG_INT_MASK, 0x80000000u);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_REGISTER_VALUE), VGPU_REG_INT_MASK);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_MASK), VGPU_INT_ALL);
	fx_destroy(fx);
}

static void test_read_write_registers_read_back(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, 0);
	static const struct {
		uint32_t offset, value;
	} registers[] = {
	        {VGPU_REG_INT_MASK, VGPU_INT_FENCE | VGPU_INT_HOTPLUG},
	        {VGPU_REG_RING_BASE_LO, 0x12345000},
	        {VGPU_REG_RING_BASE_HI, 0x80000001},
	        {VGPU_REG_RING_SIZE, 0x2000},
	        {VGPU_REG_RING_HEAD_WB_LO, 0xabcdef09},
	        {VGPU_REG_RING_HEAD_WB_HI, 0x7},
	        {VGPU_REG_WATCHDOG, 0x77},
	        {VGPU_REG_DISP_CTRL, 1},
	        {VGPU_REG_SCANOUT_ADDR_LO, 0x1000},
	        {VGPU_REG_SCANOUT_ADDR_HI, 0x2},
	        {VGPU_REG_SCANOUT_FORMAT, VGPU_FORMAT_B5G6R5_UNORM},
	        {VGPU_REG_SCANOUT_STRIDE, 4096},
	        {VGPU_REG_SCANOUT_WIDTH, 1920},
	        {VGPU_REG_SCANOUT_HEIGHT, 1080},
	        {VGPU_REG_CURSOR_ADDR_LO, 0x4000},
	        {VGPU_REG_CURSOR_ADDR_HI, 0},
	        {VGPU_REG_CURSOR_POS, 0xfff00010},
	        {VGPU_REG_CURSOR_CTRL, 1},
	};
	for (size_t i = 0; i < sizeof(registers) / sizeof(registers[0]); i++)
		vgpu_reg_write(gpu, registers[i].offset, registers[i].value);
	for (size_t i = 0; i < sizeof(registers) / sizeof(registers[0]); i++)
		VT_CHECK_EQ_U64(vgpu_reg_read(gpu, registers[i].offset), registers[i].value);
	FX_EXPECT_NO_FAULT(fx);
	/* write-only registers read 0 */
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_ACK), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_MMU_INVALIDATE), 0);
	fx_destroy(fx);
}

static void test_bad_register_writes_fault(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	static const uint32_t read_only[] = {VGPU_REG_MAGIC,
	                                     VGPU_REG_STATUS,
	                                     VGPU_REG_INT_PENDING,
	                                     VGPU_REG_RING_HEAD,
	                                     VGPU_REG_FENCE_SEQ_LO,
	                                     VGPU_REG_FAULT_TYPE,
	                                     VGPU_REG_VBLANK_COUNT,
	                                     VGPU_REG_DISP_STATUS,
	                                     0x0ff0,
	                                     0xfffc};
	for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
		vgpu_reg_write(gpu, read_only[i], 0x1234);
		VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_REGISTER), read_only[i]);
		VT_CHECK_EQ_U64(VGPU_FAULT_INFO_ENGINE(vgpu_reg_read(gpu, VGPU_REG_FAULT_INFO)),
		                VGPU_ENGINE_REGS);
	}
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_MAGIC), VGPU_MAGIC);

	struct {
		uint32_t offset, value;
	} forbidden[] = {
	        {VGPU_REG_RESET, 1},
	        {VGPU_REG_WATCHDOG, 0},
	        {VGPU_REG_RING_TAIL, 2},
	        {VGPU_REG_RING_TAIL, FX_RING_SIZE},
	        {VGPU_REG_RING_BASE_LO, 0x1000}, /* while enabled */
	        {VGPU_REG_RING_SIZE, 8192},
	        {VGPU_REG_RING_HEAD_WB_HI, 0},
	        {VGPU_REG_RING_CTRL, 3},
	        {VGPU_REG_DISP_COMMIT, 2},
	        {VGPU_REG_CURSOR_CTRL, 2},
	};
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		vgpu_reg_write(gpu, forbidden[i].offset, forbidden[i].value);
		VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_REGISTER_VALUE), forbidden[i].offset);
	}
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_WATCHDOG), VGPU_WATCHDOG_DEFAULT);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_RING_SIZE), FX_RING_SIZE);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_RING_BASE_LO), FX_RING_PA);
	FX_CHECK_ALIVE(fx, 7);
	fx_destroy(fx);
}

static void test_fault_record_overflow_and_count(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	vgpu_reg_write(gpu, VGPU_REG_MAGIC, 0);
	vgpu_reg_write(gpu, VGPU_REG_WATCHDOG, 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_STATUS),
	                VGPU_FAULT_STATUS_VALID | VGPU_FAULT_STATUS_OVERFLOW);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_TYPE), VGPU_FAULT_BAD_REGISTER); /* the first one */
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_ADDR_LO), VGPU_REG_MAGIC);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_COUNT), 2);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_IB_POS), 0xffffffff);
	vgpu_reg_write(gpu, VGPU_REG_FAULT_ACK, 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_STATUS), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_COUNT), 2);
	vgpu_reg_write(gpu, VGPU_REG_WATCHDOG, 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_TYPE), VGPU_FAULT_BAD_REGISTER_VALUE);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_FAULT_COUNT), 3);
	fx_destroy(fx);
}

static void test_ring_enable_validates_config(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, 0);
	static const struct {
		uint64_t base;
		uint32_t size;
	} bad[] = {{0x800, 4096},
	           {0, 2048},
	           {0, 3 << 12},
	           {0, 2u << 20},
	           {FX_VRAM_SIZE - 4096, 8192},
	           {VGPU_PA_SYSMEM | (1ull << 52), 4096}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vgpu_reg_write(gpu, VGPU_REG_RING_BASE_LO, (uint32_t)bad[i].base);
		vgpu_reg_write(gpu, VGPU_REG_RING_BASE_HI, (uint32_t)(bad[i].base >> 32));
		vgpu_reg_write(gpu, VGPU_REG_RING_SIZE, bad[i].size);
		FX_EXPECT_NO_FAULT(fx);
		vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
		VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_REGISTER_VALUE), VGPU_REG_RING_CTRL);
		VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_RING_CTRL), 0);
	}
	vgpu_reg_write(gpu, VGPU_REG_RING_BASE_LO, 0);
	vgpu_reg_write(gpu, VGPU_REG_RING_BASE_HI, 0);
	vgpu_reg_write(gpu, VGPU_REG_RING_SIZE, FX_RING_SIZE);
	vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	FX_EXPECT_NO_FAULT(fx);
	fx->tail = 0;
	FX_CHECK_ALIVE(fx, 3);
	fx_destroy(fx);
}

static void test_reset_restores_every_register(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	fx_emit_context(fx, &cb, 5);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 99, VGPU_FENCE_FLAG_INTERRUPT);
	fx_submit(fx, &cb);
	vgpu_reg_write(gpu, VGPU_REG_SCRATCH, 1);
	vgpu_reg_write(gpu, VGPU_REG_WATCHDOG, 5);
	vgpu_reg_write(gpu, VGPU_REG_DISP_CTRL, 1);
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_POS, 0x00100010);
	vgpu_reg_write(gpu, 0x0ff0, 1); /* a fault */
	vgpu_vblank(gpu);
	fx->vram[FX_DATA_PA] = 0xab;

	vgpu_reset(gpu);
	static const uint32_t zero_after_reset[] = {
	        VGPU_REG_STATUS,          VGPU_REG_INT_STATUS,   VGPU_REG_INT_MASK,     VGPU_REG_RING_BASE_LO,
	        VGPU_REG_RING_SIZE,       VGPU_REG_RING_HEAD,    VGPU_REG_RING_TAIL,    VGPU_REG_RING_CTRL,
	        VGPU_REG_RING_HEAD_WB_LO, VGPU_REG_FENCE_SEQ_LO, VGPU_REG_CONTEXT_ASID, VGPU_REG_FAULT_STATUS,
	        VGPU_REG_FAULT_COUNT,     VGPU_REG_DISP_CTRL,    VGPU_REG_VBLANK_COUNT, VGPU_REG_DISP_STATUS,
	        VGPU_REG_CURSOR_CTRL,     VGPU_REG_CURSOR_POS,
	};
	for (size_t i = 0; i < sizeof(zero_after_reset) / sizeof(zero_after_reset[0]); i++)
		VT_CHECK_EQ_U64(vgpu_reg_read(gpu, zero_after_reset[i]), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_SCRATCH), 0xffffffff);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_WATCHDOG), VGPU_WATCHDOG_DEFAULT);
	VT_CHECK(!vgpu_irq_level(gpu));
	VT_CHECK_EQ_U64(fx->vram[FX_DATA_PA], 0xab); /* VRAM is kept */
	/* the RESET register with a wrong value is refused and resets nothing */
	vgpu_reg_write(gpu, VGPU_REG_SCRATCH, 1);
	vgpu_reg_write(gpu, VGPU_REG_RESET, 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_SCRATCH), ~1u);
	fx_destroy(fx);
}

static void test_pause_holds_work_until_resume(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 42, 0);
	vgpu_pause(fx->gpu);
	vgpu_pause(fx->gpu); /* nests */
	fx_submit_nowait(fx, &cb);
	VT_CHECK(!vgpu_wait_idle(fx->gpu, 50));
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_STATUS) & VGPU_STATUS_CP_BUSY, VGPU_STATUS_CP_BUSY);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 0);
	vgpu_resume(fx->gpu);
	VT_CHECK(!vgpu_wait_idle(fx->gpu, 50));
	vgpu_resume(fx->gpu);
	fx_wait(fx);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 42);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_STATUS), 0);
	fx_destroy(fx);
}

static void test_state_save_load_round_trip(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	fx_emit_context(fx, &cb, 9);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 0x1122334455ull, VGPU_FENCE_FLAG_INTERRUPT);
	fx_submit(fx, &cb);
	vgpu_reg_write(gpu, VGPU_REG_SCRATCH, 0x55);
	vgpu_reg_write(gpu, VGPU_REG_DISP_CTRL, 1);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_FORMAT, VGPU_FORMAT_B8G8R8X8_UNORM);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_ADDR_LO, FX_DATA_PA);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_STRIDE, 256);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_WIDTH, 64);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_HEIGHT, 32);
	vgpu_reg_write(gpu, VGPU_REG_DISP_COMMIT, 1);
	vgpu_vblank(gpu);
	vgpu_reg_write(gpu, 0x0ff0, 1);

	size_t size = vgpu_state_size(gpu);
	uint8_t *blob = malloc(size);
	VT_CHECK_EQ_INT(vgpu_state_save(gpu, blob, size), -1); /* needs a paused GPU */
	vgpu_pause(gpu);
	VT_CHECK_EQ_INT(vgpu_state_save(gpu, blob, size), 0);
	VT_CHECK_EQ_INT(vgpu_state_save(gpu, blob, size - 1), -1);
	vgpu_resume(gpu);

	static const uint32_t saved_regs[] = {
	        VGPU_REG_SCRATCH,         VGPU_REG_INT_STATUS,   VGPU_REG_INT_MASK,
	        VGPU_REG_RING_SIZE,       VGPU_REG_RING_HEAD,    VGPU_REG_RING_CTRL,
	        VGPU_REG_RING_HEAD_WB_LO, VGPU_REG_FENCE_SEQ_LO, VGPU_REG_FENCE_SEQ_HI,
	        VGPU_REG_CONTEXT_ASID,    VGPU_REG_FAULT_STATUS, VGPU_REG_FAULT_TYPE,
	        VGPU_REG_FAULT_ADDR_LO,   VGPU_REG_FAULT_COUNT,  VGPU_REG_DISP_STATUS,
	        VGPU_REG_SCANOUT_WIDTH,   VGPU_REG_VBLANK_COUNT,
	};
	uint32_t before[sizeof(saved_regs) / sizeof(saved_regs[0])];
	for (size_t i = 0; i < sizeof(saved_regs) / sizeof(saved_regs[0]); i++)
		before[i] = vgpu_reg_read(gpu, saved_regs[i]);

	/* Into a second GPU over the same VRAM: everything comes back, and it keeps working. */
	struct fixture *fx2 = fx_create();
	char error[200];
	VT_CHECK_EQ_INT(vgpu_state_load(fx2->gpu, blob, size, error, sizeof(error)), 0);
	for (size_t i = 0; i < sizeof(saved_regs) / sizeof(saved_regs[0]); i++)
		VT_CHECK_EQ_U64(vgpu_reg_read(fx2->gpu, saved_regs[i]), before[i]);
	VT_CHECK(vgpu_irq_level(fx2->gpu));

	/* Corrupt blobs: refused with a message, the GPU left reset. */
	VT_CHECK_EQ_INT(vgpu_state_load(fx2->gpu, blob, size - 1, error, sizeof(error)), -1);
	VT_CHECK(strstr(error, "vgpu_state_load") != NULL);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx2->gpu, VGPU_REG_RING_CTRL), 0);
	uint8_t *bad = malloc(size);
	for (size_t byte = 0; byte < size; byte++) {
		memcpy(bad, blob, size);
		bad[byte] ^= 0xff;
		/* Whatever a flipped byte does, the load either fails cleanly or yields a device that works.
		 */
		if (vgpu_state_load(fx2->gpu, bad, size, error, sizeof(error)) == 0) {
			vgpu_reg_write(fx2->gpu, VGPU_REG_SCRATCH, 3);
			VT_CHECK_EQ_U64(vgpu_reg_read(fx2->gpu, VGPU_REG_SCRATCH), ~3u);
		}
	}
	free(bad);
	free(blob);
	fx_destroy(fx2);
	fx_destroy(fx);
}

static void test_create_rejects_bad_config(void)
{
	char error[200] = "";
	uint8_t vram[16];
	struct vgpu_config config = {.vram = vram, .vram_size = 3 << 20};
	VT_CHECK(vgpu_create(&config, error, sizeof(error)) == NULL);
	VT_CHECK(strstr(error, "vgpu_create") != NULL);
}

static const struct vt_case cases[] = {
        VT_CASE(test_identity_registers),
        VT_CASE(test_scratch_reads_back_inverted),
        VT_CASE(test_timestamp_lo_latches_hi),
        VT_CASE(test_interrupt_status_mask_pending_messages),
        VT_CASE(test_read_write_registers_read_back),
        VT_CASE(test_bad_register_writes_fault),
        VT_CASE(test_fault_record_overflow_and_count),
        VT_CASE(test_ring_enable_validates_config),
        VT_CASE(test_reset_restores_every_register),
        VT_CASE(test_pause_holds_work_until_resume),
        VT_CASE(test_state_save_load_round_trip),
        VT_CASE(test_create_rejects_bad_config),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
