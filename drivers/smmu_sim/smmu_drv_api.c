/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public smmu_sim API (uiommu_smmu_sim.h): counters, the event queue's
 * consumer, and ATS translation through a device's ATC.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "smmu_drv.h"

/* The driver of @hw if it is an smmu_sim instance. */
static struct smmu_drv *
smmu_drv_check(const struct uiommu_hw *hw)
{
	if (hw == NULL || uiommu_hw_ops_of(hw) != &smmu_sim_ops)
		return NULL;
	return smmu_drv_of(hw);
}

int
uiommu_smmu_sim_stats_get(const struct uiommu_hw *hw,
			  struct uiommu_smmu_sim_stats *stats)
{
	struct smmu_drv *drv = smmu_drv_check(hw);
	const struct smmu_model_stats *ms;

	if (drv == NULL || stats == NULL)
		return -EINVAL;
	ms = &drv->model->stats;
	pthread_mutex_lock(&drv->cmdq_lock);
	*stats = drv->stats;
	memcpy(stats->hw_cmds, ms->cmds, sizeof(stats->hw_cmds));
	stats->hw_syncs_waited = ms->syncs_waited;
	pthread_mutex_unlock(&drv->cmdq_lock);
	/* Written by walkers under the model's evtq_lock. */
	rte_spinlock_lock(&drv->model->evtq_lock);
	stats->hw_events = ms->events;
	stats->hw_events_lost = ms->events_lost;
	rte_spinlock_unlock(&drv->model->evtq_lock);
	pthread_mutex_lock(&drv->evtq_lock);
	stats->events_read = drv->stats.events_read;
	stats->evtq_overflows = drv->stats.evtq_overflows;
	pthread_mutex_unlock(&drv->evtq_lock);
	return 0;
}

static void
event_export(const struct smmu_event *in, struct uiommu_smmu_event *out)
{
	*out = (struct uiommu_smmu_event){
		.id = in->id, .ssv = in->ssv, .rnw = in->rnw, .s2 = in->s2,
		.class = in->class, .sid = in->sid, .ssid = in->ssid,
		.addr = in->addr, .ipa = in->ipa,
	};
}

int
uiommu_smmu_sim_event_read(struct uiommu_hw *hw,
			   struct uiommu_smmu_event *events, unsigned int n)
{
	struct smmu_drv *drv = smmu_drv_check(hw);
	struct smmu_model *m;
	uint32_t log2, prod, cons;
	unsigned int got = 0;

	if (drv == NULL || (events == NULL && n != 0))
		return -EINVAL;
	m = drv->model;
	log2 = drv->evtq.log2size;
	pthread_mutex_lock(&drv->evtq_lock);
	/* Pairs with the model's release store of PROD after the record. */
	prod = smmu_model_read32(m, SMMU_EVTQ_PROD);
	cons = smmu_model_read32(m, SMMU_EVTQ_CONS);
	if ((prod ^ cons) & Q_OVERFLOW_FLAG) {
		/* Records were lost: acknowledge, so the next overflow shows. */
		drv->stats.evtq_overflows++;
		cons ^= Q_OVERFLOW_FLAG;
	}
	while (got < n && !smmu_queue_empty(log2, prod, cons)) {
		const uint64_t *rec = &drv->evtq.mem[smmu_queue_idx(log2,
						cons) * EVTQ_ENT_DWORDS];
		struct smmu_event ev;

		smmu_event_decode(rec, &ev);
		event_export(&ev, &events[got++]);
		cons = smmu_queue_inc(log2, cons);	/* keeps OVACKFLG */
	}
	smmu_model_write32(m, SMMU_EVTQ_CONS, cons);
	drv->stats.events_read += got;
	pthread_mutex_unlock(&drv->evtq_lock);
	return (int)got;
}

const char *
uiommu_smmu_event_name(uint8_t id)
{
	switch (id) {
	case EVT_ID_F_UUT: return "F_UUT";
	case EVT_ID_C_BAD_STREAMID: return "C_BAD_STREAMID";
	case EVT_ID_F_STE_FETCH: return "F_STE_FETCH";
	case EVT_ID_C_BAD_STE: return "C_BAD_STE";
	case EVT_ID_F_BAD_ATS_TREQ: return "F_BAD_ATS_TREQ";
	case EVT_ID_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
	case EVT_ID_F_TRANSL_FORBIDDEN: return "F_TRANSL_FORBIDDEN";
	case EVT_ID_C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
	case EVT_ID_F_CD_FETCH: return "F_CD_FETCH";
	case EVT_ID_C_BAD_CD: return "C_BAD_CD";
	case EVT_ID_F_WALK_EABT: return "F_WALK_EABT";
	case EVT_ID_F_TRANSLATION: return "F_TRANSLATION";
	case EVT_ID_F_ADDR_SIZE: return "F_ADDR_SIZE";
	case EVT_ID_F_ACCESS: return "F_ACCESS";
	case EVT_ID_F_PERMISSION: return "F_PERMISSION";
	case EVT_ID_F_TLB_CONFLICT: return "F_TLB_CONFLICT";
	case EVT_ID_F_CFG_CONFLICT: return "F_CFG_CONFLICT";
	case EVT_ID_E_PAGE_REQUEST: return "E_PAGE_REQUEST";
	default: return "?";
	}
}

void *
uiommu_smmu_sim_ats_translate(const struct uiommu_port *port, uint64_t iova,
			      uint32_t access)
{
	struct smmu_drv *drv = port != NULL ? smmu_drv_check(port->hw) : NULL;
	struct uiommu_walk_result res;
	struct smmu_atc *atc;
	struct uiommu_fault f;
	void *va;

	atc = drv != NULL ? smmu_atc_find(drv->model, port->sid) : NULL;
	if (atc == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	va = smmu_atc_translate(drv->model, atc, port->pasid, iova, access,
				&res);
	if (va != NULL)
		return va;
	f = (struct uiommu_fault){
		.iova = iova, .sid = port->sid, .pasid = port->pasid,
		.reason = res.reason, .access = access, .level = res.level,
		.lcore_id = rte_lcore_id(),
	};
	uiommu_fault_report(port->hw, &f);
	rte_errno = EFAULT;
	return NULL;
}
