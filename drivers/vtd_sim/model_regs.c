/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VT-d register file: what the unit advertises (VER, CAP, ECAP), what a
 * write does (the GCMD -> GSTS handshake and its latches, the IQT doorbell,
 * write-1-to-clear status), and creation of a model.
 *
 * Register semantics beyond the specification that software may notice:
 * - GCMD commands complete before the write returns: a driver polling GSTS
 *   after a write finds the status already updated. GCMD itself reads 0.
 * - RTADDR, IQA and IRTA are plain storage; only SRTP, QIE 0 -> 1 and
 *   SIRTP decode them, so they may be written in any order before those.
 * - Register-based invalidation (CCMD, IOTLB_REG) is not implemented: the
 *   registers are RAZ/WI and software must use the invalidation queue,
 *   which ECAP.QI advertises (and which scalable mode requires anyway).
 * - The unit raises no interrupts: FECTL.IP / IECTL.IP are set when an
 *   event occurs while the matching IM is set, and cleared with IM.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vtd_model.h"

/* ------------------------------------------------------ capabilities -- */

static uint64_t
model_cap(const struct vtd_model_cfg *cfg)
{
	uint64_t cap;

	cap = FIELD_PREP(CAP_ND, 6) |		/* 16-bit domain ids */
	      FIELD_PREP(CAP_SAGAW, SAGAW_39_3LVL | SAGAW_48_4LVL) |
	      FIELD_PREP(CAP_MGAW, VTD_MODEL_MGAW - 1) |
	      FIELD_PREP(CAP_FRO, VTD_MODEL_FRO) |
	      FIELD_PREP(CAP_SLLPS, SLLPS_2M | SLLPS_1G) |
	      CAP_PSI |
	      FIELD_PREP(CAP_NFR, cfg->nfr - 1) |
	      FIELD_PREP(CAP_MAMV, VTD_MODEL_MAMV) |
	      CAP_DWD | CAP_DRD;
	if (cfg->scalable)
		cap |= CAP_FL1GP;
	return cap;
}

static uint64_t
model_ecap(const struct vtd_model_cfg *cfg)
{
	uint64_t ecap;

	ecap = ECAP_C | ECAP_QI | ECAP_DT | ECAP_IR | ECAP_EIM | ECAP_PT |
	       ECAP_SC | FIELD_PREP(ECAP_IRO, VTD_MODEL_IRO) |
	       FIELD_PREP(ECAP_MHMV, VTD_MODEL_MHMV);
	if (cfg->scalable)
		ecap |= ECAP_NEST | FIELD_PREP(ECAP_PSS, cfg->pasid_bits - 1) |
			ECAP_PASID | ECAP_SMTS | ECAP_SLTS | ECAP_FLTS |
			ECAP_SMPWCS | ECAP_RPS;
	return ecap;
}

/* ------------------------------------------------------ create/destroy -- */

static int
cfg_resolve(const struct vtd_model_cfg *in, struct vtd_model_cfg *out)
{
	struct vtd_model_cfg def = {
		.nfr = VTD_MODEL_NFR_DEFAULT,
		.scalable = true,
		.pasid_bits = VTD_MODEL_PASID_BITS,
	};

	*out = in != NULL ? *in : def;
	if (out->nfr == 0)
		out->nfr = VTD_MODEL_NFR_DEFAULT;
	if (out->pasid_bits == 0)
		out->pasid_bits = VTD_MODEL_PASID_BITS;
	if (out->nfr > VTD_MODEL_NFR_MAX ||
	    out->pasid_bits > VTD_MODEL_PASID_BITS)
		return -EINVAL;
	return 0;
}

/* Reset state: everything disabled, the ID registers filled in. */
static void
model_reset_regs(struct vtd_model *m)
{
	vtd_reg_store(m, DMAR_VER_REG, VTD_MODEL_VER);
	vtd_reg_store(m, DMAR_CAP_REG, m->cap);
	vtd_reg_store(m, DMAR_ECAP_REG, m->ecap);
	/* Event interrupts come up masked. */
	vtd_reg_store(m, DMAR_FECTL_REG, EVTCTL_IM);
	vtd_reg_store(m, DMAR_IECTL_REG, EVTCTL_IM);
}

