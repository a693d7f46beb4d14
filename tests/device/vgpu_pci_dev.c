#include "vgpu_pci_dev.h"

#include "vgpu/vgpu_hw.h"
#include "vgpu_test.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define FENCE_WAIT_MS      20000 /* engines run on host threads: allow for a loaded machine */

static void select_config(struct qt *qt, unsigned devfn, unsigned offset)
{
	qt_outl(qt, PCI_CONFIG_ADDRESS, 0x80000000u | (devfn << 8) | (offset & 0xfc));
}

uint32_t pci_cfg_read(struct qt *qt, unsigned devfn, unsigned offset, unsigned size)
{
	select_config(qt, devfn, offset);
	uint32_t dword = qt_inl(qt, PCI_CONFIG_DATA);
	uint32_t value = dword >> (8 * (offset & 3));

	return size == 4 ? value : value & ((1u << (8 * size)) - 1);
}

void pci_cfg_write(struct qt *qt, unsigned devfn, unsigned offset, unsigned size, uint32_t value)
{
	unsigned shift = 8 * (offset & 3);
	uint32_t dword = value;

	if (size < 4) {
		uint32_t mask = ((1u << (8 * size)) - 1) << shift;

		dword = (pci_cfg_read(qt, devfn, offset & ~3u, 4) & ~mask) | ((value << shift) & mask);
	}
	select_config(qt, devfn, offset);
	qt_outl(qt, PCI_CONFIG_DATA, dword);
}

uint64_t pci_bar_size(struct qt *qt, unsigned devfn, unsigned bar)
{
	unsigned offset = 0x10 + 4 * bar;
	uint32_t low = pci_cfg_read(qt, devfn, offset, 4);
	bool is_64 = (low & 0x6) == 0x4;
	uint64_t mask;

	pci_cfg_write(qt, devfn, offset, 4, 0xffffffff);
	mask = pci_cfg_read(qt, devfn, offset, 4) & ~0xfull;
	if (is_64) {
		pci_cfg_write(qt, devfn, offset + 4, 4, 0xffffffff);
		mask |= (uint64_t)pci_cfg_read(qt, devfn, offset + 4, 4) << 32;
		pci_cfg_write(qt, devfn, offset + 4, 4, 0);
	} else if (mask) {
		mask |= 0xffffffff00000000ull;
	}
	pci_cfg_write(qt, devfn, offset, 4, 0);
	return mask ? ~mask + 1 : 0;
}

unsigned pci_find_capability(struct qt *qt, unsigned devfn, uint8_t id)
{
	if (!(pci_cfg_read(qt, devfn, 0x06, 2) & 0x10)) {
		return 0; /* no capability list */
	}
	unsigned pos = pci_cfg_read(qt, devfn, 0x34, 1) & ~3u;
	for (int hops = 0; pos && hops < 48; hops++) {
		if (pci_cfg_read(qt, devfn, pos, 1) == id) {
			return pos;
		}
		pos = pci_cfg_read(qt, devfn, pos + 1, 1) & ~3u;
	}
	return 0;
}

bool vgpu_dev_open(struct vgpu_dev *dev, struct qt *qt)
{
	dev->qt = qt;
	dev->ring_tail = 0;
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		if (pci_cfg_read(qt, devfn, 0, 4) ==
		    ((uint32_t)VGPU_PCI_DEVICE_ID << 16 | VGPU_PCI_VENDOR_ID)) {
			dev->devfn = devfn;
			pci_cfg_write(qt, devfn, 0x10 + 4 * VGPU_BAR_REGS, 4, (uint32_t)TEST_BAR0_ADDR);
			pci_cfg_write(qt, devfn, 0x10 + 4 * VGPU_BAR_VRAM, 4, (uint32_t)TEST_BAR2_ADDR);
			pci_cfg_write(qt, devfn, 0x14 + 4 * VGPU_BAR_VRAM, 4,
			              (uint32_t)(TEST_BAR2_ADDR >> 32));
			pci_cfg_write(qt, devfn, 0x10 + 4 * VGPU_BAR_MSIX, 4, (uint32_t)TEST_BAR4_ADDR);
			pci_cfg_write(qt, devfn, 0x04, 2, 0x0006); /* memory space + bus master */
			return true;
		}
	}
	vt_fail(__FILE__, __LINE__, "no %04x:%04x function on bus 0", VGPU_PCI_VENDOR_ID, VGPU_PCI_DEVICE_ID);
	return false;
}

bool vgpu_dev_start(struct vgpu_dev *dev, const char *extra_args)
{
	struct qt *qt = qt_start(extra_args);

	dev->qt = NULL;
	if (!qt) {
		return false;
	}
	if (!vgpu_dev_open(dev, qt)) {
		qt_quit(qt);
		dev->qt = NULL;
		return false;
	}
	return true;
}

