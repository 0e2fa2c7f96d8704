/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The translation fast path and the per-lcore IOTLB (lib/iommu/iotlb.c,
 * uiommu_translate.h), with the invalidations that reach it (inv.c), on the
 * built-in "direct" backend and a single lcore: the test thread, EAL's main
 * lcore, online in the context.
 *
 * Whether a translation was served by the IOTLB is read from the lcore's
 * statistics: a hit adds one to hits, a miss one to misses (and a walk).
 * Faults are read back from the hw's fault queue; a translation expected to
 * succeed must not count one.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <criterion/criterion.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <uiommu.h>

#include "uiommu_test.h"

#define SID		0x10u
#define PASID_BITS	8
#define N_PAGES		16u
/* Page i of the buffer is mapped at IOVA_BASE + i * 4 KiB, when mapped. */
#define IOVA_BASE	0x100000ull
#define IOVA(i)		(IOVA_BASE + (uint64_t)(i) * SZ_4K)

static struct uiommu_ctx *ctx;
static struct uiommu_hw *hw;
static struct uiommu_dev *dev;		/* SID, PASID_BITS wide */
static struct uiommu_domain *dom_a, *dom_b;	/* stage-1 paging */
static uint8_t *pages;			/* N_PAGES, 4 KiB aligned */

static uint8_t *
page(unsigned int i)
{
	return pages + (uint64_t)i * SZ_4K;
}

static void
suite_init(void)
{
	struct uiommu_dev_params dp = { .pasid_bits = PASID_BITS };
	unsigned int i;

	test_eal_init("test_iotlb");
	ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	hw = uiommu_hw_create(ctx, "direct", NULL);
	cr_assert_not_null(hw, "rte_errno %d", rte_errno);
	dev = uiommu_dev_create(hw, SID, &dp);
	cr_assert_not_null(dev, "rte_errno %d", rte_errno);
	dom_a = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, NULL);
	dom_b = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, NULL);
	cr_assert(dom_a != NULL && dom_b != NULL, "rte_errno %d", rte_errno);
	pages = rte_zmalloc("test_pages", N_PAGES * SZ_4K, SZ_4K);
	cr_assert_not_null(pages);
	/* Each page names itself in its first byte. */
	for (i = 0; i < N_PAGES; i++)
		page(i)[0] = (uint8_t)(0xa0 + i);
}

/* Criterion 2.4 ignores failures in .fini: check nothing here. */
static void
suite_fini(void)
{
	uiommu_ctx_destroy(ctx);
	rte_free(pages);
	test_eal_cleanup();
}

TestSuite(iotlb, .init = suite_init, .fini = suite_fini, .timeout = 60);

/* ----------------------------------------------------------- helpers -- */

static struct uiommu_lcore_stats
stats_of(const struct uiommu_hw *h)
{
	struct uiommu_lcore_stats s;

	cr_assert_eq(uiommu_hw_stats(h, rte_lcore_id(), &s), 0);
	return s;
}

static void
map_ok(struct uiommu_domain *dom, uint64_t iova, void *va, uint64_t size,
       uint32_t prot)
{
	int rc = uiommu_map(dom, iova, va, size, prot);

	cr_assert_eq(rc, 0, "map(%#" PRIx64 ", +%#" PRIx64 ") = %d", iova,
		     size, rc);
}

static struct uiommu_port *
attach_ok(uint32_t pasid, struct uiommu_domain *dom)
{
	struct uiommu_port *port = pasid == UIOMMU_PASID_NONE ?
		uiommu_attach(dev, dom) : uiommu_attach_pasid(dev, pasid, dom);

	cr_assert_not_null(port, "attach (pasid %#x): rte_errno %d", pasid,
			   rte_errno);
	return port;
}

enum served { HIT, MISS };

/*
 * Translate on the hw @h and check both the host VA and who served it: the
 * IOTLB (HIT) or the backend's walk (MISS).
 */
static void
translate_served(const struct uiommu_hw *h, const struct uiommu_port *port,
		 uint64_t iova, uint32_t len, uint32_t access, void *want_va,
		 enum served want, const char *what)
{
	struct uiommu_lcore_stats s0 = stats_of(h), s1;
	void *va = uiommu_translate(port, iova, len, access);

	s1 = stats_of(h);
	cr_assert_eq(va, want_va, "%s: iova %#" PRIx64 " -> %p, want %p "
		     "(rte_errno %d)", what, iova, va, want_va, rte_errno);
	cr_assert_eq(s1.faults, s0.faults, "%s: a fault was counted", what);
	if (want == HIT) {
		cr_assert_eq(s1.hits, s0.hits + 1, "%s: iova %#" PRIx64
			     " was not an IOTLB hit", what, iova);
		cr_assert_eq(s1.misses, s0.misses, "%s: iova %#" PRIx64
			     " missed", what, iova);
	} else {
		cr_assert_eq(s1.misses, s0.misses + 1, "%s: iova %#" PRIx64
			     " was not a miss", what, iova);
		cr_assert_eq(s1.hits, s0.hits, "%s: iova %#" PRIx64
			     " hit a stale entry", what, iova);
	}
}

#define EXPECT_HIT(port, iova, va, what) \
	translate_served(hw, (port), (iova), 8, UIOMMU_ACCESS_READ, (va), \
			 HIT, (what))
#define EXPECT_MISS(port, iova, va, what) \
	translate_served(hw, (port), (iova), 8, UIOMMU_ACCESS_READ, (va), \
			 MISS, (what))

/* Pop exactly one fault record from @h, with @reason at @iova. */
static struct uiommu_fault
fault_pop(struct uiommu_hw *h, enum uiommu_fault_reason reason, uint64_t iova)
{
	struct uiommu_fault f[2];
	int n;

	memset(f, 0, sizeof(f));
	n = uiommu_hw_fault_read(h, f, RTE_DIM(f));
	cr_assert_eq(n, 1, "%d fault records, want 1", n);
	cr_assert_eq(f[0].reason, reason, "fault reason %s, want %s",
		     uiommu_fault_reason_str(f[0].reason),
		     uiommu_fault_reason_str(reason));
	cr_assert_eq(f[0].iova, iova, "fault iova %#" PRIx64 ", want %#"
		     PRIx64, f[0].iova, iova);
	return f[0];
}

/* The access fails with EFAULT and leaves one record: returns it. */
static struct uiommu_fault
expect_fault(const struct uiommu_port *port, uint64_t iova, uint32_t len,
	     uint32_t access, enum uiommu_fault_reason reason,
	     uint64_t fault_iova)
{
	struct uiommu_lcore_stats s0 = stats_of(hw);
	struct uiommu_fault f;
	void *va;

	rte_errno = 0;
	va = uiommu_translate(port, iova, len, access);
	cr_assert_null(va, "iova %#" PRIx64 " translated to %p", iova, va);
	cr_assert_eq(rte_errno, EFAULT, "rte_errno %d, want EFAULT",
		     rte_errno);
	cr_assert_eq(stats_of(hw).faults, s0.faults + 1);
	f = fault_pop(hw, reason, fault_iova);
	cr_assert_eq(f.sid, port->sid);
	cr_assert_eq(f.pasid, port->pasid);
	cr_assert_eq(f.access, access);
	cr_assert_eq(f.lcore_id, rte_lcore_id());
	return f;
}

/* ------------------------------------------------------- hit and miss -- */