struct vtd_model *
vtd_model_create(struct uiommu_hw *hw, const struct vtd_model_cfg *cfg,
		 int socket_id)
{
	struct vtd_model *m;
	int err = ENOMEM;

	m = rte_zmalloc_socket("vtd_model", sizeof(*m), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (m == NULL)
		goto err;
	if (cfg_resolve(cfg, &m->cfg) != 0) {
		err = EINVAL;
		goto err_free_model;
	}
	m->hw = hw;
	m->cap = model_cap(&m->cfg);
	m->ecap = model_ecap(&m->cfg);
	rte_spinlock_init(&m->fault_lock);
	m->regs = rte_zmalloc_socket("vtd_model_regs", VTD_MODEL_REG_SPACE,
				     RTE_CACHE_LINE_SIZE, socket_id);
	if (m->regs == NULL)
		goto err_free_model;
	m->iec_index_gen = rte_zmalloc_socket("vtd_model_iec_gen",
			IRT_ENTRIES_MAX * sizeof(*m->iec_index_gen),
			RTE_CACHE_LINE_SIZE, socket_id);
	if (m->iec_index_gen == NULL)
		goto err_free_regs;
	if (vtd_model_iec_init(m, socket_id) != 0)
		goto err_free_gen;
	/* Takes the memory hotplug lock: must not run under it. */
	if (uiommu_memrange_init(&m->mem) != 0) {
		err = ENOSPC;
		goto err_free_iec;
	}
	model_reset_regs(m);
	return m;

err_free_iec:
	vtd_model_iec_fini(m);
err_free_gen:
	rte_free(m->iec_index_gen);
err_free_regs:
	rte_free(m->regs);
err_free_model:
	rte_free(m);
err:
	rte_errno = err;
	return NULL;
}

void
vtd_model_destroy(struct vtd_model *m)
{
	if (m == NULL)
		return;
	vtd_model_iec_fini(m);
	rte_free(m->iec_index_gen);
	rte_free(m->regs);
	rte_free(m);
}

/* ---------------------------------------------------- 32-bit halves -- */

/* The 32-bit register at @off (4-byte aligned) lives in half of a word. */
static uint32_t
reg32_load(const struct vtd_model *m, uint32_t off)
{
	return (uint32_t)(vtd_reg_load(m, off & ~7u) >> ((off & 4) * 8));
}

/* Replace the 32-bit register at @off. Caller is the only writer of the
 * word, or holds the lock its other writers take. */
static void
reg32_store(struct vtd_model *m, uint32_t off, uint32_t val)
{
	unsigned int shift = (off & 4) * 8;
	uint64_t w = vtd_reg_load(m, off & ~7u);

	w = (w & ~(UINT64_C(0xffffffff) << shift)) | (uint64_t)val << shift;
	vtd_reg_store(m, off & ~7u, w);
}

/* --------------------------------------------------------------- GCMD -- */

/* Latch RTADDR for the walkers, keeping the enable bit. */
static void
srtp(struct vtd_model *m)
{
	uint64_t rtaddr = vtd_reg_load(m, DMAR_RTADDR_REG) &
			  (RTADDR_RTA | RTADDR_TTM);
	uint64_t te = __atomic_load_n(&m->dma_cfg, __ATOMIC_RELAXED) &
		      VTD_DMA_CFG_TE;

	/* Pairs with the walker's acquire load of dma_cfg. */
	__atomic_store_n(&m->dma_cfg, rtaddr | te, __ATOMIC_RELEASE);
}

static void
dma_cfg_set_te(struct vtd_model *m, bool te)
{
	uint64_t cfg = __atomic_load_n(&m->dma_cfg, __ATOMIC_RELAXED);

	cfg = te ? cfg | VTD_DMA_CFG_TE : cfg & ~VTD_DMA_CFG_TE;
	__atomic_store_n(&m->dma_cfg, cfg, __ATOMIC_RELEASE);
}

/* Latch IRTA (EIME only where ECAP.EIM allows it), keeping IRE and CFI. */
static void
sirtp(struct vtd_model *m)
{
	uint64_t irta = vtd_reg_load(m, DMAR_IRTA_REG) &
			(IRTA_IRTA | IRTA_EIME | IRTA_S);
	uint64_t cfg = __atomic_load_n(&m->ir_cfg, __ATOMIC_RELAXED) &
		       (VTD_IR_CFG_IRE | VTD_IR_CFG_CFI);

	/* Pairs with the acquire load of ir_cfg in vtd_model_msi(). */
	__atomic_store_n(&m->ir_cfg, irta | cfg, __ATOMIC_RELEASE);
}

static void
ir_cfg_set(struct vtd_model *m, uint64_t bit, bool on)
{
	uint64_t cfg = __atomic_load_n(&m->ir_cfg, __ATOMIC_RELAXED);

	cfg = on ? cfg | bit : cfg & ~bit;
	__atomic_store_n(&m->ir_cfg, cfg, __ATOMIC_RELEASE);
}

/* QIE 0 -> 1: latch the queue and start at its head, IQH = 0. A 256-bit
 * width is only honoured when scalable mode is supported (DW is reserved
 * otherwise). */
static void
qi_enable(struct vtd_model *m)
{
	uint64_t iqa = vtd_reg_load(m, DMAR_IQA_REG);
	bool wide = (iqa & IQA_DW) && (m->ecap & ECAP_SMTS);

	m->iq_base = iqa & IQA_IQA;
	m->iq_bytes = UINT32_C(1) << (IQ_PAGE_SHIFT + FIELD_GET(IQA_QS, iqa));
	m->iq_desc_shift = wide ? IQ_DESC_SHIFT_256 : IQ_DESC_SHIFT_128;
	vtd_reg_store(m, DMAR_IQH_REG, 0);
}

static void
gcmd_write(struct vtd_model *m, uint32_t cmd)
{
	uint32_t gsts = reg32_load(m, DMAR_GSTS_REG);
	uint32_t on = cmd & ~gsts & GCMD_PERSISTENT;
	uint32_t off = ~cmd & gsts & GCMD_PERSISTENT;

	/* One-shot commands complete at once; their status stays set. */
	if (cmd & GCMD_SRTP) {
		srtp(m);
		gsts |= GSTS_RTPS;
	}
	if (cmd & GCMD_SIRTP) {
		sirtp(m);
		gsts |= GSTS_IRTPS;
	}
	if (on & GCMD_QIE) {
		qi_enable(m);
		gsts |= GSTS_QIES;
	}
	if (off & GCMD_QIE)
		gsts &= ~GSTS_QIES;
	if ((on | off) & GCMD_TE) {
		dma_cfg_set_te(m, on & GCMD_TE);
		gsts ^= GSTS_TES;
	}
	if ((on | off) & GCMD_IRE) {
		ir_cfg_set(m, VTD_IR_CFG_IRE, on & GCMD_IRE);
		gsts ^= GSTS_IRES;
	}
	if ((on | off) & GCMD_CFI) {
		ir_cfg_set(m, VTD_IR_CFG_CFI, on & GCMD_CFI);
		gsts ^= GSTS_CFIS;
	}
	/* EAFL: no advanced fault logging (CAP.AFL clear). */
	reg32_store(m, DMAR_GSTS_REG, gsts);
	/* The fault recording index restarts when both remapping
	 * functions are off. */
	if (!(gsts & (GSTS_TES | GSTS_IRES)))
		vtd_model_fault_index_reset(m);
}

/* --------------------------------------------------- event controls -- */

/* FECTL / IECTL: IM is the only writable bit; unmasking clears IP (the
 * interrupt it stood for would be delivered now, and the model has no
 * one to deliver it to). Callers serialise with the event raisers. */
static void
evtctl_write(struct vtd_model *m, uint32_t off, uint32_t val)
{
	uint32_t ctl = reg32_load(m, off);

	ctl = (ctl & ~EVTCTL_IM) | (val & EVTCTL_IM);
	if (!(ctl & EVTCTL_IM))
		ctl &= ~EVTCTL_IP;
	reg32_store(m, off, ctl);
}

/* ICS: IWC is write-1-to-clear; clearing it clears IECTL.IP. */
static void
ics_write(struct vtd_model *m, uint32_t val)
{
	if (!(val & ICS_IWC))
		return;
	reg32_store(m, DMAR_ICS_REG, reg32_load(m, DMAR_ICS_REG) & ~ICS_IWC);
	reg32_store(m, DMAR_IECTL_REG,
		    reg32_load(m, DMAR_IECTL_REG) & ~EVTCTL_IP);
}

/* ----------------------------------------------------------------- MMIO -- */

static bool
is_frcd(const struct vtd_model *m, uint32_t off)
{
	return off >= vtd_frcd_off(0) && off < vtd_frcd_off(m->cfg.nfr);
}

/* A write of the 32-bit register at @off. */
static void
write32_reg(struct vtd_model *m, uint32_t off, uint32_t val)
{
	switch (off) {
	case DMAR_GCMD_REG:
		gcmd_write(m, val);
		break;
	case DMAR_FSTS_REG:
		vtd_model_fsts_write(m, val);
		break;
	case DMAR_FECTL_REG:
		/* FECTL.IP is set by fault recorders, under the lock. */
		rte_spinlock_lock(&m->fault_lock);
		evtctl_write(m, off, val);
		rte_spinlock_unlock(&m->fault_lock);
		break;
	case DMAR_FEDATA_REG:
	case DMAR_FEADDR_REG:
	case DMAR_FEUADDR_REG:
		rte_spinlock_lock(&m->fault_lock);
		reg32_store(m, off, val);
		rte_spinlock_unlock(&m->fault_lock);
		break;
	case DMAR_ICS_REG:
		ics_write(m, val);
		break;
	case DMAR_IECTL_REG:
		evtctl_write(m, off, val);
		break;
	case DMAR_IEDATA_REG:
	case DMAR_IEADDR_REG:
	case DMAR_IEUADDR_REG:
		reg32_store(m, off, val);
		break;
	default:
		break;
	}
}

/* A write of the 64-bit register at @off: @val in the bits of @mask
 * (a 32-bit access writes half of it). */
static void
write64_reg(struct vtd_model *m, uint32_t off, uint64_t val, uint64_t mask)
{
	uint64_t writable;

	switch (off) {
	case DMAR_RTADDR_REG:
		writable = RTADDR_RTA | RTADDR_TTM;
		break;
	case DMAR_IQT_REG:
		writable = IQT_QT;
		break;
	case DMAR_IQA_REG:
		writable = IQA_IQA | IQA_QS |
			   ((m->ecap & ECAP_SMTS) ? IQA_DW : 0);
		break;
	case DMAR_IRTA_REG:
		writable = IRTA_IRTA | IRTA_EIME | IRTA_S;
		break;
	default:
		if (is_frcd(m, off) &&
		    (off - vtd_frcd_off(0)) % DMAR_FRCD_LEN == 8)
			vtd_model_frcd_hi_write(m,
				(off - vtd_frcd_off(0)) / DMAR_FRCD_LEN,
				val & mask);
		return;
	}
	mask &= writable;
	vtd_reg_store(m, off, (vtd_reg_load(m, off) & ~mask) | (val & mask));
	if (off == DMAR_IQT_REG)
		vtd_model_qi_consume(m);
}

static bool
reg_is_64bit(const struct vtd_model *m, uint32_t off)
{
	switch (off) {
	case DMAR_CAP_REG:
	case DMAR_ECAP_REG:
	case DMAR_RTADDR_REG:
	case DMAR_CCMD_REG:
	case DMAR_IQH_REG:
	case DMAR_IQT_REG:
	case DMAR_IQA_REG:
	case DMAR_IQERCD_REG:
	case DMAR_IRTA_REG:
		return true;
	default:
		return is_frcd(m, off);
	}
}

uint32_t
vtd_model_read32(struct vtd_model *m, uint32_t off)
{
	if (off % 4 != 0 || off >= VTD_MODEL_REG_SPACE)
		return 0;
	return reg32_load(m, off);
}

uint64_t
vtd_model_read64(struct vtd_model *m, uint32_t off)
{
	if (off % 8 != 0 || off >= VTD_MODEL_REG_SPACE)
		return 0;
	return vtd_reg_load(m, off);
}

void
vtd_model_write32(struct vtd_model *m, uint32_t off, uint32_t val)
{
	uint32_t word = off & ~7u;
	unsigned int shift = (off & 4) * 8;

	if (off % 4 != 0 || off >= VTD_MODEL_REG_SPACE)
		return;
	if (reg_is_64bit(m, word))
		write64_reg(m, word, (uint64_t)val << shift,
			    UINT64_C(0xffffffff) << shift);
	else
		write32_reg(m, off, val);
}

void
vtd_model_write64(struct vtd_model *m, uint32_t off, uint64_t val)
{
	if (off % 8 != 0 || off >= VTD_MODEL_REG_SPACE)
		return;
	if (reg_is_64bit(m, off)) {
		write64_reg(m, off, val, UINT64_MAX);
		return;
	}
	/* Two 32-bit registers side by side: low one first. */
	write32_reg(m, off, (uint32_t)val);
	write32_reg(m, off + 4, (uint32_t)(val >> 32));
}

/* ---------------------------------------------------------------- stats -- */

void
vtd_model_stats_get(const struct vtd_model *m, struct vtd_model_stats *st)
{
	const uint64_t *src = (const uint64_t *)&m->stats;
	uint64_t *dst = (uint64_t *)st;
	unsigned int i, lcore;

	RTE_BUILD_BUG_ON(sizeof(*st) % sizeof(uint64_t) != 0);
	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++) {
		const struct vtd_iec_slice *s = m->iec[lcore];

		if (s == NULL)
			continue;
		st->iec_hits += __atomic_load_n(&s->hits, __ATOMIC_RELAXED);
		st->iec_misses += __atomic_load_n(&s->misses,
						  __ATOMIC_RELAXED);
		st->msi_remapped += __atomic_load_n(&s->msi_remapped,
						    __ATOMIC_RELAXED);
		st->msi_compat += __atomic_load_n(&s->msi_compat,
						  __ATOMIC_RELAXED);
		st->msi_blocked += __atomic_load_n(&s->msi_blocked,
						   __ATOMIC_RELAXED);
	}
}
