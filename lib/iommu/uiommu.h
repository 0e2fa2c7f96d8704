/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * uiommu: a userspace IOMMU for DPDK dataplanes.
 *
 * Objects (modelled on iommufd), each with an id and a reference count:
 *
 *   ctx ─┬─ hw (one IOMMU instance, a backend found by name)
 *        │   ├─ dev (a requester: StreamID / RID, PASID width)
 *        │   └─ domain (PAGING with an I/O page table, IDENTITY, BLOCKED;
 *        │       NESTED: a stage-1 table over a stage-2 PAGING parent)
 *        └─ port (an attach of dev, or of (dev, PASID), to a domain)
 *
 * A port holds a reference on its dev and its domain; devs and domains hold
 * one on their hw. An object that something still references cannot be
 * destroyed (-EBUSY). uiommu_ctx_destroy() tears down whatever is left, in
 * reverse dependency order. Every call that fails leaves the state as it was.
 *
 * Translation runs on lcores (uiommu_translate.h); the calls here are the
 * control plane. They may be made from any thread, serialise on the context,
 * and some of them (unmap, detach, invalidate, destroy) wait for every
 * online lcore to pass a quiescent state: never call them from an online
 * lcore that is not the caller itself, and never with a translating lcore
 * stalled.
 *
 * "Physical" addresses: an I/O page table's output address is a host virtual
 * address of this process, so a mapping is (IOVA → host VA), as in VFIO's
 * MAP_DMA. An IDENTITY domain passes the IOVA through as the host VA.
 */
#ifndef UIOMMU_H
#define UIOMMU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "uiommu_translate.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uiommu_ctx;
struct uiommu_hw;
struct uiommu_dev;
struct uiommu_domain;

/** Object types, as reported by uiommu_obj_type(). */
enum uiommu_obj_type {
	UIOMMU_OBJ_HW = 1,
	UIOMMU_OBJ_DEV,
	UIOMMU_OBJ_DOMAIN,
	UIOMMU_OBJ_PORT,
};

/** Domain types. */
enum uiommu_domain_type {
	UIOMMU_DOMAIN_PAGING = 1,	/**< owns an I/O page table */
	UIOMMU_DOMAIN_IDENTITY,		/**< IOVA = host VA (bypass) */
	UIOMMU_DOMAIN_BLOCKED,		/**< every access faults */
	/** stage 1 over a stage-2 parent: IOVA -> IPA -> host VA (a vIOMMU
	 *  guest's table); see uiommu_domain_create_nested() */
	UIOMMU_DOMAIN_NESTED,
};

/** I/O page-table formats. */
enum uiommu_iopt_fmt {
	UIOMMU_IOPT_DEFAULT = 0,	/**< the hw's preferred format */
	UIOMMU_IOPT_ARM_LPAE_S1,	/**< VMSAv8-64 stage 1, 4 KiB granule */
	UIOMMU_IOPT_ARM_LPAE_S2,	/**< VMSAv8-64 stage 2, 4 KiB granule */
	/** VT-d first level: x86-64 4-level paging (IA-32e), 4 KiB pages,
	 *  2 MiB / 1 GiB leaves; at most 47 input bits (the lower canonical
	 *  half); cannot express write-only */
	UIOMMU_IOPT_VTD_FL,
	/** VT-d second level: 3 levels (39 bits, SAGAW bit 1) or 4 (48 bits,
	 *  SAGAW bit 2), 4 KiB pages, 2 MiB / 1 GiB leaves */
	UIOMMU_IOPT_VTD_SL,
	UIOMMU_IOPT_FMT_MAX,
};

/**
 * Context creation parameters. Zeroed fields take the defaults. Every size
 * is a power of two, at least 2; a queue of size N holds N - 1 items.
 */
struct uiommu_ctx_params {
	int socket_id;		  /**< for shared structures; SOCKET_ID_ANY */
	/** 4 KiB entries per lcore and hw, over 2 ways; default 131072 (2 MiB),
	 *  so that 65536 pages fit in way 0 */
	uint32_t iotlb_entries;
	uint32_t iotlb_large_entries; /**< 2 MiB entries per lcore; def. 4096 */
	uint32_t inv_queue_size;  /**< slots per lcore queue; def. 1024 */
	uint32_t fault_queue_size; /**< fault record slots per hw; def. 1024 */
};