Test(iotlb, first_translate_misses_then_hits)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_lcore_stats s0, s1;
	uint8_t *va;

	map_ok(dom_a, IOVA(3), page(3), SZ_4K, PROT_RW);
	s0 = stats_of(hw);
	va = uiommu_translate(port, IOVA(3) + 0x123, 16, UIOMMU_ACCESS_READ);
	s1 = stats_of(hw);
	cr_assert_eq(va, page(3) + 0x123);
	cr_assert_eq(s1.misses, s0.misses + 1);
	cr_assert_eq(s1.walks, s0.walks + 1);
	cr_assert_eq(s1.hits, s0.hits);

	va = uiommu_translate(port, IOVA(3) + 0x456, 16, UIOMMU_ACCESS_WRITE);
	s0 = s1;
	s1 = stats_of(hw);
	cr_assert_eq(va, page(3) + 0x456);
	cr_assert_eq(s1.hits, s0.hits + 1);
	cr_assert_eq(s1.misses, s0.misses);
	cr_assert_eq(s1.walks, s0.walks);
	/* The pointer is the page's memory. */
	cr_assert_eq(*(va - 0x456), 0xa3);
}

Test(iotlb, block_2m_one_miss_then_hits_anywhere)
{
	static const uint64_t offsets[] = {
		0, 0x1000, 0x123458, SZ_2M - 8, 0x80000,
	};
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint8_t *buf = rte_malloc("test_2m", SZ_2M, SZ_2M);
	unsigned int i;

	cr_assert_not_null(buf);
	map_ok(dom_a, 4 * SZ_2M, buf, SZ_2M, PROT_RW);
	for (i = 0; i < RTE_DIM(offsets); i++)
		translate_served(hw, port, 4 * SZ_2M + offsets[i], 8,
				 UIOMMU_ACCESS_READ | UIOMMU_ACCESS_WRITE,
				 buf + offsets[i], i == 0 ? MISS : HIT,
				 "2 MiB block");
	cr_assert_eq(uiommu_detach(port), 0);
	cr_assert_eq(uiommu_unmap(dom_a, 4 * SZ_2M, SZ_2M), 0);
	rte_free(buf);
}

Test(iotlb, block_1g_one_miss_then_hits_anywhere)
{
	static const uint64_t offsets[] = {
		0x2000, 0, SZ_1G - 8, 0x12345678, SZ_2M, 0x3fe00000,
	};
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	size_t len = 2 * SZ_1G;
	uint8_t *area, *buf;
	unsigned int i;

	/* 1 GiB of host VA, 1 GiB aligned; only the bytes tested are
	 * touched. */
	area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	cr_assert_neq(area, MAP_FAILED);
	buf = RTE_PTR_ALIGN_CEIL(area, SZ_1G);
	map_ok(dom_a, 3 * SZ_1G, buf, SZ_1G, PROT_RW);
	for (i = 0; i < RTE_DIM(offsets); i++) {
		uint8_t *va = uiommu_translate(port, 3 * SZ_1G + offsets[i],
					       8, UIOMMU_ACCESS_WRITE);

		cr_assert_eq(va, buf + offsets[i]);
		*va = (uint8_t)i;
	}
	for (i = 0; i < RTE_DIM(offsets); i++)
		translate_served(hw, port, 3 * SZ_1G + offsets[i], 8,
				 UIOMMU_ACCESS_READ, buf + offsets[i], HIT,
				 "1 GiB block");
	cr_assert_eq(buf[offsets[3]], 3);
	cr_assert_eq(uiommu_detach(port), 0);
	cr_assert_eq(uiommu_unmap(dom_a, 3 * SZ_1G, SZ_1G), 0);
	munmap(area, len);
}

Test(iotlb, block_1g_first_access_is_the_only_miss)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	size_t len = 2 * SZ_1G;
	uint8_t *area, *buf;
	struct uiommu_lcore_stats s0, s1;
	uint64_t off;

	area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	cr_assert_neq(area, MAP_FAILED);
	buf = RTE_PTR_ALIGN_CEIL(area, SZ_1G);
	map_ok(dom_a, SZ_1G, buf, SZ_1G, PROT_RW);
	s0 = stats_of(hw);
	/* One access in every 2 MiB of the page. */
	for (off = 0x800; off < SZ_1G; off += SZ_2M)
		cr_assert_eq(uiommu_translate(port, SZ_1G + off, 8,
					      UIOMMU_ACCESS_READ), buf + off);
	s1 = stats_of(hw);
	cr_assert_eq(s1.misses - s0.misses, 1, "%" PRIu64 " misses",
		     s1.misses - s0.misses);
	cr_assert_eq(s1.hits - s0.hits, SZ_1G / SZ_2M - 1);
	cr_assert_eq(uiommu_detach(port), 0);
	munmap(area, len);
}

/* ------------------------------------------------------ page crossing -- */

Test(iotlb, crossing_into_contiguous_page_returns_va)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint64_t iova = IOVA(5) - 32;
	unsigned int round;

	map_ok(dom_a, IOVA(4), page(4), SZ_4K, PROT_RW);
	map_ok(dom_a, IOVA(5), page(5), SZ_4K, PROT_RW);
	/* Cold, then with both pages cached. */
	for (round = 0; round < 2; round++) {
		uint8_t *va = uiommu_translate(port, iova, 64,
					       UIOMMU_ACCESS_READ);

		cr_assert_eq(va, page(5) - 32, "round %u: %p", round, va);
		cr_assert_eq(va[32], 0xa5);
	}
}

Test(iotlb, access_spanning_three_pages_returns_va)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint8_t *va;

	map_ok(dom_a, IOVA(4), page(4), 3 * SZ_4K, PROT_RW);
	va = uiommu_translate(port, IOVA(4) + 0x10, 2 * SZ_4K + 0x20,
			      UIOMMU_ACCESS_READ);
	cr_assert_eq(va, page(4) + 0x10);
	/* One byte short of a fourth page that is not mapped. */
	cr_assert_eq(uiommu_translate(port, IOVA(4), 3 * SZ_4K,
				      UIOMMU_ACCESS_READ), page(4));
	expect_fault(port, IOVA(4), 3 * SZ_4K + 1, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_TRANSLATION, IOVA(7));
}

Test(iotlb, crossing_from_2m_block_into_4k_page_returns_va)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint8_t *buf = rte_malloc("test_4m", 2 * SZ_2M, SZ_2M);
	unsigned int round;

	cr_assert_not_null(buf);
	map_ok(dom_a, SZ_1G, buf, SZ_2M, PROT_RW);		/* a block */
	map_ok(dom_a, SZ_1G + SZ_2M, buf + SZ_2M, SZ_4K, PROT_RW); /* a page */
	for (round = 0; round < 2; round++)
		cr_assert_eq(uiommu_translate(port, SZ_1G + SZ_2M - 32, 64,
					      UIOMMU_ACCESS_WRITE),
			     buf + SZ_2M - 32, "round %u", round);
	cr_assert_eq(uiommu_detach(port), 0);
	rte_free(buf);
}

Test(iotlb, crossing_into_discontiguous_page_erange_without_fault)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_lcore_stats s0;
	struct uiommu_fault f;
	unsigned int round;

	/* IOVA order and host order disagree. */
	map_ok(dom_a, IOVA(4), page(9), SZ_4K, PROT_RW);
	map_ok(dom_a, IOVA(5), page(2), SZ_4K, PROT_RW);
	s0 = stats_of(hw);
	for (round = 0; round < 2; round++) {
		rte_errno = 0;
		cr_assert_null(uiommu_translate(port, IOVA(5) - 32, 64,
						UIOMMU_ACCESS_READ));
		cr_assert_eq(rte_errno, ERANGE, "round %u: rte_errno %d",
			     round, rte_errno);
	}
	cr_assert_eq(stats_of(hw).faults, s0.faults);
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 1), 0);
	/* Each page on its own is fine. */
	EXPECT_HIT(port, IOVA(4) + 8, page(9) + 8, "first page");
	EXPECT_HIT(port, IOVA(5) + 8, page(2) + 8, "second page");
}

