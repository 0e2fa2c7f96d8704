/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmu_sim's struct uiommu_hw_ops: the core's requests turned into what an
 * SMMUv3 driver does. hw_init brings the model up the way arm-smmu-v3 does
 * (tables and queues, then CR0 enables one at a time, each waiting for its
 * CR0ACK); attach and detach rewrite STEs and CDs; invalidations become
 * TLBI / ATC_INV commands, and sync a CMD_SYNC.
 *
 * Tags: the core hands each attachment's tag to attach(). For a stage-1 or
 * nested domain it becomes the CD's ASID, for a stage-2-only domain the
 * STE's VMID: the model reports the same number back as the TLB tag, so
 * IOTLB entries filled by the walker are the ones the port looks up. ASIDs
 * and stage-2 VMIDs come from one allocator and never collide. A nested
 * STE's VMID is the driver's own (one per stage-2 parent), never a tag.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "smmu_drv.h"

RTE_LOG_REGISTER(smmu_sim_logtype, uiommu.smmu_sim, NOTICE);

#define SMMU_DRV_CMDQ_LOG2	8
#define SMMU_DRV_EVTQ_LOG2	7
#define SMMU_DRV_PRIQ_LOG2	5
#define SMMU_DRV_Q_LOG2_MIN	2

struct smmu_drv_args {
	unsigned int cmdq_log2;
	unsigned int evtq_log2;
	bool strtab_linear;
	bool range_inv;
};

