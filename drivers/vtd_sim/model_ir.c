/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt remapping: an MSI write (address 0xFEEx_xxxx) is decoded as
 * the remappable format (address bit 4 set: a handle into the interrupt
 * remapping table that SIRTP latched) or the compatibility format, and the
 * IRTE it names is checked and turned into a vector and a destination.
 *
 * Checks and fault reasons, in the architecture's order:
 *   0x20  reserved field in the request (data bits [31:16])
 *   0x21  index (handle, plus subhandle when SHV) beyond 2^(IRTA.S + 1)
 *   0x23  the IRTE cannot be read (outside fetchable memory)
 *   0x22  IRTE present bit clear
 *   0x24  reserved field in the IRTE: bits [14:12], [31:24], [127:84]; in
 *         xAPIC mode (IRTA.EIME clear) DST bits [39:32] and [63:48]; IM
 *         (posted interrupts: CAP.PI is clear); SVT = 3
 *   0x26  source-id verification failed: SVT 1 compares the requester id
 *         with SID, ignoring the function bits SQ names; SVT 2 requires the
 *         requester's bus to lie in [SID[15:8], SID[7:0]]
 *   0x25  compatibility format while interrupt remapping is enabled and
 *         GSTS.CFIS is clear, or IRTA.EIME is set
 * FPD in the IRTE keeps the fault out of the registers (the interrupt is
 * still blocked). With interrupt remapping disabled every MSI passes in
 * compatibility format.
 *
 * The interrupt entry cache: each EAL lcore has a direct-mapped slice of
 * present IRTEs, so a changed IRTE takes effect only once an IEC
 * invalidation (global, or index-selective with IM) and a wait descriptor
 * have run, as on hardware. Validity is generational: the QI consumer bumps
 * the global generation or the generation of each named index; an entry
 * hits only while both equal what they were when it was filled. The
 * generations are read before the IRTE on a miss, so an invalidation that
 * races with a fill leaves the entry stale, never valid; the wait
 * descriptor's grace period outlasts every lookup that read the old ones.
 * A thread without a slice (not an EAL lcore) reads the table each time.
 */
#include <errno.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "vtd_model.h"

int
vtd_model_iec_init(struct vtd_model *m, int socket_id)
{
	unsigned int lcore;

	RTE_LCORE_FOREACH(lcore) {
		struct vtd_iec_slice *s;

		/* On the lcore's socket when it has memory there. */
		s = rte_zmalloc_socket("vtd_iec_slice", sizeof(*s),
				       RTE_CACHE_LINE_SIZE,
				       rte_lcore_to_socket_id(lcore));
		if (s == NULL)
			s = rte_zmalloc_socket("vtd_iec_slice", sizeof(*s),
					       RTE_CACHE_LINE_SIZE, socket_id);
		if (s == NULL) {
			vtd_model_iec_fini(m);
			return -ENOMEM;
		}
		m->iec[lcore] = s;
	}
	return 0;
}

void
vtd_model_iec_fini(struct vtd_model *m)
{
	unsigned int lcore;

	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++) {
		rte_free(m->iec[lcore]);
		m->iec[lcore] = NULL;
	}
}

