/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SMMUv3 register page: what the model advertises (IDRs), what a write
 * does (CR0 enables and their acknowledgement, queue and stream-table base
 * latching, GERRORN acknowledgement, GBPA updates, CMDQ_PROD doorbell), and
 * the memory the model may fetch from.
 *
 * Register semantics beyond IHI 0070 that software may notice:
 * - The 64-bit registers (STRTAB_BASE, {CMDQ,EVTQ,PRIQ}_BASE) may be written
 *   as one 64-bit access or as two 32-bit halves; they are only decoded when
 *   the matching enable goes 0 -> 1, so the order of the halves is free.
 *   64-bit accesses anywhere else are RAZ/WI.
 * - As the architecture allows, CMDQ_CONS, EVTQ_PROD and PRIQ_PROD (owned by
 *   the SMMU while their queue runs) are writable while it is disabled, so
 *   software can set the starting point.
 * - Base registers are aligned down by the model to the size of what they
 *   point at (queue size, stream table or level-1 table size, at least
 *   64 bytes), as the architecture's "effective base address" rule says.
 * - An IRQ_CTRL write is acknowledged at once in IRQ_CTRLACK; the model
 *   raises no wired interrupts.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "smmu_model.h"

/* ------------------------------------------------------ create/destroy -- */

static void
model_reset_regs(struct smmu_model *m)
{
	smmu_model_reg_store(m, SMMU_IDR0,
		IDR0_S2P | IDR0_S1P |
		FIELD_PREP(IDR0_TTF, IDR0_TTF_AARCH64) |
		IDR0_COHACC | IDR0_ATS | IDR0_ASID16 | IDR0_MSI | IDR0_PRI |
		IDR0_VMID16 | IDR0_CD2L |
		FIELD_PREP(IDR0_TTENDIAN, IDR0_TTENDIAN_LE) |
		FIELD_PREP(IDR0_STALL_MODEL, IDR0_STALL_MODEL_NONE) |
		FIELD_PREP(IDR0_ST_LEVEL, IDR0_ST_LEVEL_2LVL));
	smmu_model_reg_store(m, SMMU_IDR1,
		FIELD_PREP(IDR1_SIDSIZE, SMMU_MODEL_SID_BITS) |
		FIELD_PREP(IDR1_SSIDSIZE, SMMU_MODEL_SSID_BITS) |
		FIELD_PREP(IDR1_PRIQS, SMMU_MODEL_QS_MAX) |
		FIELD_PREP(IDR1_EVTQS, SMMU_MODEL_QS_MAX) |
		FIELD_PREP(IDR1_CMDQS, SMMU_MODEL_QS_MAX));
	smmu_model_reg_store(m, SMMU_IDR3, IDR3_RIL);
	smmu_model_reg_store(m, SMMU_IDR5,
		FIELD_PREP(IDR5_OAS, IDR5_OAS_48_BIT) | IDR5_GRAN4K);
	/* Reset state: incoming transactions abort until SMMUEN is set. */
	smmu_model_reg_store(m, SMMU_GBPA, GBPA_ABORT);
}

/* NULL with rte_errno ENOMEM, or ENOSPC (more disjoint memseg lists than
 * UIOMMU_MEMRANGE_MAX). */