static int
args_log2(const char *key, const char *value, void *opaque)
{
	unsigned int *out = opaque;
	char *end;
	unsigned long v = strtoul(value, &end, 0);

	if (*value == '\0' || *end != '\0' || v < SMMU_DRV_Q_LOG2_MIN ||
	    v > SMMU_MODEL_QS_MAX) {
		SMMU_LOG(ERR, "%s=%s: want %u..%u", key, value,
			 SMMU_DRV_Q_LOG2_MIN, SMMU_MODEL_QS_MAX);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int
args_strtab(const char *key, const char *value, void *opaque)
{
	bool *linear = opaque;

	if (strcmp(value, "linear") == 0 || strcmp(value, "2lvl") == 0) {
		*linear = value[0] == 'l';
		return 0;
	}
	SMMU_LOG(ERR, "%s=%s: want linear or 2lvl", key, value);
	return -EINVAL;
}

static int
args_bool(const char *key, const char *value, void *opaque)
{
	bool *out = opaque;

	if (strcmp(value, "0") == 0 || strcmp(value, "1") == 0) {
		*out = value[0] == '1';
		return 0;
	}
	SMMU_LOG(ERR, "%s=%s: want 0 or 1", key, value);
	return -EINVAL;
}

static int
smmu_args_parse(const char *args, struct smmu_drv_args *a)
{
	static const char *const keys[] = {
		"cmdq", "evtq", "strtab", "range_inv", NULL,
	};
	struct rte_kvargs *kv;
	int rc = 0;

	*a = (struct smmu_drv_args){
		.cmdq_log2 = SMMU_DRV_CMDQ_LOG2,
		.evtq_log2 = SMMU_DRV_EVTQ_LOG2,
		.range_inv = true,
	};
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, keys);
	if (kv == NULL) {
		SMMU_LOG(ERR, "bad arguments '%s' (keys: cmdq, evtq, strtab, "
			 "range_inv)", args);
		return -EINVAL;
	}
	if (rte_kvargs_process(kv, "cmdq", args_log2, &a->cmdq_log2) < 0 ||
	    rte_kvargs_process(kv, "evtq", args_log2, &a->evtq_log2) < 0 ||
	    rte_kvargs_process(kv, "strtab", args_strtab,
			       &a->strtab_linear) < 0 ||
	    rte_kvargs_process(kv, "range_inv", args_bool, &a->range_inv) < 0)
		rc = -EINVAL;
	rte_kvargs_free(kv);
	return rc;
}

/* Set CR0 bits and wait for CR0ACK to agree, as the architecture asks. */
static int
smmu_cr0_set(struct smmu_drv *drv, uint32_t bits)
{
	uint32_t cr0 = smmu_model_read32(drv->model, SMMU_CR0) | bits;

	smmu_model_write32(drv->model, SMMU_CR0, cr0);
	if (smmu_model_read32(drv->model, SMMU_CR0ACK) != cr0) {
		SMMU_LOG(ERR, "CR0ACK %#x, want %#x",
			 smmu_model_read32(drv->model, SMMU_CR0ACK), cr0);
		return -EIO;
	}
	return 0;
}

/* An output queue (EVTQ, PRIQ): memory aligned to its size, base and
 * pointer registers programmed while the queue is disabled. */
static int
smmu_outq_init(struct smmu_drv *drv, struct smmu_drv_queue *q,
	       uint32_t base_reg, uint32_t prod_reg, uint32_t cons_reg,
	       unsigned int ent_dwords, uint32_t log2size, int socket)
{
	size_t bytes = ((size_t)ent_dwords * 8) << log2size;

	q->mem = rte_zmalloc_socket("smmu_outq", bytes, bytes, socket);
	if (q->mem == NULL)
		return -ENOMEM;
	q->log2size = log2size;
	smmu_model_write64(drv->model, base_reg,
			   FIELD_PREP(Q_BASE_ADDR, (uintptr_t)q->mem >> 5) |
			   FIELD_PREP(Q_BASE_LOG2SIZE, log2size) | Q_BASE_RWA);
	smmu_model_write32(drv->model, prod_reg, 0);
	smmu_model_write32(drv->model, cons_reg, 0);
	return 0;
}

static void
smmu_drv_free(struct smmu_drv *drv)
{
	struct smmu_ats_bind *b;

	/* Every device detached; a failed sync may have left records. */
	while ((b = TAILQ_FIRST(&drv->ats_binds)) != NULL) {
		TAILQ_REMOVE(&drv->ats_binds, b, next);
		rte_free(b);
	}
	while ((b = TAILQ_FIRST(&drv->ats_dying)) != NULL) {
		TAILQ_REMOVE(&drv->ats_dying, b, next);
		rte_free(b);
	}
	smmu_strtab_fini(drv);
	rte_free(drv->cmdq.mem);
	rte_free(drv->evtq.mem);
	rte_free(drv->priq.mem);
	rte_free(drv->sync_word);
	rte_free(drv->tag_info);
	smmu_model_destroy(drv->model);
	pthread_mutex_destroy(&drv->cmdq_lock);
	pthread_mutex_destroy(&drv->evtq_lock);
}

static int
smmu_hw_init(struct uiommu_hw *hw, const char *args,
	     struct uiommu_hw_caps *caps)
{
	struct smmu_drv *drv = smmu_drv_of(hw);
	int socket = (int)rte_socket_id();
	struct smmu_drv_args a;
	int rc;

	rc = smmu_args_parse(args, &a);
	if (rc != 0)
		return rc;
	drv->hw = hw;
	drv->range_inv = a.range_inv;
	TAILQ_INIT(&drv->ats_binds);
	TAILQ_INIT(&drv->ats_dying);
	pthread_mutex_init(&drv->cmdq_lock, NULL);
	pthread_mutex_init(&drv->evtq_lock, NULL);
	drv->model = smmu_model_create(hw, socket);
	drv->tag_info = rte_zmalloc_socket("smmu_tag_info", SMMU_MODEL_TAGS *
					   sizeof(*drv->tag_info), 0, socket);
	drv->sync_word = rte_zmalloc_socket("smmu_sync", sizeof(uint32_t),
					    RTE_CACHE_LINE_SIZE, socket);
	rc = -ENOMEM;
	if (drv->model == NULL || drv->tag_info == NULL ||
	    drv->sync_word == NULL)
		goto err_free;
	if (!(smmu_model_read32(drv->model, SMMU_IDR3) & IDR3_RIL))
		drv->range_inv = false;
	rc = smmu_strtab_init(drv, a.strtab_linear, socket);
	if (rc == 0)
		rc = smmu_cmdq_init(drv, a.cmdq_log2, socket);
	if (rc == 0)
		rc = smmu_outq_init(drv, &drv->evtq, SMMU_EVTQ_BASE,
				    SMMU_EVTQ_PROD, SMMU_EVTQ_CONS,
				    EVTQ_ENT_DWORDS, a.evtq_log2, socket);
	/* The PRIQ is enabled, as PRI is advertised, but the model never
	 * produces page requests (doc/smmu_sim.md). */
	if (rc == 0)
		rc = smmu_outq_init(drv, &drv->priq, SMMU_PRIQ_BASE,
				    SMMU_PRIQ_PROD, SMMU_PRIQ_CONS,
				    PRIQ_ENT_DWORDS, SMMU_DRV_PRIQ_LOG2, socket);
	if (rc != 0)
		goto err_free;
	/* Queues first, then translation: the driver can invalidate
	 * whatever the SMMU might have cached before it enables it. */
	rc = smmu_cr0_set(drv, CR0_CMDQEN);
	if (rc == 0)
		rc = smmu_cr0_set(drv, CR0_EVTQEN);
	if (rc == 0)
		rc = smmu_cr0_set(drv, CR0_PRIQEN);
	if (rc == 0) {
		struct smmu_cmd cmd = {
			.opcode = CMDQ_OP_CFGI_STE_RANGE,
			.range = CMDQ_CFGI_RANGE_ALL,
		};

		rc = smmu_cmdq_issue_sync(drv, &cmd);
		cmd = (struct smmu_cmd){ .opcode = CMDQ_OP_TLBI_NSNH_ALL };
		if (rc == 0)
			rc = smmu_cmdq_issue_sync(drv, &cmd);
	}
	if (rc == 0)
		rc = smmu_cr0_set(drv, CR0_SMMUEN);
	if (rc != 0)
		goto err_free;

	*caps = (struct uiommu_hw_caps){
		.pgsize_bitmap = RTE_PGSIZE_4K | RTE_PGSIZE_2M | RTE_PGSIZE_1G,
		.ias = SMMU_MODEL_IAS,
		.oas = SMMU_MODEL_OAS,
		.pasid_bits = SMMU_MODEL_SSID_BITS,
		.stages = 0x3,
		.ats = true,
		.pri = true,
		/* ASIDs are per domain: devices and PASIDs bound to one
		 * domain share its TLB entries. */
		.tlb_tag_pasid = false,
		.tag_bits = 16,
	};
	return 0;

err_free:
	smmu_drv_free(drv);
	return rc;
}

static void
smmu_hw_fini(struct uiommu_hw *hw)
{
	struct smmu_drv *drv = smmu_drv_of(hw);

	smmu_model_write32(drv->model, SMMU_CR0, 0);
	smmu_drv_free(drv);
}

/* ---------------------------------------------------------- devices -- */

static int
smmu_dev_init(struct uiommu_dev *dev)
{
	struct smmu_drv *drv = smmu_drv_of(uiommu_dev_hw(dev));
	struct smmu_drv_dev *dd = uiommu_dev_priv(dev);
	int socket = (int)rte_socket_id();
	uint64_t ste[STRTAB_STE_DWORDS];
	int rc;

	dd->sid = uiommu_dev_sid(dev);
	if (dd->sid >> SMMU_DRV_SID_BITS) {
		SMMU_LOG(ERR, "StreamID %#x wider than %u bits", dd->sid,
			 SMMU_DRV_SID_BITS);
		return -EINVAL;
	}
	rc = smmu_strtab_ensure(drv, dd);
	if (rc == 0)
		rc = smmu_cd_table_alloc(dd, uiommu_dev_pasid_bits(dev),
					 socket);
	if (rc != 0)
		goto err;
	if (uiommu_dev_ats(dev)) {
		dd->atc = smmu_atc_create(drv->model, dd->sid, socket);
		if (dd->atc == NULL) {
			rc = -ENOMEM;
			goto err;
		}
	}
	/* Valid and aborting until something is attached. */
	smmu_ste_build(dd, ste);
	rc = smmu_ste_write(drv, dd, ste);
	if (rc == 0)
		return 0;
	if (dd->atc != NULL) {
		smmu_atc_unlink(drv->model, dd->atc);
		smmu_atc_free(dd->atc);
	}
err:
	smmu_cd_table_free(dd);
	memset(dd, 0, sizeof(*dd));
	return rc;
}

static void
smmu_dev_fini(struct uiommu_dev *dev)
{
	struct smmu_drv *drv = smmu_drv_of(uiommu_dev_hw(dev));
	struct smmu_drv_dev *dd = uiommu_dev_priv(dev);
	uint64_t ste[STRTAB_STE_DWORDS] = { 0 };

	if (dd->atc != NULL)
		smmu_atc_unlink(drv->model, dd->atc);
	/* Invalid STE. The CMD_SYNC that ends its write waits a grace
	 * period: no walk is still in the CD table, no lookup in the ATC.
	 * Should the queue have failed, wait for one all the same. */
	if (smmu_ste_write(drv, dd, ste) != 0)
		uiommu_iotlb_sync(drv->hw);
	if (dd->atc != NULL)
		smmu_atc_free(dd->atc);
	smmu_cd_table_free(dd);
}

/* ---------------------------------------------------------- attach -- */

static bool
dom_is_s2(const struct uiommu_domain *dom)
{
	struct uiommu_iopt_info info;

	return uiommu_domain_type(dom) == UIOMMU_DOMAIN_PAGING &&
	       uiommu_domain_iopt_info(dom, &info) == 0 &&
	       info.fmt == UIOMMU_IOPT_ARM_LPAE_S2;
}

/* The VMID nested STEs over @s2 share; taken once per nested user. */
static int
nest_vmid_get(struct smmu_drv *drv, const struct uiommu_domain *s2,
	      uint16_t *vmid)
{
	struct smmu_nest_vmid *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < SMMU_DRV_NEST_PARENTS; i++) {
		struct smmu_nest_vmid *n = &drv->nest[i];

		if (n->users != 0 && n->s2 == s2) {
			n->users++;
			*vmid = n->vmid;
			return 0;
		}
		if (n->users == 0 && free_slot == NULL)
			free_slot = n;
	}
	if (free_slot == NULL)
		return -ENOSPC;
	/* Nested VMIDs sit at the top of the VMID space, one per slot: the
	 * core's tags (stage-2-only VMIDs) start at 1 and rarely get there,
	 * and a clash would only widen a VMID-wide invalidation. */
	free_slot->s2 = s2;
	free_slot->users = 1;
	free_slot->vmid = (uint16_t)(UINT16_MAX - (free_slot - drv->nest));
	*vmid = free_slot->vmid;
	return 0;
}

