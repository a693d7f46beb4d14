/* Running a planned guest: QEMU as a child, the guest's stdout and stderr relayed, its exit status read
 * from the control port, the time limit enforced. */
#ifndef VGPU_VM_LAUNCH_H
#define VGPU_VM_LAUNCH_H

#include "plan.h"

/* vgpu-vm's exit status when the guest's own status is not known. */
#define EXIT_TIMEOUT     124
#define EXIT_VM_FAILURE  125
#define EXIT_INTERRUPTED 130

/* Returns the payload's exit status, EXIT_TIMEOUT, or EXIT_VM_FAILURE (with one error line printed). */
int launch(struct run_plan *plan);

#endif
