/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver half of vtd_sim (drivers/vtd_sim/vtd_drv*.c) against its
 * device model: bring-up, the context and PASID entries attach writes, the
 * rules that refuse an attach, the descriptors an invalidation becomes
 * (read back from queue memory), the IQE path, the walker against the
 * core's table walk, faults, and interrupt remapping.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <rte_random.h>

#include <uiommu.h>
#include <uiommu_driver.h>
#include <uiommu_vtd_sim.h>

#include "vtd_drv.h"
#include "uiommu_test.h"

#define N_PAGES		64u
#define IOVA_BASE	0x100000ull

static struct uiommu_ctx *ctx;
static struct uiommu_hw *hw;
static uint8_t *pages;

static void
suite_init(void)
{
	test_eal_init("test_vtd_drv");
	ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	hw = uiommu_hw_create(ctx, "vtd_sim", NULL);
	cr_assert_not_null(hw, "rte_errno %d", rte_errno);
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

/* One timeout for every suite: criterion 2.4's runner leaks a little
 * (which LeakSanitizer turns into exit 1) when suites of one binary run in
 * parallel with different timeouts. */
TestSuite(vtd_hw, .init = suite_init, .fini = suite_fini, .timeout = 120);
TestSuite(vtd_attach, .init = suite_init, .fini = suite_fini, .timeout = 120);
TestSuite(vtd_inv, .init = suite_init, .fini = suite_fini, .timeout = 120);
TestSuite(vtd_walk, .init = suite_init, .fini = suite_fini, .timeout = 120);
TestSuite(vtd_ir, .init = suite_init, .fini = suite_fini, .timeout = 120);

static struct vtd_drv *drv_of(const struct uiommu_hw *h)
{
	return vtd_drv_of(h);
}

static struct uiommu_dev *
dev_new(struct uiommu_hw *h, uint32_t sid, uint8_t pasid_bits, bool ats)
{
	struct uiommu_dev_params p = { .pasid_bits = pasid_bits, .ats = ats };
	struct uiommu_dev *d = uiommu_dev_create(h, sid, &p);

	cr_assert_not_null(d, "dev_create(%#x): rte_errno %d", sid, rte_errno);
	return d;
}

static struct uiommu_domain *
paging_new(struct uiommu_hw *h, enum uiommu_iopt_fmt fmt)
{
	struct uiommu_domain_params p = { .fmt = fmt };
	struct uiommu_domain *dom = uiommu_domain_create(h,
			UIOMMU_DOMAIN_PAGING, &p);

	cr_assert_not_null(dom, "rte_errno %d", rte_errno);
	return dom;
}

static uint64_t *
pasid_entry(struct uiommu_dev *d, uint32_t pasid)
{
	return vtd_pasid_slot(uiommu_dev_priv(d), pasid, false);
}

/* Descriptors queued since @mark, as 4 words each (scalable). */
static unsigned int
descs_since(struct uiommu_hw *h, uint32_t mark, uint64_t out[][4],
	    unsigned int max)
{
	struct vtd_drv *drv = drv_of(h);
	unsigned int n = 0, w, words = 1u << (drv->desc_shift - 3);

	while (mark != drv->iq_tail && n < max) {
		memset(out[n], 0, 32);
		for (w = 0; w < words; w++)
			out[n][w] = drv->iq[mark / 8 + w];
		n++;
		mark = (mark + (1u << drv->desc_shift)) % drv->iq_bytes;
	}
	return n;
}

static unsigned int
desc_type(const uint64_t *d)
{
	return (d[0] & 0xf) | ((d[0] >> 9) & 7) << 4;
}

/* ------------------------------------------------------------- hw -- */

Test(vtd_hw, kvargs_bad_fail_einval)
{
	static const char *const bad[] = {
		"mode=extended", "qi=8", "qi=x", "nfr=0", "nfr=257", "irt=0",
		"irt=17", "cfi=2", "psi_max=0", "bogus=1", "qi=",
	};
	unsigned int i, before = uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW);

	for (i = 0; i < RTE_DIM(bad); i++) {
		cr_assert_null(uiommu_hw_create(ctx, "vtd_sim", bad[i]), "%s",
			       bad[i]);
		cr_assert_eq(rte_errno, EINVAL, "%s: %d", bad[i], rte_errno);
	}
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW), before);
	cr_assert_not_null(uiommu_hw_create(ctx, "vtd_sim",
		"mode=legacy,qi=7,nfr=256,irt=16,cfi=1,psi_max=64"));
}

