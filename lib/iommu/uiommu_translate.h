/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * uiommu fast path: per-lcore IOTLB lookup for device DMA.
 *
 * A device model (a PMD's DMA engine) holds a port, the handle that an attach
 * of (device, PASID) to a domain returns, and asks for every access it makes:
 *
 *     va = uiommu_translate(port, iova, len, UIOMMU_ACCESS_WRITE);
 *     if (va == NULL) drop: the fault is recorded and counted.
 *
 * Between bursts every translating lcore calls uiommu_lcore_quiescent(); that
 * is where invalidations reach its IOTLB and where it tells the control plane
 * that it holds no reference to anything retired before.
 *
 * Per-lcore IOTLB: who writes, who reads, what makes it safe
 * ----------------------------------------------------------
 * - Each (hw instance, lcore) pair owns one struct uiommu_iotlb. Only that
 *   lcore reads or writes it: lookups, fills on a miss, and the removal of
 *   entries when it drains its invalidation queue. No lock, no atomic.
 * - The control plane never touches an IOTLB. It posts invalidation
 *   descriptors to the lcore's queue (an rte_ring), sets the lcore's pending
 *   flag and waits for a QSBR grace period; the lcore drains after it reports
 *   its quiescent state (see uiommu_lcore_quiescent() for why that order).
 * - Entries are tagged: key = (context tag << 36) | (IOVA >> page shift). A
 *   context tag names one translation context of one hw instance (a domain,
 *   or a (domain, PASID) pair where the hardware tags by PASID), in the way
 *   ASID/VMID or DID+PASID tag a hardware TLB. Tag 0 is never allocated, so a
 *   zero key is an empty slot and a port whose config has no tag never hits.
 * - Three tables, one per page size (4 KiB, 2 MiB, 1 GiB), each 2-way set
 *   associative with one array per way, indexed by page number XOR a hash of
 *   the tag. A lookup probes the sizes that hold entries, smallest first.
 *
 * Port configuration: who writes, who reads
 * -----------------------------------------
 * - port->cfg and port->salt are written by the control plane (ctx lock
 *   held) with release stores and read by every lcore with relaxed loads.
 *   They only decide which entries may hit; a reader that sees a new cfg with
 *   an old salt merely misses. A miss never trusts the port: the backend
 *   resolves (StreamID, PASID) from its own tables, as hardware reads the
 *   STE/CD or context/PASID entry, and the fill uses the tag that resolution
 *   returned.
 * - A changed attach is strict: the control plane changes cfg, then waits for
 *   a grace period, so once attach/detach returns no lcore uses the old cfg.
 */
#ifndef UIOMMU_TRANSLATE_H
#define UIOMMU_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_branch_prediction.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Access types a device DMA can make (bit mask). */
#define UIOMMU_ACCESS_READ	0x1u	/**< device reads memory (TX) */
#define UIOMMU_ACCESS_WRITE	0x2u	/**< device writes memory (RX) */

/** Mapping permissions (bit mask) given to uiommu_map(). */
#define UIOMMU_PROT_READ	0x1u	/**< device may read */
#define UIOMMU_PROT_WRITE	0x2u	/**< device may write */
#define UIOMMU_PROT_CACHE	0x4u	/**< coherent, cacheable memory */
#define UIOMMU_PROT_MMIO	0x8u	/**< device memory (e.g. MSI doorbell) */

/** Largest IOVA width uiommu translates (4-level tables). */
#define UIOMMU_IOVA_BITS_MAX	48
/** PASID value meaning "no PASID": the request carries none (RID level). */
#define UIOMMU_PASID_NONE	UINT32_MAX

/** Why a translation failed. Stored in fault records. */
enum uiommu_fault_reason {
	UIOMMU_FAULT_NONE = 0,
	UIOMMU_FAULT_TRANSLATION,	/**< no valid entry for the IOVA */
	UIOMMU_FAULT_PERMISSION,	/**< entry forbids this access */
	UIOMMU_FAULT_ACCESS_FLAG,	/**< leaf has its access flag clear */
	UIOMMU_FAULT_ADDR_SIZE,		/**< IOVA beyond the input size */
	UIOMMU_FAULT_BAD_DEVICE,	/**< unknown StreamID/RID */
	UIOMMU_FAULT_BAD_PASID,		/**< PASID not attached or too wide */
	UIOMMU_FAULT_BLOCKED,		/**< attached to a BLOCKED domain */
	UIOMMU_FAULT_BAD_TABLE,		/**< malformed table entry */
	UIOMMU_FAULT_LCORE,		/**< caller is not an online lcore */
	UIOMMU_FAULT_REASON_MAX,
};

/** @internal Page sizes the IOTLB caches, one table each. */
enum uiommu_pgsz {
	UIOMMU_PGSZ_4K,
	UIOMMU_PGSZ_2M,
	UIOMMU_PGSZ_1G,
	UIOMMU_PGSZ_NUM,
};

/** @internal Page shift of each IOTLB table. */
#define UIOMMU_PGSZ_SHIFT(sz)	(12u + 9u * (unsigned int)(sz))

/** @internal Bits of the IOTLB key below the context tag. */
#define UIOMMU_IOTLB_TAG_SHIFT	36
/** @internal Context tags are this wide (tag 0 is never allocated). */
#define UIOMMU_IOTLB_TAG_BITS	(64 - UIOMMU_IOTLB_TAG_SHIFT)
#define UIOMMU_IOTLB_WAYS	2

/** @internal One cached translation. */
struct uiommu_iotlb_entry {
	uint64_t key;	/**< (tag << 36) | (iova >> pgshift); 0 = empty */
	uint64_t out;	/**< host VA of the page | UIOMMU_PROT_* bits */
};

/**
 * @internal One page-size table of an IOTLB: 2-way set associative, one
 * array per way. A fill takes way 0 while it is free, so a working set that
 * fits in the sets lives in way 0 alone and a hit reads one entry, as dense
 * in memory as a direct-mapped array; way 1 holds what collided.
 */
struct uiommu_iotlb_table {
	struct uiommu_iotlb_entry *way[UIOMMU_IOTLB_WAYS]; /**< [way][set] */
	uint32_t set_mask;		 /**< number of sets - 1 */
	uint32_t n_valid;		 /**< live entries; 0 skips probing */
};

/**
 * Per-lcore statistics of one hw instance. Written only by the owning lcore;
 * a reader on another thread sees each counter torn-free (aligned 64-bit)
 * but the set as a whole is not a snapshot.
 */
struct uiommu_lcore_stats {
	uint64_t hits;		/**< translations served by the IOTLB */
	uint64_t misses;	/**< lookups that went to the backend */
	uint64_t walks;		/**< table walks the backend performed */
	uint64_t faults;	/**< translations that failed */
	uint64_t invalidations;	/**< invalidation descriptors applied */
	uint64_t inv_entries;	/**< IOTLB entries those removed */
	uint64_t flushes;	/**< whole-IOTLB flushes */
	uint64_t fault_drops;	/**< fault records lost to a full queue */
};

/** @internal The IOTLB of one (hw instance, lcore). Owner lcore only. */
struct uiommu_iotlb {
	struct uiommu_iotlb_table tbl[UIOMMU_PGSZ_NUM];
	struct uiommu_lcore_stats stats;
	unsigned int lcore_id;
	int socket_id;
} __rte_cache_aligned;

/**
 * @internal Port configuration word (port->cfg). For a port attached to a
 * paging domain it is (tag << 36); otherwise the tag bits are zero, so no
 * lookup can hit, and the low bits say what the miss path does.
 */
#define UIOMMU_PORT_CFG_IDENTITY	0x1ull
#define UIOMMU_PORT_CFG_BLOCKED		0x2ull

/**
 * The handle of one attachment of (device, PASID) to a domain: what a device
 * model passes to every translation. Returned by uiommu_attach() and
 * uiommu_attach_pasid(); valid until uiommu_detach() returns.
 */
struct uiommu_port {
	/* Read by every lcore on each translation. */
	uint64_t cfg;	/**< @internal see UIOMMU_PORT_CFG_* */
	uint64_t salt;	/**< @internal set index hash of the tag */
	struct uiommu_iotlb *const *iotlb; /**< @internal hw's per-lcore IOTLBs */
	struct uiommu_hw *hw;		/**< @internal */
	uint32_t sid;			/**< StreamID / RID of the device */
	uint32_t pasid;			/**< PASID, or UIOMMU_PASID_NONE */
} __rte_cache_aligned;

/**
 * @internal Context shared by the fast path: the ctx's QSBR variable and a
 * pending-invalidation flag per lcore. The first member of every ctx.
 */
struct uiommu_ctx_fast {
	struct rte_rcu_qsbr *qsbr;
	struct uiommu_lcore_flag {
		uint32_t inv_pending;	/**< set by writers, cleared by owner */
	} __rte_cache_aligned lcore[RTE_MAX_LCORE];
};

/** @internal Set index hash of a context tag. */
static __rte_always_inline uint64_t
uiommu__tag_salt(uint64_t tag)
{
	return (tag * 0x9e3779b97f4a7c15ull) >> 40;
}

/** @internal Miss path: resolve, walk, fill or fault. Out of line. */
void *uiommu__translate_miss(const struct uiommu_port *port,
			     struct uiommu_iotlb *tlb, uint64_t iova,
			     uint32_t len, uint32_t access);

/** @internal Access from a thread without an online lcore. */
void *uiommu__translate_nolcore(const struct uiommu_port *port,
				uint64_t iova, uint32_t access);

/** @internal Drain this lcore's invalidation queues. */
void uiommu__lcore_drain(struct uiommu_ctx_fast *fast, unsigned int lcore_id);

/** @internal Probe one page-size table. Returns the entry or NULL. */
static __rte_always_inline const struct uiommu_iotlb_entry *
uiommu__iotlb_probe(const struct uiommu_iotlb_table *t, uint64_t cfg,
		    uint64_t salt, uint64_t iova, unsigned int shift)
{
	uint64_t pfn = iova >> shift;
	uint64_t key = cfg | pfn;
	uint64_t set = (pfn ^ salt) & t->set_mask;

	if (likely(t->way[0][set].key == key))
		return &t->way[0][set];
	if (t->way[1][set].key == key)
		return &t->way[1][set];
	return NULL;
}

/**
 * @internal Finish a hit on @p e, an entry of page shift @p shift: the access
 * must stay in the page and the entry must grant it. Otherwise the miss path
 * walks and splits or faults. e->out is the page's host VA with the rights
 * below the page offset.
 */
static __rte_always_inline bool
uiommu__iotlb_use(const struct uiommu_iotlb_entry *e, uint64_t iova,
		  uint32_t len, uint32_t access, unsigned int shift, void **va)
{
	uint64_t mask = (1ull << shift) - 1;

	if (unlikely((iova & mask) + len > mask + 1 ||
		     (e->out & access) != access))
		return false;
	*va = (void *)(uintptr_t)((e->out & ~mask) + (iova & mask));
	return true;
}

/** @internal Probe the table of page size @p sz if it holds entries. */
#define UIOMMU__IOTLB_TRY(tlb, sz, cfg, salt, iova, len, access, va, hit, \
			  hit_shift)					    \
