/* SPDX-License-Identifier: MIT */
/*
 * Compiler unit tests (mesa-notes T0): GLSL snippets compiled, loaded by the shader core, run on a warp,
 * results compared with values computed here. Tolerances: 0 wherever inputs make every operation exact
 * (small integers, halves); transcendentals within docs/isa.md 5.1's bounds (2^-20 absolute for sin/cos,
 * 2^-21 relative for exp2/log2) plus the GLSL-level lowering's own rounding (noted per test).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_harness.h"

#define VS MESA_SHADER_VERTEX
#define FS MESA_SHADER_FRAGMENT
#define LANES VGPU_ISA_LANES

/* Arithmetic, swizzles, constants as immediates, point size; attributes differ per lane. */
static bool
test_vertex_arithmetic(void)
{
   static const char src[] =
      "attribute vec4 pos;\n"
      "attribute vec2 uv;\n"
      "varying vec2 v_uv;\n"
      "varying float v_f;\n"
      "void main() {\n"
      "   gl_Position = pos.wzyx;\n"
      "   v_uv = uv * 2.0 + vec2(1.0, -1.0);\n"
      "   v_f = abs(uv.x - uv.y) + floor(pos.x) + fract(pos.y) - min(uv.x, 4.0);\n"
      "   gl_PointSize = 3.0;\n"
      "}\n";
   struct ch_case t;
   bool ok = ch_case_init(&t, VS, 100, src, NULL);
   if (!ok)
      return false;
   unsigned a_pos = ch_attrib(&t.s, "pos"), a_uv = ch_attrib(&t.s, "uv");
   int o_uv = ch_varying(&t.s, "v_uv"), o_f = ch_varying(&t.s, "v_f");
   for (unsigned l = 0; l < LANES; l++) {
      float in[4] = {l * 0.5f - 3.0f, l * 0.25f, 1.0f + l, -2.0f};
      for (unsigned c = 0; c < 4; c++)
         t.w.attrib[a_pos][c][l] = in[c];
      t.w.attrib[a_uv][0][l] = (float)l;
      t.w.attrib[a_uv][1][l] = 16.0f - l;
   }
   ok = o_uv >= 0 && o_f >= 0 && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      float px = l * 0.5f - 3.0f, py = l * 0.25f, pz = 1.0f + l, pw = -2.0f;
      float u = (float)l, v = 16.0f - l;
      float f = fabsf(u - v) + floorf(px);
      f = f + (py - floorf(py));
      f = f - fminf(u, 4.0f);
      ok &= ch_expect_float("pos.x", l, t.w.out[VGPU_ISA_OUT_POSITION][0][l], pw, 0);
      ok &= ch_expect_float("pos.y", l, t.w.out[VGPU_ISA_OUT_POSITION][1][l], pz, 0);
      ok &= ch_expect_float("pos.z", l, t.w.out[VGPU_ISA_OUT_POSITION][2][l], py, 0);
      ok &= ch_expect_float("pos.w", l, t.w.out[VGPU_ISA_OUT_POSITION][3][l], px, 0);
      ok &= ch_expect_float("v_uv.x", l, t.w.out[o_uv][0][l], u * 2.0f + 1.0f, 0);
      ok &= ch_expect_float("v_uv.y", l, t.w.out[o_uv][1][l], v * 2.0f - 1.0f, 0);
      ok &= ch_expect_float("v_f", l, t.w.out[o_f][0][l], f, 0);
      ok &= ch_expect_float("psize", l, t.w.out[VGPU_ISA_OUT_POINTSIZE][0][l], 3.0f, 0);
   }
   ch_free(&t.s);
   return ok;
}

