/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The invalidation queue, consumer side: fetch, validation of each 128- or
 * 256-bit descriptor (IQA.DW), execution, and the IQE error path.
 *
 * What the descriptors do here:
 * - IOTLB and PASID-based IOTLB: the unit's IOTLB is the core's per-lcore
 *   IOTLB, tagged by DID (vtd_model.h), so they become
 *   uiommu_iotlb_inv_post() calls: global -> UIOMMU_INV_ALL; domain- and
 *   PASID-selective -> UIOMMU_INV_TAG of the DID; page-selective ->
 *   UIOMMU_INV_TAG_RANGE over the 2^AM pages at ADDR, ADDR aligned down to
 *   that size. A PASID-selective invalidation is done DID-wide (the driver
 *   gives each PASID context its own DID, so this is exact for it, and a
 *   superset otherwise); IH (leaf only) and drain hints are ignored: every
 *   invalidation is a superset of what was asked.
 * - Interrupt entry cache: bumps the generation of every index it names
 *   (or the global one) so that no IEC slice hits on them again
 *   (model_ir.c).
 * - Context-cache, PASID-cache, device-TLB and PASID-based device-TLB: no
 *   such cache is modelled (every walk reads the tables; no ATS endpoint
 *   behind this unit caches translations), so they are validated and
 *   counted only.
 * - Every one of those makes the next wait descriptor wait: uiommu_iotlb_
 *   sync(), once per wait, completes every posted invalidation on every
 *   online lcore and outlasts any walk or IEC lookup that started before.
 *   Then the wait writes STATUS DATA to STATUS ADDR (SW) and sets ICS.IWC
 *   (IF). FN (fence) needs nothing more: descriptors run in order, and each
 *   one is complete when the next starts.
 *
 * Errors, as the architecture specifies: a descriptor that is malformed
 * (unknown type, reserved field, reserved granularity, AM or IM above the
 * maximum), that cannot be fetched, or a queue set up wrongly (IQT beyond
 * the queue or misaligned for 256-bit descriptors, 128-bit descriptors in
 * scalable mode) sets FSTS.IQE and IQERCD.IQEI and stops the queue with
 * IQH on the offending descriptor. Nothing is fetched until software clears
 * IQE (write 1 to FSTS); consumption then resumes, at IQH, on the next IQT
 * write. (Linux replaces the bad descriptor with its wait descriptor,
 * clears IQE and resubmits.)
 *
 * Single consumer: called from the thread that writes IQT, which the
 * driver serialises.
 */
#include <errno.h>

#include "vtd_model.h"

#define QI_TYPE_FIELDS		(QI_TYPE_LO | QI_TYPE_HI)

static inline uint32_t
qi_type(uint64_t w0)
{
	return FIELD_GET(QI_TYPE_LO, w0) |
	       (uint32_t)FIELD_GET(QI_TYPE_HI, w0) << 4;
}

/* Fields each type may set (words 0 and 1); any other bit is reserved. */
struct qi_fields {
	uint64_t w0, w1;
	bool pasid;		/* needs scalable mode support */
};

