/* SPDX-License-Identifier: MIT */
/* The command processor: the ring, every CP packet, indirect buffers, the watchdog and malformed streams. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_fixture.h"
#include "vgpu_test.h"

#define IB_VA   0x10000000ull
#define DATA_VA 0x20000000ull
#define IB_PA   (FX_DATA_PA + 0x100000)
#define DATA_PA (FX_DATA_PA + 0x200000)

/* A fixture with context 1 current: IB_VA maps 128 pages at IB_PA (read-only), DATA_VA 16 pages at DATA_PA.
 */
static struct fixture *fx_with_context(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	fx_map(fx, IB_VA, IB_PA, 128, false);
	fx_map(fx, DATA_VA, DATA_PA, 16, true);
	fx_emit_context(fx, &cb, 1);
	fx_submit(fx, &cb);
	FX_EXPECT_NO_FAULT(fx);
	return fx;
}

/* Copy a command buffer into the IB area and return its size in dwords. */
static uint32_t put_ib(struct fixture *fx, const struct vgpu_cmdbuf *ib)
{
	for (uint32_t i = 0; i < ib->count; i++)
		memcpy(fx_ptr(fx, IB_PA + 4 * i), &ib->dw[i], 4);
	return ib->count;
}

static void submit_ib(struct fixture *fx, const struct vgpu_cmdbuf *ib)
{
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	vgpu_pkt_indirect(&cb, IB_VA, put_ib(fx, ib));
	fx_submit(fx, &cb);
}

static void test_fence_writes_seq_and_interrupts(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	vgpu_irq_take_messages(fx->gpu);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 0x0123456789abcdefull, 0);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 0x0123456789abcdefull);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_LO), 0x89abcdef);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_HI), 0x01234567);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_INT_STATUS), 0);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(fx->gpu), 0);

	cb.count = 0;
	vgpu_pkt_fence(&cb, FX_SYSMEM_PA(0x80), 2, VGPU_FENCE_FLAG_INTERRUPT);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_SYSMEM_PA(0x80)), 2);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_INT_STATUS), VGPU_INT_FENCE);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(fx->gpu), 1u << VGPU_MSIX_CMD);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_fence_rejects_bad_fields(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);

	vgpu_pkt_fence(&cb, FX_FENCE_PA, 5, 2);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_PACKET_FIELD), 4);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_LO), 0);

	cb.count = 0;
	vgpu_pkt_fence(&cb, FX_FENCE_PA + 4, 5, 0);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_ADDRESS), FX_FENCE_PA + 4);

	cb.count = 0;
	vgpu_pkt_fence(&cb, FX_VRAM_SIZE, 5, 0);
	fx_submit(fx, &cb);
	FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_ADDRESS);

	cb.count = 0;
	vgpu_pkt_fence(&cb, VGPU_PA_SYSMEM | 0x8, 5,
	               0); /* outside the fake system memory: the host refuses */
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_DMA_ERROR), VGPU_PA_SYSMEM | 0x8);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_INFO) & 0xff, VGPU_PKT_FENCE);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_LO), 0);
	FX_CHECK_ALIVE(fx, 6);
	fx_destroy(fx);
}

static void test_ring_head_tail_and_write_back(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	vgpu_pkt_nop(&cb, 3);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 1, 0);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD), 4 * 10);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_TAIL), 4 * 10);
	VT_CHECK_EQ_U64(fx_read32(fx, FX_HEAD_WB_PA), 4 * 10);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_STATUS), 0);
	fx_destroy(fx);
}

