/* SPDX-License-Identifier: MIT */
/* Preemption through the real QEMU (issue 18, items 5, 6, 7; hw-spec 3.3 and 12): while the GPU runs a packet
 * that would take hours at the largest watchdog, QMP answers, `stop`/`cont` and a snapshot save and load
 * complete, and RESET and a ring disable return. Before the fix each of these blocked QEMU's main loop (a
 * vCPU in an MMIO write, or the stop handler) until the packet ended; the suite's timeout catches a
 * regression.
 *
 * The hostile packet: one INDIRECT of FILL_COUNT FILLs of 16384 x 16384 texels of 16 bytes over page tables
 * that map every VA from 8 GiB up onto one VRAM page (ALIAS_PAGE); FILL i writes i + 1 there, so reading that
 * page tells which FILL runs. Nothing is timed. */
#include "qtest_client.h"
#include "vgpu/vgpu_hw.h"
#include "vgpu/vgpu_pkt.h"
#include "vgpu_pci_dev.h"
#include "vgpu_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEVICE_ARGS "-device vgpu-pci,vram_size=16M"
#define ALIAS_GIB   8u
#define ALIAS_L1    0x3000u /* VRAM offsets of the aliasing tables and the page */
#define ALIAS_LEAF  0x4000u
#define ALIAS_PAGE  0x5000u
#define FILL_COUNT  1024u
#define IB_VA       TEST_MAPPED_VA
#define FENCE_SEQ   1u

static uint32_t alias_value(struct qt *qt)
{
	return qt_readl(qt, TEST_BAR2_ADDR + ALIAS_PAGE);
}

/* Wait until the aliased page shows a value above `above` (the packet progresses); about 60 s at most. */
static bool wait_progress(struct qt *qt, uint32_t above)
{
	for (int i = 0; i < 60000 && qt_alive(qt); i++) {
		if (alias_value(qt) > above)
			return true;
		usleep(1000);
	}
	return false;
}

static void write_table(struct qt *qt, uint32_t vram_offset, unsigned first, uint64_t entry)
{
	static uint64_t entries[512];
	for (unsigned i = 0; i < 512; i++)
		entries[i] = entry;
	qt_memwrite(qt, TEST_BAR2_ADDR + vram_offset + 8 * first, entries, 8 * (512 - first));
}

/* QEMU with vgpu-pci running the hostile packet (its second FILL started); NULL if QEMU did not start. */
static struct qt *start_hostile_packet(struct vgpu_dev *dev, const char *extra)
{
	char args[256];
	snprintf(args, sizeof(args), "%s %s", DEVICE_ARGS, extra);
	struct qt *qt = qt_start(args);
	if (!qt || !vgpu_dev_open(dev, qt)) {
		qt_quit(qt);
		return NULL;
	}
	vgpu_map_test_window(dev);
	write_table(qt, ALIAS_PAGE, 0, 0);
	write_table(qt, ALIAS_LEAF, 0, ALIAS_PAGE | VGPU_PTE_VALID | VGPU_PTE_WRITE);
	write_table(qt, ALIAS_L1, 0, ALIAS_LEAF | VGPU_PTE_VALID);
	write_table(qt, TEST_PT_ROOT, ALIAS_GIB, ALIAS_L1 | VGPU_PTE_VALID);

