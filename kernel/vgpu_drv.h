/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vgpu.ko: the DRM driver of the vgpu PCI device (docs/hw-spec.md, docs/kernel.md). Shared
 * declarations of the driver's parts: probe (vgpu_drv.c), interrupts (vgpu_irq.c), display
 * (vgpu_display.c, vgpu_plane.c, vgpu_connector.c), framebuffers and dumb buffers (vgpu_fb.c),
 * ioctls (vgpu_ioctl.c), debugfs (vgpu_debugfs.c); command submission: GPU address spaces
 * (vgpu_vm.c), the ring and its fences (vgpu_ring.c), jobs and the scheduler (vgpu_job.c), the
 * submission ioctls (vgpu_submit.c).
 */
#ifndef VGPU_DRV_H
#define VGPU_DRV_H

#include <linux/io.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_mm.h>
#include <drm/drm_plane.h>
#include <drm/gpu_scheduler.h>

#include <drm/vgpu_drm.h>
#include <vgpu/vgpu_hw.h>

#define VGPU_DRIVER_NAME "vgpu"

/* One MSI-X vector (or the single INTx line) and the interrupt bits it serves. */
struct vgpu_irq_line {
	struct vgpu_device *vdev;
	unsigned int irq;
	u32 events;
};

/* A fault the device recorded (hw-spec 8.1), and the job it was charged to. */
struct vgpu_fault_record {
	u32 type, info, asid, ring_pos, ib_pos;
	u64 addr;
	u64 seqno; /* the job's submit seqno in its file; 0: no job */
	pid_t pid; /* the submitting process; 0: no job */
};

#define VGPU_FAULT_LOG_SIZE 16

/*
 * The kernel-owned ring (hw-spec 5.1) in DMA-coherent system memory, and a status page the device
 * writes: the head write-back and the last FENCE sequence number.
 */
struct vgpu_ring {
	u32 *words;
	dma_addr_t dma;
	u32 size; /* bytes, a power of two */
	u32 tail; /* bytes; only the scheduler thread (or the reset, with it stopped) moves it */
	struct vgpu_ring_status *status;
	dma_addr_t status_dma;
	u64 next_seq; /* the sequence number the next FENCE carries */
	u64 context_vm_id; /* vgpu_vm.id of the device's current context; 0: none */
};

struct vgpu_ring_status {
	u32 head;
	u32 pad;
	u64 fence_seq;
};

/* A GPU address space (hw-spec 4.2): an ASID and page tables in system memory. */
struct vgpu_page_table {
	u64 *entries;
	dma_addr_t dma;
	struct vgpu_page_table **children; /* levels 2 and 1: the next level's tables */
};

struct vgpu_vm {
	struct vgpu_device *vdev;
	u32 asid;
	u64 id; /* never reused, unlike the ASID: the ring's current context is named by it */
	struct mutex lock; /* the tables and the mappings */
	struct vgpu_page_table root;
	struct drm_mm va_space;
	struct list_head mappings;
	u64 sysmem_pinned; /* bytes of system memory the mappings pin, under lock */
	atomic_t tables_changed; /* the next job invalidates the device's translations */
};

/* An open file's submission state. */
struct vgpu_file {
	struct vgpu_device *vdev;
	struct vgpu_vm vm;
	struct drm_sched_entity entity;
	/* Orders submissions with unmapping: an unmap waits for every job pushed before it. */
	struct mutex submit_lock;
	u64 last_seqno;
	struct dma_fence *last_job_done; /* the finished fence of the last job pushed */
	/* Faults of this file's jobs, under vdev->fence_lock. */
	u32 fault_count;
	struct vgpu_fault_record last_fault;
};

/* A submitted job (vgpu_submit.c builds it, vgpu_job.c runs it). */
struct vgpu_job {
	struct drm_sched_job base;
	struct vgpu_device *vdev;
	/* Valid until the job's finished fence signals: closing the file waits for that. */
	struct vgpu_file *file;
	struct drm_vgpu_cmdbuf *cmdbufs;
	u32 cmdbuf_count;
	struct drm_gem_object **bos;
	u32 bo_count;
	u64 seqno;
	pid_t pid;
	struct dma_fence *hw_fence; /* from the last run_job */
};