static void test_ring_wraps_inside_a_packet(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	/* Pad so that the next FENCE starts 8 bytes before the end of the ring. */
	uint32_t pad_dwords = (FX_RING_SIZE - 8) / 4 - 1;
	uint32_t header = VGPU_PKT_HEADER(VGPU_PKT_NOP, pad_dwords);
	memcpy(fx->vram + FX_RING_PA, &header, 4);
	fx->tail = FX_RING_SIZE - 8;
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_TAIL, fx->tail);
	fx_wait(fx);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 77, 0);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 77);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD), 16);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_partial_packet_waits_for_its_tail(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 5, 0);
	memcpy(fx->vram + FX_RING_PA, words, 4 * cb.count);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_TAIL, 12); /* header + 2 of 5 payload dwords */
	fx_wait(fx);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD), 0);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_STATUS), VGPU_STATUS_CP_BUSY);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_TAIL, 24);
	fx_wait(fx);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 5);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD), 24);
	fx_destroy(fx);
}

static void test_packet_longer_than_ring_discards_to_tail(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	uint32_t header = VGPU_PKT_HEADER(VGPU_PKT_NOP, 0xffff);
	vgpu_pkt_raw(&cb, header, NULL, 0);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 5, 0); /* discarded with it */
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_PACKET_LENGTH), header);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD),
	                vgpu_reg_read(fx->gpu, VGPU_REG_RING_TAIL));
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 0);
	FX_CHECK_ALIVE(fx, 6);
	fx_destroy(fx);
}

static void test_malformed_ring_packets_are_skipped(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[64];
	static const uint32_t zeros[8];
	struct {
		uint32_t header;
		uint32_t type;
		uint64_t addr;
	} cases[] = {
	        {VGPU_PKT_HEADER(0x7f, 2), VGPU_FAULT_BAD_OPCODE, VGPU_PKT_HEADER(0x7f, 2)},
	        {VGPU_PKT_HEADER(VGPU_PKT_FENCE, 4), VGPU_FAULT_BAD_PACKET_LENGTH,
	         VGPU_PKT_HEADER(VGPU_PKT_FENCE, 4)},
	        {VGPU_PKT_HEADER(VGPU_PKT_WRITE_DATA, 2), VGPU_FAULT_BAD_PACKET_LENGTH,
	         VGPU_PKT_HEADER(VGPU_PKT_WRITE_DATA, 2)},
	        {VGPU_PKT_HEADER(VGPU_PKT_NOP, 1) | 0x100, VGPU_FAULT_BAD_PACKET_FIELD, 0xffffffff},
	        {VGPU_PKT_HEADER(VGPU_PKT_SET_CONTEXT, 3), VGPU_FAULT_BAD_PACKET_FIELD, 0}, /* asid 0 */
	        {VGPU_PKT_HEADER(VGPU_PKT_INDIRECT, 3), VGPU_FAULT_BAD_PACKET_FIELD, 2},    /* size 0 */
	        {VGPU_PKT_HEADER(VGPU_PKT_TIMESTAMP, 2), VGPU_FAULT_NO_CONTEXT, 0},
	        {VGPU_PKT_HEADER(VGPU_PKT_DRAW, 4), VGPU_FAULT_BAD_PACKET_FIELD, 3}, /* instance count 0 */
	        {VGPU_PKT_HEADER(VGPU_PKT_DRAW, 3), VGPU_FAULT_BAD_PACKET_LENGTH,
	         VGPU_PKT_HEADER(VGPU_PKT_DRAW, 3)},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 64);
		uint32_t ring_pos = fx->tail;
		vgpu_pkt_raw(&cb, cases[i].header, zeros, VGPU_PKT_LENGTH(cases[i].header));
		vgpu_pkt_fence(&cb, FX_FENCE_PA, 100 + i, 0);
		fx_submit(fx, &cb);
		VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, cases[i].type), cases[i].addr);
		VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_RING_POS), ring_pos);
		VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_IB_POS), 0xffffffff);
		VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_INFO) & 0xff,
		                VGPU_PKT_OPCODE(cases[i].header));
		/* the packet after the bad one ran */
		VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 100 + i);
	}
	fx_destroy(fx);
}

