/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmarks of the vtd_sim backend (drivers/vtd_sim), each next to what it
 * is measured against in this binary, so that the results are ratios:
 *
 *   BM_translate_{hit,hit_bulk}_{direct,vtd_sim}/pages:N
 *                          IOTLB hits through a port of each backend, the
 *                          same pages and stream: a hit never reaches the
 *                          backend, so the two should be equal
 *   BM_translate_miss{,_bulk}_{direct,vtd_sim}/pages:4096
 *                          2-entry IOTLB, first-level domain at the RID:
 *                          every translation goes to the backend. vtd_sim:
 *                          root, context, PASID directory and entry
 *                          (RID_PASID), first-level walk; direct: RID table,
 *                          walk
 *   BM_translate_miss_pasid_{direct,vtd_sim}/pages:4096
 *                          ... through PASID 1
 *   BM_translate_miss_nested_{direct,vtd_sim}/pages:4096
 *                          ... a NESTED domain at the RID: first level over
 *                          a second-level parent, both walked on every miss
 *   BM_qi_iotlb_wait/batch:B
 *                          B page-selective IOTLB invalidation descriptors
 *                          into vtd_sim's invalidation queue, then one wait
 *                          descriptor, under the QI lock, no lcore online;
 *                          items: the invalidation descriptors
 *   BM_reference_desc_ring/batch:B
 *                          ... the same descriptors encoded into a plain
 *                          ring of the same size, one tail store per batch
 *   BM_inv_range_{direct,vtd_sim}/translators:T/real_time
 *                          uiommu_inv_range() of one page of an attached
 *                          domain while T lcores (0 or 1) translate
 *                          (vtd_sim: one PASID-based IOTLB invalidation +
 *                          wait descriptor)
 *   BM_unmap_map_{direct,vtd_sim}/translators:T/real_time
 *                          strict unmap + map of one page, likewise
 *   BM_msi_remap/vectors:V
 *                          a device's MSI writes through interrupt
 *                          remapping: V vectors of one device, remappable
 *                          format, each write validated and resolved
 *                          through the IRTE (interrupt entry cache hits)
 *   BM_reference_irte_lookup/vectors:V
 *                          ... the IRTE of the same handle read from a
 *                          plain table and its vector and destination
 *                          decoded: a lookup with no checks and no cache
 *   BM_reference_round_trip/real_time
 *                          a cache line's round trip between the lcores
 *
 *   bench_vtd_sim [--benchmark_* options]   (test/bench/run.sh: + ratios)
 *
 * EAL runs with fixed arguments (no hugepages, lcores 0-1, a --file-prefix
 * of its own); the command line is Google Benchmark's. UIOMMU_BENCH_SEED
 * overrides the seed of the streams.
 */
#include <uiommu_vtd_sim.h>

#include "vtd_drv.h"	/* internal: the QI functions and lock */
#include "bench_backend.h"

BENCH_BACKEND_DEFINE(direct)
BENCH_BACKEND_DEFINE(vtd_sim)

/* ---------------------------------------------------------------- QI -- */

/*
 * The invalidation queue alone: a ctx of its own (never online, so the
 * model's IOTLB posts find no lcore and each wait's grace period has no one
 * to wait for), a first-level domain attached at the RID for a live DID.
 * Each batch is B one-page uiommu_inv of that DID turned into descriptors by
 * the driver (vtd_qi_inv: one PASID-based page-selective IOTLB invalidation
 * each), then vtd_qi_sync() (one wait descriptor with status write), under
 * qi_lock as the driver issues them. The default queue (4 KiB of 256-bit
 * descriptors: 128) does not hold a batch of 256: it rings IQT when full
 * (counter doorbells_per_batch).
 */
struct qi_fixture {
	struct one_page_fixture base;
	struct vtd_drv *drv;
	uint32_t did;
};

static int
qi_fixture_create(struct qi_fixture *q, const char **step)
{
	int rc = one_page_fixture_create(&q->base, "vtd_sim", step);
	uint32_t t;

	if (rc != 0)
		return rc;
	q->drv = vtd_drv_of(q->base.hw);
	/* Internal: the one DID the attach bound (DID 0 is never used). */
	*step = "the attach's DID";
	for (t = 1; t < VTD_DRV_TAGS; t++)
		if (q->drv->tag_info[t].kind != VTD_TAG_NONE)
			break;
	if (t == VTD_DRV_TAGS) {
		one_page_fixture_destroy(&q->base);
		return -ENOENT;
	}
	q->did = t;
	return 0;
}

