/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SMMUv3 command queue, consumer side: validation of each 16-byte
 * command (CERROR_ILL for anything this SMMU would not accept), execution,
 * and CONS/CMDQ_ERR bookkeeping.
 *
 * What the commands do here:
 * - The model has no configuration cache, so CFGI_* and PREFETCH_CFG have
 *   nothing to drop; they still make the next CMD_SYNC wait a grace period,
 *   because a walk that started before the driver changed an STE or CD may
 *   still be using the old one.
 * - The TLB is the core's per-lcore IOTLB, tagged by ASID (stage 1, nested)
 *   or VMID (stage 2 only). TLBIs become uiommu_iotlb_inv_post() calls on
 *   those tags; VMID-scoped stage-1 TLBIs use ctx_vmid[] to find the ASID
 *   tags filled under that VMID. Leaf, TTL and (for TLBI_NH_VA) the VMID
 *   scope are ignored: every invalidation is a superset of what was asked.
 *   TLBI_S2_IPA reaches stage-2-only entries; combined (nested) entries
 *   need TLBI_NH_ALL or TLBI_S12_VMALL, as the architecture requires.
 * - CMD_SYNC completes every invalidation before it with
 *   uiommu_iotlb_sync() (one QSBR grace period), then signals by MSI.
 * - PRI_RESP and RESUME are checked and counted: no page requests or
 *   stalled transactions are modelled, so there is nothing to answer.
 *
 * Single consumer: called from the thread that writes CMDQ_PROD or
 * GERRORN, which the driver serialises.
 */
#include "iopt_arm_lpae.h"
#include "smmu_model.h"

/* Fields each opcode may set; any other bit makes the command illegal. */
struct cmd_fields {
	uint64_t word0;
	uint64_t word1;
	bool has_sid;		/* word 0 [63:32] is a StreamID */
};

#define CMD_TLBI_RANGE_0	(CMDQ_TLBI_0_NUM | CMDQ_TLBI_0_SCALE)
#define CMD_TLBI_RANGE_1	(CMDQ_TLBI_1_LEAF | CMDQ_TLBI_1_TTL | \
				 CMDQ_TLBI_1_TG)

static const struct cmd_fields cmd_fields[CMDQ_OP_MAX] = {
	[CMDQ_OP_PREFETCH_CFG] = {
		CMDQ_0_SSV | CMDQ_CFGI_0_SSID | CMDQ_CFGI_0_SID, 0, true },
	[CMDQ_OP_CFGI_STE] = { CMDQ_CFGI_0_SID, CMDQ_CFGI_1_LEAF, true },
	[CMDQ_OP_CFGI_STE_RANGE] = {
		CMDQ_CFGI_0_SID, CMDQ_CFGI_1_RANGE, true },
	[CMDQ_OP_CFGI_CD] = {
		CMDQ_CFGI_0_SSID | CMDQ_CFGI_0_SID, CMDQ_CFGI_1_LEAF, true },
	[CMDQ_OP_CFGI_CD_ALL] = { CMDQ_CFGI_0_SID, 0, true },
	[CMDQ_OP_TLBI_NH_ALL] = { CMDQ_TLBI_0_VMID, 0 },
	[CMDQ_OP_TLBI_NH_ASID] = { CMDQ_TLBI_0_VMID | CMDQ_TLBI_0_ASID, 0 },
	[CMDQ_OP_TLBI_NH_VA] = {
		CMD_TLBI_RANGE_0 | CMDQ_TLBI_0_VMID | CMDQ_TLBI_0_ASID,
		CMD_TLBI_RANGE_1 | CMDQ_TLBI_1_VA },
	[CMDQ_OP_TLBI_NH_VAA] = {
		CMD_TLBI_RANGE_0 | CMDQ_TLBI_0_VMID,
		CMD_TLBI_RANGE_1 | CMDQ_TLBI_1_VA },
	[CMDQ_OP_TLBI_EL2_ALL] = { 0, 0 },
	[CMDQ_OP_TLBI_S12_VMALL] = { CMDQ_TLBI_0_VMID, 0 },
	[CMDQ_OP_TLBI_S2_IPA] = {
		CMD_TLBI_RANGE_0 | CMDQ_TLBI_0_VMID,
		CMD_TLBI_RANGE_1 | CMDQ_TLBI_1_IPA },
	[CMDQ_OP_TLBI_NSNH_ALL] = { 0, 0 },
	[CMDQ_OP_ATC_INV] = {
		CMDQ_0_SSV | CMDQ_ATC_0_GLOBAL | CMDQ_ATC_0_SSID |
		CMDQ_ATC_0_SID,
		CMDQ_ATC_1_SIZE | CMDQ_ATC_1_ADDR, true },
	[CMDQ_OP_PRI_RESP] = {
		CMDQ_0_SSV | CMDQ_PRI_0_SSID | CMDQ_PRI_0_SID,
		CMDQ_PRI_1_GRPID | CMDQ_PRI_1_RESP, true },
	[CMDQ_OP_RESUME] = {
		CMDQ_RESUME_0_RESP | CMDQ_RESUME_0_SID, CMDQ_RESUME_1_STAG,
		true },
	[CMDQ_OP_CMD_SYNC] = {
		CMDQ_SYNC_0_CS | CMDQ_SYNC_0_MSH | CMDQ_SYNC_0_MSIATTR |
		CMDQ_SYNC_0_MSIDATA,
		CMDQ_SYNC_1_MSIADDR },
};

