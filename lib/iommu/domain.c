/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Domains: creation, map and strict unmap.
 *
 * Unmap, step by step (dom->lock held):
 *   1. check that the whole range is mapped          (fail: -ENOENT)
 *   2. reserve the gather, split the edge blocks     (fail: -ENOMEM; no
 *      translation changed, a split installs equivalent entries)
 *   3. clear the descriptors, gather unlinked tables (cannot fail)
 *   4. the backend invalidates every tag of the domain over the range and
 *      syncs: one grace period, after which no lcore holds the entries
 *   5. free the gathered table pages
 *
 * A NESTED domain's table maps IOVA -> IPA; its parent maps IPA -> host VA.
 * An unmap from the parent cannot know which IOVAs of a nested domain led to
 * the removed IPAs, so it invalidates the nested domains' tags whole.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

#define DOMAIN_PROT_ALL	(UIOMMU_PROT_READ | UIOMMU_PROT_WRITE | \
			 UIOMMU_PROT_CACHE | UIOMMU_PROT_MMIO)

/* The hw's stage-1 / stage-2 table format, if it has that stage. */
static bool
hw_has_s1_fmt(const struct uiommu_hw *hw, enum uiommu_iopt_fmt fmt)
{
	return (hw->caps.stages & 1) && fmt == hw->caps.s1_fmt;
}

static bool
hw_has_s2_fmt(const struct uiommu_hw *hw, enum uiommu_iopt_fmt fmt)
{
	return (hw->caps.stages & 2) && fmt == hw->caps.s2_fmt;
}

/*
 * The table configuration of a domain on @hw: DEFAULT is the stage-1
 * format if the hw has stage 1, else the stage-2 one; an explicit format
 * must be one of the two, on a hw with that stage. The ias defaults to the
 * hw's, capped at the format's; whether an explicit one fits the format is
 * iopt_alloc()'s business.
 */
static int
domain_iopt_cfg(const struct uiommu_hw *hw,
		const struct uiommu_domain_params *params,
		struct iopt_cfg *cfg)
{
	struct uiommu_domain_params p = { 0 };

	if (params != NULL)
		p = *params;
	if (p.inv_mode > UIOMMU_INV_LAZY)
		return -EINVAL;
	cfg->fmt = p.fmt;
	if (cfg->fmt == UIOMMU_IOPT_DEFAULT)
		cfg->fmt = (hw->caps.stages & 1) ? hw->caps.s1_fmt :
						   hw->caps.s2_fmt;
	if (!hw_has_s1_fmt(hw, cfg->fmt) && !hw_has_s2_fmt(hw, cfg->fmt))
		return -EINVAL;
	cfg->ias = p.ias != 0 ? p.ias :
		   RTE_MIN((unsigned int)hw->caps.ias,
			   iopt_fmt_max_ias(cfg->fmt));
	if (cfg->ias > hw->caps.ias)
		return -EINVAL;
	cfg->oas = hw->caps.oas;
	cfg->pgsize_bitmap = hw->caps.pgsize_bitmap;
	cfg->socket_id = hw->obj.ctx->params.socket_id;
	return 0;
}

/*
 * Allocate a domain (with a table of @cfg unless NULL) and add it to the
 * ctx; a NESTED one also to its @parent's children. Arguments checked.
 * NULL with rte_errno ENOMEM (or iopt_alloc's).
 */