/* mat4 * vec4 from uniform buffer 0 (column-major, vec4-aligned); integer values keep it exact. */
static bool
test_vertex_uniform_matrix(void)
{
   static const char src[] =
      "uniform vec4 offset;\n"
      "uniform mat4 mvp;\n"
      "attribute vec4 p;\n"
      "void main() { gl_Position = mvp * p + offset; }\n";
   struct ch_case t;
   if (!ch_case_init(&t, VS, 100, src, NULL))
      return false;
   unsigned mvp = ch_uniform(&t.s, "mvp") / 4, off = ch_uniform(&t.s, "offset") / 4, a = ch_attrib(&t.s, "p");
   float m[4][4];
   for (unsigned col = 0; col < 4; col++)
      for (unsigned row = 0; row < 4; row++)
         t.e.ubo.f[mvp + 4 * col + row] = m[col][row] = (float)(col * 4 + row) - 7.0f;
   for (unsigned c = 0; c < 4; c++)
      t.e.ubo.f[off + c] = 100.0f * (c + 1);
   for (unsigned l = 0; l < LANES; l++)
      for (unsigned c = 0; c < 4; c++)
         t.w.attrib[a][c][l] = (float)((int)(l * (c + 1)) % 7) - 3.0f;
   bool ok = ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      for (unsigned row = 0; row < 4; row++) {
         float want = 100.0f * (row + 1);
         for (unsigned col = 0; col < 4; col++)
            want += m[col][row] * t.w.attrib[a][col][l];
         ok &= ch_expect_float("pos", l, t.w.out[VGPU_ISA_OUT_POSITION][row][l], want, 0);
      }
   }
   ch_free(&t.s);
   return ok;
}

/* Perspective-correct and flat varyings; V0 + b1 (V1 - V0) + b2 (V2 - V0) is exact for these values. */
static bool
test_fragment_varyings(void)
{
   static const char src[] =
      "precision mediump float;\n"
      "varying vec4 color;\n"
      "uniform vec4 tint;\n"
      "void main() { gl_FragColor = color * tint; }\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 100, src, NULL))
      return false;
   int v = ch_varying(&t.s, "color");
   unsigned tint = ch_uniform(&t.s, "tint") / 4;
   bool ok = v >= 0 && t.s.bin.varying_interp[v] == VGPU_ISA_INTERP_SMOOTH;
   for (unsigned c = 0; c < 4; c++) {
      t.e.ubo.f[tint + c] = 0.5f * (c + 1);
      if (v >= 0) {
         t.w.varying[v][c][0] = 1.0f + c;
         t.w.varying[v][c][1] = 3.0f + c;
         t.w.varying[v][c][2] = 5.0f + c;
      }
   }
   for (unsigned l = 0; l < LANES; l++) {
      t.w.bary_persp[0][l] = l / 16.0f;
      t.w.bary_persp[1][l] = 0.5f - l / 32.0f;
   }
   ok = ok && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      for (unsigned c = 0; c < 4; c++) {
         float b1 = l / 16.0f, b2 = 0.5f - l / 32.0f;
         float value = (1.0f + c) + b1 * 2.0f + b2 * 4.0f;
         ok &= ch_expect_float("color", l, t.w.out[0][c][l], value * (0.5f * (c + 1)), 0);
      }
   }
   ch_free(&t.s);
   return ok;
}

/* if/else on gl_FragCoord and a data-dependent loop with break and continue (GLSL 1.10 allows while). */
static bool
test_control_flow(void)
{
   static const char src[] =
      "varying float n;\n"
      "void main() {\n"
      "   float sum = 0.0;\n"
      "   float i = 0.0;\n"
      "   while (true) {\n"
      "      i += 1.0;\n"
      "      if (i > n) break;\n"
      "      if (mod(i, 3.0) == 0.0) continue;\n"
      "      sum += i;\n"
      "      if (sum > 20.0) break;\n"
      "   }\n"
      "   vec4 c;\n"
      "   if (gl_FragCoord.x < 4.0) {\n"
      "      c = vec4(sum, 1.0, 0.0, i);\n"
      "   } else {\n"
      "      c = vec4(sum, 0.0, 1.0, -i);\n"
      "   }\n"
      "   gl_FragColor = c;\n"
      "}\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 110, src, NULL))
      return false;
   int v = ch_varying(&t.s, "n");
   bool ok = v >= 0 && t.s.bin.stats.loops == 1;
   ch_lane_ramp(&t, v, 8.0f); /* lane l: n = l / 2 */
   ok = ok && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      float n = l * 0.5f, sum = 0, i = 0;
      for (;;) {
         i += 1;
         if (i > n)
            break;
         if (fmodf(i, 3.0f) == 0)
            continue;
         sum += i;
         if (sum > 20)
            break;
      }
      bool left = t.w.frag_coord[0][l] < 4.0f;
      ok &= ch_expect_float("sum", l, t.w.out[0][0][l], sum, 0);
      ok &= ch_expect_float("g", l, t.w.out[0][1][l], left ? 1.0f : 0.0f, 0);
      ok &= ch_expect_float("b", l, t.w.out[0][2][l], left ? 0.0f : 1.0f, 0);
      ok &= ch_expect_float("i", l, t.w.out[0][3][l], left ? i : -i, 0);
   }
   ch_free(&t.s);
   return ok;
}