Test(iotlb, crossing_into_unmapped_page_faults_on_second_page)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_fault f;

	map_ok(dom_a, IOVA(4), page(4), SZ_4K, PROT_RW);
	f = expect_fault(port, IOVA(5) - 32, 64, UIOMMU_ACCESS_READ,
			 UIOMMU_FAULT_TRANSLATION, IOVA(5));
	cr_assert_eq(f.pasid, UIOMMU_PASID_NONE);
	cr_assert_eq(f.sid, SID);
	/* Again with the first page cached. */
	EXPECT_HIT(port, IOVA(4), page(4), "first page");
	expect_fault(port, IOVA(5) - 32, 64, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_TRANSLATION, IOVA(5));
}

Test(iotlb, crossing_into_read_only_page_write_faults_permission)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(4), page(4), SZ_4K, PROT_RW);
	map_ok(dom_a, IOVA(5), page(5), SZ_4K, UIOMMU_PROT_READ);
	expect_fault(port, IOVA(5) - 32, 64, UIOMMU_ACCESS_WRITE,
		     UIOMMU_FAULT_PERMISSION, IOVA(5));
	cr_assert_eq(uiommu_translate(port, IOVA(5) - 32, 64,
				      UIOMMU_ACCESS_READ), page(5) - 32);
}

/* --------------------------------------------------------- permission -- */

Test(iotlb, write_to_read_only_page_faults_permission)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(6), page(6), SZ_4K, UIOMMU_PROT_READ);
	expect_fault(port, IOVA(6) + 0x40, 8, UIOMMU_ACCESS_WRITE,
		     UIOMMU_FAULT_PERMISSION, IOVA(6) + 0x40);
	expect_fault(port, IOVA(6) + 0x40, 8, ACCESS_RW,
		     UIOMMU_FAULT_PERMISSION, IOVA(6) + 0x40);
}

Test(iotlb, read_hit_does_not_grant_write)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(6), page(6), SZ_4K, UIOMMU_PROT_READ);
	EXPECT_MISS(port, IOVA(6), page(6), "read, cold");
	EXPECT_HIT(port, IOVA(6) + 8, page(6) + 8, "read, cached");
	expect_fault(port, IOVA(6) + 16, 8, UIOMMU_ACCESS_WRITE,
		     UIOMMU_FAULT_PERMISSION, IOVA(6) + 16);
	/* Nor did the failed write spoil the read entry. */
	EXPECT_HIT(port, IOVA(6) + 24, page(6) + 24, "read after write");
	expect_fault(port, IOVA(6) + 16, 8, UIOMMU_ACCESS_WRITE,
		     UIOMMU_FAULT_PERMISSION, IOVA(6) + 16);
}

Test(iotlb, stage2_write_only_page_denies_read)
{
	struct uiommu_domain_params p = { .fmt = UIOMMU_IOPT_ARM_LPAE_S2 };
	struct uiommu_domain *s2;
	struct uiommu_port *port;

	s2 = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p);
	cr_assert_not_null(s2);
	port = attach_ok(UIOMMU_PASID_NONE, s2);
	map_ok(s2, IOVA(1), page(1), SZ_4K, UIOMMU_PROT_WRITE);
	translate_served(hw, port, IOVA(1), 8, UIOMMU_ACCESS_WRITE, page(1),
			 MISS, "write, cold");
	translate_served(hw, port, IOVA(1), 8, UIOMMU_ACCESS_WRITE, page(1),
			 HIT, "write, cached");
	expect_fault(port, IOVA(1), 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_PERMISSION, IOVA(1));
}

/* ---------------------------------------------------- tags and PASIDs -- */

Test(iotlb, pasids_on_two_domains_each_see_their_own_page)
{
	struct uiommu_port *p1 = attach_ok(1, dom_a), *p2 = attach_ok(2, dom_b);
	unsigned int round;

	/* Same IOVA, different memory. */
	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(2), SZ_4K, PROT_RW);
	EXPECT_MISS(p1, IOVA(0), page(1), "pasid 1, cold");
	EXPECT_MISS(p2, IOVA(0), page(2), "pasid 2, cold");
	for (round = 0; round < 8; round++) {
		EXPECT_HIT(p1, IOVA(0) + round, page(1) + round, "pasid 1");
		EXPECT_HIT(p2, IOVA(0) + round, page(2) + round, "pasid 2");
	}
	cr_assert_eq(*(uint8_t *)uiommu_translate(p1, IOVA(0), 1,
			UIOMMU_ACCESS_READ), 0xa1);
	cr_assert_eq(*(uint8_t *)uiommu_translate(p2, IOVA(0), 1,
			UIOMMU_ACCESS_READ), 0xa2);
}

Test(iotlb, rid_and_pasid_on_two_domains_each_see_their_own_page)
{
	struct uiommu_port *rid = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_port *p1 = attach_ok(1, dom_b);
	unsigned int round;

	map_ok(dom_a, IOVA(0), page(3), SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(4), SZ_4K, PROT_RW);
	for (round = 0; round < 4; round++) {
		translate_served(hw, rid, IOVA(0), 8, UIOMMU_ACCESS_READ,
				 page(3), round ? HIT : MISS, "rid");
		translate_served(hw, p1, IOVA(0), 8, UIOMMU_ACCESS_READ,
				 page(4), round ? HIT : MISS, "pasid 1");
	}
}

Test(iotlb, pasids_sharing_a_domain_share_its_mappings)
{
	struct uiommu_port *p1 = attach_ok(1, dom_a), *p2 = attach_ok(2, dom_a);

	map_ok(dom_a, IOVA(7), page(7), SZ_4K, PROT_RW);
	cr_assert_eq(uiommu_translate(p1, IOVA(7) + 4, 4, UIOMMU_ACCESS_READ),
		     page(7) + 4);
	cr_assert_eq(uiommu_translate(p2, IOVA(7) + 4, 4, UIOMMU_ACCESS_READ),
		     page(7) + 4);
	EXPECT_HIT(p1, IOVA(7), page(7), "pasid 1");
	EXPECT_HIT(p2, IOVA(7), page(7), "pasid 2");
}

Test(iotlb, translate_sid_unattached_pasid_faults_bad_pasid)
{
	struct uiommu_fault f;

	attach_ok(1, dom_a);
	attach_ok(2, dom_b);
	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	rte_errno = 0;
	cr_assert_null(uiommu_hw_translate_sid(hw, SID, 3, IOVA(0), 8,
					       UIOMMU_ACCESS_READ));
	cr_assert_eq(rte_errno, EFAULT);
	f = fault_pop(hw, UIOMMU_FAULT_BAD_PASID, IOVA(0));
	cr_assert_eq(f.sid, SID);
	cr_assert_eq(f.pasid, 3);
	cr_assert_eq(f.access, UIOMMU_ACCESS_READ);
	/* A PASID in another leaf of the PASID table, too. */
	cr_assert_null(uiommu_hw_translate_sid(hw, SID, 200, IOVA(0), 8,
					       UIOMMU_ACCESS_READ));
	fault_pop(hw, UIOMMU_FAULT_BAD_PASID, IOVA(0));
}

Test(iotlb, translate_sid_attached_pasid_resolves)
{
	attach_ok(1, dom_a);
	attach_ok(2, dom_b);
	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(2), SZ_4K, PROT_RW);
	cr_assert_eq(uiommu_hw_translate_sid(hw, SID, 1, IOVA(0) + 9, 8,
					     UIOMMU_ACCESS_READ), page(1) + 9);
	cr_assert_eq(uiommu_hw_translate_sid(hw, SID, 2, IOVA(0) + 9, 8,
					     UIOMMU_ACCESS_READ), page(2) + 9);
}

