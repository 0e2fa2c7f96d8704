/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deferred invalidation (lib/iommu/domain_fq.c): uiommu_unmap_deferred(),
 * LAZY domains and uiommu_domain_flush(), on each backend.
 *
 * What is under test, from uiommu.h:
 *   - deferred unmaps hand their invalidations to the backend but do not
 *     sync (no CMD_SYNC, no wait descriptor) until a flush, which syncs
 *     once for all of them; strict unmaps sync each;
 *   - after a flush no lcore translates a deferred range;
 *   - a map over a deferred range flushes first, so the remapped IOVA
 *     translates to the new memory, never the old;
 *   - the queue flushes itself when full, when a LAZY unmap finds the
 *     oldest expired, and when a strict unmap syncs anyway;
 *   - table pages a deferred unmap emptied are freed by the flush, and by
 *     domain teardown if nothing flushed them;
 *   - bad arguments fail with the documented errno and change nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <uiommu.h>
#include <uiommu_translate.h>
#include <uiommu_smmu_sim.h>
#include <uiommu_vtd_sim.h>

#include "uiommu_test.h"

#define IOVA_BASE	0x40000000ull
#define NPAGES		8

static void
suite_init(void)
{
	test_eal_init("test_inv_mode");
}

static void
suite_fini(void)
{
	test_eal_cleanup();
}

TestSuite(inv_mode, .init = suite_init, .fini = suite_fini, .timeout = 60);

static const char *const backends[] = { "direct", "smmu_sim", "vtd_sim" };

/* One device attached at its RID to one PAGING domain, the calling lcore
 * online, a buffer of NPAGES pages (2 MiB aligned, so that unmapping all of
 * a 2 MiB region empties a leaf table). */
struct fixture {
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	struct uiommu_dev *dev;
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	uint8_t *buf;
	uint8_t *buf2;		/* memory to remap to */
};

static void
fixture_up(struct fixture *f, const char *backend,
	   const struct uiommu_domain_params *params)
{
	memset(f, 0, sizeof(*f));
	f->ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(f->ctx);
	f->hw = uiommu_hw_create(f->ctx, backend, NULL);
	cr_assert_not_null(f->hw, "%s: %s", backend, rte_strerror(rte_errno));
	f->dev = uiommu_dev_create(f->hw, 0x10, NULL);
	cr_assert_not_null(f->dev);
	f->dom = uiommu_domain_create(f->hw, UIOMMU_DOMAIN_PAGING, params);
	cr_assert_not_null(f->dom, "%s: %s", backend,
			   rte_strerror(rte_errno));
	f->port = uiommu_attach(f->dev, f->dom);
	cr_assert_not_null(f->port);
	cr_assert_eq(uiommu_lcore_online(f->ctx), 0);
	f->buf = rte_malloc(NULL, NPAGES * SZ_4K, SZ_2M);
	f->buf2 = rte_malloc(NULL, NPAGES * SZ_4K, SZ_4K);
	cr_assert(f->buf != NULL && f->buf2 != NULL);
}

static void
fixture_down(struct fixture *f)
{
	cr_assert_eq(uiommu_lcore_offline(f->ctx), 0);
	cr_assert_eq(uiommu_ctx_destroy(f->ctx), 0);
	rte_free(f->buf);
	rte_free(f->buf2);
}

/* Map the NPAGES pages one by one (4 KiB leaves) and translate each, so
 * that the lcore's IOTLB holds them all. */
static void
map_and_touch(struct fixture *f)
{
	unsigned int i;

	for (i = 0; i < NPAGES; i++)
		cr_assert_eq(uiommu_map(f->dom, IOVA_BASE + i * SZ_4K,
					f->buf + i * SZ_4K, SZ_4K, PROT_RW), 0);
	for (i = 0; i < NPAGES; i++)
		cr_assert_eq(uiommu_translate(f->port, IOVA_BASE + i * SZ_4K,
					      8, UIOMMU_ACCESS_READ),
			     f->buf + i * SZ_4K);
}

/* Backend syncs so far: CMD_SYNCs on the SMMU, wait descriptors on VT-d;
 * the direct backend counts none (UINT64_MAX). */
static uint64_t
hw_syncs(const struct fixture *f, const char *backend)
{
	struct uiommu_smmu_sim_stats smmu;
	struct uiommu_vtd_sim_stats vtd;

	if (strcmp(backend, "smmu_sim") == 0) {
		cr_assert_eq(uiommu_smmu_sim_stats_get(f->hw, &smmu), 0);
		return smmu.cmds[UIOMMU_SMMU_CMD_SYNC];
	}
	if (strcmp(backend, "vtd_sim") == 0) {
		cr_assert_eq(uiommu_vtd_sim_stats_get(f->hw, &vtd), 0);
		return vtd.descs[UIOMMU_VTD_DESC_WAIT];
	}
	return UINT64_MAX;
}

