/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The object model of libuiommu (lib/iommu/ctx.c, hw.c, dev.c, domain.c,
 * attach.c), driven through the public API only, on the built-in "direct"
 * backend: creation and its parameter checks, references between objects,
 * -EBUSY while something depends on an object, teardown of whatever a caller
 * leaves behind, and the argument checks of map and unmap.
 *
 * The contract under test (uiommu.h): every call that fails leaves the state
 * as it was. So each failing call is bracketed by a snapshot of everything
 * visible from outside: object counts, the refcounts of the objects at hand,
 * and the rte_malloc heap (uiommu allocates only there); for map and unmap
 * also what the domain translates.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <uiommu.h>

#include "uiommu_test.h"

static void
suite_init(void)
{
	test_eal_init("test_objects");
}

static void
suite_fini(void)
{
	test_eal_cleanup();
}

TestSuite(objects, .init = suite_init, .fini = suite_fini, .timeout = 60);

/* ----------------------------------------------------------- helpers -- */

static struct uiommu_ctx *
ctx_new(void)
{
	struct uiommu_ctx *ctx = uiommu_ctx_create(NULL);

	cr_assert_not_null(ctx, "uiommu_ctx_create: %s",
			   rte_strerror(rte_errno));
	return ctx;
}

static struct uiommu_hw *
hw_new(struct uiommu_ctx *ctx)
{
	struct uiommu_hw *hw = uiommu_hw_create(ctx, "direct", NULL);

	cr_assert_not_null(hw, "uiommu_hw_create: %s",
			   rte_strerror(rte_errno));
	return hw;
}

static struct uiommu_dev *
dev_new(struct uiommu_hw *hw, uint32_t sid, uint8_t pasid_bits)
{
	struct uiommu_dev_params p = { .pasid_bits = pasid_bits };
	struct uiommu_dev *dev = uiommu_dev_create(hw, sid, &p);

	cr_assert_not_null(dev, "uiommu_dev_create(sid %u): %s", sid,
			   rte_strerror(rte_errno));
	return dev;
}

static struct uiommu_domain *
dom_new(struct uiommu_hw *hw, enum uiommu_domain_type type)
{
	struct uiommu_domain *dom = uiommu_domain_create(hw, type, NULL);

	cr_assert_not_null(dom, "uiommu_domain_create(type %d): %s", type,
			   rte_strerror(rte_errno));
	return dom;
}

static struct uiommu_port *
attach_ok(struct uiommu_dev *dev, uint32_t pasid, struct uiommu_domain *dom)
{
	struct uiommu_port *port = pasid == UIOMMU_PASID_NONE ?
		uiommu_attach(dev, dom) : uiommu_attach_pasid(dev, pasid, dom);

	cr_assert_not_null(port, "attach (pasid %#x): %s", pasid,
			   rte_strerror(rte_errno));
	return port;
}

static void *
pages_new(unsigned int n)
{
	void *va = rte_zmalloc("test_pages", n * SZ_4K, SZ_4K);

	cr_assert_not_null(va, "rte_zmalloc of %u pages", n);
	return va;
}

/*
 * Everything outside callers can see of a ctx: object counts, the refcounts
 * of the objects a test hands in, and the rte_malloc heap.
 */
#define STATE_MAX_OBJS	8

struct state {
	unsigned int count[UIOMMU_OBJ_PORT + 1];
	uint32_t refcnt[STATE_MAX_OBJS];
	unsigned int n_objs;
	struct test_heap heap;
};

static void
state_take(struct state *s, const struct uiommu_ctx *ctx,
	   const void *const *objs, unsigned int n_objs)
{
	unsigned int i;

	cr_assert_leq(n_objs, STATE_MAX_OBJS);
	memset(s, 0, sizeof(*s));
	for (i = UIOMMU_OBJ_HW; i <= UIOMMU_OBJ_PORT; i++)
		s->count[i] = uiommu_ctx_obj_count(ctx, i);
	for (i = 0; i < n_objs; i++)
		s->refcnt[i] = uiommu_obj_refcnt(objs[i]);
	s->n_objs = n_objs;
	s->heap = test_heap_now();
}

/* STATE_TAKE(s, ctx, obj...): snapshot with the refcounts of obj... */
#define STATE_TAKE(s, ctx, ...)						\
	state_take(&(s), (ctx), (const void *const []){ __VA_ARGS__ },	\
		   RTE_DIM(((const void *const []){ __VA_ARGS__ })))

static const char *const obj_type_name[] = {
	[UIOMMU_OBJ_HW] = "hw", [UIOMMU_OBJ_DEV] = "dev",
	[UIOMMU_OBJ_DOMAIN] = "domain", [UIOMMU_OBJ_PORT] = "port",
};

static void
state_assert_same(const struct state *before, const struct state *after,
		  const char *what)
{
	unsigned int i;

	for (i = UIOMMU_OBJ_HW; i <= UIOMMU_OBJ_PORT; i++)
		cr_assert_eq(after->count[i], before->count[i],
			     "%s: %u %s objects before, %u after", what,
			     before->count[i], obj_type_name[i],
			     after->count[i]);
	for (i = 0; i < before->n_objs; i++)
		cr_assert_eq(after->refcnt[i], before->refcnt[i],
			     "%s: refcount of object #%u was %u, is %u", what,
			     i, before->refcnt[i], after->refcnt[i]);
	test_heap_assert_eq(before->heap, after->heap, what);
}

/* ---------------------------------------------------------------- ctx -- */

