/* SPDX-License-Identifier: MIT */
/*
 * The QEMU console of vgpu-pci: shows the display engine's active scanout (a
 * copy, so the console never reads memory libvgpu may release or the guest may
 * unmap), follows mode changes, and forwards the hardware cursor. Screendumps
 * (QMP/HMP `screendump`) save this console's surface.
 */
#include "qemu/osdep.h"

#include "qemu/log.h"
#include "vgpu-pci.h"

static pixman_format_code_t pixman_format_of(uint32_t format,
                                             unsigned *bytes_per_pixel)
{
    switch (format) {
    case VGPU_FORMAT_B5G6R5_UNORM:
        *bytes_per_pixel = 2;
        return PIXMAN_r5g6b5;
    case VGPU_FORMAT_B8G8R8A8_UNORM: /* the display ignores alpha */
    case VGPU_FORMAT_B8G8R8X8_UNORM:
    default:
        *bytes_per_pixel = 4;
        return PIXMAN_x8r8g8b8;
    }
}

/*
 * Bytes from one row of the console surface to the next. pixman takes only
 * whole 32-bit words per row, and a B5G6R5 mode of odd width (allowed by the
 * spec) has rows of 2 * width bytes, so the copy pads each row.
 */
static size_t shadow_pitch(uint32_t width, unsigned bytes_per_pixel)
{
    return QEMU_ALIGN_UP((size_t)width * bytes_per_pixel, 4);
}

/*
 * A new console surface for a new mode; a disabled display shows black at the
 * preferred size.
 */
static void replace_surface(VgpuPciState *s, const struct vgpu_frame *frame)
{
    DisplaySurface *surface;

    g_free(s->shadow);
    s->shadow = NULL;
    s->mode.enabled = frame->enabled;
    s->mode.format = frame->format;
    s->mode.width = frame->width;
    s->mode.height = frame->height;
    if (frame->enabled) {
        unsigned bpp;
        pixman_format_code_t pixman = pixman_format_of(frame->format, &bpp);

        /*
         * The spec allows 16384x16384: a host short of memory shows a notice
         * instead of aborting.
         */
        s->shadow =
            g_try_malloc0(shadow_pitch(frame->width, bpp) * frame->height);
        if (!s->shadow) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "vgpu-pci: no host memory to show a %ux%u scanout\n",
                          frame->width, frame->height);
            /*
             * s->mode keeps this mode, so the next refresh does not retry until
             * the mode changes
             */
            dpy_gfx_replace_surface(
                s->con, qemu_create_placeholder_surface(
                            s->xres, s->yres,
                            "vgpu-pci: scanout too large for the host"));
            s->full_redraw = true;
            return;
        }
        surface = qemu_create_displaysurface_from(
            frame->width, frame->height, pixman,
            shadow_pitch(frame->width, bpp), s->shadow);
    } else {
        surface = qemu_create_displaysurface(s->xres, s->yres);
    }
    dpy_gfx_replace_surface(s->con, surface);
    s->full_redraw = true;
}

static bool mode_differs(const VgpuPciState *s, const struct vgpu_frame *frame)
{
    if (s->mode.enabled != frame->enabled) {
        return true;
    }
    return frame->enabled &&
           (frame->mode_changed || s->mode.format != frame->format ||
            s->mode.width != frame->width || s->mode.height != frame->height);
}

/*
 * Rows to copy: everything after a mode change or invalidate; otherwise the
 * engines' damage plus, when the scanout is in VRAM, the rows the guest CPU
 * wrote (dirty logging; libvgpu cannot see CPU writes). A scanout in system
 * memory is copied whole, as its CPU writes are not tracked.
 *
 * Each row is asked about for the bytes shown (width * bytes per pixel), not
 * its whole stride: the snapshot covers the scanout's span rounded to 256 KiB,
 * and the last row's stride may end past that rounding (QEMU asserts on a query
 * outside its snapshot).
 */
static void mark_dirty_rows(VgpuPciState *s, const struct vgpu_frame *frame,
                            bool *dirty)
{
    uint8_t *vram = memory_region_get_ram_ptr(&s->vram);
    unsigned bpp;
    uint64_t row_bytes, span;

    pixman_format_of(frame->format, &bpp);
    row_bytes = (uint64_t)frame->width * bpp;
    span = (uint64_t)frame->stride * (frame->height - 1) + row_bytes;
    bool in_vram = frame->pixels >= vram &&
                   frame->pixels < vram + s->vram_size &&
                   span <= s->vram_size - (uint64_t)(frame->pixels - vram);

    if (s->full_redraw || !in_vram) {
        memset(dirty, true, frame->height);
        return;
    }
    if (frame->damage.width && frame->damage.height) {
        for (uint32_t y = frame->damage.y;
             y < frame->height && y - frame->damage.y < frame->damage.height;
             y++) {
            dirty[y] = true;
        }
    }
    hwaddr offset = frame->pixels - vram;
    DirtyBitmapSnapshot *snap = memory_region_snapshot_and_clear_dirty(
        &s->vram, offset, span, DIRTY_MEMORY_VGA);
    for (uint32_t y = 0; y < frame->height; y++) {
        dirty[y] |= memory_region_snapshot_get_dirty(
            &s->vram, snap, offset + (hwaddr)frame->stride * y, row_bytes);
    }
    g_free(snap);
}

