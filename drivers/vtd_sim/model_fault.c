/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Primary fault logging: the CAP.NFR + 1 fault recording registers at
 * CAP.FRO * 16, and FSTS (PFO, PPF, FRI).
 *
 * As the architecture specifies it:
 * - The unit keeps an internal index of the register the next fault goes
 *   to. It advances (wrapping after the last register) with each recorded
 *   fault, and restarts at 0 when translation and interrupt remapping are
 *   both disabled.
 * - While FSTS.PFO is set no fault is recorded. A fault whose register
 *   still holds an earlier one (F set) is not recorded either: it sets PFO.
 * - Recording writes the register with F set; PPF is the OR of every F, and
 *   when it goes from clear to set FRI names the register just written, so
 *   software finds the oldest pending fault at FRI and walks on from there.
 * - Software clears F (write 1) once it has read a record, and PFO (write
 *   1 to FSTS) after that.
 * - FPD (in the context entry, PASID directory or table entry, IRTE) keeps
 *   a fault out of the registers; the request still fails.
 * The model does not collapse repeated faults of one requester (which the
 * architecture permits), so software sees each of them.
 *
 * Who writes: fault recorders on any lcore, and the driver's FSTS / FRCD /
 * FECTL writes; all under fault_lock, which only faulting walks take. The
 * record's low word is stored before its high word (holding F), with
 * release, so a reader that acquires F sees the whole record.
 */
#include "vtd_model.h"

void
vtd_fault_record_encode(const struct vtd_fault_record *f, uint64_t frcd[2])
{
	frcd[0] = f->fault_info & FRCD_LO_FI;
	frcd[1] = FIELD_PREP(FRCD_HI_SID, f->sid) |
		  FIELD_PREP(FRCD_HI_FR, f->reason) |
		  FIELD_PREP(FRCD_HI_AT, FRCD_AT_UNTRANSLATED) |
		  (f->is_write ? 0 : FRCD_HI_T1) | FRCD_HI_F;
	if (f->pasid_present)
		frcd[1] |= FRCD_HI_PP | FIELD_PREP(FRCD_HI_PV, f->pasid);
}

void
vtd_fault_record_decode(const uint64_t frcd[2], struct vtd_fault_record *f)
{
	f->sid = FIELD_GET(FRCD_HI_SID, frcd[1]);
	f->reason = FIELD_GET(FRCD_HI_FR, frcd[1]);
	f->is_write = !(frcd[1] & FRCD_HI_T1);
	f->pasid_present = frcd[1] & FRCD_HI_PP;
	f->pasid = f->pasid_present ? FIELD_GET(FRCD_HI_PV, frcd[1]) : 0;
	f->fault_info = frcd[0] & FRCD_LO_FI;
}

/* FSTS is the upper half of the word at 0x30. Caller holds fault_lock. */
static uint32_t
fsts_load(const struct vtd_model *m)
{
	return (uint32_t)(vtd_reg_load(m, DMAR_FSTS_REG & ~7u) >> 32);
}

static void
fsts_store(struct vtd_model *m, uint32_t fsts)
{
	uint64_t w = vtd_reg_load(m, DMAR_FSTS_REG & ~7u);

	vtd_reg_store(m, DMAR_FSTS_REG & ~7u,
		      (w & UINT32_MAX) | (uint64_t)fsts << 32);
}

/* A fault event: pending in FECTL.IP while masked (nothing is delivered
 * when unmasked). Caller holds fault_lock. */
static void
fault_event(struct vtd_model *m)
{
	uint64_t w = vtd_reg_load(m, DMAR_FECTL_REG);	/* FECTL: low half */

	if (w & EVTCTL_IM)
		vtd_reg_store(m, DMAR_FECTL_REG, w | EVTCTL_IP);
}

static bool
any_pending(const struct vtd_model *m)
{
	uint32_t i;

	for (i = 0; i < m->cfg.nfr; i++)
		if (vtd_reg_load(m, vtd_frcd_off(i) + 8) & FRCD_HI_F)
			return true;
	return false;
}

void
vtd_model_fault(struct vtd_model *m, const struct vtd_fault_record *f)
{
	uint32_t idx, fsts, off;
	uint64_t frcd[2];

	rte_spinlock_lock(&m->fault_lock);
	fsts = fsts_load(m);
	idx = m->fault_idx;
	off = vtd_frcd_off(idx);
	if (fsts & FSTS_PFO) {
		m->stats.faults_dropped++;
		goto out;
	}
	if (vtd_reg_load(m, off + 8) & FRCD_HI_F) {
		fsts_store(m, fsts | FSTS_PFO);
		m->stats.faults_dropped++;
		fault_event(m);
		goto out;
	}
	vtd_fault_record_encode(f, frcd);
	vtd_reg_store(m, off, frcd[0]);
	/* Release: a reader that sees F sees the low word (above). */
	vtd_reg_store(m, off + 8, frcd[1]);
	if (!(fsts & FSTS_PPF)) {
		fsts = (fsts & ~(uint32_t)FSTS_FRI) | FSTS_PPF |
		       (uint32_t)FIELD_PREP(FSTS_FRI, idx);
		fault_event(m);
	}
	fsts_store(m, fsts);
	m->fault_idx = idx + 1 == m->cfg.nfr ? 0 : idx + 1;
	m->stats.faults_recorded++;
out:
	rte_spinlock_unlock(&m->fault_lock);
}

void
vtd_model_fault_suppressed(struct vtd_model *m)
{
	__atomic_fetch_add(&m->stats.faults_suppressed, 1, __ATOMIC_RELAXED);
}

void
vtd_model_fsts_write(struct vtd_model *m, uint32_t val)
{
	uint32_t fsts;

	rte_spinlock_lock(&m->fault_lock);
	fsts = fsts_load(m);
	if ((val & fsts & FSTS_IQE) != 0)
		/* The queue restarts at its next IQT write (model_qi.c). */
		__atomic_store_n(&m->iq_stopped, false, __ATOMIC_RELAXED);
	fsts_store(m, fsts & ~(val & (uint32_t)FSTS_RW1C));
	rte_spinlock_unlock(&m->fault_lock);
}

void
vtd_model_frcd_hi_write(struct vtd_model *m, uint32_t i, uint64_t val)
{
	uint32_t off = vtd_frcd_off(i) + 8;

	if (!(val & FRCD_HI_F))
		return;
	rte_spinlock_lock(&m->fault_lock);
	vtd_reg_store(m, off, vtd_reg_load(m, off) & ~FRCD_HI_F);
	if (!any_pending(m))
		fsts_store(m, fsts_load(m) & ~(uint32_t)FSTS_PPF);
	rte_spinlock_unlock(&m->fault_lock);
}

void
vtd_model_fault_index_reset(struct vtd_model *m)
{
	rte_spinlock_lock(&m->fault_lock);
	m->fault_idx = 0;
	rte_spinlock_unlock(&m->fault_lock);
}

/* Under fault_lock, because FSTS is shared with the fault recorders. */
void
vtd_model_iqe_raise(struct vtd_model *m, uint32_t iqei)
{
	rte_spinlock_lock(&m->fault_lock);
	vtd_reg_store(m, DMAR_IQERCD_REG, FIELD_PREP(IQERCD_IQEI, iqei));
	__atomic_store_n(&m->iq_stopped, true, __ATOMIC_RELAXED);
	fsts_store(m, fsts_load(m) | FSTS_IQE);
	fault_event(m);
	rte_spinlock_unlock(&m->fault_lock);
}