do {									    \
	if ((tlb)->tbl[sz].n_valid != 0) {				    \
		const struct uiommu_iotlb_entry *_e = uiommu__iotlb_probe( \
			&(tlb)->tbl[sz], cfg, salt, iova,		    \
			UIOMMU_PGSZ_SHIFT(sz));				    \
		if (_e != NULL) {					    \
			*(hit) = _e;					    \
			*(hit_shift) = UIOMMU_PGSZ_SHIFT(sz);		    \
			return uiommu__iotlb_use(_e, iova, len, access,	    \
					UIOMMU_PGSZ_SHIFT(sz), va);	    \
		}							    \
	}								    \
} while (0)

/**
 * @internal Look @p iova up in the tables that hold entries, smallest page
 * size first. True, with @p va set, on a hit that covers @p len bytes with
 * the @p access rights; @p hit and @p hit_shift are then the entry and its
 * page shift (they are also set when an entry was found but refused the
 * access). No side effect.
 */
static __rte_always_inline bool
uiommu__iotlb_lookup(const struct uiommu_iotlb *tlb, uint64_t cfg,
		     uint64_t salt, uint64_t iova, uint32_t len,
		     uint32_t access, void **va,
		     const struct uiommu_iotlb_entry **hit,
		     unsigned int *hit_shift)
{
	/* An IOVA wider than 48 bits would alias into the tag bits. */
	if (unlikely((iova >> UIOMMU_IOVA_BITS_MAX) != 0))
		return false;
	UIOMMU__IOTLB_TRY(tlb, UIOMMU_PGSZ_4K, cfg, salt, iova, len, access,
			  va, hit, hit_shift);
	UIOMMU__IOTLB_TRY(tlb, UIOMMU_PGSZ_2M, cfg, salt, iova, len, access,
			  va, hit, hit_shift);
	UIOMMU__IOTLB_TRY(tlb, UIOMMU_PGSZ_1G, cfg, salt, iova, len, access,
			  va, hit, hit_shift);
	return false;
}

