/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deferred invalidation: the flush queue of a domain (struct domain_fq in
 * uiommu_private.h has the invariants).
 *
 * A strict unmap pays one backend sync each: a CMD_SYNC on the SMMU, a wait
 * descriptor on VT-d, and under either a grace period over every online
 * lcore. A deferred unmap stops after handing its invalidations to the
 * backend; the flush that follows pays the sync once for all of them, as
 * Linux's iommu_iotlb_gather does within one call and its flush queue
 * (dma-iommu, lazy domains) does across calls.
 *
 * What a flush must keep safe, and how:
 *   - table pages an unmap unlinked may have walkers in them until the
 *     sync: they wait in fq.gather and are freed only after one;
 *   - lcores may hit stale IOTLB entries of a deferred range until the
 *     sync: uiommu_map() over a deferred range flushes first, so an IOVA
 *     never translates to both old and new memory; freeing or reusing the
 *     old memory is the caller's, after uiommu_domain_flush();
 *   - the queue is bounded (fq.size), so a caller that never flushes holds
 *     at most that many unmaps' worth of stale entries and table pages.
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

#define FQ_SIZE_DEFAULT		256
#define FQ_TIMEOUT_US_DEFAULT	10000

int
domain_fq_init(struct uiommu_domain *dom,
	       const struct uiommu_domain_params *params)
{
	struct uiommu_domain_params p = { 0 };
	struct domain_fq *fq = &dom->fq;

	if (params != NULL)
		p = *params;
	if (p.inv_mode > UIOMMU_INV_LAZY)
		return -EINVAL;
	if (!domain_has_iopt(dom))
		return 0;
	dom->inv_mode = p.inv_mode;
	fq->size = p.fq_size != 0 ? p.fq_size : FQ_SIZE_DEFAULT;
	fq->timeout = (p.fq_timeout_us != 0 ? p.fq_timeout_us :
		       FQ_TIMEOUT_US_DEFAULT) * rte_get_timer_hz() / 1000000;
	iopt_gather_init(&fq->gather);
	/* Now, not at the first deferred unmap: an unmap may run where
	 * the DPDK heap must not be entered (a memory event callback). */
	fq->ranges = rte_malloc_socket("uiommu_fq",
			fq->size * sizeof(*fq->ranges), 0,
			dom->hw->obj.ctx->params.socket_id);
	if (fq->ranges == NULL)
		return -ENOMEM;
	return 0;
}

void
domain_fq_fini(struct uiommu_domain *dom)
{
	struct domain_fq *fq = &dom->fq;

	/* The domain has no attachment and no nested child left, and each
	 * detach waited for a grace period after every earlier unmap: no
	 * walker is in the gathered pages and no IOTLB holds a tag of ours. */
	if (dom->iopt != NULL)
		iopt_gather_release(dom->iopt, &fq->gather);
	iopt_gather_fini(&fq->gather);
	rte_free(fq->ranges);
	fq->ranges = NULL;
	fq->n = 0;
}

/* Wait for every deferred invalidation, free what the unmaps unlinked.
 * @reason: the stats counter that says why. */
static void
fq_flush(struct uiommu_domain *dom, uint64_t *reason)
{
	inv_hw_sync(dom->hw);
	domain_fq_synced(dom, reason);
}

void
domain_fq_synced(struct uiommu_domain *dom, uint64_t *reason)
{
	struct domain_fq *fq = &dom->fq;

	if (fq->n == 0)
		return;
	iopt_gather_release(dom->iopt, &fq->gather);
	fq->n = 0;
	fq->stats.flushes++;
	(*reason)++;
}

void
domain_fq_reserve(struct uiommu_domain *dom)
{
	struct domain_fq *fq = &dom->fq;

	if (fq->n == fq->size)
		fq_flush(dom, &fq->stats.flush_full);
}

void
domain_fq_add(struct uiommu_domain *dom, uint64_t first, uint64_t last)
{
	struct domain_fq *fq = &dom->fq;
	uint64_t now = rte_get_timer_cycles();

	if (fq->n == 0)
		fq->since = now;
	fq->ranges[fq->n++] = (struct iova_range){ first, last };
	fq->stats.deferred++;
	if (dom->inv_mode == UIOMMU_INV_LAZY && now - fq->since > fq->timeout)
		fq_flush(dom, &fq->stats.flush_timeout);
}

void
domain_fq_before_map(struct uiommu_domain *dom, uint64_t iova, uint64_t size)
{
	struct domain_fq *fq = &dom->fq;
	uint64_t last = iova + size - 1;
	unsigned int i;

	for (i = 0; i < fq->n; i++) {
		if (fq->ranges[i].first <= last && iova <= fq->ranges[i].last) {
			fq_flush(dom, &fq->stats.flush_overlap);
			return;
		}
	}
}

int
uiommu_domain_flush(struct uiommu_domain *dom)
{
	if (dom == NULL || !domain_has_iopt(dom))
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	if (dom->fq.n != 0)
		fq_flush(dom, &dom->fq.stats.flush_explicit);
	pthread_mutex_unlock(&dom->lock);
	return 0;
}

int
uiommu_domain_inv_stats(struct uiommu_domain *dom,
			struct uiommu_domain_inv_stats *stats)
{
	if (dom == NULL || stats == NULL || !domain_has_iopt(dom))
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	*stats = dom->fq.stats;
	stats->pending = dom->fq.n;
	pthread_mutex_unlock(&dom->lock);
	return 0;
}