struct smmu_model *
smmu_model_create(struct uiommu_hw *hw, int socket_id)
{
	struct smmu_model *m;
	int err = ENOMEM;

	m = rte_zmalloc_socket("smmu_model", sizeof(*m), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (m == NULL)
		goto err;
	m->hw = hw;
	rte_spinlock_init(&m->evtq_lock);
	m->regs = rte_zmalloc_socket("smmu_model_regs", SMMU_REG_SPACE,
				     RTE_CACHE_LINE_SIZE, socket_id);
	if (m->regs == NULL)
		goto err_free_model;
	m->ctx_vmid = rte_zmalloc_socket("smmu_model_ctx_vmid",
					 SMMU_MODEL_TAGS * sizeof(uint32_t),
					 RTE_CACHE_LINE_SIZE, socket_id);
	if (m->ctx_vmid == NULL)
		goto err_free_regs;
	/* Takes the memory hotplug lock: must not run under it. */
	if (uiommu_memrange_init(&m->mem) != 0) {
		err = ENOSPC;
		goto err_free_ctx_vmid;
	}
	model_reset_regs(m);
	return m;

err_free_ctx_vmid:
	rte_free(m->ctx_vmid);
err_free_regs:
	rte_free(m->regs);
err_free_model:
	rte_free(m);
err:
	rte_errno = err;
	return NULL;
}

void
smmu_model_destroy(struct smmu_model *m)
{
	unsigned int bus;

	if (m == NULL)
		return;
	/* The ATCs themselves belong to the driver (smmu_atc_free). */
	for (bus = 0; bus < RTE_DIM(m->atc_table); bus++)
		rte_free(m->atc_table[bus]);
	rte_free(m->ctx_vmid);
	rte_free(m->regs);
	rte_free(m);
}

/* ------------------------------------------------------- side effects -- */

static uint64_t
reg_load64(const struct smmu_model *m, uint32_t offset)
{
	return smmu_model_reg_load(m, offset) |
	       (uint64_t)smmu_model_reg_load(m, offset + 4) << 32;
}

/* Effective base: bits below the structure's size (at least 64 bytes) are
 * ignored, as the architecture specifies for every base register. */
static uint64_t
base_align(uint64_t base, uint64_t size)
{
	return base & ~(RTE_MAX(size, UINT64_C(64)) - 1);
}

/* A queue being enabled: latch its base. A base outside fetchable memory
 * is kept as NULL, which the queue's user turns into its abort error. */
static void
queue_latch(struct smmu_model *m, uint32_t base_reg, uint32_t ent_dwords,
	    struct smmu_model_queue *q)
{
	uint64_t base = reg_load64(m, base_reg);
	uint32_t log2size = RTE_MIN((uint32_t)FIELD_GET(Q_BASE_LOG2SIZE, base),
				    (uint32_t)SMMU_MODEL_QS_MAX);
	uint64_t size = (uint64_t)ent_dwords * 8 << log2size;
	uint64_t addr = base_align(base & Q_BASE_ADDR, size);

	q->base = smmu_model_mem_ok(m, addr, size) ?
		  (uint64_t *)(uintptr_t)addr : NULL;
	q->log2size = log2size;
	q->ent_dwords = ent_dwords;
}

/*
 * SMMUEN 0 -> 1: latch the stream table. A format or SPLIT the model does
 * not implement leaves strtab NULL: every StreamID is then C_BAD_STREAMID,
 * which is what software sees of a table it cannot use. Published to walkers
 * by the release store of smmuen that follows.
 */
static void
strtab_latch(struct smmu_model *m)
{
	uint64_t base = reg_load64(m, SMMU_STRTAB_BASE) & STRTAB_BASE_ADDR;
	uint32_t cfg = smmu_model_reg_load(m, SMMU_STRTAB_BASE_CFG);
	uint32_t log2size = RTE_MIN((uint32_t)FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, cfg),
				    (uint32_t)SMMU_MODEL_SID_BITS);
	uint32_t split = FIELD_GET(STRTAB_BASE_CFG_SPLIT, cfg);
	uint64_t *strtab = NULL;
	bool two_level = false;

	switch (FIELD_GET(STRTAB_BASE_CFG_FMT, cfg)) {
	case STRTAB_BASE_CFG_FMT_LINEAR:
		base = base_align(base, (uint64_t)STRTAB_STE_DWORDS * 8 << log2size);
		strtab = (uint64_t *)(uintptr_t)base;
		break;
	case STRTAB_BASE_CFG_FMT_2LVL:
		if (split != 6 && split != 8 && split != 10)
			break;
		two_level = true;
		base = base_align(base, (uint64_t)STRTAB_L1_DESC_DWORDS * 8 <<
				  (log2size > split ? log2size - split : 0));
		strtab = (uint64_t *)(uintptr_t)base;
		break;
	default:
		break;
	}
	/* Relaxed: walkers read these after acquiring smmuen. */
	__atomic_store_n(&m->strtab, strtab, __ATOMIC_RELAXED);
	__atomic_store_n(&m->strtab_2lvl, two_level, __ATOMIC_RELAXED);
	__atomic_store_n(&m->strtab_log2size, log2size, __ATOMIC_RELAXED);
	__atomic_store_n(&m->strtab_split, split, __ATOMIC_RELAXED);
}