static void
nest_vmid_put(struct smmu_drv *drv, const struct uiommu_domain *s2)
{
	unsigned int i;

	for (i = 0; i < SMMU_DRV_NEST_PARENTS; i++)
		if (drv->nest[i].users != 0 && drv->nest[i].s2 == s2) {
			drv->nest[i].users--;
			return;
		}
}

static void
tag_info_set(struct smmu_drv *drv, uint32_t tag, enum smmu_tag_kind kind,
	     uint16_t vmid)
{
	pthread_mutex_lock(&drv->cmdq_lock);
	drv->tag_info[tag] = (struct smmu_tag_info){ .kind = kind,
						     .vmid = vmid };
	pthread_mutex_unlock(&drv->cmdq_lock);
}

static int
ats_bind_add(struct smmu_drv *drv, const struct smmu_drv_dev *dd,
	     uint32_t pasid, uint32_t tag)
{
	struct smmu_ats_bind *b;

	if (dd->atc == NULL || tag == 0)
		return 0;
	b = rte_zmalloc("smmu_ats_bind", sizeof(*b), 0);
	if (b == NULL)
		return -ENOMEM;
	b->sid = dd->sid;
	b->ssid = pasid;
	b->tag = tag;
	pthread_mutex_lock(&drv->cmdq_lock);
	TAILQ_INSERT_TAIL(&drv->ats_binds, b, next);
	pthread_mutex_unlock(&drv->cmdq_lock);
	return 0;
}