/** Capabilities of a hw instance. */
struct uiommu_hw_caps {
	uint64_t pgsize_bitmap;	/**< supported page sizes */
	uint8_t ias;		/**< input (IOVA) address bits */
	uint8_t oas;		/**< output address bits */
	uint8_t pasid_bits;	/**< PASID / SubstreamID width, 0 = none */
	uint8_t stages;		/**< bit 0: stage 1, bit 1: stage 2 */
	bool ats;		/**< address translation services */
	bool pri;		/**< page request interface */
	bool tlb_tag_pasid;	/**< TLB entries are tagged by PASID too */
	uint32_t tag_bits;	/**< context tag (ASID/DID) width */
	/** Table format of stage 1 (first level); a backend that leaves it
	 *  UIOMMU_IOPT_DEFAULT gets UIOMMU_IOPT_ARM_LPAE_S1 */
	enum uiommu_iopt_fmt s1_fmt;
	/** Table format of stage 2 (second level); DEFAULT from a backend
	 *  means UIOMMU_IOPT_ARM_LPAE_S2 */
	enum uiommu_iopt_fmt s2_fmt;
};

/** Device creation parameters. */
struct uiommu_dev_params {
	uint8_t pasid_bits;	/**< PASID width; 0: no PASID support */
	bool ats;		/**< device has an ATC (needs hw ATS) */
};

/** Domain creation parameters (PAGING). Zero = defaults. */
struct uiommu_domain_params {
	/** page-table format: DEFAULT (the hw's stage-1 format if it has
	 *  stage 1, else its stage-2 one), or the hw's caps.s1_fmt or
	 *  caps.s2_fmt */
	enum uiommu_iopt_fmt fmt;
	/** IOVA bits; 0 = the hw's, capped at what the format translates
	 *  (47 for UIOMMU_IOPT_VTD_FL) */
	uint8_t ias;
	/** how uiommu_unmap() invalidates: enum uiommu_inv_mode; 0 = STRICT */
	uint8_t inv_mode;
	/** deferred unmaps (LAZY, uiommu_unmap_deferred()) the domain holds
	 *  before it flushes them; 0 = 256, at most 65535 */
	uint16_t fq_size;
	/** LAZY: an unmap flushes the deferred ones when the oldest is older
	 *  than this; 0 = 10000 (10 ms, as Linux's flush queue) */
	uint32_t fq_timeout_us;
};

/**
 * Invalidation modes of a domain, as Linux's strict and lazy DMA domains.
 *
 * Deferred unmaps clear the table entries and hand the IOTLB invalidations
 * to the backend (SMMU TLBI commands, VT-d IOTLB descriptors) without
 * waiting for them (CMD_SYNC, wait descriptor, grace period): until they
 * are flushed, lcores may still translate the old range to the old memory,
 * and table pages the unmaps emptied are not yet freed. A flush is one
 * backend sync for all of them. The domain flushes by itself when its
 * queue is full (fq_size), before a uiommu_map() that overlaps a deferred
 * range (an IOVA never has two live translations), when a strict unmap
 * syncs anyway, and, in LAZY mode, when an unmap finds the oldest deferred
 * one older than fq_timeout_us. A caller that frees or reuses unmapped
 * memory flushes first (uiommu_domain_flush()).
 */
enum uiommu_inv_mode {
	UIOMMU_INV_STRICT = 0,	/**< uiommu_unmap() waits (the default) */
	UIOMMU_INV_LAZY,	/**< uiommu_unmap() defers, as
				 *   uiommu_unmap_deferred() */
};

/** A domain's invalidation counters (uiommu_domain_inv_stats()). */
struct uiommu_domain_inv_stats {
	uint64_t unmaps;	/**< unmaps that waited for invalidation */
	uint64_t deferred;	/**< unmaps that deferred it */
	uint64_t flushes;	/**< flushes: one backend sync each */
	uint64_t flush_explicit; /**< ... by uiommu_domain_flush() */
	uint64_t flush_full;	/**< ... because the queue was full */
	uint64_t flush_timeout;	/**< ... because the oldest was too old */
	uint64_t flush_overlap;	/**< ... before a map over a deferred range */
	uint64_t flush_strict;	/**< ... by a strict unmap's sync */
	uint32_t pending;	/**< deferred unmaps not yet flushed */
};