Test(objects, ctx_create_null_params_takes_defaults)
{
	struct uiommu_ctx *ctx = uiommu_ctx_create(NULL);
	unsigned int t;

	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	for (t = UIOMMU_OBJ_HW; t <= UIOMMU_OBJ_PORT; t++)
		cr_expect_eq(uiommu_ctx_obj_count(ctx, t), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, ctx_create_zeroed_params_takes_defaults)
{
	struct uiommu_ctx_params p;
	struct uiommu_ctx *ctx;

	memset(&p, 0, sizeof(p));
	ctx = uiommu_ctx_create(&p);
	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, ctx_create_accepts_small_power_of_two_sizes)
{
	struct uiommu_ctx_params p = {
		.socket_id = SOCKET_ID_ANY,
		.iotlb_entries = 2, .iotlb_large_entries = 2,
		.inv_queue_size = 2, .fault_queue_size = 2,
	};
	struct uiommu_ctx *ctx = uiommu_ctx_create(&p);

	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, ctx_create_bad_sizes_einval)
{
	static const struct {
		const char *what;
		struct uiommu_ctx_params p;
	} bad[] = {
		{ "iotlb_entries 3", { .iotlb_entries = 3 } },
		{ "iotlb_entries 1000", { .iotlb_entries = 1000 } },
		{ "iotlb_entries 1 (< one set)", { .iotlb_entries = 1 } },
		{ "iotlb_entries 1 << 31", { .iotlb_entries = 1u << 31 } },
		{ "iotlb_large_entries 100", { .iotlb_large_entries = 100 } },
		{ "iotlb_large_entries 1", { .iotlb_large_entries = 1 } },
		{ "inv_queue_size 3", { .inv_queue_size = 3 } },
		{ "inv_queue_size 1", { .inv_queue_size = 1 } },
		{ "inv_queue_size 1 << 31", { .inv_queue_size = 1u << 31 } },
		{ "fault_queue_size 6", { .fault_queue_size = 6 } },
		{ "fault_queue_size 1", { .fault_queue_size = 1 } },
		{ "fault_queue_size UINT32_MAX",
		  { .fault_queue_size = UINT32_MAX } },
	};
	struct test_heap before = test_heap_now();
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		struct uiommu_ctx_params p = bad[i].p;
		struct uiommu_ctx *ctx;

		p.socket_id = SOCKET_ID_ANY;
		rte_errno = 0;
		ctx = uiommu_ctx_create(&p);
		cr_expect_null(ctx, "%s: accepted", bad[i].what);
		cr_expect_eq(rte_errno, EINVAL, "%s: rte_errno %d, want EINVAL",
			     bad[i].what, rte_errno);
		if (ctx != NULL)
			uiommu_ctx_destroy(ctx);
	}
	test_heap_assert_eq(before, test_heap_now(), "after failed creates");
}

Test(objects, ctx_destroy_null_einval)
{
	cr_assert_eq(uiommu_ctx_destroy(NULL), -EINVAL);
}

/* ----------------------------------------------------------------- hw -- */

Test(objects, hw_create_unknown_backend_enoent)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct state before, after;

	STATE_TAKE(before, ctx, ctx);
	rte_errno = 0;
	cr_assert_null(uiommu_hw_create(ctx, "no_such_iommu", NULL));
	cr_assert_eq(rte_errno, ENOENT, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, ctx);
	state_assert_same(&before, &after, "hw_create(unknown)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, hw_create_direct_with_args_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct state before, after;

	STATE_TAKE(before, ctx, ctx);
	rte_errno = 0;
	cr_assert_null(uiommu_hw_create(ctx, "direct", "x=1"));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, ctx);
	state_assert_same(&before, &after, "hw_create(direct, x=1)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, hw_create_null_arguments_einval)
{
	struct uiommu_ctx *ctx = ctx_new();

	rte_errno = 0;
	cr_assert_null(uiommu_hw_create(NULL, "direct", NULL));
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_hw_create(ctx, NULL, NULL));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, hw_create_beyond_max_instances_enospc)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw[64], *again;
	struct state before, after;
	unsigned int n;

	for (n = 0; n < RTE_DIM(hw); n++) {
		hw[n] = uiommu_hw_create(ctx, "direct", NULL);
		if (hw[n] == NULL)
			break;
	}
	cr_assert_lt(n, RTE_DIM(hw), "no limit on hw instances");
	cr_assert_gt(n, 1u);
	cr_assert_eq(rte_errno, ENOSPC, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW), n);

	STATE_TAKE(before, ctx, hw[0]);
	cr_assert_null(uiommu_hw_create(ctx, "direct", NULL));
	STATE_TAKE(after, ctx, hw[0]);
	state_assert_same(&before, &after, "hw_create when full");

	/* A destroyed instance frees its slot. */
	cr_assert_eq(uiommu_hw_destroy(hw[n / 2]), 0);
	again = uiommu_hw_create(ctx, "direct", NULL);
	cr_assert_not_null(again, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, hw_get_caps_reports_direct_caps)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_hw_caps caps;

	memset(&caps, 0xa5, sizeof(caps));
	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	/* The "direct" backend: every LPAE page size, 48-bit IOVA and
	 * output, PASIDs, both stages, a TLB tagged by PASID, no ATS/PRI. */
	cr_expect_eq(caps.pgsize_bitmap, SZ_4K | SZ_2M | SZ_1G,
		     "pgsize_bitmap %#" PRIx64, caps.pgsize_bitmap);
	cr_expect_eq(caps.ias, 48);
	cr_expect_eq(caps.oas, 48);
	cr_expect_gt(caps.pasid_bits, 0);
	cr_expect_leq(caps.pasid_bits, 20);
	cr_expect_eq(caps.stages, 0x3);
	cr_expect(caps.tlb_tag_pasid);
	cr_expect_not(caps.ats);
	cr_expect_not(caps.pri);
	cr_expect_gt(caps.tag_bits, 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, hw_get_caps_null_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_hw_caps caps;

	cr_assert_eq(uiommu_hw_get_caps(NULL, &caps), -EINVAL);
	cr_assert_eq(uiommu_hw_get_caps(hw, NULL), -EINVAL);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

/* ---------------------------------------------------------------- dev -- */

Test(objects, dev_create_duplicate_sid_eexist)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 7, 0);
	struct state before, after;

	STATE_TAKE(before, ctx, hw, dev);
	rte_errno = 0;
	cr_assert_null(uiommu_dev_create(hw, 7, NULL));
	cr_assert_eq(rte_errno, EEXIST, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw, dev);
	state_assert_same(&before, &after, "dev_create(duplicate sid)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, dev_create_same_sid_on_other_hw_succeeds)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw1 = hw_new(ctx), *hw2 = hw_new(ctx);

	dev_new(hw1, 7, 0);
	dev_new(hw2, 7, 0);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_DEV), 2);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, dev_create_rid_wider_than_16_bits_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct state before, after;

	/* direct names devices by PCIe requester ID: bus, device, function. */
	STATE_TAKE(before, ctx, hw);
	rte_errno = 0;
	cr_assert_null(uiommu_dev_create(hw, 0x10000, NULL));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw);
	state_assert_same(&before, &after, "dev_create(rid 0x10000)");
	/* The widest RID works, and its devfn table is shared with others of
	 * its bus. */
	dev_new(hw, 0xffff, 0);
	dev_new(hw, 0xff00, 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, dev_create_pasid_bits_wider_than_hw_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_hw_caps caps;
	struct uiommu_dev_params p;
	struct state before, after;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	p = (struct uiommu_dev_params){ .pasid_bits = caps.pasid_bits + 1 };
	STATE_TAKE(before, ctx, hw);
	rte_errno = 0;
	cr_assert_null(uiommu_dev_create(hw, 1, &p));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw);
	state_assert_same(&before, &after, "dev_create(pasid_bits > hw)");

	/* Exactly the hw's width is fine. */
	p.pasid_bits = caps.pasid_bits;
	cr_assert_not_null(uiommu_dev_create(hw, 1, &p));
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, dev_create_ats_without_hw_ats_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev_params p = { .ats = true };
	struct uiommu_hw_caps caps;
	struct state before, after;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert_not(caps.ats, "direct has no ATS: test needs revisiting");
	STATE_TAKE(before, ctx, hw);
	rte_errno = 0;
	cr_assert_null(uiommu_dev_create(hw, 1, &p));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw);
	state_assert_same(&before, &after, "dev_create(ats)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, dev_create_null_hw_einval)
{
	rte_errno = 0;
	cr_assert_null(uiommu_dev_create(NULL, 1, NULL));
	cr_assert_eq(rte_errno, EINVAL);
}

Test(objects, dev_create_takes_hw_reference)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *d1, *d2;

	cr_assert_eq(uiommu_obj_refcnt(hw), 0);
	d1 = dev_new(hw, 1, 0);
	cr_assert_eq(uiommu_obj_refcnt(hw), 1);
	d2 = dev_new(hw, 2, 0);
	cr_assert_eq(uiommu_obj_refcnt(hw), 2);
	cr_assert_eq(uiommu_obj_refcnt(d1), 0);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_DEV), 2);
	cr_assert_eq(uiommu_dev_destroy(d2), 0);
	cr_assert_eq(uiommu_obj_refcnt(hw), 1);
	cr_assert_eq(uiommu_dev_destroy(d1), 0);
	cr_assert_eq(uiommu_obj_refcnt(hw), 0);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_DEV), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, obj_ids_are_distinct_and_nonzero)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *d1 = dev_new(hw, 1, 4), *d2 = dev_new(hw, 2, 0);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct uiommu_port *p1 = attach_ok(d1, UIOMMU_PASID_NONE, dom);
	struct uiommu_port *p2 = attach_ok(d1, 3, dom);
	uint32_t id[] = {
		uiommu_obj_id(hw), uiommu_obj_id(d1), uiommu_obj_id(d2),
		uiommu_obj_id(dom), uiommu_port_id(p1), uiommu_port_id(p2),
	};
	unsigned int i, j;

	for (i = 0; i < RTE_DIM(id); i++) {
		cr_assert_neq(id[i], 0, "object #%u has id 0", i);
		for (j = 0; j < i; j++)
			cr_assert_neq(id[i], id[j],
				      "objects #%u and #%u share id %u", j, i,
				      id[i]);
	}
	cr_assert_eq(uiommu_obj_id(NULL), 0);
	cr_assert_eq(uiommu_port_id(NULL), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, obj_ids_are_never_reused)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 0);
	uint32_t old = uiommu_obj_id(dev);

	cr_assert_eq(uiommu_dev_destroy(dev), 0);
	dev = dev_new(hw, 1, 0);
	cr_assert_neq(uiommu_obj_id(dev), old);
	cr_assert_neq(uiommu_obj_id(dev), uiommu_obj_id(hw));
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