static bool
test_discard(void)
{
   static const char src[] =
      "precision mediump float;\n"
      "void main() {\n"
      "   if (gl_FragCoord.x < 3.0 || gl_FragCoord.y > 1.0 && gl_FragCoord.x > 6.0) discard;\n"
      "   gl_FragColor = vec4(gl_FragCoord.xy, 0.25, 1.0);\n"
      "}\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 100, src, NULL))
      return false;
   bool ok = t.s.bin.uses_discard && ch_run(&t);
   uint32_t want_kill = 0;
   for (unsigned l = 0; l < LANES; l++) {
      float x = t.w.frag_coord[0][l], y = t.w.frag_coord[1][l];
      if (x < 3.0f || (y > 1.0f && x > 6.0f))
         want_kill |= 1u << l;
      else if (ok)
         ok &= ch_expect_float("red", l, t.w.out[0][0][l], x, 0) &&
               ch_expect_float("green", l, t.w.out[0][1][l], y, 0);
   }
   ok = ok && ch_expect_u32("kill mask", 0, t.w.kill_mask, want_kill);
   ch_free(&t.s);
   return ok;
}

/* Coarse derivatives over 2x2 quads: dFdx = v(top-right) - v(top-left), dFdy = v(bottom-left) - v(top-left)
 * for every lane of the quad; fwidth = |dFdx| + |dFdy|. */
static bool
test_derivatives(void)
{
   static const char src[] =
      "void main() {\n"
      "   float v = gl_FragCoord.x * gl_FragCoord.x * gl_FragCoord.y;\n"
      "   gl_FragColor = vec4(dFdx(v), dFdy(v), fwidth(v), v);\n"
      "}\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 110, src, NULL))
      return false;
   bool ok = ch_run(&t);
   float v[LANES];
   for (unsigned l = 0; l < LANES; l++)
      v[l] = t.w.frag_coord[0][l] * t.w.frag_coord[0][l] * t.w.frag_coord[1][l];
   for (unsigned l = 0; ok && l < LANES; l++) {
      unsigned q = l & ~3u;
      float dx = v[q + 1] - v[q], dy = v[q + 2] - v[q];
      ok &= ch_expect_float("dFdx", l, t.w.out[0][0][l], dx, 0);
      ok &= ch_expect_float("dFdy", l, t.w.out[0][1][l], dy, 0);
      ok &= ch_expect_float("fwidth", l, t.w.out[0][2][l], fabsf(dx) + fabsf(dy), 0);
      ok &= ch_expect_float("v", l, t.w.out[0][3][l], v[l], 0);
   }
   ch_free(&t.s);
   return ok;
}

/* Texture slots, coordinates and bias/LOD reach the texture unit, results come back in order. The test
 * texture unit answers (s, t, bias or LOD, 16 * texture + sampler). */
