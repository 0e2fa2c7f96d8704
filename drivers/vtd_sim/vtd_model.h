/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device-model half of vtd_sim: what an Intel VT-d remapping unit does
 * with the memory software gives it. It knows nothing of uiommu objects
 * (domains, ports); it sees a register file, root/context tables, PASID
 * directories and tables, second- and first-level page tables, an
 * invalidation queue and an interrupt remapping table, all in memory, and
 * the uiommu core only as the place its IOTLB lives (uiommu_iotlb_inv_post /
 * uiommu_iotlb_sync).
 *
 * What it advertises (CAP/ECAP): 4-level (48-bit) and 3-level (39-bit)
 * second level, 2 MiB and 1 GiB superpages, page-selective invalidation,
 * queued invalidation, device-TLB, interrupt remapping with x2APIC (EIM),
 * pass-through, snoop control, 16-bit domain ids, and with cfg->scalable
 * also scalable mode: PASIDs of cfg->pasid_bits, first-level (4-level,
 * 1 GiB pages), second-level, nested translation and RID_PASID. No caching
 * mode, no posted interrupts, no page requests, no supervisor or execute
 * requests, no 5-level paging, no abort-DMA mode, no advanced fault log.
 *
 * Memory: "physical" addresses in every structure are host virtual addresses
 * of this process (the core's convention). The model reads a structure, or
 * writes a wait descriptor's status, only inside one of the EAL's memseg
 * lists (struct uiommu_memrange, snapshotted at creation); anything else is
 * the architecture's "error accessing ..." fault (or IQE for the queue),
 * never a dereference.
 *
 * The IOTLB: the core's per-lcore IOTLB IS this unit's IOTLB. A walk
 * returns res->tag = the domain id read from the context entry (legacy) or
 * the PASID entry (scalable); DID 0 and pass-through give tag 0, "do not
 * cache". Entries are therefore tagged by DID alone; the driver gives every
 * (domain, PASID) translation context its own DID, so they are effectively
 * tagged by domain and PASID, and a PASID-selective invalidation (which the
 * model executes DID-wide, a superset) removes exactly that context.
 * There is no context-cache, PASID-cache or paging-structure cache: every
 * miss walks memory from the root table. Context-cache, PASID-cache and
 * device-TLB invalidations are validated and counted, and make the next
 * wait descriptor wait a grace period (a walk that started before the
 * driver changed an entry may still be using the old one).
 *
 * Threads and ordering (who writes, who reads, what makes it safe):
 * - The register file is written by the driver half, one thread at a time
 *   (its QI lock for IQT, the ctx lock for configuration registers), and
 *   read by anyone. Every register word is accessed atomically: 64-bit
 *   registers as one 64-bit load/store, 32-bit ones as a half of it.
 * - An IQT write consumes descriptors synchronously in the writer's thread,
 *   up to IQT or the first invalid descriptor: the queue has a single
 *   consumer by construction, so the QI state below (iq_*, pending_wait,
 *   the QI counters) is that thread's alone. IQH is stored with release
 *   semantics after each descriptor's effects, so a driver that polls IQH
 *   or a wait descriptor's status word with acquire sees them.
 * - GCMD latches configuration for the walkers: dma_cfg (RTADDR latched by
 *   SRTP, plus TE) and ir_cfg (IRTA latched by SIRTP, plus IRE and CFI) are
 *   each one 64-bit word, stored with release and loaded with acquire by
 *   translate/MSI, so a walker sees a root table pointer and its mode (or a
 *   table address and its size) from the same latch.
 * - Translation (vtd_model_translate) runs on any online lcore, lockless.
 *   It reads table words with acquire loads; the driver writes them with
 *   release stores, the word holding the present bit last, so a present
 *   entry guarantees the words behind it. Tables it may still be reading
 *   are freed by the driver only after a wait descriptor, whose grace
 *   period covers every walk in flight.
 * - Faults are recorded by walkers on any lcore: fault_lock (a spinlock,
 *   taken only on the fault path) serialises them with each other and with
 *   the driver's FSTS / FRCD / FECTL writes, which go through the same lock
 *   because they read-modify-write what recorders write.
 * - Interrupt entry cache: one direct-mapped slice per lcore, written only
 *   by its lcore (no shared store on a hit). An entry is valid while the
 *   global generation and the generation of its index are those it was
 *   filled under; the QI consumer bumps them (release) on IEC descriptors,
 *   and the wait descriptor that follows waits a grace period, so once it
 *   completes no lcore uses an IRTE it read before the invalidation.
 */
#ifndef VTD_MODEL_H
#define VTD_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_spinlock.h>

#include "uiommu_vtd_sim.h"

#include "uiommu_driver.h"
#include "vtd_arch.h"

/* What the model implements. */
#define VTD_MODEL_REG_SPACE	0x2000	/* bytes of register file */
#define VTD_MODEL_IRO		0x30	/* IVA_REG at 0x300, IOTLB_REG 0x308 */
#define VTD_MODEL_FRO		0x40	/* FRCD 0 at 0x400, 16 bytes each */
#define VTD_MODEL_NFR_MAX	256
#define VTD_MODEL_NFR_DEFAULT	8
#define VTD_MODEL_MGAW		48	/* CAP.MGAW + 1 */
#define VTD_MODEL_HAW		48	/* host address width */
#define VTD_MODEL_MAMV		18	/* largest IOTLB AM: 1 GiB */
#define VTD_MODEL_MHMV		15	/* largest IEC IM */
#define VTD_MODEL_PASID_BITS	20
#define VTD_MODEL_VER		0x30	/* 3.0 */

/* Configuration of a model. */
struct vtd_model_cfg {
	uint16_t nfr;		/* fault recording registers, 1..256 (0:
				 * VTD_MODEL_NFR_DEFAULT) */
	bool scalable;		/* advertise ECAP.SMTS (and FLTS, SLTS, NEST,
				 * PASID, RPS) */
	uint8_t pasid_bits;	/* ECAP.PSS + 1, 1..20 (0: 20); scalable */
};

/* A decoded primary fault record (what FRCD registers hold). */
struct vtd_fault_record {
	uint16_t sid;		/* requester id: bus << 8 | devfn */
	uint8_t reason;		/* enum vtd_fault_reason */
	bool is_write;		/* FRCD.T1 clear */
	bool pasid_present;	/* FRCD.PP */
	uint32_t pasid;		/* FRCD.PV, valid with pasid_present */
	uint64_t fault_info;	/* FRCD.FI << 12: the page of the faulting
				 * address; IR faults: index << 48 */
};

/*
 * An interrupt as the remapping unit delivers it is the public struct
 * uiommu_vtd_irq, filled in place by vtd_model_msi(). (A private twin
 * copied field by field into it cost a failed store-to-load forward per
 * MSI, a third of BM_msi_remap.)
 */

/* Counters. The QI ones are written by the QI consumer, the fault ones
 * under fault_lock, the MSI/IEC ones per lcore (summed on read). */
struct vtd_model_stats {
	uint64_t descs[QI_DEIOTLB_TYPE + 1]; /* consumed, by QI_*_TYPE */
	uint64_t waits_waited;	/* wait descriptors that waited a grace
				 * period */
	uint64_t desc_errors;	/* invalid descriptors (FSTS.IQE raised) */
	uint64_t faults_recorded;	/* written to an FRCD */
	uint64_t faults_suppressed;	/* not recorded: FPD */
	uint64_t faults_dropped;	/* not recorded: PFO set or FRCD full */
	uint64_t msi_remapped;	/* MSIs delivered through an IRTE */
	uint64_t msi_compat;	/* MSIs delivered in compatibility format */
	uint64_t msi_blocked;	/* MSIs refused (fault) */
	uint64_t iec_hits;	/* IRTE lookups served by the IEC */
	uint64_t iec_misses;	/* IRTE lookups that read the table */
};

/* ------------------------------------------------------ internal state -- */

/* Interrupt entry cache: one slice per lcore. */
#define VTD_IEC_ENTRIES		256

struct vtd_iec_entry {
	uint64_t irte[2];	/* the IRTE as read */
	uint64_t gen_global;	/* m->iec_gen when filled */
	uint32_t gen_index;	/* m->iec_index_gen[index] when filled */
	uint32_t index_p1;	/* IRTE index + 1; 0: empty */
};

struct vtd_iec_slice {
	struct vtd_iec_entry ent[VTD_IEC_ENTRIES];
	uint64_t hits, misses;
	uint64_t msi_remapped, msi_compat, msi_blocked;
} __rte_cache_aligned;

/* dma_cfg: RTADDR as SRTP latched it, plus translation enable in bit 0
 * (a reserved bit of RTADDR). */
#define VTD_DMA_CFG_TE		BIT_ULL(0)
/* ir_cfg: IRTA as SIRTP latched it, plus IRE and CFI in reserved bits. */
#define VTD_IR_CFG_IRE		BIT_ULL(4)
#define VTD_IR_CFG_CFI		BIT_ULL(5)

struct vtd_model {
	struct uiommu_hw *hw;		/* whose IOTLBs are this unit's; may be
					 * NULL (a standalone model) */
	struct vtd_model_cfg cfg;
	uint64_t cap, ecap;		/* constant after creation */
	uint64_t *regs;			/* VTD_MODEL_REG_SPACE bytes */

	/* Latched by GCMD (driver thread), read by walkers: see header. */
	uint64_t dma_cfg;
	uint64_t ir_cfg;

	/* Invalidation queue, latched at QIE 0 -> 1; QI consumer only. */
	uint64_t iq_base;		/* host VA of the queue */
	uint32_t iq_bytes;		/* queue size in bytes */
	uint32_t iq_desc_shift;		/* 4 (128-bit) or 5 (256-bit) */
	bool iq_stopped;		/* IQE raised; restarts on the first
					 * IQT write after software clears
					 * FSTS.IQE */
	bool pending_wait;		/* invalidations since the last wait */

	/* Primary fault logging. */
	rte_spinlock_t fault_lock;
	uint32_t fault_idx;		/* next FRCD to use (under the lock) */

	/* Interrupt entry cache generations (QI consumer writes). */
	uint64_t iec_gen;
	uint32_t *iec_index_gen;	/* IRT_ENTRIES_MAX counters */
	struct vtd_iec_slice *iec[RTE_MAX_LCORE];

	struct uiommu_memrange mem;	/* what the model may fetch */
	struct vtd_model_stats stats;	/* QI and fault counters */
};

/*
 * Model-internal access to the 64-bit register word holding byte @off
 * (the caller keeps @off inside VTD_MODEL_REG_SPACE). Acquire/release: a
 * register store publishes what the writer did before it (queue entries
 * before IQT, effects of descriptors before IQH, a fault record before
 * FSTS.PPF), paired with the load of whoever reads that register next.
 */
static inline uint64_t
vtd_reg_load(const struct vtd_model *m, uint32_t off)
{
	return __atomic_load_n(&m->regs[off / 8], __ATOMIC_ACQUIRE);
}

static inline void
vtd_reg_store(struct vtd_model *m, uint32_t off, uint64_t val)
{
	__atomic_store_n(&m->regs[off / 8], val, __ATOMIC_RELEASE);
}

/* Offset of fault recording register @i. */
static inline uint32_t
vtd_frcd_off(uint32_t i)
{
	return VTD_MODEL_FRO * 16 + i * DMAR_FRCD_LEN;
}

/* ------------------------------------------- model_regs.c: the unit -- */

/*
 * Create a remapping unit whose IOTLB is @hw's per-lcore IOTLBs (@hw NULL:
 * standalone, invalidations reach no IOTLB). @cfg NULL: defaults (8 fault
 * recording registers, scalable, 20-bit PASIDs). Registers come up in their
 * reset state: translation and interrupt remapping disabled (DMA passes
 * through untranslated, MSIs are compatibility format), QI disabled.
 * Returns NULL with rte_errno: EINVAL (bad cfg), ENOMEM, ENOSPC (more
 * disjoint memseg lists than UIOMMU_MEMRANGE_MAX). Control thread.
 */
struct vtd_model *vtd_model_create(struct uiommu_hw *hw,
				   const struct vtd_model_cfg *cfg,
				   int socket_id);
/* Free @m (NULL: no-op). No translation or MSI may be in flight. */
void vtd_model_destroy(struct vtd_model *m);

/*
 * MMIO, with the architecture's side effects:
 * - GCMD: TE/QIE/IRE/CFI set or clear their GSTS status bit; SRTP latches
 *   RTADDR and sets RTPS, SIRTP latches IRTA and sets IRTPS (both complete
 *   before the write returns); QIE 0 -> 1 latches IQA and resets IQH; WBF
 *   and SFL complete at once.
 * - IQT: consumes descriptors from IQH up to IQT in the caller's thread
 *   (when QIES is set and no IQE is pending).
 * - FSTS: PFO, IQE, ICE, ITE (AFO, APF) are write-1-to-clear; PPF and FRI
 *   are read-only (PPF = OR of every FRCD.F).
 * - FRCD i, bits [127:64]: F is write-1-to-clear; the rest is read-only.
 * - ICS: IWC is write-1-to-clear. FECTL/IECTL: IM is writable; clearing IM
 *   clears IP (the model raises no interrupt).
 * - RTADDR, IQA, IRTA, FEDATA/FEADDR/FEUADDR, IEDATA/IEADDR/IEUADDR:
 *   plain storage (the latches read them).
 * - VER, CAP, ECAP, GSTS, IQH, IQERCD: read-only. Everything else (CCMD,
 *   IOTLB/IVA registers: register-based invalidation is not modelled, use
 *   QI; PMEN, AFLOG, page request and MTRR registers): RAZ/WI.
 * 32-bit accesses must be 4-byte aligned, 64-bit ones 8-byte aligned; a
 * 32-bit access to half of a 64-bit register reads/writes that half (a
 * write only takes effect as the register's side effect on the half that
 * holds the field). Misaligned or out-of-range: RAZ/WI.
 * Thread safety: reads from any thread; writes from one thread at a time.
 */
uint32_t vtd_model_read32(struct vtd_model *m, uint32_t off);
uint64_t vtd_model_read64(struct vtd_model *m, uint32_t off);
void vtd_model_write32(struct vtd_model *m, uint32_t off, uint32_t val);
void vtd_model_write64(struct vtd_model *m, uint32_t off, uint64_t val);

/* Sum of the counters (a reader on another thread sees each torn-free but
 * the set is not a snapshot). Any thread. */
void vtd_model_stats_get(const struct vtd_model *m,
			 struct vtd_model_stats *st);

/* May the model access @len bytes at @addr? */
static inline bool
vtd_model_mem_ok(const struct vtd_model *m, uint64_t addr, uint64_t len)
{
	return uiommu_memrange_ok(&m->mem, addr, len);
}

/* ------------------------------------- model_walk.c: DMA translation -- */

/*
 * Translate one untranslated DMA request of requester @sid (bus << 8 |
 * devfn) to @iova, with PASID @pasid (UIOMMU_PASID_NONE: a request without
 * PASID; in scalable mode it uses the context entry's RID_PASID), for
 * @access (UIOMMU_ACCESS_*; a device request is a user-mode, non-execute
 * request). Walks memory: legacy root -> context -> second level; scalable
 * root -> context -> PASID directory -> PASID entry -> first level, second
 * level, nested (first-level output translated by the second level; the
 * first-level table pointers themselves are host VAs, NOT translated) or
 * pass-through. With TE clear, every request passes through untranslated.
 *
 * Fills @res: out (host VA of the page base), pgshift (12/21/30), prot,
 * tag (the DID; 0: do not cache) on success; reason (enum
 * uiommu_fault_reason) and level otherwise, after recording the VT-d fault
 * in the fault recording registers unless FPD suppresses it (see
 * model_fault.c). Returns 0 on success, -EFAULT on a fault.
 * Lockless; any online lcore.
 */
int vtd_model_translate(struct vtd_model *m, uint16_t sid, uint32_t pasid,
			uint64_t iova, uint32_t access,
			struct uiommu_walk_result *res);

/* ----------------------------------- model_fault.c: primary faults -- */

/*
 * Record @f in the fault recording registers as primary fault logging
 * does: at the internal index if FSTS.PFO is clear and that register's F is
 * clear (else set PFO and drop it), then advance the index (wrapping at
 * CAP.NFR + 1), set FRI when PPF was clear, and set PPF. Any thread.
 */
void vtd_model_fault(struct vtd_model *m, const struct vtd_fault_record *f);
/* Count a fault that FPD kept out of the registers. Any thread. */
void vtd_model_fault_suppressed(struct vtd_model *m);
/* Encode / decode one 128-bit fault recording register (F set on encode). */
void vtd_fault_record_encode(const struct vtd_fault_record *f,
			     uint64_t frcd[2]);
void vtd_fault_record_decode(const uint64_t frcd[2],
			     struct vtd_fault_record *f);
/* Register writes with fault-path side effects (model_regs.c routes them
 * here; they take fault_lock). */
void vtd_model_fsts_write(struct vtd_model *m, uint32_t val);
void vtd_model_frcd_hi_write(struct vtd_model *m, uint32_t i, uint64_t val);
/* Reset the internal fault index (TE and IRE both clear). Driver thread. */
void vtd_model_fault_index_reset(struct vtd_model *m);
/* Stop the invalidation queue: IQERCD.IQEI = @iqei, FSTS.IQE set. QI
 * consumer. */
void vtd_model_iqe_raise(struct vtd_model *m, uint32_t iqei);

/* ------------------------------------- model_qi.c: invalidation queue -- */

/* Consume descriptors from IQH up to IQT (see vtd_model_write*). Called on
 * IQT writes, by the single QI consumer. */
void vtd_model_qi_consume(struct vtd_model *m);
/*
 * 0 if the @wide (256-bit: 4 words, else 2) descriptor @desc is one this
 * unit accepts, else the IQERCD.IQEI it raises (enum vtd_iqei).
 */
uint32_t vtd_model_qi_check(const struct vtd_model *m, const uint64_t *desc,
			    bool wide);

/* ------------------------------- model_ir.c: interrupt remapping, IEC -- */

/*
 * An MSI write of @data to @addr by requester @sid. Addresses outside
 * 0xFEEx_xxxx are not interrupts (-EINVAL, nothing recorded). With
 * interrupt remapping disabled, or in compatibility format with GSTS.CFIS
 * set (and IRTA.EIME clear), the message is decoded as is; in remappable
 * format it goes through the IRTE its handle (plus the subhandle when SHV)
 * names, read through the calling lcore's interrupt entry cache.
 * Returns 0 with @out filled, -EINVAL (not an interrupt address), or
 * -EPERM (blocked: an IR fault was recorded unless FPD). Any thread; no
 * lock and no shared store on an IEC hit from an EAL lcore.
 */
int vtd_model_msi(struct vtd_model *m, uint16_t sid, uint64_t addr,
		  uint32_t data, struct uiommu_vtd_irq *out);

/* IEC invalidation, by the QI consumer: everything (@global) or the
 * 2^@im indices aligned around @index. */
void vtd_model_iec_invalidate(struct vtd_model *m, bool global,
			      uint32_t index, uint32_t im);
/* Allocate / free the per-lcore IEC slices (model_regs.c). */
int vtd_model_iec_init(struct vtd_model *m, int socket_id);
void vtd_model_iec_fini(struct vtd_model *m);

#endif /* VTD_MODEL_H */
