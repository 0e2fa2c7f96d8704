/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the Arm LPAE I/O page-table format (lib/iommu/iopt_arm_lpae.c),
 * driven through the format-neutral interface of iopt_private.h the way the
 * domain code drives it: check_unmapped before map; check_mapped and
 * split_edges before unmap; tables an operation unlinks released from the
 * gather at once (single-threaded: no walker can still hold them).
 *
 * Every behaviour runs on every supported configuration: stage 1 and stage 2,
 * with a 48-bit input size (the walk starts at level 0) and a 39-bit one
 * (level 1). Descriptor layouts are checked against the Arm ARM (DDI 0487,
 * D8.3 "Translation table descriptor formats"), some against constants
 * written out by hand so that the header's macros are checked too.
 *
 * Output addresses are fake but aligned: the format never dereferences one.
 * Table pages come from rte_malloc, so every test process initialises EAL.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "iopt_arm_lpae.h"
#include "iopt_private.h"
#include "uiommu_test.h"

#define PAGES_PER_2M	(SZ_2M / SZ_4K)
#define OAS		48
/* Fake output addresses start here: 1 GiB aligned, so blocks of every size
 * can be built from it, and non-zero, so the model can use 0 for "unmapped". */
#define OA_BASE		0x40000000ULL

static void
eal_setup(void)
{
	test_eal_init("test_iopt_arm_lpae");
}

TestSuite(iopt_arm_lpae, .init = eal_setup, .fini = test_eal_cleanup,
	  .timeout = 60);

/* Live rte_malloc allocations: table pages, the iopt, gather arrays. */
static uint64_t
heap_alloc_count(void)
{
	return test_heap_now().allocs;
}

/* ---------------------------------------------------- configurations -- */

struct fmt_cfg {
	enum uiommu_iopt_fmt fmt;
	unsigned int ias;
};

static const struct fmt_cfg every_cfg[] = {
	{ UIOMMU_IOPT_ARM_LPAE_S1, 48 },	/* walk starts at level 0 */
	{ UIOMMU_IOPT_ARM_LPAE_S1, 39 },	/* walk starts at level 1 */
	{ UIOMMU_IOPT_ARM_LPAE_S2, 48 },
	{ UIOMMU_IOPT_ARM_LPAE_S2, 39 },
};

/* Those whose walk starts at level 0. */
static const struct fmt_cfg level0_cfgs[] = {
	{ UIOMMU_IOPT_ARM_LPAE_S1, 48 },
	{ UIOMMU_IOPT_ARM_LPAE_S2, 48 },
};

#define CFG_TEST(cfgs, name) \
	ParameterizedTestParameters(iopt_arm_lpae, name) \
	{ \
		return cr_make_param_array(struct fmt_cfg, cfgs, \
					   RTE_DIM(cfgs)); \
	} \
	ParameterizedTest(struct fmt_cfg *fc, iopt_arm_lpae, name)

/* A test run once per supported configuration, as fc. */
#define EVERY_CFG_TEST(name)	CFG_TEST(every_cfg, name)

/* Stage 1 cannot express write-only (AP has no such encoding). */
static const uint32_t s1_prots[] = {
	UIOMMU_PROT_READ,
	PROT_RW,
	UIOMMU_PROT_READ | UIOMMU_PROT_CACHE,
	PROT_RW | UIOMMU_PROT_CACHE,
	UIOMMU_PROT_READ | UIOMMU_PROT_MMIO,
	PROT_RW | UIOMMU_PROT_MMIO,
};

static const uint32_t s2_prots[] = {
	UIOMMU_PROT_READ,
	UIOMMU_PROT_WRITE,
	PROT_RW,
	UIOMMU_PROT_READ | UIOMMU_PROT_CACHE,
	UIOMMU_PROT_WRITE | UIOMMU_PROT_CACHE,
	PROT_RW | UIOMMU_PROT_CACHE,
	UIOMMU_PROT_READ | UIOMMU_PROT_MMIO,
	UIOMMU_PROT_WRITE | UIOMMU_PROT_MMIO,
	PROT_RW | UIOMMU_PROT_MMIO,
};

/* ----------------------------------------------------------- fixture -- */

struct fixture {
	struct iopt *iopt;
	bool s1;
	unsigned int ias;
	/* The top 4 GiB of the input range (1 GiB aligned), where most tests
	 * map: the walk uses the last entry of the top-level table. */
	uint64_t window;
	char name[16];		/* "S1/ias48", for messages */
};

static void
fixture_init_pgsizes(struct fixture *f, const struct fmt_cfg *fc,
		     uint64_t pgsize_bitmap)
{
	struct iopt_cfg cfg = {
		.fmt = fc->fmt,
		.ias = fc->ias,
		.oas = OAS,
		.pgsize_bitmap = pgsize_bitmap,
		.socket_id = SOCKET_ID_ANY,
	};

	f->s1 = fc->fmt == UIOMMU_IOPT_ARM_LPAE_S1;
	f->ias = fc->ias;
	f->window = (1ULL << fc->ias) - 4 * SZ_1G;
	snprintf(f->name, sizeof(f->name), "%s/ias%u", f->s1 ? "S1" : "S2",
		 fc->ias);
	f->iopt = iopt_alloc(&cfg);
	cr_assert_not_null(f->iopt, "%s: iopt_alloc: rte_errno %d", f->name,
			   rte_errno);
}

static void
fixture_init(struct fixture *f, const struct fmt_cfg *fc)
{
	fixture_init_pgsizes(f, fc, SZ_4K | SZ_2M | SZ_1G);
}

static void
fixture_fini(struct fixture *f)
{
	iopt_free(f->iopt);
	f->iopt = NULL;
}

/* The output address tests give @iova: same offset in 1 GiB as the IOVA,
 * so every block size the IOVA's alignment allows can be used. */
static uint64_t
oa_of(const struct fixture *f, uint64_t iova)
{
	return OA_BASE + (iova - f->window);
}

static const uint32_t *
fixture_prots(const struct fixture *f, unsigned int *n)
{
	*n = f->s1 ? RTE_DIM(s1_prots) : RTE_DIM(s2_prots);
	return f->s1 ? s1_prots : s2_prots;
}

/* Map as the domain code does: the range must be unmapped. */
static void
map_ok(const struct fixture *f, uint64_t iova, uint64_t oa, uint64_t size,
       uint32_t prot)
{
	struct iopt *iopt = f->iopt;
	struct iopt_gather gather;
	int ret;

	ret = iopt->ops->check_unmapped(iopt, iova, size);
	cr_assert_eq(ret, 0, "%s: check_unmapped(%#" PRIx64 ", %#" PRIx64
		     ") = %d before map", f->name, iova, size, ret);
	iopt_gather_init(&gather);
	cr_assert_eq(iopt_gather_reserve(&gather, size), 0);
	ret = iopt->ops->map(iopt, iova, oa, size, prot, &gather);
	cr_assert_eq(ret, 0, "%s: map(%#" PRIx64 ", oa %#" PRIx64 ", %#"
		     PRIx64 ", prot %#x) = %d", f->name, iova, oa, size, prot,
		     ret);
	iopt_gather_release(iopt, &gather);
	iopt_gather_fini(&gather);
}

/* Unmap up to the gather: check_mapped, split_edges, unmap. The caller
 * releases and finishes the gather. */
static void
unmap_gather(const struct fixture *f, uint64_t iova, uint64_t size,
	     struct iopt_gather *gather)
{
	struct iopt *iopt = f->iopt;
	int ret;

	ret = iopt->ops->check_mapped(iopt, iova, size);
	cr_assert_eq(ret, 0, "%s: check_mapped(%#" PRIx64 ", %#" PRIx64
		     ") = %d before unmap", f->name, iova, size, ret);
	ret = iopt->ops->split_edges(iopt, iova, size);
	cr_assert_eq(ret, 0, "%s: split_edges(%#" PRIx64 ", %#" PRIx64
		     ") = %d", f->name, iova, size, ret);
	iopt_gather_init(gather);
	cr_assert_eq(iopt_gather_reserve(gather, size), 0);
	iopt->ops->unmap(iopt, iova, size, gather);
	/* The gathered range is what gets invalidated: it must cover. */
	cr_assert(gather->first <= iova && gather->last >= iova + size - 1,
		  "%s: unmap(%#" PRIx64 ", %#" PRIx64 ") gathered [%#" PRIx64
		  ", %#" PRIx64 "]", f->name, iova, size, gather->first,
		  gather->last);
}

/* Unmap as the domain code does. */
static void
unmap_ok(const struct fixture *f, uint64_t iova, uint64_t size)
{
	struct iopt_gather gather;

	unmap_gather(f, iova, size, &gather);
	iopt_gather_release(f->iopt, &gather);
	iopt_gather_fini(&gather);
}

static struct uiommu_walk_result
walk(const struct fixture *f, uint64_t iova)
{
	struct uiommu_walk_result res;

	memset(&res, 0xa5, sizeof(res));
	f->iopt->ops->walk(f->iopt, iova, &res);
	return res;
}

