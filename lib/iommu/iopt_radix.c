/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The radix-tree engine (iopt_radix.h): map, checks, split, unmap and free,
 * for every format, through the format's struct iopt_radix_fmt.
 *
 * Every operation is one recursive descent over the entries a range
 * overlaps (radix_for_each below computes the chunk of the range that falls
 * in each entry); map, the two checks, unmap and the free differ only in what
 * they do with an entry.
 */
#include <errno.h>
#include <stdbool.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "iopt_radix.h"

static inline const struct iopt_radix_fmt *
radix_fmt(const struct iopt *iopt)
{
	return iopt->ops->radix;
}

static inline uint64_t *
radix_table(const struct iopt_radix_fmt *fmt, uint64_t pte)
{
	return (uint64_t *)(uintptr_t)(pte & fmt->addr_mask);
}

static inline uint64_t *
radix_root(const struct iopt *iopt)
{
	return (uint64_t *)(uintptr_t)iopt->root;
}

/*
 * Visit the entries of @table (at @level) that [iova, iova + size)
 * overlaps. For each: ptep, the chunk [iova, iova + chunk) inside it and
 * whether the chunk covers the whole entry.
 */
#define radix_for_each(table, level, iova, size, ptep, chunk, whole)	\
	for (uint64_t _blk = 1ull << iopt_radix_level_shift(level),	\
		      _end = (iova) + (size), _cur = (iova);		\
	     _cur < _end &&						\
	     ((ptep) = &(table)[iopt_radix_index(_cur, level)],		\
	      (chunk) = RTE_MIN(_end, (_cur | (_blk - 1)) + 1) - _cur,	\
	      (whole) = (chunk) == _blk, (iova) = _cur, 1);		\
	     _cur += (chunk))

/*
 * Map [iova, iova + size) at @level, with leaves no larger than @max_blk.
 * With @leaves false, only link the tables the leaves will need: map runs
 * that pass first so that the pass which installs leaves cannot fail on
 * memory half way through, and reserve runs it alone.
 */
