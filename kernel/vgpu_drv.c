// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PCI probe and remove: claim the BARs, check the device's identity against the spec, reset it,
 * then set up KMS and interrupts and register the DRM device (docs/kernel.md, "Probe").
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_gem_vram_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_prime.h>
#include <drm/drm_module.h>
#include <drm/vgpu_drm.h>

#include "vgpu_drv.h"

/* DEFINE_DRM_GEM_FOPS but for the ioctl entries, which check before the DRM core (vgpu_ioctl.c). */
static const struct file_operations vgpu_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = drm_release,
	.unlocked_ioctl = vgpu_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = vgpu_compat_ioctl,
#endif
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
};

static const struct drm_ioctl_desc vgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VGPU_GET_PARAM, vgpu_get_param_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VGPU_GEM_CREATE, vgpu_gem_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VGPU_GEM_INFO, vgpu_gem_info_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VGPU_VM_BIND, vgpu_vm_bind_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VGPU_SUBMIT, vgpu_submit_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VGPU_WAIT_BO, vgpu_wait_bo_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VGPU_GET_FAULT, vgpu_get_fault_ioctl, DRM_RENDER_ALLOW),
};

static const struct drm_driver vgpu_driver = {
	.driver_features = DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC | DRIVER_RENDER |
			   DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.open = vgpu_job_open,
	.postclose = vgpu_job_postclose,
	.fops = &vgpu_fops,
	.ioctls = vgpu_ioctls,
	.num_ioctls = ARRAY_SIZE(vgpu_ioctls),
	.debugfs_init = vgpu_debugfs_init,
	.dumb_create = vgpu_dumb_create,
	.dumb_map_offset = drm_gem_ttm_dumb_map_offset,
	.prime_handle_to_fd = vgpu_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.gem_prime_mmap = drm_gem_prime_mmap,
	.gem_prime_import_sg_table = vgpu_gem_prime_import_sg_table,
	.name = VGPU_DRIVER_NAME,
	.desc = "vgpu virtual GPU",
	.date = "20261123",
	.major = DRM_VGPU_VERSION_MAJOR,
	.minor = DRM_VGPU_VERSION_MINOR,
};

/* Reads the identity registers and refuses a device this driver cannot drive. */
static int vgpu_check_identity(struct vgpu_device *vdev, struct pci_dev *pdev)
{
	u32 magic = vgpu_read(vdev, VGPU_REG_MAGIC);

	if (magic != VGPU_MAGIC) {
		dev_err(&pdev->dev,
			"BAR0 does not hold vgpu registers (MAGIC reads %#010x, expected %#010x)\n",
			magic, VGPU_MAGIC);
		return -ENODEV;
	}
	vdev->version = vgpu_read(vdev, VGPU_REG_VERSION);
	if (vdev->version >> 16 != VGPU_VERSION_MAJOR) {
		dev_err(&pdev->dev,
			"device implements hw-spec version %u.%u, this driver knows only major %u: update vgpu.ko\n",
			vdev->version >> 16, vdev->version & 0xffff, VGPU_VERSION_MAJOR);
		return -ENODEV;
	}
	vdev->caps = vgpu_read(vdev, VGPU_REG_CAPS);
	if (!(vdev->caps & VGPU_CAP_DISPLAY)) {
		dev_err(&pdev->dev,
			"device has no display engine (CAPS %#x); nothing for vgpu.ko to drive\n",
			vdev->caps);
		return -ENODEV;
	}
	vdev->vram_size = ((u64)vgpu_read(vdev, VGPU_REG_VRAM_SIZE_HI) << 32) |
			  vgpu_read(vdev, VGPU_REG_VRAM_SIZE_LO);
	vdev->vram_base = pci_resource_start(pdev, VGPU_BAR_VRAM);
	if (vdev->vram_size < VGPU_VRAM_SIZE_MIN ||
	    vdev->vram_size > pci_resource_len(pdev, VGPU_BAR_VRAM)) {
		dev_err(&pdev->dev, "VRAM_SIZE %llu does not fit BAR%d (%llu bytes)\n",
			vdev->vram_size, VGPU_BAR_VRAM, (u64)pci_resource_len(pdev, VGPU_BAR_VRAM));
		return -ENODEV;
	}
	/* The driver trusts the device no more than the device trusts the guest: clamp what sizes
	 * KMS. */
	vdev->max_surface_dim =
		clamp_t(u32, vgpu_read(vdev, VGPU_REG_MAX_SURFACE_DIM), 64, VGPU_MAX_SURFACE_DIM);
	vdev->warp_lanes = vgpu_read(vdev, VGPU_REG_WARP_LANES);
	vdev->refresh_mhz = vgpu_read(vdev, VGPU_REG_REFRESH_MHZ);
	if (vdev->refresh_mhz < 1000 || vdev->refresh_mhz > 1000000)
		vdev->refresh_mhz = VGPU_REFRESH_MHZ_DEFAULT;
	return 0;
}

