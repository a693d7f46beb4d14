/* The fixed-function interface of the shader core: attributes, varyings and their interpolation, outputs,
 * system values, uniform loads and texture sampling through the environment callbacks (docs/isa.md,
 * "Inputs and outputs"). */
#include <string.h>

#include "shader_harness.h"
#include "vgpu_test.h"

static struct vgpu_shader_warp warp;

static void test_attributes_and_vertex_outputs(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	ld.in r0, a15.w\n"
	                                "	ld.in r1, a3.y\n"
	                                "	mov r2, sr.vertexid\n"
	                                "	mov r3, sr.instanceid\n"
	                                "	mov r4, sr.laneid\n"
	                                "	st.out pos.x, r0\n"
	                                "	st.out pos.w, r1\n"
	                                "	st.out psize, 4.0\n"
	                                "	st.out var15.w, r2\n"
	                                "	st.out var0.z, r3\n"
	                                "	st.out var7.x, r4\n"
	                                "	end\n");
	struct sh_env env;
	if (!s)
		return;
	VT_CHECK_EQ_U64(vgpu_shader_inputs(s), 1u << 15 | 1u << 3);
	VT_CHECK_EQ_U64(vgpu_shader_outputs(s), 1u << 0 | 1u << 1 | 1u << 17 | 1u << 2 | 1u << 9);
	VT_CHECK_EQ_INT(vgpu_shader_stage(s), VGPU_ISA_STAGE_VERTEX);
	sh_env_init(&env, 100);
	sh_warp_init(&warp);
	warp.lane_mask = 0xfff0;
	for (unsigned l = 0; l < 16; l++) {
		warp.attrib[15][3][l] = (float)l * 0.25f;
		warp.attrib[3][1][l] = -(float)l;
		warp.vertex_id[l] = 1000 + l;
		warp.instance_id[l] = 7;
	}
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++) {
		int on = l >= 4;
		VT_CHECK_EQ_U64(warp.out[VGPU_ISA_OUT_POSITION][0][l] == (on ? (float)l * 0.25f : 0.0f), 1);
		VT_CHECK_EQ_U64(warp.out[VGPU_ISA_OUT_POSITION][3][l] == (on ? -(float)l : 0.0f), 1);
		VT_CHECK_EQ_U64(warp.out[VGPU_ISA_OUT_POINTSIZE][0][l] == (on ? 4.0f : 0.0f), 1);
		VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0 + 15, 3, l), on ? 1000 + l : 0);
		VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0, 2, l), on ? 7 : 0);
		VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0 + 7, 0, l), on ? l : 0);
	}
	vgpu_shader_free(s);
}

static void test_varying_interpolation(void)
{
	struct vgpu_shader *s = sh_load(".stage fragment\n"
	                                "	ld.var.smooth r0, v2.y\n"
	                                "	ld.var.noperspective r1, v2.y\n"
	                                "	ld.var.flat r2, v2.y\n"
	                                "	ld.var.flat r3, v9.x\n"
	                                "	st.out color0.x, r0\n"
	                                "	st.out color0.y, r1\n"
	                                "	st.out color0.z, r2\n"
	                                "	st.out color3.w, r3\n"
	                                "	end\n");
	const float v[3] = {1.0f, 5.0f, -3.0f};
	struct sh_env env;
	if (!s)
		return;
	sh_env_init(&env, 100);
	sh_warp_init(&warp);
	memcpy(warp.varying[2][1], v, sizeof(v));
	warp.varying[9][0][0] = 11.0f;
	warp.varying[9][0][2] = 13.0f;
	warp.provoking_vertex = 2;
	for (unsigned l = 0; l < 16; l++) {
		warp.bary_persp[0][l] = (float)l / 16.0f;
		warp.bary_persp[1][l] = 0.25f;
		warp.bary_linear[0][l] = 0.5f;
		warp.bary_linear[1][l] = (float)l / 32.0f;
	}
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++) {
		float b1 = (float)l / 16.0f, b2 = 0.25f, c1 = 0.5f, c2 = (float)l / 32.0f;
		float smooth = v[0] + b1 * (v[1] - v[0]) + b2 * (v[2] - v[0]);
		float linear = v[0] + c1 * (v[1] - v[0]) + c2 * (v[2] - v[0]);
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 0, l), sh_bits(smooth));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 1, l), sh_bits(linear));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 2, l), sh_bits(-3.0f));
		VT_CHECK_EQ_U64(sh_out(&warp, 3, 3, l), sh_bits(13.0f));
	}
	vgpu_shader_free(s);
}

