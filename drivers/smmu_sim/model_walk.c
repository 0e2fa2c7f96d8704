/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SMMUv3 translation path: StreamID -> STE -> (SubstreamID -> CD ->
 * stage-1 walk) -> (stage-2 walk), for untranslated transactions and for
 * ATS translation requests. Only AArch64 tables with the 4 KiB granule,
 * little-endian, are implemented (what IDR0/IDR5 advertise); anything else
 * a structure asks for is C_BAD_STE or C_BAD_CD.
 *
 * Simplifications a reader should know:
 * - Stage-1 table and CD addresses are NOT translated by stage 2 when an
 *   STE is nested: they are host VAs that the core allocated, fetched
 *   directly. Stage-2 faults therefore only ever have class IN.
 * - There is no configuration cache and no TLB here: every call walks
 *   memory. The core's IOTLB caches results under res->tag (ASID for
 *   stage 1 and nested, VMID for stage 2 only). ASID 0 and VMID 0 give
 *   tag 0, "do not cache", so translations under them are never cached.
 * - Stall, hardware access-flag/dirty update, TBI, APTable/XN and memory
 *   attributes are not modelled; devices are unprivileged, data-only.
 * - CD.R and STE.S2R gate the records of F_TRANSLATION, F_ADDR_SIZE,
 *   F_ACCESS and F_PERMISSION; external aborts (F_*_FETCH, F_WALK_EABT) and
 *   configuration errors (C_*) are always recorded. A fault always fails
 *   the access.
 *
 * Lockless: the latched stream-table configuration is read after an acquire
 * load of smmuen (paired with the release store in model_regs.c), and every
 * table word with an acquire load, word 0 first: the driver writes STEs and
 * CDs with release stores, word 0 last, so a valid word 0 guarantees the
 * words behind it. Only recording an event takes a lock.
 */
#include "iopt_arm_lpae.h"
#include "smmu_model.h"

/* OA[51:48] (FEAT_LPA): always beyond the 48-bit OAS of this model. */
#define LPAE_PTE_OA_HI		GENMASK_ULL(51, 48)

#define PAGE_MASK_4K		(ARM_LPAE_GRANULE - 1)

/* S2SL0 start level may resolve at most 16 concatenated tables. */
#define S2_CONCAT_BITS		4

/* One transaction, as the event record describes it. */
struct smmu_txn {
	uint32_t sid;
	uint32_t ssid;		/* UIOMMU_PASID_NONE: no SubstreamID */
	uint64_t iova;
	uint32_t access;	/* UIOMMU_ACCESS_* */
};

/* A translation regime, decoded from a CD (stage 1) or an STE (stage 2). */
struct lpae_cfg {
	uint64_t ttb;		/* start-level table, aligned to its size */
	uint8_t ias;		/* input address bits */
	uint8_t oas;		/* output address bits (IPS, S2PS) */
	uint8_t start_level;
	uint8_t start_bits;	/* index bits at the start level (> 9: concat) */
	bool stage2;
	bool disabled;		/* CD.EPD0: every walk is a translation fault */
	bool affd;		/* access flag faults disabled */
	bool record;		/* CD.R / STE.S2R */
};

/* What one stage's walk found. */
struct lpae_out {
	uint64_t oa;		/* leaf output address, 2^pgshift aligned */
	uint64_t fetch;		/* descriptor address (F_WALK_EABT) */
	uint8_t pgshift;
	uint8_t prot;
	uint8_t level;
	uint8_t evt;		/* EVT_ID_F_*, 0: success */
};

/* The STE words the walk uses (0..3) and their decoded regimes. */
struct ste {
	uint64_t word[4];
	uint32_t config;	/* STE_CONFIG_* */
	uint32_t vmid;
	struct lpae_cfg s2;	/* Config S2_TRANS or NESTED */
};

/* Stage 1 as a CD describes it, or bypassed (S1DSS=BYPASS). */
struct stage1 {
	bool bypass;
	uint32_t asid;
	struct lpae_cfg tt;
};

