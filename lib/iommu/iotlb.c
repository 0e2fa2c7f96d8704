/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore IOTLB: allocation, fill on a miss, and the removal of entries
 * when the owning lcore applies an invalidation. Every function here runs on
 * the owning lcore (or before it is published), so none takes a lock.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

/* Beyond this many pages, invalidating a range scans the whole table
 * instead of probing each page's set. */
#define IOTLB_PROBE_MAX_PAGES	64

static int
iotlb_table_init(struct uiommu_iotlb_table *t, uint32_t entries, int socket)
{
	uint32_t sets = RTE_MAX(entries / UIOMMU_IOTLB_WAYS, 1u);
	unsigned int w;

	for (w = 0; w < UIOMMU_IOTLB_WAYS; w++) {
		t->way[w] = rte_zmalloc_socket("uiommu_iotlb",
					       sizeof(*t->way[w]) * sets,
					       RTE_CACHE_LINE_SIZE, socket);
		if (t->way[w] == NULL)
			return -ENOMEM;
	}
	t->set_mask = sets - 1;
	t->n_valid = 0;
	return 0;
}

struct uiommu_iotlb *
iotlb_alloc(const struct uiommu_ctx_params *p, unsigned int lcore_id)
{
	const uint32_t entries[UIOMMU_PGSZ_NUM] = {
		p->iotlb_entries, p->iotlb_large_entries,
		/* 1 GiB pages: a few cover any realistic working set. */
		RTE_MIN(p->iotlb_large_entries, 64u),
	};
	int socket = (int)rte_lcore_to_socket_id(lcore_id);
	struct uiommu_iotlb *tlb;
	unsigned int sz;

	if (socket == SOCKET_ID_ANY || socket < 0)
		socket = SOCKET_ID_ANY;
	tlb = rte_zmalloc_socket("uiommu_iotlb", sizeof(*tlb),
				 RTE_CACHE_LINE_SIZE, socket);
	if (tlb == NULL)
		return NULL;
	tlb->lcore_id = lcore_id;
	tlb->socket_id = socket;
	for (sz = 0; sz < UIOMMU_PGSZ_NUM; sz++) {
		if (iotlb_table_init(&tlb->tbl[sz], entries[sz], socket)) {
			iotlb_free(tlb);
			return NULL;
		}
	}
	return tlb;
}

void
iotlb_free(struct uiommu_iotlb *tlb)
{
	unsigned int sz, w;

	if (tlb == NULL)
		return;
	for (sz = 0; sz < UIOMMU_PGSZ_NUM; sz++)
		for (w = 0; w < UIOMMU_IOTLB_WAYS; w++)
			rte_free(tlb->tbl[sz].way[w]);
	rte_free(tlb);
}

void
iotlb_flush(struct uiommu_iotlb *tlb)
{
	unsigned int sz, w;

	for (sz = 0; sz < UIOMMU_PGSZ_NUM; sz++) {
		struct uiommu_iotlb_table *t = &tlb->tbl[sz];

		for (w = 0; w < UIOMMU_IOTLB_WAYS; w++)
			memset(t->way[w], 0,
			       sizeof(*t->way[w]) * (t->set_mask + 1));
		t->n_valid = 0;
	}
	tlb->stats.flushes++;
}

static inline void
iotlb_kill(struct uiommu_iotlb *tlb, struct uiommu_iotlb_table *t,
	   struct uiommu_iotlb_entry *e)
{
	e->key = 0;
	e->out = 0;
	t->n_valid--;
	tlb->stats.inv_entries++;
}

