/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's side of the command queue: commands built from a struct by
 * one function, written ahead of PROD and published in batches, each batch
 * of invalidations closed by one CMD_SYNC whose completion is an MSI write
 * to a memory word.
 *
 * A full queue is never overwritten: the producer publishes what it has
 * (the model consumes up to PROD) and re-reads CONS. An illegal command
 * stops the consumer with CMDQ_ERR; like Linux's arm-smmu-v3 driver we
 * replace it with a CMD_SYNC, log it, and acknowledge GERRORN, after which
 * the model resumes at CONS.
 *
 * Every function here runs with drv->cmdq_lock held.
 */
#include <errno.h>
#include <limits.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "smmu_drv.h"

#define CMDQ_ERR_RETRIES	8

void
smmu_cmd_build(const struct smmu_cmd *cmd, uint64_t out[CMDQ_ENT_DWORDS])
{
	uint64_t w0 = FIELD_PREP(CMDQ_0_OP, cmd->opcode), w1 = 0;

	switch (cmd->opcode) {
	case CMDQ_OP_CFGI_STE:
		w0 |= FIELD_PREP(CMDQ_CFGI_0_SID, cmd->sid);
		w1 |= FIELD_PREP(CMDQ_CFGI_1_LEAF, cmd->leaf);
		break;
	case CMDQ_OP_CFGI_STE_RANGE:
		w0 |= FIELD_PREP(CMDQ_CFGI_0_SID, cmd->sid);
		w1 |= FIELD_PREP(CMDQ_CFGI_1_RANGE, cmd->range);
		break;
	case CMDQ_OP_CFGI_CD:
		w0 |= FIELD_PREP(CMDQ_CFGI_0_SSID, cmd->ssid) |
		      FIELD_PREP(CMDQ_CFGI_0_SID, cmd->sid);
		w1 |= FIELD_PREP(CMDQ_CFGI_1_LEAF, cmd->leaf);
		break;
	case CMDQ_OP_CFGI_CD_ALL:
		w0 |= FIELD_PREP(CMDQ_CFGI_0_SID, cmd->sid);
		break;
	case CMDQ_OP_TLBI_NH_VA:
		w0 |= FIELD_PREP(CMDQ_TLBI_0_ASID, cmd->asid);
		/* fall through */
	case CMDQ_OP_TLBI_NH_VAA:
		w0 |= FIELD_PREP(CMDQ_TLBI_0_NUM, cmd->num) |
		      FIELD_PREP(CMDQ_TLBI_0_SCALE, cmd->scale) |
		      FIELD_PREP(CMDQ_TLBI_0_VMID, cmd->vmid);
		w1 |= FIELD_PREP(CMDQ_TLBI_1_LEAF, cmd->leaf) |
		      FIELD_PREP(CMDQ_TLBI_1_TG, cmd->tg) |
		      FIELD_PREP(CMDQ_TLBI_1_VA, cmd->addr >> 12);
		break;
	case CMDQ_OP_TLBI_S2_IPA:
		w0 |= FIELD_PREP(CMDQ_TLBI_0_NUM, cmd->num) |
		      FIELD_PREP(CMDQ_TLBI_0_SCALE, cmd->scale) |
		      FIELD_PREP(CMDQ_TLBI_0_VMID, cmd->vmid);
		w1 |= FIELD_PREP(CMDQ_TLBI_1_LEAF, cmd->leaf) |
		      FIELD_PREP(CMDQ_TLBI_1_TG, cmd->tg) |
		      FIELD_PREP(CMDQ_TLBI_1_IPA, cmd->addr >> 12);
		break;
	case CMDQ_OP_TLBI_NH_ASID:
		w0 |= FIELD_PREP(CMDQ_TLBI_0_ASID, cmd->asid);
		/* fall through */
	case CMDQ_OP_TLBI_NH_ALL:
	case CMDQ_OP_TLBI_S12_VMALL:
		w0 |= FIELD_PREP(CMDQ_TLBI_0_VMID, cmd->vmid);
		break;
	case CMDQ_OP_ATC_INV:
		w0 |= FIELD_PREP(CMDQ_0_SSV, cmd->ssv) |
		      FIELD_PREP(CMDQ_ATC_0_SSID, cmd->ssid) |
		      FIELD_PREP(CMDQ_ATC_0_SID, cmd->sid);
		w1 |= FIELD_PREP(CMDQ_ATC_1_SIZE, cmd->size) |
		      FIELD_PREP(CMDQ_ATC_1_ADDR, cmd->addr >> 12);
		break;
	case CMDQ_OP_PRI_RESP:
		w0 |= FIELD_PREP(CMDQ_0_SSV, cmd->ssv) |
		      FIELD_PREP(CMDQ_PRI_0_SSID, cmd->ssid) |
		      FIELD_PREP(CMDQ_PRI_0_SID, cmd->sid);
		w1 |= FIELD_PREP(CMDQ_PRI_1_RESP, cmd->cs);
		break;
	case CMDQ_OP_RESUME:
		w0 |= FIELD_PREP(CMDQ_RESUME_0_RESP, cmd->cs) |
		      FIELD_PREP(CMDQ_RESUME_0_SID, cmd->sid);
		break;
	case CMDQ_OP_CMD_SYNC:
		w0 |= FIELD_PREP(CMDQ_SYNC_0_CS, cmd->cs) |
		      FIELD_PREP(CMDQ_SYNC_0_MSIDATA, cmd->msidata);
		w1 |= FIELD_PREP(CMDQ_SYNC_1_MSIADDR, cmd->addr >> 2);
		break;
	default:	/* TLBI_NSNH_ALL, TLBI_EL2_ALL, PREFETCH_CFG: opcode */
		break;
	}
	out[0] = w0;
	out[1] = w1;
}