/*
 * Drop the binding of (sid, pasid): its ATC entries are invalidated after
 * the next sync's TLB invalidations (cmdq_atc_flush), like any other.
 */
static void
ats_bind_del(struct smmu_drv *drv, const struct smmu_drv_dev *dd,
	     uint32_t pasid)
{
	struct smmu_ats_bind *b, *tmp, *dying = NULL;

	if (dd->atc == NULL)
		return;
	pthread_mutex_lock(&drv->cmdq_lock);
	for (b = TAILQ_FIRST(&drv->ats_binds); b != NULL; b = tmp) {
		tmp = TAILQ_NEXT(b, next);
		if (b->sid != dd->sid || b->ssid != pasid)
			continue;
		TAILQ_REMOVE(&drv->ats_binds, b, next);
		if (dying == NULL)
			dying = b;
		else
			rte_free(b);
	}
	/* Identity and blocked RIDs have no binding, but their ATC may hold
	 * bypass translations: it is invalidated all the same. */
	if (dying == NULL)
		dying = rte_zmalloc("smmu_ats_bind", sizeof(*dying), 0);
	if (dying != NULL) {
		dying->sid = dd->sid;
		dying->ssid = pasid;
		dying->inv_pending = true;
		dying->inv_first = 0;
		dying->inv_last = UINT64_MAX;
		TAILQ_INSERT_TAIL(&drv->ats_dying, dying, next);
		drv->atc_pending = true;
	} else {
		/* No memory for the record: queue it now, ahead of the TLBIs
		 * (harmless here: ATS requests walk the tables, not the
		 * TLB). */
		struct smmu_cmd cmd = {
			.opcode = CMDQ_OP_ATC_INV, .sid = dd->sid,
			.ssv = pasid != UIOMMU_PASID_NONE,
			.ssid = pasid != UIOMMU_PASID_NONE ? pasid : 0,
			.size = CMDQ_ATC_SIZE_ALL,
		};

		smmu_cmdq_add(drv, &cmd);
	}
	pthread_mutex_unlock(&drv->cmdq_lock);
}