/* @iova translates to @oa through a leaf of 1 << @pgshift bytes. */
static void
assert_translates(const struct fixture *f, uint64_t iova, uint64_t oa,
		  unsigned int pgshift, uint32_t prot)
{
	struct uiommu_walk_result res = walk(f, iova);
	uint64_t offset_mask = (1ULL << pgshift) - 1;

	cr_assert_eq(res.reason, UIOMMU_FAULT_NONE,
		     "%s: walk(%#" PRIx64 ") faulted: reason %u level %u",
		     f->name, iova, res.reason, res.level);
	cr_assert_eq(res.pgshift, pgshift, "%s: walk(%#" PRIx64
		     "): pgshift %u, want %u", f->name, iova, res.pgshift,
		     pgshift);
	cr_assert_eq(res.out, oa & ~offset_mask, "%s: walk(%#" PRIx64
		     "): out %#" PRIx64 ", want %#" PRIx64, f->name, iova,
		     res.out, oa & ~offset_mask);
	cr_assert_eq(iova & offset_mask, oa & offset_mask,
		     "%s: test bug: iova %#" PRIx64 " oa %#" PRIx64
		     " misaligned for pgshift %u", f->name, iova, oa, pgshift);
	cr_assert_eq(res.prot, prot & PROT_RW, "%s: walk(%#" PRIx64
		     "): prot %#x, want %#x", f->name, iova, res.prot,
		     prot & PROT_RW);
}

#define ANY_LEVEL	(-1)

static void
assert_faults(const struct fixture *f, uint64_t iova,
	      enum uiommu_fault_reason reason, int level)
{
	struct uiommu_walk_result res = walk(f, iova);

	cr_assert_eq(res.reason, reason, "%s: walk(%#" PRIx64
		     "): reason %u (%s), want %u (%s)", f->name, iova,
		     res.reason, uiommu_fault_reason_str(res.reason), reason,
		     uiommu_fault_reason_str(reason));
	if (level != ANY_LEVEL)
		cr_assert_eq(res.level, level, "%s: walk(%#" PRIx64
			     "): fault at level %u, want %d", f->name, iova,
			     res.level, level);
}

/*
 * The descriptor that translates @iova, and its level: the architecture's
 * walk, written independently of the format's (index = IA[s+8:s] with
 * s = 12 + 9 * (3 - level); a table descriptor is 0b11 below level 3).
 */
static uint64_t *
find_pte(const struct fixture *f, uint64_t iova, unsigned int *level)
{
	uint64_t *table = (uint64_t *)(uintptr_t)f->iopt->root;
	unsigned int lvl;

	for (lvl = f->iopt->start_level;; lvl++) {
		unsigned int shift = 12 + 9 * (3 - lvl);
		uint64_t *ptep = &table[(iova >> shift) & 511];

		if (lvl == 3 || (*ptep & 0x3) != 0x3) {
			*level = lvl;
			return ptep;
		}
		table = (uint64_t *)(uintptr_t)(*ptep & ARM_LPAE_PTE_ADDR);
	}
}

static uint64_t
leaf_pte(const struct fixture *f, uint64_t iova, unsigned int want_level)
{
	unsigned int level;
	uint64_t pte = *find_pte(f, iova, &level);

	cr_assert_eq(level, want_level, "%s: leaf of %#" PRIx64
		     " at level %u, want %u (pte %#" PRIx64 ")", f->name,
		     iova, level, want_level, pte);
	return pte;
}

static unsigned int
level_of_pgshift(unsigned int pgshift)
{
	return 3 - (pgshift - 12) / 9;
}

/* ------------------------------------------------- header arithmetic -- */

Test(iopt_arm_lpae, level_arithmetic_matches_4k_granule)
{
	cr_assert_eq(arm_lpae_level_shift(0), 39);
	cr_assert_eq(arm_lpae_level_shift(1), 30);
	cr_assert_eq(arm_lpae_level_shift(2), 21);
	cr_assert_eq(arm_lpae_level_shift(3), 12);
	cr_assert_eq(arm_lpae_pte_index(0x0000ff8000000000ULL, 0), 511);
	cr_assert_eq(arm_lpae_pte_index(0x0000000040201000ULL, 1), 1);
	cr_assert_eq(arm_lpae_pte_index(0x0000000040201000ULL, 2), 1);
	cr_assert_eq(arm_lpae_pte_index(0x0000000040201000ULL, 3), 1);
	/* Three levels resolve 39 bits; one more bit needs level 0. */
	cr_assert_eq(arm_lpae_start_level(48), 0);
	cr_assert_eq(arm_lpae_start_level(40), 0);
	cr_assert_eq(arm_lpae_start_level(39), 1);
	cr_assert_eq(arm_lpae_start_level(31), 1);
	cr_assert_eq(arm_lpae_start_level(30), 2);
}

Test(iopt_arm_lpae, mair_value_matches_attr_indices)
{
	/* Attr0 Normal iNC oNC (0x44), Attr1 Normal WB RW-allocate (0xff),
	 * Attr2 Device-nGnRE (0x04): MAIR_ELx.Attr<n> = MAIR[8n+7:8n]. */
	cr_assert_eq(ARM_LPAE_MAIR_VALUE, 0x04ff44ULL);
	cr_assert_eq(ARM_LPAE_MAIR_ATTR_IDX_NC, 0);
	cr_assert_eq(ARM_LPAE_MAIR_ATTR_IDX_CACHE, 1);
	cr_assert_eq(ARM_LPAE_MAIR_ATTR_IDX_DEV, 2);
}

Test(iopt_arm_lpae, alloc_rejects_unknown_format)
{
	struct iopt_cfg cfg = {
		.fmt = UIOMMU_IOPT_FMT_MAX,
		.ias = 48,
		.oas = OAS,
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.socket_id = SOCKET_ID_ANY,
	};

	cr_assert_null(iopt_alloc(&cfg));
	cr_assert_eq(rte_errno, EINVAL);
}

EVERY_CFG_TEST(alloc_starts_walk_at_level_for_ias)
{
	struct fixture f;

	fixture_init(&f, fc);
	cr_assert_eq(f.iopt->start_level, fc->ias == 48 ? 0u : 1u,
		     "%s: start level %u", f.name, f.iopt->start_level);
	cr_assert_neq(f.iopt->root, 0);
	cr_assert_eq(f.iopt->root & (SZ_4K - 1), 0, "%s: root %#" PRIx64
		     " not 4 KiB aligned", f.name, f.iopt->root);
	fixture_fini(&f);
}

/* --------------------------------------------------------------- map -- */

EVERY_CFG_TEST(map_every_page_size)
{
	static const struct {
		uint64_t offset;	/* from the window */
		uint64_t size;
		unsigned int pgshift;
	} leaves[] = {
		{ 0, SZ_4K, 12 },
		{ SZ_2M, SZ_2M, 21 },
		{ SZ_1G, SZ_1G, 30 },
	};
	const uint32_t *prots;
	unsigned int n_prots, p, i;
	struct fixture f;

	fixture_init(&f, fc);
	prots = fixture_prots(&f, &n_prots);
	for (p = 0; p < n_prots; p++) {
		for (i = 0; i < RTE_DIM(leaves); i++) {
			uint64_t iova = f.window + leaves[i].offset;
			uint64_t last = iova + leaves[i].size - SZ_4K;
			uint64_t mid = iova + leaves[i].size / 2 + 8;

			map_ok(&f, iova, oa_of(&f, iova), leaves[i].size,
			       prots[p]);
			assert_translates(&f, iova, oa_of(&f, iova),
					  leaves[i].pgshift, prots[p]);
			assert_translates(&f, mid, oa_of(&f, mid),
					  leaves[i].pgshift, prots[p]);
			assert_translates(&f, last + SZ_4K - 1,
					  oa_of(&f, last + SZ_4K - 1),
					  leaves[i].pgshift, prots[p]);
		}
		for (i = 0; i < RTE_DIM(leaves); i++)
			unmap_ok(&f, f.window + leaves[i].offset,
				 leaves[i].size);
	}
	fixture_fini(&f);
}

EVERY_CFG_TEST(map_picks_largest_page_sizes)
{
	/* [2M - 4K, 4M + 8K): 4K | 2M | 4K 4K, and
	 * [1G - 4K, 2G + 2M + 4K): 4K | 1G | 2M | 4K. */
	static const struct {
		uint64_t offset;
		unsigned int pgshift;
	} leaves[] = {
		{ SZ_2M - SZ_4K, 12 },
		{ SZ_2M, 21 },
		{ 2 * SZ_2M, 12 },
		{ 2 * SZ_2M + SZ_4K, 12 },
		{ SZ_1G - SZ_4K, 12 },
		{ SZ_1G, 30 },
		{ 2 * SZ_1G, 21 },
		{ 2 * SZ_1G + SZ_2M, 12 },
	};
	static const struct {
		uint64_t offset;
		uint64_t size;
	} ranges[] = {
		{ SZ_2M - SZ_4K, SZ_2M + 3 * SZ_4K },
		{ SZ_1G - SZ_4K, SZ_1G + SZ_2M + 2 * SZ_4K },
	};
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	for (i = 0; i < RTE_DIM(ranges); i++) {
		uint64_t iova = f.window + ranges[i].offset;

		map_ok(&f, iova, oa_of(&f, iova), ranges[i].size,
		       PROT_RW | UIOMMU_PROT_CACHE);
	}
	for (i = 0; i < RTE_DIM(leaves); i++) {
		uint64_t first = f.window + leaves[i].offset;
		uint64_t last = first + (1ULL << leaves[i].pgshift) - SZ_4K;

		assert_translates(&f, first, oa_of(&f, first),
				  leaves[i].pgshift, PROT_RW);
		assert_translates(&f, last, oa_of(&f, last),
				  leaves[i].pgshift, PROT_RW);
	}
	for (i = 0; i < RTE_DIM(ranges); i++) {
		uint64_t iova = f.window + ranges[i].offset;

		assert_faults(&f, iova - SZ_4K, UIOMMU_FAULT_TRANSLATION,
			      ANY_LEVEL);
		assert_faults(&f, iova + ranges[i].size,
			      UIOMMU_FAULT_TRANSLATION, ANY_LEVEL);
	}
	fixture_fini(&f);
}

