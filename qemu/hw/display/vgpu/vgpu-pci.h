/* SPDX-License-Identifier: MIT */
/*
 * vgpu-pci: the vgpu GPU (libvgpu) as a QEMU PCI device. This header is shared by the three parts of the
 * device: vgpu-pci.c (PCI function, registers, lifecycle, migration), vgpu-pci-host.c (the services libvgpu
 * calls back: DMA, interrupts, clock, guest-error log) and vgpu-pci-display.c (the QEMU console).
 */
#ifndef HW_DISPLAY_VGPU_PCI_H
#define HW_DISPLAY_VGPU_PCI_H

#include "hw/pci/pci.h"
#include "qom/object.h"
#include "ui/console.h"
#include "vgpu/vgpu.h"

#define TYPE_VGPU_PCI "vgpu-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VgpuPciState, VGPU_PCI)

/* The mode of the copy of the scanout that the console shows. */
typedef struct VgpuScanoutMode {
	bool enabled;
	uint32_t format, width, height;
} VgpuScanoutMode;

struct VgpuPciState {
	PCIDevice parent_obj;

	/* properties */
	uint64_t vram_size;
	uint32_t xres, yres;

	MemoryRegion regs; /* BAR0 */
	MemoryRegion vram; /* BAR2 */
	MemoryRegion msix; /* BAR4 */
	struct vgpu *gpu;
	bool gpu_paused; /* paused by us because the VM is not running */
	VMChangeStateEntry *vm_state_entry;

	QEMUBH *irq_bh; /* libvgpu's workers ask for interrupt delivery; the BH does it on the main loop */
	QEMUTimer *vblank_timer;
	int64_t vblank_deadline_ns; /* when vblank_timer fires next; not migrated: post_load reads the timer */

	QemuConsole *con;
	bool con_has_surface; /* false until the first update replaces QEMU's placeholder */
	VgpuScanoutMode mode;
	uint8_t *shadow; /* the console's surface memory, rows padded to 4 bytes */
	bool full_redraw;
	bool cursor_shown;
	int32_t cursor_x, cursor_y;

	/* migration: libvgpu's device state as an opaque, validated-on-load blob */
	uint32_t state_len;
	uint8_t *state_blob;
};

/* vgpu-pci-host.c */
extern const struct vgpu_host_ops vgpu_pci_host_ops;
bool vgpu_pci_host_init(Error **errp);
void vgpu_pci_deliver_interrupts(void *opaque);

/* vgpu-pci-display.c */
void vgpu_pci_display_init(VgpuPciState *s);
void vgpu_pci_display_fini(VgpuPciState *s);
void vgpu_pci_display_invalidate(void *opaque);

#endif
