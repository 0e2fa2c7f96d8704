/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VT-d DMA translation path, for untranslated requests:
 *
 *   legacy (RTADDR.TTM 00):   root entry -> context entry -> second level
 *   scalable (RTADDR.TTM 01): root entry (lower/upper half) -> context
 *     entry -> PASID directory entry -> PASID table entry -> first level,
 *     second level, nested (first level, then its output through the second
 *     level) or pass-through
 *
 * with the checks and fault reasons of the specification's fault condition
 * tables (vtd_arch.h, enum vtd_fault_reason): present bits, reserved fields,
 * invalid programming, address width (AW against SAGAW, input above the
 * AGAW, first-level canonical form), permissions (second level: R/W of every
 * level; first level: R/W and U/S of every level, device requests being
 * user-mode, non-execute), superpages (SLLPS, FL1GP), and "error accessing"
 * for any structure outside the memory the model may fetch.
 *
 * Simplifications a reader should know:
 * - First-level table pointers (FLPTR and the table addresses in
 *   first-level entries) are host VAs, NOT translated by the second level
 *   in nested mode, the simplification smmu_sim documents for stage-1
 *   tables. Only the first level's output (a GPA) goes through the second
 *   level. The nested-only fault reasons (SFL.4 .. SFL.8) therefore never
 *   occur.
 * - No A/D bits are set (the walk never writes), no memory types, no
 *   snoop behaviour; execute, supervisor, page and translation (ATS)
 *   requests are not modelled (SCT.5, SCT.8, SPT.5, SPT.6, SGN.3, LCT.5
 *   never occur), nor the interrupt address range check (SGN.8).
 * - Nothing is cached here: the core's IOTLB caches results under
 *   res->tag, the domain id. DID 0 and pass-through give tag 0 ("do not
 *   cache").
 * - FPD is honoured from the entry that has it (context, PASID directory,
 *   PASID table entry) on, whatever its present bit, as the specification
 *   says; a fault before that entry is always recorded.
 *
 * Lockless: the latched RTADDR and TE are one word, acquired (paired with
 * the release store in model_regs.c); every structure word is read with an
 * acquire load, the word with the present bit first: the driver writes the
 * others before it, with release stores. Only recording a fault takes a
 * lock (model_fault.c).
 */
#include <errno.h>

#include "vtd_model.h"

#define PAGE_MASK_4K		(VTD_PAGE_SIZE - 1)
/* Address bits above the host address width are reserved in every entry. */
#define HAW_RSVD		GENMASK_ULL(51, VTD_MODEL_HAW)
#define SL_PTE_IGN_NONLEAF_11	BIT_ULL(11)

/* One request, and what its fault record says. */
struct vtd_txn {
	struct vtd_model *m;
	uint16_t sid;
	uint32_t pasid;		/* request's PASID or UIOMMU_PASID_NONE */
	uint64_t iova;
	uint32_t access;
	bool fpd;		/* an entry on the path had FPD set */
	struct uiommu_walk_result *res;
};

/* What one level of tables (first or second) produced. */
struct stage_out {
	uint64_t oa;		/* page base, 2^pgshift aligned */
	uint8_t pgshift;
	uint8_t prot;
	uint8_t level;		/* uiommu numbering: 3 is the 4 KiB level */
	uint8_t fr;		/* enum vtd_fault_reason; 0: success */
	uint8_t reason;		/* enum uiommu_fault_reason */
};

static inline uint64_t
load_word(uint64_t addr)
{
	/* Pairs with the driver's release store of this word. */
	return __atomic_load_n((const uint64_t *)(uintptr_t)addr,
			       __ATOMIC_ACQUIRE);
}

/* VT-d level (4 = PML4, 1 = 4 KiB PTE) to the core's numbering. */
static inline uint8_t
core_level(unsigned int vtd_level)
{
	return 4 - vtd_level;
}

/* ------------------------------------------------------------- faults -- */

static int
txn_fault(struct vtd_txn *t, uint8_t fr, enum uiommu_fault_reason reason,
	  uint8_t level)
{
	struct uiommu_walk_result *res = t->res;

	res->reason = reason;
	res->level = level;
	res->tag = 0;
	if (t->fpd) {
		vtd_model_fault_suppressed(t->m);
	} else {
		struct vtd_fault_record f = {
			.sid = t->sid,
			.reason = fr,
			.is_write = t->access & UIOMMU_ACCESS_WRITE,
			.pasid_present = t->pasid != UIOMMU_PASID_NONE,
			.pasid = t->pasid != UIOMMU_PASID_NONE ? t->pasid : 0,
			.fault_info = t->iova & ~PAGE_MASK_4K,
		};

		vtd_model_fault(t->m, &f);
	}
	return -EFAULT;
}

/* txn_fault() for the resolution steps, which return bool. */
static bool
txn_fail(struct vtd_txn *t, uint8_t fr, enum uiommu_fault_reason reason)
{
	txn_fault(t, fr, reason, 0);
	return false;
}

static int
stage_fault(struct vtd_txn *t, const struct stage_out *o)
{
	return txn_fault(t, o->fr, o->reason, o->level);
}

static int
res_identity(struct vtd_txn *t)
{
	struct uiommu_walk_result *res = t->res;

	res->out = t->iova & ~PAGE_MASK_4K;
	res->pgshift = VTD_PAGE_SHIFT;
	res->prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE;
	res->tag = 0;
	res->level = 0;
	res->reason = UIOMMU_FAULT_NONE;
	return 0;
}

/* ------------------------------------------------------ second level -- */

/* The fault reasons of a second-level walk differ between modes. */
struct sl_codes {
	uint8_t access;		/* error accessing an entry */
	uint8_t rsvd;		/* reserved field */
	uint8_t beyond;		/* input above the AGAW */
	uint8_t np;		/* R and W clear; 0: report as read/write */
	uint8_t read;		/* read, no read permission */
	uint8_t write;		/* write, no write permission */
};

static const struct sl_codes sl_legacy = {
	.access = VTD_FR_PAGING_ENTRY_INV,
	.rsvd = VTD_FR_PAGING_ENTRY_RSVD,
	.beyond = VTD_FR_ADDR_BEYOND_MGAW,
	.np = 0,
	.read = VTD_FR_READ,
	.write = VTD_FR_WRITE,
};

static const struct sl_codes sl_scalable = {
	.access = VTD_FR_SM_SL_ACCESS,
	.rsvd = VTD_FR_SM_SL_RSVD,
	.beyond = VTD_FR_SM_ADDR_BEYOND,
	.np = VTD_FR_SM_SL_NP,
	.read = VTD_FR_SM_READ,
	.write = VTD_FR_SM_WRITE,
};

static inline bool
stage_set_fault(struct stage_out *o, uint8_t fr, uint8_t reason,
		unsigned int vtd_level)
{
	o->fr = fr;
	o->reason = reason;
	o->level = core_level(vtd_level);
	return false;
}

/* Reserved bits of a second-level entry at @lvl; @leaf: it maps a page. */
static uint64_t
sl_rsvd(unsigned int lvl, bool leaf)
{
	uint64_t rsvd = HAW_RSVD | SL_PTE_TM;

	if (lvl == 1 || lvl > 3)
		rsvd |= SL_PTE_PS;	/* no 512 GiB pages; PTE bit 7 */
	if (!leaf)
		rsvd |= SL_PTE_IGN_NONLEAF_11;
	else if (lvl > 1)
		rsvd |= GENMASK_ULL(VTD_LEVEL_SHIFT(lvl) - 1, VTD_PAGE_SHIFT);
	return rsvd;
}

static bool
sl_leaf(uint64_t pte, unsigned int lvl)
{
	/* PS at levels 2 and 3 (CAP.SLLPS: both sizes); reserved above. */
	return lvl == 1 || ((pte & SL_PTE_PS) && lvl <= 3);
}

/* Access rights the whole path grants against @access. */
static bool
rights_check(struct stage_out *o, uint32_t access, uint8_t fr_read,
	     uint8_t fr_write, unsigned int lvl)
{
	if ((access & UIOMMU_ACCESS_WRITE) && !(o->prot & UIOMMU_PROT_WRITE))
		return stage_set_fault(o, fr_write, UIOMMU_FAULT_PERMISSION,
				       lvl);
	if ((access & UIOMMU_ACCESS_READ) && !(o->prot & UIOMMU_PROT_READ))
		return stage_set_fault(o, fr_read, UIOMMU_FAULT_PERMISSION,
				       lvl);
	return true;
}

/*
 * Walk a second-level table of @levels levels at @root for @in. Rights are
 * the AND of R and W over every level.
 */
static bool
sl_walk(const struct vtd_model *m, uint64_t root, unsigned int levels,
	uint64_t in, uint32_t access, const struct sl_codes *c,
	struct stage_out *o)
{
	uint64_t table = root & ~PAGE_MASK_4K;
	unsigned int lvl;
	uint64_t pte = 0;

	o->fr = 0;
	o->prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE;
	if (in >> VTD_LEVEL_SHIFT(levels + 1))
		return stage_set_fault(o, c->beyond, UIOMMU_FAULT_ADDR_SIZE,
				       levels);
	for (lvl = levels; lvl >= 1; lvl--) {
		uint64_t addr = table + ((in >> VTD_LEVEL_SHIFT(lvl)) &
					 ((1u << VTD_LEVEL_BITS) - 1)) * 8;
		bool leaf;

		if (!vtd_model_mem_ok(m, addr, sizeof(pte)))
			return stage_set_fault(o, c->access,
					       UIOMMU_FAULT_BAD_TABLE, lvl);
		pte = load_word(addr);
		if (!(pte & (SL_PTE_R | SL_PTE_W))) {
			if (c->np != 0)
				return stage_set_fault(o, c->np,
					UIOMMU_FAULT_TRANSLATION, lvl);
			/* Legacy: a non-present entry denies the access. */
			return stage_set_fault(o,
				(access & UIOMMU_ACCESS_WRITE) ? c->write :
								 c->read,
				UIOMMU_FAULT_TRANSLATION, lvl);
		}
		leaf = sl_leaf(pte, lvl);
		if (pte & sl_rsvd(lvl, leaf))
			return stage_set_fault(o, c->rsvd,
					       UIOMMU_FAULT_BAD_TABLE, lvl);
		if (!(pte & SL_PTE_R))
			o->prot &= ~UIOMMU_PROT_READ;
		if (!(pte & SL_PTE_W))
			o->prot &= ~UIOMMU_PROT_WRITE;
		if (leaf)
			break;
		table = pte & SL_PTE_ADDR;
	}
	o->level = core_level(lvl);
	if (!rights_check(o, access, c->read, c->write, lvl))
		return false;
	o->pgshift = VTD_LEVEL_SHIFT(lvl);
	o->oa = pte & SL_PTE_ADDR & ~((UINT64_C(1) << o->pgshift) - 1);
	return true;
}

/* ------------------------------------------------------- first level -- */

/* Reserved bits of a first-level entry (4-level paging). */
static uint64_t
fl_rsvd(unsigned int lvl, bool leaf, bool nxe)
{
	uint64_t rsvd = HAW_RSVD;

	if (!nxe)
		rsvd |= FL_PTE_XD;
	if (lvl == 4)
		rsvd |= FL_PTE_PS;
	if (leaf && lvl > 1)	/* bit 12 is PAT in a superpage */
		rsvd |= GENMASK_ULL(VTD_LEVEL_SHIFT(lvl) - 1,
				    VTD_PAGE_SHIFT + 1);
	return rsvd;
}

/*
 * Walk a 4-level first-level table at @root for @in, a user-mode request:
 * every level must have U/S set, a write needs R/W at every level.
 */
static bool
fl_walk(const struct vtd_model *m, uint64_t root, bool nxe, uint64_t in,
	uint32_t access, struct stage_out *o)
{
	uint64_t table = root & ~PAGE_MASK_4K;
	int64_t canon = (int64_t)(in << 16) >> 16;
	bool user = true;
	unsigned int lvl;
	uint64_t pte = 0;

	o->fr = 0;
	o->prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE;
	if ((uint64_t)canon != in)
		return stage_set_fault(o, VTD_FR_SM_NON_CANONICAL,
				       UIOMMU_FAULT_ADDR_SIZE, 4);
	for (lvl = 4; lvl >= 1; lvl--) {
		uint64_t addr = table + ((in >> VTD_LEVEL_SHIFT(lvl)) &
					 ((1u << VTD_LEVEL_BITS) - 1)) * 8;
		bool leaf;

		if (!vtd_model_mem_ok(m, addr, sizeof(pte)))
			return stage_set_fault(o, VTD_FR_SM_FL_ACCESS,
					       UIOMMU_FAULT_BAD_TABLE, lvl);
		pte = load_word(addr);
		if (!(pte & FL_PTE_P))
			return stage_set_fault(o, VTD_FR_SM_FL_NP,
					       UIOMMU_FAULT_TRANSLATION, lvl);
		leaf = lvl == 1 || ((pte & FL_PTE_PS) && lvl <= 3);
		if (pte & fl_rsvd(lvl, leaf, nxe))
			return stage_set_fault(o, VTD_FR_SM_FL_RSVD,
					       UIOMMU_FAULT_BAD_TABLE, lvl);
		if (!(pte & FL_PTE_US))
			user = false;
		if (!(pte & FL_PTE_RW))
			o->prot &= ~UIOMMU_PROT_WRITE;
		if (leaf)
			break;
		table = pte & FL_PTE_ADDR;
	}
	o->level = core_level(lvl);
	if (!user)
		return stage_set_fault(o, VTD_FR_SM_US,
				       UIOMMU_FAULT_PERMISSION, lvl);
	if (!rights_check(o, access, VTD_FR_SM_READ, VTD_FR_SM_WRITE, lvl))
		return false;
	o->pgshift = VTD_LEVEL_SHIFT(lvl);
	o->oa = pte & FL_PTE_ADDR & ~((UINT64_C(1) << o->pgshift) - 1);
	return true;
}

/* -------------------------------------------------------------- results -- */

/* Combine a first-level result @o1 (pgshift 63 when absent) with the
 * second level @o2 that translated its output @gpa. */
static int
res_pages(struct vtd_txn *t, const struct stage_out *o1,
	  const struct stage_out *o2, uint64_t gpa, uint32_t did)
{
	struct uiommu_walk_result *res = t->res;
	uint8_t shift = RTE_MIN(o1->pgshift, o2->pgshift);

	res->pgshift = shift;
	res->out = o2->oa + (gpa & ((UINT64_C(1) << o2->pgshift) - 1) &
			     ~((UINT64_C(1) << shift) - 1));
	res->prot = o1->prot & o2->prot;
	res->tag = did;
	res->level = o2->level;
	res->reason = UIOMMU_FAULT_NONE;
	return 0;
}

static int
res_stage(struct vtd_txn *t, const struct stage_out *o, uint32_t did)
{
	const struct stage_out all = {
		.pgshift = 63,
		.prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE,
	};

	return res_pages(t, &all, o, t->iova, did);
}

/* ---------------------------------------------------------- legacy mode -- */

static int
legacy_walk(struct vtd_txn *t, uint64_t rta)
{
	uint64_t root = rta + (uint64_t)(t->sid >> 8) * 16;
	uint64_t ctx, r0, r1, c0, c1;
	unsigned int aw, tt;
	struct stage_out o;

	if (t->pasid != UIOMMU_PASID_NONE)
		return txn_fault(t, VTD_FR_RTADDR_TTM0_PASID,
				 UIOMMU_FAULT_BAD_PASID, 0);
	if (!vtd_model_mem_ok(t->m, root, 16))
		return txn_fault(t, VTD_FR_ROOT_TABLE_INV,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	r0 = load_word(root);
	r1 = load_word(root + 8);
	if (!(r0 & ROOT_LO_P))
		return txn_fault(t, VTD_FR_ROOT_ENTRY_NP,
				 UIOMMU_FAULT_BAD_DEVICE, 0);
	if ((r0 & (ROOT_LO_RSVD | HAW_RSVD)) || r1 != 0)
		return txn_fault(t, VTD_FR_ROOT_ENTRY_RSVD,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	ctx = (r0 & ROOT_LO_CTP) + (uint64_t)(t->sid & 0xff) * 16;
	if (!vtd_model_mem_ok(t->m, ctx, 16))
		return txn_fault(t, VTD_FR_CTX_TABLE_INV,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	c0 = load_word(ctx);
	c1 = load_word(ctx + 8);
	/* FPD applies whatever P says. */
	t->fpd = c0 & CTX_LO_FPD;
	if (!(c0 & CTX_LO_P))
		return txn_fault(t, VTD_FR_CTX_ENTRY_NP,
				 UIOMMU_FAULT_BAD_DEVICE, 0);
	if ((c0 & (CTX_LO_RSVD | HAW_RSVD)) || (c1 & CTX_HI_RSVD))
		return txn_fault(t, VTD_FR_CTX_ENTRY_RSVD,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	tt = FIELD_GET(CTX_LO_TT, c0);
	aw = FIELD_GET(CTX_HI_AW, c1);
	if (tt == CTX_TT_RSVD)
		return txn_fault(t, VTD_FR_CTX_ENTRY_INV,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	if (tt == CTX_TT_PASS_THROUGH)
		return res_identity(t);
	if (!(FIELD_GET(CAP_SAGAW, t->m->cap) & (1u << aw)))
		return txn_fault(t, VTD_FR_CTX_ENTRY_INV,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	if (!sl_walk(t->m, c0 & CTX_LO_SLPTPTR, aw + 2, t->iova, t->access,
		     &sl_legacy, &o))
		return stage_fault(t, &o);
	return res_stage(t, &o, FIELD_GET(CTX_HI_DID, c1));
}

/* -------------------------------------------------------- scalable mode -- */

/* The scalable-mode context entry of the requester (4 words). */
static bool
sm_context(struct vtd_txn *t, uint64_t rta, uint64_t c[4])
{
	uint32_t devfn = t->sid & 0xff;
	uint64_t root = rta + (uint64_t)(t->sid >> 8) * 16;
	uint64_t re, ctx;
	unsigned int i;

	if (!vtd_model_mem_ok(t->m, root, 16))
		return txn_fail(t, VTD_FR_SM_ROOT_ACCESS,
				 UIOMMU_FAULT_BAD_TABLE);
	/* Lower half: devfn 0..127; upper half: 128..255. */
	re = load_word(root + (devfn >> SM_CTX_DEVFN_BITS) * 8);
	if (!(re & SM_ROOT_LO_LP))
		return txn_fail(t, VTD_FR_SM_ROOT_NP,
				 UIOMMU_FAULT_BAD_DEVICE);
	if (re & (SM_ROOT_LO_RSVD | HAW_RSVD))
		return txn_fail(t, VTD_FR_SM_ROOT_RSVD,
				 UIOMMU_FAULT_BAD_TABLE);
	ctx = (re & SM_ROOT_LO_LCTP) +
	      (uint64_t)(devfn & ((1u << SM_CTX_DEVFN_BITS) - 1)) * 32;
	if (!vtd_model_mem_ok(t->m, ctx, 32))
		return txn_fail(t, VTD_FR_SM_CTX_ACCESS,
				 UIOMMU_FAULT_BAD_TABLE);
	for (i = 0; i < 4; i++)
		c[i] = load_word(ctx + i * 8);
	t->fpd = c[0] & SM_CTX_0_FPD;
	if (!(c[0] & SM_CTX_0_P))
		return txn_fail(t, VTD_FR_SM_CTX_NP,
				 UIOMMU_FAULT_BAD_DEVICE);
	/* PRE needs ECAP.PRS, RID_PRIV ECAP.RPRIVS: neither is supported. */
	if ((c[0] & (SM_CTX_0_RSVD | SM_CTX_0_PRE | HAW_RSVD)) ||
	    (c[1] & (SM_CTX_1_RSVD | SM_CTX_1_RID_PRIV)) || c[2] || c[3])
		return txn_fail(t, VTD_FR_SM_CTX_RSVD,
				 UIOMMU_FAULT_BAD_TABLE);
	return true;
}

/* The PASID the request uses, checked against the context entry. */
static bool
sm_pasid(struct vtd_txn *t, const uint64_t c[4], uint32_t *pasid)
{
	uint64_t dir_entries = UINT64_C(1) <<
			       (FIELD_GET(SM_CTX_0_PDTS, c[0]) + 7);

	if (t->pasid == UIOMMU_PASID_NONE) {
		*pasid = FIELD_GET(SM_CTX_1_RID_PASID, c[1]);
		if ((*pasid >> PASID_DIR_SHIFT) >= dir_entries)
			return txn_fail(t, VTD_FR_SM_RID_PASID_ERR,
					 UIOMMU_FAULT_BAD_TABLE);
		return true;
	}
	*pasid = t->pasid;
	if (!(c[0] & SM_CTX_0_PASIDE))
		return txn_fail(t, VTD_FR_SM_CTX_PASIDE,
				 UIOMMU_FAULT_BAD_PASID);
	if ((*pasid >> t->m->cfg.pasid_bits) ||
	    (*pasid >> PASID_DIR_SHIFT) >= dir_entries)
		return txn_fail(t, VTD_FR_SM_PASID_TOO_BIG,
				 UIOMMU_FAULT_BAD_PASID);
	return true;
}

/* Reserved fields of a PASID table entry, given what ECAP supports. */
static bool
pasid_entry_rsvd(const struct vtd_model *m, const uint64_t p[8])
{
	uint64_t rsvd0 = PASID_0_RSVD | HAW_RSVD;
	uint64_t rsvd1 = PASID_1_RSVD;
	uint64_t rsvd2 = PASID_2_RSVD | HAW_RSVD;
	unsigned int i;

	if (!(m->ecap & ECAP_SLADS))
		rsvd0 |= PASID_0_SLADE;
	if (!(m->ecap & ECAP_SMPWCS))
		rsvd1 |= PASID_1_PWSNP;
	if (!(m->ecap & ECAP_SRS))
		rsvd2 |= PASID_2_SRE;
	if (!(m->ecap & ECAP_ERS))
		rsvd2 |= PASID_2_ERE;
	if (!(m->ecap & ECAP_EAFS))
		rsvd2 |= PASID_2_EAFE;
	if ((p[0] & rsvd0) || (p[1] & rsvd1) || (p[2] & rsvd2))
		return true;
	for (i = 3; i < PASID_ENTRY_WORDS; i++)
		if (p[i] != 0)
			return true;
	return false;
}

/* The PASID table entry of @pasid (8 words), through the directory. */
static bool
sm_pasid_entry(struct vtd_txn *t, const uint64_t c[4], uint32_t pasid,
	       uint64_t p[8])
{
	uint64_t dir = (c[0] & SM_CTX_0_PASIDDIRPTR) +
		       (uint64_t)(pasid >> PASID_DIR_SHIFT) * 8;
	uint64_t de, pe;
	unsigned int i;

	if (!vtd_model_mem_ok(t->m, dir, 8))
		return txn_fail(t, VTD_FR_SM_PASID_DIR_ACCESS,
				 UIOMMU_FAULT_BAD_TABLE);
	de = load_word(dir);
	t->fpd |= de & PASID_DIR_FPD;
	if (!(de & PASID_DIR_P))
		return txn_fail(t, VTD_FR_SM_PASID_DIR_NP,
				 UIOMMU_FAULT_BAD_PASID);
	if (de & (PASID_DIR_RSVD | HAW_RSVD))
		return txn_fail(t, VTD_FR_SM_PASID_DIR_RSVD,
				 UIOMMU_FAULT_BAD_TABLE);
	pe = (de & PASID_DIR_SMPTBLPTR) +
	     (uint64_t)(pasid & (PASID_TBL_ENTRIES - 1)) *
	     PASID_ENTRY_WORDS * 8;
	if (!vtd_model_mem_ok(t->m, pe, PASID_ENTRY_WORDS * 8))
		return txn_fail(t, VTD_FR_SM_PASID_ACCESS,
				 UIOMMU_FAULT_BAD_TABLE);
	for (i = 0; i < PASID_ENTRY_WORDS; i++)
		p[i] = load_word(pe + i * 8);
	t->fpd |= p[0] & PASID_0_FPD;
	if (!(p[0] & PASID_0_P))
		return txn_fail(t, VTD_FR_SM_PASID_NP,
				 UIOMMU_FAULT_BAD_PASID);
	if (pasid_entry_rsvd(t->m, p))
		return txn_fail(t, VTD_FR_SM_PASID_RSVD,
				 UIOMMU_FAULT_BAD_TABLE);
	return true;
}

/* Is PGTT @pgtt, with the entry's AW and FLPM, one this unit supports? */
static bool
pasid_entry_valid(const struct vtd_model *m, const uint64_t p[8],
		  unsigned int pgtt)
{
	bool sl = pgtt == PGTT_SL || pgtt == PGTT_NESTED;
	bool fl = pgtt == PGTT_FL || pgtt == PGTT_NESTED;

	switch (pgtt) {
	case PGTT_FL:
		if (!(m->ecap & ECAP_FLTS))
			return false;
		break;
	case PGTT_SL:
		if (!(m->ecap & ECAP_SLTS))
			return false;
		break;
	case PGTT_NESTED:
		if (!(m->ecap & ECAP_NEST))
			return false;
		break;
	case PGTT_PT:
		return m->ecap & ECAP_PT;
	default:
		return false;
	}
	if (sl && !(FIELD_GET(CAP_SAGAW, m->cap) &
		    (1u << FIELD_GET(PASID_0_AW, p[0]))))
		return false;
	if (fl && FIELD_GET(PASID_2_FLPM, p[2]) != FLPM_4LVL)
		return false;
	return true;
}

static int
sm_translate(struct vtd_txn *t, const uint64_t p[8])
{
	unsigned int pgtt = FIELD_GET(PASID_0_PGTT, p[0]);
	uint32_t did = FIELD_GET(PASID_1_DID, p[1]);
	unsigned int sl_levels = FIELD_GET(PASID_0_AW, p[0]) + 2;
	struct stage_out o1 = {
		.pgshift = 63,
		.prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE,
	};
	struct stage_out o2;
	uint64_t gpa = t->iova;

	if (!pasid_entry_valid(t->m, p, pgtt))
		return txn_fault(t, VTD_FR_SM_PASID_INV,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	if (pgtt == PGTT_PT)
		return res_identity(t);
	if (pgtt == PGTT_FL || pgtt == PGTT_NESTED) {
		if (!fl_walk(t->m, p[2] & PASID_2_FLPTR, p[2] & PASID_2_NXE,
			     t->iova, t->access, &o1))
			return stage_fault(t, &o1);
		if (pgtt == PGTT_FL)
			return res_stage(t, &o1, did);
		gpa = o1.oa | (t->iova & ((UINT64_C(1) << o1.pgshift) - 1));
	}
	if (!sl_walk(t->m, p[0] & PASID_0_SLPTPTR, sl_levels, gpa, t->access,
		     &sl_scalable, &o2))
		return stage_fault(t, &o2);
	return res_pages(t, &o1, &o2, gpa, did);
}

static int
scalable_walk(struct vtd_txn *t, uint64_t rta)
{
	uint64_t c[4], p[PASID_ENTRY_WORDS];
	uint32_t pasid;

	if (!sm_context(t, rta, c) || !sm_pasid(t, c, &pasid) ||
	    !sm_pasid_entry(t, c, pasid, p))
		return -EFAULT;
	return sm_translate(t, p);
}

/* ------------------------------------------------------------------ API -- */

int
vtd_model_translate(struct vtd_model *m, uint16_t sid, uint32_t pasid,
		    uint64_t iova, uint32_t access,
		    struct uiommu_walk_result *res)
{
	struct vtd_txn t = {
		.m = m, .sid = sid, .pasid = pasid, .iova = iova,
		.access = access, .res = res,
	};
	/* Pairs with the release stores of SRTP and TE (model_regs.c). */
	uint64_t cfg = __atomic_load_n(&m->dma_cfg, __ATOMIC_ACQUIRE);
	uint64_t rta = cfg & RTADDR_RTA;

	if (!(cfg & VTD_DMA_CFG_TE))
		return res_identity(&t);
	switch (FIELD_GET(RTADDR_TTM, cfg)) {
	case RTADDR_TTM_LEGACY:
		return legacy_walk(&t, rta);
	case RTADDR_TTM_SCALABLE:
		if (m->ecap & ECAP_SMTS)
			return scalable_walk(&t, rta);
		/* fall through */
	default:
		/* Reserved, or abort-DMA mode without ECAP.ADMS. */
		return txn_fault(&t, VTD_FR_RTADDR_INV_TTM,
				 UIOMMU_FAULT_BAD_TABLE, 0);
	}
}