EVERY_CFG_TEST(map_needs_iova_and_oa_aligned_for_blocks)
{
	static const struct {
		uint64_t iova_offset;	/* from the window */
		uint64_t oa_offset;	/* from OA_BASE */
		uint64_t size;
		unsigned int pgshift;
	} cases[] = {
		{ 0, SZ_4K, SZ_2M, 12 },		/* OA off by 4K */
		{ SZ_2M + SZ_4K, 0, SZ_2M, 12 },	/* IOVA off by 4K */
		{ SZ_1G, SZ_2M, SZ_1G, 21 },		/* OA 2M, not 1G */
		{ 2 * SZ_1G + SZ_2M, 0, SZ_1G, 21 },	/* IOVA 2M only */
	};
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	for (i = 0; i < RTE_DIM(cases); i++) {
		uint64_t iova = f.window + cases[i].iova_offset;
		uint64_t oa = OA_BASE + cases[i].oa_offset;
		uint64_t step = 1ULL << cases[i].pgshift;
		uint64_t off;

		map_ok(&f, iova, oa, cases[i].size, PROT_RW);
		for (off = 0; off < cases[i].size; off += step)
			assert_translates(&f, iova + off, oa + off,
					  cases[i].pgshift, PROT_RW);
		unmap_ok(&f, iova, cases[i].size);
	}
	fixture_fini(&f);
}

static void
check_pgsize_bitmap(const struct fmt_cfg *fc, uint64_t pgsize_bitmap,
		    uint64_t size, unsigned int pgshift)
{
	struct fixture f;

	fixture_init_pgsizes(&f, fc, pgsize_bitmap);
	map_ok(&f, f.window, OA_BASE, size, PROT_RW);
	assert_translates(&f, f.window, OA_BASE, pgshift, PROT_RW);
	assert_translates(&f, f.window + size - SZ_4K,
			  OA_BASE + size - SZ_4K, pgshift, PROT_RW);
	fixture_fini(&f);
}

EVERY_CFG_TEST(map_uses_only_sizes_in_pgsize_bitmap)
{
	check_pgsize_bitmap(fc, SZ_4K | SZ_2M, SZ_1G, 21);
	check_pgsize_bitmap(fc, SZ_4K, SZ_2M, 12);
	check_pgsize_bitmap(fc, SZ_4K | SZ_1G, SZ_1G, 30);
}

EVERY_CFG_TEST(map_4k_allocates_one_table_per_level)
{
	uint64_t tables, allocs;
	unsigned int below_root;
	struct fixture f;

	fixture_init(&f, fc);
	below_root = 3 - f.iopt->start_level;
	tables = f.iopt->n_tables;
	allocs = heap_alloc_count();
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	cr_assert_eq(f.iopt->n_tables, tables + below_root,
		     "%s: n_tables %" PRIu64 " -> %" PRIu64, f.name, tables,
		     f.iopt->n_tables);
	cr_assert_eq(heap_alloc_count(), allocs + below_root);
	/* A neighbour reuses the same tables. */
	map_ok(&f, f.window + SZ_4K, OA_BASE + SZ_4K, SZ_4K, PROT_RW);
	cr_assert_eq(f.iopt->n_tables, tables + below_root);
	fixture_fini(&f);
}

/* A map that puts a block where an empty table was unlinks the table. */
EVERY_CFG_TEST(map_block_replaces_empty_table)
{
	uint64_t iova, tables, allocs;
	struct fixture f;

	fixture_init(&f, fc);
	iova = f.window + SZ_2M;
	/* Keep the level-2 table alive with a page in another 2M. */
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	tables = f.iopt->n_tables;
	allocs = heap_alloc_count();
	map_ok(&f, iova, oa_of(&f, iova), SZ_4K, PROT_RW);
	unmap_ok(&f, iova, SZ_4K);
	map_ok(&f, iova, oa_of(&f, iova), SZ_2M, PROT_RW);
	assert_translates(&f, iova, oa_of(&f, iova), 21, PROT_RW);
	cr_assert_eq(f.iopt->n_tables, tables, "%s: n_tables %" PRIu64
		     ", want %" PRIu64, f.name, f.iopt->n_tables, tables);
	cr_assert_eq(heap_alloc_count(), allocs);
	fixture_fini(&f);
}

/* Output addresses use every bit of Desc[47:12]. */
EVERY_CFG_TEST(map_high_output_addresses)
{
	static const struct {
		uint64_t offset;
		uint64_t size;
		uint64_t oa;
		unsigned int pgshift;
	} cases[] = {
		{ 0, SZ_4K, 0xfffffffff000ULL, 12 },
		{ SZ_2M, SZ_2M, 0xffffffe00000ULL, 21 },
		{ SZ_1G, SZ_1G, 0xffffc0000000ULL, 30 },
		{ 2 * SZ_2M, SZ_4K, 0x800000001000ULL, 12 },
	};
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	for (i = 0; i < RTE_DIM(cases); i++) {
		uint64_t iova = f.window + cases[i].offset;
		uint64_t pte;

		map_ok(&f, iova, cases[i].oa, cases[i].size, PROT_RW);
		assert_translates(&f, iova, cases[i].oa, cases[i].pgshift,
				  PROT_RW);
		pte = leaf_pte(&f, iova, level_of_pgshift(cases[i].pgshift));
		cr_assert_eq(pte & 0x0000fffffffff000ULL, cases[i].oa,
			     "%s: pte %#" PRIx64 " for oa %#" PRIx64, f.name,
			     pte, cases[i].oa);
	}
	fixture_fini(&f);
}

/* ----------------------------------------------------------- checks -- */

EVERY_CFG_TEST(check_unmapped_detects_overlap)
{
	struct fixture f;
	uint64_t pages, block;
	unsigned int i;

	fixture_init(&f, fc);
	pages = f.window + SZ_2M + 16 * SZ_4K;	/* 16 pages */
	block = f.window + 2 * SZ_2M;		/* a 2M block */
	map_ok(&f, pages, oa_of(&f, pages), 16 * SZ_4K, PROT_RW);
	map_ok(&f, block, oa_of(&f, block), SZ_2M, PROT_RW);

	const struct {
		uint64_t iova;
		uint64_t size;
		int ret;
	} cases[] = {
		{ pages, 16 * SZ_4K, -EEXIST },
		{ pages + 5 * SZ_4K, SZ_4K, -EEXIST },
		{ pages - SZ_4K, 2 * SZ_4K, -EEXIST },	/* overlaps the head */
		{ pages + 15 * SZ_4K, 2 * SZ_4K, -EEXIST }, /* the tail */
		{ pages - SZ_4K, 18 * SZ_4K, -EEXIST },	/* covers it */
		{ pages - SZ_4K, SZ_4K, 0 },
		{ pages + 16 * SZ_4K, SZ_4K, 0 },
		{ f.window + SZ_2M, 16 * SZ_4K, 0 },
		{ block + SZ_2M / 2, SZ_4K, -EEXIST },	/* inside the block */
		{ block - SZ_4K, 2 * SZ_4K, -EEXIST },
		{ block + SZ_2M - SZ_4K, 2 * SZ_4K, -EEXIST },
		{ block + SZ_2M, SZ_4K, 0 },
		{ block + SZ_2M, SZ_1G - 3 * SZ_2M, 0 }, /* many tables */
		{ f.window, SZ_1G, -EEXIST },
		{ f.window + SZ_1G, 3 * SZ_1G, 0 },
		{ 0, SZ_1G, 0 },
	};

	for (i = 0; i < RTE_DIM(cases); i++) {
		int ret = f.iopt->ops->check_unmapped(f.iopt, cases[i].iova,
						      cases[i].size);

		cr_assert_eq(ret, cases[i].ret, "%s: check_unmapped(%#"
			     PRIx64 ", %#" PRIx64 ") = %d, want %d", f.name,
			     cases[i].iova, cases[i].size, ret, cases[i].ret);
	}
	fixture_fini(&f);
}