static void test_set_context_validates(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	vgpu_pkt_set_context(&cb, 70000, fx->root);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_PACKET_FIELD), 0);
	cb.count = 0;
	vgpu_pkt_set_context(&cb, 3, fx->root + 8);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_PACKET_FIELD), 1);
	cb.count = 0;
	vgpu_pkt_set_context(&cb, 3, FX_VRAM_SIZE);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_ADDRESS), FX_VRAM_SIZE);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_CONTEXT_ASID), 0);
	cb.count = 0;
	vgpu_pkt_set_context(&cb, 65535, fx->root);
	fx_submit(fx, &cb);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_CONTEXT_ASID), 65535);
	fx_destroy(fx);
}

static void test_write_data_and_timestamp(void)
{
	struct fixture *fx = fx_with_context();
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	static const uint32_t data[3] = {0x11111111, 0x22222222, 0x33333333};
	atomic_store(&fx->clock, 0x123456789ull);
	vgpu_pkt_write_data(&cb, DATA_VA + 0xffc, data, 3); /* crosses a page */
	vgpu_pkt_timestamp(&cb, DATA_VA + 0x100);
	fx_submit(fx, &cb);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0xffc), 0x11111111);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x1000), 0x22222222);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x1004), 0x33333333);
	VT_CHECK_EQ_U64(fx_read64(fx, DATA_PA + 0x100), 0x123456789ull);

	cb.count = 0;
	vgpu_pkt_write_data(&cb, DATA_VA + 2, data, 1);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_ADDRESS), DATA_VA + 2);
	cb.count = 0;
	vgpu_pkt_timestamp(&cb, DATA_VA + 4);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_ADDRESS), DATA_VA + 4);
	cb.count = 0;
	vgpu_pkt_write_data(&cb, IB_VA, data, 1); /* read-only page */
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_READ_ONLY), IB_VA);
	VT_CHECK(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_INFO) & VGPU_FAULT_INFO_WRITE);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_ASID), 1);
	fx_destroy(fx);
}

static void test_indirect_buffer_runs_its_packets(void)
{
	struct fixture *fx = fx_with_context();
	uint32_t ib_words[64];
	struct vgpu_cmdbuf ib = VGPU_CMDBUF_INIT(ib_words, 64);
	uint32_t value = 0xcafe;
	vgpu_pkt_write_data(&ib, DATA_VA, &value, 1);
	vgpu_pkt_nop(&ib, 2);
	value = 0xf00d;
	vgpu_pkt_write_data(&ib, DATA_VA + 4, &value, 1);
	submit_ib(fx, &ib);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA), 0xcafe);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 4), 0xf00d);
	fx_destroy(fx);
}

/* A bad packet inside an IB: recorded with both positions, the rest of the IB abandoned, the ring goes on. */
static void check_ib_fault(struct fixture *fx, const struct vgpu_cmdbuf *ib, uint32_t type, uint32_t ib_pos)
{
	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	uint32_t ring_pos = fx->tail;
	static uint64_t seq = 1000;
	memset(fx_ptr(fx, DATA_PA), 0, 16);
	vgpu_pkt_indirect(&cb, IB_VA, put_ib(fx, ib));
	vgpu_pkt_fence(&cb, FX_FENCE_PA, ++seq, 0);
	fx_submit(fx, &cb);
	FX_EXPECT_FAULT(fx, type);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_RING_POS), ring_pos);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_IB_POS), ib_pos);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA), 1);     /* the packet before ran */
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 4), 0); /* the packet after did not */
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), seq);
}