Test(vtd_hw, bringup_state)
{
	struct vtd_drv *drv = drv_of(hw);
	uint32_t gsts = vtd_model_read32(drv->m, DMAR_GSTS_REG);
	struct uiommu_hw_caps caps;

	cr_assert_eq(gsts & (GSTS_TES | GSTS_QIES | GSTS_IRES | GSTS_RTPS |
			     GSTS_IRTPS),
		     GSTS_TES | GSTS_QIES | GSTS_IRES | GSTS_RTPS | GSTS_IRTPS);
	cr_assert_eq(gsts & GSTS_CFIS, 0);
	cr_assert_eq(vtd_model_read64(drv->m, DMAR_RTADDR_REG),
		     (uintptr_t)drv->root | (1ull << 10));
	cr_assert_eq(vtd_model_read64(drv->m, DMAR_IQA_REG),
		     (uintptr_t)drv->iq | (1ull << 11));
	cr_assert_eq(vtd_model_read64(drv->m, DMAR_IRTA_REG),
		     (uintptr_t)drv->irt | (1ull << 11) | 9);
	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert_eq(caps.stages, 3);
	cr_assert_eq(caps.pasid_bits, 20);
	cr_assert_eq(caps.s1_fmt, UIOMMU_IOPT_VTD_FL);
	cr_assert(caps.tlb_tag_pasid);
}

Test(vtd_hw, legacy_caps_and_cfi)
{
	struct uiommu_hw *h = uiommu_hw_create(ctx, "vtd_sim",
					       "mode=legacy,cfi=1");
	struct uiommu_hw_caps caps;

	cr_assert_not_null(h);
	cr_assert_eq(uiommu_hw_get_caps(h, &caps), 0);
	cr_assert_eq(caps.stages, 2);
	cr_assert_eq(caps.pasid_bits, 0);
	cr_assert(vtd_model_read32(drv_of(h)->m, DMAR_GSTS_REG) & GSTS_CFIS);
	cr_assert_eq(vtd_model_read64(drv_of(h)->m, DMAR_RTADDR_REG) &
		     (3ull << 10), 0);
}

/* --------------------------------------------------------- attach -- */

Test(vtd_attach, context_entry_scalable)
{
	struct uiommu_dev *d = dev_new(hw, 0x0310, 8, true);
	struct vtd_drv_dev *dd = uiommu_dev_priv(d);
	uint64_t *ce = dd->ctx;

	cr_assert(ce[0] & 1);			/* P */
	cr_assert(ce[0] & (1ull << 2));		/* DTE */
	cr_assert(ce[0] & (1ull << 3));		/* PASIDE */
	cr_assert_eq((ce[0] >> 9) & 7, 0);	/* PDTS: 128 dir entries */
	cr_assert_eq(ce[0] & ~0xfffull, (uintptr_t)dd->pasid_dir);
	cr_assert_eq(ce[1] & 0xfffff, 0);	/* RID_PASID */
	cr_assert_eq(drv_of(hw)->root[3 * 2] & ~0xfffull,
		     (uintptr_t)drv_of(hw)->ctx_tbl[3][0]);
}

Test(vtd_attach, pasid_entry_per_domain_type)
{
	struct uiommu_dev *d = dev_new(hw, 0x10, 8, false);
	struct uiommu_domain *sl = paging_new(hw, UIOMMU_IOPT_VTD_SL);
	struct uiommu_domain *fl = paging_new(hw, UIOMMU_IOPT_VTD_FL);
	struct uiommu_domain *nest = uiommu_domain_create_nested(sl, NULL);
	struct uiommu_domain *id = uiommu_domain_create(hw,
			UIOMMU_DOMAIN_IDENTITY, NULL);
	struct uiommu_iopt_info isl, ifl, inest;
	uint64_t *pe;

	cr_assert_not_null(nest);
	uiommu_domain_iopt_info(sl, &isl);
	uiommu_domain_iopt_info(fl, &ifl);
	uiommu_domain_iopt_info(nest, &inest);
	cr_assert_not_null(uiommu_attach(d, sl));
	pe = pasid_entry(d, 0);
	cr_assert_eq((pe[0] >> 6) & 7, 2);	/* PGTT SL */
	cr_assert_eq((pe[0] >> 2) & 7, 2);	/* AW 48 */
	cr_assert_eq(pe[0] & ~0xfffull, isl.root);
	cr_assert_neq(pe[1] & 0xffff, 0);	/* DID = tag */
	cr_assert_not_null(uiommu_attach_pasid(d, 5, fl));
	pe = pasid_entry(d, 5);
	cr_assert_eq(pe[0] & 1, 1);
	cr_assert_eq((pe[0] >> 6) & 7, 1);	/* PGTT FL */
	cr_assert_eq(pe[2] & ~0xfffull, ifl.root);	/* FLPTR */
	cr_assert_eq((pe[2] >> 2) & 3, 0);	/* FLPM 4-level */
	cr_assert_not_null(uiommu_attach_pasid(d, 6, nest));
	pe = pasid_entry(d, 6);
	cr_assert_eq((pe[0] >> 6) & 7, 3);	/* PGTT nested */
	cr_assert_eq(pe[0] & ~0xfffull, isl.root);
	cr_assert_eq(pe[2] & ~0xfffull, inest.root);
	cr_assert_not_null(uiommu_attach(d, id));
	pe = pasid_entry(d, 0);
	cr_assert_eq((pe[0] >> 6) & 7, 4);	/* PGTT PT */
}

