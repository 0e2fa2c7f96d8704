/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libuiommu internals: the objects behind the public handles.
 *
 * Locking:
 * - ctx->lock (a mutex) serialises every control-plane call that creates,
 *   destroys, attaches or detaches, and protects the object lists, refcounts
 *   and each hw's tag allocator.
 * - dom->lock serialises map/unmap/invalidate of one domain; it nests inside
 *   ctx->lock when both are taken. A domain's tag contexts (tctx list) change
 *   only with both locks held, so either lock is enough to read them.
 * - Everything the fast path reads (ports, IOTLB arrays, the hw array of the
 *   ctx, backend tables) is published with release stores and retired only
 *   after a QSBR grace period.
 */
#ifndef UIOMMU_PRIVATE_H
#define UIOMMU_PRIVATE_H

#include <pthread.h>
#include <sys/queue.h>

#include <rte_log.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "uiommu.h"
#include "uiommu_driver.h"
#include "iopt_private.h"

struct rte_bitmap;

#define UIOMMU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, uiommu_logtype, "uiommu: " fmt "\n", \
		##__VA_ARGS__)

#define UIOMMU_MAX_HW		16	/* hw instances per ctx */
#define UIOMMU_MAX_BACKENDS	8
#define UIOMMU_TAG_SPACE_MAX	16	/* tag bits the core allocates */

/*
 * The last UIOMMU_FAULT_RECENT fault records of a hw, kept for peeking
 * (telemetry) while the fault queue is consumed by uiommu_hw_fault_read().
 * Lock-free, many writers (every thread that reports a fault), any number of
 * readers; the protocol is in fault.c.
 */
#define UIOMMU_FAULT_RECENT	32	/* a power of two */

struct fault_recent_slot {
	/* 2n + 2: holds record n, complete; 2n + 1: record n being written;
	 * 0: never written. */
	uint64_t seq;
	uint64_t word[3];		/* a struct uiommu_fault */
};

struct fault_recent {
	uint64_t head;			/* records offered so far */
	struct fault_recent_slot slot[UIOMMU_FAULT_RECENT];
};

/* Common header of every object. Fields change under ctx->lock. */
struct uiommu_obj {
	TAILQ_ENTRY(uiommu_obj) next;	/* in ctx->objs[type] */
	struct uiommu_ctx *ctx;
	enum uiommu_obj_type type;
	uint32_t id;
	uint32_t refcnt;		/* users, not counting the ctx */
};
TAILQ_HEAD(uiommu_obj_list, uiommu_obj);

/*
 * Per-(hw, lcore) invalidation queue. Writers: control-plane threads (MP
 * enqueue). Reader: the lcore, in uiommu__lcore_drain() (SC dequeue).
 * overflow is set by a writer whose enqueue failed and exchanged to 0 by the
 * lcore, which then flushes its whole IOTLB on that hw.
 */
struct uiommu_inv_queue {
	struct rte_ring *ring;
	uint32_t overflow;
} __rte_cache_aligned;

struct uiommu_hw {
	struct uiommu_obj obj;
	const struct uiommu_hw_ops *ops;
	struct uiommu_hw_caps caps;
	unsigned int index;		/* slot in ctx->hw[] */
	/*
	 * IOTLB of each lcore, NULL while the lcore is offline: the array the
	 * ports point at. Written by the lcore itself (online/offline) and by
	 * hw_create for lcores already online (ctx lock), with release
	 * stores; the lcore reads its own slot.
	 */
	struct uiommu_iotlb *iotlb[RTE_MAX_LCORE];
	/* Allocated IOTLBs, kept while the lcore is offline. */
	struct uiommu_iotlb *iotlb_mem[RTE_MAX_LCORE];
	struct uiommu_inv_queue invq[RTE_MAX_LCORE];
	/* One past the highest lcore with an IOTLB here: posts scan no
	 * further. Only grows (ctx lock); read by posters. */
	unsigned int lcore_end;
	struct rte_ring *faultq;	/* MP/SC struct uiommu_fault records */
	/* Context tags: a set bit is a free tag (ctx lock). */
	struct rte_bitmap *tags;
	void *tags_mem;
	uint32_t n_tags;
	void *priv;			/* backend's, ops->hw_priv_size */
	uint64_t nolcore_faults;	/* atomic: translations off-lcore */
	/* Faults reported, by enum uiommu_fault_reason (atomic adds by the
	 * reporting thread, relaxed loads by readers); see fault.c. */
	uint64_t fault_reasons[UIOMMU_FAULT_REASON_MAX];
	struct fault_recent fault_recent;	/* last faults; fault.c */
};

