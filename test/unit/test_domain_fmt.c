/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How a domain's page-table format follows from its hw's capabilities
 * (lib/iommu/domain.c, hw.c): caps.s1_fmt / caps.s2_fmt, DEFAULT, explicit
 * formats, nesting, and the format's own limits (input size, write-only).
 *
 * "direct" keeps the Arm LPAE formats it has always had (it leaves the caps
 * DEFAULT). The VT-d formats are reached through tiny backends registered
 * here, which only report caps: no device translates through them.
 */
#include <errno.h>
#include <string.h>

#include <uiommu.h>
#include <uiommu_driver.h>

#include "uiommu_test.h"

#define VA_BASE		0x40000000ull	/* fake, never dereferenced */

/* ------------------------------------------------- test-only backends -- */

static void
caps_vtd(struct uiommu_hw_caps *caps, uint8_t stages)
{
	*caps = (struct uiommu_hw_caps){
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.ias = 48,
		.oas = 48,
		.pasid_bits = 20,
		.stages = stages,
		.tag_bits = 16,
		.s1_fmt = UIOMMU_IOPT_VTD_FL,
		.s2_fmt = UIOMMU_IOPT_VTD_SL,
	};
}

/* Both levels, as a VT-d with scalable mode and nesting. */
static int
fmt_vtd_init(struct uiommu_hw *hw, const char *args,
	     struct uiommu_hw_caps *caps)
{
	RTE_SET_USED(hw);
	RTE_SET_USED(args);
	caps_vtd(caps, 0x3);
	return 0;
}

/* Second level only, as a legacy-mode VT-d. */
static int
fmt_vtd_sl_init(struct uiommu_hw *hw, const char *args,
		struct uiommu_hw_caps *caps)
{
	RTE_SET_USED(hw);
	RTE_SET_USED(args);
	caps_vtd(caps, 0x2);
	return 0;
}

/* A format the core does not know. */
static int
fmt_bad_init(struct uiommu_hw *hw, const char *args,
	     struct uiommu_hw_caps *caps)
{
	RTE_SET_USED(hw);
	RTE_SET_USED(args);
	caps_vtd(caps, 0x3);
	caps->s1_fmt = UIOMMU_IOPT_FMT_MAX;
	return 0;
}

static int
fmt_attach(struct uiommu_dev *dev, uint32_t pasid, struct uiommu_domain *dom,
	   uint32_t tag)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(pasid);
	RTE_SET_USED(dom);
	RTE_SET_USED(tag);
	return 0;
}

static void
fmt_detach(struct uiommu_dev *dev, uint32_t pasid)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(pasid);
}

static int
fmt_translate(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
	      uint64_t iova, uint32_t access, struct uiommu_walk_result *res)
{
	RTE_SET_USED(hw);
	RTE_SET_USED(sid);
	RTE_SET_USED(pasid);
	RTE_SET_USED(iova);
	RTE_SET_USED(access);
	memset(res, 0, sizeof(*res));
	res->reason = UIOMMU_FAULT_BAD_DEVICE;
	return 0;
}

static int
fmt_inv(struct uiommu_hw *hw, const struct uiommu_inv *inv)
{
	uiommu_iotlb_inv_post(hw, inv);
	return 0;
}

static int
fmt_sync(struct uiommu_hw *hw)
{
	uiommu_iotlb_sync(hw);
	return 0;
}

#define FMT_OPS(ops_name, init) \
	static const struct uiommu_hw_ops ops_name = { \
		.name = #ops_name, \
		.hw_init = init, \
		.attach = fmt_attach, \
		.detach = fmt_detach, \
		.translate = fmt_translate, \
		.inv = fmt_inv, \
		.sync = fmt_sync, \
	}; \
	UIOMMU_REGISTER_HW(ops_name)

FMT_OPS(test_fmt_vtd, fmt_vtd_init)
FMT_OPS(test_fmt_vtd_sl, fmt_vtd_sl_init)
FMT_OPS(test_fmt_bad, fmt_bad_init)

/* ------------------------------------------------------------ fixture -- */

