/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the Intel VT-d I/O page-table formats (lib/iommu/iopt_vtd.c, over
 * the radix engine of iopt_radix.c), driven through iopt_private.h the way
 * the domain code drives them: check_unmapped before map; check_mapped and
 * split_edges before unmap; tables an operation unlinks released from the
 * gather at once (single-threaded: no walker can still hold them).
 *
 * Every behaviour runs on every configuration: first level with 47 input
 * bits (4 levels, the lower canonical half), second level with 39 bits
 * (3 levels, SAGAW bit 1) and with 48 (4 levels, SAGAW bit 2). Entry
 * layouts are checked against encodings written out by hand from the VT-d
 * spec (9.7 "First-Level Paging Entries", 9.8 "Second-Level Paging
 * Entries"), and the finding of entries below walks the tables with literal
 * bit positions, not the header's macros.
 *
 * Output addresses are fake but aligned: the format never dereferences one.
 */
#include <errno.h>
#include <inttypes.h>
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
#include <rte_errno.h>
#include <rte_malloc.h>

#include "iopt_private.h"
#include "iopt_radix.h"
#include "iopt_vtd.h"
#include "uiommu_test.h"

#define PAGES_PER_2M	(SZ_2M / SZ_4K)
#define OAS		48
#define OA_BASE		0x40000000ULL	/* 1 GiB aligned, non-zero */
#define ADDR_51_12	0x000ffffffffff000ULL

static void
eal_setup(void)
{
	test_eal_init("test_iopt_vtd");
}

TestSuite(iopt_vtd, .init = eal_setup, .fini = test_eal_cleanup,
	  .timeout = 60);

/* ---------------------------------------------------- configurations -- */

struct fmt_cfg {
	enum uiommu_iopt_fmt fmt;
	unsigned int ias;
};

static const struct fmt_cfg every_cfg[] = {
	{ UIOMMU_IOPT_VTD_FL, 47 },	/* 4 levels, lower canonical half */
	{ UIOMMU_IOPT_VTD_SL, 39 },	/* 3 levels: walk starts at level 1 */
	{ UIOMMU_IOPT_VTD_SL, 48 },	/* 4 levels */
};

#define EVERY_CFG_TEST(name) \
	ParameterizedTestParameters(iopt_vtd, name) \
	{ \
		return cr_make_param_array(struct fmt_cfg, every_cfg, \
					   RTE_DIM(every_cfg)); \
	} \
	ParameterizedTest(struct fmt_cfg *fc, iopt_vtd, name)

/* The first level cannot express write-only (present means readable). */
static const uint32_t fl_prots[] = {
	UIOMMU_PROT_READ,
	PROT_RW,
	UIOMMU_PROT_READ | UIOMMU_PROT_CACHE,
	PROT_RW | UIOMMU_PROT_CACHE,
	UIOMMU_PROT_READ | UIOMMU_PROT_MMIO,
	PROT_RW | UIOMMU_PROT_MMIO,
};

static const uint32_t sl_prots[] = {
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
	bool fl;
	unsigned int ias;
	uint64_t window;	/* the top 4 GiB of the input range */
	char name[16];		/* "FL/ias47" */
};

static void
fixture_init(struct fixture *f, const struct fmt_cfg *fc)
{
	struct iopt_cfg cfg = {
		.fmt = fc->fmt,
		.ias = fc->ias,
		.oas = OAS,
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.socket_id = SOCKET_ID_ANY,
	};

	f->fl = fc->fmt == UIOMMU_IOPT_VTD_FL;
	f->ias = fc->ias;
	f->window = (1ULL << fc->ias) - 4 * SZ_1G;
	snprintf(f->name, sizeof(f->name), "%s/ias%u", f->fl ? "FL" : "SL",
		 fc->ias);
	f->iopt = iopt_alloc(&cfg);
	cr_assert_not_null(f->iopt, "%s: iopt_alloc: rte_errno %d", f->name,
			   rte_errno);
}

static void
fixture_fini(struct fixture *f)
{
	iopt_free(f->iopt);
	f->iopt = NULL;
}

static uint64_t
oa_of(const struct fixture *f, uint64_t iova)
{
	return OA_BASE + (iova - f->window);
}

static const uint32_t *
fixture_prots(const struct fixture *f, unsigned int *n)
{
	*n = f->fl ? RTE_DIM(fl_prots) : RTE_DIM(sl_prots);
	return f->fl ? fl_prots : sl_prots;
}

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
	cr_assert_eq(ret, 0, "%s: split_edges = %d", f->name, ret);
	iopt_gather_init(gather);
	cr_assert_eq(iopt_gather_reserve(gather, size), 0);
	iopt->ops->unmap(iopt, iova, size, gather);
	cr_assert(gather->first <= iova && gather->last >= iova + size - 1,
		  "%s: unmap(%#" PRIx64 ", %#" PRIx64 ") gathered [%#" PRIx64
		  ", %#" PRIx64 "]", f->name, iova, size, gather->first,
		  gather->last);
}

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
	cr_assert_eq(res.level, 3 - (pgshift - 12) / 9);
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