static void
snapshot(struct uiommu_dev *d, uint8_t *buf)
{
	struct vtd_drv_dev *dd = uiommu_dev_priv(d);

	memcpy(buf, dd->ctx, 32);
	memcpy(buf + 32, dd->pasid_dir, 1024);
	if (dd->pasid_tbl[0] != NULL)
		memcpy(buf + 32 + 1024, dd->pasid_tbl[0], 4096);
}

Test(vtd_attach, pasid0_refused_tables_unchanged)
{
	struct uiommu_dev *d = dev_new(hw, 0x20, 8, false);
	struct uiommu_domain *fl = paging_new(hw, UIOMMU_IOPT_VTD_FL);
	static uint8_t before[32 + 1024 + 4096], after[sizeof(before)];

	cr_assert_not_null(uiommu_attach(d, fl));
	snapshot(d, before);
	cr_assert_null(uiommu_attach_pasid(d, 0, fl));
	cr_assert_eq(rte_errno, EINVAL);
	snapshot(d, after);
	cr_assert_eq(memcmp(before, after, sizeof(before)), 0);
}

Test(vtd_attach, legacy_refuses_pasid_and_writes_context)
{
	struct uiommu_hw *h = uiommu_hw_create(ctx, "vtd_sim", "mode=legacy");
	struct uiommu_dev *d, *dp;
	struct uiommu_domain *sl;
	struct uiommu_dev_params p = { .pasid_bits = 4 };
	struct uiommu_iopt_info info;
	uint64_t before[2], *ce;

	cr_assert_not_null(h);
	/* The core refuses PASID widths the hw lacks. */
	cr_assert_null(uiommu_dev_create(h, 0x30, &p));
	d = dev_new(h, 0x31, 0, false);
	sl = paging_new(h, UIOMMU_IOPT_VTD_SL);
	uiommu_domain_iopt_info(sl, &info);
	ce = ((struct vtd_drv_dev *)uiommu_dev_priv(d))->ctx;
	cr_assert_eq(ce[0], 0);
	cr_assert_not_null(uiommu_attach(d, sl));
	cr_assert_eq(ce[0] & 1, 1);
	cr_assert_eq((ce[0] >> 2) & 3, 0);		/* TT multi-level */
	cr_assert_eq(ce[0] & ~0xfffull, info.root);
	cr_assert_eq(ce[1] & 7, 2);			/* AW */
	cr_assert_neq((ce[1] >> 8) & 0xffff, 0);	/* DID */
	/* Backend refusal: a PASID attach, straight to the ops. */
	memcpy(before, ce, 16);
	dp = d;
	cr_assert_eq(vtd_sim_ops.attach(dp, 3, sl, 7), -EINVAL);
	cr_assert_eq(memcmp(before, ce, 16), 0);
}

/* ------------------------------------------------------------ inv -- */

struct inv_fixture {
	struct uiommu_dev *d;
	struct uiommu_domain *dom;
	uint32_t tag;
};

static struct inv_fixture
inv_setup(enum uiommu_iopt_fmt fmt, uint32_t pasid, bool ats)
{
	struct inv_fixture f;
	uint64_t *pe;

	f.d = dev_new(hw, 0x40, 8, ats);
	f.dom = paging_new(hw, fmt);
	cr_assert_eq(uiommu_map(f.dom, 0, pages, SZ_2M, PROT_RW), 0);
	if (pasid == 0)
		cr_assert_not_null(uiommu_attach(f.d, f.dom));
	else
		cr_assert_not_null(uiommu_attach_pasid(f.d, pasid, f.dom));
	pe = pasid_entry(f.d, pasid);
	f.tag = pe[1] & 0xffff;
	return f;
}

Test(vtd_inv, sl_range_is_psi_with_am_split)
{
	struct inv_fixture f = inv_setup(UIOMMU_IOPT_VTD_SL, 0, false);
	uint32_t mark = drv_of(hw)->iq_tail;
	uint64_t d[16][4];
	unsigned int n;

	/* 3 pages at page 1: chunks 1 (AM 0), 2..3 (AM 1). */
	cr_assert_eq(uiommu_unmap(f.dom, SZ_4K, 3 * SZ_4K), 0);
	n = descs_since(hw, mark, d, 16);
	cr_assert_eq(n, 3);
	cr_assert_eq(desc_type(d[0]), QI_IOTLB_TYPE);
	cr_assert_eq((d[0][0] >> 4) & 3, QI_IOTLB_G_PSI);
	cr_assert_eq((d[0][0] >> 16) & 0xffff, f.tag);
	cr_assert_eq(d[0][1], SZ_4K | 0);
	cr_assert_eq(d[1][1], 2 * SZ_4K | 1);
	cr_assert_eq(desc_type(d[2]), QI_IWD_TYPE);
	cr_assert_eq(d[2][0] & (QI_IWD_SW | QI_IWD_FN), QI_IWD_SW | QI_IWD_FN);
}