static void copy_scanout(VgpuPciState *s, const struct vgpu_frame *frame)
{
    unsigned bpp;
    size_t row_bytes, pitch;
    g_autofree bool *dirty = g_new0(bool, frame->height);

    pixman_format_of(frame->format, &bpp);
    row_bytes = (size_t)frame->width * bpp;
    pitch = shadow_pitch(frame->width, bpp);
    mark_dirty_rows(s, frame, dirty);
    for (uint32_t y = 0; y < frame->height;) {
        uint32_t first = y;

        while (y < frame->height && dirty[y]) {
            memcpy(s->shadow + pitch * y,
                   frame->pixels + (size_t)frame->stride * y, row_bytes);
            y++;
        }
        if (y > first) {
            dpy_gfx_update(s->con, 0, first, frame->width, y - first);
        }
        while (y < frame->height && !dirty[y]) {
            y++;
        }
    }
}

static void update_cursor(VgpuPciState *s, const struct vgpu_frame *frame)
{
    if (frame->cursor_changed && frame->cursor_pixels) {
        QEMUCursor *cursor = cursor_alloc(VGPU_CURSOR_SIZE, VGPU_CURSOR_SIZE);

        memcpy(cursor->data, frame->cursor_pixels,
               VGPU_CURSOR_SIZE * VGPU_CURSOR_SIZE * 4);
        dpy_cursor_define(s->con, cursor);
        cursor_put(cursor);
    }
    if (frame->cursor_enabled != s->cursor_shown ||
        frame->cursor_x != s->cursor_x || frame->cursor_y != s->cursor_y) {
        s->cursor_shown = frame->cursor_enabled;
        s->cursor_x = frame->cursor_x;
        s->cursor_y = frame->cursor_y;
        dpy_mouse_set(s->con, frame->cursor_x, frame->cursor_y,
                      frame->cursor_enabled);
    }
}

static void vgpu_pci_display_update(void *opaque)
{
    VgpuPciState *s = opaque;
    struct vgpu_frame frame;

    vgpu_display_acquire(s->gpu, &frame);
    /*
     * libvgpu validates the mode at commit; this only keeps the copy below in
     * bounds whatever it hands over
     */
    unsigned bpp;
    pixman_format_of(frame.format, &bpp);
    frame.enabled = frame.enabled && frame.pixels && frame.width &&
                    frame.height && frame.stride >= (uint64_t)frame.width * bpp;
    if (!s->con_has_surface || mode_differs(s, &frame)) {
        replace_surface(s, &frame);
        s->con_has_surface = true;
    }
    if (frame.enabled && s->shadow) {
        copy_scanout(s, &frame);
        update_cursor(s, &frame);
    } else if (s->full_redraw) {
        dpy_gfx_update_full(s->con);
    }
    s->full_redraw = false;
    vgpu_display_release(s->gpu);
}

void vgpu_pci_display_invalidate(void *opaque)
{
    VgpuPciState *s = opaque;

    s->full_redraw = true;
}

/*
 * The host window was resized: that becomes the preferred mode the guest driver
 * offers (HOTPLUG).
 */
static void vgpu_pci_ui_info(void *opaque, uint32_t head, QemuUIInfo *info)
{
    VgpuPciState *s = opaque;

    if (info->width && info->height && info->width <= VGPU_MAX_SURFACE_DIM &&
        info->height <= VGPU_MAX_SURFACE_DIM) {
        vgpu_set_preferred_mode(s->gpu, info->width, info->height);
    }
}

static const GraphicHwOps vgpu_pci_gfx_ops = {
    .gfx_update = vgpu_pci_display_update,
    .invalidate = vgpu_pci_display_invalidate,
    .ui_info = vgpu_pci_ui_info,
};

void vgpu_pci_display_init(VgpuPciState *s)
{
    s->con = graphic_console_init(DEVICE(s), 0, &vgpu_pci_gfx_ops, s);
    /*
     * CPU writes into VRAM are tracked so that a scanout the guest draws into
     * with the CPU refreshes.
     */
    memory_region_set_log(&s->vram, true, DIRTY_MEMORY_VGA);
}

void vgpu_pci_display_fini(VgpuPciState *s)
{
    graphic_console_close(s->con);
    g_free(s->shadow);
    s->shadow = NULL;
}