Test(iotlb, translate_sid_unknown_sid_faults_bad_device)
{
	struct uiommu_fault f;

	attach_ok(UIOMMU_PASID_NONE, dom_a);
	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	rte_errno = 0;
	cr_assert_null(uiommu_hw_translate_sid(hw, SID + 1, UIOMMU_PASID_NONE,
					       IOVA(0), 8, UIOMMU_ACCESS_WRITE));
	cr_assert_eq(rte_errno, EFAULT);
	f = fault_pop(hw, UIOMMU_FAULT_BAD_DEVICE, IOVA(0));
	cr_assert_eq(f.sid, SID + 1);
	cr_assert_eq(f.pasid, UIOMMU_PASID_NONE);
	cr_assert_eq(f.access, UIOMMU_ACCESS_WRITE);
	cr_assert_null(uiommu_hw_translate_sid(hw, SID + 1, 1, IOVA(0), 8,
					       UIOMMU_ACCESS_READ));
	fault_pop(hw, UIOMMU_FAULT_BAD_DEVICE, IOVA(0));
}

/* ------------------------------------------------------- invalidation -- */

Test(iotlb, inv_range_misses_only_inside_the_range)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	unsigned int i;

	map_ok(dom_a, IOVA(0), page(0), N_PAGES * SZ_4K, PROT_RW);
	for (i = 4; i <= 7; i++)
		EXPECT_MISS(port, IOVA(i), page(i), "fill");
	for (i = 4; i <= 7; i++)
		EXPECT_HIT(port, IOVA(i), page(i), "cached");
	cr_assert_eq(uiommu_inv_range(dom_a, IOVA(5), SZ_4K), 0);
	EXPECT_MISS(port, IOVA(5), page(5), "page 5, invalidated");
	EXPECT_HIT(port, IOVA(4), page(4), "page 4, outside");
	EXPECT_HIT(port, IOVA(6), page(6), "page 6, outside");
	EXPECT_HIT(port, IOVA(7), page(7), "page 7, outside");
	EXPECT_HIT(port, IOVA(5), page(5), "page 5, refilled");
}

Test(iotlb, inv_range_of_a_large_range_misses_every_page_in_it)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	unsigned int i;

	map_ok(dom_a, IOVA(0), page(0), N_PAGES * SZ_4K, PROT_RW);
	for (i = 0; i < N_PAGES; i++)
		EXPECT_MISS(port, IOVA(i), page(i), "fill");
	/* More pages than are probed one by one: a scan of the table. */
	cr_assert_eq(uiommu_inv_range(dom_a, IOVA(1), 1ull << 30), 0);
	EXPECT_HIT(port, IOVA(0), page(0), "below the range");
	for (i = 1; i < N_PAGES; i++)
		EXPECT_MISS(port, IOVA(i), page(i), "inside the range");
}

Test(iotlb, inv_range_reaches_a_2m_entry)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint8_t *buf = rte_malloc("test_2m", SZ_2M, SZ_2M);

	cr_assert_not_null(buf);
	map_ok(dom_a, SZ_1G, buf, SZ_2M, PROT_RW);
	EXPECT_MISS(port, SZ_1G + 0x1000, buf + 0x1000, "fill");
	EXPECT_HIT(port, SZ_1G + 0x2000, buf + 0x2000, "cached");
	/* One 4 KiB page inside the block drops the whole block entry. */
	cr_assert_eq(uiommu_inv_range(dom_a, SZ_1G + 0x7000, SZ_4K), 0);
	EXPECT_MISS(port, SZ_1G + 0x3000, buf + 0x3000, "after inv");
	cr_assert_eq(uiommu_detach(port), 0);
	rte_free(buf);
}

Test(iotlb, inv_range_bad_arguments_einval)
{
	struct uiommu_domain *id;

	cr_assert_eq(uiommu_inv_range(dom_a, IOVA(0), 0), -EINVAL);
	cr_assert_eq(uiommu_inv_range(dom_a, UINT64_MAX - SZ_4K + 1,
				      2 * SZ_4K), -EINVAL);
	cr_assert_eq(uiommu_inv_range(NULL, IOVA(0), SZ_4K), -EINVAL);
	id = uiommu_domain_create(hw, UIOMMU_DOMAIN_IDENTITY, NULL);
	cr_assert_not_null(id);
	cr_assert_eq(uiommu_inv_range(id, IOVA(0), SZ_4K), -EINVAL);
	cr_assert_eq(uiommu_inv_domain(id), -EINVAL);
	cr_assert_eq(uiommu_inv_pasid(id, 1), -EINVAL);
	cr_assert_eq(uiommu_inv_domain(NULL), -EINVAL);
	cr_assert_eq(uiommu_inv_pasid(NULL, 1), -EINVAL);
}

Test(iotlb, inv_pasid_misses_that_pasid_only)
{
	struct uiommu_port *p1 = attach_ok(1, dom_a), *p2 = attach_ok(2, dom_b);

	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(2), SZ_4K, PROT_RW);
	EXPECT_MISS(p1, IOVA(0), page(1), "pasid 1, fill");
	EXPECT_MISS(p2, IOVA(0), page(2), "pasid 2, fill");
	EXPECT_HIT(p1, IOVA(0), page(1), "pasid 1, cached");
	EXPECT_HIT(p2, IOVA(0), page(2), "pasid 2, cached");
	cr_assert_eq(uiommu_inv_pasid(dom_a, 1), 0);
	EXPECT_MISS(p1, IOVA(0), page(1), "pasid 1, invalidated");
	EXPECT_HIT(p2, IOVA(0), page(2), "pasid 2 on the other domain");
}

Test(iotlb, inv_pasid_spares_other_pasid_of_same_domain)
{
	struct uiommu_port *p1 = attach_ok(1, dom_a), *p2 = attach_ok(2, dom_a);
	struct uiommu_hw_caps caps;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert(caps.tlb_tag_pasid, "direct tags its TLB by PASID");
	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	EXPECT_MISS(p1, IOVA(0), page(1), "pasid 1, fill");
	EXPECT_MISS(p2, IOVA(0), page(1), "pasid 2, fill");
	cr_assert_eq(uiommu_inv_pasid(dom_a, 2), 0);
	EXPECT_HIT(p1, IOVA(0), page(1), "pasid 1, spared");
	EXPECT_MISS(p2, IOVA(0), page(1), "pasid 2, invalidated");
}

Test(iotlb, inv_pasid_of_rid_attachment_with_pasid_none)
{
	struct uiommu_port *rid = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_port *p1 = attach_ok(1, dom_a);

	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	EXPECT_MISS(rid, IOVA(0), page(1), "rid, fill");
	EXPECT_MISS(p1, IOVA(0), page(1), "pasid 1, fill");
	cr_assert_eq(uiommu_inv_pasid(dom_a, UIOMMU_PASID_NONE), 0);
	EXPECT_MISS(rid, IOVA(0), page(1), "rid, invalidated");
	EXPECT_HIT(p1, IOVA(0), page(1), "pasid 1, spared");
}

Test(iotlb, inv_pasid_not_attached_enoent)
{
	attach_ok(1, dom_a);
	cr_assert_eq(uiommu_inv_pasid(dom_a, 2), -ENOENT);
	cr_assert_eq(uiommu_inv_pasid(dom_b, 1), -ENOENT);
}

Test(iotlb, inv_domain_misses_every_attachment_of_the_domain)
{
	struct uiommu_port *rid = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_port *p1 = attach_ok(1, dom_a), *p2 = attach_ok(2, dom_b);

	map_ok(dom_a, IOVA(0), page(1), 2 * SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(5), 2 * SZ_4K, PROT_RW);
	EXPECT_MISS(rid, IOVA(0), page(1), "rid, fill");
	EXPECT_MISS(rid, IOVA(1), page(2), "rid, fill");
	EXPECT_MISS(p1, IOVA(0), page(1), "pasid 1, fill");
	EXPECT_MISS(p2, IOVA(0), page(5), "pasid 2, fill");
	cr_assert_eq(uiommu_inv_domain(dom_a), 0);
	EXPECT_MISS(rid, IOVA(0), page(1), "rid, invalidated");
	EXPECT_MISS(rid, IOVA(1), page(2), "rid, invalidated");
	EXPECT_MISS(p1, IOVA(0), page(1), "pasid 1, invalidated");
	EXPECT_HIT(p2, IOVA(0), page(5), "pasid 2, other domain");
}