Test(vtd_inv, fl_range_is_pasid_psi_then_devtlb)
{
	struct inv_fixture f = inv_setup(UIOMMU_IOPT_VTD_FL, 9, true);
	uint32_t mark = drv_of(hw)->iq_tail;
	uint64_t d[16][4];
	unsigned int n;

	cr_assert_eq(uiommu_unmap(f.dom, 0, SZ_4K), 0);
	n = descs_since(hw, mark, d, 16);
	cr_assert_eq(n, 3);
	cr_assert_eq(desc_type(d[0]), QI_EIOTLB_TYPE);
	cr_assert_eq((d[0][0] >> 4) & 3, QI_EIOTLB_G_PSI);
	cr_assert_eq((d[0][0] >> 32) & 0xfffff, 9);
	cr_assert_eq((d[0][0] >> 16) & 0xffff, f.tag);
	cr_assert_eq(desc_type(d[1]), QI_DEIOTLB_TYPE);
	cr_assert_eq((d[1][0] >> 16) & 0xffff, 0x40);
	cr_assert_eq(desc_type(d[2]), QI_IWD_TYPE);
}

Test(vtd_inv, psi_max_falls_back_to_dsi)
{
	struct inv_fixture f = inv_setup(UIOMMU_IOPT_VTD_SL, 0, false);
	uint32_t mark = drv_of(hw)->iq_tail;
	uint64_t d[16][4];
	struct uiommu_vtd_sim_stats s0, s1;
	unsigned int n;

	uiommu_vtd_sim_stats_get(hw, &s0);
	/* 1,2,4,8 pages ... : 1 + 2 + 4 + 8 + 16 (31 pages at page 1) needs
	 * 5 chunks, above the default psi_max of 4. */
	cr_assert_eq(uiommu_unmap(f.dom, SZ_4K, 31 * SZ_4K), 0);
	n = descs_since(hw, mark, d, 16);
	cr_assert_eq(n, 2);
	cr_assert_eq(desc_type(d[0]), QI_IOTLB_TYPE);
	cr_assert_eq((d[0][0] >> 4) & 3, QI_IOTLB_G_DSI);
	uiommu_vtd_sim_stats_get(hw, &s1);
	cr_assert_eq(s1.descs[QI_IOTLB_TYPE] - s0.descs[QI_IOTLB_TYPE], 1);
	cr_assert_eq(s1.descs[QI_IWD_TYPE] - s0.descs[QI_IWD_TYPE], 1);
	cr_assert_eq(s1.hw_descs[QI_IWD_TYPE] - s0.hw_descs[QI_IWD_TYPE], 1);
}

Test(vtd_inv, iqe_skipped_sync_eio_queue_works_after)
{
	struct vtd_drv *drv = drv_of(hw);
	uint64_t raw[4] = { 0x7f | (7ull << 9), 0, 0, 0 };	/* type 127 */
	struct uiommu_vtd_sim_stats s;
	struct inv_fixture f = inv_setup(UIOMMU_IOPT_VTD_SL, 0, false);
	int rc;

	pthread_mutex_lock(&drv->qi_lock);
	cr_assert_eq(vtd_qi_add_raw(drv, raw), 0);
	rc = vtd_qi_sync(drv);
	pthread_mutex_unlock(&drv->qi_lock);
	cr_assert_eq(rc, -EIO);
	cr_assert_eq(vtd_model_read32(drv->m, DMAR_FSTS_REG) & FSTS_IQE, 0);
	uiommu_vtd_sim_stats_get(hw, &s);
	cr_assert_eq(s.desc_errors, 1);
	cr_assert_eq(s.hw_desc_errors, 1);
	cr_assert_eq(uiommu_unmap(f.dom, 0, SZ_4K), 0);
	pthread_mutex_lock(&drv->qi_lock);
	rc = vtd_qi_sync(drv);
	pthread_mutex_unlock(&drv->qi_lock);
	cr_assert_eq(rc, 0);
}

/*
 * 128 slots of 32 bytes in one 4 KiB page. One batch of 300 descriptors
 * before its wait: the producer finds the queue full, rings IQT and goes
 * on; every descriptor is consumed once, none is overwritten unread (an
 * overwritten one would be lost from hw_descs), the wait completes.
 * Then 300 synced unmaps wrap the queue many times over.
 */