/* Opcode-specific value checks, after the field masks passed. */
static uint32_t
cmd_check_values(uint32_t op, const uint64_t cmd[CMDQ_ENT_DWORDS])
{
	uint64_t tg = FIELD_GET(CMDQ_TLBI_1_TG, cmd[1]);

	/* Every StreamID field sits where CFGI's does. */
	if (cmd_fields[op].has_sid &&
	    FIELD_GET(CMDQ_CFGI_0_SID, cmd[0]) >> SMMU_MODEL_SID_BITS)
		return CMDQ_CERROR_ILL;
	switch (op) {
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
	case CMDQ_OP_TLBI_S2_IPA:
		/* Only the 4 KiB granule; no range without a granule. */
		if (tg > CMDQ_TLBI_TG_4K ||
		    (tg == 0 && (cmd[0] & CMD_TLBI_RANGE_0)))
			return CMDQ_CERROR_ILL;
		break;
	case CMDQ_OP_ATC_INV:
		if (FIELD_GET(CMDQ_ATC_1_SIZE, cmd[1]) > CMDQ_ATC_SIZE_ALL)
			return CMDQ_CERROR_ILL;
		break;
	case CMDQ_OP_PRI_RESP:
		if (FIELD_GET(CMDQ_PRI_1_RESP, cmd[1]) == 3)
			return CMDQ_CERROR_ILL;
		break;
	case CMDQ_OP_RESUME:
		if (FIELD_GET(CMDQ_RESUME_0_RESP, cmd[0]) == 3)
			return CMDQ_CERROR_ILL;
		break;
	case CMDQ_OP_CMD_SYNC:
		if (FIELD_GET(CMDQ_SYNC_0_CS, cmd[0]) == 3)
			return CMDQ_CERROR_ILL;
		break;
	default:
		break;
	}
	return CMDQ_CERROR_NONE;
}

static bool
cmd_implemented(uint32_t op)
{
	switch (op) {
	case CMDQ_OP_PREFETCH_CFG:
	case CMDQ_OP_CFGI_STE:
	case CMDQ_OP_CFGI_STE_RANGE:
	case CMDQ_OP_CFGI_CD:
	case CMDQ_OP_CFGI_CD_ALL:
	case CMDQ_OP_TLBI_NH_ALL:
	case CMDQ_OP_TLBI_NH_ASID:
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
	case CMDQ_OP_TLBI_EL2_ALL:
	case CMDQ_OP_TLBI_S12_VMALL:
	case CMDQ_OP_TLBI_S2_IPA:
	case CMDQ_OP_TLBI_NSNH_ALL:
	case CMDQ_OP_ATC_INV:
	case CMDQ_OP_PRI_RESP:
	case CMDQ_OP_RESUME:
	case CMDQ_OP_CMD_SYNC:
		return true;
	default:
		return false;
	}
}

uint32_t
smmu_model_cmd_check(const struct smmu_model *m,
		     const uint64_t cmd[CMDQ_ENT_DWORDS])
{
	uint32_t op = FIELD_GET(CMDQ_0_OP, cmd[0]);

	RTE_SET_USED(m);
	if (!cmd_implemented(op) ||
	    (cmd[0] & ~(CMDQ_0_OP | cmd_fields[op].word0)) ||
	    (cmd[1] & ~cmd_fields[op].word1))
		return CMDQ_CERROR_ILL;
	return cmd_check_values(op, cmd);
}

/* ------------------------------------------------------------ execution -- */

