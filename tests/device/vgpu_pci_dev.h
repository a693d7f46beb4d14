/* The test's side of vgpu-pci: finds the PCI function over config cycles, places its BARs, and gives a
 * minimal driver (registers, a ring in guest RAM, page tables in VRAM) to the device cases. */
#ifndef VGPU_PCI_DEV_H
#define VGPU_PCI_DEV_H

#include "qtest_client.h"

#include <stdbool.h>
#include <stdint.h>

/* Where the test places things. BARs sit in q35's 32-bit PCI hole; guest RAM below 128 MiB is plain RAM. */
#define TEST_VRAM_SIZE  (16u << 20)
#define TEST_BAR0_ADDR  0xe0000000ull
#define TEST_BAR4_ADDR  0xe0010000ull
#define TEST_BAR2_ADDR  0xe1000000ull
#define TEST_RING_GPA   0x100000ull /* guest RAM */
#define TEST_FENCE_GPA  0x200000ull
#define TEST_MSI_GPA    0x201000ull /* MSI-X messages are memory writes: aim them at RAM and read them */
#define TEST_RING_SIZE  4096u
#define TEST_PT_ROOT    0x0000u /* VRAM offsets of the three page-table levels */
#define TEST_PT_L1      0x1000u
#define TEST_PT_L0      0x2000u
#define TEST_MAPPED_VA  0x100000ull /* VA == VRAM offset in [TEST_MAPPED_VA, TEST_MAPPED_END) */
#define TEST_MAPPED_END 0x200000ull
#define TEST_ASID       1u

struct vgpu_dev {
	struct qt *qt;
	unsigned devfn;
	uint32_t ring_tail;
};

/* PCI configuration space of bus 0 through ports 0xcf8/0xcfc. */
uint32_t pci_cfg_read(struct qt *qt, unsigned devfn, unsigned offset, unsigned size);
void pci_cfg_write(struct qt *qt, unsigned devfn, unsigned offset, unsigned size, uint32_t value);
/* Size of a memory BAR (64-bit BARs span two slots); 0 when unimplemented. Leaves the BAR unassigned. */
uint64_t pci_bar_size(struct qt *qt, unsigned devfn, unsigned bar);
/* Config offset of capability `id`, 0 if absent. */
unsigned pci_find_capability(struct qt *qt, unsigned devfn, uint8_t id);

/* Find vgpu-pci on bus 0, place BARs at the TEST_* addresses, enable memory decoding and bus mastering. */
bool vgpu_dev_open(struct vgpu_dev *dev, struct qt *qt);

/*
 * The device cases' fixture: start QEMU (qt_start) with extra_args and open its vgpu-pci. False, reported and
 * with nothing left running, when either fails. vgpu_dev_stop quits that QEMU and returns qt_quit's status.
 *
 *   struct vgpu_dev dev;
 *   if (!vgpu_dev_start(&dev, "-device vgpu-pci,vram_size=16M")) return;
 *   ...
 *   vgpu_dev_stop(&dev);
 */
bool vgpu_dev_start(struct vgpu_dev *dev, const char *extra_args);
int vgpu_dev_stop(struct vgpu_dev *dev);
/* Ready for jobs: the test window mapped, the ring enabled, SET_CONTEXT submitted. */
void vgpu_dev_ready_for_jobs(struct vgpu_dev *dev);

uint32_t vgpu_rd(struct vgpu_dev *dev, uint32_t reg);
void vgpu_wr(struct vgpu_dev *dev, uint32_t reg, uint32_t value);

/* Build the page tables mapping TEST_MAPPED_VA.. onto the same VRAM offsets, writable. */
void vgpu_map_test_window(struct vgpu_dev *dev);
/* Enable the ring at TEST_RING_GPA. */
void vgpu_ring_start(struct vgpu_dev *dev);
/* Copy packets into the ring and ring the doorbell. */
void vgpu_ring_submit(struct vgpu_dev *dev, const uint32_t *dwords, unsigned count);
/* Emit SET_CONTEXT (TEST_ASID, root TEST_PT_ROOT in VRAM). */
void vgpu_ring_set_context(struct vgpu_dev *dev);
/* Emit FENCE writing seq to TEST_FENCE_GPA; `interrupt` sets the INTERRUPT flag. */
void vgpu_ring_fence(struct vgpu_dev *dev, uint64_t seq, bool interrupt);
/* Wait (bounded) until FENCE_SEQ reaches seq; false on timeout. */
bool vgpu_wait_fence(struct vgpu_dev *dev, uint64_t seq);
/* A surface descriptor (4 dwords) for a packet: VA, pitch, format. */
void vgpu_surface(uint32_t *out, uint64_t va, uint32_t pitch, uint32_t format);

#endif
