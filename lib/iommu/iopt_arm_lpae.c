/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm VMSAv8-64 stage-1 and stage-2 I/O page tables, 4 KiB granule.
 *
 * Every operation is one recursive descent over the entries a range
 * overlaps (lpae_for_each below computes the chunk of the range that falls
 * in each entry); map, the two checks, unmap and the free differ only in what
 * they do with an entry. The walk used by the translation path is a loop.
 *
 * Writer: one at a time (domain lock), plain loads of its own table, release
 * stores. Walkers: acquire loads (pair with those stores).
 */
#include <errno.h>
#include <stdbool.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "iopt_arm_lpae.h"
#include "iopt_private.h"

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

static inline uint64_t
lpae_load(const uint64_t *ptep)
{
	/* Pairs with lpae_store(): a linked table's zeroed contents and a
	 * leaf's fields are visible once the descriptor is. */
	return __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
}

static inline void
lpae_store(uint64_t *ptep, uint64_t pte)
{
	__atomic_store_n(ptep, pte, __ATOMIC_RELEASE);
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

static inline uint64_t
lpae_leaf(uint64_t oa, unsigned int level, uint64_t attrs)
{
	uint64_t type = level == LPAE_LAST_LEVEL ? ARM_LPAE_PTE_TYPE_PAGE :
						    ARM_LPAE_PTE_TYPE_BLOCK;

	return (oa & ARM_LPAE_PTE_ADDR) | attrs | type;
}

static inline uint64_t
lpae_table_desc(const uint64_t *table)
{
	return ((uintptr_t)table & ARM_LPAE_PTE_ADDR) | ARM_LPAE_PTE_TYPE_TABLE;
}

/*
 * Visit the entries of @table (at @level) that [iova, iova + size)
 * overlaps. For each: ptep, the chunk [iova, iova + chunk) inside it and
 * whether the chunk covers the whole entry.
 */
#define lpae_for_each(table, level, iova, size, ptep, chunk, whole)	\
	for (uint64_t _blk = 1ull << arm_lpae_level_shift(level),	\
		      _end = (iova) + (size), _cur = (iova);		\
	     _cur < _end &&						\
	     ((ptep) = &(table)[arm_lpae_pte_index(_cur, level)],	\
	      (chunk) = RTE_MIN(_end, (_cur | (_blk - 1)) + 1) - _cur,	\
	      (whole) = (chunk) == _blk, (iova) = _cur, 1);		\
	     _cur += (chunk))

/*
 * Map [iova, iova + size) at @level. With @leaves false, only link the
 * tables the leaves will need: map runs that pass first so that the pass
 * which installs leaves cannot fail on memory half way through.
 */
static int
lpae_map_level(struct iopt *iopt, uint64_t *table, unsigned int level,
	       uint64_t iova, uint64_t oa, uint64_t size, uint64_t attrs,
	       bool leaves, struct iopt_gather *gather)
{
	uint64_t *ptep, chunk, start = iova;
	bool whole;
	int rc;

	lpae_for_each(table, level, iova, size, ptep, chunk, whole) {
		uint64_t blk = 1ull << arm_lpae_level_shift(level);
		uint64_t out = oa + (iova - start);
		uint64_t pte = *ptep;

		if (whole && level > 0 && (out & (blk - 1)) == 0 &&
		    (iopt->cfg.pgsize_bitmap & blk)) {
			if (!leaves)
				continue;
			/* An empty table left by earlier unmaps gives way to
			 * the block; walkers may still be inside it. */
			if (arm_lpae_pte_is_table(pte, level))
				iopt_gather_table(gather, lpae_table(pte),
						  level + 1);
			lpae_store(ptep, lpae_leaf(out, level, attrs));
			continue;
		}
		if (!(pte & ARM_LPAE_PTE_VALID)) {
			uint64_t *next = iopt_table_alloc(iopt);

			if (next == NULL)
				return -ENOMEM;
			iopt->n_tables++;
			/* Release: the zeroed table before the link. */
			pte = lpae_table_desc(next);
			lpae_store(ptep, pte);
		}
		rc = lpae_map_level(iopt, lpae_table(pte), level + 1, iova,
				    out, chunk, attrs, leaves, gather);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
lpae_map(struct iopt *iopt, uint64_t iova, uint64_t oa, uint64_t size,
	 uint32_t prot, struct iopt_gather *gather)
{
	uint64_t *root = (uint64_t *)(uintptr_t)iopt->root;
	uint64_t attrs = lpae_prot_to_attrs(iopt, prot);
	int rc = iopt_gather_reserve(gather, size);

	if (rc == 0)
		rc = lpae_map_level(iopt, root, iopt->start_level, iova, oa,
				    size, attrs, false, gather);
	if (rc != 0)
		return rc;
	return lpae_map_level(iopt, root, iopt->start_level, iova, oa, size,
			      attrs, true, gather);
}

/* Does [iova, iova + size) hold any leaf (want_mapped false) or any hole
 * (want_mapped true)? Returns the errno the caller reports, or 0. */
static int
lpae_check_level(const uint64_t *table, unsigned int level, uint64_t iova,
		 uint64_t size, bool want_mapped)
{
	const uint64_t *ptep;
	uint64_t chunk;
	bool whole;
	int rc;

	lpae_for_each(table, level, iova, size, ptep, chunk, whole) {
		uint64_t pte = *ptep;

		RTE_SET_USED(whole);
		if (arm_lpae_pte_is_table(pte, level)) {
			rc = lpae_check_level(lpae_table(pte), level + 1, iova,
					      chunk, want_mapped);
			if (rc != 0)
				return rc;
		} else if (arm_lpae_pte_is_leaf(pte, level)) {
			if (!want_mapped)
				return -EEXIST;
		} else if (want_mapped) {
			return -ENOENT;
		}
	}
	return 0;
}

static int
lpae_check_unmapped(const struct iopt *iopt, uint64_t iova, uint64_t size)
{
	return lpae_check_level((const uint64_t *)(uintptr_t)iopt->root,
				iopt->start_level, iova, size, false);
}

static int
lpae_check_mapped(const struct iopt *iopt, uint64_t iova, uint64_t size)
{
	return lpae_check_level((const uint64_t *)(uintptr_t)iopt->root,
				iopt->start_level, iova, size, true);
}

/*
 * Make @addr fall on a leaf boundary: replace every block that straddles it
 * with a table of the equivalent next-level entries, installed with one
 * store so no walker ever misses the translation.
 */
static int
lpae_split_at(struct iopt *iopt, uint64_t addr)
{
	uint64_t *table = (uint64_t *)(uintptr_t)iopt->root;
	unsigned int level;

	for (level = iopt->start_level; level < LPAE_LAST_LEVEL; level++) {
		uint64_t blk = 1ull << arm_lpae_level_shift(level);
		uint64_t *ptep = &table[arm_lpae_pte_index(addr, level)];
		uint64_t pte = *ptep;

		if ((addr & (blk - 1)) == 0)
			return 0;
		if (arm_lpae_pte_is_leaf(pte, level)) {
			uint64_t sub = blk >> ARM_LPAE_BITS_PER_LEVEL;
			uint64_t attrs = pte & ~(ARM_LPAE_PTE_ADDR |
						 ARM_LPAE_PTE_TYPE);
			uint64_t oa = pte & ARM_LPAE_PTE_ADDR & ~(blk - 1);
			uint64_t *next = iopt_table_alloc(iopt);
			unsigned int i;

			if (next == NULL)
				return -ENOMEM;
			iopt->n_tables++;
			for (i = 0; i < ARM_LPAE_PTES_PER_TABLE; i++)
				next[i] = lpae_leaf(oa + i * sub, level + 1,
						    attrs);
			pte = lpae_table_desc(next);
			lpae_store(ptep, pte);
		}
		if (!arm_lpae_pte_is_table(pte, level))
			return 0;
		table = lpae_table(pte);
	}
	return 0;
}

static int
lpae_split_edges(struct iopt *iopt, uint64_t iova, uint64_t size)
{
	int rc = lpae_split_at(iopt, iova);

	if (rc == 0 && ((iova + size) >> iopt->cfg.ias) == 0)
		rc = lpae_split_at(iopt, iova + size);
	return rc;
}

static void
lpae_unmap_level(struct iopt *iopt, uint64_t *table, unsigned int level,
		 uint64_t iova, uint64_t size, struct iopt_gather *gather)
{
	uint64_t *ptep, chunk;
	bool whole;

	lpae_for_each(table, level, iova, size, ptep, chunk, whole) {
		uint64_t pte = *ptep;

		if (whole) {
			lpae_store(ptep, 0);
			if (arm_lpae_pte_is_table(pte, level))
				iopt_gather_table(gather, lpae_table(pte),
						  level + 1);
		} else {
			/* Edges were split: a partial chunk is a table. */
			lpae_unmap_level(iopt, lpae_table(pte), level + 1,
					 iova, chunk, gather);
		}
	}
}

static void
lpae_unmap(struct iopt *iopt, uint64_t iova, uint64_t size,
	   struct iopt_gather *gather)
{
	lpae_unmap_level(iopt, (uint64_t *)(uintptr_t)iopt->root,
			 iopt->start_level, iova, size, gather);
	iopt_gather_add_range(gather, iova, iova + size - 1);
}

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
		pte = lpae_load(&table[arm_lpae_pte_index(iova, level)]);
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

static void
lpae_free_tree(struct iopt *iopt, void *table, unsigned int level)
{
	uint64_t *ptes = table;
	unsigned int i;

	if (level < LPAE_LAST_LEVEL) {
		for (i = 0; i < ARM_LPAE_PTES_PER_TABLE; i++)
			if (arm_lpae_pte_is_table(ptes[i], level))
				lpae_free_tree(iopt, lpae_table(ptes[i]),
					       level + 1);
	}
	iopt_table_free(table);
	iopt->n_tables--;
}

static const struct iopt_ops lpae_ops = {
	.map = lpae_map,
	.check_unmapped = lpae_check_unmapped,
	.check_mapped = lpae_check_mapped,
	.split_edges = lpae_split_edges,
	.unmap = lpae_unmap,
	.walk = lpae_walk,
	.free_tree = lpae_free_tree,
};

struct iopt *
iopt_arm_lpae_alloc(const struct iopt_cfg *cfg)
{
	struct iopt *iopt;
	void *root;

	if (cfg->ias < 32 || cfg->ias > ARM_LPAE_MAX_IAS ||
	    cfg->oas < 32 || cfg->oas > ARM_LPAE_MAX_OAS) {
		rte_errno = EINVAL;
		return NULL;
	}
	iopt = rte_zmalloc_socket("uiommu_iopt", sizeof(*iopt), 0,
				  cfg->socket_id);
	if (iopt == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	iopt->ops = &lpae_ops;
	iopt->cfg = *cfg;
	/* 4 KiB pages, 2 MiB and 1 GiB blocks. */
	iopt->cfg.pgsize_bitmap &= (1ull << 12) | (1ull << 21) | (1ull << 30);
	if (iopt->cfg.pgsize_bitmap == 0)
		iopt->cfg.pgsize_bitmap = (1ull << 12) | (1ull << 21) |
					  (1ull << 30);
	iopt->cfg.pgsize_bitmap |= 1ull << 12;
	iopt->start_level = arm_lpae_start_level(cfg->ias);
	root = iopt_table_alloc(iopt);
	if (root == NULL) {
		rte_free(iopt);
		rte_errno = ENOMEM;
		return NULL;
	}
	iopt->n_tables = 1;
	iopt->root = (uintptr_t)root;
	return iopt;
}