/* What the RID of @dd would be attached to with @dom (NULL: nothing). */
static enum smmu_rid_kind
rid_kind_of(const struct uiommu_domain *dom)
{
	if (dom == NULL)
		return SMMU_RID_NONE;
	switch (uiommu_domain_type(dom)) {
	case UIOMMU_DOMAIN_IDENTITY:
		return SMMU_RID_IDENTITY;
	case UIOMMU_DOMAIN_BLOCKED:
		return SMMU_RID_BLOCKED;
	case UIOMMU_DOMAIN_NESTED:
		return SMMU_RID_NESTED;
	default:
		return dom_is_s2(dom) ? SMMU_RID_S2 : SMMU_RID_S1;
	}
}

/*
 * Can the STE hold the RID on @kind/@dom together with the PASIDs already
 * bound? Stage 2 lives in the STE, so one device has one: a stage-2 RID
 * leaves no room for PASIDs, and nested CDs need the same parent.
 */
static int
rid_check(const struct smmu_drv_dev *dd, enum smmu_rid_kind kind,
	  const struct uiommu_domain *dom)
{
	bool pasids = dd->n_s1_cds + dd->n_nested_cds != 0;

	if (kind == SMMU_RID_S2 && pasids)
		return -EINVAL;
	if (kind == SMMU_RID_NESTED &&
	    (dd->n_s1_cds != 0 || (dd->n_nested_cds != 0 &&
	     dd->nest_parent != uiommu_domain_parent(dom))))
		return -EINVAL;
	if ((kind == SMMU_RID_S1 || kind == SMMU_RID_IDENTITY) &&
	    dd->n_nested_cds != 0)
		return -EINVAL;
	return 0;
}

