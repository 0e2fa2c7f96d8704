/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's configuration structures: the stream table (linear, or two
 * levels split at StreamID bit 8 with L2 tables allocated per 256 devices),
 * each device's context-descriptor table (linear up to 2^10 SSIDs, else two
 * levels with 64 KiB leaves), and how STEs and CDs are built and updated.
 *
 * Updates race with walks on every lcore, and the model has no lock to
 * take: each word is stored with release semantics and word 0 (V, Config)
 * last. Which words a live entry's configuration uses decides how a change
 * is made (Linux's arm-smmu-v3 reasons the same way about "used bits"):
 * - one word changes: store it, hitless;
 * - only words the current configuration ignores change, besides word 0:
 *   store them, then word 0;
 * - otherwise break-before-make: word 0 to abort (STE) or invalid (CD),
 *   CFGI + CMD_SYNC so no walk still holds the old words, then the rest and
 *   word 0. Transactions in between abort (STE) or fault C_BAD_CD (CD).
 * Every update ends with its CFGI_STE / CFGI_CD and a CMD_SYNC.
 *
 * Everything here runs under the ctx lock.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "iopt_arm_lpae.h"
#include "smmu_drv.h"

#define STE_BYTES	(STRTAB_STE_DWORDS * 8)
#define CD_BYTES	(CTXDESC_DWORDS * 8)

static inline void
word_store(uint64_t *p, uint64_t v)
{
	/* Pairs with the model's acquire load of each word. */
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int
smmu_strtab_init(struct smmu_drv *drv, bool linear, int socket)
{
	size_t bytes = linear ? (size_t)STE_BYTES << SMMU_DRV_SID_BITS :
			 SMMU_DRV_L1_ENTRIES * 8;
	uint64_t cfg;

	/* Aligned to its size: the base register drops lower bits. */
	drv->strtab = rte_zmalloc_socket("smmu_strtab", bytes, bytes, socket);
	if (drv->strtab == NULL)
		return -ENOMEM;
	drv->strtab_linear = linear;
	cfg = FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, SMMU_DRV_SID_BITS);
	if (linear)
		cfg |= FIELD_PREP(STRTAB_BASE_CFG_FMT,
				  STRTAB_BASE_CFG_FMT_LINEAR);
	else
		cfg |= FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_BASE_CFG_FMT_2LVL) |
		       FIELD_PREP(STRTAB_BASE_CFG_SPLIT, STRTAB_SPLIT);
	smmu_model_write64(drv->model, SMMU_STRTAB_BASE,
			   FIELD_PREP(STRTAB_BASE_ADDR,
				      (uintptr_t)drv->strtab >> 6) |
			   STRTAB_BASE_RA);
	smmu_model_write32(drv->model, SMMU_STRTAB_BASE_CFG, cfg);
	return 0;
}

void
smmu_strtab_fini(struct smmu_drv *drv)
{
	unsigned int i;

	for (i = 0; i < SMMU_DRV_L1_ENTRIES; i++)
		rte_free(drv->strtab_l2[i]);
	rte_free(drv->strtab);
}

int
smmu_strtab_ensure(struct smmu_drv *drv, struct smmu_drv_dev *dd)
{
	unsigned int l1 = dd->sid >> STRTAB_SPLIT;
	uint64_t *l2;

	if (drv->strtab_linear) {
		dd->ste = &drv->strtab[dd->sid * STRTAB_STE_DWORDS];
		return 0;
	}
	l2 = drv->strtab_l2[l1];
	if (l2 == NULL) {
		size_t bytes = (size_t)STE_BYTES << STRTAB_SPLIT;

		/* Invalid STEs (V = 0): C_BAD_STE for unknown devices. */
		l2 = rte_zmalloc_socket("smmu_strtab_l2", bytes, bytes,
					(int)rte_socket_id());
		if (l2 == NULL)
			return -ENOMEM;
		drv->strtab_l2[l1] = l2;
		word_store(&drv->strtab[l1],
			   FIELD_PREP(STRTAB_L1_DESC_SPAN, STRTAB_SPLIT + 1) |
			   FIELD_PREP(STRTAB_L1_DESC_L2PTR,
				      (uintptr_t)l2 >> 6));
	}
	dd->ste = &l2[(dd->sid & ((1u << STRTAB_SPLIT) - 1)) *
		      STRTAB_STE_DWORDS];
	return 0;
}

int
smmu_cd_table_alloc(struct smmu_drv_dev *dd, uint8_t pasid_bits, int socket)
{
	size_t bytes;

	dd->s1cdmax = pasid_bits;
	if (pasid_bits <= SMMU_DRV_CD_LINEAR_MAX) {
		dd->s1fmt = STE_S1FMT_LINEAR;
		bytes = (size_t)CD_BYTES << pasid_bits;
	} else {
		dd->s1fmt = STE_S1FMT_64K_L2;
		bytes = (size_t)8 << (pasid_bits - CTXDESC_SPLIT_64K);
	}
	dd->cd_table = rte_zmalloc_socket("smmu_cd", bytes,
					  RTE_MAX(bytes, (size_t)64), socket);
	return dd->cd_table == NULL ? -ENOMEM : 0;
}

