/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmarks of the smmu_sim backend (drivers/smmu_sim), each next to what
 * it is measured against in this binary, so that the results are ratios:
 *
 *   BM_translate_hit_{direct,smmu_sim}/pages:N
 *   BM_translate_hit_bulk_{direct,smmu_sim}/pages:N
 *                          IOTLB hits through a port of each backend, the
 *                          same pages and the same stream of IOVAs: a hit
 *                          never reaches the backend, so the two should be
 *                          equal (a check of the set-up more than a result)
 *   BM_translate_miss_{direct,smmu_sim}/pages:4096
 *   BM_translate_miss_bulk_{direct,smmu_sim}/pages:4096
 *                          2-entry IOTLB, stage-1 domain at the RID: every
 *                          translation goes to the backend. smmu_sim: STE,
 *                          CD 0, stage-1 walk; direct: RID table, walk
 *   BM_translate_miss_pasid_{direct,smmu_sim}/pages:4096
 *                          ... through a PASID port (smmu_sim: the CD of
 *                          SubstreamID PASID; direct: its PASID table)
 *   BM_translate_miss_nested_{direct,smmu_sim}/pages:4096
 *                          ... a NESTED domain at the RID: stage 1 over a
 *                          stage-2 parent, both walked on every miss
 *   BM_cmdq_tlbi_sync/batch:B
 *                          B TLBI_NH_VA commands into smmu_sim's CMDQ then
 *                          one CMD_SYNC, under cmdq_lock, no lcore online;
 *                          items: the TLBIs
 *   BM_reference_cmd_ring/batch:B
 *                          ... the same commands encoded into a plain ring
 *                          array of the same size and a "doorbell" store
 *                          per batch: a command without a consumer
 *   BM_inv_range_{direct,smmu_sim}/translators:T/real_time
 *                          uiommu_inv_range() of one page of an attached
 *                          stage-1 domain while T lcores (0 or 1) translate
 *                          (smmu_sim: one TLBI_NH_VA + CMD_SYNC)
 *   BM_unmap_map_{direct,smmu_sim}/translators:T/real_time
 *                          strict unmap + map of one page, likewise
 *                          With a translator, counters round_trip_ns_before
 *                          and _after: a cache line's round trip between
 *                          the two lcores, next to the timed loop
 *   BM_reference_round_trip/real_time
 *                          that round trip alone
 *
 *   bench_smmu_sim [--benchmark_* options]   (test/bench/run.sh: + ratios)
 *
 * EAL runs with fixed arguments (no hugepages, lcores 0-1, a --file-prefix
 * of its own, so it may run next to bench_translate); the command line is
 * Google Benchmark's. UIOMMU_BENCH_SEED overrides the seed of the streams.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include <uiommu.h>
#include <uiommu_driver.h>
#include <uiommu_smmu_sim.h>

#include "smmu_drv.h"	/* internal: the CMDQ functions and cmdq_lock */
#include "bench_backend.h"

BENCH_BACKEND_DEFINE(direct)
BENCH_BACKEND_DEFINE(smmu_sim)

/* -------------------------------------------------------------- cmdq -- */

/*
 * The command queue alone: a ctx of its own (never online, so the TLBIs'
 * posts find no IOTLB and each CMD_SYNC's grace period has no one to wait
 * for), a stage-1 domain attached at the RID for a live ASID. Each batch
 * is B TLBI_NH_VA of one 4 KiB page each, then smmu_cmdq_sync(), under
 * cmdq_lock as the driver issues them. The default queue (256 entries)
 * holds a batch of 256 but not its CMD_SYNC: that batch rings the
 * doorbell twice (counter doorbells_per_batch).
 */
struct cmdq_fixture {
	struct one_page_fixture base;
	struct smmu_drv *drv;
	uint16_t asid;
};

static int
cmdq_fixture_create(struct cmdq_fixture *c, const char **step)
{
	int rc = one_page_fixture_create(&c->base, "smmu_sim", step);

	if (rc != 0)
		return rc;
	c->drv = smmu_drv_of(c->base.hw);
	/* Internal: the tag the core gave the attach is the CD's ASID. */
	c->asid = (uint16_t)((const struct smmu_drv_dev *)
			     uiommu_dev_priv(c->base.dev))->rid_tag;
	return 0;
}

static void
cmdq_fixture_destroy(struct cmdq_fixture *c)
{
	one_page_fixture_destroy(&c->base);
}

/* TLBI_NH_VA of the 4 KiB page @i of 64 from IOVA_BASE. */
static inline struct smmu_cmd
tlbi_cmd(uint16_t asid, uint32_t i)
{
	return (struct smmu_cmd){
		.opcode = CMDQ_OP_TLBI_NH_VA, .leaf = true, .asid = asid,
		.tg = CMDQ_TLBI_TG_4K, .num = 0, .scale = 0,
		.addr = IOVA_BASE + ((uint64_t)(i & 63) << PGSHIFT_4K),
	};
}

static __rte_noinline int
cmdq_loop(ubench_state *st, struct cmdq_fixture *c, uint32_t batch)
{
	struct smmu_drv *drv = c->drv;
	int rc = 0;
	uint32_t i;

	while (ubench_keep_running_batch(st, batch)) {
		pthread_mutex_lock(&drv->cmdq_lock);
		for (i = 0; i < batch; i++) {
			const struct smmu_cmd cmd = tlbi_cmd(c->asid, i);

			rc |= smmu_cmdq_add(drv, &cmd);
		}
		rc |= smmu_cmdq_sync(drv);
		pthread_mutex_unlock(&drv->cmdq_lock);
		if (unlikely(rc != 0))
			break;
	}
	return rc;
}

