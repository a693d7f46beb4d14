/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_harness.h"

static unsigned tests_run, tests_failed;

void
ch_plan(unsigned n)
{
   printf("1..%u\n", n);
}

void
ch_result(bool ok, const char *name)
{
   tests_run++;
   tests_failed += !ok;
   printf("%sok %u - %s\n", ok ? "" : "not ", tests_run, name);
   fflush(stdout);
}

int
ch_exit_status(void)
{
   return tests_failed ? 1 : 0;
}

static nir_shader *
front_end(struct ch_shader *s, gl_shader_stage stage, int version, const char *source)
{
   memset(s, 0, sizeof(*s));
   nir_shader *nir = vgpu_glsl_source_to_nir(source, stage, version, &s->layout);
   if (!nir)
      printf("# GLSL front end refused the test shader\n");
   return nir;
}

bool
ch_compile(struct ch_shader *s, gl_shader_stage stage, int version, const char *source,
           const struct vgpu_compile_key *key)
{
   nir_shader *nir = front_end(s, stage, version, source);
   if (!nir)
      return false;
   bool ok = vgpu_compile(nir, key, &s->bin, &s->error);
   ralloc_free(nir);
   if (!ok) {
      printf("# compile error: %s\n", s->error);
      return false;
   }
   char error[VGPU_SHADER_ERROR_SIZE];
   long word = 0;
   s->loaded = vgpu_shader_load(s->bin.code, s->bin.size, error, &word);
   if (!s->loaded) {
      printf("# the shader core refused the binary at word %ld: %s\n", word, error);
      char *text = vgpu_binary_to_asm(s->bin.code, s->bin.size);
      if (text)
         printf("# %s\n", text);
      free(text);
      return false;
   }
   return true;
}

bool
ch_compile_error(struct ch_shader *s, gl_shader_stage stage, int version, const char *source)
{
   nir_shader *nir = front_end(s, stage, version, source);
   if (!nir)
      return false;
   bool ok = vgpu_compile(nir, NULL, &s->bin, &s->error);
   ralloc_free(nir);
   if (ok) {
      printf("# the compiler accepted a shader it must refuse (%u registers)\n", s->bin.stats.registers);
      return false;
   }
   return true;
}

void
ch_free(struct ch_shader *s)
{
   if (s->loaded)
      vgpu_shader_free(s->loaded);
   vgpu_shader_binary_finish(&s->bin);
   free(s->error);
   memset(s, 0, sizeof(*s));
}

static uint32_t
ubo_load(void *ctx, unsigned slot, const uint32_t addr[VGPU_ISA_LANES], uint32_t mask,
         uint32_t out[VGPU_ISA_LANES])
{
   struct ch_env *e = ctx;
   for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
      if (!(mask & (1u << l)))
         continue;
      uint32_t word = addr[l] / 4;
      out[l] = slot == 0 && word < 1024 ? e->ubo.u[word] : 0;
   }
   return 0;
}

static uint32_t
texture_sample(void *ctx, const struct vgpu_shader_tex_request *req, float out[4][VGPU_ISA_LANES])
{
   struct ch_env *e = ctx;
   e->texture_calls++;
   for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
      out[0][l] = req->coord[0][l];
      out[1][l] = req->coord[1][l];
      out[2][l] = req->mode == VGPU_ISA_TEX_IMPLICIT ? req->coord[2][l] : req->lod_or_bias[l];
      out[3][l] = (float)(16 * req->texture + req->sampler);
   }
   return 0;
}

void
ch_env_init(struct ch_env *e)
{
   memset(e, 0, sizeof(*e));
   e->env.ctx = e;
   e->env.ubo_load = ubo_load;
   e->env.texture_sample = texture_sample;
   e->env.budget = 1u << 20;
}

void
ch_warp_init(struct vgpu_shader_warp *w, gl_shader_stage stage)
{
   memset(w, 0, sizeof(*w));
   w->lane_mask = 0xffff;
   for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
      w->vertex_id[l] = l;
      if (stage == MESA_SHADER_FRAGMENT) {
         w->frag_coord[0][l] = 2.0f * (l / 4) + (l & 1) + 0.5f;
         w->frag_coord[1][l] = (l >> 1 & 1) + 0.5f;
         w->frag_coord[2][l] = 0.5f;
         w->frag_coord[3][l] = 1.0f;
      }
   }
   w->front_facing = 1;
}

bool
ch_case_init(struct ch_case *t, gl_shader_stage stage, int version, const char *source,
             const struct vgpu_compile_key *key)
{
   ch_env_init(&t->e);
   ch_warp_init(&t->w, stage);
   return ch_compile(&t->s, stage, version, source, key);
}

void
ch_lane_ramp(struct ch_case *t, int v, float top)
{
   if (v < 0)
      return;
   t->w.varying[v][0][0] = 0.0f;
   t->w.varying[v][0][1] = top;
   t->w.varying[v][0][2] = 0.0f;
   for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
      t->w.bary_persp[0][l] = l / 16.0f;
      t->w.bary_persp[1][l] = 0.0f;
   }
}

bool
ch_run(struct ch_case *t)
{
   enum vgpu_shader_fault fault = vgpu_shader_run(t->s.loaded, &t->w, &t->e.env);
   if (fault != VGPU_SHADER_FAULT_NONE) {
      printf("# the warp faulted: %d at word %u\n", fault, t->w.fault_pc);
      return false;
   }
   return true;
}

static unsigned
lookup_or_fail(const struct vgpu_glsl_name *list, unsigned count, const char *name, const char *kind)
{
   int v = vgpu_glsl_lookup(list, count, name);
   if (v < 0) {
      printf("# no %s named %s in the shader\n", kind, name);
      return 0;
   }
   return v;
}

unsigned
ch_uniform(const struct ch_shader *s, const char *name)
{
   return lookup_or_fail(s->layout.uniforms, s->layout.num_uniforms, name, "uniform");
}

unsigned
ch_attrib(const struct ch_shader *s, const char *name)
{
   return lookup_or_fail(s->layout.attribs, s->layout.num_attribs, name, "attribute");
}

int
ch_varying(const struct ch_shader *s, const char *name)
{
   int location = vgpu_glsl_lookup(s->layout.varyings, s->layout.num_varyings, name);
   if (location < 0)
      return -1;
   for (unsigned i = 0; i < s->bin.num_varyings; i++) {
      if (s->bin.varying_location[i] == (unsigned)location)
         return s->bin.stage == MESA_SHADER_VERTEX ? (int)(VGPU_ISA_OUT_VARYING0 + i) : (int)i;
   }
   return -1;
}

bool
ch_expect_float(const char *what, unsigned lane, float got, float want, float tolerance)
{
   bool ok = isnan(want) ? isnan(got) : fabsf(got - want) <= tolerance;
   if (!ok)
      printf("# %s, lane %u: got %.9g, want %.9g (tolerance %g)\n", what, lane, got, want, tolerance);
   return ok;
}

bool
ch_expect_u32(const char *what, unsigned lane, uint32_t got, uint32_t want)
{
   if (got != want)
      printf("# %s, lane %u: got 0x%08x, want 0x%08x\n", what, lane, got, want);
   return got == want;
}
