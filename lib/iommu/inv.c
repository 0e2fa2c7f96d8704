/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Invalidation: per-(hw, lcore) queues, posting, and the grace period that
 * makes an invalidation strict.
 *
 * Posting and an lcore coming online race on purpose, and are resolved the
 * way Dekker's algorithm is: the lcore publishes its IOTLB, then (inside
 * rte_rcu_qsbr_thread_online) issues a full fence before it walks; the poster
 * changes the tables, issues a full fence, then reads which lcores have an
 * IOTLB. Either the poster sees the lcore and queues to it, or the lcore's
 * walks see the changed tables.
 */
#include <errno.h>
#include <sched.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

/* Rings come from rte_malloc, not memzones: an lcore queue per hw instance
 * would otherwise use up the EAL's memzone table. */
struct rte_ring *
uiommu_ring_alloc(const char *name, unsigned int esize, unsigned int count,
		  int socket, unsigned int flags)
{
	ssize_t size = rte_ring_get_memsize_elem(esize, count);
	struct rte_ring *r;

	if (size < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	r = rte_zmalloc_socket(name, size, RTE_CACHE_LINE_SIZE, socket);
	if (r == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (rte_ring_init(r, name, count, flags) != 0) {
		rte_free(r);
		rte_errno = EINVAL;
		return NULL;
	}
	return r;
}

int
inv_queue_init(struct uiommu_hw *hw, const struct uiommu_ctx_params *p,
	       unsigned int lcore_id)
{
	struct uiommu_inv_queue *q = &hw->invq[lcore_id];

	if (q->ring != NULL)
		return 0;
	q->ring = uiommu_ring_alloc("uiommu_invq", sizeof(struct uiommu_inv),
				    p->inv_queue_size,
				    (int)rte_lcore_to_socket_id(lcore_id),
				    RING_F_SC_DEQ);
	return q->ring == NULL ? -rte_errno : 0;
}

void
inv_queues_fini(struct uiommu_hw *hw)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		rte_free(hw->invq[l].ring);
		hw->invq[l].ring = NULL;
	}
}

void
uiommu_iotlb_inv_post(struct uiommu_hw *hw, const struct uiommu_inv *inv)
{
	struct uiommu_ctx *ctx = hw->obj.ctx;
	unsigned int l, end;

	/* Dekker with uiommu_lcore_online(): see the file header. The lcore
	 * stores both iotlb_mem[] and lcore_end before its fence, so reading
	 * them after ours is covered alike. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	end = __atomic_load_n(&hw->lcore_end, __ATOMIC_ACQUIRE);
	for (l = 0; l < end; l++) {
		struct uiommu_inv_queue *q = &hw->invq[l];

		if (__atomic_load_n(&hw->iotlb_mem[l], __ATOMIC_ACQUIRE) == NULL)
			continue;
		if (rte_ring_mp_enqueue_elem(q->ring, (void *)(uintptr_t)inv,
					     sizeof(*inv)) != 0)
			/* Read by the lcore's exchange in its drain. */
			__atomic_store_n(&q->overflow, 1, __ATOMIC_RELEASE);
		/* Pairs with the acquire in uiommu_lcore_quiescent_lc(). */
		__atomic_store_n(&ctx->fast.lcore[l].inv_pending, 1,
				 __ATOMIC_RELEASE);
	}
}

/* Checks of the grace period a sync spins for before it yields its CPU. */
#define SYNC_SPIN_CHECKS	4096

/*
 * rte_rcu_qsbr_synchronize(), but yielding the CPU after a while. The
 * lcores a sync waits for report at their next burst's end, within a few
 * microseconds, unless the waiter itself keeps one of them off its CPU:
 * with as many threads as CPUs, a control thread (the EAL alarm thread of
 * net_iommu's lazy flush, the application's) may share the CPU of the
 * lcore it waits for. rte_rcu_qsbr_synchronize() spins then until the
 * scheduler preempts it, milliseconds later; perf found EAL's interrupt
 * thread spending 16 % of bench_net_iommu's lazy churn run there, and the
 * churn at ~0.3 M operations/s (doc/perf.md).
 */
