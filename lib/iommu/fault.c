/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault records. Each hw instance has a bounded queue (an MP/SC rte_ring of
 * struct uiommu_fault): lcores that fault enqueue, the control plane reads.
 * A full queue never stalls a lcore: the record is dropped and the drop
 * counted on that lcore.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

static const char *const fault_reason_names[UIOMMU_FAULT_REASON_MAX] = {
	[UIOMMU_FAULT_NONE] = "none",
	[UIOMMU_FAULT_TRANSLATION] = "translation",
	[UIOMMU_FAULT_PERMISSION] = "permission",
	[UIOMMU_FAULT_ACCESS_FLAG] = "access-flag",
	[UIOMMU_FAULT_ADDR_SIZE] = "address-size",
	[UIOMMU_FAULT_BAD_DEVICE] = "bad-device",
	[UIOMMU_FAULT_BAD_PASID] = "bad-pasid",
	[UIOMMU_FAULT_BLOCKED] = "blocked",
	[UIOMMU_FAULT_BAD_TABLE] = "bad-table",
	[UIOMMU_FAULT_LCORE] = "not-an-online-lcore",
};

const char *
uiommu_fault_reason_str(enum uiommu_fault_reason reason)
{
	if ((unsigned int)reason >= UIOMMU_FAULT_REASON_MAX)
		return "unknown";
	return fault_reason_names[reason];
}

int
fault_queue_init(struct uiommu_hw *hw, const struct uiommu_ctx_params *p)
{
	hw->faultq = uiommu_ring_alloc("uiommu_faultq",
				       sizeof(struct uiommu_fault),
				       p->fault_queue_size, p->socket_id,
				       RING_F_SC_DEQ);
	return hw->faultq == NULL ? -rte_errno : 0;
}

void
fault_queue_fini(struct uiommu_hw *hw)
{
	rte_free(hw->faultq);
	hw->faultq = NULL;
}

void
uiommu_fault_report(struct uiommu_hw *hw, const struct uiommu_fault *f)
{
	struct uiommu_iotlb *tlb = NULL;

	if (f->lcore_id < RTE_MAX_LCORE)
		tlb = hw->iotlb_mem[f->lcore_id];
	if (rte_ring_mp_enqueue_elem(hw->faultq, (void *)(uintptr_t)f,
				     sizeof(*f)) != 0 && tlb != NULL)
		tlb->stats.fault_drops++;
	if (tlb != NULL)
		tlb->stats.faults++;
}

void
fault_record(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
	     uint64_t iova, uint32_t access,
	     const struct uiommu_walk_result *res, unsigned int lcore_id)
{
	struct uiommu_fault f = {
		.iova = iova,
		.sid = sid,
		.pasid = pasid,
		.reason = res->reason,
		.access = access,
		.level = res->level,
		.lcore_id = lcore_id,
	};

	uiommu_fault_report(hw, &f);
}

int
uiommu_hw_fault_read(struct uiommu_hw *hw, struct uiommu_fault *faults,
		     unsigned int n)
{
	if (hw == NULL || (faults == NULL && n != 0))
		return -EINVAL;
	return (int)rte_ring_sc_dequeue_burst_elem(hw->faultq, faults,
						   sizeof(*faults), n, NULL);
}