static struct uiommu_ctx *ctx;

static void
suite_init(void)
{
	test_eal_init("test_domain_fmt");
	ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx);
}

static void
suite_fini(void)
{
	uiommu_ctx_destroy(ctx);
	test_eal_cleanup();
}

TestSuite(domain_fmt, .init = suite_init, .fini = suite_fini,
	  .timeout = 60);

static struct uiommu_hw *
hw_ok(const char *backend)
{
	struct uiommu_hw *hw = uiommu_hw_create(ctx, backend, NULL);

	cr_assert_not_null(hw, "hw_create(%s): rte_errno %d", backend,
			   rte_errno);
	return hw;
}

static struct uiommu_domain *
paging(struct uiommu_hw *hw, enum uiommu_iopt_fmt fmt, uint8_t ias)
{
	struct uiommu_domain_params p = { .fmt = fmt, .ias = ias };

	rte_errno = 0;
	return uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p);
}

static struct uiommu_iopt_info
info_of(const struct uiommu_domain *dom)
{
	struct uiommu_iopt_info info;

	cr_assert_not_null(dom, "domain creation failed: rte_errno %d",
			   rte_errno);
	cr_assert_eq(uiommu_domain_iopt_info(dom, &info), 0);
	return info;
}

static void
assert_refused(struct uiommu_domain *dom, const char *what)
{
	cr_assert_null(dom, "%s: created", what);
	cr_assert_eq(rte_errno, EINVAL, "%s: rte_errno %d", what, rte_errno);
}

static void
assert_info(const struct uiommu_domain *dom, enum uiommu_iopt_fmt fmt,
	    unsigned int ias, unsigned int start_level)
{
	struct uiommu_iopt_info info = info_of(dom);

	cr_assert_eq(info.fmt, fmt, "fmt %d, want %d", info.fmt, fmt);
	cr_assert_eq(info.ias, ias, "ias %u, want %u", info.ias, ias);
	cr_assert_eq(info.start_level, start_level, "start level %u, want %u",
		     info.start_level, start_level);
}

/* -------------------------------------------------------------- tests -- */

Test(domain_fmt, direct_keeps_lpae_formats)
{
	struct uiommu_hw *hw = hw_ok("direct");
	struct uiommu_hw_caps caps;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert_eq(caps.s1_fmt, UIOMMU_IOPT_ARM_LPAE_S1);
	cr_assert_eq(caps.s2_fmt, UIOMMU_IOPT_ARM_LPAE_S2);
	assert_info(paging(hw, UIOMMU_IOPT_DEFAULT, 0),
		    UIOMMU_IOPT_ARM_LPAE_S1, 48, 0);
	assert_info(paging(hw, UIOMMU_IOPT_ARM_LPAE_S2, 0),
		    UIOMMU_IOPT_ARM_LPAE_S2, 48, 0);
	assert_refused(paging(hw, UIOMMU_IOPT_VTD_FL, 0), "VTD_FL on direct");
	assert_refused(paging(hw, UIOMMU_IOPT_VTD_SL, 0), "VTD_SL on direct");
}

Test(domain_fmt, vtd_caps_are_reported_as_set)
{
	struct uiommu_hw *hw = hw_ok("test_fmt_vtd");
	struct uiommu_hw_caps caps;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert_eq(caps.s1_fmt, UIOMMU_IOPT_VTD_FL);
	cr_assert_eq(caps.s2_fmt, UIOMMU_IOPT_VTD_SL);
}

/* DEFAULT is the stage-1 format; the hw's 48 bits are capped at the 47
 * of the first level's lower canonical half. */
Test(domain_fmt, vtd_default_is_first_level_47_bits)
{
	struct uiommu_hw *hw = hw_ok("test_fmt_vtd");

	assert_info(uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, NULL),
		    UIOMMU_IOPT_VTD_FL, 47, 0);
	assert_info(paging(hw, UIOMMU_IOPT_DEFAULT, 0), UIOMMU_IOPT_VTD_FL,
		    47, 0);
}