static void
qi_fixture_destroy(struct qi_fixture *q)
{
	one_page_fixture_destroy(&q->base);
}

/* One-page invalidation of page @i of 64 from IOVA_BASE under @did. */
static inline struct uiommu_inv
page_inv(uint32_t did, uint32_t i)
{
	uint64_t iova = IOVA_BASE + ((uint64_t)(i & 63) << PGSHIFT_4K);

	return (struct uiommu_inv){ .op = UIOMMU_INV_TAG_RANGE, .tag = did,
				    .iova = iova,
				    .last = iova + PGSIZE_4K - 1 };
}

static __rte_noinline int
qi_loop(ubench_state *st, struct qi_fixture *q, uint32_t batch)
{
	struct vtd_drv *drv = q->drv;
	int rc = 0;
	uint32_t i;

	while (ubench_keep_running_batch(st, batch)) {
		pthread_mutex_lock(&drv->qi_lock);
		for (i = 0; i < batch; i++) {
			const struct uiommu_inv inv = page_inv(q->did, i);

			rc |= vtd_qi_inv(drv, &inv);
		}
		rc |= vtd_qi_sync(drv);
		pthread_mutex_unlock(&drv->qi_lock);
		if (unlikely(rc != 0))
			break;
	}
	return rc;
}

static void
bm_qi_iotlb_wait(ubench_state *st)
{
	uint32_t batch = (uint32_t)ubench_range(st, 0);
	struct uiommu_vtd_sim_stats before, after;
	struct qi_fixture q;
	const char *step;
	uint64_t invs, hw_invs, waits;
	int64_t n;
	int rc;

	rc = qi_fixture_create(&q, &step);
	if (rc != 0) {
		ubench_skip_with_error(st, "%s: %s", step, strerror(-rc));
		return;
	}
	uiommu_vtd_sim_stats_get(q.base.hw, &before);
	rc = qi_loop(st, &q, batch);
	uiommu_vtd_sim_stats_get(q.base.hw, &after);
	n = ubench_iterations(st);
	invs = after.descs[UIOMMU_VTD_DESC_PIOTLB] -
	       before.descs[UIOMMU_VTD_DESC_PIOTLB];
	hw_invs = after.hw_descs[UIOMMU_VTD_DESC_PIOTLB] -
		  before.hw_descs[UIOMMU_VTD_DESC_PIOTLB];
	waits = after.hw_descs[UIOMMU_VTD_DESC_WAIT] -
		before.hw_descs[UIOMMU_VTD_DESC_WAIT];
	if (rc != 0 || invs != (uint64_t)n || hw_invs != (uint64_t)n ||
	    waits != (uint64_t)n / batch ||
	    after.hw_desc_errors != before.hw_desc_errors)
		ubench_skip_with_error(st, "rc %d; %" PRId64 " invalidations: %"
				       PRIu64 " queued, %" PRIu64 " consumed, %"
				       PRIu64 " waits", rc, n, invs, hw_invs,
				       waits);
	ubench_counter(st, "doorbells_per_batch", n == 0 ? 0 :
		       (double)(after.doorbells - before.doorbells) /
		       ((double)n / batch));
	ubench_set_items_processed(st, n);
	qi_fixture_destroy(&q);
}

/*
 * The reference: the descriptors the driver queues for the same
 * invalidations (PASID-based page-selective IOTLB, encoded by the driver's
 * vtd_desc_build), written to a plain ring of the queue's size (4 KiB of
 * 256-bit descriptors) at a tail that wraps as IQT does, and one release
 * store of the tail per batch for the doorbell. No consumer, no lock, no
 * wait descriptor.
 */
#define REF_RING_BYTES	4096u
#define REF_DESC_BYTES	32u

static __rte_noinline void
ref_ring_loop(ubench_state *st, uint64_t *ring, uint32_t *doorbell,
	      uint16_t did, uint32_t batch)
{
	uint32_t tail = 0, i;

	while (ubench_keep_running_batch(st, batch)) {
		for (i = 0; i < batch; i++) {
			const struct vtd_desc d = {
				.type = QI_EIOTLB_TYPE, .g = QI_EIOTLB_G_PSI,
				.did = did, .pasid = 0, .am = 0,
				.addr = IOVA_BASE +
					((uint64_t)(i & 63) << PGSHIFT_4K),
			};

			vtd_desc_build(NULL, &d, &ring[tail / 8]);
			tail = (tail + REF_DESC_BYTES) % REF_RING_BYTES;
		}
		/* What the IQT write orders: the descriptors before it. */
		__atomic_store_n(doorbell, tail, __ATOMIC_RELEASE);
		UBENCH_SINK_MEM(ring);
	}
}

