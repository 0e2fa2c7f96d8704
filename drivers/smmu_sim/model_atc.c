/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The endpoint side of PCIe ATS: a device's Address Translation Cache. A
 * miss sends a translation request to the SMMU (smmu_model_ats_request);
 * ATC_INV commands invalidate it.
 *
 * Each endpoint's ATC is one direct-mapped slice of 4 KiB entries per EAL
 * lcore, so a lookup writes only its own lcore's lines. Validity is a
 * generation number: ATC_INV bumps the device's generation, and entries
 * filled under an older one never hit again. Whatever ATC_INV's scope
 * (GLOBAL, SSID, address range), the whole device ATC is invalidated: a
 * superset, which ATS permits.
 *
 * Who writes what: the driver creates, links, unlinks and frees ATCs (ctx
 * lock); the command consumer bumps gen; each lcore fills its own slice.
 * The atc_table pointers are published with release stores and read with
 * acquire loads, so a lookup sees an ATC's slices initialised.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "iopt_arm_lpae.h"
#include "smmu_model.h"

#define ATC_PAGE_MASK		(ARM_LPAE_GRANULE - 1)
#define ATC_KEY_VALID		UINT64_C(1)
#define ATC_DEVFN_BITS		8
#define ATC_DEVFNS		(1u << ATC_DEVFN_BITS)

/* The slice of the calling lcore lives on that lcore's socket when it has
 * memory there, else on @socket_id. */
static struct smmu_atc_slice *
atc_slice_alloc(unsigned int lcore, int socket_id)
{
	struct smmu_atc_slice *slice;

	slice = rte_zmalloc_socket("smmu_atc_slice", sizeof(*slice),
				   RTE_CACHE_LINE_SIZE,
				   rte_lcore_to_socket_id(lcore));
	if (slice == NULL)
		slice = rte_zmalloc_socket("smmu_atc_slice", sizeof(*slice),
					   RTE_CACHE_LINE_SIZE, socket_id);
	return slice;
}

void
smmu_atc_free(struct smmu_atc *atc)
{
	unsigned int lcore;

	if (atc == NULL)
		return;
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
		rte_free(atc->slice[lcore]);
	rte_free(atc);
}

/* The devfn table of @bus, allocated on first use. Caller holds the ctx
 * lock, so there is one allocator at a time. */
static struct smmu_atc **
atc_devfn_table(struct smmu_model *m, uint32_t bus, int socket_id)
{
	struct smmu_atc **table = m->atc_table[bus];

	if (table != NULL)
		return table;
	table = rte_zmalloc_socket("smmu_atc_devfn",
				   ATC_DEVFNS * sizeof(*table),
				   RTE_CACHE_LINE_SIZE, socket_id);
	if (table != NULL)
		/* Pairs with the acquire load in smmu_atc_find(). */
		__atomic_store_n(&m->atc_table[bus], table, __ATOMIC_RELEASE);
	return table;
}

/* NULL with rte_errno: EINVAL (StreamID too wide), EEXIST (@sid has an
 * ATC), ENOMEM. */
struct smmu_atc *
smmu_atc_create(struct smmu_model *m, uint32_t sid, int socket_id)
{
	struct smmu_atc **table;
	struct smmu_atc *atc;
	unsigned int lcore;

	if (sid >> SMMU_MODEL_SID_BITS) {
		rte_errno = EINVAL;
		return NULL;
	}
	table = atc_devfn_table(m, sid >> ATC_DEVFN_BITS, socket_id);
	if (table == NULL)
		goto err_nomem;
	if (table[sid & (ATC_DEVFNS - 1)] != NULL) {
		rte_errno = EEXIST;
		return NULL;
	}
	atc = rte_zmalloc_socket("smmu_atc", sizeof(*atc), RTE_CACHE_LINE_SIZE,
				 socket_id);
	if (atc == NULL)
		goto err_nomem;
	atc->sid = sid;
	RTE_LCORE_FOREACH(lcore) {
		atc->slice[lcore] = atc_slice_alloc(lcore, socket_id);
		if (atc->slice[lcore] == NULL)
			goto err_free_atc;
	}
	/* Pairs with the acquire load in smmu_atc_find(): the slices are
	 * initialised before any lookup can reach them. */
	__atomic_store_n(&table[sid & (ATC_DEVFNS - 1)], atc,
			 __ATOMIC_RELEASE);
	return atc;

err_free_atc:
	smmu_atc_free(atc);
err_nomem:
	rte_errno = ENOMEM;
	return NULL;
}