static void test_indirect_buffer_faults(void)
{
	struct fixture *fx = fx_with_context();
	uint32_t ib_words[64];
	uint32_t one = 1, two = 2;
	uint32_t bad_packets[][4] = {
	        {VGPU_PKT_HEADER(VGPU_PKT_FENCE, 5)},
	        {VGPU_PKT_HEADER(VGPU_PKT_SET_CONTEXT, 3)},
	        {VGPU_PKT_HEADER(VGPU_PKT_INDIRECT, 3)},
	        {VGPU_PKT_HEADER(VGPU_PKT_MMU_INVALIDATE, 0)},
	        {VGPU_PKT_HEADER(0x99, 0)},
	        {VGPU_PKT_HEADER(VGPU_PKT_CLEAR, 6)}, /* the CP checks every engine's packet lengths */
	        {VGPU_PKT_HEADER(VGPU_PKT_FILL, 8)},
	};
	uint32_t types[] = {VGPU_FAULT_PRIVILEGED_PACKET, VGPU_FAULT_PRIVILEGED_PACKET,
	                    VGPU_FAULT_PRIVILEGED_PACKET, VGPU_FAULT_PRIVILEGED_PACKET,
	                    VGPU_FAULT_BAD_OPCODE,        VGPU_FAULT_BAD_PACKET_LENGTH,
	                    VGPU_FAULT_BAD_PACKET_LENGTH};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		static const uint32_t zeros[8];
		struct vgpu_cmdbuf ib = VGPU_CMDBUF_INIT(ib_words, 64);
		vgpu_pkt_write_data(&ib, DATA_VA, &one, 1);
		vgpu_pkt_raw(&ib, bad_packets[i][0], zeros, VGPU_PKT_LENGTH(bad_packets[i][0]));
		vgpu_pkt_write_data(&ib, DATA_VA + 4, &two, 1);
		check_ib_fault(fx, &ib, types[i], 4);
	}

	/* A packet that runs past the IB's end. */
	struct vgpu_cmdbuf ib = VGPU_CMDBUF_INIT(ib_words, 64);
	vgpu_pkt_write_data(&ib, DATA_VA, &one, 1);
	vgpu_pkt_raw(&ib, VGPU_PKT_HEADER(VGPU_PKT_NOP, 10), NULL, 0);
	check_ib_fault(fx, &ib, VGPU_FAULT_IB_OVERRUN, 4);

	/* An IB whose second page is unmapped: the packets on the first page run. */
	ib = (struct vgpu_cmdbuf)VGPU_CMDBUF_INIT(ib_words, 64);
	fx_set_pte(fx, IB_VA + 0x1000, 0);
	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	vgpu_pkt_write_data(&ib, DATA_VA, &one, 1);
	put_ib(fx, &ib);
	uint32_t pad = VGPU_PKT_HEADER(VGPU_PKT_NOP, 1024 - 4 - 1);
	memcpy(fx_ptr(fx, IB_PA + 16), &pad, 4);
	memset(fx_ptr(fx, DATA_PA), 0, 8);
	vgpu_pkt_indirect(&cb, IB_VA, 2048);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_NOT_MAPPED), IB_VA + 0x1000);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_IB_POS), 1024);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA), 1);

	/* IB address checks */
	cb.count = 0;
	vgpu_pkt_indirect(&cb, IB_VA + 2, 4);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_PACKET_FIELD), 0);
	cb.count = 0;
	vgpu_pkt_indirect(&cb, IB_VA, VGPU_IB_MAX_DWORDS + 1);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_PACKET_FIELD), 2);
	cb.count = 0;
	vgpu_pkt_indirect(&cb, 1ull << 39, 4);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_ADDRESS), 1ull << 39);
	FX_CHECK_ALIVE(fx, 9);
	fx_destroy(fx);
}

static void test_watchdog_bounds_an_indirect_buffer(void)
{
	struct fixture *fx = fx_with_context();
	/* A budget of 65536 units; an IB of NOPs costs one unit each. */
	vgpu_reg_write(fx->gpu, VGPU_REG_WATCHDOG, 1);
	uint32_t *ib_words = calloc(70000, 4);
	struct vgpu_cmdbuf ib = VGPU_CMDBUF_INIT(ib_words, 70000);
	for (int i = 0; i < 65534; i++)
		vgpu_pkt_nop(&ib, 0);
	uint32_t one = 1;
	vgpu_pkt_write_data(&ib, DATA_VA, &one, 1);     /* unit 65536 (the INDIRECT was the first) */
	vgpu_pkt_write_data(&ib, DATA_VA + 4, &one, 1); /* over budget */
	memset(fx_ptr(fx, DATA_PA), 0, 8);
	submit_ib(fx, &ib);
	FX_EXPECT_FAULT(fx, VGPU_FAULT_WATCHDOG);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_IB_POS), 65534 + 4);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA), 1);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 4), 0);
	/* The next ring packet has a fresh budget. */
	submit_ib(fx, &(struct vgpu_cmdbuf){.dw = ib_words, .count = 65534 + 4, .capacity = 70000});
	FX_EXPECT_NO_FAULT(fx);
	free(ib_words);
	FX_CHECK_ALIVE(fx, 10);
	fx_destroy(fx);
}