int
smmu_cmdq_init(struct smmu_drv *drv, uint32_t log2size, int socket)
{
	size_t bytes = ((size_t)CMDQ_ENT_DWORDS * 8) << log2size;

	/* A queue is aligned to its size (at least 32 bytes): the base
	 * register has no room for lower bits. */
	drv->cmdq.mem = rte_zmalloc_socket("smmu_cmdq", bytes,
					   RTE_MAX(bytes, (size_t)64), socket);
	if (drv->cmdq.mem == NULL)
		return -ENOMEM;
	drv->cmdq.log2size = log2size;
	drv->cmdq.prod = 0;
	smmu_model_write64(drv->model, SMMU_CMDQ_BASE,
			   FIELD_PREP(Q_BASE_ADDR,
				      (uintptr_t)drv->cmdq.mem >> 5) |
			   FIELD_PREP(Q_BASE_LOG2SIZE, log2size) |
			   Q_BASE_RWA);
	smmu_model_write32(drv->model, SMMU_CMDQ_PROD, 0);
	smmu_model_write32(drv->model, SMMU_CMDQ_CONS, 0);
	return 0;
}

/* CMDQ_ERR is active: fix the command at CONS and let the model go on. */
static int
cmdq_handle_error(struct smmu_drv *drv)
{
	struct smmu_model *m = drv->model;
	uint32_t cons = smmu_model_read32(m, SMMU_CMDQ_CONS);
	uint32_t err = FIELD_GET(CMDQ_CONS_ERR, cons);
	uint64_t *ent = &drv->cmdq.mem[smmu_queue_idx(drv->cmdq.log2size, cons) *
				       CMDQ_ENT_DWORDS];
	struct smmu_cmd skip = { .opcode = CMDQ_OP_CMD_SYNC };
	uint32_t gerrorn;

	drv->stats.cmd_errors++;
	SMMU_LOG(ERR, "CMDQ error %u at %u: %#" PRIx64
		 " %#" PRIx64 ", skipped", err, smmu_queue_idx(drv->cmdq.log2size, cons),
		 ent[0], ent[1]);
	if (err == CMDQ_CERROR_ABT)
		return -EIO;	/* the queue itself cannot be read */
	/* ILL: the command is dropped; ATC_INV_SYNC: retried as a sync. */
	smmu_cmd_build(&skip, ent);
	gerrorn = smmu_model_read32(m, SMMU_GERRORN) ^ GERROR_CMDQ_ERR;
	smmu_model_write32(m, SMMU_GERRORN, gerrorn);
	return 0;
}