static int
pasid_check(const struct smmu_drv_dev *dd, const struct uiommu_domain *dom)
{
	enum uiommu_domain_type type = uiommu_domain_type(dom);

	if (type == UIOMMU_DOMAIN_NESTED)
		return (dd->rid_kind == SMMU_RID_NONE ||
			dd->rid_kind == SMMU_RID_BLOCKED ||
			(dd->rid_kind == SMMU_RID_NESTED &&
			 dd->nest_parent == uiommu_domain_parent(dom))) &&
		       dd->n_s1_cds == 0 &&
		       (dd->n_nested_cds == 0 ||
			dd->nest_parent == uiommu_domain_parent(dom)) ?
		       0 : -EINVAL;
	if (type != UIOMMU_DOMAIN_PAGING || dom_is_s2(dom))
		return -EINVAL;	/* PASIDs need a stage-1 table */
	return dd->rid_kind == SMMU_RID_S2 || dd->rid_kind == SMMU_RID_NESTED ||
	       dd->n_nested_cds != 0 ? -EINVAL : 0;
}

static int
smmu_attach_pasid(struct smmu_drv *drv, struct smmu_drv_dev *dd,
		  uint32_t pasid, struct uiommu_domain *dom, uint32_t tag)
{
	bool nested = uiommu_domain_type(dom) == UIOMMU_DOMAIN_NESTED;
	uint64_t cd[CTXDESC_DWORDS], ste[STRTAB_STE_DWORDS], *slot;
	struct smmu_drv_dev saved = *dd;
	int rc;

	/* SSID 0 carries the RID's traffic (S1DSS = SSID0), as in Linux. */
	if (pasid == 0 || pasid >> dd->s1cdmax)
		return -EINVAL;
	rc = pasid_check(dd, dom);
	if (rc == 0)
		rc = smmu_cd_build(dom, tag, cd);
	if (rc != 0)
		return rc;
	slot = smmu_cd_slot(dd, pasid, true, (int)rte_socket_id());
	if (slot == NULL)
		return -ENOMEM;
	if (nested && dd->n_nested_cds == 0 &&
	    dd->rid_kind != SMMU_RID_NESTED) {
		rc = nest_vmid_get(drv, uiommu_domain_parent(dom),
				   &dd->nest_vmid);
		if (rc != 0)
			return rc;
		dd->nest_parent = uiommu_domain_parent(dom);
	}
	tag_info_set(drv, tag, nested ? SMMU_TAG_NESTED : SMMU_TAG_S1,
		     nested ? dd->nest_vmid : 0);
	rc = ats_bind_add(drv, dd, pasid, tag);
	if (rc != 0)
		goto err_restore;
	/* The CD before the STE that makes it reachable. */
	rc = smmu_cd_write(drv, dd, pasid, slot, cd);
	if (rc != 0)
		goto err_unbind;
	if (nested)
		dd->n_nested_cds++;
	else
		dd->n_s1_cds++;
	smmu_ste_build(dd, ste);
	rc = smmu_ste_write(drv, dd, ste);
	if (rc == 0)
		return 0;
	memset(cd, 0, sizeof(cd));
	smmu_cd_write(drv, dd, pasid, slot, cd);
err_unbind:
	ats_bind_del(drv, dd, pasid);
err_restore:
	if (nested && saved.n_nested_cds == 0 &&
	    saved.rid_kind != SMMU_RID_NESTED)
		nest_vmid_put(drv, uiommu_domain_parent(dom));
	*dd = saved;
	return rc;
}

