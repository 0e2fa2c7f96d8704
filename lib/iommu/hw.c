/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOMMU instances and the registry of backends that drive them.
 */
/* rte_bitmap's inline helpers use symbols DPDK 22.11 still marks
 * experimental; only this file needs them. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <string.h>

#include <rte_bitmap.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

/* Written by constructors before main(), read afterwards. */
static const struct uiommu_hw_ops *backends[UIOMMU_MAX_BACKENDS];

int
uiommu_hw_ops_register(const struct uiommu_hw_ops *ops)
{
	unsigned int i;

	if (ops == NULL || ops->name == NULL || ops->hw_init == NULL ||
	    ops->translate == NULL || ops->attach == NULL ||
	    ops->detach == NULL || ops->inv == NULL || ops->sync == NULL)
		return -EINVAL;
	for (i = 0; i < RTE_DIM(backends); i++) {
		if (backends[i] == NULL) {
			backends[i] = ops;
			return 0;
		}
		if (strcmp(backends[i]->name, ops->name) == 0)
			return -EEXIST;
	}
	return -ENOSPC;
}

static const struct uiommu_hw_ops *
hw_ops_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(backends) && backends[i] != NULL; i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

/* Table formats the backend left DEFAULT are Arm's, as before formats
 * were a capability. -EINVAL for a format the core does not know. */
static int
hw_caps_fmt_init(struct uiommu_hw_caps *caps)
{
	if (caps->s1_fmt == UIOMMU_IOPT_DEFAULT)
		caps->s1_fmt = UIOMMU_IOPT_ARM_LPAE_S1;
	if (caps->s2_fmt == UIOMMU_IOPT_DEFAULT)
		caps->s2_fmt = UIOMMU_IOPT_ARM_LPAE_S2;
	if (caps->s1_fmt >= UIOMMU_IOPT_FMT_MAX ||
	    caps->s2_fmt >= UIOMMU_IOPT_FMT_MAX)
		return -EINVAL;
	return 0;
}

static int
hw_tags_init(struct uiommu_hw *hw)
{
	unsigned int bits = RTE_MIN(hw->caps.tag_bits,
				    (uint32_t)UIOMMU_TAG_SPACE_MAX);
	uint32_t size, t;

	if (bits < 1)
		return -EINVAL;
	hw->n_tags = 1u << bits;
	size = rte_bitmap_get_memory_footprint(hw->n_tags);
	hw->tags_mem = rte_zmalloc("uiommu_tags", size, RTE_CACHE_LINE_SIZE);
	if (hw->tags_mem == NULL)
		return -ENOMEM;
	hw->tags = rte_bitmap_init(hw->n_tags, hw->tags_mem, size);
	if (hw->tags == NULL) {
		rte_free(hw->tags_mem);
		return -ENOMEM;
	}
	/* Tag 0 is never handed out: a zero IOTLB key means "empty". */
	for (t = 1; t < hw->n_tags; t++)
		rte_bitmap_set(hw->tags, t);
	return 0;
}

int
hw_tag_alloc(struct uiommu_hw *hw, uint32_t *tag)
{
	uint32_t pos = 0;
	uint64_t slab = 0;

	if (!rte_bitmap_scan(hw->tags, &pos, &slab))
		return -ENOSPC;
	pos += (uint32_t)__builtin_ctzll(slab);
	rte_bitmap_clear(hw->tags, pos);
	*tag = pos;
	return 0;
}

void
hw_tag_free(struct uiommu_hw *hw, uint32_t tag)
{
	rte_bitmap_set(hw->tags, tag);
}

static void
hw_free(struct uiommu_hw *hw)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		iotlb_free(hw->iotlb_mem[l]);
	inv_queues_fini(hw);
	fault_queue_fini(hw);
	rte_free(hw->tags_mem);
	rte_free(hw->priv);
	rte_free(hw);
}

