/* SPDX-License-Identifier: MIT */
/* 2D engine throughput (`make bench`): FILL and COPY of a 64 MiB surface in VRAM through the MMU, beside
 * memset and memcpy of the same bytes measured in the same run, reported as ratios (target >= 0.7). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gpu_fixture.h"

#define VRAM    (512ull << 20)
#define WIDTH   4096u
#define HEIGHT  4096u
#define BYTES   ((uint64_t)WIDTH * HEIGHT * 4)
#define SRC_PA  (64ull << 20)
#define DST_PA  (192ull << 20)
#define SRC_VA  0x100000000ull
#define DST_VA  0x200000000ull
#define REPEATS 7

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Best of REPEATS runs, in GB/s of bytes written. */
static double gpu_rate(struct fixture *fx, const struct vgpu_cmdbuf *cb, uint64_t bytes)
{
	double best = 1e9;
	for (int i = 0; i < REPEATS; i++) {
		double start = now();
		fx_submit(fx, cb);
		double elapsed = now() - start;
		best = elapsed < best ? elapsed : best;
	}
	return (double)bytes / best / 1e9;
}

static double memset_rate(uint8_t *dst, uint64_t bytes)
{
	double best = 1e9;
	for (int i = 0; i < REPEATS; i++) {
		double start = now();
		memset(dst, 0x40 + i, bytes);
		double elapsed = now() - start;
		best = elapsed < best ? elapsed : best;
	}
	return (double)bytes / best / 1e9;
}

static double memcpy_rate(uint8_t *dst, const uint8_t *src, uint64_t bytes)
{
	double best = 1e9;
	for (int i = 0; i < REPEATS; i++) {
		double start = now();
		memcpy(dst, src, bytes);
		double elapsed = now() - start;
		best = elapsed < best ? elapsed : best;
	}
	return (double)bytes / best / 1e9;
}

static void report(const char *what, double rate, const char *baseline, double base_rate)
{
	printf("%-34s %6.2f GB/s   %-7s %6.2f GB/s   ratio %.2f\n", what, rate, baseline, base_rate,
	       rate / base_rate);
}

int main(void)
{
	struct fixture *fx = fx_create_with_vram(VRAM);
	uint32_t words[64];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 64);
	fx_map(fx, SRC_VA, SRC_PA, BYTES / 4096, true);
	fx_map(fx, DST_VA, DST_PA, BYTES / 4096, true);
	fx_emit_context(fx, &cb, 1);
	fx_submit(fx, &cb);
	uint8_t *src = fx->vram + SRC_PA, *dst = fx->vram + DST_PA;
	for (uint64_t i = 0; i < BYTES; i += 4096)
		src[i] = (uint8_t)i, dst[i] = 0; /* touch every page before timing */

	struct vgpu_pkt_surface s = {SRC_VA, WIDTH * 4, VGPU_FORMAT_B8G8R8A8_UNORM};
	struct vgpu_pkt_surface d = {DST_VA, WIDTH * 4, VGPU_FORMAT_B8G8R8A8_UNORM};
	/* A narrower rectangle leaves a gap after each row: one span per row instead of one for the surface.
	 */
	uint32_t padded_width = WIDTH - 16;
	uint64_t padded_bytes = (uint64_t)padded_width * 4 * HEIGHT;

	double base_set = memset_rate(dst, BYTES), base_cpy = memcpy_rate(dst, src, BYTES);
	printf("vgpu 2D engine, %ux%u B8G8R8A8 (%llu MiB), best of %d\n", WIDTH, HEIGHT,
	       (unsigned long long)(BYTES >> 20), REPEATS);

	cb.count = 0;
	vgpu_pkt_fill(&cb, &d, 0, 0, WIDTH, HEIGHT, 0x12345678);
	report("FILL (pattern), packed rows", gpu_rate(fx, &cb, BYTES), "memset", base_set);
	cb.count = 0;
	vgpu_pkt_fill(&cb, &d, 0, 0, WIDTH, HEIGHT, 0);
	report("FILL (zero), packed rows", gpu_rate(fx, &cb, BYTES), "memset", base_set);
	cb.count = 0;
	vgpu_pkt_fill(&cb, &d, 0, 0, padded_width, HEIGHT, 0x12345678);
	report("FILL (pattern), row by row", gpu_rate(fx, &cb, padded_bytes), "memset", base_set);
	cb.count = 0;
	vgpu_pkt_copy(&cb, &s, 0, 0, &d, 0, 0, WIDTH, HEIGHT);
	report("COPY, packed rows", gpu_rate(fx, &cb, BYTES), "memcpy", base_cpy);
	cb.count = 0;
	vgpu_pkt_copy(&cb, &s, 0, 0, &d, 0, 0, padded_width, HEIGHT);
	report("COPY, row by row", gpu_rate(fx, &cb, padded_bytes), "memcpy", base_cpy);

	/* Baselines again: the machine's speed drifts; the ratios above used the first measurement. */
	printf("%-34s memset %6.2f GB/s   memcpy %6.2f GB/s\n", "baselines after the run",
	       memset_rate(dst, BYTES), memcpy_rate(dst, src, BYTES));
	if (vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_STATUS)) {
		fprintf(stderr,
		        "bench_2d: the GPU recorded a fault (type 0x%x); the figures are meaningless\n",
		        vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_TYPE));
		return 1;
	}
	fx_destroy(fx);
	return 0;
}
