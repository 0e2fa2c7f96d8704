/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver half of vtd_sim: what Linux's intel-iommu driver does, against
 * the device model (vtd_model.h). It owns the root, context, PASID
 * directory and PASID tables, the invalidation queue and the interrupt
 * remapping table, programs the model through its registers only, and turns
 * the core's invalidations into QI descriptors closed by one wait
 * descriptor per sync.
 *
 * DID = the core's tag: the model caches walks under the DID it reads from
 * the context / PASID entry, so each (domain, PASID) context gets its own.
 *
 * Locking:
 * - hw_init/fini, dev_init/fini, attach, detach hold the ctx lock: they are
 *   the only writers of the tables and of tag_info[] / ats binds, which
 *   they change while also holding qi_lock (inv/sync read them under it).
 * - qi_lock (a mutex: a wait descriptor waits a grace period) serialises
 *   every QI producer and the model's consumption that an IQT write runs.
 * - ir_lock serialises IRTE allocation and updates (the API may be called
 *   outside the ctx lock); fault_lock the fault record reader.
 * Table words are stored with release semantics, the word holding P last,
 * pairing with the walker's acquire loads.
 */
#ifndef VTD_DRV_H
#define VTD_DRV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_log.h>

#include "vtd_model.h"
#include "uiommu_vtd_sim.h"

#define VTD_DRV_TAGS		(1u << 16)
#define VTD_DRV_PSI_MAX_DEF	4
#define VTD_DRV_IRT_LOG2_DEF	10

/* What a DID (tag) names, so that an invalidation picks its descriptor. */
enum vtd_tag_kind {
	VTD_TAG_NONE = 0,
	VTD_TAG_SL,		/* scalable, second-level only */
	VTD_TAG_FL,		/* scalable, first level */
	VTD_TAG_NESTED,		/* scalable, nested */
	VTD_TAG_LEGACY,		/* legacy context entry */
};

struct vtd_tag_info {
	uint32_t pasid;		/* the PASID the context uses (0: RID) */
	uint8_t kind;		/* enum vtd_tag_kind */
};

/* An ATS device's (sid, pasid) bound to a tag: device-TLB targets. */
struct vtd_ats_bind {
	TAILQ_ENTRY(vtd_ats_bind) next;
	uint16_t sid;
	uint32_t pasid;		/* 0: the RID (RID_PASID) */
	uint32_t tag;
};

/* A descriptor before encoding. */
struct vtd_desc {
	uint8_t type;		/* QI_*_TYPE */
	uint8_t g;		/* granularity */
	uint8_t am;		/* address mask (PSI), IEC index mask */
	bool sw, fn, size, ih;
	uint16_t did, sid;
	uint32_t pasid;
	uint32_t index;		/* IEC */
	uint32_t status;	/* wait: status data */
	uint64_t addr;		/* PSI / dev-TLB address, wait status addr */
};

struct vtd_drv_dev {
	uint16_t sid;
	bool ats;
	uint8_t pdts;
	uint64_t *ctx;		/* its context entry (2 or 4 words) */
	uint64_t *pasid_dir;	/* scalable */
	uint64_t **pasid_tbl;	/* per directory entry, on demand */
	uint32_t dir_entries;
};

struct vtd_irte_owner {
	uint16_t sid;
	bool used;
};

struct vtd_drv {
	struct uiommu_hw *hw;
	struct vtd_model *m;
	bool scalable;
	bool cfi;
	unsigned int psi_max;
	unsigned int mamv;	/* CAP.MAMV, read once at bring-up */
	uint64_t *root;		/* 256 x 128-bit root entries */
	uint64_t *ctx_tbl[256][2]; /* per bus: lower/upper (legacy: [0]) */

