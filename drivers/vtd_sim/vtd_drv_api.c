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
	static const char *const str[] = {
		[VTD_FR_ROOT_ENTRY_NP] = "root entry not present",
		[VTD_FR_CTX_ENTRY_NP] = "context entry not present",
		[VTD_FR_CTX_ENTRY_INV] = "invalid context entry",
		[VTD_FR_ADDR_BEYOND_MGAW] = "address beyond MGAW",
		[VTD_FR_WRITE] = "write denied",
		[VTD_FR_READ] = "read denied",
		[VTD_FR_PAGING_ENTRY_INV] = "error accessing paging entry",
		[VTD_FR_ROOT_TABLE_INV] = "error accessing root table",
		[VTD_FR_CTX_TABLE_INV] = "error accessing context table",
		[VTD_FR_ROOT_ENTRY_RSVD] = "reserved field in root entry",
		[VTD_FR_CTX_ENTRY_RSVD] = "reserved field in context entry",
		[VTD_FR_PAGING_ENTRY_RSVD] = "reserved field in paging entry",
		[VTD_FR_CTX_ENTRY_TT] = "translation type not allowed",
		[VTD_FR_IR_REQ_RSVD] = "IR: reserved field in request",
		[VTD_FR_IR_INDEX_OVER] = "IR: index beyond table",
		[VTD_FR_IR_ENTRY_P] = "IR: IRTE not present",
		[VTD_FR_IR_ROOT_INVAL] = "IR: error accessing table",
		[VTD_FR_IR_IRTE_RSVD] = "IR: reserved field in IRTE",
		[VTD_FR_IR_CFI_BLOCKED] = "IR: compatibility format blocked",
		[VTD_FR_IR_SID_ERR] = "IR: source-id check failed",
		[VTD_FR_IR_PID_READ] = "IR: error accessing posted "
				       "descriptor",
		[VTD_FR_RTADDR_INV_TTM] = "invalid translation table mode",
		[VTD_FR_RTADDR_TTM0_PASID] = "legacy mode: request with PASID",
		[VTD_FR_RTADDR_TTM0_PRQ] = "legacy mode: page request",
		[VTD_FR_SM_ROOT_ACCESS] = "SM: error accessing root table",
		[VTD_FR_SM_ROOT_NP] = "SM: root entry not present",
		[VTD_FR_SM_ROOT_RSVD] = "SM: reserved field in root entry",
		[VTD_FR_SM_CTX_ACCESS] = "SM: error accessing context table",
		[VTD_FR_SM_CTX_NP] = "SM: context entry not present",
		[VTD_FR_SM_CTX_RSVD] = "SM: reserved field in context entry",
		[VTD_FR_SM_CTX_INV] = "SM: invalid context entry",
		[VTD_FR_SM_CTX_DTE] = "SM: device-TLB not enabled",
		[VTD_FR_SM_CTX_PASIDE] = "SM: PASID not enabled",
		[VTD_FR_SM_PASID_TOO_BIG] = "SM: PASID beyond directory",
		[VTD_FR_SM_CTX_PRE] = "SM: page requests not enabled",
		[VTD_FR_SM_RID_PASID_ERR] = "SM: RID_PASID beyond directory",
		[VTD_FR_SM_PASID_DIR_ACCESS] = "SM: error accessing PASID "
					       "directory",
		[VTD_FR_SM_PASID_DIR_NP] = "SM: PASID directory entry "
					   "not present",
		[VTD_FR_SM_PASID_DIR_RSVD] = "SM: reserved field in PASID "
					     "directory entry",
		[VTD_FR_SM_PASID_ACCESS] = "SM: error accessing PASID table",
		[VTD_FR_SM_PASID_NP] = "SM: PASID entry not present",
		[VTD_FR_SM_PASID_RSVD] = "SM: reserved field in PASID entry",
		[VTD_FR_SM_PASID_INV] = "SM: invalid PASID entry",
		[VTD_FR_SM_PASID_ERE] = "SM: execute requests not enabled",
		[VTD_FR_SM_PASID_SRE] = "SM: supervisor requests not enabled",
		[VTD_FR_SM_FL_ACCESS] = "SM: error accessing first-level "
					"entry",
		[VTD_FR_SM_FL_NP] = "SM: first-level entry not present",
		[VTD_FR_SM_FL_RSVD] = "SM: reserved field in first-level "
				      "entry",
		[VTD_FR_SM_FL_PML4_ACCESS] = "SM: error accessing first-level "
					     "table pointer",
		[VTD_FR_SM_FL_NESTED_MGAW] = "SM: first-level table beyond "
					     "second-level width",
		[VTD_FR_SM_FL_NESTED_PML4_R] = "SM: first-level table not "
					       "readable at second level",
		[VTD_FR_SM_FL_NESTED_R] = "SM: first-level entry not "
					  "readable at second level",
		[VTD_FR_SM_FL_NESTED_W] = "SM: first-level entry not "
					  "writable at second level",
		[VTD_FR_SM_SL_ACCESS] = "SM: error accessing second-level "
					"entry",
		[VTD_FR_SM_SL_NP] = "SM: second-level entry not present",
		[VTD_FR_SM_SL_RSVD] = "SM: reserved field in second-level "
				      "entry",
		[VTD_FR_SM_SL_PTR_INV] = "SM: invalid second-level table "
					 "pointer",
		[VTD_FR_SM_SL_AD_NOSNOOP] = "SM: second-level A/D update "
					    "without snoop",
		[VTD_FR_SM_NON_CANONICAL] = "SM: non-canonical address",
		[VTD_FR_SM_US] = "SM: user access denied",
		[VTD_FR_SM_EXEC] = "SM: execute denied",
		[VTD_FR_SM_ADDR_BEYOND] = "SM: address beyond width",
		[VTD_FR_SM_SL_ADDR_BEYOND] = "SM: second-level address beyond "
					     "width",
		[VTD_FR_SM_WRITE] = "SM: write denied",
		[VTD_FR_SM_READ] = "SM: read denied",
		[VTD_FR_SM_INTR_ADDR] = "SM: access to the interrupt range",
		[VTD_FR_SM_FL_AD_NOSNOOP] = "SM: first-level A/D update "
					    "without snoop",
	};

	return reason < RTE_DIM(str) && str[reason] != NULL ? str[reason] :
								"?";
}
