/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NESTED domains (lib/iommu/domain.c, inv.c) on the "direct" backend: a
 * stage-1 table (IOVA -> IPA) over a stage-2 parent (IPA -> host VA).
 */
#include <string.h>

#include <uiommu.h>
#include <uiommu_driver.h>

#include "uiommu_test.h"

#define SID		0x21
#define N_PAGES		1024	/* 4 MiB of host pages */
#define IPA_BASE	0x40000000ull
#define IOVA_BASE	0x7000000000ull

static struct uiommu_ctx *ctx;
static struct uiommu_hw *hw;
static struct uiommu_dev *dev;
static struct uiommu_domain *s2;
static uint8_t *pages;

static void
suite_init(void)
{
	struct uiommu_domain_params p2 = { .fmt = UIOMMU_IOPT_ARM_LPAE_S2 };

	test_eal_init("test_nested");
	ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	hw = uiommu_hw_create(ctx, "direct", NULL);
	cr_assert_not_null(hw);
	dev = uiommu_dev_create(hw, SID, NULL);
	cr_assert_not_null(dev);
	s2 = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p2);
	cr_assert_not_null(s2);
	/* A 2 MiB-aligned pool, so the parent can map it with a block. */
	pages = rte_zmalloc("test_pages", N_PAGES * SZ_4K, SZ_2M);
	cr_assert_not_null(pages);
}

static void
suite_fini(void)
{
	uiommu_ctx_destroy(ctx);
	rte_free(pages);
	test_eal_cleanup();
}

TestSuite(nested, .init = suite_init, .fini = suite_fini, .timeout = 60);

static struct uiommu_domain *
nested_ok(void)
{
	struct uiommu_domain *n = uiommu_domain_create_nested(s2, NULL);

	cr_assert_not_null(n, "create_nested: rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_domain_type(n), UIOMMU_DOMAIN_NESTED);
	return n;
}

Test(nested, parent_must_be_stage2_paging)
{
	struct uiommu_domain *s1 = uiommu_domain_create(hw,
			UIOMMU_DOMAIN_PAGING, NULL);
	struct uiommu_domain *ident = uiommu_domain_create(hw,
			UIOMMU_DOMAIN_IDENTITY, NULL);
	struct uiommu_domain_params s2fmt = {
		.fmt = UIOMMU_IOPT_ARM_LPAE_S2,
	};
	struct uiommu_domain *n = nested_ok();

	cr_assert_not_null(s1);
	cr_assert_not_null(ident);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create_nested(NULL, NULL));
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create_nested(s1, NULL));
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create_nested(ident, NULL));
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create_nested(n, NULL), "nested parent");
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create_nested(s2, &s2fmt),
		       "a nested table is stage 1");
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_eq(uiommu_domain_parent(n), s2);
	cr_assert_null(uiommu_domain_parent(s1));
}

Test(nested, parent_busy_until_nested_destroyed)
{
	struct uiommu_domain_params p2 = { .fmt = UIOMMU_IOPT_ARM_LPAE_S2 };
	struct uiommu_domain *parent = uiommu_domain_create(hw,
			UIOMMU_DOMAIN_PAGING, &p2);
	struct uiommu_domain *n;

	cr_assert_not_null(parent);
	n = uiommu_domain_create_nested(parent, NULL);
	cr_assert_not_null(n);
	cr_assert_eq(uiommu_domain_destroy(parent), -EBUSY);
	cr_assert_eq(uiommu_domain_destroy(n), 0);
	cr_assert_eq(uiommu_domain_destroy(parent), 0);
}

Test(nested, iova_to_va_composes_both_stages)
{
	struct uiommu_domain *n = nested_ok();

	cr_assert_eq(uiommu_map(s2, IPA_BASE, pages, 16 * SZ_4K, PROT_RW), 0);
	/* IOVA page i -> IPA page 15 - i: the stages must compose, not
	 * add offsets. */
	for (unsigned int i = 0; i < 16; i++)
		cr_assert_eq(uiommu_map(n, IOVA_BASE + i * SZ_4K,
					(void *)(uintptr_t)(IPA_BASE +
					(15 - i) * SZ_4K), SZ_4K, PROT_RW), 0);
	for (unsigned int i = 0; i < 16; i++)
		cr_assert_eq(uiommu_iova_to_va(n, IOVA_BASE + i * SZ_4K + 5),
			     pages + (15 - i) * SZ_4K + 5, "page %u", i);
	/* Mapped at stage 1, not at stage 2. */
	cr_assert_eq(uiommu_map(n, IOVA_BASE + 16 * SZ_4K,
				(void *)(uintptr_t)(IPA_BASE + 64 * SZ_4K),
				SZ_4K, PROT_RW), 0);
	rte_errno = 0;
	cr_assert_null(uiommu_iova_to_va(n, IOVA_BASE + 16 * SZ_4K));
	cr_assert_eq(rte_errno, ENOENT);
}

Test(nested, map_rejects_ipa_beyond_parent_input_size)
{
	struct uiommu_domain_params p2 = {
		.fmt = UIOMMU_IOPT_ARM_LPAE_S2, .ias = 32,
	};
	struct uiommu_domain *parent = uiommu_domain_create(hw,
			UIOMMU_DOMAIN_PAGING, &p2);
	struct uiommu_domain *n;

	cr_assert_not_null(parent);
	n = uiommu_domain_create_nested(parent, NULL);
	cr_assert_not_null(n);
	cr_assert_eq(uiommu_map(n, 0, (void *)(uintptr_t)(1ull << 32), SZ_4K,
				PROT_RW), -ERANGE);
	cr_assert_eq(uiommu_map(n, 0, (void *)(uintptr_t)((1ull << 32) -
				SZ_4K), SZ_4K, PROT_RW), 0);
}

