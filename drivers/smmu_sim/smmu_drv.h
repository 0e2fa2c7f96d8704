/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver half of smmu_sim: what Linux's arm-smmu-v3 driver does, against
 * the device model (smmu_model.h) instead of real hardware. It owns the
 * stream table, the context-descriptor tables and the queues' memory,
 * programs the model through its registers only, and turns the core's
 * invalidations into TLBI / ATC_INV commands batched behind one CMD_SYNC.
 *
 * Locking:
 * - Calls from the core that change configuration (hw_init/fini, dev_init/
 *   fini, attach, detach) hold the ctx lock; they are the only writers of
 *   the stream table, CD tables, tag_info[], vmids[] and ats_binds.
 * - cmdq_lock (a mutex: a CMD_SYNC waits for a grace period) serialises
 *   the command queue: every producer, and the model's consumption that a
 *   PROD write runs in the same thread. ops->inv and ops->sync come from
 *   unmaps of different domains at once, so they take it; they also read
 *   tag_info[] and ats_binds, which attach/detach change only while holding
 *   it too.
 * - evtq_lock serialises readers of the event queue (the consumer side).
 *
 * Table writes: each 64-bit word of an STE or CD is stored with release
 * semantics, word 0 (V, Config) last; a change that would let the model see
 * a mix of old and new words it uses is done break-before-make: first an
 * aborting (STE) or invalid (CD) word 0, CFGI + CMD_SYNC, then the new
 * entry (see smmu_drv_tables.c).
 */
#ifndef SMMU_DRV_H
#define SMMU_DRV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <inttypes.h>

#include <rte_common.h>
#include <rte_log.h>

#include "smmu_model.h"
#include "uiommu_smmu_sim.h"

#define SMMU_DRV_SID_BITS	16
#define SMMU_DRV_L1_ENTRIES	(1u << (SMMU_DRV_SID_BITS - STRTAB_SPLIT))
#define SMMU_DRV_CD_LINEAR_MAX	10	/* SSID bits in one linear table */
#define SMMU_DRV_CD_L1_MAX	(1u << (SMMU_MODEL_SSID_BITS - \
					CTXDESC_SPLIT_64K))
/* More range commands than this and one by-ASID/VMID command is cheaper. */
#define SMMU_DRV_RANGE_CMDS_MAX	4

/* What a TLB tag names, so that an invalidation picks the right command. */
enum smmu_tag_kind {
	SMMU_TAG_NONE = 0,
	SMMU_TAG_S1,		/* ASID of a stage-1 CD, VMID 0 */
	SMMU_TAG_S2,		/* VMID of a stage-2-only STE */
	SMMU_TAG_NESTED,	/* ASID of a CD under a nested STE's VMID */
};

struct smmu_tag_info {
	uint16_t vmid;		/* NESTED: the STE's VMID */
	uint8_t kind;		/* enum smmu_tag_kind */
};

/* A command before encoding: the subset of fields the driver issues. */
struct smmu_cmd {
	uint8_t opcode;		/* CMDQ_OP_* */
	bool leaf;
	bool ssv;
	uint8_t num, scale, tg;	/* TLBI ranges */
	uint8_t size;		/* ATC_INV: 2^size pages */
	uint8_t range;		/* CFGI_STE_RANGE */
	uint8_t cs;		/* CMD_SYNC completion signal */
	uint16_t asid, vmid;
	uint32_t sid, ssid;
	uint32_t msidata;
	uint64_t addr;		/* VA, IPA, ATC address, MSI address */
};

/* An ATS device's (dev, PASID) bound to a tag: ATC_INV targets. */
struct smmu_ats_bind {
	TAILQ_ENTRY(smmu_ats_bind) next;
	uint32_t sid;
	uint32_t ssid;		/* UIOMMU_PASID_NONE for the RID */
	uint32_t tag;
	/* An invalidation of the tag since the last sync (cmdq_lock). */
	bool inv_pending;
	uint64_t inv_first, inv_last;
};

/* A stage-2 parent used by nested STEs, and the VMID they share. */
struct smmu_nest_vmid {
	const struct uiommu_domain *s2;
	uint16_t vmid;
	uint32_t users;
};
#define SMMU_DRV_NEST_PARENTS	64

/* What the RID (no SSID) of a device is attached to. */
enum smmu_rid_kind {
	SMMU_RID_NONE = 0,	/* abort */
	SMMU_RID_BLOCKED,
	SMMU_RID_IDENTITY,
	SMMU_RID_S1,
	SMMU_RID_S2,
	SMMU_RID_NESTED,
};

struct smmu_drv_dev {
	uint32_t sid;
	uint64_t *ste;			/* in its L2 stream table */
	uint8_t s1cdmax;		/* log2 of the CD table's entries */
	uint8_t s1fmt;			/* STE_S1FMT_* */
	uint64_t *cd_table;		/* linear CDs, or the L1 table */
	uint64_t *cd_leaf[SMMU_DRV_CD_L1_MAX];	/* 2-level leaves */
	enum smmu_rid_kind rid_kind;
	const struct uiommu_domain *rid_dom;
	uint32_t rid_tag;
	uint32_t n_s1_cds;		/* valid CDs at SSID > 0, stage 1 */
	uint32_t n_nested_cds;		/* ... nested */
	const struct uiommu_domain *nest_parent; /* of the nested STE */
	uint16_t nest_vmid;
	struct smmu_atc *atc;		/* ATS devices */
};