/* -------------------------------------------------------------- unmap -- */

Test(iotlb, unmap_is_visible_at_once)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(8), page(8), 2 * SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(8), page(8), "fill");
	EXPECT_HIT(port, IOVA(8), page(8), "cached");
	EXPECT_MISS(port, IOVA(9), page(9), "fill");
	cr_assert_eq(uiommu_unmap(dom_a, IOVA(8), SZ_4K), 0);
	expect_fault(port, IOVA(8) + 8, 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_TRANSLATION, IOVA(8) + 8);
	EXPECT_HIT(port, IOVA(9), page(9), "neighbour");
}

Test(iotlb, remap_after_unmap_sees_the_new_page)
{
	struct uiommu_port *port = attach_ok(1, dom_a);

	map_ok(dom_a, IOVA(8), page(8), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(8), page(8), "fill");
	EXPECT_HIT(port, IOVA(8), page(8), "cached");
	cr_assert_eq(uiommu_unmap(dom_a, IOVA(8), SZ_4K), 0);
	map_ok(dom_a, IOVA(8), page(11), SZ_4K, UIOMMU_PROT_READ);
	EXPECT_MISS(port, IOVA(8), page(11), "remapped");
	EXPECT_HIT(port, IOVA(8), page(11), "remapped, cached");
	expect_fault(port, IOVA(8), 8, UIOMMU_ACCESS_WRITE,
		     UIOMMU_FAULT_PERMISSION, IOVA(8));
}

Test(iotlb, unmap_inside_a_2m_block_keeps_the_rest)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint8_t *buf = rte_malloc("test_2m", SZ_2M, SZ_2M);

	cr_assert_not_null(buf);
	map_ok(dom_a, SZ_1G, buf, SZ_2M, PROT_RW);
	EXPECT_MISS(port, SZ_1G + 0x5000, buf + 0x5000, "fill");
	EXPECT_HIT(port, SZ_1G + 0x4000, buf + 0x4000, "cached");
	cr_assert_eq(uiommu_unmap(dom_a, SZ_1G + 0x5000, SZ_4K), 0);
	expect_fault(port, SZ_1G + 0x5000, 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_TRANSLATION, SZ_1G + 0x5000);
	EXPECT_MISS(port, SZ_1G + 0x4000, buf + 0x4000, "below the hole");
	EXPECT_MISS(port, SZ_1G + 0x6000, buf + 0x6000, "above the hole");
	EXPECT_MISS(port, SZ_1G + SZ_2M - 8, buf + SZ_2M - 8, "last page");
	EXPECT_HIT(port, SZ_1G + 0x4008, buf + 0x4008, "below, cached");
	cr_assert_eq(uiommu_detach(port), 0);
	rte_free(buf);
}

/* ---------------------------------------------- identity and blocked -- */

Test(iotlb, identity_domain_passes_iova_through)
{
	struct uiommu_domain *id;
	struct uiommu_port *port;
	uint64_t probe[4] = { 0 };
	uint64_t iova = (uintptr_t)&probe[1];

	id = uiommu_domain_create(hw, UIOMMU_DOMAIN_IDENTITY, NULL);
	cr_assert_not_null(id);
	port = attach_ok(UIOMMU_PASID_NONE, id);
	cr_assert_eq(uiommu_translate(port, iova, 8, ACCESS_RW), &probe[1]);
	cr_assert_eq(uiommu_translate(port, 0x1234, 8, UIOMMU_ACCESS_READ),
		     (void *)0x1234);
	/* Any length: bypass is contiguous by definition. */
	cr_assert_eq(uiommu_translate(port, SZ_2M - 8, 64, UIOMMU_ACCESS_READ),
		     (void *)(uintptr_t)(SZ_2M - 8));
	cr_assert_eq(uiommu_hw_translate_sid(hw, SID, UIOMMU_PASID_NONE, iova,
					     8, UIOMMU_ACCESS_READ), &probe[1]);
}

Test(iotlb, blocked_domain_faults_blocked)
{
	struct uiommu_domain *blk;
	struct uiommu_port *port;

	blk = uiommu_domain_create(hw, UIOMMU_DOMAIN_BLOCKED, NULL);
	cr_assert_not_null(blk);
	port = attach_ok(UIOMMU_PASID_NONE, blk);
	expect_fault(port, IOVA(0), 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_BLOCKED, IOVA(0));
	expect_fault(port, IOVA(0), 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_BLOCKED, IOVA(0));
}

Test(iotlb, blocked_pasid_faults_blocked)
{
	struct uiommu_domain *blk;
	struct uiommu_port *port;

	blk = uiommu_domain_create(hw, UIOMMU_DOMAIN_BLOCKED, NULL);
	cr_assert_not_null(blk);
	port = attach_ok(4, blk);
	expect_fault(port, IOVA(2), 8, UIOMMU_ACCESS_WRITE,
		     UIOMMU_FAULT_BLOCKED, IOVA(2));
}

Test(iotlb, reattach_from_paging_to_blocked_blocks_cached_pages)
{
	struct uiommu_domain *blk;
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	blk = uiommu_domain_create(hw, UIOMMU_DOMAIN_BLOCKED, NULL);
	cr_assert_not_null(blk);
	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(0), "fill");
	port = attach_ok(UIOMMU_PASID_NONE, blk);
	expect_fault(port, IOVA(0), 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_BLOCKED, IOVA(0));
}

/* ------------------------------------------------------ attach/detach -- */

Test(iotlb, pasid_detach_then_attach_elsewhere_sees_new_domain)
{
	struct uiommu_port *port = attach_ok(1, dom_a);
	unsigned int round;

	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(2), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(1), "dom_a, fill");
	EXPECT_HIT(port, IOVA(0), page(1), "dom_a, cached");
	cr_assert_eq(uiommu_detach(port), 0);
	rte_errno = 0;
	cr_assert_null(uiommu_hw_translate_sid(hw, SID, 1, IOVA(0), 8,
					       UIOMMU_ACCESS_READ));
	fault_pop(hw, UIOMMU_FAULT_BAD_PASID, IOVA(0));
	port = attach_ok(1, dom_b);
	for (round = 0; round < 3; round++)
		translate_served(hw, port, IOVA(0), 8, UIOMMU_ACCESS_READ,
				 page(2), round ? HIT : MISS, "dom_b");
}

Test(iotlb, rid_reattach_sees_new_domain)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(2), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(1), "dom_a, fill");
	EXPECT_HIT(port, IOVA(0), page(1), "dom_a, cached");
	/* Replace without a detach: the old port is gone. */
	port = attach_ok(UIOMMU_PASID_NONE, dom_b);
	EXPECT_MISS(port, IOVA(0), page(2), "dom_b, fill");
	EXPECT_HIT(port, IOVA(0), page(2), "dom_b, cached");
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_PORT), 1);
}

Test(iotlb, detached_rid_faults_bad_device_by_sid)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(1), "fill");
	cr_assert_eq(uiommu_detach(port), 0);
	cr_assert_null(uiommu_hw_translate_sid(hw, SID, UIOMMU_PASID_NONE,
					       IOVA(0), 8,
					       UIOMMU_ACCESS_READ));
	fault_pop(hw, UIOMMU_FAULT_BAD_DEVICE, IOVA(0));
}