EVERY_CFG_TEST(check_mapped_detects_hole)
{
	struct fixture f;
	uint64_t pages, block;
	unsigned int i;

	fixture_init(&f, fc);
	pages = f.window + SZ_2M + 16 * SZ_4K;
	block = f.window + 2 * SZ_2M;
	/* 16 pages, a one-page hole, one page. */
	map_ok(&f, pages, oa_of(&f, pages), 16 * SZ_4K, PROT_RW);
	map_ok(&f, pages + 17 * SZ_4K, oa_of(&f, pages + 17 * SZ_4K), SZ_4K,
	       PROT_RW);
	map_ok(&f, block, oa_of(&f, block), SZ_2M, PROT_RW);

	const struct {
		uint64_t iova;
		uint64_t size;
		int ret;
	} cases[] = {
		{ pages, 16 * SZ_4K, 0 },
		{ pages + 3 * SZ_4K, 2 * SZ_4K, 0 },
		{ pages + 17 * SZ_4K, SZ_4K, 0 },
		{ pages, 18 * SZ_4K, -ENOENT },		/* across the hole */
		{ pages + 16 * SZ_4K, SZ_4K, -ENOENT },	/* the hole */
		{ pages + 15 * SZ_4K, 2 * SZ_4K, -ENOENT },
		{ pages - SZ_4K, 2 * SZ_4K, -ENOENT },
		{ pages + 17 * SZ_4K, 2 * SZ_4K, -ENOENT },
		{ block, SZ_2M, 0 },
		{ block + SZ_4K, SZ_4K, 0 },		/* part of the block */
		{ block + SZ_4K, SZ_2M - 2 * SZ_4K, 0 },
		{ block, SZ_2M + SZ_4K, -ENOENT },
		{ block - SZ_4K, 2 * SZ_4K, -ENOENT },
		{ f.window + SZ_1G, SZ_1G, -ENOENT },	/* nothing there */
		{ f.window, SZ_1G, -ENOENT },
	};

	for (i = 0; i < RTE_DIM(cases); i++) {
		int ret = f.iopt->ops->check_mapped(f.iopt, cases[i].iova,
						    cases[i].size);

		cr_assert_eq(ret, cases[i].ret, "%s: check_mapped(%#" PRIx64
			     ", %#" PRIx64 ") = %d, want %d", f.name,
			     cases[i].iova, cases[i].size, ret, cases[i].ret);
	}
	fixture_fini(&f);
}

/* -------------------------------------------------------------- walk -- */

EVERY_CFG_TEST(walk_unmapped_faults_translation_at_empty_level)
{
	struct fixture f;

	fixture_init(&f, fc);
	assert_faults(&f, f.window, UIOMMU_FAULT_TRANSLATION,
		      f.iopt->start_level);
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	assert_faults(&f, f.window + SZ_4K, UIOMMU_FAULT_TRANSLATION, 3);
	assert_faults(&f, f.window + SZ_2M, UIOMMU_FAULT_TRANSLATION, 2);
	assert_faults(&f, f.window + SZ_1G, UIOMMU_FAULT_TRANSLATION, 1);
	assert_faults(&f, 0, UIOMMU_FAULT_TRANSLATION, f.iopt->start_level);
	fixture_fini(&f);
}

EVERY_CFG_TEST(walk_beyond_ias_faults_addr_size)
{
	struct fixture f;
	uint64_t top, last_page;
	unsigned int i;

	fixture_init(&f, fc);
	top = 1ULL << f.ias;
	last_page = top - SZ_4K;
	/* A mapping that the bits below ias of the bad IOVAs would hit. */
	map_ok(&f, last_page, OA_BASE, SZ_4K, PROT_RW);

	const uint64_t bad[] = {
		top,
		top + last_page,
		(1ULL << 63) | last_page,
		UINT64_MAX & ~(SZ_4K - 1),
		UINT64_MAX,
	};

	for (i = 0; i < RTE_DIM(bad); i++)
		assert_faults(&f, bad[i], UIOMMU_FAULT_ADDR_SIZE, ANY_LEVEL);
	fixture_fini(&f);
}

EVERY_CFG_TEST(walk_last_page_below_ias_translates)
{
	struct fixture f;
	uint64_t top;

	fixture_init(&f, fc);
	top = 1ULL << f.ias;
	map_ok(&f, top - SZ_1G, OA_BASE, SZ_1G, PROT_RW);
	assert_translates(&f, top - 1, OA_BASE + SZ_1G - 1, 30, PROT_RW);
	unmap_ok(&f, top - SZ_1G, SZ_1G);
	map_ok(&f, top - SZ_4K, OA_BASE, SZ_4K, UIOMMU_PROT_READ);
	assert_translates(&f, top - 1, OA_BASE + SZ_4K - 1, 12,
			  UIOMMU_PROT_READ);
	fixture_fini(&f);
}

/* ------------------------------------------------------------- unmap -- */

/* Unmap [first, first + n) pages of a block of 1 << pgshift at @iova,
 * then check every other page still translates and the hole faults. */
static void
check_partial_unmap(const struct fixture *f, uint64_t iova,
		    unsigned int pgshift, uint64_t first, uint64_t n)
{
	uint64_t size = 1ULL << pgshift;
	uint64_t oa = oa_of(f, iova);
	uint32_t prot = PROT_RW | UIOMMU_PROT_CACHE;
	uint64_t page;

	map_ok(f, iova, oa, size, prot);
	assert_translates(f, iova, oa, pgshift, prot);
	unmap_ok(f, iova + first * SZ_4K, n * SZ_4K);
	for (page = 0; page < size / SZ_4K; page++) {
		uint64_t at = iova + page * SZ_4K;
		struct uiommu_walk_result res;

		if (page >= first && page < first + n) {
			assert_faults(f, at, UIOMMU_FAULT_TRANSLATION,
				      ANY_LEVEL);
			continue;
		}
		res = walk(f, at);
		cr_assert_eq(res.reason, UIOMMU_FAULT_NONE, "%s: walk(%#"
			     PRIx64 ") faulted after unmapping pages [%"
			     PRIu64 ", %" PRIu64 ") of the block at %#"
			     PRIx64, f->name, at, first, first + n, iova);
		cr_assert_eq(res.out + (at & ((1ULL << res.pgshift) - 1)),
			     oa + page * SZ_4K, "%s: walk(%#" PRIx64
			     "): out %#" PRIx64 " pgshift %u, want %#" PRIx64,
			     f->name, at, res.out, res.pgshift,
			     oa + page * SZ_4K);
		cr_assert_eq(res.prot, PROT_RW);
	}
	if (first > 0)
		unmap_ok(f, iova, first * SZ_4K);
	if (first + n < size / SZ_4K)
		unmap_ok(f, iova + (first + n) * SZ_4K,
			 size - (first + n) * SZ_4K);
}

EVERY_CFG_TEST(unmap_part_of_2m_block_splits_it)
{
	static const struct {
		uint64_t first;	/* pages */
		uint64_t n;
	} holes[] = {
		{ 256, 1 },	/* one page in the middle */
		{ 0, 1 },
		{ 511, 1 },
		{ 1, 510 },	/* all but the first and last page */
		{ 100, 300 },
	};
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	for (i = 0; i < RTE_DIM(holes); i++)
		check_partial_unmap(&f, f.window + SZ_2M, 21, holes[i].first,
				    holes[i].n);
	fixture_fini(&f);
}

EVERY_CFG_TEST(unmap_part_of_1g_block_splits_it)
{
	static const struct {
		uint64_t first;	/* pages */
		uint64_t n;
	} holes[] = {
		{ 131073, 1 },	/* one page at 512M + 4K */
		{ 0, 512 },	/* the first 2M */
		{ 262143, 1 },	/* the last page */
		{ 511, 1026 },	/* 4K before a 2M boundary to 4K after */
	};
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	for (i = 0; i < RTE_DIM(holes); i++)
		check_partial_unmap(&f, f.window + SZ_1G, 30, holes[i].first,
				    holes[i].n);
	fixture_fini(&f);
}

EVERY_CFG_TEST(split_edges_keeps_translations)
{
	static const struct {
		uint64_t offset;
		uint64_t size;
		uint32_t prot;
		uint64_t cut_offset;	/* range given to split_edges */
		uint64_t cut_size;
	} blocks[] = {
		{ SZ_2M, SZ_2M, PROT_RW | UIOMMU_PROT_CACHE,
		  SZ_2M / 2 + SZ_4K, 2 * SZ_4K },
		{ SZ_1G, SZ_1G, UIOMMU_PROT_READ | UIOMMU_PROT_MMIO,
		  300 * SZ_2M + SZ_4K, SZ_4K },
	};
	struct fixture f;
	unsigned int i;
	uint64_t off;
	int ret;

	fixture_init(&f, fc);
	for (i = 0; i < RTE_DIM(blocks); i++) {
		uint64_t iova = f.window + blocks[i].offset;

		map_ok(&f, iova, oa_of(&f, iova), blocks[i].size,
		       blocks[i].prot);
		ret = f.iopt->ops->split_edges(f.iopt,
					       iova + blocks[i].cut_offset,
					       blocks[i].cut_size);
		cr_assert_eq(ret, 0, "%s: split_edges = %d", f.name, ret);
	}
	for (i = 0; i < RTE_DIM(blocks); i++) {
		uint64_t iova = f.window + blocks[i].offset;

		for (off = 0; off < blocks[i].size; off += SZ_4K) {
			struct uiommu_walk_result res = walk(&f, iova + off);
			uint64_t mask = (1ULL << res.pgshift) - 1;

			cr_assert_eq(res.reason, UIOMMU_FAULT_NONE,
				     "%s: walk(%#" PRIx64 ") faulted after "
				     "split_edges", f.name, iova + off);
			cr_assert_eq(res.out + ((iova + off) & mask),
				     oa_of(&f, iova + off), "%s: walk(%#"
				     PRIx64 ") moved after split_edges",
				     f.name, iova + off);
			cr_assert_eq(res.prot, blocks[i].prot & PROT_RW);
		}
	}
	fixture_fini(&f);
}