static inline uint64_t
load_word(uint64_t addr)
{
	/* Pairs with the driver's release store of this word. */
	return __atomic_load_n((const uint64_t *)(uintptr_t)addr,
			       __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------ fault reporting -- */

static void
txn_record(struct smmu_model *m, const struct smmu_txn *t, uint8_t id,
	   uint8_t class, bool s2, uint64_t ipa)
{
	bool ssv = t->ssid != UIOMMU_PASID_NONE;
	struct smmu_event ev = {
		.id = id,
		.ssv = ssv,
		.rnw = !(t->access & UIOMMU_ACCESS_WRITE),
		.s2 = s2,
		.class = class,
		.sid = t->sid,
		.ssid = ssv ? t->ssid : 0,
		.addr = t->iova,
		.ipa = ipa,
	};

	smmu_model_event(m, &ev);
}

static void
res_fail(struct uiommu_walk_result *res, enum uiommu_fault_reason reason,
	 unsigned int level)
{
	res->reason = reason;
	res->level = level;
	res->tag = 0;
}

/*
 * A configuration error or a configuration fetch abort: always recorded
 * (@id 0: not at all, as for an ABORT STE). These records carry StreamID
 * and, where the event defines one, the SubstreamID (without SSV); no class
 * and no input address. @fetch: the address of the failed fetch for
 * F_*_FETCH. Returns false, for the callers' tail calls.
 */
static bool
txn_fail(struct smmu_model *m, const struct smmu_txn *t,
	 struct uiommu_walk_result *res, enum uiommu_fault_reason reason,
	 uint8_t id, uint64_t fetch)
{
	struct smmu_event ev = { .id = id, .sid = t->sid, .ipa = fetch };

	res_fail(res, reason, 0);
	if (id == 0)
		return false;
	switch (id) {
	case EVT_ID_C_BAD_SUBSTREAMID:	/* a SubstreamID, but no SSV */
		ev.ssid = t->ssid != UIOMMU_PASID_NONE ? t->ssid : 0;
		break;
	case EVT_ID_C_BAD_CD:
	case EVT_ID_F_CD_FETCH:
		ev.ssv = t->ssid != UIOMMU_PASID_NONE;
		ev.ssid = ev.ssv ? t->ssid : 0;
		break;
	case EVT_ID_F_STREAM_DISABLED:
	case EVT_ID_F_BAD_ATS_TREQ:
		/* These describe the transaction. */
		ev.ssv = t->ssid != UIOMMU_PASID_NONE;
		ev.ssid = ev.ssv ? t->ssid : 0;
		ev.rnw = !(t->access & UIOMMU_ACCESS_WRITE);
		ev.addr = t->iova;
		break;
	default:
		break;
	}
	smmu_model_event(m, &ev);
	return false;
}

static enum uiommu_fault_reason
walk_evt_reason(uint8_t evt)
{
	switch (evt) {
	case EVT_ID_F_ADDR_SIZE:
		return UIOMMU_FAULT_ADDR_SIZE;
	case EVT_ID_F_ACCESS:
		return UIOMMU_FAULT_ACCESS_FLAG;
	case EVT_ID_F_PERMISSION:
		return UIOMMU_FAULT_PERMISSION;
	case EVT_ID_F_WALK_EABT:
		return UIOMMU_FAULT_BAD_TABLE;
	default:
		return UIOMMU_FAULT_TRANSLATION;
	}
}

/* A stage's walk failed: @ipa is the stage-2 input (0 at stage 1). */
static void
walk_fail(struct smmu_model *m, const struct smmu_txn *t,
	  struct uiommu_walk_result *res, const struct lpae_cfg *c,
	  const struct lpae_out *o, uint64_t ipa)
{
	res_fail(res, walk_evt_reason(o->evt), o->level);
	if (o->evt == EVT_ID_F_WALK_EABT)
		txn_record(m, t, o->evt, EVTQ_CLASS_TT, c->stage2, o->fetch);
	else if (c->record)
		txn_record(m, t, o->evt, EVTQ_CLASS_IN, c->stage2,
			   c->stage2 ? ipa & ~PAGE_MASK_4K : 0);
}

/* ------------------------------------------------------------ the walk -- */

static unsigned int
ips_bits(unsigned int ips)
{
	static const uint8_t bits[] = { 32, 36, 40, 42, 44, 48 };

	return bits[ips];	/* caller checked ips <= 5 */
}

/* Fill the fields of @c shared by both stages; false if no start level can
 * resolve @ias with the concatenation the stage allows. */
static bool
lpae_cfg_init(struct lpae_cfg *c, uint64_t ttb, unsigned int ias,
	      unsigned int start_level, unsigned int max_bits)
{
	int bits = (int)ias - (int)arm_lpae_level_shift(start_level);

	if (bits < 1 || bits > (int)max_bits)
		return false;
	c->ias = ias;
	c->start_level = start_level;
	c->start_bits = bits;
	/* Bits of TTB below the start-level table's size are ignored. */
	c->ttb = ttb & ~((UINT64_C(8) << bits) - 1);
	return true;
}

static uint8_t
lpae_prot(const struct lpae_cfg *c, uint64_t pte)
{
	uint8_t prot = 0;

	if (c->stage2) {
		if (pte & ARM_LPAE_PTE_S2AP_READ)
			prot |= UIOMMU_PROT_READ;
		if (pte & ARM_LPAE_PTE_S2AP_WRITE)
			prot |= UIOMMU_PROT_WRITE;
	} else if (pte & ARM_LPAE_PTE_AP_UNPRIV) {
		/* Device accesses are unprivileged: no AP[1], no access. */
		prot = UIOMMU_PROT_READ;
		if (!(pte & ARM_LPAE_PTE_AP_RDONLY))
			prot |= UIOMMU_PROT_WRITE;
	}
	return prot;
}

static bool
lpae_oa_too_big(const struct lpae_cfg *c, uint64_t pte)
{
	return (pte & LPAE_PTE_OA_HI) || ((pte & ARM_LPAE_PTE_ADDR) >> c->oas);
}

/* Checks of a leaf, in the architecture's priority order. */
static void
lpae_leaf(const struct lpae_cfg *c, uint64_t pte, uint32_t access,
	  struct lpae_out *o)
{
	if (!arm_lpae_pte_is_leaf(pte, o->level)) {
		/* Invalid, level-0 block, or level-3 0b01: all reserved. */
		o->evt = EVT_ID_F_TRANSLATION;
		return;
	}
	if (lpae_oa_too_big(c, pte)) {
		o->evt = EVT_ID_F_ADDR_SIZE;
		return;
	}
	if (!(pte & ARM_LPAE_PTE_AF) && !c->affd) {
		o->evt = EVT_ID_F_ACCESS;
		return;
	}
	o->prot = lpae_prot(c, pte);
	if (access & ~o->prot) {
		o->evt = EVT_ID_F_PERMISSION;
		return;
	}
	o->pgshift = arm_lpae_level_shift(o->level);
	o->oa = pte & ARM_LPAE_PTE_ADDR & ~((UINT64_C(1) << o->pgshift) - 1);
}

static void
lpae_walk(const struct smmu_model *m, const struct lpae_cfg *c, uint64_t in,
	  uint32_t access, struct lpae_out *o)
{
	uint64_t table = c->ttb;
	unsigned int bits = c->start_bits;
	uint64_t pte;

	o->evt = 0;
	o->level = c->start_level;
	if ((in >> c->ias) || c->disabled) {
		o->evt = EVT_ID_F_TRANSLATION;
		return;
	}
	for (;; o->level++, bits = ARM_LPAE_BITS_PER_LEVEL) {
		uint64_t idx = (in >> arm_lpae_level_shift(o->level)) &
			       ((UINT64_C(1) << bits) - 1);

		o->fetch = table + idx * sizeof(uint64_t);
		if (!smmu_model_mem_ok(m, o->fetch, sizeof(uint64_t))) {
			o->evt = EVT_ID_F_WALK_EABT;
			return;
		}
		pte = load_word(o->fetch);
		if (!arm_lpae_pte_is_table(pte, o->level))
			break;
		if (lpae_oa_too_big(c, pte)) {
			o->evt = EVT_ID_F_ADDR_SIZE;
			return;
		}
		table = pte & ARM_LPAE_PTE_ADDR;
	}
	lpae_leaf(c, pte, access, o);
}

/* ---------------------------------------------------------------- STE -- */

/* Find and read the STE of t->sid (words 0..3). */
static bool
ste_fetch(struct smmu_model *m, const struct smmu_txn *t, struct ste *ste,
	  struct uiommu_walk_result *res)
{
	/* Relaxed: ordered by the caller's acquire load of smmuen. */
	uint64_t *strtab = __atomic_load_n(&m->strtab, __ATOMIC_RELAXED);
	uint32_t log2size = __atomic_load_n(&m->strtab_log2size,
					    __ATOMIC_RELAXED);
	uint64_t addr = (uintptr_t)strtab;
	unsigned int i;

	if (strtab == NULL || (uint64_t)t->sid >> log2size)
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_DEVICE,
				EVT_ID_C_BAD_STREAMID, 0);
	if (__atomic_load_n(&m->strtab_2lvl, __ATOMIC_RELAXED)) {
		uint32_t split = __atomic_load_n(&m->strtab_split,
						 __ATOMIC_RELAXED);
		uint32_t idx = t->sid & ((1u << split) - 1);
		uint64_t l1 = addr + (uint64_t)(t->sid >> split) *
				     STRTAB_L1_DESC_DWORDS * 8;
		uint64_t desc, span;

		if (!smmu_model_mem_ok(m, l1, sizeof(desc)))
			return txn_fail(m, t, res, UIOMMU_FAULT_BAD_TABLE,
					EVT_ID_F_STE_FETCH, l1);
		desc = load_word(l1);
		span = FIELD_GET(STRTAB_L1_DESC_SPAN, desc);
		/* Span 0: no L2 table; beyond SPLIT + 1: ILLEGAL. */
		if (span == 0 || span > split + 1 || idx >> (span - 1))
			return txn_fail(m, t, res, UIOMMU_FAULT_BAD_DEVICE,
					EVT_ID_C_BAD_STREAMID, 0);
		addr = (desc & STRTAB_L1_DESC_L2PTR) +
		       (uint64_t)idx * STRTAB_STE_DWORDS * 8;
	} else {
		addr += (uint64_t)t->sid * STRTAB_STE_DWORDS * 8;
	}
	if (!smmu_model_mem_ok(m, addr, STRTAB_STE_DWORDS * 8))
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_TABLE,
				EVT_ID_F_STE_FETCH, addr);
	for (i = 0; i < RTE_DIM(ste->word); i++)
		ste->word[i] = load_word(addr + i * sizeof(uint64_t));
	return true;
}

