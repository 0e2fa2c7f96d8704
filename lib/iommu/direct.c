/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "direct" backend: the least an IOMMU needs, with no hardware format of
 * its own. A requester ID (16 bits: bus, device, function) finds its device
 * through a two-level table indexed by bus then devfn, the shape of VT-d's
 * root and context tables; the device has a RID entry and a two-level PASID
 * table (like VT-d's PASID directory) whose entries name a domain and the
 * tag its translations carry. A walk is the core's page-table walk.
 * Invalidations go straight to the lcores' queues.
 *
 * Why not rte_hash for the RID lookup: it is on every IOTLB miss, and the
 * miss benchmark (test/bench) spent a quarter of its 33 ns in the hash
 * (jhash, key compare); two dependent loads do the same job for a 16-bit
 * key, as the hardware's own tables do.
 *
 * It lets the core be tested without emulated hardware, and it is the
 * baseline the emulated SMMU and VT-d are measured against.
 *
 * Entries: one 64-bit word, (tag << 48) | domain pointer, so a reader sees
 * the pair whole. Written under the ctx lock with release stores, read by
 * lcores with acquire loads; so are the RID table's pointers. PASID leaves
 * are freed at dev_fini, after the device has left the RID table and a grace
 * period has passed; devfn tables live until the hw goes.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

#define DIRECT_PASID_BITS	20
#define DIRECT_LEAF_BITS	10
#define DIRECT_LEAF_SIZE	(1u << DIRECT_LEAF_BITS)
#define DIRECT_DIR_SIZE		(1u << (DIRECT_PASID_BITS - DIRECT_LEAF_BITS))
#define DIRECT_RID_BITS		16
#define DIRECT_DEVFN_BITS	8
#define DIRECT_DEVFN_SIZE	(1u << DIRECT_DEVFN_BITS)
#define DIRECT_BUS_SIZE		(1u << (DIRECT_RID_BITS - DIRECT_DEVFN_BITS))
#define DIRECT_ENTRY_TAG_SHIFT	48
#define DIRECT_ENTRY_DOM_MASK	((1ull << DIRECT_ENTRY_TAG_SHIFT) - 1)

struct direct_dev;

struct direct_hw {
	/* bus -> devfn table of device pointers */
	struct direct_dev **rid_table[DIRECT_BUS_SIZE];
};

struct direct_dev {
	uint64_t rid_entry;
	uint64_t *pasid_dir[DIRECT_DIR_SIZE];
};

static uint64_t
direct_entry(const struct uiommu_domain *dom, uint32_t tag)
{
	return (uint64_t)tag << DIRECT_ENTRY_TAG_SHIFT | (uintptr_t)dom;
}

static int
direct_hw_init(struct uiommu_hw *hw, const char *args,
	       struct uiommu_hw_caps *caps)
{
	RTE_SET_USED(hw);
	if (args != NULL && args[0] != '\0') {
		UIOMMU_LOG(ERR, "direct: takes no arguments, got '%s'", args);
		return -EINVAL;
	}
	*caps = (struct uiommu_hw_caps){
		.pgsize_bitmap = (1ull << 12) | (1ull << 21) | (1ull << 30),
		.ias = 48,
		.oas = 48,
		.pasid_bits = DIRECT_PASID_BITS,
		.stages = 0x3,
		.tlb_tag_pasid = true,
		.tag_bits = 16,
	};
	return 0;
}

static void
direct_hw_fini(struct uiommu_hw *hw)
{
	struct direct_hw *dh = uiommu_hw_priv(hw);
	unsigned int bus;

	/* Every device is gone, and each left a grace period behind it. */
	for (bus = 0; bus < DIRECT_BUS_SIZE; bus++)
		rte_free(dh->rid_table[bus]);
}

/* The device slot of @rid; NULL if its devfn table does not exist. */
static struct direct_dev **
direct_rid_slot(struct direct_hw *dh, uint32_t rid)
{
	/* Pairs with the release store that links a devfn table. */
	struct direct_dev **devfn = __atomic_load_n(
		&dh->rid_table[rid >> DIRECT_DEVFN_BITS], __ATOMIC_ACQUIRE);

	return devfn == NULL ? NULL : &devfn[rid & (DIRECT_DEVFN_SIZE - 1)];
}

static int
direct_dev_init(struct uiommu_dev *dev)
{
	struct direct_hw *dh = uiommu_hw_priv(uiommu_dev_hw(dev));
	uint32_t rid = uiommu_dev_sid(dev);
	struct direct_dev **slot, **devfn;

	if (rid >> DIRECT_RID_BITS) {
		UIOMMU_LOG(ERR, "direct: RID %#x wider than 16 bits", rid);
		return -EINVAL;
	}
	slot = direct_rid_slot(dh, rid);
	if (slot == NULL) {
		devfn = rte_zmalloc("uiommu_devfn", DIRECT_DEVFN_SIZE *
				    sizeof(*devfn), RTE_CACHE_LINE_SIZE);
		if (devfn == NULL)
			return -ENOMEM;
		__atomic_store_n(&dh->rid_table[rid >> DIRECT_DEVFN_BITS],
				 devfn, __ATOMIC_RELEASE);
		slot = &devfn[rid & (DIRECT_DEVFN_SIZE - 1)];
	}
	/* The device's (empty) entries before the device is reachable. */
	__atomic_store_n(slot, (struct direct_dev *)uiommu_dev_priv(dev),
			 __ATOMIC_RELEASE);
	return 0;
}

static void
direct_dev_fini(struct uiommu_dev *dev)
{
	struct uiommu_hw *hw = uiommu_dev_hw(dev);
	struct direct_dev *dd = uiommu_dev_priv(dev);
	unsigned int i;

	__atomic_store_n(direct_rid_slot(uiommu_hw_priv(hw),
					 uiommu_dev_sid(dev)),
			 NULL, __ATOMIC_RELEASE);
	/* Lcores may still be reading the device's PASID tables. */
	uiommu_iotlb_sync(hw);
	for (i = 0; i < DIRECT_DIR_SIZE; i++)
		rte_free(dd->pasid_dir[i]);
}

/* The entry of (dd, pasid), allocating its leaf if @create. */
static uint64_t *
direct_entry_slot(struct direct_dev *dd, uint32_t pasid, bool create)
{
	uint64_t *leaf;

	if (pasid == UIOMMU_PASID_NONE)
		return &dd->rid_entry;
	leaf = __atomic_load_n(&dd->pasid_dir[pasid >> DIRECT_LEAF_BITS],
			       __ATOMIC_ACQUIRE);
	if (leaf == NULL && create) {
		leaf = rte_zmalloc("uiommu_pasid", DIRECT_LEAF_SIZE *
				   sizeof(*leaf), RTE_CACHE_LINE_SIZE);
		if (leaf == NULL)
			return NULL;
		/* Zeroed leaf before the link; pairs with the load above. */
		__atomic_store_n(&dd->pasid_dir[pasid >> DIRECT_LEAF_BITS],
				 leaf, __ATOMIC_RELEASE);
	}
	return leaf == NULL ? NULL : &leaf[pasid & (DIRECT_LEAF_SIZE - 1)];
}

static int
direct_attach(struct uiommu_dev *dev, uint32_t pasid,
	      struct uiommu_domain *dom, uint32_t tag)
{
	uint64_t *slot = direct_entry_slot(uiommu_dev_priv(dev), pasid, true);

	if (slot == NULL)
		return -ENOMEM;
	__atomic_store_n(slot, direct_entry(dom, tag), __ATOMIC_RELEASE);
	return 0;
}

static void
direct_detach(struct uiommu_dev *dev, uint32_t pasid)
{
	uint64_t *slot = direct_entry_slot(uiommu_dev_priv(dev), pasid, false);

	if (slot != NULL)
		__atomic_store_n(slot, 0, __ATOMIC_RELEASE);
}

static int
direct_translate(struct uiommu_hw *hw, uint32_t sid, uint32_t pasid,
		 uint64_t iova, uint32_t access, struct uiommu_walk_result *res)
{
	struct direct_dev **rid_slot = NULL, *dd = NULL;
	const struct uiommu_domain *dom;
	uint64_t *slot, entry = 0;

	res->level = 0;
	res->tag = 0;
	if ((sid >> DIRECT_RID_BITS) == 0)
		rid_slot = direct_rid_slot(uiommu_hw_priv(hw), sid);
	if (rid_slot != NULL)
		dd = __atomic_load_n(rid_slot, __ATOMIC_ACQUIRE);
	if (dd == NULL) {
		res->reason = UIOMMU_FAULT_BAD_DEVICE;
		return 0;
	}
	if (pasid == UIOMMU_PASID_NONE || (pasid >> DIRECT_PASID_BITS) == 0) {
		slot = direct_entry_slot(dd, pasid, false);
		if (slot != NULL)
			entry = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	}
	if (entry == 0) {
		res->reason = pasid == UIOMMU_PASID_NONE ?
			      UIOMMU_FAULT_BAD_DEVICE : UIOMMU_FAULT_BAD_PASID;
		return 0;
	}
	dom = (const struct uiommu_domain *)(uintptr_t)
	      (entry & DIRECT_ENTRY_DOM_MASK);
	switch (uiommu_domain_type(dom)) {
	case UIOMMU_DOMAIN_PAGING:
	case UIOMMU_DOMAIN_NESTED:
		uiommu_domain_walk(dom, iova, access, res);
		res->tag = entry >> DIRECT_ENTRY_TAG_SHIFT;
		break;
	case UIOMMU_DOMAIN_IDENTITY:
		res->reason = UIOMMU_FAULT_NONE;
		res->out = iova & ~(uint64_t)(RTE_PGSIZE_4K - 1);
		res->pgshift = 12;
		res->prot = UIOMMU_PROT_READ | UIOMMU_PROT_WRITE;
		break;
	default:
		res->reason = UIOMMU_FAULT_BLOCKED;
		break;
	}
	return 0;
}

static int
direct_inv(struct uiommu_hw *hw, const struct uiommu_inv *inv)
{
	uiommu_iotlb_inv_post(hw, inv);
	return 0;
}

static int
direct_sync(struct uiommu_hw *hw)
{
	uiommu_iotlb_sync(hw);
	return 0;
}

const struct uiommu_hw_ops uiommu_direct_ops = {
	.name = "direct",
	.hw_priv_size = sizeof(struct direct_hw),
	.dev_priv_size = sizeof(struct direct_dev),
	.hw_init = direct_hw_init,
	.hw_fini = direct_hw_fini,
	.dev_init = direct_dev_init,
	.dev_fini = direct_dev_fini,
	.attach = direct_attach,
	.detach = direct_detach,
	.translate = direct_translate,
	.inv = direct_inv,
	.sync = direct_sync,
};

UIOMMU_REGISTER_HW(uiommu_direct_ops)