/* Invalidate CD 0 once the STE no longer sends RID traffic to it. */
static int
cd0_clear(struct smmu_drv *drv, struct smmu_drv_dev *dd)
{
	uint64_t cd[CTXDESC_DWORDS] = { 0 };
	uint64_t *cd0 = smmu_cd_slot(dd, 0, false, 0);

	if (cd0 == NULL || !(cd0[0] & CD_0_V))
		return 0;
	return smmu_cd_write(drv, dd, 0, cd0, cd);
}

static int
smmu_attach_rid(struct smmu_drv *drv, struct smmu_drv_dev *dd,
		struct uiommu_domain *dom, uint32_t tag)
{
	enum smmu_rid_kind kind = rid_kind_of(dom);
	uint64_t cd[CTXDESC_DWORDS], ste[STRTAB_STE_DWORDS], *cd0;
	struct smmu_drv_dev saved = *dd;
	bool was_nested = dd->rid_kind == SMMU_RID_NESTED ||
			  dd->n_nested_cds != 0;
	/* A new stage-2 parent for the STE: a first nested RID, or a nested
	 * RID replaced by one over another parent (rid_check refused that
	 * when nested PASIDs hold the old one). */
	bool new_parent = kind == SMMU_RID_NESTED &&
			  (!was_nested ||
			   dd->nest_parent != uiommu_domain_parent(dom));
	bool leaves_nested = was_nested && kind != SMMU_RID_NESTED &&
			     dd->n_nested_cds == 0;
	int rc;

	rc = rid_check(dd, kind, dom);
	if (rc != 0)
		return rc;
	if (new_parent) {
		rc = nest_vmid_get(drv, uiommu_domain_parent(dom),
				   &dd->nest_vmid);
		if (rc != 0)
			return rc;
		dd->nest_parent = uiommu_domain_parent(dom);
	}
	if (kind == SMMU_RID_S1 || kind == SMMU_RID_NESTED) {
		tag_info_set(drv, tag, kind == SMMU_RID_S1 ? SMMU_TAG_S1 :
			     SMMU_TAG_NESTED, kind == SMMU_RID_S1 ? 0 :
			     dd->nest_vmid);
		cd0 = smmu_cd_slot(dd, 0, true, (int)rte_socket_id());
		rc = cd0 == NULL ? -ENOMEM : smmu_cd_build(dom, tag, cd);
		if (rc == 0)
			rc = smmu_cd_write(drv, dd, 0, cd0, cd);
	} else if (kind == SMMU_RID_S2) {
		tag_info_set(drv, tag, SMMU_TAG_S2, 0);
	}
	if (rc == 0) {
		/* The previous RID domain's ATC entries go with it. */
		ats_bind_del(drv, dd, UIOMMU_PASID_NONE);
		rc = ats_bind_add(drv, dd, UIOMMU_PASID_NONE, tag);
	}
	if (rc != 0)
		goto err_restore;
	dd->rid_kind = kind;
	dd->rid_dom = dom;
	dd->rid_tag = tag;
	if (leaves_nested)
		dd->nest_parent = NULL;
	smmu_ste_build(dd, ste);
	rc = smmu_ste_write(drv, dd, ste);
	if (rc != 0)
		goto err_restore;
	/* STE first: it no longer uses CD 0 when the RID is not stage 1. */
	if (kind != SMMU_RID_S1 && kind != SMMU_RID_NESTED)
		rc = cd0_clear(drv, dd);
	if ((new_parent && was_nested) || leaves_nested)
		nest_vmid_put(drv, saved.nest_parent);
	return rc;

err_restore:
	if (new_parent)
		nest_vmid_put(drv, uiommu_domain_parent(dom));
	*dd = saved;
	return rc;
}

