/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtd_sim's struct uiommu_hw_ops: the core's requests turned into what
 * Linux's intel-iommu driver does. hw_init brings the unit up as
 * intel_iommu_init does (root table and SRTP, QI, global invalidations,
 * interrupt remapping, TE last; every GCMD write is GSTS plus one bit);
 * attach and detach rewrite context and PASID entries; invalidations
 * become QI descriptors and sync one wait descriptor.
 *
 * DID = tag: the model fills the core's IOTLB under the DID it reads from
 * the entry, so it must be the tag the port looks up.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "vtd_drv.h"

RTE_LOG_REGISTER(vtd_sim_logtype, uiommu.vtd_sim, NOTICE);

struct vtd_drv_args {
	bool legacy;
	unsigned int qs, nfr, irt, psi_max;
	bool cfi;
};

struct args_uint {
	unsigned int *out, min, max;
};

static int
args_uint(const char *key, const char *value, void *opaque)
{
	const struct args_uint *a = opaque;
	char *end;
	unsigned long v = strtoul(value, &end, 0);

	if (*value == '\0' || *end != '\0' || v < a->min || v > a->max) {
		VTD_LOG(ERR, "%s=%s: want %u..%u", key, value, a->min, a->max);
		return -EINVAL;
	}
	*a->out = v;
	return 0;
}

static int
args_mode(const char *key, const char *value, void *opaque)
{
	bool *legacy = opaque;

	if (strcmp(value, "scalable") == 0 || strcmp(value, "legacy") == 0) {
		*legacy = value[0] == 'l';
		return 0;
	}
	VTD_LOG(ERR, "%s=%s: want scalable or legacy", key, value);
	return -EINVAL;
}

static int
args_bool(const char *key, const char *value, void *opaque)
{
	bool *out = opaque;

	if (strcmp(value, "0") == 0 || strcmp(value, "1") == 0) {
		*out = value[0] == '1';
		return 0;
	}
	VTD_LOG(ERR, "%s=%s: want 0 or 1", key, value);
	return -EINVAL;
}

static int
vtd_args_parse(const char *args, struct vtd_drv_args *a)
{
	static const char *const keys[] = {
		"mode", "qi", "nfr", "irt", "cfi", "psi_max", NULL,
	};
	struct args_uint qs = { &a->qs, 0, 7 };
	struct args_uint nfr = { &a->nfr, 1, VTD_MODEL_NFR_MAX };
	struct args_uint irt = { &a->irt, 1, 16 };
	struct args_uint psi = { &a->psi_max, 1, 64 };
	struct rte_kvargs *kv;
	int rc = 0;

	*a = (struct vtd_drv_args){
		.nfr = VTD_MODEL_NFR_DEFAULT, .irt = VTD_DRV_IRT_LOG2_DEF,
		.psi_max = VTD_DRV_PSI_MAX_DEF,
	};
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, keys);
	if (kv == NULL) {
		VTD_LOG(ERR, "bad arguments '%s' (keys: mode, qi, nfr, irt, "
			"cfi, psi_max)", args);
		return -EINVAL;
	}
	if (rte_kvargs_process(kv, "mode", args_mode, &a->legacy) < 0 ||
	    rte_kvargs_process(kv, "qi", args_uint, &qs) < 0 ||
	    rte_kvargs_process(kv, "nfr", args_uint, &nfr) < 0 ||
	    rte_kvargs_process(kv, "irt", args_uint, &irt) < 0 ||
	    rte_kvargs_process(kv, "cfi", args_bool, &a->cfi) < 0 ||
	    rte_kvargs_process(kv, "psi_max", args_uint, &psi) < 0)
		rc = -EINVAL;
	rte_kvargs_free(kv);
	return rc;
}

/* GCMD = GSTS's persistent enables plus @bit; wait for @sts. */
static int
gcmd_set(struct vtd_drv *drv, uint32_t bit, uint32_t sts)
{
	uint32_t gsts = vtd_model_read32(drv->m, DMAR_GSTS_REG);

	vtd_model_write32(drv->m, DMAR_GCMD_REG,
			  (gsts & GCMD_PERSISTENT) | bit);
	if (!(vtd_model_read32(drv->m, DMAR_GSTS_REG) & sts)) {
		VTD_LOG(ERR, "GSTS %#x: %#x did not set",
			vtd_model_read32(drv->m, DMAR_GSTS_REG), sts);
		return -EIO;
	}
	return 0;
}