/**
 * A run of translations through one port on one lcore: what a DMA engine
 * holds while it works through a burst of descriptors and buffers.
 * uiommu_xlate_begin() does once what every translation would otherwise
 * repeat (find the lcore's IOTLB, read the port's configuration),
 * uiommu_xlate() translates one access, and uiommu_xlate_end() adds the
 * run's hits to the lcore's counters. It lives on the caller's stack.
 *
 * Lifetime: begin and end on the same lcore with no quiescent state
 * (uiommu_lcore_quiescent_lc(), uiommu_lcore_pause_lc(), or a control-plane
 * call made on this lcore, which reports one for it) between them. That
 * is what makes the snapshot exact rather than stale: a changed attach
 * waits for a grace period before it returns, so the configuration read at
 * begin is one an lcore may still use until its next quiescent state (see
 * "Port configuration" above), and the IOTLB is changed by this lcore only.
 *
 * The run keeps a copy of the IOTLB entry of its last hit, which the next
 * access checks first: a micro-TLB in front of the lcore's IOTLB, as an
 * SMMU's TBU keeps in front of the TCU's. A DMA engine's accesses are
 * mostly to the page of the one before (packet buffers of one mempool,
 * on 2 MiB pages; descriptors of one ring). The copy is as good as the
 * entry for the run's lifetime: an entry goes away only when this lcore
 * applies an invalidation, and that happens in its quiescent state, after
 * the run; an eviction by a fill during the run removes a translation that
 * is still mapped. Its hits are IOTLB hits, counted as such, and the
 * access rights and page bounds are checked on each.
 *
 * Host VAs it returns follow uiommu_translate_lc()'s rules.
 */
