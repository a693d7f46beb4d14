/* SPDX-License-Identifier: MIT */
/* Shader CSOs, variants keyed by state, and their upload for SET_SHADER (vgpu_program.h). */
#include <stdio.h>
#include <string.h>

#include "compiler/nir/nir_serialize.h"
#include "pipe/p_state.h"
#include "util/blob.h"
#include "util/mesa-sha1.h"
#include "util/ralloc.h"
#include "util/u_debug.h"
#include "util/u_memory.h"

#include "vgpu_bo.h"
#include "vgpu_context.h"
#include "vgpu_program.h"
#include "vgpu_screen.h"

/* VGPU_DUMP_NIR=DIR: every CSO's NIR, serialized, as DIR/<stage>-<sha1>.nir, for vgpu-compiler to replay. */
static void
dump_nir(const struct vgpu_program *prog)
{
   const char *dir = debug_get_option("VGPU_DUMP_NIR", NULL);
   if (!dir)
      return;
   struct blob blob;
   unsigned char sha1[20];
   char hex[41], path[4096];
   blob_init(&blob);
   nir_serialize(&blob, prog->nir, false);
   _mesa_sha1_compute(blob.data, blob.size, sha1);
   _mesa_sha1_format(hex, sha1);
   snprintf(path, sizeof(path), "%s/%s-%s.nir", dir, prog->stage == MESA_SHADER_VERTEX ? "vs" : "fs", hex);
   FILE *f = fopen(path, "wb");
   if (!f || fwrite(blob.data, 1, blob.size, f) != blob.size)
      fprintf(stderr, "vgpu: cannot write %s\n", path);
   if (f)
      fclose(f);
   blob_finish(&blob);
}

static void *
vgpu_create_program(struct pipe_context *pctx, const struct pipe_shader_state *templ)
{
   if (templ->type != PIPE_SHADER_IR_NIR) {
      fprintf(stderr, "vgpu: shaders must come as NIR (got IR type %d)\n", templ->type);
      return NULL;
   }
   struct vgpu_program *prog = CALLOC_STRUCT(vgpu_program);
   if (!prog)
      return NULL;
   prog->nir = templ->ir.nir; /* st/mesa hands the NIR over */
   prog->stage = prog->nir->info.stage;
   dump_nir(prog);
   return prog;
}

static void
vgpu_delete_program(struct pipe_context *pctx, void *cso)
{
   struct vgpu_program *prog = cso;
   if (!prog)
      return;
   for (struct vgpu_program_variant *v = prog->variants, *next; v; v = next) {
      next = v->next;
      if (v->bo)
         vgpu_bo_unreference(v->bo); /* the BO cache keeps it bound until jobs using it are done */
      vgpu_shader_binary_finish(&v->bin);
      FREE(v);
   }
   ralloc_free(prog->nir);
   FREE(prog);
}

static void
vgpu_bind_vs(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->vs = cso;
}

static void
vgpu_bind_fs(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->fs = cso;
}

void
vgpu_program_init(struct vgpu_context *ctx)
{
   ctx->base.create_vs_state = vgpu_create_program;
   ctx->base.create_fs_state = vgpu_create_program;
   ctx->base.delete_vs_state = vgpu_delete_program;
   ctx->base.delete_fs_state = vgpu_delete_program;
   ctx->base.bind_vs_state = vgpu_bind_vs;
   ctx->base.bind_fs_state = vgpu_bind_fs;
}

static struct vgpu_program_variant *
compile_variant(struct vgpu_context *ctx, struct vgpu_program *prog, const struct vgpu_compile_key *key)
{
   struct vgpu_program_variant *v = CALLOC_STRUCT(vgpu_program_variant);
   char *error = NULL;
   if (!v)
      return NULL;
   v->key = *key;
   if (!vgpu_compile(prog->nir, key, &v->bin, &error)) {
      if (!prog->reported)
         fprintf(stderr, "vgpu: %s shader not compiled: %s\n", _mesa_shader_stage_to_string(prog->stage),
                 error);
      prog->reported = true;
      free(error);
      FREE(v);
      return NULL;
   }
   v->bo = vgpu_bo_create(vgpu_screen(ctx->base.screen), v->bin.size);
   void *map = v->bo ? vgpu_bo_map(v->bo) : NULL;
   if (!map) {
      if (v->bo)
         vgpu_bo_unreference(v->bo);
      vgpu_shader_binary_finish(&v->bin);
      FREE(v);
      return NULL;
   }
   memcpy(map, v->bin.code, v->bin.size);
   if (debug_get_bool_option("VGPU_SHADERDB", false))
      fprintf(stderr, "vgpu: %s shader: %u inst, %u words, %u regs, %u tex, %u loops\n",
              _mesa_shader_stage_to_string(prog->stage), v->bin.stats.instructions, v->bin.stats.words,
              v->bin.stats.registers, v->bin.stats.tex, v->bin.stats.loops);
   if (debug_get_bool_option("VGPU_PRINT_ASM", false)) {
      char *text = vgpu_binary_to_asm(v->bin.code, v->bin.size);
      fprintf(stderr, "%s", text ? text : "vgpu: (no assembly)\n");
      free(text);
   }
   return v;
}

/* The variant for key, moved to the front of the list; compiled if new. */
static struct vgpu_program_variant *
get_variant(struct vgpu_context *ctx, struct vgpu_program *prog, const struct vgpu_compile_key *key)
{
   struct vgpu_program_variant **link = &prog->variants;
   for (struct vgpu_program_variant *v = *link; v; link = &v->next, v = v->next) {
      if (!memcmp(&v->key, key, sizeof(*key))) {
         *link = v->next;
         v->next = prog->variants;
         prog->variants = v;
         return v;
      }
   }
   struct vgpu_program_variant *v = compile_variant(ctx, prog, key);
   if (v) {
      v->next = prog->variants;
      prog->variants = v;
   }
   return v;
}

bool
vgpu_program_update(struct vgpu_context *ctx, struct vgpu_program_variant **vs,
                    struct vgpu_program_variant **fs)
{
   struct vgpu_program *vprog = ctx->vs, *fprog = ctx->fs;
   struct vgpu_compile_key fkey, vkey;

   if (!vprog || !fprog)
      return false;
   memset(&fkey, 0, sizeof(fkey));
   fkey.flatshade = ctx->rasterizer && ctx->rasterizer->flatshade;
   if (fprog->nir->info.outputs_written & BITFIELD64_BIT(FRAG_RESULT_COLOR))
      fkey.color_targets = MAX2(ctx->framebuffer.nr_cbufs, 1);
   *fs = get_variant(ctx, fprog, &fkey);
   if (!*fs)
      return false;

   /* The vertex shader writes its varyings where this fragment shader reads them. */
   memset(&vkey, 0, sizeof(vkey));
   vkey.linked = true;
   vkey.num_varyings = (*fs)->bin.num_varyings;
   memcpy(vkey.varying_location, (*fs)->bin.varying_location, vkey.num_varyings);
   *vs = get_variant(ctx, vprog, &vkey);
   return *vs != NULL;
}
