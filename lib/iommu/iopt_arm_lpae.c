/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm VMSAv8-64 stage-1 and stage-2 I/O page tables, 4 KiB granule.
 *
 * This file says how descriptors encode; map, the checks, split, unmap and
 * free are the radix engine's (iopt_radix.c). The walk used by the
 * translation path is a loop of its own, with no indirect call per level.
 *
 * Writer: one at a time (domain lock), plain loads of its own table, release
 * stores (iopt_pte_store). Walkers: acquire loads (iopt_pte_load), which
 * pair with those stores.
 */
#include <errno.h>
#include <stdbool.h>

#include <rte_errno.h>

#include "iopt_arm_lpae.h"
#include "iopt_private.h"
#include "iopt_radix.h"

#define LPAE_LAST_LEVEL		(ARM_LPAE_MAX_LEVELS - 1)

static inline bool
lpae_is_s2(const struct iopt *iopt)
{
	return iopt->cfg.fmt == UIOMMU_IOPT_ARM_LPAE_S2;
}

static inline uint64_t *
lpae_table(uint64_t pte)
{
	return (uint64_t *)(uintptr_t)(pte & ARM_LPAE_PTE_ADDR);
}

/* Descriptor attributes of a leaf with @prot, without type and address. */
static uint64_t
lpae_prot_to_attrs(const struct iopt *iopt, uint32_t prot)
{
	uint64_t pte = ARM_LPAE_PTE_AF | ARM_LPAE_PTE_XN;

	if (lpae_is_s2(iopt)) {
		if (prot & UIOMMU_PROT_READ)
			pte |= ARM_LPAE_PTE_S2AP_READ;
		if (prot & UIOMMU_PROT_WRITE)
			pte |= ARM_LPAE_PTE_S2AP_WRITE;
		if (prot & UIOMMU_PROT_MMIO)
			pte |= FIELD_PREP(ARM_LPAE_PTE_MEMATTR,
					  ARM_LPAE_MEMATTR_DEV);
		else if (prot & UIOMMU_PROT_CACHE)
			pte |= FIELD_PREP(ARM_LPAE_PTE_MEMATTR,
					  ARM_LPAE_MEMATTR_OIWB);
		else
			pte |= FIELD_PREP(ARM_LPAE_PTE_MEMATTR,
					  ARM_LPAE_MEMATTR_NC);
	} else {
		/* Device accesses are unprivileged and non-global, as the
		 * SMMU sees them (Linux io-pgtable-arm does the same). */
		pte |= ARM_LPAE_PTE_NG | ARM_LPAE_PTE_AP_UNPRIV;
		if (!(prot & UIOMMU_PROT_WRITE))
			pte |= ARM_LPAE_PTE_AP_RDONLY;
		if (prot & UIOMMU_PROT_MMIO)
			pte |= FIELD_PREP(ARM_LPAE_PTE_ATTRINDX,
					  ARM_LPAE_MAIR_ATTR_IDX_DEV);
		else if (prot & UIOMMU_PROT_CACHE)
			pte |= FIELD_PREP(ARM_LPAE_PTE_ATTRINDX,
					  ARM_LPAE_MAIR_ATTR_IDX_CACHE);
		else
			pte |= FIELD_PREP(ARM_LPAE_PTE_ATTRINDX,
					  ARM_LPAE_MAIR_ATTR_IDX_NC);
	}
	if ((prot & UIOMMU_PROT_CACHE) && !(prot & UIOMMU_PROT_MMIO))
		pte |= FIELD_PREP(ARM_LPAE_PTE_SH, ARM_LPAE_PTE_SH_IS);
	return pte;
}

/* Access rights a valid leaf grants (the access flag is checked apart). */
static uint32_t
lpae_attrs_to_prot(const struct iopt *iopt, uint64_t pte)
{
	uint32_t prot = 0;

	if (lpae_is_s2(iopt)) {
		if (pte & ARM_LPAE_PTE_S2AP_READ)
			prot |= UIOMMU_PROT_READ;
		if (pte & ARM_LPAE_PTE_S2AP_WRITE)
			prot |= UIOMMU_PROT_WRITE;
	} else {
		prot = UIOMMU_PROT_READ;
		if (!(pte & ARM_LPAE_PTE_AP_RDONLY))
			prot |= UIOMMU_PROT_WRITE;
	}
	return prot;
}

static uint64_t
lpae_leaf(uint64_t oa, unsigned int level, uint64_t attrs)
{
	uint64_t type = level == LPAE_LAST_LEVEL ? ARM_LPAE_PTE_TYPE_PAGE :
						    ARM_LPAE_PTE_TYPE_BLOCK;

	return (oa & ARM_LPAE_PTE_ADDR) | attrs | type;
}