Test(vtd_inv, queue_full_batch_and_wrap)
{
	struct vtd_drv *drv = drv_of(hw);
	struct inv_fixture f = inv_setup(UIOMMU_IOPT_VTD_SL, 0, false);
	const struct vtd_desc d = { .type = QI_IOTLB_TYPE, .g = QI_IOTLB_G_DSI,
				    .did = (uint16_t)f.tag };
	struct uiommu_vtd_sim_stats s0, s1;
	unsigned int i;
	int rc = 0;

	uiommu_vtd_sim_stats_get(hw, &s0);
	pthread_mutex_lock(&drv->qi_lock);
	for (i = 0; i < 300 && rc == 0; i++)
		rc = vtd_qi_add(drv, &d);
	if (rc == 0)
		rc = vtd_qi_sync(drv);
	pthread_mutex_unlock(&drv->qi_lock);
	cr_assert_eq(rc, 0);
	uiommu_vtd_sim_stats_get(hw, &s1);
	cr_assert_geq(s1.queue_full - s0.queue_full, 2);
	cr_assert_geq(s1.doorbells - s0.doorbells, 3);
	cr_assert_eq(s1.hw_descs[UIOMMU_VTD_DESC_IOTLB] -
		     s0.hw_descs[UIOMMU_VTD_DESC_IOTLB], 300);
	cr_assert_eq(s1.hw_descs[UIOMMU_VTD_DESC_WAIT] -
		     s0.hw_descs[UIOMMU_VTD_DESC_WAIT], 1);
	cr_assert_eq(s1.hw_desc_errors, s0.hw_desc_errors);

	for (i = 0; i < 300; i++) {
		cr_assert_eq(uiommu_map(f.dom, SZ_1G, pages, SZ_4K,
					PROT_RW), 0);
		cr_assert_eq(uiommu_unmap(f.dom, SZ_1G, SZ_4K), 0);
	}
	uiommu_vtd_sim_stats_get(hw, &s0);
	cr_assert_geq(s0.hw_descs[UIOMMU_VTD_DESC_WAIT] -
		      s1.hw_descs[UIOMMU_VTD_DESC_WAIT], 300);
	cr_assert_eq(s0.descs[UIOMMU_VTD_DESC_IOTLB] +
		     s0.descs[UIOMMU_VTD_DESC_WAIT],
		     s0.hw_descs[UIOMMU_VTD_DESC_IOTLB] +
		     s0.hw_descs[UIOMMU_VTD_DESC_WAIT]);
	cr_assert_eq(s0.hw_desc_errors, s1.hw_desc_errors);
}

/* ----------------------------------------------------------- walk -- */

static uint64_t
seed_get(void)
{
	const char *env = getenv("UIOMMU_TEST_SEED");
	uint64_t seed = env != NULL ? strtoull(env, NULL, 0) : rte_rand();

	cr_log_info("seed %#" PRIx64 " (UIOMMU_TEST_SEED)", seed);
	return seed;
}

/*
 * 2 MiB and 1 GiB leaves at random aligned IOVAs above the 4 KiB ones
 * (1 << 39 and 1 << 40 on): 2 MiB blocks to @pages (2 MiB aligned), 1 GiB
 * blocks to aligned addresses that are never touched (a translation only
 * computes the address).
 */
#define LARGE_2M_BASE	(1ull << 39)
#define LARGE_1G_BASE	(1ull << 40)

static void
large_map_random(struct uiommu_domain *dom)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		(void)uiommu_map(dom, LARGE_2M_BASE +
				 (uint64_t)(lrand48() % 512) * SZ_2M, pages,
				 SZ_2M, PROT_RW);	/* collisions: EEXIST */
	for (i = 0; i < 4; i++)
		(void)uiommu_map(dom, LARGE_1G_BASE +
				 (uint64_t)(lrand48() % 256) * SZ_1G,
				 (void *)(uintptr_t)((1 + i) * SZ_1G), SZ_1G,
				 PROT_RW);
}

/* Random IOVAs in both windows, mapped or not: the model's walk through
 * the PASID entry, the port's translate and the core's table agree. */
static void
large_check_random(struct uiommu_port *port, struct uiommu_domain *dom)
{
	unsigned int i, mapped = 0;

	for (i = 0; i < 4096; i++) {
		uint64_t iova = (i & 1) ?
			LARGE_2M_BASE + (uint64_t)(lrand48() % 512) * SZ_2M +
			(uint64_t)(lrand48() % SZ_2M) :
			LARGE_1G_BASE + (uint64_t)(lrand48() % 256) * SZ_1G +
			(uint64_t)(lrand48() % SZ_1G);
		void *ref = uiommu_iova_to_va(dom, iova);
		void *got = uiommu_hw_translate_sid(hw, 0x50, 3, iova, 1,
						    UIOMMU_ACCESS_READ);
		void *viap = uiommu_translate(port, iova, 1,
					      UIOMMU_ACCESS_READ);

		mapped += ref != NULL;
		cr_assert_eq(got, ref, "iova %#" PRIx64, iova);
		cr_assert_eq(viap, ref, "iova %#" PRIx64, iova);
	}
	/* 16 of 512 2 MiB slots and 4 of 256 1 GiB ones: ~100 hits. */
	cr_assert_gt(mapped, 20, "%u of 4096 sampled IOVAs mapped", mapped);
}

