/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm VMSAv8-64 long-descriptor translation table format, 4 KiB granule.
 *
 * Field names follow the Arm ARM (DDI 0487, D8 "The AArch64 Virtual Memory
 * System Architecture") so that the emulated SMMU's walker and this file
 * read the same way. Bit ranges are given as Desc[hi:lo].
 *
 * Output addresses in these tables are host virtual addresses of this
 * process: uiommu's "physical" bus is the process address space, so a
 * descriptor's OA field holds a host VA (user VAs fit in 48 bits).
 */
#ifndef UIOMMU_IOPT_ARM_LPAE_H
#define UIOMMU_IOPT_ARM_LPAE_H

#include <stdint.h>

#include "uiommu_bits.h"

#define ARM_LPAE_GRANULE_SHIFT	12
#define ARM_LPAE_GRANULE	(1ULL << ARM_LPAE_GRANULE_SHIFT)
#define ARM_LPAE_BITS_PER_LEVEL	9
#define ARM_LPAE_PTES_PER_TABLE	(1U << ARM_LPAE_BITS_PER_LEVEL)
#define ARM_LPAE_MAX_LEVELS	4
#define ARM_LPAE_MAX_IAS	48
#define ARM_LPAE_MAX_OAS	48

/* Desc[1:0]: descriptor type */
#define ARM_LPAE_PTE_VALID	BIT_ULL(0)		/* Desc[0] */
#define ARM_LPAE_PTE_TYPE	GENMASK_ULL(1, 0)	/* Desc[1:0] */
#define ARM_LPAE_PTE_TYPE_BLOCK	0x1ULL	/* levels 1, 2 */
#define ARM_LPAE_PTE_TYPE_TABLE	0x3ULL	/* levels 0..2 */
#define ARM_LPAE_PTE_TYPE_PAGE	0x3ULL	/* level 3 */

/* Next-level table address / output address */
#define ARM_LPAE_PTE_ADDR	GENMASK_ULL(47, 12)	/* Desc[47:12] */

/* Stage 1 lower attributes (block and page descriptors) */
#define ARM_LPAE_PTE_ATTRINDX	GENMASK_ULL(4, 2)	/* AttrIndx[2:0] */
#define ARM_LPAE_PTE_NS		BIT_ULL(5)		/* NS */
#define ARM_LPAE_PTE_AP		GENMASK_ULL(7, 6)	/* AP[2:1] */
#define ARM_LPAE_PTE_AP_UNPRIV	BIT_ULL(6)		/* AP[1]: EL0 access */
#define ARM_LPAE_PTE_AP_RDONLY	BIT_ULL(7)		/* AP[2]: read-only */
#define ARM_LPAE_PTE_SH		GENMASK_ULL(9, 8)	/* SH[1:0] */
#define ARM_LPAE_PTE_SH_NS	0x0ULL
#define ARM_LPAE_PTE_SH_OS	0x2ULL
#define ARM_LPAE_PTE_SH_IS	0x3ULL
#define ARM_LPAE_PTE_AF		BIT_ULL(10)		/* AF */
#define ARM_LPAE_PTE_NG		BIT_ULL(11)		/* nG */

/* Stage 2 lower attributes */
#define ARM_LPAE_PTE_MEMATTR	GENMASK_ULL(5, 2)	/* MemAttr[3:0] */
#define ARM_LPAE_PTE_S2AP	GENMASK_ULL(7, 6)	/* S2AP[1:0] */
#define ARM_LPAE_PTE_S2AP_READ	BIT_ULL(6)		/* S2AP[0] */
#define ARM_LPAE_PTE_S2AP_WRITE	BIT_ULL(7)		/* S2AP[1] */

/* Upper attributes */
#define ARM_LPAE_PTE_CONTIG	BIT_ULL(52)		/* Contiguous */
#define ARM_LPAE_PTE_PXN	BIT_ULL(53)		/* PXN (stage 1) */
#define ARM_LPAE_PTE_XN		BIT_ULL(54)		/* UXN/XN; stage 2 XN[1] */

/* Table descriptor hierarchical attributes */
#define ARM_LPAE_PTE_PXNTABLE	BIT_ULL(59)
#define ARM_LPAE_PTE_XNTABLE	BIT_ULL(60)
#define ARM_LPAE_PTE_APTABLE	GENMASK_ULL(62, 61)
#define ARM_LPAE_PTE_NSTABLE	BIT_ULL(63)

/*
 * MAIR_ELx attribute indices used by uiommu's stage-1 tables, and the
 * MAIR value a context descriptor must carry for them to mean what they say.
 */
#define ARM_LPAE_MAIR_ATTR_IDX_NC	0	/* Normal, non-cacheable */
#define ARM_LPAE_MAIR_ATTR_IDX_CACHE	1	/* Normal, WB RW-allocate */
#define ARM_LPAE_MAIR_ATTR_IDX_DEV	2	/* Device-nGnRE */
#define ARM_LPAE_MAIR_ATTR_NC		0x44ULL
#define ARM_LPAE_MAIR_ATTR_WBRWA	0xffULL
#define ARM_LPAE_MAIR_ATTR_DEVICE	0x04ULL
#define ARM_LPAE_MAIR_VALUE \
	(ARM_LPAE_MAIR_ATTR_NC << (8 * ARM_LPAE_MAIR_ATTR_IDX_NC) | \
	 ARM_LPAE_MAIR_ATTR_WBRWA << (8 * ARM_LPAE_MAIR_ATTR_IDX_CACHE) | \
	 ARM_LPAE_MAIR_ATTR_DEVICE << (8 * ARM_LPAE_MAIR_ATTR_IDX_DEV))

/* Stage 2 MemAttr[3:0] encodings */
#define ARM_LPAE_MEMATTR_DEV		0x1ULL	/* Device-nGnRE */
#define ARM_LPAE_MEMATTR_NC		0x5ULL	/* Normal, outer/inner NC */
#define ARM_LPAE_MEMATTR_OIWB		0xfULL	/* Normal, outer/inner WB */

/* Level arithmetic for the 4 KiB granule: level 3 maps 4 KiB pages. */
static inline unsigned int
arm_lpae_level_shift(unsigned int level)
{
	return ARM_LPAE_GRANULE_SHIFT +
	       (ARM_LPAE_MAX_LEVELS - 1 - level) * ARM_LPAE_BITS_PER_LEVEL;
}

static inline unsigned int
arm_lpae_pte_index(uint64_t iova, unsigned int level)
{
	return (iova >> arm_lpae_level_shift(level)) &
	       (ARM_LPAE_PTES_PER_TABLE - 1);
}

/* First level walked for an input size of @ias bits (T0SZ = 64 - ias). */
static inline unsigned int
arm_lpae_start_level(unsigned int ias)
{
	unsigned int levels = (ias - ARM_LPAE_GRANULE_SHIFT +
			       ARM_LPAE_BITS_PER_LEVEL - 1) /
			      ARM_LPAE_BITS_PER_LEVEL;

	return ARM_LPAE_MAX_LEVELS - levels;
}

static inline int
arm_lpae_pte_is_table(uint64_t pte, unsigned int level)
{
	return level < ARM_LPAE_MAX_LEVELS - 1 &&
	       (pte & ARM_LPAE_PTE_TYPE) == ARM_LPAE_PTE_TYPE_TABLE;
}

static inline int
arm_lpae_pte_is_leaf(uint64_t pte, unsigned int level)
{
	if (level == ARM_LPAE_MAX_LEVELS - 1)
		return (pte & ARM_LPAE_PTE_TYPE) == ARM_LPAE_PTE_TYPE_PAGE;
	/* Level 0 blocks need FEAT_LPA2 with 4 KiB granule: not valid here. */
	return level > 0 &&
	       (pte & ARM_LPAE_PTE_TYPE) == ARM_LPAE_PTE_TYPE_BLOCK;
}

#endif /* UIOMMU_IOPT_ARM_LPAE_H */