static void test_fragment_system_values_and_depth(void)
{
	struct vgpu_shader *s = sh_load(".stage fragment\n"
	                                "	mov r0, sr.fragcoord.x\n"
	                                "	mov r1, sr.fragcoord.w\n"
	                                "	mov r2, sr.frontfacing\n"
	                                "	mov r3, sr.fragcoord.z\n"
	                                "	st.out color1.x, r0\n"
	                                "	st.out color1.y, r1\n"
	                                "	st.out color2.z, r2\n"
	                                "	st.out depth, r3\n"
	                                "	end\n");
	struct sh_env env;
	if (!s)
		return;
	sh_env_init(&env, 100);
	for (int facing = 0; facing < 2; facing++) {
		sh_warp_init(&warp);
		warp.front_facing = (uint32_t)facing;
		for (unsigned l = 0; l < 16; l++) {
			warp.frag_coord[0][l] = (float)l + 0.5f;
			warp.frag_coord[2][l] = 0.125f * (float)l;
			warp.frag_coord[3][l] = 2.0f;
		}
		VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_NONE);
		for (unsigned l = 0; l < 16; l++) {
			VT_CHECK_EQ_U64(sh_out(&warp, 1, 0, l), sh_bits((float)l + 0.5f));
			VT_CHECK_EQ_U64(sh_out(&warp, 1, 1, l), sh_bits(2.0f));
			VT_CHECK_EQ_U64(sh_out(&warp, 2, 2, l), facing ? 0xffffffffu : 0);
			VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_DEPTH, 0, l), sh_bits(0.125f * (float)l));
		}
	}
	vgpu_shader_free(s);
}

static void test_uniform_loads(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	mov r0, sr.laneid\n"
	                                "	ishl r0, r0, 3\n"
	                                "	ld.ubo r1, ubo0[r0 + 4]\n"
	                                "	ld.ubo r2, ubo1[8]\n"
	                                "	ld.ubo r3, ubo0[r0 + 65532]\n"
	                                "	ld.ubo r4, ubo5[0]\n"
	                                "	iadd r5, r0, 2\n"
	                                "	ld.ubo r5, ubo0[r5]\n"
	                                "	st.out var0.x, r1\n"
	                                "	st.out var0.y, r2\n"
	                                "	st.out var0.z, r3\n"
	                                "	st.out var0.w, r4\n"
	                                "	st.out var1.x, r5\n"
	                                "	end\n");
	struct sh_env env;
	if (!s)
		return;
	sh_env_init(&env, 100);
	for (unsigned i = 0; i < 64; i++)
		env.ubo[i] = 0x1000 + i;
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++) {
		VT_CHECK_EQ_U64(sh_out(&warp, 2, 0, l), 0x1000 + 2 * l + 1);
		VT_CHECK_EQ_U64(sh_out(&warp, 2, 1, l), 0x1000 + 63 - 2); /* slot 1 is slot 0 reversed */
		VT_CHECK_EQ_U64(sh_out(&warp, 2, 2, l), 0);               /* past the buffer: zero */
		VT_CHECK_EQ_U64(sh_out(&warp, 2, 3, l), 0);               /* unbound slot: zero */
		VT_CHECK_EQ_U64(sh_out(&warp, 3, 0, l), 0x1000 + 2 * l);  /* unaligned address rounds down */
	}
	/* A fault from the memory system ends the invocation at that instruction. */
	env.fail_ubo = 0x77;
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_UBO);
	VT_CHECK_EQ_U64(warp.fault_pc, 3); /* mov, ishl and its immediate word, ld.ubo */
	VT_CHECK_EQ_U64(warp.fault_detail, 0x77);
	env.env.ubo_load = NULL;
	env.fail_ubo = 0;
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_UBO);
	vgpu_shader_free(s);
}

