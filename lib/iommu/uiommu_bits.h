/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bit-field helpers for architectural encodings (page-table entries,
 * stream-table entries, commands). Every hardware field is a mask built with
 * GENMASK_ULL(); values go in and out through FIELD_PREP()/FIELD_GET() so no
 * encoder open-codes a shift.
 */
#ifndef UIOMMU_BITS_H
#define UIOMMU_BITS_H

#include <stdint.h>

#ifndef BIT_ULL
#define BIT_ULL(nr)		(1ULL << (nr))
#endif
#ifndef GENMASK_ULL
#define GENMASK_ULL(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))
#endif

/* Position of the lowest set bit of a constant, non-zero mask. */
#define UIOMMU_MASK_SHIFT(mask)	((unsigned int)__builtin_ctzll(mask))

#ifndef FIELD_PREP
#define FIELD_PREP(mask, val) \
	(((uint64_t)(val) << UIOMMU_MASK_SHIFT(mask)) & (uint64_t)(mask))
#endif
#ifndef FIELD_GET
#define FIELD_GET(mask, reg) \
	(((uint64_t)(reg) & (uint64_t)(mask)) >> UIOMMU_MASK_SHIFT(mask))
#endif

#endif /* UIOMMU_BITS_H */