struct uiommu_dev {
	struct uiommu_obj obj;
	struct uiommu_hw *hw;
	uint32_t sid;
	uint8_t pasid_bits;
	bool ats;
	struct uiommu_port_obj *rid_port; /* RID-level attachment, if any */
	uint32_t n_pasid_ports;
	void *priv;			/* backend's, ops->dev_priv_size */
};

/*
 * A translation context of a domain: what one IOTLB tag names. One per
 * domain, or one per (domain, PASID) when the hw tags TLB entries by PASID.
 * Refcounted by the ports that use it; the tag is flushed from every lcore
 * and returned to the allocator when the last one goes.
 */
struct uiommu_tag_ctx {
	LIST_ENTRY(uiommu_tag_ctx) next;
	uint32_t tag;
	uint32_t pasid;		/* UIOMMU_PASID_NONE if not PASID-tagged */
	uint32_t users;
};

/*
 * Nesting: a NESTED domain has its own stage-1 iopt and a parent (stage-2
 * PAGING). The parent lists its nested domains; the list changes with both
 * ctx->lock and parent->lock held. Lock order: parent->lock, then a nested
 * domain's lock (an unmap from the parent reads each child's tag contexts).
 * Nothing takes them the other way round.
 */
/* An inclusive range of IOVAs. */
struct iova_range {
	uint64_t first;
	uint64_t last;
};

/*
 * A domain's deferred unmaps (domain_fq.c): unmaps whose invalidations were
 * passed to ops->inv but not yet waited for with ops->sync, so lcores may
 * still hold their IOTLB entries and walkers may still be in the table
 * pages they unlinked. Everything here is under dom->lock.
 *
 * Invariants, at every release of dom->lock:
 *   - n <= size; ranges[0..n) are the deferred ranges, none mapped again;
 *   - gather holds exactly the table pages those n unmaps unlinked;
 *   - n == 0 iff nothing is pending (gather empty, since unset).
 * A flush is ops->sync (which waits for every invalidation passed to
 * ops->inv before it, on every online lcore), then the gather's pages are
 * freed and n = 0. Nothing else frees them: a table page is never freed
 * while a walker may be in it.
 */
struct domain_fq {
	struct iova_range *ranges;	/* size slots */
	unsigned int n;
	unsigned int size;
	struct iopt_gather gather;
	uint64_t since;			/* timer cycles of the oldest */
	uint64_t timeout;		/* timer cycles; LAZY only */
	struct uiommu_domain_inv_stats stats;
};

struct uiommu_domain {
	struct uiommu_obj obj;
	struct uiommu_hw *hw;
	enum uiommu_domain_type type;
	enum uiommu_inv_mode inv_mode;
	pthread_mutex_t lock;
	struct iopt *iopt;		/* PAGING and NESTED */
	LIST_HEAD(, uiommu_tag_ctx) tctx;
	struct uiommu_domain *parent;	/* NESTED */
	LIST_HEAD(, uiommu_domain) children;	/* NESTED over this one */
	LIST_ENTRY(uiommu_domain) sibling;	/* in parent->children */
	struct domain_fq fq;		/* PAGING and NESTED */
};

/* Has a page table and tag contexts: PAGING or NESTED. */
static inline bool
domain_has_iopt(const struct uiommu_domain *dom)
{
	return dom->type == UIOMMU_DOMAIN_PAGING ||
	       dom->type == UIOMMU_DOMAIN_NESTED;
}

/*
 * The object behind a port handle. The public struct uiommu_port comes first
 * so the fast path reads it directly.
 */
struct uiommu_port_obj {
	struct uiommu_port port;
	struct uiommu_obj obj;
	struct uiommu_dev *dev;
	struct uiommu_domain *dom;
	struct uiommu_tag_ctx *tctx;	/* NULL unless PAGING */
};

struct uiommu_ctx {
	struct uiommu_ctx_fast fast;	/* must stay first */
	pthread_mutex_t lock;
	struct uiommu_ctx_params params;
	struct uiommu_obj_list objs[UIOMMU_OBJ_PORT + 1];
	uint32_t next_id;
	/* hw instances by index; read by lcores while draining (release
	 * store on publish, cleared and synchronised before free). */
	struct uiommu_hw *hw[UIOMMU_MAX_HW];
	/* Lcores online in this ctx; written by the lcore (online/offline)
	 * under ctx->lock, read under it. */
	bool lcore_online[RTE_MAX_LCORE];
	/* Telemetry's list of live contexts; telemetry.c's lock. */
	TAILQ_ENTRY(uiommu_ctx) tel_next;
	uint32_t tel_id;		/* never reused */
	uint32_t tel_users;		/* telemetry callbacks using it */
};