Test(domain_fmt, vtd_explicit_formats_and_widths)
{
	struct uiommu_hw *hw = hw_ok("test_fmt_vtd");
	unsigned int before;

	assert_info(paging(hw, UIOMMU_IOPT_VTD_SL, 0), UIOMMU_IOPT_VTD_SL,
		    48, 0);
	assert_info(paging(hw, UIOMMU_IOPT_VTD_SL, 39), UIOMMU_IOPT_VTD_SL,
		    39, 1);
	assert_info(paging(hw, UIOMMU_IOPT_VTD_SL, 32), UIOMMU_IOPT_VTD_SL,
		    32, 1);
	assert_info(paging(hw, UIOMMU_IOPT_VTD_FL, 40), UIOMMU_IOPT_VTD_FL,
		    40, 0);

	before = uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_DOMAIN);
	assert_refused(paging(hw, UIOMMU_IOPT_ARM_LPAE_S1, 0), "LPAE_S1");
	assert_refused(paging(hw, UIOMMU_IOPT_ARM_LPAE_S2, 0), "LPAE_S2");
	assert_refused(paging(hw, UIOMMU_IOPT_FMT_MAX, 0), "FMT_MAX");
	assert_refused(paging(hw, UIOMMU_IOPT_VTD_FL, 48), "FL, 48 bits");
	assert_refused(paging(hw, UIOMMU_IOPT_VTD_SL, 31), "SL, 31 bits");
	assert_refused(paging(hw, UIOMMU_IOPT_VTD_SL, 49), "SL, 49 bits");
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_DOMAIN), before);
}

/* Without stage 1, DEFAULT is the stage-2 format and stage 1's is out. */
Test(domain_fmt, stage2_only_hw_defaults_to_second_level)
{
	struct uiommu_hw *hw = hw_ok("test_fmt_vtd_sl");
	struct uiommu_domain *sl;

	sl = paging(hw, UIOMMU_IOPT_DEFAULT, 0);
	assert_info(sl, UIOMMU_IOPT_VTD_SL, 48, 0);
	assert_refused(paging(hw, UIOMMU_IOPT_VTD_FL, 0), "FL, no stage 1");
	rte_errno = 0;
	assert_refused(uiommu_domain_create_nested(sl, NULL),
		       "nested without stage 1");
}

Test(domain_fmt, unknown_format_in_caps_fails_hw_create)
{
	unsigned int before = uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW);

	rte_errno = 0;
	cr_assert_null(uiommu_hw_create(ctx, "test_fmt_bad", NULL));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW), before);
}

/* First level: present means readable, so write-only cannot be mapped
 * (and nothing is); the second level has a W without R. */
Test(domain_fmt, write_only_refused_on_first_level_allowed_on_second)
{
	struct uiommu_hw *hw = hw_ok("test_fmt_vtd");
	struct uiommu_domain *fl = paging(hw, UIOMMU_IOPT_VTD_FL, 0);
	struct uiommu_domain *sl = paging(hw, UIOMMU_IOPT_VTD_SL, 0);
	void *va = (void *)(uintptr_t)VA_BASE;

	cr_assert_not_null(fl);
	cr_assert_not_null(sl);
	cr_assert_eq(uiommu_map(fl, SZ_2M, va, SZ_2M, UIOMMU_PROT_WRITE),
		     -EINVAL);
	cr_assert_null(uiommu_iova_to_va(fl, SZ_2M));
	cr_assert_eq(rte_errno, ENOENT);
	cr_assert_eq(uiommu_map(fl, SZ_2M, va, SZ_2M, PROT_RW), 0);
	cr_assert_eq(uiommu_iova_to_va(fl, SZ_2M + 8), (char *)va + 8);

	cr_assert_eq(uiommu_map(sl, SZ_2M, va, SZ_2M, UIOMMU_PROT_WRITE), 0);
	cr_assert_eq(uiommu_iova_to_va(sl, SZ_2M + 8), (char *)va + 8);
	cr_assert_eq(uiommu_unmap(sl, SZ_2M, SZ_2M), 0);
	cr_assert_null(uiommu_iova_to_va(sl, SZ_2M));
}

