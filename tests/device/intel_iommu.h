/* Just enough Intel VT-d programming to put one PCI function of bus 0 behind second-level translation in
 * QEMU's intel-iommu (-device intel-iommu, before the device), so a test can check that DMA goes through it.
 * Legacy-mode root and context tables, 39-bit address width (3 levels), tables in guest RAM from `base`. */
#ifndef INTEL_IOMMU_H
#define INTEL_IOMMU_H

#include "qtest_client.h"

#include <stdbool.h>
#include <stdint.h>

struct vtd {
	struct qt *qt;
	uint64_t next_table; /* guest RAM for the next page table; RAM starts zeroed, so tables do too */
	uint64_t sl_root;
};

/* Root and context tables for bus 0 / devfn, an empty second-level table; translation still off. */
void vtd_setup(struct vtd *vtd, struct qt *qt, uint64_t base, unsigned devfn);
/* Map one 4 KiB page: DMA to iova reaches gpa. */
void vtd_map(struct vtd *vtd, uint64_t iova, uint64_t gpa);
/* Point the IOMMU at the tables and enable translation. */
void vtd_enable(struct vtd *vtd);

#endif
