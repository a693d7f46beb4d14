/* The contract between vgpu-vm on the host and its init in the guest. vgpu-vm writes the job into the
 * initramfs it generates; init answers over virtio-serial ports whose numbers are fixed here. */
#ifndef VGPU_VM_GUEST_PROTOCOL_H
#define VGPU_VM_GUEST_PROTOCOL_H

/* Files in the initramfs. */
#define GUEST_JOB_DIR "/vgpu-vm"
#define GUEST_MODULES_FILE                                                                                   \
	GUEST_JOB_DIR "/modules"                 /* .ko paths in the initramfs, one a line, in load order */
#define GUEST_EXEC_FILE    GUEST_JOB_DIR "/exec" /* the payload, run with /bin/sh -c; absent: a shell */
#define GUEST_CWD_FILE     GUEST_JOB_DIR "/cwd"  /* the payload's working directory */
#define GUEST_WAIT_FILE    GUEST_JOB_DIR "/wait-for-host" /* present: wait for a host line before power-off */
#define GUEST_NET_FILE     GUEST_JOB_DIR "/user-network" /* present: configure eth0 for QEMU's user network */
#define GUEST_RESCUE_SHELL "/bin/sh"                     /* present only in interactive runs */
#define GUEST_MODULE_DIR   "/lib/modules/vgpu-vm"

/* The 9p mount tag of the host root. */
#define GUEST_ROOT_TAG "hostroot"

/* virtio-serial port numbers: the guest sees them as /dev/vport0pN (one virtio-serial device). */
#define GUEST_PORT_STDOUT  1
#define GUEST_PORT_STDERR  2
#define GUEST_PORT_CONTROL 3

/* Control lines from the guest: "exit STATUS\n" when the payload ended (STATUS as a shell reports it),
 * "error MESSAGE\n" when init could not start it. */
#define GUEST_EXIT_PREFIX  "exit "
#define GUEST_ERROR_PREFIX "error "

#endif
