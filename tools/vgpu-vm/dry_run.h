/* --dry-run: a POSIX shell script that does what `vgpu-vm run` would do with the same options: unpack the
 * kernel, build the same initramfs with cpio, boot QEMU with the same devices, exit with the payload's
 * status. The script's channels are plain files where vgpu-vm uses pipes and a socket. */
#ifndef VGPU_VM_DRY_RUN_H
#define VGPU_VM_DRY_RUN_H

#include "plan.h"

void dry_run_script(struct run_plan *plan, struct buf *script);

#endif
