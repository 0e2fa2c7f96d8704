/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's side of the invalidation queue: descriptors built from a
 * struct by one function (vtd_desc_build), written ahead of IQT, published
 * in batches, each batch closed by one wait descriptor (SW=1, FN=1) whose
 * status write the driver polls.
 *
 * A full queue is never overwritten: the producer rings IQT (the model
 * consumes synchronously) and re-reads IQH. A malformed descriptor stops
 * the queue with FSTS.IQE; like Linux's qi_check_fault() we replace it by a
 * harmless wait descriptor (no status write), clear IQE, count it and fail
 * the sync that covers it with -EIO.
 *
 * Everything here runs with drv->qi_lock held, except vtd_qi_init (ctx
 * lock, before QIE) and vtd_qi_issue (takes it).
 */
#include <errno.h>
#include <inttypes.h>

#include <rte_malloc.h>
#include <rte_pause.h>

#include "vtd_drv.h"

#define QI_ERR_RETRIES	16

void
vtd_desc_build(const struct vtd_drv *drv, const struct vtd_desc *d,
	       uint64_t out[4])
{
	uint64_t w0 = FIELD_PREP(QI_TYPE_LO, d->type & 0xf) |
		      FIELD_PREP(QI_TYPE_HI, d->type >> 4), w1 = 0;

	RTE_SET_USED(drv);
	switch (d->type) {
	case QI_CC_TYPE:
		w0 |= FIELD_PREP(QI_CC_G, d->g) | FIELD_PREP(QI_CC_DID, d->did) |
		      FIELD_PREP(QI_CC_SID, d->sid);
		break;
	case QI_IOTLB_TYPE:
		w0 |= FIELD_PREP(QI_IOTLB_G, d->g) |
		      FIELD_PREP(QI_IOTLB_DID, d->did) | QI_IOTLB_DR |
		      QI_IOTLB_DW;
		if (d->g == QI_IOTLB_G_PSI)
			w1 = FIELD_PREP(QI_IOTLB_AM, d->am) |
			     (d->ih ? QI_IOTLB_IH : 0) |
			     (d->addr & QI_IOTLB_ADDR);
		break;
	case QI_DIOTLB_TYPE:
		w0 |= FIELD_PREP(QI_DEV_IOTLB_SID, d->sid);
		w1 = (d->size ? QI_DEV_IOTLB_S : 0) |
		     (d->addr & QI_DEV_IOTLB_ADDR);
		break;
	case QI_IEC_TYPE:
		if (d->g)
			w0 |= QI_IEC_G | FIELD_PREP(QI_IEC_IM, d->am) |
			      FIELD_PREP(QI_IEC_IIDX, d->index);
		break;
	case QI_IWD_TYPE:
		w0 |= (d->sw ? QI_IWD_SW : 0) | (d->fn ? QI_IWD_FN : 0) |
		      FIELD_PREP(QI_IWD_STATUS_DATA, d->status);
		w1 = d->addr & QI_IWD_STATUS_ADDR;
		break;
	case QI_EIOTLB_TYPE:
		w0 |= FIELD_PREP(QI_EIOTLB_G, d->g) |
		      FIELD_PREP(QI_EIOTLB_DID, d->did) |
		      FIELD_PREP(QI_EIOTLB_PASID, d->pasid);
		if (d->g == QI_EIOTLB_G_PSI)
			w1 = FIELD_PREP(QI_EIOTLB_AM, d->am) |
			     (d->ih ? QI_EIOTLB_IH : 0) |
			     (d->addr & QI_EIOTLB_ADDR);
		break;
	case QI_PC_TYPE:
		w0 |= FIELD_PREP(QI_PC_G, d->g) | FIELD_PREP(QI_PC_DID, d->did) |
		      FIELD_PREP(QI_PC_PASID, d->pasid);
		break;
	case QI_DEIOTLB_TYPE:
		w0 |= FIELD_PREP(QI_DEV_EIOTLB_SID, d->sid) |
		      FIELD_PREP(QI_DEV_EIOTLB_PASID, d->pasid);
		w1 = (d->size ? QI_DEV_EIOTLB_S : 0) |
		     (d->addr & QI_DEV_EIOTLB_ADDR);
		break;
	default:
		break;
	}
	out[0] = w0;
	out[1] = w1;
	out[2] = 0;
	out[3] = 0;
}