static void
inv_post(struct smmu_model *m, uint32_t op, uint32_t tag, uint64_t iova,
	 uint64_t last)
{
	const struct uiommu_inv inv = {
		.iova = iova, .last = last, .tag = tag, .op = op,
	};

	/* Tag 0 is never cached (model_walk.c). No hw: a standalone model
	 * (unit tests) has no TLB to invalidate. */
	if ((op != UIOMMU_INV_ALL && tag == 0) || m->hw == NULL)
		return;
	uiommu_iotlb_inv_post(m->hw, &inv);
}

/* [*iova, *last] of a TLBI_{NH_VA,NH_VAA,S2_IPA} (@addr_mask: VA or IPA). */
static void
tlbi_range(const uint64_t cmd[CMDQ_ENT_DWORDS], uint64_t addr_mask,
	   uint64_t *iova, uint64_t *last)
{
	uint64_t num = FIELD_GET(CMDQ_TLBI_0_NUM, cmd[0]);
	uint64_t scale = FIELD_GET(CMDQ_TLBI_0_SCALE, cmd[0]);
	uint64_t size;

	*iova = cmd[1] & addr_mask;
	if (FIELD_GET(CMDQ_TLBI_1_TG, cmd[1]) == 0) {
		/* One address: every entry, of any size, containing it. */
		*last = *iova;
		return;
	}
	size = (num + 1) << (scale + ARM_LPAE_GRANULE_SHIFT);
	*last = *iova + size - 1 < *iova ? UINT64_MAX : *iova + size - 1;
}

/*
 * Invalidate every tag filled under @vmid: ASID tags of stage-1 and nested
 * contexts, and with @with_s2 also the stage-2-only tag. A ctx_vmid entry
 * that is stale because its tag was reused under another VMID would hide a
 * tag from us; the fence pairs with the one in model_walk.c's ctx_note(),
 * which a walker crosses after recording a new VMID and before reading any
 * page table: either we see its VMID, or it sees the tables the driver
 * changed before this command.
 */
static void
tlbi_vmid_tags(struct smmu_model *m, uint32_t vmid, bool with_s2,
	       uint32_t op, uint64_t iova, uint64_t last)
{
	uint32_t tag, ctx;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (tag = 1; tag < SMMU_MODEL_TAGS; tag++) {
		ctx = __atomic_load_n(&m->ctx_vmid[tag], __ATOMIC_RELAXED);
		if (ctx == vmid + 1 ||
		    (with_s2 && ctx == ((vmid + 1) | SMMU_CTX_VMID_S2ONLY)))
			inv_post(m, op, tag, iova, last);
	}
}

static void
cmd_sync(struct smmu_model *m, const uint64_t cmd[CMDQ_ENT_DWORDS])
{
	uint64_t msi_addr = cmd[1] & CMDQ_SYNC_1_MSIADDR;
	uint32_t msi_data = FIELD_GET(CMDQ_SYNC_0_MSIDATA, cmd[0]);

	if (m->pending_sync) {
		if (m->hw != NULL)
			uiommu_iotlb_sync(m->hw);
		m->stats.syncs_waited++;
		m->pending_sync = false;
	}
	if (FIELD_GET(CMDQ_SYNC_0_CS, cmd[0]) != CMDQ_SYNC_CS_IRQ)
		return;
	if (!smmu_model_mem_ok(m, msi_addr, sizeof(msi_data))) {
		smmu_model_gerror_raise(m, GERROR_MSI_CMDQ_ABT_ERR);
		return;
	}
	/* Release: pairs with the driver's acquire poll of the MSI word;
	 * everything the sync completed happens before it. */
	__atomic_store_n((uint32_t *)(uintptr_t)msi_addr, msi_data,
			 __ATOMIC_RELEASE);
}