static void
cr0_write(struct smmu_model *m, uint32_t val)
{
	uint32_t old = smmu_model_reg_load(m, SMMU_CR0ACK);
	uint32_t cr0 = val & CR0_VALID_MASK;
	uint32_t on = cr0 & ~old;
	uint32_t off = old & ~cr0;

	smmu_model_reg_store(m, SMMU_CR0, cr0);
	if (on & CR0_CMDQEN)
		queue_latch(m, SMMU_CMDQ_BASE, CMDQ_ENT_DWORDS, &m->cmdq);
	if (on & CR0_PRIQEN)
		queue_latch(m, SMMU_PRIQ_BASE, PRIQ_ENT_DWORDS, &m->priq);
	if (on & CR0_SMMUEN) {
		strtab_latch(m);
		/* Pairs with the walker's acquire load of smmuen. */
		__atomic_store_n(&m->smmuen, true, __ATOMIC_RELEASE);
	}
	if (off & CR0_SMMUEN)
		__atomic_store_n(&m->smmuen, false, __ATOMIC_RELEASE);

	/* Producers read CR0ACK.EVTQEN and m->evtq under the lock, so they
	 * never write through a queue that is being re-latched. */
	rte_spinlock_lock(&m->evtq_lock);
	if (on & CR0_EVTQEN)
		queue_latch(m, SMMU_EVTQ_BASE, EVTQ_ENT_DWORDS, &m->evtq);
	smmu_model_reg_store(m, SMMU_CR0ACK, cr0);
	rte_spinlock_unlock(&m->evtq_lock);

	/* Commands written before the queue was enabled run now. */
	if ((on & CR0_CMDQEN) && !m->cmdq_stalled)
		smmu_model_cmdq_consume(m);
}