static bool
test_textures(void)
{
   static const char fs[] =
      "precision mediump float;\n"
      "uniform sampler2D first;\n"
      "uniform sampler2D second;\n"
      "varying vec2 uv;\n"
      "void main() {\n"
      "   gl_FragColor = texture2D(second, uv) + texture2D(first, uv * 2.0, 1.5);\n"
      "}\n";
   static const char vs[] =
      "uniform sampler2D t;\n"
      "attribute vec2 uv;\n"
      "void main() { gl_Position = texture2DLod(t, uv, 3.0) + texture2DProj(t, vec3(uv, 2.0)); }\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 100, fs, NULL))
      return false;
   int v = ch_varying(&t.s, "uv");
   bool ok = v >= 0 && t.s.bin.stats.tex == 2 && t.s.bin.textures_used == 3;
   if (v >= 0) {
      t.w.varying[v][0][1] = 1.0f;
      t.w.varying[v][1][2] = 1.0f;
      for (unsigned l = 0; l < LANES; l++) {
         t.w.bary_persp[0][l] = l / 16.0f;
         t.w.bary_persp[1][l] = 0.25f;
      }
   }
   ok = ok && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      float x = l / 16.0f, y = 0.25f;
      ok &= ch_expect_float("r", l, t.w.out[0][0][l], x + 2.0f * x, 0);
      ok &= ch_expect_float("g", l, t.w.out[0][1][l], y + 2.0f * y, 0);
      ok &= ch_expect_float("b", l, t.w.out[0][2][l], 0.0f + 1.5f, 0);
      ok &= ch_expect_float("a", l, t.w.out[0][3][l], 17.0f + 0.0f, 0);
   }
   ch_free(&t.s);

   /* Vertex stage: explicit LOD, and an implicit one becomes LOD 0; projective divides first. */
   if (!ok || !ch_case_init(&t, VS, 100, vs, NULL))
      return false;
   unsigned a = ch_attrib(&t.s, "uv");
   for (unsigned l = 0; l < LANES; l++) {
      t.w.attrib[a][0][l] = (float)l;
      t.w.attrib[a][1][l] = 1.0f;
   }
   ok = ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      ok &= ch_expect_float("x", l, t.w.out[0][0][l], l + l / 2.0f, 0);
      ok &= ch_expect_float("y", l, t.w.out[0][1][l], 1.0f + 0.5f, 0);
      ok &= ch_expect_float("lod", l, t.w.out[0][2][l], 3.0f + 0.0f, 0);
   }
   ch_free(&t.s);
   return ok;
}

/* Built-in functions lowered by NIR or run natively; bounds from docs/isa.md 5.1 (sin/cos 2^-20 absolute,
 * exp2/log2 2^-21 relative), loosened where GLSL builds them from several roundings: pow = exp2(y log2 x)
 * amplifies log2's error by |y log2 x|, normalize and length use rsq/sqrt plus a dot product. */