Test(nested, translate_walks_both_stages_and_ands_rights)
{
	struct uiommu_domain *n = nested_ok();
	struct uiommu_port *port;

	/* Stage 1 read-write over a stage-2 read-only page. */
	cr_assert_eq(uiommu_map(s2, IPA_BASE, pages, SZ_4K,
				UIOMMU_PROT_READ), 0);
	cr_assert_eq(uiommu_map(n, IOVA_BASE, (void *)(uintptr_t)IPA_BASE,
				SZ_4K, PROT_RW), 0);
	port = uiommu_attach(dev, n);
	cr_assert_not_null(port);
	cr_assert_eq(uiommu_translate(port, IOVA_BASE + 8, 8,
				      UIOMMU_ACCESS_READ), pages + 8);
	rte_errno = 0;
	cr_assert_null(uiommu_translate(port, IOVA_BASE + 8, 8,
					UIOMMU_ACCESS_WRITE));
	cr_assert_eq(rte_errno, EFAULT);
	cr_assert_eq(uiommu_detach(port), 0);
}

Test(nested, block_over_pages_caches_the_smaller_page)
{
	struct uiommu_domain *n = nested_ok();
	struct uiommu_port *port;
	unsigned int i;

	/* Stage 1: one 2 MiB block; stage 2: 4 KiB pages in reverse. */
	for (i = 0; i < 512; i++)
		cr_assert_eq(uiommu_map(s2, IPA_BASE + i * SZ_4K,
					pages + (511 - i) * SZ_4K, SZ_4K,
					PROT_RW), 0);
	cr_assert_eq(uiommu_map(n, IOVA_BASE, (void *)(uintptr_t)IPA_BASE,
				SZ_2M, PROT_RW), 0);
	port = uiommu_attach(dev, n);
	cr_assert_not_null(port);
	for (i = 0; i < 512; i += 37)
		cr_assert_eq(uiommu_translate(port, IOVA_BASE + i * SZ_4K, 8,
					      UIOMMU_ACCESS_READ),
			     pages + (511 - i) * SZ_4K, "page %u", i);
	/* Again, now from the IOTLB: still one page each. */
	for (i = 0; i < 512; i += 37)
		cr_assert_eq(uiommu_translate(port, IOVA_BASE + i * SZ_4K, 8,
					      UIOMMU_ACCESS_READ),
			     pages + (511 - i) * SZ_4K, "page %u", i);
	cr_assert_eq(uiommu_detach(port), 0);
}

Test(nested, parent_unmap_invalidates_nested_translations)
{
	struct uiommu_domain *n = nested_ok();
	struct uiommu_port *port;

	cr_assert_eq(uiommu_map(s2, IPA_BASE, pages, SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_map(n, IOVA_BASE, (void *)(uintptr_t)IPA_BASE,
				SZ_4K, PROT_RW), 0);
	port = uiommu_attach(dev, n);
	cr_assert_not_null(port);
	/* Cached in the IOTLB under the nested domain's tag. */
	cr_assert_eq(uiommu_translate(port, IOVA_BASE, 8, UIOMMU_ACCESS_READ),
		     pages);
	cr_assert_eq(uiommu_translate(port, IOVA_BASE, 8, UIOMMU_ACCESS_READ),
		     pages);
	cr_assert_eq(uiommu_unmap(s2, IPA_BASE, SZ_4K), 0);
	rte_errno = 0;
	cr_assert_null(uiommu_translate(port, IOVA_BASE, 8,
					UIOMMU_ACCESS_READ),
		       "stale nested translation after the parent's unmap");
	cr_assert_eq(rte_errno, EFAULT);
	/* Remapped elsewhere at stage 2: the new page, not the old one. */
	cr_assert_eq(uiommu_map(s2, IPA_BASE, pages + SZ_4K, SZ_4K, PROT_RW),
		     0);
	cr_assert_eq(uiommu_translate(port, IOVA_BASE, 8, UIOMMU_ACCESS_READ),
		     pages + SZ_4K);
	cr_assert_eq(uiommu_detach(port), 0);
}

Test(nested, inv_domain_of_parent_reaches_nested)
{
	struct uiommu_domain *n = nested_ok();
	struct uiommu_lcore_stats s0, s1;
	struct uiommu_port *port;

	cr_assert_eq(uiommu_map(s2, IPA_BASE, pages, SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_map(n, IOVA_BASE, (void *)(uintptr_t)IPA_BASE,
				SZ_4K, PROT_RW), 0);
	port = uiommu_attach(dev, n);
	cr_assert_not_null(port);
	cr_assert_not_null(uiommu_translate(port, IOVA_BASE, 8,
					    UIOMMU_ACCESS_READ));
	cr_assert_eq(uiommu_inv_domain(s2), 0);
	cr_assert_eq(uiommu_hw_stats(hw, rte_lcore_id(), &s0), 0);
	cr_assert_eq(uiommu_translate(port, IOVA_BASE, 8, UIOMMU_ACCESS_READ),
		     pages);
	cr_assert_eq(uiommu_hw_stats(hw, rte_lcore_id(), &s1), 0);
	cr_assert_eq(s1.misses, s0.misses + 1,
		     "the nested entry survived the parent's invalidation");
	cr_assert_eq(uiommu_detach(port), 0);
}