struct uiommu_xlate {
	const struct uiommu_port *port;
	struct uiommu_iotlb *tlb;	/**< @internal NULL: not an lcore here */
	uint64_t cfg;			/**< @internal port->cfg at begin */
	uint64_t salt;			/**< @internal port->salt at begin */
	uint64_t hits;			/**< @internal hits since begin */
	uint64_t last_pfn;		/**< @internal last hit's page number,
					 * UINT64_MAX: none */
	uint64_t last_out;		/**< @internal its entry's out */
	unsigned int last_shift;	/**< @internal its page shift */
	unsigned int lcore_id;
};

/**
 * @internal Everything but an IOTLB hit. Out of the inlined path's way, and
 * given values rather than the run, which would otherwise have to live in
 * memory instead of registers.
 */
static __rte_noinline void *
uiommu__xlate_slow(const struct uiommu_port *port, struct uiommu_iotlb *tlb,
		   uint64_t cfg, uint64_t iova, uint32_t len, uint32_t access)
{
	if (unlikely(tlb == NULL))
		return uiommu__translate_nolcore(port, iova, access);
	/* Bypass: IOVA is the host address; no table, nothing to cache. */
	if (cfg == UIOMMU_PORT_CFG_IDENTITY)
		return (void *)(uintptr_t)iova;
	return uiommu__translate_miss(port, tlb, iova, len, access);
}

