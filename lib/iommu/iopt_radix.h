/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The radix-tree engine shared by every I/O page-table format.
 *
 * Arm LPAE (4 KiB granule) and both VT-d formats have the same shape: 4 KiB
 * tables of 512 eight-byte entries, 9 IOVA bits per level, leaves of 4 KiB
 * at the last level and 2 MiB / 1 GiB one and two levels up. Levels are
 * numbered as in the Arm ARM for every format, so that a walk result's
 * level means the same thing everywhere:
 *
 *   level 0: 512 GiB per entry (top of a 4-level table, tables only)
 *   level 1: 1 GiB    level 2: 2 MiB    level 3: 4 KiB (leaves only)
 *
 * What differs is the entry encoding, which a format describes with a
 * struct iopt_radix_fmt. The engine (iopt_radix.c) does map, the two checks,
 * split, unmap and free through it; those are control plane, and the
 * indirect calls cost nothing that matters there. The walk, on the IOTLB
 * miss path, stays in each format's file as a loop over inline helpers.
 *
 * Writer: one at a time (domain lock), plain loads of its own table, release
 * stores (iopt_pte_store). Walkers: acquire loads (iopt_pte_load).
 */
#ifndef UIOMMU_IOPT_RADIX_H
#define UIOMMU_IOPT_RADIX_H

#include <stdbool.h>
#include <stdint.h>

#include "iopt_private.h"

#define IOPT_RADIX_GRANULE_SHIFT	12
#define IOPT_RADIX_BITS_PER_LEVEL	9
#define IOPT_RADIX_PTES_PER_TABLE	(1U << IOPT_RADIX_BITS_PER_LEVEL)
#define IOPT_RADIX_MAX_LEVELS		4
#define IOPT_RADIX_LAST_LEVEL		(IOPT_RADIX_MAX_LEVELS - 1)

/* Bits of IOVA below an entry of @level: 39, 30, 21, 12. */
static inline unsigned int
iopt_radix_level_shift(unsigned int level)
{
	return IOPT_RADIX_GRANULE_SHIFT +
	       (IOPT_RADIX_LAST_LEVEL - level) * IOPT_RADIX_BITS_PER_LEVEL;
}

static inline unsigned int
iopt_radix_index(uint64_t iova, unsigned int level)
{
	return (iova >> iopt_radix_level_shift(level)) &
	       (IOPT_RADIX_PTES_PER_TABLE - 1);
}

/* The level a table resolving @ias input bits starts at. */
static inline unsigned int
iopt_radix_start_level(unsigned int ias)
{
	unsigned int levels = (ias - IOPT_RADIX_GRANULE_SHIFT +
			       IOPT_RADIX_BITS_PER_LEVEL - 1) /
			      IOPT_RADIX_BITS_PER_LEVEL;

	return IOPT_RADIX_MAX_LEVELS - levels;
}

static inline uint64_t
iopt_pte_load(const uint64_t *ptep)
{
	/* Pairs with iopt_pte_store(): a linked table's zeroed contents and
	 * a leaf's fields are visible once the entry is. */
	return __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
}

static inline void
iopt_pte_store(uint64_t *ptep, uint64_t pte)
{
	__atomic_store_n(ptep, pte, __ATOMIC_RELEASE);
}

/*
 * How one format encodes entries. An entry is either not present (the
 * engine writes 0), a table (links the next level) or a leaf.
 */
struct iopt_radix_fmt {
	/* Next-level table address / output address field. */
	uint64_t addr_mask;
	/* Bits of a leaf that depend on its level (LPAE's type, VT-d's PS):
	 * neither address nor attributes. */
	uint64_t leaf_level_mask;
	/* Highest level that may hold a leaf (1: 1 GiB). */
	unsigned int min_leaf_level;
	bool (*is_table)(uint64_t pte, unsigned int level);
	bool (*is_leaf)(uint64_t pte, unsigned int level);
	/* A table entry linking @table. */
	uint64_t (*make_table)(const uint64_t *table);
	/* A leaf at @level: @oa (aligned to the leaf) | @attrs | level bits. */
	uint64_t (*make_leaf)(uint64_t oa, unsigned int level, uint64_t attrs);
	/* Leaf attributes for @prot, as make_leaf takes them. */
	uint64_t (*prot_to_attrs)(const struct iopt *iopt, uint32_t prot);
};

/*
 * Allocate a table of @cfg with an empty root at @start_level, driven by
 * @ops (whose ->radix describes the entries). Sizes are the caller's to
 * check. NULL with rte_errno ENOMEM.
 */
struct iopt *iopt_radix_alloc(const struct iopt_cfg *cfg,
			      const struct iopt_ops *ops,
			      unsigned int start_level);

/* struct iopt_ops members, for formats built on this engine. */
int iopt_radix_map(struct iopt *iopt, uint64_t iova, uint64_t oa,
		   uint64_t size, uint32_t prot, struct iopt_gather *gather);
int iopt_radix_reserve(struct iopt *iopt, uint64_t iova, uint64_t size,
		       uint64_t pgsize);
int iopt_radix_check_unmapped(const struct iopt *iopt, uint64_t iova,
			      uint64_t size);
int iopt_radix_check_mapped(const struct iopt *iopt, uint64_t iova,
			    uint64_t size);
int iopt_radix_split_edges(struct iopt *iopt, uint64_t iova, uint64_t size);
void iopt_radix_unmap(struct iopt *iopt, uint64_t iova, uint64_t size,
		      struct iopt_gather *gather);
void iopt_radix_free_tree(struct iopt *iopt, void *table, unsigned int level);

#endif /* UIOMMU_IOPT_RADIX_H */
