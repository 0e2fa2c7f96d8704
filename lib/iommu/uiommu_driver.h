/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The interface between the uiommu core and an IOMMU backend.
 *
 * A backend (the built-in "direct", drivers/smmu_sim, drivers/vtd_sim)
 * registers a struct uiommu_hw_ops by name, the way a DPDK driver registers
 * with a bus. The core owns objects, page tables and the per-lcore IOTLBs;
 * the backend owns the hardware view: how a device's requests find their
 * domain (stream table, context descriptors; root/context/PASID tables), how
 * it walks, and which commands carry invalidations.
 *
 * Contract for invalidation: the core asks the backend to invalidate
 * (ops->inv) and to complete (ops->sync). The backend expresses those as its
 * own commands (TLBI + CMD_SYNC, QI descriptors + wait descriptor) and, when
 * it executes them, calls uiommu_iotlb_inv_post() and uiommu_iotlb_sync(),
 * which reach every lcore's IOTLB. ops->sync returns only once every
 * invalidation passed to ops->inv before it has taken effect on every online
 * lcore.
 */
#ifndef UIOMMU_DRIVER_H
#define UIOMMU_DRIVER_H

#include <rte_common.h>

#include "uiommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Scope of an invalidation descriptor. */
enum uiommu_inv_op {
	UIOMMU_INV_ALL = 1,	/**< every entry of the hw instance */
	UIOMMU_INV_TAG,		/**< every entry of one context tag */
	UIOMMU_INV_TAG_RANGE,	/**< entries of a tag overlapping a range */
};

/** One invalidation, as posted to each lcore's queue. */
struct uiommu_inv {
	uint64_t iova;		/**< first byte (TAG_RANGE) */
	uint64_t last;		/**< last byte, inclusive (TAG_RANGE) */
	uint32_t tag;		/**< context tag (TAG, TAG_RANGE) */
	uint32_t op;		/**< enum uiommu_inv_op */
};

/** What a backend's walk found: a translation, or a fault. */
struct uiommu_walk_result {
	uint64_t out;		/**< host VA of the page base */
	uint32_t tag;		/**< context tag to cache it under; 0: don't */
	uint8_t pgshift;	/**< 12, 21 or 30 */
	uint8_t prot;		/**< UIOMMU_PROT_READ/WRITE granted */
	uint8_t level;		/**< table level where a fault was found */
	uint8_t reason;		/**< enum uiommu_fault_reason; NONE: success */
};

/**
 * Backend operations. Calls marked (ctx lock) are made with the context's
 * control-plane lock held; translate is made concurrently from any online
 * lcore and must not block.
 */
struct uiommu_hw_ops {
	const char *name;	/**< registration name, e.g. "smmu_sim" */
	size_t hw_priv_size;	/**< bytes of uiommu_hw_priv() */
	size_t dev_priv_size;	/**< bytes of uiommu_dev_priv() */

	/** Set up the instance and fill @p caps (zeroed; s1_fmt/s2_fmt left
	 *  DEFAULT mean the Arm LPAE formats). (ctx lock) @return 0/-errno */
	int (*hw_init)(struct uiommu_hw *hw, const char *args,
		       struct uiommu_hw_caps *caps);
	/** Tear it down; every dev and domain is gone. (ctx lock) */
	void (*hw_fini)(struct uiommu_hw *hw);
	/** A new device. (ctx lock) @return 0/-errno */
	int (*dev_init)(struct uiommu_dev *dev);
	/** Device going away; nothing is attached. (ctx lock) */
	void (*dev_fini)(struct uiommu_dev *dev);
	/**
	 * Point (dev, pasid) at @p dom, whose translations carry @p tag;
	 * replaces any previous target. (ctx lock) @return 0/-errno; on
	 * failure the previous target stays in place.
	 */
	int (*attach)(struct uiommu_dev *dev, uint32_t pasid,
		      struct uiommu_domain *dom, uint32_t tag);
	/** Make (dev, pasid) abort. (ctx lock) */
	void (*detach)(struct uiommu_dev *dev, uint32_t pasid);
	/**
	 * Resolve (sid, pasid) and walk for @p iova. Lockless; any online
	 * lcore. @return 0 with @p res filled (res->reason says success or
	 * which fault).
	 */
	int (*translate)(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
			 uint64_t iova, uint32_t access,
			 struct uiommu_walk_result *res);
	/** Queue an invalidation as the hardware's command(s). */
	int (*inv)(struct uiommu_hw *hw, const struct uiommu_inv *inv);
	/** Complete every queued invalidation on every online lcore. */
	int (*sync)(struct uiommu_hw *hw);
};

/**
 * Register a backend. Called from a constructor (UIOMMU_REGISTER_HW).
 * @return 0; -EEXIST (name taken); -EINVAL (missing op); -ENOSPC.
 */
int uiommu_hw_ops_register(const struct uiommu_hw_ops *ops);