static bool
ste_s2_decode(struct ste *ste)
{
	uint64_t w2 = ste->word[2];
	unsigned int t0sz = FIELD_GET(STE_2_S2T0SZ, w2);
	unsigned int ps = FIELD_GET(STE_2_S2PS, w2);
	struct lpae_cfg *c = &ste->s2;
	unsigned int level;

	if (!(w2 & STE_2_S2AA64) || (w2 & STE_2_S2ENDI) ||
	    FIELD_GET(STE_2_S2TG, w2) != STE_S2TG_4K ||
	    t0sz < 16 || t0sz > 39 || ps > 5)
		return false;
	switch (FIELD_GET(STE_2_S2SL0, w2)) {
	case STE_S2SL0_LEVEL2:
		level = 2;
		break;
	case STE_S2SL0_LEVEL1:
		level = 1;
		break;
	case STE_S2SL0_LEVEL0:
		level = 0;
		break;
	default:
		return false;
	}
	c->oas = ips_bits(ps);
	c->stage2 = true;
	c->disabled = false;
	c->affd = w2 & STE_2_S2AFFD;
	c->record = w2 & STE_2_S2R;
	return lpae_cfg_init(c, ste->word[3] & STE_3_S2TTB, 64 - t0sz, level,
			     ARM_LPAE_BITS_PER_LEVEL + S2_CONCAT_BITS);
}

