/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers/net_iommu with dynamic hugepage memory: the memory event callback
 * for real, called by EAL with the heap's lock and the hotplug lock held.
 *
 * A started port must map memory that the heap grows by while it runs, and
 * unmap memory EAL gives back, from inside that callback, where entering
 * rte_malloc (a page-table page, a gather) would never return. Each test
 * grows the heap by far more than it holds, so EAL allocates hugepages and
 * calls the callback, then frees the buffer, so EAL returns them. A
 * deadlock is a test timeout.
 *
 * Needs 600 free 2 MiB hugepages and hugetlbfs: test/unit/huge_test.sh
 * sets them up when it can and skips the test (exit 77) when it cannot.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include <uiommu.h>

#include "uiommu_net_iommu.h"
#include "uiommu_test.h"

/* More than 1 GiB: the new pages reach a 1 GiB region that no memory
 * mapped at start touches, so their leaves need a page table that did not
 * exist when the port started (the allocation the callback must not do). */
#define GROW		(1088ull << 20)

static struct rte_mempool *mp;

/* Dynamic memory: no -m, no --legacy-mem, no --no-huge. IOVA as VA. */
static void
suite_init(void)
{
	char lcores[16], prefix[64];
	char *argv[] = {
		"test_net_iommu_huge", "--in-memory", "--no-pci",
		"--no-telemetry", "-l", lcores, "--iova-mode=va",
		"--log-level=lib.eal:error", prefix,
	};

	snprintf(lcores, sizeof(lcores), "%d", test_first_allowed_cpu());
	snprintf(prefix, sizeof(prefix), "--file-prefix=uiommu_huge_%d",
		 (int)getpid());
	cr_assert_geq(rte_eal_init(RTE_DIM(argv), argv), 0,
		      "rte_eal_init: %s", rte_strerror(rte_errno));
	mp = rte_pktmbuf_pool_create("huge_mbufs", 2048, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	cr_assert_not_null(mp);
}

static void
suite_fini(void)
{
	rte_mempool_free(mp);
	rte_eal_cleanup();
}

TestSuite(net_iommu_huge, .init = suite_init, .fini = suite_fini,
	  .timeout = 60);

static uint16_t
port_start(const char *args)
{
	struct rte_eth_conf conf = { 0 };
	uint16_t pid;

	cr_assert_eq(rte_vdev_init("net_iommu0", args), 0);
	cr_assert_eq(rte_eth_dev_get_port_by_name("net_iommu0", &pid), 0);
	cr_assert_eq(rte_eth_dev_configure(pid, 1, 1, &conf), 0);
	cr_assert_eq(rte_eth_rx_queue_setup(pid, 0, 256, SOCKET_ID_ANY, NULL,
					    mp), 0);
	cr_assert_eq(rte_eth_tx_queue_setup(pid, 0, 256, SOCKET_ID_ANY, NULL),
		     0);
	cr_assert_eq(rte_eth_dev_start(pid), 0);
	return pid;
}

static void
grow_map_free_unmap(const char *args)
{
	struct rte_malloc_socket_stats st0, st1;
	struct uiommu_domain *dom;
	uint8_t *buf;
	uint16_t pid;
	uint64_t off;
	int socket;

	pid = port_start(args);
	dom = uiommu_net_iommu_domain(pid);
	cr_assert_not_null(dom);
	socket = rte_socket_id();
	cr_assert_eq(rte_malloc_get_socket_stats(socket, &st0), 0);

	/* The heap grows: EAL calls the callback, which maps the pages. */
	buf = rte_malloc_socket(NULL, GROW, SZ_2M, socket);
	cr_assert_not_null(buf, "rte_malloc of %llu MiB: %s", GROW >> 20,
			   rte_strerror(rte_errno));
	cr_assert_eq(rte_malloc_get_socket_stats(socket, &st1), 0);
	cr_assert_gt(st1.heap_totalsz_bytes, st0.heap_totalsz_bytes,
		     "the heap did not grow: no memory event was tested");
	for (off = 0; off < GROW; off += SZ_2M)
		cr_assert_eq(uiommu_iova_to_va(dom, rte_mem_virt2iova(buf +
						off)), buf + off,
			     "page at +%#llx not mapped by the event",
			     (unsigned long long)off);
	memset(buf, 0x5a, GROW);

	/* EAL gives the pages back: the callback unmaps them first. */
	rte_free(buf);
	cr_assert_eq(rte_malloc_get_socket_stats(socket, &st1), 0);
	cr_assert_eq(st1.heap_totalsz_bytes, st0.heap_totalsz_bytes,
		     "the heap kept the pages: no free event was tested");
	cr_assert_null(uiommu_iova_to_va(dom, (uintptr_t)buf),
		       "freed memory still mapped");
	cr_assert_eq(rte_eth_dev_stop(pid), 0);
	cr_assert_eq(rte_vdev_uninit("net_iommu0"), 0);
}

Test(net_iommu_huge, heap_growth_maps_and_release_unmaps_smmu_strict)
{
	grow_map_free_unmap("iommu=smmu,mode=strict");
}

Test(net_iommu_huge, heap_growth_maps_and_release_unmaps_vtd_batch)
{
	grow_map_free_unmap("iommu=vtd,mode=batch");
}

Test(net_iommu_huge, heap_growth_maps_and_release_unmaps_direct_lazy)
{
	grow_map_free_unmap("iommu=direct,mode=lazy");
}