/* The parent uses the stage-2 format, the child the stage-1 one. */
Test(domain_fmt, nested_takes_second_level_parent_first_level_child)
{
	struct uiommu_hw *hw = hw_ok("test_fmt_vtd");
	struct uiommu_domain *sl = paging(hw, UIOMMU_IOPT_VTD_SL, 0);
	struct uiommu_domain *fl = paging(hw, UIOMMU_IOPT_VTD_FL, 0);
	struct uiommu_domain_params p = { .fmt = UIOMMU_IOPT_VTD_SL };
	struct uiommu_domain_params lpae = { .fmt = UIOMMU_IOPT_ARM_LPAE_S1 };
	struct uiommu_domain_params fl_params = { .fmt = UIOMMU_IOPT_VTD_FL };
	struct uiommu_domain *n;
	struct uiommu_iopt_info info;

	cr_assert_not_null(sl);
	cr_assert_not_null(fl);
	n = uiommu_domain_create_nested(sl, NULL);
	info = info_of(n);
	cr_assert_eq(info.fmt, UIOMMU_IOPT_VTD_FL);
	cr_assert_eq(info.ias, 47);
	cr_assert_eq(info.oas, 48, "stage 1 outputs the parent's 48 bits");
	assert_info(uiommu_domain_create_nested(sl, &fl_params),
		    UIOMMU_IOPT_VTD_FL, 47, 0);

	rte_errno = 0;
	assert_refused(uiommu_domain_create_nested(sl, &p), "SL child");
	rte_errno = 0;
	assert_refused(uiommu_domain_create_nested(sl, &lpae), "LPAE child");
	rte_errno = 0;
	assert_refused(uiommu_domain_create_nested(fl, NULL), "FL parent");

	/* IOVA -> IPA (first level) -> host VA (second level). */
	cr_assert_eq(uiommu_map(sl, 0x80000000ull,
				(void *)(uintptr_t)VA_BASE, SZ_2M, PROT_RW),
		     0);
	cr_assert_eq(uiommu_map(n, 0x7000000000ull,
				(void *)(uintptr_t)0x80000000ull, SZ_2M,
				PROT_RW), 0);
	cr_assert_eq(uiommu_iova_to_va(n, 0x7000001234ull),
		     (void *)(uintptr_t)(VA_BASE + 0x1234));
}

/* Every failed call on a VT-d domain leaves its mappings as they were. */
Test(domain_fmt, vtd_errors_change_nothing)
{
	struct uiommu_hw *hw = hw_ok("test_fmt_vtd");
	struct uiommu_domain *fl = paging(hw, UIOMMU_IOPT_VTD_FL, 0);
	void *va = (void *)(uintptr_t)VA_BASE;
	uint64_t iova = 1ull << 46;

	cr_assert_not_null(fl);
	cr_assert_eq(uiommu_map(fl, iova, va, SZ_2M, PROT_RW), 0);
	cr_assert_eq(uiommu_map(fl, iova - SZ_4K, va, 2 * SZ_4K, PROT_RW),
		     -EEXIST);
	cr_assert_null(uiommu_iova_to_va(fl, iova - SZ_4K));
	cr_assert_eq(uiommu_unmap(fl, iova - SZ_4K, 2 * SZ_4K), -ENOENT);
	cr_assert_eq(uiommu_iova_to_va(fl, iova), va);
	/* The upper half of the 48-bit space is not a FL domain's. */
	cr_assert_eq(uiommu_map(fl, 1ull << 47, va, SZ_4K, PROT_RW),
		     -ERANGE);
	cr_assert_eq(uiommu_map(fl, (1ull << 47) - SZ_4K, va, 2 * SZ_4K,
				PROT_RW), -ERANGE);
	cr_assert_null(uiommu_iova_to_va(fl, (1ull << 47) - SZ_4K));
	cr_assert_eq(uiommu_iova_to_va(fl, iova + SZ_2M - 1),
		     (char *)va + SZ_2M - 1);
}