/* Present: FL P (bit 0); SL any of R, W, X (bits 2:0). */
static bool
present(const struct fixture *f, uint64_t pte)
{
	return f->fl ? (pte & 0x1) != 0 : (pte & 0x7) != 0;
}

/*
 * The entry that translates @iova, and its level, found with literal bit
 * positions: index = IOVA[s+8:s], s = 12 + 9 * (3 - level); a present
 * entry above level 3 without PS (bit 7) links ADDR[51:12].
 */
static uint64_t *
find_pte(const struct fixture *f, uint64_t iova, unsigned int *level)
{
	uint64_t *table = (uint64_t *)(uintptr_t)f->iopt->root;
	unsigned int lvl;

	for (lvl = f->iopt->start_level;; lvl++) {
		unsigned int shift = 12 + 9 * (3 - lvl);
		uint64_t *ptep = &table[(iova >> shift) & 511];

		if (lvl == 3 || !present(f, *ptep) || (*ptep & 0x80)) {
			*level = lvl;
			return ptep;
		}
		table = (uint64_t *)(uintptr_t)(*ptep & ADDR_51_12);
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

/* ------------------------------------------------------------- alloc -- */

Test(iopt_vtd, alloc_rejects_ias_and_oas_out_of_range)
{
	static const struct iopt_cfg bad[] = {
		{ UIOMMU_IOPT_VTD_FL, 48, OAS, 0, SOCKET_ID_ANY },
		{ UIOMMU_IOPT_VTD_FL, 31, OAS, 0, SOCKET_ID_ANY },
		{ UIOMMU_IOPT_VTD_SL, 49, OAS, 0, SOCKET_ID_ANY },
		{ UIOMMU_IOPT_VTD_SL, 31, OAS, 0, SOCKET_ID_ANY },
		{ UIOMMU_IOPT_VTD_SL, 48, 53, 0, SOCKET_ID_ANY },
		{ UIOMMU_IOPT_VTD_FL, 47, 31, 0, SOCKET_ID_ANY },
	};
	uint64_t allocs = test_heap_now().allocs;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		rte_errno = 0;
		cr_assert_null(iopt_alloc(&bad[i]), "case %u allocated", i);
		cr_assert_eq(rte_errno, EINVAL, "case %u: rte_errno %d", i,
			     rte_errno);
	}
	cr_assert_eq(test_heap_now().allocs, allocs);
}

Test(iopt_vtd, format_widths)
{
	cr_assert_eq(iopt_fmt_max_ias(UIOMMU_IOPT_VTD_FL), 47);
	cr_assert_eq(iopt_fmt_max_ias(UIOMMU_IOPT_VTD_SL), 48);
	cr_assert_eq(iopt_fmt_max_ias(UIOMMU_IOPT_ARM_LPAE_S1), 48);
	cr_assert_eq(iopt_fmt_max_ias(UIOMMU_IOPT_DEFAULT), 0);
	/* AW: 1 = 39 bits / 3 levels, 2 = 48 bits / 4 levels. */
	cr_assert_eq(vtd_sl_aw(1), 1);
	cr_assert_eq(vtd_sl_aw(0), 2);
	cr_assert_eq(VTD_SAGAW_39, 0x2);
	cr_assert_eq(VTD_SAGAW_48, 0x4);
}

Test(iopt_vtd, sl_start_level_covers_ias)
{
	static const struct {
		unsigned int ias;
		unsigned int start_level;
	} cases[] = { { 32, 1 }, { 39, 1 }, { 40, 0 }, { 48, 0 } };
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		struct fmt_cfg fc = { UIOMMU_IOPT_VTD_SL, cases[i].ias };
		struct fixture f;

		fixture_init(&f, &fc);
		cr_assert_eq(f.iopt->start_level, cases[i].start_level,
			     "ias %u: start level %u", cases[i].ias,
			     f.iopt->start_level);
		fixture_fini(&f);
	}
}

EVERY_CFG_TEST(alloc_starts_walk_at_level_for_ias)
{
	struct fixture f;

	fixture_init(&f, fc);
	cr_assert_eq(f.iopt->start_level, fc->ias == 39 ? 1u : 0u,
		     "%s: start level %u", f.name, f.iopt->start_level);
	cr_assert_eq(f.iopt->n_tables, 1);
	cr_assert_eq(f.iopt->root & (SZ_4K - 1), 0);
	/* Write-only is a property of the format. */
	cr_assert_eq(f.iopt->ops->no_write_only, f.fl);
	fixture_fini(&f);
}

/* ------------------------------------------------------- bit layouts -- */

