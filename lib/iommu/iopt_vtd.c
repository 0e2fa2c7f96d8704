/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d first-level (x86-64 4-level paging) and second-level I/O page
 * tables, 4 KiB pages with 2 MiB and 1 GiB leaves.
 *
 * This file says how entries encode (iopt_vtd.h); map, the checks, split,
 * unmap and free are the radix engine's (iopt_radix.c). Each format's walk,
 * on the translation path, is a loop of its own with no indirect call.
 *
 * Encodings follow Linux's intel driver: second-level non-leaf entries
 * carry R|W, first-level ones P|R/W|U/S|A, so the leaf alone decides what a
 * device may do; leaves are written with A and D set, as the hardware would
 * leave them after an access, so that it never has to write a table.
 *
 * Writer: one at a time (domain lock), release stores (iopt_pte_store).
 * Walkers: acquire loads (iopt_pte_load), which pair with those stores.
 */
#include <errno.h>
#include <stdbool.h>

#include <rte_errno.h>

#include "iopt_private.h"
#include "iopt_radix.h"
#include "iopt_vtd.h"

/* Entry address bits at or above @oas: reserved (beyond the HAW). */
static inline uint64_t
vtd_addr_rsvd(const struct iopt *iopt)
{
	return VTD_SL_PTE_ADDR & (~0ull << iopt->cfg.oas);
}

/* Page base of a leaf; ADDR[51:12] is the same field in both formats. */
static inline uint64_t
vtd_leaf_out(uint64_t pte, unsigned int pgshift)
{
	return pte & VTD_SL_PTE_ADDR & ~((1ull << pgshift) - 1);
}

/*
 * The walk both formats share, on the IOTLB miss path: from the root at
 * iopt->start_level to a leaf (the last level, or PS above it), with the
 * format's constant bits as arguments so that each caller's copy is
 * specialised (always inline). Fills @res but prot; returns the AND of
 * @rights over every level's entry (0 after a fault, which @res->reason
 * says).
 */
static __rte_always_inline uint64_t
vtd_walk(const struct iopt *iopt, uint64_t iova,
	 struct uiommu_walk_result *res, uint64_t present, uint64_t ps,
	 uint64_t addr_mask, uint64_t rights)
{
	const uint64_t *table = (const uint64_t *)(uintptr_t)iopt->root;
	uint64_t rsvd = vtd_addr_rsvd(iopt);
	unsigned int level = iopt->start_level;
	enum uiommu_fault_reason reason;
	uint64_t pte;

	if (iova >> iopt->cfg.ias) {
		reason = UIOMMU_FAULT_ADDR_SIZE;
		goto fault;
	}
	for (;; level++) {
		pte = iopt_pte_load(&table[iopt_radix_index(iova, level)]);
		if (!(pte & present)) {
			reason = UIOMMU_FAULT_TRANSLATION;
			goto fault;
		}
		if ((pte & rsvd) || (level == 0 && (pte & ps))) {
			reason = UIOMMU_FAULT_BAD_TABLE;
			goto fault;
		}
		rights &= pte;
		if (level == VTD_LAST_LEVEL || (pte & ps))
			break;
		table = (const uint64_t *)(uintptr_t)(pte & addr_mask);
	}
	res->pgshift = iopt_radix_level_shift(level);
	res->out = vtd_leaf_out(pte, res->pgshift);
	res->prot = 0;
	res->level = level;
	res->reason = UIOMMU_FAULT_NONE;
	return rights;

fault:
	res->prot = 0;
	res->level = level;
	res->reason = reason;
	return 0;
}

/* ------------------------------------------------------- second level -- */

/*
 * Write-only is expressible (W without R). Cacheable memory is write-back
 * and snooped; anything else, device memory included, uncacheable without
 * snoop (EMT is used only when the PASID entry enables it; Linux leaves it
 * 0 too).
 */