static const struct qi_fields qi_fields[QI_DEIOTLB_TYPE + 1] = {
	[QI_CC_TYPE] = { QI_CC_G | QI_CC_DID | QI_CC_SID | QI_CC_FM, 0 },
	[QI_IOTLB_TYPE] = {
		QI_IOTLB_G | QI_IOTLB_DW | QI_IOTLB_DR | QI_IOTLB_DID,
		QI_IOTLB_AM | QI_IOTLB_IH | QI_IOTLB_ADDR },
	[QI_DIOTLB_TYPE] = {
		QI_DEV_IOTLB_PFSID_LO | QI_DEV_IOTLB_MIP | QI_DEV_IOTLB_SID |
		QI_DEV_IOTLB_PFSID_HI,
		QI_DEV_IOTLB_S | QI_DEV_IOTLB_ADDR },
	[QI_IEC_TYPE] = { QI_IEC_G | QI_IEC_IM | QI_IEC_IIDX, 0 },
	/* PD needs ECAP.PDS, which this unit does not have. */
	[QI_IWD_TYPE] = {
		QI_IWD_IF | QI_IWD_SW | QI_IWD_FN | QI_IWD_STATUS_DATA,
		QI_IWD_STATUS_ADDR },
	[QI_EIOTLB_TYPE] = {
		QI_EIOTLB_G | QI_EIOTLB_DID | QI_EIOTLB_PASID,
		QI_EIOTLB_AM | QI_EIOTLB_IH | QI_EIOTLB_ADDR, true },
	[QI_PC_TYPE] = { QI_PC_G | QI_PC_DID | QI_PC_PASID, 0, true },
	[QI_DEIOTLB_TYPE] = {
		QI_DEV_EIOTLB_MIP | QI_DEV_EIOTLB_PFSID_LO |
		QI_DEV_EIOTLB_SID | QI_DEV_EIOTLB_PASID |
		QI_DEV_EIOTLB_PFSID_HI,
		QI_DEV_EIOTLB_G | QI_DEV_EIOTLB_S | QI_DEV_EIOTLB_ADDR, true },
};

/* Value checks of a descriptor whose fields passed. */
static uint32_t
qi_check_values(const struct vtd_model *m, uint32_t type,
		const uint64_t *desc)
{
	switch (type) {
	case QI_CC_TYPE:
		if (FIELD_GET(QI_CC_G, desc[0]) == 0)
			return IQEI_DESC_RSVD_FIELD;
		break;
	case QI_IOTLB_TYPE:
		if (FIELD_GET(QI_IOTLB_G, desc[0]) == 0 ||
		    (FIELD_GET(QI_IOTLB_G, desc[0]) == QI_IOTLB_G_PSI &&
		     FIELD_GET(QI_IOTLB_AM, desc[1]) >
		     FIELD_GET(CAP_MAMV, m->cap)))
			return IQEI_DESC_RSVD_FIELD;
		break;
	case QI_IEC_TYPE:
		if ((desc[0] & QI_IEC_G) &&
		    FIELD_GET(QI_IEC_IM, desc[0]) >
		    FIELD_GET(ECAP_MHMV, m->ecap))
			return IQEI_DESC_RSVD_FIELD;
		break;
	case QI_IWD_TYPE:
		if ((desc[0] & QI_IWD_SW) &&
		    !vtd_model_mem_ok(m, desc[1] & QI_IWD_STATUS_ADDR,
				      sizeof(uint32_t)))
			return IQEI_DESC_FETCH_ERROR;
		break;
	case QI_EIOTLB_TYPE:
		/* Granularities 0 and 1 are reserved. */
		if (FIELD_GET(QI_EIOTLB_G, desc[0]) < QI_EIOTLB_G_PASID ||
		    (FIELD_GET(QI_EIOTLB_G, desc[0]) == QI_EIOTLB_G_PSI &&
		     FIELD_GET(QI_EIOTLB_AM, desc[1]) >
		     FIELD_GET(CAP_MAMV, m->cap)))
			return IQEI_DESC_RSVD_FIELD;
		break;
	case QI_PC_TYPE:
		if (FIELD_GET(QI_PC_G, desc[0]) == 2)
			return IQEI_DESC_RSVD_FIELD;
		break;
	default:
		break;
	}
	return 0;
}

uint32_t
vtd_model_qi_check(const struct vtd_model *m, const uint64_t *desc,
		   bool wide)
{
	uint32_t type = qi_type(desc[0]);
	const struct qi_fields *f;

	if (type == 0 || type >= RTE_DIM(qi_fields))
		return IQEI_DESC_TYPE_INVALID;
	f = &qi_fields[type];
	if (f->pasid && !(m->ecap & ECAP_SMTS))
		return IQEI_DESC_TYPE_INVALID;
	if ((desc[0] & ~(QI_TYPE_FIELDS | f->w0)) || (desc[1] & ~f->w1) ||
	    (wide && (desc[2] | desc[3])))
		return IQEI_DESC_RSVD_FIELD;
	return qi_check_values(m, type, desc);
}