static struct uiommu_domain_inv_stats
inv_stats(struct uiommu_domain *dom)
{
	struct uiommu_domain_inv_stats st;

	cr_assert_eq(uiommu_domain_inv_stats(dom, &st), 0);
	return st;
}

Test(inv_mode, deferred_unmaps_share_one_sync)
{
	unsigned int b, i;

	for (b = 0; b < RTE_DIM(backends); b++) {
		struct uiommu_domain_inv_stats st;
		struct fixture f;
		uint64_t s0;

		fixture_up(&f, backends[b], NULL);
		map_and_touch(&f);
		s0 = hw_syncs(&f, backends[b]);
		for (i = 0; i < NPAGES; i++)
			cr_assert_eq(uiommu_unmap_deferred(f.dom,
					IOVA_BASE + i * SZ_4K, SZ_4K), 0);
		cr_assert_eq(hw_syncs(&f, backends[b]), s0,
			     "%s: a deferred unmap synced", backends[b]);
		st = inv_stats(f.dom);
		cr_assert_eq(st.deferred, NPAGES);
		cr_assert_eq(st.pending, NPAGES);
		cr_assert_eq(st.flushes, 0);
		/* The pages are gone from the table already. */
		cr_assert_null(uiommu_iova_to_va(f.dom, IOVA_BASE));

		cr_assert_eq(uiommu_domain_flush(f.dom), 0);
		if (s0 != UINT64_MAX)
			cr_assert_eq(hw_syncs(&f, backends[b]), s0 + 1,
				     "%s: one flush, one sync", backends[b]);
		st = inv_stats(f.dom);
		cr_assert_eq(st.pending, 0);
		cr_assert_eq(st.flushes, 1);
		cr_assert_eq(st.flush_explicit, 1);
		for (i = 0; i < NPAGES; i++)
			cr_assert_null(uiommu_translate(f.port,
					IOVA_BASE + i * SZ_4K, 8,
					UIOMMU_ACCESS_READ),
				"%s: page %u translates after the flush",
				backends[b], i);
		/* A flush with nothing pending is free. */
		cr_assert_eq(uiommu_domain_flush(f.dom), 0);
		if (s0 != UINT64_MAX)
			cr_assert_eq(hw_syncs(&f, backends[b]), s0 + 1);
		cr_assert_eq(inv_stats(f.dom).flushes, 1);
		fixture_down(&f);
	}
}

Test(inv_mode, strict_unmaps_sync_each)
{
	unsigned int b, i;

	for (b = 1; b < RTE_DIM(backends); b++) {	/* counting backends */
		struct fixture f;
		uint64_t s0;

		fixture_up(&f, backends[b], NULL);
		map_and_touch(&f);
		s0 = hw_syncs(&f, backends[b]);
		for (i = 0; i < NPAGES; i++)
			cr_assert_eq(uiommu_unmap(f.dom, IOVA_BASE + i * SZ_4K,
						  SZ_4K), 0);
		cr_assert_eq(hw_syncs(&f, backends[b]), s0 + NPAGES);
		cr_assert_eq(inv_stats(f.dom).unmaps, NPAGES);
		cr_assert_eq(inv_stats(f.dom).deferred, 0);
		fixture_down(&f);
	}
}

Test(inv_mode, map_over_deferred_range_flushes_first)
{
	unsigned int b;

	for (b = 0; b < RTE_DIM(backends); b++) {
		struct uiommu_domain_inv_stats st;
		struct fixture f;

		fixture_up(&f, backends[b], NULL);
		map_and_touch(&f);
		cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE, SZ_4K), 0);
		cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE + SZ_4K,
						   SZ_4K), 0);
		/* Elsewhere: no flush. */
		cr_assert_eq(uiommu_map(f.dom, IOVA_BASE + SZ_2M, f.buf2,
					SZ_4K, PROT_RW), 0);
		st = inv_stats(f.dom);
		cr_assert_eq(st.flush_overlap, 0);
		cr_assert_eq(st.pending, 2);
		/* Over the first deferred page, to other memory: the stale
		 * IOTLB entry must not survive the map. */
		cr_assert_eq(uiommu_map(f.dom, IOVA_BASE, f.buf2 + SZ_4K,
					SZ_4K, PROT_RW), 0);
		st = inv_stats(f.dom);
		cr_assert_eq(st.flush_overlap, 1);
		cr_assert_eq(st.pending, 0);
		cr_assert_eq(uiommu_translate(f.port, IOVA_BASE, 8,
					      UIOMMU_ACCESS_READ),
			     f.buf2 + SZ_4K, "%s: stale translation",
			     backends[b]);
		cr_assert_null(uiommu_translate(f.port, IOVA_BASE + SZ_4K, 8,
						UIOMMU_ACCESS_READ));
		fixture_down(&f);
	}
}