/* Validate the STE; an illegal one is C_BAD_STE. */
static bool
ste_decode(struct smmu_model *m, const struct smmu_txn *t, struct ste *ste,
	   struct uiommu_walk_result *res)
{
	uint64_t w0 = ste->word[0];

	if (!(w0 & STE_0_V))
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_TABLE,
				EVT_ID_C_BAD_STE, 0);
	ste->config = FIELD_GET(STE_0_CONFIG, w0);
	ste->vmid = FIELD_GET(STE_2_S2VMID, ste->word[2]);
	switch (ste->config) {
	case 1: case 2: case 3:
		/* Reserved; behaves as 0b000 (abort, no event). */
		ste->config = STE_CONFIG_ABORT;
		return true;
	case STE_CONFIG_ABORT:
	case STE_CONFIG_BYPASS:
	case STE_CONFIG_S1_TRANS:
		return true;
	case STE_CONFIG_S2_TRANS:
	case STE_CONFIG_NESTED:
		if (ste_s2_decode(ste))
			return true;
		/* fall through */
	default:
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_TABLE,
				EVT_ID_C_BAD_STE, 0);
	}
}

/* ---------------------------------------------------------------- CDs -- */

/*
 * Which CD the transaction uses: *@idx, or *@bypass for S1DSS=BYPASS.
 * Only reached with S1CDMax > 0 or an SSID.
 */
