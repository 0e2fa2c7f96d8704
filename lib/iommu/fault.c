/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault records. Each hw instance has a bounded queue (an MP/SC rte_ring of
 * struct uiommu_fault): lcores that fault enqueue, the control plane reads.
 * A full queue never stalls a lcore: the record is dropped and the drop
 * counted on that lcore.
 *
 * Every report also counts its reason (hw->fault_reasons, atomic adds: this
 * is the slow path, and the queue's enqueue already writes a shared line) and
 * is copied into the hw's recent-faults ring, which readers peek at without
 * consuming anything.
 *
 * Recent-faults ring: who writes, who reads, what makes it safe
 * --------------------------------------------------------------
 * The fault path has no lock of its own (the queue is a lock-free MP ring),
 * and a reader must never hold up a faulting lcore, so the ring is lock-free
 * too: a sequence count per slot, as in a seqlock, with the slot claimed by
 * a compare-and-swap instead of a writer lock.
 * - Writer (any thread reporting a fault): takes the next record number n
 *   from head (fetch-add), then claims slot n % N by moving its seq from an
 *   even value no newer than record n to 2n + 1, writes the record, and
 *   stores 2n + 2. If the slot is being written, or already holds a newer
 *   record (a writer of n + N overtook this one), the copy is skipped: the
 *   ring loses that record, the queue and the counters do not.
 * - Reader (telemetry, tests): reads head, then for each of the last N
 *   record numbers n reads seq, the record, and seq again; it keeps the
 *   record only if both reads saw 2n + 2. A record being written or
 *   overwritten meanwhile is left out, never returned torn.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

static const char *const fault_reason_names[UIOMMU_FAULT_REASON_MAX] = {
	[UIOMMU_FAULT_NONE] = "none",
	[UIOMMU_FAULT_TRANSLATION] = "translation",
	[UIOMMU_FAULT_PERMISSION] = "permission",
	[UIOMMU_FAULT_ACCESS_FLAG] = "access-flag",
	[UIOMMU_FAULT_ADDR_SIZE] = "address-size",
	[UIOMMU_FAULT_BAD_DEVICE] = "bad-device",
	[UIOMMU_FAULT_BAD_PASID] = "bad-pasid",
	[UIOMMU_FAULT_BLOCKED] = "blocked",
	[UIOMMU_FAULT_BAD_TABLE] = "bad-table",
	[UIOMMU_FAULT_LCORE] = "not-an-online-lcore",
};

const char *
uiommu_fault_reason_str(enum uiommu_fault_reason reason)
{
	if ((unsigned int)reason >= UIOMMU_FAULT_REASON_MAX)
		return "unknown";
	return fault_reason_names[reason];
}

int
fault_queue_init(struct uiommu_hw *hw, const struct uiommu_ctx_params *p)
{
	hw->faultq = uiommu_ring_alloc("uiommu_faultq",
				       sizeof(struct uiommu_fault),
				       p->fault_queue_size, p->socket_id,
				       RING_F_SC_DEQ);
	return hw->faultq == NULL ? -rte_errno : 0;
}

void
fault_queue_fini(struct uiommu_hw *hw)
{
	rte_free(hw->faultq);
	hw->faultq = NULL;
}

/* The record is copied as words so that the ring's loads and stores are
 * atomic (relaxed) accesses, not a data race with a concurrent writer. */
static_assert(sizeof(struct uiommu_fault) ==
	      sizeof(((struct fault_recent_slot *)0)->word),
	      "a fault record fills a recent-faults slot");
static_assert(RTE_IS_POWER_OF_2(UIOMMU_FAULT_RECENT),
	      "record numbers map to slots by mask");

static void
fault_recent_put(struct fault_recent *r, const struct uiommu_fault *f)
{
	uint64_t n = __atomic_fetch_add(&r->head, 1, __ATOMIC_RELAXED);
	struct fault_recent_slot *s = &r->slot[n & (UIOMMU_FAULT_RECENT - 1)];
	uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	uint64_t word[RTE_DIM(s->word)];
	unsigned int i;

	if ((seq & 1) != 0 || seq > 2 * n ||
	    !__atomic_compare_exchange_n(&s->seq, &seq, 2 * n + 1, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	/* The odd seq is visible before any word changes: pairs with the
	 * reader's acquire fence between its word loads and its second seq
	 * load. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(word, f, sizeof(word));
	for (i = 0; i < RTE_DIM(word); i++)
		__atomic_store_n(&s->word[i], word[i], __ATOMIC_RELAXED);
	/* Pairs with the reader's first (acquire) load of seq. */
	__atomic_store_n(&s->seq, 2 * n + 2, __ATOMIC_RELEASE);
}

unsigned int
fault_recent_read(const struct uiommu_hw *hw, struct uiommu_fault *faults,
		  uint64_t *seq, unsigned int n)
{
	const struct fault_recent *r = &hw->fault_recent;
	/* Pairs with nothing: a record is judged by its slot's seq. */
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint64_t first, i;
	unsigned int k = 0;

	n = RTE_MIN(n, (unsigned int)UIOMMU_FAULT_RECENT);
	first = head > n ? head - n : 0;
	for (i = first; i < head; i++) {
		const struct fault_recent_slot *s =
			&r->slot[i & (UIOMMU_FAULT_RECENT - 1)];
		uint64_t word[RTE_DIM(s->word)];
		unsigned int w;

		/* Pairs with the writer's release store of 2i + 2. */
		if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != 2 * i + 2)
			continue;
		for (w = 0; w < RTE_DIM(word); w++)
			word[w] = __atomic_load_n(&s->word[w],
						  __ATOMIC_RELAXED);
		/* Pairs with the writer's release fence after its claim. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != 2 * i + 2)
			continue;
		memcpy(&faults[k], word, sizeof(word));
		seq[k++] = i;
	}
	return k;
}

int
uiommu_hw_fault_stats(const struct uiommu_hw *hw, uint64_t *counts,
		      unsigned int n)
{
	unsigned int r;

	if (hw == NULL || (counts == NULL && n != 0))
		return -EINVAL;
	for (r = 0; r < RTE_MIN(n, (unsigned int)UIOMMU_FAULT_REASON_MAX);
	     r++)
		counts[r] = __atomic_load_n(&hw->fault_reasons[r],
					    __ATOMIC_RELAXED);
	return UIOMMU_FAULT_REASON_MAX;
}

void
uiommu_fault_report(struct uiommu_hw *hw, const struct uiommu_fault *f)
{
	struct uiommu_iotlb *tlb = NULL;

	if (f->lcore_id < RTE_MAX_LCORE)
		tlb = hw->iotlb_mem[f->lcore_id];
	if (rte_ring_mp_enqueue_elem(hw->faultq, (void *)(uintptr_t)f,
				     sizeof(*f)) != 0 && tlb != NULL)
		tlb->stats.fault_drops++;
	if (tlb != NULL)
		tlb->stats.faults++;
	if (f->reason < UIOMMU_FAULT_REASON_MAX)
		__atomic_fetch_add(&hw->fault_reasons[f->reason], 1,
				   __ATOMIC_RELAXED);
	fault_recent_put(&hw->fault_recent, f);
}

void
fault_record(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
	     uint64_t iova, uint32_t access,
	     const struct uiommu_walk_result *res, unsigned int lcore_id)
{
	struct uiommu_fault f = {
		.iova = iova,
		.sid = sid,
		.pasid = pasid,
		.reason = res->reason,
		.access = access,
		.level = res->level,
		.lcore_id = lcore_id,
	};

	uiommu_fault_report(hw, &f);
}

int
uiommu_hw_fault_read(struct uiommu_hw *hw, struct uiommu_fault *faults,
		     unsigned int n)
{
	if (hw == NULL || (faults == NULL && n != 0))
		return -EINVAL;
	return (int)rte_ring_sc_dequeue_burst_elem(hw->faultq, faults,
						   sizeof(*faults), n, NULL);
}