static void test_ring_in_system_memory_and_unreachable_ring(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, 0);
	vgpu_reg_write(gpu, VGPU_REG_RING_BASE_LO, (uint32_t)(FX_SYSMEM_BUS));
	vgpu_reg_write(gpu, VGPU_REG_RING_BASE_HI, (uint32_t)(VGPU_PA_SYSMEM >> 32));
	vgpu_reg_write(gpu, VGPU_REG_RING_SIZE, 4096);
	vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	FX_EXPECT_NO_FAULT(fx);
	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 31, 0);
	memcpy(fx->sysmem, words, 4 * cb.count);
	vgpu_reg_write(gpu, VGPU_REG_RING_TAIL, 4 * cb.count);
	fx_wait(fx);
	VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), 31);

	atomic_store(&fx->refuse_dma, true);
	vgpu_reg_write(gpu, VGPU_REG_RING_TAIL, 8 * cb.count);
	fx_wait(fx);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_DMA_ERROR), VGPU_PA_SYSMEM | (FX_SYSMEM_BUS + 24));
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_RING_HEAD), 8 * cb.count);
	atomic_store(&fx->refuse_dma, false);
	fx_destroy(fx);
}

static void test_disable_and_reenable_ring(void)
{
	struct fixture *fx = fx_create();
	FX_CHECK_ALIVE(fx, 1);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_CTRL, 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_CTRL), 0);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_TAIL), 0);
	fx->tail = 0;
	FX_CHECK_ALIVE(fx, 2);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

/* A reset does not wait out a watchdog budget the guest set to hours: the packet in execution is cut short.
 */
static void test_reset_cuts_a_long_packet_short(void)
{
	struct fixture *fx = fx_with_context();
	const uint64_t big_ib_va = 0x30000000ull, big_ib_pa = FX_DATA_PA + 0x400000;
	const uint32_t blits =
	        20000; /* 3e8 converted pixels: seconds of work; the IB fits the 2 MiB mapped */
	fx_map(fx, big_ib_va, big_ib_pa, 512, false);
	vgpu_reg_write(fx->gpu, VGPU_REG_WATCHDOG, 0xffffffff);
	struct vgpu_pkt_surface src = {DATA_VA, 512, VGPU_FORMAT_R8G8B8A8_UNORM};
	struct vgpu_pkt_surface dst = {DATA_VA + 0x8000, 256, VGPU_FORMAT_B5G6R5_UNORM};
	memset(fx_ptr(fx, DATA_PA), 0x40, 0x8000); /* converts to 0x4208, not the destination's 0xffff */
	memset(fx_ptr(fx, DATA_PA + 0x8000), 0xff, 0x8000);
	uint32_t *ib_words = calloc(blits * 14 + 8, 4);
	struct vgpu_cmdbuf ib = VGPU_CMDBUF_INIT(ib_words, blits * 14 + 8);
	for (uint32_t i = 0; i < blits; i++)
		vgpu_pkt_blit(&ib, &src, 0, 0, 128, 64, &dst, 0, 0, 128, 128);
	uint32_t marker = 0x600d;
	vgpu_pkt_write_data(&ib, DATA_VA + 0x100, &marker, 1);
	memcpy(fx_ptr(fx, big_ib_pa), ib_words, 4 * ib.count);
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	vgpu_pkt_indirect(&cb, big_ib_va, ib.count);
	fx_submit_nowait(fx, &cb);
	/* Once the first blit's pixels appear, the CP is inside the INDIRECT. */
	while (fx_read32(fx, DATA_PA + 0x8000) == 0xffffffff)
		sched_yield();
	vgpu_reset(fx->gpu);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_CTRL), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_STATUS), 0);
	VT_CHECK(fx_read32(fx, DATA_PA + 0x100) != marker); /* the IB's last packet never ran */
	free(ib_words);
	fx_destroy(fx);
}