static bool
cd_select(struct smmu_model *m, const struct smmu_txn *t,
	  const struct ste *ste, uint32_t *idx, bool *bypass,
	  struct uiommu_walk_result *res)
{
	unsigned int cdmax = FIELD_GET(STE_0_S1CDMAX, ste->word[0]);
	unsigned int dss = FIELD_GET(STE_1_S1DSS, ste->word[1]);

	*bypass = false;
	*idx = 0;
	if (cdmax == 0) {
		if (t->ssid == UIOMMU_PASID_NONE)
			return true;
		goto bad_ssid;
	}
	if (t->ssid == UIOMMU_PASID_NONE) {
		switch (dss) {
		case STE_S1DSS_BYPASS:
			*bypass = true;
			return true;
		case STE_S1DSS_SSID0:
			return true;
		default:	/* TERMINATE; 0b11 is reserved, behaves so */
			return txn_fail(m, t, res, UIOMMU_FAULT_BLOCKED,
					EVT_ID_F_STREAM_DISABLED, 0);
		}
	}
	/* With S1DSS = SSID0, SubstreamID 0 belongs to untagged traffic. */
	if (t->ssid == 0 && dss == STE_S1DSS_SSID0)
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_PASID,
				EVT_ID_F_STREAM_DISABLED, 0);
	if ((uint64_t)t->ssid >> cdmax || t->ssid >> SMMU_MODEL_SSID_BITS)
		goto bad_ssid;
	*idx = t->ssid;
	return true;

bad_ssid:
	return txn_fail(m, t, res, UIOMMU_FAULT_BAD_PASID,
			EVT_ID_C_BAD_SUBSTREAMID, 0);
}

/* Address of CD @idx: S1Fmt only matters once there is more than one CD. */
static bool
cd_locate(struct smmu_model *m, const struct smmu_txn *t,
	  const struct ste *ste, uint32_t idx, uint64_t *cd,
	  struct uiommu_walk_result *res)
{
	uint64_t ptr = ste->word[0] & STE_0_S1CONTEXTPTR;
	unsigned int split;
	uint64_t l1, desc;

	if (FIELD_GET(STE_0_S1CDMAX, ste->word[0]) == 0) {
		*cd = ptr;
		return true;
	}
	switch (FIELD_GET(STE_0_S1FMT, ste->word[0])) {
	case STE_S1FMT_LINEAR:
	default:	/* 0b11 is reserved and behaves as linear */
		*cd = ptr + (uint64_t)idx * CTXDESC_DWORDS * 8;
		return true;
	case STE_S1FMT_4K_L2:
		split = CTXDESC_SPLIT_4K;
		break;
	case STE_S1FMT_64K_L2:
		split = CTXDESC_SPLIT_64K;
		break;
	}
	l1 = ptr + (uint64_t)(idx >> split) * CTXDESC_L1_DESC_DWORDS * 8;
	if (!smmu_model_mem_ok(m, l1, sizeof(desc)))
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_TABLE,
				EVT_ID_F_CD_FETCH, l1);
	desc = load_word(l1);
	if (!(desc & CTXDESC_L1_DESC_V))
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_PASID,
				EVT_ID_C_BAD_SUBSTREAMID, 0);
	*cd = (desc & CTXDESC_L1_DESC_L2PTR) +
	      (uint64_t)(idx & ((1u << split) - 1)) * CTXDESC_DWORDS * 8;
	return true;
}