static void
walk_agrees(enum uiommu_iopt_fmt fmt, bool nested)
{
	struct uiommu_dev *d = dev_new(hw, 0x50, 8, false);
	struct uiommu_domain *dom = paging_new(hw, nested ?
			UIOMMU_IOPT_VTD_SL : fmt), *t = dom;
	struct uiommu_port *port;
	uint64_t seed = seed_get();
	unsigned int i;

	srand48((long)seed);
	if (nested) {
		/* IPA i*4K -> page i; the child maps IOVAs to IPAs. */
		cr_assert_eq(uiommu_map(dom, 0, pages, N_PAGES * SZ_4K,
					PROT_RW), 0);
		t = uiommu_domain_create_nested(dom, NULL);
		cr_assert_not_null(t);
	}
	for (i = 0; i < N_PAGES; i++) {
		uint64_t iova = IOVA_BASE + (uint64_t)(lrand48() % 4096) *
				SZ_2M + i * SZ_4K;
		void *va = nested ? (void *)(uintptr_t)(i * SZ_4K) :
				    pages + i * SZ_4K;

		if (uiommu_map(t, iova, va, SZ_4K, PROT_RW) != 0)
			continue;	/* collision: try the next */
	}
	if (!nested)
		large_map_random(t);
	port = uiommu_attach_pasid(d, 3, t);
	cr_assert_not_null(port);
	if (!nested)
		large_check_random(port, t);
	for (i = 0; i < 4096; i++) {
		uint64_t iova = IOVA_BASE + (uint64_t)(lrand48() % 4096) *
				SZ_2M + (uint64_t)(lrand48() % N_PAGES) * SZ_4K;
		void *ref = uiommu_iova_to_va(t, iova);
		void *got = uiommu_hw_translate_sid(hw, 0x50, 3, iova, 1,
						    UIOMMU_ACCESS_READ);
		void *viap = uiommu_translate(port, iova, 1,
					      UIOMMU_ACCESS_READ);

		cr_assert_eq(got, ref, "iova %#" PRIx64, iova);
		cr_assert_eq(viap, ref, "iova %#" PRIx64, iova);
	}
}

Test(vtd_walk, fl_agrees_with_core)
{
	walk_agrees(UIOMMU_IOPT_VTD_FL, false);
}

Test(vtd_walk, sl_agrees_with_core)
{
	walk_agrees(UIOMMU_IOPT_VTD_SL, false);
}

Test(vtd_walk, nested_agrees_with_core)
{
	walk_agrees(UIOMMU_IOPT_VTD_FL, true);
}

static void
fault_expect(uint32_t sid, uint32_t pasid, uint64_t iova, uint32_t access,
	     uint8_t vtd_reason, uint16_t core_reason)
{
	struct uiommu_vtd_fault vf[8];
	struct uiommu_fault cf[8];
	int n;

	cr_assert_null(uiommu_hw_translate_sid(hw, sid, pasid, iova, 1,
					       access));
	n = uiommu_hw_fault_read(hw, cf, 8);
	cr_assert_eq(n, 1);
	cr_assert_eq(cf[0].reason, core_reason, "core reason %u",
		     cf[0].reason);
	n = uiommu_vtd_sim_fault_read(hw, vf, 8);
	cr_assert_eq(n, 1);
	cr_assert_eq(vf[0].reason, vtd_reason, "reason %#x (%s)",
		     vf[0].reason,
		     uiommu_vtd_sim_fault_reason_str(vf[0].reason));
	cr_assert_eq(vf[0].sid, sid);
}

Test(vtd_walk, faults_through_core)
{
	struct uiommu_dev *d = dev_new(hw, 0x60, 8, false);
	struct uiommu_domain *sl = paging_new(hw, UIOMMU_IOPT_VTD_SL);

	cr_assert_eq(uiommu_map(sl, 0, pages, SZ_4K, UIOMMU_PROT_READ), 0);
	cr_assert_not_null(uiommu_attach(d, sl));
	fault_expect(0x60, UIOMMU_PASID_NONE, SZ_2M, UIOMMU_ACCESS_READ,
		     VTD_FR_SM_SL_NP, UIOMMU_FAULT_TRANSLATION);
	fault_expect(0x60, UIOMMU_PASID_NONE, 0, UIOMMU_ACCESS_WRITE,
		     VTD_FR_SM_WRITE, UIOMMU_FAULT_PERMISSION);
	fault_expect(0x6000, UIOMMU_PASID_NONE, 0, UIOMMU_ACCESS_READ,
		     VTD_FR_SM_ROOT_NP, UIOMMU_FAULT_BAD_DEVICE);
	fault_expect(0x60, 7, 0, UIOMMU_ACCESS_READ, VTD_FR_SM_PASID_NP,
		     UIOMMU_FAULT_BAD_PASID);
}

Test(vtd_walk, fault_read_pfo_overflow)
{
	struct uiommu_hw *h = uiommu_hw_create(ctx, "vtd_sim", "nfr=2");
	struct uiommu_vtd_fault vf[8];
	struct uiommu_vtd_sim_stats s;
	unsigned int i;

	cr_assert_not_null(h);
	for (i = 0; i < 4; i++)
		uiommu_hw_translate_sid(h, 0x7000 + i, UIOMMU_PASID_NONE, 0,
					1, UIOMMU_ACCESS_READ);
	cr_assert_eq(uiommu_vtd_sim_fault_read(h, vf, 8), 2);
	cr_assert_eq(vf[0].sid, 0x7000);
	cr_assert_eq(vf[1].sid, 0x7001);
	uiommu_vtd_sim_stats_get(h, &s);
	cr_assert_eq(s.fault_overflows, 1);
	cr_assert_eq(vtd_model_read32(drv_of(h)->m, DMAR_FSTS_REG) &
		     (FSTS_PFO | FSTS_PPF), 0);
	/* Recording works again. */
	uiommu_hw_translate_sid(h, 0x7100, UIOMMU_PASID_NONE, 0, 1,
				UIOMMU_ACCESS_READ);
	cr_assert_eq(uiommu_vtd_sim_fault_read(h, vf, 8), 1);
	cr_assert_eq(vf[0].sid, 0x7100);
}

