/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault records (lib/iommu/fault.c): the bounded per-hw queue that failed
 * translations write to, what a record carries, what happens when the queue
 * is full (the record is dropped and counted; the lcore never waits), and
 * the names of fault reasons.
 *
 * The context has a fault queue of FAULT_QUEUE_SIZE slots, which holds one
 * record fewer (uiommu.h: "a queue of size N holds N - 1 items").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <uiommu.h>

#include "uiommu_test.h"

#define FAULT_QUEUE_SIZE	8u
#define FAULT_QUEUE_CAP		(FAULT_QUEUE_SIZE - 1)
#define SID			0x42u
#define PASID			5u
/* Nothing is mapped here: every access faults with TRANSLATION. */
#define FAULT_IOVA(i)		(0x7000000ull + (uint64_t)(i) * SZ_4K + (i))

static struct uiommu_ctx *ctx;
static struct uiommu_hw *hw;
static struct uiommu_port *port;	/* (SID, PASID) -> empty domain */

static void
suite_init(void)
{
	struct uiommu_ctx_params p = {
		.socket_id = SOCKET_ID_ANY,
		.fault_queue_size = FAULT_QUEUE_SIZE,
	};
	struct uiommu_dev_params dp = { .pasid_bits = 4 };
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;

	test_eal_init("test_fault");
	ctx = uiommu_ctx_create(&p);
	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	hw = uiommu_hw_create(ctx, "direct", NULL);
	cr_assert_not_null(hw, "rte_errno %d", rte_errno);
	dev = uiommu_dev_create(hw, SID, &dp);
	dom = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, NULL);
	cr_assert(dev != NULL && dom != NULL, "rte_errno %d", rte_errno);
	port = uiommu_attach_pasid(dev, PASID, dom);
	cr_assert_not_null(port, "rte_errno %d", rte_errno);
}

/* Criterion 2.4 ignores failures in .fini: check nothing here. */
static void
suite_fini(void)
{
	uiommu_ctx_destroy(ctx);
	test_eal_cleanup();
}

TestSuite(fault, .init = suite_init, .fini = suite_fini, .timeout = 30);

static uint32_t
access_of(unsigned int i)
{
	return i % 2 ? UIOMMU_ACCESS_WRITE : UIOMMU_ACCESS_READ;
}

/* Make fault number @i; the access fails at once, whatever the queue. */
static void
fault_make(unsigned int i)
{
	rte_errno = 0;
	cr_assert_null(uiommu_translate(port, FAULT_IOVA(i), 8, access_of(i)),
		       "fault %u: translated", i);
	cr_assert_eq(rte_errno, EFAULT, "fault %u: rte_errno %d", i,
		     rte_errno);
}

static struct uiommu_lcore_stats
stats_now(void)
{
	struct uiommu_lcore_stats s;

	cr_assert_eq(uiommu_hw_stats(hw, rte_lcore_id(), &s), 0);
	return s;
}

static void
record_assert(const struct uiommu_fault *f, unsigned int i)
{
	cr_assert_eq(f->iova, FAULT_IOVA(i), "record of fault %u: iova %#"
		     PRIx64, i, f->iova);
	cr_assert_eq(f->sid, SID);
	cr_assert_eq(f->pasid, PASID);
	cr_assert_eq(f->access, access_of(i), "record of fault %u: access %u",
		     i, f->access);
	cr_assert_eq(f->reason, UIOMMU_FAULT_TRANSLATION, "reason %s",
		     uiommu_fault_reason_str(f->reason));
	cr_assert_eq(f->lcore_id, rte_lcore_id());
}

Test(fault, record_carries_sid_pasid_iova_access_reason)
{
	struct uiommu_fault f[2];

	fault_make(1);
	memset(f, 0, sizeof(f));
	cr_assert_eq(uiommu_hw_fault_read(hw, f, RTE_DIM(f)), 1);
	record_assert(&f[0], 1);
}

Test(fault, full_queue_keeps_oldest_and_counts_drops)
{
	struct uiommu_fault f[32];
	struct uiommu_lcore_stats s0, s1;
	unsigned int i;
	int n;

	s0 = stats_now();
	for (i = 0; i < 20; i++)
		fault_make(i);
	s1 = stats_now();
	cr_assert_eq(s1.faults - s0.faults, 20);
	cr_assert_eq(s1.fault_drops - s0.fault_drops, 20 - FAULT_QUEUE_CAP);

	memset(f, 0, sizeof(f));
	n = uiommu_hw_fault_read(hw, f, RTE_DIM(f));
	cr_assert_eq(n, (int)FAULT_QUEUE_CAP, "%d records", n);
	for (i = 0; i < FAULT_QUEUE_CAP; i++)
		record_assert(&f[i], i);
	cr_assert_eq(uiommu_hw_fault_read(hw, f, RTE_DIM(f)), 0);
}

