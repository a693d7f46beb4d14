/* SPDX-License-Identifier: MIT */
/*
 * Register allocation: linear scan over live intervals in program order. The program is structured, so a
 * lane's path is a subsequence of that order repeated around loops; an interval is extended over a whole
 * loop when its value must survive the back edge (an SSA value defined before the loop and used in it, or
 * any access to a NIR register inside it). Texture groups take consecutive registers. There is no
 * spilling: past 128 registers the shader is refused with the count it would need.
 */
#include <stdio.h>

#include "vgpu_compiler_priv.h"
#include "util/u_math.h"

struct interval {
   int start, end; /* instruction positions; start > end: never accessed */
   int def;        /* first write, for SSA values */
};

/* Each access to a unit (a group leader, or a lone vreg) at position pos. */
static void
touch(struct interval *iv, int pos, bool is_def)
{
   iv->start = MIN2(iv->start, pos);
   iv->end = MAX2(iv->end, pos);
   if (is_def && iv->def < 0)
      iv->def = pos;
}

static bool
in_loop(const struct vgpu_loop_span *l, int pos)
{
   return pos > (int)l->begin && pos < (int)l->end;
}

static void
for_each_access(struct vgpu_compile_ctx *c, void (*fn)(struct vgpu_compile_ctx *, struct interval *, int, int,
                                                       bool),
                struct interval *ivs)
{
   for (unsigned i = 0; i < c->num_insts; i++) {
      const struct vgpu_vinst *in = &c->insts[i];
      for (unsigned s = 0; s < 3; s++)
         if (in->vsrc[s] != VGPU_NO_VREG)
            fn(c, ivs, c->vregs[in->vsrc[s]].group_leader, i, false);
      if (in->vdst != VGPU_NO_VREG)
         fn(c, ivs, c->vregs[in->vdst].group_leader, i, true);
   }
}

static void
first_pass(struct vgpu_compile_ctx *c, struct interval *ivs, int unit, int pos, bool is_def)
{
   touch(&ivs[unit], pos, is_def);
}

static void
loop_pass(struct vgpu_compile_ctx *c, struct interval *ivs, int unit, int pos, bool is_def)
{
   struct interval *iv = &ivs[unit];
   for (unsigned l = 0; l < c->num_loops; l++) {
      const struct vgpu_loop_span *loop = &c->loops[l];
      if (!in_loop(loop, pos))
         continue;
      if (c->vregs[unit].multi_def) {
         iv->start = MIN2(iv->start, (int)loop->begin);
         iv->end = MAX2(iv->end, (int)loop->end);
      } else if (!is_def && !in_loop(loop, iv->def)) {
         iv->end = MAX2(iv->end, (int)loop->end);
      }
   }
}

static int
compare_start(const void *a, const void *b, void *ctx)
{
   const struct interval *ivs = ctx;
   int x = *(const int *)a, y = *(const int *)b;
   if (ivs[x].start != ivs[y].start)
      return ivs[x].start - ivs[y].start;
   return x - y;
}

#define RA_LIMIT 4096 /* virtual ceiling, so an oversized shader reports what it would need */

bool
vgpu_register_allocate(struct vgpu_compile_ctx *c)
{
   unsigned n = c->num_vregs;
   struct interval *ivs = malloc(sizeof(*ivs) * MAX2(n, 1));
   int *order = malloc(sizeof(int) * MAX2(n, 1));
   int *phys = malloc(sizeof(int) * MAX2(n, 1));
   int *busy_until = malloc(sizeof(int) * RA_LIMIT);
   unsigned units = 0, used = 0;

   for (unsigned i = 0; i < n; i++)
      ivs[i] = (struct interval){.start = INT32_MAX, .end = -1, .def = -1};
   for_each_access(c, first_pass, ivs);
   for (unsigned i = 0; i < n; i++)
      if (c->vregs[i].initial_zero && ivs[i].start <= ivs[i].end)
         ivs[i].start = 0; /* live from the start: its register must not be written before */
   /* Loops nest inside-out in the list; extending twice covers an outer loop that grew an interval. */
   for_each_access(c, loop_pass, ivs);
   for_each_access(c, loop_pass, ivs);

   for (unsigned i = 0; i < n; i++)
      if (c->vregs[i].group_leader == (int)i && ivs[i].start <= ivs[i].end)
         order[units++] = i;
   qsort_r(order, units, sizeof(int), compare_start, ivs);
   for (unsigned r = 0; r < RA_LIMIT; r++)
      busy_until[r] = -1;

   for (unsigned u = 0; u < units; u++) {
      int v = order[u];
      unsigned size = c->vregs[v].group_size;
      int start = ivs[v].start;
      unsigned r = 0;
      /* A register whose last use is this instruction may be its destination: sources are read first. */
      /* The zero register takes one nothing has written yet (busy_until -1). */
      int free_before = c->vregs[v].initial_zero ? 0 : start + 1;
      for (; r + size <= RA_LIMIT; r++) {
         unsigned k = 0;
         while (k < size && busy_until[r + k] < free_before)
            k++;
         if (k == size)
            break;
         r += k;
      }
      if (r + size > RA_LIMIT) {
         vgpu_error(c, "shader needs more than %u registers, the hardware has %u", RA_LIMIT,
                    VGPU_ISA_MAX_REGS);
         goto out;
      }
      for (unsigned k = 0; k < size; k++) {
         busy_until[r + k] = ivs[v].end;
         phys[v + k] = r + k;
      }
      used = MAX2(used, r + size);
   }
   if (used > VGPU_ISA_MAX_REGS) {
      c->out_of_registers = true;
      vgpu_error(c, "shader needs %u registers, the hardware has %u", used, VGPU_ISA_MAX_REGS);
      goto out;
   }

   for (unsigned i = 0; i < c->num_insts; i++) {
      struct vgpu_vinst *in = &c->insts[i];
      for (unsigned s = 0; s < 3; s++)
         if (in->vsrc[s] != VGPU_NO_VREG)
            in->isa.src[s] = phys[c->vregs[in->vsrc[s]].group_leader] + (in->vsrc[s] -
                                                                        c->vregs[in->vsrc[s]].group_leader);
      if (in->vdst != VGPU_NO_VREG)
         in->isa.dst = phys[c->vregs[in->vdst].group_leader] + (in->vdst - c->vregs[in->vdst].group_leader);
   }
   c->out->stats.registers = MAX2(used, 1);

out:
   free(ivs);
   free(order);
   free(phys);
   free(busy_until);
   return !c->error;
}
