/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Format-neutral page-table helpers: format selection, table pages and the
 * gather that carries unlinked tables to their grace period.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "iopt_arm_lpae.h"
#include "iopt_private.h"
#include "iopt_vtd.h"

#define IOPT_TABLE_SIZE		4096u
#define IOPT_GATHER_MAX		4096u

struct iopt *
iopt_alloc(const struct iopt_cfg *cfg)
{
	switch (cfg->fmt) {
	case UIOMMU_IOPT_ARM_LPAE_S1:
	case UIOMMU_IOPT_ARM_LPAE_S2:
		return iopt_arm_lpae_alloc(cfg);
	case UIOMMU_IOPT_VTD_FL:
	case UIOMMU_IOPT_VTD_SL:
		return iopt_vtd_alloc(cfg);
	default:
		rte_errno = EINVAL;
		return NULL;
	}
}

unsigned int
iopt_fmt_max_ias(enum uiommu_iopt_fmt fmt)
{
	switch (fmt) {
	case UIOMMU_IOPT_ARM_LPAE_S1:
	case UIOMMU_IOPT_ARM_LPAE_S2:
		return ARM_LPAE_MAX_IAS;
	case UIOMMU_IOPT_VTD_FL:
		return VTD_FL_MAX_IAS;
	case UIOMMU_IOPT_VTD_SL:
		return VTD_SL_MAX_IAS;
	default:
		return 0;
	}
}

void
iopt_free(struct iopt *iopt)
{
	if (iopt == NULL)
		return;
	iopt->ops->free_tree(iopt, (void *)(uintptr_t)iopt->root,
			     iopt->start_level);
	rte_free(iopt);
}

void *
iopt_table_alloc(const struct iopt *iopt)
{
	return rte_zmalloc_socket("uiommu_iopt", IOPT_TABLE_SIZE,
				  IOPT_TABLE_SIZE, iopt->cfg.socket_id);
}

void
iopt_table_free(void *table)
{
	rte_free(table);
}

void
iopt_gather_init(struct iopt_gather *gather)
{
	memset(gather, 0, sizeof(*gather));
	gather->first = UINT64_MAX;
	gather->tables = gather->inline_tables;
	gather->cap_tables = IOPT_GATHER_INLINE;
}

int
iopt_gather_reserve(struct iopt_gather *gather, uint64_t size)
{
	return iopt_gather_reserve_n(gather, (size >> 21) + 2);
}

int
iopt_gather_reserve_range(struct iopt_gather *gather, uint64_t iova,
			  uint64_t size)
{
	/* The tables an unmap unlinks are whole, disjoint, and each is the
	 * biggest one the range covers there: with iova and size multiples
	 * of a table's span (2 MiB, 1 GiB, 512 GiB), at most one per span. */
	uint64_t align = (iova | size) & -(iova | size);
	uint64_t span = align >= (1ull << 39) ? 1ull << 39 :
			align >= (1ull << 30) ? 1ull << 30 : 1ull << 21;

	return iopt_gather_reserve_n(gather, size / span + 2);
}

int
iopt_gather_reserve_n(struct iopt_gather *gather, uint64_t n)
{
	uint64_t want = RTE_MIN(n, (uint64_t)IOPT_GATHER_MAX);
	uintptr_t *tables;

	want += gather->n_tables;
	if (want <= gather->cap_tables)
		return 0;
	if (gather->tables == gather->inline_tables) {
		tables = rte_malloc("uiommu_gather", want * sizeof(*tables), 0);
		if (tables != NULL)
			memcpy(tables, gather->inline_tables,
			       gather->n_tables * sizeof(*tables));
	} else {
		tables = rte_realloc(gather->tables, want * sizeof(*tables), 0);
	}
	if (tables == NULL)
		return -ENOMEM;
	gather->tables = tables;
	gather->cap_tables = want;
	return 0;
}

void
iopt_gather_table(struct iopt_gather *gather, void *table, unsigned int level)
{
	/* Room was reserved by iopt_gather_reserve(); see its bound. */
	RTE_VERIFY(gather->n_tables < gather->cap_tables);
	gather->tables[gather->n_tables++] = (uintptr_t)table | level;
}

void
iopt_gather_add_range(struct iopt_gather *gather, uint64_t first,
		      uint64_t last)
{
	gather->first = RTE_MIN(gather->first, first);
	gather->last = RTE_MAX(gather->last, last);
}

void
iopt_gather_release(struct iopt *iopt, struct iopt_gather *gather)
{
	unsigned int i;

	for (i = 0; i < gather->n_tables; i++) {
		uintptr_t t = gather->tables[i];

		iopt->ops->free_tree(iopt,
				     (void *)(t & ~(uintptr_t)(IOPT_TABLE_SIZE - 1)),
				     t & (IOPT_TABLE_SIZE - 1));
	}
	gather->n_tables = 0;
}

void
iopt_gather_fini(struct iopt_gather *gather)
{
	if (gather->tables != gather->inline_tables)
		rte_free(gather->tables);
	gather->tables = gather->inline_tables;
	gather->cap_tables = IOPT_GATHER_INLINE;
}