/* ------------------------------------------------------------- domain -- */

Test(objects, domain_create_bad_type_einval)
{
	static const int bad_types[] = { 0, UIOMMU_DOMAIN_BLOCKED + 1, 99, -1 };
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct state before, after;
	unsigned int i;

	STATE_TAKE(before, ctx, hw);
	for (i = 0; i < RTE_DIM(bad_types); i++) {
		rte_errno = 0;
		cr_assert_null(uiommu_domain_create(hw,
				(enum uiommu_domain_type)bad_types[i], NULL),
			       "type %d accepted", bad_types[i]);
		cr_assert_eq(rte_errno, EINVAL, "type %d: rte_errno %d",
			     bad_types[i], rte_errno);
	}
	STATE_TAKE(after, ctx, hw);
	state_assert_same(&before, &after, "domain_create(bad type)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, domain_create_ias_wider_than_hw_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_hw_caps caps;
	struct uiommu_domain_params p = { 0 };
	struct state before, after;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	p.ias = caps.ias + 1;
	STATE_TAKE(before, ctx, hw);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw);
	state_assert_same(&before, &after, "domain_create(ias > hw)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, domain_create_ias_too_small_for_format_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_domain_params p = { .ias = 20 };
	struct state before, after;

	STATE_TAKE(before, ctx, hw);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw);
	state_assert_same(&before, &after, "domain_create(ias 20)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, domain_create_unknown_format_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_domain_params p = { .fmt = UIOMMU_IOPT_FMT_MAX };
	struct state before, after;

	STATE_TAKE(before, ctx, hw);
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw);
	state_assert_same(&before, &after, "domain_create(fmt MAX)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, domain_create_null_hw_einval)
{
	rte_errno = 0;
	cr_assert_null(uiommu_domain_create(NULL, UIOMMU_DOMAIN_PAGING, NULL));
	cr_assert_eq(rte_errno, EINVAL);
}

Test(objects, domain_create_stage2_maps_write_only)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_domain_params p = { .fmt = UIOMMU_IOPT_ARM_LPAE_S2 };
	struct uiommu_domain *dom;
	uint8_t *buf = pages_new(2);

	dom = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p);
	cr_assert_not_null(dom, "rte_errno %d", rte_errno);
	/* Stage 2 can express write-only (S2AP = 0b10); stage 1 cannot. */
	cr_assert_eq(uiommu_map(dom, 0x40000, buf, SZ_4K, UIOMMU_PROT_WRITE),
		     0);
	cr_assert_eq(uiommu_map(dom, 0x41000, buf + SZ_4K, SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_iova_to_va(dom, 0x40010), buf + 0x10);
	cr_assert_eq(uiommu_iova_to_va(dom, 0x41ff8), buf + SZ_4K + 0xff8);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
	rte_free(buf);
}

Test(objects, domain_create_takes_hw_reference)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_domain *paging, *identity, *blocked;

	paging = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	identity = dom_new(hw, UIOMMU_DOMAIN_IDENTITY);
	blocked = dom_new(hw, UIOMMU_DOMAIN_BLOCKED);
	cr_assert_eq(uiommu_obj_refcnt(hw), 3);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_DOMAIN), 3);
	cr_assert_eq(uiommu_domain_destroy(identity), 0);
	cr_assert_eq(uiommu_domain_destroy(blocked), 0);
	cr_assert_eq(uiommu_domain_destroy(paging), 0);
	cr_assert_eq(uiommu_obj_refcnt(hw), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

/* ------------------------------------------------------------- attach -- */

Test(objects, attach_takes_dev_and_domain_references)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct uiommu_port *rid, *pasid;

	rid = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	pasid = attach_ok(dev, 1, dom);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_PORT), 2);
	cr_assert_eq(uiommu_obj_refcnt(dev), 2);
	cr_assert_eq(uiommu_obj_refcnt(dom), 2);
	cr_assert_eq(uiommu_obj_refcnt(hw), 2, "ports hold no hw reference");
	cr_assert_eq(uiommu_detach(pasid), 0);
	cr_assert_eq(uiommu_detach(rid), 0);
	cr_assert_eq(uiommu_obj_refcnt(dev), 0);
	cr_assert_eq(uiommu_obj_refcnt(dom), 0);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_PORT), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, attach_dev_and_domain_on_other_hw_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw1 = hw_new(ctx), *hw2 = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw1, 1, 4);
	struct uiommu_domain *dom = dom_new(hw2, UIOMMU_DOMAIN_PAGING);
	struct state before, after;

	STATE_TAKE(before, ctx, hw1, hw2, dev, dom);
	rte_errno = 0;
	cr_assert_null(uiommu_attach(dev, dom));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 1, dom));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, hw1, hw2, dev, dom);
	state_assert_same(&before, &after, "attach across hw");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, attach_null_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);

	rte_errno = 0;
	cr_assert_null(uiommu_attach(NULL, dom));
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_attach(dev, NULL));
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 1, NULL));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_eq(uiommu_detach(NULL), -EINVAL);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_PORT), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, attach_pasid_beyond_dev_pasid_bits_erange)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct state before, after;

	STATE_TAKE(before, ctx, dev, dom);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 16, dom));
	cr_assert_eq(rte_errno, ERANGE, "rte_errno %d", rte_errno);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 1u << 20, dom));
	cr_assert_eq(rte_errno, ERANGE, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, dev, dom);
	state_assert_same(&before, &after, "attach_pasid(16) on 4 bits");
	/* The largest PASID of the width is fine. */
	attach_ok(dev, 15, dom);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, attach_pasid_on_dev_without_pasid_erange)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 0);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct state before, after;

	STATE_TAKE(before, ctx, dev, dom);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 0, dom));
	cr_assert_eq(rte_errno, ERANGE, "rte_errno %d", rte_errno);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 1, dom));
	cr_assert_eq(rte_errno, ERANGE, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, dev, dom);
	state_assert_same(&before, &after, "attach_pasid, pasid_bits 0");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, attach_same_pasid_twice_eexist)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *d1 = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct uiommu_domain *d2 = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct state before, after;

	attach_ok(dev, 5, d1);
	STATE_TAKE(before, ctx, dev, d1, d2);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 5, d2));
	cr_assert_eq(rte_errno, EEXIST, "rte_errno %d", rte_errno);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 5, d1));
	cr_assert_eq(rte_errno, EEXIST, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, dev, d1, d2);
	state_assert_same(&before, &after, "attach_pasid twice");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, attach_pasid_identity_domain_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_IDENTITY);
	struct state before, after;

	STATE_TAKE(before, ctx, dev, dom);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, 1, dom));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, dev, dom);
	state_assert_same(&before, &after, "attach_pasid(identity)");
	/* At RID level an identity domain is fine. */
	attach_ok(dev, UIOMMU_PASID_NONE, dom);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, attach_pasid_none_einval)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct state before, after;

	STATE_TAKE(before, ctx, dev, dom);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(dev, UIOMMU_PASID_NONE, dom));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	STATE_TAKE(after, ctx, dev, dom);
	state_assert_same(&before, &after, "attach_pasid(PASID_NONE)");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, rid_reattach_replaces_port)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 0);
	struct uiommu_domain *d1 = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct uiommu_domain *d2 = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct uiommu_port *p1, *p2;
	uint32_t id1;

	p1 = attach_ok(dev, UIOMMU_PASID_NONE, d1);
	id1 = uiommu_port_id(p1);
	cr_assert_eq(uiommu_obj_refcnt(d1), 1);
	p2 = attach_ok(dev, UIOMMU_PASID_NONE, d2);
	/* p1 is invalid now: only its id may be compared. */
	cr_assert_neq(uiommu_port_id(p2), id1);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_PORT), 1);
	cr_assert_eq(uiommu_obj_refcnt(d1), 0);
	cr_assert_eq(uiommu_obj_refcnt(d2), 1);
	cr_assert_eq(uiommu_obj_refcnt(dev), 1);
	/* The first domain is free to go. */
	cr_assert_eq(uiommu_domain_destroy(d1), 0);
	cr_assert_eq(uiommu_detach(p2), 0);
	cr_assert_eq(uiommu_obj_refcnt(dev), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, rid_reattach_same_domain_keeps_one_reference)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 0);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct uiommu_port *port;

	attach_ok(dev, UIOMMU_PASID_NONE, dom);
	port = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_PORT), 1);
	cr_assert_eq(uiommu_obj_refcnt(dom), 1);
	cr_assert_eq(uiommu_obj_refcnt(dev), 1);
	cr_assert_eq(uiommu_detach(port), 0);
	cr_assert_eq(uiommu_domain_destroy(dom), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

/* -------------------------------------------------------------- EBUSY -- */

Test(objects, domain_destroy_while_attached_ebusy)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct uiommu_port *port = attach_ok(dev, 2, dom);
	struct state before, after;

	STATE_TAKE(before, ctx, hw, dev, dom);
	cr_assert_eq(uiommu_domain_destroy(dom), -EBUSY);
	STATE_TAKE(after, ctx, hw, dev, dom);
	state_assert_same(&before, &after, "domain_destroy(attached)");
	cr_assert_eq(uiommu_detach(port), 0);
	cr_assert_eq(uiommu_domain_destroy(dom), 0);
	cr_assert_eq(uiommu_obj_refcnt(hw), 1);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, dev_destroy_while_attached_ebusy)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 4);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_BLOCKED);
	struct uiommu_port *port = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	struct state before, after;

	STATE_TAKE(before, ctx, hw, dev, dom);
	cr_assert_eq(uiommu_dev_destroy(dev), -EBUSY);
	STATE_TAKE(after, ctx, hw, dev, dom);
	state_assert_same(&before, &after, "dev_destroy(attached)");
	cr_assert_eq(uiommu_detach(port), 0);
	cr_assert_eq(uiommu_dev_destroy(dev), 0);
	cr_assert_eq(uiommu_obj_refcnt(hw), 1);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, hw_destroy_with_dev_ebusy)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_dev *dev = dev_new(hw, 1, 0);
	struct state before, after;

	STATE_TAKE(before, ctx, hw, dev);
	cr_assert_eq(uiommu_hw_destroy(hw), -EBUSY);
	STATE_TAKE(after, ctx, hw, dev);
	state_assert_same(&before, &after, "hw_destroy(with dev)");
	cr_assert_eq(uiommu_dev_destroy(dev), 0);
	cr_assert_eq(uiommu_hw_destroy(hw), 0);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, hw_destroy_with_domain_ebusy)
{
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_domain *dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	struct state before, after;

	STATE_TAKE(before, ctx, hw, dom);
	cr_assert_eq(uiommu_hw_destroy(hw), -EBUSY);
	STATE_TAKE(after, ctx, hw, dom);
	state_assert_same(&before, &after, "hw_destroy(with domain)");
	cr_assert_eq(uiommu_domain_destroy(dom), 0);
	cr_assert_eq(uiommu_hw_destroy(hw), 0);
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
}