static bool
cd_decode(struct stage1 *s1, uint64_t w0, uint64_t w1)
{
	unsigned int t0sz = FIELD_GET(CD_0_T0SZ, w0);
	unsigned int ips = FIELD_GET(CD_0_IPS, w0);
	struct lpae_cfg *c = &s1->tt;
	unsigned int ias = 64 - t0sz;

	if (!(w0 & CD_0_AA64) || (w0 & CD_0_ENDI) ||
	    FIELD_GET(CD_0_TG0, w0) != CD_TG0_4K ||
	    t0sz < 16 || t0sz > 39 || ips > 5)
		return false;
	s1->asid = FIELD_GET(CD_0_ASID, w0);
	c->oas = ips_bits(ips);
	c->stage2 = false;
	c->disabled = w0 & CD_0_EPD0;
	c->affd = w0 & CD_0_AFFD;
	c->record = w0 & CD_0_R;
	return lpae_cfg_init(c, w1 & CD_1_TTB0, ias, arm_lpae_start_level(ias),
			     ARM_LPAE_BITS_PER_LEVEL);
}

/* Resolve stage 1 for the transaction: the CD it uses, or a bypass. */
static bool
stage1_resolve(struct smmu_model *m, const struct smmu_txn *t,
	       const struct ste *ste, struct stage1 *s1,
	       struct uiommu_walk_result *res)
{
	uint64_t cd, w0, w1;
	uint32_t idx;

	if (!cd_select(m, t, ste, &idx, &s1->bypass, res))
		return false;
	if (s1->bypass)
		return true;
	if (!cd_locate(m, t, ste, idx, &cd, res))
		return false;
	if (!smmu_model_mem_ok(m, cd, CTXDESC_DWORDS * 8))
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_TABLE,
				EVT_ID_F_CD_FETCH, cd);
	w0 = load_word(cd);
	w1 = load_word(cd + sizeof(uint64_t));
	if (!(w0 & CD_0_V) || !cd_decode(s1, w0, w1))
		return txn_fail(m, t, res, UIOMMU_FAULT_BAD_TABLE,
				EVT_ID_C_BAD_CD, 0);
	return true;
}

/* ------------------------------------------------------------- results -- */

static void
res_identity(uint64_t iova, struct uiommu_walk_result *res)
{
	res->out = iova & ~PAGE_MASK_4K;
	res->pgshift = ARM_LPAE_GRANULE_SHIFT;
	res->prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE;
	res->tag = 0;
	res->level = 0;
	res->reason = UIOMMU_FAULT_NONE;
}

/*
 * Remember which VMID @tag is being filled under, for VMID-wide TLBIs
 * (model_cmdq.c). Done before the page-table walk, on success or not (a
 * fault only makes later invalidations wider). Stores only on change, so
 * the hot path keeps the line shared; the fence after a change pairs with
 * the one in tlbi_vmid_tags(): either that TLBI sees this VMID, or this
 * walk sees the tables changed before it.
 */