/**
 * Begin a run of translations through @p port on the calling lcore.
 *
 * @param x         the run, filled in here
 * @param port      attachment handle of the device and PASID
 * @param lcore_id  rte_lcore_id() of the calling thread
 *
 * Thread safety: as uiommu_translate_lc().
 */
static __rte_always_inline void
uiommu_xlate_begin(struct uiommu_xlate *x, const struct uiommu_port *port,
		   unsigned int lcore_id)
{
	x->port = port;
	x->lcore_id = lcore_id;
	x->tlb = likely(lcore_id < RTE_MAX_LCORE) ? port->iotlb[lcore_id] :
		NULL;
	/* Plain loads: see "Port configuration" in the file header. */
	x->cfg = __atomic_load_n(&port->cfg, __ATOMIC_RELAXED);
	x->salt = __atomic_load_n(&port->salt, __ATOMIC_RELAXED);
	x->hits = 0;
	/* No IOVA below 2^48 has this page number at any shift. */
	x->last_pfn = UINT64_MAX;
	x->last_shift = UIOMMU_PGSZ_SHIFT(UIOMMU_PGSZ_4K);
	x->last_out = 0;
}

/**
 * @internal One access of a run through the IOTLB (or the miss path),
 * without the micro-TLB. @p e and @p shift: the entry and page shift of a
 * hit; @p e is NULL otherwise.
 */
static __rte_always_inline void *
uiommu__xlate_iotlb(struct uiommu_xlate *x, uint64_t iova, uint32_t len,
		    uint32_t access, const struct uiommu_iotlb_entry **e,
		    unsigned int *shift)
{
	void *va;

	if (likely(x->tlb != NULL) &&
	    likely(uiommu__iotlb_lookup(x->tlb, x->cfg, x->salt, iova, len,
					access, &va, e, shift))) {
		x->hits++;
		return va;
	}
	*e = NULL;
	return uiommu__xlate_slow(x->port, x->tlb, x->cfg, iova, len, access);
}

/**
 * Translate one device access of a run.
 *
 * @see uiommu_translate_lc() for the parameters and return values.
 */
static __rte_always_inline void *
uiommu_xlate(struct uiommu_xlate *x, uint64_t iova, uint32_t len,
	     uint32_t access)
{
	const struct uiommu_iotlb_entry *e;
	uint64_t mask = (1ull << x->last_shift) - 1;
	unsigned int shift = 0;
	void *va;

	/* The last hit's page, with the bounds and rights of its entry. */
	if (likely((iova >> x->last_shift) == x->last_pfn) &&
	    likely((iova & mask) + len <= mask + 1) &&
	    likely((x->last_out & access) == access)) {
		x->hits++;
		return (void *)(uintptr_t)((x->last_out & ~mask) +
					   (iova & mask));
	}
	va = uiommu__xlate_iotlb(x, iova, len, access, &e, &shift);
	if (likely(e != NULL)) {
		x->last_shift = shift;
		x->last_pfn = iova >> shift;
		x->last_out = e->out;
	}
	return va;
}

/** End a run: its hits go to the lcore's counters. */
static __rte_always_inline void
uiommu_xlate_end(struct uiommu_xlate *x)
{
	if (x->tlb != NULL)
		x->tlb->stats.hits += x->hits;
	x->hits = 0;
}