static uint64_t
vtd_sl_prot_to_attrs(const struct iopt *iopt, uint32_t prot)
{
	uint64_t pte = VTD_SL_PTE_A | VTD_SL_PTE_D;

	RTE_SET_USED(iopt);
	if (prot & UIOMMU_PROT_READ)
		pte |= VTD_SL_PTE_R;
	if (prot & UIOMMU_PROT_WRITE)
		pte |= VTD_SL_PTE_W;
	if ((prot & UIOMMU_PROT_CACHE) && !(prot & UIOMMU_PROT_MMIO))
		pte |= FIELD_PREP(VTD_SL_PTE_EMT, VTD_EMT_WB) | VTD_SL_PTE_SNP;
	else
		pte |= FIELD_PREP(VTD_SL_PTE_EMT, VTD_EMT_UC);
	return pte;
}

static uint64_t
vtd_sl_leaf(uint64_t oa, unsigned int level, uint64_t attrs)
{
	uint64_t ps = level < VTD_LAST_LEVEL ? VTD_SL_PTE_PS : 0;

	return (oa & VTD_SL_PTE_ADDR) | attrs | ps;
}

static uint64_t
vtd_sl_table(const uint64_t *table)
{
	return ((uintptr_t)table & VTD_SL_PTE_ADDR) | VTD_SL_PTE_R |
	       VTD_SL_PTE_W;
}

static bool
vtd_sl_is_table(uint64_t pte, unsigned int level)
{
	return vtd_sl_pte_is_table(pte, level);
}

static bool
vtd_sl_is_leaf(uint64_t pte, unsigned int level)
{
	return vtd_sl_pte_is_leaf(pte, level);
}

static const struct iopt_radix_fmt vtd_sl_radix = {
	.addr_mask = VTD_SL_PTE_ADDR,
	.leaf_level_mask = VTD_SL_PTE_PS,
	.min_leaf_level = 1,
	.is_table = vtd_sl_is_table,
	.is_leaf = vtd_sl_is_leaf,
	.make_table = vtd_sl_table,
	.make_leaf = vtd_sl_leaf,
	.prot_to_attrs = vtd_sl_prot_to_attrs,
};

/*
 * Rights are the AND of R and W over every level (non-leaf entries carry
 * both, so in tables built here the leaf decides). Not present: no R, W or
 * X. Reserved: PS in an SL-PML4E, address bits beyond the output size.
 */
static void
vtd_sl_walk(const struct iopt *iopt, uint64_t iova,
	    struct uiommu_walk_result *res)
{
	uint64_t rights = vtd_walk(iopt, iova, res, VTD_SL_PTE_PRESENT,
				   VTD_SL_PTE_PS, VTD_SL_PTE_ADDR,
				   VTD_SL_PTE_R | VTD_SL_PTE_W);

	res->prot = ((rights & VTD_SL_PTE_R) ? UIOMMU_PROT_READ : 0) |
		    ((rights & VTD_SL_PTE_W) ? UIOMMU_PROT_WRITE : 0);
}

/* -------------------------------------------------------- first level -- */

/*
 * Device requests are user-privilege (U/S set, as Linux's DMA_FL_PTE_US);
 * present means readable, so WRITE needs READ (the domain refuses
 * write-only). Device memory is PCD (uncached through the PAT); the rest
 * write-back.
 */
static uint64_t
vtd_fl_prot_to_attrs(const struct iopt *iopt, uint32_t prot)
{
	uint64_t pte = VTD_FL_PTE_P | VTD_FL_PTE_US | VTD_FL_PTE_A |
		       VTD_FL_PTE_D | VTD_FL_PTE_XD;

	RTE_SET_USED(iopt);
	if (prot & UIOMMU_PROT_WRITE)
		pte |= VTD_FL_PTE_RW;
	if (prot & UIOMMU_PROT_MMIO)
		pte |= VTD_FL_PTE_PCD;
	return pte;
}

static uint64_t
vtd_fl_leaf(uint64_t oa, unsigned int level, uint64_t attrs)
{
	uint64_t ps = level < VTD_LAST_LEVEL ? VTD_FL_PTE_PS : 0;

	return (oa & VTD_FL_PTE_ADDR) | attrs | ps;
}

