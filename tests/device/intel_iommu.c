#include "intel_iommu.h"

#include "vgpu_test.h"

#define VTD_BASE             0xfed90000ull /* q35's DMAR unit */
#define VTD_REG_GCMD         0x18
#define VTD_REG_GSTS         0x1c
#define VTD_REG_RTADDR       0x20
#define VTD_GCMD_TE          (1u << 31)
#define VTD_GCMD_SRTP        (1u << 30)
#define VTD_PRESENT          1ull
#define VTD_CONTEXT_AW_39BIT 1ull /* 3-level second-level tables */
#define VTD_SL_READ          1ull
#define VTD_SL_WRITE         2ull
#define VTD_TABLE_SIZE       4096u

static uint64_t new_table(struct vtd *vtd)
{
	uint64_t table = vtd->next_table;

	vtd->next_table += VTD_TABLE_SIZE;
	return table;
}

void vtd_setup(struct vtd *vtd, struct qt *qt, uint64_t base, unsigned devfn)
{
	vtd->qt = qt;
	vtd->next_table = base;
	uint64_t root = new_table(vtd), context = new_table(vtd);
	vtd->sl_root = new_table(vtd);

	qt_writeq(qt, root + 16 * 0, context | VTD_PRESENT); /* bus 0 */
	qt_writeq(qt, context + 16 * devfn,
	          vtd->sl_root | VTD_PRESENT); /* translation type 0: second level */
	qt_writeq(qt, context + 16 * devfn + 8, VTD_CONTEXT_AW_39BIT | (1u << 8)); /* domain 1 */
	qt_writeq(qt, VTD_BASE + VTD_REG_RTADDR, root);
}

void vtd_map(struct vtd *vtd, uint64_t iova, uint64_t gpa)
{
	uint64_t table = vtd->sl_root;

	for (int level = 2; level > 0; level--) {
		uint64_t slot = table + 8 * ((iova >> (12 + 9 * level)) & 511);
		uint64_t entry = qt_readq(vtd->qt, slot);

		if (!entry) {
			entry = new_table(vtd) | VTD_SL_READ | VTD_SL_WRITE;
			qt_writeq(vtd->qt, slot, entry);
		}
		table = entry & ~0xfffull;
	}
	qt_writeq(vtd->qt, table + 8 * ((iova >> 12) & 511), gpa | VTD_SL_READ | VTD_SL_WRITE);
}

void vtd_enable(struct vtd *vtd)
{
	qt_writel(vtd->qt, VTD_BASE + VTD_REG_GCMD, VTD_GCMD_SRTP);
	qt_writel(vtd->qt, VTD_BASE + VTD_REG_GCMD, VTD_GCMD_TE);
	VT_CHECK(qt_readl(vtd->qt, VTD_BASE + VTD_REG_GSTS) & VTD_GCMD_TE);
}