struct uiommu_hw *
uiommu_hw_create(struct uiommu_ctx *ctx, const char *backend, const char *args)
{
	const struct uiommu_hw_ops *ops;
	struct uiommu_hw *hw;
	unsigned int idx, l;
	int rc;

	if (ctx == NULL || backend == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	ops = hw_ops_find(backend);
	if (ops == NULL) {
		UIOMMU_LOG(ERR, "no backend named '%s'", backend);
		rte_errno = ENOENT;
		return NULL;
	}
	hw = rte_zmalloc_socket("uiommu_hw", sizeof(*hw), RTE_CACHE_LINE_SIZE,
				ctx->params.socket_id);
	if (hw == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	hw->ops = ops;
	hw->obj.ctx = ctx;
	if (ops->hw_priv_size != 0) {
		hw->priv = rte_zmalloc("uiommu_hw_priv", ops->hw_priv_size,
				       RTE_CACHE_LINE_SIZE);
		if (hw->priv == NULL) {
			rc = -ENOMEM;
			goto err_free;
		}
	}

	pthread_mutex_lock(&ctx->lock);
	for (idx = 0; idx < UIOMMU_MAX_HW && ctx->hw[idx] != NULL; idx++)
		;
	if (idx == UIOMMU_MAX_HW) {
		rc = -ENOSPC;
		goto err_unlock;
	}
	hw->index = idx;
	rc = ops->hw_init(hw, args, &hw->caps);
	if (rc != 0)
		goto err_unlock;
	rc = hw_caps_fmt_init(&hw->caps);
	if (rc == 0)
		rc = hw_tags_init(hw);
	if (rc == 0)
		rc = fault_queue_init(hw, &ctx->params);
	for (l = 0; rc == 0 && l < RTE_MAX_LCORE; l++)
		if (ctx->lcore_online[l])
			rc = ctx_lcore_attach_hw(ctx, hw, l);
	if (rc != 0)
		goto err_fini;
	ctx_obj_add(ctx, &hw->obj, UIOMMU_OBJ_HW);
	/* Pairs with the acquire in uiommu__lcore_drain(). */
	__atomic_store_n(&ctx->hw[idx], hw, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctx->lock);
	UIOMMU_LOG(DEBUG, "hw %u: backend %s", hw->obj.id, backend);
	return hw;

err_fini:
	if (ops->hw_fini != NULL)
		ops->hw_fini(hw);
err_unlock:
	pthread_mutex_unlock(&ctx->lock);
err_free:
	hw_free(hw);
	rte_errno = -rc;
	return NULL;
}

int
hw_destroy_locked(struct uiommu_hw *hw)
{
	struct uiommu_ctx *ctx = hw->obj.ctx;

	if (hw->obj.refcnt != 0)
		return -EBUSY;
	/* No lcore may be draining the hw's queues when they go. */
	__atomic_store_n(&ctx->hw[hw->index], NULL, __ATOMIC_RELEASE);
	ctx_synchronize(ctx);
	if (hw->ops->hw_fini != NULL)
		hw->ops->hw_fini(hw);
	ctx_obj_del(&hw->obj);
	hw_free(hw);
	return 0;
}

int
uiommu_hw_destroy(struct uiommu_hw *hw)
{
	struct uiommu_ctx *ctx;
	int rc;

	if (hw == NULL)
		return -EINVAL;
	ctx = hw->obj.ctx;
	pthread_mutex_lock(&ctx->lock);
	rc = hw_destroy_locked(hw);
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

int
uiommu_hw_get_caps(const struct uiommu_hw *hw, struct uiommu_hw_caps *caps)
{
	if (hw == NULL || caps == NULL)
		return -EINVAL;
	*caps = hw->caps;
	return 0;
}

static void
stats_add(struct uiommu_lcore_stats *sum, const struct uiommu_lcore_stats *s)
{
	sum->hits += s->hits;
	sum->misses += s->misses;
	sum->walks += s->walks;
	sum->faults += s->faults;
	sum->invalidations += s->invalidations;
	sum->inv_entries += s->inv_entries;
	sum->flushes += s->flushes;
	sum->fault_drops += s->fault_drops;
}

int
uiommu_hw_stats(const struct uiommu_hw *hw, unsigned int lcore_id,
		struct uiommu_lcore_stats *stats)
{
	unsigned int l;

	if (hw == NULL || stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct uiommu_iotlb *tlb =
			__atomic_load_n(&hw->iotlb_mem[l], __ATOMIC_ACQUIRE);

		if (tlb != NULL && (lcore_id >= RTE_MAX_LCORE || l == lcore_id))
			stats_add(stats, &tlb->stats);
	}
	return 0;
}

void *
uiommu_hw_translate_sid(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
			uint64_t iova, uint32_t len, uint32_t access)
{
	struct uiommu_port probe = {
		.hw = hw, .sid = sid, .pasid = pasid,
		.cfg = 0, .iotlb = (struct uiommu_iotlb *const *)hw->iotlb,
	};
	unsigned int l = rte_lcore_id();

	/* cfg 0 never hits, so this is a walk through the backend for every
	 * page; it fills the IOTLB under the tag the backend resolves, which
	 * later port lookups may hit. */
	if (l >= RTE_MAX_LCORE || hw->iotlb[l] == NULL)
		return uiommu__translate_nolcore(&probe, iova, access);
	return uiommu__translate_miss(&probe, hw->iotlb[l], iova, len, access);
}

const struct uiommu_hw_ops *
uiommu_hw_ops_of(const struct uiommu_hw *hw)
{
	return hw != NULL ? hw->ops : NULL;
}