Test(fault, read_pops_oldest_first_in_pieces)
{
	struct uiommu_fault f[4];
	unsigned int i;

	for (i = 0; i < 5; i++)
		fault_make(i);
	cr_assert_eq(uiommu_hw_fault_read(hw, f, 2), 2);
	record_assert(&f[0], 0);
	record_assert(&f[1], 1);
	cr_assert_eq(uiommu_hw_fault_read(hw, f, RTE_DIM(f)), 3);
	record_assert(&f[0], 2);
	record_assert(&f[2], 4);
}

Test(fault, read_makes_room_for_new_records)
{
	struct uiommu_fault f[FAULT_QUEUE_SIZE];
	struct uiommu_lcore_stats s0;
	unsigned int i;

	for (i = 0; i < FAULT_QUEUE_CAP + 3; i++)
		fault_make(i);
	cr_assert_eq(uiommu_hw_fault_read(hw, f, 1), 1);
	record_assert(&f[0], 0);
	s0 = stats_now();
	fault_make(100);
	cr_assert_eq(stats_now().fault_drops, s0.fault_drops,
		     "a freed slot still dropped the record");
	fault_make(101);
	cr_assert_eq(stats_now().fault_drops, s0.fault_drops + 1);
	cr_assert_eq(uiommu_hw_fault_read(hw, f, RTE_DIM(f)),
		     (int)FAULT_QUEUE_CAP);
	record_assert(&f[0], 1);
	record_assert(&f[FAULT_QUEUE_CAP - 1], 100);
}

Test(fault, read_with_zero_records_returns_zero)
{
	struct uiommu_fault f;

	fault_make(0);
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 0), 0);
	cr_assert_eq(uiommu_hw_fault_read(hw, NULL, 0), 0);
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 1), 1);
	record_assert(&f, 0);
}

Test(fault, read_bad_arguments_einval)
{
	struct uiommu_fault f;

	cr_assert_eq(uiommu_hw_fault_read(NULL, &f, 1), -EINVAL);
	cr_assert_eq(uiommu_hw_fault_read(hw, NULL, 1), -EINVAL);
}

Test(fault, queues_are_per_hw)
{
	struct uiommu_hw *hw2 = uiommu_hw_create(ctx, "direct", NULL);
	struct uiommu_fault f;

	cr_assert_not_null(hw2);
	fault_make(3);
	cr_assert_eq(uiommu_hw_fault_read(hw2, &f, 1), 0);
	/* An unknown StreamID on hw2 lands in hw2's queue. */
	cr_assert_null(uiommu_hw_translate_sid(hw2, SID, UIOMMU_PASID_NONE,
					       FAULT_IOVA(9), 4,
					       UIOMMU_ACCESS_READ));
	cr_assert_eq(uiommu_hw_fault_read(hw2, &f, 1), 1);
	cr_assert_eq(f.reason, UIOMMU_FAULT_BAD_DEVICE);
	cr_assert_eq(f.iova, FAULT_IOVA(9));
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 1), 1);
	record_assert(&f, 3);
}

Test(fault, reason_str_names_every_reason)
{
	static const struct {
		enum uiommu_fault_reason reason;
		const char *name;
	} known[] = {
		{ UIOMMU_FAULT_NONE, "none" },
		{ UIOMMU_FAULT_TRANSLATION, "translation" },
		{ UIOMMU_FAULT_PERMISSION, "permission" },
		{ UIOMMU_FAULT_ACCESS_FLAG, "access-flag" },
		{ UIOMMU_FAULT_ADDR_SIZE, "address-size" },
		{ UIOMMU_FAULT_BAD_DEVICE, "bad-device" },
		{ UIOMMU_FAULT_BAD_PASID, "bad-pasid" },
		{ UIOMMU_FAULT_BLOCKED, "blocked" },
		{ UIOMMU_FAULT_BAD_TABLE, "bad-table" },
		{ UIOMMU_FAULT_LCORE, "not-an-online-lcore" },
	};
	unsigned int i, j;

	cr_assert_eq(RTE_DIM(known), UIOMMU_FAULT_REASON_MAX,
		     "a reason was added: name it here");
	for (i = 0; i < RTE_DIM(known); i++) {
		const char *s = uiommu_fault_reason_str(known[i].reason);

		cr_assert_not_null(s, "reason %d", known[i].reason);
		cr_assert_str_eq(s, known[i].name);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(s, uiommu_fault_reason_str(
					known[j].reason));
	}
}

Test(fault, reason_str_out_of_range_is_unknown)
{
	cr_assert_str_eq(uiommu_fault_reason_str(UIOMMU_FAULT_REASON_MAX),
			 "unknown");
	cr_assert_str_eq(uiommu_fault_reason_str(
			(enum uiommu_fault_reason)1000), "unknown");
	cr_assert_str_eq(uiommu_fault_reason_str(
			(enum uiommu_fault_reason)-1), "unknown");
}