static int
smmu_attach(struct uiommu_dev *dev, uint32_t pasid, struct uiommu_domain *dom,
	    uint32_t tag)
{
	struct smmu_drv *drv = smmu_drv_of(uiommu_dev_hw(dev));
	struct smmu_drv_dev *dd = uiommu_dev_priv(dev);

	if (tag >= SMMU_MODEL_TAGS)
		return -ENOSPC;
	if (pasid == UIOMMU_PASID_NONE)
		return smmu_attach_rid(drv, dd, dom, tag);
	return smmu_attach_pasid(drv, dd, pasid, dom, tag);
}

static void
smmu_detach(struct uiommu_dev *dev, uint32_t pasid)
{
	struct smmu_drv *drv = smmu_drv_of(uiommu_dev_hw(dev));
	struct smmu_drv_dev *dd = uiommu_dev_priv(dev);
	uint64_t cd[CTXDESC_DWORDS] = { 0 }, ste[STRTAB_STE_DWORDS], *slot;
	bool was_nested = dd->rid_kind == SMMU_RID_NESTED ||
			  dd->n_nested_cds != 0;
	const struct uiommu_domain *parent = dd->nest_parent;

	if (pasid == UIOMMU_PASID_NONE) {
		dd->rid_kind = SMMU_RID_NONE;
		dd->rid_dom = NULL;
		dd->rid_tag = 0;
		slot = smmu_cd_slot(dd, 0, false, 0);
	} else {
		slot = smmu_cd_slot(dd, pasid, false, 0);
		if (slot != NULL && (slot[0] & CD_0_V)) {
			if (dd->n_nested_cds != 0)
				dd->n_nested_cds--;
			else
				dd->n_s1_cds--;
		}
	}
	/* STE first (it may stop using the CD table), then the CD. */
	smmu_ste_build(dd, ste);
	smmu_ste_write(drv, dd, ste);
	if (slot != NULL)
		smmu_cd_write(drv, dd, pasid == UIOMMU_PASID_NONE ? 0 : pasid,
			      slot, cd);
	ats_bind_del(drv, dd, pasid);
	if (was_nested && dd->rid_kind != SMMU_RID_NESTED &&
	    dd->n_nested_cds == 0) {
		nest_vmid_put(drv, parent);
		dd->nest_parent = NULL;
	}
}

/* ------------------------------------------------------ fast path -- */

static int
smmu_translate(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
	       uint64_t iova, uint32_t access, struct uiommu_walk_result *res)
{
	smmu_model_translate(smmu_drv_of(hw)->model, sid, pasid, iova, access,
			     res);
	return 0;
}

static int
smmu_inv(struct uiommu_hw *hw, const struct uiommu_inv *inv)
{
	struct smmu_drv *drv = smmu_drv_of(hw);
	int rc;

	pthread_mutex_lock(&drv->cmdq_lock);
	rc = smmu_cmdq_inv(drv, inv);
	pthread_mutex_unlock(&drv->cmdq_lock);
	return rc;
}

static int
smmu_sync(struct uiommu_hw *hw)
{
	struct smmu_drv *drv = smmu_drv_of(hw);
	int rc;

	pthread_mutex_lock(&drv->cmdq_lock);
	rc = smmu_cmdq_sync(drv);
	pthread_mutex_unlock(&drv->cmdq_lock);
	return rc;
}

const struct uiommu_hw_ops smmu_sim_ops = {
	.name = "smmu_sim",
	.hw_priv_size = sizeof(struct smmu_drv),
	.dev_priv_size = sizeof(struct smmu_drv_dev),
	.hw_init = smmu_hw_init,
	.hw_fini = smmu_hw_fini,
	.dev_init = smmu_dev_init,
	.dev_fini = smmu_dev_fini,
	.attach = smmu_attach,
	.detach = smmu_detach,
	.translate = smmu_translate,
	.inv = smmu_inv,
	.sync = smmu_sync,
};

UIOMMU_REGISTER_HW(smmu_sim_ops)
