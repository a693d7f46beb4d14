/* SPDX-License-Identifier: MIT */
/*
 * vgpu-pci: the PCI function of the vgpu (docs/hw-spec.md section 2). BAR0 forwards register accesses to
 * libvgpu, BAR2 is the VRAM as guest RAM (libvgpu works on the same memory), BAR4 holds the MSI-X table and
 * PBA. This file also owns the lifecycle: properties, realize, reset, VM run state and migration.
 */
#include "qemu/osdep.h"

#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "sysemu/runstate.h"
#include "vgpu-pci.h"

#define VGPU_VRAM_SIZE_DEFAULT (128 * MiB)
#define VGPU_MSIX_BAR_SIZE     4096
#define VGPU_MSIX_PBA_OFFSET   2048
#define VGPU_STATE_MAX         (64 * MiB) /* far above any real state blob; bounds what a stream can allocate */

/* Registers are 32-bit, dword-aligned; the spec says other accesses read 0 and writes are ignored. */
static bool reg_access_ok(hwaddr addr, unsigned size, bool is_write, uint64_t value)
{
	if (size == 4 && (addr & 3) == 0) {
		return true;
	}
	if (is_write) {
		qemu_log_mask(LOG_GUEST_ERROR,
		              "vgpu-pci: ignored %u-byte write of 0x%" PRIx64
		              " at BAR0 offset 0x%" HWADDR_PRIx
		              ": registers take aligned 32-bit accesses only\n",
		              size, value, addr);
	} else {
		qemu_log_mask(LOG_GUEST_ERROR,
		              "vgpu-pci: %u-byte read at BAR0 offset 0x%" HWADDR_PRIx
		              " returns 0: registers take aligned 32-bit accesses only\n",
		              size, addr);
	}
	return false;
}

static uint64_t vgpu_regs_read(void *opaque, hwaddr addr, unsigned size)
{
	VgpuPciState *s = opaque;

	return reg_access_ok(addr, size, false, 0) ? vgpu_reg_read(s->gpu, addr) : 0;
}

static void vgpu_regs_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
	VgpuPciState *s = opaque;

	if (reg_access_ok(addr, size, true, value)) {
		vgpu_reg_write(s->gpu, addr, value);
		/* An acknowledge (INT_STATUS) or mask change moves INTA# now, not at the next BH: a driver
		 * that returns from its handler must not see the line still asserted (a spurious interrupt). */
		vgpu_pci_deliver_interrupts(s);
	}
}

static const MemoryRegionOps vgpu_regs_ops = {
        .read = vgpu_regs_read,
        .write = vgpu_regs_write,
        .endianness = DEVICE_LITTLE_ENDIAN,
        /* every size and alignment reaches the handlers, which apply the spec's rule */
        .valid = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
        .impl = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
};

/* Enabling or disabling MSI-X moves delivery between messages and INTA#: let the irq BH redo it. */
static void vgpu_pci_config_write(PCIDevice *pdev, uint32_t addr, uint32_t value, int len)
{
	VgpuPciState *s = VGPU_PCI(pdev);

	pci_default_write_config(pdev, addr, value, len);
	qemu_bh_schedule(s->irq_bh);
}

static int64_t vblank_period_ns(VgpuPciState *s)
{
	uint32_t refresh_mhz = vgpu_reg_read(s->gpu, VGPU_REG_REFRESH_MHZ);

	return 1000000000000LL / (refresh_mhz ? refresh_mhz : VGPU_REFRESH_MHZ_DEFAULT);
}

/* Start the vblank sequence one period from now (realize, reset). */
static void schedule_vblank(VgpuPciState *s)
{
	s->vblank_deadline_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + vblank_period_ns(s);
	timer_mod(s->vblank_timer, s->vblank_deadline_ns);
}

/*
 * Vblanks keep to absolute deadlines (start + n * period), so a timer that fires late does not shift every
 * later vblank: the rate stays the refresh rate on a loaded host. A tick more than a period late (the host
 * stalled) restarts the sequence instead of firing a burst of vblanks to catch up.
 */
static void vgpu_vblank_tick(void *opaque)
{
	VgpuPciState *s = opaque;
	int64_t period = vblank_period_ns(s);
	int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

	vgpu_vblank(s->gpu);
	s->vblank_deadline_ns += period;
	if (s->vblank_deadline_ns <= now) {
		s->vblank_deadline_ns = now + period;
	}
	timer_mod(s->vblank_timer, s->vblank_deadline_ns);
}

/*
 * The GPU runs only while the VM runs: then snapshots see quiescent state, and the device clock stops.
 * Engines write VRAM behind QEMU's dirty tracking, so on every stop VRAM is marked dirty for migration.
 */
static void vgpu_vm_state_change(void *opaque, bool running, RunState state)
{
	VgpuPciState *s = opaque;

	if (running && s->gpu_paused) {
		vgpu_resume(s->gpu);
		s->gpu_paused = false;
	} else if (!running && !s->gpu_paused) {
		vgpu_pause(s->gpu);
		s->gpu_paused = true;
		memory_region_set_dirty(&s->vram, 0, s->vram_size);
	}
}