void
smmu_model_gerror_raise(struct smmu_model *m, uint32_t err)
{
	uint32_t *gerror = &m->regs[SMMU_GERROR / 4];
	uint32_t val = __atomic_load_n(gerror, __ATOMIC_RELAXED);

	/* CAS: the command consumer and event producers raise errors
	 * concurrently; release publishes CONS.ERR to whoever sees the bit. */
	do {
		if ((val ^ smmu_model_reg_load(m, SMMU_GERRORN)) & err)
			return;
	} while (!__atomic_compare_exchange_n(gerror, &val, val ^ err, false,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
}

/* Acknowledging CMDQ_ERR restarts the command queue at the command that
 * failed: software has fixed it up (or replaced it with a CMD_SYNC). */
static void
gerrorn_write(struct smmu_model *m, uint32_t val)
{
	uint32_t cons;

	smmu_model_reg_store(m, SMMU_GERRORN, val);
	if (!m->cmdq_stalled ||
	    ((smmu_model_reg_load(m, SMMU_GERROR) ^ val) & GERROR_CMDQ_ERR))
		return;
	m->cmdq_stalled = false;
	cons = smmu_model_reg_load(m, SMMU_CMDQ_CONS);
	smmu_model_reg_store(m, SMMU_CMDQ_CONS, cons & ~CMDQ_CONS_ERR);
	if (smmu_model_reg_load(m, SMMU_CR0ACK) & CR0_CMDQEN)
		smmu_model_cmdq_consume(m);
}

static void
gbpa_write(struct smmu_model *m, uint32_t val)
{
	if (val & GBPA_UPDATE)
		smmu_model_reg_store(m, SMMU_GBPA, val & ~GBPA_UPDATE);
}

/* ----------------------------------------------------------------- MMIO -- */

static bool
reg_offset_ok(uint32_t offset, uint32_t size)
{
	return offset % size == 0 && offset < SMMU_REG_SPACE;
}

uint32_t
smmu_model_read32(struct smmu_model *m, uint32_t offset)
{
	if (!reg_offset_ok(offset, 4))
		return 0;
	return smmu_model_reg_load(m, offset);
}

/* Store @val at @offset unless CR0ACK has @enable set. */
static void
store_if_disabled(struct smmu_model *m, uint32_t offset, uint32_t val,
		  uint32_t enable)
{
	if (!(smmu_model_reg_load(m, SMMU_CR0ACK) & enable))
		smmu_model_reg_store(m, offset, val);
}

void
smmu_model_write32(struct smmu_model *m, uint32_t offset, uint32_t val)
{
	if (!reg_offset_ok(offset, 4))
		return;
	switch (offset) {
	case SMMU_CR0:
		cr0_write(m, val);
		break;
	case SMMU_CR1:
	case SMMU_CR2:
	case SMMU_EVTQ_CONS:
	case SMMU_PRIQ_CONS:
		smmu_model_reg_store(m, offset, val);
		break;
	case SMMU_IRQ_CTRL:
		smmu_model_reg_store(m, offset, val);
		smmu_model_reg_store(m, SMMU_IRQ_CTRLACK, val);
		break;
	case SMMU_GBPA:
		gbpa_write(m, val);
		break;
	case SMMU_GERRORN:
		gerrorn_write(m, val);
		break;
	case SMMU_STRTAB_BASE:
	case SMMU_STRTAB_BASE + 4:
	case SMMU_STRTAB_BASE_CFG:
		store_if_disabled(m, offset, val, CR0_SMMUEN);
		break;
	case SMMU_CMDQ_BASE:
	case SMMU_CMDQ_BASE + 4:
	case SMMU_CMDQ_CONS:
		store_if_disabled(m, offset, val, CR0_CMDQEN);
		break;
	case SMMU_EVTQ_BASE:
	case SMMU_EVTQ_BASE + 4:
	case SMMU_EVTQ_PROD:
		store_if_disabled(m, offset, val, CR0_EVTQEN);
		break;
	case SMMU_PRIQ_BASE:
	case SMMU_PRIQ_BASE + 4:
	case SMMU_PRIQ_PROD:
		store_if_disabled(m, offset, val, CR0_PRIQEN);
		break;
	case SMMU_CMDQ_PROD:
		smmu_model_reg_store(m, offset, val);
		if ((smmu_model_reg_load(m, SMMU_CR0ACK) & CR0_CMDQEN) &&
		    !m->cmdq_stalled)
			smmu_model_cmdq_consume(m);
		break;
	default:
		/* ID, ACK, status, producer-owned and unknown: WI. */
		break;
	}
}

static bool
reg_is_64bit(uint32_t offset)
{
	return offset == SMMU_STRTAB_BASE || offset == SMMU_CMDQ_BASE ||
	       offset == SMMU_EVTQ_BASE || offset == SMMU_PRIQ_BASE;
}

uint64_t
smmu_model_read64(struct smmu_model *m, uint32_t offset)
{
	if (!reg_is_64bit(offset))
		return 0;
	return reg_load64(m, offset);
}

void
smmu_model_write64(struct smmu_model *m, uint32_t offset, uint64_t val)
{
	if (!reg_is_64bit(offset))
		return;
	smmu_model_write32(m, offset, (uint32_t)val);
	smmu_model_write32(m, offset + 4, (uint32_t)(val >> 32));
}