struct vgpu_device {
	struct drm_device drm;
	void __iomem *regs;

	/* Identity read once at probe; the ioctls and the KMS limits use these copies. */
	u32 version;
	u32 caps;
	u32 max_surface_dim;
	u32 warp_lanes;
	u32 refresh_mhz;
	u64 vram_size;
	resource_size_t vram_base;

	struct vgpu_irq_line irq_lines[VGPU_MSIX_VECTORS];
	unsigned int irq_line_count;
	spinlock_t
		int_mask_lock; /* INT_MASK is changed from process and vblank (irq-off) context */
	u32 int_mask;
	u32 faults_seen; /* FAULT_COUNT at the last report: counts faults not recorded */

	struct drm_crtc crtc;
	struct drm_plane primary;
	struct drm_plane cursor;
	struct drm_encoder encoder;
	struct drm_connector connector;
	/* The page-flip event waiting for FLIP_DONE; protected by drm.event_lock. */
	struct drm_pending_vblank_event *flip_event;
	u32 vblank_counter; /* VBLANK_COUNT as last read */
	struct work_struct hotplug_work;

	/* Command submission. */
	struct vgpu_ring ring;
	struct drm_gpu_scheduler sched;
	bool sched_ready;
	u64 fence_context;
	/* Protects the fences in flight, the fault record registers and the fault counters. */
	spinlock_t fence_lock;
	struct list_head fences_in_flight; /* struct vgpu_hw_fence, oldest first */
	struct ida asids;
	atomic64_t next_vm_id;
	u32 watchdog;
	u32 resets;
	u64 jobs_run;
	/* Leak checks for the tests: jobs, address spaces and system-memory objects that exist. */
	atomic_t jobs_alive;
	atomic_t vms_alive;
	atomic_t sysmem_objects_alive;
	atomic_t gpu_pins; /* vgpu_gem_pin_for_gpu calls not yet undone */
	struct vgpu_fault_record fault_log[VGPU_FAULT_LOG_SIZE];
	u32 fault_log_count; /* faults recorded since probe; the log holds the last ones */
};

static inline struct vgpu_device *to_vgpu(struct drm_device *drm)
{
	return container_of(drm, struct vgpu_device, drm);
}

static inline u32 vgpu_read(struct vgpu_device *vdev, u32 reg)
{
	return readl(vdev->regs + reg);
}

static inline void vgpu_write(struct vgpu_device *vdev, u32 reg, u32 value)
{
	writel(value, vdev->regs + reg);
}

static inline void vgpu_write64(struct vgpu_device *vdev, u32 reg_lo, u32 reg_hi, u64 value)
{
	vgpu_write(vdev, reg_lo, lower_32_bits(value));
	vgpu_write(vdev, reg_hi, upper_32_bits(value));
}

/* The device clock in ns: reading TIMESTAMP_LO latches TIMESTAMP_HI. */
static inline u64 vgpu_read_timestamp(struct vgpu_device *vdev)
{
	u32 lo = vgpu_read(vdev, VGPU_REG_TIMESTAMP_LO);

	return ((u64)vgpu_read(vdev, VGPU_REG_TIMESTAMP_HI) << 32) | lo;
}

/* vgpu_irq.c */
int vgpu_irq_init(struct vgpu_device *vdev);
void vgpu_irq_fini(struct vgpu_device *vdev);
void vgpu_irq_enable(struct vgpu_device *vdev, u32 events);
void vgpu_irq_disable(struct vgpu_device *vdev, u32 events);

/* vgpu_display.c */
int vgpu_display_init(struct vgpu_device *vdev);
void vgpu_display_vblank(struct vgpu_device *vdev);
void vgpu_display_flip_done(struct vgpu_device *vdev);

/* vgpu_plane.c */
int vgpu_planes_init(struct vgpu_device *vdev);

/* vgpu_connector.c */
int vgpu_connector_init(struct vgpu_device *vdev);
void vgpu_connector_hotplug(struct vgpu_device *vdev);