static void
bm_cmdq_tlbi_sync(ubench_state *st)
{
	uint32_t batch = (uint32_t)ubench_range(st, 0);
	struct uiommu_smmu_sim_stats before, after;
	struct cmdq_fixture c;
	const char *step;
	uint64_t tlbis, hw_tlbis, syncs;
	int64_t n;
	int rc;

	rc = cmdq_fixture_create(&c, &step);
	if (rc != 0) {
		ubench_skip_with_error(st, "%s: %s", step, strerror(-rc));
		return;
	}
	uiommu_smmu_sim_stats_get(c.base.hw, &before);
	rc = cmdq_loop(st, &c, batch);
	uiommu_smmu_sim_stats_get(c.base.hw, &after);
	n = ubench_iterations(st);
	tlbis = after.cmds[CMDQ_OP_TLBI_NH_VA] - before.cmds[CMDQ_OP_TLBI_NH_VA];
	hw_tlbis = after.hw_cmds[CMDQ_OP_TLBI_NH_VA] -
		   before.hw_cmds[CMDQ_OP_TLBI_NH_VA];
	syncs = after.hw_cmds[CMDQ_OP_CMD_SYNC] -
		before.hw_cmds[CMDQ_OP_CMD_SYNC];
	if (rc != 0 || tlbis != (uint64_t)n || hw_tlbis != (uint64_t)n ||
	    syncs != (uint64_t)n / batch ||
	    after.cmd_errors != before.cmd_errors)
		ubench_skip_with_error(st, "rc %d; %" PRId64 " TLBIs: %" PRIu64
				       " queued, %" PRIu64 " consumed, %"
				       PRIu64 " syncs", rc, n, tlbis, hw_tlbis,
				       syncs);
	ubench_counter(st, "doorbells_per_batch", n == 0 ? 0 :
		       (double)(after.doorbells - before.doorbells) /
		       ((double)n / batch));
	ubench_set_items_processed(st, n);
	cmdq_fixture_destroy(&c);
}

/*
 * The reference: the same commands, encoded by the same function, written
 * to a ring array of the CMDQ's size (256 x 16 bytes) at a producer index
 * that wraps as the queue's does, and a release store of that index per
 * batch for the doorbell. No consumer, no lock, no sync.
 */
#define REF_RING_LOG2	8u

static __rte_noinline void
ref_ring_loop(ubench_state *st, uint64_t *ring, uint32_t *doorbell,
	      uint16_t asid, uint32_t batch)
{
	uint32_t prod = 0, i;

	while (ubench_keep_running_batch(st, batch)) {
		for (i = 0; i < batch; i++) {
			const struct smmu_cmd cmd = tlbi_cmd(asid, i);

			smmu_cmd_build(&cmd, &ring[smmu_queue_idx(REF_RING_LOG2,
				       prod) * CMDQ_ENT_DWORDS]);
			prod = smmu_queue_inc(REF_RING_LOG2, prod);
		}
		/* What the doorbell write orders: the entries before it. */
		__atomic_store_n(doorbell, prod, __ATOMIC_RELEASE);
		UBENCH_SINK_MEM(ring);
	}
}

static void
bm_reference_cmd_ring(ubench_state *st)
{
	uint32_t batch = (uint32_t)ubench_range(st, 0);
	size_t bytes = (size_t)CMDQ_ENT_DWORDS * 8 << REF_RING_LOG2;
	uint64_t *ring = rte_zmalloc("bench_ref_ring", bytes, bytes);
	uint32_t *doorbell = rte_zmalloc("bench_ref_doorbell",
					 sizeof(*doorbell),
					 RTE_CACHE_LINE_SIZE);

	if (ring == NULL || doorbell == NULL) {
		ubench_skip_with_error(st, "no memory");
		goto out;
	}
	ref_ring_loop(st, ring, doorbell, 1, batch);
	ubench_set_items_processed(st, ubench_iterations(st));
out:
	rte_free(ring);
	rte_free(doorbell);
}


/* --------------------------------------------------------------- main -- */

static void
register_benchmarks(void)
{
	static const int64_t batches[] = { 1, 16, 256 };
	ubench *b;
	unsigned int i;

	bench_backend_register_direct();
	bench_backend_register_smmu_sim();
	b = ubench_arg_name(ubench_register("BM_cmdq_tlbi_sync",
					    bm_cmdq_tlbi_sync), "batch");
	for (i = 0; i < RTE_DIM(batches); i++)
		ubench_arg(b, batches[i]);
	b = ubench_arg_name(ubench_register("BM_reference_cmd_ring",
					    bm_reference_cmd_ring), "batch");
	for (i = 0; i < RTE_DIM(batches); i++)
		ubench_arg(b, batches[i]);
	ubench_use_real_time(ubench_register("BM_reference_round_trip",
					     bm_reference_round_trip));
}

int
main(int argc, char **argv)
{
	return bench_backend_main(argc, argv, "bench_smmu_sim",
				  register_benchmarks);
}