static void
qsbr_wait(struct rte_rcu_qsbr *v, unsigned int self)
{
	unsigned int spins = 0;
	uint64_t t;

	/* rte_rcu_qsbr_start's release orders every post before the token;
	 * each lcore reports after loading it (acquire) and drains after
	 * reporting, before it translates again. */
	t = rte_rcu_qsbr_start(v);
	if (self != RTE_QSBR_THRID_INVALID)
		rte_rcu_qsbr_quiescent(v, self);
	while (rte_rcu_qsbr_check(v, t, false) == 0) {
		if (++spins < SYNC_SPIN_CHECKS)
			rte_pause();
		else
			sched_yield();
	}
}

void
ctx_synchronize(struct uiommu_ctx *ctx)
{
	unsigned int self = rte_lcore_id();

	if (self >= RTE_MAX_LCORE || !ctx->lcore_online[self])
		self = RTE_QSBR_THRID_INVALID;
	qsbr_wait(ctx->fast.qsbr, self);
	if (self != RTE_QSBR_THRID_INVALID)
		uiommu__lcore_drain(&ctx->fast, self);
}

void
uiommu_iotlb_sync(struct uiommu_hw *hw)
{
	ctx_synchronize(hw->obj.ctx);
}

/* Every tag of the nested domains over @parent, whole: their IOVAs that
 * lead to a changed IPA are unknown. parent->lock held. */
static void
inv_children(struct uiommu_domain *parent)
{
	struct uiommu_domain *child;
	struct uiommu_tag_ctx *tc;

	LIST_FOREACH(child, &parent->children, sibling) {
		pthread_mutex_lock(&child->lock);
		LIST_FOREACH(tc, &child->tctx, next)
			inv_tag(child->hw, tc->tag);
		pthread_mutex_unlock(&child->lock);
	}
}

void
inv_domain_range(struct uiommu_domain *dom, uint64_t first, uint64_t last)
{
	struct uiommu_tag_ctx *tc;

	LIST_FOREACH(tc, &dom->tctx, next) {
		struct uiommu_inv inv = {
			.op = UIOMMU_INV_TAG_RANGE, .tag = tc->tag,
			.iova = first, .last = last,
		};

		dom->hw->ops->inv(dom->hw, &inv);
	}
	inv_children(dom);
}

void
inv_tag(struct uiommu_hw *hw, uint32_t tag)
{
	struct uiommu_inv inv = { .op = UIOMMU_INV_TAG, .tag = tag };

	hw->ops->inv(hw, &inv);
}

int
inv_hw_sync(struct uiommu_hw *hw)
{
	return hw->ops->sync(hw);
}

static struct uiommu_domain *
inv_check_domain(struct uiommu_domain *dom)
{
	return dom != NULL && domain_has_iopt(dom) ? dom : NULL;
}

int
uiommu_inv_domain(struct uiommu_domain *dom)
{
	struct uiommu_tag_ctx *tc;

	if (inv_check_domain(dom) == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	LIST_FOREACH(tc, &dom->tctx, next)
		inv_tag(dom->hw, tc->tag);
	inv_children(dom);
	inv_hw_sync(dom->hw);
	pthread_mutex_unlock(&dom->lock);
	return 0;
}

int
uiommu_inv_pasid(struct uiommu_domain *dom, uint32_t pasid)
{
	struct uiommu_tag_ctx *tc;
	int rc = -ENOENT;

	if (inv_check_domain(dom) == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	LIST_FOREACH(tc, &dom->tctx, next) {
		/* Without PASID tagging one context serves every PASID. */
		if (tc->pasid == pasid || !dom->hw->caps.tlb_tag_pasid) {
			inv_tag(dom->hw, tc->tag);
			rc = 0;
		}
	}
	if (rc == 0)
		inv_hw_sync(dom->hw);
	pthread_mutex_unlock(&dom->lock);
	return rc;
}

int
uiommu_inv_range(struct uiommu_domain *dom, uint64_t iova, uint64_t size)
{
	if (inv_check_domain(dom) == NULL || size == 0 ||
	    iova + size - 1 < iova)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	inv_domain_range(dom, iova, iova + size - 1);
	inv_hw_sync(dom->hw);
	pthread_mutex_unlock(&dom->lock);
	return 0;
}