Test(objects, destroy_null_einval)
{
	cr_assert_eq(uiommu_hw_destroy(NULL), -EINVAL);
	cr_assert_eq(uiommu_dev_destroy(NULL), -EINVAL);
	cr_assert_eq(uiommu_domain_destroy(NULL), -EINVAL);
}

/* ----------------------------------------------------------- teardown -- */

/* Every kind of object, a few mappings (4 KiB pages and a 2 MiB block,
 * one of them split by an unmap) and an lcore left online. */
static void
populate(struct uiommu_ctx *ctx, uint8_t *buf)
{
	struct uiommu_hw *hw1 = hw_new(ctx), *hw2 = hw_new(ctx);
	struct uiommu_dev *d1 = dev_new(hw1, 1, 8), *d2 = dev_new(hw1, 2, 0);
	struct uiommu_dev *d3 = dev_new(hw2, 1, 8);
	struct uiommu_domain *pg1 = dom_new(hw1, UIOMMU_DOMAIN_PAGING);
	struct uiommu_domain *pg2 = dom_new(hw1, UIOMMU_DOMAIN_PAGING);
	struct uiommu_domain *id1 = dom_new(hw1, UIOMMU_DOMAIN_IDENTITY);
	struct uiommu_domain *pg3 = dom_new(hw2, UIOMMU_DOMAIN_PAGING);
	struct uiommu_port *p;

	dom_new(hw2, UIOMMU_DOMAIN_BLOCKED);
	dom_new(hw2, UIOMMU_DOMAIN_PAGING);	/* never attached */
	cr_assert_eq(uiommu_map(pg1, 0x1000, buf, 4 * SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_map(pg1, SZ_2M, buf, SZ_2M, PROT_RW), 0);
	cr_assert_eq(uiommu_unmap(pg1, SZ_2M + 0x5000, SZ_4K), 0);
	cr_assert_eq(uiommu_map(pg2, 1ull << 40, buf, 8 * SZ_4K,
				UIOMMU_PROT_READ), 0);
	cr_assert_eq(uiommu_map(pg3, 0, buf, SZ_2M, PROT_RW), 0);
	p = attach_ok(d1, UIOMMU_PASID_NONE, pg1);
	attach_ok(d1, 1, pg1);
	attach_ok(d1, 200, pg2);
	attach_ok(d2, UIOMMU_PASID_NONE, id1);
	attach_ok(d3, 3, pg3);
	/* Fill IOTLBs, and leave a fault record in a queue. */
	cr_assert_not_null(uiommu_translate(p, 0x1000, 8, UIOMMU_ACCESS_READ));
	cr_assert_null(uiommu_translate(p, 0x9000, 8, UIOMMU_ACCESS_READ));
}

Test(objects, ctx_destroy_frees_everything_left_behind)
{
	uint8_t *buf = rte_zmalloc("test_buf", SZ_2M, SZ_2M);
	struct test_heap before;
	struct uiommu_ctx *ctx;

	cr_assert_not_null(buf);
	before = test_heap_now();
	ctx = ctx_new();
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	populate(ctx, buf);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
	test_heap_assert_eq(before, test_heap_now(), "ctx create + destroy");
	rte_free(buf);
	test_assert_no_malloc_leaks();
}

Test(objects, ctx_destroy_after_lcore_offline_frees_everything)
{
	uint8_t *buf = rte_zmalloc("test_buf", SZ_2M, SZ_2M);
	struct test_heap before;
	struct uiommu_ctx *ctx;

	cr_assert_not_null(buf);
	before = test_heap_now();
	ctx = ctx_new();
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	populate(ctx, buf);
	cr_assert_eq(uiommu_lcore_offline(ctx), 0);
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
	test_heap_assert_eq(before, test_heap_now(), "ctx create + destroy");
	rte_free(buf);
	test_assert_no_malloc_leaks();
}

Test(objects, destroying_objects_one_by_one_frees_everything)
{
	uint8_t *buf = pages_new(4);
	struct test_heap before, empty_ctx;
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw;
	struct uiommu_dev *dev;
	struct uiommu_domain *dom;
	struct uiommu_port *rid, *pasid;

	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	before = test_heap_now();
	hw = hw_new(ctx);
	/* IOTLBs and queues of this lcore on hw are allocated by now: they
	 * belong to the hw and go with it. */
	dev = dev_new(hw, 9, 4);
	dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	rid = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	pasid = attach_ok(dev, 7, dom);
	cr_assert_eq(uiommu_map(dom, 0x10000, buf, 4 * SZ_4K, PROT_RW), 0);
	cr_assert_not_null(uiommu_translate(pasid, 0x10000, 4,
					    UIOMMU_ACCESS_READ));
	cr_assert_eq(uiommu_unmap(dom, 0x10000, 4 * SZ_4K), 0);
	cr_assert_eq(uiommu_detach(pasid), 0);
	cr_assert_eq(uiommu_detach(rid), 0);
	cr_assert_eq(uiommu_domain_destroy(dom), 0);
	cr_assert_eq(uiommu_dev_destroy(dev), 0);
	cr_assert_eq(uiommu_hw_destroy(hw), 0);
	empty_ctx = test_heap_now();
	test_heap_assert_eq(before, empty_ctx, "objects created + destroyed");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
	rte_free(buf);
	test_assert_no_malloc_leaks();
}

Test(objects, domain_destroy_with_mappings_frees_its_tables)
{
	uint8_t *buf = rte_zmalloc("test_buf", 2 * SZ_2M, SZ_2M);
	struct uiommu_ctx *ctx = ctx_new();
	struct uiommu_hw *hw = hw_new(ctx);
	struct uiommu_domain *dom;
	struct test_heap before;

	cr_assert_not_null(buf);
	before = test_heap_now();
	dom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	/* Pages, blocks, a split block and tables at every level. */
	cr_assert_eq(uiommu_map(dom, 0x3000, buf, 5 * SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_map(dom, 7 * SZ_2M, buf, 2 * SZ_2M, PROT_RW), 0);
	cr_assert_eq(uiommu_unmap(dom, 7 * SZ_2M + SZ_4K, SZ_4K), 0);
	cr_assert_eq(uiommu_map(dom, (1ull << 47) + SZ_4K, buf, SZ_4K,
				UIOMMU_PROT_READ), 0);
	cr_assert_eq(uiommu_domain_destroy(dom), 0);
	test_heap_assert_eq(before, test_heap_now(), "domain with mappings");
	cr_assert_eq(uiommu_ctx_destroy(ctx), 0);
	rte_free(buf);
}

/* ---------------------------------------------------------- map/unmap -- */

/*
 * A paging domain (stage 1, 48-bit IOVA) with one mapping of MAPPED_PAGES
 * pages at MAPPED_IOVA; map_unchanged() checks it is still exactly that
 * and that nothing else appeared around it.
 */
#define MAPPED_IOVA	0x10000ull
#define MAPPED_PAGES	4u

static struct uiommu_ctx *mctx;
static struct uiommu_domain *mdom;
static uint8_t *mbuf;		/* 16 pages; the first 4 are mapped */

static void
map_fixture(void)
{
	struct uiommu_hw *hw;

	mctx = ctx_new();
	hw = hw_new(mctx);
	mdom = dom_new(hw, UIOMMU_DOMAIN_PAGING);
	mbuf = pages_new(16);
	cr_assert_eq(uiommu_map(mdom, MAPPED_IOVA, mbuf,
				MAPPED_PAGES * SZ_4K, PROT_RW), 0);
}

static void
map_unchanged(const char *what)
{
	unsigned int i;

	for (i = 0; i < MAPPED_PAGES; i++) {
		uint64_t iova = MAPPED_IOVA + i * SZ_4K + 0x18;

		cr_assert_eq(uiommu_iova_to_va(mdom, iova),
			     mbuf + i * SZ_4K + 0x18,
			     "%s: iova %#" PRIx64 " no longer maps to page %u",
			     what, iova, i);
	}
	/* The neighbours stay unmapped. */
	for (i = 1; i <= 4; i++) {
		uint64_t below = MAPPED_IOVA - i * SZ_4K;
		uint64_t above = MAPPED_IOVA + (MAPPED_PAGES + i - 1) * SZ_4K;

		rte_errno = 0;
		cr_assert_null(uiommu_iova_to_va(mdom, below),
			       "%s: iova %#" PRIx64 " got mapped", what, below);
		cr_assert_eq(rte_errno, ENOENT);
		cr_assert_null(uiommu_iova_to_va(mdom, above),
			       "%s: iova %#" PRIx64 " got mapped", what, above);
	}
}

/* MAP_FAILS(errno, args of uiommu_map...): the call fails with -errno and
 * changes nothing. */
#define MAP_FAILS(err, iova, va, size, prot) do {			\
	struct test_heap _before = test_heap_now();			\
	int _rc = uiommu_map(mdom, (iova), (va), (size), (prot));	\
									\
	cr_assert_eq(_rc, -(err), "map(%#" PRIx64 ", +%#" PRIx64	\
		     ", prot %#x) = %d, want %d", (uint64_t)(iova),	\
		     (uint64_t)(size), (unsigned int)(prot), _rc, -(err)); \
	map_unchanged("after failed map");				\
	test_heap_assert_eq(_before, test_heap_now(), "failed map");	\
} while (0)

#define UNMAP_FAILS(err, iova, size) do {				\
	struct test_heap _before = test_heap_now();			\
	int _rc = uiommu_unmap(mdom, (iova), (size));			\
									\
	cr_assert_eq(_rc, -(err), "unmap(%#" PRIx64 ", +%#" PRIx64	\
		     ") = %d, want %d", (uint64_t)(iova),		\
		     (uint64_t)(size), _rc, -(err));			\
	map_unchanged("after failed unmap");				\
	test_heap_assert_eq(_before, test_heap_now(), "failed unmap");	\
} while (0)

