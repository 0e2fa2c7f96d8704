/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attachments: a (dev, PASID) pointed at a domain, and the port handle that
 * the fast path uses for it.
 *
 * Attach: take a tag context of the domain (allocating a tag for a new one),
 * program the backend (STE/CD, context/PASID entry), publish the port.
 * Detach or replace: make the backend abort, block the old port, flush the
 * tag if this was its last user, one grace period, then free.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

/* The tag context of @dom that (@pasid) translates under, created if
 * needed. ctx->lock held. */
static struct uiommu_tag_ctx *
tctx_get(struct uiommu_domain *dom, uint32_t pasid, int *rc)
{
	uint32_t key = dom->hw->caps.tlb_tag_pasid ? pasid : UIOMMU_PASID_NONE;
	struct uiommu_tag_ctx *tc;

	LIST_FOREACH(tc, &dom->tctx, next) {
		if (tc->pasid == key) {
			tc->users++;
			return tc;
		}
	}
	tc = rte_zmalloc("uiommu_tctx", sizeof(*tc), 0);
	if (tc == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	*rc = hw_tag_alloc(dom->hw, &tc->tag);
	if (*rc != 0) {
		rte_free(tc);
		return NULL;
	}
	tc->pasid = key;
	tc->users = 1;
	pthread_mutex_lock(&dom->lock);
	LIST_INSERT_HEAD(&dom->tctx, tc, next);
	pthread_mutex_unlock(&dom->lock);
	return tc;
}

/* Drop a user; the last one unlinks the context and queues the flush of
 * its tag. Returns the context to free after the sync, or NULL. */
static struct uiommu_tag_ctx *
tctx_put(struct uiommu_domain *dom, struct uiommu_tag_ctx *tc)
{
	if (tc == NULL || --tc->users != 0)
		return NULL;
	pthread_mutex_lock(&dom->lock);
	LIST_REMOVE(tc, next);
	pthread_mutex_unlock(&dom->lock);
	inv_tag(dom->hw, tc->tag);
	return tc;
}

/* After the sync that covered its flush: the tag may be handed out again. */
static void
tctx_free(struct uiommu_hw *hw, struct uiommu_tag_ctx *tc)
{
	if (tc == NULL)
		return;
	hw_tag_free(hw, tc->tag);
	rte_free(tc);
}

static uint64_t
port_cfg(const struct uiommu_domain *dom, const struct uiommu_tag_ctx *tc)
{
	switch (dom->type) {
	case UIOMMU_DOMAIN_PAGING:
	case UIOMMU_DOMAIN_NESTED:
		return (uint64_t)tc->tag << UIOMMU_IOTLB_TAG_SHIFT;
	case UIOMMU_DOMAIN_IDENTITY:
		return UIOMMU_PORT_CFG_IDENTITY;
	default:
		return UIOMMU_PORT_CFG_BLOCKED;
	}
}

static struct uiommu_port_obj *
pasid_port_find(const struct uiommu_dev *dev, uint32_t pasid)
{
	struct uiommu_obj *obj;

	TAILQ_FOREACH(obj, &dev->obj.ctx->objs[UIOMMU_OBJ_PORT], next) {
		struct uiommu_port_obj *po =
			container_of(obj, struct uiommu_port_obj, obj);

		if (po->dev == dev && po->port.pasid == pasid)
			return po;
	}
	return NULL;
}

/* Retire @old (replaced or detached): block it, drop its references.
 * Returns a tag context whose flush the caller's sync must cover. */
static struct uiommu_tag_ctx *
port_retire(struct uiommu_port_obj *old)
{
	/* Lcores that still read the old handle stop hitting at once. */
	__atomic_store_n(&old->port.cfg, UIOMMU_PORT_CFG_BLOCKED,
			 __ATOMIC_RELEASE);
	old->dom->obj.refcnt--;
	old->dev->obj.refcnt--;
	ctx_obj_del(&old->obj);
	return tctx_put(old->dom, old->tctx);
}

static struct uiommu_port *
attach_locked(struct uiommu_dev *dev, uint32_t pasid,
	      struct uiommu_domain *dom)
{
	struct uiommu_ctx *ctx = dev->obj.ctx;
	struct uiommu_hw *hw = dev->hw;
	struct uiommu_port_obj *po, *old = NULL;
	struct uiommu_tag_ctx *tc = NULL, *dead;
	int rc = 0;

	if (pasid == UIOMMU_PASID_NONE)
		old = dev->rid_port;
	else if (pasid_port_find(dev, pasid) != NULL)
		return rte_errno = EEXIST, NULL;

	po = rte_zmalloc("uiommu_port", sizeof(*po), RTE_CACHE_LINE_SIZE);
	if (po == NULL)
		return rte_errno = ENOMEM, NULL;
	if (domain_has_iopt(dom)) {
		tc = tctx_get(dom, pasid, &rc);
		if (tc == NULL)
			goto err_free;
	}
	rc = hw->ops->attach(dev, pasid, dom, tc != NULL ? tc->tag : 0);
	if (rc != 0)
		goto err_put;

	po->dev = dev;
	po->dom = dom;
	po->tctx = tc;
	po->port.hw = hw;
	po->port.iotlb = (struct uiommu_iotlb *const *)hw->iotlb;
	po->port.sid = dev->sid;
	po->port.pasid = pasid;
	po->port.cfg = port_cfg(dom, tc);
	po->port.salt = tc != NULL ? uiommu__tag_salt(tc->tag) : 0;
	ctx_obj_add(ctx, &po->obj, UIOMMU_OBJ_PORT);
	dom->obj.refcnt++;
	dev->obj.refcnt++;
	if (pasid == UIOMMU_PASID_NONE)
		dev->rid_port = po;
	else
		dev->n_pasid_ports++;

	if (old != NULL) {
		dead = port_retire(old);
		hw->ops->sync(hw);
		tctx_free(hw, dead);
		rte_free(old);
	}
	return &po->port;

err_put:
	dead = tctx_put(dom, tc);
	if (dead != NULL) {
		hw->ops->sync(hw);
		tctx_free(hw, dead);
	}
err_free:
	rte_free(po);
	rte_errno = -rc;
	return NULL;
}

static struct uiommu_port *
attach_common(struct uiommu_dev *dev, uint32_t pasid,
	      struct uiommu_domain *dom)
{
	struct uiommu_port *port;
	struct uiommu_ctx *ctx;

	if (dev == NULL || dom == NULL || dev->hw != dom->hw) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (pasid != UIOMMU_PASID_NONE) {
		if (dev->pasid_bits == 0 || pasid >> dev->pasid_bits) {
			rte_errno = ERANGE;
			return NULL;
		}
		/* PASID-tagged requests always go through a table. */
		if (dom->type == UIOMMU_DOMAIN_IDENTITY) {
			rte_errno = EINVAL;
			return NULL;
		}
	}
	ctx = dev->obj.ctx;
	pthread_mutex_lock(&ctx->lock);
	port = attach_locked(dev, pasid, dom);
	pthread_mutex_unlock(&ctx->lock);
	return port;
}

struct uiommu_port *
uiommu_attach(struct uiommu_dev *dev, struct uiommu_domain *dom)
{
	return attach_common(dev, UIOMMU_PASID_NONE, dom);
}

struct uiommu_port *
uiommu_attach_pasid(struct uiommu_dev *dev, uint32_t pasid,
		    struct uiommu_domain *dom)
{
	if (pasid == UIOMMU_PASID_NONE) {
		rte_errno = EINVAL;
		return NULL;
	}
	return attach_common(dev, pasid, dom);
}

int
port_detach_locked(struct uiommu_port_obj *po)
{
	struct uiommu_dev *dev = po->dev;
	struct uiommu_hw *hw = dev->hw;
	struct uiommu_tag_ctx *dead;

	hw->ops->detach(dev, po->port.pasid);
	if (po->port.pasid == UIOMMU_PASID_NONE)
		dev->rid_port = NULL;
	else
		dev->n_pasid_ports--;
	dead = port_retire(po);
	/* One grace period covers the backend's abort, the blocked port
	 * and the flush of a tag nobody uses any more. */
	hw->ops->sync(hw);
	tctx_free(hw, dead);
	rte_free(po);
	return 0;
}

int
uiommu_detach(struct uiommu_port *port)
{
	struct uiommu_ctx *ctx;
	int rc;

	if (port == NULL)
		return -EINVAL;
	ctx = port_obj(port)->obj.ctx;
	pthread_mutex_lock(&ctx->lock);
	rc = port_detach_locked(port_obj(port));
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}