/* Execute one command that smmu_model_cmd_check() accepted. */
static void
cmd_exec(struct smmu_model *m, const uint64_t cmd[CMDQ_ENT_DWORDS])
{
	uint32_t op = FIELD_GET(CMDQ_0_OP, cmd[0]);
	uint32_t vmid = FIELD_GET(CMDQ_TLBI_0_VMID, cmd[0]);
	uint32_t asid = FIELD_GET(CMDQ_TLBI_0_ASID, cmd[0]);
	struct smmu_atc *atc;
	uint64_t iova, last;

	switch (op) {
	case CMDQ_OP_PREFETCH_CFG:
	case CMDQ_OP_CFGI_STE:
	case CMDQ_OP_CFGI_STE_RANGE:
	case CMDQ_OP_CFGI_CD:
	case CMDQ_OP_CFGI_CD_ALL:
		m->pending_sync = true;
		break;
	case CMDQ_OP_TLBI_NH_ALL:
		tlbi_vmid_tags(m, vmid, false, UIOMMU_INV_TAG, 0, 0);
		m->pending_sync = true;
		break;
	case CMDQ_OP_TLBI_NH_ASID:
		inv_post(m, UIOMMU_INV_TAG, asid, 0, 0);
		m->pending_sync = true;
		break;
	case CMDQ_OP_TLBI_NH_VA:
		tlbi_range(cmd, CMDQ_TLBI_1_VA, &iova, &last);
		inv_post(m, UIOMMU_INV_TAG_RANGE, asid, iova, last);
		m->pending_sync = true;
		break;
	case CMDQ_OP_TLBI_NH_VAA:
		tlbi_range(cmd, CMDQ_TLBI_1_VA, &iova, &last);
		tlbi_vmid_tags(m, vmid, false, UIOMMU_INV_TAG_RANGE, iova,
			       last);
		m->pending_sync = true;
		break;
	case CMDQ_OP_TLBI_S12_VMALL:
		tlbi_vmid_tags(m, vmid, true, UIOMMU_INV_TAG, 0, 0);
		m->pending_sync = true;
		break;
	case CMDQ_OP_TLBI_S2_IPA:
		tlbi_range(cmd, CMDQ_TLBI_1_IPA, &iova, &last);
		inv_post(m, UIOMMU_INV_TAG_RANGE, vmid, iova, last);
		m->pending_sync = true;
		break;
	case CMDQ_OP_TLBI_EL2_ALL:
	case CMDQ_OP_TLBI_NSNH_ALL:
		inv_post(m, UIOMMU_INV_ALL, 0, 0, 0);
		m->pending_sync = true;
		break;
	case CMDQ_OP_ATC_INV:
		atc = smmu_atc_find(m, FIELD_GET(CMDQ_ATC_0_SID, cmd[0]));
		if (atc != NULL)
			smmu_atc_invalidate(atc,
				FIELD_GET(CMDQ_ATC_0_SSID, cmd[0]),
				cmd[0] & CMDQ_ATC_0_GLOBAL,
				cmd[1] & CMDQ_ATC_1_ADDR,
				FIELD_GET(CMDQ_ATC_1_SIZE, cmd[1]));
		m->pending_sync = true;
		break;
	case CMDQ_OP_PRI_RESP:
	case CMDQ_OP_RESUME:
		break;
	case CMDQ_OP_CMD_SYNC:
		cmd_sync(m, cmd);
		break;
	}
	m->stats.cmds[op]++;
}

/* Stop on the command at @cons: report @cerror and leave CONS on it until
 * software acknowledges CMDQ_ERR (model_regs.c, GERRORN). */
static void
cmdq_error(struct smmu_model *m, uint32_t cons, uint32_t cerror)
{
	m->stats.cmd_errors++;
	m->cmdq_stalled = true;
	/* CONS.ERR before GERROR: whoever sees the error sees its cause. */
	smmu_model_reg_store(m, SMMU_CMDQ_CONS,
			     (cons & ~CMDQ_CONS_ERR) |
			     FIELD_PREP(CMDQ_CONS_ERR, cerror));
	smmu_model_gerror_raise(m, GERROR_CMDQ_ERR);
}

void
smmu_model_cmdq_consume(struct smmu_model *m)
{
	uint32_t log2size = m->cmdq.log2size;
	uint32_t cons = smmu_model_reg_load(m, SMMU_CMDQ_CONS);
	uint64_t cmd[CMDQ_ENT_DWORDS];
	const uint64_t *ent;
	uint32_t cerror;

	/* Acquire on PROD: pairs with the driver's write of CMDQ_PROD, after
	 * the commands up to it. */
	while (!smmu_queue_empty(log2size,
				 smmu_model_reg_load(m, SMMU_CMDQ_PROD), cons)) {
		if (m->cmdq.base == NULL) {
			cmdq_error(m, cons, CMDQ_CERROR_ABT);
			return;
		}
		ent = m->cmdq.base +
		      (size_t)smmu_queue_idx(log2size, cons) * CMDQ_ENT_DWORDS;
		cmd[0] = ent[0];
		cmd[1] = ent[1];
		cerror = smmu_model_cmd_check(m, cmd);
		if (cerror != CMDQ_CERROR_NONE) {
			cmdq_error(m, cons, cerror);
			return;
		}
		cmd_exec(m, cmd);
		cons = smmu_queue_inc(log2size, cons);
		/* Release: the driver polls CONS to reuse the slot and to see
		 * that a CMD_SYNC completed. */
		smmu_model_reg_store(m, SMMU_CMDQ_CONS, cons);
	}
}
