/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Devices: requesters behind one hw instance, named by StreamID / RID.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

static bool
dev_sid_in_use(const struct uiommu_hw *hw, uint32_t sid)
{
	const struct uiommu_obj *obj;

	TAILQ_FOREACH(obj, &hw->obj.ctx->objs[UIOMMU_OBJ_DEV], next) {
		const struct uiommu_dev *d =
			container_of(obj, const struct uiommu_dev, obj);

		if (d->hw == hw && d->sid == sid)
			return true;
	}
	return false;
}

struct uiommu_dev *
uiommu_dev_create(struct uiommu_hw *hw, uint32_t sid,
		  const struct uiommu_dev_params *params)
{
	struct uiommu_dev_params p = { 0 };
	struct uiommu_ctx *ctx;
	struct uiommu_dev *dev;
	int rc;

	if (hw == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (params != NULL)
		p = *params;
	if (p.pasid_bits > hw->caps.pasid_bits || (p.ats && !hw->caps.ats)) {
		rte_errno = EINVAL;
		return NULL;
	}
	ctx = hw->obj.ctx;
	dev = rte_zmalloc("uiommu_dev", sizeof(*dev), RTE_CACHE_LINE_SIZE);
	if (dev == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	dev->hw = hw;
	dev->sid = sid;
	dev->pasid_bits = p.pasid_bits;
	dev->ats = p.ats;
	dev->obj.ctx = ctx;
	if (hw->ops->dev_priv_size != 0) {
		dev->priv = rte_zmalloc("uiommu_dev_priv",
					hw->ops->dev_priv_size,
					RTE_CACHE_LINE_SIZE);
		if (dev->priv == NULL) {
			rc = -ENOMEM;
			goto err_free;
		}
	}
	pthread_mutex_lock(&ctx->lock);
	if (dev_sid_in_use(hw, sid)) {
		rc = -EEXIST;
		goto err_unlock;
	}
	rc = hw->ops->dev_init != NULL ? hw->ops->dev_init(dev) : 0;
	if (rc != 0)
		goto err_unlock;
	ctx_obj_add(ctx, &dev->obj, UIOMMU_OBJ_DEV);
	hw->obj.refcnt++;
	pthread_mutex_unlock(&ctx->lock);
	return dev;

err_unlock:
	pthread_mutex_unlock(&ctx->lock);
err_free:
	rte_free(dev->priv);
	rte_free(dev);
	rte_errno = -rc;
	return NULL;
}

int
dev_destroy_locked(struct uiommu_dev *dev)
{
	if (dev->obj.refcnt != 0)
		return -EBUSY;
	if (dev->hw->ops->dev_fini != NULL)
		dev->hw->ops->dev_fini(dev);
	dev->hw->obj.refcnt--;
	ctx_obj_del(&dev->obj);
	rte_free(dev->priv);
	rte_free(dev);
	return 0;
}

int
uiommu_dev_destroy(struct uiommu_dev *dev)
{
	struct uiommu_ctx *ctx;
	int rc;

	if (dev == NULL)
		return -EINVAL;
	ctx = dev->obj.ctx;
	pthread_mutex_lock(&ctx->lock);
	rc = dev_destroy_locked(dev);
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

void *
uiommu_dev_priv(const struct uiommu_dev *dev)
{
	return dev->priv;
}

struct uiommu_hw *
uiommu_dev_hw(const struct uiommu_dev *dev)
{
	return dev->hw;
}

uint32_t
uiommu_dev_sid(const struct uiommu_dev *dev)
{
	return dev->sid;
}

uint8_t
uiommu_dev_pasid_bits(const struct uiommu_dev *dev)
{
	return dev->pasid_bits;
}

void *
uiommu_hw_priv(const struct uiommu_hw *hw)
{
	return hw->priv;
}

bool
uiommu_dev_ats(const struct uiommu_dev *dev)
{
	return dev->ats;
}