static uint64_t
vtd_fl_table(const uint64_t *table)
{
	return ((uintptr_t)table & VTD_FL_PTE_ADDR) | VTD_FL_PTE_P |
	       VTD_FL_PTE_RW | VTD_FL_PTE_US | VTD_FL_PTE_A;
}

static bool
vtd_fl_is_table(uint64_t pte, unsigned int level)
{
	return vtd_fl_pte_is_table(pte, level);
}

static bool
vtd_fl_is_leaf(uint64_t pte, unsigned int level)
{
	return vtd_fl_pte_is_leaf(pte, level);
}

static const struct iopt_radix_fmt vtd_fl_radix = {
	.addr_mask = VTD_FL_PTE_ADDR,
	.leaf_level_mask = VTD_FL_PTE_PS,
	.min_leaf_level = 1,
	.is_table = vtd_fl_is_table,
	.is_leaf = vtd_fl_is_leaf,
	.make_table = vtd_fl_table,
	.make_leaf = vtd_fl_leaf,
	.prot_to_attrs = vtd_fl_prot_to_attrs,
};

/*
 * x86 paging: write needs R/W and a user access needs U/S at every level.
 * Not present: P clear. Reserved: PS in a PML4E, address bits beyond the
 * output size. IOVAs at or above 1 << ias (ias <= 47) are outside the lower
 * canonical half: an address-size fault.
 */
static void
vtd_fl_walk(const struct iopt *iopt, uint64_t iova,
	    struct uiommu_walk_result *res)
{
	uint64_t rights = vtd_walk(iopt, iova, res, VTD_FL_PTE_P,
				   VTD_FL_PTE_PS, VTD_FL_PTE_ADDR,
				   VTD_FL_PTE_RW | VTD_FL_PTE_US);

	/* A supervisor-only page grants a (user) device request nothing. */
	res->prot = !(rights & VTD_FL_PTE_US) ? 0 :
		    (rights & VTD_FL_PTE_RW) ? UIOMMU_PROT_READ |
					       UIOMMU_PROT_WRITE :
					       UIOMMU_PROT_READ;
}

/* ------------------------------------------------------------ common -- */

static const struct iopt_ops vtd_sl_ops = {
	.map = iopt_radix_map,
	.reserve = iopt_radix_reserve,
	.check_unmapped = iopt_radix_check_unmapped,
	.check_mapped = iopt_radix_check_mapped,
	.split_edges = iopt_radix_split_edges,
	.unmap = iopt_radix_unmap,
	.walk = vtd_sl_walk,
	.free_tree = iopt_radix_free_tree,
	.radix = &vtd_sl_radix,
	.no_write_only = false,
};

static const struct iopt_ops vtd_fl_ops = {
	.map = iopt_radix_map,
	.reserve = iopt_radix_reserve,
	.check_unmapped = iopt_radix_check_unmapped,
	.check_mapped = iopt_radix_check_mapped,
	.split_edges = iopt_radix_split_edges,
	.unmap = iopt_radix_unmap,
	.walk = vtd_fl_walk,
	.free_tree = iopt_radix_free_tree,
	.radix = &vtd_fl_radix,
	.no_write_only = true,
};

/*
 * Second level: the fewest levels that cover ias (32..39: 3 levels, as
 * AW 1; 40..48: 4, as AW 2). First level: always 4 levels, ias <= 47.
 */
struct iopt *
iopt_vtd_alloc(const struct iopt_cfg *cfg)
{
	bool fl = cfg->fmt == UIOMMU_IOPT_VTD_FL;
	unsigned int min_ias = fl ? VTD_FL_MIN_IAS : VTD_SL_MIN_IAS;
	unsigned int max_ias = fl ? VTD_FL_MAX_IAS : VTD_SL_MAX_IAS;

	if (cfg->ias < min_ias || cfg->ias > max_ias ||
	    cfg->oas < 32 || cfg->oas > VTD_MAX_OAS) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (fl)
		return iopt_radix_alloc(cfg, &vtd_fl_ops, 0);
	return iopt_radix_alloc(cfg, &vtd_sl_ops,
				iopt_radix_start_level(cfg->ias));
}
