/* SPDX-License-Identifier: MIT */
/* The 3D pipeline's entry point (spec section 10). */
#ifndef VGPU_ENGINE3D_H
#define VGPU_ENGINE3D_H

#include "cp/cp.h"

/* Every 3D packet (0x20..0x32) arrives here once the CP has checked its length. */
bool engine3d_packet(struct cp_job *job, const uint32_t *payload, uint32_t length);

#endif
