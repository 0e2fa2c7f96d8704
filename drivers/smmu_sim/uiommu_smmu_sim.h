/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * smmu_sim: an emulated Arm SMMUv3 behind the uiommu core.
 *
 * Create an instance with uiommu_hw_create(ctx, "smmu_sim", args). args is
 * a kvargs list (rte_kvargs), all optional:
 *   - cmdq=N     log2 of the command queue's entries (2..19, default 8)
 *   - evtq=N     log2 of the event queue's entries (2..19, default 7)
 *   - strtab=linear|2lvl   stream table format (default 2lvl)
 *   - range_inv=0|1        TLBI by range (IDR3.RIL; default 1)
 * Unknown keys or bad values fail uiommu_hw_create() with EINVAL.
 *
 * Everything else goes through the core's API (devices are StreamIDs,
 * PASIDs are SubstreamIDs); this header adds what only an SMMU has: its
 * event queue, ATS translation through a device's ATC, and command counts.
 * See doc/smmu_sim.md for what is modelled.
 */
#ifndef UIOMMU_SMMU_SIM_H
#define UIOMMU_SMMU_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <uiommu.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opcode space of SMMUv3 commands. */
#define UIOMMU_SMMU_CMD_OPS	256

/** SMMUv3 command opcodes (the architecture's numbers), to index the
 *  per-opcode counters. */
enum uiommu_smmu_cmd_op {
	UIOMMU_SMMU_CMD_CFGI_STE = 0x03,
	UIOMMU_SMMU_CMD_CFGI_STE_RANGE = 0x04,	/**< also CFGI_ALL */
	UIOMMU_SMMU_CMD_CFGI_CD = 0x05,
	UIOMMU_SMMU_CMD_CFGI_CD_ALL = 0x06,
	UIOMMU_SMMU_CMD_TLBI_NH_ALL = 0x10,
	UIOMMU_SMMU_CMD_TLBI_NH_ASID = 0x11,
	UIOMMU_SMMU_CMD_TLBI_NH_VA = 0x12,
	UIOMMU_SMMU_CMD_TLBI_S12_VMALL = 0x28,
	UIOMMU_SMMU_CMD_TLBI_S2_IPA = 0x2a,
	UIOMMU_SMMU_CMD_TLBI_NSNH_ALL = 0x30,
	UIOMMU_SMMU_CMD_ATC_INV = 0x40,
	UIOMMU_SMMU_CMD_PRI_RESP = 0x41,
	UIOMMU_SMMU_CMD_RESUME = 0x44,
	UIOMMU_SMMU_CMD_SYNC = 0x46,
};

/** Counters of one smmu_sim instance. */
struct uiommu_smmu_sim_stats {
	/** Driver side: commands written to the CMDQ, by opcode. */
	uint64_t cmds[UIOMMU_SMMU_CMD_OPS];
	uint64_t doorbells;	/**< CMDQ_PROD writes */
	uint64_t queue_full;	/**< producer found the queue full */
	uint64_t cmd_errors;	/**< illegal commands skipped (CMDQ_ERR) */
	uint64_t events_read;	/**< event records consumed */
	uint64_t evtq_overflows; /**< EVTQ overflows acknowledged */
	/** Model side: commands consumed, by opcode. */
	uint64_t hw_cmds[UIOMMU_SMMU_CMD_OPS];
	uint64_t hw_syncs_waited; /**< CMD_SYNCs that waited a grace period */
	uint64_t hw_events;	/**< event records written */
	uint64_t hw_events_lost; /**< dropped: EVTQ full or disabled */
};

/** A decoded event record (SMMUv3 EVTQ entry). */
struct uiommu_smmu_event {
	uint8_t id;		/**< event number, e.g. 0x10 F_TRANSLATION */
	bool ssv;		/**< @p ssid is valid */
	bool rnw;		/**< the access was a read */
	bool s2;		/**< the fault was at stage 2 */
	uint8_t class;		/**< 0 CD fetch, 1 table walk, 2 input */
	uint32_t sid;		/**< StreamID */
	uint32_t ssid;		/**< SubstreamID (PASID) */
	uint64_t addr;		/**< input address (IOVA) */
	uint64_t ipa;		/**< stage-2 faults: IPA; fetch faults: the
				 *   address that could not be fetched */
};

/**
 * Read the command and event counters of @p hw.
 * @return 0; -EINVAL (NULL, or @p hw is not an smmu_sim instance).
 */
int uiommu_smmu_sim_stats_get(const struct uiommu_hw *hw,
			      struct uiommu_smmu_sim_stats *stats);

/**
 * Consume up to @p n event records from @p hw's event queue, oldest first.
 * Thread-safe (one reader at a time inside). An overflow of the queue is
 * acknowledged and counted (stats.evtq_overflows).
 * @return records read (0..n); -EINVAL (bad arguments or not smmu_sim).
 */
int uiommu_smmu_sim_event_read(struct uiommu_hw *hw,
			       struct uiommu_smmu_event *events,
			       unsigned int n);

/** Architecture name of an event number ("F_TRANSLATION"), or "?". */
const char *uiommu_smmu_event_name(uint8_t id);

/**
 * Translate as an ATS device does: look @p iova up in the device's address
 * translation cache (one per device, sliced per lcore) and, on a miss, send
 * a translation request to the SMMU and cache the answer. The ATC is
 * invalidated by ATC_INV commands, which the driver issues after the TLB
 * invalidation of every unmap and detach that concerns the device.
 *
 * @param port  an attachment of a device created with ats = true
 * @return host VA of @p iova (valid up to the end of its 4 KiB page), or
 *   NULL with rte_errno: EINVAL (not an smmu_sim port, device without ATS),
 *   EFAULT (the request faulted: recorded in the core's fault queue and,
 *   as the architecture says, maybe in the EVTQ).
 *
 * Thread safety: any online lcore, like uiommu_translate().
 */
void *uiommu_smmu_sim_ats_translate(const struct uiommu_port *port,
				    uint64_t iova, uint32_t access);

#ifdef __cplusplus
}
#endif

#endif /* UIOMMU_SMMU_SIM_H */