static int
caps_check(struct vtd_drv *drv)
{
	uint64_t cap = vtd_model_read64(drv->m, DMAR_CAP_REG);
	uint64_t ecap = vtd_model_read64(drv->m, DMAR_ECAP_REG);
	uint64_t need = ECAP_QI | ECAP_IR | ECAP_PT | ECAP_DT;

	drv->mamv = FIELD_GET(CAP_MAMV, cap);
	if (drv->scalable)
		need |= ECAP_SMTS | ECAP_FLTS | ECAP_SLTS | ECAP_NEST |
			ECAP_PASID | ECAP_RPS;
	if ((ecap & need) != need || !(cap & CAP_PSI) ||
	    !(FIELD_GET(CAP_SAGAW, cap) & SAGAW_48_4LVL) ||
	    (FIELD_GET(CAP_SLLPS, cap) & (SLLPS_2M | SLLPS_1G)) !=
	    (SLLPS_2M | SLLPS_1G) || FIELD_GET(CAP_ND, cap) < 6) {
		VTD_LOG(ERR, "CAP %#" PRIx64 " ECAP %#" PRIx64
			": missing features", cap, ecap);
		return -ENODEV;
	}
	if (drv->eime && !(ecap & ECAP_EIM))
		drv->eime = false;
	return 0;
}

static void
vtd_drv_free(struct vtd_drv *drv)
{
	struct vtd_ats_bind *b;

	while ((b = TAILQ_FIRST(&drv->ats_binds)) != NULL) {
		TAILQ_REMOVE(&drv->ats_binds, b, next);
		rte_free(b);
	}
	vtd_ir_fini(drv);
	vtd_root_fini(drv);
	rte_free(drv->iq);
	rte_free(drv->status);
	rte_free(drv->tag_info);
	vtd_model_destroy(drv->m);
	pthread_mutex_destroy(&drv->qi_lock);
	pthread_mutex_destroy(&drv->ir_lock);
	pthread_mutex_destroy(&drv->fault_lock);
}

static int
vtd_bringup(struct vtd_drv *drv, const struct vtd_drv_args *a, int socket)
{
	struct vtd_desc inv[3] = {
		{ .type = QI_CC_TYPE, .g = QI_CC_G_GLOBAL },
		{ .type = QI_IOTLB_TYPE, .g = QI_IOTLB_G_GLOBAL },
		{ .type = QI_PC_TYPE, .g = QI_PC_G_GLOBAL },
	};
	struct vtd_desc iec = { .type = QI_IEC_TYPE };
	int rc;

	rc = caps_check(drv);
	if (rc == 0)
		rc = vtd_root_init(drv, socket);
	if (rc != 0)
		return rc;
	vtd_model_write64(drv->m, DMAR_RTADDR_REG,
			  ((uintptr_t)drv->root & RTADDR_RTA) |
			  FIELD_PREP(RTADDR_TTM, drv->scalable ?
				     RTADDR_TTM_SCALABLE : RTADDR_TTM_LEGACY));
	rc = gcmd_set(drv, GCMD_SRTP, GSTS_RTPS);
	if (rc == 0)
		rc = vtd_qi_init(drv, a->qs, socket);
	if (rc == 0)
		rc = gcmd_set(drv, GCMD_QIE, GSTS_QIES);
	if (rc == 0)
		rc = vtd_qi_issue(drv, inv, drv->scalable ? 3 : 2);
	if (rc == 0)
		rc = vtd_ir_init(drv, a->irt, socket);
	if (rc == 0)
		rc = gcmd_set(drv, GCMD_SIRTP, GSTS_IRTPS);
	if (rc == 0)
		rc = vtd_qi_issue(drv, &iec, 1);
	if (rc == 0)
		rc = gcmd_set(drv, GCMD_IRE, GSTS_IRES);
	if (rc == 0 && drv->cfi)
		rc = gcmd_set(drv, GCMD_CFI, GSTS_CFIS);
	if (rc == 0)
		rc = gcmd_set(drv, GCMD_TE, GSTS_TES);
	return rc;
}

static int
vtd_hw_init(struct uiommu_hw *hw, const char *args,
	    struct uiommu_hw_caps *caps)
{
	struct vtd_drv *drv = vtd_drv_of(hw);
	int socket = (int)rte_socket_id();
	struct vtd_model_cfg cfg;
	struct vtd_drv_args a;
	int rc;

