/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_churn: device DMA through uiommu on every lcore while the control
 * plane unmaps and remaps under the traffic.
 *
 * The main lcore creates a context, an IOMMU instance (the emulated SMMUv3
 * "smmu_sim" by default, or the core's "direct"), one device
 * with PASIDs, one paging domain per PASID (plus the RID domain), maps a
 * buffer into each, and launches every worker lcore. Workers translate
 * random IOVAs through their port, write and read the bytes the way a DMA
 * engine would, and report a quiescent state after each burst. Meanwhile the
 * main lcore unmaps and remaps pages (strict invalidation), then prints the
 * per-lcore IOTLB statistics, the SMMU commands the churn cost, and any
 * mismatch.
 *
 *   dma_churn [EAL options] -- [-s seconds] [-p pages] [-n ports]
 *                              [-b smmu_sim|direct]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include <uiommu.h>
#include <uiommu_smmu_sim.h>

#define BURST		32
#define PAGE		4096u
#define MAX_PORTS	8

static struct uiommu_ctx *ctx;
static struct uiommu_port *ports[MAX_PORTS];
static unsigned int n_ports = 3;
static unsigned int n_pages = 1024;
static unsigned int seconds = 2;
static const char *backend = "smmu_sim";
static volatile bool stop;
static uint64_t dma_ok[RTE_MAX_LCORE], dma_fault[RTE_MAX_LCORE];
static uint64_t dma_bad[RTE_MAX_LCORE];

/* Each port's memory: page i holds (port, i) in its first word. */
static uint8_t *bufs[MAX_PORTS];

static int
worker(void *arg)
{
	unsigned int lcore = rte_lcore_id();

	RTE_SET_USED(arg);
	if (uiommu_lcore_online(ctx) != 0)
		return -1;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (unsigned int i = 0; i < BURST; i++) {
			unsigned int p = rte_rand_max(n_ports);
			uint64_t page = rte_rand_max(n_pages);
			uint64_t *va = uiommu_translate(ports[p], page * PAGE,
					sizeof(uint64_t), UIOMMU_ACCESS_READ);

			if (va == NULL) {
				dma_fault[lcore]++;
				continue;
			}
			if (*va != ((uint64_t)p << 32 | page))
				dma_bad[lcore]++;
			else
				dma_ok[lcore]++;
		}
		uiommu_lcore_quiescent(ctx);
	}
	uiommu_lcore_offline(ctx);
	return 0;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [EAL options] -- [-s seconds] [-p pages] "
		"[-n ports(1..%u)] [-b smmu_sim|direct]\n", prog, MAX_PORTS);
}

static int
parse_args(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "s:p:n:b:h")) != -1) {
		switch (opt) {
		case 's':
			seconds = (unsigned int)atoi(optarg);
			break;
		case 'p':
			n_pages = (unsigned int)atoi(optarg);
			break;
		case 'n':
			n_ports = (unsigned int)atoi(optarg);
			break;
		case 'b':
			backend = optarg;
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (n_ports < 1 || n_ports > MAX_PORTS || n_pages < 1) {
		usage(argv[0]);
		return -1;
	}
	return 0;
}

/* What the churn cost in SMMU commands (smmu_sim only). */
static void
print_smmu_stats(const struct uiommu_hw *hw)
{
	struct uiommu_smmu_sim_stats st;

	if (uiommu_smmu_sim_stats_get(hw, &st) != 0)
		return;
	printf("smmu_sim: %" PRIu64 " TLBI_NH_VA, %" PRIu64 " TLBI_NH_ASID, "
	       "%" PRIu64 " CFGI_*, %" PRIu64 " CMD_SYNC in %" PRIu64
	       " doorbells; %" PRIu64 " syncs waited a grace period\n",
	       st.hw_cmds[UIOMMU_SMMU_CMD_TLBI_NH_VA],
	       st.hw_cmds[UIOMMU_SMMU_CMD_TLBI_NH_ASID],
	       st.hw_cmds[UIOMMU_SMMU_CMD_CFGI_STE] +
	       st.hw_cmds[UIOMMU_SMMU_CMD_CFGI_STE_RANGE] +
	       st.hw_cmds[UIOMMU_SMMU_CMD_CFGI_CD] +
	       st.hw_cmds[UIOMMU_SMMU_CMD_CFGI_CD_ALL],
	       st.hw_cmds[UIOMMU_SMMU_CMD_SYNC], st.doorbells,
	       st.hw_syncs_waited);
}

static void
print_stats(struct uiommu_hw *hw, uint64_t churns)
{
	unsigned int lcore;
	uint64_t bad = 0;

	printf("%-6s %12s %12s %10s %10s %10s %10s\n", "lcore", "dma ok",
	       "iotlb hits", "misses", "faults", "invals", "bad");
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct uiommu_lcore_stats s;

		uiommu_hw_stats(hw, lcore, &s);
		printf("%-6u %12" PRIu64 " %12" PRIu64 " %10" PRIu64
		       " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
		       lcore, dma_ok[lcore], s.hits, s.misses, s.faults,
		       s.invalidations, dma_bad[lcore]);
		bad += dma_bad[lcore];
	}
	printf("control plane: %" PRIu64 " unmap+map cycles (strict)\n",
	       churns);
	print_smmu_stats(hw);
	printf("%s\n", bad == 0 ? "every DMA read the data of its own mapping" :
	       "MISMATCH: a DMA read data of another mapping");
}

