/* SPDX-License-Identifier: MIT */
/*
 * The host services libvgpu calls back, mostly from its own worker threads: DMA into guest memory, interrupt
 * requests, the device clock and the guest-error log.
 */
#include "qemu/osdep.h"

#include "exec/memory.h"
#include "hw/pci/msix.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "vgpu-pci.h"

#include <pthread.h>

/*
 * libvgpu's worker threads are not QEMU threads, but guest-memory access and logging use RCU, which needs
 * every reader thread registered. A worker registers on its first callback; the key's destructor
 * unregisters it when the thread exits, so QEMU's RCU never waits on a thread that is gone. QEMU's own
 * threads only call into libvgpu with the big lock held, which is how they are told apart.
 */
static pthread_key_t worker_rcu_key;
static bool worker_rcu_key_created;

static void worker_rcu_unregister(void *unused)
{
	rcu_unregister_thread();
}

/* Called at realize, with the big lock, before any libvgpu thread exists. */
bool vgpu_pci_host_init(Error **errp)
{
	if (!worker_rcu_key_created) {
		if (pthread_key_create(&worker_rcu_key, worker_rcu_unregister) != 0) {
			error_setg(errp, "vgpu-pci: cannot create a thread key (out of thread keys?)");
			return false;
		}
		worker_rcu_key_created = true;
	}
	return true;
}

static void ensure_rcu_registered(void)
{
	if (qemu_mutex_iothread_locked() || pthread_getspecific(worker_rcu_key)) {
		return;
	}
	rcu_register_thread();
	pthread_setspecific(worker_rcu_key, &worker_rcu_key);
}

/*
 * DMA from a worker may only touch guest RAM. Reaching MMIO would take the big lock inside the worker, and
 * a vCPU holding that lock may be waiting for the same worker (a RESET or ring-disable write waits for the
 * engines): a deadlock the guest could cause at will by pointing a fence at a register. The target is
 * therefore checked to be RAM, page by page, through the device's own DMA address space (so the IOMMU
 * decides too) right before the access. A guest that moves a BAR over the range between the check and the
 * access can at worst stall its own VM; it cannot crash QEMU.
 */
static bool dma_range_is_ram(PCIDevice *pdev, uint64_t addr, size_t len, bool is_write)
{
	AddressSpace *as = pci_get_address_space(pdev);

	RCU_READ_LOCK_GUARD();
	while (len > 0) {
		hwaddr xlat, chunk = len;
		MemoryRegion *mr =
		        address_space_translate(as, addr, &xlat, &chunk, is_write, MEMTXATTRS_UNSPECIFIED);

		if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) || chunk == 0 ||
		    (is_write && mr->readonly)) {
			return false;
		}
		addr += chunk;
		len -= chunk;
	}
	return true;
}

static int vgpu_dma(void *opaque, uint64_t bus_addr, void *buf, size_t len, DMADirection dir)
{
	VgpuPciState *s = opaque;
	PCIDevice *pdev = PCI_DEVICE(s);
	bool is_write = dir == DMA_DIRECTION_FROM_DEVICE;

	ensure_rcu_registered();
	if (bus_addr + len < bus_addr || !dma_range_is_ram(pdev, bus_addr, len, is_write)) {
		return -1;
	}
	return pci_dma_rw(pdev, bus_addr, buf, len, dir, MEMTXATTRS_UNSPECIFIED) == MEMTX_OK ? 0 : -1;
}

static int vgpu_dma_read(void *opaque, uint64_t bus_addr, void *dst, size_t len)
{
	return vgpu_dma(opaque, bus_addr, dst, len, DMA_DIRECTION_TO_DEVICE);
}

static int vgpu_dma_write(void *opaque, uint64_t bus_addr, const void *src, size_t len)
{
	/* pci_dma_rw takes a non-const buffer for both directions; a write only reads it. */
	return vgpu_dma(opaque, bus_addr, (void *)src, len, DMA_DIRECTION_FROM_DEVICE);
}

static void vgpu_irq_notify(void *opaque)
{
	VgpuPciState *s = opaque;

	qemu_bh_schedule(s->irq_bh);
}

/* The irq BH (main loop, big lock held): send the MSI-X messages libvgpu queued, or drive INTA#. */
void vgpu_pci_deliver_interrupts(void *opaque)
{
	VgpuPciState *s = opaque;
	PCIDevice *pdev = PCI_DEVICE(s);
	uint32_t messages = vgpu_irq_take_messages(s->gpu);

	if (msix_enabled(pdev)) {
		for (unsigned vector = 0; vector < VGPU_MSIX_VECTORS; vector++) {
			if (messages & (1u << vector)) {
				msix_notify(pdev, vector);
			}
		}
		pci_set_irq(pdev, 0);
	} else {
		pci_set_irq(pdev, vgpu_irq_level(s->gpu));
	}
}

/* The virtual clock: the device clock stops while the VM is stopped, and qtest can step it. */
static uint64_t vgpu_clock_ns(void *opaque)
{
	return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void vgpu_log_guest_error(void *opaque, const char *message)
{
	ensure_rcu_registered();
	qemu_log_mask(LOG_GUEST_ERROR, "vgpu-pci: %s\n", message);
}

const struct vgpu_host_ops vgpu_pci_host_ops = {
        .dma_read = vgpu_dma_read,
        .dma_write = vgpu_dma_write,
        .irq_notify = vgpu_irq_notify,
        /* no display_notify: the console pulls frames at its own refresh rate (vgpu-pci-display.c) */
        .clock_ns = vgpu_clock_ns,
        .log_guest_error = vgpu_log_guest_error,
};