/* ------------------------------------------------------------- IR -- */

/* Every reason of the architecture's tables (VT-d 3.x, 7.1.3 and 7.1.4)
 * that vtd_arch.h defines has a name, written as numbers here. */
Test(vtd_walk, every_fault_reason_named)
{
	static const uint8_t reasons[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x0d, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
		0x27, 0x30, 0x31, 0x32, 0x38, 0x39, 0x3a, 0x40, 0x41, 0x42,
		0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x50, 0x51, 0x52, 0x58,
		0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x70, 0x71, 0x72, 0x73, 0x74,
		0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x80, 0x81,
		0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x90,
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(reasons); i++)
		cr_expect_str_neq(uiommu_vtd_sim_fault_reason_str(reasons[i]),
				  "?", "reason %#x", reasons[i]);
	cr_expect_str_eq(uiommu_vtd_sim_fault_reason_str(0), "?");
	cr_expect_str_eq(uiommu_vtd_sim_fault_reason_str(0x0e), "?");
	cr_expect_str_eq(uiommu_vtd_sim_fault_reason_str(0xff), "?");
}

static const struct uiommu_vtd_irq_cfg irq_cfg = {
	.vector = 0x40, .dest_id = 0x1234,
};

Test(vtd_ir, remap_and_sid_check)
{
	struct uiommu_dev *a = dev_new(hw, 0x80, 0, false);
	struct uiommu_dev *b = dev_new(hw, 0x81, 0, false);
	struct uiommu_vtd_irq irq;
	struct uiommu_vtd_fault vf[4];
	uint64_t addr;
	uint32_t data;
	int idx = uiommu_vtd_sim_irq_alloc(a, 4);

	cr_assert_geq(idx, 0);
	cr_assert_eq(uiommu_vtd_sim_irq_set(a, idx, &irq_cfg), 0);
	cr_assert_eq(uiommu_vtd_sim_msi_compose(a, idx, &addr, &data), 0);
	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x80, addr, data, &irq), 0);
	cr_assert_eq(irq.vector, 0x40);
	cr_assert_eq(irq.dest_id, 0x1234);
	cr_assert(irq.remapped);
	/* Another device through a's IRTE: source-id fault. */
	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x81, addr, data, &irq),
		     -EPERM);
	cr_assert_eq(uiommu_vtd_sim_fault_read(hw, vf, 4), 1);
	cr_assert_eq(vf[0].reason, VTD_FR_IR_SID_ERR);
	/* b cannot program or free a's entries. */
	cr_assert_eq(uiommu_vtd_sim_irq_set(b, idx, &irq_cfg), -EINVAL);
	cr_assert_eq(uiommu_vtd_sim_irq_free(b, idx, 1), -EINVAL);
	/* Not yet programmed: not present. */
	cr_assert_eq(uiommu_vtd_sim_msi_compose(a, idx + 1, &addr, &data), 0);
	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x80, addr, data, &irq),
		     -EPERM);
	cr_assert_eq(uiommu_vtd_sim_fault_read(hw, vf, 4), 1);
	cr_assert_eq(vf[0].reason, VTD_FR_IR_ENTRY_P);
	/* Freed: faults. */
	cr_assert_eq(uiommu_vtd_sim_irq_free(a, idx, 4), 0);
	cr_assert_eq(uiommu_vtd_sim_msi_compose(a, idx, &addr, &data), 0);
	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x80, addr, data, &irq),
		     -EPERM);
}

Test(vtd_ir, iec_invalidation_takes_effect)
{
	struct vtd_drv *drv = drv_of(hw);
	struct uiommu_dev *a = dev_new(hw, 0x90, 0, false);
	struct uiommu_vtd_irq irq;
	uint64_t addr;
	uint32_t data;
	int idx = uiommu_vtd_sim_irq_alloc(a, 1);

	cr_assert_geq(idx, 0);
	cr_assert_eq(uiommu_vtd_sim_irq_set(a, idx, &irq_cfg), 0);
	uiommu_vtd_sim_msi_compose(a, idx, &addr, &data);
	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x90, addr, data, &irq), 0);
	/* Change the vector in memory only: the IEC still has the old. */
	__atomic_store_n(&drv->irt[idx * 2], (drv->irt[idx * 2] &
			 ~IRTE_LO_V) | FIELD_PREP(IRTE_LO_V, 0x51),
			 __ATOMIC_RELEASE);
	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x90, addr, data, &irq), 0);
	cr_assert_eq(irq.vector, 0x40);
	cr_assert_eq(uiommu_vtd_sim_iec_invalidate(hw, idx, 1), 0);
	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x90, addr, data, &irq), 0);
	cr_assert_eq(irq.vector, 0x51);
}

/* Move IRTE @idx's vector to @vec in memory only, as a buggy or racing
 * writer would: the IEC keeps the old one until invalidated. */