int
main(int argc, char **argv)
{
	struct uiommu_domain *doms[MAX_PORTS];
	struct uiommu_dev *dev;
	struct uiommu_hw *hw;
	uint64_t churns = 0, deadline;
	unsigned int p, i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (parse_args(argc - ret, argv + ret) != 0)
		return 1;
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "need at least 2 lcores (-l 0-1)\n");
		return 1;
	}
	ctx = uiommu_ctx_create(NULL);
	hw = ctx ? uiommu_hw_create(ctx, backend, NULL) : NULL;
	dev = hw ? uiommu_dev_create(hw, 0x100,
			&(struct uiommu_dev_params){ .pasid_bits = 8 }) : NULL;
	if (dev == NULL) {
		fprintf(stderr, "setup failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* Port 0: requests without PASID; ports 1..: PASID 1.. */
	for (p = 0; p < n_ports; p++) {
		doms[p] = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, NULL);
		bufs[p] = rte_malloc(NULL, (size_t)n_pages * PAGE, PAGE);
		if (doms[p] == NULL || bufs[p] == NULL)
			return 1;
		for (i = 0; i < n_pages; i++)
			*(uint64_t *)(bufs[p] + (size_t)i * PAGE) =
				(uint64_t)p << 32 | i;
		ret = uiommu_map(doms[p], 0, bufs[p], (uint64_t)n_pages * PAGE,
				 UIOMMU_PROT_READ | UIOMMU_PROT_WRITE);
		ports[p] = p == 0 ? uiommu_attach(dev, doms[p]) :
				    uiommu_attach_pasid(dev, p, doms[p]);
		if (ret != 0 || ports[p] == NULL) {
			fprintf(stderr, "map/attach failed\n");
			return 1;
		}
	}
	printf("uiommu dma_churn: backend %s, %u lcores, %u ports (RID + %u "
	       "PASIDs), %u pages each, %us\n", backend, rte_lcore_count(),
	       n_ports, n_ports - 1, n_pages, seconds);
	rte_eal_mp_remote_launch(worker, NULL, SKIP_MAIN);

	deadline = rte_get_timer_cycles() + seconds * rte_get_timer_hz();
	while (rte_get_timer_cycles() < deadline) {
		p = rte_rand_max(n_ports);
		i = rte_rand_max(n_pages);
		ret = uiommu_unmap(doms[p], (uint64_t)i * PAGE, PAGE);
		if (ret == 0)
			ret = uiommu_map(doms[p], (uint64_t)i * PAGE,
					 bufs[p] + (size_t)i * PAGE, PAGE,
					 UIOMMU_PROT_READ | UIOMMU_PROT_WRITE);
		if (ret != 0) {
			fprintf(stderr, "churn failed: %s\n", strerror(-ret));
			break;
		}
		churns++;
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	print_stats(hw, churns);
	uiommu_ctx_destroy(ctx);
	for (p = 0; p < n_ports; p++)
		rte_free(bufs[p]);
	rte_eal_cleanup();
	return 0;
}