static void
bm_reference_desc_ring(ubench_state *st)
{
	uint32_t batch = (uint32_t)ubench_range(st, 0);
	uint64_t *ring = rte_zmalloc("bench_ref_ring", REF_RING_BYTES,
				     REF_RING_BYTES);
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

/* ---------------------------------------------------------------- IR -- */

/*
 * Interrupt remapping: a device at SID with V MSI-X vectors, one IRTE
 * each (allocated, programmed and invalidated through the API), and the
 * remappable-format messages the API composes for them. Each iteration is
 * one MSI write of the next vector: address/data decoded, the IRTE read
 * through the calling lcore's interrupt entry cache (hits after the first
 * round), its source id validated, vector and destination returned.
 */
#define IR_VECTORS_MAX	64u

struct ir_fixture {
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	uint32_t first;
	uint64_t addr[IR_VECTORS_MAX];
	uint32_t data[IR_VECTORS_MAX];
	uint8_t vector[IR_VECTORS_MAX];
};

static int
ir_fixture_create(struct ir_fixture *f, uint32_t nvec, const char **step)
{
	struct uiommu_dev *dev;
	uint32_t i;
	int rc;

	memset(f, 0, sizeof(*f));
	*step = "uiommu_ctx_create";
	f->ctx = uiommu_ctx_create(NULL);
	if (f->ctx == NULL)
		return -rte_errno;
	*step = "uiommu_hw_create";
	f->hw = uiommu_hw_create(f->ctx, "vtd_sim", NULL);
	if (f->hw == NULL)
		goto err_errno;
	*step = "uiommu_dev_create";
	dev = uiommu_dev_create(f->hw, SID, NULL);
	if (dev == NULL)
		goto err_errno;
	*step = "uiommu_vtd_sim_irq_alloc";
	rc = uiommu_vtd_sim_irq_alloc(dev, nvec);
	if (rc < 0)
		goto err;
	f->first = (uint32_t)rc;
	for (i = 0; i < nvec; i++) {
		const struct uiommu_vtd_irq_cfg cfg = {
			.vector = (uint8_t)(0x30 + i), .dest_id = i % 4,
		};

		f->vector[i] = cfg.vector;
		*step = "uiommu_vtd_sim_irq_set";
		rc = uiommu_vtd_sim_irq_set(dev, f->first + i, &cfg);
		if (rc != 0)
			goto err;
		*step = "uiommu_vtd_sim_msi_compose";
		rc = uiommu_vtd_sim_msi_compose(dev, f->first + i,
						&f->addr[i], &f->data[i]);
		if (rc != 0)
			goto err;
	}
	return 0;

err_errno:
	rc = -rte_errno;
err:
	uiommu_ctx_destroy(f->ctx);
	return rc;
}

static __rte_noinline uint32_t
msi_loop(ubench_state *st, const struct ir_fixture *f, uint32_t nvec,
	 uint64_t *bad)
{
	struct uiommu_vtd_irq irq;
	uint32_t i = 0, sum = 0;

	while (ubench_keep_running(st)) {
		if (unlikely(uiommu_vtd_sim_msi_write(f->hw, SID, f->addr[i],
						      f->data[i], &irq) != 0 ||
			     irq.vector != f->vector[i]))
			(*bad)++;
		sum += irq.dest_id;
		i = i + 1 == nvec ? 0 : i + 1;
	}
	return sum;
}

static void
bm_msi_remap(ubench_state *st)
{
	uint32_t nvec = (uint32_t)ubench_range(st, 0);
	struct uiommu_vtd_sim_stats before, after;
	struct ir_fixture f;
	const char *step;
	uint64_t bad = 0, remapped;
	int64_t n;
	int rc;

	rc = ir_fixture_create(&f, nvec, &step);
	if (rc != 0) {
		ubench_skip_with_error(st, "%s: %s", step, strerror(-rc));
		return;
	}
	uiommu_vtd_sim_stats_get(f.hw, &before);
	UBENCH_SINK(msi_loop(st, &f, nvec, &bad));
	uiommu_vtd_sim_stats_get(f.hw, &after);
	n = ubench_iterations(st);
	remapped = after.hw_msi_remapped - before.hw_msi_remapped;
	if (bad != 0 || remapped != (uint64_t)n ||
	    after.hw_msi_blocked != before.hw_msi_blocked)
		ubench_skip_with_error(st, "%" PRId64 " MSIs: %" PRIu64
				       " wrong, %" PRIu64 " remapped", n, bad,
				       remapped);
	ubench_set_items_processed(st, n);
	uiommu_ctx_destroy(f.ctx);
}

/*
 * The reference: the same IRTEs (copied from the driver's table after the
 * fixture programmed them) in a plain array; per message, the handle is
 * taken from the address, the IRTE read and its vector and destination
 * decoded. No format, present, reserved-bit or source-id check, no cache.
 */
static __rte_noinline uint32_t
ref_irte_loop(ubench_state *st, const uint64_t *irt, const uint64_t *addr,
	      uint32_t nvec)
{
	uint32_t i = 0, sum = 0;

	while (ubench_keep_running(st)) {
		uint32_t h = (uint32_t)FIELD_GET(MSI_ADDR_HANDLE_LO, addr[i]) |
			     (addr[i] & MSI_ADDR_HANDLE_15 ? 1u << 15 : 0);
		uint64_t lo = __atomic_load_n(&irt[2 * h], __ATOMIC_ACQUIRE);

		sum += (uint32_t)FIELD_GET(IRTE_LO_V, lo) +
		       (uint32_t)FIELD_GET(IRTE_LO_DST, lo);
		i = i + 1 == nvec ? 0 : i + 1;
	}
	return sum;
}

static void
bm_reference_irte_lookup(ubench_state *st)
{
	uint32_t nvec = (uint32_t)ubench_range(st, 0);
	struct ir_fixture f;
	const struct vtd_drv *drv;
	const char *step;
	size_t bytes;
	uint64_t *irt;
	int rc;

	rc = ir_fixture_create(&f, nvec, &step);
	if (rc != 0) {
		ubench_skip_with_error(st, "%s: %s", step, strerror(-rc));
		return;
	}
	drv = vtd_drv_of(f.hw);
	bytes = (size_t)drv->irt_entries * IRTE_SIZE;
	irt = rte_malloc("bench_ref_irt", bytes, 4096);
	if (irt == NULL) {
		ubench_skip_with_error(st, "no memory");
		goto out;
	}
	memcpy(irt, drv->irt, bytes);
	UBENCH_SINK(ref_irte_loop(st, irt, f.addr, nvec));
	ubench_set_items_processed(st, ubench_iterations(st));
	rte_free(irt);
out:
	uiommu_ctx_destroy(f.ctx);
}

/* --------------------------------------------------------------- main -- */

static void
register_benchmarks(void)
{
	static const int64_t batches[] = { 1, 16, 256 };
	static const int64_t vectors[] = { 1, 64 };
	ubench *b;
	unsigned int i;

	bench_backend_register_direct();
	bench_backend_register_vtd_sim();
	b = ubench_arg_name(ubench_register("BM_qi_iotlb_wait",
					    bm_qi_iotlb_wait), "batch");
	for (i = 0; i < RTE_DIM(batches); i++)
		ubench_arg(b, batches[i]);
	b = ubench_arg_name(ubench_register("BM_reference_desc_ring",
					    bm_reference_desc_ring), "batch");
	for (i = 0; i < RTE_DIM(batches); i++)
		ubench_arg(b, batches[i]);
	b = ubench_arg_name(ubench_register("BM_msi_remap", bm_msi_remap),
			    "vectors");
	for (i = 0; i < RTE_DIM(vectors); i++)
		ubench_arg(b, vectors[i]);
	b = ubench_arg_name(ubench_register("BM_reference_irte_lookup",
					    bm_reference_irte_lookup),
			    "vectors");
	for (i = 0; i < RTE_DIM(vectors); i++)
		ubench_arg(b, vectors[i]);
	ubench_use_real_time(ubench_register("BM_reference_round_trip",
					     bm_reference_round_trip));
}

int
main(int argc, char **argv)
{
	return bench_backend_main(argc, argv, "bench_vtd_sim",
				  register_benchmarks);
}