/* ------------------------------------------------------------ execution -- */

static void
inv_post(struct vtd_model *m, uint32_t op, uint32_t did, uint64_t iova,
	 uint64_t last)
{
	const struct uiommu_inv inv = {
		.iova = iova, .last = last, .tag = did, .op = op,
	};

	/* DID 0 is never cached (model_walk.c); a standalone model has no
	 * IOTLB to reach. */
	if ((op != UIOMMU_INV_ALL && did == 0) || m->hw == NULL)
		return;
	uiommu_iotlb_inv_post(m->hw, &inv);
}

/* Page-selective: the 2^@am pages around @addr. */
static void
inv_psi(struct vtd_model *m, uint32_t did, uint64_t addr, unsigned int am)
{
	uint64_t size = VTD_PAGE_SIZE << am;
	uint64_t iova = addr & ~(size - 1);

	inv_post(m, UIOMMU_INV_TAG_RANGE, did, iova, iova + size - 1);
}

static void
qi_iotlb(struct vtd_model *m, const uint64_t *desc)
{
	uint32_t did = FIELD_GET(QI_IOTLB_DID, desc[0]);

	switch (FIELD_GET(QI_IOTLB_G, desc[0])) {
	case QI_IOTLB_G_GLOBAL:
		inv_post(m, UIOMMU_INV_ALL, 0, 0, 0);
		break;
	case QI_IOTLB_G_DSI:
		inv_post(m, UIOMMU_INV_TAG, did, 0, 0);
		break;
	default:	/* PSI */
		inv_psi(m, did, desc[1] & QI_IOTLB_ADDR,
			FIELD_GET(QI_IOTLB_AM, desc[1]));
		break;
	}
}

static void
qi_eiotlb(struct vtd_model *m, const uint64_t *desc)
{
	uint32_t did = FIELD_GET(QI_EIOTLB_DID, desc[0]);

	if (FIELD_GET(QI_EIOTLB_G, desc[0]) == QI_EIOTLB_G_PASID)
		inv_post(m, UIOMMU_INV_TAG, did, 0, 0);
	else
		inv_psi(m, did, desc[1] & QI_EIOTLB_ADDR,
			FIELD_GET(QI_EIOTLB_AM, desc[1]));
}

static void
qi_wait(struct vtd_model *m, const uint64_t *desc)
{
	uint64_t w;

	if (m->pending_wait) {
		if (m->hw != NULL)
			uiommu_iotlb_sync(m->hw);
		m->stats.waits_waited++;
		m->pending_wait = false;
	}
	if (desc[0] & QI_IWD_SW)
		/* Release: pairs with the driver's acquire poll of the status
		 * word; everything the wait completed happens before it.
		 * qi_check_values() checked the address. */
		__atomic_store_n((uint32_t *)(uintptr_t)
				 (desc[1] & QI_IWD_STATUS_ADDR),
				 (uint32_t)FIELD_GET(QI_IWD_STATUS_DATA,
						     desc[0]),
				 __ATOMIC_RELEASE);
	if (!(desc[0] & QI_IWD_IF))
		return;
	/* ICS is the upper half of its word, IECTL the lower half of its
	 * own; the driver writes them from this (the consumer's) thread. */
	w = vtd_reg_load(m, DMAR_ICS_REG & ~7u);
	vtd_reg_store(m, DMAR_ICS_REG & ~7u, w | (uint64_t)ICS_IWC << 32);
	w = vtd_reg_load(m, DMAR_IECTL_REG);
	if (w & EVTCTL_IM)
		vtd_reg_store(m, DMAR_IECTL_REG, w | EVTCTL_IP);
}