/**
 * Translate a device access, on an explicit lcore.
 *
 * Same as uiommu_translate() for callers that already know their lcore id
 * (a PMD burst function reads it once per burst; code in a shared object
 * pays a TLS call for each rte_lcore_id()). A device model that translates
 * a burst of accesses through one port does better with a run
 * (uiommu_xlate_begin()).
 *
 * @param port      attachment handle of the device and PASID
 * @param lcore_id  rte_lcore_id() of the calling thread
 * @param iova      I/O virtual address of the first byte
 * @param len       bytes accessed (1 or more)
 * @param access    UIOMMU_ACCESS_READ and/or UIOMMU_ACCESS_WRITE
 * @return host VA of @p iova, valid for @p len bytes; NULL on failure with
 *   rte_errno EFAULT (a fault was recorded and counted) or ERANGE (every page
 *   is mapped and allowed, but they are not contiguous in host memory: split
 *   the access, e.g. with uiommu_dma_read()).
 *
 * Thread safety: any lcore online in the port's context (see
 * uiommu_lcore_online()), concurrently with every control-plane call. Takes
 * no lock; on a hit it writes only the calling lcore's own counter. On a
 * thread that is not an online lcore it fails (UIOMMU_FAULT_LCORE): without
 * a QSBR registration it could read a freed table page.
 */
static __rte_always_inline void *
uiommu_translate_lc(const struct uiommu_port *port, unsigned int lcore_id,
		    uint64_t iova, uint32_t len, uint32_t access)
{
	struct uiommu_xlate x;
	void *va;

	uiommu_xlate_begin(&x, port, lcore_id);
	va = uiommu_xlate(&x, iova, len, access);
	uiommu_xlate_end(&x);
	return va;
}

/**
 * Translate a burst of device accesses through one port, on an explicit
 * lcore, from arrays: a run (uiommu_xlate_begin()) over @p n accesses, for
 * accesses that have nothing to do with each other (a scatter list of
 * unrelated pages). Each probes the IOTLB; the run's micro-TLB is not used,
 * because keeping it would make each access wait for the one before, where
 * these lookups can otherwise overlap in the CPU (bench_translate: 1.7 ns
 * a hit this way, 4.2 ns with it, on random pages).
 *
 * @param port      attachment handle of the device and PASID
 * @param lcore_id  rte_lcore_id() of the calling thread
 * @param iova      @p n IOVAs
 * @param len       @p n access lengths (each 1 or more)
 * @param access    UIOMMU_ACCESS_READ and/or UIOMMU_ACCESS_WRITE, for all
 * @param va        out: @p n host VAs; NULL where that access failed, with
 *   the meaning uiommu_translate_lc() gives it
 * @param n         burst size
 * @return number of accesses translated (non-NULL @p va entries).
 *
 * Thread safety: as uiommu_translate_lc().
 */
static __rte_always_inline unsigned int
uiommu_translate_bulk_lc(const struct uiommu_port *port,
			 unsigned int lcore_id, const uint64_t *iova,
			 const uint32_t *len, uint32_t access, void **va,
			 unsigned int n)
{
	struct uiommu_xlate x;
	unsigned int i, ok = 0;

	uiommu_xlate_begin(&x, port, lcore_id);
	for (i = 0; i < n; i++) {
		const struct uiommu_iotlb_entry *e;
		unsigned int shift;

		va[i] = uiommu__xlate_iotlb(&x, iova[i], len[i], access, &e,
					    &shift);
		ok += va[i] != NULL;
	}
	uiommu_xlate_end(&x);
	return ok;
}

/**
 * Translate a device access on the calling lcore.
 *
 * @see uiommu_translate_lc() for parameters, return values and thread safety.
 */
static __rte_always_inline void *
uiommu_translate(const struct uiommu_port *port, uint64_t iova, uint32_t len,
		 uint32_t access)
{
	return uiommu_translate_lc(port, rte_lcore_id(), iova, len, access);
}

/**
 * Translate a burst of device accesses on the calling lcore.
 *
 * @see uiommu_translate_bulk_lc() for parameters, return value and thread
 * safety.
 */