	rc = vtd_args_parse(args, &a);
	if (rc != 0)
		return rc;
	drv->hw = hw;
	drv->scalable = !a.legacy;
	drv->cfi = a.cfi;
	drv->eime = !a.cfi;
	drv->psi_max = a.psi_max;
	TAILQ_INIT(&drv->ats_binds);
	pthread_mutex_init(&drv->qi_lock, NULL);
	pthread_mutex_init(&drv->ir_lock, NULL);
	pthread_mutex_init(&drv->fault_lock, NULL);
	cfg = (struct vtd_model_cfg){ .nfr = a.nfr, .scalable = !a.legacy,
				      .pasid_bits = VTD_MODEL_PASID_BITS };
	drv->m = vtd_model_create(hw, &cfg, socket);
	drv->tag_info = rte_zmalloc_socket("vtd_tag_info", VTD_DRV_TAGS *
					   sizeof(*drv->tag_info), 0, socket);
	/* The model says why it failed (EINVAL, ENOMEM, ENOSPC). */
	rc = drv->m == NULL ? -rte_errno : -ENOMEM;
	if (drv->m == NULL || drv->tag_info == NULL)
		goto err_free;
	rc = vtd_bringup(drv, &a, socket);
	if (rc != 0)
		goto err_free;
	*caps = (struct uiommu_hw_caps){
		.pgsize_bitmap = RTE_PGSIZE_4K | RTE_PGSIZE_2M | RTE_PGSIZE_1G,
		.ias = 48,
		.oas = 48,
		.pasid_bits = drv->scalable ? VTD_MODEL_PASID_BITS : 0,
		.stages = drv->scalable ? 0x3 : 0x2,
		.ats = true,
		.tlb_tag_pasid = true,
		.tag_bits = 16,
		.s1_fmt = UIOMMU_IOPT_VTD_FL,
		.s2_fmt = UIOMMU_IOPT_VTD_SL,
	};
	return 0;

err_free:
	vtd_drv_free(drv);
	return rc;
}

static void
vtd_hw_fini(struct uiommu_hw *hw)
{
	struct vtd_drv *drv = vtd_drv_of(hw);

	vtd_model_write32(drv->m, DMAR_GCMD_REG, 0);
	vtd_drv_free(drv);
}

/* ---------------------------------------------------------- devices -- */

static int
vtd_dev_init(struct uiommu_dev *dev)
{
	struct vtd_drv *drv = vtd_drv_of(uiommu_dev_hw(dev));
	struct vtd_drv_dev *dd = uiommu_dev_priv(dev);
	uint32_t sid = uiommu_dev_sid(dev);

	if (sid > UINT16_MAX) {
		VTD_LOG(ERR, "RID %#x wider than 16 bits", sid);
		return -EINVAL;
	}
	dd->sid = (uint16_t)sid;
	dd->ats = uiommu_dev_ats(dev);
	return vtd_ctx_init(drv, dd, uiommu_dev_pasid_bits(dev));
}

static void
ats_bind_del(struct vtd_drv *drv, uint16_t sid, uint32_t pasid)
{
	struct vtd_ats_bind *b, *tmp;

	for (b = TAILQ_FIRST(&drv->ats_binds); b != NULL; b = tmp) {
		tmp = TAILQ_NEXT(b, next);
		if (b->sid == sid && b->pasid == pasid) {
			TAILQ_REMOVE(&drv->ats_binds, b, next);
			rte_free(b);
		}
	}
}

static void
vtd_dev_fini(struct uiommu_dev *dev)
{
	struct vtd_drv *drv = vtd_drv_of(uiommu_dev_hw(dev));
	struct vtd_drv_dev *dd = uiommu_dev_priv(dev);

	vtd_ctx_fini(drv, dd);
}

/* ---------------------------------------------------------- attach -- */

/* Record what @tag names, and the ATS binding, under qi_lock (inv reads
 * them). */
static int
tag_bind(struct vtd_drv *drv, struct vtd_drv_dev *dd, uint32_t pasid,
	 uint32_t tag, enum vtd_tag_kind kind)
{
	struct vtd_ats_bind *b = NULL;

	if (dd->ats && tag != 0) {
		b = rte_zmalloc("vtd_ats_bind", sizeof(*b), 0);
		if (b == NULL)
			return -ENOMEM;
		b->sid = dd->sid;
		b->pasid = pasid;
		b->tag = tag;
	}
	pthread_mutex_lock(&drv->qi_lock);
	if (tag != 0)
		drv->tag_info[tag] = (struct vtd_tag_info){ .kind = kind,
							    .pasid = pasid };
	ats_bind_del(drv, dd->sid, pasid);
	if (b != NULL)
		TAILQ_INSERT_TAIL(&drv->ats_binds, b, next);
	pthread_mutex_unlock(&drv->qi_lock);
	return 0;
}

static enum vtd_tag_kind
kind_of(const struct vtd_drv *drv, const uint64_t pe[PASID_ENTRY_WORDS])
{
	if (!drv->scalable)
		return VTD_TAG_LEGACY;
	switch (FIELD_GET(PASID_0_PGTT, pe[0])) {
	case PGTT_FL: return VTD_TAG_FL;
	case PGTT_NESTED: return VTD_TAG_NESTED;
	default: return VTD_TAG_SL;
	}
}