struct hand_encoded {
	uint64_t size;
	uint64_t oa;
	uint32_t prot;
	uint64_t pte;	/* the whole entry: every bit is the format's */
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
		cr_assert_eq(pte, he[i].pte, "%s: prot %#x oa %#" PRIx64
			     ": pte %#" PRIx64 ", want %#" PRIx64, f.name,
			     he[i].prot, he[i].oa, pte, he[i].pte);
		unmap_ok(&f, iova, he[i].size);
	}
	fixture_fini(&f);
}

Test(iopt_vtd, sl_leaves_match_hand_encoding)
{
	static const struct fmt_cfg sl = { UIOMMU_IOPT_VTD_SL, 48 };
	static const struct hand_encoded he[] = {
		/* R, W, EMT 6 (WB) in [5:3], A, D, SNP[11], ADDR */
		{ SZ_4K, 0x1234000ULL, PROT_RW | UIOMMU_PROT_CACHE,
		  0x0000000001234b33ULL },
		/* W only, EMT 0 (UC), PS, A, D */
		{ SZ_2M, 0x40200000ULL, UIOMMU_PROT_WRITE | UIOMMU_PROT_MMIO,
		  0x0000000040200382ULL },
		/* R only, EMT 0, PS, A, D */
		{ SZ_1G, 0x80000000ULL, UIOMMU_PROT_READ,
		  0x0000000080000381ULL },
		/* ADDR up to bit 47; PS clear at level 3 */
		{ SZ_4K, 0xfffffffff000ULL, UIOMMU_PROT_READ,
		  0x0000fffffffff301ULL },
	};

	check_hand_encoded(&sl, he, RTE_DIM(he));
}

Test(iopt_vtd, fl_leaves_match_hand_encoding)
{
	static const struct fmt_cfg fl = { UIOMMU_IOPT_VTD_FL, 47 };
	static const struct hand_encoded he[] = {
		/* P, R/W, U/S, A, D, XD[63], ADDR */
		{ SZ_4K, 0x1234000ULL, PROT_RW | UIOMMU_PROT_CACHE,
		  0x8000000001234067ULL },
		/* P, U/S, PCD, A, D, PS, XD: read-only device memory */
		{ SZ_2M, 0x40200000ULL, UIOMMU_PROT_READ | UIOMMU_PROT_MMIO,
		  0x80000000402000f5ULL },
		/* P, U/S, A, D, PS, XD */
		{ SZ_1G, 0x80000000ULL, UIOMMU_PROT_READ,
		  0x80000000800000e5ULL },
		/* P, R/W, U/S, A, D, XD; PAT (bit 7 at level 3) clear */
		{ SZ_4K, 0xfffffffff000ULL, PROT_RW,
		  0x8000fffffffff067ULL },
	};

	check_hand_encoded(&fl, he, RTE_DIM(he));
}

/* Non-leaf entries: SL R|W (0x3), FL P|R/W|U/S|A (0x27), and the next
 * table's address; nothing else. */
EVERY_CFG_TEST(table_entries_match_hand_encoding)
{
	uint64_t want_flags;
	uint64_t *table;
	unsigned int level;
	struct fixture f;

	fixture_init(&f, fc);
	want_flags = f.fl ? 0x27 : 0x3;
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	table = (uint64_t *)(uintptr_t)f.iopt->root;
	for (level = f.iopt->start_level; level < 3; level++) {
		unsigned int shift = 12 + 9 * (3 - level);
		uint64_t pte = table[(f.window >> shift) & 511];

		cr_assert_eq(pte & ~ADDR_51_12, want_flags, "%s: level %u "
			     "entry %#" PRIx64, f.name, level, pte);
		cr_assert_neq(pte & ADDR_51_12, 0);
		table = (uint64_t *)(uintptr_t)(pte & ADDR_51_12);
	}
	fixture_fini(&f);
}

Test(iopt_vtd, header_fields_match_spec_bit_positions)
{
	cr_assert_eq(VTD_SL_PTE_R, 1ULL << 0);
	cr_assert_eq(VTD_SL_PTE_W, 1ULL << 1);
	cr_assert_eq(VTD_SL_PTE_X, 1ULL << 2);
	cr_assert_eq(VTD_SL_PTE_EMT, 0x38ULL);
	cr_assert_eq(VTD_SL_PTE_IPAT, 1ULL << 6);
	cr_assert_eq(VTD_SL_PTE_PS, 1ULL << 7);
	cr_assert_eq(VTD_SL_PTE_A, 1ULL << 8);
	cr_assert_eq(VTD_SL_PTE_D, 1ULL << 9);
	cr_assert_eq(VTD_SL_PTE_SNP, 1ULL << 11);
	cr_assert_eq(VTD_SL_PTE_ADDR, ADDR_51_12);
	cr_assert_eq(VTD_SL_PTE_TM, 1ULL << 62);
	cr_assert_eq(VTD_EMT_WB, 6);
	cr_assert_eq(VTD_EMT_UC, 0);
	cr_assert_eq(VTD_FL_PTE_P, 1ULL << 0);
	cr_assert_eq(VTD_FL_PTE_RW, 1ULL << 1);
	cr_assert_eq(VTD_FL_PTE_US, 1ULL << 2);
	cr_assert_eq(VTD_FL_PTE_PWT, 1ULL << 3);
	cr_assert_eq(VTD_FL_PTE_PCD, 1ULL << 4);
	cr_assert_eq(VTD_FL_PTE_A, 1ULL << 5);
	cr_assert_eq(VTD_FL_PTE_D, 1ULL << 6);
	cr_assert_eq(VTD_FL_PTE_PS, 1ULL << 7);
	cr_assert_eq(VTD_FL_PTE_G, 1ULL << 8);
	cr_assert_eq(VTD_FL_PTE_ADDR, ADDR_51_12);
	cr_assert_eq(VTD_FL_PTE_XD, 1ULL << 63);
}

