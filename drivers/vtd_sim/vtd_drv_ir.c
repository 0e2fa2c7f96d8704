/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt remapping: the table (IRTA), IRTE allocation per device, IRTE
 * programming with an index-selective IEC invalidation, and the remappable
 * MSI message. IRTE updates hold ir_lock; words are stored with release,
 * the low word (P) last when making an entry present, first when clearing.
 */
#include <errno.h>

#include <rte_malloc.h>

#include "vtd_drv.h"

int
vtd_ir_init(struct vtd_drv *drv, unsigned int log2, int socket)
{
	drv->irt_entries = 1u << log2;
	drv->irt = rte_zmalloc_socket("vtd_irt", (size_t)IRTE_SIZE <<
				      log2, 4096, socket);
	drv->irte_owner = rte_zmalloc_socket("vtd_irte_owner",
			sizeof(*drv->irte_owner) << log2, 0, socket);
	if (drv->irt == NULL || drv->irte_owner == NULL)
		return -ENOMEM;
	vtd_model_write64(drv->m, DMAR_IRTA_REG,
			  ((uintptr_t)drv->irt & IRTA_IRTA) |
			  (drv->eime ? IRTA_EIME : 0) |
			  FIELD_PREP(IRTA_S, log2 - 1));
	return 0;
}

void
vtd_ir_fini(struct vtd_drv *drv)
{
	rte_free(drv->irt);
	rte_free(drv->irte_owner);
	drv->irt = NULL;
	drv->irte_owner = NULL;
}

static struct vtd_drv *
dev_drv(const struct uiommu_dev *dev)
{
	struct uiommu_hw *hw = dev != NULL ? uiommu_dev_hw(dev) : NULL;

	return uiommu_vtd_sim_is(hw) ? vtd_drv_of(hw) : NULL;
}

int
uiommu_vtd_sim_irq_alloc(struct uiommu_dev *dev, unsigned int nvec)
{
	struct vtd_drv *drv = dev_drv(dev);
	uint32_t i, run = 0;
	int rc = -ENOSPC;

	if (drv == NULL || nvec == 0 || nvec > drv->irt_entries)
		return -EINVAL;
	pthread_mutex_lock(&drv->ir_lock);
	for (i = 0; i < drv->irt_entries; i++) {
		run = drv->irte_owner[i].used ? 0 : run + 1;
		if (run == nvec) {
			uint32_t first = i + 1 - nvec, j;

			for (j = first; j <= i; j++)
				drv->irte_owner[j] = (struct vtd_irte_owner){
					.sid = (uint16_t)uiommu_dev_sid(dev),
					.used = true };
			rc = (int)first;
			break;
		}
	}
	pthread_mutex_unlock(&drv->ir_lock);
	return rc;
}

static bool
owns(const struct vtd_drv *drv, const struct uiommu_dev *dev, uint32_t index,
     unsigned int n)
{
	uint32_t i;

	if (index >= drv->irt_entries || n > drv->irt_entries - index)
		return false;
	for (i = index; i < index + n; i++)
		if (!drv->irte_owner[i].used ||
		    drv->irte_owner[i].sid != uiommu_dev_sid(dev))
			return false;
	return true;
}

/*
 * Invalidate @count IEC entries from @index (0: all) and wait: one
 * index-selective descriptor over the aligned 2^IM block that holds the
 * range, or a global one when no block of at most 2^MHMV does (a range
 * across the middle of a 64K-entry table).
 */
static int
iec_inv(struct vtd_drv *drv, uint32_t index, uint32_t count)
{
	struct vtd_desc d = { .type = QI_IEC_TYPE };
	unsigned int im = 0;

	if (count != 0) {
		while (im < VTD_MODEL_MHMV &&
		       (index >> im) != ((index + count - 1) >> im))
			im++;
		if ((index >> im) == ((index + count - 1) >> im)) {
			d.g = 1;
			d.am = im;
			d.index = index & ~((1u << im) - 1);
		}
	}
	return vtd_qi_issue(drv, &d, 1);
}