void
smmu_cd_table_free(struct smmu_drv_dev *dd)
{
	unsigned int i;

	for (i = 0; i < SMMU_DRV_CD_L1_MAX; i++)
		rte_free(dd->cd_leaf[i]);
	rte_free(dd->cd_table);
}

uint64_t *
smmu_cd_slot(struct smmu_drv_dev *dd, uint32_t ssid, bool create, int socket)
{
	unsigned int l1 = ssid >> CTXDESC_SPLIT_64K;
	size_t bytes = (size_t)CD_BYTES << CTXDESC_SPLIT_64K;
	uint64_t *leaf;

	if (dd->s1fmt == STE_S1FMT_LINEAR)
		return &dd->cd_table[ssid * CTXDESC_DWORDS];
	leaf = dd->cd_leaf[l1];
	if (leaf == NULL) {
		if (!create)
			return NULL;
		leaf = rte_zmalloc_socket("smmu_cd_leaf", bytes, 4096, socket);
		if (leaf == NULL)
			return NULL;
		dd->cd_leaf[l1] = leaf;
		/* An empty leaf (invalid CDs) before the link. */
		word_store(&dd->cd_table[l1], CTXDESC_L1_DESC_V |
			   FIELD_PREP(CTXDESC_L1_DESC_L2PTR,
				      (uintptr_t)leaf >> 12));
	}
	return &leaf[(ssid & ((1u << CTXDESC_SPLIT_64K) - 1)) *
		     CTXDESC_DWORDS];
}

/* IPS / PS encoding of an output size: the smallest that holds @bits. */
static uint64_t
ips_encode(unsigned int bits)
{
	static const uint8_t sizes[] = { 32, 36, 40, 42, 44, 48 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes) - 1; i++)
		if (bits <= sizes[i])
			break;
	return i;
}

/* Stage-2 words 2 and 3 for @s2 (a stage-2 PAGING domain) under @vmid. */
static void
ste_s2_words(const struct uiommu_domain *s2, uint16_t vmid, uint64_t ste[])
{
	struct uiommu_iopt_info info;

	uiommu_domain_iopt_info(s2, &info);
	ste[2] = FIELD_PREP(STE_2_S2VMID, vmid) |
		 FIELD_PREP(STE_2_S2T0SZ, 64 - info.ias) |
		 /* 4 KiB granule: SL0 2, 1, 0 start at level 0, 1, 2 */
		 FIELD_PREP(STE_2_S2SL0, 2 - info.start_level) |
		 FIELD_PREP(STE_2_S2IR0, 1) | FIELD_PREP(STE_2_S2OR0, 1) |
		 FIELD_PREP(STE_2_S2SH0, 3) |
		 FIELD_PREP(STE_2_S2TG, STE_S2TG_4K) |
		 FIELD_PREP(STE_2_S2PS, ips_encode(info.oas)) |
		 STE_2_S2AA64 | STE_2_S2R;
	ste[3] = FIELD_PREP(STE_3_S2TTB, info.root >> 4);
}

static void
ste_s1_words(const struct smmu_drv_dev *dd, uint64_t dss, uint64_t ste[])
{
	ste[0] |= FIELD_PREP(STE_0_S1FMT, dd->s1fmt) |
		  FIELD_PREP(STE_0_S1CONTEXTPTR,
			     (uintptr_t)dd->cd_table >> 6) |
		  FIELD_PREP(STE_0_S1CDMAX, dd->s1cdmax);
	ste[1] |= FIELD_PREP(STE_1_S1DSS, dss) |
		  FIELD_PREP(STE_1_S1CIR, 1) | FIELD_PREP(STE_1_S1COR, 1) |
		  FIELD_PREP(STE_1_S1CSH, 3);
}

void
smmu_ste_build(const struct smmu_drv_dev *dd, uint64_t ste[STRTAB_STE_DWORDS])
{
	uint64_t config, dss = STE_S1DSS_TERMINATE;

	memset(ste, 0, STE_BYTES);
	if (dd->rid_kind == SMMU_RID_S1 || dd->rid_kind == SMMU_RID_NESTED)
		dss = STE_S1DSS_SSID0;
	else if (dd->rid_kind == SMMU_RID_IDENTITY)
		dss = STE_S1DSS_BYPASS;

	if (dd->rid_kind == SMMU_RID_S2) {
		config = STE_CONFIG_S2_TRANS;
		ste_s2_words(dd->rid_dom, dd->rid_tag, ste);
	} else if (dd->rid_kind == SMMU_RID_NESTED || dd->n_nested_cds) {
		config = STE_CONFIG_NESTED;
		ste_s1_words(dd, dss, ste);
		ste_s2_words(dd->nest_parent, dd->nest_vmid, ste);
	} else if (dd->rid_kind == SMMU_RID_S1 || dd->n_s1_cds) {
		config = STE_CONFIG_S1_TRANS;
		ste_s1_words(dd, dss, ste);
	} else if (dd->rid_kind == SMMU_RID_IDENTITY) {
		config = STE_CONFIG_BYPASS;
		ste[1] |= FIELD_PREP(STE_1_SHCFG, STE_SHCFG_INCOMING);
	} else {
		config = STE_CONFIG_ABORT;
	}
	if (dd->atc != NULL && config != STE_CONFIG_ABORT)
		ste[1] |= FIELD_PREP(STE_1_EATS, STE_EATS_TRANS);
	ste[0] |= STE_0_V | FIELD_PREP(STE_0_CONFIG, config);
}