int
vtd_qi_init(struct vtd_drv *drv, unsigned int qs, int socket)
{
	drv->iq_bytes = UINT32_C(1) << (IQ_PAGE_SHIFT + qs);
	drv->desc_shift = drv->scalable ? IQ_DESC_SHIFT_256 : IQ_DESC_SHIFT_128;
	drv->iq = rte_zmalloc_socket("vtd_iq", drv->iq_bytes, 4096, socket);
	drv->status = rte_zmalloc_socket("vtd_qi_status", sizeof(uint32_t),
					 RTE_CACHE_LINE_SIZE, socket);
	if (drv->iq == NULL || drv->status == NULL)
		return -ENOMEM;
	vtd_model_write64(drv->m, DMAR_IQT_REG, 0);
	vtd_model_write64(drv->m, DMAR_IQA_REG,
			  ((uintptr_t)drv->iq & IQA_IQA) |
			  (drv->scalable ? IQA_DW : 0) |
			  FIELD_PREP(IQA_QS, qs));
	return 0;
}

/* FSTS.IQE: the descriptor at IQH is bad. Replace it by a wait without
 * status write, clear IQE, let the queue go on. */
static int
qi_fix_error(struct vtd_drv *drv)
{
	uint64_t head = vtd_model_read64(drv->m, DMAR_IQH_REG) & IQH_QH;
	uint64_t *ent = &drv->iq[head / 8];
	struct vtd_desc skip = { .type = QI_IWD_TYPE };
	uint32_t iqei = FIELD_GET(IQERCD_IQEI,
				  vtd_model_read64(drv->m, DMAR_IQERCD_REG));

	drv->stats.desc_errors++;
	drv->qi_error = true;
	VTD_LOG(ERR, "IQE (IQEI %u) at %#" PRIx64 ": %#" PRIx64 " %#" PRIx64
		", skipped", iqei, head, ent[0], ent[1]);
	if (iqei != IQEI_DESC_TYPE_INVALID && iqei != IQEI_DESC_RSVD_FIELD &&
	    iqei != IQEI_DESC_FETCH_ERROR)
		return -EIO;	/* the queue itself is misprogrammed */
	vtd_desc_build(drv, &skip, ent);
	if (drv->desc_shift == IQ_DESC_SHIFT_256) {
		ent[2] = 0;
		ent[3] = 0;
	}
	vtd_model_write32(drv->m, DMAR_FSTS_REG, FSTS_IQE);
	return 0;
}

/* Publish everything written so far; the model consumes it. */
static int
qi_ring(struct vtd_drv *drv)
{
	int tries;

	for (tries = 0; tries < QI_ERR_RETRIES; tries++) {
		/* Release (inside the model's register store): the
		 * descriptors before IQT. */
		vtd_model_write64(drv->m, DMAR_IQT_REG, drv->iq_tail);
		drv->stats.doorbells++;
		if (!(vtd_model_read32(drv->m, DMAR_FSTS_REG) & FSTS_IQE))
			return 0;
		if (qi_fix_error(drv) != 0)
			return -EIO;
	}
	return -EIO;
}

/* The head only moves forward towards the tail: a queue that is not full
 * against a stale head is not full. */
static bool
qi_full(struct vtd_drv *drv)
{
	/* iq_bytes is a power of two (4 KiB << IQA.QS): no division. */
	uint32_t next = (drv->iq_tail + (1u << drv->desc_shift)) &
			(drv->iq_bytes - 1);

	if (next != drv->iq_head)
		return false;
	drv->iq_head = vtd_model_read64(drv->m, DMAR_IQH_REG) & IQH_QH;
	return next == drv->iq_head;
}

