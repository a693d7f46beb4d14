/* Named VMs: a directory per VM under the VMs directory ($VGPU_VM_DIR, else $XDG_DATA_HOME/vgpu-vm/vms, else
 * ~/.local/share/vgpu-vm/vms) holding its config file, its disk image, and its QMP socket while it runs. */
#ifndef VGPU_VM_VMS_H
#define VGPU_VM_VMS_H

#include <stdbool.h>

#include "options.h"

/* `vgpu-vm create NAME ...`: exit status. */
int vms_create(const char *name, struct vm_options *o);
/* `vgpu-vm list`: exit status. */
int vms_list(void);
/* Loads NAME's config into O; *qmp_socket gets where its QMP socket goes. Prints one error line on failure.
 */
bool vms_load(const char *name, struct vm_options *o, char **qmp_socket);
/* `vgpu-vm screenshot NAME FILE.png`: a screenshot of a running named VM. */
int vms_screenshot(const char *name, const char *file);

#endif
