/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O page tables (iopt): the format-neutral interface.
 *
 * One struct iopt is the page table of one PAGING (or NESTED) domain. A
 * format (Arm LPAE stage 1 / stage 2, VT-d first / second level) implements
 * struct iopt_ops, the four of them over the shared radix-tree engine of
 * iopt_radix.h; the domain code picks the format from the hw's caps.
 *
 * Concurrency:
 * - One writer at a time (the domain's lock): map, unmap.
 * - Any number of lockless readers (walk) on lcores online in the ctx's
 *   QSBR variable. Every descriptor is stored with release semantics and
 *   loaded with acquire semantics; a new table is zeroed (or filled) before
 *   the release store that links it, so a walker that sees the link sees
 *   the table's contents.
 * - A table page that an unmap (or a map replacing an empty table) unlinks
 *   is not freed by the format: it goes into the gather, and the domain code
 *   frees it after a grace period, when no walker can still hold it.
 * - Changing a descriptor never makes a translation that stays mapped
 *   disappear, even transiently: splitting a block installs a full table of
 *   equivalent entries with one store.
 */
#ifndef UIOMMU_IOPT_PRIVATE_H
#define UIOMMU_IOPT_PRIVATE_H

#include <stdint.h>

#include "uiommu.h"
#include "uiommu_driver.h"

struct iopt;
struct iopt_radix_fmt;

/* Tables a gather holds without allocating: a map or unmap of a few
 * pages, as in a memory event callback, must not reach the DPDK heap. */
#define IOPT_GATHER_INLINE	8

/* What an unmap removed, for the invalidation and frees that follow it.
 * Must not move after iopt_gather_init() (tables may point into it). */
struct iopt_gather {
	uint64_t first;		/* lowest IOVA removed */
	uint64_t last;		/* highest IOVA removed (inclusive) */
	uintptr_t *tables;	/* unlinked table | level, freed after sync */
	unsigned int n_tables;
	unsigned int cap_tables;
	uintptr_t inline_tables[IOPT_GATHER_INLINE];
};

struct iopt_cfg {
	enum uiommu_iopt_fmt fmt;
	unsigned int ias;	/* input bits */
	unsigned int oas;	/* output bits */
	uint64_t pgsize_bitmap;	/* sizes map may use */
	int socket_id;		/* for table pages */
};

struct iopt_ops {
	/* Map a range known to be aligned, in bounds and unmapped. On
	 * -ENOMEM no translation was added (empty tables may remain). */
	int (*map)(struct iopt *iopt, uint64_t iova, uint64_t oa,
		   uint64_t size, uint32_t prot, struct iopt_gather *gather);
	/* Link every table that maps of @pgsize pages (aligned, in a page
	 * size the format uses) in [iova, iova + size) will need, so that
	 * they allocate nothing. -ENOMEM leaves what was linked. */
	int (*reserve)(struct iopt *iopt, uint64_t iova, uint64_t size,
		       uint64_t pgsize);
	/* 0 if the range holds no leaf, -EEXIST otherwise. */
	int (*check_unmapped)(const struct iopt *iopt, uint64_t iova,
			      uint64_t size);
	/* 0 if every page of the range is mapped, -ENOENT otherwise. */
	int (*check_mapped)(const struct iopt *iopt, uint64_t iova,
			    uint64_t size);
	/* Split blocks that straddle iova or iova + size (no translation
	 * changes). -ENOMEM possible. */
	int (*split_edges)(struct iopt *iopt, uint64_t iova, uint64_t size);
	/* Remove a fully mapped range whose edges are leaf-aligned. */
	void (*unmap)(struct iopt *iopt, uint64_t iova, uint64_t size,
		      struct iopt_gather *gather);
	/* Lockless walk; fills res (out = page base, pgshift, prot, or a
	 * fault reason and level). Does not check the access. */
	void (*walk)(const struct iopt *iopt, uint64_t iova,
		     struct uiommu_walk_result *res);
	/* Free a table at @level and every table below it. No walker may
	 * still hold any of them. */
	void (*free_tree)(struct iopt *iopt, void *table, unsigned int level);
	/* The entry encoding, for formats built on iopt_radix.c. */
	const struct iopt_radix_fmt *radix;
	/* The format cannot express write-only: WRITE needs READ (Arm
	 * stage 1's AP, x86 paging's R/W). map must not be asked for it. */
	bool no_write_only;
};

struct iopt {
	const struct iopt_ops *ops;
	struct iopt_cfg cfg;
	uint64_t root;		/* host VA of the top-level table */
	unsigned int start_level;
	uint64_t n_tables;	/* table pages in use (writer only) */
};

/*
 * Create a table of format cfg->fmt. NULL with rte_errno EINVAL (unknown
 * format, ias or oas out of the format's range) or ENOMEM.
 */
struct iopt *iopt_alloc(const struct iopt_cfg *cfg);
void iopt_free(struct iopt *iopt);
/* Widest input size format @fmt can translate; 0 for an unknown format. */
unsigned int iopt_fmt_max_ias(enum uiommu_iopt_fmt fmt);

/* Formats */
struct iopt *iopt_arm_lpae_alloc(const struct iopt_cfg *cfg);
struct iopt *iopt_vtd_alloc(const struct iopt_cfg *cfg);

/* Table pages: zeroed, 4 KiB aligned, on cfg->socket_id. */
void *iopt_table_alloc(const struct iopt *iopt);
void iopt_table_free(void *table);
/*
 * Make room for the tables an operation on [iova, iova + size) may unlink, so
 * that the operation itself cannot fail half way. Each unlinked table covers
 * at least 2 MiB and they are disjoint, and per level only the children of
 * the two edge entries can be unlinked without their parent: hence the bound
 * min(size / 2 MiB + 2, 4096). -ENOMEM.
 */
int iopt_gather_reserve(struct iopt_gather *gather, uint64_t size);
/* The same for an unmap of [iova, iova + size), with the tighter bound
 * that their alignment gives (one 1 GiB page: 3, not 514). */
int iopt_gather_reserve_range(struct iopt_gather *gather, uint64_t iova,
			      uint64_t size);
/* Room for @n more tables (capped as above). */
int iopt_gather_reserve_n(struct iopt_gather *gather, uint64_t n);
/* Queue the table at @level (and the tables below it) for freeing after the
 * next grace period. Room was reserved. */
void iopt_gather_table(struct iopt_gather *gather, void *table,
		       unsigned int level);
void iopt_gather_add_range(struct iopt_gather *gather, uint64_t first,
			   uint64_t last);
void iopt_gather_init(struct iopt_gather *gather);
/* Free the gathered tables; caller has waited for a grace period. */
void iopt_gather_release(struct iopt *iopt, struct iopt_gather *gather);
void iopt_gather_fini(struct iopt_gather *gather);

#endif /* UIOMMU_IOPT_PRIVATE_H */