	pthread_mutex_t qi_lock;
	uint64_t *iq;		/* the queue */
	uint32_t iq_bytes;
	uint32_t desc_shift;	/* 4 or 5 */
	uint32_t iq_tail;	/* shadow of IQT (written ahead) */
	uint32_t iq_head;	/* IQH as last read: the queue is full only
				 * if it looks full against this, so an add
				 * reads the register only then */
	bool qi_dirty;		/* descriptors since the last wait */
	bool qi_error;		/* IQE since the last sync: it fails */
	uint32_t *status;	/* wait status word */
	uint32_t status_seq;

	struct vtd_tag_info *tag_info;	/* VTD_DRV_TAGS */
	TAILQ_HEAD(, vtd_ats_bind) ats_binds;

	pthread_mutex_t ir_lock;
	uint64_t *irt;		/* 2^irt_log2 x 128-bit IRTEs */
	uint32_t irt_entries;
	struct vtd_irte_owner *irte_owner;
	bool eime;

	pthread_mutex_t fault_lock;
	struct uiommu_vtd_sim_stats stats;
};

extern const struct uiommu_hw_ops vtd_sim_ops;
extern int vtd_sim_logtype;

#define VTD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vtd_sim_logtype, "vtd_sim: " fmt "\n", \
		##__VA_ARGS__)

static inline struct vtd_drv *
vtd_drv_of(const struct uiommu_hw *hw)
{
	return uiommu_hw_priv(hw);
}

static inline void
vtd_word_store(uint64_t *p, uint64_t v)
{
	/* Pairs with the model's acquire load of each table word. */
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* vtd_drv_qi.c; all but init/issue with qi_lock held. */
int vtd_qi_init(struct vtd_drv *drv, unsigned int qs, int socket);
void vtd_desc_build(const struct vtd_drv *drv, const struct vtd_desc *d,
		    uint64_t out[4]);
int vtd_qi_add(struct vtd_drv *drv, const struct vtd_desc *d);
/* Queue raw words (2 or 4), for tests of malformed descriptors. */
int vtd_qi_add_raw(struct vtd_drv *drv, const uint64_t raw[4]);
int vtd_qi_sync(struct vtd_drv *drv);
int vtd_qi_inv(struct vtd_drv *drv, const struct uiommu_inv *inv);
/* Takes qi_lock: @n descriptors then a sync. */
int vtd_qi_issue(struct vtd_drv *drv, const struct vtd_desc *d, unsigned int n);
/* Descriptors that flush a context: IOTLB of @did, device-TLB. */
int vtd_qi_flush_ctx(struct vtd_drv *drv, uint16_t sid, uint32_t pasid,
		     uint16_t did, enum vtd_tag_kind kind, bool ats);

/* vtd_drv_tables.c (ctx lock) */
int vtd_root_init(struct vtd_drv *drv, int socket);
void vtd_root_fini(struct vtd_drv *drv);
int vtd_ctx_init(struct vtd_drv *drv, struct vtd_drv_dev *dd, uint8_t pasid_bits);
void vtd_ctx_fini(struct vtd_drv *drv, struct vtd_drv_dev *dd);
uint64_t *vtd_pasid_slot(struct vtd_drv_dev *dd, uint32_t pasid, bool create);
int vtd_pasid_entry_build(const struct uiommu_domain *dom, uint16_t did,
			  uint64_t pe[PASID_ENTRY_WORDS]);
int vtd_legacy_ctx_build(const struct uiommu_domain *dom, uint16_t did,
			 bool ats, uint64_t ce[2]);
/* Install a PASID entry / legacy context entry with the teardown. */
int vtd_pasid_write(struct vtd_drv *drv, struct vtd_drv_dev *dd,
		    uint32_t pasid, uint64_t *slot,
		    const uint64_t pe[PASID_ENTRY_WORDS]);
int vtd_legacy_ctx_write(struct vtd_drv *drv, struct vtd_drv_dev *dd,
			 const uint64_t ce[2]);

/* vtd_drv_ir.c */
int vtd_ir_init(struct vtd_drv *drv, unsigned int log2, int socket);
void vtd_ir_fini(struct vtd_drv *drv);

#endif /* VTD_DRV_H */
