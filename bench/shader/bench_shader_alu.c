/* Shader ALU throughput (per CPU second of this thread): an arithmetic-heavy vertex shader (a block of
 * ffma/fmul/fadd/fmax/fmin repeated) run warp after warp on one thread, beside the same arithmetic as a plain
 * C loop in the same run. Prints G lane-instructions/s for both and their ratio; the two must agree bit for
 * bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shader/shader.h"
#include "vgpu_asm.h"

#define BLOCKS 40
#define WARPS  100000
#define LANES  VGPU_ISA_LANES

static const char block_asm[] = "	ffma r2, r2, r0, r1\n" /* a = a * x + y */
                                "	fmul r3, r2, r1\n"     /* b = a * y */
                                "	fadd r4, r3, -r2\n"    /* c = b - a */
                                "	fmax r5, r4, r0\n"     /* d = max(c, x) */
                                "	ffma r2, r5, r1, r3\n" /* a = d * y + b */
                                "	fmin r2, r2, r6\n";    /* a = min(a, 4) */
#define BLOCK_OPS 6

static float input_x(unsigned i)
{
	return (float)(i % 1000) / 1000.0f;
}

static float input_y(unsigned i)
{
	return 0.5f + (float)(i % 777) / 1554.0f;
}

static void plain_c(float *out, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		float x = input_x(i), y = input_y(i), a = 0.0f, limit = 4.0f;
		for (unsigned b = 0; b < BLOCKS; b++) {
			float prod = a * x;
			a = prod + y;
			float bb = a * y;
			float c = bb - a;
			float d = c > x ? c : x;
			prod = d * y;
			a = prod + bb;
			a = a < limit ? a : limit;
		}
		out[i] = a;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: robust on a busy machine */
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef enum vgpu_shader_fault (*run_fn)(const struct vgpu_shader *, struct vgpu_shader_warp *,
                                         const struct vgpu_shader_env *);

/* Runs every warp through `run`, writing lane results to `out`; returns seconds, adds to *issued. */
static double run_warps(run_fn run, const struct vgpu_shader *shader, struct vgpu_shader_warp *w, float *out,
                        uint64_t *issued)
{
	struct vgpu_shader_env env = {.budget = 100000};
	double t0 = now();

	for (unsigned warp = 0; warp < WARPS; warp++) {
		w->lane_mask = 0xffff;
		for (unsigned l = 0; l < LANES; l++) {
			w->attrib[0][0][l] = input_x(warp * LANES + l);
			w->attrib[0][1][l] = input_y(warp * LANES + l);
		}
		run(shader, w, &env);
		*issued += w->issued;
		memcpy(out + warp * LANES, w->out[VGPU_ISA_OUT_VARYING0][0], sizeof(float) * LANES);
	}
	return now() - t0;
}

int main(void)
{
	size_t len = 256 + sizeof(block_asm) * BLOCKS, size;
	char *text = malloc(len), error[VGPU_ASM_ERROR_SIZE], load_error[VGPU_SHADER_ERROR_SIZE];
	float *expected = malloc(sizeof(float) * WARPS * LANES), *got = malloc(sizeof(float) * WARPS * LANES);
	struct vgpu_shader_warp *w = calloc(1, sizeof(*w));
	struct vgpu_shader *shader;
	unsigned char *bin;
	uint64_t issued = 0;
	unsigned mismatches = 0;
	double t0, t_shader, t_c, shader_rate, c_rate;

	strcpy(text, ".stage vertex\n ld.in r0, a0.x\n ld.in r1, a0.y\n mov r6, 4.0\n");
	for (unsigned b = 0; b < BLOCKS; b++)
		strcat(text, block_asm);
	strcat(text, " st.out var0.x, r2\n end\n");
	if (vgpu_assemble(text, "bench.s", &bin, &size, error)) {
		fprintf(stderr, "bench-shader-alu: %s\n", error);
		return 1;
	}
	shader = vgpu_shader_load(bin, size, load_error, NULL);
	if (!shader) {
		fprintf(stderr, "bench-shader-alu: %s\n", load_error);
		return 1;
	}

	t_shader = run_warps(vgpu_shader_run, shader, w, got, &issued);

	t0 = now();
	plain_c(expected, WARPS * LANES);
	t_c = now() - t0;

	for (unsigned i = 0; i < WARPS * LANES; i++)
		mismatches += memcmp(&got[i], &expected[i], sizeof(float)) != 0;
	shader_rate = (double)issued * LANES / t_shader * 1e-9;
	/* The C loop performs the block's operations (plus the same loads/stores) per element. */
	c_rate = (double)issued * LANES / t_c * 1e-9;
	printf("shader-alu: %u warps x %llu instructions (%u ALU ops per block x %u blocks), 1 thread\n",
	       WARPS, (unsigned long long)(issued / WARPS), BLOCK_OPS, BLOCKS);
	printf("  shader core: %.3f G lane-instructions/s (%.3f s)\n", shader_rate, t_shader);
	printf("  plain C    : %.3f G lane-instructions/s (%.3f s)\n", c_rate, t_c);
	printf("  ratio      : shader core runs at %.3f of plain C speed (%.1fx slower)\n",
	       shader_rate / c_rate, c_rate / shader_rate);
	printf("  results    : %s\n", mismatches ? "MISMATCH between shader and C" : "identical bit for bit");
	vgpu_shader_free(shader);
	free(bin);
	free(text);
	free(expected);
	free(got);
	free(w);
	return mismatches ? 1 : 0;
}