/* The embedder keeps using the register interface, vblanks and the display while the CP works on a long
 * packet (under -fsanitize=thread this is the data-race check of the whole device object). */
static void test_registers_stay_live_during_long_work(void)
{
	struct fixture *fx = fx_with_context();
	uint32_t words[64];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 64);
	struct vgpu_pkt_surface data = {DATA_VA, 4096, VGPU_FORMAT_B8G8R8A8_UNORM};
	vgpu_reg_write(fx->gpu, VGPU_REG_SCANOUT_ADDR_LO, (uint32_t)DATA_PA);
	vgpu_reg_write(fx->gpu, VGPU_REG_SCANOUT_FORMAT, VGPU_FORMAT_B8G8R8A8_UNORM);
	vgpu_reg_write(fx->gpu, VGPU_REG_SCANOUT_STRIDE, 4096);
	vgpu_reg_write(fx->gpu, VGPU_REG_SCANOUT_WIDTH, 1024);
	vgpu_reg_write(fx->gpu, VGPU_REG_SCANOUT_HEIGHT, 16);
	vgpu_reg_write(fx->gpu, VGPU_REG_DISP_CTRL, 1);
	vgpu_reg_write(fx->gpu, VGPU_REG_DISP_COMMIT, 1);
	for (int round = 0; round < 20; round++) {
		cb.count = 0;
		for (int i = 0; i < 6; i++)
			vgpu_pkt_fill(&cb, &data, 0, 0, 1024, 16, (uint32_t)(round * 6 + i));
		vgpu_pkt_fence(&cb, FX_FENCE_PA, (uint64_t)round + 1, VGPU_FENCE_FLAG_INTERRUPT);
		fx_submit_nowait(fx, &cb);
		for (int i = 0; i < 50; i++) {
			vgpu_reg_read(fx->gpu, VGPU_REG_STATUS);
			vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_LO);
			vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD);
			vgpu_reg_write(fx->gpu, VGPU_REG_SCRATCH, (uint32_t)i);
			vgpu_reg_write(fx->gpu, VGPU_REG_INT_STATUS, VGPU_INT_ALL);
			vgpu_irq_take_messages(fx->gpu);
			vgpu_vblank(fx->gpu);
			struct vgpu_frame frame;
			vgpu_display_acquire(fx->gpu, &frame);
			vgpu_display_release(fx->gpu);
		}
		fx_wait(fx);
		VT_CHECK_EQ_U64(fx_read64(fx, FX_FENCE_PA), (uint64_t)round + 1);
	}
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 4096 * 15 + 4092), 20 * 6 - 1);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static const struct vt_case cases[] = {
        VT_CASE(test_reset_cuts_a_long_packet_short),
        VT_CASE(test_registers_stay_live_during_long_work),
        VT_CASE(test_fence_writes_seq_and_interrupts),
        VT_CASE(test_fence_rejects_bad_fields),
        VT_CASE(test_ring_head_tail_and_write_back),
        VT_CASE(test_ring_wraps_inside_a_packet),
        VT_CASE(test_partial_packet_waits_for_its_tail),
        VT_CASE(test_packet_longer_than_ring_discards_to_tail),
        VT_CASE(test_malformed_ring_packets_are_skipped),
        VT_CASE(test_set_context_validates),
        VT_CASE(test_write_data_and_timestamp),
        VT_CASE(test_indirect_buffer_runs_its_packets),
        VT_CASE(test_indirect_buffer_faults),
        VT_CASE(test_watchdog_bounds_an_indirect_buffer),
        VT_CASE(test_ring_in_system_memory_and_unreachable_ring),
        VT_CASE(test_disable_and_reenable_ring),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