int
vtd_qi_add_raw(struct vtd_drv *drv, const uint64_t raw[4])
{
	unsigned int words = 1u << (drv->desc_shift - 3), i;
	uint64_t *ent;
	uint32_t type;

	if (qi_full(drv)) {
		drv->stats.queue_full++;
		if (qi_ring(drv) != 0 || qi_full(drv))
			return -EIO;
	}
	ent = &drv->iq[drv->iq_tail / 8];
	for (i = 0; i < words; i++)
		ent[i] = raw[i];
	drv->iq_tail = (drv->iq_tail + (1u << drv->desc_shift)) &
		       (drv->iq_bytes - 1);
	drv->qi_dirty = true;
	type = FIELD_GET(QI_TYPE_LO, raw[0]) |
	       (uint32_t)FIELD_GET(QI_TYPE_HI, raw[0]) << 4;
	if (type < UIOMMU_VTD_DESC_TYPES)
		drv->stats.descs[type]++;
	return 0;
}

int
vtd_qi_add(struct vtd_drv *drv, const struct vtd_desc *d)
{
	uint64_t raw[4];

	vtd_desc_build(drv, d, raw);
	return vtd_qi_add_raw(drv, raw);
}

int
vtd_qi_sync(struct vtd_drv *drv)
{
	struct vtd_desc wait = {
		.type = QI_IWD_TYPE, .sw = true, .fn = true,
		.addr = (uintptr_t)drv->status,
	};
	int rc;

	if (!drv->qi_dirty && !drv->qi_error)
		return 0;
	wait.status = ++drv->status_seq;
	rc = vtd_qi_add(drv, &wait);
	if (rc == 0)
		rc = qi_ring(drv);
	/* Pairs with the model's release store of the status data: what
	 * the wait covered is complete once the word reads our number. The
	 * model consumes in IQT's writer, so this does not spin. */
	while (rc == 0 && __atomic_load_n(drv->status, __ATOMIC_ACQUIRE) !=
	       drv->status_seq) {
		if (vtd_model_read32(drv->m, DMAR_FSTS_REG) & FSTS_IQE)
			rc = qi_ring(drv);
		else
			rte_pause();
	}
	drv->qi_dirty = false;
	if (drv->qi_error) {
		drv->qi_error = false;
		rc = -EIO;
	}
	return rc;
}

int
vtd_qi_issue(struct vtd_drv *drv, const struct vtd_desc *d, unsigned int n)
{
	unsigned int i;
	int rc = 0;

	pthread_mutex_lock(&drv->qi_lock);
	for (i = 0; i < n && rc == 0; i++)
		rc = vtd_qi_add(drv, &d[i]);
	if (rc == 0)
		rc = vtd_qi_sync(drv);
	pthread_mutex_unlock(&drv->qi_lock);
	return rc;
}

/* ---------------------------------------------------- invalidations -- */

/* The domain/PASID-selective descriptor of a tag. */
static void
ctx_desc(const struct vtd_tag_info *ti, uint16_t did, struct vtd_desc *d)
{
	if (ti->kind == VTD_TAG_FL || ti->kind == VTD_TAG_NESTED)
		*d = (struct vtd_desc){ .type = QI_EIOTLB_TYPE,
			.g = QI_EIOTLB_G_PASID, .did = did,
			.pasid = ti->pasid };
	else
		*d = (struct vtd_desc){ .type = QI_IOTLB_TYPE,
			.g = QI_IOTLB_G_DSI, .did = did };
}

/* The address mask of the largest naturally aligned power-of-two chunk
 * at @addr that ends at or before @end; AM <= CAP.MAMV. */
static inline unsigned int
psi_am(unsigned int mamv, uint64_t addr, uint64_t end)
{
	unsigned int am = 0;

	while (am < mamv &&
	       !(addr & ((VTD_PAGE_SIZE << (am + 1)) - 1)) &&
	       addr + (VTD_PAGE_SIZE << (am + 1)) - 1 <= end &&
	       addr + (VTD_PAGE_SIZE << (am + 1)) - 1 > addr)
		am++;
	return am;
}

/*
 * Naturally aligned power-of-two chunks covering [first, last]: how many,
 * counting no further than @max + 1; or, when @d is not NULL, queue each
 * as @d with its address and mask filled in (@d is written in place, not
 * copied: copying a descriptor just built field by field costs a failed
 * store-to-load forward per copy, a fifth of a PSI in BM_qi_iotlb_wait).
 */