EVERY_CFG_TEST(split_edges_splits_only_blocks_it_cuts)
{
	struct fixture f;
	uint64_t giga, blocks2m, whole;
	int ret;

	fixture_init(&f, fc);
	giga = f.window + SZ_1G;
	map_ok(&f, giga, oa_of(&f, giga), SZ_1G, PROT_RW);

	/* A 4K cut inside the 2M at +6M: that 2M becomes pages, the rest
	 * of the 1G 2M blocks. */
	ret = f.iopt->ops->split_edges(f.iopt, giga + 3 * SZ_2M + SZ_4K,
				       SZ_4K);
	cr_assert_eq(ret, 0);
	assert_translates(&f, giga + 3 * SZ_2M, oa_of(&f, giga + 3 * SZ_2M),
			  12, PROT_RW);
	assert_translates(&f, giga + 4 * SZ_2M - SZ_4K,
			  oa_of(&f, giga + 4 * SZ_2M - SZ_4K), 12, PROT_RW);
	assert_translates(&f, giga, oa_of(&f, giga), 21, PROT_RW);
	assert_translates(&f, giga + 2 * SZ_2M, oa_of(&f, giga + 2 * SZ_2M),
			  21, PROT_RW);
	assert_translates(&f, giga + 4 * SZ_2M, oa_of(&f, giga + 4 * SZ_2M),
			  21, PROT_RW);
	assert_translates(&f, giga + SZ_1G - SZ_4K,
			  oa_of(&f, giga + SZ_1G - SZ_4K), 21, PROT_RW);

	/* Edges on 2M boundaries of the (now split) 1G: no pages. */
	ret = f.iopt->ops->split_edges(f.iopt, giga + 5 * SZ_2M, 2 * SZ_2M);
	cr_assert_eq(ret, 0);
	assert_translates(&f, giga + 5 * SZ_2M, oa_of(&f, giga + 5 * SZ_2M),
			  21, PROT_RW);
	assert_translates(&f, giga + 7 * SZ_2M - SZ_4K,
			  oa_of(&f, giga + 7 * SZ_2M - SZ_4K), 21, PROT_RW);

	/* Edges on the boundaries of blocks: nothing to split. */
	blocks2m = f.window + SZ_2M;
	map_ok(&f, blocks2m, oa_of(&f, blocks2m), 2 * SZ_2M, PROT_RW);
	ret = f.iopt->ops->split_edges(f.iopt, blocks2m, 2 * SZ_2M);
	cr_assert_eq(ret, 0);
	assert_translates(&f, blocks2m, oa_of(&f, blocks2m), 21, PROT_RW);
	assert_translates(&f, blocks2m + SZ_2M, oa_of(&f, blocks2m + SZ_2M),
			  21, PROT_RW);
	whole = f.window + 2 * SZ_1G;
	map_ok(&f, whole, oa_of(&f, whole), SZ_1G, PROT_RW);
	ret = f.iopt->ops->split_edges(f.iopt, whole, SZ_1G);
	cr_assert_eq(ret, 0);
	assert_translates(&f, whole, oa_of(&f, whole), 30, PROT_RW);
	fixture_fini(&f);
}

EVERY_CFG_TEST(unmap_whole_2m_of_pages_unlinks_table)
{
	struct iopt_gather gather;
	uint64_t iova, oa, tables, allocs;
	struct fixture f;

	fixture_init(&f, fc);
	iova = f.window + SZ_2M;
	oa = oa_of(&f, iova) + SZ_4K;	/* not 2M aligned: 512 pages */
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW); /* keeps level 2 */
	map_ok(&f, iova, oa, SZ_2M, PROT_RW);
	assert_translates(&f, iova, oa, 12, PROT_RW);
	tables = f.iopt->n_tables;
	allocs = heap_alloc_count();

	unmap_gather(&f, iova, SZ_2M, &gather);
	cr_assert_eq(gather.n_tables, 1, "%s: gathered %u tables", f.name,
		     gather.n_tables);
	cr_assert_eq(gather.tables[0] & (SZ_4K - 1), 3,
		     "%s: gathered a table of level %" PRIu64, f.name,
		     (uint64_t)(gather.tables[0] & (SZ_4K - 1)));
	assert_faults(&f, iova, UIOMMU_FAULT_TRANSLATION, 2);
	assert_translates(&f, f.window, OA_BASE, 12, PROT_RW);
	iopt_gather_release(f.iopt, &gather);
	iopt_gather_fini(&gather);

	cr_assert_eq(f.iopt->n_tables, tables - 1, "%s: n_tables %" PRIu64
		     " -> %" PRIu64, f.name, tables, f.iopt->n_tables);
	cr_assert_eq(heap_alloc_count(), allocs - 1);
	fixture_fini(&f);
}

EVERY_CFG_TEST(unmap_whole_1g_of_pages_unlinks_subtree)
{
	struct iopt_gather gather;
	uint64_t iova, oa, tables, allocs;
	struct fixture f;

	fixture_init(&f, fc);
	iova = f.window + SZ_1G;
	oa = oa_of(&f, iova) + SZ_4K;	/* 262144 pages in 512 tables */
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW); /* keeps level 1 */
	map_ok(&f, iova, oa, SZ_1G, PROT_RW);
	assert_translates(&f, iova + SZ_1G - SZ_4K, oa + SZ_1G - SZ_4K, 12,
			  PROT_RW);
	tables = f.iopt->n_tables;
	allocs = heap_alloc_count();

	unmap_gather(&f, iova, SZ_1G, &gather);
	cr_assert_eq(gather.n_tables, 1, "%s: gathered %u tables", f.name,
		     gather.n_tables);
	cr_assert_eq(gather.tables[0] & (SZ_4K - 1), 2,
		     "%s: gathered a table of level %" PRIu64, f.name,
		     (uint64_t)(gather.tables[0] & (SZ_4K - 1)));
	assert_faults(&f, iova, UIOMMU_FAULT_TRANSLATION, 1);
	iopt_gather_release(f.iopt, &gather);
	iopt_gather_fini(&gather);

	cr_assert_eq(f.iopt->n_tables, tables - 513, "%s: n_tables %" PRIu64
		     " -> %" PRIu64, f.name, tables, f.iopt->n_tables);
	cr_assert_eq(heap_alloc_count(), allocs - 513);
	fixture_fini(&f);
}

/* ------------------------------------------------------- bit layouts -- */

/*
 * Leaf fields against prot, with the header's field macros (which the
 * hand-encoded tests below check in turn). Stage 1 block/page descriptor:
 * AttrIndx[4:2], AP[2] = bit 7 (read-only), SH[9:8], AF[10], OA[47:12],
 * UXN/XN[54]. Stage 2: MemAttr[5:2], S2AP[7:6] (bit 6 read, bit 7 write),
 * SH[9:8], AF[10], OA[47:12], XN[1] = bit 54.
 */
static void
assert_leaf_fields(const struct fixture *f, uint64_t pte, unsigned int level,
		   uint64_t oa, uint32_t prot)
{
	uint64_t type = level == 3 ? ARM_LPAE_PTE_TYPE_PAGE :
				     ARM_LPAE_PTE_TYPE_BLOCK;

	cr_assert_eq(FIELD_GET(ARM_LPAE_PTE_TYPE, pte), type,
		     "%s: level %u leaf %#" PRIx64 " has type %#" PRIx64,
		     f->name, level, pte, FIELD_GET(ARM_LPAE_PTE_TYPE, pte));
	cr_assert(pte & ARM_LPAE_PTE_AF, "%s: AF clear in %#" PRIx64,
		  f->name, pte);
	cr_assert(pte & ARM_LPAE_PTE_XN, "%s: XN clear in %#" PRIx64,
		  f->name, pte);
	cr_assert_eq(pte & ARM_LPAE_PTE_ADDR, oa, "%s: OA field of %#" PRIx64
		     ", want %#" PRIx64, f->name, pte, oa);
	if (f->s1) {
		uint64_t attr = prot & UIOMMU_PROT_CACHE ?
					ARM_LPAE_MAIR_ATTR_IDX_CACHE :
				prot & UIOMMU_PROT_MMIO ?
					ARM_LPAE_MAIR_ATTR_IDX_DEV :
					ARM_LPAE_MAIR_ATTR_IDX_NC;

		cr_assert_eq(!!(pte & ARM_LPAE_PTE_AP_RDONLY),
			     !(prot & UIOMMU_PROT_WRITE), "%s: prot %#x pte %#"
			     PRIx64 ": AP[2] wrong", f->name, prot, pte);
		cr_assert_eq(FIELD_GET(ARM_LPAE_PTE_ATTRINDX, pte), attr,
			     "%s: prot %#x pte %#" PRIx64 ": AttrIndx %" PRIu64
			     ", want %" PRIu64, f->name, prot, pte,
			     FIELD_GET(ARM_LPAE_PTE_ATTRINDX, pte), attr);
	} else {
		uint64_t memattr = prot & UIOMMU_PROT_CACHE ?
					ARM_LPAE_MEMATTR_OIWB :
				   prot & UIOMMU_PROT_MMIO ?
					ARM_LPAE_MEMATTR_DEV :
					ARM_LPAE_MEMATTR_NC;

		cr_assert_eq(!!(pte & ARM_LPAE_PTE_S2AP_READ),
			     !!(prot & UIOMMU_PROT_READ), "%s: prot %#x pte %#"
			     PRIx64 ": S2AP[0] wrong", f->name, prot, pte);
		cr_assert_eq(!!(pte & ARM_LPAE_PTE_S2AP_WRITE),
			     !!(prot & UIOMMU_PROT_WRITE), "%s: prot %#x pte %#"
			     PRIx64 ": S2AP[1] wrong", f->name, prot, pte);
		cr_assert_eq(FIELD_GET(ARM_LPAE_PTE_MEMATTR, pte), memattr,
			     "%s: prot %#x pte %#" PRIx64 ": MemAttr %#" PRIx64
			     ", want %#" PRIx64, f->name, prot, pte,
			     FIELD_GET(ARM_LPAE_PTE_MEMATTR, pte), memattr);
	}
	if (prot & UIOMMU_PROT_CACHE)
		cr_assert_eq(FIELD_GET(ARM_LPAE_PTE_SH, pte),
			     ARM_LPAE_PTE_SH_IS, "%s: prot %#x pte %#" PRIx64
			     ": not inner shareable", f->name, prot, pte);
}