static bool check_properties(VgpuPciState *s, Error **errp)
{
	if (s->vram_size < VGPU_VRAM_SIZE_MIN || s->vram_size > VGPU_VRAM_SIZE_MAX ||
	    !is_power_of_2(s->vram_size)) {
		error_setg(errp,
		           "vgpu-pci: vram_size=%" PRIu64 " is not a power of two from 16M to 4G; use e.g. "
		           "vram_size=128M",
		           s->vram_size);
		return false;
	}
	if (s->xres == 0 || s->yres == 0 || s->xres > VGPU_MAX_SURFACE_DIM ||
	    s->yres > VGPU_MAX_SURFACE_DIM) {
		error_setg(errp, "vgpu-pci: xres=%u yres=%u is not a display size; both must be 1..%u",
		           s->xres, s->yres, VGPU_MAX_SURFACE_DIM);
		return false;
	}
	return true;
}

static void vgpu_pci_realize(PCIDevice *pdev, Error **errp)
{
	ERRP_GUARD();
	VgpuPciState *s = VGPU_PCI(pdev);
	Object *obj = OBJECT(pdev);
	char error[256] = "";

	if (!check_properties(s, errp) || !vgpu_pci_host_init(errp)) {
		return;
	}
	memory_region_init_ram(&s->vram, obj, "vgpu-pci.vram", s->vram_size, errp);
	if (*errp) {
		return;
	}
	s->irq_bh = qemu_bh_new(vgpu_pci_deliver_interrupts, s);
	s->vblank_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, vgpu_vblank_tick, s);

	struct vgpu_config config = {
	        .vram = memory_region_get_ram_ptr(&s->vram),
	        .vram_size = s->vram_size,
	        .preferred_width = s->xres,
	        .preferred_height = s->yres,
	        .ops = &vgpu_pci_host_ops,
	        .opaque = s,
	};
	s->gpu = vgpu_create(&config, error, sizeof(error));
	if (!s->gpu) {
		error_setg(errp, "vgpu-pci: libvgpu could not create the GPU: %s", error);
		goto fail;
	}

	memory_region_init_io(&s->regs, obj, &vgpu_regs_ops, s, "vgpu-pci.regs", VGPU_REGS_SIZE);
	memory_region_init(&s->msix, obj, "vgpu-pci.msix", VGPU_MSIX_BAR_SIZE);
	pci_register_bar(pdev, VGPU_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->regs);
	pci_register_bar(pdev, VGPU_BAR_VRAM,
	                 PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64 |
	                         PCI_BASE_ADDRESS_MEM_PREFETCH,
	                 &s->vram);
	pci_register_bar(pdev, VGPU_BAR_MSIX, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->msix);
	if (msix_init(pdev, VGPU_MSIX_VECTORS, &s->msix, VGPU_BAR_MSIX, 0, &s->msix, VGPU_BAR_MSIX,
	              VGPU_MSIX_PBA_OFFSET, 0, errp) < 0) {
		goto fail;
	}
	for (unsigned vector = 0; vector < VGPU_MSIX_VECTORS; vector++) {
		msix_vector_use(pdev, vector);
	}
	pci_config_set_interrupt_pin(pdev->config, 1); /* INTA# */

	vgpu_pci_display_init(s);
	s->vm_state_entry = qemu_add_vm_change_state_handler(vgpu_vm_state_change, s);
	/* Started without running (-S, -incoming): wait like a stopped VM. */
	vgpu_vm_state_change(s, runstate_is_running(), RUN_STATE__MAX);
	schedule_vblank(s);
	return;

fail:
	if (s->gpu) {
		vgpu_destroy(s->gpu);
		s->gpu = NULL;
	}
	timer_free(s->vblank_timer);
	qemu_bh_delete(s->irq_bh);
}

static void vgpu_pci_exit(PCIDevice *pdev)
{
	VgpuPciState *s = VGPU_PCI(pdev);

	qemu_del_vm_change_state_handler(s->vm_state_entry);
	/* destroy first: afterwards no worker can call back into the BH or the timer */
	vgpu_destroy(s->gpu);
	s->gpu = NULL;
	timer_free(s->vblank_timer);
	qemu_bh_delete(s->irq_bh);
	vgpu_pci_display_fini(s);
	msix_uninit(pdev, &s->msix, &s->msix);
	g_free(s->state_blob);
	s->state_blob = NULL;
}

/* system_reset and PCI function-level reset: libvgpu resets registers and engines, keeps VRAM. */
static void vgpu_pci_reset(DeviceState *dev)
{
	VgpuPciState *s = VGPU_PCI(dev);

	vgpu_reset(s->gpu);
	vgpu_irq_take_messages(s->gpu); /* messages from before the reset are not sent after it */
	pci_set_irq(PCI_DEVICE(s), 0);
	vgpu_pci_display_invalidate(s);
	schedule_vblank(s); /* the refresh rate is back to its reset value */
}