void
smmu_atc_unlink(struct smmu_model *m, struct smmu_atc *atc)
{
	struct smmu_atc **table = m->atc_table[atc->sid >> ATC_DEVFN_BITS];
	uint32_t devfn = atc->sid & (ATC_DEVFNS - 1);

	/* Lookups already past smmu_atc_find() keep using @atc: the caller
	 * syncs before smmu_atc_free(). */
	if (table != NULL && table[devfn] == atc)
		__atomic_store_n(&table[devfn], NULL, __ATOMIC_RELEASE);
}

struct smmu_atc *
smmu_atc_find(const struct smmu_model *m, uint32_t sid)
{
	struct smmu_atc **table;

	if (sid >> SMMU_MODEL_SID_BITS)
		return NULL;
	table = __atomic_load_n(&m->atc_table[sid >> ATC_DEVFN_BITS],
				__ATOMIC_ACQUIRE);
	if (table == NULL)
		return NULL;
	return __atomic_load_n(&table[sid & (ATC_DEVFNS - 1)],
			       __ATOMIC_ACQUIRE);
}

void
smmu_atc_invalidate(struct smmu_atc *atc, uint32_t ssid, bool global,
		    uint64_t addr, uint32_t size)
{
	RTE_SET_USED(ssid);
	RTE_SET_USED(global);
	RTE_SET_USED(addr);
	RTE_SET_USED(size);
	/* Single writer (the command consumer). Release pairs with the
	 * acquire load in smmu_atc_translate(); the CMD_SYNC that follows
	 * waits out lookups that loaded the old generation. */
	__atomic_store_n(&atc->gen, atc->gen + 1, __ATOMIC_RELEASE);
	atc->invalidations++;
}

/* Describe the entry in @res, as a walk would (tag 0: the ATC is the
 * device's cache, not the IOTLB). */
static inline void
atc_hit_result(const struct smmu_atc_entry *e, struct uiommu_walk_result *res)
{
	res->out = e->out;
	res->pgshift = ARM_LPAE_GRANULE_SHIFT;
	res->prot = e->prot;
	res->tag = 0;
	res->level = 0;
	res->reason = UIOMMU_FAULT_NONE;
}

void *
smmu_atc_translate(struct smmu_model *m, struct smmu_atc *atc, uint32_t ssid,
		   uint64_t iova, uint32_t access,
		   struct uiommu_walk_result *res)
{
	unsigned int lcore = rte_lcore_id();
	uint64_t key = (iova & ~ATC_PAGE_MASK) | ATC_KEY_VALID;
	struct smmu_atc_slice *slice;
	struct smmu_atc_entry *e;
	uint64_t gen;

	slice = lcore < RTE_MAX_LCORE ? atc->slice[lcore] : NULL;
	if (slice == NULL) {
		res->reason = UIOMMU_FAULT_LCORE;
		res->level = 0;
		res->tag = 0;
		return NULL;
	}
	/* Read before the request on a miss: an ATC_INV racing with it
	 * leaves the entry filled under the old generation, never valid. */
	gen = __atomic_load_n(&atc->gen, __ATOMIC_ACQUIRE);
	e = &slice->ent[((iova >> ARM_LPAE_GRANULE_SHIFT) ^ ssid) %
			SMMU_ATC_ENTRIES];
	if (e->key == key && e->pasid == ssid && e->gen == gen &&
	    (e->prot & access) == access) {
		slice->hits++;
		atc_hit_result(e, res);
		return (void *)(uintptr_t)(e->out + (iova & ATC_PAGE_MASK));
	}
	slice->misses++;
	smmu_model_ats_request(m, atc->sid, ssid, iova, access, res);
	if (res->reason != UIOMMU_FAULT_NONE)
		return NULL;
	/* The ATC holds 4 KiB pages, whatever the leaf size. */
	e->key = key;
	e->pasid = ssid;
	e->prot = res->prot;
	e->gen = gen;
	e->out = res->out + (iova & ((UINT64_C(1) << res->pgshift) - 1) &
			     ~ATC_PAGE_MASK);
	atc_hit_result(e, res);
	return (void *)(uintptr_t)(e->out + (iova & ATC_PAGE_MASK));
}