static uint64_t
lpae_table_desc(const uint64_t *table)
{
	return ((uintptr_t)table & ARM_LPAE_PTE_ADDR) | ARM_LPAE_PTE_TYPE_TABLE;
}

static bool
lpae_is_table(uint64_t pte, unsigned int level)
{
	return arm_lpae_pte_is_table(pte, level);
}

static bool
lpae_is_leaf(uint64_t pte, unsigned int level)
{
	return arm_lpae_pte_is_leaf(pte, level);
}

/* Both stages: only the leaf attributes differ (lpae_prot_to_attrs). */
static const struct iopt_radix_fmt lpae_radix = {
	.addr_mask = ARM_LPAE_PTE_ADDR,
	.leaf_level_mask = ARM_LPAE_PTE_TYPE,
	.min_leaf_level = 1,	/* level 0 blocks need FEAT_LPA2 */
	.is_table = lpae_is_table,
	.is_leaf = lpae_is_leaf,
	.make_table = lpae_table_desc,
	.make_leaf = lpae_leaf,
	.prot_to_attrs = lpae_prot_to_attrs,
};

static void
lpae_walk(const struct iopt *iopt, uint64_t iova,
	  struct uiommu_walk_result *res)
{
	const uint64_t *table = (const uint64_t *)(uintptr_t)iopt->root;
	uint64_t oas_mask = ~0ull << iopt->cfg.oas;
	unsigned int level = iopt->start_level;
	enum uiommu_fault_reason reason;
	uint64_t pte;

	if (iova >> iopt->cfg.ias) {
		reason = UIOMMU_FAULT_ADDR_SIZE;
		goto fault;
	}
	for (;; level++) {
		pte = iopt_pte_load(&table[arm_lpae_pte_index(iova, level)]);
		if (!arm_lpae_pte_is_table(pte, level))
			break;
		if ((pte & ARM_LPAE_PTE_ADDR) & oas_mask) {
			reason = UIOMMU_FAULT_ADDR_SIZE;
			goto fault;
		}
		table = lpae_table(pte);
	}
	/* Invalid, or a reserved encoding (level-3 0b01, level-0 block): both
	 * are translation faults in the architecture. */
	if (!arm_lpae_pte_is_leaf(pte, level)) {
		reason = UIOMMU_FAULT_TRANSLATION;
		goto fault;
	}
	if (!(pte & ARM_LPAE_PTE_AF)) {
		reason = UIOMMU_FAULT_ACCESS_FLAG;
		goto fault;
	}
	res->pgshift = arm_lpae_level_shift(level);
	res->out = pte & ARM_LPAE_PTE_ADDR & ~((1ull << res->pgshift) - 1);
	if (res->out & oas_mask) {
		reason = UIOMMU_FAULT_ADDR_SIZE;
		goto fault;
	}
	res->prot = lpae_attrs_to_prot(iopt, pte);
	res->level = level;
	res->reason = UIOMMU_FAULT_NONE;
	return;

fault:
	res->level = level;
	res->reason = reason;
}

#define LPAE_OPS(no_wo) {						\
	.map = iopt_radix_map,						\
	.reserve = iopt_radix_reserve,					\
	.check_unmapped = iopt_radix_check_unmapped,			\
	.check_mapped = iopt_radix_check_mapped,			\
	.split_edges = iopt_radix_split_edges,				\
	.unmap = iopt_radix_unmap,					\
	.walk = lpae_walk,						\
	.free_tree = iopt_radix_free_tree,				\
	.radix = &lpae_radix,						\
	.no_write_only = (no_wo),					\
}

/* Stage 1's AP[2:1] has read-only and read-write, no write-only. */
static const struct iopt_ops lpae_s1_ops = LPAE_OPS(true);
static const struct iopt_ops lpae_s2_ops = LPAE_OPS(false);

struct iopt *
iopt_arm_lpae_alloc(const struct iopt_cfg *cfg)
{
	if (cfg->ias < 32 || cfg->ias > ARM_LPAE_MAX_IAS ||
	    cfg->oas < 32 || cfg->oas > ARM_LPAE_MAX_OAS) {
		rte_errno = EINVAL;
		return NULL;
	}
	return iopt_radix_alloc(cfg, cfg->fmt == UIOMMU_IOPT_ARM_LPAE_S2 ?
				&lpae_s2_ops : &lpae_s1_ops,
				arm_lpae_start_level(cfg->ias));
}