/* Per-reason counters of @h, asserting the getter's return value. */
static void
reasons_now(const struct uiommu_hw *h, uint64_t counts[UIOMMU_FAULT_REASON_MAX])
{
	cr_assert_eq(uiommu_hw_fault_stats(h, counts, UIOMMU_FAULT_REASON_MAX),
		     UIOMMU_FAULT_REASON_MAX);
}

/* Every counter of @after equals @before's, but @reason's, which grew by
 * @n. */
static void
reasons_assert_delta(const uint64_t *before, const uint64_t *after,
		     enum uiommu_fault_reason reason, uint64_t n)
{
	unsigned int r;

	for (r = 0; r < UIOMMU_FAULT_REASON_MAX; r++)
		cr_assert_eq(after[r] - before[r], r == reason ? n : 0,
			     "fault_%s: %" PRIu64 " -> %" PRIu64,
			     uiommu_fault_reason_str(r), before[r], after[r]);
}

Test(fault, reason_counters_count_the_reason_and_nothing_else)
{
	uint64_t c0[UIOMMU_FAULT_REASON_MAX], c1[UIOMMU_FAULT_REASON_MAX];
	unsigned int i;

	reasons_now(hw, c0);
	/* 20 > the queue: records the queue dropped are counted too. */
	for (i = 0; i < 20; i++)
		fault_make(i);
	reasons_now(hw, c1);
	reasons_assert_delta(c0, c1, UIOMMU_FAULT_TRANSLATION, 20);
	/* Reading the queue consumes records, not counts. */
	cr_assert_eq(uiommu_hw_fault_read(hw, (struct uiommu_fault[32]){ 0 },
					  32), (int)FAULT_QUEUE_CAP);
	reasons_now(hw, c0);
	reasons_assert_delta(c1, c0, UIOMMU_FAULT_NONE, 0);
}

Test(fault, reason_counters_are_per_hw_and_per_reason)
{
	uint64_t a0[UIOMMU_FAULT_REASON_MAX], a1[UIOMMU_FAULT_REASON_MAX];
	uint64_t b0[UIOMMU_FAULT_REASON_MAX], b1[UIOMMU_FAULT_REASON_MAX];
	struct uiommu_hw *hw2 = uiommu_hw_create(ctx, "direct", NULL);

	cr_assert_not_null(hw2);
	reasons_now(hw, a0);
	reasons_now(hw2, b0);
	cr_assert_null(uiommu_hw_translate_sid(hw2, SID, UIOMMU_PASID_NONE,
					       FAULT_IOVA(9), 4,
					       UIOMMU_ACCESS_READ));
	cr_assert_null(uiommu_hw_translate_sid(hw2, SID, UIOMMU_PASID_NONE,
					       FAULT_IOVA(10), 4,
					       UIOMMU_ACCESS_WRITE));
	reasons_now(hw, a1);
	reasons_now(hw2, b1);
	reasons_assert_delta(a0, a1, UIOMMU_FAULT_NONE, 0);
	reasons_assert_delta(b0, b1, UIOMMU_FAULT_BAD_DEVICE, 2);
}

Test(fault, reason_counters_count_faults_off_lcore)
{
	uint64_t c0[UIOMMU_FAULT_REASON_MAX], c1[UIOMMU_FAULT_REASON_MAX];

	reasons_now(hw, c0);
	/* An lcore that is not online faults with LCORE. */
	cr_assert_eq(uiommu_lcore_offline(ctx), 0);
	cr_assert_null(uiommu_translate(port, FAULT_IOVA(0), 8,
					UIOMMU_ACCESS_READ));
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	reasons_now(hw, c1);
	reasons_assert_delta(c0, c1, UIOMMU_FAULT_LCORE, 1);
}

Test(fault, reason_counters_bad_arguments_einval)
{
	uint64_t c[UIOMMU_FAULT_REASON_MAX] = { 0 };
	uint64_t two[2] = { 7, 7 };

	cr_assert_eq(uiommu_hw_fault_stats(NULL, c, RTE_DIM(c)), -EINVAL);
	cr_assert_eq(uiommu_hw_fault_stats(hw, NULL, 1), -EINVAL);
	/* n = 0 only sizes; a short array gets its first n reasons. */
	cr_assert_eq(uiommu_hw_fault_stats(hw, NULL, 0),
		     UIOMMU_FAULT_REASON_MAX);
	fault_make(0);
	cr_assert_eq(uiommu_hw_fault_stats(hw, two, 2),
		     UIOMMU_FAULT_REASON_MAX);
	cr_assert_eq(two[UIOMMU_FAULT_NONE], 0);
	cr_assert_eq(two[UIOMMU_FAULT_TRANSLATION], 1);
}
