/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memory an emulated IOMMU may fetch from (uiommu_driver.h): a snapshot
 * of the EAL's memseg lists, shared by the device models of smmu_sim and
 * vtd_sim.
 */
#include <errno.h>
#include <string.h>

#include <rte_memory.h>

#include "uiommu_driver.h"

static int
memrange_add(const struct rte_memseg_list *msl, void *arg)
{
	struct uiommu_memrange *mr = arg;
	uintptr_t start = (uintptr_t)msl->base_va;
	uintptr_t end = start + msl->len;
	unsigned int i;

	if (msl->base_va == NULL || msl->len == 0)
		return 0;
	/* EAL reserves its lists back to back: merging keeps the scan in
	 * uiommu_memrange_ok() short. */
	for (i = 0; i < mr->n; i++) {
		if (mr->end[i] == start) {
			mr->end[i] = end;
			return 0;
		}
		if (mr->start[i] == end) {
			mr->start[i] = start;
			return 0;
		}
	}
	if (mr->n == UIOMMU_MEMRANGE_MAX)
		return -1;
	mr->start[mr->n] = start;
	mr->end[mr->n] = end;
	mr->n++;
	return 0;
}

int
uiommu_memrange_init(struct uiommu_memrange *mr)
{
	memset(mr, 0, sizeof(*mr));
	if (rte_memseg_list_walk(memrange_add, mr) != 0)
		return -ENOSPC;
	return 0;
}