struct smmu_drv_queue {
	uint64_t *mem;
	uint32_t log2size;
	uint32_t prod;		/* shadow of PROD (cmdq: written ahead) */
};

struct smmu_drv {
	struct uiommu_hw *hw;
	struct smmu_model *model;
	bool strtab_linear;
	uint64_t *strtab;		/* L1 descriptors, or linear STEs */
	uint64_t *strtab_l2[SMMU_DRV_L1_ENTRIES];
	struct smmu_drv_queue cmdq, evtq, priq;

	pthread_mutex_t cmdq_lock;
	bool cmdq_dirty;		/* commands since the last CMD_SYNC */
	uint32_t *sync_word;		/* CMD_SYNC MSI target */
	uint32_t sync_seq;
	bool range_inv;			/* use TLBI ranges (IDR3.RIL) */
	TAILQ_HEAD(, smmu_ats_bind) ats_binds;
	/* Bindings detached since the last sync: one ATC_INV each, after the
	 * TLB invalidations, then freed. */
	TAILQ_HEAD(, smmu_ats_bind) ats_dying;
	bool atc_pending;		/* ATC_INVs to issue after the sync */

	pthread_mutex_t evtq_lock;

	struct smmu_tag_info *tag_info;	/* SMMU_MODEL_TAGS entries */
	struct smmu_nest_vmid nest[SMMU_DRV_NEST_PARENTS];
	uint16_t next_nest_vmid;

	struct uiommu_smmu_sim_stats stats;
};

extern const struct uiommu_hw_ops smmu_sim_ops;
extern int smmu_sim_logtype;

#define SMMU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, smmu_sim_logtype, "smmu_sim: " fmt "\n", \
		##__VA_ARGS__)

static inline struct smmu_drv *
smmu_drv_of(const struct uiommu_hw *hw)
{
	return uiommu_hw_priv(hw);
}

/* smmu_drv_cmdq.c */
void smmu_cmd_build(const struct smmu_cmd *cmd,
		    uint64_t out[CMDQ_ENT_DWORDS]);
int smmu_cmdq_init(struct smmu_drv *drv, uint32_t log2size, int socket);
/* Queue one command (cmdq_lock held); never overwrites: rings PROD to make
 * room. */
int smmu_cmdq_add(struct smmu_drv *drv, const struct smmu_cmd *cmd);
/* Queue raw 16 bytes (cmdq_lock held), for tests of malformed commands. */
int smmu_cmdq_add_raw(struct smmu_drv *drv, const uint64_t raw[2]);
/* Append CMD_SYNC, ring PROD, wait for it (cmdq_lock held). */
int smmu_cmdq_sync(struct smmu_drv *drv);
/* Queue TLBI command(s) for @inv (cmdq_lock held). */
int smmu_cmdq_inv(struct smmu_drv *drv, const struct uiommu_inv *inv);
/* Issue, under the lock, @cmd then CMD_SYNC. */
int smmu_cmdq_issue_sync(struct smmu_drv *drv, const struct smmu_cmd *cmd);

/* smmu_drv_tables.c */
int smmu_strtab_init(struct smmu_drv *drv, bool linear, int socket);
void smmu_strtab_fini(struct smmu_drv *drv);
/* Make sure @sid has an STE; point dd->ste at it. */
int smmu_strtab_ensure(struct smmu_drv *drv, struct smmu_drv_dev *dd);
int smmu_cd_table_alloc(struct smmu_drv_dev *dd, uint8_t pasid_bits,
			int socket);
void smmu_cd_table_free(struct smmu_drv_dev *dd);
/* The CD slot of @ssid, allocating its leaf if @create. NULL: -ENOMEM or
 * no leaf. */
uint64_t *smmu_cd_slot(struct smmu_drv_dev *dd, uint32_t ssid, bool create,
		       int socket);
/* Encode an STE / CD from what the driver knows. */
void smmu_ste_build(const struct smmu_drv_dev *dd,
		    uint64_t ste[STRTAB_STE_DWORDS]);
int smmu_cd_build(const struct uiommu_domain *dom, uint16_t asid,
		  uint64_t cd[CTXDESC_DWORDS]);
/* Install @ste / @cd (ctx lock), with CFGI + CMD_SYNC. */
int smmu_ste_write(struct smmu_drv *drv, struct smmu_drv_dev *dd,
		   const uint64_t ste[STRTAB_STE_DWORDS]);
int smmu_cd_write(struct smmu_drv *drv, struct smmu_drv_dev *dd,
		  uint32_t ssid, uint64_t *slot,
		  const uint64_t cd[CTXDESC_DWORDS]);

#endif /* SMMU_DRV_H */