/** A fault record: one failed device access. */
struct uiommu_fault {
	uint64_t iova;		/**< faulting IOVA */
	uint32_t sid;		/**< StreamID / RID */
	uint32_t pasid;		/**< PASID or UIOMMU_PASID_NONE */
	uint16_t reason;	/**< enum uiommu_fault_reason */
	uint8_t access;		/**< UIOMMU_ACCESS_* attempted */
	uint8_t level;		/**< table level of the fault, if any */
	uint32_t lcore_id;	/**< lcore that made the access */
};

/* ---------------------------------------------------------------- ctx -- */

/**
 * Create a context. Requires rte_eal_init().
 *
 * @param params  NULL for defaults
 * @return the context, or NULL with rte_errno: EINVAL (bad sizes: not a
 *   power of two, or out of range), ENOMEM.
 */
struct uiommu_ctx *uiommu_ctx_create(const struct uiommu_ctx_params *params);

/**
 * Destroy a context and everything still in it: ports are detached, then
 * domains, devs and hw instances destroyed, in that order.
 *
 * @return 0, or -EINVAL for NULL.
 * Thread safety: no other call on @p ctx may run or follow; lcores must not
 * translate through its ports any more.
 */
int uiommu_ctx_destroy(struct uiommu_ctx *ctx);

/** The fast-path part of @p ctx, for uiommu_lcore_quiescent_lc(). */
static inline struct uiommu_ctx_fast *
uiommu_ctx_fast(struct uiommu_ctx *ctx)
{
	return (struct uiommu_ctx_fast *)ctx;
}

/**
 * Make the calling lcore a translator in @p ctx: register it with the QSBR
 * variable, give it an IOTLB on each hw instance (on its NUMA socket), and
 * start counting it in grace periods. An lcore that is not online cannot
 * translate and never delays a control-plane call.
 *
 * @return 0; -EINVAL (not an EAL or registered lcore); -ENOMEM.
 * Thread safety: called by the lcore itself.
 */
int uiommu_lcore_online(struct uiommu_ctx *ctx);

/**
 * Stop translating on the calling lcore: it no longer holds up grace
 * periods. Its IOTLBs are kept but flushed when it comes back online.
 *
 * @return 0; -EINVAL (not online).
 */
int uiommu_lcore_offline(struct uiommu_ctx *ctx);

/**
 * Quiescent-state hook of the calling lcore; see uiommu_lcore_quiescent_lc().
 */
static __rte_always_inline void
uiommu_lcore_quiescent(struct uiommu_ctx *ctx)
{
	uiommu_lcore_quiescent_lc(uiommu_ctx_fast(ctx), rte_lcore_id());
}

/* ----------------------------------------------------------------- hw -- */

/**
 * Create an IOMMU instance driven by the backend registered as @p backend
 * ("direct" is built in; drivers add "smmu_sim", "vtd_sim").
 *
 * @param args  backend arguments, "key=value,..." (rte_kvargs), or NULL
 * @return the instance, or NULL with rte_errno: ENOENT (no such backend),
 *   EINVAL (bad args), ENOSPC (too many instances), ENOMEM.
 */
struct uiommu_hw *uiommu_hw_create(struct uiommu_ctx *ctx, const char *backend,
				   const char *args);

/**
 * Destroy an IOMMU instance.
 * @return 0; -EBUSY while devs or domains exist on it; -EINVAL for NULL.
 */
int uiommu_hw_destroy(struct uiommu_hw *hw);

/** Capabilities of @p hw. @return 0, -EINVAL. */
int uiommu_hw_get_caps(const struct uiommu_hw *hw, struct uiommu_hw_caps *caps);

/**
 * Sum of the per-lcore statistics of @p hw (or one lcore's, if @p lcore_id is
 * below RTE_MAX_LCORE). Counters are read without stopping the lcores.
 * @return 0, -EINVAL.
 */