static int vgpu_pci_pre_save(void *opaque)
{
	VgpuPciState *s = opaque;
	size_t len = vgpu_state_size(s->gpu);

	if (len > VGPU_STATE_MAX) {
		error_report("vgpu-pci: libvgpu's state is %zu bytes, more than the %u this device migrates",
		             len, (unsigned)VGPU_STATE_MAX);
		return -EINVAL;
	}
	g_free(s->state_blob);
	s->state_blob = g_malloc(len);
	s->state_len = len;
	if (vgpu_state_save(s->gpu, s->state_blob, len) != 0) {
		error_report("vgpu-pci: libvgpu could not save its state (is the GPU paused?)");
		return -EINVAL;
	}
	return 0;
}

static int vgpu_pci_post_save(void *opaque)
{
	VgpuPciState *s = opaque;

	g_free(s->state_blob);
	s->state_blob = NULL;
	s->state_len = 0;
	return 0;
}

static bool state_len_is_sane(void *opaque, int version_id)
{
	VgpuPciState *s = opaque;

	return s->state_len > 0 && s->state_len <= VGPU_STATE_MAX;
}

static int vgpu_pci_post_load(void *opaque, int version_id)
{
	VgpuPciState *s = opaque;
	char error[256] = "";
	int ret = vgpu_state_load(s->gpu, s->state_blob, s->state_len, error, sizeof(error));

	g_free(s->state_blob);
	s->state_blob = NULL;
	s->state_len = 0;
	if (ret != 0) {
		error_report("vgpu-pci: the snapshot's GPU state was rejected: %s", error);
		return -EINVAL;
	}
	qemu_bh_schedule(s->irq_bh); /* the INTx level follows the restored INT_PENDING */
	vgpu_pci_display_invalidate(s);
	if (timer_pending(s->vblank_timer)) {
		s->vblank_deadline_ns = timer_expire_time_ns(s->vblank_timer);
	} else {
		schedule_vblank(s);
	}
	return 0;
}

static const VMStateDescription vgpu_pci_vmstate = {
        .name = TYPE_VGPU_PCI,
        .version_id = 1,
        .minimum_version_id = 1,
        .pre_save = vgpu_pci_pre_save,
        .post_save = vgpu_pci_post_save,
        .post_load = vgpu_pci_post_load,
        .fields =
                (VMStateField[]){
                        VMSTATE_PCI_DEVICE(parent_obj, VgpuPciState),
                        VMSTATE_MSIX(parent_obj, VgpuPciState),
                        VMSTATE_TIMER_PTR(vblank_timer, VgpuPciState),
                        VMSTATE_UINT32(state_len, VgpuPciState),
                        VMSTATE_VALIDATE("vgpu state size", state_len_is_sane),
                        VMSTATE_VBUFFER_ALLOC_UINT32(state_blob, VgpuPciState, 0, NULL, state_len),
                        VMSTATE_END_OF_LIST(),
                },
};

static Property vgpu_pci_properties[] = {
        DEFINE_PROP_SIZE("vram_size", VgpuPciState, vram_size, VGPU_VRAM_SIZE_DEFAULT),
        DEFINE_PROP_UINT32("xres", VgpuPciState, xres, 1024),
        DEFINE_PROP_UINT32("yres", VgpuPciState, yres, 768),
        DEFINE_PROP_END_OF_LIST(),
};

static void vgpu_pci_class_init(ObjectClass *klass, void *data)
{
	DeviceClass *dc = DEVICE_CLASS(klass);
	PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

	k->realize = vgpu_pci_realize;
	k->exit = vgpu_pci_exit;
	k->config_write = vgpu_pci_config_write;
	k->vendor_id = VGPU_PCI_VENDOR_ID;
	k->device_id = VGPU_PCI_DEVICE_ID;
	k->subsystem_vendor_id = VGPU_PCI_SUBSYSTEM_VENDOR_ID;
	k->subsystem_id = VGPU_PCI_SUBSYSTEM_ID;
	k->class_id = VGPU_PCI_CLASS >> 8;
	k->revision = VGPU_PCI_REVISION;
	dc->desc = "vgpu teaching GPU: ring-fed 2D/3D engines, MMU, display with cursor (libvgpu)";
	dc->reset = vgpu_pci_reset;
	dc->vmsd = &vgpu_pci_vmstate;
	set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
	device_class_set_props(dc, vgpu_pci_properties);
	object_class_property_set_description(
	        klass, "vram_size", "VRAM size (BAR2): a power of two from 16M to 4G, default 128M");
	object_class_property_set_description(
	        klass, "xres", "initial preferred display width in pixels (the guest's default mode)");
	object_class_property_set_description(
	        klass, "yres", "initial preferred display height in pixels (the guest's default mode)");
}

static const TypeInfo vgpu_pci_info = {
        .name = TYPE_VGPU_PCI,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VgpuPciState),
        .class_init = vgpu_pci_class_init,
        .interfaces =
                (InterfaceInfo[]){
                        {INTERFACE_CONVENTIONAL_PCI_DEVICE},
                        {},
                },
};

static void vgpu_pci_register_types(void)
{
	type_register_static(&vgpu_pci_info);
}

type_init(vgpu_pci_register_types)