static struct uiommu_domain *
domain_new(struct uiommu_hw *hw, enum uiommu_domain_type type,
	   const struct iopt_cfg *cfg, struct uiommu_domain *parent,
	   const struct uiommu_domain_params *params)
{
	struct uiommu_ctx *ctx = hw->obj.ctx;
	struct uiommu_domain *dom;

	int rc;

	dom = rte_zmalloc("uiommu_domain", sizeof(*dom), RTE_CACHE_LINE_SIZE);
	if (dom == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	dom->hw = hw;
	dom->type = type;
	/* params were checked by the caller: -ENOMEM only. */
	rc = domain_fq_init(dom, params);
	if (rc != 0) {
		rte_free(dom);
		rte_errno = -rc;
		return NULL;
	}
	if (cfg != NULL) {
		dom->iopt = iopt_alloc(cfg);
		if (dom->iopt == NULL) {
			rc = rte_errno;
			domain_fq_fini(dom);
			rte_free(dom);
			rte_errno = rc;
			return NULL;
		}
	}
	dom->parent = parent;
	LIST_INIT(&dom->tctx);
	LIST_INIT(&dom->children);
	pthread_mutex_init(&dom->lock, NULL);
	pthread_mutex_lock(&ctx->lock);
	ctx_obj_add(ctx, &dom->obj, UIOMMU_OBJ_DOMAIN);
	hw->obj.refcnt++;
	if (parent != NULL) {
		parent->obj.refcnt++;
		pthread_mutex_lock(&parent->lock);
		LIST_INSERT_HEAD(&parent->children, dom, sibling);
		pthread_mutex_unlock(&parent->lock);
	}
	pthread_mutex_unlock(&ctx->lock);
	return dom;
}

struct uiommu_domain *
uiommu_domain_create(struct uiommu_hw *hw, enum uiommu_domain_type type,
		     const struct uiommu_domain_params *params)
{
	struct iopt_cfg cfg;

	if (hw == NULL || type < UIOMMU_DOMAIN_PAGING ||
	    type > UIOMMU_DOMAIN_BLOCKED ||
	    (type == UIOMMU_DOMAIN_PAGING &&
	     domain_iopt_cfg(hw, params, &cfg) != 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	return domain_new(hw, type, type == UIOMMU_DOMAIN_PAGING ? &cfg : NULL,
			  NULL, type == UIOMMU_DOMAIN_PAGING ? params : NULL);
}

struct uiommu_domain *
uiommu_domain_create_nested(struct uiommu_domain *parent,
			    const struct uiommu_domain_params *params)
{
	struct uiommu_domain_params p = { 0 };
	struct iopt_cfg cfg;

	if (params != NULL)
		p = *params;
	if (parent == NULL || parent->type != UIOMMU_DOMAIN_PAGING ||
	    !hw_has_s2_fmt(parent->hw, parent->iopt->cfg.fmt) ||
	    !(parent->hw->caps.stages & 1)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (p.fmt == UIOMMU_IOPT_DEFAULT)
		p.fmt = parent->hw->caps.s1_fmt;
	if (p.fmt != parent->hw->caps.s1_fmt ||
	    domain_iopt_cfg(parent->hw, &p, &cfg) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* Stage 1 outputs IPAs: the parent's input space. */
	cfg.oas = parent->iopt->cfg.ias;
	return domain_new(parent->hw, UIOMMU_DOMAIN_NESTED, &cfg, parent,
			  &p);
}

int
domain_destroy_locked(struct uiommu_domain *dom)
{
	if (dom->obj.refcnt != 0)
		return -EBUSY;
	if (dom->parent != NULL) {
		pthread_mutex_lock(&dom->parent->lock);
		LIST_REMOVE(dom, sibling);
		pthread_mutex_unlock(&dom->parent->lock);
		dom->parent->obj.refcnt--;
	}
	/* Every attachment is gone, and each detach waited for a grace
	 * period: no walker can be in the tables. */
	domain_fq_fini(dom);
	iopt_free(dom->iopt);
	pthread_mutex_destroy(&dom->lock);
	dom->hw->obj.refcnt--;
	ctx_obj_del(&dom->obj);
	rte_free(dom);
	return 0;
}

int
uiommu_domain_destroy(struct uiommu_domain *dom)
{
	struct uiommu_ctx *ctx;
	int rc;

	if (dom == NULL)
		return -EINVAL;
	ctx = dom->obj.ctx;
	pthread_mutex_lock(&ctx->lock);
	rc = domain_destroy_locked(dom);
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

enum uiommu_domain_type
uiommu_domain_type(const struct uiommu_domain *dom)
{
	return dom->type;
}

int
uiommu_domain_iopt_info(const struct uiommu_domain *dom,
			struct uiommu_iopt_info *info)
{
	if (dom == NULL || info == NULL || !domain_has_iopt(dom))
		return -EINVAL;
	info->fmt = dom->iopt->cfg.fmt;
	info->root = dom->iopt->root;
	info->ias = dom->iopt->cfg.ias;
	info->oas = dom->iopt->cfg.oas;
	info->start_level = dom->iopt->start_level;
	return 0;
}

struct uiommu_domain *
uiommu_domain_parent(const struct uiommu_domain *dom)
{
	return dom != NULL ? dom->parent : NULL;
}

/* Shared argument checks of map and unmap. */
static int
domain_check_range(const struct uiommu_domain *dom, uint64_t iova,
		   uint64_t size)
{
	if (dom == NULL || !domain_has_iopt(dom) || size == 0 ||
	    (iova | size) & (RTE_PGSIZE_4K - 1) || iova + size < iova)
		return -EINVAL;
	if ((iova + size - 1) >> dom->iopt->cfg.ias)
		return -ERANGE;
	return 0;
}

int
uiommu_map(struct uiommu_domain *dom, uint64_t iova, void *va, uint64_t size,
	   uint32_t prot)
{
	uint64_t oa = (uintptr_t)va;
	struct iopt_gather gather;
	struct iopt *iopt;
	int rc;

	rc = domain_check_range(dom, iova, size);
	if (rc != 0)
		return rc;
	iopt = dom->iopt;
	if ((oa & (RTE_PGSIZE_4K - 1)) || oa + size < oa ||
	    !(prot & (UIOMMU_PROT_READ | UIOMMU_PROT_WRITE)) ||
	    (prot & ~DOMAIN_PROT_ALL) ||
	    (iopt->ops->no_write_only && !(prot & UIOMMU_PROT_READ)))
		return -EINVAL;
	if ((oa + size - 1) >> iopt->cfg.oas)
		return -ERANGE;

	iopt_gather_init(&gather);
	pthread_mutex_lock(&dom->lock);
	domain_fq_before_map(dom, iova, size);
	rc = iopt->ops->check_unmapped(iopt, iova, size);
	if (rc == 0)
		rc = iopt->ops->map(iopt, iova, oa, size, prot, &gather);
	if (gather.n_tables != 0) {
		/* Empty tables replaced by blocks: walkers may be in them. */
		ctx_synchronize(dom->obj.ctx);
		iopt_gather_release(iopt, &gather);
	}
	pthread_mutex_unlock(&dom->lock);
	iopt_gather_fini(&gather);
	return rc;
}

int
uiommu_domain_reserve(struct uiommu_domain *dom, uint64_t iova, uint64_t size,
		      uint64_t pgsize)
{
	int rc;

	rc = domain_check_range(dom, iova, size);
	if (rc != 0)
		return rc;
	if (!rte_is_power_of_2(pgsize) ||
	    !(dom->iopt->cfg.pgsize_bitmap & pgsize) ||
	    ((iova | size) & (pgsize - 1)))
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	rc = dom->iopt->ops->reserve(dom->iopt, iova, size, pgsize);
	pthread_mutex_unlock(&dom->lock);
	return rc;
}

/*
 * Steps 1-3 of an unmap (file header) and the invalidation request of 4;
 * the unlinked tables go to @gather. dom->lock held.
 */
static int
domain_unmap_locked(struct uiommu_domain *dom, uint64_t iova, uint64_t size,
		    struct iopt_gather *gather)
{
	struct iopt *iopt = dom->iopt;
	int rc;

	rc = iopt->ops->check_mapped(iopt, iova, size);
	if (rc == 0)
		rc = iopt_gather_reserve_range(gather, iova, size);
	if (rc == 0)
		rc = iopt->ops->split_edges(iopt, iova, size);
	if (rc != 0)
		return rc;
	gather->first = UINT64_MAX;
	gather->last = 0;
	iopt->ops->unmap(iopt, iova, size, gather);
	inv_domain_range(dom, gather->first, gather->last);
	return 0;
}

static int
domain_unmap_strict(struct uiommu_domain *dom, uint64_t iova, uint64_t size)
{
	struct iopt_gather gather;
	int rc;

	iopt_gather_init(&gather);
	pthread_mutex_lock(&dom->lock);
	rc = domain_unmap_locked(dom, iova, size, &gather);
	if (rc == 0) {
		inv_hw_sync(dom->hw);
		iopt_gather_release(dom->iopt, &gather);
		dom->fq.stats.unmaps++;
		/* The sync also completed every deferred unmap. */
		domain_fq_synced(dom, &dom->fq.stats.flush_strict);
	}
	pthread_mutex_unlock(&dom->lock);
	iopt_gather_fini(&gather);
	return rc;
}

/* Steps 1-4 without the wait; step 5 at the flush (domain_fq.c). */
static int
domain_unmap_deferred(struct uiommu_domain *dom, uint64_t iova,
		      uint64_t size)
{
	int rc;

	pthread_mutex_lock(&dom->lock);
	domain_fq_reserve(dom);
	rc = domain_unmap_locked(dom, iova, size, &dom->fq.gather);
	if (rc == 0)
		domain_fq_add(dom, dom->fq.gather.first, dom->fq.gather.last);
	pthread_mutex_unlock(&dom->lock);
	return rc;
}

int
uiommu_unmap(struct uiommu_domain *dom, uint64_t iova, uint64_t size)
{
	int rc;

	rc = domain_check_range(dom, iova, size);
	if (rc != 0)
		return rc;
	if (dom->inv_mode == UIOMMU_INV_LAZY)
		return domain_unmap_deferred(dom, iova, size);
	return domain_unmap_strict(dom, iova, size);
}

int
uiommu_unmap_deferred(struct uiommu_domain *dom, uint64_t iova, uint64_t size)
{
	int rc;

	rc = domain_check_range(dom, iova, size);
	if (rc != 0)
		return rc;
	return domain_unmap_deferred(dom, iova, size);
}

/* One stage, under the domain's lock: @iova's output address, or
 * UINT64_MAX if unmapped. */
static uint64_t
domain_lookup_locked(const struct uiommu_domain *dom, uint64_t iova)
{
	pthread_mutex_t *lock = (pthread_mutex_t *)(uintptr_t)&dom->lock;
	struct uiommu_walk_result res;

	/* The lock keeps an unmap on another thread from freeing a table
	 * under this walk: the caller need not be an online lcore. */
	pthread_mutex_lock(lock);
	dom->iopt->ops->walk(dom->iopt, iova, &res);
	pthread_mutex_unlock(lock);
	if (res.reason != UIOMMU_FAULT_NONE)
		return UINT64_MAX;
	return res.out + (iova & ((1ull << res.pgshift) - 1));
}

void *
uiommu_iova_to_va(const struct uiommu_domain *dom, uint64_t iova)
{
	uint64_t out;

	if (dom == NULL || !domain_has_iopt(dom)) {
		rte_errno = EINVAL;
		return NULL;
	}
	out = domain_lookup_locked(dom, iova);
	/* One lock at a time: the lock order is parent, then child. */
	if (out != UINT64_MAX && dom->parent != NULL)
		out = domain_lookup_locked(dom->parent, out);
	if (out == UINT64_MAX) {
		rte_errno = ENOENT;
		return NULL;
	}
	return (void *)(uintptr_t)out;
}

static void
domain_walk_stage(const struct iopt *iopt, uint64_t iova, uint32_t access,
		  struct uiommu_walk_result *res)
{
	iopt->ops->walk(iopt, iova, res);
	if (res->reason == UIOMMU_FAULT_NONE && (res->prot & access) != access)
		res->reason = UIOMMU_FAULT_PERMISSION;
}

void
uiommu_domain_walk(const struct uiommu_domain *dom, uint64_t iova,
		   uint32_t access, struct uiommu_walk_result *res)
{
	struct uiommu_walk_result s2;
	uint64_t ipa, mask;

	domain_walk_stage(dom->iopt, iova, access, res);
	if (dom->parent == NULL || res->reason != UIOMMU_FAULT_NONE)
		return;
	ipa = res->out + (iova & ((1ull << res->pgshift) - 1));
	domain_walk_stage(dom->parent->iopt, ipa, access, &s2);
	if (s2.reason != UIOMMU_FAULT_NONE) {
		res->reason = s2.reason;
		res->level = s2.level;
		return;
	}
	/* The combined page: the smaller of the two, both stages' rights. */
	res->pgshift = RTE_MIN(res->pgshift, s2.pgshift);
	mask = (1ull << s2.pgshift) - 1;
	res->out = s2.out + (ipa & mask & ~((1ull << res->pgshift) - 1));
	res->prot &= s2.prot;
}