EVERY_CFG_TEST(leaf_descriptor_fields_match_prot)
{
	static const struct {
		uint64_t offset;
		uint64_t size;
		unsigned int level;
	} leaves[] = {
		{ 0, SZ_4K, 3 },
		{ SZ_2M, SZ_2M, 2 },
		{ SZ_1G, SZ_1G, 1 },
	};
	const uint32_t *prots;
	unsigned int n_prots, p, i;
	struct fixture f;

	fixture_init(&f, fc);
	prots = fixture_prots(&f, &n_prots);
	for (p = 0; p < n_prots; p++) {
		for (i = 0; i < RTE_DIM(leaves); i++) {
			uint64_t iova = f.window + leaves[i].offset;
			uint64_t pte;

			map_ok(&f, iova, oa_of(&f, iova), leaves[i].size,
			       prots[p]);
			pte = leaf_pte(&f, iova, leaves[i].level);
			assert_leaf_fields(&f, pte, leaves[i].level,
					   oa_of(&f, iova), prots[p]);
			unmap_ok(&f, iova, leaves[i].size);
		}
	}
	fixture_fini(&f);
}

/* Table descriptors: 0b11, next-level address, and no hierarchical
 * attributes (NSTable[63], APTable[62:61], XNTable[60], PXNTable[59]) that
 * would restrict the leaves below; Desc[51:48] is RES0 with a 48-bit OA. */
EVERY_CFG_TEST(table_descriptors_carry_no_attributes)
{
	uint64_t *table;
	unsigned int level;
	struct fixture f;

	fixture_init(&f, fc);
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	table = (uint64_t *)(uintptr_t)f.iopt->root;
	for (level = f.iopt->start_level; level < 3; level++) {
		unsigned int shift = 12 + 9 * (3 - level);
		uint64_t pte = table[(f.window >> shift) & 511];

		cr_assert_eq(pte & 0x3, 0x3, "%s: level %u descriptor %#"
			     PRIx64 " is not a table", f.name, level, pte);
		cr_assert_eq(pte & 0xf80f000000000000ULL, 0, "%s: level %u "
			     "table descriptor %#" PRIx64 " has attributes",
			     f.name, level, pte);
		cr_assert_neq(pte & 0x0000fffffffff000ULL, 0);
		table = (uint64_t *)(uintptr_t)(pte & 0x0000fffffffff000ULL);
	}
	fixture_fini(&f);
}

/*
 * Descriptors written out by hand from the Arm ARM bit positions. The mask
 * leaves out what the format may choose: stage 1 NS[5], AP[1][6] (EL0
 * access), nG[11], PXN[53]; stage 2 XN[0][53] (FEAT_XNX); SH for memory
 * that is not cacheable (Device and Normal-NC are outer shareable whatever
 * SH says); everything above bit 54 (software, PBHA).
 */
struct hand_encoded {
	uint64_t size;
	uint64_t oa;
	uint32_t prot;
	uint64_t pte;
	uint64_t mask;
};

static void
check_hand_encoded(const struct fmt_cfg *fc, const struct hand_encoded *he,
		   unsigned int n)
{
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	for (i = 0; i < n; i++) {
		uint64_t iova = f.window + he[i].size;	/* size aligned */
		uint64_t pte;

		map_ok(&f, iova, he[i].oa, he[i].size, he[i].prot);
		pte = leaf_pte(&f, iova, he[i].size == SZ_4K ? 3 :
					 he[i].size == SZ_2M ? 2 : 1);
		cr_assert_eq(pte & he[i].mask, he[i].pte, "%s: prot %#x oa %#"
			     PRIx64 ": pte %#" PRIx64 " (masked %#" PRIx64
			     "), want %#" PRIx64, f.name, he[i].prot,
			     he[i].oa, pte, pte & he[i].mask, he[i].pte);
		unmap_ok(&f, iova, he[i].size);
	}
	fixture_fini(&f);
}

Test(iopt_arm_lpae, s1_descriptors_match_hand_encoding)
{
	static const struct fmt_cfg s1 = { UIOMMU_IOPT_ARM_LPAE_S1, 48 };
	static const struct hand_encoded he[] = {
		/* page 0b11, AttrIndx 1, AP[2] 0, SH 0b11, AF, OA, XN */
		{ SZ_4K, 0x1234000ULL, PROT_RW | UIOMMU_PROT_CACHE,
		  0x0040000001234707ULL, 0x005ffffffffff79fULL },
		/* block 0b01, AttrIndx 2, AP[2] 1, AF, OA, XN */
		{ SZ_2M, 0x40200000ULL, UIOMMU_PROT_READ | UIOMMU_PROT_MMIO,
		  0x0040000040200489ULL, 0x005ffffffffff49fULL },
		/* block 0b01, AttrIndx 0, AP[2] 1, AF, OA, XN */
		{ SZ_1G, 0x80000000ULL, UIOMMU_PROT_READ,
		  0x0040000080000481ULL, 0x005ffffffffff49fULL },
	};

	check_hand_encoded(&s1, he, RTE_DIM(he));
}

Test(iopt_arm_lpae, s2_descriptors_match_hand_encoding)
{
	static const struct fmt_cfg s2 = { UIOMMU_IOPT_ARM_LPAE_S2, 48 };
	static const struct hand_encoded he[] = {
		/* page 0b11, MemAttr 0xf, S2AP 0b11, SH 0b11, AF, OA, XN */
		{ SZ_4K, 0x1234000ULL, PROT_RW | UIOMMU_PROT_CACHE,
		  0x00400000012347ffULL, 0x005fffffffffffffULL },
		/* block 0b01, MemAttr 0x1, S2AP 0b10, AF, OA, XN */
		{ SZ_2M, 0x40200000ULL, UIOMMU_PROT_WRITE | UIOMMU_PROT_MMIO,
		  0x0040000040200485ULL, 0x005ffffffffffcffULL },
		/* page 0b11, MemAttr 0x5, S2AP 0b01, AF, OA, XN */
		{ SZ_4K, 0x1234000ULL, UIOMMU_PROT_READ,
		  0x0040000001234457ULL, 0x005ffffffffffcffULL },
	};

	check_hand_encoded(&s2, he, RTE_DIM(he));
}

/* ------------------------------------------------- malformed entries -- */

EVERY_CFG_TEST(leaf_without_af_faults_access_flag)
{
	static const struct {
		uint64_t offset;
		uint64_t size;
		unsigned int level;
	} leaves[] = {
		{ 0, SZ_4K, 3 },
		{ SZ_2M, SZ_2M, 2 },
		{ SZ_1G, SZ_1G, 1 },
	};
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	for (i = 0; i < RTE_DIM(leaves); i++) {
		uint64_t iova = f.window + leaves[i].offset;
		uint64_t *ptep, pte;
		unsigned int level;

		map_ok(&f, iova, oa_of(&f, iova), leaves[i].size, PROT_RW);
		ptep = find_pte(&f, iova, &level);
		cr_assert_eq(level, leaves[i].level);
		pte = *ptep;
		*ptep = pte & ~ARM_LPAE_PTE_AF;
		assert_faults(&f, iova, UIOMMU_FAULT_ACCESS_FLAG,
			      leaves[i].level);
		*ptep = pte;
		assert_translates(&f, iova, oa_of(&f, iova),
				  level == 3 ? 12 : level == 2 ? 21 : 30,
				  PROT_RW);
	}
	fixture_fini(&f);
}

/* Arm ARM D8.3: at level 3, Desc[1:0] = 0b01 is reserved and treated as
 * invalid, which faults as Translation at that level. */
EVERY_CFG_TEST(level3_reserved_type_faults_translation)
{
	uint64_t *ptep, pte;
	unsigned int level;
	struct fixture f;

	fixture_init(&f, fc);
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	ptep = find_pte(&f, f.window, &level);
	cr_assert_eq(level, 3);
	pte = *ptep;
	*ptep = (pte & ~0x3ULL) | 0x1;
	assert_faults(&f, f.window, UIOMMU_FAULT_TRANSLATION, 3);
	*ptep = pte;
	assert_translates(&f, f.window, OA_BASE, 12, PROT_RW);
	fixture_fini(&f);
}

/* Arm ARM D8.3: with the 4 KiB granule and 48-bit addresses (no
 * FEAT_LPA2), a level 0 descriptor with Desc[1:0] = 0b01 is invalid:
 * there are no level 0 blocks. A Translation fault at level 0. */
CFG_TEST(level0_cfgs, level0_block_faults_translation)
{
	uint64_t *root, *ptep, pte;
	struct fixture f;

	fixture_init(&f, fc);
	cr_assert_eq(f.iopt->start_level, 0);
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	root = (uint64_t *)(uintptr_t)f.iopt->root;
	ptep = &root[(f.window >> 39) & 511];
	pte = *ptep;
	/* An otherwise well-formed 512 GiB block: AF, XN, OA 0. */
	*ptep = 0x0040000000000401ULL;
	assert_faults(&f, f.window, UIOMMU_FAULT_TRANSLATION, 0);
	*ptep = pte;
	assert_translates(&f, f.window, OA_BASE, 12, PROT_RW);
	fixture_fini(&f);
}

