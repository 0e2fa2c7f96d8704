/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d I/O page-table formats, 4 KiB pages.
 *
 * Field names follow the Intel VT-d specification (rev. 3.x, 9.7 "First-
 * Level Paging Entries" and 9.8 "Second-Level Paging Entries"; rev. 4 calls
 * them first-/second-stage), so that the emulated VT-d's walker and this
 * file read the same way. Bit ranges are given as Entry[hi:lo].
 *
 * Levels are numbered as in the rest of uiommu (iopt_radix.h): 0 is the
 * PML4E (512 GiB per entry), 1 the PDPE (1 GiB), 2 the PDE (2 MiB), 3 the
 * PTE (4 KiB).
 *
 * Output addresses are host virtual addresses of this process, as in
 * iopt_arm_lpae.h.
 */
#ifndef UIOMMU_IOPT_VTD_H
#define UIOMMU_IOPT_VTD_H

#include <stdbool.h>
#include <stdint.h>

#include "uiommu_bits.h"

#define VTD_LAST_LEVEL		3
#define VTD_MAX_OAS		52	/* ADDR[51:12]: HAW up to 52 */

/* ------------------------------------------------------- second level -- */

#define VTD_SL_MIN_IAS		32
#define VTD_SL_MAX_IAS		48	/* 4 levels (SAGAW bit 2) */

#define VTD_SL_PTE_R		BIT_ULL(0)		/* R: read */
#define VTD_SL_PTE_W		BIT_ULL(1)		/* W: write */
#define VTD_SL_PTE_X		BIT_ULL(2)		/* X: execute */
#define VTD_SL_PTE_EMT		GENMASK_ULL(5, 3)	/* EMT[5:3]: memory type */
#define VTD_SL_PTE_IPAT		BIT_ULL(6)		/* IPAT: ignore PAT */
#define VTD_SL_PTE_PS		BIT_ULL(7)		/* PS: leaf (PDPE, PDE) */
#define VTD_SL_PTE_A		BIT_ULL(8)		/* A: accessed */
#define VTD_SL_PTE_D		BIT_ULL(9)		/* D: dirty (leaf) */
#define VTD_SL_PTE_SNP		BIT_ULL(11)		/* SNP: snoop */
#define VTD_SL_PTE_ADDR		GENMASK_ULL(51, 12)	/* ADDR[51:12] */
#define VTD_SL_PTE_TM		BIT_ULL(62)		/* TM: transient mapping */

/* An entry is present if any of R, W, X is set. */
#define VTD_SL_PTE_PRESENT	(VTD_SL_PTE_R | VTD_SL_PTE_W | VTD_SL_PTE_X)

/* EMT encodings (the x86 memory types) */
#define VTD_EMT_UC		0x0ULL	/* uncacheable */
#define VTD_EMT_WC		0x1ULL	/* write combining */
#define VTD_EMT_WT		0x4ULL	/* write through */
#define VTD_EMT_WP		0x5ULL	/* write protected */
#define VTD_EMT_WB		0x6ULL	/* write back */

/*
 * Adjusted guest address widths a second-level table supports (CAP.SAGAW),
 * and the context / PASID entry AW value that selects one: AW 1 is 39 bits
 * in 3 levels, AW 2 is 48 bits in 4 levels.
 */
#define VTD_SAGAW_39		BIT_ULL(1)
#define VTD_SAGAW_48		BIT_ULL(2)

/* AW of a second-level table whose walk starts at @start_level. */
static inline unsigned int
vtd_sl_aw(unsigned int start_level)
{
	return VTD_LAST_LEVEL + 1 - start_level - 2;
}

static inline bool
vtd_sl_pte_is_table(uint64_t pte, unsigned int level)
{
	return level < VTD_LAST_LEVEL && (pte & VTD_SL_PTE_PRESENT) &&
	       !(pte & VTD_SL_PTE_PS);
}

/* PS at level 0 is reserved: such an entry is neither table nor leaf. */
static inline bool
vtd_sl_pte_is_leaf(uint64_t pte, unsigned int level)
{
	return (pte & VTD_SL_PTE_PRESENT) &&
	       (level == VTD_LAST_LEVEL ||
		(level > 0 && (pte & VTD_SL_PTE_PS)));
}

/* -------------------------------------------------------- first level -- */

#define VTD_FL_MIN_IAS		32
/* 4-level paging translates 48 canonical bits; a device's IOVAs live in
 * the lower half only (Linux limits first-level apertures the same way). */
#define VTD_FL_MAX_IAS		47

#define VTD_FL_PTE_P		BIT_ULL(0)		/* P: present */
#define VTD_FL_PTE_RW		BIT_ULL(1)		/* R/W: writable */
#define VTD_FL_PTE_US		BIT_ULL(2)		/* U/S: user */
#define VTD_FL_PTE_PWT		BIT_ULL(3)		/* PWT: write through */
#define VTD_FL_PTE_PCD		BIT_ULL(4)		/* PCD: cache disable */
#define VTD_FL_PTE_A		BIT_ULL(5)		/* A: accessed */
#define VTD_FL_PTE_D		BIT_ULL(6)		/* D: dirty (leaf) */
#define VTD_FL_PTE_PS		BIT_ULL(7)		/* PS: leaf (PDPE, PDE) */
#define VTD_FL_PTE_G		BIT_ULL(8)		/* G: global (leaf) */
#define VTD_FL_PTE_ADDR		GENMASK_ULL(51, 12)	/* ADDR[51:12] */
#define VTD_FL_PTE_XD		BIT_ULL(63)		/* XD: execute disable */

static inline bool
vtd_fl_pte_is_table(uint64_t pte, unsigned int level)
{
	return level < VTD_LAST_LEVEL && (pte & VTD_FL_PTE_P) &&
	       !(pte & VTD_FL_PTE_PS);
}

/* PS is reserved in a PML4E (level 0); at level 3 bit 7 is PAT. */
static inline bool
vtd_fl_pte_is_leaf(uint64_t pte, unsigned int level)
{
	return (pte & VTD_FL_PTE_P) &&
	       (level == VTD_LAST_LEVEL ||
		(level > 0 && (pte & VTD_FL_PTE_PS)));
}

#endif /* UIOMMU_IOPT_VTD_H */