static int
radix_map_level(struct iopt *iopt, uint64_t *table, unsigned int level,
		uint64_t iova, uint64_t oa, uint64_t size, uint64_t attrs,
		uint64_t max_blk, bool leaves, struct iopt_gather *gather)
{
	const struct iopt_radix_fmt *fmt = radix_fmt(iopt);
	uint64_t *ptep, chunk, start = iova;
	bool whole;
	int rc;

	radix_for_each(table, level, iova, size, ptep, chunk, whole) {
		uint64_t blk = 1ull << iopt_radix_level_shift(level);
		uint64_t out = oa + (iova - start);
		uint64_t pte = *ptep;

		if (whole && level >= fmt->min_leaf_level &&
		    (out & (blk - 1)) == 0 && blk <= max_blk &&
		    (iopt->cfg.pgsize_bitmap & blk)) {
			if (!leaves)
				continue;
			/* An empty table left by earlier unmaps gives way to
			 * the leaf; walkers may still be inside it. */
			if (fmt->is_table(pte, level))
				iopt_gather_table(gather,
						  radix_table(fmt, pte),
						  level + 1);
			iopt_pte_store(ptep, fmt->make_leaf(out, level, attrs));
			continue;
		}
		if (pte == 0) {
			uint64_t *next = iopt_table_alloc(iopt);

			if (next == NULL)
				return -ENOMEM;
			iopt->n_tables++;
			/* Release: the zeroed table before the link. */
			pte = fmt->make_table(next);
			iopt_pte_store(ptep, pte);
		}
		rc = radix_map_level(iopt, radix_table(fmt, pte), level + 1,
				     iova, out, chunk, attrs, max_blk, leaves,
				     gather);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
iopt_radix_map(struct iopt *iopt, uint64_t iova, uint64_t oa, uint64_t size,
	       uint32_t prot, struct iopt_gather *gather)
{
	uint64_t attrs = radix_fmt(iopt)->prot_to_attrs(iopt, prot);
	/* A map unlinks a table only to put a leaf of 2 MiB or more in its
	 * place, and with iova, oa and size all multiples of a page size,
	 * its leaves are no smaller than that page size: at most
	 * size / max(that, 2 MiB) tables, which keeps the gather of a map
	 * of one page (a memory event) inline. */
	uint64_t align = (iova | oa | size) & -(iova | oa | size);
	uint64_t sizes = iopt->cfg.pgsize_bitmap & ((align << 1) - 1);
	uint64_t blk = RTE_MAX(sizes != 0 ? 1ull << (63 - __builtin_clzll(sizes)) :
			       0, 1ull << 21);
	int rc = iopt_gather_reserve_n(gather, size / blk + 2);

	if (rc == 0)
		rc = radix_map_level(iopt, radix_root(iopt), iopt->start_level,
				     iova, oa, size, attrs, UINT64_MAX, false,
				     gather);
	if (rc != 0)
		return rc;
	return radix_map_level(iopt, radix_root(iopt), iopt->start_level, iova,
			       oa, size, attrs, UINT64_MAX, true, gather);
}

int
iopt_radix_reserve(struct iopt *iopt, uint64_t iova, uint64_t size,
		   uint64_t pgsize)
{
	/* No leaf is installed: the gather stays empty, attrs unused. The
	 * output address only decides alignment; maps of @pgsize pages
	 * have output addresses aligned as their IOVAs. */
	struct iopt_gather unused;

	iopt_gather_init(&unused);
	return radix_map_level(iopt, radix_root(iopt), iopt->start_level,
			       iova, iova, size, 0, pgsize, false, &unused);
}

/* Does [iova, iova + size) hold any leaf (want_mapped false) or any hole
 * (want_mapped true)? Returns the errno the caller reports, or 0. */
static int
radix_check_level(const struct iopt_radix_fmt *fmt, const uint64_t *table,
		  unsigned int level, uint64_t iova, uint64_t size,
		  bool want_mapped)
{
	const uint64_t *ptep;
	uint64_t chunk;
	bool whole;
	int rc;

	radix_for_each(table, level, iova, size, ptep, chunk, whole) {
		uint64_t pte = *ptep;

		RTE_SET_USED(whole);
		if (fmt->is_table(pte, level)) {
			rc = radix_check_level(fmt, radix_table(fmt, pte),
					       level + 1, iova, chunk,
					       want_mapped);
			if (rc != 0)
				return rc;
		} else if (fmt->is_leaf(pte, level)) {
			if (!want_mapped)
				return -EEXIST;
		} else if (want_mapped) {
			return -ENOENT;
		}
	}
	return 0;
}

int
iopt_radix_check_unmapped(const struct iopt *iopt, uint64_t iova,
			  uint64_t size)
{
	return radix_check_level(radix_fmt(iopt), radix_root(iopt),
				 iopt->start_level, iova, size, false);
}

int
iopt_radix_check_mapped(const struct iopt *iopt, uint64_t iova, uint64_t size)
{
	return radix_check_level(radix_fmt(iopt), radix_root(iopt),
				 iopt->start_level, iova, size, true);
}

/*
 * Make @addr fall on a leaf boundary: replace every leaf that straddles it
 * with a table of the equivalent next-level entries, installed with one
 * store so no walker ever misses the translation.
 */
static int
radix_split_at(struct iopt *iopt, uint64_t addr)
{
	const struct iopt_radix_fmt *fmt = radix_fmt(iopt);
	uint64_t *table = radix_root(iopt);
	unsigned int level;

	for (level = iopt->start_level; level < IOPT_RADIX_LAST_LEVEL;
	     level++) {
		uint64_t blk = 1ull << iopt_radix_level_shift(level);
		uint64_t *ptep = &table[iopt_radix_index(addr, level)];
		uint64_t pte = *ptep;

		if ((addr & (blk - 1)) == 0)
			return 0;
		if (fmt->is_leaf(pte, level)) {
			uint64_t sub = blk >> IOPT_RADIX_BITS_PER_LEVEL;
			uint64_t attrs = pte & ~(fmt->addr_mask |
						 fmt->leaf_level_mask);
			uint64_t oa = pte & fmt->addr_mask & ~(blk - 1);
			uint64_t *next = iopt_table_alloc(iopt);
			unsigned int i;

			if (next == NULL)
				return -ENOMEM;
			iopt->n_tables++;
			for (i = 0; i < IOPT_RADIX_PTES_PER_TABLE; i++)
				next[i] = fmt->make_leaf(oa + i * sub,
							 level + 1, attrs);
			/* Release: the filled table before the link. */
			pte = fmt->make_table(next);
			iopt_pte_store(ptep, pte);
		}
		if (!fmt->is_table(pte, level))
			return 0;
		table = radix_table(fmt, pte);
	}
	return 0;
}

int
iopt_radix_split_edges(struct iopt *iopt, uint64_t iova, uint64_t size)
{
	int rc = radix_split_at(iopt, iova);

	if (rc == 0 && ((iova + size) >> iopt->cfg.ias) == 0)
		rc = radix_split_at(iopt, iova + size);
	return rc;
}

static void
radix_unmap_level(struct iopt *iopt, uint64_t *table, unsigned int level,
		  uint64_t iova, uint64_t size, struct iopt_gather *gather)
{
	const struct iopt_radix_fmt *fmt = radix_fmt(iopt);
	uint64_t *ptep, chunk;
	bool whole;

	radix_for_each(table, level, iova, size, ptep, chunk, whole) {
		uint64_t pte = *ptep;

		if (whole) {
			iopt_pte_store(ptep, 0);
			if (fmt->is_table(pte, level))
				iopt_gather_table(gather,
						  radix_table(fmt, pte),
						  level + 1);
		} else {
			/* Edges were split: a partial chunk is a table. */
			radix_unmap_level(iopt, radix_table(fmt, pte),
					  level + 1, iova, chunk, gather);
		}
	}
}

void
iopt_radix_unmap(struct iopt *iopt, uint64_t iova, uint64_t size,
		 struct iopt_gather *gather)
{
	radix_unmap_level(iopt, radix_root(iopt), iopt->start_level, iova,
			  size, gather);
	iopt_gather_add_range(gather, iova, iova + size - 1);
}

void
iopt_radix_free_tree(struct iopt *iopt, void *table, unsigned int level)
{
	const struct iopt_radix_fmt *fmt = radix_fmt(iopt);
	uint64_t *ptes = table;
	unsigned int i;

	if (level < IOPT_RADIX_LAST_LEVEL) {
		for (i = 0; i < IOPT_RADIX_PTES_PER_TABLE; i++)
			if (fmt->is_table(ptes[i], level))
				iopt_radix_free_tree(iopt,
						     radix_table(fmt, ptes[i]),
						     level + 1);
	}
	iopt_table_free(table);
	iopt->n_tables--;
}

#define RADIX_PGSIZES	((1ull << 12) | (1ull << 21) | (1ull << 30))

struct iopt *
iopt_radix_alloc(const struct iopt_cfg *cfg, const struct iopt_ops *ops,
		 unsigned int start_level)
{
	struct iopt *iopt;
	void *root;

	iopt = rte_zmalloc_socket("uiommu_iopt", sizeof(*iopt), 0,
				  cfg->socket_id);
	if (iopt == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	iopt->ops = ops;
	iopt->cfg = *cfg;
	/* 4 KiB pages, 2 MiB and 1 GiB leaves; 4 KiB always. */
	iopt->cfg.pgsize_bitmap &= RADIX_PGSIZES;
	if (iopt->cfg.pgsize_bitmap == 0)
		iopt->cfg.pgsize_bitmap = RADIX_PGSIZES;
	iopt->cfg.pgsize_bitmap |= 1ull << 12;
	iopt->start_level = start_level;
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