/* ------------------------------------------------ randomized vs model -- */

#define RANDOM_OPS		300000
#define RANDOM_LEAK_OPS		5000
/* The window: 2 GiB across 1 << (ias - 1), a boundary between entries of
 * the top-level table, so ranges cross level-0/1 entries too. */
#define RANDOM_PAGES		(2 * SZ_1G / SZ_4K)
#define RANDOM_RECENT		1024u	/* maps that unmaps aim at */
#define RANDOM_SPOT_CHECKS	2	/* random pages walked per op */

/* The reference model: what each 4 KiB page of the window maps to. */
struct model_page {
	uint64_t oa;	/* 0: unmapped (every fake OA is >= OA_BASE) */
	uint8_t prot;	/* READ/WRITE, as walk reports them */
};

struct page_range {
	uint64_t first;	/* page index in the window */
	uint64_t n;
};

struct random_run {
	struct fixture f;
	uint64_t base;		/* IOVA of the window */
	struct model_page *model;
	uint64_t n_mapped;	/* pages mapped in the model */
	struct page_range recent[RANDOM_RECENT];
	unsigned int n_recent;
	const uint32_t *prots;
	unsigned int n_prots;
	unsigned long checkpoint;	/* ops between full comparisons */
	unsigned long n_ops;
	uint64_t seed;
	uint64_t rng;
	unsigned long op;
	/* What the run did, to show it covered something. */
	unsigned long maps, maps_refused, unmaps, unmaps_refused;
	uint64_t leaf_pages[3];	/* summed over full checks: 4K, 2M, 1G */
};

#define RUN_FMT		"%s seed %" PRIu64 " op %lu"
#define RUN_ARGS(r)	(r)->f.name, (r)->seed, (r)->op

static uint64_t
random_seed(void)
{
	const char *env = getenv("UIOMMU_TEST_SEED");

	if (env != NULL && *env != '\0')
		return strtoull(env, NULL, 0);
	return ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
}