static void
map_fixture_fini(void)
{
	cr_assert_eq(uiommu_ctx_destroy(mctx), 0);
	rte_free(mbuf);
}

Test(objects, map_unaligned_iova_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, 0x20800, mbuf + 8 * SZ_4K, SZ_4K, PROT_RW);
	MAP_FAILS(EINVAL, 0x20001, mbuf + 8 * SZ_4K, SZ_4K, PROT_RW);
	map_fixture_fini();
}

Test(objects, map_unaligned_va_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K + 0x800, SZ_4K, PROT_RW);
	map_fixture_fini();
}

Test(objects, map_unaligned_size_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K, 0x1800, PROT_RW);
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K, 0x10, PROT_RW);
	map_fixture_fini();
}

Test(objects, map_zero_size_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K, 0, PROT_RW);
	map_fixture_fini();
}

Test(objects, map_prot_none_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K, SZ_4K, 0);
	/* Attributes alone grant no access either. */
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K, SZ_4K,
		  UIOMMU_PROT_CACHE);
	map_fixture_fini();
}

Test(objects, map_unknown_prot_bits_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K, SZ_4K, PROT_RW | 0x10);
	map_fixture_fini();
}

Test(objects, map_write_only_on_stage1_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, 0x20000, mbuf + 8 * SZ_4K, SZ_4K,
		  UIOMMU_PROT_WRITE);
	map_fixture_fini();
}

