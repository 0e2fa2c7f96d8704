/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vtd_sim: an emulated Intel VT-d remapping unit behind the uiommu core.
 *
 * Create an instance with uiommu_hw_create(ctx, "vtd_sim", args). args is a
 * kvargs list (rte_kvargs), all optional:
 *   - mode=scalable|legacy  translation table mode (default scalable)
 *   - qi=N       log2 of the invalidation queue's 4 KiB pages (0..7, def. 0)
 *   - nfr=N      fault recording registers (1..256, default 8)
 *   - irt=N      log2 of the interrupt remapping table's entries (1..16,
 *                default 10)
 *   - cfi=0|1    accept compatibility-format MSIs (default 0; 1 also runs
 *                the table in xAPIC mode, IRTA.EIME clear, as the
 *                architecture blocks compatibility format under EIME)
 *   - psi_max=N  most page-selective descriptors per invalidation before
 *                falling back to a domain/PASID-selective one (1..64,
 *                default 4)
 * Unknown keys or bad values fail uiommu_hw_create() with EINVAL.
 *
 * Every function below returns -EINVAL when given a hw (or a device on a
 * hw) that is not a vtd_sim instance.
 */
#ifndef UIOMMU_VTD_SIM_H
#define UIOMMU_VTD_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <uiommu.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Invalidation descriptor types (the architecture's numbers), to index
 *  the per-type counters. */
enum uiommu_vtd_desc_type {
	UIOMMU_VTD_DESC_CC = 1,		/**< context-cache */
	UIOMMU_VTD_DESC_IOTLB = 2,	/**< IOTLB */
	UIOMMU_VTD_DESC_DEV_IOTLB = 3,	/**< device-TLB */
	UIOMMU_VTD_DESC_IEC = 4,	/**< interrupt entry cache */
	UIOMMU_VTD_DESC_WAIT = 5,	/**< invalidation wait */
	UIOMMU_VTD_DESC_PIOTLB = 6,	/**< PASID-based IOTLB */
	UIOMMU_VTD_DESC_PC = 7,		/**< PASID-cache */
	UIOMMU_VTD_DESC_PDEV_IOTLB = 8,	/**< PASID-based device-TLB */
	UIOMMU_VTD_DESC_TYPES = 9,
};

/** Counters of one vtd_sim instance. */
struct uiommu_vtd_sim_stats {
	uint64_t descs[UIOMMU_VTD_DESC_TYPES]; /**< driver: queued, by type */
	uint64_t doorbells;	/**< IQT writes */
	uint64_t queue_full;	/**< producer found the queue full */
	uint64_t desc_errors;	/**< descriptors skipped after FSTS.IQE */
	uint64_t faults_read;	/**< fault records consumed */
	uint64_t fault_overflows; /**< FSTS.PFO acknowledged */
	uint64_t hw_descs[UIOMMU_VTD_DESC_TYPES]; /**< model: consumed */
	uint64_t hw_waits_waited; /**< wait descriptors that waited */
	uint64_t hw_desc_errors; /**< model: FSTS.IQE raised */
	uint64_t hw_faults_recorded; /**< written to an FRCD */
	uint64_t hw_faults_dropped;  /**< PFO set or register full */
	uint64_t hw_msi_remapped; /**< MSIs through an IRTE */
	uint64_t hw_msi_compat;	/**< MSIs in compatibility format */
	uint64_t hw_msi_blocked; /**< MSIs refused */
};

/** A decoded primary fault record. */
struct uiommu_vtd_fault {
	uint16_t sid;		/**< requester id */
	uint8_t reason;		/**< VT-d fault reason (FRCD.FR) */
	bool is_write;		/**< write request (FRCD.T1 clear) */
	bool pasid_present;	/**< @p pasid is valid */
	uint32_t pasid;		/**< PASID of the request */
	uint64_t addr;		/**< page of the faulting address; interrupt
				 *   faults: IRTE index << 48 */
};