/* Execute one descriptor that vtd_model_qi_check() accepted. */
static void
qi_exec(struct vtd_model *m, const uint64_t *desc)
{
	uint32_t type = qi_type(desc[0]);

	switch (type) {
	case QI_IOTLB_TYPE:
		qi_iotlb(m, desc);
		m->pending_wait = true;
		break;
	case QI_EIOTLB_TYPE:
		qi_eiotlb(m, desc);
		m->pending_wait = true;
		break;
	case QI_IEC_TYPE:
		vtd_model_iec_invalidate(m, !(desc[0] & QI_IEC_G),
					 FIELD_GET(QI_IEC_IIDX, desc[0]),
					 FIELD_GET(QI_IEC_IM, desc[0]));
		m->pending_wait = true;
		break;
	case QI_IWD_TYPE:
		qi_wait(m, desc);
		break;
	default:	/* CC, PC, device-TLBs: no such cache modelled */
		m->pending_wait = true;
		break;
	}
	m->stats.descs[type]++;
}

/* ------------------------------------------------------------ consumer -- */

/* Stop at the descriptor at IQH (left there) with @iqei. */
static void
qi_error(struct vtd_model *m, uint32_t iqei)
{
	m->stats.desc_errors++;
	vtd_model_iqe_raise(m, iqei);
}

/* A queue programming error that IQT or IQA reveal, or 0. */
static uint32_t
qi_setup_check(const struct vtd_model *m, uint64_t tail)
{
	uint64_t ttm = FIELD_GET(RTADDR_TTM,
				 __atomic_load_n(&m->dma_cfg,
						 __ATOMIC_RELAXED));

	if (m->iq_desc_shift == IQ_DESC_SHIFT_256 &&
	    (tail & ((UINT64_C(1) << IQ_DESC_SHIFT_256) - 1)))
		return IQEI_TAIL_MISALIGNED;
	if (tail >= m->iq_bytes)
		return IQEI_TAIL_PTR_INVALID;
	/* Scalable mode needs 256-bit descriptors. */
	if (ttm == RTADDR_TTM_SCALABLE &&
	    m->iq_desc_shift != IQ_DESC_SHIFT_256)
		return IQEI_DESC_WIDTH_INVALID;
	return 0;
}

void
vtd_model_qi_consume(struct vtd_model *m)
{
	uint32_t desc_bytes = UINT32_C(1) << m->iq_desc_shift;
	bool wide = m->iq_desc_shift == IQ_DESC_SHIFT_256;
	uint64_t head, tail, desc[4] = { 0, 0, 0, 0 };
	uint32_t iqei;
	unsigned int i;

	if (!(vtd_model_read32(m, DMAR_GSTS_REG) & GSTS_QIES) ||
	    __atomic_load_n(&m->iq_stopped, __ATOMIC_RELAXED))
		return;
	/* Acquire: pairs with the driver's store of IQT, after the
	 * descriptors up to it. */
	tail = vtd_reg_load(m, DMAR_IQT_REG) & IQT_QT;
	head = vtd_reg_load(m, DMAR_IQH_REG) & IQH_QH;
	if (head == tail)
		return;
	iqei = qi_setup_check(m, tail);
	if (iqei != 0) {
		qi_error(m, iqei);
		return;
	}
	while (head != tail) {
		uint64_t addr = m->iq_base + head;

		if (!vtd_model_mem_ok(m, addr, desc_bytes)) {
			qi_error(m, IQEI_DESC_FETCH_ERROR);
			return;
		}
		for (i = 0; i < desc_bytes / 8; i++)
			desc[i] = ((const uint64_t *)(uintptr_t)addr)[i];
		iqei = vtd_model_qi_check(m, desc, wide);
		if (iqei != 0) {
			qi_error(m, iqei);
			return;
		}
		qi_exec(m, desc);
		head = (head + desc_bytes) & (m->iq_bytes - 1);	/* 4 KiB << QS */
		/* Release: the driver reads IQH to reuse slots. */
		vtd_reg_store(m, DMAR_IQH_REG, head);
	}
}
