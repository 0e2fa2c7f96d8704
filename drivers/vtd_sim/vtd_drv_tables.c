/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's configuration structures: the root table, context tables
 * (legacy 128-bit entries; scalable 256-bit entries in lower/upper tables),
 * each device's PASID directory and its PASID tables (allocated on demand),
 * and how entries are encoded and changed.
 *
 * Changing a present entry is done as Linux's pasid.c does: clear P,
 * invalidate the PASID cache (or context cache), the IOTLB of the old DID
 * and the device-TLB, wait; then store the new words with release stores,
 * the one holding P last. Everything here runs under the ctx lock.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "iopt_vtd.h"
#include "vtd_drv.h"

int
vtd_root_init(struct vtd_drv *drv, int socket)
{
	drv->root = rte_zmalloc_socket("vtd_root", 4096, 4096, socket);
	return drv->root == NULL ? -ENOMEM : 0;
}

void
vtd_root_fini(struct vtd_drv *drv)
{
	unsigned int b;

	for (b = 0; b < 256; b++) {
		rte_free(drv->ctx_tbl[b][0]);
		rte_free(drv->ctx_tbl[b][1]);
	}
	rte_free(drv->root);
}

/* The context entry of @sid, allocating its table. */
static uint64_t *
ctx_slot(struct vtd_drv *drv, uint16_t sid)
{
	unsigned int bus = sid >> 8, devfn = sid & 0xff;
	unsigned int half = drv->scalable ? devfn >> SM_CTX_DEVFN_BITS : 0;
	uint64_t **tbl = &drv->ctx_tbl[bus][half];

	if (*tbl == NULL) {
		*tbl = rte_zmalloc("vtd_ctx", 4096, 4096);
		if (*tbl == NULL)
			return NULL;
		/* LP / UP / P share bit 0 of their word. */
		vtd_word_store(&drv->root[bus * 2 + half],
			       ((uintptr_t)*tbl & ROOT_LO_CTP) | ROOT_LO_P);
	}
	if (drv->scalable)
		return &(*tbl)[(devfn & 0x7f) * 4];
	return &(*tbl)[devfn * 2];
}

static void
cc_flush(struct vtd_drv *drv, uint16_t sid, uint16_t did)
{
	struct vtd_desc d = { .type = QI_CC_TYPE, .g = QI_CC_G_DEVICE,
			      .sid = sid, .did = did };

	vtd_qi_issue(drv, &d, 1);
}

int
vtd_ctx_init(struct vtd_drv *drv, struct vtd_drv_dev *dd, uint8_t pasid_bits)
{
	uint32_t dir_bits = pasid_bits > PASID_DIR_SHIFT ?
			    pasid_bits - PASID_DIR_SHIFT : 0;
	size_t bytes;

	dd->ctx = ctx_slot(drv, dd->sid);
	if (dd->ctx == NULL)
		return -ENOMEM;
	if (!drv->scalable)
		return 0;	/* not present until attached */
	dd->pdts = dir_bits > 7 ? dir_bits - 7 : 0;
	dd->dir_entries = 1u << (dd->pdts + 7);
	bytes = (size_t)dd->dir_entries * 8;
	dd->pasid_dir = rte_zmalloc("vtd_pasid_dir", bytes, 4096);
	dd->pasid_tbl = rte_zmalloc("vtd_pasid_tbls",
				    dd->dir_entries * sizeof(uint64_t *), 0);
	if (dd->pasid_dir == NULL || dd->pasid_tbl == NULL) {
		rte_free(dd->pasid_dir);
		rte_free(dd->pasid_tbl);
		return -ENOMEM;
	}
	vtd_word_store(&dd->ctx[1], FIELD_PREP(SM_CTX_1_RID_PASID, 0));
	vtd_word_store(&dd->ctx[0],
		       ((uintptr_t)dd->pasid_dir & SM_CTX_0_PASIDDIRPTR) |
		       FIELD_PREP(SM_CTX_0_PDTS, dd->pdts) |
		       (pasid_bits != 0 ? SM_CTX_0_PASIDE : 0) |
		       (dd->ats ? SM_CTX_0_DTE : 0) | SM_CTX_0_P);
	cc_flush(drv, dd->sid, 0);
	return 0;
}