	static uint32_t ib[FILL_COUNT * 8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(ib, FILL_COUNT * 8);
	struct vgpu_pkt_surface surface = {(uint64_t)ALIAS_GIB << 30, 16384 * 16,
	                                   VGPU_FORMAT_R32G32B32A32_FLOAT};
	for (uint32_t i = 0; i < FILL_COUNT; i++)
		vgpu_pkt_fill(&cb, &surface, 0, 0, 16384, 16384, i + 1);
	qt_memwrite(qt, TEST_BAR2_ADDR + IB_VA, ib, (size_t)cb.count * 4);

	vgpu_wr(dev, VGPU_REG_WATCHDOG, 0xffffffffu);
	vgpu_ring_start(dev);
	vgpu_ring_set_context(dev);
	const uint32_t indirect[] = {VGPU_PKT_HEADER(VGPU_PKT_INDIRECT, 3), (uint32_t)IB_VA, 0, cb.count};
	vgpu_ring_submit(dev, indirect, VT_COUNT(indirect));
	vgpu_ring_fence(dev, FENCE_SEQ, false);
	if (!wait_progress(qt, 1)) {
		vt_fail(__FILE__, __LINE__, "the hostile packet did not start");
		qt_quit(qt);
		return NULL;
	}
	return qt;
}

static bool status_is(struct qt *qt, const char *status)
{
	char *reply = qt_qmp(qt, "{\"execute\": \"query-status\"}");
	char want[64];
	snprintf(want, sizeof(want), "\"status\": \"%s\"", status);
	bool ok = reply && strstr(reply, want);
	if (!ok)
		fprintf(stderr, "# query-status: %s\n", reply ? reply : "(no reply)");
	free(reply);
	return ok;
}

/* Items 5 and 7: QMP answers while the packet runs; RESET returns and the device serves again. */
static void test_qmp_answers_and_reset_returns_while_busy(void)
{
	struct vgpu_dev dev;
	struct qt *qt = start_hostile_packet(&dev, "");
	if (!qt)
		return;
	for (int i = 0; i < 3; i++)
		VT_CHECK(status_is(qt, "running"));
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_STATUS) & VGPU_STATUS_CP_BUSY);
	vgpu_wr(&dev, VGPU_REG_RESET, VGPU_RESET_MAGIC);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_RING_CTRL), 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FENCE_SEQ_LO), 0);
	vgpu_ring_start(&dev);
	vgpu_ring_fence(&dev, 2, false);
	VT_CHECK(vgpu_wait_fence(&dev, 2));
	VT_CHECK_EQ_INT(qt_quit(qt), 0);
}

/* Items 5 and 6: `stop` completes and nothing is written while stopped; `cont` lets the packet go on; a ring
 * disable returns, the FENCE after the packet never runs, and the ring programmed again serves. */
static void test_stop_cont_and_ring_disable_while_busy(void)
{
	struct vgpu_dev dev;
	struct qt *qt = start_hostile_packet(&dev, "");
	if (!qt)
		return;
	qt_qmp_ok(qt, "{\"execute\": \"stop\"}");
	VT_CHECK(status_is(qt, "paused"));
	uint32_t stopped_at = alias_value(qt);
	usleep(20000);
	VT_CHECK_EQ_U64(alias_value(qt), stopped_at);
	qt_qmp_ok(qt, "{\"execute\": \"cont\"}");
	VT_CHECK(status_is(qt, "running"));
	VT_CHECK(wait_progress(qt, stopped_at));
	vgpu_wr(&dev, VGPU_REG_RING_CTRL, 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_STATUS), 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FENCE_SEQ_LO), 0);
	vgpu_ring_start(&dev);
	vgpu_ring_set_context(&dev);
	vgpu_ring_fence(&dev, 3, false);
	VT_CHECK(vgpu_wait_fence(&dev, 3));
	VT_CHECK_EQ_INT(qt_quit(qt), 0);
}

/* Item 6: savevm (snapshot-save) and loadvm while busy complete; the loaded state has the packet cut short
 * (hw-spec 12): a WATCHDOG fault with FAULT_ADDR 1, and the FENCE after it signals. */
static void test_savevm_and_loadvm_while_busy(void)
{
	struct vgpu_dev dev;
	struct qt *qt = start_hostile_packet(&dev, "");
	if (!qt)
		return;
	VT_CHECK(qt_add_snapshot_disk(qt));
	VT_CHECK(qt_qmp_job(qt,
	                    "{\"execute\": \"snapshot-save\", \"arguments\": {\"job-id\": \"save\", \"tag\": "
	                    "\"s1\", \"vmstate\": \"disk\", \"devices\": [\"disk\"]}}",
	                    "save"));
	/* the source goes on with the packet: nothing was recorded against it */
	VT_CHECK(status_is(qt, "running"));
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_STATUS), 0);
	VT_CHECK(qt_qmp_job(qt,
	                    "{\"execute\": \"snapshot-load\", \"arguments\": {\"job-id\": \"load\", \"tag\": "
	                    "\"s1\", \"vmstate\": \"disk\", \"devices\": [\"disk\"]}}",
	                    "load"));
	VT_CHECK(vgpu_wait_fence(&dev, FENCE_SEQ));
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_STATUS), VGPU_FAULT_STATUS_VALID);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_TYPE), VGPU_FAULT_WATCHDOG);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_ADDR_LO), VGPU_WATCHDOG_ADDR_CUT_SHORT);
	VT_CHECK_EQ_INT(qt_quit(qt), 0);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_qmp_answers_and_reset_returns_while_busy),
	        VT_CASE(test_stop_cont_and_ring_disable_while_busy),
	        VT_CASE(test_savevm_and_loadvm_while_busy),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