static bool
test_builtins(void)
{
   static const char src[] =
      "attribute vec4 a;\n"
      "varying vec4 r0;\n"
      "varying vec4 r1;\n"
      "varying vec4 r2;\n"
      "void main() {\n"
      "   r0 = vec4(sin(a.x), cos(a.x), exp2(a.y), log2(a.z));\n"
      "   r1 = vec4(pow(a.z, 1.5), inversesqrt(a.z), length(a.xy), clamp(a.x, -1.0, 0.5));\n"
      "   r2 = vec4(mix(a.x, a.y, 0.25), mix(a.y, a.w, a.z / 16.0), 0.0, 0.0);\n"
      "   gl_Position = vec4(sign(a.x), step(0.0, a.x), mod(a.w, 3.0), max(a.x, a.y) / a.z);\n"
      "}\n";
   struct ch_case t;
   if (!ch_case_init(&t, VS, 100, src, NULL))
      return false;
   unsigned a = ch_attrib(&t.s, "a");
   int r0 = ch_varying(&t.s, "r0"), r1 = ch_varying(&t.s, "r1"), r2 = ch_varying(&t.s, "r2");
   for (unsigned l = 0; l < LANES; l++) {
      t.w.attrib[a][0][l] = l * 0.7f - 5.0f;
      t.w.attrib[a][1][l] = l * 0.3f - 2.0f;
      t.w.attrib[a][2][l] = 0.5f + l;
      t.w.attrib[a][3][l] = l * 1.25f - 7.0f;
   }
   bool ok = r0 >= 0 && r1 >= 0 && r2 >= 0 && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      double x = t.w.attrib[a][0][l], y = t.w.attrib[a][1][l], z = t.w.attrib[a][2][l], q = t.w.attrib[a][3][l];
      ok &= ch_expect_float("sin", l, t.w.out[r0][0][l], sin(x), 0x1p-20);
      ok &= ch_expect_float("cos", l, t.w.out[r0][1][l], cos(x), 0x1p-20);
      ok &= ch_expect_float("exp2", l, t.w.out[r0][2][l], exp2(y), exp2(y) * 0x1p-20);
      ok &= ch_expect_float("log2", l, t.w.out[r0][3][l], log2(z), 0x1p-20 * fmax(1, fabs(log2(z))));
      double p = pow(z, 1.5);
      ok &= ch_expect_float("pow", l, t.w.out[r1][0][l], p, p * 0x1p-16);
      ok &= ch_expect_float("inversesqrt", l, t.w.out[r1][1][l], 1 / sqrt(z), 0x1p-22);
      double len = sqrt(x * x + y * y);
      ok &= ch_expect_float("length", l, t.w.out[r1][2][l], len, len * 0x1p-20);
      ok &= ch_expect_float("clamp", l, t.w.out[r1][3][l], fmin(fmax(x, -1), 0.5), 0);
      ok &= ch_expect_float("sign", l, t.w.out[0][0][l], x > 0 ? 1 : x < 0 ? -1 : 0, 0);
      ok &= ch_expect_float("step", l, t.w.out[0][1][l], x >= 0 ? 1 : 0, 0);
      /* mix is lowered to a + t (b - a) or a (1 - t) + b t: a few roundings of the larger operand */
      double s1 = z / 16.0, big = fmax(fmax(fabs(x), fabs(y)), fabs(q));
      ok &= ch_expect_float("mix", l, t.w.out[r2][0][l], x + 0.25 * (y - x), big * 0x1p-21);
      ok &= ch_expect_float("mix2", l, t.w.out[r2][1][l], y + s1 * (q - y), big * 0x1p-21);
      double m = q - 3.0 * floor(q / 3.0);
      ok &= ch_expect_float("mod", l, t.w.out[0][2][l], m, 0x1p-18);
      double d = fmax(x, y) / z;
      ok &= ch_expect_float("div", l, t.w.out[0][3][l], d, fabs(d) * 0x1p-21);
   }
   ch_free(&t.s);
   return ok;
}

/* A vertex shader linked to a fragment shader's varying layout: slot i carries what the fragment shader
 * reads at v<i>; outputs it does not read are not written. */
static bool
test_varying_linking(void)
{
   static const char vs[] =
      "attribute vec4 p;\n"
      "varying vec2 alpha;\n"
      "varying float beta;\n"
      "varying vec3 gamma;\n"
      "void main() { gl_Position = p; alpha = p.xy; beta = p.z; gamma = p.wzy; }\n";
   static const char fs[] =
      "precision mediump float;\n"
      "varying vec3 gamma;\n"
      "varying vec2 alpha;\n"
      "void main() { gl_FragColor = vec4(gamma, alpha.x); }\n";
   struct ch_shader f;
   struct ch_case t;
   if (!ch_compile(&f, FS, 100, fs, NULL))
      return false;
   struct vgpu_compile_key key = {.linked = true, .num_varyings = f.bin.num_varyings};
   memcpy(key.varying_location, f.bin.varying_location, f.bin.num_varyings);
   int fs_gamma = ch_varying(&f, "gamma"), fs_alpha = ch_varying(&f, "alpha");
   bool ok = f.bin.num_varyings == 2 && fs_gamma >= 0 && fs_alpha >= 0;
   ch_free(&f);
   if (!ok || !ch_case_init(&t, VS, 100, vs, &key))
      return false;
   unsigned a = ch_attrib(&t.s, "p");
   for (unsigned l = 0; l < LANES; l++)
      for (unsigned c = 0; c < 4; c++)
         t.w.attrib[a][c][l] = l + 0.25f * c;
   ok = ch_run(&t);
   uint32_t outputs = vgpu_shader_outputs(t.s.loaded);
   ok &= ch_expect_u32("output mask", 0, outputs,
                       1u << VGPU_ISA_OUT_POSITION | 1u << (VGPU_ISA_OUT_VARYING0 + fs_gamma) |
                          1u << (VGPU_ISA_OUT_VARYING0 + fs_alpha));
   for (unsigned l = 0; ok && l < LANES; l++) {
      unsigned g = VGPU_ISA_OUT_VARYING0 + fs_gamma, al = VGPU_ISA_OUT_VARYING0 + fs_alpha;
      ok &= ch_expect_float("gamma.x", l, t.w.out[g][0][l], l + 0.75f, 0);
      ok &= ch_expect_float("gamma.z", l, t.w.out[g][2][l], l + 0.25f, 0);
      ok &= ch_expect_float("alpha.y", l, t.w.out[al][1][l], l + 0.25f, 0);
   }
   ch_free(&t.s);
   return ok;
}