int uiommu_hw_stats(const struct uiommu_hw *hw, unsigned int lcore_id,
		    struct uiommu_lcore_stats *stats);

/**
 * Faults reported on @p hw since it was created, by reason: @p counts[r]
 * receives the number of faults of reason r (enum uiommu_fault_reason) for
 * every r below both @p n and UIOMMU_FAULT_REASON_MAX. Every fault counts,
 * including records the fault queue dropped and faults of threads that are
 * not online lcores (UIOMMU_FAULT_LCORE); counts[UIOMMU_FAULT_NONE] stays 0.
 * Reading the fault queue does not change them.
 *
 * @param counts  array of @p n counters; may be NULL when @p n is 0
 * @return UIOMMU_FAULT_REASON_MAX, the number of reasons (so a first call
 *   with @p n = 0 sizes the array), or -EINVAL (@p hw NULL, @p counts NULL
 *   with @p n not 0).
 * Thread safety: any thread, while lcores fault; each counter is read whole,
 * but the set is not a snapshot.
 */
int uiommu_hw_fault_stats(const struct uiommu_hw *hw, uint64_t *counts,
			  unsigned int n);

/**
 * Pop up to @p n fault records, oldest first.
 * @return records popped (0..n), or -EINVAL.
 * Thread safety: one consumer at a time per hw.
 */
int uiommu_hw_fault_read(struct uiommu_hw *hw, struct uiommu_fault *faults,
			 unsigned int n);

/**
 * Translate an access by StreamID/RID, without a port, as a device that the
 * control plane has not given a handle would (slow path: no IOTLB). An
 * unknown StreamID is a UIOMMU_FAULT_BAD_DEVICE fault.
 * @return host VA or NULL with rte_errno EFAULT.
 * Thread safety: any online lcore.
 */
void *uiommu_hw_translate_sid(struct uiommu_hw *hw, uint32_t sid,
			      uint32_t pasid, uint64_t iova, uint32_t len,
			      uint32_t access);

/* ---------------------------------------------------------------- dev -- */

/**
 * Create a device (requester) behind @p hw.
 * @return the device, or NULL with rte_errno: EINVAL (pasid_bits wider than
 *   the hw's, ATS the hw lacks), EEXIST (StreamID in use), ENOMEM.
 */
struct uiommu_dev *uiommu_dev_create(struct uiommu_hw *hw, uint32_t sid,
				     const struct uiommu_dev_params *params);

/** @return 0; -EBUSY while attached; -EINVAL for NULL. */
int uiommu_dev_destroy(struct uiommu_dev *dev);

/* ------------------------------------------------------------- domain -- */

/**
 * Create a domain on @p hw.
 * @param params  PAGING only; NULL for defaults
 * @return the domain, or NULL with rte_errno: EINVAL (unknown type; a
 *   format that is neither the hw's stage-1 format (with stage 1) nor its
 *   stage-2 one (with stage 2); ias above the hw's or outside the format's
 *   range; an inv_mode that is not an enum uiommu_inv_mode), ENOSPC (no
 *   context tag), ENOMEM.
 */
struct uiommu_domain *uiommu_domain_create(struct uiommu_hw *hw,
		enum uiommu_domain_type type,
		const struct uiommu_domain_params *params);

/**
 * Create a NESTED domain: a stage-1 table (IOVA -> IPA) whose output is
 * translated by @p parent, a stage-2 PAGING domain (IPA -> host VA), as a
 * vIOMMU guest's table sits on the hypervisor's (iommufd's nested hw page
 * table over its parent). uiommu_map() on it takes IPAs as the "va"
 * argument; uiommu_iova_to_va() composes both stages. Unmapping from the
 * parent invalidates every nested domain over it. The parent cannot be
 * destroyed while a nested domain uses it (-EBUSY).
 *
 * @param parent  PAGING domain whose format is the hw's stage-2 format
 *   (caps.s2_fmt: ARM_LPAE_S2, VTD_SL)
 * @param params  NULL, or fmt DEFAULT or the hw's stage-1 format
 *   (caps.s1_fmt: ARM_LPAE_S1, VTD_FL) and the IOVA bits
 * @return the domain, or NULL with rte_errno: EINVAL (parent NULL, not a
 *   stage-2 PAGING domain, or the hw lacks stage 1; bad params), ENOMEM.
 */
