/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SMMUv3 event queue, producer side: encoding of the 32-byte event
 * records and their insertion into the EVTQ with the overflow protocol
 * (PROD.OVFLG toggles once per overflow; software acknowledges it by
 * copying it into CONS.OVACKFLG).
 *
 * Producers are walkers on any lcore, serialised by evtq_lock; the consumer
 * is the driver half, which reads EVTQ_PROD (acquire) and then the records,
 * and writes EVTQ_CONS once it is done with them.
 *
 * The record fields the model does not produce (STAG, STALL, PnU, InD,
 * TT_READ) are written as zero.
 */
#include "smmu_model.h"

/* Events whose word 3 is a fetch address rather than an IPA. */
static bool
evt_has_fetch_addr(uint8_t id)
{
	return id == EVT_ID_F_STE_FETCH || id == EVT_ID_F_CD_FETCH ||
	       id == EVT_ID_F_WALK_EABT;
}

/*
 * decode(encode(ev)) == ev for every record the model produces: ssid below
 * 2^20 (it is masked otherwise), IPAs 4 KiB aligned and fetch addresses
 * 8-byte aligned (the record holds IPA[51:12] and FetchAddr[51:3]).
 */
void
smmu_event_encode(const struct smmu_event *ev, uint64_t rec[EVTQ_ENT_DWORDS])
{
	uint64_t addr_mask = evt_has_fetch_addr(ev->id) ? EVTQ_3_FETCH_ADDR :
							  EVTQ_3_IPA;

	rec[0] = FIELD_PREP(EVTQ_0_ID, ev->id) |
		 (ev->ssv ? EVTQ_0_SSV : 0) |
		 FIELD_PREP(EVTQ_0_SSID, ev->ssid) |
		 FIELD_PREP(EVTQ_0_SID, ev->sid);
	rec[1] = (ev->rnw ? EVTQ_1_RNW : 0) |
		 (ev->s2 ? EVTQ_1_S2 : 0) |
		 FIELD_PREP(EVTQ_1_CLASS, ev->class);
	rec[2] = FIELD_PREP(EVTQ_2_ADDR, ev->addr);
	rec[3] = ev->ipa & addr_mask;
}

void
smmu_event_decode(const uint64_t rec[EVTQ_ENT_DWORDS], struct smmu_event *ev)
{
	ev->id = FIELD_GET(EVTQ_0_ID, rec[0]);
	ev->ssv = rec[0] & EVTQ_0_SSV;
	ev->ssid = FIELD_GET(EVTQ_0_SSID, rec[0]);
	ev->sid = FIELD_GET(EVTQ_0_SID, rec[0]);
	ev->rnw = rec[1] & EVTQ_1_RNW;
	ev->s2 = rec[1] & EVTQ_1_S2;
	ev->class = FIELD_GET(EVTQ_1_CLASS, rec[1]);
	ev->addr = FIELD_GET(EVTQ_2_ADDR, rec[2]);
	ev->ipa = rec[3] & (evt_has_fetch_addr(ev->id) ? EVTQ_3_FETCH_ADDR :
							 EVTQ_3_IPA);
}

/* Caller holds evtq_lock, with EVTQEN set. Returns false if dropped. */
static bool
evtq_push(struct smmu_model *m, const struct smmu_event *ev)
{
	uint32_t log2size = m->evtq.log2size;
	uint32_t prod = smmu_model_reg_load(m, SMMU_EVTQ_PROD);
	uint32_t cons = smmu_model_reg_load(m, SMMU_EVTQ_CONS);
	uint64_t *slot;

	if (m->evtq.base == NULL) {
		smmu_model_gerror_raise(m, GERROR_EVTQ_ABT_ERR);
		return false;
	}
	if (smmu_queue_full(log2size, prod, cons)) {
		/* Flag only a new overflow: one software has not yet
		 * acknowledged stays as it is. */
		if (!((prod ^ cons) & Q_OVERFLOW_FLAG))
			smmu_model_reg_store(m, SMMU_EVTQ_PROD,
					     prod ^ Q_OVERFLOW_FLAG);
		return false;
	}
	slot = m->evtq.base +
	       (size_t)smmu_queue_idx(log2size, prod) * EVTQ_ENT_DWORDS;
	smmu_event_encode(ev, slot);
	/* Release: the record is visible to whoever acquires the new PROD. */
	smmu_model_reg_store(m, SMMU_EVTQ_PROD, smmu_queue_inc(log2size, prod));
	return true;
}

void
smmu_model_event(struct smmu_model *m, const struct smmu_event *ev)
{
	rte_spinlock_lock(&m->evtq_lock);
	if ((smmu_model_reg_load(m, SMMU_CR0ACK) & CR0_EVTQEN) &&
	    evtq_push(m, ev))
		m->stats.events++;
	else
		m->stats.events_lost++;
	rte_spinlock_unlock(&m->evtq_lock);
}