static inline struct uiommu_port_obj *
port_obj(const struct uiommu_port *port)
{
	return (struct uiommu_port_obj *)(uintptr_t)port;
}

/* ctx.c */
void ctx_obj_add(struct uiommu_ctx *ctx, struct uiommu_obj *obj,
		 enum uiommu_obj_type type);
void ctx_obj_del(struct uiommu_obj *obj);
/* Wait for a grace period; reports and drains for the caller if online. */
void ctx_synchronize(struct uiommu_ctx *ctx);
int ctx_lcore_attach_hw(struct uiommu_ctx *ctx, struct uiommu_hw *hw,
			unsigned int lcore_id);

/* iotlb.c */
struct uiommu_iotlb *iotlb_alloc(const struct uiommu_ctx_params *p,
				 unsigned int lcore_id);
void iotlb_free(struct uiommu_iotlb *tlb);
void iotlb_flush(struct uiommu_iotlb *tlb);
void iotlb_apply(struct uiommu_iotlb *tlb, const struct uiommu_inv *inv);
void iotlb_fill(struct uiommu_iotlb *tlb, uint64_t iova,
		const struct uiommu_walk_result *res);

/* inv.c */
struct rte_ring *uiommu_ring_alloc(const char *name, unsigned int esize,
				   unsigned int count, int socket,
				   unsigned int flags);
int inv_queue_init(struct uiommu_hw *hw, const struct uiommu_ctx_params *p,
		   unsigned int lcore_id);
void inv_queues_fini(struct uiommu_hw *hw);
/* Ask the backend to invalidate every tag of dom over [first, last]. */
void inv_domain_range(struct uiommu_domain *dom, uint64_t first,
		      uint64_t last);
void inv_tag(struct uiommu_hw *hw, uint32_t tag);
int inv_hw_sync(struct uiommu_hw *hw);

/* fault.c */
int fault_queue_init(struct uiommu_hw *hw, const struct uiommu_ctx_params *p);
void fault_queue_fini(struct uiommu_hw *hw);
void fault_record(struct uiommu_hw *hw,
		  uint32_t sid, uint32_t pasid, uint64_t iova,
		  uint32_t access, const struct uiommu_walk_result *res,
		  unsigned int lcore_id);

/* Copy up to @n of the most recent fault records of @hw, oldest first,
 * with their sequence numbers (faults reported on the hw before them) in
 * @seq. Does not consume the fault queue. Returns the number copied. */
unsigned int fault_recent_read(const struct uiommu_hw *hw,
			       struct uiommu_fault *faults, uint64_t *seq,
			       unsigned int n);

/* telemetry.c: contexts come and go from the /uiommu/ endpoints; the
 * handler of an endpoint, by name (NULL if none), for tests. */
void telemetry_ctx_add(struct uiommu_ctx *ctx);
void telemetry_ctx_del(struct uiommu_ctx *ctx);
telemetry_cb telemetry_cmd_find(const char *cmd);

/* hw.c */
int hw_tag_alloc(struct uiommu_hw *hw, uint32_t *tag);
void hw_tag_free(struct uiommu_hw *hw, uint32_t tag);
int hw_destroy_locked(struct uiommu_hw *hw);

/* domain_fq.c: deferred unmaps; all but init with dom->lock held. init
 * needs dom->hw and dom->type set; -EINVAL (bad params), -ENOMEM. */
int domain_fq_init(struct uiommu_domain *dom,
		   const struct uiommu_domain_params *params);
void domain_fq_fini(struct uiommu_domain *dom);
/* Room for one more deferred unmap: flushes a full queue. */
void domain_fq_reserve(struct uiommu_domain *dom);
/* Record an unmap of [first, last] whose invalidation was passed to
 * ops->inv, its pages in fq.gather; LAZY: flush if the oldest expired. */
void domain_fq_add(struct uiommu_domain *dom, uint64_t first, uint64_t last);
/* Flush if [iova, iova + size) overlaps a deferred range. */
void domain_fq_before_map(struct uiommu_domain *dom, uint64_t iova,
			  uint64_t size);
/* The caller has synced the hw: the deferred unmaps are done; count it
 * in *reason. */
void domain_fq_synced(struct uiommu_domain *dom, uint64_t *reason);

/* dev.c, domain.c, attach.c: teardown with ctx->lock held */
int dev_destroy_locked(struct uiommu_dev *dev);
int domain_destroy_locked(struct uiommu_domain *dom);
int port_detach_locked(struct uiommu_port_obj *po);

/* direct.c */
extern const struct uiommu_hw_ops uiommu_direct_ops;

#endif /* UIOMMU_PRIVATE_H */