Test(objects, map_iova_at_48_bits_erange)
{
	map_fixture();
	MAP_FAILS(ERANGE, 1ull << 48, mbuf + 8 * SZ_4K, SZ_4K, PROT_RW);
	/* Starts inside, ends outside. */
	MAP_FAILS(ERANGE, (1ull << 48) - SZ_4K, mbuf + 8 * SZ_4K, 2 * SZ_4K,
		  PROT_RW);
	map_fixture_fini();
}

Test(objects, map_iova_beyond_domain_ias_erange)
{
	struct uiommu_domain_params p = { .ias = 39 };
	struct uiommu_domain *d39;
	struct uiommu_hw *hw;
	struct test_heap before;

	map_fixture();
	hw = hw_new(mctx);
	d39 = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p);
	cr_assert_not_null(d39, "rte_errno %d", rte_errno);
	before = test_heap_now();
	cr_assert_eq(uiommu_map(d39, 1ull << 39, mbuf, SZ_4K, PROT_RW),
		     -ERANGE);
	cr_assert_eq(uiommu_map(d39, (1ull << 39) - SZ_4K, mbuf, 2 * SZ_4K,
				PROT_RW), -ERANGE);
	test_heap_assert_eq(before, test_heap_now(), "failed maps");
	rte_errno = 0;
	cr_assert_null(uiommu_iova_to_va(d39, (1ull << 39) - SZ_4K));
	cr_assert_eq(rte_errno, ENOENT);
	/* The last page below the limit is fine. */
	cr_assert_eq(uiommu_map(d39, (1ull << 39) - SZ_4K, mbuf, SZ_4K,
				PROT_RW), 0);
	cr_assert_eq(uiommu_iova_to_va(d39, (1ull << 39) - SZ_4K), mbuf);
	map_fixture_fini();
}