/* Back to the reset state of hw-spec section 12: interrupts masked, display off, ring disabled. */
static void vgpu_reset(struct vgpu_device *vdev)
{
	vgpu_write(vdev, VGPU_REG_RESET, VGPU_RESET_MAGIC);
	vdev->faults_seen = 0;
}

static int vgpu_map_bars(struct pci_dev *pdev, struct vgpu_device *vdev)
{
	int ret;

	ret = pcim_iomap_regions(pdev, BIT(VGPU_BAR_REGS), VGPU_DRIVER_NAME);
	if (ret) {
		dev_err(&pdev->dev, "cannot claim register BAR%d: %d\n", VGPU_BAR_REGS, ret);
		return ret;
	}
	vdev->regs = pcim_iomap_table(pdev)[VGPU_BAR_REGS];
	if (pci_resource_len(pdev, VGPU_BAR_REGS) < VGPU_REGS_SIZE) {
		dev_err(&pdev->dev, "register BAR%d is %llu bytes, the spec needs %u\n",
			VGPU_BAR_REGS, (u64)pci_resource_len(pdev, VGPU_BAR_REGS), VGPU_REGS_SIZE);
		return -ENODEV;
	}
	/*
	 * VRAM is claimed but not mapped here: TTM maps buffer objects write-combined on demand,
	 * and a second, uncached mapping of the same range would conflict with that.
	 */
	ret = pci_request_region(pdev, VGPU_BAR_VRAM, VGPU_DRIVER_NAME);
	if (ret)
		dev_err(&pdev->dev, "cannot claim VRAM BAR%d: %d\n", VGPU_BAR_VRAM, ret);
	return ret;
}

static int vgpu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vgpu_device *vdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	/* Bus addresses in a physical address (hw-spec 4.1) have 52 bits. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(52));
	if (ret) {
		dev_err(&pdev->dev, "no 52-bit DMA addressing: %d\n", ret);
		return ret;
	}

	vdev = devm_drm_dev_alloc(&pdev->dev, &vgpu_driver, struct vgpu_device, drm);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	pci_set_drvdata(pdev, vdev);
	spin_lock_init(&vdev->int_mask_lock);
	spin_lock_init(&vdev->fence_lock);
	INIT_LIST_HEAD(&vdev->fences_in_flight);

	ret = vgpu_map_bars(pdev, vdev);
	if (ret)
		return ret;
	ret = vgpu_check_identity(vdev, pdev);
	if (ret)
		return ret;
	vgpu_reset(vdev);

	ret = vgpu_display_init(vdev);
	if (ret)
		return ret;
	ret = vgpu_irq_init(vdev);
	if (ret)
		return ret;
	ret = vgpu_sched_init(vdev);
	if (ret)
		goto err_irq;
	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		goto err_irq;

	drm_info(&vdev->drm, "vgpu %u.%u, caps %#x, %llu MiB VRAM, %s\n", vdev->version >> 16,
		 vdev->version & 0xffff, vdev->caps, vdev->vram_size >> 20,
		 pdev->msix_enabled ? "MSI-X" : "INTx");
	drm_fbdev_generic_setup(&vdev->drm, 32);
	return 0;

err_irq:
	vgpu_irq_fini(vdev);
	vgpu_ring_stop(vdev);
	vgpu_reset(vdev);
	return ret;
}

static void vgpu_remove(struct pci_dev *pdev)
{
	struct vgpu_device *vdev = pci_get_drvdata(pdev);

	/* From here on every ioctl and hardware callback bails out in drm_dev_enter(). */
	drm_dev_unplug(&vdev->drm);
	drm_atomic_helper_shutdown(&vdev->drm);
	vgpu_irq_fini(vdev);
	/* Jobs on the ring will not complete now; open files keep the scheduler until closed. */
	vgpu_ring_stop(vdev);
	/* The callbacks skipped the hardware after the unplug: a reset turns scanout off. */
	vgpu_reset(vdev);
}

static void vgpu_shutdown(struct pci_dev *pdev)
{
	struct vgpu_device *vdev = pci_get_drvdata(pdev);

	drm_atomic_helper_shutdown(&vdev->drm);
}

static const struct pci_device_id vgpu_pci_ids[] = {
	{ PCI_DEVICE(VGPU_PCI_VENDOR_ID, VGPU_PCI_DEVICE_ID) }, {}
};
MODULE_DEVICE_TABLE(pci, vgpu_pci_ids);

static struct pci_driver vgpu_pci_driver = {
	.name = VGPU_DRIVER_NAME,
	.id_table = vgpu_pci_ids,
	.probe = vgpu_probe,
	.remove = vgpu_remove,
	.shutdown = vgpu_shutdown,
};

drm_module_pci_driver(vgpu_pci_driver);

MODULE_DESCRIPTION("DRM driver for the vgpu virtual GPU");
MODULE_LICENSE("Dual MIT/GPL");
