/* Just enough of the QEMU Machine Protocol to take a screenshot of a running guest. */
#ifndef VGPU_VM_QMP_H
#define VGPU_VM_QMP_H

#include <stdbool.h>

/* Saves the guest display as PNG at FILE (made absolute) through the QMP socket at SOCKET. Prints one
 * error line and returns false on failure. */
bool qmp_screendump(const char *socket_path, const char *file);

#endif