Test(objects, map_va_beyond_output_size_erange)
{
	map_fixture();
	/* map never dereferences va: a 49-bit one is fine to pass. */
	MAP_FAILS(ERANGE, 0x20000, (void *)(uintptr_t)(1ull << 48), SZ_4K,
		  PROT_RW);
	map_fixture_fini();
}

Test(objects, map_wrapping_range_einval)
{
	map_fixture();
	MAP_FAILS(EINVAL, UINT64_MAX - SZ_4K + 1, mbuf + 8 * SZ_4K,
		  2 * SZ_4K, PROT_RW);
	map_fixture_fini();
}

Test(objects, map_partial_overlap_eexist)
{
	map_fixture();
	/* Runs past the end of the mapping: its tail must not appear. */
	MAP_FAILS(EEXIST, MAPPED_IOVA + 2 * SZ_4K, mbuf + 8 * SZ_4K,
		  4 * SZ_4K, PROT_RW);
	/* Starts before it. */
	MAP_FAILS(EEXIST, MAPPED_IOVA - 2 * SZ_4K, mbuf + 8 * SZ_4K,
		  4 * SZ_4K, PROT_RW);
	/* Covers it. */
	MAP_FAILS(EEXIST, MAPPED_IOVA - SZ_4K, mbuf + 8 * SZ_4K,
		  (MAPPED_PAGES + 2) * SZ_4K, PROT_RW);
	map_fixture_fini();
}

Test(objects, map_full_overlap_eexist)
{
	map_fixture();
	/* Same range, other memory, other prot. */
	MAP_FAILS(EEXIST, MAPPED_IOVA, mbuf + 8 * SZ_4K,
		  MAPPED_PAGES * SZ_4K, UIOMMU_PROT_READ);
	/* Same range, same everything. */
	MAP_FAILS(EEXIST, MAPPED_IOVA, mbuf, MAPPED_PAGES * SZ_4K, PROT_RW);
	/* One page inside. */
	MAP_FAILS(EEXIST, MAPPED_IOVA + SZ_4K, mbuf + 8 * SZ_4K, SZ_4K,
		  PROT_RW);
	map_fixture_fini();
}

Test(objects, map_identity_domain_einval)
{
	struct uiommu_domain *id;
	struct uiommu_hw *hw;

	map_fixture();
	hw = hw_new(mctx);
	id = dom_new(hw, UIOMMU_DOMAIN_IDENTITY);
	cr_assert_eq(uiommu_map(id, 0x20000, mbuf, SZ_4K, PROT_RW), -EINVAL);
	cr_assert_eq(uiommu_unmap(id, 0x20000, SZ_4K), -EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_iova_to_va(id, 0x20000));
	cr_assert_eq(rte_errno, EINVAL);
	map_fixture_fini();
}

Test(objects, map_blocked_domain_einval)
{
	struct uiommu_domain *blk;
	struct uiommu_hw *hw;

	map_fixture();
	hw = hw_new(mctx);
	blk = dom_new(hw, UIOMMU_DOMAIN_BLOCKED);
	cr_assert_eq(uiommu_map(blk, 0x20000, mbuf, SZ_4K, PROT_RW), -EINVAL);
	cr_assert_eq(uiommu_unmap(blk, 0x20000, SZ_4K), -EINVAL);
	map_fixture_fini();
}

Test(objects, map_null_domain_einval)
{
	uint8_t buf[16];

	cr_assert_eq(uiommu_map(NULL, 0, buf, SZ_4K, PROT_RW), -EINVAL);
	cr_assert_eq(uiommu_unmap(NULL, 0, SZ_4K), -EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_iova_to_va(NULL, 0));
	cr_assert_eq(rte_errno, EINVAL);
}