int vgpu_dev_stop(struct vgpu_dev *dev)
{
	int status = qt_quit(dev->qt);

	dev->qt = NULL;
	return status;
}

void vgpu_dev_ready_for_jobs(struct vgpu_dev *dev)
{
	vgpu_map_test_window(dev);
	vgpu_ring_start(dev);
	vgpu_ring_set_context(dev);
}

uint32_t vgpu_rd(struct vgpu_dev *dev, uint32_t reg)
{
	return qt_readl(dev->qt, TEST_BAR0_ADDR + reg);
}

void vgpu_wr(struct vgpu_dev *dev, uint32_t reg, uint32_t value)
{
	qt_writel(dev->qt, TEST_BAR0_ADDR + reg, value);
}

void vgpu_map_test_window(struct vgpu_dev *dev)
{
	static uint64_t leaves[(TEST_MAPPED_END - TEST_MAPPED_VA) >> VGPU_PAGE_SHIFT];
	unsigned first = VGPU_VA_INDEX(TEST_MAPPED_VA, 0);

	qt_writeq(dev->qt, TEST_BAR2_ADDR + TEST_PT_ROOT + 8 * VGPU_VA_INDEX(TEST_MAPPED_VA, 2),
	          TEST_PT_L1 | VGPU_PTE_VALID);
	qt_writeq(dev->qt, TEST_BAR2_ADDR + TEST_PT_L1 + 8 * VGPU_VA_INDEX(TEST_MAPPED_VA, 1),
	          TEST_PT_L0 | VGPU_PTE_VALID);
	for (size_t i = 0; i < VT_COUNT(leaves); i++) {
		leaves[i] = (TEST_MAPPED_VA + (i << VGPU_PAGE_SHIFT)) | VGPU_PTE_VALID | VGPU_PTE_WRITE;
	}
	qt_memwrite(dev->qt, TEST_BAR2_ADDR + TEST_PT_L0 + 8 * first, leaves, sizeof(leaves));
}

void vgpu_ring_start(struct vgpu_dev *dev)
{
	vgpu_wr(dev, VGPU_REG_RING_BASE_LO, (uint32_t)TEST_RING_GPA);
	vgpu_wr(dev, VGPU_REG_RING_BASE_HI, (uint32_t)((TEST_RING_GPA | VGPU_PA_SYSMEM) >> 32));
	vgpu_wr(dev, VGPU_REG_RING_SIZE, TEST_RING_SIZE);
	vgpu_wr(dev, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	dev->ring_tail = 0;
}

void vgpu_ring_submit(struct vgpu_dev *dev, const uint32_t *dwords, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		qt_writel(dev->qt, TEST_RING_GPA + dev->ring_tail, dwords[i]);
		dev->ring_tail = (dev->ring_tail + 4) % TEST_RING_SIZE;
	}
	vgpu_wr(dev, VGPU_REG_RING_TAIL, dev->ring_tail);
}

void vgpu_ring_set_context(struct vgpu_dev *dev)
{
	const uint32_t packet[] = {VGPU_PKT_HEADER(VGPU_PKT_SET_CONTEXT, 3), TEST_ASID, TEST_PT_ROOT, 0};

	vgpu_ring_submit(dev, packet, VT_COUNT(packet));
}

void vgpu_ring_fence(struct vgpu_dev *dev, uint64_t seq, bool interrupt)
{
	const uint64_t pa = TEST_FENCE_GPA | VGPU_PA_SYSMEM;
	const uint32_t packet[] = {VGPU_PKT_HEADER(VGPU_PKT_FENCE, 5),
	                           (uint32_t)pa,
	                           (uint32_t)(pa >> 32),
	                           (uint32_t)seq,
	                           (uint32_t)(seq >> 32),
	                           interrupt ? VGPU_FENCE_FLAG_INTERRUPT : 0};

	vgpu_ring_submit(dev, packet, VT_COUNT(packet));
}

bool vgpu_wait_fence(struct vgpu_dev *dev, uint64_t seq)
{
	for (int waited = 0; waited < FENCE_WAIT_MS; waited++) {
		uint64_t done = vgpu_rd(dev, VGPU_REG_FENCE_SEQ_LO) |
		                (uint64_t)vgpu_rd(dev, VGPU_REG_FENCE_SEQ_HI) << 32;

		if (done >= seq) {
			return true;
		}
		if (!qt_alive(dev->qt)) {
			break;
		}
		usleep(1000);
	}
	vt_fail(__FILE__, __LINE__, "fence %llu did not signal", (unsigned long long)seq);
	return false;
}

void vgpu_surface(uint32_t *out, uint64_t va, uint32_t pitch, uint32_t format)
{
	out[0] = (uint32_t)va;
	out[1] = (uint32_t)(va >> 32);
	out[2] = pitch;
	out[3] = format;
}