static int
psi_chunks(struct vtd_drv *drv, struct vtd_desc *d, uint64_t first,
	   uint64_t last, unsigned int max)
{
	uint64_t addr = first & ~(VTD_PAGE_SIZE - 1);
	uint64_t end = (last | (VTD_PAGE_SIZE - 1));
	unsigned int n = 0;
	int rc;

	for (;;) {
		unsigned int am = psi_am(drv->mamv, addr, end);

		n++;
		if (d != NULL) {
			d->am = am;
			d->addr = addr;
			rc = vtd_qi_add(drv, d);
			if (rc != 0)
				return rc;
		} else if (n > max) {
			break;
		}
		if (addr + (VTD_PAGE_SIZE << am) - 1 >= end)
			break;
		addr += VTD_PAGE_SIZE << am;
	}
	return (int)n;
}

/* Device-TLB invalidations for the ATS devices bound to @inv's tag. */
static int
qi_devtlb(struct vtd_drv *drv, const struct uiommu_inv *inv)
{
	struct vtd_ats_bind *b;
	int rc = 0;

	TAILQ_FOREACH(b, &drv->ats_binds, next) {
		struct vtd_desc d = { .size = true,
			.addr = ~UINT64_C(0) >> 1 & ~(VTD_PAGE_SIZE - 1) };

		if (inv->op != UIOMMU_INV_ALL && b->tag != inv->tag)
			continue;
		/* S=1 with every address bit below 63 set: all of it. */
		d.sid = b->sid;
		if (drv->scalable) {
			d.type = QI_DEIOTLB_TYPE;
			d.pasid = b->pasid;
		} else {
			d.type = QI_DIOTLB_TYPE;
		}
		rc |= vtd_qi_add(drv, &d);
	}
	return rc;
}

int
vtd_qi_inv(struct vtd_drv *drv, const struct uiommu_inv *inv)
{
	const struct vtd_tag_info *ti = &drv->tag_info[inv->tag &
						       (VTD_DRV_TAGS - 1)];
	uint16_t did = (uint16_t)inv->tag;
	struct vtd_desc by_ctx;
	int rc;

	if (inv->op == UIOMMU_INV_ALL || ti->kind == VTD_TAG_NONE ||
	    inv->tag >= VTD_DRV_TAGS) {
		by_ctx = (struct vtd_desc){ .type = QI_IOTLB_TYPE,
					    .g = QI_IOTLB_G_GLOBAL };
		rc = vtd_qi_add(drv, &by_ctx);
		return rc != 0 ? rc : qi_devtlb(drv, inv);
	}
	ctx_desc(ti, did, &by_ctx);
	if (inv->op == UIOMMU_INV_TAG_RANGE &&
	    psi_chunks(drv, NULL, inv->iova, inv->last, drv->psi_max) <=
	    (int)drv->psi_max) {
		by_ctx.g = by_ctx.type == QI_EIOTLB_TYPE ? QI_EIOTLB_G_PSI :
							   QI_IOTLB_G_PSI;
		rc = psi_chunks(drv, &by_ctx, inv->iova, inv->last, 0);
		rc = rc < 0 ? rc : 0;
	} else {
		rc = vtd_qi_add(drv, &by_ctx);
	}
	return rc != 0 ? rc : qi_devtlb(drv, inv);
}

int
vtd_qi_flush_ctx(struct vtd_drv *drv, uint16_t sid, uint32_t pasid,
		 uint16_t did, enum vtd_tag_kind kind, bool ats)
{
	struct vtd_tag_info ti = { .kind = kind, .pasid = pasid };
	struct vtd_desc d;
	int rc;

	if (did == 0)
		d = (struct vtd_desc){ .type = QI_IOTLB_TYPE,
				       .g = QI_IOTLB_G_GLOBAL };
	else
		ctx_desc(&ti, did, &d);
	rc = vtd_qi_add(drv, &d);
	if (rc == 0 && ats) {
		d = (struct vtd_desc){ .size = true, .sid = sid,
			.addr = ~UINT64_C(0) >> 1 & ~(VTD_PAGE_SIZE - 1) };
		d.type = drv->scalable ? QI_DEIOTLB_TYPE : QI_DIOTLB_TYPE;
		d.pasid = pasid;
		rc = vtd_qi_add(drv, &d);
	}
	return rc;
}