/* Publish everything written so far; the model consumes it. */
static int
cmdq_ring(struct smmu_drv *drv)
{
	struct smmu_model *m = drv->model;
	int tries;

	smmu_model_write32(m, SMMU_CMDQ_PROD, drv->cmdq.prod);
	drv->stats.doorbells++;
	for (tries = 0; tries < CMDQ_ERR_RETRIES; tries++) {
		uint32_t active = smmu_model_read32(m, SMMU_GERROR) ^
				  smmu_model_read32(m, SMMU_GERRORN);

		if (!(active & GERROR_CMDQ_ERR))
			return 0;
		if (cmdq_handle_error(drv) != 0)
			return -EIO;
	}
	return -EIO;
}

int
smmu_cmdq_add_raw(struct smmu_drv *drv, const uint64_t raw[2])
{
	struct smmu_drv_queue *q = &drv->cmdq;
	uint64_t *ent;

	if (smmu_queue_full(q->log2size, q->prod,
			    smmu_model_read32(drv->model, SMMU_CMDQ_CONS))) {
		drv->stats.queue_full++;
		if (cmdq_ring(drv) != 0 ||
		    smmu_queue_full(q->log2size, q->prod,
				    smmu_model_read32(drv->model,
						      SMMU_CMDQ_CONS)))
			return -EIO;
	}
	ent = &q->mem[smmu_queue_idx(q->log2size, q->prod) * CMDQ_ENT_DWORDS];
	ent[0] = raw[0];
	ent[1] = raw[1];
	q->prod = smmu_queue_inc(q->log2size, q->prod);
	drv->cmdq_dirty = true;
	drv->stats.cmds[FIELD_GET(CMDQ_0_OP, raw[0])]++;
	return 0;
}

int
smmu_cmdq_add(struct smmu_drv *drv, const struct smmu_cmd *cmd)
{
	uint64_t raw[CMDQ_ENT_DWORDS];

	smmu_cmd_build(cmd, raw);
	return smmu_cmdq_add_raw(drv, raw);
}

/* ATC size (log2 of 4 KiB pages) of the aligned span holding [first, last]. */
static uint8_t
atc_span(uint64_t first, uint64_t last)
{
	uint8_t size = 0;

	while (size < CMDQ_ATC_SIZE_ALL &&
	       (first >> (12 + size)) != (last >> (12 + size)))
		size++;
	return size;
}

static int
cmdq_atc_inv(struct smmu_drv *drv, struct smmu_ats_bind *b)
{
	struct smmu_cmd cmd = {
		.opcode = CMDQ_OP_ATC_INV, .sid = b->sid,
		.ssv = b->ssid != UIOMMU_PASID_NONE,
		.ssid = b->ssid != UIOMMU_PASID_NONE ? b->ssid : 0,
	};

	cmd.size = atc_span(b->inv_first, b->inv_last);
	/* SIZE 52 is everything: no address bits (and no 64-bit shift). */
	cmd.addr = cmd.size >= CMDQ_ATC_SIZE_ALL ? 0 :
		   b->inv_first & ~((1ull << (12 + cmd.size)) - 1);
	b->inv_pending = false;
	return smmu_cmdq_add(drv, &cmd);
}

/* Queue the ATC_INVs that invalidations of ATS-bound tags, and detaches,
 * left pending. */
static int
cmdq_atc_flush(struct smmu_drv *drv)
{
	struct smmu_ats_bind *b;
	int rc = 0;

	TAILQ_FOREACH(b, &drv->ats_binds, next)
		if (b->inv_pending)
			rc |= cmdq_atc_inv(drv, b);
	while ((b = TAILQ_FIRST(&drv->ats_dying)) != NULL) {
		rc |= cmdq_atc_inv(drv, b);
		TAILQ_REMOVE(&drv->ats_dying, b, next);
		rte_free(b);
	}
	return rc;
}