Test(iotlb, recycled_tag_does_not_hit_entries_of_its_old_domain)
{
	struct uiommu_port *port;
	unsigned int i;

	/*
	 * A detach frees the tag of the last user of a (domain, PASID); a
	 * later attach may get that tag for another domain, and must not hit
	 * what the old one left in the IOTLB. Alternate the domains over
	 * more cycles than the allocator takes to come back to a tag (it
	 * moves on one 64-tag slab per allocation: 1024 cycles for 2^16
	 * tags); every translation of a fresh attachment must miss.
	 */
	map_ok(dom_a, IOVA(0), page(1), SZ_4K, PROT_RW);
	map_ok(dom_b, IOVA(0), page(9), SZ_4K, PROT_RW);
	for (i = 0; i < 4096; i++) {
		struct uiommu_domain *dom = i % 2 ? dom_b : dom_a;
		uint8_t *want = i % 2 ? page(9) : page(1);

		port = attach_ok(1, dom);
		translate_served(hw, port, IOVA(0), 8, UIOMMU_ACCESS_READ,
				 want, MISS, i % 2 ? "dom_b" : "dom_a");
		cr_assert_eq(uiommu_detach(port), 0);
	}
}

/* ------------------------------------------------------------- lcores -- */

Test(iotlb, offline_lcore_faults_lcore)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_fault f;

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(0), "online");
	cr_assert_eq(uiommu_lcore_offline(ctx), 0);
	rte_errno = 0;
	cr_assert_null(uiommu_translate(port, IOVA(0), 8, UIOMMU_ACCESS_READ));
	cr_assert_eq(rte_errno, EFAULT);
	f = fault_pop(hw, UIOMMU_FAULT_LCORE, IOVA(0));
	cr_assert_eq(f.sid, SID);
	cr_assert_eq(f.lcore_id, rte_lcore_id());
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
}

Test(iotlb, lcore_back_online_starts_with_empty_iotlb)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(0), "online");
	EXPECT_HIT(port, IOVA(0), page(0), "online, cached");
	cr_assert_eq(uiommu_lcore_offline(ctx), 0);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	EXPECT_MISS(port, IOVA(0), page(0), "back online");
}

Test(iotlb, unmap_while_offline_is_not_seen_when_back_online)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(0), "online");
	cr_assert_eq(uiommu_lcore_offline(ctx), 0);
	cr_assert_eq(uiommu_unmap(dom_a, IOVA(0), SZ_4K), 0);
	map_ok(dom_a, IOVA(0), page(3), SZ_4K, PROT_RW);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	EXPECT_MISS(port, IOVA(0), page(3), "back online");
}

Test(iotlb, offline_twice_einval)
{
	cr_assert_eq(uiommu_lcore_offline(ctx), 0);
	cr_assert_eq(uiommu_lcore_offline(ctx), -EINVAL);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	cr_assert_eq(uiommu_lcore_online(ctx), 0, "online is idempotent");
}

struct thread_result {
	const struct uiommu_port *port;
	void *va;
	int err;
	unsigned int lcore_id;
};

static void *
translate_thread(void *arg)
{
	struct thread_result *r = arg;

	rte_errno = 0;
	r->va = uiommu_translate(r->port, IOVA(0), 8, UIOMMU_ACCESS_READ);
	r->err = rte_errno;
	r->lcore_id = rte_lcore_id();
	return NULL;
}

Test(iotlb, non_eal_thread_faults_lcore)
{
	struct thread_result r = { .port = attach_ok(UIOMMU_PASID_NONE,
						     dom_a) };
	struct uiommu_fault f;
	pthread_t t;

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(r.port, IOVA(0), page(0), "main lcore");
	cr_assert_eq(pthread_create(&t, NULL, translate_thread, &r), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(r.lcore_id, LCORE_ID_ANY);
	cr_assert_null(r.va);
	cr_assert_eq(r.err, EFAULT);
	f = fault_pop(hw, UIOMMU_FAULT_LCORE, IOVA(0));
	cr_assert_eq(f.sid, SID);
}

Test(iotlb, hw_created_after_lcore_online_translates)
{
	struct uiommu_dev_params dp = { .pasid_bits = 0 };
	struct uiommu_hw *hw2 = uiommu_hw_create(ctx, "direct", NULL);
	struct uiommu_domain *dom;
	struct uiommu_dev *dev2;
	struct uiommu_port *port;

	cr_assert_not_null(hw2);
	dev2 = uiommu_dev_create(hw2, SID, &dp);
	dom = uiommu_domain_create(hw2, UIOMMU_DOMAIN_PAGING, NULL);
	cr_assert(dev2 != NULL && dom != NULL);
	port = uiommu_attach(dev2, dom);
	cr_assert_not_null(port);
	map_ok(dom, IOVA(0), page(6), SZ_4K, PROT_RW);
	translate_served(hw2, port, IOVA(0), 8, UIOMMU_ACCESS_READ, page(6),
			 MISS, "hw2, fill");
	translate_served(hw2, port, IOVA(0), 8, UIOMMU_ACCESS_READ, page(6),
			 HIT, "hw2, cached");
}

Test(iotlb, stats_are_per_lcore)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct uiommu_lcore_stats mine, all, other;
	unsigned int other_lcore = (rte_lcore_id() + 1) % RTE_MAX_LCORE;

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(0), page(0), "fill");
	EXPECT_HIT(port, IOVA(0), page(0), "cached");
	cr_assert_eq(uiommu_hw_stats(hw, rte_lcore_id(), &mine), 0);
	cr_assert_eq(uiommu_hw_stats(hw, RTE_MAX_LCORE, &all), 0);
	cr_assert_eq(uiommu_hw_stats(hw, other_lcore, &other), 0);
	cr_assert_eq(memcmp(&mine, &all, sizeof(mine)), 0,
		     "one lcore: its stats are the sum");
	cr_assert_eq(other.hits + other.misses + other.faults, 0);
	cr_assert_eq(uiommu_hw_stats(NULL, RTE_MAX_LCORE, &all), -EINVAL);
	cr_assert_eq(uiommu_hw_stats(hw, RTE_MAX_LCORE, NULL), -EINVAL);
}

/* ------------------------------------------------------- address size -- */

Test(iotlb, iova_above_48_bits_does_not_alias_low_page)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint64_t high = (1ull << 48) | 0x1000;

	map_ok(dom_a, 0x1000, page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, 0x1000, page(0), "fill");
	EXPECT_HIT(port, 0x1000, page(0), "cached");
	expect_fault(port, high, 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_ADDR_SIZE, high);
	expect_fault(port, (1ull << 63) | 0x1000, 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_ADDR_SIZE, (1ull << 63) | 0x1000);
	EXPECT_HIT(port, 0x1000, page(0), "still cached");
}

Test(iotlb, iova_beyond_domain_ias_faults_addr_size)
{
	struct uiommu_domain_params p = { .ias = 39 };
	struct uiommu_domain *d39;
	struct uiommu_port *port;
	uint64_t high = (1ull << 39) | 0x1000;

	d39 = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p);
	cr_assert_not_null(d39);
	port = attach_ok(5, d39);
	map_ok(d39, 0x1000, page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, 0x1000, page(0), "fill");
	expect_fault(port, high, 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_ADDR_SIZE, high);
	EXPECT_HIT(port, 0x1000, page(0), "cached");
}

Test(iotlb, access_wrapping_the_address_space_faults)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint64_t iova = UINT64_MAX - 0xf;

	map_ok(dom_a, 0, page(0), SZ_4K, PROT_RW);
	rte_errno = 0;
	cr_assert_null(uiommu_translate(port, iova, 32, UIOMMU_ACCESS_READ));
	cr_assert_eq(rte_errno, EFAULT);
	fault_pop(hw, UIOMMU_FAULT_ADDR_SIZE, iova);
}