/** Register @p ops at load time. */
#define UIOMMU_REGISTER_HW(ops) \
	RTE_INIT(uiommu_register_##ops) { uiommu_hw_ops_register(&(ops)); }

/** Backend-private area of a hw instance (ops->hw_priv_size bytes). */
void *uiommu_hw_priv(const struct uiommu_hw *hw);
/** Backend-private area of a device (ops->dev_priv_size bytes). */
void *uiommu_dev_priv(const struct uiommu_dev *dev);
/** The hw instance a device is behind. */
struct uiommu_hw *uiommu_dev_hw(const struct uiommu_dev *dev);
/** StreamID / RID of a device. */
uint32_t uiommu_dev_sid(const struct uiommu_dev *dev);
/** PASID width of a device. */
uint8_t uiommu_dev_pasid_bits(const struct uiommu_dev *dev);
/** Whether a device has an address translation cache (ATS). */
bool uiommu_dev_ats(const struct uiommu_dev *dev);
/** The backend of a hw instance (to check that a handle is one's own). */
const struct uiommu_hw_ops *uiommu_hw_ops_of(const struct uiommu_hw *hw);
/** Type of a domain. */
enum uiommu_domain_type uiommu_domain_type(const struct uiommu_domain *dom);

/** What a backend needs to point its hardware at a domain's page table. */
struct uiommu_iopt_info {
	enum uiommu_iopt_fmt fmt;	/**< table format */
	uint64_t root;			/**< host VA of the top-level table */
	uint8_t ias;			/**< input bits (Arm: T0SZ = 64 - ias) */
	uint8_t oas;			/**< output bits */
	/** level of the top-level table, numbered alike in every format
	 *  (3: 4 KiB leaves, 0: a 4-level table's top); VT-d second level:
	 *  AW = 2 - start_level */
	uint8_t start_level;
};

/**
 * Describe the page table of a PAGING or NESTED domain. The root never
 * changes during the domain's life.
 * @return 0; -EINVAL (no page table: IDENTITY or BLOCKED).
 */
int uiommu_domain_iopt_info(const struct uiommu_domain *dom,
			    struct uiommu_iopt_info *info);

/** Stage-2 parent of a NESTED domain; NULL for any other type. */
struct uiommu_domain *uiommu_domain_parent(const struct uiommu_domain *dom);

/**
 * Walk a PAGING domain's page table for @p iova and check @p access against
 * the leaf; for a NESTED domain, walk stage 1 then the parent's stage 2 and
 * return the combined page (the smaller size, both stages' rights).
 * Lockless (reader side of the table); any online lcore.
 * @param res  filled; res->tag is left to the caller
 */
void uiommu_domain_walk(const struct uiommu_domain *dom, uint64_t iova,
			uint32_t access, struct uiommu_walk_result *res);

/**
 * Post an invalidation to the queue of every lcore that has an IOTLB on
 * @p hw. Never blocks: a full queue turns into a whole-IOTLB flush of that
 * lcore. Takes effect at each lcore's next quiescent point.
 */
void uiommu_iotlb_inv_post(struct uiommu_hw *hw, const struct uiommu_inv *inv);

/**
 * Wait until every invalidation posted so far on @p hw has been applied by
 * every online lcore (one QSBR grace period; the caller's own lcore, if
 * online, applies its queue here).
 */
void uiommu_iotlb_sync(struct uiommu_hw *hw);

/**
 * Record a fault in @p hw's fault queue and count it on @p lcore_id. Never
 * blocks: a full queue drops the record and counts the drop.
 */
void uiommu_fault_report(struct uiommu_hw *hw, const struct uiommu_fault *f);

/* ------------------------------------------------ fetchable memory -- */

/** Most disjoint memory ranges a struct uiommu_memrange holds. */
#define UIOMMU_MEMRANGE_MAX	16

/**
 * The memory an emulated IOMMU may fetch structures from: the EAL's memseg
 * lists ([start, end) of each, adjacent lists merged), snapshotted once. A
 * device model checks every address it reads or writes on the device's
 * behalf (tables, queues, status writes) against it, so that a wild pointer
 * in a structure becomes the architecture's fetch-error fault, never a
 * crash. It catches wild pointers, not pointers into a list's reserved but
 * unbacked part. Written once by uiommu_memrange_init(), then read-only.
 */
struct uiommu_memrange {
	unsigned int n;				/**< ranges in use */
	uintptr_t start[UIOMMU_MEMRANGE_MAX];	/**< first byte */
	uintptr_t end[UIOMMU_MEMRANGE_MAX];	/**< one past the last */
};

/**
 * Snapshot the EAL's memseg lists into @p mr. Takes the memory hotplug lock
 * (rte_memseg_list_walk): do not call it with that lock held.
 * @return 0; -ENOSPC (more than UIOMMU_MEMRANGE_MAX disjoint lists).
 */
int uiommu_memrange_init(struct uiommu_memrange *mr);

/**
 * Whether the @p len bytes at @p addr lie inside one range of @p mr.
 * Lockless; any thread. False for @p len 0 and for a range that wraps.
 */
static inline bool
uiommu_memrange_ok(const struct uiommu_memrange *mr, uint64_t addr,
		   uint64_t len)
{
	unsigned int i;

	if (len == 0 || addr + len < addr)
		return false;
	for (i = 0; i < mr->n; i++)
		if (addr >= mr->start[i] && addr + len <= mr->end[i])
			return true;
	return false;
}

#ifdef __cplusplus
}
#endif

#endif /* UIOMMU_DRIVER_H */