/* One CMD_SYNC, completed by an MSI write of a new sequence number. */
static int
cmdq_sync_one(struct smmu_drv *drv)
{
	struct smmu_cmd sync = {
		.opcode = CMDQ_OP_CMD_SYNC, .cs = CMDQ_SYNC_CS_IRQ,
		.addr = (uintptr_t)drv->sync_word,
		.msidata = ++drv->sync_seq,
	};
	int rc = smmu_cmdq_add(drv, &sync);

	if (rc == 0)
		rc = cmdq_ring(drv);
	if (rc != 0)
		return rc;
	/* Pairs with the model's release store of MSIData: what the sync
	 * covered is complete once the word reads our number. The model
	 * consumes in the ringing thread, so this normally does not spin. */
	while (__atomic_load_n(drv->sync_word, __ATOMIC_ACQUIRE) !=
	       drv->sync_seq) {
		uint32_t active = smmu_model_read32(drv->model, SMMU_GERROR) ^
				  smmu_model_read32(drv->model, SMMU_GERRORN);

		if ((active & GERROR_CMDQ_ERR) && cmdq_handle_error(drv) != 0)
			return -EIO;
		rte_pause();
	}
	drv->cmdq_dirty = false;
	return 0;
}

int
smmu_cmdq_sync(struct smmu_drv *drv)
{
	int rc;

	if (!drv->cmdq_dirty && !drv->atc_pending)
		return 0;
	rc = cmdq_sync_one(drv);
	/* ATCs after the TLB: a device refilling its ATC in between must
	 * not find the stale entry in the SMMU's TLB. */
	if (rc == 0 && drv->atc_pending) {
		drv->atc_pending = false;
		rc = cmdq_atc_flush(drv);
		if (rc == 0)
			rc = cmdq_sync_one(drv);
	}
	return rc;
}

int
smmu_cmdq_issue_sync(struct smmu_drv *drv, const struct smmu_cmd *cmd)
{
	int rc;

	pthread_mutex_lock(&drv->cmdq_lock);
	rc = smmu_cmdq_add(drv, cmd);
	if (rc == 0)
		rc = smmu_cmdq_sync(drv);
	pthread_mutex_unlock(&drv->cmdq_lock);
	return rc;
}

/*
 * Range TLBIs covering [first, last]: each command invalidates
 * (NUM + 1) << SCALE pages from its address, so the page count is consumed
 * five bits at a time from the bottom. Returns the number of commands, and
 * queues them if @queue.
 */
static int
cmdq_tlbi_ranges(struct smmu_drv *drv, const struct smmu_cmd *proto,
		 uint64_t first, uint64_t last, bool queue)
{
	uint64_t addr = first & ~(uint64_t)(RTE_PGSIZE_4K - 1);
	uint64_t pages = ((last - addr) >> 12) + 1;
	int n = 0, rc;

	while (pages != 0) {
		struct smmu_cmd cmd = *proto;
		unsigned int scale = __builtin_ctzll(pages);
		uint64_t num = (pages >> scale) & CMDQ_TLBI_RANGE_NUM_MAX;

		/* SCALE is 5 bits: a range this large needs the by-context
		 * command (the caller sees more commands than it allows). */
		if (scale > FIELD_GET(CMDQ_TLBI_0_SCALE, CMDQ_TLBI_0_SCALE))
			return queue ? -EINVAL : INT_MAX;
		n++;
		if (queue) {
			cmd.tg = CMDQ_TLBI_TG_4K;
			cmd.num = num - 1;
			cmd.scale = scale;
			cmd.addr = addr;
			rc = smmu_cmdq_add(drv, &cmd);
			if (rc != 0)
				return rc;
		}
		addr += num << (scale + 12);
		pages -= num << scale;
	}
	return n;
}