Test(objects, map_adjacent_to_mapping_succeeds)
{
	map_fixture();
	cr_assert_eq(uiommu_map(mdom, MAPPED_IOVA + MAPPED_PAGES * SZ_4K,
				mbuf + 8 * SZ_4K, SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_map(mdom, MAPPED_IOVA - SZ_4K, mbuf + 9 * SZ_4K,
				SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_iova_to_va(mdom, MAPPED_IOVA - SZ_4K),
		     mbuf + 9 * SZ_4K);
	cr_assert_eq(uiommu_iova_to_va(mdom, MAPPED_IOVA), mbuf);
	map_fixture_fini();
}

Test(objects, unmap_unmapped_range_enoent)
{
	map_fixture();
	UNMAP_FAILS(ENOENT, 0x40000, SZ_4K);
	UNMAP_FAILS(ENOENT, 1ull << 40, SZ_2M);
	map_fixture_fini();
}

Test(objects, unmap_partly_mapped_range_enoent)
{
	map_fixture();
	/* Tail runs past the mapping. */
	UNMAP_FAILS(ENOENT, MAPPED_IOVA + 2 * SZ_4K, 4 * SZ_4K);
	/* Head starts before it. */
	UNMAP_FAILS(ENOENT, MAPPED_IOVA - SZ_4K, 2 * SZ_4K);
	/* Covers it. */
	UNMAP_FAILS(ENOENT, MAPPED_IOVA - SZ_4K, (MAPPED_PAGES + 2) * SZ_4K);
	map_fixture_fini();
}

Test(objects, unmap_bad_arguments_fail)
{
	map_fixture();
	UNMAP_FAILS(EINVAL, MAPPED_IOVA, 0);
	UNMAP_FAILS(EINVAL, MAPPED_IOVA + 0x800, SZ_4K);
	UNMAP_FAILS(EINVAL, MAPPED_IOVA, 0x800);
	UNMAP_FAILS(EINVAL, UINT64_MAX - SZ_4K + 1, 2 * SZ_4K);
	UNMAP_FAILS(ERANGE, 1ull << 48, SZ_4K);
	map_fixture_fini();
}

Test(objects, unmap_middle_page_leaves_the_others)
{
	map_fixture();
	cr_assert_eq(uiommu_unmap(mdom, MAPPED_IOVA + SZ_4K, SZ_4K), 0);
	rte_errno = 0;
	cr_assert_null(uiommu_iova_to_va(mdom, MAPPED_IOVA + SZ_4K));
	cr_assert_eq(rte_errno, ENOENT);
	cr_assert_eq(uiommu_iova_to_va(mdom, MAPPED_IOVA), mbuf);
	cr_assert_eq(uiommu_iova_to_va(mdom, MAPPED_IOVA + 2 * SZ_4K),
		     mbuf + 2 * SZ_4K);
	/* And the hole can be mapped again, elsewhere. */
	cr_assert_eq(uiommu_map(mdom, MAPPED_IOVA + SZ_4K, mbuf + 12 * SZ_4K,
				SZ_4K, UIOMMU_PROT_READ), 0);
	cr_assert_eq(uiommu_iova_to_va(mdom, MAPPED_IOVA + SZ_4K + 1),
		     mbuf + 12 * SZ_4K + 1);
	map_fixture_fini();
}

/* ------------------------------------------------------------ reserve -- */

/*
 * After uiommu_domain_reserve() of a range at a page size, maps of pages
 * of that size in it, and unmaps of single pages, take nothing from the
 * heap (what the net_iommu memory event callback relies on); a map at a
 * bigger size still can (the reservation says which size).
 */
Test(objects, reserve_then_page_maps_allocate_nothing)
{
	const uint64_t base = 1ull << 33;	/* 8 GiB: no table yet */
	struct test_heap before;
	uint64_t off;

	map_fixture();
	cr_assert_eq(uiommu_domain_reserve(mdom, base, 4 * SZ_1G, SZ_2M), 0);
	before = test_heap_now();
	/* 2 MiB pages in four 1 GiB regions, VA = IOVA's alignment. */
	for (off = 0; off < 4 * SZ_1G; off += SZ_1G - SZ_2M) {
		void *va = (void *)(uintptr_t)(base + off);

		cr_assert_eq(uiommu_map(mdom, base + off, va, SZ_2M, PROT_RW),
			     0);
		cr_assert_eq(uiommu_iova_to_va(mdom, base + off + 0x40),
			     (uint8_t *)va + 0x40);
		cr_assert_eq(uiommu_unmap(mdom, base + off, SZ_2M), 0);
		cr_assert_eq(uiommu_map(mdom, base + off, va, SZ_2M, PROT_RW),
			     0);
	}
	test_heap_assert_eq(before, test_heap_now(),
			    "maps and unmaps of reserved 2 MiB pages");
	/* 4 KiB pages were not reserved: their leaf table is allocated. */
	cr_assert_eq(uiommu_map(mdom, base + 8 * SZ_1G, mbuf, SZ_4K, PROT_RW),
		     0);
	cr_assert_gt(test_heap_now().allocs, before.allocs);
	map_unchanged("after reserve");
	map_fixture_fini();
}

Test(objects, reserve_bad_arguments_change_nothing)
{
	struct test_heap before;

	map_fixture();
	before = test_heap_now();
	cr_assert_eq(uiommu_domain_reserve(NULL, 0, SZ_2M, SZ_2M), -EINVAL);
	cr_assert_eq(uiommu_domain_reserve(mdom, 0, 0, SZ_2M), -EINVAL);
	/* Not a page size of the hw, not a power of two, zero. */
	cr_assert_eq(uiommu_domain_reserve(mdom, 0, SZ_2M, 64 * 1024),
		     -EINVAL);
	cr_assert_eq(uiommu_domain_reserve(mdom, 0, SZ_2M, 3 * SZ_4K),
		     -EINVAL);
	cr_assert_eq(uiommu_domain_reserve(mdom, 0, SZ_2M, 0), -EINVAL);
	/* Unaligned to the page size. */
	cr_assert_eq(uiommu_domain_reserve(mdom, SZ_4K, SZ_2M, SZ_2M),
		     -EINVAL);
	cr_assert_eq(uiommu_domain_reserve(mdom, 0, SZ_2M + SZ_4K, SZ_2M),
		     -EINVAL);
	cr_assert_eq(uiommu_domain_reserve(mdom, 1ull << 60, SZ_2M, SZ_2M),
		     -ERANGE);
	test_heap_assert_eq(before, test_heap_now(), "failed reserves");
	map_unchanged("after failed reserves");
	map_fixture_fini();
}