/* Register pressure: n products all live at once (each used twice, in a forward and a backward sum, so
 * GLSL cannot graft them into one expression); NIR factors the forward sum into a.x * (u0 + u1 + ...), so
 * the n loaded uniforms stay live too: about 2n + 2 registers. */
static char *
pressure_shader(unsigned n)
{
   size_t cap = 200 + n * 80;
   char *src = malloc(cap), *p = src;
   p += sprintf(p, "uniform float u[%u];\nattribute vec4 a;\nvoid main() {\n", n);
   for (unsigned i = 0; i < n; i++)
      p += sprintf(p, "   float v%u = u[%u] * a.x;\n", i, i);
   p += sprintf(p, "   float s = 0.0;\n   float t = 0.0;\n");
   for (unsigned i = 0; i < n; i++)
      p += sprintf(p, "   s = s + v%u;\n", i);
   for (unsigned i = n; i-- > 0;)
      p += sprintf(p, "   t = t * a.y + v%u;\n", i);
   p += sprintf(p, "   gl_Position = vec4(s, t, 0.0, 1.0);\n}\n");
   return src;
}

static bool
test_register_pressure(void)
{
   const unsigned n = 63; /* 128 registers today; the test wants at least 120 */
   char *src = pressure_shader(n);
   struct ch_case t;
   bool ok = ch_case_init(&t, VS, 110, src, NULL);
   free(src);
   if (!ok)
      return false;
   printf("# %u products: %u registers\n", n, t.s.bin.stats.registers);
   ok = t.s.bin.stats.registers >= 120 && t.s.bin.stats.registers <= VGPU_ISA_MAX_REGS;
   unsigned base = ch_uniform(&t.s, "u") / 4, a = ch_attrib(&t.s, "a");
   for (unsigned i = 0; i < n; i++)
      t.e.ubo.f[base + 4 * i] = (float)i; /* arrays of floats: one per vec4 slot */
   for (unsigned l = 0; l < LANES; l++) {
      t.w.attrib[a][0][l] = (float)(l % 3);
      t.w.attrib[a][1][l] = 1.0f;
   }
   ok = ok && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      float sum = (float)(n * (n - 1) / 2) * (l % 3);
      ok &= ch_expect_float("forward sum", l, t.w.out[0][0][l], sum, 0);
      ok &= ch_expect_float("backward sum", l, t.w.out[0][1][l], sum, 0);
   }
   ch_free(&t.s);
   return ok;
}

static bool
test_register_limit_error(void)
{
   char *src = pressure_shader(64); /* one step past test_register_pressure's */
   struct ch_shader s;
   bool ok = ch_compile_error(&s, VS, 110, src);
   free(src);
   if (ok) {
      printf("# message: %s\n", s.error);
      unsigned needed = 0;
      ok = sscanf(s.error, "shader needs %u registers, the hardware has 128", &needed) == 1 &&
           needed > 128;
   }
   ch_free(&s);
   return ok;
}