/* --------------------------------------------------------------- map -- */

EVERY_CFG_TEST(map_every_page_size_and_prot)
{
	static const struct {
		uint64_t offset;
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
			uint64_t last = iova + leaves[i].size - 1;

			map_ok(&f, iova, oa_of(&f, iova), leaves[i].size,
			       prots[p]);
			assert_translates(&f, iova, oa_of(&f, iova),
					  leaves[i].pgshift, prots[p]);
			assert_translates(&f, last, oa_of(&f, last),
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
	static const struct {
		uint64_t offset;
		unsigned int pgshift;
	} leaves[] = {
		{ SZ_1G - SZ_4K, 12 },
		{ SZ_1G, 30 },
		{ 2 * SZ_1G, 21 },
		{ 2 * SZ_1G + SZ_2M, 12 },
	};
	uint64_t iova;
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	iova = f.window + SZ_1G - SZ_4K;
	map_ok(&f, iova, oa_of(&f, iova), SZ_1G + SZ_2M + 2 * SZ_4K,
	       PROT_RW);
	for (i = 0; i < RTE_DIM(leaves); i++) {
		uint64_t first = f.window + leaves[i].offset;

		assert_translates(&f, first, oa_of(&f, first),
				  leaves[i].pgshift, PROT_RW);
	}
	assert_faults(&f, iova - SZ_4K, UIOMMU_FAULT_TRANSLATION, 3);
	assert_faults(&f, f.window + 2 * SZ_1G + SZ_2M + SZ_4K,
		      UIOMMU_FAULT_TRANSLATION, 3);
	fixture_fini(&f);
}

EVERY_CFG_TEST(map_misaligned_oa_uses_pages)
{
	struct fixture f;

	fixture_init(&f, fc);
	map_ok(&f, f.window + SZ_2M, OA_BASE + SZ_4K, SZ_2M, PROT_RW);
	assert_translates(&f, f.window + SZ_2M, OA_BASE + SZ_4K, 12,
			  PROT_RW);
	assert_translates(&f, f.window + 2 * SZ_2M - SZ_4K,
			  OA_BASE + SZ_2M, 12, PROT_RW);
	fixture_fini(&f);
}

/* A map that puts a leaf where an empty table was unlinks the table. */
EVERY_CFG_TEST(map_block_replaces_empty_table)
{
	uint64_t iova, tables;
	struct iopt_gather gather;
	struct fixture f;
	int ret;

	fixture_init(&f, fc);
	iova = f.window + SZ_2M;
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	tables = f.iopt->n_tables;
	map_ok(&f, iova, oa_of(&f, iova), SZ_4K, PROT_RW);
	unmap_ok(&f, iova, SZ_4K);
	cr_assert_eq(f.iopt->n_tables, tables + 1);
	iopt_gather_init(&gather);
	cr_assert_eq(iopt_gather_reserve(&gather, SZ_2M), 0);
	ret = f.iopt->ops->map(f.iopt, iova, oa_of(&f, iova), SZ_2M, PROT_RW,
			       &gather);
	cr_assert_eq(ret, 0);
	cr_assert_eq(gather.n_tables, 1);
	cr_assert_eq(gather.tables[0] & (SZ_4K - 1), 3);
	iopt_gather_release(f.iopt, &gather);
	iopt_gather_fini(&gather);
	assert_translates(&f, iova, oa_of(&f, iova), 21, PROT_RW);
	cr_assert_eq(f.iopt->n_tables, tables);
	fixture_fini(&f);
}

/* ------------------------------------------------------------ checks -- */

EVERY_CFG_TEST(checks_report_overlap_and_holes_and_change_nothing)
{
	uint64_t pages, block, tables;
	struct fixture f;
	unsigned int i;

	fixture_init(&f, fc);
	pages = f.window + SZ_2M + 16 * SZ_4K;
	block = f.window + 2 * SZ_2M;
	map_ok(&f, pages, oa_of(&f, pages), 16 * SZ_4K, PROT_RW);
	map_ok(&f, block, oa_of(&f, block), SZ_2M, UIOMMU_PROT_READ);
	tables = f.iopt->n_tables;

	const struct {
		uint64_t iova;
		uint64_t size;
		int unmapped;	/* check_unmapped */
		int mapped;	/* check_mapped */
	} cases[] = {
		{ pages, 16 * SZ_4K, -EEXIST, 0 },
		{ pages - SZ_4K, 2 * SZ_4K, -EEXIST, -ENOENT },
		{ pages + 15 * SZ_4K, 2 * SZ_4K, -EEXIST, -ENOENT },
		{ pages - SZ_4K, SZ_4K, 0, -ENOENT },
		{ block + SZ_4K, SZ_4K, -EEXIST, 0 },
		{ block - SZ_4K, 2 * SZ_4K, -EEXIST, -ENOENT },
		{ block + SZ_2M, SZ_1G - 3 * SZ_2M, 0, -ENOENT },
		{ f.window + SZ_1G, SZ_1G, 0, -ENOENT },
		{ f.window, SZ_1G, -EEXIST, -ENOENT },
	};

	for (i = 0; i < RTE_DIM(cases); i++) {
		int ret = f.iopt->ops->check_unmapped(f.iopt, cases[i].iova,
						      cases[i].size);

		cr_assert_eq(ret, cases[i].unmapped, "%s: case %u: "
			     "check_unmapped = %d", f.name, i, ret);
		ret = f.iopt->ops->check_mapped(f.iopt, cases[i].iova,
						cases[i].size);
		cr_assert_eq(ret, cases[i].mapped, "%s: case %u: "
			     "check_mapped = %d", f.name, i, ret);
	}
	cr_assert_eq(f.iopt->n_tables, tables);
	assert_translates(&f, pages, oa_of(&f, pages), 12, PROT_RW);
	assert_translates(&f, block, oa_of(&f, block), 21, UIOMMU_PROT_READ);
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
	fixture_fini(&f);
}

EVERY_CFG_TEST(walk_beyond_ias_faults_addr_size)
{
	struct fixture f;
	uint64_t top;
	unsigned int i;

	fixture_init(&f, fc);
	top = 1ULL << f.ias;
	map_ok(&f, top - SZ_4K, OA_BASE, SZ_4K, PROT_RW);
	assert_translates(&f, top - 1, OA_BASE + SZ_4K - 1, 12, PROT_RW);

	const uint64_t bad[] = {
		top,
		top + top - SZ_4K,
		/* The upper canonical half: never a FL domain's. */
		0xffff800000000000ULL | (top - SZ_4K),
		UINT64_MAX,
	};

	for (i = 0; i < RTE_DIM(bad); i++)
		assert_faults(&f, bad[i], UIOMMU_FAULT_ADDR_SIZE, ANY_LEVEL);
	fixture_fini(&f);
}

/* PS is reserved in a PML4E: a bad table, not a 512 GiB leaf. */
EVERY_CFG_TEST(ps_in_level0_entry_faults_bad_table)
{
	uint64_t *root, *ptep, pte;
	struct fixture f;

	fixture_init(&f, fc);
	if (f.iopt->start_level != 0) {
		fixture_fini(&f);
		cr_skip_test("%s: no level 0", f.name);
	}
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	root = (uint64_t *)(uintptr_t)f.iopt->root;
	ptep = &root[(f.window >> 39) & 511];
	pte = *ptep;
	*ptep = pte | 0x80;
	assert_faults(&f, f.window, UIOMMU_FAULT_BAD_TABLE, 0);
	*ptep = pte;
	assert_translates(&f, f.window, OA_BASE, 12, PROT_RW);
	fixture_fini(&f);
}

/* Address bits at or above the output size are reserved. */
EVERY_CFG_TEST(address_beyond_oas_faults_bad_table)
{
	uint64_t *ptep, pte;
	unsigned int level;
	struct fixture f;

	fixture_init(&f, fc);
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	ptep = find_pte(&f, f.window, &level);
	cr_assert_eq(level, 3);
	pte = *ptep;
	*ptep = pte | (1ULL << OAS);
	assert_faults(&f, f.window, UIOMMU_FAULT_BAD_TABLE, 3);
	*ptep = pte;
	assert_translates(&f, f.window, OA_BASE, 12, PROT_RW);
	fixture_fini(&f);
}

/* Rights are the AND over levels: clearing write (FL R/W, SL W) in a
 * table entry makes the leaves below read-only; clearing FL U/S makes
 * them supervisor-only, which a device request may not use at all. */
EVERY_CFG_TEST(table_entry_rights_restrict_leaves)
{
	uint64_t *table, *ptep, pte;
	struct fixture f;

	fixture_init(&f, fc);
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	table = (uint64_t *)(uintptr_t)f.iopt->root;
	ptep = &table[(f.window >> (12 + 9 * (3 - f.iopt->start_level))) &
		      511];
	pte = *ptep;
	*ptep = pte & ~0x2ULL;	/* FL R/W, SL W */
	assert_translates(&f, f.window, OA_BASE, 12, UIOMMU_PROT_READ);
	if (f.fl) {
		*ptep = pte & ~0x4ULL;	/* U/S */
		assert_translates(&f, f.window, OA_BASE, 12, 0);
	} else {
		*ptep = pte & ~0x1ULL;	/* R */
		assert_translates(&f, f.window, OA_BASE, 12,
				  UIOMMU_PROT_WRITE);
	}
	*ptep = pte;
	assert_translates(&f, f.window, OA_BASE, 12, PROT_RW);
	fixture_fini(&f);
}

/* ------------------------------------------------------------- unmap -- */

static void
check_partial_unmap(const struct fixture *f, uint64_t iova,
		    unsigned int pgshift, uint64_t first, uint64_t n,
		    uint32_t prot)
{
	uint64_t size = 1ULL << pgshift;
	uint64_t oa = oa_of(f, iova);
	uint64_t page;

	map_ok(f, iova, oa, size, prot);
	assert_translates(f, iova, oa, pgshift, prot);
	unmap_ok(f, iova + first * SZ_4K, n * SZ_4K);
	for (page = 0; page < size / SZ_4K; page++) {
		uint64_t at = iova + page * SZ_4K;
		struct uiommu_walk_result res = walk(f, at);

		if (page >= first && page < first + n) {
			cr_assert_eq(res.reason, UIOMMU_FAULT_TRANSLATION,
				     "%s: %#" PRIx64 " still mapped", f->name,
				     at);
			continue;
		}
		cr_assert_eq(res.reason, UIOMMU_FAULT_NONE, "%s: walk(%#"
			     PRIx64 ") faulted after a partial unmap",
			     f->name, at);
		cr_assert_eq(res.out + (at & ((1ULL << res.pgshift) - 1)),
			     oa + page * SZ_4K, "%s: %#" PRIx64 " moved",
			     f->name, at);
		cr_assert_eq(res.prot, prot & PROT_RW);
	}
	if (first > 0)
		unmap_ok(f, iova, first * SZ_4K);
	if (first + n < size / SZ_4K)
		unmap_ok(f, iova + (first + n) * SZ_4K,
			 size - (first + n) * SZ_4K);
}

EVERY_CFG_TEST(unmap_part_of_2m_leaf_splits_it)
{
	static const struct {
		uint64_t first;
		uint64_t n;
	} holes[] = { { 256, 1 }, { 0, 1 }, { 511, 1 }, { 1, 510 } };
	const uint32_t *prots;
	unsigned int n_prots, i;
	struct fixture f;

	fixture_init(&f, fc);
	prots = fixture_prots(&f, &n_prots);
	for (i = 0; i < RTE_DIM(holes); i++)
		check_partial_unmap(&f, f.window + SZ_2M, 21, holes[i].first,
				    holes[i].n, prots[i % n_prots]);
	fixture_fini(&f);
}

EVERY_CFG_TEST(unmap_part_of_1g_leaf_splits_it)
{
	static const struct {
		uint64_t first;
		uint64_t n;
	} holes[] = { { 131073, 1 }, { 0, 512 }, { 262143, 1 },
		      { 511, 1026 } };
	const uint32_t *prots;
	unsigned int n_prots, i;
	struct fixture f;

	fixture_init(&f, fc);
	prots = fixture_prots(&f, &n_prots);
	for (i = 0; i < RTE_DIM(holes); i++)
		check_partial_unmap(&f, f.window + SZ_1G, 30, holes[i].first,
				    holes[i].n, prots[(i + 3) % n_prots]);
	fixture_fini(&f);
}

/* A split keeps the leaf's attributes, and PS only where it belongs. */
EVERY_CFG_TEST(split_keeps_leaf_attributes)
{
	uint64_t iova, big, small;
	struct fixture f;
	int ret;

	fixture_init(&f, fc);
	iova = f.window + SZ_1G;
	map_ok(&f, iova, oa_of(&f, iova), SZ_1G,
	       PROT_RW | UIOMMU_PROT_CACHE);
	big = leaf_pte(&f, iova, 1);
	ret = f.iopt->ops->split_edges(f.iopt, iova + SZ_2M + SZ_4K, SZ_4K);
	cr_assert_eq(ret, 0);
	/* 2 MiB leaves: same bits, their own address. */
	cr_assert_eq(leaf_pte(&f, iova, 2), big, "%s: 2M leaf %#" PRIx64
		     " from 1G leaf %#" PRIx64, f.name, leaf_pte(&f, iova, 2),
		     big);
	cr_assert_eq(leaf_pte(&f, iova + 5 * SZ_2M, 2), big + 5 * SZ_2M);
	/* 4 KiB leaves: PS (bit 7) clear. */
	small = leaf_pte(&f, iova + SZ_2M + SZ_4K, 3);
	cr_assert_eq(small, ((big & ~0x80ULL) + SZ_2M + SZ_4K),
		     "%s: 4K leaf %#" PRIx64, f.name, small);
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
	map_ok(&f, f.window, OA_BASE, SZ_4K, PROT_RW);
	map_ok(&f, iova, oa, SZ_1G, PROT_RW);
	tables = f.iopt->n_tables;
	allocs = test_heap_now().allocs;
	unmap_gather(&f, iova, SZ_1G, &gather);
	cr_assert_eq(gather.n_tables, 1);
	cr_assert_eq(gather.tables[0] & (SZ_4K - 1), 2);
	assert_faults(&f, iova, UIOMMU_FAULT_TRANSLATION, 1);
	assert_translates(&f, f.window, OA_BASE, 12, PROT_RW);
	iopt_gather_release(f.iopt, &gather);
	iopt_gather_fini(&gather);
	cr_assert_eq(f.iopt->n_tables, tables - 513);
	cr_assert_eq(test_heap_now().allocs, allocs - 513);
	fixture_fini(&f);
}

/* ------------------------------------------------ randomized vs model -- */

#define RANDOM_OPS		100000
#define RANDOM_LEAK_OPS		3000
/* 2 GiB across 1 << (ias - 1): ranges cross top-level entries too. */
#define RANDOM_PAGES		(2 * SZ_1G / SZ_4K)
#define RANDOM_CHECKPOINT	20000

struct model_page {
	uint64_t oa;	/* 0: unmapped (fake OAs are >= OA_BASE) */
	uint8_t prot;
};

struct random_run {
	struct fixture f;
	uint64_t base;
	struct model_page *model;
	const uint32_t *prots;
	unsigned int n_prots;
	uint64_t seed, rng;
	unsigned long op;
	unsigned long maps, maps_refused, unmaps, unmaps_refused;
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
rand_below(struct random_run *r, uint64_t n)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) % n;
}

static void
check_page(const struct random_run *r, uint64_t page)
{
	const struct model_page *m = &r->model[page];
	uint64_t iova = r->base + page * SZ_4K;
	struct uiommu_walk_result res = walk(&r->f, iova);

	if (m->oa == 0) {
		cr_assert_eq(res.reason, UIOMMU_FAULT_TRANSLATION, RUN_FMT
			     ": walk(%#" PRIx64 "): reason %u, the model has "
			     "no mapping", RUN_ARGS(r), iova, res.reason);
		return;
	}
	cr_assert_eq(res.reason, UIOMMU_FAULT_NONE, RUN_FMT ": walk(%#"
		     PRIx64 "): reason %u, the model maps it", RUN_ARGS(r),
		     iova, res.reason);
	cr_assert_eq(res.out + (iova & ((1ULL << res.pgshift) - 1)), m->oa,
		     RUN_FMT ": walk(%#" PRIx64 ") out %#" PRIx64 " pgshift %u,"
		     " the model says %#" PRIx64, RUN_ARGS(r), iova, res.out,
		     res.pgshift, m->oa);
	cr_assert_eq(res.prot, m->prot, RUN_FMT ": walk(%#" PRIx64 "): prot "
		     "%#x, the model says %#x", RUN_ARGS(r), iova, res.prot,
		     m->prot);
}

static uint64_t
model_count_mapped(const struct random_run *r, uint64_t first, uint64_t n)
{
	uint64_t page, mapped = 0;

	for (page = first; page < first + n; page++)
		mapped += r->model[page].oa != 0;
	return mapped;
}

/* Sizes around the leaf sizes, where splits and mixed leaves happen. */
static uint64_t
random_pages(struct random_run *r)
{
	switch (rand_below(r, 6)) {
	case 0:
		return PAGES_PER_2M;
	case 1:
		return PAGES_PER_2M + rand_below(r, 3) - 1;
	case 2:
		return (1 + rand_below(r, 8)) * PAGES_PER_2M;
	case 3:
		return 1 + rand_below(r, 2 * PAGES_PER_2M);
	default:
		return 1 + rand_below(r, 16);
	}
}

static void
random_range(struct random_run *r, uint64_t *first, uint64_t *n)
{
	*first = rand_below(r, RANDOM_PAGES);
	if (rand_below(r, 2) == 0)
		*first &= ~(PAGES_PER_2M - 1);
	*n = RTE_MIN(random_pages(r), RANDOM_PAGES - *first);
}

static void
run_map(struct random_run *r, uint64_t first, uint64_t n, uint64_t oa,
	uint32_t prot)
{
	uint64_t i;

	map_ok(&r->f, r->base + first * SZ_4K, oa, n * SZ_4K, prot);
	for (i = 0; i < n; i++) {
		r->model[first + i].oa = oa + i * SZ_4K;
		r->model[first + i].prot = prot & PROT_RW;
	}
	r->maps++;
}

static void
run_unmap(struct random_run *r, uint64_t first, uint64_t n)
{
	uint64_t i;

	unmap_ok(&r->f, r->base + first * SZ_4K, n * SZ_4K);
	for (i = 0; i < n; i++)
		r->model[first + i].oa = 0;
	r->unmaps++;
}

static void
random_op(struct random_run *r)
{
	uint64_t first, n, oa, mapped, iova;
	uint32_t prot = r->prots[rand_below(r, r->n_prots)];
	int ret;

	random_range(r, &first, &n);
	iova = r->base + first * SZ_4K;
	mapped = model_count_mapped(r, first, n);
	if (rand_below(r, 2) == 0) {
		/* Mostly congruent with the IOVA modulo 1G: leaves fit. */
		oa = rand_below(r, 4) == 0 ?
		     OA_BASE + rand_below(r, RANDOM_PAGES) * SZ_4K :
		     OA_BASE + first * SZ_4K + rand_below(r, 4) * SZ_1G;
		ret = r->f.iopt->ops->check_unmapped(r->f.iopt, iova,
						     n * SZ_4K);
		cr_assert_eq(ret, mapped != 0 ? -EEXIST : 0, RUN_FMT
			     ": check_unmapped = %d, the model has %" PRIu64
			     " of %" PRIu64 " mapped", RUN_ARGS(r), ret,
			     mapped, n);
		if (ret == 0)
			run_map(r, first, n, oa, prot);
		else
			r->maps_refused++;
	} else {
		/* Shrink to a run of mapped pages half the time. */
		if (rand_below(r, 2) == 0 && r->model[first].oa != 0) {
			uint64_t end = first;

			while (end < first + n && r->model[end].oa != 0)
				end++;
			n = end - first;
			mapped = n;
		}
		ret = r->f.iopt->ops->check_mapped(r->f.iopt, iova,
						   n * SZ_4K);
		cr_assert_eq(ret, mapped == n ? 0 : -ENOENT, RUN_FMT
			     ": check_mapped = %d, the model has %" PRIu64
			     " of %" PRIu64 " mapped", RUN_ARGS(r), ret,
			     mapped, n);
		if (ret == 0)
			run_unmap(r, first, n);
		else
			r->unmaps_refused++;
	}
	if (first > 0)
		check_page(r, first - 1);
	check_page(r, first);
	check_page(r, first + n - 1);
	if (first + n < RANDOM_PAGES)
		check_page(r, first + n);
	check_page(r, rand_below(r, RANDOM_PAGES));
}

static void
check_every_page(const struct random_run *r)
{
	uint64_t page;

	for (page = 0; page < RANDOM_PAGES; page++)
		check_page(r, page);
}

static void
unmap_every_run(struct random_run *r)
{
	uint64_t page = 0;

	while (page < RANDOM_PAGES) {
		uint64_t first = page;

		while (page < RANDOM_PAGES && r->model[page].oa != 0)
			page++;
		if (page > first)
			run_unmap(r, first, page - first);
		else
			page++;
	}
}

static void
random_run(const struct fmt_cfg *fc, unsigned long n_ops, bool unmap_all)
{
	struct random_run *r = calloc(1, sizeof(*r));

	cr_assert_not_null(r);
	fixture_init(&r->f, fc);
	r->base = (1ULL << (fc->ias - 1)) - SZ_1G;
	r->model = calloc(RANDOM_PAGES, sizeof(*r->model));
	cr_assert_not_null(r->model);
	r->prots = fixture_prots(&r->f, &r->n_prots);
	r->seed = random_seed();
	r->rng = r->seed;
	cr_log_info("%s: seed %" PRIu64 " (UIOMMU_TEST_SEED=%" PRIu64
		    " repeats it)", r->f.name, r->seed, r->seed);
	for (r->op = 1; r->op <= n_ops; r->op++) {
		random_op(r);
		if (r->op % RANDOM_CHECKPOINT == 0)
			check_every_page(r);
	}
	check_every_page(r);
	cr_log_info("%s: %lu maps (%lu refused), %lu unmaps (%lu refused)",
		    r->f.name, r->maps, r->maps_refused, r->unmaps,
		    r->unmaps_refused);
	if (unmap_all) {
		unmap_every_run(r);
		check_every_page(r);
	}
	fixture_fini(&r->f);
	free(r->model);
	free(r);
}

EVERY_CFG_TEST(random_ops_match_model)
{
	random_run(fc, RANDOM_OPS, false);
}

/* ------------------------------------------------------------- leaks -- */

EVERY_CFG_TEST(free_releases_every_table)
{
	uint64_t allocs = test_heap_now().allocs;

	random_run(fc, RANDOM_LEAK_OPS, false);
	cr_assert_eq(test_heap_now().allocs, allocs, "%" PRIu64
		     " rte_malloc allocations before, %" PRIu64 " after",
		     allocs, test_heap_now().allocs);
}

EVERY_CFG_TEST(unmap_all_then_free_releases_every_table)
{
	uint64_t allocs = test_heap_now().allocs;

	random_run(fc, RANDOM_LEAK_OPS, true);
	cr_assert_eq(test_heap_now().allocs, allocs);
}