int
uiommu_vtd_sim_irq_set(struct uiommu_dev *dev, uint32_t index,
		       const struct uiommu_vtd_irq_cfg *cfg)
{
	struct vtd_drv *drv = dev_drv(dev);
	uint64_t lo, hi, *irte;
	int rc;

	if (drv == NULL || cfg == NULL || cfg->vector < 16 ||
	    cfg->delivery_mode > 7 ||
	    (!drv->eime && cfg->dest_id > UINT8_MAX))
		return -EINVAL;
	pthread_mutex_lock(&drv->ir_lock);
	if (!owns(drv, dev, index, 1)) {
		pthread_mutex_unlock(&drv->ir_lock);
		return -EINVAL;
	}
	lo = IRTE_LO_P | (cfg->dest_logical ? IRTE_LO_DM : 0) |
	     (cfg->level ? IRTE_LO_TM : 0) |
	     FIELD_PREP(IRTE_LO_DLM, cfg->delivery_mode) |
	     FIELD_PREP(IRTE_LO_V, cfg->vector) |
	     (drv->eime ? FIELD_PREP(IRTE_LO_DST, cfg->dest_id) :
			  FIELD_PREP(IRTE_LO_DST_XAPIC, cfg->dest_id));
	hi = FIELD_PREP(IRTE_HI_SID, uiommu_dev_sid(dev)) |
	     FIELD_PREP(IRTE_HI_SQ, IRTE_SQ_ALL_16) |
	     FIELD_PREP(IRTE_HI_SVT, IRTE_SVT_SID_SQ);
	irte = &drv->irt[index * 2];
	vtd_word_store(&irte[1], hi);
	vtd_word_store(&irte[0], lo);
	rc = iec_inv(drv, index, 1);
	pthread_mutex_unlock(&drv->ir_lock);
	return rc;
}

int
uiommu_vtd_sim_irq_free(struct uiommu_dev *dev, uint32_t index,
			unsigned int nvec)
{
	struct vtd_drv *drv = dev_drv(dev);
	uint32_t i;
	int rc;

	if (drv == NULL || nvec == 0)
		return -EINVAL;
	pthread_mutex_lock(&drv->ir_lock);
	if (!owns(drv, dev, index, nvec)) {
		pthread_mutex_unlock(&drv->ir_lock);
		return -EINVAL;
	}
	for (i = index; i < index + nvec; i++) {
		vtd_word_store(&drv->irt[i * 2], 0);
		vtd_word_store(&drv->irt[i * 2 + 1], 0);
	}
	rc = iec_inv(drv, index, nvec);
	/* Reusable only once the wait has passed: if it failed, an lcore
	 * may still hold the old entries, so they stay the device's (a
	 * retry of the free can release them). */
	for (i = index; rc == 0 && i < index + nvec; i++)
		drv->irte_owner[i].used = false;
	pthread_mutex_unlock(&drv->ir_lock);
	return rc;
}

int
uiommu_vtd_sim_msi_compose(const struct uiommu_dev *dev, uint32_t index,
			   uint64_t *addr, uint32_t *data)
{
	struct vtd_drv *drv = dev_drv(dev);

	if (drv == NULL || addr == NULL || data == NULL ||
	    index >= drv->irt_entries)
		return -EINVAL;
	*addr = FIELD_PREP(MSI_ADDR_BASE, MSI_ADDR_BASE_VALUE) |
		MSI_ADDR_IF |
		FIELD_PREP(MSI_ADDR_HANDLE_LO, index & 0x7fff) |
		((index >> 15) & 1 ? MSI_ADDR_HANDLE_15 : 0);
	*data = 0;
	return 0;
}

int
uiommu_vtd_sim_iec_invalidate(struct uiommu_hw *hw, uint32_t index,
			      uint32_t count)
{
	struct vtd_drv *drv = uiommu_vtd_sim_is(hw) ? vtd_drv_of(hw) : NULL;

	if (drv == NULL || (count != 0 && (index >= drv->irt_entries ||
					   count > drv->irt_entries - index)))
		return -EINVAL;
	return iec_inv(drv, index, count);
}

int
uiommu_vtd_sim_msi_write(struct uiommu_hw *hw, uint32_t sid, uint64_t addr,
			 uint32_t data, struct uiommu_vtd_irq *out)
{
	struct vtd_drv *drv = uiommu_vtd_sim_is(hw) ? vtd_drv_of(hw) : NULL;

	if (drv == NULL || out == NULL || sid > UINT16_MAX)
		return -EINVAL;
	return vtd_model_msi(drv->m, (uint16_t)sid, addr, data, out);
}