int
smmu_cd_build(const struct uiommu_domain *dom, uint16_t asid,
	      uint64_t cd[CTXDESC_DWORDS])
{
	struct uiommu_iopt_info info;

	if (uiommu_domain_iopt_info(dom, &info) != 0 ||
	    info.fmt != UIOMMU_IOPT_ARM_LPAE_S1)
		return -EINVAL;
	memset(cd, 0, CD_BYTES);
	cd[0] = FIELD_PREP(CD_0_T0SZ, 64 - info.ias) |
		FIELD_PREP(CD_0_TG0, CD_TG0_4K) |
		FIELD_PREP(CD_0_IR0, 1) | FIELD_PREP(CD_0_OR0, 1) |
		FIELD_PREP(CD_0_SH0, 3) | CD_0_EPD1 | CD_0_V |
		FIELD_PREP(CD_0_IPS, ips_encode(info.oas)) |
		CD_0_AA64 | CD_0_R | CD_0_A | CD_0_ASET |
		FIELD_PREP(CD_0_ASID, asid);
	cd[1] = FIELD_PREP(CD_1_TTB0, info.root >> 4);
	/* The attribute indices uiommu's stage-1 tables use. */
	cd[3] = FIELD_PREP(CD_3_MAIR, ARM_LPAE_MAIR_VALUE);
	return 0;
}

/* Words (bit i: word i) that the model reads for an STE whose word 0 is
 * @w0. */
static unsigned int
ste_used_words(uint64_t w0)
{
	if (!(w0 & STE_0_V))
		return 0;
	switch (FIELD_GET(STE_0_CONFIG, w0)) {
	case STE_CONFIG_ABORT:
		return 0x1;
	case STE_CONFIG_BYPASS:
	case STE_CONFIG_S1_TRANS:
		return 0x3;
	default:
		return 0xf;
	}
}

static unsigned int
cd_used_words(uint64_t w0)
{
	return (w0 & CD_0_V) ? 0xb : 0;
}

/*
 * Install @next over @cur (@n words) by the rules in the file header.
 * @broken is word 0 of the intermediate entry; @cfgi the command that makes
 * the change visible.
 */
static int
entry_write(struct smmu_drv *drv, uint64_t *cur, const uint64_t *next,
	    unsigned int n, unsigned int used, uint64_t broken,
	    const struct smmu_cmd *cfgi)
{
	unsigned int diff = 0, i;
	int rc;

	for (i = 0; i < n; i++)
		if (cur[i] != next[i])
			diff |= 1u << i;
	if (diff == 0)
		return 0;
	if (__builtin_popcount(diff) > 1 && (diff & used & ~1u) != 0) {
		word_store(&cur[0], broken);
		rc = smmu_cmdq_issue_sync(drv, cfgi);
		if (rc != 0)
			return rc;
	}
	for (i = 1; i < n; i++)
		if (cur[i] != next[i])
			word_store(&cur[i], next[i]);
	word_store(&cur[0], next[0]);
	return smmu_cmdq_issue_sync(drv, cfgi);
}

int
smmu_ste_write(struct smmu_drv *drv, struct smmu_drv_dev *dd,
	       const uint64_t ste[STRTAB_STE_DWORDS])
{
	struct smmu_cmd cfgi = {
		.opcode = CMDQ_OP_CFGI_STE, .sid = dd->sid, .leaf = true,
	};

	return entry_write(drv, dd->ste, ste, STRTAB_STE_DWORDS,
			   ste_used_words(dd->ste[0]),
			   STE_0_V | FIELD_PREP(STE_0_CONFIG,
						STE_CONFIG_ABORT), &cfgi);
}

int
smmu_cd_write(struct smmu_drv *drv, struct smmu_drv_dev *dd, uint32_t ssid,
	      uint64_t *slot, const uint64_t cd[CTXDESC_DWORDS])
{
	struct smmu_cmd cfgi = {
		.opcode = CMDQ_OP_CFGI_CD, .sid = dd->sid, .ssid = ssid,
		.leaf = true,
	};

	return entry_write(drv, slot, cd, CTXDESC_DWORDS,
			   cd_used_words(slot[0]), 0, &cfgi);
}