void
vtd_ctx_fini(struct vtd_drv *drv, struct vtd_drv_dev *dd)
{
	unsigned int i;

	if (dd->ctx != NULL) {
		vtd_word_store(&dd->ctx[0], 0);
		vtd_word_store(&dd->ctx[1], 0);
		/* The wait after it outlasts every walk still in the PASID
		 * tables: only then are they freed. */
		if (drv->scalable) {
			struct vtd_desc d[2] = {
				{ .type = QI_CC_TYPE, .g = QI_CC_G_DEVICE,
				  .sid = dd->sid },
				{ .type = QI_PC_TYPE, .g = QI_PC_G_GLOBAL },
			};
			if (vtd_qi_issue(drv, d, 2) != 0)
				uiommu_iotlb_sync(drv->hw);
		} else {
			cc_flush(drv, dd->sid, 0);
		}
	}
	for (i = 0; dd->pasid_tbl != NULL && i < dd->dir_entries; i++)
		rte_free(dd->pasid_tbl[i]);
	rte_free(dd->pasid_tbl);
	rte_free(dd->pasid_dir);
	dd->pasid_tbl = NULL;
	dd->pasid_dir = NULL;
}

uint64_t *
vtd_pasid_slot(struct vtd_drv_dev *dd, uint32_t pasid, bool create)
{
	uint32_t di = pasid >> PASID_DIR_SHIFT;
	uint64_t *t;

	if (di >= dd->dir_entries)
		return NULL;
	t = dd->pasid_tbl[di];
	if (t == NULL) {
		if (!create)
			return NULL;
		t = rte_zmalloc("vtd_pasid_tbl", 4096, 4096);
		if (t == NULL)
			return NULL;
		dd->pasid_tbl[di] = t;
		vtd_word_store(&dd->pasid_dir[di],
			       ((uintptr_t)t & PASID_DIR_SMPTBLPTR) |
			       PASID_DIR_P);
	}
	return &t[(pasid & (PASID_TBL_ENTRIES - 1)) * PASID_ENTRY_WORDS];
}

int
vtd_pasid_entry_build(const struct uiommu_domain *dom, uint16_t did,
		      uint64_t pe[PASID_ENTRY_WORDS])
{
	struct uiommu_iopt_info info, pinfo;

	memset(pe, 0, PASID_ENTRY_WORDS * 8);
	if (dom == NULL || uiommu_domain_type(dom) == UIOMMU_DOMAIN_BLOCKED)
		return 0;
	pe[1] = FIELD_PREP(PASID_1_DID, did);
	if (uiommu_domain_type(dom) == UIOMMU_DOMAIN_IDENTITY) {
		pe[0] = FIELD_PREP(PASID_0_PGTT, PGTT_PT) | PASID_0_P;
		return 0;
	}
	if (uiommu_domain_iopt_info(dom, &info) != 0)
		return -EINVAL;
	if (uiommu_domain_type(dom) == UIOMMU_DOMAIN_NESTED) {
		if (uiommu_domain_iopt_info(uiommu_domain_parent(dom),
					    &pinfo) != 0)
			return -EINVAL;
		pe[0] = (pinfo.root & PASID_0_SLPTPTR) |
			FIELD_PREP(PASID_0_AW, vtd_sl_aw(pinfo.start_level)) |
			FIELD_PREP(PASID_0_PGTT, PGTT_NESTED) | PASID_0_P;
		pe[2] = (info.root & PASID_2_FLPTR) | PASID_2_NXE |
			FIELD_PREP(PASID_2_FLPM, FLPM_4LVL);
		return 0;
	}
	if (info.fmt == UIOMMU_IOPT_VTD_FL) {
		pe[0] = FIELD_PREP(PASID_0_PGTT, PGTT_FL) | PASID_0_P;
		/* First-level leaves carry XD: NXE makes it legal. */
		pe[2] = (info.root & PASID_2_FLPTR) | PASID_2_NXE |
			FIELD_PREP(PASID_2_FLPM, FLPM_4LVL);
		return 0;
	}
	if (info.fmt != UIOMMU_IOPT_VTD_SL)
		return -EINVAL;
	pe[0] = (info.root & PASID_0_SLPTPTR) |
		FIELD_PREP(PASID_0_AW, vtd_sl_aw(info.start_level)) |
		FIELD_PREP(PASID_0_PGTT, PGTT_SL) | PASID_0_P;
	return 0;
}