/** How an IRTE delivers an interrupt. */
struct uiommu_vtd_irq_cfg {
	uint8_t vector;		/**< 16..255 */
	uint32_t dest_id;	/**< APIC id (8 bits when cfi=1: xAPIC) */
	bool dest_logical;	/**< destination mode: logical */
	bool level;		/**< trigger mode: level (else edge) */
	uint8_t delivery_mode;	/**< 0 fixed, 1 lowest priority, ... (0..7) */
};

/** An interrupt as the remapping unit delivered it. */
struct uiommu_vtd_irq {
	uint8_t vector;
	uint32_t dest_id;
	bool dest_logical;
	bool level;
	uint8_t delivery_mode;
	uint32_t index;		/**< IRTE index (remapped) */
	bool remapped;		/**< false: compatibility format */
};

/** @return true if @p hw is a vtd_sim instance. Any thread. */
bool uiommu_vtd_sim_is(const struct uiommu_hw *hw);

/**
 * Read the counters of @p hw. Thread-safe.
 * @return 0; -EINVAL (NULL or not vtd_sim).
 */
int uiommu_vtd_sim_stats_get(const struct uiommu_hw *hw,
			     struct uiommu_vtd_sim_stats *stats);

/**
 * Read and clear up to @p n primary fault records, from FSTS.FRI on, as
 * Linux's dmar_fault() does; acknowledges (and counts) a PFO overflow.
 * Thread-safe (one reader at a time inside).
 * @return records read (0..n); -EINVAL.
 */
int uiommu_vtd_sim_fault_read(struct uiommu_hw *hw, struct uiommu_vtd_fault *f,
			      unsigned int n);

/** Name of a VT-d fault reason code, or "?". */
const char *uiommu_vtd_sim_fault_reason_str(uint8_t reason);

/**
 * Allocate @p nvec consecutive IRTEs for @p dev's MSI-X vectors (not
 * present until uiommu_vtd_sim_irq_set()). Control thread (takes the
 * instance's IR lock).
 * @return first index; -EINVAL (bad arguments, not vtd_sim); -ENOSPC.
 */
int uiommu_vtd_sim_irq_alloc(struct uiommu_dev *dev, unsigned int nvec);

/**
 * Program IRTE @p index of @p dev: P=1, SVT=1, SQ=0, SID = the device's
 * RID, then an index-selective IEC invalidation and a wait. Thread-safe.
 * @return 0; -EINVAL (not the device's index, bad cfg, not vtd_sim);
 *   -EIO (the invalidation queue failed).
 */
int uiommu_vtd_sim_irq_set(struct uiommu_dev *dev, uint32_t index,
			   const struct uiommu_vtd_irq_cfg *cfg);

/**
 * Free @p nvec IRTEs from @p index: not present, IEC invalidation, wait.
 * Thread-safe.
 * @return 0; -EINVAL (an index the device does not own: nothing changes);
 *   -EIO (the wait failed: the entries are not present but stay the
 *   device's, since an lcore may still hold them cached; free again).
 */
int uiommu_vtd_sim_irq_free(struct uiommu_dev *dev, uint32_t index,
			    unsigned int nvec);

/**
 * Compose the remappable-format MSI message for IRTE @p index of @p dev.
 * @return 0; -EINVAL.
 */
int uiommu_vtd_sim_msi_compose(const struct uiommu_dev *dev, uint32_t index,
			       uint64_t *addr, uint32_t *data);

/**
 * Invalidate the interrupt entry cache: @p count entries from @p index
 * (rounded out to an aligned power of two), or everything (@p count 0),
 * and wait. Thread-safe.
 * @return 0; -EINVAL; -EIO.
 */
int uiommu_vtd_sim_iec_invalidate(struct uiommu_hw *hw, uint32_t index,
				  uint32_t count);

/**
 * A device @p sid writes MSI @p data to @p addr: remapped by the unit.
 * Any thread.
 * @return 0 with @p out filled; -EINVAL (not an interrupt address, not
 *   vtd_sim); -EPERM (blocked; a fault was recorded).
 */
int uiommu_vtd_sim_msi_write(struct uiommu_hw *hw, uint32_t sid,
			     uint64_t addr, uint32_t data,
			     struct uiommu_vtd_irq *out);

#ifdef __cplusplus
}
#endif

#endif /* UIOMMU_VTD_SIM_H */
