/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The churn generator: control-plane unmap + remap while traffic flows, so
 * that what strict invalidation costs the forwarders is measured.
 *
 * Each port with an IOMMU gets a scratch window of CHURN_PAGES pages at an
 * IOVA no DPDK memory uses (the PMD maps every memseg at its DPDK IOVA,
 * net_iommu.h), half of it mapped: the pages [j, j + CHURN_PAGES / 2)
 * modulo CHURN_PAGES after the port's j-th operation. Operation j unmaps
 * page j and maps page j + CHURN_PAGES / 2, which was unmapped
 * CHURN_PAGES / 2 operations before; ports go round-robin. A page is thus
 * remapped only after a delay, as a DMA API user's IOVA allocator would
 * hand it out again, which is what lets deferred invalidation defer:
 * - --mode strict: uiommu_unmap() waits for the invalidation each time;
 * - --mode batch: uiommu_unmap_deferred(), and uiommu_domain_flush() every
 *   --churn-batch operations of the port (at most half the window, so a
 *   remapped page was always flushed first);
 * - --mode lazy: uiommu_unmap() in the port's LAZY domain, flushed by the
 *   domain itself (queue full, expiry, the PMD's alarm, a map over a
 *   pending page).
 * Two paths:
 * - default: the window is rte_malloc'd memory, mapped with uiommu_map()
 *   in uiommu_net_iommu_domain() (an alias of memory the PMD also maps at
 *   its own IOVA);
 * - --churn-ext: the window is external memory (rte_extmem_register), one
 *   region for every port, mapped through rte_dev_dma_map(), the PMD's
 *   dma_map path, as an application with its own buffers would.
 * Only the main lcore calls these; it never bursts, so its strict unmaps
 * wait for the forwarders' quiescent states and never for itself.
 */
#define ALLOW_EXPERIMENTAL_API	/* rte_dev_dma_map() */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <uiommu.h>
#include <uiommu_net_iommu.h>

#include "testpmd_iommu.h"

#define CHURN_PAGES	64
#define CHURN_PAGE	4096u
#define CHURN_LEN	((size_t)CHURN_PAGES * CHURN_PAGE)
#define PROT_RW		(UIOMMU_PROT_READ | UIOMMU_PROT_WRITE)

struct churn_port {
	uint16_t port_id;
	struct uiommu_domain *dom;
	struct rte_device *dev;		/* --churn-ext */
	uint8_t *va;			/* the window's memory */
	uint64_t ops;			/* operations done on this port */
	bool mapped;			/* its half window is mapped */
};

static struct {
	struct churn_port ports[TPI_MAX_PORTS];
	unsigned int nb_ports;
	uint64_t iova;			/* window base, same in every domain */
	uint8_t *ext_va;		/* --churn-ext: mmap'd, registered */
	bool ext_registered;
	uint64_t ops;			/* main lcore only */
} churn;

static int
map_port(struct churn_port *cp, size_t off, size_t len)
{
	if (tpi.cfg.churn_ext) {
		if (rte_dev_dma_map(cp->dev, cp->va + off, churn.iova + off,
				    len) != 0)
			return -rte_errno;
		return 0;
	}
	return uiommu_map(cp->dom, churn.iova + off, cp->va + off, len,
			  PROT_RW);
}

static int
unmap_port(struct churn_port *cp, size_t off, size_t len)
{
	if (tpi.cfg.churn_ext) {
		/* The PMD completes the invalidation in every mode. */
		if (rte_dev_dma_unmap(cp->dev, cp->va + off, churn.iova + off,
				      len) != 0)
			return -rte_errno;
		return 0;
	}
	if (strcmp(tpi.cfg.mode, "batch") == 0)
		return uiommu_unmap_deferred(cp->dom, churn.iova + off, len);
	return uiommu_unmap(cp->dom, churn.iova + off, len);
}

static size_t
page_off(uint64_t page)
{
	return (size_t)(page % CHURN_PAGES) * CHURN_PAGE;
}