static __rte_always_inline unsigned int
uiommu_translate_bulk(const struct uiommu_port *port, const uint64_t *iova,
		      const uint32_t *len, uint32_t access, void **va,
		      unsigned int n)
{
	return uiommu_translate_bulk_lc(port, rte_lcore_id(), iova, len,
					access, va, n);
}

/**
 * Report a quiescent state for the calling lcore and apply the invalidations
 * posted to it. Call it between bursts, when the lcore holds no host VA that
 * uiommu_translate() returned.
 *
 * Order matters: the QSBR report comes first, the drain second. The report
 * loads the writer's token with acquire semantics, so the drain that follows
 * sees every descriptor posted before that token; the writer may return as
 * soon as it sees the report, but this lcore translates nothing until the
 * drain is done, so no translation it makes after the writer returns can use
 * a removed entry. (Draining first could miss a descriptor posted just
 * before the token and report anyway.)
 *
 * @param fast      the context's fast-path part (uiommu_ctx_fast())
 * @param lcore_id  rte_lcore_id() of the calling lcore
 *
 * Thread safety: the calling lcore must be online in the context.
 */
static __rte_always_inline void
uiommu_lcore_quiescent_lc(struct uiommu_ctx_fast *fast, unsigned int lcore_id)
{
	rte_rcu_qsbr_quiescent(fast->qsbr, lcore_id);
	/* Pairs with the release store of the writer that posted. */
	if (unlikely(__atomic_load_n(&fast->lcore[lcore_id].inv_pending,
				     __ATOMIC_ACQUIRE)))
		uiommu__lcore_drain(fast, lcore_id);
}

/**
 * Stop holding up grace periods until uiommu_lcore_resume_lc(): report a
 * quiescent state, apply what was posted, then go offline in the
 * context's QSBR variable. For an lcore that translates in bursts with
 * idle time between them (a PMD's rx/tx burst functions): a control-plane
 * unmap does not wait for it while it is paused, yet it keeps its IOTLB
 * and its invalidation queue, unlike uiommu_lcore_offline(), which takes
 * the ctx lock and flushes the IOTLB when the lcore comes back.
 *
 * Between pause and resume the lcore must not translate, nor hold a host
 * VA that uiommu_translate() returned.
 *
 * Thread safety: the calling lcore must be online in the context
 * (uiommu_lcore_online()) and not paused.
 */
static __rte_always_inline void
uiommu_lcore_pause_lc(struct uiommu_ctx_fast *fast, unsigned int lcore_id)
{
	uiommu_lcore_quiescent_lc(fast, lcore_id);
	rte_rcu_qsbr_thread_offline(fast->qsbr, lcore_id);
}

/**
 * Resume translating after uiommu_lcore_pause_lc(). The QSBR online store
 * is fenced before the drain that follows: a writer that posted before
 * the fence is applied here; one that posts after it sees this lcore
 * online and waits for its next quiescent state.
 *
 * Thread safety: the calling lcore must be paused.
 */
static __rte_always_inline void
uiommu_lcore_resume_lc(struct uiommu_ctx_fast *fast, unsigned int lcore_id)
{
	rte_rcu_qsbr_thread_online(fast->qsbr, lcore_id);
	uiommu_lcore_quiescent_lc(fast, lcore_id);
}

/**
 * The counters of the calling lcore's IOTLB on @p port's hw instance, for a
 * device model that accounts translations per queue: read them before and
 * after a burst on this lcore, and the difference is the burst's (the
 * lcore is the only writer, and it is the caller).
 *
 * @return the counters; NULL if the lcore has no IOTLB there (not online,
 *   or not an lcore).
 */
static __rte_always_inline const struct uiommu_lcore_stats *
uiommu_port_lcore_stats(const struct uiommu_port *port, unsigned int lcore_id)
{
	const struct uiommu_iotlb *tlb = likely(lcore_id < RTE_MAX_LCORE) ?
		port->iotlb[lcore_id] : NULL;

	return tlb != NULL ? &tlb->stats : NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* UIOMMU_TRANSLATE_H */