static bool
test_refusals(void)
{
   static const char point_coord[] =
      "precision mediump float;\n"
      "void main() { gl_FragColor = vec4(gl_PointCoord, 0.0, 1.0); }\n";
   struct ch_shader s;
   bool ok = ch_compile_error(&s, FS, 100, point_coord);
   if (ok)
      printf("# message: %s\n", s.error);
   ok = ok && strstr(s.error, "gl_PointCoord");
   ch_free(&s);
   return ok;
}

/* Nested data-dependent loops: loop-carried values of the outer loop live across the inner one. */
static bool
test_nested_loops(void)
{
   static const char src[] =
      "varying float n;\n"
      "void main() {\n"
      "   float acc = 0.0;\n"
      "   float count = 0.0;\n"
      "   for (float i = 0.0; i < n; i += 1.0) {\n"
      "      for (float j = 0.0; j < i; j += 1.0) {\n"
      "         if (j == 2.0) continue;\n"
      "         acc += i * j;\n"
      "      }\n"
      "      count += 1.0;\n"
      "   }\n"
      "   gl_FragColor = vec4(acc, count, n, 1.0);\n"
      "}\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 110, src, NULL))
      return false;
   int v = ch_varying(&t.s, "n");
   bool ok = v >= 0 && t.s.bin.stats.loops == 2;
   ch_lane_ramp(&t, v, 8.0f); /* lane l: n = l / 2 */
   ok = ok && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      float n = l * 0.5f, acc = 0, count = 0;
      for (float i = 0; i < n; i += 1) {
         for (float j = 0; j < i; j += 1) {
            if (j == 2)
               continue;
            acc += i * j;
         }
         count += 1;
      }
      ok &= ch_expect_float("acc", l, t.w.out[0][0][l], acc, 0);
      ok &= ch_expect_float("count", l, t.w.out[0][1][l], count, 0);
   }
   ch_free(&t.s);
   return ok;
}

/* Values that must survive the loop's back edge while later code in the body needs registers: k is
 * defined before the loop and last used early in the body, the counter is last written before the end of
 * the body. A register allocator that ends their intervals at their last access hands their registers to
 * the temporaries after it, and the next iteration reads those instead. */
static bool
test_loop_back_edge_liveness(void)
{
   static const char src[] =
      "varying float n;\n"
      "uniform float scale;\n"
      "void main() {\n"
      "   float k = n * 4.0 + 1.0;\n"
      "   float acc = 0.0;\n"
      "   float i = 0.0;\n"
      "   while (i < n) {\n"
      "      acc += k * scale;\n"
      "      i += 1.0;\n"
      "      float a = i * 8.0 + 0.5;\n"
      "      float b = i * 16.0 + 0.25;\n"
      "      float c = a * b + i;\n"
      "      acc += floor(c / 64.0);\n"
      "   }\n"
      "   gl_FragColor = vec4(acc, i, 0.0, 1.0);\n"
      "}\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 110, src, NULL))
      return false;
   int v = ch_varying(&t.s, "n");
   bool ok = v >= 0 && t.s.bin.stats.loops == 1;
   ch_lane_ramp(&t, v, 8.0f); /* lane l: n = l / 2 */
   /* The uniform is loaded inside the loop, through the zero register. */
   t.e.ubo.f[ch_uniform(&t.s, "scale") / 4] = 3.0f;
   ok = ok && ch_run(&t);
   for (unsigned l = 0; ok && l < LANES; l++) {
      float n = l * 0.5f, k = n * 4.0f + 1.0f, acc = 0, i = 0;
      while (i < n) {
         acc += k * 3.0f;
         i += 1;
         float a = i * 8.0f + 0.5f, b = i * 16.0f + 0.25f, c = a * b + i;
         acc += floorf(c * (1.0f / 64.0f)); /* c / 64 is exact either way: a power of two */
      }
      ok &= ch_expect_float("acc", l, t.w.out[0][0][l], acc, 0);
      ok &= ch_expect_float("i", l, t.w.out[0][1][l], i, 0);
   }
   ch_free(&t.s);
   return ok;
}

/* Cube and shadow lookups: direction x, y, z (and the reference after the coordinates) in consecutive
 * registers; the test texture unit echoes coordinates 0..2 for implicit LOD. gl_FrontFacing picks which. */
