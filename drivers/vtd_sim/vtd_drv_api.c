/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public vtd_sim API (uiommu_vtd_sim.h): identification, counters,
 * and the primary fault log's reader.
 */
#include <errno.h>
#include <string.h>

#include "vtd_drv.h"

bool
uiommu_vtd_sim_is(const struct uiommu_hw *hw)
{
	return hw != NULL && uiommu_hw_ops_of(hw) == &vtd_sim_ops;
}

int
uiommu_vtd_sim_stats_get(const struct uiommu_hw *hw,
			 struct uiommu_vtd_sim_stats *stats)
{
	struct vtd_model_stats ms;
	struct vtd_drv *drv;
	unsigned int i;

	if (!uiommu_vtd_sim_is(hw) || stats == NULL)
		return -EINVAL;
	drv = vtd_drv_of(hw);
	pthread_mutex_lock(&drv->qi_lock);
	*stats = drv->stats;
	vtd_model_stats_get(drv->m, &ms);
	pthread_mutex_unlock(&drv->qi_lock);
	pthread_mutex_lock(&drv->fault_lock);
	stats->faults_read = drv->stats.faults_read;
	stats->fault_overflows = drv->stats.fault_overflows;
	pthread_mutex_unlock(&drv->fault_lock);
	for (i = 0; i < UIOMMU_VTD_DESC_TYPES; i++)
		stats->hw_descs[i] = ms.descs[i];
	stats->hw_waits_waited = ms.waits_waited;
	stats->hw_desc_errors = ms.desc_errors;
	stats->hw_faults_recorded = ms.faults_recorded;
	stats->hw_faults_dropped = ms.faults_dropped;
	stats->hw_msi_remapped = ms.msi_remapped;
	stats->hw_msi_compat = ms.msi_compat;
	stats->hw_msi_blocked = ms.msi_blocked;
	return 0;
}

int
uiommu_vtd_sim_fault_read(struct uiommu_hw *hw, struct uiommu_vtd_fault *f,
			  unsigned int n)
{
	struct vtd_drv *drv;
	uint32_t fsts, idx, nfr;
	unsigned int got = 0;

	if (!uiommu_vtd_sim_is(hw) || (f == NULL && n != 0))
		return -EINVAL;
	drv = vtd_drv_of(hw);
	nfr = FIELD_GET(CAP_NFR, vtd_model_read64(drv->m, DMAR_CAP_REG)) + 1;
	pthread_mutex_lock(&drv->fault_lock);
	fsts = vtd_model_read32(drv->m, DMAR_FSTS_REG);
	idx = FIELD_GET(FSTS_FRI, fsts);
	/* As dmar_fault(): from FRI, while F is set, clearing each. */
	while (got < n && (fsts & FSTS_PPF)) {
		uint32_t off = VTD_MODEL_FRO * 16 + idx * DMAR_FRCD_LEN;
		uint64_t rec[2];
		struct vtd_fault_record r;

		/* Acquire: F is stored after the low word. */
		rec[1] = vtd_model_read64(drv->m, off + 8);
		if (!(rec[1] & FRCD_HI_F))
			break;
		rec[0] = vtd_model_read64(drv->m, off);
		vtd_fault_record_decode(rec, &r);
		f[got++] = (struct uiommu_vtd_fault){
			.sid = r.sid, .reason = r.reason,
			.is_write = r.is_write,
			.pasid_present = r.pasid_present, .pasid = r.pasid,
			.addr = r.fault_info,
		};
		vtd_model_write64(drv->m, off + 8, FRCD_HI_F);
		idx = (idx + 1) % nfr;
	}
	fsts = vtd_model_read32(drv->m, DMAR_FSTS_REG);
	if (fsts & FSTS_PFO) {
		drv->stats.fault_overflows++;
		vtd_model_write32(drv->m, DMAR_FSTS_REG, FSTS_PFO);
	}
	drv->stats.faults_read += got;
	pthread_mutex_unlock(&drv->fault_lock);
	return (int)got;
}

const char *
uiommu_vtd_sim_fault_reason_str(uint8_t reason)
{
	switch (reason) {
	case VTD_FR_ROOT_ENTRY_NP: return "root entry not present";
	case VTD_FR_CTX_ENTRY_NP: return "context entry not present";
	case VTD_FR_CTX_ENTRY_INV: return "invalid context entry";
	case VTD_FR_ADDR_BEYOND_MGAW: return "address beyond MGAW";
	case VTD_FR_WRITE: return "write denied";
	case VTD_FR_READ: return "read denied";
	case VTD_FR_PAGING_ENTRY_INV: return "error accessing paging entry";
	case VTD_FR_IR_INDEX_OVER: return "IR: index beyond table";
	case VTD_FR_IR_ENTRY_P: return "IR: IRTE not present";
	case VTD_FR_IR_IRTE_RSVD: return "IR: reserved field in IRTE";
	case VTD_FR_IR_CFI_BLOCKED: return "IR: compatibility format blocked";
	case VTD_FR_IR_SID_ERR: return "IR: source-id check failed";
	case VTD_FR_SM_CTX_NP: return "SM: context entry not present";
	case VTD_FR_SM_CTX_PASIDE: return "SM: PASID not enabled";
	case VTD_FR_SM_PASID_TOO_BIG: return "SM: PASID beyond directory";
	case VTD_FR_SM_PASID_DIR_NP: return "SM: PASID directory entry "
					    "not present";
	case VTD_FR_SM_PASID_NP: return "SM: PASID entry not present";
	case VTD_FR_SM_PASID_INV: return "SM: invalid PASID entry";
	case VTD_FR_SM_FL_NP: return "SM: first-level entry not present";
	case VTD_FR_SM_SL_NP: return "SM: second-level entry not present";
	case VTD_FR_SM_NON_CANONICAL: return "SM: non-canonical address";
	case VTD_FR_SM_US: return "SM: user access denied";
	case VTD_FR_SM_ADDR_BEYOND: return "SM: address beyond width";
	case VTD_FR_SM_WRITE: return "SM: write denied";
	case VTD_FR_SM_READ: return "SM: read denied";
	default: return "?";
	}
}