Test(iotlb, access_crossing_the_top_of_the_ias_faults_addr_size)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint64_t top = (1ull << 48) - SZ_4K;

	map_ok(dom_a, top, page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(port, top, page(0), "last page");
	expect_fault(port, top + SZ_4K - 8, 16, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_ADDR_SIZE, 1ull << 48);
}

/* ------------------------------------------------------------- burst -- */

Test(iotlb, bulk_matches_single_and_counts_hits_once_each)
{
	struct uiommu_port *port;
	uint64_t iova[N_PAGES];
	uint32_t len[N_PAGES];
	void *va[N_PAGES];
	struct uiommu_lcore_stats s0, s1;
	unsigned int i, ok;

	map_ok(dom_a, IOVA(0), page(0), (N_PAGES - 1) * SZ_4K, PROT_RW);
	port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	/* The last page is not mapped: it must fault, the rest translate. */
	for (i = 0; i < N_PAGES; i++) {
		iova[i] = IOVA(i) + 8 * i;
		len[i] = 16;
	}
	s0 = stats_of(hw);
	ok = uiommu_translate_bulk(port, iova, len, UIOMMU_ACCESS_READ, va,
				   N_PAGES);
	s1 = stats_of(hw);
	cr_assert_eq(ok, N_PAGES - 1);
	for (i = 0; i < N_PAGES - 1; i++)
		cr_assert_eq(va[i], page(i) + 8 * i, "entry %u", i);
	cr_assert_null(va[N_PAGES - 1]);
	cr_assert_eq(s1.misses - s0.misses, N_PAGES, "cold IOTLB: all miss");
	cr_assert_eq(s1.faults - s0.faults, 1);

	/* Warm: every mapped one is a hit, counted once. */
	s0 = stats_of(hw);
	ok = uiommu_translate_bulk(port, iova, len, UIOMMU_ACCESS_READ, va,
				   N_PAGES - 1);
	s1 = stats_of(hw);
	cr_assert_eq(ok, N_PAGES - 1);
	cr_assert_eq(s1.hits - s0.hits, N_PAGES - 1);
	cr_assert_eq(s1.misses, s0.misses);
	for (i = 0; i < N_PAGES - 1; i++)
		cr_assert_eq(va[i], uiommu_translate(port, iova[i], len[i],
						     UIOMMU_ACCESS_READ));
}

Test(iotlb, bulk_does_not_grant_what_the_entry_lacks)
{
	struct uiommu_port *port;
	uint64_t iova[2] = { IOVA(0), IOVA(1) };
	uint32_t len[2] = { 8, 8 };
	struct uiommu_fault f;
	void *va[2];

	map_ok(dom_a, IOVA(0), page(0), 2 * SZ_4K, UIOMMU_PROT_READ);
	port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	cr_assert_eq(uiommu_translate_bulk(port, iova, len, UIOMMU_ACCESS_READ,
					   va, 2), 2);
	cr_assert_eq(uiommu_translate_bulk(port, iova, len,
					   UIOMMU_ACCESS_WRITE, va, 2), 0);
	cr_assert(va[0] == NULL && va[1] == NULL);
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 1), 1);
	cr_assert_eq(f.reason, UIOMMU_FAULT_PERMISSION);
}

Test(iotlb, run_fills_on_a_miss_and_counts_its_hits_at_the_end)
{
	struct uiommu_port *port;
	struct uiommu_lcore_stats s0, s1;
	struct uiommu_xlate run;

	map_ok(dom_a, IOVA(0), page(0), 2 * SZ_4K, PROT_RW);
	port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	s0 = stats_of(hw);
	uiommu_xlate_begin(&run, port, rte_lcore_id());
	cr_assert_eq(uiommu_xlate(&run, IOVA(0) + 8, 8, UIOMMU_ACCESS_READ),
		     page(0) + 8);
	s1 = stats_of(hw);
	cr_assert_eq(s1.misses, s0.misses + 1, "cold: the first one misses");
	/* The fill made on the miss serves the run's next access. */
	cr_assert_eq(uiommu_xlate(&run, IOVA(0) + 16, 8, ACCESS_RW),
		     page(0) + 16);
	cr_assert_eq(uiommu_xlate(&run, IOVA(1), 8, UIOMMU_ACCESS_WRITE),
		     page(1));
	cr_assert_eq(uiommu_xlate(&run, IOVA(1) + 8, 8, UIOMMU_ACCESS_READ),
		     page(1) + 8);
	/* The last hit's page (the run's micro-TLB), then the other one
	 * (the IOTLB), then back: each at its own offset. */
	cr_assert_eq(uiommu_xlate(&run, IOVA(1) + 24, 8, UIOMMU_ACCESS_WRITE),
		     page(1) + 24);
	cr_assert_eq(uiommu_xlate(&run, IOVA(0) + 40, 8, UIOMMU_ACCESS_READ),
		     page(0) + 40);
	cr_assert_eq(uiommu_xlate(&run, IOVA(1) + 4088, 8, UIOMMU_ACCESS_READ),
		     page(1) + 4088);
	s1 = stats_of(hw);
	cr_assert_eq(s1.misses, s0.misses + 2);
	cr_assert_eq(s1.hits, s0.hits, "hits are the run's until it ends");
	uiommu_xlate_end(&run);
	s1 = stats_of(hw);
	cr_assert_eq(s1.hits, s0.hits + 5);
	cr_assert_eq(s1.faults, s0.faults);
	/* Ending twice adds nothing more. */
	uiommu_xlate_end(&run);
	cr_assert_eq(stats_of(hw).hits, s0.hits + 5);
}

Test(iotlb, run_micro_tlb_serves_a_2m_block_within_its_bounds)
{
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uint8_t *buf = rte_malloc("test_2m", SZ_2M, SZ_2M);
	const uint64_t base = 4 * SZ_2M;
	struct uiommu_lcore_stats s0;
	struct uiommu_xlate run;

	cr_assert_not_null(buf);
	map_ok(dom_a, base, buf, SZ_2M, UIOMMU_PROT_READ);
	s0 = stats_of(hw);
	uiommu_xlate_begin(&run, port, rte_lcore_id());
	cr_assert_eq(uiommu_xlate(&run, base, 8, UIOMMU_ACCESS_READ), buf);
	cr_assert_eq(uiommu_xlate(&run, base + 4096, 8, UIOMMU_ACCESS_READ),
		     buf + 4096);
	/* The last hit's block: its far end, but no write, and nothing
	 * past the end, where nothing is mapped. */
	cr_assert_eq(uiommu_xlate(&run, base + SZ_2M - 8, 8,
				  UIOMMU_ACCESS_READ), buf + SZ_2M - 8);
	cr_assert_eq(stats_of(hw).misses, s0.misses + 1, "one block, one walk");
	cr_assert_null(uiommu_xlate(&run, base + 64, 8, UIOMMU_ACCESS_WRITE));
	cr_assert_null(uiommu_xlate(&run, base + SZ_2M - 4, 8,
				    UIOMMU_ACCESS_READ));
	uiommu_xlate_end(&run);
	cr_assert_eq(stats_of(hw).hits, s0.hits + 2);
	cr_assert_eq(stats_of(hw).faults, s0.faults + 2);
	cr_assert_eq(uiommu_detach(port), 0);
	cr_assert_eq(uiommu_unmap(dom_a, base, SZ_2M), 0);
	rte_free(buf);
}