static int
ext_setup(void)
{
	void *va = mmap(NULL, CHURN_LEN, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (va == MAP_FAILED)
		return -errno;
	churn.ext_va = va;
	if (rte_extmem_register(va, CHURN_LEN, NULL, 0, CHURN_PAGE) != 0)
		return -rte_errno;
	churn.ext_registered = true;
	return 0;
}

/* Called with the ports started; a failure leaves churn_teardown() to
 * undo what was done. */
int
tpi_churn_setup(void)
{
	unsigned int p;
	int rc;

	if (tpi.cfg.churn_rate == 0)
		return 0;
	/* A window no DPDK memory's IOVA overlaps (the PMD maps those), the
	 * same in every port's domain. */
	rc = uiommu_net_iommu_iova_window(CHURN_LEN, &churn.iova);
	if (rc == 0 && tpi.cfg.churn_ext)
		rc = ext_setup();
	if (rc != 0) {
		fprintf(stderr, "churn: set-up failed: %s\n", strerror(-rc));
		return rc;
	}
	for (p = 0; p < tpi.nb_ports; p++) {
		struct churn_port *cp = &churn.ports[churn.nb_ports];
		struct rte_eth_dev_info info;

		if (!tpi.ports[p].has_iommu)
			continue;
		cp->port_id = tpi.ports[p].port_id;
		cp->dom = uiommu_net_iommu_domain(cp->port_id);
		if (cp->dom == NULL ||
		    rte_eth_dev_info_get(cp->port_id, &info) != 0)
			return -EINVAL;
		cp->dev = info.device;
		churn.nb_ports++;
		if (tpi.cfg.churn_ext) {
			cp->va = churn.ext_va;
		} else {
			cp->va = rte_malloc("tpi_churn", CHURN_LEN, CHURN_PAGE);
			if (cp->va == NULL)
				return -ENOMEM;
		}
		rc = map_port(cp, 0, CHURN_LEN / 2);
		if (rc != 0) {
			fprintf(stderr, "churn: map of IOVA %#" PRIx64
				" in port %u: %s\n", churn.iova, cp->port_id,
				strerror(-rc));
			return rc;
		}
		cp->mapped = true;
	}
	if (churn.nb_ports == 0)
		printf("churn: no port has an IOMMU (iommu=off): no churn\n");
	else
		printf("churn: %u unmap+map/s of 4 KiB pages in a %zu KiB window at IOVA %#" PRIx64 " of %u domain(s), through %s, %s invalidation\n",
		       tpi.cfg.churn_rate, CHURN_LEN >> 10, churn.iova,
		       churn.nb_ports, tpi.cfg.churn_ext ?
		       "rte_dev_dma_map/unmap (external memory)" :
		       "uiommu_map/unmap", tpi.cfg.mode);
	return 0;
}

int
tpi_churn_op(void)
{
	struct churn_port *cp;
	uint64_t j;
	int rc;

	if (churn.nb_ports == 0)
		return 0;
	cp = &churn.ports[churn.ops % churn.nb_ports];
	j = cp->ops;
	rc = unmap_port(cp, page_off(j), CHURN_PAGE);
	if (rc == 0)
		rc = map_port(cp, page_off(j + CHURN_PAGES / 2), CHURN_PAGE);
	if (rc == 0 && !tpi.cfg.churn_ext &&
	    strcmp(tpi.cfg.mode, "batch") == 0 &&
	    (j + 1) % tpi.cfg.churn_batch == 0)
		rc = uiommu_domain_flush(cp->dom);
	if (rc != 0) {
		/* Whichever failed, the pages are not known to be mapped:
		 * leave the whole window to domain destruction. */
		cp->mapped = false;
		fprintf(stderr, "churn: unmap+map in port %u: %s\n",
			cp->port_id, strerror(-rc));
		return rc;
	}
	cp->ops++;
	churn.ops++;
	return 0;
}

uint64_t
tpi_churn_ops(void)
{
	return churn.ops;
}

void
tpi_churn_inv_stats(struct uiommu_domain_inv_stats *sum)
{
	unsigned int p;

	memset(sum, 0, sizeof(*sum));
	for (p = 0; p < churn.nb_ports; p++) {
		struct uiommu_domain_inv_stats st;

		if (uiommu_domain_inv_stats(churn.ports[p].dom, &st) != 0)
			continue;
		sum->unmaps += st.unmaps;
		sum->deferred += st.deferred;
		sum->flushes += st.flushes;
		sum->pending += st.pending;
	}
}

/* Before the ports stop. */
void
tpi_churn_teardown(void)
{
	unsigned int p;

	for (p = 0; p < churn.nb_ports; p++) {
		struct churn_port *cp = &churn.ports[p];

		uint64_t j;
		int rc = 0;

		for (j = cp->ops; cp->mapped && rc == 0 &&
		     j < cp->ops + CHURN_PAGES / 2; j++)
			rc = unmap_port(cp, page_off(j), CHURN_PAGE);
		/* The memory is freed next: nothing may reach it after. */
		if (cp->mapped && !tpi.cfg.churn_ext && rc == 0)
			rc = uiommu_domain_flush(cp->dom);
		if (rc != 0)
			fprintf(stderr, "churn: unmap of the window in port %u failed: %s\n",
				cp->port_id, strerror(-rc));
		if (!tpi.cfg.churn_ext)
			rte_free(cp->va);
	}
	if (churn.ext_registered)
		rte_extmem_unregister(churn.ext_va, CHURN_LEN);
	if (churn.ext_va != NULL)
		munmap(churn.ext_va, CHURN_LEN);
	memset(&churn, 0, sizeof(churn));
}