/* vgpu_fb.c */
u32 vgpu_fb_hw_format(u32 drm_format);
struct drm_framebuffer *vgpu_fb_create(struct drm_device *drm, struct drm_file *file,
				       const struct drm_mode_fb_cmd2 *mode_cmd);
int vgpu_dumb_create(struct drm_file *file, struct drm_device *drm,
		     struct drm_mode_create_dumb *args);
u64 vgpu_fb_vram_offset(struct drm_framebuffer *fb, int src_x, int src_y);

/* vgpu_vm.c */
int vgpu_vm_init(struct vgpu_device *vdev, struct vgpu_vm *vm);
void vgpu_vm_fini(struct vgpu_vm *vm);
int vgpu_vm_map(struct vgpu_vm *vm, struct drm_gem_object *obj, u64 va, bool read_only);
struct vgpu_mapping;
struct vgpu_mapping *vgpu_vm_unmap(struct vgpu_vm *vm, u64 va);
void vgpu_vm_mapping_release(struct vgpu_mapping *mapping);
static inline u64 vgpu_vm_root_pa(struct vgpu_vm *vm)
{
	return VGPU_PA_SYSMEM | vm->root.dma;
}

/* vgpu_ring.c */
int vgpu_ring_init(struct vgpu_device *vdev);
void vgpu_ring_stop(struct vgpu_device *vdev);
void vgpu_ring_fini(struct vgpu_device *vdev);
void vgpu_ring_restart(struct vgpu_device *vdev);
struct dma_fence *vgpu_ring_emit_job(struct vgpu_device *vdev, struct vgpu_job *job);
void vgpu_ring_fence_irq(struct vgpu_device *vdev);
void vgpu_ring_cancel_all(struct vgpu_device *vdev, int error, bool to_jobs);
void vgpu_ring_charge_fault(struct vgpu_device *vdev, struct vgpu_fault_record *record);
struct seq_file;
void vgpu_ring_debugfs_show(struct vgpu_device *vdev, struct seq_file *m);

/* vgpu_job.c */
int vgpu_sched_init(struct vgpu_device *vdev);
int vgpu_job_open(struct drm_device *drm, struct drm_file *file);
void vgpu_job_postclose(struct drm_device *drm, struct drm_file *file);
void vgpu_job_put(struct vgpu_job *job);

/* vgpu_gem.c */
struct dma_buf_attachment;
struct sg_table;

/* Where the device finds a pinned buffer object: its pages' bus addresses, or its VRAM offset. */
struct vgpu_bo_placement {
	struct sg_table *sgt; /* system memory; NULL for VRAM */
	s64 vram_offset;
};

bool vgpu_gem_is_sysmem(const struct drm_gem_object *obj);
bool vgpu_gem_pins_sysmem(const struct drm_gem_object *obj);
u64 vgpu_gem_sysmem_pin_limit(void);
int vgpu_gem_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int vgpu_gem_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
/* Keeps obj where it is, reachable by the device, until vgpu_gem_unpin_for_gpu. */
int vgpu_gem_pin_for_gpu(struct drm_gem_object *obj, struct vgpu_bo_placement *placement);
void vgpu_gem_unpin_for_gpu(struct drm_gem_object *obj);
int vgpu_gem_prime_handle_to_fd(struct drm_device *drm, struct drm_file *file, u32 handle,
				u32 flags, int *prime_fd);
struct drm_gem_object *vgpu_gem_prime_import_sg_table(struct drm_device *drm,
						      struct dma_buf_attachment *attach,
						      struct sg_table *sgt);

/* vgpu_submit.c */
int vgpu_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int vgpu_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int vgpu_wait_bo_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int vgpu_get_fault_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

/* vgpu_irq.c */
const char *vgpu_fault_name(u32 type);

/* vgpu_debugfs.c */
void vgpu_debugfs_init(struct drm_minor *minor);

/* vgpu_ioctl.c */
struct file;
long vgpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);
long vgpu_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);
int vgpu_get_param_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* VGPU_DRV_H */