/* Remove the entries of one table that match @inv. */
static void
iotlb_apply_table(struct uiommu_iotlb *tlb, unsigned int sz,
		  const struct uiommu_inv *inv)
{
	struct uiommu_iotlb_table *t = &tlb->tbl[sz];
	unsigned int shift = UIOMMU_PGSZ_SHIFT(sz);
	uint64_t tag_key = (uint64_t)inv->tag << UIOMMU_IOTLB_TAG_SHIFT;
	uint64_t first_pfn = 0, last_pfn = 0, salt, set;
	unsigned int w;

	if (t->n_valid == 0)
		return;
	if (inv->op == UIOMMU_INV_TAG_RANGE) {
		first_pfn = inv->iova >> shift;
		last_pfn = inv->last >> shift;
		/* Few pages: visit their sets rather than the whole table. */
		if (last_pfn - first_pfn < IOTLB_PROBE_MAX_PAGES) {
			salt = uiommu__tag_salt(inv->tag);
			for (uint64_t pfn = first_pfn; pfn <= last_pfn; pfn++) {
				set = (pfn ^ salt) & t->set_mask;
				for (w = 0; w < UIOMMU_IOTLB_WAYS; w++)
					if (t->way[w][set].key == (tag_key | pfn))
						iotlb_kill(tlb, t,
							   &t->way[w][set]);
			}
			return;
		}
	}
	for (w = 0; w < UIOMMU_IOTLB_WAYS; w++) {
		for (set = 0; set <= t->set_mask && t->n_valid != 0; set++) {
			struct uiommu_iotlb_entry *e = &t->way[w][set];
			uint64_t pfn;

			if (e->key == 0)
				continue;
			if (inv->op != UIOMMU_INV_ALL) {
				if ((e->key >> UIOMMU_IOTLB_TAG_SHIFT) !=
				    inv->tag)
					continue;
				pfn = e->key &
				      ((1ull << UIOMMU_IOTLB_TAG_SHIFT) - 1);
				if (inv->op == UIOMMU_INV_TAG_RANGE &&
				    (pfn < first_pfn || pfn > last_pfn))
					continue;
			}
			iotlb_kill(tlb, t, e);
		}
	}
}

void
iotlb_apply(struct uiommu_iotlb *tlb, const struct uiommu_inv *inv)
{
	unsigned int sz;

	tlb->stats.invalidations++;
	for (sz = 0; sz < UIOMMU_PGSZ_NUM; sz++)
		iotlb_apply_table(tlb, sz, inv);
}

void
iotlb_fill(struct uiommu_iotlb *tlb, uint64_t iova,
	   const struct uiommu_walk_result *res)
{
	unsigned int sz = (res->pgshift - 12) / 9;
	struct uiommu_iotlb_table *t = &tlb->tbl[sz];
	uint64_t pfn = iova >> res->pgshift;
	uint64_t key = ((uint64_t)res->tag << UIOMMU_IOTLB_TAG_SHIFT) | pfn;
	uint64_t set = (pfn ^ uiommu__tag_salt(res->tag)) & t->set_mask;
	struct uiommu_iotlb_entry *w0 = &t->way[0][set];
	struct uiommu_iotlb_entry *w1 = &t->way[1][set];
	struct uiommu_iotlb_entry *e;

	if (w0->key == key) {
		e = w0;			/* refresh, e.g. with more rights */
	} else if (w1->key == key) {
		e = w1;
	} else if (w0->key == 0) {
		e = w0;
		t->n_valid++;
	} else if (w1->key == 0) {
		e = w1;
		t->n_valid++;
	} else {
		/* Both taken by others: way 0's moves to way 1, evicting
		 * way 1's, and the newest goes in way 0. */
		*w1 = *w0;
		e = w0;
	}
	e->key = key;
	e->out = res->out | res->prot;
}

void *
uiommu__translate_nolcore(const struct uiommu_port *port, uint64_t iova,
			  uint32_t access)
{
	struct uiommu_fault f = {
		.iova = iova, .sid = port->sid, .pasid = port->pasid,
		.reason = UIOMMU_FAULT_LCORE, .access = access,
		.lcore_id = rte_lcore_id(),
	};

	__atomic_fetch_add(&port->hw->nolcore_faults, 1, __ATOMIC_RELAXED);
	uiommu_fault_report(port->hw, &f);
	rte_errno = EFAULT;
	return NULL;
}

/*
 * A translation that the IOTLB could not serve in one piece: resolve and
 * walk through the backend, fill, and, for an access that crosses pages,
 * check each page and that they are contiguous in host memory.
 */
