/* SPDX-License-Identifier: MIT */
/* The 2D engine (spec 6.2): FILL, COPY and BLIT, every access through the MMU. */
#ifndef VGPU_ENGINE2D_H
#define VGPU_ENGINE2D_H

#include "cp/cp.h"

bool engine2d_fill(struct cp_job *job, const uint32_t *payload, uint32_t length);
bool engine2d_copy(struct cp_job *job, const uint32_t *payload, uint32_t length);
bool engine2d_blit(struct cp_job *job, const uint32_t *payload, uint32_t length);

#endif