Test(inv_mode, full_queue_flushes)
{
	struct uiommu_domain_params p = { .fq_size = 4 };
	struct uiommu_domain_inv_stats st;
	struct fixture f;
	unsigned int i;

	fixture_up(&f, "smmu_sim", &p);
	map_and_touch(&f);
	for (i = 0; i < 5; i++)
		cr_assert_eq(uiommu_unmap_deferred(f.dom,
				IOVA_BASE + i * SZ_4K, SZ_4K), 0);
	st = inv_stats(f.dom);
	cr_assert_eq(st.flush_full, 1);
	cr_assert_eq(st.flushes, 1);
	cr_assert_eq(st.pending, 1, "the fifth waits in the emptied queue");
	for (i = 0; i < 4; i++)
		cr_assert_null(uiommu_translate(f.port, IOVA_BASE + i * SZ_4K,
						8, UIOMMU_ACCESS_READ));
	fixture_down(&f);
}

Test(inv_mode, lazy_unmap_defers_until_expiry)
{
	struct uiommu_domain_params p = {
		.inv_mode = UIOMMU_INV_LAZY, .fq_timeout_us = 1000,
	};
	struct uiommu_domain_inv_stats st;
	unsigned int b;

	for (b = 0; b < RTE_DIM(backends); b++) {
		struct fixture f;
		uint64_t s0;

		fixture_up(&f, backends[b], &p);
		map_and_touch(&f);
		s0 = hw_syncs(&f, backends[b]);
		cr_assert_eq(uiommu_unmap(f.dom, IOVA_BASE, SZ_4K), 0);
		st = inv_stats(f.dom);
		cr_assert_eq(st.deferred, 1);
		cr_assert_eq(st.unmaps, 0);
		cr_assert_eq(st.pending, 1);
		cr_assert_eq(hw_syncs(&f, backends[b]), s0);
		rte_delay_us_sleep(3000);
		/* This unmap finds the first one 3 ms old: both flushed. */
		cr_assert_eq(uiommu_unmap(f.dom, IOVA_BASE + SZ_4K, SZ_4K), 0);
		st = inv_stats(f.dom);
		cr_assert_eq(st.flush_timeout, 1);
		cr_assert_eq(st.pending, 0);
		if (s0 != UINT64_MAX)
			cr_assert_eq(hw_syncs(&f, backends[b]), s0 + 1);
		cr_assert_null(uiommu_translate(f.port, IOVA_BASE, 8,
						UIOMMU_ACCESS_READ));
		cr_assert_null(uiommu_translate(f.port, IOVA_BASE + SZ_4K, 8,
						UIOMMU_ACCESS_READ));
		fixture_down(&f);
	}
}

Test(inv_mode, strict_unmap_completes_deferred_ones)
{
	struct uiommu_domain_inv_stats st;
	struct fixture f;

	fixture_up(&f, "vtd_sim", NULL);
	map_and_touch(&f);
	cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE, SZ_4K), 0);
	cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE + SZ_4K, SZ_4K),
		     0);
	cr_assert_eq(uiommu_unmap(f.dom, IOVA_BASE + 2 * SZ_4K, SZ_4K), 0);
	st = inv_stats(f.dom);
	cr_assert_eq(st.unmaps, 1);
	cr_assert_eq(st.flush_strict, 1);
	cr_assert_eq(st.pending, 0);
	cr_assert_null(uiommu_translate(f.port, IOVA_BASE, 8,
					UIOMMU_ACCESS_READ));
	fixture_down(&f);
}

/* Unmapping a whole 2 MiB region of 4 KiB leaves unlinks its leaf table;
 * the table page goes back to the heap at the flush, not before. */