void *
uiommu__translate_miss(const struct uiommu_port *port,
		       struct uiommu_iotlb *tlb, uint64_t iova, uint32_t len,
		       uint32_t access)
{
	struct uiommu_hw *hw = port->hw;
	struct uiommu_walk_result res;
	uint64_t cur = iova, end = iova + RTE_MAX(len, 1u);
	uintptr_t va = 0, expect = 0;
	uint64_t cfg = __atomic_load_n(&port->cfg, __ATOMIC_RELAXED);

	if (end < iova) {
		memset(&res, 0, sizeof(res));
		res.reason = UIOMMU_FAULT_ADDR_SIZE;
		goto fault;
	}
	tlb->stats.misses++;
	while (cur < end) {
		uint64_t pgsize;
		uintptr_t here;

		if (cfg == UIOMMU_PORT_CFG_IDENTITY) {
			res.reason = UIOMMU_FAULT_NONE;
			res.out = cur & ~(uint64_t)(RTE_PGSIZE_4K - 1);
			res.pgshift = 12;
			res.prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE;
			res.tag = 0;
		} else if (cfg == UIOMMU_PORT_CFG_BLOCKED) {
			memset(&res, 0, sizeof(res));
			res.reason = UIOMMU_FAULT_BLOCKED;
		} else {
			hw->ops->translate(hw, port->sid, port->pasid, cur,
					   access, &res);
			tlb->stats.walks++;
		}
		if (res.reason == UIOMMU_FAULT_NONE &&
		    (res.prot & access) != access)
			res.reason = UIOMMU_FAULT_PERMISSION;
		if (res.reason != UIOMMU_FAULT_NONE) {
			iova = cur;
			goto fault;
		}
		if (res.tag != 0)
			iotlb_fill(tlb, cur, &res);
		pgsize = 1ull << res.pgshift;
		here = res.out + (cur & (pgsize - 1));
		if (cur == iova)
			va = here;
		else if (here != expect) {
			/* Mapped and allowed, but not one host buffer. */
			rte_errno = ERANGE;
			return NULL;
		}
		expect = here + ((cur | (pgsize - 1)) + 1 - cur);
		cur = (cur | (pgsize - 1)) + 1;
	}
	return (void *)va;

fault:
	fault_record(hw, port->sid, port->pasid, iova, access, &res,
		     tlb->lcore_id);
	rte_errno = EFAULT;
	return NULL;
}

void
uiommu__lcore_drain(struct uiommu_ctx_fast *fast, unsigned int lcore_id)
{
	struct uiommu_ctx *ctx = (struct uiommu_ctx *)fast;
	struct uiommu_inv burst[32];
	unsigned int h, i, n;

	/* Acquire pairs with the writer's release after its enqueue; a flag
	 * set after this exchange stays set for the next quiescent point. */
	__atomic_exchange_n(&fast->lcore[lcore_id].inv_pending, 0,
			    __ATOMIC_ACQ_REL);
	for (h = 0; h < UIOMMU_MAX_HW; h++) {
		/* Pairs with the release store that publishes the hw. */
		struct uiommu_hw *hw = __atomic_load_n(&ctx->hw[h],
						       __ATOMIC_ACQUIRE);
		struct uiommu_inv_queue *q;
		struct uiommu_iotlb *tlb;

		if (hw == NULL)
			continue;
		q = &hw->invq[lcore_id];
		tlb = hw->iotlb_mem[lcore_id];
		do {
			n = rte_ring_sc_dequeue_burst_elem(q->ring, burst,
					sizeof(burst[0]), RTE_DIM(burst), NULL);
			for (i = 0; i < n && tlb != NULL; i++)
				iotlb_apply(tlb, &burst[i]);
		} while (n != 0);
		if (__atomic_exchange_n(&q->overflow, 0, __ATOMIC_ACQ_REL) &&
		    tlb != NULL)
			iotlb_flush(tlb);
	}
}

/* Bytes from @iova to the end of its 4 KiB page, at most @len. */
static inline size_t
dma_chunk(uint64_t iova, size_t len)
{
	return RTE_MIN(len, RTE_PGSIZE_4K - (iova & (RTE_PGSIZE_4K - 1)));
}

int
uiommu_dma_read(const struct uiommu_port *port, uint64_t iova, void *dst,
		size_t len)
{
	uint8_t *out = dst;

	while (len != 0) {
		size_t n = dma_chunk(iova, len);
		const void *va = uiommu_translate(port, iova, n,
						  UIOMMU_ACCESS_READ);

		if (va == NULL)
			return -EFAULT;
		memcpy(out, va, n);
		out += n;
		iova += n;
		len -= n;
	}
	return 0;
}

int
uiommu_dma_write(const struct uiommu_port *port, uint64_t iova,
		 const void *src, size_t len)
{
	const uint8_t *in = src;

	while (len != 0) {
		size_t n = dma_chunk(iova, len);
		void *va = uiommu_translate(port, iova, n, UIOMMU_ACCESS_WRITE);

		if (va == NULL)
			return -EFAULT;
		memcpy(va, in, n);
		in += n;
		iova += n;
		len -= n;
	}
	return 0;
}