Test(iotlb, run_does_not_grant_what_the_entry_lacks)
{
	struct uiommu_port *port;
	struct uiommu_fault f[3];
	struct uiommu_xlate run;

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, UIOMMU_PROT_READ);
	port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	uiommu_xlate_begin(&run, port, rte_lcore_id());
	cr_assert_eq(uiommu_xlate(&run, IOVA(0), 8, UIOMMU_ACCESS_READ),
		     page(0));
	rte_errno = 0;
	cr_assert_null(uiommu_xlate(&run, IOVA(0), 8, UIOMMU_ACCESS_WRITE),
		       "a read hit granted a write");
	cr_assert_eq(rte_errno, EFAULT);
	/* Nor an access running off the end of the page into nothing. */
	cr_assert_null(uiommu_xlate(&run, IOVA(0) + SZ_4K - 4, 8,
				    UIOMMU_ACCESS_READ));
	uiommu_xlate_end(&run);
	cr_assert_eq(uiommu_hw_fault_read(hw, f, RTE_DIM(f)), 2);
	cr_assert_eq(f[0].reason, UIOMMU_FAULT_PERMISSION);
	cr_assert_eq(f[0].iova, IOVA(0));
	cr_assert_eq(f[1].reason, UIOMMU_FAULT_TRANSLATION);
	cr_assert_eq(f[1].iova, IOVA(1), "the fault is on the page it ran into");
}

struct run_thread_result {
	const struct uiommu_port *port;
	void *va;
	int err;
};

static void *
run_thread(void *arg)
{
	struct run_thread_result *r = arg;
	struct uiommu_xlate run;

	rte_errno = 0;
	uiommu_xlate_begin(&run, r->port, rte_lcore_id());
	r->va = uiommu_xlate(&run, IOVA(0), 8, UIOMMU_ACCESS_READ);
	r->err = rte_errno;
	uiommu_xlate_end(&run);
	return NULL;
}

Test(iotlb, run_off_an_lcore_faults_lcore)
{
	struct run_thread_result r = {
		.port = attach_ok(UIOMMU_PASID_NONE, dom_a),
	};
	pthread_t t;

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	EXPECT_MISS(r.port, IOVA(0), page(0), "main lcore");
	cr_assert_eq(pthread_create(&t, NULL, run_thread, &r), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_null(r.va);
	cr_assert_eq(r.err, EFAULT);
	fault_pop(hw, UIOMMU_FAULT_LCORE, IOVA(0));
}

/* --------------------------------------------------------- DMA copies -- */

Test(iotlb, dma_read_write_split_across_discontiguous_pages)
{
	struct uiommu_port *port;
	uint8_t src[SZ_4K + 256], dst[SZ_4K + 256];
	unsigned int i;

	/* IOVA pages 0, 1 and 2 backed by host pages 5, 2 and 9. */
	map_ok(dom_a, IOVA(0), page(5), SZ_4K, PROT_RW);
	map_ok(dom_a, IOVA(1), page(2), SZ_4K, PROT_RW);
	map_ok(dom_a, IOVA(2), page(9), SZ_4K, PROT_RW);
	port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);

	/* From 100 bytes before the end of IOVA page 0 into page 2. */
	cr_assert_eq(uiommu_dma_write(port, IOVA(1) - 100, src, sizeof(src)),
		     0);
	cr_assert_eq(memcmp(page(5) + SZ_4K - 100, src, 100), 0);
	cr_assert_eq(memcmp(page(2), src + 100, SZ_4K), 0);
	cr_assert_eq(memcmp(page(9), src + 100 + SZ_4K, 156), 0);
	memset(dst, 0, sizeof(dst));
	cr_assert_eq(uiommu_dma_read(port, IOVA(1) - 100, dst, sizeof(dst)),
		     0);
	cr_assert_eq(memcmp(dst, src, sizeof(src)), 0);
}

Test(iotlb, dma_write_stops_at_the_faulting_page)
{
	struct uiommu_port *port;
	uint8_t src[2 * SZ_4K];
	struct uiommu_fault f;

	map_ok(dom_a, IOVA(0), page(0), SZ_4K, PROT_RW);
	port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	memset(src, 0x5a, sizeof(src));
	memset(page(1), 0, SZ_4K);
	cr_assert_eq(uiommu_dma_write(port, IOVA(0), src, sizeof(src)),
		     -EFAULT);
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 1), 1);
	cr_assert_eq(f.iova, IOVA(1));
	cr_assert_eq(f.reason, UIOMMU_FAULT_TRANSLATION);
	/* Host page 1 sits after page 0 but is not mapped: untouched. */
	cr_assert_eq(page(1)[0], 0);
}

/* ------------------------------------------------------ pause, resume -- */

struct unmapper {
	struct uiommu_domain *dom;
	uint64_t iova;
	int rc;
	bool done;
};

static void *
unmapper_main(void *arg)
{
	struct unmapper *u = arg;

	u->rc = uiommu_unmap(u->dom, u->iova, SZ_4K);
	__atomic_store_n(&u->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Wait up to ~10 s for the unmapper (a loaded machine may run it late);
 * true if it finished. */
static bool
unmapper_wait(struct unmapper *u)
{
	unsigned int i;

	for (i = 0; i < 10000; i++) {
		if (__atomic_load_n(&u->done, __ATOMIC_ACQUIRE))
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

/*
 * A paused lcore holds up no grace period: a strict unmap on another
 * thread returns while it idles. On resume it applies the invalidation
 * before it translates again, with its other entries still cached. An
 * lcore that is merely online would hold the unmap until its next
 * quiescent state (checked first, then released).
 */
Test(iotlb, paused_lcore_does_not_hold_up_unmap_and_resumes_coherent)
{
	struct uiommu_ctx_fast *fast = uiommu_ctx_fast(ctx);
	struct uiommu_port *port = attach_ok(UIOMMU_PASID_NONE, dom_a);
	struct unmapper u = { .dom = dom_a, .iova = IOVA(5) };
	unsigned int lc = rte_lcore_id();
	pthread_t t;

	map_ok(dom_a, IOVA(5), page(5), SZ_4K, PROT_RW);
	map_ok(dom_a, IOVA(6), page(6), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(5), page(5), "fill 5");
	EXPECT_MISS(port, IOVA(6), page(6), "fill 6");

	/* Online, not paused: the unmap waits for this lcore. */
	cr_assert_eq(pthread_create(&t, NULL, unmapper_main, &u), 0);
	rte_delay_us_sleep(50000);
	cr_assert_not(__atomic_load_n(&u.done, __ATOMIC_ACQUIRE),
		      "the unmap did not wait for an online lcore");
	while (!__atomic_load_n(&u.done, __ATOMIC_ACQUIRE))
		uiommu_lcore_quiescent(ctx);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(u.rc, 0);
	map_ok(dom_a, IOVA(5), page(5), SZ_4K, PROT_RW);
	EXPECT_MISS(port, IOVA(5), page(5), "refill 5");

	/* Paused: it does not. */
	uiommu_lcore_pause_lc(fast, lc);
	u.done = false;
	cr_assert_eq(pthread_create(&t, NULL, unmapper_main, &u), 0);
	if (!unmapper_wait(&u)) {
		uiommu_lcore_resume_lc(fast, lc);
		while (!__atomic_load_n(&u.done, __ATOMIC_ACQUIRE))
			uiommu_lcore_quiescent(ctx);
		pthread_join(t, NULL);
		cr_assert_fail("a strict unmap waited for a paused lcore");
	}
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(u.rc, 0);
	uiommu_lcore_resume_lc(fast, lc);
	expect_fault(port, IOVA(5), 8, UIOMMU_ACCESS_READ,
		     UIOMMU_FAULT_TRANSLATION, IOVA(5));
	EXPECT_HIT(port, IOVA(6), page(6), "6 kept across the pause");
	cr_assert_eq(uiommu_unmap(dom_a, IOVA(6), SZ_4K), 0);
	cr_assert_eq(uiommu_detach(port), 0);
}