static void
ctx_note(struct smmu_model *m, uint32_t tag, uint32_t vmid, bool s2_only)
{
	uint32_t ctx = (vmid + 1) | (s2_only ? SMMU_CTX_VMID_S2ONLY : 0);

	if (tag == 0 ||
	    __atomic_load_n(&m->ctx_vmid[tag], __ATOMIC_RELAXED) == ctx)
		return;
	__atomic_store_n(&m->ctx_vmid[tag], ctx, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * Walk stage 1 (unless bypassed) then stage 2 (if the STE has one) and
 * combine: the page is the smaller of the two leaves, its rights their
 * intersection. A bypassed stage 1 in a nested STE is the stage-2-only
 * translation of that VMID, so it is tagged like one.
 */
static void
stages_walk(struct smmu_model *m, const struct smmu_txn *t,
	    const struct ste *ste, const struct stage1 *s1,
	    struct uiommu_walk_result *res)
{
	bool has_s1 = s1 != NULL && !s1->bypass;
	uint32_t tag = has_s1 ? s1->asid : ste->vmid;
	struct lpae_out o1 = { .pgshift = 63, .prot = UIOMMU_PROT_READ |
						      UIOMMU_PROT_WRITE };
	struct lpae_out o2;
	uint64_t ipa = t->iova;

	ctx_note(m, tag, ste->vmid, !has_s1);
	if (has_s1) {
		lpae_walk(m, &s1->tt, t->iova, t->access, &o1);
		if (o1.evt != 0) {
			walk_fail(m, t, res, &s1->tt, &o1, 0);
			return;
		}
		ipa = o1.oa | (t->iova & ((UINT64_C(1) << o1.pgshift) - 1));
	}
	if (ste->config == STE_CONFIG_S1_TRANS) {
		o2 = o1;
	} else {
		lpae_walk(m, &ste->s2, ipa, t->access, &o2);
		if (o2.evt != 0) {
			walk_fail(m, t, res, &ste->s2, &o2, ipa);
			return;
		}
	}
	res->pgshift = RTE_MIN(o1.pgshift, o2.pgshift);
	res->out = o2.oa + (ipa & ((UINT64_C(1) << o2.pgshift) - 1) &
			    ~((UINT64_C(1) << res->pgshift) - 1));
	res->prot = o1.prot & o2.prot;
	res->tag = tag;
	res->level = o2.level;
	res->reason = UIOMMU_FAULT_NONE;
}

/* Resolve the STE and, for an ATS request, check that it allows one. */
static bool
ste_resolve(struct smmu_model *m, const struct smmu_txn *t, bool ats,
	    struct ste *ste, struct uiommu_walk_result *res)
{
	if (!ste_fetch(m, t, ste, res) || !ste_decode(m, t, ste, res))
		return false;
	if (ste->config == STE_CONFIG_ABORT)
		return txn_fail(m, t, res, UIOMMU_FAULT_BLOCKED, 0, 0);
	if (ats && ste->config != STE_CONFIG_BYPASS &&
	    FIELD_GET(STE_1_EATS, ste->word[1]) != STE_EATS_TRANS)
		return txn_fail(m, t, res, UIOMMU_FAULT_BLOCKED,
				EVT_ID_F_BAD_ATS_TREQ, 0);
	return true;
}

static void
smmu_walk(struct smmu_model *m, const struct smmu_txn *t, bool ats,
	  struct uiommu_walk_result *res)
{
	struct stage1 s1;
	struct ste ste;

	/* Pairs with the release store of smmuen on CR0 writes. */
	if (!__atomic_load_n(&m->smmuen, __ATOMIC_ACQUIRE)) {
		if (smmu_model_reg_load(m, SMMU_GBPA) & GBPA_ABORT)
			res_fail(res, UIOMMU_FAULT_BLOCKED, 0);
		else
			res_identity(t->iova, res);
		return;
	}
	if (!ste_resolve(m, t, ats, &ste, res))
		return;
	switch (ste.config) {
	case STE_CONFIG_BYPASS:
		/* A bypass STE ignores the SubstreamID. */
		res_identity(t->iova, res);
		break;
	case STE_CONFIG_S2_TRANS:
		if (t->ssid != UIOMMU_PASID_NONE)
			txn_fail(m, t, res, UIOMMU_FAULT_BAD_PASID,
				 EVT_ID_C_BAD_SUBSTREAMID, 0);
		else
			stages_walk(m, t, &ste, NULL, res);
		break;
	default:	/* S1_TRANS, NESTED */
		if (!stage1_resolve(m, t, &ste, &s1, res))
			break;
		if (s1.bypass && ste.config == STE_CONFIG_S1_TRANS)
			res_identity(t->iova, res);
		else
			stages_walk(m, t, &ste, &s1, res);
		break;
	}
}

void
smmu_model_translate(struct smmu_model *m, uint32_t sid, uint32_t ssid,
		     uint64_t iova, uint32_t access,
		     struct uiommu_walk_result *res)
{
	const struct smmu_txn t = {
		.sid = sid, .ssid = ssid, .iova = iova, .access = access,
	};

	smmu_walk(m, &t, false, res);
}

void
smmu_model_ats_request(struct smmu_model *m, uint32_t sid, uint32_t ssid,
		       uint64_t iova, uint32_t access,
		       struct uiommu_walk_result *res)
{
	const struct smmu_txn t = {
		.sid = sid, .ssid = ssid, .iova = iova, .access = access,
	};

	smmu_walk(m, &t, true, res);
}