void
vtd_model_iec_invalidate(struct vtd_model *m, bool global, uint32_t index,
			 uint32_t im)
{
	uint32_t n = UINT32_C(1) << im;
	uint32_t first = index & ~(n - 1);
	uint32_t i;

	/* Single writer (the QI consumer). Release pairs with the acquire
	 * loads in iec_lookup(). */
	if (global) {
		__atomic_store_n(&m->iec_gen, m->iec_gen + 1, __ATOMIC_RELEASE);
		return;
	}
	for (i = first; i < first + n && i < IRT_ENTRIES_MAX; i++)
		__atomic_store_n(&m->iec_index_gen[i],
				 m->iec_index_gen[i] + 1, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------- faults -- */

static int
ir_fault(struct vtd_model *m, struct vtd_iec_slice *slice, uint16_t sid,
	 uint8_t fr, uint32_t index, bool fpd)
{
	struct vtd_fault_record f = {
		.sid = sid,
		.reason = fr,
		.is_write = true,	/* an interrupt is a DMA write */
		/* The index is reported where the request yielded one. */
		.fault_info = (fr == VTD_FR_IR_REQ_RSVD ||
			       fr == VTD_FR_IR_CFI_BLOCKED) ? 0 :
			      FIELD_PREP(FRCD_LO_FI_IR_INDEX, index),
	};

	if (slice != NULL)
		slice->msi_blocked++;
	else
		__atomic_fetch_add(&m->stats.msi_blocked, 1, __ATOMIC_RELAXED);
	if (fpd)
		vtd_model_fault_suppressed(m);
	else
		vtd_model_fault(m, &f);
	return -EPERM;
}

/* ------------------------------------------------------------- decode -- */

static int
compat_irq(struct vtd_model *m, struct vtd_iec_slice *slice, uint64_t addr,
	   uint32_t data, struct uiommu_vtd_irq *out)
{
	out->vector = FIELD_GET(MSI_DATA_VECTOR, data);
	out->delivery_mode = FIELD_GET(MSI_DATA_DLM, data);
	out->level = data & MSI_DATA_TM;
	out->dest_id = FIELD_GET(MSI_ADDR_DEST_ID, addr);
	out->dest_logical = addr & MSI_ADDR_DM;
	out->index = 0;
	out->remapped = false;
	if (slice != NULL)
		slice->msi_compat++;
	else
		__atomic_fetch_add(&m->stats.msi_compat, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Does requester @sid pass the IRTE's source validation? */
static bool
irte_sid_ok(uint64_t hi, uint16_t sid)
{
	static const uint16_t sq_mask[] = {
		[IRTE_SQ_ALL_16] = 0xffff,
		[IRTE_SQ_IGN_2] = 0xfffb,
		[IRTE_SQ_IGN_2_1] = 0xfff9,
		[IRTE_SQ_IGN_2_0] = 0xfff8,
	};
	uint16_t irte_sid = FIELD_GET(IRTE_HI_SID, hi);
	uint8_t bus = sid >> 8;

	switch (FIELD_GET(IRTE_HI_SVT, hi)) {
	case IRTE_SVT_NONE:
		return true;
	case IRTE_SVT_SID_SQ:
		return ((sid ^ irte_sid) &
			sq_mask[FIELD_GET(IRTE_HI_SQ, hi)]) == 0;
	case IRTE_SVT_BUS_RANGE:
		return bus >= (irte_sid >> 8) && bus <= (irte_sid & 0xff);
	default:	/* reserved: caught as a reserved field before */
		return false;
	}
}

static bool
irte_rsvd(uint64_t lo, uint64_t hi, bool eime)
{
	/* IM (posted) is reserved without CAP.PI. */
	uint64_t rsvd = IRTE_LO_RSVD | IRTE_LO_IM;

	if (!eime)
		rsvd |= IRTE_LO_RSVD_XAPIC;
	return (lo & rsvd) || (hi & IRTE_HI_RSVD) ||
	       FIELD_GET(IRTE_HI_SVT, hi) == IRTE_SVT_RSVD;
}

/*
 * The IRTE at @index of the table @irt: from the lcore's IEC @slice when
 * it holds a valid copy, else from memory (cached if present). False if it
 * cannot be read.
 */
static bool
iec_lookup(struct vtd_model *m, struct vtd_iec_slice *slice, uint64_t irt,
	   uint32_t index, uint64_t irte[2])
{
	uint64_t addr = irt + (uint64_t)index * IRTE_SIZE;
	struct vtd_iec_entry *e = NULL;
	uint64_t gen = 0;
	uint32_t igen = 0;

	if (slice != NULL) {
		/* Pair with the release stores of the QI consumer; read
		 * before the IRTE (see the file comment). */
		gen = __atomic_load_n(&m->iec_gen, __ATOMIC_ACQUIRE);
		igen = __atomic_load_n(&m->iec_index_gen[index],
				       __ATOMIC_ACQUIRE);
		e = &slice->ent[index % VTD_IEC_ENTRIES];
		if (e->index_p1 == index + 1 && e->gen_global == gen &&
		    e->gen_index == igen) {
			slice->hits++;
			irte[0] = e->irte[0];
			irte[1] = e->irte[1];
			return true;
		}
		slice->misses++;
	}
	if (!vtd_model_mem_ok(m, addr, IRTE_SIZE))
		return false;
	/* Low word (P) first: pairs with the driver's release store of it,
	 * after the high word. */
	irte[0] = __atomic_load_n((const uint64_t *)(uintptr_t)addr,
				  __ATOMIC_ACQUIRE);
	irte[1] = __atomic_load_n((const uint64_t *)(uintptr_t)(addr + 8),
				  __ATOMIC_ACQUIRE);
	if (e != NULL && (irte[0] & IRTE_LO_P)) {
		e->irte[0] = irte[0];
		e->irte[1] = irte[1];
		e->gen_global = gen;
		e->gen_index = igen;
		e->index_p1 = index + 1;
	}
	return true;
}

static int
remapped_irq(struct vtd_model *m, struct vtd_iec_slice *slice, uint64_t ir,
	     uint16_t sid, uint64_t addr, uint32_t data, struct uiommu_vtd_irq *out)
{
	uint32_t index = FIELD_GET(MSI_ADDR_HANDLE_LO, addr) |
			 ((addr & MSI_ADDR_HANDLE_15) ? UINT32_C(1) << 15 : 0);
	uint32_t entries = UINT32_C(2) << FIELD_GET(IRTA_S, ir);
	bool eime = ir & IRTA_EIME;
	uint64_t irte[2];
	bool fpd;

	if (data & MSI_DATA_RSVD)
		return ir_fault(m, slice, sid, VTD_FR_IR_REQ_RSVD, 0, false);
	if (addr & MSI_ADDR_SHV)
		index += FIELD_GET(MSI_DATA_SUBHANDLE, data);
	if (index >= entries)
		return ir_fault(m, slice, sid, VTD_FR_IR_INDEX_OVER, index,
				false);
	if (!iec_lookup(m, slice, ir & IRTA_IRTA, index, irte))
		return ir_fault(m, slice, sid, VTD_FR_IR_ROOT_INVAL, index,
				false);
	/* FPD applies whatever P says. */
	fpd = irte[0] & IRTE_LO_FPD;
	if (!(irte[0] & IRTE_LO_P))
		return ir_fault(m, slice, sid, VTD_FR_IR_ENTRY_P, index, fpd);
	if (irte_rsvd(irte[0], irte[1], eime))
		return ir_fault(m, slice, sid, VTD_FR_IR_IRTE_RSVD, index,
				fpd);
	if (!irte_sid_ok(irte[1], sid))
		return ir_fault(m, slice, sid, VTD_FR_IR_SID_ERR, index, fpd);
	out->vector = FIELD_GET(IRTE_LO_V, irte[0]);
	out->dest_id = eime ? FIELD_GET(IRTE_LO_DST, irte[0]) :
			      FIELD_GET(IRTE_LO_DST_XAPIC, irte[0]);
	out->dest_logical = irte[0] & IRTE_LO_DM;
	out->level = irte[0] & IRTE_LO_TM;
	out->delivery_mode = FIELD_GET(IRTE_LO_DLM, irte[0]);
	out->index = index;
	out->remapped = true;
	if (slice != NULL)
		slice->msi_remapped++;
	else
		__atomic_fetch_add(&m->stats.msi_remapped, 1,
				   __ATOMIC_RELAXED);
	return 0;
}

int
vtd_model_msi(struct vtd_model *m, uint16_t sid, uint64_t addr,
	      uint32_t data, struct uiommu_vtd_irq *out)
{
	unsigned int lcore = rte_lcore_id();
	struct vtd_iec_slice *slice = lcore < RTE_MAX_LCORE ?
				      m->iec[lcore] : NULL;
	uint64_t ir;

	if ((addr >> 32) != 0 ||
	    FIELD_GET(MSI_ADDR_BASE, addr) != MSI_ADDR_BASE_VALUE)
		return -EINVAL;
	/* Pairs with the release stores of SIRTP, IRE and CFI. */
	ir = __atomic_load_n(&m->ir_cfg, __ATOMIC_ACQUIRE);
	if (!(ir & VTD_IR_CFG_IRE))
		return compat_irq(m, slice, addr, data, out);
	if (addr & MSI_ADDR_IF)
		return remapped_irq(m, slice, ir, sid, addr, data, out);
	if (!(ir & VTD_IR_CFG_CFI) || (ir & IRTA_EIME))
		return ir_fault(m, slice, sid, VTD_FR_IR_CFI_BLOCKED, 0, false);
	return compat_irq(m, slice, addr, data, out);
}