static void test_texture_sampling_with_quad_derivatives(void)
{
	struct vgpu_shader *s = sh_load(".stage fragment\n"
	                                "	mov r0, sr.fragcoord.x\n"
	                                "	fmul r0, r0, 0.125\n"
	                                "	mov r1, sr.fragcoord.y\n"
	                                "	fmul r1, r1, r1\n"
	                                "	tex.2d r4, t3, s5, r0\n"
	                                "	st.out color0.x, r4\n"
	                                "	st.out color0.y, r5\n"
	                                "	st.out color0.z, r6\n"
	                                "	st.out color0.w, r7\n"
	                                "	end\n");
	struct sh_env env;
	if (!s)
		return;
	sh_env_init(&env, 100);
	sh_warp_init(&warp);
	warp.lane_mask = 0x0fff;
	for (unsigned l = 0; l < 16; l++) {
		warp.frag_coord[0][l] = (float)(2 * (l / 4) + (l & 1));
		warp.frag_coord[1][l] = (float)((l & 2) >> 1) + 3.0f;
	}
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_INT(env.texture_calls, 1);
	VT_CHECK_EQ_INT(env.last_request.texture, 3);
	VT_CHECK_EQ_INT(env.last_request.sampler, 5);
	VT_CHECK_EQ_INT(env.last_request.mode, VGPU_ISA_TEX_IMPLICIT);
	VT_CHECK_EQ_INT(env.last_request.cube, 0);
	VT_CHECK_EQ_U64(env.last_request.mask, 0x0fff);
	for (unsigned l = 0; l < 12; l++) {
		float x = warp.frag_coord[0][l] * 0.125f;
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 0, l), sh_bits(x));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 2, l), sh_bits(0.125f));       /* d(s)/dx */
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 3, l), sh_bits(16.0f - 9.0f)); /* d(t)/dy: 4^2 - 3^2 */
	}
	for (unsigned l = 12; l < 16; l++)
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 0, l), 0);
	vgpu_shader_free(s);
}

static void test_texture_modes_cube_shadow_and_faults(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	mov r0, 0.5\n"
	                                "	mov r1, 0.25\n"
	                                "	mov r2, -1.0\n"
	                                "	mov r3, 0.75\n"
	                                "	tex.cube.lod.shadow r4, t15, s0, r0, 2.0\n"
	                                "	st.out var0.x, r4\n"
	                                "	st.out var0.w, r7\n"
	                                "	end\n");
	struct sh_env env;
	if (!s)
		return;
	sh_env_init(&env, 100);
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_INT(env.last_request.texture, 15);
	VT_CHECK_EQ_INT(env.last_request.mode, VGPU_ISA_TEX_LOD);
	VT_CHECK_EQ_INT(env.last_request.cube, 1);
	VT_CHECK_EQ_INT(env.last_request.shadow, 1);
	VT_CHECK_EQ_U64(sh_bits(env.last_request.coord[2][9]), sh_bits(-1.0f));
	VT_CHECK_EQ_U64(sh_bits(env.last_request.coord[3][9]), sh_bits(0.75f)); /* depth reference */
	VT_CHECK_EQ_U64(sh_bits(env.last_request.ddx[0][9]), 0); /* explicit lod: no derivatives */
	VT_CHECK_EQ_U64(sh_out(&warp, 2, 0, 9), sh_bits(0.5f));
	VT_CHECK_EQ_U64(sh_out(&warp, 2, 3, 9), sh_bits(2.0f));
	env.fail_texture = 5;
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_TEXTURE);
	VT_CHECK_EQ_U64(warp.fault_pc, 8); /* four movs with immediates take two words each */
	VT_CHECK_EQ_U64(warp.fault_detail, 5);
	vgpu_shader_free(s);

	s = sh_load(".stage fragment\n mov r2, 3.0\n tex.2d.bias r4, t0, s0, r0, r2\n st.out color0.x, r7\n "
	            "end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	env.fail_texture = 0;
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &warp, &env.env), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_INT(env.last_request.mode, VGPU_ISA_TEX_BIAS);
	VT_CHECK_EQ_U64(sh_out(&warp, 0, 0, 4), sh_bits(3.0f));
	vgpu_shader_free(s);
}

static const struct vt_case cases[] = {
        VT_CASE(test_attributes_and_vertex_outputs),
        VT_CASE(test_varying_interpolation),
        VT_CASE(test_fragment_system_values_and_depth),
        VT_CASE(test_uniform_loads),
        VT_CASE(test_texture_sampling_with_quad_derivatives),
        VT_CASE(test_texture_modes_cube_shadow_and_faults),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