static bool
test_cube_shadow_facing(void)
{
   static const char src[] =
      "uniform samplerCube sky;\n"
      "uniform sampler2DShadow depth;\n"
      "varying vec3 dir;\n"
      "void main() {\n"
      "   vec4 c = textureCube(sky, dir);\n"
      "   vec4 d = shadow2D(depth, dir.zyx);\n"
      "   gl_FragColor = gl_FrontFacing ? c : d;\n"
      "}\n";
   struct ch_case t;
   if (!ch_case_init(&t, FS, 110, src, NULL))
      return false;
   int v = ch_varying(&t.s, "dir");
   bool ok = v >= 0 && t.s.bin.stats.tex == 2;
   for (unsigned c = 0; ok && c < 3; c++)
      t.w.varying[v][c][0] = 1.0f + c;
   for (int facing = 1; ok && facing >= 0; facing--) {
      t.w.front_facing = facing;
      ok = ch_run(&t);
      for (unsigned l = 0; ok && l < LANES; l++) {
         /* front: (x, y, z, 16 * 0 + 0); back: the shadow texture is unit 1, coords (z, y) and the
          * reference x: the test unit answers (z, y, x, 17). */
         float want[4] = {1, 2, 3, 0};
         if (!facing) {
            want[0] = 3;
            want[2] = 1;
            want[3] = 17;
         }
         for (unsigned c = 0; c < 4; c++)
            ok &= ch_expect_float(facing ? "cube" : "shadow", l, t.w.out[0][c][l], want[c], 0);
      }
   }
   ch_free(&t.s);
   return ok;
}

/* 17 nested ifs: one more than the hardware's mask stack; the compiler says so instead of emitting it. */
static bool
test_nesting_limit(void)
{
   char src[2048], *p = src;
   p += sprintf(p, "uniform sampler2D t;\nvarying float x;\nvoid main() {\n   float r = 0.0;\n");
   /* Texture lookups keep NIR from flattening the ifs into selects. */
   for (unsigned i = 0; i < 17; i++)
      p += sprintf(p, "   if (x > %u.0) {\n   r += texture2D(t, vec2(x, r)).x;\n", i);
   for (unsigned i = 0; i < 17; i++)
      p += sprintf(p, "   }\n");
   sprintf(p, "   gl_FragColor = vec4(r);\n}\n");
   struct ch_shader s;
   bool ok = ch_compile_error(&s, FS, 110, src);
   if (ok)
      printf("# message: %s\n", s.error);
   ok = ok && strstr(s.error, "16 levels");
   ch_free(&s);
   return ok;
}

int
main(void)
{
   static const struct {
      const char *name;
      bool (*fn)(void);
   } tests[] = {
      {"vertex arithmetic, swizzles, point size", test_vertex_arithmetic},
      {"vertex mat4 * vec4 from the uniform buffer", test_vertex_uniform_matrix},
      {"fragment varyings times a uniform", test_fragment_varyings},
      {"loop with break/continue, if/else", test_control_flow},
      {"nested loops with continue", test_nested_loops},
      {"values live across a loop's back edge", test_loop_back_edge_liveness},
      {"discard", test_discard},
      {"derivatives over quads", test_derivatives},
      {"texture slots, bias, LOD, projective", test_textures},
      {"built-in functions within isa 5.1 bounds", test_builtins},
      {"vertex outputs follow the fragment varying layout", test_varying_linking},
      {"register pressure at the 128-register limit", test_register_pressure},
      {"more than 128 registers is a clean error", test_register_limit_error},
      {"gl_PointCoord is refused with a message", test_refusals},
      {"cube and shadow lookups, gl_FrontFacing", test_cube_shadow_facing},
      {"nesting past 16 levels is a clean error", test_nesting_limit},
   };
   glsl_type_singleton_init_or_ref();
   ch_plan(sizeof(tests) / sizeof(tests[0]));
   for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
      ch_result(tests[i].fn(), tests[i].name);
   glsl_type_singleton_decref();
   return ch_exit_status();
}