struct uiommu_domain *uiommu_domain_create_nested(struct uiommu_domain *parent,
		const struct uiommu_domain_params *params);

/** @return 0; -EBUSY while attached or a nested domain's parent; -EINVAL
 *  for NULL. */
int uiommu_domain_destroy(struct uiommu_domain *dom);

/**
 * Map [iova, iova + size) to host memory at @p va. Picks the largest page
 * sizes that the alignment of both addresses and the size allow.
 *
 * @param prot  UIOMMU_PROT_*; at least READ or WRITE. Some formats cannot
 *   express write-only, and there WRITE needs READ: Arm stage 1
 *   (UIOMMU_IOPT_ARM_LPAE_S1) and VT-d first level (UIOMMU_IOPT_VTD_FL);
 *   Arm stage 2 and VT-d second level can.
 * @return 0; -EINVAL (not a PAGING domain, zero size, iova/va/size not 4 KiB
 *   aligned, bad prot, write-only where the format cannot express it, range
 *   wrapping); -ERANGE (beyond the domain's input size or above its output
 *   size, the hw's oas); -EEXIST (overlaps a mapping);
 *   -ENOMEM. On failure nothing is mapped.
 * Thread safety: any thread; serialised per domain.
 */
int uiommu_map(struct uiommu_domain *dom, uint64_t iova, void *va,
	       uint64_t size, uint32_t prot);

/**
 * Allocate now the table pages that uiommu_map() of @p pgsize pages at
 * @p pgsize-aligned IOVAs in [iova, iova + size) will need, so that those
 * maps, and unmaps of single such pages, allocate nothing. For callers
 * that map where the DPDK heap must not be entered: a memory event
 * callback runs with the heap's lock held, and an rte_malloc() there
 * would never return. An unmap of a range that spans a whole table frees
 * that table: reserve again afterwards.
 *
 * @param pgsize  a page size of the domain's hw (caps.pgsize_bitmap)
 * @return 0; -EINVAL (not PAGING or NESTED, zero size, @p pgsize not a
 *   page size of the hw, @p iova or @p size not @p pgsize aligned);
 *   -ERANGE (beyond the input size); -ENOMEM (the tables linked so far
 *   stay: no translation changed).
 * Thread safety: any thread; serialised per domain.
 */
int uiommu_domain_reserve(struct uiommu_domain *dom, uint64_t iova,
			  uint64_t size, uint64_t pgsize);

/**
 * Unmap [iova, iova + size), splitting blocks it cuts through. Strict: once
 * it returns, no lcore's translation returns an address in the range, and
 * table pages it emptied have been freed.
 *
 * @return 0; -EINVAL (not PAGING, zero or unaligned); -ERANGE (beyond the
 *   input size); -ENOENT (part of the range is not mapped); -ENOMEM (a block
 *   could not be split). On failure nothing is unmapped.
 */
int uiommu_unmap(struct uiommu_domain *dom, uint64_t iova, uint64_t size);

/**
 * Unmap [iova, iova + size) as uiommu_unmap() does, but defer waiting for
 * the invalidation (see enum uiommu_inv_mode): the range's memory may still
 * be reached by lcores until the unmap is flushed. Many deferred unmaps and
 * one uiommu_domain_flush() cost one backend sync, as Linux's
 * iommu_unmap_fast() calls and one iommu_iotlb_sync().
 *
 * @return as uiommu_unmap(). On failure nothing is unmapped (a full
 *   queue may have been flushed).
 * Thread safety: any thread; serialised per domain.
 */
int uiommu_unmap_deferred(struct uiommu_domain *dom, uint64_t iova,
			  uint64_t size);

/**
 * Flush the domain's deferred unmaps: once it returns, no lcore translates
 * any of their ranges, and the table pages they emptied are freed. A no-op
 * when none is pending.
 * @return 0; -EINVAL (NULL, or no page table).
 */
int uiommu_domain_flush(struct uiommu_domain *dom);

/**
 * The invalidation counters of @p dom.
 * @return 0; -EINVAL (NULL, or no page table).
 */
int uiommu_domain_inv_stats(struct uiommu_domain *dom,
			    struct uiommu_domain_inv_stats *stats);

