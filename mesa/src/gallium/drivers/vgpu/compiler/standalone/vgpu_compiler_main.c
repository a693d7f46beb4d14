/* SPDX-License-Identifier: MIT */
/*
 * vgpu-compiler: GLSL (ES 1.00 unless the source says otherwise) to vgpu assembly and binary.
 *
 *   vgpu-compiler [options] FILE.vert|FILE.frag|FILE.nir...
 *
 * FILE.nir is serialized NIR as the driver dumps it (VGPU_DUMP_NIR=DIR), compiled without a key.
 *     -o OUT      write the binary (one input file only)
 *     -S          print the assembly (default when neither -o nor --stats is given)
 *     --stats     one shader-db style line per shader: instructions, words, registers, tex, loops, ifs
 *     --nir       print the NIR as it enters the backend
 *     --version N default GLSL version (100, 110, 120, ...)
 *
 * The assembly carries the interface (uniform offsets, sampler units, attribute and varying slots) as
 * comments, and re-assembles with vgpu-as to the identical binary.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/nir/nir_serialize.h"
#include "util/blob.h"
#include "vgpu_compiler.h"
#include "vgpu_glsl.h"

static void
print_interface(FILE *f, const struct vgpu_glsl_layout *l, const struct vgpu_shader_binary *bin)
{
   for (unsigned i = 0; i < l->num_uniforms; i++)
      fprintf(f, "; uniform %s: ubo0 byte %u\n", l->uniforms[i].name, l->uniforms[i].value);
   for (unsigned i = 0; i < l->num_samplers; i++)
      fprintf(f, "; sampler %s: t%u s%u\n", l->samplers[i].name, l->samplers[i].value, l->samplers[i].value);
   for (unsigned i = 0; i < l->num_attribs; i++)
      fprintf(f, "; attribute %s: a%u\n", l->attribs[i].name, l->attribs[i].value);
   for (unsigned i = 0; i < l->num_varyings; i++) {
      int slot = -1;
      for (unsigned s = 0; s < bin->num_varyings; s++)
         if (bin->varying_location[s] == l->varyings[i].value)
            slot = s;
      if (slot >= 0)
         fprintf(f, "; varying %s: %s%d\n", l->varyings[i].name,
                 bin->stage == MESA_SHADER_VERTEX ? "var" : "v", slot);
   }
}

/* A shader the driver dumped with VGPU_DUMP_NIR (serialized NIR as st/mesa handed it over). */
static nir_shader *
read_nir(const char *path, struct vgpu_glsl_layout *layout)
{
   memset(layout, 0, sizeof(*layout));
   size_t size = 0;
   char *data = NULL;
   FILE *f = fopen(path, "rb");
   if (f) {
      fseek(f, 0, SEEK_END);
      long end = ftell(f);
      fseek(f, 0, SEEK_SET);
      data = end > 0 ? malloc(end) : NULL;
      size = data && fread(data, 1, end, f) == (size_t)end ? (size_t)end : 0;
      fclose(f);
   }
   if (!size) {
      fprintf(stderr, "%s: cannot read the file\n", path);
      free(data);
      return NULL;
   }
   struct blob_reader reader;
   blob_reader_init(&reader, data, size);
   nir_shader *nir = nir_deserialize(NULL, vgpu_nir_options(), &reader);
   free(data);
   if (reader.overrun) {
      ralloc_free(nir);
      return NULL;
   }
   return nir;
}

static int
usage(const char *argv0)
{
   fprintf(stderr, "usage: %s [-o OUT.bin] [-S] [--stats] [--nir] [--version N] FILE.vert|FILE.frag|FILE.nir...\n",
           argv0);
   return 2;
}

int
main(int argc, char **argv)
{
   static const struct option long_options[] = {
      {"stats", no_argument, NULL, 's'},
      {"nir", no_argument, NULL, 'n'},
      {"version", required_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
   };
   const char *out_path = NULL;
   bool print_asm = false, stats = false, print_nir = false;
   int version = 100, opt;

   while ((opt = getopt_long(argc, argv, "o:Sh", long_options, NULL)) != -1) {
      switch (opt) {
      case 'o': out_path = optarg; break;
      case 'S': print_asm = true; break;
      case 's': stats = true; break;
      case 'n': print_nir = true; break;
      case 'v': version = atoi(optarg); break;
      default: return usage(argv[0]);
      }
   }
   if (optind >= argc || (out_path && argc - optind != 1))
      return usage(argv[0]);
   if (!out_path && !stats)
      print_asm = true;

   glsl_type_singleton_init_or_ref();
   int status = 0;
   for (int i = optind; i < argc; i++) {
      const char *path = argv[i];
      struct vgpu_glsl_layout layout;
      size_t len = strlen(path);
      nir_shader *nir = len > 4 && !strcmp(path + len - 4, ".nir") ? read_nir(path, &layout)
                                                                   : vgpu_glsl_to_nir(path, version, &layout);
      if (!nir) {
         fprintf(stderr, "%s: no shader (GLSL errors above, or not serialized NIR)\n", path);
         status = 1;
         continue;
      }
      if (print_nir)
         nir_print_shader(nir, stderr);

      struct vgpu_shader_binary bin;
      char *error = NULL;
      if (!vgpu_compile(nir, NULL, &bin, &error)) {
         fprintf(stderr, "%s: %s\n", path, error);
         free(error);
         ralloc_free(nir);
         status = 1;
         continue;
      }
      if (stats) {
         printf("%s - %s shader: %u inst, %u words, %u regs, %u tex, %u ubo loads, %u loops, %u ifs\n", path,
                bin.stage == MESA_SHADER_VERTEX ? "vertex" : "fragment", bin.stats.instructions,
                bin.stats.words, bin.stats.registers, bin.stats.tex, bin.stats.ubo_loads, bin.stats.loops,
                bin.stats.ifs);
      }
      if (print_asm) {
         char *text = vgpu_binary_to_asm(bin.code, bin.size);
         printf("; %s\n", path);
         print_interface(stdout, &layout, &bin);
         fputs(text, stdout);
         free(text);
      }
      if (out_path) {
         FILE *f = fopen(out_path, "wb");
         if (!f || fwrite(bin.code, 1, bin.size, f) != bin.size || fclose(f)) {
            fprintf(stderr, "%s: cannot write %s\n", path, out_path);
            status = 1;
         }
      }
      vgpu_shader_binary_finish(&bin);
      ralloc_free(nir);
   }
   glsl_type_singleton_decref();
   return status;
}