static int
vtd_attach(struct uiommu_dev *dev, uint32_t pasid, struct uiommu_domain *dom,
	   uint32_t tag)
{
	struct vtd_drv *drv = vtd_drv_of(uiommu_dev_hw(dev));
	struct vtd_drv_dev *dd = uiommu_dev_priv(dev);
	uint64_t pe[PASID_ENTRY_WORDS], ce[2], *slot;
	uint32_t hw_pasid;
	int rc;

	if (tag >= VTD_DRV_TAGS)
		return -ENOSPC;
	if (!drv->scalable) {
		if (pasid != UIOMMU_PASID_NONE)
			return -EINVAL;
		rc = vtd_legacy_ctx_build(dom, (uint16_t)tag, dd->ats, ce);
		if (rc == 0)
			rc = tag_bind(drv, dd, 0, tag, VTD_TAG_LEGACY);
		return rc != 0 ? rc : vtd_legacy_ctx_write(drv, dd, ce);
	}
	/* PASID 0 is the RID's (RID_PASID), as Linux's IOMMU_NO_PASID. */
	if (pasid == 0)
		return -EINVAL;
	hw_pasid = pasid == UIOMMU_PASID_NONE ? 0 : pasid;
	rc = vtd_pasid_entry_build(dom, (uint16_t)tag, pe);
	if (rc != 0)
		return rc;
	if ((hw_pasid >> PASID_DIR_SHIFT) >= dd->dir_entries)
		return -EINVAL;
	slot = vtd_pasid_slot(dd, hw_pasid, true);
	if (slot == NULL)
		return -ENOMEM;
	rc = tag_bind(drv, dd, hw_pasid, tag, kind_of(drv, pe));
	if (rc != 0)
		return rc;
	return vtd_pasid_write(drv, dd, hw_pasid, slot, pe);
}

static void
vtd_detach(struct uiommu_dev *dev, uint32_t pasid)
{
	struct vtd_drv *drv = vtd_drv_of(uiommu_dev_hw(dev));
	struct vtd_drv_dev *dd = uiommu_dev_priv(dev);
	uint32_t hw_pasid = pasid == UIOMMU_PASID_NONE ? 0 : pasid;
	uint64_t pe[PASID_ENTRY_WORDS] = { 0 }, ce[2] = { 0, 0 }, *slot;

	if (!drv->scalable) {
		vtd_legacy_ctx_write(drv, dd, ce);
	} else {
		slot = vtd_pasid_slot(dd, hw_pasid, false);
		if (slot != NULL)
			vtd_pasid_write(drv, dd, hw_pasid, slot, pe);
	}
	pthread_mutex_lock(&drv->qi_lock);
	ats_bind_del(drv, dd->sid, hw_pasid);
	pthread_mutex_unlock(&drv->qi_lock);
}

/* ------------------------------------------------------ fast path -- */

static int
vtd_translate(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
	      uint64_t iova, uint32_t access, struct uiommu_walk_result *res)
{
	struct vtd_drv *drv = vtd_drv_of(hw);

	if (sid > UINT16_MAX) {
		memset(res, 0, sizeof(*res));
		res->reason = UIOMMU_FAULT_BAD_DEVICE;
		return 0;
	}
	vtd_model_translate(drv->m, (uint16_t)sid, pasid, iova, access, res);
	return 0;
}

static int
vtd_inv(struct uiommu_hw *hw, const struct uiommu_inv *inv)
{
	struct vtd_drv *drv = vtd_drv_of(hw);
	int rc;

	pthread_mutex_lock(&drv->qi_lock);
	rc = vtd_qi_inv(drv, inv);
	pthread_mutex_unlock(&drv->qi_lock);
	return rc;
}

static int
vtd_sync(struct uiommu_hw *hw)
{
	struct vtd_drv *drv = vtd_drv_of(hw);
	int rc;

	pthread_mutex_lock(&drv->qi_lock);
	rc = vtd_qi_sync(drv);
	pthread_mutex_unlock(&drv->qi_lock);
	return rc;
}

const struct uiommu_hw_ops vtd_sim_ops = {
	.name = "vtd_sim",
	.hw_priv_size = sizeof(struct vtd_drv),
	.dev_priv_size = sizeof(struct vtd_drv_dev),
	.hw_init = vtd_hw_init,
	.hw_fini = vtd_hw_fini,
	.dev_init = vtd_dev_init,
	.dev_fini = vtd_dev_fini,
	.attach = vtd_attach,
	.detach = vtd_detach,
	.translate = vtd_translate,
	.inv = vtd_inv,
	.sync = vtd_sync,
};

UIOMMU_REGISTER_HW(vtd_sim_ops)