/**
 * Look up the host VA that @p iova maps to in the domain's table (no IOTLB).
 * @return host VA, or NULL with rte_errno EINVAL / ENOENT.
 */
void *uiommu_iova_to_va(const struct uiommu_domain *dom, uint64_t iova);

/* ------------------------------------------------------------- attach -- */

/**
 * Attach a device's requests without PASID (RID level) to @p dom, or
 * replace the domain it was attached to (the old port is then invalid).
 *
 * @return the port, or NULL with rte_errno: EINVAL (dev and domain on
 *   different hw instances, NULL), ENOSPC, ENOMEM.
 */
struct uiommu_port *uiommu_attach(struct uiommu_dev *dev,
				  struct uiommu_domain *dom);

/**
 * Attach the requests of @p dev tagged with @p pasid to @p dom.
 * @return the port, or NULL with rte_errno: ERANGE (PASID beyond the
 *   device's width), EINVAL (other hw, PASID_NONE, IDENTITY domain),
 *   EEXIST (PASID already attached), ENOSPC, ENOMEM.
 */
struct uiommu_port *uiommu_attach_pasid(struct uiommu_dev *dev, uint32_t pasid,
					struct uiommu_domain *dom);

/**
 * Detach a port. Strict: once it returns, no lcore translates through the
 * old attachment; the handle is freed and must not be used.
 * @return 0, -EINVAL.
 */
int uiommu_detach(struct uiommu_port *port);

/* ------------------------------------------------------- device model -- */

/**
 * Copy @p len bytes at @p iova into @p dst, as a device's DMA read would:
 * page by page through uiommu_translate(), so buffers that are not
 * contiguous in host memory work too.
 * @return 0; -EFAULT at the first page that faults (a fault is recorded;
 *   bytes before it may have been copied).
 * Thread safety: as uiommu_translate().
 */
int uiommu_dma_read(const struct uiommu_port *port, uint64_t iova, void *dst,
		    size_t len);

/**
 * Copy @p len bytes from @p src to @p iova, as a device's DMA write would.
 * @return 0; -EFAULT at the first page that faults (a fault is recorded;
 *   bytes before it may have been written).
 * Thread safety: as uiommu_translate().
 */
int uiommu_dma_write(const struct uiommu_port *port, uint64_t iova,
		     const void *src, size_t len);

/* -------------------------------------------------------- invalidation -- */

/**
 * Invalidate every IOTLB entry of @p dom (all its PASIDs), then wait for
 * every online lcore to apply it.
 * @return 0, -EINVAL.
 */
int uiommu_inv_domain(struct uiommu_domain *dom);

/**
 * Invalidate the entries of (@p dom, @p pasid) only. When the hw does not
 * tag by PASID, PASIDs share entries and this invalidates the domain.
 * @return 0, -EINVAL, -ENOENT (no such attachment).
 */
int uiommu_inv_pasid(struct uiommu_domain *dom, uint32_t pasid);

/**
 * Invalidate [iova, iova + size) of @p dom, on every page size.
 * @return 0, -EINVAL (zero size, wrapping).
 */
int uiommu_inv_range(struct uiommu_domain *dom, uint64_t iova, uint64_t size);

/* ------------------------------------------------------------ objects -- */

/** Id of a hw, dev or domain; ids are unique in a ctx and never reused. */
uint32_t uiommu_obj_id(const void *obj);

/** Id of a port (same id space as uiommu_obj_id()). */
uint32_t uiommu_port_id(const struct uiommu_port *port);

/** Reference count of a hw, dev or domain: the objects that use it. */
uint32_t uiommu_obj_refcnt(const void *obj);

/** Number of live objects of @p type in @p ctx (for tests and telemetry). */
unsigned int uiommu_ctx_obj_count(const struct uiommu_ctx *ctx,
				  enum uiommu_obj_type type);

/** Name of a fault reason, for logs. */
const char *uiommu_fault_reason_str(enum uiommu_fault_reason reason);

/** Dynamic log type of the library ("lib.uiommu"). */
extern int uiommu_logtype;

#ifdef __cplusplus
}
#endif

#endif /* UIOMMU_H */