int
vtd_legacy_ctx_build(const struct uiommu_domain *dom, uint16_t did, bool ats,
		     uint64_t ce[2])
{
	struct uiommu_iopt_info info;

	ce[0] = 0;
	ce[1] = 0;
	if (dom == NULL || uiommu_domain_type(dom) == UIOMMU_DOMAIN_BLOCKED)
		return 0;
	if (uiommu_domain_type(dom) == UIOMMU_DOMAIN_IDENTITY) {
		ce[0] = FIELD_PREP(CTX_LO_TT, CTX_TT_PASS_THROUGH) | CTX_LO_P;
		ce[1] = FIELD_PREP(CTX_HI_AW, AW_48BIT);
		return 0;
	}
	if (uiommu_domain_type(dom) != UIOMMU_DOMAIN_PAGING ||
	    uiommu_domain_iopt_info(dom, &info) != 0 ||
	    info.fmt != UIOMMU_IOPT_VTD_SL)
		return -EINVAL;
	ce[0] = (info.root & CTX_LO_SLPTPTR) |
		FIELD_PREP(CTX_LO_TT, ats ? CTX_TT_DEV_IOTLB :
				      CTX_TT_MULTI_LEVEL) | CTX_LO_P;
	ce[1] = FIELD_PREP(CTX_HI_AW, vtd_sl_aw(info.start_level)) |
		FIELD_PREP(CTX_HI_DID, did);
	return 0;
}

static enum vtd_tag_kind
pasid_kind(const uint64_t pe[PASID_ENTRY_WORDS])
{
	switch (FIELD_GET(PASID_0_PGTT, pe[0])) {
	case PGTT_FL: return VTD_TAG_FL;
	case PGTT_NESTED: return VTD_TAG_NESTED;
	default: return VTD_TAG_SL;
	}
}

int
vtd_pasid_write(struct vtd_drv *drv, struct vtd_drv_dev *dd, uint32_t pasid,
		uint64_t *slot, const uint64_t pe[PASID_ENTRY_WORDS])
{
	uint64_t old0 = __atomic_load_n(&slot[0], __ATOMIC_RELAXED);
	int i, rc = 0;

	if (old0 & PASID_0_P) {
		uint16_t did = FIELD_GET(PASID_1_DID, slot[1]);
		struct vtd_desc pc = { .type = QI_PC_TYPE, .g = QI_PC_G_PASID,
				       .did = did, .pasid = pasid };

		vtd_word_store(&slot[0], old0 & ~PASID_0_P);
		pthread_mutex_lock(&drv->qi_lock);
		rc = vtd_qi_add(drv, &pc);
		if (rc == 0)
			rc = vtd_qi_flush_ctx(drv, dd->sid, pasid, did,
					      pasid_kind(slot), dd->ats);
		if (rc == 0)
			rc = vtd_qi_sync(drv);
		pthread_mutex_unlock(&drv->qi_lock);
		/* The old entry may still be cached: leave the slot not
		 * present (DMA blocked) rather than install over it. */
		if (rc != 0)
			return rc;
	}
	for (i = PASID_ENTRY_WORDS - 1; i >= 0; i--)
		vtd_word_store(&slot[i], pe[i]);
	/* Not-present to present needs no invalidation: CAP.CM is clear,
	 * so no cache holds a not-present entry. */
	return rc;
}

int
vtd_legacy_ctx_write(struct vtd_drv *drv, struct vtd_drv_dev *dd,
		     const uint64_t ce[2])
{
	uint64_t old0 = __atomic_load_n(&dd->ctx[0], __ATOMIC_RELAXED);
	int rc = 0;

	if (old0 & CTX_LO_P) {
		uint16_t did = FIELD_GET(CTX_HI_DID, dd->ctx[1]);
		struct vtd_desc cc = { .type = QI_CC_TYPE,
				       .g = QI_CC_G_DEVICE, .sid = dd->sid,
				       .did = did };

		vtd_word_store(&dd->ctx[0], old0 & ~CTX_LO_P);
		pthread_mutex_lock(&drv->qi_lock);
		rc = vtd_qi_add(drv, &cc);
		if (rc == 0)
			rc = vtd_qi_flush_ctx(drv, dd->sid, 0, did,
					      VTD_TAG_LEGACY, dd->ats);
		if (rc == 0)
			rc = vtd_qi_sync(drv);
		pthread_mutex_unlock(&drv->qi_lock);
		if (rc != 0)	/* as vtd_pasid_write() */
			return rc;
	}
	vtd_word_store(&dd->ctx[1], ce[1]);
	vtd_word_store(&dd->ctx[0], ce[0]);
	return rc;
}
