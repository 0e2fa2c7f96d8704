/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device-model half of smmu_sim: what an SMMUv3 does with the memory
 * software gives it. It knows nothing of uiommu objects (domains, ports);
 * it sees a register page, a stream table, context descriptors, Arm LPAE
 * tables and queues, all in memory, and the uiommu core only as the place
 * its TLB lives (uiommu_iotlb_inv_post / uiommu_iotlb_sync).
 *
 * Memory: "physical" addresses in every structure are host virtual addresses
 * of this process (the core's convention). The model fetches a structure only
 * from an address inside one of the EAL's memseg lists (snapshotted at
 * creation); anything else is an external abort (F_STE_FETCH, F_CD_FETCH,
 * F_WALK_EABT, CERROR_ABT), never a dereference. That catches wild pointers,
 * not pointers into a list's reserved but unbacked part.
 *
 * Threads and ordering:
 * - Register writes come from the driver half, one thread at a time (the
 *   driver's cmdq lock, or the ctx lock for configuration registers). A write
 *   to CMDQ_PROD (or to GERRORN acknowledging CMDQ_ERR) consumes commands in
 *   that same thread, up to PROD or an illegal command: the command queue
 *   has a single consumer by construction.
 * - The walker (smmu_model_translate) runs on any online lcore, concurrently,
 *   without locks. It reads the latched configuration (strtab, sizes) that
 *   CR0/STRTAB writes publish, and the tables with acquire loads of each
 *   64-bit word; the driver writes them with release stores, STE/CD word 0
 *   last. Tables it may still be reading are freed by the driver only after
 *   a CMD_SYNC, whose grace period covers every walk in flight.
 * - Event records are produced by walkers on any lcore: evtq_lock (a
 *   spinlock, off the hit path: only faulting walks take it) serialises the
 *   producers; the consumer is the driver half (EVTQ_CONS writes).
 * - ctx_vmid[] (which VMID a TLB tag was filled under) is written by walkers
 *   with a relaxed store only when it changes, followed by a seq_cst fence
 *   before the page-table walk; the command consumer fences before reading
 *   it for VMID-wide invalidations. So a TLBI either sees the VMID a walk
 *   recorded, or that walk sees the tables changed before the TLBI (see
 *   ctx_note() in model_walk.c, tlbi_vmid_tags() in model_cmdq.c).
 */
#ifndef SMMU_MODEL_H
#define SMMU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

#include "uiommu_driver.h"
#include "smmuv3_arch.h"

/* What the model advertises (IDR0/1/5) and supports. */
#define SMMU_MODEL_SID_BITS	16
#define SMMU_MODEL_SSID_BITS	20
#define SMMU_MODEL_IAS		48
#define SMMU_MODEL_OAS		48
#define SMMU_MODEL_QS_MAX	19	/* log2 of the largest queue */
#define SMMU_MODEL_TAGS		(1u << 16)	/* ASIDs and VMIDs share them */

/* A cached command/event queue: the base register decoded. */
struct smmu_model_queue {
	uint64_t *base;		/* host VA of entry 0 */
	uint32_t log2size;
	uint32_t ent_dwords;
};

/* A software-visible, decoded event record (tests, driver). */
struct smmu_event {
	uint8_t id;		/* EVT_ID_* */
	bool ssv;		/* SSID valid */
	bool rnw;		/* read (1) or write (0) */
	bool s2;		/* fault at stage 2 */
	uint8_t class;		/* EVTQ_CLASS_* */
	uint32_t sid;
	uint32_t ssid;
	uint64_t addr;		/* input address */
	uint64_t ipa;		/* stage 2: the IPA; *_FETCH: fetch address */
};

/*
 * Per-device address translation cache (the ATS endpoint's side). One
 * direct-mapped slice per lcore, so lookups store nothing shared; an entry is
 * valid while its generation equals the device's, and ATC_INV bumps the
 * generation (every ATC_INV invalidates the device's whole ATC: a superset,
 * which PCIe ATS allows). The CMD_SYNC after it waits a grace period, so no
 * lcore is still using an entry it found valid before the bump.
 */
#define SMMU_ATC_ENTRIES	64

struct smmu_atc_entry {
	uint64_t key;		/* iova page | valid; pasid in the tag */
	uint64_t out;		/* host VA of the page */
	uint32_t pasid;
	uint32_t prot;
	uint64_t gen;
};

struct smmu_atc_slice {
	struct smmu_atc_entry ent[SMMU_ATC_ENTRIES];
	uint64_t hits, misses;
} __rte_cache_aligned;

struct smmu_atc {
	uint32_t sid;
	uint64_t gen;		/* written by the command consumer */
	uint64_t invalidations;
	struct smmu_atc_slice *slice[RTE_MAX_LCORE];
};

/* Counters of the model: the command counters are written by the command
 * consumer only, the event counters by event producers under evtq_lock. */
struct smmu_model_stats {
	uint64_t cmds[CMDQ_OP_MAX];	/* consumed, by opcode */
	uint64_t cmd_errors;		/* CERROR_* raised */
	uint64_t syncs_waited;		/* CMD_SYNCs that needed a grace period */
	uint64_t events;		/* records written to the EVTQ */
	uint64_t events_lost;		/* EVTQ full, disabled or aborting */
};

struct smmu_model {
	struct uiommu_hw *hw;		/* whose IOTLBs are this SMMU's TLB */
	uint32_t *regs;			/* SMMU_REG_SPACE bytes, rte_malloc */

	/* Latched on CR0 writes (configuration thread), read by walkers. */
	bool smmuen;
	uint64_t *strtab;
	bool strtab_2lvl;
	uint32_t strtab_log2size;
	uint32_t strtab_split;

	struct smmu_model_queue cmdq, evtq, priq;

	rte_spinlock_t evtq_lock;	/* event producers */
	bool cmdq_stalled;		/* stopped on an error until GERRORN */
	bool pending_sync;		/* invalidations since the last sync */

	/* Memory the model may fetch from: the EAL's memseg lists. */
	struct uiommu_memrange mem;

	/* (VMID + 1) each TLB tag was last filled under, 0 if never; bit 31:
	 * the tag is a stage-2-only context (tag == VMID). */
	uint32_t *ctx_vmid;

	/* ATS endpoints by StreamID: bus -> devfn table of ATC pointers. */
	struct smmu_atc **atc_table[1u << 8];

	struct smmu_model_stats stats;
};

#define SMMU_CTX_VMID_S2ONLY	(1u << 31)

/*
 * Queue pointer arithmetic, for both halves. A PROD/CONS value holds the
 * index in bits [log2size-1:0] and the wrap bit at log2size; bits above
 * (PROD.OVFLG, CONS.OVACKFLG, CMDQ_CONS.ERR) are flags: the predicates
 * ignore them and smmu_queue_inc() carries them through unchanged.
 */
static inline uint32_t
smmu_queue_idx(uint32_t log2size, uint32_t p)
{
	return p & ((1u << log2size) - 1);
}

static inline uint32_t
smmu_queue_wrp(uint32_t log2size, uint32_t p)
{
	return p & (1u << log2size);
}

static inline bool
smmu_queue_empty(uint32_t log2size, uint32_t prod, uint32_t cons)
{
	return ((prod ^ cons) & ((2u << log2size) - 1)) == 0;
}

static inline bool
smmu_queue_full(uint32_t log2size, uint32_t prod, uint32_t cons)
{
	return ((prod ^ cons) & ((2u << log2size) - 1)) == (1u << log2size);
}

/* @p advanced by one entry, wrapping (and toggling the wrap bit) at the end. */
static inline uint32_t
smmu_queue_inc(uint32_t log2size, uint32_t p)
{
	uint32_t ptr_mask = (2u << log2size) - 1;

	return (p & ~ptr_mask) | ((p + 1) & ptr_mask);
}

/*
 * Model-internal access to one 32-bit register word (@offset 4-byte aligned,
 * inside SMMU_REG_SPACE: the caller's business). The page is shared between
 * the driver thread, the command consumer and event producers, so every
 * access is atomic: a release store publishes what was written before it
 * (queue entries before PROD/CONS, CONS.ERR before GERROR), and pairs with
 * the acquire load of whoever reads that register next.
 */
static inline uint32_t
smmu_model_reg_load(const struct smmu_model *m, uint32_t offset)
{
	return __atomic_load_n(&m->regs[offset / 4], __ATOMIC_ACQUIRE);
}

static inline void
smmu_model_reg_store(struct smmu_model *m, uint32_t offset, uint32_t val)
{
	__atomic_store_n(&m->regs[offset / 4], val, __ATOMIC_RELEASE);
}

/* ---- model_regs.c: creation, the register page, memory ranges ---- */

/* Allocate a model whose TLB is @hw's IOTLBs. NULL with rte_errno. */
struct smmu_model *smmu_model_create(struct uiommu_hw *hw, int socket_id);
void smmu_model_destroy(struct smmu_model *m);

/* MMIO: 32- and 64-bit register accesses at byte @offset, with their side
 * effects (CR0 -> CR0ACK and latching; CMDQ_PROD -> consumption; GERRORN ->
 * resume; GBPA update). Unknown or read-only offsets: writes ignored, reads
 * return 0 (RAZ/WI). */
uint32_t smmu_model_read32(struct smmu_model *m, uint32_t offset);
void smmu_model_write32(struct smmu_model *m, uint32_t offset, uint32_t val);
uint64_t smmu_model_read64(struct smmu_model *m, uint32_t offset);
void smmu_model_write64(struct smmu_model *m, uint32_t offset, uint64_t val);

/* May the model fetch @len bytes at @addr (aligned to @len's natural
 * alignment is the caller's business)? */
static inline bool
smmu_model_mem_ok(const struct smmu_model *m, uint64_t addr, uint64_t len)
{
	return uiommu_memrange_ok(&m->mem, addr, len);
}
/* Make global error @err (GERROR_*) active, unless it already is (GERROR
 * and GERRORN differ in that bit). Any thread. */
void smmu_model_gerror_raise(struct smmu_model *m, uint32_t err);

/* ---- model_walk.c: STE -> CD -> stage 1 -> stage 2 ---- */

/*
 * Translate one access of (sid, ssid) to @iova, as an untranslated
 * transaction. ssid == UIOMMU_PASID_NONE: no SubstreamID. Fills @res:
 * out/pgshift/prot on success, with res->tag the TLB tag (ASID for stage 1
 * and nested, VMID for stage 2 only, 0: do not cache); otherwise res->reason
 * and res->level, and an event record in the EVTQ when the architecture
 * says one is recorded. Lockless; any online lcore.
 */
void smmu_model_translate(struct smmu_model *m, uint32_t sid, uint32_t ssid,
			  uint64_t iova, uint32_t access,
			  struct uiommu_walk_result *res);

/*
 * An ATS translation request from endpoint @sid: like smmu_model_translate,
 * but refused with F_BAD_ATS_TREQ unless the STE's EATS allows it.
 */
void smmu_model_ats_request(struct smmu_model *m, uint32_t sid, uint32_t ssid,
			    uint64_t iova, uint32_t access,
			    struct uiommu_walk_result *res);

/* ---- model_evtq.c: event records ---- */

/* Encode @ev and append it to the EVTQ (drop and flag overflow when full,
 * drop when EVTQEN is clear). Any thread. */
void smmu_model_event(struct smmu_model *m, const struct smmu_event *ev);
/* Encode / decode one 32-byte record. */
void smmu_event_encode(const struct smmu_event *ev,
		       uint64_t rec[EVTQ_ENT_DWORDS]);
void smmu_event_decode(const uint64_t rec[EVTQ_ENT_DWORDS],
		       struct smmu_event *ev);

/* ---- model_cmdq.c: the command consumer ---- */

/* Consume commands from CONS up to PROD; stops at an illegal command
 * (CMDQ_ERR). Called on CMDQ_PROD and GERRORN writes. */
void smmu_model_cmdq_consume(struct smmu_model *m);
/* 0 if @cmd is a well-formed command this model implements, else the
 * CERROR_* it raises. */
uint32_t smmu_model_cmd_check(const struct smmu_model *m,
			      const uint64_t cmd[CMDQ_ENT_DWORDS]);

/* ---- model_atc.c: ATS endpoints ---- */

/* Register / remove the ATC of endpoint @sid (ctx lock; removal waits for
 * no lookup to be in flight: the caller syncs before freeing). */
struct smmu_atc *smmu_atc_create(struct smmu_model *m, uint32_t sid,
				 int socket_id);
void smmu_atc_unlink(struct smmu_model *m, struct smmu_atc *atc);
void smmu_atc_free(struct smmu_atc *atc);
/* The ATC of @sid, or NULL. Lockless. */
struct smmu_atc *smmu_atc_find(const struct smmu_model *m, uint32_t sid);
/* ATC_INV: invalidate (a superset of) [addr, addr + 2^size pages). */
void smmu_atc_invalidate(struct smmu_atc *atc, uint32_t ssid, bool global,
			 uint64_t addr, uint32_t size);
/*
 * Device-side translation: look up the calling lcore's ATC slice, and on a
 * miss send a translation request and fill it. Returns the host VA or NULL
 * (res->reason says why). Any online lcore.
 */
void *smmu_atc_translate(struct smmu_model *m, struct smmu_atc *atc,
			 uint32_t ssid, uint64_t iova, uint32_t access,
			 struct uiommu_walk_result *res);

#endif /* SMMU_MODEL_H */