/* splitmix64: a fixed generator, so a seed replays on any libc. */
static uint64_t
rand64(struct random_run *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rand_below(struct random_run *r, uint64_t n)
{
	return rand64(r) % n;
}

/* Sizes around the block sizes, where splits and mixed leaves happen. */
static uint64_t
random_block_pages(struct random_run *r)
{
	switch (rand_below(r, 5)) {
	case 0:
		return PAGES_PER_2M;
	case 1:
		return PAGES_PER_2M - 1;
	case 2:
		return PAGES_PER_2M + 1;
	case 3:
		return 2 * PAGES_PER_2M + 2;
	default:
		return (1 + rand_below(r, 8)) * PAGES_PER_2M;
	}
}

static uint64_t
random_pages(struct random_run *r)
{
	switch (rand_below(r, 4)) {
	case 0:
		return random_block_pages(r);
	case 1:
		return 1 + rand_below(r, 2 * PAGES_PER_2M);
	default:
		return 1 + rand_below(r, 16);	/* 4K..64K */
	}
}

/* Anywhere, any size. */
static struct page_range
random_range(struct random_run *r)
{
	struct page_range range;

	range.first = rand_below(r, RANDOM_PAGES);
	if (rand_below(r, 2) == 0)
		range.first &= ~(PAGES_PER_2M - 1);
	range.n = RTE_MIN(random_pages(r), RANDOM_PAGES - range.first);
	return range;
}

/*
 * Where maps go: block-sized ones on 2M boundaries; small ones right after
 * a recent map, so that they pack instead of leaving no 2M free anywhere;
 * the rest anywhere.
 */
static struct page_range
random_map_range(struct random_run *r)
{
	unsigned int n_recent = RTE_MIN(r->n_recent, RANDOM_RECENT);
	struct page_range range;

	switch (rand_below(r, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		range.first = rand_below(r, RANDOM_PAGES) &
			      ~(PAGES_PER_2M - 1);
		range.n = random_block_pages(r);
		break;
	case 4:
	case 5:
	case 6:
		if (n_recent > 0) {
			struct page_range rec =
				r->recent[rand_below(r, n_recent)];

			range.first = (rec.first + rec.n) % RANDOM_PAGES;
			range.n = 1 + rand_below(r, 16);
			break;
		}
		/* fall through */
	default:
		return random_range(r);
	}
	range.n = RTE_MIN(range.n, RANDOM_PAGES - range.first);
	return range;
}

static uint64_t
model_count_mapped(const struct random_run *r, struct page_range range)
{
	uint64_t page, n = 0;

	for (page = range.first; page < range.first + range.n; page++)
		n += r->model[page].oa != 0;
	return n;
}

/* Returns the page shift of the leaf, 0 for a hole. */
static unsigned int
check_page(const struct random_run *r, uint64_t page)
{
	const struct model_page *m = &r->model[page];
	uint64_t iova = r->base + page * SZ_4K;
	struct uiommu_walk_result res = walk(&r->f, iova);
	uint64_t out;

	if (m->oa == 0) {
		cr_assert_eq(res.reason, UIOMMU_FAULT_TRANSLATION, RUN_FMT
			     ": walk(%#" PRIx64 "): reason %u out %#" PRIx64
			     ", the model has no mapping", RUN_ARGS(r), iova,
			     res.reason, res.out);
		return 0;
	}
	cr_assert_eq(res.reason, UIOMMU_FAULT_NONE, RUN_FMT ": walk(%#"
		     PRIx64 "): reason %u level %u, the model maps it to %#"
		     PRIx64, RUN_ARGS(r), iova, res.reason, res.level, m->oa);
	cr_assert(res.pgshift == 12 || res.pgshift == 21 || res.pgshift == 30,
		  RUN_FMT ": walk(%#" PRIx64 "): pgshift %u", RUN_ARGS(r),
		  iova, res.pgshift);
	out = res.out + (iova & ((1ULL << res.pgshift) - 1));
	cr_assert_eq(out, m->oa, RUN_FMT ": walk(%#" PRIx64 "): %#" PRIx64
		     " (pgshift %u), the model says %#" PRIx64, RUN_ARGS(r),
		     iova, out, res.pgshift, m->oa);
	cr_assert_eq(res.prot, m->prot, RUN_FMT ": walk(%#" PRIx64
		     "): prot %#x, the model says %#x", RUN_ARGS(r), iova,
		     res.prot, m->prot);
	return res.pgshift;
}

/* The edges of the range an op touched, their neighbours, a few others. */
static void
spot_check(struct random_run *r, struct page_range range)
{
	unsigned int i;

	if (range.first > 0)
		check_page(r, range.first - 1);
	check_page(r, range.first);
	check_page(r, range.first + range.n - 1);
	if (range.first + range.n < RANDOM_PAGES)
		check_page(r, range.first + range.n);
	for (i = 0; i < RANDOM_SPOT_CHECKS; i++)
		check_page(r, rand_below(r, RANDOM_PAGES));
}

static void
check_every_page(struct random_run *r)
{
	uint64_t page;

	for (page = 0; page < RANDOM_PAGES; page++) {
		unsigned int pgshift = check_page(r, page);

		if (pgshift != 0)
			r->leaf_pages[(pgshift - 12) / 9]++;
	}
}

static void
run_map(struct random_run *r, struct page_range range, uint64_t oa,
	uint32_t prot)
{
	uint64_t iova = r->base + range.first * SZ_4K;
	uint64_t size = range.n * SZ_4K;
	struct iopt *iopt = r->f.iopt;
	struct iopt_gather gather;
	uint64_t i;
	int ret;

	iopt_gather_init(&gather);
	cr_assert_eq(iopt_gather_reserve(&gather, size), 0);
	ret = iopt->ops->map(iopt, iova, oa, size, prot, &gather);
	cr_assert_eq(ret, 0, RUN_FMT ": map(%#" PRIx64 ", oa %#" PRIx64
		     ", %#" PRIx64 ", prot %#x) = %d", RUN_ARGS(r), iova, oa,
		     size, prot, ret);
	iopt_gather_release(iopt, &gather);
	iopt_gather_fini(&gather);
	for (i = 0; i < range.n; i++) {
		r->model[range.first + i].oa = oa + i * SZ_4K;
		r->model[range.first + i].prot = prot & PROT_RW;
	}
	r->n_mapped += range.n;
}

static void
run_unmap(struct random_run *r, struct page_range range)
{
	uint64_t iova = r->base + range.first * SZ_4K;
	uint64_t size = range.n * SZ_4K;
	struct iopt *iopt = r->f.iopt;
	struct iopt_gather gather;
	uint64_t i;
	int ret;

	ret = iopt->ops->split_edges(iopt, iova, size);
	cr_assert_eq(ret, 0, RUN_FMT ": split_edges(%#" PRIx64 ", %#" PRIx64
		     ") = %d", RUN_ARGS(r), iova, size, ret);
	iopt_gather_init(&gather);
	cr_assert_eq(iopt_gather_reserve(&gather, size), 0);
	iopt->ops->unmap(iopt, iova, size, &gather);
	cr_assert(gather.first <= iova && gather.last >= iova + size - 1,
		  RUN_FMT ": unmap(%#" PRIx64 ", %#" PRIx64 ") gathered [%#"
		  PRIx64 ", %#" PRIx64 "]", RUN_ARGS(r), iova, size,
		  gather.first, gather.last);
	iopt_gather_release(iopt, &gather);
	iopt_gather_fini(&gather);
	for (i = 0; i < range.n; i++)
		r->model[range.first + i].oa = 0;
	r->n_mapped -= range.n;
}

static void
random_map(struct random_run *r)
{
	struct page_range range = random_map_range(r);
	uint64_t iova = r->base + range.first * SZ_4K;
	uint32_t prot = r->prots[rand_below(r, r->n_prots)];
	int want, ret;
	uint64_t oa;

	/* Mostly congruent with the IOVA modulo 2M, so blocks can be used. */
	if (rand_below(r, 4) == 0)
		oa = OA_BASE + rand_below(r, RANDOM_PAGES) * SZ_4K;
	else
		oa = OA_BASE + range.first * SZ_4K +
		     rand_below(r, 512) * SZ_2M;
	want = model_count_mapped(r, range) != 0 ? -EEXIST : 0;
	ret = r->f.iopt->ops->check_unmapped(r->f.iopt, iova,
					     range.n * SZ_4K);
	cr_assert_eq(ret, want, RUN_FMT ": check_unmapped(%#" PRIx64 ", %#"
		     PRIx64 ") = %d, the model says %d", RUN_ARGS(r), iova,
		     range.n * SZ_4K, ret, want);
	if (ret == 0) {
		run_map(r, range, oa, prot);
		r->recent[r->n_recent++ % RANDOM_RECENT] = range;
		r->maps++;
	} else {
		r->maps_refused++;
	}
	spot_check(r, range);
}

/* Unmap every run of mapped pages in @area, whatever maps made them: runs
 * cut at the area's edges split what straddles them. */
static void
random_clear(struct random_run *r, struct page_range area)
{
	uint64_t page = area.first, end = area.first + area.n;

	while (page < end) {
		struct page_range range = { page, 0 };
		int ret;

		if (r->model[page].oa == 0) {
			page++;
			continue;
		}
		while (page < end && r->model[page].oa != 0)
			page++;
		range.n = page - range.first;
		ret = r->f.iopt->ops->check_mapped(r->f.iopt,
				r->base + range.first * SZ_4K,
				range.n * SZ_4K);
		cr_assert_eq(ret, 0, RUN_FMT ": check_mapped(%#" PRIx64 ", %#"
			     PRIx64 ") = %d on a mapped run", RUN_ARGS(r),
			     r->base + range.first * SZ_4K, range.n * SZ_4K,
			     ret);
		run_unmap(r, range);
		r->unmaps++;
	}
}

static void
random_unmap_all(struct random_run *r)
{
	struct page_range window = { 0, RANDOM_PAGES };

	random_clear(r, window);
	r->n_recent = 0;
}

/*
 * Part of the run of mapped pages around a random page (at most 1024 pages
 * either side), which may span several maps and cut through blocks; a hole
 * gives a one-page range there.
 */
static struct page_range
random_mapped_range(struct random_run *r)
{
	uint64_t page = rand_below(r, RANDOM_PAGES);
	uint64_t start = page, end = page + 1;
	struct page_range range = { page, 1 };

	if (r->model[page].oa == 0)
		return range;
	while (start > 0 && r->model[start - 1].oa != 0 &&
	       page - start < 1024)
		start--;
	while (end < RANDOM_PAGES && r->model[end].oa != 0 &&
	       end - page < 1024)
		end++;
	if (rand_below(r, 2) == 0) {
		range.first = start;
		range.n = end - start;
	} else {
		range.first = start + rand_below(r, end - start);
		range.n = 1 + rand_below(r, end - range.first);
	}
	return range;
}

static void
random_unmap(struct random_run *r)
{
	unsigned int n_recent = RTE_MIN(r->n_recent, RANDOM_RECENT);
	struct page_range range;
	uint64_t iova;
	int want, ret;

	switch (rand_below(r, 5)) {
	case 0:
		range = random_range(r);
		break;
	case 1:
		/* Free 2M or 16M on 2M boundaries, for blocks to come. */
		range.first = rand_below(r, RANDOM_PAGES) &
			      ~(PAGES_PER_2M - 1);
		range.n = RTE_MIN(PAGES_PER_2M << (rand_below(r, 2) * 3),
				  RANDOM_PAGES - range.first);
		random_clear(r, range);
		spot_check(r, range);
		return;
	case 2:
		/* Exactly what a map made, if nothing carved it since. */
		if (n_recent > 0) {
			range = r->recent[rand_below(r, n_recent)];
			break;
		}
		/* fall through */
	default:
		range = random_mapped_range(r);
		break;
	}
	iova = r->base + range.first * SZ_4K;
	want = model_count_mapped(r, range) == range.n ? 0 : -ENOENT;
	ret = r->f.iopt->ops->check_mapped(r->f.iopt, iova, range.n * SZ_4K);
	cr_assert_eq(ret, want, RUN_FMT ": check_mapped(%#" PRIx64 ", %#"
		     PRIx64 ") = %d, the model says %d", RUN_ARGS(r), iova,
		     range.n * SZ_4K, ret, want);
	if (ret == 0) {
		run_unmap(r, range);
		r->unmaps++;
	} else {
		r->unmaps_refused++;
	}
	spot_check(r, range);
}

/* Compare everything; then, half the time, start over from an empty
 * window but for one 1G block, which the ops to come will carve up. */
static void
random_checkpoint(struct random_run *r)
{
	struct page_range giga = { 0, SZ_1G / SZ_4K };
	uint64_t iova;

	check_every_page(r);
	if (rand_below(r, 2) != 0 || r->op == r->n_ops)
		return;
	random_unmap_all(r);
	check_every_page(r);
	giga.first = rand_below(r, RANDOM_PAGES / giga.n) * giga.n;
	iova = r->base + giga.first * SZ_4K;
	cr_assert_eq(r->f.iopt->ops->check_unmapped(r->f.iopt, iova, SZ_1G),
		     0, RUN_FMT ": window not empty after unmapping all",
		     RUN_ARGS(r));
	run_map(r, giga, OA_BASE + rand_below(r, 4) * SZ_1G,
		r->prots[rand_below(r, r->n_prots)]);
	assert_translates(&r->f, iova, r->model[giga.first].oa, 30,
			  r->model[giga.first].prot);
	r->recent[r->n_recent++] = giga;
}

static void
random_run_init(struct random_run *r, const struct fmt_cfg *fc,
		unsigned long checkpoint)
{
	memset(r, 0, sizeof(*r));
	fixture_init(&r->f, fc);
	r->base = (1ULL << (fc->ias - 1)) - SZ_1G;
	r->model = calloc(RANDOM_PAGES, sizeof(*r->model));
	cr_assert_not_null(r->model);
	r->prots = fixture_prots(&r->f, &r->n_prots);
	r->checkpoint = checkpoint;
	r->seed = random_seed();
	r->rng = r->seed;
	cr_log_info("%s: seed %" PRIu64 " (UIOMMU_TEST_SEED=%" PRIu64
		    " repeats it)", r->f.name, r->seed, r->seed);
}

/* Maps are likelier the emptier the window: it stays about half full. */
static void
random_run_ops(struct random_run *r, unsigned long n_ops)
{
	r->n_ops = n_ops;
	while (r->op < n_ops) {
		r->op++;
		if (rand_below(r, RANDOM_PAGES) >= r->n_mapped)
			random_map(r);
		else
			random_unmap(r);
		if (r->op % r->checkpoint == 0)
			random_checkpoint(r);
	}
}

static void
random_run_fini(struct random_run *r)
{
	fixture_fini(&r->f);
	free(r->model);
}

EVERY_CFG_TEST(random_ops_match_model)
{
	struct random_run *r = malloc(sizeof(*r));

	cr_assert_not_null(r);
	random_run_init(r, fc, 20000);
	random_run_ops(r, RANDOM_OPS);
	check_every_page(r);
	cr_log_info("%s: %lu maps (%lu refused), %lu unmaps (%lu refused); "
		    "pages seen at full checks: %" PRIu64 " in 4K leaves, %"
		    PRIu64 " in 2M, %" PRIu64 " in 1G", r->f.name, r->maps,
		    r->maps_refused, r->unmaps, r->unmaps_refused,
		    r->leaf_pages[0], r->leaf_pages[1], r->leaf_pages[2]);
	random_run_fini(r);
	free(r);
}

/* ------------------------------------------------------------- leaks -- */

EVERY_CFG_TEST(free_releases_every_table)
{
	uint64_t allocs = heap_alloc_count();
	struct random_run *r = malloc(sizeof(*r));

	cr_assert_not_null(r);
	random_run_init(r, fc, 1000);
	random_run_ops(r, RANDOM_LEAK_OPS);
	random_run_fini(r);
	cr_assert_eq(heap_alloc_count(), allocs, "%s: %" PRIu64
		     " rte_malloc allocations before, %" PRIu64 " after",
		     r->f.name, allocs, heap_alloc_count());
	free(r);
}

EVERY_CFG_TEST(unmap_all_then_free_releases_every_table)
{
	uint64_t allocs = heap_alloc_count();
	struct random_run *r = malloc(sizeof(*r));

	cr_assert_not_null(r);
	random_run_init(r, fc, 1000);
	random_run_ops(r, RANDOM_LEAK_OPS);
	random_unmap_all(r);
	check_every_page(r);
	random_run_fini(r);
	cr_assert_eq(heap_alloc_count(), allocs, "%s: %" PRIu64
		     " rte_malloc allocations before, %" PRIu64 " after",
		     r->f.name, allocs, heap_alloc_count());
	free(r);
}
