/* SPDX-License-Identifier: MIT */
/* The 3D pipeline is not implemented yet (its own issue): CAPS does not advertise 3D, and the spec (8.1) says
 * a packet of an engine the device lacks is BAD_OPCODE. The CP has already validated the packet's length, so
 * a well-formed 3D packet faults cleanly here and the stream goes on. The pipeline replaces this function. */
#include "engine3d/engine3d.h"

bool engine3d_packet(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	/* FAULT_ADDR holds the header dword for BAD_OPCODE; the payload follows it in the packet. */
	return cp_fail(job, VGPU_FAULT_BAD_OPCODE, payload[-1]);
}