/* Per-page TLBIs (no range support): one command per 4 KiB page. */
static int
cmdq_tlbi_pages(struct smmu_drv *drv, const struct smmu_cmd *proto,
		uint64_t first, uint64_t last)
{
	uint64_t addr;
	int rc;

	for (addr = first & ~(uint64_t)(RTE_PGSIZE_4K - 1); addr <= last;
	     addr += RTE_PGSIZE_4K) {
		struct smmu_cmd cmd = *proto;

		cmd.addr = addr;
		rc = smmu_cmdq_add(drv, &cmd);
		if (rc != 0 || addr + RTE_PGSIZE_4K == 0)
			return rc;
	}
	return 0;
}

/* The by-address command for a range, or the by-context one when that
 * takes fewer commands. */
static int
cmdq_tlbi_range(struct smmu_drv *drv, const struct smmu_cmd *by_addr,
		const struct smmu_cmd *by_ctx, uint64_t first, uint64_t last)
{
	uint64_t pages = ((last - (first & ~0xfffull)) >> 12) + 1;
	int n;

	if (drv->range_inv) {
		n = cmdq_tlbi_ranges(drv, by_addr, first, last, false);
		if (n <= SMMU_DRV_RANGE_CMDS_MAX) {
			n = cmdq_tlbi_ranges(drv, by_addr, first, last, true);
			return n < 0 ? n : 0;
		}
	} else if (pages <= SMMU_DRV_RANGE_CMDS_MAX) {
		return cmdq_tlbi_pages(drv, by_addr, first, last);
	}
	return smmu_cmdq_add(drv, by_ctx);
}

/* Mark the ATS bindings of @inv's tag for an ATC_INV after the sync. */
static void
cmdq_atc_mark(struct smmu_drv *drv, const struct uiommu_inv *inv)
{
	struct smmu_ats_bind *b;

	TAILQ_FOREACH(b, &drv->ats_binds, next) {
		uint64_t first = 0, last = UINT64_MAX;

		if (inv->op != UIOMMU_INV_ALL && b->tag != inv->tag)
			continue;
		if (inv->op == UIOMMU_INV_TAG_RANGE) {
			first = inv->iova;
			last = inv->last;
		}
		if (b->inv_pending) {
			first = RTE_MIN(first, b->inv_first);
			last = RTE_MAX(last, b->inv_last);
		}
		b->inv_first = first;
		b->inv_last = last;
		b->inv_pending = true;
		drv->atc_pending = true;
	}
}

int
smmu_cmdq_inv(struct smmu_drv *drv, const struct uiommu_inv *inv)
{
	const struct smmu_tag_info *ti = &drv->tag_info[inv->tag &
						       (SMMU_MODEL_TAGS - 1)];
	struct smmu_cmd by_ctx = { 0 }, by_addr = { .leaf = true };

	cmdq_atc_mark(drv, inv);
	if (inv->op == UIOMMU_INV_ALL || inv->tag >= SMMU_MODEL_TAGS ||
	    ti->kind == SMMU_TAG_NONE) {
		by_ctx.opcode = CMDQ_OP_TLBI_NSNH_ALL;
		return smmu_cmdq_add(drv, &by_ctx);
	}
	if (ti->kind == SMMU_TAG_S2) {
		by_ctx.opcode = CMDQ_OP_TLBI_S12_VMALL;
		by_ctx.vmid = inv->tag;
		by_addr.opcode = CMDQ_OP_TLBI_S2_IPA;
		by_addr.vmid = inv->tag;
	} else {
		by_ctx.opcode = CMDQ_OP_TLBI_NH_ASID;
		by_ctx.asid = inv->tag;
		by_ctx.vmid = ti->vmid;
		by_addr.opcode = CMDQ_OP_TLBI_NH_VA;
		by_addr.asid = inv->tag;
		by_addr.vmid = ti->vmid;
	}
	if (inv->op == UIOMMU_INV_TAG)
		return smmu_cmdq_add(drv, &by_ctx);
	return cmdq_tlbi_range(drv, &by_addr, &by_ctx, inv->iova, inv->last);
}