Test(inv_mode, emptied_tables_freed_by_the_flush)
{
	const uint64_t iova = IOVA_BASE + SZ_1G;
	struct test_heap before, deferred, flushed;
	struct fixture f;
	uint8_t *region;
	unsigned int i;

	fixture_up(&f, "smmu_sim", NULL);
	region = rte_malloc(NULL, SZ_2M, SZ_2M);
	cr_assert_not_null(region);
	for (i = 0; i < SZ_2M / SZ_4K; i++)
		cr_assert_eq(uiommu_map(f.dom, iova + i * SZ_4K,
					region + i * SZ_4K, SZ_4K, PROT_RW), 0);
	/* The queue's slots are allocated by the first deferred unmap. */
	map_and_touch(&f);
	cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE, SZ_4K), 0);
	cr_assert_eq(uiommu_domain_flush(f.dom), 0);

	before = test_heap_now();
	cr_assert_eq(uiommu_unmap_deferred(f.dom, iova, SZ_2M), 0);
	deferred = test_heap_now();
	cr_assert_geq(deferred.allocs, before.allocs,
		      "a table page was freed before the sync");
	cr_assert_eq(uiommu_domain_flush(f.dom), 0);
	flushed = test_heap_now();
	cr_assert_lt(flushed.allocs, deferred.allocs,
		     "the flush freed no table page");
	cr_assert_null(uiommu_iova_to_va(f.dom, iova + SZ_4K));
	fixture_down(&f);
	rte_free(region);
}

/* Teardown frees what no flush did. */
Test(inv_mode, teardown_with_pending_unmaps_frees_all)
{
	struct test_heap before, after;
	struct fixture f;

	before = test_heap_now();
	fixture_up(&f, "vtd_sim", NULL);
	map_and_touch(&f);
	cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE, NPAGES * SZ_4K),
		     0);
	cr_assert_eq(inv_stats(f.dom).pending, 1);
	cr_assert_eq(uiommu_detach(f.port), 0);
	cr_assert_eq(uiommu_domain_destroy(f.dom), 0);
	fixture_down(&f);
	after = test_heap_now();
	test_heap_assert_eq(before, after, "ctx with pending unmaps");
	test_assert_no_malloc_leaks();
}

Test(inv_mode, bad_arguments_change_nothing)
{
	struct uiommu_domain_params bad = { .inv_mode = 2 };
	struct uiommu_domain_inv_stats st;
	struct uiommu_domain *blocked, *nested;
	struct fixture f;

	fixture_up(&f, "smmu_sim", NULL);
	map_and_touch(&f);

	cr_assert_eq(uiommu_unmap_deferred(NULL, IOVA_BASE, SZ_4K), -EINVAL);
	cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE + 1, SZ_4K),
		     -EINVAL);
	cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE, 0), -EINVAL);
	cr_assert_eq(uiommu_unmap_deferred(f.dom, 1ull << 60, SZ_4K),
		     -ERANGE);
	/* Partly unmapped: refused whole. */
	cr_assert_eq(uiommu_unmap_deferred(f.dom, IOVA_BASE, 2 * NPAGES *
					   SZ_4K), -ENOENT);
	st = inv_stats(f.dom);
	cr_assert_eq(st.deferred, 0);
	cr_assert_eq(st.pending, 0);
	cr_assert_eq(uiommu_translate(f.port, IOVA_BASE, 8,
				      UIOMMU_ACCESS_READ), f.buf);

	blocked = uiommu_domain_create(f.hw, UIOMMU_DOMAIN_BLOCKED, NULL);
	cr_assert_not_null(blocked);
	cr_assert_eq(uiommu_unmap_deferred(blocked, IOVA_BASE, SZ_4K),
		     -EINVAL);
	cr_assert_eq(uiommu_domain_flush(blocked), -EINVAL);
	cr_assert_eq(uiommu_domain_inv_stats(blocked, &st), -EINVAL);
	cr_assert_eq(uiommu_domain_destroy(blocked), 0);
	cr_assert_eq(uiommu_domain_flush(NULL), -EINVAL);
	cr_assert_eq(uiommu_domain_inv_stats(NULL, &st), -EINVAL);
	cr_assert_eq(uiommu_domain_inv_stats(f.dom, NULL), -EINVAL);

	rte_errno = 0;
	cr_assert_null(uiommu_domain_create(f.hw, UIOMMU_DOMAIN_PAGING, &bad));
	cr_assert_eq(rte_errno, EINVAL);
	fixture_down(&f);

	/* A nested domain checks its params alike. */
	fixture_up(&f, "smmu_sim", &(struct uiommu_domain_params){
			.fmt = UIOMMU_IOPT_ARM_LPAE_S2 });
	rte_errno = 0;
	nested = uiommu_domain_create_nested(f.dom, &bad);
	cr_assert_null(nested);
	cr_assert_eq(rte_errno, EINVAL);
	fixture_down(&f);
}