static void
irte_vector_poke(struct vtd_drv *drv, uint32_t idx, uint8_t vec)
{
	__atomic_store_n(&drv->irt[idx * 2], (drv->irt[idx * 2] &
			 ~IRTE_LO_V) | FIELD_PREP(IRTE_LO_V, vec),
			 __ATOMIC_RELEASE);
}

/*
 * A 64K-entry table: entries 32767 and 32768 share no aligned block below
 * 2^16, and IM stops at 15, so invalidating the two must be global. An
 * index-selective descriptor of IM 15 would cover 0..32767 only and leave
 * 32768 cached.
 */
Test(vtd_ir, iec_range_across_32k_is_global)
{
	struct uiommu_hw *h = uiommu_hw_create(ctx, "vtd_sim", "irt=16");
	struct uiommu_dev *a;
	struct uiommu_vtd_sim_stats s0, s1;
	struct uiommu_vtd_irq irq;
	uint64_t addr[2];
	uint32_t data[2], i;

	cr_assert_not_null(h, "rte_errno %d", rte_errno);
	a = dev_new(h, 0x91, 0, false);
	cr_assert_eq(uiommu_vtd_sim_irq_alloc(a, 32767), 0);
	cr_assert_eq(uiommu_vtd_sim_irq_alloc(a, 2), 32767);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(uiommu_vtd_sim_irq_set(a, 32767 + i, &irq_cfg), 0);
		cr_assert_eq(uiommu_vtd_sim_msi_compose(a, 32767 + i, &addr[i],
							&data[i]), 0);
		cr_assert_eq(uiommu_vtd_sim_msi_write(h, 0x91, addr[i],
						      data[i], &irq), 0);
		cr_assert_eq(irq.index, 32767 + i);
		irte_vector_poke(drv_of(h), 32767 + i, 0x60 + i);
		cr_assert_eq(uiommu_vtd_sim_msi_write(h, 0x91, addr[i],
						      data[i], &irq), 0);
		cr_assert_eq(irq.vector, 0x40, "IRTE %u not cached", 32767 + i);
	}
	uiommu_vtd_sim_stats_get(h, &s0);
	cr_assert_eq(uiommu_vtd_sim_iec_invalidate(h, 32767, 2), 0);
	uiommu_vtd_sim_stats_get(h, &s1);
	cr_assert_eq(s1.hw_descs[UIOMMU_VTD_DESC_IEC] -
		     s0.hw_descs[UIOMMU_VTD_DESC_IEC], 1);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(uiommu_vtd_sim_msi_write(h, 0x91, addr[i],
						      data[i], &irq), 0);
		cr_assert_eq(irq.vector, 0x60 + i, "IRTE %u still cached",
			     32767 + i);
	}
	cr_assert_eq(uiommu_dev_destroy(a), 0);
	cr_assert_eq(uiommu_hw_destroy(h), 0);
}

Test(vtd_ir, irq_set_refuses_bad_cfg_unchanged)
{
	struct vtd_drv *drv = drv_of(hw);
	struct uiommu_dev *a = dev_new(hw, 0x92, 0, false);
	struct uiommu_vtd_irq_cfg cfg = irq_cfg;
	int idx = uiommu_vtd_sim_irq_alloc(a, 1);
	uint64_t before[2];

	cr_assert_geq(idx, 0);
	memcpy(before, &drv->irt[idx * 2], sizeof(before));
	cfg.vector = 15;	/* 0..15 are the CPU's exceptions */
	cr_assert_eq(uiommu_vtd_sim_irq_set(a, idx, &cfg), -EINVAL);
	cfg = irq_cfg;
	cfg.delivery_mode = 8;
	cr_assert_eq(uiommu_vtd_sim_irq_set(a, idx, &cfg), -EINVAL);
	cr_assert_eq(uiommu_vtd_sim_irq_set(a, idx, NULL), -EINVAL);
	cr_assert_eq(memcmp(before, &drv->irt[idx * 2], sizeof(before)), 0);
	cfg.delivery_mode = 0;
	cfg.vector = 16;
	cr_assert_eq(uiommu_vtd_sim_irq_set(a, idx, &cfg), 0);
}

Test(vtd_ir, compat_format_blocked_unless_cfi)
{
	struct uiommu_hw *h = uiommu_hw_create(ctx, "vtd_sim", "cfi=1");
	uint64_t compat = 0xfee00000ull | (3ull << 12);
	struct uiommu_vtd_irq irq;

	cr_assert_eq(uiommu_vtd_sim_msi_write(hw, 0x1, compat, 0x33, &irq),
		     -EPERM);
	cr_assert_not_null(h);
	cr_assert_eq(uiommu_vtd_sim_msi_write(h, 0x1, compat, 0x33, &irq), 0);
	cr_assert(!irq.remapped);
	cr_assert_eq(irq.vector, 0x33);
	cr_assert_eq(uiommu_vtd_sim_stats_get(NULL, NULL), -EINVAL);
	cr_assert_eq(uiommu_vtd_sim_iec_invalidate(NULL, 0, 0), -EINVAL);
}
